//! The comparison's rules on hand-worked cases (the fixture's in
//! `fixtures/declaration-commandes/LISEZMOI.md`).

use super::*;
use crate::tables::declaration::Declared;
use rust_decimal_macros::dec;

const POTENTIEL: usize = 0;
const CARBURE: usize = 1;

fn convention(tolerance: Decimal) -> Convention {
    let mut c = Convention::builtin();
    c.matching.tolerance = tolerance;
    c
}

fn period(text: &str) -> Period {
    crate::tables::parse_period(text).unwrap()
}

fn declaration(rows: &[(usize, &str, Decimal, Decimal)]) -> Declaration {
    Declaration {
        file: "declaration.csv".into(),
        lines: (rows.iter().enumerate())
            .map(|(i, &(product, p, ae, cp))| Declared {
                product,
                period: period(p),
                ae,
                cp,
                row: i as u64 + 2,
            })
            .collect(),
        other_convention: 0,
    }
}

/// Chorus's monthly sums: (product, year, month (0: sans date), AE, CP).
fn months(rows: &[(Option<usize>, i32, u32, Decimal, Decimal)]) -> Vec<MonthRow> {
    (rows.iter())
        .map(|&(product, year, month, ae, cp)| MonthRow {
            product,
            year,
            month,
            ae,
            cp,
            ae_cumulative: Decimal::ZERO,
            cp_cumulative: Decimal::ZERO,
        })
        .collect()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 11, 30).unwrap()
}

fn spans(c: &Comparison, product: usize) -> Vec<Span> {
    (c.rows.iter())
        .filter(|r| r.product == product)
        .map(|r| r.span)
        .collect()
}

#[test]
fn a_gap_beyond_the_tolerance_is_a_finding_one_within_is_only_shown() {
    let c = convention(dec!(5.00));
    let d = declaration(&[
        (POTENTIEL, "2020-07", dec!(0), dec!(15003.00)),
        (CARBURE, "2020-04", dec!(20000.00), dec!(0)),
    ]);
    let m = months(&[
        (Some(POTENTIEL), 2020, 7, dec!(0), dec!(15000.00)),
        (Some(CARBURE), 2020, 4, dec!(24000.00), dec!(0)),
    ]);
    let got = compare(&c, &d, &m, as_of());
    // Months from April (the first declared) to July (the last), both products.
    assert_eq!(spans(&got, POTENTIEL).len(), 4);
    assert_eq!(spans(&got, CARBURE).len(), 4);
    let july = got
        .rows
        .iter()
        .find(|r| r.span == Span::Month(2020, 7))
        .unwrap();
    assert_eq!(july.gap(Measure::Cp), dec!(3.00));
    assert_eq!(got.within_tolerance(), 1);
    let found = findings(&c, &got);
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.code, Code::EcartDeclaration);
    assert_eq!(
        f.key,
        "ECART_DECLARATION:produit=carbure|periode=2020-04|AE"
    );
    assert_eq!(f.amount, Some(dec!(-4000.00)));
    assert_eq!(
        (f.product, f.year, f.measure),
        (Some(CARBURE), Some(2020), Some(Measure::Ae))
    );
    assert!(f.message.starts_with("CarbuRe, avril 2020 : AE déclarés par le délégataire 20\u{202f}000,00\u{a0}€ (compte rendu « declaration.csv »), dans Chorus 24\u{202f}000,00\u{a0}€ ; écart (déclaré − Chorus) -4\u{202f}000,00\u{a0}€, au-delà de la tolérance de 5,00\u{a0}€"), "{}", f.message);
    assert!(f.message.contains("ouvert depuis avril 2020"));
}

