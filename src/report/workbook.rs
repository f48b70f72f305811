//! The reconciliation workbook (XLSX), in French.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::Context;

/// Builds the workbook's bytes.
pub fn build(ctx: &Context) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Synthèse")?;
    sheet.write_string(0, 0, &ctx.convention.title)?;
    book.save_to_buffer()
}
