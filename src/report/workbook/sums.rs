//! The sheets of sums: `Échéancier` (planned vs consumed per product and year), `Mensuel`
//! (the monthly report of article 5) and `Engagements` (per EJ). Totals are Decimal sums
//! made here and written as values, so they match the JSON summary to the cent.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::grid::{Cell, Formats, Split, Table, write_table};
use crate::report::Context;

const SCHEDULE_HEADERS: [&str; 10] = [
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
struct Sum {
    planned: Option<Decimal>,
    consumed: Decimal,
}

impl Sum {
    fn add(&mut self, planned: Option<Decimal>, consumed: Decimal) {
        if let Some(p) = planned {
            *self.planned.get_or_insert(Decimal::ZERO) += p;
        }
        self.consumed += consumed;
    }
}

pub fn echeancier(
    book: &mut Workbook,
    fmt: &Formats,
    ctx: &Context,
    split: Split,
) -> Result<(), XlsxError> {
    let rec = &ctx.run.reconciliation;
    struct Row<'a> {
        product: &'a str,
        year: i32,
        ae: (Option<Decimal>, Decimal),
        cp: (Option<Decimal>, Decimal),
    }
    let mut rows: Vec<Row> = rec
        .products
        .iter()
        .flat_map(|p| {
            let name = ctx.product_name(Some(p.product));
            p.years.iter().map(move |y| Row {
                product: name,
                year: y.year,
                ae: (y.ae_planned, y.ae_consumed),
                cp: (y.cp_planned, y.cp_consumed),
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
    rows.extend(unattributed.into_iter().map(|(year, (ae, cp))| Row {
        product: ctx.product_name(None),
        year,
        ae: (None, ae),
        cp: (None, cp),
    }));
    let (mut ae, mut cp) = (Sum::default(), Sum::default());
    for r in &rows {
        ae.add(r.ae.0, r.ae.1);
        cp.add(r.cp.0, r.cp.1);
    }
    let mut total = vec![Cell::text("Total"), Cell::Empty];
    total.extend(measure_cells(ae.planned, ae.consumed));
    total.extend(measure_cells(cp.planned, cp.consumed));
    let table = Table {
        name: "Échéancier",
        headers: &SCHEDULE_HEADERS,
        rows: rows.iter().map(|r| {
            let mut cells = vec![Cell::text(r.product), Cell::count(r.year)];
            cells.extend(measure_cells(r.ae.0, r.ae.1));
            cells.extend(measure_cells(r.cp.0, r.cp.1));
            cells
        }),
        total: Some(total),
    };
    write_table(book, fmt, split, table)
}

const MONTHS: [&str; 13] = [
    "sans date",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

pub fn mensuel(
    book: &mut Workbook,
    fmt: &Formats,
    ctx: &Context,
    split: Split,
) -> Result<(), XlsxError> {
    let months = &ctx.run.reconciliation.months;
    // Products in the convention's order, then the lines attributed to none.
    let ordered = months
        .iter()
        .filter(|m| m.product.is_some())
        .chain(months.iter().filter(|m| m.product.is_none()));
    let table = Table {
        name: "Mensuel",
        headers: &[
            "Produit",
            "Année",
            "Mois",
            "AE",
            "CP",
            "AE cumulées",
            "CP cumulés",
        ],
        rows: ordered.map(|m| {
            vec![
                Cell::text(ctx.product_name(m.product)),
                Cell::count(m.year),
                Cell::text(MONTHS.get(m.month as usize).copied().unwrap_or("?")),
                Cell::Amount(m.ae),
                Cell::Amount(m.cp),
                Cell::Amount(m.ae_cumulative),
                Cell::Amount(m.cp_cumulative),
            ]
        }),
        total: None,
    };
    write_table(book, fmt, split, table)
}

pub fn engagements(
    book: &mut Workbook,
    fmt: &Formats,
    ctx: &Context,
    split: Split,
) -> Result<(), XlsxError> {
    let commitments = &ctx.run.reconciliation.commitments;
    // An overpaid EJ (CP > AE, its own finding) leaves nothing to pay, and does not lower
    // what remains on the others: the column sums to the `Synthèse` figure.
    let remaining = |r: Decimal| r.max(Decimal::ZERO);
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
    let table = Table {
        name: "Engagements",
        headers: &[
            "N° EJ",
            "Produit",
            "Fournisseur",
            "AE nettes",
            "Report des années antérieures",
            "CP",
            "Reste à payer",
            "Nombre de lignes",
        ],
        rows: commitments.iter().map(|c| {
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
        }),
        total: Some(vec![
            Cell::text("Total"),
            Cell::Empty,
            Cell::Empty,
            Cell::Amount(sums.0),
            Cell::Amount(sums.4),
            Cell::Amount(sums.1),
            Cell::Amount(sums.2),
            Cell::count(sums.3),
        ]),
    };
    write_table(book, fmt, split, table)
}
