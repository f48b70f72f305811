//! What each line becomes across overlapping extracts, before anything is summed.
//!
//! - **States** (an EJ poste's non-negative amount for the exercice, a DP poste's amount:
//!   `Judged::state`): the most recent extract holding a key keeps its lines of that key
//!   (within one extract they add up); an older extract's lines of the key are
//!   duplicates when they sum to the same amount, else *replaced* by the newer state.
//!   This is decided before the scope: a poste moved out of scope by a later extract
//!   leaves the scope.
//! - **Movements** (retraits, journal lines, lines with no state key): the same line in
//!   two inputs counts once; within one input, equal lines are separate movements and all
//!   count. So a line of input *i* is a duplicate while its count in *i* does not exceed
//!   the largest count of the same line in an earlier input (inputs in sorted path order).
//!
//! Both are found (`search`) by sorting every line's identity (in parallel) rather than
//! by hashing: a national run has millions of identities, and a sort of 24-byte entries
//! needs less memory than maps of them and gives the same answer on any number of cores.
//!
//! Out-of-scope lines are then summed by imputation; past `OUT_OF_SCOPE_DETAIL_LIMIT` of
//! them, only the partial imputations stay in detail.

mod search;

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use self::search::find_fates;
use super::{
    Duplicate, InputResult, LineCounts, MovementCounts, OUT_OF_SCOPE_DETAIL_LIMIT, OutGroup,
    Replaced, SlimLine,
};
use crate::classify::Judged;
use crate::model::{AxisSet, Measure, Origin, Rejection, SharedCodes};

pub(super) struct Split {
    pub in_scope: Vec<Judged>,
    pub out_of_scope: Vec<Judged>,
    pub groups: Vec<OutGroup>,
    pub grouped: bool,
    pub out_ae: Decimal,
    pub out_cp: Decimal,
    pub rejections: Vec<Rejection>,
    pub duplicates: Vec<Duplicate>,
    pub replaced: Vec<Replaced>,
    pub changes: Vec<StateChange>,
    pub counts: LineCounts,
    pub input_counts: Vec<LineCounts>,
}

/// What becomes of a line that does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// Seen in an earlier input (a movement), or the same state as the newer extract's:
    /// the line it repeats.
    Duplicate(Origin),
    /// An older state of a key that a newer extract gives another amount: the newer
    /// state's first line.
    Replaced(Origin),
}

/// A key whose extracts disagree: the states seen, oldest first, and the one counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub measure: Measure,
    /// The newest extract's first line of the key: what counts.
    pub kept: Origin,
    pub kept_amount: Decimal,
    /// Each older extract's first line of the key and its amount there, oldest first.
    pub earlier: Vec<(Origin, Decimal)>,
}

/// How recent an input is: its extraction date (undated inputs are older than dated
/// ones), then its place in path order.
pub(super) type Rank = (Option<chrono::NaiveDate>, u32);

/// Out-of-scope lines summed by imputation, measure and differing axes.
#[derive(Default)]
struct Groups {
    /// Imputations by hash, and their hashes and values.
    index: FxHashMap<u128, u32>,
    hashes: Vec<u128>,
    codes: Vec<SharedCodes>,
    sums: FxHashMap<(u32, Measure, u8), (u64, Decimal)>,
    ae: Decimal,
    cp: Decimal,
}

impl Groups {
    fn imputation(&mut self, hash: u128, codes: impl FnOnce() -> SharedCodes) -> u32 {
        let next = self.codes.len() as u32;
        *self.index.entry(hash).or_insert_with(|| {
            self.hashes.push(hash);
            self.codes.push(codes());
            next
        })
    }

    /// Adds another input's groups.
    fn merge(&mut self, other: Groups) {
        let mut codes = other.codes;
        let to: Vec<u32> = other
            .hashes
            .iter()
            .zip(codes.iter_mut())
            .map(|(hash, codes)| self.imputation(*hash, || SharedCodes::clone(codes)))
            .collect();
        for ((group, measure, differing), (lines, amount)) in other.sums {
            let sum = self
                .sums
                .entry((to[group as usize], measure, differing))
                .or_default();
            sum.0 += lines;
            sum.1 += amount;
        }
        self.ae += other.ae;
        self.cp += other.cp;
    }

