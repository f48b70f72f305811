//! `Compte rendu`: the page the délégataire sends the délégant (art. 5 of the convention:
//! « rendre compte au délégant, mensuellement ainsi qu'au terme de la convention, des
//! dépenses réalisées… et présenter les prévisions de consommation du budget »). One A4
//! page, portrait, nothing cut: the convention, its state, per product what is engaged,
//! paid and left to pay, the schedule to date and the gap to it, the projection at the end
//! of the exercice and of the convention, the credits that may stay unused, and the
//! findings that need the délégant. Every figure is the reconciliation's own
//! (`products`, `totals`, `commitments`, `outlook`): this module only lays them out.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::grid::{Cell, Formats, Grid, Orientation, Style};
use super::overview::severity_tone;
use super::page::wrapped_lines;
use crate::convention::Convention;
use crate::model::Measure;
use crate::reconcile::forecast::{Outlook, Source, remaining_by_product};
use crate::reconcile::{Code, Finding, Reconciliation, Severity, Status};

pub const NAME: &str = "Compte rendu";

/// Columns A to G: the product, then six columns of figures.
const LAST_COL: u16 = 6;
const LABEL_WIDTH: usize = 20;
const FIGURE_WIDTH: usize = 14;
/// The characters a line of the page holds: the columns' widths.
const PAGE_CHARS: usize = LABEL_WIDTH + FIGURE_WIDTH * LAST_COL as usize;
/// Lines of « Points d'attention » at most, the « et N autres » line included.
const MAX_POINTS: usize = 10;
/// Points 1 line high, 15 points a line (`page::make_tall`'s rule).
const LINE_HEIGHT: f64 = 15.0;

/// The findings that need the délégant, most pressing first, with their label on the page.
/// The others are the délégataire's and the accountant's own work (a rejected row, a
/// payment without an EJ, a duplicate, an unattributed line…): they stay in `Anomalies`.
pub(super) const FOR_DELEGANT: [(Code, &str); 8] = [
    (Code::PlafondAeDepasse, "Plafond d'AE dépassé"),
    (Code::PlafondCpDepasse, "Plafond de CP dépassé"),
    (Code::Titre2, "Dépense de titre 2"),
    (Code::HorsPeriode, "Hors de la période"),
    (Code::EcheancierDepasse, "Échéancier dépassé"),
    (Code::EjNonSolde, "EJ non soldé à la fin"),
    (
        Code::CreditsNonConsommesPrevus,
        "Crédits susceptibles de rester inemployés",
    ),
    (Code::CreditsNonConsommes, "Crédits non consommés"),
];

/// The findings of [`FOR_DELEGANT`] that count (not accepted by a justification), in its
/// order, then in the findings' own order.
pub(super) fn attention(findings: &[Finding]) -> Vec<(&'static str, &Finding)> {
    let mut points: Vec<(usize, &'static str, &Finding)> = findings
        .iter()
        .filter(|f| f.counts())
        .filter_map(|f| {
            let rank = FOR_DELEGANT.iter().position(|(c, _)| *c == f.code)?;
            Some((rank, FOR_DELEGANT[rank].1, f))
        })
        .collect();
    points.sort_by_key(|(rank, _, _)| *rank);
    points.into_iter().map(|(_, l, f)| (l, f)).collect()
}

/// The points shown, and how many are left for « et N autres » (past [`MAX_POINTS`]).
pub(super) fn shown<T>(points: &[T]) -> (&[T], usize) {
    if points.len() <= MAX_POINTS {
        (points, 0)
    } else {
        let keep = MAX_POINTS - 1;
        (&points[..keep], points.len() - keep)
    }
}

/// One row of the page's tables: AE then CP (index 0 and 1) of a product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Row {
    pub name: String,
    /// The schedule of the whole convention.
    pub allocated: [Option<Decimal>; 2],
    /// The schedule of the exercices up to the one of `--as-of`.
    pub to_date: [Option<Decimal>; 2],
    pub consumed: [Decimal; 2],
    pub remaining: Decimal,
    /// The projection at the end of the exercice of `--as-of`, every earlier one included.
    pub at_year_end: [Option<Decimal>; 2],
    /// The projection at the convention's end (`Outlook::to_end`).
    pub at_end: [Option<Decimal>; 2],
    /// The schedule's credits left unused: closed exercices' and the projection's.
    pub unused: [Option<Decimal>; 2],
}

const MEASURES: [Measure; 2] = [Measure::Ae, Measure::Cp];

fn add_opt(sum: &mut Option<Decimal>, a: Option<Decimal>) {
    if let Some(a) = a {
        *sum.get_or_insert(Decimal::ZERO) += a;
    }
}

/// The exercice whose end the page projects to: `--as-of`'s, or the convention's last.
pub(super) fn exercice(convention: &Convention, as_of: NaiveDate) -> i32 {
    as_of.year().min(convention.end.year())
}

