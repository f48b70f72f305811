//! What the normalise and classify stages leave of one input, for `reconcile`: its
//! judged lines (whole, or slim past the detail budget), its rejections and reductions,
//! and what entered, for the conservation check. Built by `pipeline`, row by row.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Judged;
use crate::model::{AxisSet, Measure, Reduction, Rejection, SharedCodes};

/// An out-of-scope line kept only as what the sums need, on large runs: the rows of a
/// national extract are mostly out of scope and must not all sit in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlimLine {
    /// Its row in its input (the input is the `InputResult`'s).
    pub row: u64,
    pub amount: Decimal,
    /// Its identity, as two words: 48 bytes a line rather than 64 with a `u128`.
    key: [u64; 2],
    /// Index in its input's `groups`.
    pub group: u32,
    pub measure: Measure,
    pub differing: AxisSet,
    /// `key` is a state key (see `Judged::state`).
    pub state: bool,
}

impl SlimLine {
    pub fn new(
        row: u64,
        measure: Measure,
        amount: Decimal,
        key: u128,
        group: u32,
        differing: AxisSet,
        state: bool,
    ) -> SlimLine {
        SlimLine {
            row,
            amount,
            key: [(key >> 64) as u64, key as u64],
            group,
            measure,
            differing,
            state,
        }
    }

    pub fn key(&self) -> u128 {
        (u128::from(self.key[0]) << 64) | u128::from(self.key[1])
    }
}

/// What the normalise and classify stages produced for one input, in row order.
#[derive(Debug, Clone, Default)]
pub struct InputResult {
    /// The input's index (`Origin::input`).
    pub input: u32,
    pub judged: Vec<Judged>,
    /// Out-of-scope lines past the detail budget ([`super::DetailBudget`]).
    pub slim: Vec<SlimLine>,
    /// The imputations `slim` lines point to, with their hash.
    pub groups: Vec<(u128, SharedCodes)>,
    pub rejections: Vec<Rejection>,
    /// In-scope journal reductions (neither AE nor CP), in row order: see `journal`.
    pub reductions: Vec<Reduction>,
    /// When the extract was taken, if it says: its states replace those of older extracts
    /// (undated extracts are older than dated ones; ties go by path order).
    pub extracted: Option<NaiveDate>,
    /// Its engagement amounts include the carry-over of earlier EJs (BEx INF-BUD-53 AE).
    pub includes_carry_over: bool,
    /// Rejected rows past the budget kept in `rejections`: counted, not listed.
    pub rejections_omitted: u64,
    /// How the reports name the input (its path, and sheet): stable from month to month
    /// where the file name is, so findings about a whole input are keyed by it.
    pub label: String,
    /// What left `normalize`, counted as it left: the conservation check's "in". Data
    /// rows, movements by measure, and their amounts.
    pub rows_in: u64,
    pub ae_lines_in: u64,
    pub cp_lines_in: u64,
    pub ae_in: Decimal,
    pub cp_in: Decimal,
}
