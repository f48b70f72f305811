//! The JSON summary, as one set of types: `report` writes it, `reconcile::follow_up` reads
//! last month's. Key names are the contract (`docs/contrat.md`,
//! `schemas/resume.schema.json`). Amounts are strings with two decimals and a dot, never
//! floats; dates are `AAAA-MM-JJ`.
//!
//! Reading is tolerant of older summaries as far as the follow-up needs: `as_of` and each
//! finding's `code`, `severity` and `message` are required; every other key may be absent
//! (format 1 had no `format_version`, early findings no `key`), and a part the follow-up
//! does not use (inputs, totals…) that cannot be read is taken as empty rather than
//! refused.

mod amendments;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

pub use amendments::{AmendedLine, Amendment, Overrun, Provisions, Tranche};

/// The format written today (`format_version`): bumped when a key changes meaning or
/// disappears; new keys do not bump it.
pub const FORMAT_VERSION: u32 = 2;

/// How serious a finding is; in the summary `error`, `warning` or `info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// « erreur », « avertissement », « information ».
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "erreur",
            Severity::Warning => "avertissement",
            Severity::Info => "information",
        }
    }

    /// A severity as a summary writes it (`error`…), or its French label.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim() {
            "error" | "erreur" => Some(Severity::Error),
            "warning" | "avertissement" => Some(Severity::Warning),
            "info" | "information" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let text = String::deserialize(d)?;
        Severity::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "gravité « {text} » inconnue (attendu : error, warning ou info)"
            ))
        })
    }
}

/// A part of a summary that the follow-up does not need: read when it can be, empty
/// otherwise (an older or hand-edited summary is still last month's findings).
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

fn format_one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Absent from format 1.
    #[serde(default = "format_one")]
    pub format_version: u32,
    #[serde(default, deserialize_with = "lenient")]
    pub tool: Tool,
    /// Always written; absent from some early summaries.
    #[serde(default)]
    pub convention: Option<ConventionRef>,
    pub as_of: NaiveDate,
    /// `ok`, `warning` or `error`.
    #[serde(default, deserialize_with = "lenient")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient")]
    pub inputs: Vec<Input>,
    /// Files found in a folder that are no extract: skipped, with the reason.
    #[serde(default, deserialize_with = "lenient")]
    pub inputs_skipped: Vec<InputSkipped>,
    #[serde(default, deserialize_with = "lenient")]
    pub lines: Lines,
    #[serde(default, deserialize_with = "lenient")]
    pub movements: Movements,
    #[serde(default, deserialize_with = "lenient")]
    pub totals: Totals,
    #[serde(default, deserialize_with = "lenient")]
    pub products: Vec<Product>,
    /// With `[[avenant]]`: each avenant and what it changed (absent without).
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub amendments: Vec<Amendment>,
    /// With `[[mise_a_disposition]]`: the credits made available (absent without).
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub provisions: Option<Provisions>,
    /// Past 100,000 out-of-scope lines, `Hors périmètre` lists them by imputation.
    #[serde(default, deserialize_with = "lenient")]
    pub out_of_scope_grouped: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub out_of_scope_groups: usize,
    pub findings: Vec<Finding>,
    /// With `--previous`: last month's findings not found again.
    #[serde(default, deserialize_with = "lenient")]
    pub resolved: Vec<Resolved>,
    #[serde(default, deserialize_with = "lenient")]
    pub findings_by_severity: BySeverity,
    /// With `--justifications`: the file and what became of its justifications.
    #[serde(default, deserialize_with = "lenient")]
    pub justifications: Option<JustificationsJson>,
    /// With `--declare`: the declared report against Chorus. Absent without the option
    /// (the summary keeps its shape for the runs that do not use it).
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub declaration: Option<DeclarationJson>,
    /// With `--commandes`: the order list matched with the EJs; absent without it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub orders: Option<OrdersJson>,
    #[serde(default, deserialize_with = "lenient")]
    pub conservation: Conservation,
}

