//! Duplicates across overlapping extracts. The same line in two inputs counts once; within
//! one input, equal lines are separate movements and all count. So a line of input *i* is
//! a duplicate while its count in *i* does not exceed the largest count of the same line
//! in an earlier input (inputs in sorted path order).
//!
//! Duplicates are found by sorting every line's identity (in parallel) rather than by
//! hashing: a national run has millions of identities, and a sort of 24-byte entries
//! needs less memory than maps of them and gives the same answer on any number of cores.
//!
//! Out-of-scope lines are then summed by imputation; past `OUT_OF_SCOPE_DETAIL_LIMIT` of
//! them, only the partial imputations stay in detail.

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::{Duplicate, InputResult, LineCounts, OUT_OF_SCOPE_DETAIL_LIMIT, OutGroup, SlimLine};
use crate::classify::Judged;
use crate::model::{AxisCodes, AxisSet, Measure, Origin, Rejection};

pub(super) struct Split {
    pub in_scope: Vec<Judged>,
    pub out_of_scope: Vec<Judged>,
    pub groups: Vec<OutGroup>,
    pub grouped: bool,
    pub out_ae: Decimal,
    pub out_cp: Decimal,
    pub rejections: Vec<Rejection>,
    pub duplicates: Vec<Duplicate>,
    pub counts: LineCounts,
    pub input_counts: Vec<LineCounts>,
}

/// A line's place for the duplicate search: its identity (as two words, so that an entry
/// takes 24 bytes), its input, and its position among the input's `judged` then `slim`
/// lines (row order within each).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    key: [u64; 2],
    input: u32,
    at: u32,
}

fn key_words(key: u128) -> [u64; 2] {
    [(key >> 64) as u64, key as u64]
}

/// The line at position `at` of an input's `judged` then `slim` lines.
fn origin_at(input: &InputResult, at: u32) -> Origin {
    let at = at as usize;
    match input.judged.get(at) {
        Some(j) => j.line.origin,
        None => Origin {
            input: input.input,
            row: input.slim[at - input.judged.len()].row,
        },
    }
}

/// For each input, its duplicate lines: their position (ascending) and the first line
/// of the same identity in an earlier input.
fn find_duplicates(inputs: &[InputResult]) -> Vec<Vec<(u32, Origin)>> {
    // Filled in place (a parallel collect would hold the entries twice at its peak).
    let mut places: Vec<Place> =
        Vec::with_capacity(inputs.iter().map(|i| i.judged.len() + i.slim.len()).sum());
    for (n, input) in inputs.iter().enumerate() {
        let keys = input
            .judged
            .iter()
            .map(|j| j.key)
            .chain(input.slim.iter().map(SlimLine::key));
        places.extend(keys.enumerate().map(|(at, key)| Place {
            key: key_words(key),
            input: n as u32,
            at: at as u32,
        }));
    }
    places.par_sort_unstable();
    let mut duplicates: Vec<Vec<(u32, Origin)>> = vec![Vec::new(); inputs.len()];
    for same in places.chunk_by(|a, b| a.key == b.key) {
        if same[0].input == same[same.len() - 1].input {
            continue; // one input only: every occurrence counts
        }
        let first = origin_at(&inputs[same[0].input as usize], same[0].at);
        let mut earlier_max = 0usize;
        for local in same.chunk_by(|a, b| a.input == b.input) {
            let input = local[0].input as usize;
            duplicates[input].extend(local.iter().take(earlier_max).map(|p| (p.at, first)));
            earlier_max = earlier_max.max(local.len());
        }
    }
    duplicates
        .par_iter_mut()
        .for_each(|d| d.sort_unstable_by_key(|(at, _)| *at));
    duplicates
}

/// Out-of-scope lines summed by imputation, measure and differing axes.
#[derive(Default)]
struct Groups {
    /// Imputations by hash, and their hashes and values.
    index: FxHashMap<u128, u32>,
    hashes: Vec<u128>,
    codes: Vec<AxisCodes>,
    sums: FxHashMap<(u32, Measure, u8), (u64, Decimal)>,
    ae: Decimal,
    cp: Decimal,
}

