//! The vocabulary shared by the pipeline stages: a normalised Chorus line, where it came
//! from, and the imputation axes it can be judged on; with the words every stage speaks:
//! codes and text folding ([`code`]), amounts read ([`amount`]) and written ([`money`]),
//! how a run reports its progress ([`progress`]) and the JSON summary's shape
//! ([`summary`]). It imports no other module.

pub mod amount;
pub mod code;
pub mod digest;
pub mod money;
pub mod progress;
pub mod summary;

use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `width` columns absent from the header, before header column `at`: found by normalize
/// in a file's first rows, reused by every later pass over the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub at: usize,
    pub width: usize,
}

impl Gap {
    /// The data column of a header column.
    pub fn shift(self, column: usize) -> usize {
        if column >= self.at {
            column + self.width
        } else {
            column
        }
    }
}

/// The months in French, January first.
const MONTH_NAMES: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The French name of `month` (1 to 12: « janvier » to « décembre »), « ? » otherwise.
pub fn month_name(month: u32) -> &'static str {
    (month.checked_sub(1))
        .and_then(|i| MONTH_NAMES.get(i as usize))
        .copied()
        .unwrap_or("?")
}

/// What an amount consumes: autorisations d'engagement or crédits de paiement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Commitments (an EJ line, « montant engagé »).
    Ae,
    /// Payments (a DP line, « montant payé »).
    Cp,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Ae => "AE",
            Measure::Cp => "CP",
        }
    }
}

/// An imputation axis of the convention, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    CentreFinancier,
    /// Checked only when the layout has no centre financier: it is then the only trace of it.
    Programme,
    DomaineFonctionnel,
    Activite,
    CentreCout,
}

impl Axis {
    pub const ALL: [Axis; 5] = [
        Axis::CentreFinancier,
        Axis::Programme,
        Axis::DomaineFonctionnel,
        Axis::Activite,
        Axis::CentreCout,
    ];

    /// The French name accountants use.
    pub fn label(self) -> &'static str {
        match self {
            Axis::CentreFinancier => "centre financier",
            Axis::Programme => "programme",
            Axis::DomaineFonctionnel => "domaine fonctionnel",
            Axis::Activite => "activité",
            Axis::CentreCout => "centre de coût",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A small set of axes (bit set), cheap to copy into every line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AxisSet(u8);

impl AxisSet {
    pub fn insert(&mut self, axis: Axis) {
        self.0 |= axis.bit();
    }
    pub fn contains(self, axis: Axis) -> bool {
        self.0 & axis.bit() != 0
    }
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The set as bits, to sort and group by it.
    pub fn bits(self) -> u8 {
        self.0
    }
    pub fn from_bits(bits: u8) -> AxisSet {
        AxisSet(bits)
    }
    pub fn iter(self) -> impl Iterator<Item = Axis> {
        Axis::ALL.into_iter().filter(move |a| self.contains(*a))
    }
    /// « centre financier, activité »
    pub fn labels(self) -> String {
        self.iter().map(Axis::label).collect::<Vec<_>>().join(", ")
    }
}

impl FromIterator<Axis> for AxisSet {
    fn from_iter<I: IntoIterator<Item = Axis>>(iter: I) -> Self {
        let mut set = AxisSet::default();
        for axis in iter {
            set.insert(axis);
        }
        set
    }
}

/// An imputation: the values of the five axes, in [`Axis::ALL`] order. Out-of-scope lines
/// are grouped by it.
pub type AxisCodes = [Option<CompactString>; 5];

/// An imputation's codes shared by every group and every convention that point to it:
/// a national extract has hundreds of thousands of imputations, and a portfolio's
/// conventions each list the same ones out of their scope.
pub type SharedCodes = std::sync::Arc<AxisCodes>;

/// A hash of an imputation's values, equal for equal values (an absent value differs from
/// an empty one): lines are grouped by it without copying their values.
pub fn axis_codes_hash<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> u128 {
    // Imputations are short: written out on the stack, hashed in one pass.
    let mut buf = [0u8; 256];
    let mut len = 0;
    let mut long: Option<Vec<u8>> = None;
    for value in values {
        // Each value as its presence and length, then its bytes: no two lists of values
        // write the same bytes.
        let bytes = value.map_or(&[][..], str::as_bytes);
        let [a, b, c, d] = (bytes.len() as u32).to_le_bytes();
        let head = [u8::from(value.is_some()), a, b, c, d];
        for part in [&head[..], bytes] {
            match &mut long {
                Some(v) => v.extend_from_slice(part),
                None if len + part.len() <= buf.len() => {
                    buf[len..len + part.len()].copy_from_slice(part);
                    len += part.len();
                }
                None => {
                    let mut v = buf[..len].to_vec();
                    v.extend_from_slice(part);
                    long = Some(v);
                }
            }
        }
    }
    xxhash_rust::xxh3::xxh3_128(long.as_deref().unwrap_or(&buf[..len]))
}

/// Where a row came from: the input's index in the sorted input list and the row number
/// as the user sees it (1-based, counting preamble and header rows; Excel row in XLSX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub input: u32,
    pub row: u64,
}

/// How a line is told apart from the lines of other extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Identity {
    /// By its whole content: equal lines in two extracts are one line seen twice.
    #[default]
    Content,
    /// A state of the books (an EJ poste's amount for the exercice, a DP poste's amount):
    /// the most recent extract's lines of this key replace the earlier extracts' ones.
    State(u128),
    /// A movement identified by its key and amount (a retrait): the same retrait seen in
    /// several extracts counts once.
    Movement(u128),
}

