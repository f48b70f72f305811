//! When an extract was taken and which exercice a whole file gives: read from its BEx
//! preamble, its header or its file name.

use chrono::NaiveDate;

use crate::ingest::InputInfo;
use crate::ingest::layout::FieldId;
use crate::normalize::{self, date::parse_year};
use crate::report::input::DateSource;

/// The date the extract was taken, from the sources its layout names, in order: the BEx
/// preamble (« Dernière MàJ des données »), then a date in the file's name
/// (`…_2024-09-26.csv`, `…_20240926.csv`, `…_2021-05.csv`: the month's last day).
pub(super) fn extraction_date(info: &InputInfo) -> Option<(NaiveDate, DateSource)> {
    info.mapping
        .layout
        .meta
        .extraction_date
        .iter()
        .find_map(|source| match source.as_str() {
            "preamble" => info
                .preamble
                .updated
                .as_deref()
                .and_then(|t| normalize::date::parse_date(t).ok().flatten())
                .map(|d| (d, DateSource::Preamble)),
            "fileName" => info
                .path
                .file_stem()
                .and_then(|s| date_in_name(&s.to_string_lossy()))
                .map(|d| (d, DateSource::FileName)),
            _ => None,
        })
}

/// The last date written in a file name: `2024-09-26`, `2024_09_26`, `20240926`, or a
/// month `2021-05` (its last day).
fn date_in_name(name: &str) -> Option<NaiveDate> {
    let runs: Vec<&str> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let year = |s: &str| {
        num(s)
            .map(|y| y as i32)
            .filter(|y| (2000..2100).contains(y))
    };
    let two = |i: usize| runs.get(i).filter(|p| p.len() == 2).and_then(|p| num(p));
    let mut found = None;
    for (i, run) in runs.iter().enumerate() {
        let date = match run.len() {
            8 => year(&run[..4])
                .and_then(|y| NaiveDate::from_ymd_opt(y, num(&run[4..6])?, num(&run[6..])?)),
            4 => year(run).and_then(|y| match (two(i + 1), two(i + 2)) {
                (Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
                (Some(m), None) => NaiveDate::from_ymd_opt(y, m, 1)?
                    .checked_add_months(chrono::Months::new(1))?
                    .pred_opt(),
                _ => None,
            }),
            _ => None,
        };
        found = date.or(found);
    }
    found
}

/// The exercice a whole file gives: its BEx preamble, the year heading its amount column
/// (crosstab), or its name (2019 workbooks). `None`: each line's own exercice or date.
pub(super) fn preamble_exercice(info: &InputInfo, notes: &mut Vec<String>) -> Option<i32> {
    notes.push(format!("montant lu comme {}", info.measure_note));
    if let Some(text) = info.preamble.exercice.as_deref() {
        return match parse_year(text) {
            Some(y) => {
                notes.push(format!("exercice {y} d'après le préambule"));
                Some(y)
            }
            None => {
                notes.push(format!("exercice du préambule illisible (« {text} ») : l'année de chaque ligne vient de sa date"));
                None
            }
        };
    }
    if let Some(y) = info.mapping.header_year {
        notes.push(format!(
            "exercice {y} d'après l'en-tête de la colonne des montants"
        ));
        return Some(y);
    }
    if info.mapping.layout.meta.year_from_file_name {
        let stem = info
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let year = stem
            .split(|c: char| !c.is_ascii_digit())
            .filter(|t| t.len() == 4)
            .find_map(|t| parse_year(t).filter(|y| (2000..2100).contains(y)));
        if let Some(y) = year {
            notes.push(format!("exercice {y} d'après le nom du fichier"));
            return Some(y);
        }
    }
    if !info.mapping.has(FieldId::Exercice)
        && let Some(y) = info
            .path
            .file_stem()
            .and_then(|s| exercice_in_name(&s.to_string_lossy()))
    {
        notes.push(format!(
            "exercice {y} d'après le nom du fichier (le fichier n'a pas de colonne d'exercice)"
        ));
        return Some(y);
    }
    None
}

/// The exercice a file's name gives: its one year written alone (`ej_0174_2020`), not as
/// part of a date (`…_2024-09-26` is an extraction date). Two different years: none.
fn exercice_in_name(name: &str) -> Option<i32> {
    let runs: Vec<&str> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let mut years = runs.iter().enumerate().filter_map(|(i, run)| {
        let month_follows = runs.get(i + 1).is_some_and(|p| p.len() == 2);
        let year = run.parse::<i32>().ok().filter(|y| (2000..2100).contains(y));
        year.filter(|_| run.len() == 4 && !month_follows)
    });
    let first = years.next()?;
    years.all(|y| y == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_dates_in_file_names() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let cases = [
            ("ej_data_etat_quot_2024-09-26", d(2024, 9, 26)),
            ("INFBUD53_CP_2021-05", d(2021, 5, 31)),
            ("INFBUD53_CP_2020-02", d(2020, 2, 29)),
            ("export_20210930", d(2021, 9, 30)),
            ("ej_0174_2020", None),
            ("ej_2021_12_31", d(2021, 12, 31)),
            ("INFBUD53_AE_2021", None),
            ("x_2021-13", None),
        ];
        for (name, expected) in cases {
            assert_eq!(date_in_name(name), expected, "{name}");
        }
    }

    #[test]
    fn an_exercice_in_a_file_name_is_a_year_written_alone() {
        let cases = [
            ("ej_0174_2020", Some(2020)),
            ("ej_2021", Some(2021)),
            ("ej_data_etat_quot_2024-09-26", None),
            ("INFBUD53_CP_2021-05", None),
            ("engagements_2020_2021", None),
            ("engagements_2021_copie_2021", Some(2021)),
            ("extrait", None),
        ];
        for (name, expected) in cases {
            assert_eq!(exercice_in_name(name), expected, "{name}");
        }
    }
}
