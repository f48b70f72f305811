//! Rows that are not data: what the tool skips, by kind, so that nothing leaves unseen.
//! Every raw row of an input is either a data row or one of these, and the two add up to
//! the rows read (the row conservation check of `pipeline`).

use super::layout::{FieldId, Mapping};
use super::record::{Field, RawRecord};
use crate::model::code::fold;

/// Why a row is not data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Above the header (title, extraction date, filters).
    Preamble,
    /// The header, and any repetition of it (two extracts pasted one under the other).
    Header,
    /// Nothing in any cell.
    Blank,
    /// A subtotal, by the layout's own marker in its own place.
    Subtotal,
    /// A key figure that is neither AE nor CP (balances, invoiced amounts…).
    NotAMovement,
}

impl Skip {
    pub const ALL: [Skip; 5] = [
        Skip::Preamble,
        Skip::Header,
        Skip::Blank,
        Skip::Subtotal,
        Skip::NotAMovement,
    ];

    /// The key in the JSON summary (`inputs[].skipped`).
    pub fn key(self) -> &'static str {
        match self {
            Skip::Preamble => "preamble",
            Skip::Header => "header",
            Skip::Blank => "blank",
            Skip::Subtotal => "subtotal",
            Skip::NotAMovement => "not_a_movement",
        }
    }

    /// What the rows are, in French, for `Provenance`.
    pub fn label(self) -> &'static str {
        match self {
            Skip::Preamble => "ligne(s) de préambule au-dessus de l'en-tête",
            Skip::Header => "ligne(s) d'en-tête (répétitions comprises)",
            Skip::Blank => "ligne(s) vide(s)",
            Skip::Subtotal => "ligne(s) de sous-total (marqueur de la mise en page)",
            Skip::NotAMovement => {
                "ligne(s) d'indicateurs sans effet sur les AE et les CP (pré-engagements, reports, montants facturés…)"
            }
        }
    }
}

/// How many row numbers of each kind are kept to be shown.
pub const FIRST_ROWS: usize = 5;

/// The rows skipped in one input, by kind, with the numbers of the first ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    counts: [u64; 5],
    first: [Vec<u64>; 5],
}

impl Skipped {
    pub fn add(&mut self, kind: Skip, row: u64) {
        let k = kind as usize;
        self.counts[k] += 1;
        if self.first[k].len() < FIRST_ROWS {
            self.first[k].push(row);
        }
    }

    pub fn count(&self, kind: Skip) -> u64 {
        self.counts[kind as usize]
    }

