//! The two sheets that read top to bottom rather than as one table: `Synthèse` (what an
//! accountant checks first) and `Provenance` (what was read, and proof nothing was lost).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::grid::{Cell, Formats, Grid, Tone};
use crate::reconcile::{Code, Severity, Status};
use crate::report::{Context, VERSION};

pub fn tool() -> String {
    format!("chorus-recon {VERSION}")
}

fn status_tone(status: Status) -> Tone {
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

/// Writes `label | value` pairs from `row` on; returns the next free row.
fn pairs(grid: &mut Grid, mut row: u32, items: &[(&str, Cell)]) -> Result<u32, XlsxError> {
    for (label, value) in items {
        grid.put(row, 0, &Cell::text(label), true)?;
        grid.put(row, 1, value, false)?;
        row += 1;
    }
    Ok(row)
}

pub fn synthese(book: &mut Workbook, fmt: &Formats, ctx: &Context) -> Result<(), XlsxError> {
    let mut grid = Grid::new(book, fmt, "Synthèse")?;
    grid.heading(0, "Rapprochement Chorus de la convention", &fmt.title)?;
    grid.heading(1, &ctx.convention.title, &fmt.section)?;
    let row = convention(&mut grid, fmt, ctx, 3)?;
    let row = reconciliation(&mut grid, fmt, ctx, row + 1)?;
    let row = key_figures(&mut grid, fmt, ctx, row + 1)?;
    findings(&mut grid, fmt, ctx, row + 1)?;
    grid.finish()
}

/// What the agreement allows: who, when, on which imputation.
fn convention<'a>(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &'a Context,
    row: u32,
) -> Result<u32, XlsxError> {
    let c = ctx.convention;
    grid.heading(row, "Convention", &fmt.section)?;
    let imputation = |v: &'a Option<String>| Cell::text(v.as_deref().unwrap_or("(non contrôlé)"));
    let mut items = vec![
        ("Intitulé", Cell::text(&c.title)),
        ("Identifiant", Cell::text(&c.id)),
        ("Délégant", Cell::text(&c.delegant)),
        ("Délégataire", Cell::text(&c.delegataire)),
    ];
    if let Some(p) = &c.programme_label {
        items.push(("Programme", Cell::text(p)));
    }
    items.extend([
        ("Début de période", Cell::Date(c.start)),
        ("Fin de période", Cell::Date(c.end)),
        (
            "Centre financier",
            imputation(&c.imputation.centre_financier),
        ),
        (
            "Domaine fonctionnel",
            imputation(&c.imputation.domaine_fonctionnel),
        ),
        ("Activité", imputation(&c.imputation.activite)),
        ("Centre de coût", imputation(&c.imputation.centre_cout)),
        (
            "Hors titre 2",
            Cell::text(if c.excludes_titre_2 { "oui" } else { "non" }),
        ),
        ("Source", Cell::text(&c.origin)),
        ("SHA-256", Cell::text(&c.sha256)),
    ]);
    pairs(grid, row + 1, &items)
}

/// When, on what, with which tool, and the verdict.
fn reconciliation(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    row: u32,
) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    grid.heading(row, "Rapprochement", &fmt.section)?;
    let status = rec.status();
    let mut items = vec![
        ("Date de rapprochement", Cell::Date(rec.as_of)),
        (
            "Statut",
            Cell::Toned(status.label().into(), status_tone(status)),
        ),
        ("Outil", Cell::owned(tool())),
        ("Extraits lus", Cell::count(ctx.run.inputs.len())),
    ];
    let labels: Vec<String> = (1..=ctx.run.inputs.len())
        .map(|i| format!("Extrait {i}"))
        .collect();
    for (label, input) in labels.iter().zip(&ctx.run.inputs) {
        items.push((label, Cell::text(&input.info.display)));
    }
    pairs(grid, row + 1, &items)
}

