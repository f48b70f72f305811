//! Credits made available (`[[mise_a_disposition]]`) against consumption, date by date:
//! cumulative AE (CP) made available and consumed at each tranche, and the episodes where
//! consumption ran ahead (`DEPASSEMENT_MISE_A_DISPOSITION`, one per episode and measure).
//!
//! Consumption is dated by the line's event date (an engagement's replication date, a
//! payment's payment date); a line without one counts on the last day of its exercice. A
//! retrait on an EJ of an earlier year frees no AE (GBCP art. 160): it does not lower the
//! AE consumed here, as « Disponible » does not count it either (`Totals::ae_available`).
//! Tranches dated after `--as-of` are not made available yet.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ScopedLine;
use super::findings::{Code, Finding};
use crate::convention::Convention;
use crate::model::Measure;
use crate::model::money::euros;

/// One tranche, with the cumulative figures on its date (the tranche included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tranche {
    pub date: NaiveDate,
    pub reference: String,
    pub ae: Decimal,
    pub cp: Decimal,
    pub ae_made_available: Decimal,
    pub cp_made_available: Decimal,
    pub ae_consumed: Decimal,
    pub cp_consumed: Decimal,
}

/// An episode where consumption ran ahead of what was made available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overrun {
    pub measure: Measure,
    /// The day consumption first ran ahead.
    pub from: NaiveDate,
    /// The day it was caught up (a tranche, or a retrait); `None`: still open at `as_of`.
    pub until: Option<NaiveDate>,
    /// The largest gap during the episode.
    pub amount: Decimal,
    /// Made available and consumed on `from`.
    pub made_available: Decimal,
    pub consumed: Decimal,
}

impl Overrun {
    /// Its finding's key: `DEPASSEMENT_MISE_A_DISPOSITION:date=AAAA-MM-JJ|AE`.
    pub fn key(&self) -> String {
        format!(
            "{}:date={}|{}",
            Code::DepassementMiseADisposition.as_str(),
            self.from.format("%Y-%m-%d"),
            self.measure.label()
        )
    }
}

/// The tranches and the overruns (AE first, then CP, each in date order). Empty without
/// `[[mise_a_disposition]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    pub tranches: Vec<Tranche>,
    pub overruns: Vec<Overrun>,
}

/// What a day changes: made available, consumed (one measure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    date: NaiveDate,
    provided: Decimal,
    consumed: Decimal,
}

/// The timeline of the convention's tranches against the lines' consumption.
pub fn timeline(convention: &Convention, lines: &[ScopedLine], as_of: NaiveDate) -> Timeline {
    if convention.provisions.is_empty() {
        return Timeline::default();
    }
    let consumption = consumption(lines);
    let tranches = tranches(convention, &consumption);
    let mut overruns = Vec::new();
    for measure in [Measure::Ae, Measure::Cp] {
        let provided = (convention.provisions.iter())
            .filter(|p| p.date <= as_of)
            .map(|p| Step {
                date: p.date,
                provided: if measure == Measure::Ae { p.ae } else { p.cp },
                consumed: Decimal::ZERO,
            });
        let used = consumption.iter().map(|c| Step {
            date: c.0,
            provided: Decimal::ZERO,
            consumed: if measure == Measure::Ae { c.1 } else { c.2 },
        });
        overruns.extend(episodes(measure, provided.chain(used).collect()));
    }
    Timeline { tranches, overruns }
}

/// Each line's consumption (day, AE, CP), in date order. A negative AE on an EJ created in
/// an earlier year frees nothing: it counts zero.
fn consumption(lines: &[ScopedLine]) -> Vec<(NaiveDate, Decimal, Decimal)> {
    let created = super::aggregate::ej_first_years(lines);
    let frees_nothing = |line: &crate::model::Line| {
        line.measure == Measure::Ae
            && line.amount < Decimal::ZERO
            && (line.ej.as_deref().and_then(|ej| created.get(ej))).is_some_and(|y| *y < line.year)
    };
    let mut consumption: Vec<(NaiveDate, Decimal, Decimal)> = (lines.iter())
        .map(|l| {
            let line = &l.judged.line;
            let ae = if frees_nothing(line) {
                Decimal::ZERO
            } else {
                line.ae()
            };
            (event_day(line), ae, line.cp())
        })
        .collect();
    consumption.sort_by_key(|c| c.0);
    consumption
}

/// The convention's tranches, each with the credits made available so far and the
/// `consumption` (in date order) up to its date.
fn tranches(
    convention: &Convention,
    consumption: &[(NaiveDate, Decimal, Decimal)],
) -> Vec<Tranche> {
    let consumed_on = |date: NaiveDate| {
        let end = consumption.partition_point(|c| c.0 <= date);
        (consumption[..end].iter()).fold((Decimal::ZERO, Decimal::ZERO), |(ae, cp), c| {
            (ae + c.1, cp + c.2)
        })
    };
    let mut tranches = Vec::with_capacity(convention.provisions.len());
    let (mut ae_made, mut cp_made) = (Decimal::ZERO, Decimal::ZERO);
    for p in &convention.provisions {
        ae_made += p.ae;
        cp_made += p.cp;
        let (ae_consumed, cp_consumed) = consumed_on(p.date);
        tranches.push(Tranche {
            date: p.date,
            reference: p.reference.clone(),
            ae: p.ae,
            cp: p.cp,
            ae_made_available: ae_made,
            cp_made_available: cp_made,
            ae_consumed,
            cp_consumed,
        });
    }
    tranches
}

