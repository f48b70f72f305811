//! Fin de gestion: what a year-end closing reports, read from the reconciliation. Which
//! exercices the closing covers (closed, or the current one « en cours »), the EJs each
//! closed exercice carries into the next with their reste à payer at 31 December (the
//! bascule to expect on 1 January), the service fait not yet paid where an extract gives
//! it (charges à payer at the inventory), and, at or after the convention's end, the EJs
//! still open. Pure: every figure is derived from `Reconciliation::commitments` (an EJ at the
//! end of exercice N is its commitment less the movements of later exercices), so the
//! closing agrees with `Engagements` to the cent.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use compact_str::CompactString;
use rust_decimal::Decimal;

use super::{Commitment, Reconciliation};
use crate::convention::Convention;
use crate::model::{Measure, Reduction, ServiceFait};

/// One exercice of the closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exercice {
    pub year: i32,
    /// Its 31 December is on or before `--as-of`; else it is « en cours ».
    pub closed: bool,
}

/// An EJ still open at the end of a closed exercice: carried into the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedEj {
    /// The closed exercice.
    pub year: i32,
    /// Index in `Reconciliation::commitments`.
    pub commitment: usize,
    /// AE net of the exercices up to `year`.
    pub ae_net: Decimal,
    /// The bascule carried into an exercice up to `year` (as in `Commitment::carried`).
    pub carried: Decimal,
    /// CP of the exercices up to `year`.
    pub cp: Decimal,
    /// At 31/12 of `year`: the bascule to expect on 1 January.
    pub remaining: Decimal,
}

/// An EJ's service fait in an exercice, as the latest extract giving that exercice's says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFaitEj {
    pub year: i32,
    pub ej: CompactString,
    /// Index in `Reconciliation::commitments`, when the EJ has one.
    pub commitment: Option<usize>,
    /// Its commitment's product, else the convention's list of EJs.
    pub product: Option<usize>,
    /// Service fait received, paid or not (« Montant réceptionné »).
    pub received: Option<Decimal>,
    /// Certified and not yet settled by a DP: the charge à payer (« Montant certifié non
    /// soldé »).
    pub certified_unpaid: Option<Decimal>,
}

/// What the « Fin de gestion » sheet shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closing {
    /// `--as-of` is a 31 December: the closing of that exercice.
    pub closing_of: Option<i32>,
    /// The exercices covered, in order: every exercice of the convention or of the lines
    /// up to `--as-of`'s year.
    pub exercices: Vec<Exercice>,
    /// Per closed exercice (in order), its open EJs (in EJ order).
    pub carried: Vec<CarriedEj>,
    /// Per exercice covered, the service fait of each EJ, in (exercice, EJ) order; empty
    /// when no extract gives it.
    pub service_fait: Vec<ServiceFaitEj>,
    /// At or after the convention's end: the EJs still holding a reste à payer (indices
    /// in `Reconciliation::commitments`, the EJs of `EJ_NON_SOLDE`); `None` before.
    pub open_at_end: Option<Vec<usize>>,
}

impl Closing {
    /// Whether the closing covers exercice `year` (and whether it is closed).
    pub fn exercice(&self, year: i32) -> Option<Exercice> {
        self.exercices.iter().copied().find(|e| e.year == year)
    }
}

/// The exercice `as_of` closes, when it is a 31 December.
pub fn closing_of(as_of: NaiveDate) -> Option<i32> {
    (as_of.month() == 12 && as_of.day() == 31).then_some(as_of.year())
}

/// Credits of a schedule line not consumed, as `CREDITS_NON_CONSOMMES` reports them:
/// what is left of the plan, nothing when consumption reached or passed it, blank
/// without a plan.
pub fn unused(planned: Option<Decimal>, consumed: Decimal) -> Option<Decimal> {
    planned.map(|p| (p - consumed).max(Decimal::ZERO))
}

