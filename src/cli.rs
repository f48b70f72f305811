//! The command line (clap derive). The doc comments below are the `--help` text, in French.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Rapproche les extraits Chorus d'une délégation de gestion avec sa convention
/// (échéancier, plafond, période, titre 2, engagements et paiements, doublons).
#[derive(Debug, Parser)]
#[command(name = "chorus-recon", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rapproche les extraits avec la convention et écrit le classeur et le résumé JSON.
    Reconcile(ReconcileArgs),
    /// Lit et valide les extraits sans rien écrire ; affiche ce qui a été trouvé.
    Check(CheckArgs),
    /// Affiche ou valide un fichier de convention.
    #[command(subcommand)]
    Convention(ConventionCommand),
    /// Liste les mises en page Chorus reconnues.
    Layouts,
}

#[derive(Debug, Subcommand)]
pub enum ConventionCommand {
    /// Affiche une convention (par défaut : la convention intégrée), à copier comme modèle.
    Show {
        /// Fichier de convention TOML.
        file: Option<PathBuf>,
    },
    /// Valide un fichier de convention.
    Check {
        /// Fichier de convention TOML.
        file: PathBuf,
    },
}

/// Which findings make the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Les anomalies de gravité « erreur ».
    Error,
    /// Les erreurs et les avertissements.
    Warning,
    /// Aucune : code 0 dès que le rapprochement a pu se faire.
    Never,
}

/// Options shared by `reconcile` and `check`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Extraits Chorus (CSV, XLSX) ou dossiers (lus récursivement, triés par chemin).
    #[arg(required = true, value_name = "ENTRÉE")]
    pub inputs: Vec<PathBuf>,

    /// Convention TOML (par défaut : la convention intégrée DGEC – DINUM).
    #[arg(short, long, value_name = "FICHIER")]
    pub convention: Option<PathBuf>,

    /// Date du rapprochement AAAA-MM-JJ (par défaut : aujourd'hui) ; pilote les contrôles de période et de fin de gestion.
    #[arg(long, value_name = "AAAA-MM-JJ", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Nombre de fils de calcul (par défaut : tous les cœurs) ; le résultat est identique pour tout N.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// N'affiche rien sur la sortie d'erreur, sauf les erreurs (cron).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// Classeur de rapprochement à écrire.
    #[arg(
        short,
        long,
        value_name = "FICHIER",
        default_value = "rapprochement.xlsx"
    )]
    pub output: PathBuf,

    /// Résumé JSON à écrire ; « - » pour la sortie standard.
    #[arg(long, value_name = "FICHIER")]
    pub summary: Option<PathBuf>,

    /// Quelles anomalies donnent le code de sortie 1.
    #[arg(long, value_enum, default_value = "error", value_name = "GRAVITÉ")]
    pub fail_on: FailOn,

    /// Écrit le détail ligne à ligne des lignes hors périmètre dans ce CSV (au-delà de 100 000, l'onglet « Hors périmètre » les regroupe par imputation).
    #[arg(long, value_name = "FICHIER")]
    pub detail_hors_perimetre: Option<PathBuf>,

    /// Résumé JSON du mois précédent : chaque anomalie est dite nouvelle, toujours ouverte (depuis quand) ou résolue.
    #[arg(long, value_name = "FICHIER")]
    pub previous: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// Quelles anomalies donnent le code de sortie 1, en plus des lignes rejetées.
    #[arg(long, value_enum, default_value = "never", value_name = "GRAVITÉ")]
    pub fail_on: FailOn,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("« {text} » n'est pas une date AAAA-MM-JJ"))
}
