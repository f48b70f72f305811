//! What the sheets that read top to bottom share (label–value pairs, the status and
//! severity colours), and `Provenance`: what was read, and proof nothing was lost.
//! `Synthèse` has its own module.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::grid::{Cell, Formats, Grid, HEADER_ROW, Style, Tone};
use crate::reconcile::{Severity, Status};
use crate::report::{Context, VERSION};

pub fn tool() -> String {
    format!("chorus-recon {VERSION}")
}

pub fn status_tone(status: Status) -> Tone {
    match status {
        Status::Ok => Tone::Good,
        Status::Warning => Tone::Warning,
        Status::Error => Tone::Error,
    }
}

pub fn severity_tone(severity: Severity) -> Tone {
    match severity {
        Severity::Error => Tone::Error,
        Severity::Warning => Tone::Warning,
        Severity::Info => Tone::Info,
    }
}

/// Writes `label | value` pairs from `row` on; returns the next free row. Text values run
/// over the empty cells to their right (a long path does not widen the whole column);
/// dates and counts are left-aligned like the text around them.
pub fn pairs(grid: &mut Grid, mut row: u32, items: &[(&str, Cell)]) -> Result<u32, XlsxError> {
    for (label, value) in items {
        grid.put(row, 0, &Cell::text(label), true)?;
        match value {
            Cell::Text(s) => grid.free_text(row, 1, s)?,
            other => grid.put_styled(row, 1, other, Style::Left)?,
        }
        row += 1;
    }
    Ok(row)
}

const INPUT_HEADERS: [&str; 17] = [
    "Fichier",
    "Taille (octets)",
    "SHA-256",
    "Format de l'extrait",
    "Encodage",
    "Séparateur",
    "Ligne d'en-tête",
    "Type de montant",
    "Date d'extraction",
    "Axes contrôlés",
    "Lignes lues",
    "Dans le périmètre",
    "Hors périmètre",
    "Rejetées",
    "Doublons",
    "Remplacées",
    "Notes",
];

pub fn provenance(book: &mut Workbook, fmt: &Formats, ctx: &Context) -> Result<(), XlsxError> {
    let rec = &ctx.run.reconciliation;
    let mut grid = Grid::new(book, fmt, "Provenance")?;
    grid.heading(
        0,
        "Fichiers lus, avec leur empreinte, leur format et le décompte de leurs lignes ; \
         puis la convention, l'outil et la preuve que rien n'est perdu.",
        &fmt.note,
    )?;
    grid.header(HEADER_ROW, 0, &INPUT_HEADERS)?;
    let mut row = HEADER_ROW;
    for (i, input) in ctx.run.inputs.iter().enumerate() {
        row += 1;
        let source = &input.source;
        let n = rec.input_counts.get(i).copied().unwrap_or_default();
        grid.row(
            row,
            &[
                Cell::text(&input.label),
                Cell::count(source.size),
                Cell::text(&input.sha256),
                Cell::owned(format!("{} – {}", source.layout, source.layout_title)),
                Cell::text(source.encoding),
                Cell::text(&source.shape),
                Cell::ordinal(source.header_row),
                Cell::text(&source.measure_note),
                input.extracted.map_or(Cell::Empty, |(d, _)| Cell::Date(d)),
                Cell::owned(input.checked_axes.labels()),
                Cell::count(n.read),
                Cell::count(n.in_scope),
                Cell::count(n.out_of_scope),
                Cell::count(n.rejected),
                Cell::count(n.duplicates),
                Cell::count(n.replaced),
                Cell::Wrapped(input.notes.join("; ").into()),
            ],
            false,
        )?;
    }
    grid.table_chrome(HEADER_ROW, row, INPUT_HEADERS.len())?;
    let row = ignored_files(&mut grid, fmt, ctx, row)?;
    let c = ctx.convention;
    grid.heading(row + 2, "Convention et outil", &fmt.section)?;
    let row = pairs(
        &mut grid,
        row + 3,
        &[
            ("Convention", Cell::text(&c.origin)),
            ("Identifiant", Cell::text(&c.id)),
            ("SHA-256", Cell::text(&c.sha256)),
            ("Outil", Cell::owned(tool())),
            ("Date de rapprochement", Cell::Date(rec.as_of)),
        ],
    )?;
    conservation(&mut grid, fmt, ctx, row + 1)?;
    grid.finish()
}

/// The files found in a folder and left aside (not extracts), with why, under the inputs'
/// table ending at `row`; returns the last row written (`row` itself when there is none).
fn ignored_files(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    mut row: u32,
) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    if !rec.ignored_files.is_empty() {
        row += 2;
        grid.heading(
            row,
            "Fichiers ignorés (trouvés dans un dossier, ce ne sont pas des extraits)",
            &fmt.section,
        )?;
        row += 1;
        grid.header(row, 0, &["Fichier", "Motif"])?;
        for file in &rec.ignored_files {
            row += 1;
            grid.row(
                row,
                &[
                    Cell::text(&file.path),
                    Cell::Wrapped(file.reason.as_str().into()),
                ],
                false,
            )?;
        }
    }

    Ok(row)
}

/// Lines and amounts in = out: the proof that nothing was dropped on the way.
fn conservation(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<(), XlsxError> {
    let k = &ctx.run.reconciliation.conservation;
    grid.heading(
        row,
        "Rien n'est perdu : lignes, mouvements et montants lus = ventilés",
        &fmt.section,
    )?;
    grid.header(row + 1, 0, &["", "Entrées", "Sorties"])?;
    let rows = [
        ("Lignes", Cell::count(k.rows_in), Cell::count(k.rows_out)),
        (
            "Mouvements d'AE",
            Cell::count(k.movements_in[0]),
            Cell::count(k.movements_out[0]),
        ),
        (
            "Mouvements de CP",
            Cell::count(k.movements_in[1]),
            Cell::count(k.movements_out[1]),
        ),
        ("AE", Cell::Amount(k.ae_in), Cell::Amount(k.ae_out)),
        ("CP", Cell::Amount(k.cp_in), Cell::Amount(k.cp_out)),
    ];
    let mut r = row + 1;
    for (label, a, b) in rows {
        r += 1;
        grid.row(r, &[Cell::text(label), a, b], false)?;
    }
    let verdict = if k.holds() {
        Cell::Toned("équilibré".into(), Tone::Good)
    } else {
        Cell::Toned("ÉCART".into(), Tone::Error)
    };
    grid.put(r + 1, 0, &Cell::text("Contrôle"), true)?;
    grid.put(r + 1, 1, &verdict, false)?;
    Ok(())
}
