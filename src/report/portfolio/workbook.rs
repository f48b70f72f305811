//! `portefeuille.xlsx`, the portfolio's workbook, in French: « Portefeuille » (one row per
//! convention, linked to its own workbook in the same folder, their total, the orphans
//! and the conservation across conventions), then « Orphelines » (the orphan lines and
//! the portfolio's findings). Same look and print setup as a convention's workbook
//! (`report::workbook::grid`); pure: the same portfolio gives the same bytes.

use std::io::Write;

use rust_xlsxwriter::{Color, DocProperties, Format, FormatAlign, FormatUnderline, Url};
use rust_xlsxwriter::{Workbook, XlsxError};

use super::figures::{self, Balance, Figures, Share};
use super::{Member, Portfolio};
use crate::report::workbook::grid::{self, Cell, Formats, Grid, Orientation, PageText, Style};
use crate::report::workbook::overview::{pairs, status_tone, tool};

pub const NAME: &str = "Portefeuille";

/// The table's columns.
const HEADERS: [&str; 16] = [
    "Convention",
    "Intitulé",
    "Début",
    "Fin",
    "Statut",
    "AE allouées",
    "AE consommées",
    "AE disponibles",
    "CP alloués",
    "CP consommés",
    "CP disponibles",
    "Restes à payer",
    "Erreurs",
    "Avert.",
    "Infos",
    "Ouverte depuis le",
];
/// The first column of figures (« AE allouées »), of the findings (« Erreurs »).
const FIGURES_COL: u16 = 5;
const FINDINGS_COL: u16 = 12;
/// « AE consommées », « CP consommés »: where the orphans' amounts go.
const AE_CONSUMED_COL: u16 = 6;
const CP_CONSUMED_COL: u16 = 9;

/// Writes the workbook to `out`.
pub fn write(p: &Portfolio, out: &mut dyn Write) -> Result<(), XlsxError> {
    out.write_all(&build(p)?).map_err(XlsxError::IoError)
}

/// Builds the workbook's bytes.
pub fn build(p: &Portfolio) -> Result<Vec<u8>, XlsxError> {
    let as_of = p
        .members
        .first()
        .map(|m| m.ctx.run.reconciliation.as_of)
        .unwrap_or_default();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("Rapprochement Chorus – portefeuille de conventions")
            .set_author("chorus-recon")
            .set_creation_datetime(&grid::creation_date(as_of)?),
    );
    let fmt = Formats::new(PageText {
        convention: format!("Portefeuille – {}", figures::delegataires(p).join(", ")),
        run: format!("{} – situation au {}", tool(), as_of.format("%d/%m/%Y")),
    });
    portefeuille(&mut book, &fmt, p, as_of)?;
    super::orphelines::orphelines(&mut book, &fmt, p)?;
    book.save_to_buffer()
}

/// The format of a link to another workbook, as a convention's workbook draws its links.
fn link_format() -> Format {
    Format::new()
        .set_align(FormatAlign::Top)
        .set_font_color(Color::RGB(0x05_63_C1))
        .set_underline(FormatUnderline::Single)
}

fn portefeuille(
    book: &mut Workbook,
    fmt: &Formats,
    p: &Portfolio,
    as_of: chrono::NaiveDate,
) -> Result<(), XlsxError> {
    let mut grid = Grid::new(book, fmt, NAME)?;
    grid.set_orientation(Orientation::Landscape);
    grid.title(
        0,
        &format!(
            "Portefeuille de conventions – situation au {}",
            as_of.format("%d/%m/%Y")
        ),
    )?;
    let status = figures::status(p);
    let row = pairs(
        &mut grid,
        2,
        &[
            (
                "Délégataire",
                Cell::owned(figures::delegataires(p).join(", ")),
            ),
            ("Date de situation", Cell::Date(as_of)),
            ("Conventions", Cell::count(p.members.len())),
            (
                "Statut du portefeuille",
                Cell::Toned(status.label().into(), status_tone(status)),
            ),
        ],
    )?;
    let header = row + 1;
    grid.header(header, 0, &HEADERS)?;
    let link = link_format();
    let mut r = header;
    for m in &p.members {
        r += 1;
        member_row(&mut grid, &link, m, r)?;
    }
    grid.table_chrome(header, r, HEADERS.len())?;
    r = totals(&mut grid, p, r + 1)?;
    let r = conservation(&mut grid, fmt, &figures::balance(p), r + 2)?;
    grid.free_text_with(r + 1, 0, NOTE, &fmt.note)?;
    grid.finish()
}

/// Under the table: how to read it.
const NOTE: &str = "Chaque identifiant ouvre le classeur de sa convention (même dossier). \
    « Ouverte depuis le » : la plus ancienne anomalie encore ouverte (avec --previous).";

