//! Duplicates across overlapping extracts. The same line in two inputs counts once; within
//! one input, equal lines are separate movements and all count. So a line of input *i* is
//! a duplicate while its count in *i* does not exceed the largest count of the same line
//! in an earlier input (inputs in sorted path order).
//!
//! Out-of-scope lines are then summed by imputation; past `OUT_OF_SCOPE_DETAIL_LIMIT` of
//! them, only the partial imputations stay in detail.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Duplicate, InputResult, LineCounts, OUT_OF_SCOPE_DETAIL_LIMIT, OutGroup};
use crate::classify::Judged;
use crate::model::{AxisSet, Measure, Origin, Rejection};

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

type GroupKey = ([Option<String>; 5], Measure, u8);

/// Counts a line of one input against the earlier inputs: `Some(first)` for a duplicate.
struct Seen {
    /// For each identity: the largest count in one earlier input, and its first origin.
    earlier: HashMap<u128, (u32, Origin)>,
    /// This input's count of each identity, and where it first appears.
    local: HashMap<u128, (u32, Origin)>,
}

impl Seen {
    fn duplicate_of(&mut self, key: u128, origin: Origin) -> Option<Origin> {
        let entry = self.local.entry(key).or_insert((0, origin));
        entry.0 += 1;
        match self.earlier.get(&key) {
            Some(&(earlier, first)) if entry.0 <= earlier => Some(first),
            _ => None,
        }
    }

    /// The input is over: its counts join the earlier ones.
    fn next_input(&mut self) {
        for (key, (n, first)) in self.local.drain() {
            let entry = self.earlier.entry(key).or_insert((0, first));
            entry.0 = entry.0.max(n);
        }
    }
}

pub(super) fn split(inputs: Vec<InputResult>) -> Split {
    let mut seen = Seen {
        earlier: HashMap::new(),
        local: HashMap::new(),
    };
    let mut groups: HashMap<GroupKey, (u64, Decimal)> = HashMap::new();
    let mut out = Split {
        in_scope: Vec::new(),
        out_of_scope: Vec::new(),
        groups: Vec::new(),
        grouped: false,
        out_ae: Decimal::ZERO,
        out_cp: Decimal::ZERO,
        rejections: Vec::new(),
        duplicates: Vec::new(),
        counts: LineCounts::default(),
        input_counts: Vec::with_capacity(inputs.len()),
    };
    let mut add_out = |out: &mut Split,
                       values: [Option<String>; 5],
                       measure: Measure,
                       differing: AxisSet,
                       amount: Decimal,
                       lines: u64| {
        let g = groups
            .entry((values, measure, differing.bits()))
            .or_default();
        g.0 += lines;
        g.1 += amount;
        match measure {
            Measure::Ae => out.out_ae += amount,
            Measure::Cp => out.out_cp += amount,
        }
    };
    let any_slim = inputs.iter().any(|i| !i.slim.is_empty());
    for input in inputs {
        let mut counts = LineCounts {
            read: input.rows(),
            rejected: input.rejections.len() as u64,
            ..LineCounts::default()
        };
        for judged in input.judged {
            let line = &judged.line;
            if let Some(first) = seen.duplicate_of(judged.key, line.origin) {
                counts.duplicates += 1;
                out.duplicates.push(Duplicate {
                    origin: line.origin,
                    first,
                    measure: line.measure,
                    amount: line.amount,
                });
            } else if judged.in_scope {
                counts.in_scope += 1;
                out.in_scope.push(judged);
            } else {
                counts.out_of_scope += 1;
                let values = [
                    &line.centre_financier,
                    &line.programme,
                    &line.domaine_fonctionnel,
                    &line.activite,
                    &line.centre_cout,
                ]
                .map(|v| v.as_deref().map(str::to_string));
                add_out(
                    &mut out,
                    values,
                    line.measure,
                    judged.differing,
                    line.amount,
                    1,
                );
                out.out_of_scope.push(judged);
            }
        }
        // Slim lines are summed by their input's group first: values are copied per group,
        // not per line.
        let mut local: HashMap<(u32, Measure, u8), (u64, Decimal)> = HashMap::new();
        for slim in input.slim {
            if let Some(first) = seen.duplicate_of(slim.key, slim.origin) {
                counts.duplicates += 1;
                out.duplicates.push(Duplicate {
                    origin: slim.origin,
                    first,
                    measure: slim.measure,
                    amount: slim.amount,
                });
            } else {
                counts.out_of_scope += 1;
                let e = local
                    .entry((slim.group, slim.measure, slim.differing.bits()))
                    .or_default();
                e.0 += 1;
                e.1 += slim.amount;
            }
        }
        for ((group, measure, differing), (lines, amount)) in local {
            let values = input.groups[group as usize].clone();
            add_out(
                &mut out,
                values,
                measure,
                AxisSet::from_bits(differing),
                amount,
                lines,
            );
        }
        seen.next_input();
        out.rejections.extend(input.rejections);
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
    let mut groups: Vec<(GroupKey, (u64, Decimal))> = groups.into_iter().collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out.groups = groups
        .into_iter()
        .map(|((values, measure, differing), (lines, amount))| OutGroup {
            values,
            measure,
            differing: AxisSet::from_bits(differing),
            lines,
            amount,
        })
        .collect();
    out
}
