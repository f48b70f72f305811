//! The reconciliation workbook (XLSX), in French: the sheets of `docs/contract.md`, in
//! its order. Pure: the run in, the bytes out; the same run gives the same bytes.
//!
//! `grid` types and formats every cell and sets every sheet up for printing; `table` writes
//! tables row by row in constant memory, split past Excel's row limit, their sheets side by
//! side; `synthese` writes the first sheet (verdict, key figures, chart); `overview`
//! `Provenance`; `sums` the tables of sums; `detail` the tables of rows.

mod detail;
mod grid;
mod overview;
mod page;
mod style;
mod sums;
mod synthese;
mod table;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_layout;

use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};

use self::grid::{Formats, PageText, Split};
use super::Context;

/// Builds the workbook's bytes.
pub fn build(ctx: &Context) -> Result<Vec<u8>, XlsxError> {
    build_split(ctx, Split::EXCEL)
}

/// Builds the workbook, continuing long tables on a new sheet every `split` rows.
fn build_split(ctx: &Context, split: Split) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // Compressing the sheets is a large part of writing a national workbook: level 2 takes
    // about a third of the time of the default (6), for a file about a sixth larger.
    book.set_zip_compression_level(2);
    let created = grid::creation_date(ctx.run.reconciliation.as_of)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Rapprochement Chorus – {}", ctx.convention.title))
            .set_author("chorus-recon")
            .set_creation_datetime(&created),
    );
    let fmt = Formats::new(PageText {
        convention: format!("Convention {}", ctx.convention.id),
        run: format!(
            "{} – situation au {}",
            overview::tool(),
            ctx.run.reconciliation.as_of.format("%d/%m/%Y")
        ),
    });
    synthese::synthese(&mut book, &fmt, ctx)?;
    sums::echeancier(&mut book, &fmt, ctx, split)?;
    sums::mensuel(&mut book, &fmt, ctx, split)?;
    let tables = [
        sums::engagements(ctx),
        detail::lignes(ctx),
        detail::anomalies(ctx, split),
        detail::hors_perimetre(ctx),
        detail::rejets(ctx),
    ];
    table::write_tables(&mut book, &fmt, split, &tables)?;
    overview::provenance(&mut book, &fmt, ctx)?;
    book.save_to_buffer()
}