/// One convention's row; its identifier links to its workbook.
fn member_row(grid: &mut Grid, link: &Format, m: &Member, row: u32) -> Result<(), XlsxError> {
    let c = m.ctx.convention;
    let rec = &m.ctx.run.reconciliation;
    let status = rec.status();
    let url = Url::new(format!("file:///{}", m.workbook)).set_text(&c.id);
    grid.sheet().write_url_with_format(row, 0, url, link)?;
    grid.min_width(0, c.id.chars().count() + 2);
    let mut cells = vec![
        Cell::Empty,
        Cell::Wrapped(c.title.as_str().into()),
        Cell::Date(c.start),
        Cell::Date(c.end),
        Cell::Toned(status.label().into(), status_tone(status)),
    ];
    cells.extend(amounts(&Figures::of(m)));
    cells.extend(severities(figures::by_severity(&rec.findings)));
    cells.push(figures::since(&rec.findings).map_or(Cell::Empty, Cell::Date));
    for (col, cell) in (1..).zip(&cells[1..]) {
        grid.put(row, col, cell, false)?;
    }
    Ok(())
}

fn amounts<'c>(f: &Figures) -> impl Iterator<Item = Cell<'c>> + use<'c> {
    f.columns().into_iter().map(Cell::Amount)
}

fn severities<'c>(n: [usize; 3]) -> impl Iterator<Item = Cell<'c>> {
    n.into_iter().map(Cell::count)
}

/// The conventions' total, then the orphans' line; returns the next free row.
fn totals(grid: &mut Grid, p: &Portfolio, row: u32) -> Result<u32, XlsxError> {
    let status = p
        .members
        .iter()
        .map(|m| m.ctx.run.reconciliation.status())
        .max();
    let mut cells = vec![
        Cell::text("Total"),
        Cell::owned(plural(p.members.len(), "convention", "conventions")),
        Cell::Empty,
        Cell::Empty,
        status.map_or(Cell::Empty, |s| Cell::text(s.label())),
    ];
    cells.extend(amounts(&figures::total(p)));
    let mut n = [0; 3];
    for m in &p.members {
        let own = figures::by_severity(&m.ctx.run.reconciliation.findings);
        n.iter_mut().zip(own).for_each(|(t, k)| *t += k);
    }
    cells.extend(severities(n));
    let since = p
        .members
        .iter()
        .filter_map(|m| figures::since(&m.ctx.run.reconciliation.findings))
        .min();
    cells.push(since.map_or(Cell::Empty, Cell::Date));
    grid.styled_row(row, &cells, Style::Total)?;
    orphans_row(grid, p, row + 1)?;
    Ok(row + 1)
}

/// The orphans: how many lines, their AE and CP under the consumed columns, the
/// portfolio's own findings.
fn orphans_row(grid: &mut Grid, p: &Portfolio, row: u32) -> Result<(), XlsxError> {
    let o = figures::orphans(p);
    grid.put(row, 0, &Cell::text("Orphelines"), true)?;
    let what = format!(
        "{} du périmètre du délégataire, d'aucune convention (onglet Orphelines)",
        plural(o.lines as usize, "ligne", "lignes")
    );
    grid.put(row, 1, &Cell::Wrapped(what.into()), false)?;
    grid.put(row, AE_CONSUMED_COL, &Cell::Amount(o.ae), false)?;
    grid.put(row, CP_CONSUMED_COL, &Cell::Amount(o.cp), false)?;
    for (col, cell) in (FINDINGS_COL..).zip(severities(figures::by_severity(p.findings))) {
        grid.put(row, col, &cell, false)?;
    }
    if let Some(d) = figures::since(p.findings) {
        grid.put(row, FINDINGS_COL + 3, &Cell::Date(d), false)?;
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// Every row read, once: conventions + orphans + set aside + out of every scope = read;
/// lines, AE and CP under « AE allouées », « AE consommées », « AE disponibles ». Returns
/// the last row written.
fn conservation(grid: &mut Grid, fmt: &Formats, b: &Balance, row: u32) -> Result<u32, XlsxError> {
    grid.heading(
        row,
        "Rien n'est perdu : lignes lues = conventions + orphelines + écartées + hors de tout périmètre",
        &fmt.section,
    )?;
    grid.header(row + 1, FIGURES_COL, &["Lignes", "AE", "CP"])?;
    let shares: [(&str, Share); 5] = [
        ("Dans une convention", b.conventions),
        ("Orphelines", b.orphans),
        ("Écartées (rejets, doublons, états remplacés)", b.set_aside),
        ("Hors de tout périmètre", b.outside),
        ("Lues", b.read),
    ];
    let mut r = row + 1;
    for (i, (label, s)) in shares.iter().enumerate() {
        r += 1;
        let cells = [Cell::count(s.lines), Cell::Amount(s.ae), Cell::Amount(s.cp)];
        let style = if i + 1 == shares.len() {
            // « Lues »: the sum, drawn as a total row across.
            grid.put_styled(r, 0, &Cell::text(label), Style::Total)?;
            for col in 1..FIGURES_COL {
                grid.put_styled(r, col, &Cell::Empty, Style::Total)?;
            }
            Style::Total
        } else {
            grid.free_text(r, 0, label)?;
            Style::Plain
        };
        for (col, cell) in (FIGURES_COL..).zip(&cells) {
            grid.put_styled(r, col, cell, style)?;
        }
    }
    let verdict = if b.holds {
        Cell::Toned("équilibré".into(), grid::Tone::Good)
    } else {
        Cell::Toned("ÉCART".into(), grid::Tone::Error)
    };
    r += 1;
    grid.put(r, 0, &Cell::text("Contrôle"), true)?;
    grid.put(r, FIGURES_COL, &verdict, false)?;
    Ok(r)
}
