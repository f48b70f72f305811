use super::*;
use crate::ingest::layout::{layouts, map_header};

const HEADER: [&str; 8] = [
    "Centre financier - Clé (non composée)",
    "N° EJ",
    "N° poste EJ",
    "N° EJ - Date de réplication (Clé)",
    "Date de dernière modif. de l'EJ",
    "Compte budgétaire - Clé (non composée)",
    "Axe ministériel 2",
    "Montant engagé (EUR)",
];

fn record(row: u64, cells: &[&str]) -> RawRecord {
    RawRecord::from_texts(row, cells)
}

fn outcome(cells: &[&str], exercice: Option<i32>) -> RowOutcome {
    let layout = layouts().iter().find(|l| l.name == "aife-ej").unwrap();
    let mapping = map_header(layout, &record(1, &HEADER));
    let ctx = FileContext {
        input: 0,
        mapping: &mapping,
        measure: Measure::Ae,
        exercice,
        separator: ';',
        gap: None,
    };
    normalize(&record(7, cells), &ctx)
}

fn rejected(cells: &[&str]) -> (Option<String>, String) {
    match outcome(cells, None) {
        RowOutcome::Rejected(r) => {
            assert_eq!(r.origin.row, 7);
            assert_eq!(r.raw, cells.join(";"));
            (r.column, r.reason)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_good_row_becomes_a_typed_line() {
    let RowOutcome::Lines(lines) = outcome(
        &[
            "BG00/0174-SOUT-ELAB",
            "2103105755",
            "1.0",
            "12/02/2020",
            "03.06.2020",
            "21",
            "Potentiel",
            "1 234,50",
        ],
        None,
    ) else {
        panic!()
    };
    let [line] = &lines[..] else {
        panic!("{lines:?}")
    };
    assert_eq!(line.centre_financier.as_deref(), Some("0174-SOUT-ELAB"));
    assert_eq!(line.poste_ej.as_deref(), Some("1"));
    assert_eq!(line.amount, rust_decimal_macros::dec!(1234.50));
    assert_eq!(line.year, 2020);
    assert_eq!(line.date, NaiveDate::from_ymd_opt(2020, 6, 3));
    assert_eq!(line.titre, Some(2));
    assert_eq!(line.texte.as_deref(), Some("Potentiel"));
}

#[test]
fn the_year_is_the_exercice_else_the_date() {
    let cells = [
        "0174-SOUT-ELAB",
        "2103105755",
        "1",
        "#",
        "03.06.2020",
        "31",
        "",
        "1",
    ];
    let year = |o: RowOutcome| match o {
        RowOutcome::Lines(l) => l[0].year,
        other => panic!("{other:?}"),
    };
    assert_eq!(year(outcome(&cells, Some(2021))), 2021);
    assert_eq!(year(outcome(&cells, None)), 2020);
    let no_date = ["0174-SOUT-ELAB", "2103105755", "1", "#", "#", "31", "", "1"];
    assert!(
        matches!(outcome(&no_date, None), RowOutcome::Rejected(r) if r.reason.contains("année inconnue"))
    );
}

#[test]
fn bad_rows_are_rejected_with_their_column_and_reason() {
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (
            &[
                "0174-SOUT-ELAB",
                "2103105755",
                "1",
                "",
                "03.06.2020",
                "31",
                "",
                "12,3,4",
            ],
            Some("Montant engagé (EUR)"),
            "montant",
        ),
        (
            &[
                "0174-SOUT-ELAB",
                "2103105755",
                "1",
                "",
                "31.02.2020",
                "31",
                "",
                "1",
            ],
            Some("Date de dernière modif. de l'EJ"),
            "date illisible",
        ),
        (
            &["0174-SOUT-ELAB", "#", "1", "", "03.06.2020", "31", "", "1"],
            Some("N° EJ"),
            "N° EJ absent",
        ),
        (
            &[
                "0174-SOUT-ELAB",
                "2103105755",
                "1",
                "",
                "03.06.2020",
                "31",
                "",
                "1",
                "extra",
            ],
            None,
            "9 champs",
        ),
    ];
    for (cells, column, reason) in cases {
        let (c, r) = rejected(cells);
        assert_eq!(c.as_deref(), column, "{cells:?}");
        assert!(r.contains(reason), "{r}");
    }
}

#[test]
fn blank_and_subtotal_rows_are_not_data() {
    assert_eq!(
        outcome(&["", " ", "", "", "", "", "", ""], None),
        RowOutcome::Skipped(Skip::Blank)
    );
    // The AIFE layout has no subtotal rows: « Résultat » there is data (rejected here,
    // as it has no EJ), never a row silently dropped.
    assert!(matches!(
        outcome(&["", "Résultat", "", "", "", "", "", "12"], None),
        RowOutcome::Rejected(_)
    ));
    // Trailing empty fields are tolerated.
    assert!(matches!(
        outcome(
            &[
                "0174-SOUT-ELAB",
                "2103105755",
                "1",
                "",
                "03.06.2020",
                "31",
                "",
                "1",
                ""
            ],
            None
        ),
        RowOutcome::Lines(_)
    ));
}