/// With `--commandes`: how many orders matched, how, what was left on either side, and
/// the amounts ordered, committed (AE of the matched EJs) and paid on them (CP).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrdersJson {
    pub file: String,
    pub orders: usize,
    pub matched_by_ej: usize,
    pub matched_by_supplier: usize,
    /// `COMMANDE_SANS_EJ`.
    pub without_ej: usize,
    /// `EJ_SANS_COMMANDE`.
    pub ejs_without_order: usize,
    /// `ECART_MONTANT`.
    pub amount_gaps: usize,
    pub ordered: String,
    pub ae_matched: String,
    pub cp_matched: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConventionRef {
    pub id: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Input {
    pub path: String,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
    pub sha256: String,
    pub size: u64,
    pub layout: String,
    pub encoding: String,
    pub separator: String,
    pub header_row: u64,
    /// `AE` or `CP`.
    pub measure: String,
    pub axes: Vec<String>,
    pub rows: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub replaced: u64,
    /// The extraction date and where it was read (`preamble`, `file_name`); absent when
    /// the file says nothing: then it counts as older than every dated input, in path
    /// order.
    pub extracted: Option<NaiveDate>,
    pub extracted_from: Option<String>,
    /// Rows that are not data, by kind, with the numbers of the first ones.
    pub skipped: SkippedJson,
    /// Raw rows of the input: data rows + skipped rows.
    pub raw_rows: u64,
    /// Rejected rows past the budget of rows listed (`rejected` counts them).
    pub rejected_unlisted: u64,
    pub notes: Vec<String>,
}

/// `{"preamble": 7, "header": 1, …, "first_rows": {"preamble": [1, 2, …], …}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkippedJson {
    #[serde(flatten)]
    pub counts: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub first_rows: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InputSkipped {
    pub path: String,
    pub reason: String,
}

/// Data rows as a person sees them in Excel: `read = in_scope + out_of_scope + rejected +
/// duplicates + replaced`. A row carrying AE and CP counts once, in its AE's category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lines {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub replaced: u64,
}

/// The movements the rows carry, per measure (a rejected row carries none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Movements {
    pub ae: MovementsOf,
    pub cp: MovementsOf,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MovementsOf {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub duplicates: u64,
    pub replaced: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Totals {
    pub ae_allocated: String,
    pub ae_consumed: String,
    pub ae_available: String,
    pub cp_allocated: String,
    pub cp_consumed: String,
    pub cp_available: String,
    pub remaining_to_pay: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub years: Vec<Year>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Year {
    pub year: i32,
    /// A blank in the agreement's schedule is written "0.00".
    pub ae_planned: String,
    pub ae_consumed: String,
    pub cp_planned: String,
    pub cp_consumed: String,
    /// The outlook of the year (art. 5); `None` for a year outside the convention.
    pub projection: Option<Projection>,
}

/// A year's projection: consumed at `as_of` plus what is still expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Projection {
    /// `realise` (the year is over), `previsions` (the délégataire's file), `rythme` (the
    /// run rate) or `aucune` (no file, the year not started).
    pub source: String,
    /// The délégataire's forecasts for the whole year (`None` without a file).
    pub ae_forecast: Option<String>,
    pub cp_forecast: Option<String>,
    /// Projected to the end of the year (or of the convention, if sooner).
    pub ae: Option<String>,
    pub cp: Option<String>,
    /// Schedule − projection, when positive; "0.00" when nothing is left.
    pub unused_ae: Option<String>,
    pub unused_cp: Option<String>,
}

/// How a finding compares with last month's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Track {
    New,
    Open,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub file: Option<String>,
    /// The worksheet, for workbooks.
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub row: Option<u64>,
    #[serde(default)]
    pub ej: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
    /// The product's id in the convention.
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub year: Option<i32>,
    /// What the finding is about, stable from month to month: what `--previous` matches
    /// on. Empty when an early summary had none (such a finding cannot be followed).
    #[serde(default)]
    pub key: String,
    /// `new` or `open` with `--previous`; `null` otherwise.
    #[serde(default, deserialize_with = "lenient")]
    pub follow_up: Option<Track>,
    #[serde(default)]
    pub first_seen: Option<NaiveDate>,
    #[serde(default, deserialize_with = "lenient")]
    pub age_months: Option<u32>,
    /// With `--justifications`: the accountant's justification of this finding's key.
    #[serde(default, deserialize_with = "lenient")]
    pub justification: Option<JustificationJson>,
}

/// What the accountant decided about a finding: `accepted` (listed, no longer counted
/// for the status nor `--fail-on`) or `to_follow` (still counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accepted,
    ToFollow,
}

/// A finding's justification, as the file gave it (`row`: its row in that file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JustificationJson {
    pub status: Decision,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub row: u64,
}

/// The justifications file of a run: its path, its justifications (`rows`), and what
/// became of them: the findings accepted (by severity: `findings_by_severity` minus these
/// is what counts), those to follow, the justifications obsolete and unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JustificationsJson {
    pub file: String,
    pub rows: usize,
    pub accepted: BySeverity,
    pub to_follow: usize,
    pub obsolete: usize,
    pub unknown: usize,
}

/// The declared report of a run (`--declare`): its file, its rows (those for another
/// convention apart), the tolerance, the product-periods compared, those with a gap beyond
/// the tolerance (each an `ECART_DECLARATION` per measure) and within it, and the sums of
/// both sides over the periods compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclarationJson {
    pub file: String,
    pub rows: usize,
    pub rows_other_convention: usize,
    pub tolerance: String,
    pub periods_compared: usize,
    pub periods_with_gap: usize,
    pub periods_within_tolerance: usize,
    pub ae_declared: String,
    pub ae_chorus: String,
    pub cp_declared: String,
    pub cp_chorus: String,
}