/// A Chorus row once normalised: typed, codes cleaned, amount exact. Codes and texts are
/// `CompactString`s: up to 24 bytes (every Chorus code) they live inline, so a line costs
/// one allocation, not sixteen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    pub origin: Origin,
    pub measure: Measure,
    /// Exercice when the layout gives it, else the year of `date`.
    pub year: i32,
    /// The movement's date (last operation on the DP, last change of the EJ…).
    pub date: Option<NaiveDate>,
    /// The EJ's creation (replication) date, when the layout carries it.
    pub date_ej: Option<NaiveDate>,
    /// The date the movement happened, as art. 7 judges it: when it was committed (an AE
    /// line of a state: the EJ's creation; a journal line: its operation) or paid (CP).
    pub event_date: Option<NaiveDate>,
    pub amount: Decimal,
    /// Open commitments of earlier years carried into this one (« bascule des EJ non
    /// soldés »), when the layout gives them: not AE of the year, but still to pay.
    pub carried: Decimal,
    pub programme: Option<CompactString>,
    pub centre_financier: Option<CompactString>,
    pub domaine_fonctionnel: Option<CompactString>,
    pub activite: Option<CompactString>,
    pub centre_cout: Option<CompactString>,
    pub ej: Option<CompactString>,
    pub poste_ej: Option<CompactString>,
    pub dp: Option<CompactString>,
    pub poste_dp: Option<CompactString>,
    pub societe: Option<CompactString>,
    pub fournisseur_code: Option<CompactString>,
    pub fournisseur: Option<CompactString>,
    /// The supplier's SIRET (« Code taxe 1 » of the EJ's supplier), when the layout gives it:
    /// `--commandes` matches orders with it. Not part of the line's identity.
    pub siret: Option<CompactString>,
    pub compte_budgetaire: Option<CompactString>,
    pub compte_general: Option<CompactString>,
    pub groupe_marchandises: Option<CompactString>,
    /// Free text the product keywords are searched in (axe ministériel 2, projet
    /// analytique, the line's text), joined with « | ».
    pub texte: Option<CompactString>,
    /// LOLF titre (1..=7) when the compte budgétaire (or compte général) tells it.
    pub titre: Option<u8>,
    /// How it is told apart from the lines of other extracts (its layout decides).
    pub identity: Identity,
}

impl Line {
    /// Its imputation, to group it with others.
    pub fn axis_codes(&self) -> AxisCodes {
        Axis::ALL.map(|axis| self.axis_value(axis).map(CompactString::from))
    }

    /// [`axis_codes_hash`] of its imputation.
    pub fn axis_codes_hash(&self) -> u128 {
        axis_codes_hash(Axis::ALL.map(|axis| self.axis_value(axis)))
    }