/// A product's projection at the end of exercice `last`, the earlier ones included, as
/// [`Outlook::to_end`] adds it: `None` when one of these years has no projection.
pub(super) fn projection_to(
    outlook: &Outlook,
    product: usize,
    measure: Measure,
    last: i32,
) -> Option<Decimal> {
    (outlook.years.iter())
        .filter(|y| y.product == product && y.year <= last)
        .try_fold(Decimal::ZERO, |sum, y| Some(sum + y.measure(measure).projected?))
}

/// Each product's row, in the convention's order.
pub(super) fn product_rows(convention: &Convention, rec: &Reconciliation) -> Vec<Row> {
    let last = exercice(convention, rec.as_of);
    let remaining = remaining_by_product(&rec.commitments, convention.products.len());
    rec.products
        .iter()
        .map(|p| {
            let mut row = Row {
                name: convention.products[p.product].name.clone(),
                remaining: remaining.get(p.product).copied().unwrap_or_default(),
                ..Row::default()
            };
            for y in &p.years {
                let figures = [(y.ae_planned, y.ae_consumed), (y.cp_planned, y.cp_consumed)];
                for (k, (planned, consumed)) in figures.into_iter().enumerate() {
                    add_opt(&mut row.allocated[k], planned);
                    if y.year <= last {
                        add_opt(&mut row.to_date[k], planned);
                    }
                    row.consumed[k] += consumed;
                }
            }
            for (k, m) in MEASURES.into_iter().enumerate() {
                row.at_year_end[k] = projection_to(&rec.outlook, p.product, m, last);
                row.at_end[k] = rec.outlook.to_end(p.product, m).map(|(_, p)| p);
                for y in rec.outlook.years.iter().filter(|y| y.product == p.product) {
                    add_opt(&mut row.unused[k], y.measure(m).unused());
                }
            }
            row
        })
        .collect()
}

/// The lines attributed to no product: what the totals hold beyond the products' rows
/// (`None` when nothing). Nothing is projected for them but what they consumed: the
/// projections' total then holds every euro already spent.
pub(super) fn unattributed(rec: &Reconciliation, products: &[Row]) -> Option<Row> {
    let t = &rec.totals;
    let mut row = Row {
        name: "Non attribué".into(),
        consumed: [t.ae_consumed, t.cp_consumed],
        remaining: t.remaining_to_pay,
        ..Row::default()
    };
    for p in products {
        row.consumed[0] -= p.consumed[0];
        row.consumed[1] -= p.consumed[1];
        row.remaining -= p.remaining;
    }
    row.at_year_end = row.consumed.map(Some);
    row.at_end = row.consumed.map(Some);
    let any = row.consumed.iter().any(|c| !c.is_zero()) || !row.remaining.is_zero();
    any.then_some(row)
}

/// The rows' sum; a projection is blank when one row's is (a partial total would
/// mislead), or when there is no row.
pub(super) fn total(rows: &[Row]) -> Row {
    let mut t = Row {
        name: "Total".into(),
        at_year_end: [Some(Decimal::ZERO); 2],
        at_end: [Some(Decimal::ZERO); 2],
        ..Row::default()
    };
    for r in rows {
        t.remaining += r.remaining;
        for k in 0..2 {
            add_opt(&mut t.allocated[k], r.allocated[k]);
            add_opt(&mut t.to_date[k], r.to_date[k]);
            t.consumed[k] += r.consumed[k];
            add_opt(&mut t.unused[k], r.unused[k]);
            t.at_year_end[k] = t.at_year_end[k].zip(r.at_year_end[k]).map(|(a, b)| a + b);
            t.at_end[k] = t.at_end[k].zip(r.at_end[k]).map(|(a, b)| a + b);
        }
    }
    if rows.is_empty() {
        t.at_year_end = [None; 2];
        t.at_end = [None; 2];
    }
    t
}

/// The rows of the page's tables: the products, the unattributed lines, the total.
struct Tables {
    rows: Vec<Row>,
    sum: Row,
}

/// The formats of this page beyond the workbook's: text wrapped in merged cells.
struct Local {
    header: Format,
    text: Format,
    bold: Format,
    note: Format,
}

impl Local {
    fn new(fmt: &Formats) -> Local {
        let wrap = |f: Format| f.set_text_wrap().set_align(FormatAlign::Top);
        Local {
            header: fmt.header.clone().set_text_wrap(),
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
    let row = identity(&mut grid, fmt, &local, convention, rec)?;
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
    let lines = wrapped_lines(text.split_whitespace().map(|w| w.chars().count()), PAGE_CHARS);
    let sheet = grid.sheet();
    sheet.merge_range(row, 0, row, LAST_COL, text, format)?;
    if lines > 1 {
        sheet.set_row_height(row, LINE_HEIGHT * lines as f64)?;
    }
    Ok(())
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The title, the convention in a few lines, and its state in one phrase.
fn identity(
    grid: &mut Grid,
    fmt: &Formats,
    local: &Local,
    c: &Convention,
    rec: &Reconciliation,
) -> Result<u32, XlsxError> {
    grid.title(0, &format!("Compte rendu d'exécution au {}", date(rec.as_of)))?;
    paragraph(grid, 1, &c.title, &fmt.section)?;
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
            Cell::rate(r.consumed[1], Some(r.consumed[0]).filter(|a| a > &Decimal::ZERO)),
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