/// A finding of last month that this run no longer finds, as last month's summary gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub key: String,
    pub first_seen: NaiveDate,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub row: Option<u64>,
    #[serde(default)]
    pub ej: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BySeverity {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

/// Movements by measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Movement2 {
    pub ae: u64,
    pub cp: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Conservation {
    pub holds: bool,
    pub rows_in: u64,
    pub rows_out: u64,
    pub movements_in: Movement2,
    pub movements_out: Movement2,
    pub ae_in: String,
    pub ae_out: String,
    pub cp_in: String,
    pub cp_out: String,
}

/// The summary of a portfolio run (several conventions, issue 15): each convention's
/// summary exactly as a run on it alone writes it (`conventions`), and what the portfolio
/// adds (`portfolio`: its totals, all its findings by severity, its own findings, the
/// orphan lines and the conservation across conventions). Schema:
/// `schemas/portefeuille.schema.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioSummary {
    #[serde(default = "format_one")]
    pub format_version: u32,
    #[serde(default, deserialize_with = "lenient")]
    pub tool: Tool,
    pub as_of: NaiveDate,
    /// The worst of the conventions' statuses and of the portfolio's own findings.
    #[serde(default, deserialize_with = "lenient")]
    pub status: String,
    pub conventions: Vec<Summary>,
    #[serde(default, deserialize_with = "lenient")]
    pub portfolio: PortfolioPart,
}

/// What the portfolio adds beside its conventions' summaries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortfolioPart {
    /// How many conventions.
    pub conventions: usize,
    /// The sums of the conventions' totals.
    pub totals: Totals,
    /// Every finding: the conventions' and the portfolio's own.
    pub findings_by_severity: BySeverity,
    /// The portfolio's own findings (`LIGNE_ORPHELINE`), keyed and followed up like a
    /// convention's.
    pub findings: Vec<Finding>,
    /// The lines of the délégataire's scope that no convention claims.
    pub orphans: Share,
    /// The délégataire's scope (`portefeuille.toml`), when declared.
    pub perimeter: Option<PerimeterJson>,
    pub conservation: PortfolioConservation,
}

/// Rows and their amounts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Share {
    pub lines: u64,
    pub ae: String,
    pub cp: String,
}

/// The délégataire's scope, as `portefeuille.toml` declares it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PerimeterJson {
    pub centres_financiers: Vec<String>,
    pub centres_de_cout: Vec<String>,
    pub source: String,
}

/// Every row read, once: `read = conventions + orphans + set_aside + outside`. `outside`
/// (out of every scope) is what is left; `holds` says that each convention's own
/// conservation holds, that they all read the same rows and amounts, and that nothing is
/// left below zero rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortfolioConservation {
    pub holds: bool,
    pub read: Share,
    /// In a convention's scope.
    pub conventions: Share,
    pub orphans: Share,
    /// Rejected, duplicates and replaced states (a rejected row carries no amount).
    pub set_aside: Share,
    /// Out of every scope: neither a convention's nor the délégataire's.
    pub outside: Share,
}

/// No date of a summary comes before this one (Chorus opened in 2011; conventions are
/// dated from 1990): an earlier one is a damaged or hand-edited file.
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1990, 1, 1).expect("a valid date");

impl Summary {
    /// Refuses a summary that cannot be last month's of this convention (in French): a
    /// format newer than this tool reads, its date after this run's, another convention,
    /// or dates out of any sense (« toujours ouverte depuis 3169979 mois »).
    pub fn check(&self, convention_id: &str, as_of: NaiveDate) -> Result<(), String> {
        if self.format_version > FORMAT_VERSION {
            return Err(format!(
                "résumé au format {}, plus récent que celui que cet outil lit ({FORMAT_VERSION}) : mettez chorus-recon à jour",
                self.format_version
            ));
        }
        if let Some(c) = &self.convention
            && c.id != convention_id
        {
            return Err(format!(
                "c'est le résumé de la convention « {} », pas de « {convention_id} » : donnez le résumé précédent de cette convention",
                c.id
            ));
        }
        let date = |d: NaiveDate| d.format("%d/%m/%Y");
        if self.as_of > as_of {
            return Err(format!(
                "ce résumé est daté du {}, après la date de ce rapprochement ({}) : ce n'est pas un résumé précédent (voyez --as-of)",
                date(self.as_of),
                date(as_of)
            ));
        }
        if self.as_of < EARLIEST {
            return Err(format!(
                "date « as_of » invraisemblable ({}) : fichier abîmé ou modifié à la main",
                self.as_of
            ));
        }
        self.check_first_seen()
    }

