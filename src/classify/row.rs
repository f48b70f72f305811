//! The per-row stage: a raw row judged against the convention, normalised only as far as
//! its verdict needs (an out-of-scope row past the detail budget keeps its movements and
//! its imputation, not a full line). Pure, so rows are judged in parallel.

use compact_str::CompactString;
use rust_decimal::Decimal;

use super::{Judged, classify, judge_axes};
use crate::convention::Convention;
use crate::ingest::record::RawRecord;
use crate::ingest::skip::Skip;
use crate::model::{AxisSet, Identity, Measure, Reduction, Rejection};
use crate::normalize::{self, FileContext, KeyedMoves, RowOutcome};

/// What a row became.
pub enum Judgement {
    Skipped(Skip),
    NotAMovement(CompactString),
    /// A journal reduction, and whether its row is in scope.
    Reduction(Reduction, CompactString, bool),
    Lines(Vec<Judged>),
    /// Out-of-scope movements past the detail budget: what the sums need, and the row's
    /// imputation.
    Slim(Vec<(Measure, Decimal, u128, bool)>, u128, AxisSet),
    Rejected(Rejection),
}

/// An out-of-scope row kept slim: its movements with their identities, its imputation's
/// hash, the axes on which it differs.
pub(super) fn slim(
    record: &RawRecord,
    ctx: &FileContext,
    group_hash: u128,
    differing: AxisSet,
) -> Judgement {
    match normalize::movements_with_identity(record, ctx) {
        Ok(KeyedMoves::Skipped(figure)) => Judgement::NotAMovement(figure),
        Ok(KeyedMoves::Lines(movements)) => Judgement::Slim(
            movements
                .into_iter()
                .enumerate()
                .map(|(i, (measure, amount, identity))| match identity {
                    Identity::State(key) => (measure, amount, key, true),
                    Identity::Movement(key) => (measure, amount, key, false),
                    Identity::Content => (measure, amount, record.content_hash(i as u64), false),
                })
                .collect(),
            group_hash,
            differing,
        ),
        Err(r) => Judgement::Rejected(r),
    }
}

/// Classify first, normalise what is needed: a row out of scope, and not a partial
/// imputation, needs only its movements, its imputation and its identity.
pub fn judge_row(
    record: &RawRecord,
    ctx: &FileContext,
    checked: AxisSet,
    convention: &Convention,
    detail: bool,
) -> Judgement {
    if let Some(RowOutcome::Skipped(kind)) = normalize::data_row(record, ctx) {
        return Judgement::Skipped(kind);
    }
    let axes = normalize::axis_values(record, ctx);
    let verdict = judge_axes(|a| axes.get(a), checked, convention);
    if !detail && !verdict.in_scope && !verdict.is_partial() {
        return slim(record, ctx, axes.group_hash(), verdict.differing);
    }
    match normalize::normalize(record, ctx) {
        RowOutcome::Skipped(kind) => Judgement::Skipped(kind),
        RowOutcome::NotAMovement(figure) => Judgement::NotAMovement(figure),
        RowOutcome::Reduction(r, figure) => Judgement::Reduction(r, figure, verdict.in_scope),
        RowOutcome::Lines(lines) => Judgement::Lines(
            lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| {
                    let content = line.identity == Identity::Content;
                    let mut j = classify(line, checked, convention);
                    if !j.in_scope && content {
                        // Out-of-scope identities come from the text, detailed or not.
                        j.key = record.content_hash(i as u64);
                    }
                    j
                })
                .collect(),
        ),
        RowOutcome::Rejected(r) => Judgement::Rejected(r),
    }
}
