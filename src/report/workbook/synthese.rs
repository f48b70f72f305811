//! `Synthèse`, the sheet the CBCM signs: on its first page the verdict (a coloured
//! banner), the key figures, the findings by severity and the schedule with its chart;
//! then the convention, the run and the counts that back them.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart, ChartFont, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Workbook,
    XlsxError,
};

use super::forecast;
use super::grid::{Cell, Formats, Grid, Orientation, Style};
use super::overview::{pairs, severity_tone, status_tone, tool};
use super::sums::{schedule_rows, schedule_sums};
use crate::reconcile::{Code, Severity, Status};
use crate::report::Context;

pub const NAME: &str = "Synthèse";

/// Columns A to E: labels, then four columns of figures.
const LAST_COL: u16 = 4;
/// Widths (characters) that give the figures and the chart their room on one page.
const LABEL_WIDTH: usize = 28;
const FIGURE_WIDTH: usize = 17;
/// The chart, in pixels: about the width of columns A to E.
const CHART_WIDTH: u32 = 720;
const CHART_HEIGHT: u32 = 320;
/// Rows the chart covers (default rows are 20 pixels high), and one to breathe.
const CHART_ROWS: u32 = CHART_HEIGHT / 20 + 1;

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

pub fn synthese(book: &mut Workbook, fmt: &Formats, ctx: &Context) -> Result<(), XlsxError> {
    let rec = &ctx.run.reconciliation;
    let mut grid = Grid::new(book, fmt, NAME)?;
    grid.set_orientation(Orientation::Portrait);
    grid.min_width(0, LABEL_WIDTH);
    for col in 1..=LAST_COL {
        grid.min_width(col, FIGURE_WIDTH);
    }
    grid.title(
        0,
        &format!(
            "Rapprochement Chorus – situation au {}",
            rec.as_of.format("%d/%m/%Y")
        ),
    )?;
    grid.heading(1, &ctx.convention.title, &fmt.section)?;
    if let Some(year) = crate::reconcile::closing::closing_of(rec.as_of) {
        let text = format!("Clôture de l'exercice {year} : voir l'onglet « Fin de gestion ».");
        grid.heading(2, &text, &fmt.note)?;
    }
    let row = status(&mut grid, fmt, ctx, 3)?;
    let row = key_figures(&mut grid, fmt, ctx, row + 1)?;
    let row = findings(&mut grid, fmt, ctx, row + 1)?;
    let row = schedule(&mut grid, fmt, ctx, row + 1)?;
    // The verdict and its figures make the first page; what backs them starts the next
    // (where the application honours a manual break in a sheet fitted to the page width).
    grid.sheet().set_page_breaks(&[row + 1])?;
    let row = convention(&mut grid, fmt, ctx, row + 1)?;
    let row = reconciliation(&mut grid, fmt, ctx, row + 1)?;
    let row = line_counts(&mut grid, fmt, ctx, row + 1)?;
    codes(&mut grid, fmt, ctx, row + 1)?;
    grid.finish()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// The verdict, big and coloured, and what to do about it.
fn status(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    let status = rec.status();
    grid.free_text_with(row, 0, "Statut", &fmt.banner_label)?;
    let sheet = grid.sheet();
    sheet.set_row_height(row, 30)?;
    sheet.merge_range(
        row,
        1,
        row,
        LAST_COL,
        status.label(),
        fmt.banner(status_tone(status)),
    )?;
    let (advice, accepted) = advice(ctx);
    grid.free_text_with(row + 1, 1, &advice, &fmt.note)?;
    match accepted {
        Some(note) => {
            grid.free_text_with(row + 2, 1, &note, &fmt.note)?;
            Ok(row + 3)
        }
        None => Ok(row + 2),
    }
}

/// What to do about the verdict; and the findings the accountant accepted
/// (`--justifications`), which do not count, said apart.
fn advice(ctx: &Context) -> (String, Option<String>) {
    let rec = &ctx.run.reconciliation;
    let counted = |s: Severity| rec.count(s) - rec.accepted(s);
    let accepted: usize = SEVERITIES.iter().map(|s| rec.accepted(*s)).sum();
    let advice = match rec.status() {
        Status::Error => format!(
            "{} à corriger avant d'envoyer le rapprochement (feuille Anomalies).",
            plural(counted(Severity::Error), "erreur", "erreurs")
        ),
        Status::Warning => format!(
            "{} à examiner avant d'envoyer le rapprochement (feuille Anomalies).",
            plural(
                counted(Severity::Warning),
                "avertissement",
                "avertissements"
            )
        ),
        Status::Ok if accepted > 0 => {
            "Ni erreur ni avertissement à traiter : le rapprochement peut être signé et envoyé."
                .to_string()
        }
        Status::Ok => {
            "Ni erreur ni avertissement : le rapprochement peut être signé et envoyé.".to_string()
        }
    };
    let note = (accepted > 0).then(|| {
        format!(
            "{} sur justification, listée{} dans Anomalies, n'entre{} pas dans ce statut.",
            plural(accepted, "anomalie acceptée", "anomalies acceptées"),
            if accepted > 1 { "s" } else { "" },
            if accepted > 1 { "nt" } else { "" },
        )
    });
    (advice, note)
}

fn key_figures(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let t = &ctx.run.reconciliation.totals;
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
    // « Disponible » is the summary's figure: for AE, retraits on earlier-year EJs free
    // nothing (GBCP art. 160).
    let figures = |allocated: Decimal, consumed: Decimal, available: Decimal| {
        vec![
            Cell::Amount(allocated),
            Cell::Amount(consumed),
            Cell::Amount(available),
            Cell::rate(consumed, Some(allocated)),
        ]
    };
    let rows = [
        (
            "AE",
            figures(t.ae_allocated, t.ae_consumed, t.ae_available()),
        ),
        (
            "CP",
            figures(t.cp_allocated, t.cp_consumed, t.cp_available()),
        ),
    ];
    let mut r = row + 1;
    for (label, cells) in rows {
        r += 1;
        grid.put(r, 0, &Cell::text(label), true)?;
        for (col, cell) in (1..).zip(&cells) {
            grid.put(r, col, cell, false)?;
        }
    }
    // Below the table, apart: neither is an « Alloué ».
    let without_ej = payments_without_ej(ctx);
    let mut items = vec![("Restes à payer", Cell::Amount(t.remaining_to_pay))];
    if !without_ej.is_zero() {
        items.push((
            "AE des paiements sans EJ (absentes de l'onglet Engagements)",
            Cell::Amount(without_ej),
        ));
    }
    pairs(grid, r + 2, &items)
}

/// The AE of the payments without an EJ: they consume AE but have no line in
/// `Engagements`, the gap between that sheet's AE and `Synthèse`'s.
fn payments_without_ej(ctx: &Context) -> Decimal {
    ctx.run
        .reconciliation
        .lines
        .iter()
        .map(|l| &l.judged.line)
        .filter(|l| l.is_payment_without_ej())
        .map(|l| l.amount)
        .sum()
}

/// Findings by severity; with `--previous`, how many are new, still open or resolved.
fn findings(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    grid.heading(row, "Anomalies", &fmt.section)?;
    let tracked = !rec.resolved.is_empty() || rec.findings.iter().any(|f| f.follow_up.is_some());
    let mut headers = vec!["Gravité", "Nombre"];
    if tracked {
        headers.extend(["Nouvelles", "Toujours ouvertes", "Résolues"]);
    }
    grid.header(row + 1, 0, &headers)?;
    // Per severity: count, new, open, resolved.
    let mut sums = [[0usize; 4]; 3];
    for f in &rec.findings {
        let s = &mut sums[f.severity as usize];
        s[0] += 1;
        match f.follow_up {
            Some(u) if u.is_new => s[1] += 1,
            Some(_) => s[2] += 1,
            None => {}
        }
    }
    for r in &rec.resolved {
        sums[r.severity as usize][3] += 1;
    }
    let mut r = row + 1;
    for s in SEVERITIES {
        r += 1;
        let n = sums[s as usize];
        let mut cells = vec![
            Cell::Toned(s.label().into(), severity_tone(s)),
            Cell::count(n[0]),
        ];
        if tracked {
            cells.extend(n[1..].iter().map(|x| Cell::count(*x)));
        }
        grid.row(r, &cells, false)?;
    }
    r += 1;
    let column = |i: usize| Cell::count(sums.iter().map(|s| s[i]).sum::<usize>());
    let mut total = vec![Cell::text("Total"), column(0)];
    if tracked {
        total.extend([column(1), column(2), column(3)]);
    }
    grid.styled_row(r, &total, Style::Total)?;
    Ok(r + 1)
}

/// The schedule per product and year, planned and consumed, and its chart under it.
fn schedule(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let rows = schedule_rows(ctx);
    grid.heading(row, "Échéancier : prévu et consommé", &fmt.section)?;
    let header = row + 1;
    grid.header(
        header,
        0,
        &[
            "Produit et année",
            "AE prévues",
            "AE consommées",
            "CP prévus",
            "CP consommés",
        ],
    )?;
    let mut r = header;
    for s in &rows {
        r += 1;
        grid.row(
            r,
            &[
                Cell::owned(format!("{} {}", s.product, s.year)),
                Cell::opt_amount(s.ae.0),
                Cell::Amount(s.ae.1),
                Cell::opt_amount(s.cp.0),
                Cell::Amount(s.cp.1),
            ],
            false,
        )?;
    }
    let (ae, cp) = schedule_sums(&rows);
    grid.styled_row(
        r + 1,
        &[
            Cell::text("Total"),
            Cell::opt_amount(ae.planned),
            Cell::Amount(ae.consumed),
            Cell::opt_amount(cp.planned),
            Cell::Amount(cp.consumed),
        ],
        Style::Total,
    )?;
    if rows.is_empty() {
        return Ok(r + 2);
    }
    let (projection, _) = forecast::synthese_table(grid, fmt, ctx, &rows, r + 3)?;
    let last = projection + rows.len() as u32 + 1;
    let chart = schedule_chart(header, r, projection);
    grid.sheet()
        .insert_chart_with_offset(last + 2, 0, &chart, 4, 0)?;
    Ok(last + 2 + CHART_ROWS)
}

/// AE and CP, planned, consumed and projected, per product and year: the cells of the
/// tables above (`header` is the schedule's header row, `last` its last data row,
/// `projection` the projection table's header row, whose rows are the schedule's).
fn schedule_chart(header: u32, last: u32, projection: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    let series = [
        (header, 1, 0x9D_C3_E6),
        (header, 2, 0x1F_4E_79),
        (projection, 1, 0x5B_9B_D5),
        (header, 3, 0xF8_CB_AD),
        (header, 4, 0xC5_5A_11),
        (projection, 3, 0xF4_B1_83),
    ];
    let rows = last - header;
    for (top, col, color) in series {
        chart
            .add_series()
            .set_name((NAME, top, col))
            .set_categories((NAME, header + 1, 0, last, 0))
            .set_values((NAME, top + 1, col, top + rows, col))
            .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(color)));
    }
    chart
        .title()
        .set_name("AE et CP consommés et projetés au regard de l'échéancier")
        .set_font(ChartFont::new().set_size(12).set_bold());
    chart.x_axis().set_name("Produit et année");
    chart
        .y_axis()
        .set_name("Montant")
        .set_num_format(r##"#,##0 "€""##);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
        .set_width(CHART_WIDTH)
        .set_height(CHART_HEIGHT)
        .set_alt_text("AE et CP prévus, consommés et projetés, par produit et par année");
    chart
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
        ("AE allouées", Cell::Amount(c.ae_allocated())),
        ("CP alloués", Cell::Amount(c.cp_allocated())),
    ]);
    items.extend(super::amendments::synthese_items(ctx));
    items.extend([
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
    let warnings = c.warnings();
    for warning in &warnings {
        items.push(("Attention", Cell::text(warning)));
    }
    pairs(grid, row + 1, &items)
}

/// When, on what, with which tool.
fn reconciliation(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    row: u32,
) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    grid.heading(row, "Rapprochement", &fmt.section)?;
    let mut items = vec![
        ("Date de rapprochement", Cell::Date(rec.as_of)),
        ("Outil", Cell::owned(tool())),
        ("Extraits lus", Cell::count(ctx.run.inputs.len())),
    ];
    let labels: Vec<String> = (1..=ctx.run.inputs.len())
        .map(|i| format!("Extrait {i}"))
        .collect();
    for (label, input) in labels.iter().zip(&ctx.run.inputs) {
        items.push((label, Cell::text(&input.source.display)));
    }
    pairs(grid, row + 1, &items)
}

fn line_counts(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let n = &ctx.run.reconciliation.counts;
    grid.heading(row, "Lignes", &fmt.section)?;
    pairs(
        grid,
        row + 1,
        &[
            ("Lues", Cell::count(n.read)),
            ("Dans le périmètre", Cell::count(n.in_scope)),
            ("Hors périmètre", Cell::count(n.out_of_scope)),
            ("Rejetées", Cell::count(n.rejected)),
            ("Doublons", Cell::count(n.duplicates)),
            (
                "Remplacées par un extrait plus récent",
                Cell::count(n.replaced),
            ),
        ],
    )
}

/// Findings by code, the most serious first.
fn codes(grid: &mut Grid, fmt: &Formats, ctx: &Context, row: u32) -> Result<u32, XlsxError> {
    let rec = &ctx.run.reconciliation;
    grid.heading(row, "Anomalies par code", &fmt.section)?;
    let mut by_code: BTreeMap<(Severity, Code), usize> = BTreeMap::new();
    for f in &rec.findings {
        *by_code.entry((f.severity, f.code)).or_default() += 1;
    }
    let mut r = row + 1;
    grid.header(r, 0, &["Code", "Gravité", "Nombre"])?;
    for ((s, code), n) in by_code {
        r += 1;
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
