//! Chorus layouts, read from the Table Schema files in `schemas/` (compiled in), and their
//! detection: which row of the first 20 is the header, which layout it matches, and which
//! column holds each canonical field. Headers are matched by name, never by position.

use std::sync::OnceLock;

use serde::Deserialize;

mod mapping;

use self::mapping::split_alias;
pub use self::mapping::{Detection, Mapping, detect, map_header};
use crate::model::code::fold;
use crate::model::{Axis, Measure};

/// How many rows may precede the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

const SCHEMA_FILES: [(&str, &str); 15] = [
    ("aife-ej.json", include_str!("../../schemas/aife-ej.json")),
    ("aife-dp.json", include_str!("../../schemas/aife-dp.json")),
    (
        "aife-ej-quotidien.json",
        include_str!("../../schemas/aife-ej-quotidien.json"),
    ),
    (
        "aife-dp-quotidien.json",
        include_str!("../../schemas/aife-dp-quotidien.json"),
    ),
    (
        "infbud53-ae.json",
        include_str!("../../schemas/infbud53-ae.json"),
    ),
    (
        "infbud53-cp.json",
        include_str!("../../schemas/infbud53-cp.json"),
    ),
    (
        "infbud53-croise.json",
        include_str!("../../schemas/infbud53-croise.json"),
    ),
    (
        "infbud53-bowebi.json",
        include_str!("../../schemas/infbud53-bowebi.json"),
    ),
    (
        "infbud53-xlsx-2019.json",
        include_str!("../../schemas/infbud53-xlsx-2019.json"),
    ),
    (
        "sap-journal-pieces.json",
        include_str!("../../schemas/sap-journal-pieces.json"),
    ),
    ("sap-jp51.json", include_str!("../../schemas/sap-jp51.json")),
    ("sap-jp57.json", include_str!("../../schemas/sap-jp57.json")),
    (
        "nomenclature-localisations.json",
        include_str!("../../schemas/nomenclature-localisations.json"),
    ),
    (
        "nomenclature-calculette.json",
        include_str!("../../schemas/nomenclature-calculette.json"),
    ),
    (
        "nomenclature-centres-cout.json",
        include_str!("../../schemas/nomenclature-centres-cout.json"),
    ),
];

/// The canonical fields a layout can yield. Schema field names are these, in snake case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldId {
    Programme,
    CentreFinancier,
    DomaineFonctionnel,
    CentreCout,
    Activite,
    Ej,
    PosteEj,
    DateEj,
    Dp,
    PosteDp,
    Date,
    Exercice,
    FournisseurCode,
    Fournisseur,
    /// The supplier's SIRET (« Code taxe 1 »).
    Siret,
    CompteGeneral,
    CompteBudgetaire,
    CompteBudgetaireLibelle,
    GroupeMarchandises,
    /// The amount, whose meaning the file (or a key-figure column) gives.
    Montant,
    /// BO Webi key-figure columns: AE of the year, committed (bascule included), the
    /// bascule of earlier EJs, paid.
    MontantAe,
    MontantEngage,
    MontantBascule,
    MontantCp,
    /// Added to `Montant` (AIFE daily DP: the VAT beside the amount excluding VAT).
    MontantTva,
    /// SAP value type (journal des pièces « TV »): with `TypeMontant`, the key figure.
    TypeValeur,
    /// The key figure a row's amount is (crosstab « Type montant », journal « TypeMtant »).
    TypeMontant,
    /// The other half of a « Type de montant » pair (long-header journal: label, then
    /// code): read when `TypeMontant` is blank or unknown.
    TypeMontantLibelle,
    ProjetAnalytique,
    #[serde(rename = "axe_ministeriel_2")]
    AxeMinisteriel2,
    Libelle,
    Societe,
}

impl FieldId {
    pub const COUNT: usize = 32;