impl Groups {
    fn imputation(&mut self, hash: u128, codes: impl FnOnce() -> AxisCodes) -> u32 {
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
            .map(|(hash, codes)| self.imputation(*hash, || std::mem::take(codes)))
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
    rejections: Vec<Rejection>,
    counts: LineCounts,
    groups: Groups,
}

/// Splits one input's lines, its duplicates known.
fn split_input(input: InputResult, dups: Vec<(u32, Origin)>) -> Part {
    let mut part = Part {
        in_scope: Vec::new(),
        out_of_scope: Vec::new(),
        duplicates: Vec::with_capacity(dups.len()),
        rejections: input.rejections,
        counts: LineCounts {
            read: (input.judged.len() + input.slim.len()) as u64,
            duplicates: dups.len() as u64,
            ..LineCounts::default()
        },
        groups: Groups::default(),
    };
    part.counts.rejected = part.rejections.len() as u64;
    part.counts.read += part.counts.rejected;
    let groups = &mut part.groups;
    let mut dups = dups.into_iter().peekable();
    let mut duplicate_of = |at: usize| {
        dups.next_if(|(d, _)| *d as usize == at)
            .map(|(_, first)| first)
    };
    let judged_len = input.judged.len();
    for (at, judged) in input.judged.into_iter().enumerate() {
        let line = &judged.line;
        if let Some(first) = duplicate_of(at) {
            part.duplicates.push(Duplicate {
                origin: line.origin,
                first,
                measure: line.measure,
                amount: line.amount,
            });
        } else if judged.in_scope {
            part.counts.in_scope += 1;
            part.in_scope.push(judged);
        } else {
            part.counts.out_of_scope += 1;
            let group = groups.imputation(line.axis_codes_hash(), || line.axis_codes());
            groups.add(group, line.measure, judged.differing, 1, line.amount);
            part.out_of_scope.push(judged);
        }
    }
    // Slim lines are summed by their input's imputation first: values are copied per
    // imputation, not per line.
    let mut local: FxHashMap<(u32, Measure, u8), (u64, Decimal)> = FxHashMap::default();
    for (at, slim) in input.slim.iter().enumerate() {
        if let Some(first) = duplicate_of(judged_len + at) {
            part.duplicates.push(Duplicate {
                origin: Origin {
                    input: input.input,
                    row: slim.row,
                },
                first,
                measure: slim.measure,
                amount: slim.amount,
            });
        } else {
            part.counts.out_of_scope += 1;
            let e = local
                .entry((slim.group, slim.measure, slim.differing.bits()))
                .or_default();
            e.0 += 1;
            e.1 += slim.amount;
        }
    }
    let mut input_groups = input.groups;
    for ((group, measure, differing), (lines, amount)) in local {
        let (hash, codes) = &mut input_groups[group as usize];
        let group = groups.imputation(*hash, || std::mem::take(codes));
        groups.add(group, measure, AxisSet::from_bits(differing), lines, amount);
    }
    part
}

pub(super) fn split(inputs: Vec<InputResult>) -> Split {
    let duplicates = find_duplicates(&inputs);
    let any_slim = inputs.iter().any(|i| !i.slim.is_empty());
    // Each input on its own core, then put together in input order.
    let parts: Vec<Part> = inputs
        .into_par_iter()
        .zip(duplicates)
        .map(|(input, dups)| split_input(input, dups))
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
        counts: LineCounts::default(),
        input_counts: Vec::with_capacity(parts.len()),
    };
    for part in parts {
        let counts = part.counts;
        out.in_scope.extend(part.in_scope);
        out.out_of_scope.extend(part.out_of_scope);
        out.duplicates.extend(part.duplicates);
        out.rejections.extend(part.rejections);
        groups.merge(part.groups);
        out.counts.read += counts.read;
        out.counts.in_scope += counts.in_scope;
        out.counts.out_of_scope += counts.out_of_scope;
        out.counts.rejected += counts.rejected;
        out.counts.duplicates += counts.duplicates;
        out.input_counts.push(counts);
    }
    out.grouped = any_slim || out.counts.out_of_scope > OUT_OF_SCOPE_DETAIL_LIMIT;
    if out.grouped {
        // Only the likely mis-imputations stay in detail: each is a finding.
        out.out_of_scope.retain(|j| j.agreeing.len() >= 2);
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
        let found = find_duplicates(&inputs);
        let origin = |input, row| Origin { input, row };
        // Input 0: nothing earlier. Input 1: two of its three 7s and its 9 were in
        // input 0. Input 2: three 7s (input 1 had three), its 5, and one 9.
        assert_eq!(found[0], []);
        assert_eq!(
            found[1],
            [(0, origin(0, 4)), (1, origin(0, 2)), (2, origin(0, 2))]
        );
        assert_eq!(
            found[2],
            [
                (0, origin(0, 2)),
                (1, origin(0, 2)),
                (2, origin(0, 2)),
                (4, origin(1, 6)),
                (5, origin(0, 4)),
            ]
        );
        let split = split(Vec::from(inputs));
        assert_eq!(split.counts.duplicates, 8);
        assert_eq!(split.counts.out_of_scope, 15 - 8);
        assert_eq!(split.groups.len(), 1);
        assert_eq!(split.groups[0].lines, 7);
    }
}
