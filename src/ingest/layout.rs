//! Chorus layouts, read from the Table Schema files in `schemas/` (compiled in), and their
//! detection: which row of the first 20 is the header, which layout it matches, and which
//! column holds each canonical field. Headers are matched by name, never by position.

use std::sync::OnceLock;

use serde::Deserialize;

use super::record::RawRecord;
use crate::model::code::fold;
use crate::model::{Axis, AxisSet, Measure};

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
    pub const COUNT: usize = 31;

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

/// The role of a header cell: a column on its own, or the code/label half of a pair
/// (one header over two columns, repeated or followed by an empty cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Single,
    Key,
    Text,
}

/// An alias that matches a column headed by a year (`2021`): crosstab amounts.
const YEAR_ALIAS: &str = "{ANNEE}";

fn is_year(key: &str) -> bool {
    key.len() == 4 && key.starts_with("20") && key.bytes().all(|b| b.is_ascii_digit())
}

/// Header cells folded for matching (case, accents, spacing, `º`).
fn header_key(text: &str) -> String {
    fold(&text.replace('º', "°"))
}

/// `"Compte budgétaire [texte]"` -> ("Compte budgétaire", Some(Text)).
fn split_alias(alias: &str) -> (&str, Option<Role>) {
    if let Some(base) = alias.strip_suffix(" [texte]") {
        (base, Some(Role::Text))
    } else if let Some(base) = alias.strip_suffix(" [clé]") {
        (base, Some(Role::Key))
    } else {
        (alias, None)
    }
}

/// Which column holds each canonical field, for one header row and one layout.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub layout: &'static Layout,
    /// 1-based row of the header.
    pub header_row: u64,
    /// The header cells, as read.
    pub header: Vec<String>,
    columns: [Option<usize>; FieldId::COUNT],
    /// Nomenclature fields found (by schema field name).
    found: Vec<String>,
    /// The year heading a column matched by a `{année}` alias (crosstab amounts).
    pub header_year: Option<i32>,
}

impl Mapping {
    pub fn column(&self, field: FieldId) -> Option<usize> {
        self.columns[field as usize]
    }

    pub fn has(&self, field: FieldId) -> bool {
        self.column(field).is_some()
    }

    /// The header text of the column holding `field`.
    pub fn header_of(&self, field: FieldId) -> Option<&str> {
        self.column(field).map(|c| self.header[c].as_str())
    }

    /// The imputation axes this input can be checked on. The programme counts only when
    /// there is no centre financier: it is then the only trace of it.
    pub fn axes(&self) -> AxisSet {
        let mut axes = AxisSet::default();
        for (field, axis) in [
            (FieldId::CentreFinancier, Axis::CentreFinancier),
            (FieldId::DomaineFonctionnel, Axis::DomaineFonctionnel),
            (FieldId::Activite, Axis::Activite),
            (FieldId::CentreCout, Axis::CentreCout),
        ] {
            if self.has(field) {
                axes.insert(axis);
            }
        }
        if !self.has(FieldId::CentreFinancier) && self.has(FieldId::Programme) {
            axes.insert(Axis::Programme);
        }
        axes
    }

    fn matched(&self) -> usize {
        self.columns.iter().filter(|c| c.is_some()).count() + self.found.len()
    }

    fn missing_required(&self) -> Vec<&'static str> {
        let layout = self.layout;
        layout
            .meta
            .requires
            .iter()
            .filter(|name| !self.found.iter().any(|f| f == *name))
            .filter(|name| FieldId::from_name(name).is_none_or(|f| !self.has(f)))
            .map(|name| {
                layout
                    .fields
                    .iter()
                    .find(|f| &f.name == name)
                    .and_then(|f| f.headers.first())
                    .map(|h| split_alias(h).0)
                    .unwrap_or(name.as_str())
            })
            .collect()
    }
}

