//! « Orphelines », the portfolio workbook's second sheet: each line of the délégataire's
//! scope that no convention claims, where it comes from and which axis of the scope
//! holds it; then the portfolio's own findings (`LIGNE_ORPHELINE`), as `Anomalies` lists
//! a convention's.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::{Portfolio, figures};
use crate::model::Measure;
use crate::reconcile::portfolio::Orphan;
use crate::report::workbook::grid::{Cell, Formats, Grid, HEADER_ROW, Orientation, Style};
use crate::report::workbook::overview::severity_tone;

pub const NAME: &str = "Orphelines";

const HEADERS: [&str; 11] = [
    "Fichier",
    "Ligne",
    "N° EJ",
    "N° DP",
    "Date",
    "Exercice",
    "Type de montant",
    "Montant",
    "Centre financier",
    "Centre de coût",
    "Rattachée par",
];

/// « Montant ».
const AMOUNT_COL: usize = 7;

/// The portfolio's findings under the orphans, in the orphans' columns: the message first,
/// in the widest column (the files'); the key last, running over the empty cells to its
/// right rather than widening a column of the orphans.
const FINDING_HEADERS: [&str; 5] = ["Anomalie", "Gravité", "Code", "Suivi", "Clé"];

pub fn orphelines(book: &mut Workbook, fmt: &Formats, p: &Portfolio) -> Result<(), XlsxError> {
    let mut grid = Grid::new(book, fmt, NAME)?;
    grid.set_orientation(Orientation::Landscape);
    grid.heading(
        0,
        "Lignes du périmètre du délégataire (portefeuille.toml) qu'aucune convention ne réclame ; \
         puis les anomalies du portefeuille.",
        &fmt.note,
    )?;
    grid.header(HEADER_ROW, 0, &HEADERS)?;
    let mut row = HEADER_ROW;
    for o in p.orphans {
        row += 1;
        grid.row(row, &orphan(o), false)?;
    }
    grid.table_chrome(HEADER_ROW, row, HEADERS.len())?;
    row = totals(&mut grid, p, row)?;
    findings(&mut grid, fmt, p, row + 2)?;
    grid.finish()
}

/// A total row per measure (AE and CP are not added together), under the table ending at
/// `row`; returns the last row written.
fn totals(grid: &mut Grid, p: &Portfolio, mut row: u32) -> Result<u32, XlsxError> {
    let o = figures::orphans(p);
    for (measure, amount) in [(Measure::Ae, o.ae), (Measure::Cp, o.cp)] {
        row += 1;
        let mut cells = vec![Cell::Empty; HEADERS.len()];
        cells[0] = Cell::owned(format!("Total {}", measure.label()));
        cells[AMOUNT_COL] = Cell::Amount(amount);
        grid.styled_row(row, &cells, Style::Total)?;
    }
    Ok(row)
}

fn orphan(o: &Orphan) -> Vec<Cell<'_>> {
    let l = &o.line;
    vec![
        Cell::text(&o.input_label),
        Cell::ordinal(l.origin.row),
        Cell::opt(l.ej.as_deref()),
        Cell::opt(l.dp.as_deref()),
        l.date.map_or(Cell::Empty, Cell::Date),
        Cell::ordinal(l.year),
        Cell::text(l.measure.label()),
        Cell::Amount(l.amount),
        Cell::opt(l.centre_financier.as_deref()),
        Cell::opt(l.centre_cout.as_deref()),
        Cell::text(o.attached_by.label()),
    ]
}

/// The portfolio's own findings under the orphans, from `row`.
fn findings(grid: &mut Grid, fmt: &Formats, p: &Portfolio, row: u32) -> Result<(), XlsxError> {
    grid.heading(row, "Anomalies du portefeuille", &fmt.section)?;
    if p.findings.is_empty() {
        grid.free_text_with(row + 1, 0, "Aucune.", &fmt.note)?;
        return Ok(());
    }
    grid.header(row + 1, 0, &FINDING_HEADERS)?;
    let as_of = p.members.first().map(|m| m.ctx.run.reconciliation.as_of);
    let mut r = row + 1;
    for f in p.findings {
        r += 1;
        let follow_up = match (f.follow_up, as_of) {
            (Some(u), Some(as_of)) => Cell::owned(u.label(as_of)),
            _ => Cell::Empty,
        };
        grid.row(
            r,
            &[
                Cell::Wrapped(f.message.as_str().into()),
                Cell::Toned(f.severity.label().into(), severity_tone(f.severity)),
                Cell::text(f.code.as_str()),
                follow_up,
            ],
            false,
        )?;
        grid.free_text(r, 4, &f.key)?;
    }
    Ok(())
}