    fn add(
        &mut self,
        group: u32,
        measure: Measure,
        differing: AxisSet,
        lines: u64,
        amount: Decimal,
    ) {
        let sum = self
            .sums
            .entry((group, measure, differing.bits()))
            .or_default();
        sum.0 += lines;
        sum.1 += amount;
        match measure {
            Measure::Ae => self.ae += amount,
            Measure::Cp => self.cp += amount,
        }
    }

    /// The groups in the order of their values.
    fn into_sorted(self) -> Vec<OutGroup> {
        let codes = self.codes;
        let mut groups: Vec<OutGroup> = self
            .sums
            .into_iter()
            .map(|((group, measure, differing), (lines, amount))| OutGroup {
                values: codes[group as usize].clone(),
                measure,
                differing: AxisSet::from_bits(differing),
                lines,
                amount,
            })
            .collect();
        groups.par_sort_unstable_by(|a, b| {
            (&a.values, a.measure, a.differing.bits()).cmp(&(
                &b.values,
                b.measure,
                b.differing.bits(),
            ))
        });
        groups
    }
}

/// One input's share of the split.
struct Part {
    in_scope: Vec<Judged>,
    out_of_scope: Vec<Judged>,
    duplicates: Vec<Duplicate>,
    replaced: Vec<Replaced>,
    rejections: Vec<Rejection>,
    counts: LineCounts,
    groups: Groups,
}

/// The category a line falls in, for the counts.
#[derive(Clone, Copy)]
enum Category {
    InScope,
    OutOfScope,
    Duplicate,
    Replaced,
}

/// Counts a line: always as a movement, and as a row when it is its row's first line (a
/// row's lines are consecutive, AE first: a row counts in its AE's category).
fn count(counts: &mut LineCounts, last_row: &mut Option<u64>, row: u64, m: Measure, c: Category) {
    let movements = counts.movements_mut(m);
    movements.read += 1;
    *movements.category_mut(c) += 1;
    if *last_row != Some(row) {
        *last_row = Some(row);
        counts.read += 1;
        *counts.rows_mut(c) += 1;
    }
}

impl MovementCounts {
    fn category_mut(&mut self, c: Category) -> &mut u64 {
        match c {
            Category::InScope => &mut self.in_scope,
            Category::OutOfScope => &mut self.out_of_scope,
            Category::Duplicate => &mut self.duplicates,
            Category::Replaced => &mut self.replaced,
        }
    }
}

impl LineCounts {
    fn rows_mut(&mut self, c: Category) -> &mut u64 {
        match c {
            Category::InScope => &mut self.in_scope,
            Category::OutOfScope => &mut self.out_of_scope,
            Category::Duplicate => &mut self.duplicates,
            Category::Replaced => &mut self.replaced,
        }
    }
}

/// An input's fates in position order, read once as its lines go by.
struct Fates(std::iter::Peekable<std::vec::IntoIter<(u32, Fate)>>);

impl Fates {
    /// The fate of the line at `at` (among the input's `judged` then `slim` lines), if it
    /// has one; lines are asked in order.
    #[inline]
    fn of(&mut self, at: usize) -> Option<Fate> {
        self.0
            .next_if(|(d, _)| *d as usize == at)
            .map(|(_, fate)| fate)
    }
}

