//! `Compte rendu`: the page the délégataire sends the délégant (art. 5 of the convention:
//! « rendre compte au délégant, mensuellement ainsi qu'au terme de la convention, des
//! dépenses réalisées… et présenter les prévisions de consommation du budget »). One A4
//! page, portrait, nothing cut: the convention, its state, per product what is engaged,
//! paid and left to pay, the schedule to date and the gap to it, the projection at the end
//! of the exercice and of the convention, the credits that may stay unused, and the
//! findings that need the délégant. Every figure is the reconciliation's own
//! (`products`, `totals`, `commitments`, `outlook`): this module only lays them out.

mod figures;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use self::figures::{Row, attention, exercice, product_rows, shown, total, unattributed};

use super::grid::{Cell, Formats, Grid, Orientation, Style};
use super::overview::severity_tone;
use super::page::wrapped_lines;
use crate::convention::Convention;
use crate::reconcile::forecast::Source;
use crate::reconcile::{Finding, Reconciliation, Severity, Status};

pub const NAME: &str = "Compte rendu";

/// Columns A to G: the product, then six columns of figures.
const LAST_COL: u16 = 6;
const LABEL_WIDTH: usize = 20;
const FIGURE_WIDTH: usize = 14;
/// The characters a line of the page holds: the columns' widths.
const PAGE_CHARS: usize = LABEL_WIDTH + FIGURE_WIDTH * LAST_COL as usize;
/// The height of a line of text, in points (`page::make_tall`'s rule).
const LINE_HEIGHT: f64 = 15.0;

/// The rows of the page's tables: the products, the unattributed lines, the total.
struct Tables {
    rows: Vec<Row>,
    sum: Row,
}

/// The formats of this page beyond the workbook's: text wrapped in merged cells.
struct Local {
    header: Format,
    section: Format,
    text: Format,
    bold: Format,
    note: Format,
}

impl Local {
    fn new(fmt: &Formats) -> Local {
        let wrap = |f: Format| f.set_text_wrap().set_align(FormatAlign::Top);
        Local {
            header: fmt.header.clone().set_text_wrap(),
            section: wrap(fmt.section.clone()),
            text: wrap(Format::new()),
            bold: wrap(Format::new().set_bold()),
            note: wrap(fmt.note.clone()),
        }
    }
}

/// Writes the sheet of one convention and its reconciliation.
pub fn compte_rendu(
    book: &mut Workbook,
    fmt: &Formats,
    convention: &Convention,
    rec: &Reconciliation,
) -> Result<(), XlsxError> {
    let local = Local::new(fmt);
    let mut grid = Grid::new(book, fmt, NAME)?;
    grid.set_orientation(Orientation::Portrait);
    grid.min_width(0, LABEL_WIDTH);
    for col in 1..=LAST_COL {
        grid.min_width(col, FIGURE_WIDTH);
    }
    let row = identity(&mut grid, &local, convention, rec)?;
    let mut rows = product_rows(convention, rec);
    if let Some(r) = unattributed(rec, &rows) {
        rows.push(r);
    }
    let sum = total(&rows);
    let tables = Tables { rows, sum };
    let mut row = execution(&mut grid, fmt, &local, rec.as_of, &tables, row + 1)?;
    let year = exercice(convention, rec.as_of);
    for k in 0..2 {
        row = schedule(&mut grid, fmt, &local, (k, year), &tables, row + 1)?;
    }
    let row = notes(&mut grid, &local, convention, rec, year, row)?;
    let row = points(&mut grid, fmt, &local, convention, rec, row + 1)?;
    let text = "Document établi par chorus-recon à partir des extraits Chorus listés dans \
                l'onglet Provenance.";
    paragraph(&mut grid, row + 1, text, &local.note)?;
    let sheet = grid.sheet();
    sheet.set_print_area(0, 0, row + 1, LAST_COL)?;
    // One page: fitted to one page wide and one page tall.
    sheet.set_print_fit_to_pages(1, 1);
    grid.finish()
}

/// Text over the page's width, wrapped, in a row tall enough for it.
fn paragraph(grid: &mut Grid, row: u32, text: &str, format: &Format) -> Result<(), XlsxError> {
    paragraph_sized(grid, row, text, format, 1.0)
}

