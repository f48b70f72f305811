//! Rules on the sums against the convention: payments above commitments, ceilings, the
//! schedule, credits left unused, EJs still open after the convention's end.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::convention::Convention;
use crate::model::Measure;
use crate::model::money::euros;
use crate::reconcile::Reconciliation;
use crate::reconcile::findings::{Code, Finding, Target};

pub(super) fn payments_above_commitments(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for c in &rec.commitments {
        if !c.has_ae && c.carried.is_zero() {
            // No extract commits this EJ: nothing to compare its payments with.
            let first = rec.lines.get(c.first_line);
            let year = first.map(|l| l.judged.line.year);
            out.push(Finding {
                origin: first.map(|l| l.judged.line.origin),
                ej: Some(c.ej.to_string()),
                amount: Some(c.cp),
                product: c.product,
                target: Some(Target::Line(c.first_line)),
                ..Finding::new(
                    Code::EjSansAe,
                    format!(
                        "L'EJ {} est payé ({}) mais aucun extrait d'engagements ne le porte : les paiements ne peuvent être comparés aux AE. Ajoutez l'extrait des engagements de l'année de création de l'EJ{} (ou de l'exercice {} s'il a été reporté).",
                        c.ej,
                        euros(c.cp),
                        year.map(|y| format!(" (au plus tard {y})")).unwrap_or_default(),
                        year.map(|y| y.to_string()).unwrap_or_else(|| "du paiement".into())
                    ),
                )
            });
            continue;
        }
        let committed = c.ae_net + c.carried;
        if c.cp > committed {
            let first = rec.lines.get(c.first_line);
            out.push(Finding {
                origin: first.map(|l| l.judged.line.origin),
                ej: Some(c.ej.to_string()),
                amount: Some(c.cp - committed),
                product: c.product,
                target: Some(Target::Line(c.first_line)),
                ..Finding::new(
                    Code::CpSuperieurAe,
                    format!(
                        "Sur l'EJ {}, les paiements ({}) dépassent les engagements nets{} ({}) de {}. Vérifiez qu'il manque un extrait d'AE ou faites régulariser l'EJ.",
                        c.ej,
                        euros(c.cp),
                        if c.carried.is_zero() { "" } else { ", report des années antérieures compris," },
                        euros(committed),
                        euros(c.cp - committed)
                    ),
                )
            });
        }
    }
}

pub(super) fn ceilings(rec: &Reconciliation, out: &mut Vec<Finding>) {
    let t = &rec.totals;
    // Against the schedule: running ahead of the credits made available is
    // `DEPASSEMENT_MISE_A_DISPOSITION`, not a ceiling.
    let ae_for_ceiling = t.ae_allocated - t.ae_left();
    if t.ae_left() < Decimal::ZERO {
        out.push(Finding {
            amount: Some(ae_for_ceiling - t.ae_allocated),
            ..Finding::new(
                Code::PlafondAeDepasse,
                format!(
                    "Les AE consommées ({}){} dépassent les AE allouées ({}) de {} (art. 5 : la somme des engagements ne peut dépasser le montant alloué). Le délégataire doit en informer le délégant sans délai.",
                    euros(t.ae_consumed),
                    if t.earlier_year_withdrawals.is_zero() {
                        String::new()
                    } else {
                        format!(
                            ", augmentées des retraits sur des EJ d'années antérieures qui ne libèrent pas d'AE ({}), soit {},",
                            euros(t.earlier_year_withdrawals),
                            euros(ae_for_ceiling)
                        )
                    },
                    euros(t.ae_allocated),
                    euros(ae_for_ceiling - t.ae_allocated)
                ),
            )
        });
    }
    if t.cp_consumed > t.cp_allocated {
        out.push(Finding {
            amount: Some(t.cp_consumed - t.cp_allocated),
            ..Finding::new(
                Code::PlafondCpDepasse,
                format!(
                    "Les CP consommés ({}) dépassent les CP alloués ({}) de {}. Le délégataire doit en informer le délégant sans délai.",
                    euros(t.cp_consumed), euros(t.cp_allocated), euros(t.cp_consumed - t.cp_allocated)
                ),
            )
        });
    }
}

