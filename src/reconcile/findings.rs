//! Findings: the stable codes scripts filter on, their severity, and French messages that
//! say what to do.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::Origin;
pub use crate::tables::justifications::{Justification, Status as JustificationStatus};

/// Severities are the summary's words (`error`, `warning`, `info`).
pub use crate::model::summary::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Titre2,
    PlafondAeDepasse,
    PlafondCpDepasse,
    CpSuperieurAe,
    HorsPeriode,
    DoublonConflictuel,
    LigneRejetee,
    ImputationPartielle,
    EcheancierDepasse,
    ProduitNonAttribue,
    DpSansEj,
    RetraitAnterieur,
    CreditsNonConsommes,
    /// The outlook of a running exercice leaves some of its schedule unused (art. 5's
    /// early warning).
    CreditsNonConsommesPrevus,
    /// Journal reductions of an EJ poste that its payments do not cover.
    ReductionSansPaiement,
    /// Lines or amounts in ≠ out: a defect of the tool itself, never expected.
    ConservationRompue,
    PerimetreVide,
    EjNonSolde,
    DatePosterieure,
    EjSansAe,
    BasculeInconnue,
    FichierIgnore,
    /// A justification whose finding is gone (`--justifications`).
    JustificationObsolete,
    /// A justification whose key names no finding the tool makes (`--justifications`).
    JustificationInconnue,
    /// Consumption ahead of the credits actually made available (`[[mise_a_disposition]]`),
    /// one per episode (issue 15).
    DepassementMiseADisposition,
    /// A line of the délégataire's scope (`portefeuille.toml`) that no convention claims.
    LigneOrpheline,
    /// The délégataire's declared figure differs from Chorus beyond the tolerance
    /// (`--declare`).
    EcartDeclaration,
    /// An order of `--commandes` matched to no EJ.
    CommandeSansEj,
    /// An in-scope EJ matched by no order of `--commandes`.
    EjSansCommande,
    /// An order and its EJ(s) differ in amount beyond the tolerance.
    EcartMontant,
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Titre2 => "TITRE_2",
            Code::PlafondAeDepasse => "PLAFOND_AE_DEPASSE",
            Code::PlafondCpDepasse => "PLAFOND_CP_DEPASSE",
            Code::CpSuperieurAe => "CP_SUPERIEUR_AE",
            Code::HorsPeriode => "HORS_PERIODE",
            Code::DoublonConflictuel => "DOUBLON_CONFLICTUEL",
            Code::LigneRejetee => "LIGNE_REJETEE",
            Code::ImputationPartielle => "IMPUTATION_PARTIELLE",
            Code::EcheancierDepasse => "ECHEANCIER_DEPASSE",
            Code::ProduitNonAttribue => "PRODUIT_NON_ATTRIBUE",
            Code::DpSansEj => "DP_SANS_EJ",
            Code::RetraitAnterieur => "RETRAIT_ANTERIEUR",
            Code::CreditsNonConsommes => "CREDITS_NON_CONSOMMES",
            Code::CreditsNonConsommesPrevus => "CREDITS_NON_CONSOMMES_PREVUS",
            Code::ReductionSansPaiement => "REDUCTION_SANS_PAIEMENT",
            Code::ConservationRompue => "CONSERVATION_ROMPUE",
            Code::PerimetreVide => "PERIMETRE_VIDE",
            Code::EjNonSolde => "EJ_NON_SOLDE",
            Code::DatePosterieure => "DATE_POSTERIEURE",
            Code::EjSansAe => "EJ_SANS_AE",
            Code::BasculeInconnue => "BASCULE_INCONNUE",
            Code::FichierIgnore => "FICHIER_IGNORE",
            Code::JustificationObsolete => "JUSTIFICATION_OBSOLETE",
            Code::JustificationInconnue => "JUSTIFICATION_INCONNUE",
            Code::DepassementMiseADisposition => "DEPASSEMENT_MISE_A_DISPOSITION",
            Code::LigneOrpheline => "LIGNE_ORPHELINE",
            Code::EcartDeclaration => "ECART_DECLARATION",
            Code::CommandeSansEj => "COMMANDE_SANS_EJ",
            Code::EjSansCommande => "EJ_SANS_COMMANDE",
            Code::EcartMontant => "ECART_MONTANT",
        }
    }

    /// Every code, in the enum's order.
    pub const ALL: [Code; 30] = [
        Code::Titre2,
        Code::PlafondAeDepasse,
        Code::PlafondCpDepasse,
        Code::CpSuperieurAe,
        Code::HorsPeriode,
        Code::DoublonConflictuel,
        Code::LigneRejetee,
        Code::ImputationPartielle,
        Code::EcheancierDepasse,
        Code::ProduitNonAttribue,
        Code::DpSansEj,
        Code::RetraitAnterieur,
        Code::CreditsNonConsommes,
        Code::CreditsNonConsommesPrevus,
        Code::ReductionSansPaiement,
        Code::ConservationRompue,
        Code::PerimetreVide,
        Code::EjNonSolde,
        Code::DatePosterieure,
        Code::EjSansAe,
        Code::BasculeInconnue,
        Code::FichierIgnore,
        Code::JustificationObsolete,
        Code::JustificationInconnue,
        Code::DepassementMiseADisposition,
        Code::LigneOrpheline,
        Code::EcartDeclaration,
        Code::CommandeSansEj,
        Code::EjSansCommande,
        Code::EcartMontant,
    ];

    /// The code a summary or a key writes (`TITRE_2`…).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::Titre2
            | Code::PlafondAeDepasse
            | Code::PlafondCpDepasse
            | Code::CpSuperieurAe
            | Code::HorsPeriode
            | Code::LigneRejetee
            | Code::PerimetreVide
            | Code::ConservationRompue => Severity::Error,
            Code::ImputationPartielle
            | Code::DoublonConflictuel
            | Code::EcheancierDepasse
            | Code::ProduitNonAttribue
            | Code::DpSansEj
            | Code::RetraitAnterieur
            | Code::EjNonSolde
            | Code::DatePosterieure
            | Code::EjSansAe
            | Code::BasculeInconnue
            | Code::FichierIgnore
            | Code::ReductionSansPaiement
            | Code::JustificationInconnue
            | Code::DepassementMiseADisposition
            | Code::LigneOrpheline
            | Code::EcartDeclaration
            | Code::CommandeSansEj
            | Code::EjSansCommande
            | Code::EcartMontant => Severity::Warning,
            Code::CreditsNonConsommes
            | Code::CreditsNonConsommesPrevus
            | Code::JustificationObsolete => Severity::Info,
        }
    }
}

