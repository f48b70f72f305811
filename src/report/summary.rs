//! The JSON summary that scripts and cron jobs read, built from a run. Its types are
//! `model::summary`'s, the ones `--previous` reads back; key names are the contract
//! (`docs/contrat.md`). Amounts are strings with two decimals and a dot, never floats.

mod amendments;

use rust_decimal::Decimal;

use super::{Context, VERSION};
use crate::model::money::amount_text;
use crate::model::summary::{
    BySeverity, Conservation, ConventionRef, Decision, DeclarationJson, FORMAT_VERSION, Finding,
    Input, InputSkipped, JustificationJson, JustificationsJson, Lines, Movement2, Movements,
    MovementsOf, OrdersJson, Product, Projection, Summary, Tool, Totals, Track, Year,
};
use crate::reconcile::findings::{Justification, JustificationStatus};
use crate::reconcile::{self, Code, LineCounts, MovementCounts, Reconciliation, Severity};

/// Builds the summary of a run.
pub fn summary(ctx: &Context) -> Summary {
    let rec = &ctx.run.reconciliation;
    Summary {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "chorus-recon".into(),
            version: VERSION.into(),
        },
        convention: Some(ConventionRef {
            id: ctx.convention.id.clone(),
            sha256: ctx.convention.sha256.clone(),
            source: ctx.convention.origin.clone(),
        }),
        as_of: rec.as_of,
        status: rec.status().as_str().into(),
        inputs: inputs(ctx),
        inputs_skipped: rec
            .ignored_files
            .iter()
            .map(|f| InputSkipped {
                path: f.path.clone(),
                reason: f.reason.clone(),
            })
            .collect(),
        lines: lines(rec.counts),
        movements: Movements {
            ae: movements(rec.counts.ae),
            cp: movements(rec.counts.cp),
        },
        totals: totals(&rec.totals),
        products: products(ctx),
        amendments: amendments::amendments(ctx),
        provisions: amendments::provisions(ctx),
        out_of_scope_grouped: rec.out_of_scope_grouped,
        out_of_scope_groups: rec.out_of_scope_groups.len(),
        findings: rec.findings.iter().map(|f| finding(ctx, f)).collect(),
        resolved: rec.resolved.clone(),
        findings_by_severity: BySeverity {
            error: rec.count(Severity::Error),
            warning: rec.count(Severity::Warning),
            info: rec.count(Severity::Info),
        },
        justifications: justifications(rec),
        declaration: declaration(rec),
        orders: orders(rec),
        conservation: conservation(&rec.conservation),
    }
}

fn lines(c: LineCounts) -> Lines {
    Lines {
        read: c.read,
        in_scope: c.in_scope,
        out_of_scope: c.out_of_scope,
        rejected: c.rejected,
        duplicates: c.duplicates,
        replaced: c.replaced,
    }
}

fn movements(c: MovementCounts) -> MovementsOf {
    MovementsOf {
        read: c.read,
        in_scope: c.in_scope,
        out_of_scope: c.out_of_scope,
        duplicates: c.duplicates,
        replaced: c.replaced,
    }
}

fn totals(t: &reconcile::Totals) -> Totals {
    Totals {
        ae_allocated: amount_text(t.ae_allocated),
        ae_consumed: amount_text(t.ae_consumed),
        ae_available: amount_text(t.ae_available()),
        cp_allocated: amount_text(t.cp_allocated),
        cp_consumed: amount_text(t.cp_consumed),
        cp_available: amount_text(t.cp_available()),
        remaining_to_pay: amount_text(t.remaining_to_pay),
    }
}