    pub fn first_rows(&self, kind: Skip) -> &[u64] {
        &self.first[kind as usize]
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// One French line per kind that occurred: « 2 ligne(s) de sous-total… (lignes 11, 13) ».
    pub fn notes(&self) -> Vec<String> {
        Skip::ALL
            .iter()
            .filter(|k| self.count(**k) > 0)
            .map(|k| {
                let rows: Vec<String> = self.first_rows(*k).iter().map(u64::to_string).collect();
                let more = if self.count(*k) > rows.len() as u64 {
                    "…"
                } else {
                    ""
                };
                format!(
                    "{} {} ignorée(s) (ligne(s) {}{more})",
                    self.count(*k),
                    k.label(),
                    rows.join(", ")
                )
            })
            .collect()
    }
}

/// A row below the header that is not data: blank, the header again, or a subtotal by
/// the layout's marker. `None`: a data row.
pub fn classify(record: &RawRecord, mapping: &Mapping) -> Option<Skip> {
    if record.is_blank() {
        Some(Skip::Blank)
    } else if is_header(record, mapping) {
        Some(Skip::Header)
    } else if is_subtotal(record, mapping) {
        Some(Skip::Subtotal)
    } else {
        None
    }
}

/// The header row again, cell for cell (case, accents and spacing aside).
fn is_header(record: &RawRecord, mapping: &Mapping) -> bool {
    let header = &mapping.header;
    let text = |i: usize| match record.get(i) {
        Some(Field::Text(t)) => Some(t.trim()),
        None => Some(""),
        _ => None,
    };
    // Cheap test first: this runs on every row.
    let first = header.first().map(|h| h.trim()).unwrap_or("");
    let Some(cell) = text(0) else {
        return false;
    };
    let initial = |s: &str| s.bytes().next().map(|b| b.to_ascii_uppercase());
    match (initial(cell), initial(first)) {
        (Some(a), Some(b)) if a.is_ascii() && b.is_ascii() && a != b => return false,
        (None, Some(_)) | (Some(_), None) => return false,
        _ => {}
    }
    if cell != first && fold(cell) != fold(first) {
        return false;
    }
    let width = record.len().max(header.len());
    (1..width).all(|i| {
        let h = header.get(i).map(|h| h.trim()).unwrap_or("");
        text(i).is_some_and(|t| t == h || fold(t) == fold(h))
    })
}

/// The layout's subtotal marker as the row's first filled cell, not in an amount column.
fn is_subtotal(record: &RawRecord, mapping: &Mapping) -> bool {
    let Some(marker) = &mapping.layout.meta.subtotal else {
        return false;
    };
    let Some((column, text)) = (0..record.len()).find_map(|i| match record.get(i) {
        Some(f) if f.is_blank() => None,
        Some(Field::Text(t)) => Some((i, t.trim())),
        _ => Some((i, "")),
    }) else {
        return false;
    };
    if text.is_empty() || text.len() > 40 {
        return false;
    }
    let amounts = [
        FieldId::Montant,
        FieldId::MontantAe,
        FieldId::MontantEngage,
        FieldId::MontantBascule,
        FieldId::MontantCp,
        FieldId::MontantTva,
    ];
    if amounts.iter().any(|f| mapping.column(*f) == Some(column)) {
        return false;
    }
    marker.matches(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::layout::{layouts, map_header};

    fn mapping(layout: &str, header: &[&str]) -> Mapping {
        let layout = layouts().iter().find(|l| l.name == layout).unwrap();
        map_header(layout, &RawRecord::from_texts(5, header))
    }

    #[test]
    fn subtotals_by_the_layouts_marker_in_its_place_only() {
        let croise = mapping(
            "infbud53-croise",
            &[
                "Centre financier",
                "Domaine fonctionnel",
                "N° EJ",
                "Type montant",
                "2020",
            ],
        );
        let row = |cells: &[&str]| RawRecord::from_texts(9, cells);
        let cases: [(&[&str], Option<Skip>); 6] = [
            (
                &["Résultat", "", "2100001001", "", "36 000,00"],
                Some(Skip::Subtotal),
            ),
            (&["", "", "RESULTAT", "", "1,00"], Some(Skip::Subtotal)),
            (&["", "", "", "", ""], Some(Skip::Blank)),
            (
                &[
                    "Centre financier",
                    "Domaine fonctionnel",
                    "N° EJ",
                    "Type montant",
                    "2020",
                ],
                Some(Skip::Header),
            ),
            // A word in a filled row is data.
            (
                &[
                    "0174-SOUT-ELAB",
                    "Total",
                    "2100001001",
                    "Montant engagé",
                    "1,00",
                ],
                None,
            ),
            (
                &[
                    "0174-SOUT-ELAB",
                    "0174-06",
                    "2100001001",
                    "Montant engagé",
                    "1,00",
                ],
                None,
            ),
        ];
        for (cells, expected) in cases {
            assert_eq!(classify(&row(cells), &croise), expected, "{cells:?}");
        }
        // A layout without a subtotal marker has no subtotal: « TOTAL » may be a supplier.
        let aife = mapping(
            "aife-ej",
            &[
                "Fournisseur",
                "N° EJ",
                "N° poste EJ",
                "Domaine fonctionnel - Clé",
                "Montant engagé (EUR)",
            ],
        );
        assert_eq!(
            classify(
                &row(&["TOTAL", "2100001001", "1", "0174-06", "5,00"]),
                &aife
            ),
            None
        );
    }

    #[test]
    fn counts_and_first_rows_by_kind() {
        let mut s = Skipped::default();
        for row in 1..=7 {
            s.add(Skip::Preamble, row);
        }
        s.add(Skip::Subtotal, 11);
        assert_eq!((s.count(Skip::Preamble), s.total()), (7, 8));
        assert_eq!(s.first_rows(Skip::Preamble), [1, 2, 3, 4, 5]);
        assert_eq!(s.notes().len(), 2);
    }
}
