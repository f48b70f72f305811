//! The bypass: tables' data rows written as XML by us rather than by rust_xlsxwriter,
//! and put into the package rust_xlsxwriter made.
//!
//! Why: rust_xlsxwriter writes a sheet on one thread, each cell through a map and a
//! format lookup, and compresses the whole workbook on one thread; a national `Lignes`
//! (400,000 rows, 460 MB of XML) took most of the workbook's time. Here a sheet's rows are
//! written and compressed in chunks on the pool's threads.
//!
//! What it assumes of rust_xlsxwriter (pinned `=0.102.0` in `Cargo.toml` for that reason),
//! each checked by a test of `rows` that fails when an upgrade changes it:
//! - a constant-memory sheet's cells are written as `rows` writes them (inline strings,
//!   numbers as `{}` writes an `f64`, the same escaping, row heights in whole pixels);
//! - formats are numbered in the order they are registered, after the default (0);
//! - a sheet's part holds `<sheetData>` with the rows written by rust_xlsxwriter (caption,
//!   header, total), `<dimension ref=…>`, and its `<hyperlinks>` before the print options
//!   (`package`).
//!
//! How each kind of cell is typed is not decided here: `rows` reads `Cell::typed`, as
//! `Grid` does.

mod package;
mod rows;

pub(super) use package::write;
pub(super) use rows::{RowWriter, Xf, writes};