/// A line's date for the timeline: its event date, else the last day of its exercice.
fn event_day(line: &crate::model::Line) -> NaiveDate {
    line.event_date
        .or_else(|| NaiveDate::from_ymd_opt(line.year, 12, 31))
        .unwrap_or(NaiveDate::MAX)
}

/// The episodes of one measure: the steps of a day are taken together (a tranche and an
/// engagement of the same day do not make an episode when the tranche covers it).
fn episodes(measure: Measure, mut steps: Vec<Step>) -> Vec<Overrun> {
    steps.sort_by_key(|s| s.date);
    let (mut provided, mut consumed) = (Decimal::ZERO, Decimal::ZERO);
    let mut out: Vec<Overrun> = Vec::new();
    let mut open: Option<Overrun> = None;
    let mut i = 0;
    while i < steps.len() {
        let date = steps[i].date;
        while i < steps.len() && steps[i].date == date {
            provided += steps[i].provided;
            consumed += steps[i].consumed;
            i += 1;
        }
        let gap = consumed - provided;
        match open.as_mut() {
            Some(o) if gap > Decimal::ZERO => o.amount = o.amount.max(gap),
            Some(o) => {
                o.until = Some(date);
                out.extend(open.take());
            }
            None if gap > Decimal::ZERO => {
                open = Some(Overrun {
                    measure,
                    from: date,
                    until: None,
                    amount: gap,
                    made_available: provided,
                    consumed,
                });
            }
            None => {}
        }
    }
    out.extend(open);
    out
}