fn key_figures(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    let t = &rec.totals;
    grid.heading(row, "Chiffres clés", &fmt.section)?;
    grid.header(
        row + 1,
        0,
        &[
            "",
            "Alloué",
            "Consommé",
            "Disponible",
            "Taux de consommation",
        ],
    )?;
    let figures = |label: &'static str, allocated: Decimal, consumed: Decimal| {
        [
            Cell::text(label),
            Cell::Amount(allocated),
            Cell::Amount(consumed),
            Cell::Amount(allocated - consumed),
            Cell::rate(consumed, Some(allocated)),
        ]
    };
    grid.row(
        row + 2,
        &figures("AE", t.ae_allocated, t.ae_consumed),
        false,
    )?;
    grid.row(
        row + 3,
        &figures("CP", t.cp_allocated, t.cp_consumed),
        false,
    )?;
    let row = pairs(
        grid,
        row + 5,
        &[("Restes à payer", Cell::Amount(t.remaining_to_pay))],
    )?;

    grid.heading(row + 1, "Lignes", &fmt.section)?;
    let n = &rec.counts;
    pairs(
        grid,
        row + 2,
        &[
            ("Lues", Cell::count(n.read)),
            ("Dans le périmètre", Cell::count(n.in_scope)),
            ("Hors périmètre", Cell::count(n.out_of_scope)),
            ("Rejetées", Cell::count(n.rejected)),
            ("Doublons", Cell::count(n.duplicates)),
        ],
    )
}

fn findings(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    grid.heading(row, "Anomalies", &fmt.section)?;
    let severities = [Severity::Error, Severity::Warning, Severity::Info];
    for (i, s) in severities.into_iter().enumerate() {
        let r = row + 1 + i as u32;
        grid.put(
            r,
            0,
            &Cell::Toned(s.label().into(), severity_tone(s)),
            false,
        )?;
        grid.put(r, 1, &Cell::count(rec.count(s)), false)?;
    }
    let mut by_code: BTreeMap<Code, usize> = BTreeMap::new();
    for f in &rec.findings {
        *by_code.entry(f.code).or_default() += 1;
    }
    let mut r = row + 5;
    grid.header(r, 0, &["Code", "Gravité", "Nombre"])?;
    for (code, n) in by_code {
        r += 1;
        let s = code.severity();
        grid.row(
            r,
            &[
                Cell::text(code.as_str()),
                Cell::Toned(s.label().into(), severity_tone(s)),
                Cell::count(n),
            ],
            false,
        )?;
    }
    Ok(r + 1)
}

const INPUT_HEADERS: [&str; 15] = [
    "Fichier",
    "Taille (octets)",
    "SHA-256",
    "Mise en page",
    "Encodage",
    "Séparateur",
    "Ligne d'en-tête",
    "Type de montant",
    "Axes contrôlés",
    "Lignes lues",
    "Dans le périmètre",
    "Hors périmètre",
    "Rejetées",
    "Doublons",
    "Notes",
];

pub fn provenance(book: &mut Workbook, fmt: &Formats, ctx: &Context) -> Result<(), XlsxError> {
    let rec = &ctx.run.reconciliation;
    let mut grid = Grid::new(book, fmt, "Provenance")?;
    grid.header(0, 0, &INPUT_HEADERS)?;
    let mut row = 0;
    for (i, input) in ctx.run.inputs.iter().enumerate() {
        row += 1;
        let info = &input.info;
        let n = rec.input_counts.get(i).copied().unwrap_or_default();
        let layout = info.mapping.layout;
        grid.row(
            row,
            &[
                Cell::owned(info.label()),
                Cell::count(info.size),
                Cell::text(&input.sha256),
                Cell::owned(format!("{} – {}", layout.name, layout.title)),
                Cell::text(info.encoding_label()),
                Cell::owned(info.shape_label()),
                Cell::count(info.mapping.header_row),
                Cell::text(&info.measure_note),
                Cell::owned(input.checked_axes.labels()),
                Cell::count(n.read),
                Cell::count(n.in_scope),
                Cell::count(n.out_of_scope),
                Cell::count(n.rejected),
                Cell::count(n.duplicates),
                Cell::owned(input.notes.join("; ")),
            ],
            false,
        )?;
    }
    grid.table_chrome(0, row, INPUT_HEADERS.len())?;

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

/// Lines and amounts in = out: the proof that nothing was dropped on the way.
fn conservation(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<(), XlsxError> {
    let k = &ctx.run.reconciliation.conservation;
    grid.heading(row, "Contrôle de conservation", &fmt.section)?;
    grid.header(row + 1, 0, &["", "Entrées", "Sorties"])?;
    let rows = [
        ("Lignes", Cell::count(k.rows_in), Cell::count(k.rows_out)),
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