#[test]
fn the_tolerance_is_inclusive_and_zero_by_default() {
    let d = declaration(&[(POTENTIEL, "2020-03", dec!(105.00), dec!(94.99))]);
    let m = months(&[(Some(POTENTIEL), 2020, 3, dec!(100.00), dec!(100.00))]);
    // AE +5.00 is inside 5.00; CP -5.01 is beyond.
    let got = compare(&convention(dec!(5.00)), &d, &m, as_of());
    let keys: Vec<String> = (findings(&convention(dec!(5.00)), &got).into_iter())
        .map(|f| f.key)
        .collect();
    assert_eq!(
        keys,
        ["ECART_DECLARATION:produit=potentiel|periode=2020-03|CP"]
    );
    // The default tolerance, 0.00: both are gaps, AE first.
    let c = Convention::builtin();
    assert_eq!(c.matching.tolerance, Decimal::ZERO);
    let got = compare(&c, &d, &m, as_of());
    let found = findings(&c, &got);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].measure, Some(Measure::Ae));
    assert!(
        found[0].message.contains("écart (déclaré − Chorus) +5,00"),
        "{}",
        found[0].message
    );
}

#[test]
fn chorus_months_outside_the_declared_span_count_up_to_as_of_and_undated_lines_have_their_row() {
    let c = convention(dec!(0));
    let d = declaration(&[
        (POTENTIEL, "2020-01", dec!(10), dec!(0)),
        (CARBURE, "2020-03", dec!(0), dec!(0)),
    ]);
    let m = months(&[
        (Some(POTENTIEL), 2020, 0, dec!(7), dec!(0)),
        (Some(POTENTIEL), 2020, 1, dec!(10), dec!(0)),
        (Some(POTENTIEL), 2020, 5, dec!(0), dec!(4)),
        // After the situation (30/11/2020): not compared.
        (Some(POTENTIEL), 2020, 12, dec!(0), dec!(9)),
        // Another year than the declaration's, and lines of no product: not compared.
        (Some(POTENTIEL), 2021, 2, dec!(1), dec!(0)),
        (None, 2020, 2, dec!(50), dec!(0)),
    ]);
    let got = compare(&c, &d, &m, as_of());
    let months = |ms: &[u32]| ms.iter().map(|&m| Span::Month(2020, m)).collect::<Vec<_>>();
    let mut potentiel = months(&[1, 2, 3, 5]);
    potentiel.push(Span::Undated(2020));
    assert_eq!(spans(&got, POTENTIEL), potentiel);
    // Carbure declares 0 and Chorus has nothing: it has no row at all.
    assert_eq!(spans(&got, CARBURE), Vec::<Span>::new());
    let keys: Vec<String> = findings(&c, &got).into_iter().map(|f| f.key).collect();
    assert_eq!(
        keys,
        [
            "ECART_DECLARATION:produit=potentiel|periode=2020-05|CP",
            "ECART_DECLARATION:produit=potentiel|periode=2020-sans-date|AE",
        ]
    );
}

#[test]
fn a_year_declared_whole_is_compared_with_every_movement_of_the_year() {
    let c = convention(dec!(0));
    let d = declaration(&[
        (CARBURE, "2020", dec!(100), dec!(30)),
        (POTENTIEL, "2020-02", dec!(1), dec!(0)),
    ]);
    let m = months(&[
        (Some(CARBURE), 2020, 0, dec!(40), dec!(0)),
        (Some(CARBURE), 2020, 3, dec!(60), dec!(0)),
        (Some(CARBURE), 2020, 11, dec!(0), dec!(30)),
        (Some(POTENTIEL), 2020, 2, dec!(1), dec!(0)),
    ]);
    let got = compare(&c, &d, &m, as_of());
    assert_eq!(spans(&got, CARBURE), [Span::Year(2020)]);
    let year = got.rows.iter().find(|r| r.product == CARBURE).unwrap();
    assert_eq!(
        year.chorus,
        Figures {
            ae: dec!(100),
            cp: dec!(30)
        }
    );
    assert!(findings(&c, &got).is_empty());
    assert_eq!(got.within_tolerance(), 0);
}

#[test]
fn periods_are_written_for_keys_and_people() {
    assert_eq!(Span::Month(2020, 4).key_text(), "2020-04");
    assert_eq!(Span::Month(2020, 4).label(), "avril 2020");
    assert_eq!(Span::Undated(2020).key_text(), "2020-sans-date");
    assert_eq!(Span::Year(2021).label(), "2021");
    assert_eq!(signed(dec!(6000)), "+6\u{202f}000,00\u{a0}€");
    assert_eq!(signed(dec!(-3)), "-3,00\u{a0}€");
    assert_eq!(signed(dec!(0.001)), "0,00\u{a0}€");
}
