//! The command line (clap derive). The doc comments below are the `--help` text, in French;
//! clap's own words (usage, help and version flags, errors) are put in French by
//! [`parse`], the one entry point.

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
    Layouts(LayoutsArgs),
    /// Écrit le script de complétion d'un shell sur la sortie standard.
    #[command(hide = true)]
    Completions {
        /// Le shell : bash, zsh, fish, elvish ou powershell.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Écrit la page de manuel (roff) sur la sortie standard.
    #[command(hide = true)]
    Man,
}

/// Options of `layouts`.
#[derive(Debug, Args)]
pub struct LayoutsArgs {
    /// Les mises en page en JSON, pour les scripts (forme décrite dans docs/contrat.md).
    #[arg(long, conflicts_with = "schema")]
    pub json: bool,

    /// Écrit le Table Schema Frictionless de la mise en page NOM, telle que ses fichiers arrivent.
    #[arg(long, value_name = "NOM")]
    pub schema: Option<String>,
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
    #[value(alias = "erreur")]
    Error,
    /// Les erreurs et les avertissements.
    #[value(alias = "avertissement")]
    Warning,
    /// Aucune : code 0 dès que le rapprochement a pu se faire.
    #[value(alias = "jamais")]
    Never,
}

/// Options shared by `reconcile` and `check`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Extraits Chorus (CSV, XLSX) ou dossiers (lus récursivement, triés par chemin).
    #[arg(required = true, value_name = "ENTRÉE")]
    pub inputs: Vec<PathBuf>,

    /// Convention TOML (par défaut : la convention intégrée DGEC – DINUM). Se répète, ou nomme un dossier (ses *.toml, et portefeuille.toml : le périmètre du délégataire) : plusieurs conventions en une lecture, -o est alors un dossier.
    #[arg(short, long, value_name = "FICHIER|DOSSIER")]
    pub convention: Vec<PathBuf>,

    /// Date du rapprochement, AAAA-MM-JJ ou JJ/MM/AAAA (par défaut : aujourd'hui) ; pilote les contrôles de période et de fin de gestion.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Nombre de fils de calcul (par défaut : tous les cœurs) ; le résultat est identique pour tout N.
    #[arg(short, long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<u16>,

    /// N'affiche rien sur la sortie d'erreur, sauf les erreurs (cron).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// Classeur de rapprochement à écrire (par défaut : rapprochement.xlsx).
    #[arg(
        short,
        long,
        value_name = "FICHIER",
        default_value = "rapprochement.xlsx",
        hide_default_value = true
    )]
    pub output: PathBuf,

    /// Résumé JSON à écrire ; « - » pour la sortie standard.
    #[arg(long, value_name = "FICHIER")]
    pub summary: Option<PathBuf>,

    /// Quelles anomalies donnent le code de sortie 1 : error (erreur, par défaut), warning (avertissement) ou never (jamais).
    #[arg(
        long,
        value_enum,
        default_value = "error",
        value_name = "GRAVITÉ",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub fail_on: FailOn,

    /// Écrit le détail ligne à ligne des lignes hors périmètre dans ce CSV (au-delà de 100 000, l'onglet « Hors périmètre » les regroupe par imputation).
    #[arg(long, value_name = "FICHIER")]
    pub detail_hors_perimetre: Option<PathBuf>,

    /// Écrit dans ce dossier (créé s'il manque) toutes les lignes lues, une par mouvement, avec leur statut (périmètre, hors périmètre, rejet, doublon, remplacé) : lignes.csv (CSV UTF-8, virgule) et datapackage.json (Frictionless), pour DuckDB, pandas ou Grist.
    #[arg(long, value_name = "DOSSIER")]
    pub export_lignes: Option<PathBuf>,

    /// Résumé JSON du mois précédent : chaque anomalie est dite nouvelle, toujours ouverte (depuis quand) ou résolue.
    #[arg(long, value_name = "FICHIER")]
    pub previous: Option<PathBuf>,

    /// Prévisions mensuelles du délégataire (CSV ou XLSX ; colonnes produit, periode AAAA-MM ou AAAA, ae, cp : les montants de la période) : la projection de chaque exercice en vient. Sans elles, la projection suit le rythme de consommation de l'exercice en cours.
    #[arg(long, value_name = "FICHIER")]
    pub previsions: Option<PathBuf>,
    /// Justifications des anomalies (CSV ou XLSX : clé, statut « acceptée » ou « à suivre », commentaire, auteur, date) : une anomalie acceptée reste listée mais ne compte plus pour le statut ni pour --fail-on.
    #[arg(long, value_name = "FICHIER")]
    pub justifications: Option<PathBuf>,
    /// Compte rendu déclaré du délégataire (CSV ou XLSX ; colonnes produit, periode AAAA-MM ou AAAA, ae, cp : les montants de la période) : comparé à Chorus par produit et par période (feuille « Déclaré et Chorus », anomalie ECART_DECLARATION au-delà de la tolérance de la convention).
    #[arg(long, value_name = "FICHIER")]
    pub declare: Option<PathBuf>,
    /// Liste des commandes du délégataire (CSV ou XLSX ; colonnes commande, ej, marche, nature, produit, fournisseur, siret, montant, date) : rapprochée des EJ de Chorus (par n° d'EJ, sinon fournisseur + montant à la tolérance près + date dans la fenêtre de [rapprochement]) ; le produit d'une commande rapprochée attribue son EJ ; onglets « Commandes » et « Marchés et natures ».
    #[arg(long, value_name = "FICHIER")]
    pub commandes: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// Quelles anomalies donnent le code de sortie 1, en plus des lignes rejetées : error (erreur), warning (avertissement) ou never (jamais, par défaut).
    #[arg(
        long,
        value_enum,
        default_value = "never",
        value_name = "GRAVITÉ",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub fail_on: FailOn,

    /// Compte rendu déclaré du délégataire (CSV ou XLSX), lu et vérifié comme avec reconcile : ses écarts avec Chorus sont comptés dans les anomalies (ECART_DECLARATION), et le fichier n'est pas un fichier ignoré du dossier.
    #[arg(long, value_name = "FICHIER")]
    pub declare: Option<PathBuf>,
}