/// Per product of the convention, per year: planned (a blank is "0.00") and consumed.
fn products(ctx: &Context) -> Vec<Product> {
    let amount = |a: Option<Decimal>| amount_text(a.unwrap_or(Decimal::ZERO));
    let rec = &ctx.run.reconciliation;
    rec.products
        .iter()
        .map(|p| {
            let product = &ctx.convention.products[p.product];
            Product {
                id: product.id.clone(),
                name: product.name.clone(),
                years: p
                    .years
                    .iter()
                    .map(|y| Year {
                        year: y.year,
                        ae_planned: amount(y.ae_planned),
                        ae_consumed: amount_text(y.ae_consumed),
                        cp_planned: amount(y.cp_planned),
                        cp_consumed: amount_text(y.cp_consumed),
                        projection: projection(&rec.outlook, p.product, y.year),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A year's outlook, if the year is one of the convention's.
fn projection(outlook: &reconcile::Outlook, product: usize, year: i32) -> Option<Projection> {
    let y = outlook
        .years
        .iter()
        .find(|y| y.product == product && y.year == year)?;
    let unused = |p: &reconcile::forecast::Projection| {
        p.projected
            .map(|_| amount_text(p.unused().unwrap_or(Decimal::ZERO)))
    };
    Some(Projection {
        source: y.source.as_str().to_string(),
        ae_forecast: y.ae.forecast.map(amount_text),
        cp_forecast: y.cp.forecast.map(amount_text),
        ae: y.ae.projected.map(amount_text),
        cp: y.cp.projected.map(amount_text),
        unused_ae: unused(&y.ae),
        unused_cp: unused(&y.cp),
    })
}

fn conservation(c: &reconcile::Conservation) -> Conservation {
    Conservation {
        holds: c.holds(),
        rows_in: c.rows_in,
        rows_out: c.rows_out,
        movements_in: Movement2 {
            ae: c.movements_in[0],
            cp: c.movements_in[1],
        },
        movements_out: Movement2 {
            ae: c.movements_out[0],
            cp: c.movements_out[1],
        },
        ae_in: amount_text(c.ae_in),
        ae_out: amount_text(c.ae_out),
        cp_in: amount_text(c.cp_in),
        cp_out: amount_text(c.cp_out),
    }
}

fn inputs(ctx: &Context) -> Vec<Input> {
    let rec = &ctx.run.reconciliation;
    ctx.run
        .inputs
        .iter()
        .zip(&rec.input_counts)
        .map(|(i, c)| Input {
            path: i.source.display.clone(),
            sheet: i.source.sheet.clone(),
            sha256: i.sha256.clone(),
            size: i.source.size,
            layout: i.source.layout.clone(),
            encoding: i.source.encoding.into(),
            separator: i.source.separator.clone(),
            header_row: i.source.header_row,
            measure: i.source.measure.label().into(),
            axes: i.checked_axes.iter().map(|a| a.label().into()).collect(),
            rows: c.read,
            in_scope: c.in_scope,
            out_of_scope: c.out_of_scope,
            rejected: c.rejected,
            duplicates: c.duplicates,
            replaced: c.replaced,
            extracted: i.extracted.map(|(d, _)| d),
            extracted_from: i.extracted.map(|(_, from)| from.key().into()),
            skipped: i.skipped.clone(),
            raw_rows: i.data_rows + i.skipped_total,
            rejected_unlisted: i.rejections_omitted,
            notes: i.notes.clone(),
        })
        .collect()
}

/// A finding as a run on `ctx` writes it: [`bare_finding`] with its file and sheet (from
/// the run's inputs), its product's id and its age on the situation date.
pub(super) fn finding(ctx: &Context, f: &reconcile::Finding) -> Finding {
    Finding {
        file: f
            .origin
            .map(|o| o.input)
            .or(f.input)
            .map(|i| ctx.input_path(i).to_string())
            .or_else(|| f.path.clone()),
        sheet: f
            .origin
            .and_then(|o| ctx.input_sheet(o.input))
            .map(str::to_string),
        product: f.product.map(|p| ctx.convention.products[p].id.clone()),
        age_months: f
            .follow_up
            .map(|u| u.age_months(ctx.run.reconciliation.as_of)),
        ..bare_finding(f)
    }
}

/// A finding written from what it carries alone: no file, sheet, product or age (those
/// need the run's inputs and convention).
pub(super) fn bare_finding(f: &reconcile::Finding) -> Finding {
    Finding {
        code: f.code.as_str().into(),
        severity: f.severity,
        message: f.message.clone(),
        file: None,
        sheet: None,
        row: f.origin.map(|o| o.row),
        ej: f.ej.clone(),
        amount: f.amount.map(amount_text),
        product: None,
        year: f.year,
        key: f.key.clone(),
        follow_up: f
            .follow_up
            .map(|u| if u.is_new { Track::New } else { Track::Open }),
        first_seen: f.follow_up.map(|u| u.first_seen),
        age_months: None,
        justification: f.justification.as_ref().map(justification),
    }
}

fn justification(j: &Justification) -> JustificationJson {
    JustificationJson {
        status: match j.status {
            JustificationStatus::Accepted => Decision::Accepted,
            JustificationStatus::ToFollow => Decision::ToFollow,
        },
        comment: j.comment.clone(),
        author: j.author.clone(),
        date: j.date,
        row: j.row,
    }
}

/// With `--declare`: the declared report, compared.
fn declaration(rec: &Reconciliation) -> Option<DeclarationJson> {
    let c = rec.declared.as_ref()?;
    let sum = |f: fn(&reconcile::declared::Compared) -> Decimal| {
        amount_text(c.rows.iter().map(f).sum::<Decimal>())
    };
    Some(DeclarationJson {
        file: c.file.clone(),
        rows: c.rows_read,
        rows_other_convention: c.other_convention,
        tolerance: amount_text(c.tolerance),
        periods_compared: c.rows.len(),
        periods_with_gap: c.rows.iter().filter(|r| !c.gaps(r).is_empty()).count(),
        periods_within_tolerance: c.within_tolerance(),
        ae_declared: sum(|r| r.declared.ae),
        ae_chorus: sum(|r| r.chorus.ae),
        cp_declared: sum(|r| r.declared.cp),
        cp_chorus: sum(|r| r.chorus.cp),
    })
}

/// With `--commandes`: the matching in figures.
fn orders(rec: &Reconciliation) -> Option<OrdersJson> {
    use crate::reconcile::orders::How;
    let r = rec.orders.as_ref()?;
    let m = &r.matched;
    let matched_by = |how: How| {
        (m.group_of_order.iter().flatten())
            .filter(|&&g| m.groups[g].how == how)
            .count()
    };
    let matched_rows = r.breakdown.iter().filter(|b| !b.without_order);
    let (ae, cp) = matched_rows.fold((Decimal::ZERO, Decimal::ZERO), |(ae, cp), b| {
        (ae + b.ae, cp + b.cp)
    });
    Some(OrdersJson {
        file: r.file.clone(),
        orders: r.orders.len(),
        matched_by_ej: matched_by(How::EjNumber),
        matched_by_supplier: matched_by(How::SupplierAmountDate),
        without_ej: m.group_of_order.iter().filter(|g| g.is_none()).count(),
        ejs_without_order: r.unmatched_ejs.len(),
        amount_gaps: m.groups.iter().filter(|g| r.gap_beyond(g)).count(),
        ordered: amount_text(r.orders.iter().map(|o| o.amount).sum()),
        ae_matched: amount_text(ae),
        cp_matched: amount_text(cp),
    })
}

/// With `--justifications`: the file and what became of its justifications.
fn justifications(rec: &Reconciliation) -> Option<JustificationsJson> {
    let file = rec.justifications.as_ref()?;
    let coded = |code: Code| rec.findings.iter().filter(|f| f.code == code).count();
    let to_follow = (rec.findings.iter())
        .filter(|f| {
            f.justification
                .as_ref()
                .is_some_and(|j| j.status == JustificationStatus::ToFollow)
        })
        .count();
    Some(JustificationsJson {
        file: file.file.clone(),
        rows: file.rows,
        accepted: BySeverity {
            error: rec.accepted(Severity::Error),
            warning: rec.accepted(Severity::Warning),
            info: rec.accepted(Severity::Info),
        },
        to_follow,
        obsolete: coded(Code::JustificationObsolete),
        unknown: coded(Code::JustificationInconnue),
    })
}

/// Writes the summary as pretty JSON, ending with a newline.
pub fn write_json(ctx: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_pretty(&summary(ctx), out)
}

/// The summary as pretty JSON, ending with a newline.
pub fn to_json(ctx: &Context) -> Vec<u8> {
    pretty_bytes(&summary(ctx))
}

/// Writes a summary (a run's or a portfolio's) as pretty JSON, ending with a newline.
pub(super) fn write_pretty(
    value: &impl serde::Serialize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// A summary (a run's or a portfolio's) as pretty JSON, ending with a newline.
pub(super) fn pretty_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_pretty(value, &mut bytes).expect("the summary serialises");
    bytes
}