/// Maps a header row onto a layout.
pub fn map_header(layout: &'static Layout, record: &RawRecord) -> Mapping {
    let header: Vec<String> = record.display_fields();
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut roles = vec![Role::Single; keys.len()];
    for j in 0..keys.len().saturating_sub(1) {
        if roles[j] == Role::Single
            && !keys[j].is_empty()
            && (keys[j + 1] == keys[j] || keys[j + 1].is_empty())
        {
            roles[j] = Role::Key;
            roles[j + 1] = Role::Text;
        }
    }
    // A label column under an empty header takes its code column's name.
    let keys: Vec<String> = (0..keys.len())
        .map(|j| {
            if roles[j] == Role::Text {
                keys[j - 1].clone()
            } else {
                keys[j].clone()
            }
        })
        .collect();
    let mut claimed = vec![false; keys.len()];
    let mut columns = [None; FieldId::COUNT];
    let mut found = Vec::new();
    for field in &layout.fields {
        let column = field.headers.iter().find_map(|alias| {
            let (base, role) = split_alias(alias);
            let base = header_key(base);
            (0..keys.len()).find(|&j| {
                !claimed[j]
                    && (keys[j] == base || base == YEAR_ALIAS && is_year(&keys[j]))
                    && match role {
                        None => roles[j] != Role::Text,
                        Some(r) => roles[j] == r,
                    }
            })
        });
        if let Some(j) = column {
            claimed[j] = true;
            match FieldId::from_name(&field.name) {
                Some(id) => columns[id as usize] = Some(j),
                None => found.push(field.name.clone()),
            }
        }
    }
    let header_year = layout
        .fields
        .iter()
        .filter(|f| f.headers.iter().any(|h| h == "{année}"))
        .filter_map(|f| FieldId::from_name(&f.name))
        .filter_map(|id| columns[id as usize])
        .find_map(|j| keys[j].parse().ok().filter(|_| is_year(&keys[j])));
    Mapping {
        layout,
        header_row: record.row,
        header,
        columns,
        found,
        header_year,
    }
}

