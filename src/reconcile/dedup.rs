//! Duplicates across overlapping extracts. The same normalised line in two inputs counts
//! once; within one input, equal lines are separate movements and all count. So a line
//! of input *i* is a duplicate while its count in *i* does not exceed the largest count of
//! the same line in an earlier input (inputs in sorted path order).

use std::collections::HashMap;

use super::{Duplicate, InputResult, LineCounts};
use crate::classify::Judged;
use crate::model::{Origin, Rejection};

pub(super) struct Split {
    pub in_scope: Vec<Judged>,
    pub out_of_scope: Vec<Judged>,
    pub rejections: Vec<Rejection>,
    pub duplicates: Vec<Duplicate>,
    pub counts: LineCounts,
    pub input_counts: Vec<LineCounts>,
}

pub(super) fn split(inputs: Vec<InputResult>) -> Split {
    // For each line identity: the largest count in one earlier input, and its first origin.
    let mut seen: HashMap<u128, (u32, Origin)> = HashMap::new();
    let mut out = Split {
        in_scope: Vec::new(),
        out_of_scope: Vec::new(),
        rejections: Vec::new(),
        duplicates: Vec::new(),
        counts: LineCounts::default(),
        input_counts: Vec::with_capacity(inputs.len()),
    };
    for input in inputs {
        let mut counts = LineCounts {
            read: input.rows(),
            rejected: input.rejections.len() as u64,
            ..LineCounts::default()
        };
        // This input's count of each identity, and where it first appears.
        let mut local: HashMap<u128, (u32, Origin)> = HashMap::new();
        for judged in input.judged {
            let entry = local.entry(judged.key).or_insert((0, judged.line.origin));
            entry.0 += 1;
            match seen.get(&judged.key) {
                Some(&(earlier, first)) if entry.0 <= earlier => {
                    counts.duplicates += 1;
                    out.duplicates.push(Duplicate {
                        origin: judged.line.origin,
                        first,
                        measure: judged.line.measure,
                        amount: judged.line.amount,
                    });
                }
                _ if judged.in_scope => {
                    counts.in_scope += 1;
                    out.in_scope.push(judged);
                }
                _ => {
                    counts.out_of_scope += 1;
                    out.out_of_scope.push(judged);
                }
            }
        }
        // Remember this input's counts for the inputs after it.
        for (key, (n, first)) in local {
            let entry = seen.entry(key).or_insert((0, first));
            entry.0 = entry.0.max(n);
        }
        out.rejections.extend(input.rejections);
        out.counts.read += counts.read;
        out.counts.in_scope += counts.in_scope;
        out.counts.out_of_scope += counts.out_of_scope;
        out.counts.rejected += counts.rejected;
        out.counts.duplicates += counts.duplicates;
        out.input_counts.push(counts);
    }
    out
}