pub(super) fn schedule(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    for p in &rec.products {
        let name = &c.products[p.product].name;
        for y in &p.years {
            for (measure, kind, planned, consumed) in [
                (Measure::Ae, "AE consommées", y.ae_planned, y.ae_consumed),
                (Measure::Cp, "CP consommés", y.cp_planned, y.cp_consumed),
            ] {
                let limit = planned.unwrap_or(Decimal::ZERO);
                if consumed > limit {
                    let planned_text = match planned {
                        Some(p) => format!("l'échéancier indicatif prévoit {}", euros(p)),
                        None => "l'échéancier ne prévoit rien pour cette année".to_string(),
                    };
                    out.push(Finding {
                        amount: Some(consumed - limit),
                        product: Some(p.product),
                        year: Some(y.year),
                        measure: Some(measure),
                        ..Finding::new(
                            Code::EcheancierDepasse,
                            format!(
                                "{name} {} : {kind} {} alors que {planned_text} (dépassement {}). L'échéancier est indicatif : à signaler au délégant.",
                                y.year, euros(consumed), euros(consumed - limit)
                            ),
                        )
                    });
                }
            }
        }
    }
}

/// Annuality (LOLF art. 15): for each exercice closed on `--as-of`, the AE and CP of that
/// year's schedule not consumed, per product; after the convention's end, what is left of
/// the allocation.
pub(super) fn unused_credits(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    unused_by_year(c, rec, out);
    if c.is_ended(rec.as_of) {
        unused_after_end(c, rec, out);
    }
}

/// For each product and exercice closed on `--as-of`, the AE and CP of its schedule not
/// consumed.
fn unused_by_year(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    for p in &rec.products {
        let name = &c.products[p.product].name;
        for y in &p.years {
            let closed = NaiveDate::from_ymd_opt(y.year, 12, 31).is_some_and(|d| rec.as_of >= d);
            if !closed {
                continue;
            }
            for (measure, what, planned, consumed) in [
                (
                    Measure::Ae,
                    "d'AE non consommées sur {} prévues",
                    y.ae_planned,
                    y.ae_consumed,
                ),
                (
                    Measure::Cp,
                    "de CP non consommés sur {} prévus",
                    y.cp_planned,
                    y.cp_consumed,
                ),
            ] {
                let Some(planned) = planned.filter(|p| *p > consumed) else {
                    continue;
                };
                out.push(Finding {
                    amount: Some(planned - consumed),
                    product: Some(p.product),
                    year: Some(y.year),
                    measure: Some(measure),
                    ..Finding::new(
                        Code::CreditsNonConsommes,
                        format!(
                            "{name}, exercice {} clos : {} {} à l'échéancier. Les crédits d'une année ne donnent aucun droit l'année suivante (LOLF art. 15) : à signaler au délégant.",
                            y.year,
                            euros(planned - consumed),
                            what.replace("{}", &euros(planned))
                        ),
                    )
                });
            }
        }
    }
}

/// After the convention's end, the AE and CP of the allocation not consumed.
fn unused_after_end(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    let t = &rec.totals;
    for (measure, what, allocated, available) in [
        (
            Measure::Ae,
            "d'AE non consommées sur {} allouées",
            t.ae_allocated,
            t.ae_left(),
        ),
        (
            Measure::Cp,
            "de CP non consommés sur {} alloués",
            t.cp_allocated,
            t.cp_left(),
        ),
    ] {
        if available > Decimal::ZERO {
            out.push(Finding {
                amount: Some(available),
                measure: Some(measure),
                ..Finding::new(
                    Code::CreditsNonConsommes,
                    format!(
                        "Convention échue le {} : {} {}. Le délégataire doit en informer le délégant (art. 5).",
                        c.end.format("%d/%m/%Y"),
                        euros(available),
                        what.replace("{}", &euros(allocated))
                    ),
                )
            });
        }
    }
}

/// After the convention's end, an EJ still holding a reste à payer can no longer be paid
/// under it (art. 7).
pub(super) fn open_after_end(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    if !c.is_ended(rec.as_of) {
        return;
    }
    for commitment in rec
        .commitments
        .iter()
        .filter(|e| e.remaining > Decimal::ZERO)
    {
        let first = rec.lines.get(commitment.first_line);
        out.push(Finding {
            origin: first.map(|l| l.judged.line.origin),
            ej: Some(commitment.ej.to_string()),
            amount: Some(commitment.remaining),
            product: commitment.product,
            target: Some(Target::Line(commitment.first_line)),
            ..Finding::new(
                Code::EjNonSolde,
                format!(
                    "L'EJ {}{} garde un reste à payer de {} après la fin de la convention ({}){} : il ne peut plus être payé au titre de la convention (art. 7). Soldez-le, signez un avenant ou rendez-le au délégant.",
                    commitment.ej,
                    commitment
                        .supplier
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default(),
                    euros(commitment.remaining),
                    c.end.format("%d/%m/%Y"),
                    commitment
                        .last_movement
                        .map(|d| format!(", dernier mouvement le {}", d.format("%d/%m/%Y")))
                        .unwrap_or_default()
                ),
            )
        });
    }
}
