//! The duplicate search: every line's identity sorted (in parallel), so that the lines of
//! one key or one movement are side by side; each run of them gives the fates of the
//! lines that do not count (duplicates, replaced states) and the keys whose extracts
//! disagree.

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::{Fate, Rank, StateChange};
use crate::model::{Measure, Origin};
use crate::reconcile::{InputResult, SlimLine};

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

/// What the search needs of the line at position `at` of an input's `judged` then `slim`
/// lines.
struct Seen {
    amount: Decimal,
    in_scope: bool,
    state: bool,
    measure: Measure,
}

fn seen_at(input: &InputResult, at: u32) -> Seen {
    let at = at as usize;
    match input.judged.get(at) {
        Some(j) => Seen {
            amount: j.line.amount,
            in_scope: j.in_scope,
            state: j.state,
            measure: j.line.measure,
        },
        None => {
            let slim = &input.slim[at - input.judged.len()];
            Seen {
                amount: slim.amount,
                in_scope: false,
                state: slim.state,
                measure: slim.measure,
            }
        }
    }
}

/// For each input, the lines that do not count (position ascending, and why), and the
/// keys whose extracts disagree when the counted state is in scope.
pub(super) fn find_fates(
    inputs: &[InputResult],
    ranks: &[Rank],
) -> (Vec<Vec<(u32, Fate)>>, Vec<StateChange>) {
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
    let mut fates: Vec<Vec<(u32, Fate)>> = vec![Vec::new(); inputs.len()];
    let mut changes = Vec::new();
    for same in places.chunk_by(|a, b| a.key == b.key) {
        if same[0].input == same[same.len() - 1].input {
            continue; // one input only: every occurrence counts
        }
        if seen_at(&inputs[same[0].input as usize], same[0].at).state {
            states(inputs, ranks, same, &mut fates, &mut changes);
        } else {
            movements(inputs, same, &mut fates);
        }
    }
    fates
        .par_iter_mut()
        .for_each(|d| d.sort_unstable_by_key(|(at, _)| *at));
    changes.sort_by_key(|c: &StateChange| c.kept);
    (fates, changes)
}

/// One state key seen in several inputs: the newest input's lines count.
fn states(
    inputs: &[InputResult],
    ranks: &[Rank],
    same: &[Place],
    fates: &mut [Vec<(u32, Fate)>],
    changes: &mut Vec<StateChange>,
) {
    // Per input: its first place and the sum of its lines of the key.
    let per_input: Vec<(&[Place], Decimal)> = same
        .chunk_by(|a, b| a.input == b.input)
        .map(|local| {
            let input = &inputs[local[0].input as usize];
            (
                local,
                local.iter().map(|p| seen_at(input, p.at).amount).sum(),
            )
        })
        .collect();
    let (newest, &(kept_places, kept_amount)) = per_input
        .iter()
        .enumerate()
        .max_by_key(|(_, (local, _))| ranks[local[0].input as usize])
        .expect("a key has places");
    let kept_input = &inputs[kept_places[0].input as usize];
    let kept = origin_at(kept_input, kept_places[0].at);
    let kept_seen = seen_at(kept_input, kept_places[0].at);
    let kept_in_scope = kept_seen.in_scope;
    let mut earlier = Vec::new();
    for (i, (local, amount)) in per_input.iter().enumerate() {
        if i == newest {
            continue;
        }
        // The same state, on the same side of the scope: the same lines seen twice.
        let in_scope = seen_at(&inputs[local[0].input as usize], local[0].at).in_scope;
        let fate = if *amount == kept_amount && in_scope == kept_in_scope {
            Fate::Duplicate(kept)
        } else {
            Fate::Replaced(kept)
        };
        let input = local[0].input as usize;
        fates[input].extend(local.iter().map(|p| (p.at, fate)));
        if *amount != kept_amount {
            earlier.push((
                ranks[input],
                origin_at(&inputs[input], local[0].at),
                *amount,
            ));
        }
    }
    if !earlier.is_empty() && kept_in_scope {
        earlier.sort_by_key(|(rank, ..)| *rank);
        changes.push(StateChange {
            measure: kept_seen.measure,
            kept,
            kept_amount,
            earlier: earlier.into_iter().map(|(_, o, a)| (o, a)).collect(),
        });
    }
}

/// One movement seen in several inputs: a line of input *i* is a duplicate while its
/// count in *i* does not exceed the largest count in an earlier input.
fn movements(inputs: &[InputResult], same: &[Place], fates: &mut [Vec<(u32, Fate)>]) {
    let first = origin_at(&inputs[same[0].input as usize], same[0].at);
    let mut earlier_max = 0usize;
    for local in same.chunk_by(|a, b| a.input == b.input) {
        let input = local[0].input as usize;
        fates[input].extend(
            local
                .iter()
                .take(earlier_max)
                .map(|p| (p.at, Fate::Duplicate(first))),
        );
        earlier_max = earlier_max.max(local.len());
    }
}