/// Splits one input's lines, their fates known.
fn split_input(input: InputResult, fates: Vec<(u32, Fate)>) -> Part {
    let mut part = Part {
        in_scope: Vec::new(),
        out_of_scope: Vec::new(),
        duplicates: Vec::new(),
        replaced: Vec::new(),
        rejections: input.rejections,
        counts: LineCounts::default(),
        groups: Groups::default(),
    };
    part.counts.rejected = part.rejections.len() as u64 + input.rejections_omitted;
    part.counts.read += part.counts.rejected;
    let mut fates = Fates(fates.into_iter().peekable());
    let judged_len = input.judged.len();
    part.split_judged(input.judged, &mut fates);
    let local = part.split_slim(input.input, &input.slim, judged_len, &mut fates);
    part.add_slim_groups(local, input.groups);
    part
}

/// Slim lines' sums by (imputation in their input's `groups`, measure, differing axes):
/// lines and amount.
type SlimSums = FxHashMap<(u32, Measure, u8), (u64, Decimal)>;

impl Part {
    /// Sorts the detailed lines (`judged`, positions from 0): duplicates, replaced, in
    /// scope, or out of scope (summed into their imputation's group).
    fn split_judged(&mut self, judged: Vec<Judged>, fates: &mut Fates) {
        let mut last_row = None;
        for (at, judged) in judged.into_iter().enumerate() {
            let line = &judged.line;
            let (row, measure) = (line.origin.row, line.measure);
            let category = match fates.of(at) {
                Some(Fate::Duplicate(first)) => {
                    self.duplicates.push(Duplicate {
                        origin: line.origin,
                        first,
                        measure,
                        amount: line.amount,
                    });
                    Category::Duplicate
                }
                Some(Fate::Replaced(by)) => {
                    self.replaced.push(Replaced {
                        origin: line.origin,
                        by,
                        measure,
                        amount: line.amount,
                        in_scope: judged.in_scope,
                        line: Some(judged.line),
                    });
                    Category::Replaced
                }
                None if judged.in_scope => {
                    self.in_scope.push(judged);
                    Category::InScope
                }
                None => {
                    let groups = &mut self.groups;
                    let group = groups.imputation(line.axis_codes_hash(), || {
                        SharedCodes::new(line.axis_codes())
                    });
                    groups.add(group, line.measure, judged.differing, 1, line.amount);
                    self.out_of_scope.push(judged);
                    Category::OutOfScope
                }
            };
            count(&mut self.counts, &mut last_row, row, measure, category);
        }
    }

    /// Sorts the slim lines (positions from `first_at`): duplicates, replaced, or out of
    /// scope, summed by their input's imputation first so that values are copied per
    /// imputation, not per line.
    fn split_slim(
        &mut self,
        input: u32,
        slim: &[SlimLine],
        first_at: usize,
        fates: &mut Fates,
    ) -> SlimSums {
        let mut local = SlimSums::default();
        let mut last_row = None;
        for (at, slim) in slim.iter().enumerate() {
            let origin = Origin {
                input,
                row: slim.row,
            };
            let (measure, amount) = (slim.measure, slim.amount);
            let category = match fates.of(first_at + at) {
                Some(Fate::Duplicate(first)) => {
                    let duplicate = Duplicate {
                        origin,
                        first,
                        measure,
                        amount,
                    };
                    self.duplicates.push(duplicate);
                    Category::Duplicate
                }
                Some(Fate::Replaced(by)) => {
                    self.replaced.push(Replaced {
                        origin,
                        by,
                        measure,
                        amount,
                        in_scope: false,
                        line: None,
                    });
                    Category::Replaced
                }
                None => {
                    let key = (slim.group, slim.measure, slim.differing.bits());
                    let e = local.entry(key).or_default();
                    e.0 += 1;
                    e.1 += slim.amount;
                    Category::OutOfScope
                }
            };
            count(&mut self.counts, &mut last_row, slim.row, measure, category);
        }
        local
    }

    /// Adds the slim lines' sums to the part's groups, the imputations' codes taken from
    /// the input's `groups`.
    fn add_slim_groups(&mut self, local: SlimSums, input_groups: Vec<(u128, SharedCodes)>) {
        for ((group, measure, differing), (lines, amount)) in local {
            let (hash, codes) = &input_groups[group as usize];
            let group = self.groups.imputation(*hash, || SharedCodes::clone(codes));
            let differing = AxisSet::from_bits(differing);
            self.groups.add(group, measure, differing, lines, amount);
        }
    }
}

