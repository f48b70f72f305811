//! Report: results -> bytes. The JSON summary and the reconciliation workbook are pure
//! functions of the run; writing them to disk (atomically) is the output module's job.

pub mod input;
pub mod portfolio;
pub mod summary;
pub mod workbook;

use crate::convention::Convention;
pub use input::{DateSource, InputReport, Run, SkippedJson, Source};

/// The tool's version, as written in every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub convention: &'a Convention,
    pub run: &'a Run,
}

impl Context<'_> {
    /// The path of input `index`, as shown to users.
    pub fn input_path(&self, index: u32) -> &str {
        self.run
            .inputs
            .get(index as usize)
            .map(|i| i.source.display.as_str())
            .unwrap_or("?")
    }

    /// The path of input `index`, with its worksheet for workbooks.
    pub fn input_label(&self, index: u32) -> &str {
        self.run
            .inputs
            .get(index as usize)
            .map(|i| i.label.as_str())
            .unwrap_or("?")
    }

    /// The worksheet of input `index`, for workbooks.
    pub fn input_sheet(&self, index: u32) -> Option<&str> {
        self.run
            .inputs
            .get(index as usize)
            .and_then(|i| i.source.sheet.as_deref())
    }

    /// A product's display name, or « Non attribué ».
    pub fn product_name(&self, product: Option<usize>) -> &str {
        product
            .and_then(|p| self.convention.products.get(p))
            .map(|p| p.name.as_str())
            .unwrap_or("Non attribué")
    }
}