pub fn closing(convention: &Convention, rec: &Reconciliation) -> Closing {
    let exercices = exercices(convention, rec);
    let later = later_movements(rec);
    let mut carried = Vec::new();
    for e in exercices.iter().filter(|e| e.closed) {
        for (i, c) in rec.commitments.iter().enumerate() {
            let at = at_end_of(c, &later[i], e.year);
            if at.remaining > Decimal::ZERO {
                carried.push(CarriedEj {
                    commitment: i,
                    ..at
                });
            }
        }
    }
    let open_at_end = (rec.as_of >= convention.end).then(|| {
        rec.commitments
            .iter()
            .enumerate()
            .filter(|(_, c)| c.remaining > Decimal::ZERO)
            .map(|(i, _)| i)
            .collect()
    });
    let service_fait = service_fait(convention, rec, &exercices);
    Closing {
        closing_of: closing_of(rec.as_of),
        exercices,
        carried,
        service_fait,
        open_at_end,
    }
}

/// The service fait of the exercices covered. An extract's service fait is a picture of
/// the exercice on its extraction date: each exercice's figures come from the latest
/// extract that gives them (undated extracts are older than dated ones; ties go by path
/// order), its lines adding up per EJ.
fn service_fait(
    convention: &Convention,
    rec: &Reconciliation,
    exercices: &[Exercice],
) -> Vec<ServiceFaitEj> {
    let figures: Vec<(&Reduction, ServiceFait)> = rec
        .reductions
        .iter()
        .filter_map(|r| r.service_fait.map(|kind| (r, kind)))
        .collect();
    let when = |input: u32| {
        let extracted = rec.extracted.get(input as usize).copied().flatten();
        (extracted, input)
    };
    let mut latest: BTreeMap<i32, (Option<NaiveDate>, u32)> = BTreeMap::new();
    for (r, _) in &figures {
        let e = latest.entry(r.year).or_insert(when(r.origin.input));
        *e = (*e).max(when(r.origin.input));
    }
    let mut by_ej: BTreeMap<(i32, &str), ServiceFaitEj> = BTreeMap::new();
    let covered = |year: i32| exercices.iter().any(|e| e.year == year);
    for (r, kind) in figures {
        if !covered(r.year) || latest.get(&r.year).map(|l| l.1) != Some(r.origin.input) {
            continue;
        }
        let e = by_ej.entry((r.year, r.ej.as_str())).or_insert_with(|| {
            let commitment = rec
                .commitments
                .binary_search_by(|c| c.ej.as_str().cmp(r.ej.as_str()))
                .ok();
            let product = commitment.and_then(|i| rec.commitments[i].product);
            ServiceFaitEj {
                year: r.year,
                ej: r.ej.clone(),
                commitment,
                product: product.or_else(|| convention.product_of_ej(&r.ej)),
                received: None,
                certified_unpaid: None,
            }
        });
        let slot = match kind {
            ServiceFait::Received => &mut e.received,
            ServiceFait::CertifiedUnpaid => &mut e.certified_unpaid,
        };
        *slot.get_or_insert(Decimal::ZERO) += r.amount;
    }
    by_ej.into_values().collect()
}

/// The convention's exercices and those of the products' figures, up to `--as-of`'s year.
fn exercices(convention: &Convention, rec: &Reconciliation) -> Vec<Exercice> {
    let last = rec.as_of.year();
    let mut years: Vec<i32> = (convention.start.year()..=convention.end.year())
        .chain(
            rec.products
                .iter()
                .flat_map(|p| p.years.iter().map(|y| y.year)),
        )
        .filter(|y| *y <= last)
        .collect();
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .map(|year| Exercice {
            year,
            closed: NaiveDate::from_ymd_opt(year, 12, 31).is_some_and(|d| rec.as_of >= d),
        })
        .collect()
}

/// One EJ's movements by exercice: AE, CP, and the bascule carried in.
#[derive(Debug, Default)]
struct ByYear(Vec<(i32, Decimal, Decimal, Decimal)>);

