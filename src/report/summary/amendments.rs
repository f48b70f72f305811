//! The summary's `amendments` and `provisions`, from the convention and the timeline.

use crate::model::money::amount_text;
use crate::model::summary::{AmendedLine, Amendment, Overrun, Provisions, Tranche};
use crate::report::Context;

/// Each avenant: its date, reference, whether it is in force on `as_of`, what it sets.
pub(super) fn amendments(ctx: &Context) -> Vec<Amendment> {
    let c = ctx.convention;
    let as_of = ctx.run.reconciliation.as_of;
    let id = |p: &usize| c.products.get(*p).map(|p| p.id.clone()).unwrap_or_default();
    (c.amendments.iter())
        .map(|a| Amendment {
            date: Some(a.date),
            reference: a.reference.clone(),
            in_force: a.date <= as_of,
            end: a.end,
            schedule: (a.schedule.iter())
                .map(|s| AmendedLine {
                    product: id(&s.product),
                    year: s.year,
                    ae: s.ae.map(amount_text),
                    cp: s.cp.map(amount_text),
                })
                .collect(),
            products_added: a.products_added.iter().map(id).collect(),
            products_replaced: a.products_replaced.iter().map(id).collect(),
        })
        .collect()
}

/// The credits made available on `as_of`, each tranche and each overrun; `None` without
/// `[[mise_a_disposition]]`.
pub(super) fn provisions(ctx: &Context) -> Option<Provisions> {
    let rec = &ctx.run.reconciliation;
    let (ae, cp) = ctx.convention.made_available(rec.as_of)?;
    let timeline = &rec.provisions;
    Some(Provisions {
        ae_made_available: amount_text(ae),
        cp_made_available: amount_text(cp),
        tranches: (timeline.tranches.iter())
            .map(|t| Tranche {
                date: Some(t.date),
                reference: t.reference.clone(),
                ae: amount_text(t.ae),
                cp: amount_text(t.cp),
                ae_made_available: amount_text(t.ae_made_available),
                cp_made_available: amount_text(t.cp_made_available),
                ae_consumed: amount_text(t.ae_consumed),
                cp_consumed: amount_text(t.cp_consumed),
            })
            .collect(),
        overruns: (timeline.overruns.iter())
            .map(|o| Overrun {
                measure: o.measure.label().into(),
                from: Some(o.from),
                until: o.until,
                amount: amount_text(o.amount),
                key: o.key(),
            })
            .collect(),
    })
}