/// Which sheet row a finding concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// Index in `Reconciliation::lines`.
    Line(usize),
    /// Index in `Reconciliation::out_of_scope`.
    OutOfScope(usize),
    /// Index in `Reconciliation::rejections`.
    Rejection(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub origin: Option<Origin>,
    pub ej: Option<String>,
    pub amount: Option<Decimal>,
    pub product: Option<usize>,
    pub year: Option<i32>,
    /// AE or CP, for findings on sums of one of them.
    pub measure: Option<crate::model::Measure>,
    pub target: Option<Target>,
    /// The input a finding about a whole input concerns (rows past a budget), when it has
    /// no row of its own.
    pub input: Option<u32>,
    /// A file that is no input (skipped from a folder), for `FICHIER_IGNORE`.
    pub path: Option<String>,
    /// What the finding is about, stable from one month's extracts to the next (the
    /// line's content, not its file and row): `CODE:subject`. Set by the rules.
    pub key: String,
    /// Month over month, with `--previous`: new, or open since an earlier run.
    pub follow_up: Option<FollowUp>,
    /// With `--justifications`: the accountant's justification of this finding's key.
    pub justification: Option<Justification>,
}

/// How a finding compares with last month's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    /// The `as_of` of the first summary that had it (this run's, for a new finding).
    pub first_seen: chrono::NaiveDate,
    pub is_new: bool,
}

impl FollowUp {
    /// Whole calendar months from `first_seen` to `as_of`.
    pub fn age_months(&self, as_of: chrono::NaiveDate) -> u32 {
        use chrono::Datelike;
        let months = (as_of.year() - self.first_seen.year()) * 12 + as_of.month() as i32
            - self.first_seen.month() as i32;
        months.max(0) as u32
    }

    /// « nouvelle », « ouverte depuis 2 mois »…
    pub fn label(&self, as_of: chrono::NaiveDate) -> String {
        match (self.is_new, self.age_months(as_of)) {
            (true, _) => "nouvelle".into(),
            (false, 0) => "toujours ouverte (ce mois-ci)".into(),
            (false, 1) => "toujours ouverte depuis 1 mois".into(),
            (false, n) => format!("toujours ouverte depuis {n} mois"),
        }
    }
}

impl Finding {
    pub fn new(code: Code, message: String) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            message,
            origin: None,
            ej: None,
            amount: None,
            product: None,
            year: None,
            measure: None,
            target: None,
            input: None,
            path: None,
            key: String::new(),
            follow_up: None,
            justification: None,
        }
    }

    /// Whether it counts for the status and `--fail-on`: every finding but those the
    /// accountant accepted (`--justifications`), which stay listed.
    pub fn counts(&self) -> bool {
        self.justification
            .as_ref()
            .is_none_or(|j| j.status != JustificationStatus::Accepted)
    }

    /// The order of the findings list: the most serious first, those about a row before
    /// the others, in row order, then by code.
    pub fn rank(&self) -> (Severity, bool, Option<Origin>, Code) {
        (self.severity, self.origin.is_none(), self.origin, self.code)
    }
}

/// Rows of one input listed one by one, per finding code (and rejected rows kept): past
/// it, a file of garbage or a national extract full of one defect would fill memory and
/// the workbook. The rest are counted, with their amount, in one finding per input.
pub const LISTED_PER_INPUT: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_upper_snake_case() {
        assert_eq!(serde_json::to_string(&Code::Titre2).unwrap(), "\"TITRE_2\"");
        assert_eq!(
            serde_json::to_string(&Code::CpSuperieurAe).unwrap(),
            format!("\"{}\"", Code::CpSuperieurAe.as_str())
        );
        assert!(Severity::Error < Severity::Warning && Severity::Warning < Severity::Info);
    }

    #[test]
    fn every_code_reads_back_from_its_text() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
        let mut texts: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), Code::ALL.len(), "distinct texts");
        assert_eq!(Code::parse("TITRE2"), None);
        assert_eq!(Code::JustificationInconnue.severity(), Severity::Warning);
        assert_eq!(Code::JustificationObsolete.severity(), Severity::Info);
    }
}
