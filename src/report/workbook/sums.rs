//! The sheets of sums: `Échéancier` (planned vs consumed per product and year), `Mensuel`
//! (the monthly report of article 5) and `Engagements` (per EJ). Totals are Decimal sums
//! made here and written as values, so they match the JSON summary to the cent.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::grid::{Cell, Formats, Grid, Split, Style};
use super::table::Table;
use crate::reconcile::MonthRow;
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
    Table::new("Échéancier", &SCHEDULE_HEADERS, rows.len(), move |i| {
        let r = &rows[i];
        let mut cells = vec![Cell::text(r.product), Cell::ordinal(r.year)];
        cells.extend(measure_cells(r.ae.0, r.ae.1));
        cells.extend(measure_cells(r.cp.0, r.cp.1));
        cells
    })
    .with_total(total)
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

const MONTHLY_HEADERS: [&str; 7] = [
    "Produit",
    "Année",
    "Mois",
    "AE",
    "CP",
    "AE cumulées",
    "CP cumulés",
];

/// Rows above the table on the first sheet of `Mensuel`: title, convention, period, note
/// and a blank row.
const MONTHLY_TOP: u32 = 5;

fn month_name(month: u32) -> &'static str {
    MONTHS.get(month as usize).copied().unwrap_or("?")
}

/// « mars 2020 – décembre 2021 »: the first and last dated months of the report.
fn period_covered(months: &[MonthRow]) -> String {
    let dated = months
        .iter()
        .filter(|m| m.month != 0)
        .map(|m| (m.year, m.month));
    let (first, last) = (dated.clone().min(), dated.max());
    match (first, last) {
        (Some(a), Some(b)) if a == b => format!("{} {}", month_name(a.1), a.0),
        (Some(a), Some(b)) => format!("{} {} – {} {}", month_name(a.1), a.0, month_name(b.1), b.0),
        _ if months.is_empty() => "aucune dépense dans le périmètre".into(),
        _ => "aucune ligne datée".into(),
    }
}

/// The month rows, a subtotal after each product's months, and the grand total; products
/// in the convention's order, then the lines attributed to none. Sums in Decimal.
pub fn monthly_rows<'a>(ctx: &'a Context) -> (Vec<(Vec<Cell<'a>>, Style)>, Vec<Cell<'a>>) {
    let months = &ctx.run.reconciliation.months;
    let ordered = months
        .iter()
        .filter(|m| m.product.is_some())
        .chain(months.iter().filter(|m| m.product.is_none()));
    let mut groups: Vec<(Option<usize>, Vec<&MonthRow>)> = Vec::new();
    for m in ordered {
        match groups.last_mut() {
            Some((product, rows)) if *product == m.product => rows.push(m),
            _ => groups.push((m.product, vec![m])),
        }
    }
    let mut rows = Vec::with_capacity(months.len() + groups.len());
    let (mut ae, mut cp) = (Decimal::ZERO, Decimal::ZERO);
    for (product, group) in groups {
        let name = ctx.product_name(product);
        let (mut product_ae, mut product_cp) = (Decimal::ZERO, Decimal::ZERO);
        for m in group {
            product_ae += m.ae;
            product_cp += m.cp;
            rows.push((
                vec![
                    Cell::text(name),
                    Cell::ordinal(m.year),
                    Cell::text(month_name(m.month)),
                    Cell::Amount(m.ae),
                    Cell::Amount(m.cp),
                    Cell::Amount(m.ae_cumulative),
                    Cell::Amount(m.cp_cumulative),
                ],
                Style::Plain,
            ));
        }
        // The product's name stays in the first column, so a filter on a product keeps
        // its subtotal.
        rows.push((
            vec![
                Cell::text(name),
                Cell::Empty,
                Cell::text("Sous-total"),
                Cell::Amount(product_ae),
                Cell::Amount(product_cp),
                Cell::Empty,
                Cell::Empty,
            ],
            Style::Total,
        ));
        ae += product_ae;
        cp += product_cp;
    }
    let total = vec![
        Cell::text("Total général"),
        Cell::Empty,
        Cell::Empty,
        Cell::Amount(ae),
        Cell::Amount(cp),
        Cell::Empty,
        Cell::Empty,
    ];
    (rows, total)
}

/// The monthly report of article 5, ready to send: what it covers, then per product its
/// months with running totals and a subtotal, and the grand total.
pub fn mensuel(
    book: &mut Workbook,
    fmt: &Formats,
    ctx: &Context,
    split: Split,
) -> Result<(), XlsxError> {
    let rec = &ctx.run.reconciliation;
    let (rows, total) = monthly_rows(ctx);
    let mut rows = rows.into_iter().peekable();
    let mut total = Some(total);
    let per = split.rows_per_sheet.max(1);
    for part in 0.. {
        let name = Split::sheet_name("Mensuel", part);
        let mut grid = Grid::new(book, fmt, &name)?;
        let (top, room) = if part == 0 {
            grid.title(
                0,
                "Compte rendu mensuel d'exécution (article 5 de la convention)",
            )?;
            grid.heading(
                1,
                &format!("{} ({})", ctx.convention.title, ctx.convention.id),
                &fmt.section,
            )?;
            grid.put(2, 0, &Cell::text("Période couverte"), true)?;
            grid.free_text(2, 1, &period_covered(&rec.months))?;
            // Far enough right for the period's text to run over the columns between.
            grid.put(2, 5, &Cell::text("Situation au"), true)?;
            grid.put_styled(2, 6, &Cell::Date(rec.as_of), Style::Left)?;
            grid.heading(
                3,
                "Montants en euros. AE : engagements nets ; CP : paiements. Les cumuls \
                 courent depuis le premier mois de chaque produit.",
                &fmt.note,
            )?;
            // The period's text runs over the next columns; the label needs its room.
            grid.min_width(0, "Période couverte".chars().count() + 2);
            (MONTHLY_TOP, per.saturating_sub(MONTHLY_TOP).max(1))
        } else {
            (0, per)
        };
        grid.header(top, 0, &MONTHLY_HEADERS)?;
        let mut written = 0;
        while written < room {
            let Some((cells, style)) = rows.next() else {
                break;
            };
            written += 1;
            grid.styled_row(top + written, &cells, style)?;
        }
        grid.table_chrome(top, top + written, MONTHLY_HEADERS.len())?;
        let more = rows.peek().is_some();
        if !more
            && written < room
            && let Some(cells) = total.take()
        {
            grid.styled_row(top + written + 1, &cells, Style::Total)?;
        }
        grid.finish()?;
        if !more && total.is_none() {
            break;
        }
    }
    Ok(())
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