    fn check_first_seen(&self) -> Result<(), String> {
        let date = |d: NaiveDate| d.format("%d/%m/%Y");
        for (i, f) in self.findings.iter().enumerate() {
            if let Some(seen) = f.first_seen
                && !(EARLIEST..=self.as_of).contains(&seen)
            {
                return Err(format!(
                    "anomalie n° {} ({}) : date « first_seen » invraisemblable ({seen}), hors du {} au {} : fichier abîmé ou modifié à la main",
                    i + 1,
                    f.code,
                    date(EARLIEST),
                    date(self.as_of)
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Summary, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn an_older_summary_is_read_as_far_as_the_follow_up_needs() {
        // Format 1: no format_version, no key on one finding, French severity labels, and
        // parts the follow-up does not need in shapes it does not know.
        let s = read(
            r#"{"as_of": "2021-06-30", "inputs": 3, "totals": {"ae_consumed": 12.5},
                "findings": [
                  {"code": "TITRE_2", "severity": "error", "message": "m", "key": "TITRE_2:ab",
                   "follow_up": "reopened"},
                  {"code": "DP_SANS_EJ", "severity": "avertissement", "message": "m"}]}"#,
        )
        .unwrap();
        assert_eq!(s.format_version, 1);
        assert_eq!(s.convention, None);
        assert!(s.inputs.is_empty());
        assert_eq!(s.totals, Totals::default());
        let f: Vec<_> = s
            .findings
            .iter()
            .map(|f| (f.key.as_str(), f.severity, f.follow_up, f.first_seen))
            .collect();
        assert_eq!(
            f,
            [
                ("TITRE_2:ab", Severity::Error, None, None),
                ("", Severity::Warning, None, None)
            ]
        );
        assert!(
            s.check("c", NaiveDate::from_ymd_opt(2021, 7, 31).unwrap())
                .is_ok()
        );
    }

    #[test]
    fn what_the_follow_up_cannot_use_is_refused_in_french() {
        let cases = [
            (r#"{"findings": []}"#, "as_of"),
            (r#"{"as_of": "2021-06-30"}"#, "findings"),
            (
                r#"{"as_of": "2021-06-30", "findings": [{"code": "X", "severity": "grave", "message": "m"}]}"#,
                "gravité « grave » inconnue (attendu : error, warning ou info)",
            ),
            (
                r#"{"as_of": "2021-06-30", "findings": [{"code": "X", "severity": "info"}]}"#,
                "message",
            ),
        ];
        for (json, expected) in cases {
            let e = read(json).unwrap_err();
            assert!(e.contains(expected), "{json}: {e}");
        }
        let newer = read(r#"{"format_version": 3, "as_of": "2021-06-30", "findings": []}"#)
            .unwrap()
            .check("c", NaiveDate::from_ymd_opt(2021, 7, 31).unwrap())
            .unwrap_err();
        assert!(newer.contains("résumé au format 3"), "{newer}");
    }

    #[test]
    fn justifications_read_back_and_a_damaged_one_is_no_refusal() {
        let s = read(
            r#"{"as_of": "2021-02-28",
                "findings": [
                  {"code": "RETRAIT_ANTERIEUR", "severity": "warning", "message": "m",
                   "key": "RETRAIT_ANTERIEUR:ab",
                   "justification": {"status": "accepted", "comment": "vu", "author": null,
                                     "date": "2021-02-05", "row": 2}},
                  {"code": "DP_SANS_EJ", "severity": "warning", "message": "m",
                   "justification": {"status": "peut-être"}}],
                "justifications": {"file": "j.csv", "rows": 3, "obsolete": 1}}"#,
        )
        .unwrap();
        let j = s.findings[0].justification.as_ref().unwrap();
        assert_eq!((j.status, j.row), (Decision::Accepted, 2));
        assert_eq!(j.date, NaiveDate::from_ymd_opt(2021, 2, 5));
        assert_eq!(
            s.findings[1].justification, None,
            "unreadable: taken as none"
        );
        let file = s.justifications.unwrap();
        assert_eq!((file.rows, file.obsolete, file.unknown), (3, 1, 0));
        let json = serde_json::to_value(Decision::ToFollow).unwrap();
        assert_eq!(json, "to_follow");
    }

    #[test]
    fn severities_are_written_in_lowercase_and_ordered_by_gravity() {
        let all = [Severity::Error, Severity::Warning, Severity::Info];
        let json = serde_json::to_string(&all).unwrap();
        assert_eq!(json, r#"["error","warning","info"]"#);
        assert_eq!(serde_json::from_str::<Vec<Severity>>(&json).unwrap(), all);
        assert!(Severity::Error < Severity::Warning && Severity::Warning < Severity::Info);
    }
}