/// [`paragraph`] in a font `scale` times the body's (wider characters, taller lines).
fn paragraph_sized(
    grid: &mut Grid,
    row: u32,
    text: &str,
    format: &Format,
    scale: f64,
) -> Result<(), XlsxError> {
    let room = (PAGE_CHARS as f64 / scale) as usize;
    let lines = wrapped_lines(text.split_whitespace().map(|w| w.chars().count()), room);
    let sheet = grid.sheet();
    sheet.merge_range(row, 0, row, LAST_COL, text, format)?;
    if lines > 1 {
        sheet.set_row_height(row, LINE_HEIGHT * scale * lines as f64)?;
    }
    Ok(())
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The title, the convention in a few lines, and its state in one phrase.
fn identity(
    grid: &mut Grid,
    local: &Local,
    c: &Convention,
    rec: &Reconciliation,
) -> Result<u32, XlsxError> {
    grid.title(
        0,
        &format!("Compte rendu d'exécution au {}", date(rec.as_of)),
    )?;
    // The section's font is 12 points, the body's 11.
    paragraph_sized(grid, 1, &c.title, &local.section, 12.0 / 11.0)?;
    let parties = format!(
        "Convention {} – délégant : {} – délégataire : {}.",
        c.id, c.delegant, c.delegataire
    );
    paragraph(grid, 2, &parties, &local.text)?;
    let imputation = match c.imputation_text() {
        s if s.is_empty() => String::new(),
        s => format!(" ; imputation : {s}"),
    };
    let period = format!(
        "Période du {} au {}{imputation}.",
        date(c.start),
        date(c.end)
    );
    paragraph(grid, 3, &period, &local.text)?;
    paragraph(grid, 4, &state(c, rec), &local.bold)?;
    Ok(5)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// The convention's state and the reconciliation's verdict, in one phrase.
pub(super) fn state(c: &Convention, rec: &Reconciliation) -> String {
    let when = if rec.as_of > c.end {
        format!("Convention terminée le {}", date(c.end))
    } else if rec.as_of < c.start {
        format!("Convention non commencée (début le {})", date(c.start))
    } else {
        format!("Convention en cours jusqu'au {}", date(c.end))
    };
    let counted = |s: Severity| rec.count(s) - rec.accepted(s);
    let verdict = match rec.status() {
        Status::Ok => "rapprochement Chorus conforme".to_string(),
        Status::Warning => format!(
            "rapprochement Chorus à vérifier ({})",
            plural(
                counted(Severity::Warning),
                "avertissement",
                "avertissements"
            )
        ),
        Status::Error => format!(
            "rapprochement Chorus : anomalies bloquantes ({}, {})",
            plural(counted(Severity::Error), "erreur", "erreurs"),
            plural(
                counted(Severity::Warning),
                "avertissement",
                "avertissements"
            )
        ),
    };
    let n = attention(&rec.findings).len();
    let points = match n {
        0 => "aucun point d'attention pour le délégant".to_string(),
        n => plural(n, "point d'attention", "points d'attention") + " ci-dessous",
    };
    format!("{when} ; {verdict} ; {points}.")
}

/// A table's header row, wrapped, three lines high.
fn header(grid: &mut Grid, local: &Local, row: u32, headers: &[&str]) -> Result<(), XlsxError> {
    let sheet = grid.sheet();
    sheet.set_row_height(row, LINE_HEIGHT * 3.0)?;
    for (col, h) in (0..).zip(headers) {
        sheet.write_string_with_format(row, col, *h, &local.header)?;
    }
    Ok(())
}

/// The rows, then the total, each with its cells after the product's name.
fn body(
    grid: &mut Grid,
    row: u32,
    tables: &Tables,
    cells: impl Fn(&Row) -> Vec<Cell<'static>>,
) -> Result<u32, XlsxError> {
    let mut r = row;
    let lines = (tables.rows.iter().map(|l| (l, Style::Plain)))
        .chain(std::iter::once((&tables.sum, Style::Total)));
    for (line, style) in lines {
        let mut all = vec![Cell::owned(line.name.clone())];
        all.extend(cells(line));
        grid.styled_row(r, &all, style)?;
        r += 1;
    }
    Ok(r)
}

/// What was engaged, paid and is left to pay, against what the convention allocates.
fn execution(
    grid: &mut Grid,
    fmt: &Formats,
    local: &Local,
    as_of: NaiveDate,
    tables: &Tables,
    row: u32,
) -> Result<u32, XlsxError> {
    grid.heading(row, &format!("Exécution au {}", date(as_of)), &fmt.section)?;
    header(
        grid,
        local,
        row + 1,
        &[
            "Produit",
            "AE allouées (convention)",
            "AE engagées",
            "CP alloués (convention)",
            "CP payés",
            "Reste à payer",
            "Taux de paiement des AE engagées",
        ],
    )?;
    body(grid, row + 2, tables, |r| {
        vec![
            Cell::opt_amount(r.allocated[0]),
            Cell::Amount(r.consumed[0]),
            Cell::opt_amount(r.allocated[1]),
            Cell::Amount(r.consumed[1]),
            Cell::Amount(r.remaining),
            Cell::rate(
                r.consumed[1],
                Some(r.consumed[0]).filter(|a| a > &Decimal::ZERO),
            ),
        ]
    })
}

/// One measure against the schedule: to date, the gap, the projections, what may stay
/// unused. `k`: 0 for AE, 1 for CP; `year`: the exercice projected to.
fn schedule(
    grid: &mut Grid,
    fmt: &Formats,
    local: &Local,
    (k, year): (usize, i32),
    tables: &Tables,
    row: u32,
) -> Result<u32, XlsxError> {
    let (heading, consumed, unused) = if k == 0 {
        (
            "Autorisations d'engagement (AE) : échéancier et projection",
            "AE engagées",
            "AE non consommées",
        )
    } else {
        (
            "Crédits de paiement (CP) : échéancier et projection",
            "CP payés",
            "CP non consommés",
        )
    };
    grid.heading(row, heading, &fmt.section)?;
    let to_date = format!("Échéancier des exercices jusqu'à {year}");
    let at_year_end = format!("Projection à la fin de {year}");
    header(
        grid,
        local,
        row + 1,
        &[
            "Produit",
            &to_date,
            consumed,
            "Écart à l'échéancier",
            &at_year_end,
            "Projection à la fin de la convention",
            unused,
        ],
    )?;
    body(grid, row + 2, tables, |r| {
        vec![
            Cell::opt_amount(r.to_date[k]),
            Cell::Amount(r.consumed[k]),
            Cell::opt_amount(r.to_date[k].map(|p| r.consumed[k] - p)),
            Cell::opt_amount(r.at_year_end[k]),
            Cell::opt_amount(r.at_end[k]),
            Cell::opt_amount(r.unused[k]),
        ]
    })
}

/// How to read the tables: the schedule to date, the gap, where the projection comes from.
fn notes(
    grid: &mut Grid,
    local: &Local,
    c: &Convention,
    rec: &Reconciliation,
    year: i32,
    row: u32,
) -> Result<u32, XlsxError> {
    let outlook = &rec.outlook;
    let source = if let Some(file) = &outlook.file {
        format!("les prévisions du délégataire ({file})")
    } else if outlook.years.iter().any(|y| y.source == Source::RunRate) {
        "le rythme de consommation de l'exercice en cours (sans prévisions du délégataire)"
            .to_string()
    } else {
        "le réalisé (exercices terminés)".to_string()
    };
    let mut missing: Vec<i32> = (outlook.years.iter())
        .filter(|y| y.source == Source::None)
        .map(|y| y.year)
        .collect();
    missing.dedup();
    let missing = match missing.as_slice() {
        [] => String::new(),
        years => format!(
            " Pas de projection pour {} : exercice non commencé, sans prévisions du délégataire \
             (--previsions).",
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let text = format!(
        "Échéancier des exercices {} à {year} ; écart = consommé − échéancier (négatif : en \
         deçà). Projection d'après {source}.{missing} Non consommés : les crédits de \
         l'échéancier non consommés des exercices clos (constatés) et ceux que la projection \
         laisse inemployés (prévus) (art. 5 : à signaler au délégant dans les meilleurs délais).",
        c.start.year()
    );
    paragraph(grid, row, &text, &local.note)?;
    Ok(row + 1)
}

/// What the finding concerns, in a few words: product, year, AE or CP, EJ.
fn subject(c: &Convention, f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    match f.product.and_then(|p| c.products.get(p)) {
        Some(p) => parts.push(p.name.clone()),
        None if f.ej.is_none() => parts.push("Convention".into()),
        None => {}
    }
    if let Some(y) = f.year {
        parts.push(y.to_string());
    }
    if let Some(m) = f.measure {
        parts.push(m.label().to_string());
    }
    if let Some(ej) = &f.ej {
        parts.push(format!("EJ {ej}"));
    }
    parts.join(" ")
}

/// « Points d'attention pour le délégant »: one short line per finding of [`attention`].
fn points(
    grid: &mut Grid,
    fmt: &Formats,
    local: &Local,
    c: &Convention,
    rec: &Reconciliation,
    row: u32,
) -> Result<u32, XlsxError> {
    grid.heading(row, "Points d'attention pour le délégant", &fmt.section)?;
    let all = attention(&rec.findings);
    if all.is_empty() {
        let text = "Aucun : ni dépassement, ni crédits inemployés, ni EJ à solder.";
        paragraph(grid, row + 1, text, &local.text)?;
        return Ok(row + 2);
    }
    let (listed, others) = shown(&all);
    let mut r = row + 1;
    for (label, f) in listed {
        grid.free_text(r, 0, label)?;
        grid.free_text(r, 3, &subject(c, f))?;
        grid.put(r, 5, &Cell::opt_amount(f.amount), false)?;
        let tone = severity_tone(f.severity);
        grid.put(r, 6, &Cell::Toned(f.severity.label().into(), tone), false)?;
        r += 1;
    }
    if others > 0 {
        // Past MAX_POINTS, at least two are left: « autres » is always plural.
        let text = format!("… et {others} autres, voir l'onglet Anomalies.");
        grid.free_text_with(r, 0, &text, &fmt.note)?;
        r += 1;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Measure;
    use crate::reconcile::Code;

    #[test]
    fn a_point_says_what_it_concerns_in_a_few_words() {
        let c = Convention::builtin();
        let mut f = Finding::new(Code::CreditsNonConsommes, String::new());
        assert_eq!(subject(&c, &f), "Convention");
        f.measure = Some(Measure::Cp);
        assert_eq!(subject(&c, &f), "Convention CP");
        (f.product, f.year) = (Some(1), Some(2020));
        assert_eq!(subject(&c, &f), "CarbuRe 2020 CP");
        let mut ej = Finding::new(Code::EjNonSolde, String::new());
        ej.ej = Some("2100000101".into());
        assert_eq!(subject(&c, &ej), "EJ 2100000101");
        ej.product = Some(0);
        assert_eq!(subject(&c, &ej), "Potentiel EJ 2100000101");
    }

    #[test]
    fn the_state_says_where_the_convention_stands_and_the_verdict() {
        let dir = tempfile::tempdir().unwrap();
        let (mut run, convention) = crate::report::workbook::tests::sample(dir.path());
        let rec = &mut run.reconciliation;
        assert!(
            state(&convention, rec).starts_with(
                "Convention en cours jusqu'au 31/07/2021 ; rapprochement Chorus : anomalies \
                 bloquantes (1 erreur, "
            ),
            "{}",
            state(&convention, rec)
        );
        rec.as_of = NaiveDate::from_ymd_opt(2021, 8, 1).unwrap();
        rec.findings.retain(|f| f.severity == Severity::Info);
        // The information that credits stay unused is for the délégant.
        let unused = rec.findings.len();
        assert!(unused > 1);
        assert!(
            state(&convention, rec).ends_with(&format!(
                "rapprochement Chorus conforme ; {unused} points d'attention ci-dessous."
            )),
            "{}",
            state(&convention, rec)
        );
        rec.findings.clear();
        assert_eq!(
            state(&convention, rec),
            "Convention terminée le 31/07/2021 ; rapprochement Chorus conforme ; aucun point \
             d'attention pour le délégant."
        );
    }
}
