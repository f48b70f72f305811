//! The carry-over (bascule) hidden in an engagement amount. On 1 January Chorus carries
//! every EJ still open into the new exercice for its reste à payer; BEx INF-BUD-53's
//! « Montant engagé » of year N *includes* it for an EJ created before N, with no column
//! to separate it. That carry-over is no AE of year N (the AE were consumed when the EJ
//! was signed): AE of the year = amount − the EJ's reste à payer at 31/12/N-1, computed
//! from the inputs. When the inputs do not hold year N-1 for the EJ, the amount is all
//! carried (no AE of the year, still to pay) and `BASCULE_INCONNUE` says which extract is
//! missing.

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::classify::Judged;
use crate::model::Measure;

/// A line whose carry-over the inputs cannot tell: all of it was taken as carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCarry {
    /// Index in the in-scope lines (the same in `Reconciliation::lines`).
    pub line: usize,
    /// The exercice whose engagement extract is missing.
    pub missing_year: i32,
}

/// What was split off.
#[derive(Debug, Default)]
pub(super) struct CarryOutcome {
    pub unknown: Vec<UnknownCarry>,
    /// The amount moved from AE of the year to carried, over all lines (conservation).
    pub moved: Decimal,
}

/// One EJ's figures per year.
#[derive(Default)]
struct EjYears {
    /// The year of the EJ's creation, when a line dates it.
    created: Option<i32>,
    /// Per year: AE of the year, carried in, CP.
    years: BTreeMap<i32, (Decimal, Decimal, Decimal)>,
}

impl EjYears {
    /// Reste à payer at the end of `year`: AE and CP of the years up to it, plus what was
    /// carried into the earliest year the inputs hold (when they hold none before it).
    fn remaining_at_end_of(&self, year: i32) -> Decimal {
        let mut held = self.years.range(..=year);
        let Some((_, first)) = held.next() else {
            return Decimal::ZERO;
        };
        let mut remaining = first.0 + first.1 - first.2;
        for (_, (ae, _, cp)) in held {
            remaining += ae - cp;
        }
        remaining
    }
}

/// Splits the carry-over out of the lines of `includes[input]` inputs, year by year in
/// ascending order (a year's carry-over needs the previous year's AE of the year).
pub(super) fn split_carry_over(lines: &mut [Judged], includes: &[bool]) -> CarryOutcome {
    let mut out = CarryOutcome::default();
    let included = |j: &Judged| {
        includes
            .get(j.line.origin.input as usize)
            .copied()
            .unwrap_or(false)
    };
    if !lines.iter().any(included) {
        return out;
    }
    let (mut ejs, to_split) = survey(lines, included);
    for ((year, ej), indices) in to_split {
        let e = ejs.get_mut(&ej).expect("every EJ was seen");
        split_year(lines, e, year, &indices, &mut out);
    }
    out
}

/// The lines to split, per (year, EJ), in line order.
type ToSplit = BTreeMap<(i32, String), Vec<usize>>;

/// Every EJ's years, summed from every line but those to split (the included inputs'
/// positive AE), and those lines to split.
fn survey(
    lines: &[Judged],
    included: impl Fn(&Judged) -> bool,
) -> (FxHashMap<String, EjYears>, ToSplit) {
    let mut ejs: FxHashMap<String, EjYears> = FxHashMap::default();
    let mut to_split = ToSplit::new();
    for (i, j) in lines.iter().enumerate() {
        let line = &j.line;
        let Some(ej) = line.ej.as_deref() else {
            continue;
        };
        let e = ejs.entry(ej.to_string()).or_default();
        if let Some(d) = line.date_ej {
            e.created = Some(e.created.map_or(d.year(), |c| c.min(d.year())));
        }
        e.years.entry(line.year).or_default();
        if included(j) && line.measure == Measure::Ae && line.amount > Decimal::ZERO {
            to_split
                .entry((line.year, ej.to_string()))
                .or_default()
                .push(i);
        }
    }
    for j in lines {
        // Sums of every line but those to split (added back once split, year by year).
        let line = &j.line;
        let pending = included(j) && line.measure == Measure::Ae && line.amount > Decimal::ZERO;
        if let (Some(ej), false) = (line.ej.as_deref(), pending) {
            add(ejs.get_mut(ej).expect("every EJ was seen"), j);
        }
    }
    (ejs, to_split)
}