    fn from_name(name: &str) -> Option<FieldId> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// The imputation axis this field carries, if it is one.
    pub fn axis(self) -> Option<Axis> {
        match self {
            FieldId::CentreFinancier => Some(Axis::CentreFinancier),
            FieldId::Programme => Some(Axis::Programme),
            FieldId::DomaineFonctionnel => Some(Axis::DomaineFonctionnel),
            FieldId::Activite => Some(Axis::Activite),
            FieldId::CentreCout => Some(Axis::CentreCout),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    Extract,
    Nomenclature,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayoutMeta {
    pub kind: LayoutKind,
    #[serde(default)]
    pub measure: Option<Measure>,
    #[serde(default)]
    pub measure_from_preamble: bool,
    pub requires: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    /// For layouts with a key-figure column: what each value means (matched as a prefix,
    /// case and accents aside).
    #[serde(default)]
    pub key_figures: Vec<KeyFigure>,
    /// The exercice is in the file's name (2019 workbooks: « … 2019.xlsx »).
    #[serde(default)]
    pub year_from_file_name: bool,
    /// How the restitution marks its subtotal rows, when it has any.
    #[serde(default)]
    pub subtotal: Option<SubtotalMarker>,
    /// An extract of this layout is a state of the books on its extraction date (most
    /// layouts), not a journal of movements (the journal des pièces): a later extract's
    /// amount of a key replaces an earlier one's.
    #[serde(default = "yes")]
    pub states: bool,
    /// The fields that identify a state, per measure (`exercice` is the line's year).
    #[serde(default)]
    pub state_key: StateKeys,
    /// Where the extraction date comes from, in order of preference: `preamble` (BEx
    /// « Dernière MàJ des données »), `fileName` (`…_2024-09-26.csv`, `…_2021-05.csv`).
    #[serde(default)]
    pub extraction_date: Vec<String>,
    /// The engagement amount includes the carry-over (bascule) of EJs created before the
    /// exercice, with no column to separate it (BEx INF-BUD-53 AE).
    #[serde(default)]
    pub amount_includes_carry_over: bool,
    /// Which date means "committed" for an AE line (`date_ej`: the EJ's creation or
    /// replication; `date`: the movement's own date).
    #[serde(default)]
    pub committed_date: Option<String>,
    /// Which date means "paid" for a CP line.
    #[serde(default)]
    pub paid_date: Option<String>,
}

/// The fields that identify a state, per measure.
#[derive(Debug, Default, Deserialize)]
pub struct StateKeys {
    #[serde(default)]
    pub ae: Vec<String>,
    #[serde(default)]
    pub cp: Vec<String>,
}

impl StateKeys {
    pub fn of(&self, measure: Measure) -> &[String] {
        match measure {
            Measure::Ae => &self.ae,
            Measure::Cp => &self.cp,
        }
    }
}

fn yes() -> bool {
    true
}

/// A subtotal row as the restitution writes it: the row's first filled cell is one of
/// `markers` (case and accents aside), in a column that is not an amount; the cells
/// before it are empty (BEx writes « Résultat » in the column of the characteristic it
/// sums over, and nothing before). A word anywhere else in a row never makes a subtotal:
/// a supplier may be called « TOTAL ».
#[derive(Debug, Deserialize)]
pub struct SubtotalMarker {
    pub markers: Vec<String>,
    /// The markers folded (case, accents), once.
    #[serde(skip)]
    folded: OnceLock<Vec<String>>,
}

impl SubtotalMarker {
    /// Whether `text` (trimmed) is one of the markers, case and accents aside.
    pub fn matches(&self, text: &str) -> bool {
        let folded = self
            .folded
            .get_or_init(|| self.markers.iter().map(|m| fold(m)).collect());
        // Cheap test first: this runs on every row.
        let Some(first) = text.chars().next() else {
            return false;
        };
        let first = first.to_ascii_uppercase();
        if first.is_ascii() && !folded.iter().any(|m| m.starts_with(first)) {
            return false;
        }
        let text = fold(text);
        folded.contains(&text)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFigure {
    pub value: String,
    #[serde(default)]
    pub measure: Option<Measure>,
    /// -1 for a figure to subtract (the bascule of earlier EJs from « montant engagé »).
    #[serde(default = "plus_one")]
    pub sign: i8,
    /// A figure that is not a movement (balances, availabilities): rows are skipped.
    #[serde(default)]
    pub ignore: bool,
    /// The bascule of earlier EJs: subtracted from the AE of the year, but still to pay.
    #[serde(default)]
    pub carried: bool,
    /// Other ways a file writes this figure (journal des pièces: « Réduction » for 0200).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Consumption of a commitment by its follow-on document (journal 0200, 0210, 0500):
    /// no AE and no CP, but kept aside to be matched with the payments of its EJ poste.
    #[serde(default)]
    pub reduction: bool,
    /// Only positive amounts are movements (the receiving side of a carry-over, in the
    /// new exercice); a negative one is the sending side, ignored, so never both count.
    #[serde(default)]
    pub positive_only: bool,
    /// A service fait figure (received, certified unpaid): no AE, no CP, kept aside like a
    /// reduction for the year-end closing.
    #[serde(default)]
    pub service_fait: Option<crate::model::ServiceFait>,
}

fn plus_one() -> i8 {
    1
}

#[derive(Debug, Deserialize)]
pub struct SchemaField {
    pub name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "x-headers")]
    pub headers: Vec<String>,
    #[serde(rename = "x-inferred", default)]
    pub inferred: bool,
}

#[derive(Debug, Deserialize)]
pub struct Layout {
    pub name: String,
    pub title: String,
    pub description: String,
    #[serde(rename = "x-chorus")]
    pub meta: LayoutMeta,
    pub fields: Vec<SchemaField>,
}

impl Layout {
    fn field(&self, name: &str) -> Option<&SchemaField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The header users see for a field: its first alias, without the pair marker.
    pub fn header_of(&self, name: &str) -> String {
        self.field(name)
            .and_then(|f| f.headers.first())
            .map(|h| split_alias(h).0.to_string())
            .unwrap_or_else(|| name.to_string())
    }
}

/// Every layout, parsed once from the compiled-in schema files.
pub fn layouts() -> &'static [Layout] {
    static LAYOUTS: OnceLock<Vec<Layout>> = OnceLock::new();
    LAYOUTS.get_or_init(|| {
        SCHEMA_FILES
            .iter()
            .map(|(file, text)| {
                serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("schemas/{file} invalide : {e}"))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests;
