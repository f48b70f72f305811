//! The sheets of sums: `Échéancier` (planned vs consumed per product and year) and
//! `Engagements` (per EJ); `Mensuel` has its own module (`monthly`). Totals are Decimal sums
//! made here and written as values, so they match the JSON summary to the cent.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::forecast;
use super::grid::Cell;
use super::table::Table;
use crate::reconcile::forecast::YearOutlook;
use crate::report::Context;

const SCHEDULE_CAPTION: &str = "Crédits prévus par la convention et consommés, par produit et \
     par année, en AE et en CP ; puis la projection à la fin de l'exercice (sa source, les \
     prévisions du délégataire, la projection et son écart à l'échéancier).";

const SCHEDULE_HEADERS: [&str; 17] = [
    "Produit",
    "Année",
    "AE prévues",
    "AE consommées",
    "Écart AE",
    "Taux AE",
    "CP prévus",
    "CP consommés",
    "Écart CP",
    "Taux CP",
    forecast::HEADERS[0],
    forecast::HEADERS[1],
    forecast::HEADERS[2],
    forecast::HEADERS[3],
    forecast::HEADERS[4],
    forecast::HEADERS[5],
    forecast::HEADERS[6],
];

/// One measure of one row: a blank plan stays blank, and so do its gap and rate.
fn measure_cells<'a>(planned: Option<Decimal>, consumed: Decimal) -> [Cell<'a>; 4] {
    [
        Cell::opt_amount(planned),
        Cell::Amount(consumed),
        Cell::opt_amount(planned.map(|p| consumed - p)),
        Cell::rate(consumed, planned),
    ]
}

/// Sums of one measure; `planned` stays `None` while no row had a plan.
#[derive(Default)]
pub struct Sum {
    pub planned: Option<Decimal>,
    pub consumed: Decimal,
}

impl Sum {
    fn add(&mut self, planned: Option<Decimal>, consumed: Decimal) {
        if let Some(p) = planned {
            *self.planned.get_or_insert(Decimal::ZERO) += p;
        }
        self.consumed += consumed;
    }
}

/// One row of the schedule: a product (or « Non attribué ») and a year, planned and
/// consumed, for AE and CP.
pub struct ScheduleRow<'a> {
    pub product: &'a str,
    pub year: i32,
    pub ae: (Option<Decimal>, Decimal),
    pub cp: (Option<Decimal>, Decimal),
    /// The year's outlook (`None`: a year outside the convention, unattributed lines).
    pub outlook: Option<&'a YearOutlook>,
}

/// The schedule per product and year, in the convention's order, then the lines attributed
/// to no product: `Échéancier` and the chart of `Synthèse` show the same rows.
pub fn schedule_rows<'a>(ctx: &'a Context) -> Vec<ScheduleRow<'a>> {
    let rec = &ctx.run.reconciliation;
    let mut rows: Vec<ScheduleRow> = rec
        .products
        .iter()
        .flat_map(|p| {
            let name = ctx.product_name(Some(p.product));
            p.years.iter().map(move |y| ScheduleRow {
                product: name,
                year: y.year,
                ae: (y.ae_planned, y.ae_consumed),
                cp: (y.cp_planned, y.cp_consumed),
                outlook: (rec.outlook.years.iter())
                    .find(|o| o.product == p.product && o.year == y.year),
            })
        })
        .collect();
    // Lines attributed to no product consume credits too: without these rows the total
    // would not match the key figures of `Synthèse`.
    let mut unattributed: BTreeMap<i32, (Decimal, Decimal)> = BTreeMap::new();
    for l in rec.lines.iter().filter(|l| l.product.is_none()) {
        let e = unattributed.entry(l.judged.line.year).or_default();
        e.0 += l.judged.line.ae();
        e.1 += l.judged.line.cp();
    }
    rows.extend(
        unattributed
            .into_iter()
            .map(|(year, (ae, cp))| ScheduleRow {
                product: ctx.product_name(None),
                year,
                ae: (None, ae),
                cp: (None, cp),
                outlook: None,
            }),
    );
    rows
}

/// The sums of the schedule's rows: planned stays `None` while no row had a plan.
pub fn schedule_sums(rows: &[ScheduleRow]) -> (Sum, Sum) {
    let (mut ae, mut cp) = (Sum::default(), Sum::default());
    for r in rows {
        ae.add(r.ae.0, r.ae.1);
        cp.add(r.cp.0, r.cp.1);
    }
    (ae, cp)
}

/// `Échéancier`: planned and consumed per product and year, and their total.
pub fn echeancier<'a>(ctx: &'a Context) -> Table<'a> {
    let rows = schedule_rows(ctx);
    let (ae, cp) = schedule_sums(&rows);
    let mut total = vec![Cell::text("Total"), Cell::Empty];
    total.extend(measure_cells(ae.planned, ae.consumed));
    total.extend(measure_cells(cp.planned, cp.consumed));
    total.extend(forecast::total(&rows));
    Table::new(
        "Échéancier",
        SCHEDULE_CAPTION,
        &SCHEDULE_HEADERS,
        rows.len(),
        move |i| {
            let r = &rows[i];
            let mut cells = vec![Cell::text(r.product), Cell::ordinal(r.year)];
            cells.extend(measure_cells(r.ae.0, r.ae.1));
            cells.extend(measure_cells(r.cp.0, r.cp.1));
            cells.extend(forecast::cells(r.outlook));
            cells
        },
    )
    .identified_by(2)
    .with_total(total)
}

const COMMITMENT_HEADERS: [&str; 8] = [
    "N° EJ",
    "Produit",
    "Fournisseur",
    "AE nettes",
    "Report des années antérieures",
    "CP",
    "Reste à payer",
    "Nombre de lignes",
];

/// What remains to pay on an EJ: an overpaid one (CP > AE, its own finding) leaves
/// nothing to pay, and does not lower what remains on the others: the column sums to the
/// `Synthèse` figure.
fn remaining(r: Decimal) -> Decimal {
    r.max(Decimal::ZERO)
}

pub fn engagements<'a>(ctx: &'a Context) -> Table<'a> {
    let commitments = &ctx.run.reconciliation.commitments;
    let mut sums = (
        Decimal::ZERO,
        Decimal::ZERO,
        Decimal::ZERO,
        0usize,
        Decimal::ZERO,
    );
    for c in commitments {
        sums.0 += c.ae_net;
        sums.1 += c.cp;
        sums.2 += remaining(c.remaining);
        sums.3 += c.lines;
        sums.4 += c.carried;
    }
    Table::new(
        "Engagements",
        "Engagements juridiques (EJ) du périmètre, un par ligne : AE nettes, CP payés et reste \
         à payer.",
        &COMMITMENT_HEADERS,
        commitments.len(),
        move |i| {
            let c = &commitments[i];
            vec![
                Cell::text(&c.ej),
                Cell::text(ctx.product_name(c.product)),
                Cell::opt(c.supplier.as_deref()),
                Cell::Amount(c.ae_net),
                Cell::Amount(c.carried),
                Cell::Amount(c.cp),
                Cell::Amount(remaining(c.remaining)),
                Cell::count(c.lines),
            ]
        },
    )
    .with_total(vec![
        Cell::text("Total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Amount(sums.0),
        Cell::Amount(sums.4),
        Cell::Amount(sums.1),
        Cell::Amount(sums.2),
        Cell::count(sums.3),
    ])
}