impl ByYear {
    fn add(&mut self, year: i32, ae: Decimal, cp: Decimal, carried: Decimal) {
        match self.0.iter_mut().find(|e| e.0 == year) {
            Some(e) => {
                e.1 += ae;
                e.2 += cp;
                e.3 += carried;
            }
            None => self.0.push((year, ae, cp, carried)),
        }
    }

    fn after(&self, year: i32) -> (Decimal, Decimal) {
        self.0
            .iter()
            .filter(|e| e.0 > year)
            .fold((Decimal::ZERO, Decimal::ZERO), |s, e| {
                (s.0 + e.1, s.1 + e.2)
            })
    }

    /// The first exercice a bascule was carried into.
    fn carried_into(&self) -> Option<i32> {
        self.0.iter().filter(|e| !e.3.is_zero()).map(|e| e.0).min()
    }
}

/// Per commitment (in `rec.commitments` order), its lines' movements by exercice.
fn later_movements(rec: &Reconciliation) -> Vec<ByYear> {
    let mut out: Vec<ByYear> = rec.commitments.iter().map(|_| ByYear::default()).collect();
    // A national extract has hundreds of thousands of EJs: found by hash, not by search.
    let index: rustc_hash::FxHashMap<&str, usize> = (rec.commitments.iter().enumerate())
        .map(|(i, c)| (c.ej.as_str(), i))
        .collect();
    for l in &rec.lines {
        let line = &l.judged.line;
        let Some(&i) = line.ej.as_deref().and_then(|ej| index.get(ej)) else {
            continue;
        };
        let (ae, cp) = match line.measure {
            Measure::Ae => (line.amount, Decimal::ZERO),
            Measure::Cp => (Decimal::ZERO, line.amount),
        };
        let carried = match line.measure {
            Measure::Ae => line.carried,
            Measure::Cp => Decimal::ZERO,
        };
        out[i].add(line.year, ae, cp, carried);
    }
    out
}

