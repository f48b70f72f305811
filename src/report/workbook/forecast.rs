//! The outlook (art. 5) in the workbook: beside each row of the schedule, the délégataire's
//! forecasts, the projection at the end of the exercice (or of the convention) and its gap
//! to the schedule, in `Échéancier` and `Synthèse`. The figures are
//! `Reconciliation::outlook`'s; this module only lays them out.

use rust_decimal::Decimal;

use rust_xlsxwriter::XlsxError;

use super::cell::Cell;
use super::grid::{Formats, Grid, Style};
use super::sums::ScheduleRow;
use crate::reconcile::forecast::{Projection, Source, YearOutlook};
use crate::report::Context;

/// The columns `Échéancier` adds after the schedule's.
pub const HEADERS: [&str; 7] = [
    "Projection",
    "AE délégataire",
    "AE projetées",
    "Écart AE projeté",
    "CP délégataire",
    "CP projetés",
    "Écart CP projeté",
];

/// The gap to the schedule, blank with a blank schedule (as the schedule's own gap).
fn gap(p: &Projection) -> Option<Decimal> {
    p.planned.and(p.gap())
}

fn measure<'a>(p: &Projection) -> [Cell<'a>; 3] {
    [
        Cell::opt_amount(p.forecast),
        Cell::opt_amount(p.projected),
        Cell::opt_amount(gap(p)),
    ]
}

/// A row's cells under [`HEADERS`]: blank for a row with no outlook (a year outside the
/// convention, the lines attributed to no product).
pub fn cells<'a>(outlook: Option<&YearOutlook>) -> Vec<Cell<'a>> {
    let Some(o) = outlook else {
        return vec![Cell::Empty; HEADERS.len()];
    };
    let mut cells = vec![Cell::text(short(o.source))];
    cells.extend(measure(&o.ae));
    cells.extend(measure(&o.cp));
    cells
}

/// Sums of one measure over the rows with an outlook.
#[derive(Default)]
struct Sum {
    forecast: Option<Decimal>,
    /// `None` once a row has no projection: a partial total would mislead.
    projected: Option<Decimal>,
    gap: Option<Decimal>,
}

fn sum<'r>(projections: impl Iterator<Item = &'r Projection>) -> Sum {
    let mut s = Sum {
        projected: Some(Decimal::ZERO),
        ..Sum::default()
    };
    let mut any = false;
    for p in projections {
        any = true;
        if let Some(f) = p.forecast {
            *s.forecast.get_or_insert(Decimal::ZERO) += f;
        }
        s.projected = s.projected.zip(p.projected).map(|(a, b)| a + b);
        if let Some(g) = gap(p) {
            *s.gap.get_or_insert(Decimal::ZERO) += g;
        }
    }
    if !any || s.projected.is_none() {
        return Sum::default();
    }
    s
}

/// The total row's cells under [`HEADERS`].
pub fn total<'a>(rows: &[ScheduleRow]) -> Vec<Cell<'a>> {
    let outlooks = || rows.iter().filter_map(|r| r.outlook);
    let mut cells = vec![Cell::Empty];
    for s in [
        sum(outlooks().map(|o| &o.ae)),
        sum(outlooks().map(|o| &o.cp)),
    ] {
        cells.extend([
            Cell::opt_amount(s.forecast),
            Cell::opt_amount(s.projected),
            Cell::opt_amount(s.projected.and(s.gap)),
        ]);
    }
    cells
}

/// `Synthèse`'s short word for a source, after the product and year.
fn short(source: Source) -> &'static str {
    match source {
        Source::Actual => "réalisé",
        Source::Forecasts => "prévisions",
        Source::RunRate => "rythme",
        Source::None => "non commencé",
    }
}

/// The three notes under the projection's heading, from `row`: what is projected (the
/// delegate's forecasts or the run rate) and what a negative gap means.
fn projection_notes(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    row: u32,
) -> Result<(), XlsxError> {
    let outlook = &ctx.run.reconciliation.outlook;
    let as_of = ctx.run.reconciliation.as_of.format("%d/%m/%Y");
    let (first, second) = match &outlook.file {
        Some(file) => (
            format!("Consommé au {as_of}, puis prévisions du délégataire ({file})"),
            "jusqu'à la fin de l'exercice, ou de la convention si elle finit avant.".to_string(),
        ),
        None => (
            format!("Consommé au {as_of}, prolongé au rythme de l'exercice en cours,"),
            "dans la limite de ce qui reste à payer et à engager (sans --previsions).".to_string(),
        ),
    };
    grid.free_text_with(row, 0, &first, &fmt.note)?;
    grid.free_text_with(row + 1, 0, &second, &fmt.note)?;
    grid.free_text_with(
        row + 2,
        0,
        "Un écart négatif : des crédits qui resteraient inemployés, à signaler au délégant.",
        &fmt.note,
    )?;
    Ok(())
}

/// `Synthèse`'s projection table: one row per row of its schedule table, in the same
/// order (so the chart's categories fit both), then the total. Returns its header row and
/// its last data row.
pub fn synthese_table(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    rows: &[ScheduleRow],
    row: u32,
) -> Result<(u32, u32), XlsxError> {
    grid.heading(
        row,
        "Projection à la fin de l'exercice (art. 5)",
        &fmt.section,
    )?;
    projection_notes(grid, fmt, ctx, row + 1)?;
    let header = row + 4;
    grid.header(
        header,
        0,
        &[
            "Produit et année",
            "AE projetées",
            "Écart AE",
            "CP projetés",
            "Écart CP",
        ],
    )?;
    let mut r = header;
    for s in rows {
        r += 1;
        let mut cells = vec![Cell::owned(match s.outlook {
            Some(o) => format!("{} {} ({})", s.product, s.year, short(o.source)),
            None => format!("{} {}", s.product, s.year),
        })];
        for p in s.outlook.iter().flat_map(|o| [&o.ae, &o.cp]) {
            cells.extend([Cell::opt_amount(p.projected), Cell::opt_amount(gap(p))]);
        }
        grid.row(r, &cells, false)?;
    }
    let total = total(rows);
    let mut cells = vec![Cell::text("Total")];
    cells.extend([2, 3, 5, 6].map(|i| total[i].clone()));
    grid.styled_row(r + 1, &cells, Style::Total)?;
    Ok((header, r))
}
