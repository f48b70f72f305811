//! The agreement: the convention file (TOML, French keys), its validation, and the
//! built-in DGEC–DINUM convention. A convention is validated whole before any input is read.

mod amendment;
pub mod portfolio;
mod raw;

pub use amendment::{Amendment, Provision, Signed};

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::error::ConventionError;
use crate::model::Axis;
use crate::model::code::hierarchical_match;

/// The built-in convention (DGEC – DINUM, programme 174), compiled into the binary.
pub const BUILTIN_TEXT: &str = include_str!("dgec-dinum-2020.toml");
/// How the built-in convention is named in messages and in the workbook.
pub const BUILTIN_NAME: &str = "convention intégrée (dgec-dinum-2020)";

/// The Chorus imputation the convention allows. An absent axis is not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imputation {
    pub centre_financier: Option<String>,
    pub domaine_fonctionnel: Option<String>,
    pub activite: Option<String>,
    pub centre_cout: Option<String>,
    /// The programme (4 digits), derived from the centre financier or domaine fonctionnel.
    pub programme: Option<String>,
}

impl Imputation {
    /// The code this imputation gives on `axis`; `None` when it leaves the axis unchecked.
    pub fn value(&self, axis: Axis) -> Option<&str> {
        match axis {
            Axis::CentreFinancier => self.centre_financier.as_deref(),
            Axis::Programme => self.programme.as_deref(),
            Axis::DomaineFonctionnel => self.domaine_fonctionnel.as_deref(),
            Axis::Activite => self.activite.as_deref(),
            Axis::CentreCout => self.centre_cout.as_deref(),
        }
    }
}

/// Whether `value` on `axis` falls within the `expected` code: equal ignoring case, or for a
/// domaine fonctionnel, given down to the sub-action (0174-06-01 within 0174-06).
pub fn axis_agrees(axis: Axis, value: &str, expected: &str) -> bool {
    match axis {
        Axis::DomaineFonctionnel => hierarchical_match(value, expected),
        _ => value.eq_ignore_ascii_case(expected),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub ej: BTreeSet<String>,
    /// Keywords as written in the file.
    pub keywords: Vec<String>,
    /// Keywords folded (upper case, no accents) for matching.
    pub folded_keywords: Vec<String>,
}

/// One line of the indicative schedule. `None` is a blank in the agreement, not a zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleLine {
    pub product: usize,
    pub year: i32,
    pub ae: Option<Decimal>,
    pub cp: Option<Decimal>,
}

/// `[rapprochement]` (issue 16): amounts within `tolerance` of each other agree; an order
/// without its EJ number matches an EJ dated within `window_days` of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matching {
    pub tolerance: Decimal,
    pub window_days: u32,
}