/// An EJ at the end of exercice `year`: its commitment less what later exercices moved;
/// the bascule counts once it has been carried in.
fn at_end_of(c: &Commitment, by_year: &ByYear, year: i32) -> CarriedEj {
    let (ae_later, cp_later) = by_year.after(year);
    let carried = match by_year.carried_into() {
        Some(into) if into <= year => c.carried,
        _ => Decimal::ZERO,
    };
    let ae_net = c.ae_net - ae_later;
    let cp = c.cp - cp_later;
    CarriedEj {
        year,
        commitment: 0,
        ae_net,
        carried,
        cp,
        remaining: ae_net + carried - cp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::model::{Line, Origin, four_axes, sample_line};
    use crate::reconcile::{InputResult, reconcile};
    use rust_decimal_macros::dec;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ae(ej: &str, year: i32, amount: Decimal) -> Line {
        Line {
            ej: Some(ej.into()),
            year,
            amount,
            ..sample_line()
        }
    }

    fn cp(ej: &str, year: i32, dp: &str, amount: Decimal) -> Line {
        Line {
            measure: Measure::Cp,
            dp: Some(dp.into()),
            ..ae(ej, year, amount)
        }
    }

    fn rec(lines: Vec<Line>, as_of: NaiveDate) -> (Convention, Reconciliation) {
        let c = Convention::builtin();
        let input = crate::reconcile::test_support::input(0, lines);
        let rec = reconcile(&c, vec![input], as_of);
        (c, rec)
    }

    /// (year, EJ, CP, remaining) of each carried EJ.
    fn carried(c: &Convention, r: &Reconciliation) -> Vec<(i32, String, Decimal, Decimal)> {
        closing(c, r)
            .carried
            .iter()
            .map(|e| {
                (
                    e.year,
                    r.commitments[e.commitment].ej.to_string(),
                    e.cp,
                    e.remaining,
                )
            })
            .collect()
    }

    fn two_years() -> Vec<Line> {
        vec![
            ae("2100000001", 2020, dec!(70000)),
            cp("2100000001", 2020, "100000001", dec!(30000)),
            ae("2100000002", 2020, dec!(5000)),
            cp("2100000002", 2020, "100000002", dec!(5000)),
            cp("2100000001", 2021, "100000003", dec!(25000)),
            ae("2100000003", 2021, dec!(8000)),
            ae("2100000001", 2021, dec!(-1000)),
        ]
    }

    #[test]
    fn a_31_december_closes_its_exercice_and_others_leave_it_running() {
        for (as_of, closing_of, states) in [
            (date(2020, 12, 31), Some(2020), vec![(2020, true)]),
            (date(2020, 12, 30), None, vec![(2020, false)]),
            (date(2021, 3, 31), None, vec![(2020, true), (2021, false)]),
            (
                date(2021, 12, 31),
                Some(2021),
                vec![(2020, true), (2021, true)],
            ),
        ] {
            let (c, r) = rec(two_years(), as_of);
            let closing = closing(&c, &r);
            assert_eq!(closing.closing_of, closing_of, "{as_of}");
            let got: Vec<(i32, bool)> = closing
                .exercices
                .iter()
                .map(|e| (e.year, e.closed))
                .collect();
            assert_eq!(got, states, "{as_of}");
        }
    }

    #[test]
    fn an_ej_open_at_31_december_is_carried_for_its_reste_a_payer_of_that_date() {
        // At 31/12/2021 with both years: 2020 carries EJ 1 (70 000 − 30 000); EJ 2 is
        // paid. 2021 carries EJ 1 (69 000 − 55 000) and EJ 3 (8 000).
        let (c, r) = rec(two_years(), date(2021, 12, 31));
        assert_eq!(
            carried(&c, &r),
            [
                (2020, "2100000001".into(), dec!(30000), dec!(40000)),
                (2021, "2100000001".into(), dec!(55000), dec!(14000)),
                (2021, "2100000003".into(), dec!(0), dec!(8000)),
            ]
        );
        // The last closed exercice's figures are the Engagements' figures.
        let closing = closing(&c, &r);
        for e in closing.carried.iter().filter(|e| e.year == 2021) {
            let commitment = &r.commitments[e.commitment];
            assert_eq!(
                (e.ae_net, e.carried, e.cp, e.remaining),
                (
                    commitment.ae_net,
                    commitment.carried,
                    commitment.cp,
                    commitment.remaining
                )
            );
        }
        // Mid-2021: only 2020 is closed.
        let (c, r) = rec(two_years(), date(2021, 6, 30));
        assert_eq!(
            carried(&c, &r),
            [(2020, "2100000001".into(), dec!(30000), dec!(40000))]
        );
    }

    #[test]
    fn a_bascule_counts_from_the_exercice_it_was_carried_into() {
        // A 2021 extract carrying a 2020 EJ the inputs do not hold otherwise.
        let mut carried_in = ae("2100000009", 2021, dec!(0));
        carried_in.carried = dec!(12000);
        let lines = vec![carried_in, cp("2100000009", 2021, "100000009", dec!(2000))];
        let (c, r) = rec(lines, date(2021, 12, 31));
        assert_eq!(r.commitments[0].carried, dec!(12000));
        assert_eq!(
            carried(&c, &r),
            [(2021, "2100000009".into(), dec!(2000), dec!(10000))]
        );
    }

    #[test]
    fn open_ejs_at_the_end_are_those_of_ej_non_solde() {
        let (c, r) = rec(two_years(), date(2021, 7, 30));
        assert_eq!(closing(&c, &r).open_at_end, None);
        for as_of in [date(2021, 7, 31), date(2021, 12, 31)] {
            let (c, r) = rec(two_years(), as_of);
            let open: Vec<&str> = closing(&c, &r)
                .open_at_end
                .unwrap()
                .iter()
                .map(|&i| r.commitments[i].ej.as_str())
                .collect();
            assert_eq!(open, ["2100000001", "2100000003"], "{as_of}");
        }
        // After the end, the same EJs as the findings.
        let (c, r) = rec(two_years(), date(2021, 8, 1));
        let mut flagged: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.code == crate::reconcile::Code::EjNonSolde)
            .filter_map(|f| f.ej.clone())
            .collect();
        flagged.sort();
        let open: Vec<String> = closing(&c, &r)
            .open_at_end
            .unwrap()
            .iter()
            .map(|&i| r.commitments[i].ej.to_string())
            .collect();
        assert_eq!(open, flagged);
    }

    fn service_fait_line(input: u32, ej: &str, kind: ServiceFait, amount: Decimal) -> Reduction {
        Reduction {
            origin: Origin { input, row: 6 },
            year: 2020,
            date: None,
            ej: ej.into(),
            poste_ej: None,
            amount,
            service_fait: Some(kind),
        }
    }

    /// An input committing 30 000 on EJ 2100000001, CarbuRe.
    fn carbure_commitment(c: &Convention) -> InputResult {
        let mut input = InputResult::default();
        let mut line = ae("2100000001", 2020, dec!(30000));
        line.texte = Some("CarbuRe".into());
        input.judged.push(classify(line, four_axes(), c));
        (input.rows_in, input.ae_lines_in, input.ae_in) = (1, 1, dec!(30000));
        input
    }

    #[test]
    fn service_fait_comes_from_each_exercices_latest_extract_and_matches_no_payment() {
        let c = Convention::builtin();
        let commitments = carbure_commitment(&c);
        // November: 4 000 certified on EJ 1 (then paid); December: EJ 1 received twice
        // over, EJ 2 certified. Listed December first: the date decides, not the order.
        let mut december = InputResult {
            input: 1,
            extracted: Some(date(2020, 12, 31)),
            ..InputResult::default()
        };
        december.reductions = vec![
            service_fait_line(1, "2100000001", ServiceFait::Received, dec!(4000)),
            service_fait_line(1, "2100000001", ServiceFait::Received, dec!(6000)),
            service_fait_line(1, "2100000002", ServiceFait::CertifiedUnpaid, dec!(2500)),
        ];
        let mut november = InputResult {
            input: 2,
            extracted: Some(date(2020, 11, 30)),
            ..InputResult::default()
        };
        november.reductions = vec![service_fait_line(
            2,
            "2100000001",
            ServiceFait::CertifiedUnpaid,
            dec!(4000),
        )];
        let r = reconcile(
            &c,
            vec![commitments, december, november],
            date(2020, 12, 31),
        );
        let got: Vec<_> = closing(&c, &r)
            .service_fait
            .iter()
            .map(|s| (s.ej.to_string(), s.product, s.received, s.certified_unpaid))
            .collect();
        assert_eq!(
            got,
            [
                ("2100000001".into(), Some(1), Some(dec!(10000)), None),
                ("2100000002".into(), None, None, Some(dec!(2500))),
            ]
        );
        // Neither a reduction to match with payments nor AE or CP.
        assert!(
            r.findings
                .iter()
                .all(|f| f.code.as_str() != "REDUCTION_SANS_PAIEMENT")
        );
        assert_eq!(
            (r.totals.ae_consumed, r.totals.cp_consumed),
            (dec!(30000), dec!(0))
        );
        assert!(r.conservation.holds());
        // An exercice the closing does not cover shows nothing.
        let r = reconcile(&c, vec![InputResult::default()], date(2019, 12, 31));
        assert!(closing(&c, &r).service_fait.is_empty());
    }

    #[test]
    fn unused_credits_are_what_is_left_of_the_plan() {
        assert_eq!(unused(Some(dec!(80000)), dec!(70000)), Some(dec!(10000)));
        assert_eq!(unused(Some(dec!(80000)), dec!(85000)), Some(dec!(0)));
        assert_eq!(unused(None, dec!(5)), None);
    }
}