pub(super) fn split(inputs: Vec<InputResult>) -> Split {
    let ranks: Vec<Rank> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| (input.extracted, i as u32))
        .collect();
    let (fates, changes) = find_fates(&inputs, &ranks);
    let any_slim = inputs.iter().any(|i| !i.slim.is_empty());
    // Each input on its own core, then put together in input order.
    let parts: Vec<Part> = inputs
        .into_par_iter()
        .zip(fates)
        .map(|(input, fates)| split_input(input, fates))
        .collect();
    let mut groups = Groups::default();
    let mut out = Split {
        in_scope: Vec::with_capacity(parts.iter().map(|p| p.in_scope.len()).sum()),
        out_of_scope: Vec::new(),
        groups: Vec::new(),
        grouped: false,
        out_ae: Decimal::ZERO,
        out_cp: Decimal::ZERO,
        rejections: Vec::new(),
        duplicates: Vec::with_capacity(parts.iter().map(|p| p.duplicates.len()).sum()),
        replaced: Vec::new(),
        changes,
        counts: LineCounts::default(),
        input_counts: Vec::with_capacity(parts.len()),
    };
    for part in parts {
        out.in_scope.extend(part.in_scope);
        out.out_of_scope.extend(part.out_of_scope);
        out.duplicates.extend(part.duplicates);
        out.replaced.extend(part.replaced);
        out.rejections.extend(part.rejections);
        groups.merge(part.groups);
        out.counts.add(&part.counts);
        out.input_counts.push(part.counts);
    }
    out.grouped = any_slim || out.counts.out_of_scope > OUT_OF_SCOPE_DETAIL_LIMIT;
    if out.grouped {
        // Only the likely mis-imputations stay in detail: each is a finding.
        out.out_of_scope.retain(|j| j.is_partial());
    }
    out.out_ae = groups.ae;
    out.out_cp = groups.cp;
    out.groups = groups.into_sorted();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An input of slim lines with these identities, rows from 2.
    fn input(n: u32, keys: &[u128]) -> InputResult {
        InputResult {
            slim: keys
                .iter()
                .enumerate()
                .map(|(i, &key)| {
                    SlimLine::new(
                        i as u64 + 2,
                        Measure::Cp,
                        Decimal::ONE,
                        key,
                        0,
                        AxisSet::default(),
                        false,
                    )
                })
                .collect(),
            input: n,
            groups: vec![(0, Default::default())],
            ..InputResult::default()
        }
    }

    #[test]
    fn a_line_is_a_duplicate_while_an_earlier_input_had_as_many() {
        let inputs = [
            input(0, &[7, 7, 9]),
            input(1, &[9, 7, 7, 7, 5]),
            input(2, &[7, 7, 7, 7, 5, 9, 9]),
        ];
        let ranks: Vec<Rank> = (0..3).map(|i| (None, i)).collect();
        let (found, _) = find_fates(&inputs, &ranks);
        let d = |input, row| Fate::Duplicate(Origin { input, row });
        // Input 0: nothing earlier. Input 1: two of its three 7s and its 9 were in
        // input 0. Input 2: three 7s (input 1 had three), its 5, and one 9.
        assert_eq!(found[0], []);
        assert_eq!(found[1], [(0, d(0, 4)), (1, d(0, 2)), (2, d(0, 2))]);
        assert_eq!(
            found[2],
            [
                (0, d(0, 2)),
                (1, d(0, 2)),
                (2, d(0, 2)),
                (4, d(1, 6)),
                (5, d(0, 4)),
            ]
        );
        let split = split(Vec::from(inputs));
        assert_eq!(split.counts.duplicates, 8);
        assert_eq!(split.counts.out_of_scope, 15 - 8);
        assert_eq!(split.groups.len(), 1);
        assert_eq!(split.groups[0].lines, 7);
    }
}