/// A number of threads, 1 or more.
fn parse_jobs(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "« {text} » n'est pas un nombre de fils valide (un entier de 1 à 65 535)"
        )),
    }
}

/// A date as `AAAA-MM-JJ` (ISO, what scripts write) or `JJ/MM/AAAA` (what accountants write).
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .map_err(|_| {
            format!("« {text} » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA, par exemple 2021-12-31 ou 31/12/2021)")
        })
}

/// Parses the process's arguments, clap's words in French. `Err`: what to print and the
/// exit code (0 for `--help` and `--version`, 2 for a bad command line).
pub fn parse() -> Result<Cli, (String, u8)> {
    parse_from(std::env::args_os())
}

/// [`parse`] on given arguments (the program name first).
pub fn parse_from<I, T>(args: I) -> Result<Cli, (String, u8)>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches;
    let mut command = command();
    let matches = command.try_get_matches_from_mut(args).map_err(|e| {
        use clap::error::ErrorKind;
        match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => (e.to_string(), 0),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (e.to_string(), 2),
            _ => (french_error(&e), 2),
        }
    })?;
    Cli::from_arg_matches(&matches).map_err(|e| (french_error(&e), 2))
}

/// The clap command, in French: what `parse` reads, and what completions and the man
/// page are generated from.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    french(Cli::command())
}

/// The help of every command in French: headings, the help and version flags, no
/// `help` subcommand (`--help` does it).
fn french(command: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let top = command.get_name() == "chorus-recon";
    let mut command = command
        .help_template("{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Commandes")
        .subcommand_value_name("COMMANDE")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Affiche l'aide"),
        );
    if top {
        command = command.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Affiche la version"),
        );
    }
    command.mut_subcommands(french)
}

/// A command-line error in French: what is wrong, a suggestion when clap has one, the
/// usage, and where to find help.
fn french_error(e: &clap::Error) -> String {
    use clap::error::ContextKind;
    let context = |kind| error_context(e, kind);
    let mut out = format!("chorus-recon : erreur : {}\n", french_what(e));
    if let Some(suggested) = context(ContextKind::SuggestedArg)
        .or_else(|| context(ContextKind::SuggestedSubcommand))
        .or_else(|| context(ContextKind::SuggestedValue))
    {
        out += &format!("  conseil : vouliez-vous dire « {suggested} » ?\n");
    }
    if let Some(usage) = context(ContextKind::Usage) {
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out += &format!("\nUtilisation : {usage}\n");
    }
    out += "\nPour plus d'informations, essayez « --help ».\n";
    out
}

/// A piece of a clap error's context, as text.
fn error_context(e: &clap::Error, kind: clap::error::ContextKind) -> Option<String> {
    use clap::error::ContextValue;
    e.get(kind).map(|v| match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        other => other.to_string(),
    })
}

/// What is wrong with the command line, in French.
fn french_what(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind| error_context(e, kind);
    let arg = context(ContextKind::InvalidArg).unwrap_or_default();
    let value = context(ContextKind::InvalidValue).unwrap_or_default();
    match e.kind() {
        ErrorKind::UnknownArgument => format!("argument inattendu « {arg} »"),
        ErrorKind::InvalidSubcommand => {
            let name = context(ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("commande inconnue « {name} »")
        }
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue)
                .map(|v| format!(" (valeurs possibles : {v})"))
                .unwrap_or_default();
            if value.is_empty() {
                format!("valeur manquante pour « {arg} »{valid}")
            } else {
                format!("valeur « {value} » invalide pour « {arg} »{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("valeur « {value} » invalide pour « {arg} » : {why}")
        }
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire absent : {arg}"),
        ErrorKind::MissingSubcommand => "commande absente".to_string(),
        ErrorKind::ArgumentConflict => {
            let other = context(ContextKind::PriorArg).unwrap_or_default();
            format!("« {arg} » ne peut pas être employé avec « {other} »")
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("trop de valeurs pour « {arg} » (« {value} »)")
        }
        ErrorKind::TooFewValues => format!("pas assez de valeurs pour « {arg} »"),
        ErrorKind::NoEquals => format!("« {arg} » demande une valeur après « = »"),
        ErrorKind::InvalidUtf8 => "un argument n'est pas du texte UTF-8 valide".to_string(),
        _ => "ligne de commande invalide".to_string(),
    }
}