impl Default for Matching {
    fn default() -> Matching {
        Matching {
            tolerance: Decimal::ZERO,
            window_days: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convention {
    pub id: String,
    pub title: String,
    pub delegant: String,
    pub delegataire: String,
    pub programme_label: Option<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub excludes_titre_2: bool,
    pub imputation: Imputation,
    pub products: Vec<Product>,
    pub schedule: Vec<ScheduleLine>,
    /// `[rapprochement]`: how declared figures and orders are matched with Chorus.
    pub matching: Matching,
    /// `[[avenant]]`, in date order (see [`Convention::at`]); empty for most conventions.
    pub amendments: Vec<Amendment>,
    /// `[[mise_a_disposition]]`, in date order: when present, what is « Disponible ».
    pub provisions: Vec<Provision>,
    /// Set by [`Convention::at`] on an amended convention: the terms as signed.
    pub signed: Option<Box<Signed>>,
    /// Where it was read from (a path, or the built-in name).
    pub origin: String,
    /// The file's text, as read, and its SHA-256 (hex).
    pub text: String,
    pub sha256: String,
}

impl Convention {
    /// The built-in convention. It is validated by the test suite, so this cannot fail.
    pub fn builtin() -> Convention {
        Convention::parse(BUILTIN_TEXT, BUILTIN_NAME)
            .expect("la convention intégrée est validée par les tests")
    }

    /// Reads and validates a convention file.
    pub fn load(path: &Path) -> Result<Convention, ConventionError> {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ConventionError {
            file: origin.clone(),
            line: None,
            message: format!("lecture impossible : {}", crate::error::io_message(&e)),
            others: Vec::new(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ConventionError {
            file: origin.clone(),
            line: None,
            message: "le fichier n'est pas en UTF-8 ; enregistrez-le en UTF-8".into(),
            others: Vec::new(),
        })?;
        Convention::parse(&text, &origin)
    }

    /// Parses and validates a convention from its TOML text.
    pub fn parse(text: &str, origin: &str) -> Result<Convention, ConventionError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut convention = raw::parse(text, origin)?;
        convention.sha256 = crate::model::digest::hex(&Sha256::digest(text.as_bytes()));
        Ok(convention)
    }

    /// AE allocated: the sum of the schedule's AE lines.
    pub fn ae_allocated(&self) -> Decimal {
        self.schedule.iter().filter_map(|s| s.ae).sum()
    }

    /// What is valid but probably not meant (French, one sentence each): a schedule year
    /// outside the period, a product no line can reach (no EJ, no keyword) or with no
    /// schedule line. `convention check` prints them; the workbook shows them.
    pub fn warnings(&self) -> Vec<String> {
        use chrono::Datelike;
        let mut out = Vec::new();
        // Judged on the convention with every avenant applied.
        let latest = self.at(NaiveDate::MAX);
        let this = &latest;
        for s in &this.schedule {
            if s.year < this.start.year() || s.year > this.end.year() {
                out.push(format!(
                    "l'échéancier prévoit l'année {} pour « {} », hors de la période de la convention ({} – {})",
                    s.year,
                    this.products[s.product].id,
                    this.start.format("%d/%m/%Y"),
                    this.end.format("%d/%m/%Y")
                ));
            }
        }
        let scheduled: BTreeSet<usize> = this.schedule.iter().map(|s| s.product).collect();
        for (i, p) in self.products.iter().enumerate() {
            if p.ej.is_empty() && p.keywords.is_empty() {
                out.push(format!(
                    "le produit « {} » n'a ni EJ ni mot-clé : aucune ligne ne pourra lui être attribuée",
                    p.id
                ));
            }
            if !scheduled.contains(&i) {
                out.push(format!(
                    "le produit « {} » n'a aucune ligne d'échéancier : rien ne lui est alloué",
                    p.id
                ));
            }
        }
        out
    }

    /// Ended once `as_of` is after its end: its last day is still within it.
    pub fn is_ended(&self, as_of: NaiveDate) -> bool {
        as_of > self.end
    }

    /// « centre financier 0174-SOUT-ELAB, domaine fonctionnel 0174-06… »
    pub fn imputation_text(&self) -> String {
        let i = &self.imputation;
        [
            ("centre financier", &i.centre_financier),
            ("programme", &i.programme),
            ("domaine fonctionnel", &i.domaine_fonctionnel),
            ("activité", &i.activite),
            ("centre de coût", &i.centre_cout),
        ]
        .into_iter()
        .filter_map(|(label, v)| v.as_deref().map(|v| format!("{label} {v}")))
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// CP allocated: the sum of the schedule's CP lines.
    pub fn cp_allocated(&self) -> Decimal {
        self.schedule.iter().filter_map(|s| s.cp).sum()
    }

    /// The schedule line of a product and year, if any.
    pub fn planned(&self, product: usize, year: i32) -> Option<&ScheduleLine> {
        self.schedule
            .iter()
            .find(|s| s.product == product && s.year == year)
    }

    /// The product whose EJ list names this EJ, if any (first in file order).
    pub fn product_of_ej(&self, ej: &str) -> Option<usize> {
        self.products.iter().position(|p| p.ej.contains(ej))
    }

    /// The first product one of whose keywords occurs in the (already folded) text as a
    /// whole word: `CARBURE` is not in « HYDROCARBURES ».
    pub fn product_of_text(&self, folded_text: &str) -> Option<usize> {
        self.products.iter().position(|p| {
            p.folded_keywords
                .iter()
                .any(|k| contains_word(folded_text, k))
        })
    }
}

/// Whether `word` occurs in `text` with no letter or digit right before or after it.
fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !is_word_char(before) && !is_word_char(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::code::fold;

    #[test]
    fn an_axis_agrees_by_case_or_for_a_domaine_fonctionnel_down_its_hierarchy() {
        assert!(axis_agrees(
            Axis::CentreFinancier,
            "0174-dgec-dinum",
            "0174-DGEC-DINUM"
        ));
        assert!(!axis_agrees(
            Axis::CentreFinancier,
            "0174-DGEC-DINUM-X",
            "0174-DGEC-DINUM"
        ));
        assert!(axis_agrees(
            Axis::DomaineFonctionnel,
            "0174-06-01",
            "0174-06"
        ));
        assert!(!axis_agrees(
            Axis::DomaineFonctionnel,
            "0174-06",
            "0174-06-01"
        ));
        assert!(!axis_agrees(
            Axis::DomaineFonctionnel,
            "0174-061",
            "0174-06"
        ));
    }

    #[test]
    fn an_imputation_gives_each_axis_its_own_code() {
        let i = Imputation {
            centre_financier: Some("CF".into()),
            domaine_fonctionnel: Some("DF".into()),
            activite: Some("ACT".into()),
            centre_cout: None,
            programme: Some("0174".into()),
        };
        let got = Axis::ALL.map(|axis| (axis, i.value(axis)));
        let want = [
            (Axis::CentreFinancier, Some("CF")),
            (Axis::Programme, Some("0174")),
            (Axis::DomaineFonctionnel, Some("DF")),
            (Axis::Activite, Some("ACT")),
            (Axis::CentreCout, None),
        ];
        for (axis, code) in want {
            assert!(got.contains(&(axis, code)), "{axis:?}");
        }
    }
    use rust_decimal_macros::dec;

    #[test]
    fn keywords_match_whole_words_only() {
        let c = Convention::builtin();
        let carbure = c.products.iter().position(|p| p.id == "carbure");
        let cases = [
            ("ETUDE HYDROCARBURES", None),
            ("Étude CarbuRe – sprint 2", carbure),
            ("PROJET CARBURE-2", carbure),
            ("CARBURES", None),
            ("carbure", carbure),
        ];
        for (text, expected) in cases {
            assert_eq!(c.product_of_text(&fold(text)), expected, "{text}");
        }
    }

    #[test]
    fn builtin_convention_is_the_seed() {
        let c = Convention::builtin();
        assert_eq!(c.id, "dgec-dinum-2020");
        assert_eq!(c.end, NaiveDate::from_ymd_opt(2021, 7, 31).unwrap());
        assert!(c.excludes_titre_2);
        assert_eq!(
            c.imputation.centre_financier.as_deref(),
            Some("0174-SOUT-ELAB")
        );
        assert_eq!(c.imputation.programme.as_deref(), Some("0174"));
        assert_eq!(c.ae_allocated(), dec!(160000));
        assert_eq!(c.cp_allocated(), dec!(160000));
        let carbure = c.products.iter().position(|p| p.id == "carbure").unwrap();
        assert_eq!(
            c.product_of_text(&fold("Projet Carbone 2020")),
            Some(carbure)
        );
        assert_eq!(c.planned(carbure, 2021).unwrap().ae, None);
        assert_eq!(c.sha256.len(), 64);
    }
}
