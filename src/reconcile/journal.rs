//! The journal des pièces' reductions (amount types 0200, 0210, 0500). In SAP FM a
//! reduction is the open amount of a commitment consumed by its follow-on document, the
//! payment: the AE stay consumed, so it is neither AE nor CP. A reduction that no payment
//! of its EJ poste covers may instead be a manual closing of the commitment, which does
//! release AE: the accountant decides, so it is shown (`REDUCTION_SANS_PAIEMENT`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::findings::{Code, Finding};
use super::{InputResult, Reconciliation};
use crate::model::money::euros;
use crate::model::{Measure, Origin, Reduction};

/// The reductions of every input, in input and row order. Within one input they add up;
/// the same reduction in several inputs (overlapping weekly journals) counts once: as many
/// times as the input that holds it most often.
pub(super) fn reductions(inputs: &[InputResult]) -> Vec<Reduction> {
    type Key<'a> = (
        &'a str,
        Option<&'a str>,
        i32,
        Option<chrono::NaiveDate>,
        Decimal,
    );
    let mut kept: BTreeMap<Key, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for input in inputs {
        let mut seen: BTreeMap<Key, usize> = BTreeMap::new();
        for r in &input.reductions {
            if r.service_fait.is_some() {
                // A state of the books, not a movement: the closing keeps each exercice's
                // latest extract (`closing::service_fait`).
                out.push(r.clone());
                continue;
            }
            let key = (
                r.ej.as_str(),
                r.poste_ej.as_deref(),
                r.year,
                r.date,
                r.amount,
            );
            let n = seen.entry(key).or_default();
            *n += 1;
            let k = kept.entry(key).or_default();
            if *n > *k {
                *k = *n;
                out.push(r.clone());
            }
        }
    }
    out
}

/// Reductions and payments of one EJ poste (`None`: the EJ as a whole, when a payment or
/// a reduction does not name its poste).
#[derive(Default)]
struct Poste {
    /// Σ of the reductions, as consumed (the opposite of their signed amounts).
    reduced: Decimal,
    paid: Decimal,
    first: Option<(Origin, i32)>,
}

