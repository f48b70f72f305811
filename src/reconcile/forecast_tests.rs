//! The outlook's arithmetic, on the figures of `fixtures/previsions/LISEZMOI.md`.

use super::*;
use crate::reconcile::YearFigures;
use crate::tables::forecasts::Forecast;
use rust_decimal_macros::dec;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// (year, AE consumed, CP consumed) per product, schedule from the built-in convention.
fn products(c: &Convention, consumed: &[&[(i32, Decimal, Decimal)]]) -> Vec<ProductYears> {
    consumed
        .iter()
        .enumerate()
        .map(|(product, years)| ProductYears {
            product,
            years: years
                .iter()
                .map(|&(year, ae, cp)| YearFigures {
                    year,
                    ae_planned: c.planned(product, year).and_then(|s| s.ae),
                    ae_consumed: ae,
                    cp_planned: c.planned(product, year).and_then(|s| s.cp),
                    cp_consumed: cp,
                })
                .collect(),
        })
        .collect()
}

fn year(o: &Outlook, product: usize, year: i32) -> &YearOutlook {
    o.years
        .iter()
        .find(|y| y.product == product && y.year == year)
        .unwrap()
}

fn fixture_forecasts(c: &Convention) -> Forecasts {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/previsions/previsions.csv");
    crate::tables::forecasts::load(&path, c).unwrap()
}

/// At 31/12/2020 (`fixtures/cloture-2020`), with the délégataire's forecasts.
fn closing_2020(forecasts: Option<&Forecasts>) -> Outlook {
    let c = Convention::builtin();
    let products = products(
        &c,
        &[
            &[(2020, dec!(77000), dec!(39000))],
            &[(2020, dec!(70000), dec!(36000))],
        ],
    );
    outlook(
        &c,
        &Facts {
            products: &products,
            remaining: vec![dec!(38000), dec!(34000)],
            as_of: date(2020, 12, 31),
            forecasts,
        },
    )
}

#[test]
fn with_forecasts_the_closed_year_is_actual_and_the_next_one_forecast() {
    let c = Convention::builtin();
    let forecasts = fixture_forecasts(&c);
    let o = closing_2020(Some(&forecasts));
    assert_eq!(o.years.len(), 4, "2 products × 2020, 2021");
    let p2020 = year(&o, 0, 2020);
    assert_eq!(p2020.source, Source::Actual);
    assert_eq!(p2020.ae.forecast, Some(dec!(80000)));
    assert_eq!(p2020.ae.projected, Some(dec!(77000)));
    assert_eq!(p2020.cp.unused(), Some(dec!(1000)));
    let c2020 = year(&o, 1, 2020);
    assert_eq!(c2020.ae.forecast, Some(dec!(70000)));
    for product in [0, 1] {
        let y = year(&o, product, 2021);
        assert_eq!(y.source, Source::Forecasts);
        assert_eq!(y.cp.forecast, Some(dec!(34000)));
        assert_eq!(y.cp.expected, dec!(34000));
        assert_eq!(y.cp.projected, Some(dec!(34000)));
        assert_eq!(y.cp.gap(), Some(dec!(-6000)));
        assert_eq!(y.cp.unused(), Some(dec!(6000)));
        // The schedule has no AE in 2021: nothing to leave unused.
        assert_eq!((y.ae.planned, y.ae.unused()), (None, None));
        assert_eq!(y.ae.gap(), Some(dec!(0)));
    }
    // To the convention's end: CP 39 000 + 34 000 and 36 000 + 34 000 of 80 000 each.
    assert_eq!(o.to_end(0, Measure::Cp), Some((dec!(80000), dec!(73000))));
    assert_eq!(o.to_end(1, Measure::Cp), Some((dec!(80000), dec!(70000))));
    assert_eq!(o.to_end(1, Measure::Ae), Some((dec!(80000), dec!(70000))));
    assert_eq!(o.file, Some(forecasts.file.clone()));
}

#[test]
fn without_forecasts_a_year_not_started_has_no_projection() {
    let o = closing_2020(None);
    let y = year(&o, 0, 2021);
    assert_eq!(y.source, Source::None);
    assert_eq!(
        (y.cp.projected, y.cp.unused(), y.cp.gap()),
        (None, None, None)
    );
    assert_eq!(year(&o, 0, 2020).source, Source::Actual);
    assert_eq!(o.to_end(0, Measure::Cp), None);
    assert_eq!(o.file, None);
}

#[test]
fn the_run_rate_is_extended_to_the_convention_end_within_what_can_be_paid() {
    // 30/06/2021 (`fixtures/fin-convention`): six months of 2021, seven in the span.
    let c = Convention::builtin();
    let products = products(
        &c,
        &[
            &[
                (2020, dec!(77000), dec!(39000)),
                (2021, dec!(-3000), dec!(35000)),
            ],
            &[
                (2020, dec!(70000), dec!(36000)),
                (2021, dec!(0), dec!(22000)),
            ],
        ],
    );
    let o = outlook(
        &c,
        &Facts {
            products: &products,
            remaining: vec![dec!(3000), dec!(12000)],
            as_of: date(2021, 6, 30),
            forecasts: None,
        },
    );
    let potentiel = year(&o, 0, 2021);
    assert_eq!(potentiel.source, Source::RunRate);
    assert_eq!(potentiel.months, Some((dec!(6), dec!(7))));
    assert_eq!(potentiel.cp.monthly_rate, Some(dec!(5833.33)));
    // 40 833,33 at the rate, but only 3 000 left to pay.
    assert_eq!(potentiel.cp.capped_at, Some(dec!(38000)));
    assert_eq!(potentiel.cp.projected, Some(dec!(38000)));
    assert_eq!(potentiel.cp.unused(), Some(dec!(2000)));
    let carbure = year(&o, 1, 2021);
    assert_eq!(carbure.cp.monthly_rate, Some(dec!(3666.67)));
    assert_eq!(carbure.cp.capped_at, None);
    assert_eq!(carbure.cp.projected, Some(dec!(25666.67)));
    assert_eq!(carbure.cp.unused(), Some(dec!(14333.33)));
    // A withdrawal's negative AE is never extended below what is consumed.
    assert_eq!(potentiel.ae.expected, dec!(0));
    assert_eq!(potentiel.ae.projected, Some(dec!(-3000)));
    assert_eq!(year(&o, 1, 2020).source, Source::Actual);
}

