//! The portfolio's reports (issue 15): `portefeuille.xlsx`, one row per convention with a
//! link to its own workbook, the orphan lines; and the portfolio's JSON summary, which
//! holds each convention's summary as a single run writes it.

use crate::convention::portfolio::Perimeter;
use crate::reconcile::findings::Finding;
use crate::reconcile::portfolio::Orphan;

use super::Context;

/// One convention of the portfolio: its reports' context and its workbook's file name
/// (`<id>.xlsx`, beside `portefeuille.xlsx`).
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub ctx: Context<'a>,
    pub workbook: &'a str,
}

/// Everything the portfolio's reports are made from.
#[derive(Debug, Clone)]
pub struct Portfolio<'a> {
    /// In the order the conventions were given (a folder's files in path order).
    pub members: Vec<Member<'a>>,
    pub perimeter: Option<&'a Perimeter>,
    pub orphans: &'a [Orphan],
    /// The portfolio's own findings (`LIGNE_ORPHELINE`), keyed and followed up like a
    /// convention's.
    pub findings: &'a [Finding],
}

mod stub;
pub use stub::{summary, workbook};
