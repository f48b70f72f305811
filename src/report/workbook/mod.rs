//! The reconciliation workbook (XLSX), in French: the sheets of `docs/contrat.md`, in
//! its order. Pure: the run in, the bytes out; the same run gives the same bytes.
//!
//! `cell` says how each kind of value is written (one table, `Cell::typed`); `grid` writes
//! cells and sets every sheet up for printing; `table` lays tables out, split past Excel's
//! row limit; `synthese` writes the first sheet (verdict, key figures, chart), `compte_rendu` the
//! délégant's one-page report; `overview`
//! `Provenance`; `sums` the tables of sums; `detail` the tables of rows. rust_xlsxwriter
//! writes all of it but the data rows of tables, which `bypass` writes and adds, a chunk
//! of rows at a time on the pool's threads, as it copies rust_xlsxwriter's parts to the
//! output: a national `Lignes` never sits in memory as cells, nor the workbook as bytes.

mod amendments;
mod bypass;
mod cell;
mod closing;
mod compte_rendu;
mod declared;
mod detail;
mod forecast;
pub(in crate::report) mod grid;
mod monthly;
mod orders;
pub(in crate::report) mod overview;
mod page;
mod style;
mod sums;
mod synthese;
mod table;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_layout;

use std::io::Write;

use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};

use self::grid::{Formats, PageText, Split};
use super::Context;

/// Builds the workbook's bytes.
pub fn build(ctx: &Context) -> Result<Vec<u8>, XlsxError> {
    build_split(ctx, Split::EXCEL)
}

/// Writes the workbook to `out` as it is made (a national workbook never sits whole in
/// memory).
pub fn write(ctx: &Context, out: &mut dyn Write) -> Result<(), XlsxError> {
    write_split(ctx, Split::EXCEL, table::CHUNK_ROWS, out)
}

/// Compressing the sheets is a large part of writing a national workbook: level 2 takes
/// about a third of the time of the default (6), for a file about a sixth larger. Level 1
/// would save another fifth of the workbook's time for a file 40 % larger.
const COMPRESSION_LEVEL: u8 = 2;

/// Builds the workbook, continuing long tables on a new sheet every `split` rows.
fn build_split(ctx: &Context, split: Split) -> Result<Vec<u8>, XlsxError> {
    build_chunked(ctx, split, table::CHUNK_ROWS)
}

/// [`build_split`], writing tables `chunk_rows` rows at a time.
fn build_chunked(ctx: &Context, split: Split, chunk_rows: usize) -> Result<Vec<u8>, XlsxError> {
    let mut bytes = Vec::new();
    write_split(ctx, split, chunk_rows, &mut bytes)?;
    Ok(bytes)
}

/// An empty workbook, compressed at [`COMPRESSION_LEVEL`], its properties (title, author,
/// creation date: the run's `as_of`) set.
fn new_book(ctx: &Context) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    book.set_zip_compression_level(COMPRESSION_LEVEL);
    let created = grid::creation_date(ctx.run.reconciliation.as_of)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Rapprochement Chorus – {}", ctx.convention.title))
            .set_author("chorus-recon")
            .set_creation_datetime(&created),
    );
    Ok(book)
}

/// The workbook's formats, with the page header naming the convention and the run.
fn formats(ctx: &Context) -> Formats {
    Formats::new(PageText {
        convention: format!("Convention {}", ctx.convention.id),
        run: format!(
            "{} – situation au {}",
            overview::tool(),
            ctx.run.reconciliation.as_of.format("%d/%m/%Y")
        ),
    })
}

/// Writes the workbook, continuing long tables on a new sheet every `split` rows and
/// writing them `chunk_rows` rows at a time.
fn write_split(
    ctx: &Context,
    split: Split,
    chunk_rows: usize,
    out: &mut dyn Write,
) -> Result<(), XlsxError> {
    let mut book = new_book(ctx)?;
    let fmt = formats(ctx);
    let xf = bypass::Xf::register(&mut book, &fmt);
    let trace = crate::model::progress::trace;
    let started = std::time::Instant::now();
    synthese::synthese(&mut book, &fmt, ctx)?;
    compte_rendu::compte_rendu(&mut book, &fmt, ctx.convention, &ctx.run.reconciliation)?;
    // `Déclaré et Chorus`, only with `--declare`, after `Mensuel`.
    let caption = declared::caption(&ctx.run.reconciliation);
    let declared: Vec<table::Table> = (caption.as_deref())
        .and_then(|c| declared::table(ctx, c))
        .into_iter()
        .collect();
    // « Avenants » right after « Échéancier », when the convention has any.
    let schedule: Vec<_> = std::iter::once(sums::echeancier(ctx))
        .chain(amendments::avenants(ctx))
        .collect();
    let mut fills = table::write_tables(&mut book, &fmt, split, chunk_rows, &schedule)?;
    monthly::mensuel(&mut book, &fmt, ctx, split)?;
    if !declared.is_empty() {
        fills.extend(table::write_tables(
            &mut book, &fmt, split, chunk_rows, &declared,
        )?);
    }
    trace("  synthèse, compte rendu, échéancier, mensuel", started);
    let started = std::time::Instant::now();
    closing::fin_de_gestion(&mut book, &fmt, ctx)?;
    trace("  fin de gestion", started);
    let started = std::time::Instant::now();
    // With `--commandes`, its two sheets after « Engagements ».
    let mut tables = vec![sums::engagements(ctx)];
    tables.extend(orders::tables(ctx));
    tables.extend([
        detail::lignes(ctx),
        detail::anomalies(ctx, split),
        detail::hors_perimetre(ctx),
        detail::rejets(ctx),
        detail::remplacements(ctx),
    ]);
    fills.extend(table::write_tables(
        &mut book, &fmt, split, chunk_rows, &tables,
    )?);
    trace("  tableaux mesurés", started);
    let started = std::time::Instant::now();
    overview::provenance(&mut book, &fmt, ctx)?;
    let skeleton = book.save_to_buffer()?;
    trace("  provenance et squelette", started);
    let started = std::time::Instant::now();
    bypass::write(&skeleton, &fills, &xf, u32::from(COMPRESSION_LEVEL), out)?;
    trace("  lignes des tableaux, compressées", started);
    Ok(())
}