#[test]
fn ae_run_rate_is_bounded_by_the_years_schedule() {
    // 31/03/2020: 50 000 committed in three months would be 200 000 in the year.
    let c = Convention::builtin();
    let products = products(&c, &[&[(2020, dec!(50000), dec!(10000))], &[]]);
    let o = outlook(
        &c,
        &Facts {
            products: &products,
            remaining: vec![dec!(40000), dec!(0)],
            as_of: date(2020, 3, 31),
            forecasts: None,
        },
    );
    let y = year(&o, 0, 2020);
    assert_eq!(y.ae.capped_at, Some(dec!(80000)));
    assert_eq!(y.ae.unused(), None);
    // CP: 40 000 at the rate; bound 10 000 + 40 000 to pay + 30 000 of AE uncommitted.
    assert_eq!((y.cp.projected, y.cp.capped_at), (Some(dec!(40000)), None));
    // Nothing consumed: the rate is 0 and the whole schedule is left.
    let carbure = year(&o, 1, 2020);
    assert_eq!(carbure.cp.projected, Some(dec!(0)));
    assert_eq!(carbure.cp.unused(), Some(dec!(40000)));
}

#[test]
fn a_forecast_period_counts_for_its_share_still_to_come() {
    let c = Convention::builtin();
    let line = |month: Option<u32>, cp: Decimal| Forecast {
        product: 0,
        period: Period { year: 2021, month },
        ae: Decimal::ZERO,
        cp,
        row: 2,
    };
    // (as_of, period, amount) -> expected
    let cases = [
        // A month containing --as-of: the days left; before it: wholly; after: nothing.
        (date(2021, 6, 15), Some(6), dec!(3000), dec!(1500)),
        (date(2021, 5, 31), Some(6), dec!(3000), dec!(3000)),
        (date(2021, 6, 30), Some(6), dec!(3000), dec!(0)),
        // After the convention's end (31/07/2021): nothing.
        (date(2021, 5, 31), Some(8), dec!(3000), dec!(0)),
        // A whole year: wholly before its span starts; pro rata of its span (7 months).
        (date(2020, 12, 31), None, dec!(7000), dec!(7000)),
        (date(2021, 4, 30), None, dec!(7000), dec!(3000)),
    ];
    for (as_of, month, cp, expected) in cases {
        let forecasts = Forecasts {
            file: "p.csv".into(),
            lines: vec![line(month, cp)],
        };
        let o = outlook(
            &c,
            &Facts {
                products: &[],
                remaining: vec![],
                as_of,
                forecasts: Some(&forecasts),
            },
        );
        let y = year(&o, 0, 2021);
        assert_eq!(y.cp.expected, expected, "{as_of} {month:?}");
        assert_eq!(y.cp.forecast, Some(cp));
    }
}

#[test]
fn a_convention_starting_mid_year_counts_months_from_its_start() {
    let mut c = Convention::builtin();
    c.start = date(2020, 7, 1);
    let products = products(&c, &[&[(2020, dec!(0), dec!(10000))], &[]]);
    let o = outlook(
        &c,
        &Facts {
            products: &products,
            remaining: vec![dec!(100000), dec!(0)],
            as_of: date(2020, 9, 30),
            forecasts: None,
        },
    );
    let y = year(&o, 0, 2020);
    // Three months of a six-month span: 10 000 → 20 000.
    assert_eq!(y.months, Some((dec!(3), dec!(6))));
    assert_eq!(y.cp.projected, Some(dec!(20000)));
    assert_eq!(y.cp.unused(), Some(dec!(20000)));
}

#[test]
fn after_the_end_every_year_is_actual() {
    let c = Convention::builtin();
    let products = products(&c, &[&[(2021, dec!(0), dec!(35000))], &[]]);
    let o = outlook(
        &c,
        &Facts {
            products: &products,
            remaining: vec![dec!(0), dec!(0)],
            as_of: date(2021, 8, 1),
            forecasts: None,
        },
    );
    assert!(o.years.iter().all(|y| y.source == Source::Actual));
    assert_eq!(year(&o, 0, 2021).cp.projected, Some(dec!(35000)));
    assert!(!Source::Actual.is_forecast() && Source::RunRate.is_forecast());
}

#[test]
fn months_are_written_as_a_person_writes_them() {
    assert_eq!(months(dec!(6)), "6");
    assert_eq!(months(dec!(5.5)), "5,5");
    assert_eq!(months(Decimal::from(31) / Decimal::from(31) + dec!(5)), "6");
    assert_eq!(day_end(date(2021, 6, 15)), dec!(5.5));
    assert_eq!(day_start(date(2020, 1, 1)), dec!(0));
}

#[test]
fn days_in_month_never_panics() {
    assert_eq!(days_in_month(date(2021, 2, 10)), 28);
    assert_eq!(days_in_month(date(2020, 2, 10)), 29);
    assert_eq!(days_in_month(date(2021, 6, 30)), 30);
    assert_eq!(days_in_month(NaiveDate::MAX), 31);
}