/// The outcome of header detection on the first rows of an input.
#[derive(Debug)]
pub enum Detection {
    /// An extract: its mapping and the index (in the rows given) of its header.
    Extract { mapping: Box<Mapping>, index: usize },
    /// A nomenclature (a referential, not an extract).
    Nomenclature(&'static Layout),
    /// Nothing matched: the closest layout, the columns it lacks, and where.
    Unknown {
        closest: Option<(&'static Layout, Vec<&'static str>, u64)>,
    },
}

/// Finds the header among the first rows and the layout it matches best.
pub fn detect(
    rows: &[RawRecord],
    preamble_measure: impl Fn(usize) -> Option<Measure>,
) -> Detection {
    let mut best: Option<(usize, Mapping, usize)> = None;
    let mut closest: Option<(usize, usize, Mapping)> = None;
    for (index, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        // The first row that is a header is the header: a later one is a second table
        // (or a repeated header), never a reason to take the rows above it for preamble.
        if best.is_some() {
            break;
        }
        if row.len() < 2 {
            continue;
        }
        for layout in layouts() {
            let mapping = map_header(layout, row);
            let missing = mapping.missing_required();
            let carries_axis =
                layout.meta.kind == LayoutKind::Nomenclature || !mapping.axes().is_empty();
            if missing.is_empty() && carries_axis {
                let agrees =
                    layout.meta.measure.is_some() && preamble_measure(index) == layout.meta.measure;
                let score = mapping.matched() + if agrees { 100 } else { 0 };
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, mapping, index));
                }
            } else {
                let present = layout.meta.requires.len() - missing.len();
                let key = (present, mapping.matched());
                if closest.as_ref().is_none_or(|(p, m, _)| key > (*p, *m)) {
                    closest = Some((key.0, key.1, mapping));
                }
            }
        }
    }
    match best {
        Some((_, mapping, _)) if mapping.layout.meta.kind == LayoutKind::Nomenclature => {
            Detection::Nomenclature(mapping.layout)
        }
        Some((_, mapping, index)) => Detection::Extract {
            mapping: Box::new(mapping),
            index,
        },
        None => Detection::Unknown {
            closest: closest
                .filter(|(present, _, _)| *present > 0)
                .map(|(_, _, m)| {
                    let missing = m.missing_required();
                    (m.layout, missing, m.header_row)
                }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(row: u64, cells: &[&str]) -> RawRecord {
        RawRecord::from_texts(row, cells)
    }

    #[test]
    fn every_schema_parses_and_names_known_fields() {
        for layout in layouts() {
            if layout.meta.kind == LayoutKind::Extract {
                for f in &layout.fields {
                    assert!(
                        FieldId::from_name(&f.name).is_some(),
                        "{}: {}",
                        layout.name,
                        f.name
                    );
                }
                assert!(layout.meta.measure.is_some(), "{}", layout.name);
                // What a state is, and which dates mean what, are data: only known
                // field names.
                let m = &layout.meta;
                let named = m.state_key.ae.iter().chain(&m.state_key.cp);
                for f in named.chain(&m.committed_date).chain(&m.paid_date) {
                    assert!(
                        f == "exercice" || FieldId::from_name(f).is_some(),
                        "{}: {f}",
                        layout.name
                    );
                }
                for source in &m.extraction_date {
                    assert!(
                        ["preamble", "fileName"].contains(&source.as_str()),
                        "{}: {source}",
                        layout.name
                    );
                }
            }
            for r in &layout.meta.requires {
                assert!(
                    layout.field(r).is_some(),
                    "{} requires unknown {r}",
                    layout.name
                );
            }
        }
    }

    #[test]
    fn code_label_pairs_map_to_key_and_text() {
        let header = record(
            8,
            &[
                "Compte budgétaire",
                "Compte budgétaire",
                "N° DP",
                "Fournisseur payé (DP)",
                "",
                "EUR",
                "Référentiel de programmation",
            ],
        );
        let layout = layouts().iter().find(|l| l.name == "infbud53-cp").unwrap();
        let m = map_header(layout, &header);
        assert_eq!(m.column(FieldId::CompteBudgetaire), Some(0));
        assert_eq!(m.column(FieldId::CompteBudgetaireLibelle), Some(1));
        assert_eq!(m.column(FieldId::FournisseurCode), Some(3));
        assert_eq!(m.column(FieldId::Fournisseur), Some(4));
        assert_eq!(m.column(FieldId::Montant), Some(5));
        assert!(m.axes().contains(Axis::Activite));
    }

    #[test]
    fn detects_header_after_preamble_and_reports_closest_layout() {
        let rows = vec![
            record(1, &["INF-BUD-53 : Pilotage de la gestion", "", ""]),
            record(
                2,
                &[
                    "Programme",
                    "Domaine fonctionnel",
                    "N° EJ",
                    "N° poste EJ",
                    "EUR",
                ],
            ),
        ];
        match detect(&rows, |_| None) {
            Detection::Extract { mapping, index } => {
                assert_eq!(
                    (mapping.layout.name.as_str(), index, mapping.header_row),
                    ("infbud53-ae", 1, 2)
                );
                assert!(mapping.axes().contains(Axis::Programme));
            }
            other => panic!("{other:?}"),
        }
        let rows = vec![record(
            1,
            &["Programme", "Domaine fonctionnel", "Compte général", "EUR"],
        )];
        match detect(&rows, |_| None) {
            Detection::Unknown {
                closest: Some((layout, missing, row)),
            } => {
                assert_eq!(layout.name, "infbud53-ae");
                assert_eq!(missing, ["N° EJ", "N° poste EJ"]);
                assert_eq!(row, 1);
            }
            other => panic!("{other:?}"),
        }
    }

    pub(crate) const JP51: [&str; 23] = [
        "Exercice comptable",
        "Centre financier",
        "Domaine fonctionnel",
        "Centre de coûts",
        "Services",
        "Numéro de pièce de la pièce de référence",
        "Numéro de poste de la pièce de référence",
        "Texte",
        "Montant à contrôler en dev. transaction",
        "Fournisseur",
        "Nom 1",
        "Type de montant",
        "Type de montant",
        "Activité",
        "Programme de financement",
        "Description du programme de financement",
        "Période",
        "Date de mise à jour Comptabilité budgéta",
        "Date comptable",
        "Désignation du cpte budgétaire",
        "Saisi par",
        "Type de valeur",
        "Compte général",
    ];

    pub(crate) const JP57: [&str; 35] = [
        "Exercice comptable",
        "Période",
        "Centre financier",
        "Domaine fonctionnel",
        "Centre de coûts",
        "Services",
        "Fournisseur",
        "Nom 1",
        "Type de montant",
        "Programme de financement",
        "Désignation du programme de financement",
        "Description du programme de financement",
        "Référence",
        "Texte d'en-tête de pièce",
        "Numéro de la pièce précédente",
        "Poste de pièce précédente",
        "Montant à contrôler en devise trans. ave",
        "Date comptable",
        "Nº pièce de paiement",
        "Date de base pour le calcul de l'échéanc",
        "Date pièce",
        "Activité",
        "Type de pièce",
        "Texte type val.",
        "Numéro de pièce comptabilité budgétaire",
        "Numéro de pièce de la pièce de référence",
        "Numéro de pièce RW",
        "Type de valeur",
        "Zone client",
        "N° de transaction",
        "Immobilisation",
        "Désignation",
        "Code ID bancaire",
        "Compte bancaire",
        "Clé R.I.B.",
    ];

    fn detected(header: &[&str]) -> Mapping {
        match detect(&[record(1, header)], |_| None) {
            Detection::Extract { mapping, .. } => *mapping,
            other => panic!("{other:?}"),
        }
    }

    /// JP51 and JP57 both carry « Numéro de pièce de la pièce de référence »: the EJ in
    /// JP51, not in JP57 (there the EJ is « Numéro de la pièce précédente »).
    #[test]
    fn long_header_journals_are_told_apart() {
        let jp51 = detected(&JP51);
        assert_eq!(jp51.layout.name, "sap-jp51");
        let at = |m: &Mapping, f| m.header_of(f).map(str::to_string);
        let col = |m: &Mapping, f| m.column(f);
        assert_eq!(col(&jp51, FieldId::Ej), Some(5));
        assert_eq!(col(&jp51, FieldId::PosteEj), Some(6));
        // « Type de montant » twice: the label, then the code.
        assert_eq!(col(&jp51, FieldId::TypeMontantLibelle), Some(11));
        assert_eq!(col(&jp51, FieldId::TypeMontant), Some(12));
        // The convention's activité is the « Programme de financement », not « Activité ».
        assert_eq!(col(&jp51, FieldId::Activite), Some(14));
        assert_eq!(col(&jp51, FieldId::Date), Some(17));
        assert_eq!(col(&jp51, FieldId::DateEj), Some(18));
        assert_eq!(col(&jp51, FieldId::Exercice), Some(0));
        assert_eq!(jp51.axes().len(), 4);

        let jp57 = detected(&JP57);
        assert_eq!(jp57.layout.name, "sap-jp57");
        assert_eq!(
            at(&jp57, FieldId::Ej).as_deref(),
            Some("Numéro de la pièce précédente")
        );
        assert_eq!(col(&jp57, FieldId::PosteEj), Some(15));
        assert_eq!(col(&jp57, FieldId::Dp), Some(18));
        assert_eq!(col(&jp57, FieldId::Date), Some(17));
        assert_eq!(col(&jp57, FieldId::Activite), Some(9));
        assert_eq!(col(&jp57, FieldId::TypeMontant), Some(8));
        assert_eq!(col(&jp57, FieldId::TypeMontantLibelle), None);
        assert_eq!(jp57.axes().len(), 4);
    }
}