/// `REDUCTION_SANS_PAIEMENT` for each EJ poste whose reductions exceed its payments.
pub(super) fn findings(rec: &Reconciliation) -> Vec<Finding> {
    if rec.reductions.is_empty() {
        return Vec::new();
    }
    // EJ -> poste -> sums; an EJ with a payment or a reduction without poste is judged whole.
    let mut by_ej: BTreeMap<&str, BTreeMap<Option<&str>, Poste>> = BTreeMap::new();
    for r in rec.reductions.iter().filter(|r| r.service_fait.is_none()) {
        let p = by_ej
            .entry(r.ej.as_str())
            .or_default()
            .entry(r.poste_ej.as_deref())
            .or_default();
        p.reduced -= r.amount;
        p.first = p.first.or(Some((r.origin, r.year)));
    }
    for line in rec.lines.iter().map(|l| &l.judged.line) {
        let (Measure::Cp, Some(ej)) = (line.measure, line.ej.as_deref()) else {
            continue;
        };
        if let Some(postes) = by_ej.get_mut(ej) {
            postes.entry(line.poste_ej.as_deref()).or_default().paid += line.amount;
        }
    }
    let mut out = Vec::new();
    for (ej, mut postes) in by_ej {
        if postes.contains_key(&None) && postes.len() > 1 {
            let mut whole = Poste::default();
            for p in postes.values() {
                whole.reduced += p.reduced;
                whole.paid += p.paid;
                whole.first = match (whole.first, p.first) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            postes = BTreeMap::from([(None, whole)]);
        }
        for (poste, p) in postes {
            if p.reduced > p.paid
                && let Some((origin, year)) = p.first
            {
                out.push(finding(rec, ej, poste, &p, origin, year));
            }
        }
    }
    out
}

fn finding(
    rec: &Reconciliation,
    ej: &str,
    poste: Option<&str>,
    p: &Poste,
    origin: Origin,
    year: i32,
) -> Finding {
    let gap = p.reduced - p.paid;
    let which = match poste {
        Some(poste) => format!("l'EJ {ej} poste {poste}"),
        None => format!("l'EJ {ej}"),
    };
    let product = rec
        .commitments
        .iter()
        .find(|c| c.ej == ej)
        .and_then(|c| c.product);
    Finding {
        origin: Some(origin),
        ej: Some(ej.to_string()),
        amount: Some(gap),
        product,
        year: Some(year),
        key: format!(
            "{}:ej={ej}|poste={}",
            Code::ReductionSansPaiement.as_str(),
            poste.unwrap_or("")
        ),
        ..Finding::new(
            Code::ReductionSansPaiement,
            format!(
                "Sur {which}, les réductions du journal des pièces ({}) dépassent les paiements de ce poste présents dans les extraits ({}) de {}. Une réduction est d'ordinaire l'engagement consommé par son paiement, sans effet sur les AE ; sans paiement en face, ce peut être une clôture manuelle de l'engagement, qui libère des AE ({} au plus). Vérifiez dans Chorus ou ajoutez l'extrait des paiements manquant : au comptable de décider.",
                euros(p.reduced),
                euros(p.paid),
                euros(gap),
                euros(gap)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::convention::Convention;
    use crate::model::{Line, four_axes, sample_line};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn reduction(input: u32, row: u64, poste: Option<&str>, amount: Decimal) -> Reduction {
        Reduction {
            origin: Origin { input, row },
            year: 2020,
            date: NaiveDate::from_ymd_opt(2020, 6, 1),
            ej: "2100000001".into(),
            poste_ej: poste.map(Into::into),
            amount,
            service_fait: None,
        }
    }

    fn payment(poste: Option<&str>, amount: Decimal) -> Line {
        Line {
            measure: Measure::Cp,
            ej: Some("2100000001".into()),
            dp: Some("100000001".into()),
            poste_ej: poste.map(Into::into),
            amount,
            ..sample_line()
        }
    }

    fn run(reductions: Vec<Reduction>, lines: Vec<Line>) -> Vec<Finding> {
        let c = Convention::builtin();
        let mut input = InputResult {
            reductions,
            ..InputResult::default()
        };
        for (row, mut l) in lines.into_iter().enumerate() {
            l.origin = Origin {
                input: 0,
                row: row as u64 + 100,
            };
            match l.measure {
                Measure::Ae => input.ae_in += l.amount,
                Measure::Cp => input.cp_in += l.amount,
            }
            input.judged.push(classify(l, four_axes(), &c));
        }
        let rec = super::super::reconcile(
            &c,
            vec![input],
            NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
        );
        rec.findings
            .into_iter()
            .filter(|f| f.code == Code::ReductionSansPaiement)
            .collect()
    }

    #[test]
    fn a_reduction_covered_by_the_payments_of_its_poste_is_no_finding() {
        // (reductions, payments) of poste 1 -> uncovered amount
        let cases: [(&[Decimal], &[Decimal], Option<Decimal>); 5] = [
            (&[dec!(-25000)], &[dec!(25000)], None),
            (&[dec!(-25000)], &[dec!(30000)], None),
            (
                &[dec!(-1000), dec!(-12000)],
                &[dec!(12000)],
                Some(dec!(1000)),
            ),
            (&[dec!(-500)], &[], Some(dec!(500))),
            // A positive reduction (a reversal) consumes nothing.
            (&[dec!(300)], &[], None),
        ];
        for (reductions, payments, expected) in cases {
            let found = run(
                reductions
                    .iter()
                    .enumerate()
                    .map(|(i, a)| reduction(0, i as u64 + 2, Some("1"), *a))
                    .collect(),
                payments.iter().map(|a| payment(Some("1"), *a)).collect(),
            );
            assert_eq!(
                found.first().and_then(|f| f.amount),
                expected,
                "{reductions:?} / {payments:?}"
            );
            if expected.is_some() {
                let f = &found[0];
                assert_eq!(f.key, "REDUCTION_SANS_PAIEMENT:ej=2100000001|poste=1");
                assert_eq!(f.origin, Some(Origin { input: 0, row: 2 }));
                assert_eq!(f.severity, crate::reconcile::Severity::Warning);
                assert!(f.message.contains("clôture manuelle"), "{}", f.message);
            }
        }
    }

    #[test]
    fn postes_are_judged_apart_unless_a_payment_names_none() {
        // Poste 2's reduction is not covered by poste 1's payment.
        let found = run(
            vec![reduction(0, 2, Some("2"), dec!(-400))],
            vec![payment(Some("1"), dec!(400))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].key,
            "REDUCTION_SANS_PAIEMENT:ej=2100000001|poste=2"
        );
        // A payment without poste covers the EJ as a whole.
        let found = run(
            vec![reduction(0, 2, Some("2"), dec!(-400))],
            vec![payment(None, dec!(400))],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_same_reduction_in_two_inputs_counts_once() {
        let a = InputResult {
            input: 0,
            reductions: vec![
                reduction(0, 2, Some("1"), dec!(-10)),
                reduction(0, 3, Some("1"), dec!(-10)),
            ],
            ..InputResult::default()
        };
        let b = InputResult {
            input: 1,
            reductions: vec![
                reduction(1, 2, Some("1"), dec!(-10)),
                reduction(1, 3, Some("1"), dec!(-20)),
            ],
            ..InputResult::default()
        };
        let kept: Vec<(u32, u64)> = reductions(&[a, b])
            .iter()
            .map(|r| (r.origin.input, r.origin.row))
            .collect();
        assert_eq!(kept, [(0, 2), (0, 3), (1, 3)]);
    }
}
