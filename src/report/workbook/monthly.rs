//! `Mensuel`: the monthly report of article 5. Each product that has lines shows every
//! month of the period, a month without movement at 0 €, with running totals and a
//! subtotal; the lines without a date have a row of their own per year (« sans date »).
//! Sums in Decimal, written as values.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::grid::{Cell, Formats, Grid, Split, Style};
use crate::report::Context;

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

/// A year and a month (1–12; 0 for the lines of the year without a date).
type YearMonth = (i32, u32);

/// AE and CP per month.
type MonthSums = BTreeMap<YearMonth, (Decimal, Decimal)>;

/// One row of a product's months: what moved that month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    pub year: i32,
    pub month: u32,
    pub ae: Decimal,
    pub cp: Decimal,
}

/// A month's name in the report: « sans date » for 0 (the lines of a year without a date).
fn month_name(month: u32) -> &'static str {
    match month {
        0 => "sans date",
        m => crate::model::month_name(m),
    }
}

/// The month after `m`.
fn next((year, month): YearMonth) -> YearMonth {
    if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

fn year_month(d: NaiveDate) -> YearMonth {
    (d.year(), d.month())
}

/// The months every product shows: from the convention's first month to the month of the
/// situation (at most the convention's last), widened to any month that has movements
/// (`moved`: the first and last). `None` when there is neither.
fn span(ctx: &Context, moved: Option<(YearMonth, YearMonth)>) -> Option<(YearMonth, YearMonth)> {
    let c = ctx.convention;
    let first = year_month(c.start);
    let last = year_month(ctx.run.reconciliation.as_of.min(c.end));
    let period = (first <= last).then_some((first, last));
    match (period, moved) {
        (Some(p), Some(m)) => Some((p.0.min(m.0), p.1.max(m.1))),
        (p, m) => p.or(m),
    }
}

/// Each product's months, products in the convention's order, then the lines attributed
/// to none: every month of [`span`], the « sans date » rows where there are some, in order.
pub fn product_months(ctx: &Context) -> Vec<(Option<usize>, Vec<MonthFigures>)> {
    let mut sums: BTreeMap<(bool, Option<usize>), MonthSums> = BTreeMap::new();
    for m in &ctx.run.reconciliation.months {
        // Products first, in their order; `None` (unattributed) last.
        let key = (m.product.is_none(), m.product);
        let e = sums
            .entry(key)
            .or_default()
            .entry((m.year, m.month))
            .or_default();
        e.0 += m.ae;
        e.1 += m.cp;
    }
    sums.into_iter()
        .map(|((_, product), mut months)| {
            let mut dated = months.keys().copied().filter(|k| k.1 != 0);
            let moved = dated
                .next()
                .map(|first| (first, dated.next_back().unwrap_or(first)));
            if let Some((first, last)) = span(ctx, moved) {
                let mut m = first;
                while m <= last {
                    months.entry(m).or_default();
                    m = next(m);
                }
            }
            let figures = months
                .into_iter()
                .map(|((year, month), (ae, cp))| MonthFigures {
                    year,
                    month,
                    ae,
                    cp,
                })
                .collect();
            (product, figures)
        })
        .collect()
}

/// « mars 2020 – décembre 2021 »: the first and last months of the report.
fn period_covered(groups: &[(Option<usize>, Vec<MonthFigures>)]) -> String {
    let dated = groups
        .iter()
        .flat_map(|(_, months)| months)
        .filter(|m| m.month != 0)
        .map(|m| (m.year, m.month));
    let (first, last) = (dated.clone().min(), dated.max());
    match (first, last) {
        (Some(a), Some(b)) if a == b => format!("{} {}", month_name(a.1), a.0),
        (Some(a), Some(b)) => format!("{} {} – {} {}", month_name(a.1), a.0, month_name(b.1), b.0),
        _ if groups.is_empty() => "aucune dépense dans le périmètre".into(),
        _ => "aucune ligne datée".into(),
    }
}

/// The month rows, a subtotal after each product's months, and the grand total. The
/// running totals start at each product's first row. Sums in Decimal.
pub fn monthly_rows<'a>(
    ctx: &'a Context,
    groups: &[(Option<usize>, Vec<MonthFigures>)],
) -> (Vec<(Vec<Cell<'a>>, Style)>, Vec<Cell<'a>>) {
    let mut rows = Vec::new();
    let (mut ae, mut cp) = (Decimal::ZERO, Decimal::ZERO);
    for (product, months) in groups {
        let name = ctx.product_name(*product);
        let (mut product_ae, mut product_cp) = (Decimal::ZERO, Decimal::ZERO);
        for m in months {
            product_ae += m.ae;
            product_cp += m.cp;
            let month = match NaiveDate::from_ymd_opt(m.year, m.month, 1) {
                Some(first_day) => Cell::Month(first_day),
                None => Cell::text(month_name(m.month)),
            };
            let cells = vec![
                Cell::text(name),
                Cell::ordinal(m.year),
                month,
                Cell::Amount(m.ae),
                Cell::Amount(m.cp),
                Cell::Amount(product_ae),
                Cell::Amount(product_cp),
            ];
            rows.push((cells, Style::Plain));
        }
        // The product's name stays in the first column, so a filter on a product keeps
        // its subtotal.
        let subtotal = vec![
            Cell::text(name),
            Cell::Empty,
            Cell::text("Sous-total"),
            Cell::Amount(product_ae),
            Cell::Amount(product_cp),
            Cell::Empty,
            Cell::Empty,
        ];
        rows.push((subtotal, Style::Total));
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

/// The rows above the table on the first sheet: title, convention, period covered and
/// situation, a note.
fn title_block(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    groups: &[(Option<usize>, Vec<MonthFigures>)],
) -> Result<(), XlsxError> {
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
    grid.free_text(2, 1, &period_covered(groups))?;
    // Far enough right for the period's text to run over the columns between.
    grid.put(2, 5, &Cell::text("Situation au"), true)?;
    let as_of = ctx.run.reconciliation.as_of;
    grid.put_styled(2, 6, &Cell::Date(as_of), Style::Left)?;
    grid.heading(
        3,
        "Montants en euros. AE : engagements nets ; CP : paiements. Chaque mois de la \
         période figure, à 0 € sans mouvement ; les cumuls courent depuis le premier mois \
         de chaque produit.",
        &fmt.note,
    )?;
    // The period's text runs over the next columns; the label needs its room.
    grid.min_width(0, "Période couverte".chars().count() + 2);
    Ok(())
}

/// The monthly report of article 5, ready to send: what it covers, then per product its
/// months with running totals and a subtotal, and the grand total.
pub fn mensuel(
    book: &mut Workbook,
    fmt: &Formats,
    ctx: &Context,
    split: Split,
) -> Result<(), XlsxError> {
    let groups = product_months(ctx);
    let (rows, total) = monthly_rows(ctx, &groups);
    let mut rows = rows.into_iter().peekable();
    let mut total = Some(total);
    let per = split.rows_per_sheet.max(1);
    for part in 0.. {
        let name = Split::sheet_name("Mensuel", part);
        let mut grid = Grid::new(book, fmt, &name)?;
        let (top, room) = if part == 0 {
            title_block(&mut grid, fmt, ctx, &groups)?;
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