/// One `DEPASSEMENT_MISE_A_DISPOSITION` per overrun, keyed by its first day and measure.
pub(super) fn findings(timeline: &Timeline, as_of: NaiveDate) -> Vec<Finding> {
    (timeline.overruns.iter())
        .map(|o| {
            let (what, made, consumed, provided) = match o.measure {
                Measure::Ae => (
                    "les AE consommées",
                    "les AE mises à disposition",
                    "consommées",
                    "mises à disposition",
                ),
                Measure::Cp => (
                    "les CP consommés",
                    "les CP mis à disposition",
                    "consommés",
                    "mis à disposition",
                ),
            };
            let from = o.from.format("%d/%m/%Y");
            let (when, end) = match o.until {
                Some(until) => (
                    format!("Du {from} au {}", until.format("%d/%m/%Y")),
                    format!("Résorbé le {}.", until.format("%d/%m/%Y")),
                ),
                None => (
                    format!("Depuis le {from}"),
                    format!(
                        "Toujours ouvert au {} : demandez au délégant la mise à disposition des crédits, ou suspendez les engagements.",
                        as_of.format("%d/%m/%Y")
                    ),
                ),
            };
            let mut f = Finding {
                amount: Some(o.amount),
                measure: Some(o.measure),
                ..Finding::new(
                    Code::DepassementMiseADisposition,
                    format!(
                        "{when}, {what} ont devancé {made} par le délégant, de {} au plus (le {from} : {} {consumed} pour {} {provided}). {end} Les crédits doivent être mis à disposition avant d'être consommés (art. 2).",
                        euros(o.amount),
                        euros(o.consumed),
                        euros(o.made_available)
                    ),
                )
            };
            f.key = o.key();
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn step(date: NaiveDate, provided: Decimal, consumed: Decimal) -> Step {
        Step {
            date,
            provided,
            consumed,
        }
    }

    /// The fixture « portefeuille »'s convention C, AE: tranches 30 000 (15/06/2020),
    /// 30 000 (01/10/2020), 30 000 (01/03/2021); engagements 45 000 (01/07/2020) and
    /// 25 000 (01/02/2021). Two episodes: 15 000 from 01/07 to 01/10/2020 (45 − 30),
    /// 10 000 from 01/02 to 01/03/2021 (70 − 60).
    #[test]
    fn the_fixtures_ae_run_ahead_twice() {
        let steps = vec![
            step(day(2021, 3, 1), dec!(30000), dec!(0)),
            step(day(2020, 6, 15), dec!(30000), dec!(0)),
            step(day(2020, 7, 1), dec!(0), dec!(45000)),
            step(day(2020, 10, 1), dec!(30000), dec!(0)),
            step(day(2021, 2, 1), dec!(0), dec!(25000)),
        ];
        let got = episodes(Measure::Ae, steps);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].from, got[0].until, got[0].amount),
            (day(2020, 7, 1), Some(day(2020, 10, 1)), dec!(15000))
        );
        assert_eq!(
            (got[0].made_available, got[0].consumed),
            (dec!(30000), dec!(45000))
        );
        assert_eq!(
            (got[1].from, got[1].until, got[1].amount),
            (day(2021, 2, 1), Some(day(2021, 3, 1)), dec!(10000))
        );
    }

    #[test]
    fn an_episode_keeps_its_peak_stays_open_and_a_same_day_tranche_covers() {
        let steps = vec![
            step(day(2020, 1, 1), dec!(100), dec!(0)),
            // 150 consumed, 100 made available: 50 ahead, then 80.
            step(day(2020, 2, 1), dec!(0), dec!(150)),
            step(day(2020, 3, 1), dec!(0), dec!(30)),
            // A tranche of the same day as an engagement it covers: no episode.
            step(day(2020, 4, 1), dec!(200), dec!(0)),
            step(day(2020, 4, 1), dec!(0), dec!(20)),
        ];
        let got = episodes(Measure::Cp, steps.clone());
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].amount, got[0].until),
            (dec!(80), Some(day(2020, 4, 1)))
        );
        // Without the last tranche, still open.
        let got = episodes(Measure::Cp, steps[..3].to_vec());
        assert_eq!((got[0].amount, got[0].until), (dec!(80), None));
        // Exactly what was made available is no overrun.
        let even = vec![
            step(day(2020, 1, 1), dec!(100), dec!(0)),
            step(day(2020, 2, 1), dec!(0), dec!(100)),
        ];
        assert!(episodes(Measure::Ae, even).is_empty());
    }

    /// Through `reconcile`: the built-in convention with one tranche of 150 000 AE on
    /// 01/01/2020; an EJ of 170 000 on 01/03/2020 runs 20 000 ahead; a retrait of 30 000
    /// on it in 2021 frees no AE (an EJ of 2020): the episode stays open, and « Disponible »
    /// is 150 000 − 140 000 − 30 000 = −20 000.
    #[test]
    fn an_earlier_year_withdrawal_does_not_catch_up() {
        use crate::model::sample_line;
        use crate::reconcile::test_support::input;
        let mut c = Convention::builtin();
        c.provisions = vec![crate::convention::Provision {
            date: day(2020, 1, 1),
            reference: "MAD".into(),
            ae: dec!(150000),
            cp: dec!(0),
        }];
        let ej = crate::model::Line {
            amount: dec!(170000),
            event_date: Some(day(2020, 3, 1)),
            ..sample_line()
        };
        let withdrawal = crate::model::Line {
            amount: dec!(-30000),
            year: 2021,
            date_ej: Some(day(2020, 3, 1)),
            event_date: Some(day(2021, 2, 1)),
            ..sample_line()
        };
        let as_of = day(2021, 7, 31);
        let rec = crate::reconcile::reconcile(&c, vec![input(0, vec![ej, withdrawal])], as_of);
        let ae: Vec<&Overrun> = (rec.provisions.overruns.iter())
            .filter(|o| o.measure == Measure::Ae)
            .collect();
        assert_eq!(ae.len(), 1);
        assert_eq!(
            (ae[0].from, ae[0].until, ae[0].amount),
            (day(2020, 3, 1), None, dec!(20000))
        );
        assert_eq!(rec.totals.ae_available(), dec!(-20000));
        // Against the schedule (160 000): 160 000 − 140 000 − 30 000, the ceiling's own
        // finding (PLAFOND_AE_DEPASSE, 10 000), apart from the overrun's.
        assert_eq!(rec.totals.ae_left(), dec!(-10000));
        let ceiling = (rec.findings.iter())
            .find(|f| f.code == Code::PlafondAeDepasse)
            .unwrap();
        assert_eq!(ceiling.amount, Some(dec!(10000)));
        let f = (rec.findings.iter())
            .find(|f| f.code == Code::DepassementMiseADisposition)
            .unwrap();
        assert!(
            f.message.contains("Toujours ouvert au 31/07/2021"),
            "{}",
            f.message
        );
    }

    #[test]
    fn the_key_names_the_first_day_and_the_measure() {
        let timeline = Timeline {
            tranches: Vec::new(),
            overruns: vec![Overrun {
                measure: Measure::Ae,
                from: day(2020, 7, 1),
                until: Some(day(2020, 10, 1)),
                amount: dec!(15000),
                made_available: dec!(30000),
                consumed: dec!(45000),
            }],
        };
        let f = &findings(&timeline, day(2021, 12, 31))[0];
        assert_eq!(f.key, "DEPASSEMENT_MISE_A_DISPOSITION:date=2020-07-01|AE");
        assert_eq!(f.severity, crate::reconcile::Severity::Warning);
        assert_eq!(f.amount, Some(dec!(15000)));
        assert!(
            f.message.contains("01/07/2020") && f.message.contains("01/10/2020"),
            "{}",
            f.message
        );
    }
}
