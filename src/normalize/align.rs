//! Headers one field short. Some exports drop a header cell (the `split` INF-BUD-53 files
//! lose `Date de réplication`) while the data rows keep the value: reading by position would
//! shift every column after it. The missing column's position is inferred once per file,
//! from the values: the position where the typed fields (EJ, dates, amount…) read as such.

use crate::ingest::layout::{FieldId, Mapping};
use crate::ingest::record::{Field, RawRecord};

use super::{amount, code, date};
use crate::model::Gap;

/// How many rows are enough to decide.
const SAMPLE_ROWS: usize = 50;

/// Finds the header's missing columns, if the data rows are longer than the header with
/// non-empty extra values. `None` when rows fit the header (or the extra fields trail).
pub fn infer_gap(mapping: &Mapping, rows: &[RawRecord]) -> Option<Gap> {
    let width = mapping.header.len();
    let long: Vec<&RawRecord> = rows
        .iter()
        .filter(|r| !r.is_blank() && r.len() > width)
        .filter(|r| (width..r.len()).any(|i| r.get(i).is_some_and(|f| !f.is_blank())))
        .take(SAMPLE_ROWS)
        .collect();
    let extra = long.first()?.len() - width;
    let same: Vec<&RawRecord> = long
        .into_iter()
        .filter(|r| r.len() == width + extra)
        .collect();
    let score = |gap: Gap| -> usize {
        same.iter()
            .map(|r| {
                TYPED
                    .iter()
                    .filter(|id| {
                        mapping
                            .column(**id)
                            .and_then(|c| r.get(gap.shift(c)))
                            .is_some_and(|f| plausible(**id, f))
                    })
                    .count()
            })
            .sum()
    };
    // Trailing extra fields (gap at the end) win ties: they shift nothing.
    let trailing = Gap {
        at: width,
        width: extra,
    };
    let mut best = (score(trailing), trailing);
    for at in 0..width {
        let gap = Gap { at, width: extra };
        let s = score(gap);
        if s > best.0 {
            best = (s, gap);
        }
    }
    (best.1.at < width).then_some(best.1)
}

const TYPED: [FieldId; 10] = [
    FieldId::Programme,
    FieldId::CentreFinancier,
    FieldId::DomaineFonctionnel,
    FieldId::Ej,
    FieldId::PosteEj,
    FieldId::Dp,
    FieldId::PosteDp,
    FieldId::Date,
    FieldId::DateEj,
    FieldId::Montant,
];

/// Whether a value reads as the field it would be mapped to.
fn plausible(id: FieldId, field: Field) -> bool {
    let Field::Text(t) = field else {
        return matches!(field, Field::Number(_) | Field::Date(_));
    };
    let t = t.trim();
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
    };
    match id {
        FieldId::Programme => code::normalize_programme(t).is_some_and(|p| digits(&p, 4, 4)),
        FieldId::CentreFinancier => code::clean_code(t).is_some_and(|c| c.split('-').count() == 3),
        FieldId::DomaineFonctionnel => code::clean_code(t).is_some_and(|c| {
            c.len() >= 7 && c.get(..4).is_some_and(|p| digits(p, 4, 4)) && c.as_bytes()[4] == b'-'
        }),
        FieldId::Ej => digits(t, 10, 10),
        FieldId::Dp => digits(t, 9, 10),
        FieldId::PosteEj | FieldId::PosteDp => digits(t, 1, 5),
        FieldId::Date | FieldId::DateEj => matches!(date::parse_date(t), Ok(Some(_))),
        FieldId::Montant => amount::parse_amount(t).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::layout::{layouts, map_header};

    fn record(row: u64, cells: &[&str]) -> RawRecord {
        RawRecord::from_texts(row, cells)
    }

    #[test]
    fn finds_the_column_missing_from_the_header() {
        // The shape of the `split__chorus_ae.csv` sample: « Date de réplication » has no header.
        let header = record(
            1,
            &[
                "Programme",
                "Domaine fonctionnel",
                "N° EJ",
                "N° poste EJ",
                "Date de dernière modif. de l'EJ",
                "EUR",
            ],
        );
        let layout = layouts().iter().find(|l| l.name == "infbud53-ae").unwrap();
        let mapping = map_header(layout, &header);
        let rows = vec![
            record(
                2,
                &[
                    "103",
                    "0103-01-01",
                    "2103105755",
                    "10.01.2023",
                    "5",
                    "10.01.2023",
                    "22500,12",
                ],
            ),
            record(
                3,
                &[
                    "103",
                    "0103-01-01",
                    "2103105755",
                    "10.01.2023",
                    "6",
                    "10.01.2023",
                    "15000",
                ],
            ),
        ];
        assert_eq!(infer_gap(&mapping, &rows), Some(Gap { at: 3, width: 1 }));
        // Rows that fit the header need no gap; trailing empty fields neither.
        let fit = vec![record(
            2,
            &["103", "0103-01-01", "2103105755", "5", "10.01.2023", "1"],
        )];
        assert_eq!(infer_gap(&mapping, &fit), None);
        let trailing = vec![record(
            2,
            &[
                "103",
                "0103-01-01",
                "2103105755",
                "5",
                "10.01.2023",
                "1",
                "",
            ],
        )];
        assert_eq!(infer_gap(&mapping, &trailing), None);
    }
}