/// Splits the carry-over out of one EJ's lines of one year (`indices`), when the EJ was
/// created before that year: what remained at the end of the year before (unknown, so the
/// whole amount, when that year is missing), then adds the lines to the EJ's sums.
fn split_year(
    lines: &mut [Judged],
    e: &mut EjYears,
    year: i32,
    indices: &[usize],
    out: &mut CarryOutcome,
) {
    let held_before = e.years.range(..year).next().is_some();
    let created_before = e.created.map_or(held_before, |c| c < year);
    if created_before {
        let carry = if e.years.contains_key(&(year - 1)) {
            e.remaining_at_end_of(year - 1).max(Decimal::ZERO)
        } else {
            out.unknown.extend(indices.iter().map(|&line| UnknownCarry {
                line,
                missing_year: year - 1,
            }));
            indices.iter().map(|&i| lines[i].line.amount).sum()
        };
        take(lines, indices, carry);
        out.moved += carry;
    }
    for &i in indices {
        add(e, &lines[i]);
    }
}

fn add(e: &mut EjYears, j: &Judged) {
    let line = &j.line;
    let f = e.years.entry(line.year).or_default();
    match line.measure {
        Measure::Ae => {
            f.0 += line.amount;
            f.1 += line.carried;
        }
        Measure::Cp => f.2 += line.cp(),
    }
}

/// Takes `carry` from the lines, in order, each up to its amount; the last takes what is
/// left, so an amount below the carry-over leaves a negative AE of the year: a retrait on
/// an earlier-year EJ.
fn take(lines: &mut [Judged], indices: &[usize], carry: Decimal) {
    let mut left = carry;
    for (k, &i) in indices.iter().enumerate() {
        let line = &mut lines[i].line;
        let taken = if k + 1 == indices.len() {
            left
        } else {
            left.min(line.amount)
        };
        line.amount -= taken;
        line.carried += taken;
        left -= taken;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::convention::Convention;
    use crate::model::{Line, Origin, four_axes, sample_line};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn line(input: u32, measure: Measure, year: i32, amount: Decimal, created: i32) -> Judged {
        let l = Line {
            origin: Origin { input, row: 2 },
            measure,
            year,
            amount,
            date_ej: NaiveDate::from_ymd_opt(created, 3, 1),
            ..sample_line()
        };
        classify(l, four_axes(), &Convention::builtin())
    }

    #[test]
    fn the_carry_over_is_last_years_remaining_to_pay() {
        // 2020: 40 000 committed, 15 000 paid. The 2021 BEx extract (input 2) says 30 000
        // engaged: 25 000 carried over, 5 000 of AE of 2021.
        let mut lines = vec![
            line(0, Measure::Ae, 2020, dec!(40000), 2020),
            line(1, Measure::Cp, 2020, dec!(15000), 2020),
            line(2, Measure::Ae, 2021, dec!(30000), 2020),
        ];
        let out = split_carry_over(&mut lines, &[false, false, true]);
        assert_eq!(lines[2].line.amount, dec!(5000));
        assert_eq!(lines[2].line.carried, dec!(25000));
        assert_eq!(out.moved, dec!(25000));
        assert!(out.unknown.is_empty());
    }

    #[test]
    fn an_amount_below_the_carry_over_is_a_retrait_and_an_unknown_year_is_all_carried() {
        let mut lines = vec![
            line(0, Measure::Ae, 2020, dec!(40000), 2020),
            line(1, Measure::Ae, 2021, dec!(35000), 2020),
            // Created in 2019, and no 2020 extract holds it.
            line(1, Measure::Ae, 2021, dec!(7000), 2019),
            // Created in 2021: all of it is AE of 2021.
            line(1, Measure::Ae, 2021, dec!(1000), 2021),
        ];
        lines[2].line.ej = Some("2100000002".into());
        lines[3].line.ej = Some("2100000003".into());
        let out = split_carry_over(&mut lines, &[false, true]);
        assert_eq!(lines[1].line.amount, dec!(-5000));
        assert_eq!(lines[2].line.amount, dec!(0));
        assert_eq!(lines[2].line.carried, dec!(7000));
        assert_eq!(lines[3].line.amount, dec!(1000));
        assert_eq!(
            out.unknown,
            [UnknownCarry {
                line: 2,
                missing_year: 2020
            }]
        );
        assert_eq!(out.moved, dec!(47000));
    }
}