    /// The value the line carries on an axis, if any.
    pub fn axis_value(&self, axis: Axis) -> Option<&str> {
        match axis {
            Axis::CentreFinancier => self.centre_financier.as_deref(),
            Axis::Programme => self.programme.as_deref(),
            Axis::DomaineFonctionnel => self.domaine_fonctionnel.as_deref(),
            Axis::Activite => self.activite.as_deref(),
            Axis::CentreCout => self.centre_cout.as_deref(),
        }
    }

    /// A payment line with no EJ: it consumes AE at payment, for the same amount.
    pub fn is_payment_without_ej(&self) -> bool {
        self.measure == Measure::Cp && self.ej.is_none()
    }

    /// AE this line consumes (its amount for an AE line or a payment without EJ).
    pub fn ae(&self) -> Decimal {
        if self.measure == Measure::Ae || self.is_payment_without_ej() {
            self.amount
        } else {
            Decimal::ZERO
        }
    }

    /// CP this line consumes.
    pub fn cp(&self) -> Decimal {
        if self.measure == Measure::Cp {
            self.amount
        } else {
            Decimal::ZERO
        }
    }
}

/// A journal des pièces reduction (amount types 0200, 0210, 0500): the open amount of a
/// commitment consumed by its follow-on document, the payment. Neither AE nor CP: the AE
/// stay consumed. Kept aside so that a reduction no payment covers can be shown (it may
/// be a manual closing, which does release AE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reduction {
    pub origin: Origin,
    pub year: i32,
    pub date: Option<NaiveDate>,
    pub ej: CompactString,
    pub poste_ej: Option<CompactString>,
    /// As the journal writes it: negative when it reduces the commitment.
    pub amount: Decimal,
    /// Not a reduction but a service fait figure of the EJ (INF-BUD-53 crosstab): shown
    /// by the year-end closing, never matched with payments.
    pub service_fait: Option<ServiceFait>,
}

/// A service fait key figure: received (paid or not), or certified and not yet paid by
/// any DP (a charge à payer at the inventory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ServiceFait {
    Received,
    CertifiedUnpaid,
}

/// A data row that could not be normalised: kept, counted and shown, never dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub origin: Origin,
    /// The header of the column at fault, when one is.
    pub column: Option<String>,
    pub reason: String,
    /// The row's fields as read, joined with the input's separator.
    pub raw: String,
}

/// A line on the built-in convention's imputation, for unit tests.
#[cfg(test)]
pub(crate) fn sample_line() -> Line {
    Line {
        origin: Origin { input: 0, row: 2 },
        measure: Measure::Ae,
        year: 2020,
        date: None,
        date_ej: None,
        event_date: None,
        amount: rust_decimal_macros::dec!(100),
        carried: Decimal::ZERO,
        programme: Some("0174".into()),
        centre_financier: Some("0174-SOUT-ELAB".into()),
        domaine_fonctionnel: Some("0174-06".into()),
        activite: Some("017406AG1607".into()),
        centre_cout: Some("ECLDENE092".into()),
        ej: Some("2103105755".into()),
        poste_ej: Some("1".into()),
        dp: None,
        poste_dp: None,
        societe: None,
        fournisseur_code: None,
        fournisseur: None,
        siret: None,
        compte_budgetaire: Some("31".into()),
        compte_general: None,
        groupe_marchandises: None,
        texte: Some("Potentiel – sprint 4".into()),
        titre: Some(3),
        identity: Identity::Content,
    }
}

/// The four axes of the built-in convention, as an input carrying them all, for unit tests.
#[cfg(test)]
pub(crate) fn four_axes() -> AxisSet {
    [
        Axis::CentreFinancier,
        Axis::DomaineFonctionnel,
        Axis::Activite,
        Axis::CentreCout,
    ]
    .into_iter()
    .collect()
}

#[cfg(test)]
mod month_tests {
    use super::month_name;

    #[test]
    fn months_are_named_in_french_and_others_are_unknown() {
        assert_eq!(month_name(1), "janvier");
        assert_eq!(month_name(8), "août");
        assert_eq!(month_name(12), "décembre");
        assert_eq!(month_name(0), "?");
        assert_eq!(month_name(13), "?");
    }
}
