//! One convention's view of an input read for the whole portfolio: the `InputResult` and
//! the `InputReport` its own run would have made. Its lines are judged against it; the
//! other lines are out of its scope — whole where its run would keep them whole (a batch
//! in detail, a partial imputation), slim otherwise, their differing axes recomputed from
//! their imputation against it. The same order as `pipeline::Stage` makes them: rows in
//! order, slim lines in the order the single run lists them, imputations interned in the
//! order it meets them.

use std::collections::BTreeMap;

use compact_str::CompactString;

use super::{Alt, Kept, SharedInput};
use crate::classify::portfolio::SharedLine;
use crate::classify::{InputResult, Judged, SlimLine, checked_axes, classify, judge_axes};
use crate::convention::Convention;
use crate::ingest::skip::{Skip, Skipped};
use crate::model::{Axis, AxisSet, Measure, Rejection, ServiceFait, SharedCodes};
use crate::pipeline::{Closing, REJECTION_BUDGET, closing_notes, skipped_json};
use crate::report::input::InputReport;

/// A convention's imputations, as its slim lines meet them: by hash, and by the shared
/// input's index (most lines: no hashing); the differing axes of each.
struct Interner {
    index: rustc_hash::FxHashMap<u128, u32>,
    differing: Vec<AxisSet>,
    by_shared: Vec<u32>,
}

/// Where a slim line's imputation is: in the shared input's `groups`, or its own.
enum GroupRef {
    Shared(u32),
    Own(u128, SharedCodes),
}

/// Convention `c`'s view of `s`: its report and its judged rows.
pub(in crate::pipeline) fn derive(
    s: &SharedInput,
    c: usize,
    convention: &Convention,
) -> (InputReport, InputResult) {
    let checked = checked_axes(s.carried, &convention.imputation);
    let mut d = Derived {
        s,
        c,
        convention,
        checked,
        result: InputResult {
            input: s.input,
            label: s.report.label.clone(),
            extracted: s.extracted,
            includes_carry_over: s.includes_carry_over,
            ..InputResult::default()
        },
        skipped: s.skipped.clone(),
        other_figures: s.other_figures.clone(),
        service_fait: 0,
        reductions: 0,
        data_rows: s.slim_rows,
        late: Vec::new(),
    };
    d.count_shared_slim();
    for kept in &s.kept {
        d.kept(kept);
    }
    d.result.rejections_omitted += s.rejections_omitted;
    d.result.rows_in += s.rejections_omitted;
    d.data_rows += s.rejections_omitted;
    d.slim();
    d.finish()
}

struct Derived<'a> {
    s: &'a SharedInput,
    c: usize,
    convention: &'a Convention,
    checked: AxisSet,
    result: InputResult,
    skipped: Skipped,
    other_figures: BTreeMap<CompactString, u64>,
    service_fait: u64,
    reductions: u64,
    data_rows: u64,
    /// Lines this convention keeps slim that the shared input kept whole or rejected, in
    /// row order, with their imputation.
    late: Vec<(SlimLine, GroupRef)>,
}

impl Derived<'_> {
    fn count_shared_slim(&mut self) {
        let (r, sums) = (&mut self.result, self.s.slim_in);
        r.rows_in += self.s.slim_rows;
        r.ae_lines_in += sums.ae_lines;
        r.cp_lines_in += sums.cp_lines;
        r.ae_in += sums.ae;
        r.cp_in += sums.cp;
    }

    fn count_in(&mut self, measure: Measure, amount: rust_decimal::Decimal) {
        let r = &mut self.result;
        match measure {
            Measure::Ae => (r.ae_in += amount, r.ae_lines_in += 1),
            Measure::Cp => (r.cp_in += amount, r.cp_lines_in += 1),
        };
    }

    fn kept(&mut self, kept: &Kept) {
        match kept {
            Kept::Lines(lines, batch) => self.lines(lines, *batch),
            Kept::Reduction(r, figure, claims) => {
                if claims.contains(&(self.c as u16)) {
                    match r.service_fait {
                        Some(ServiceFait::Received | ServiceFait::CertifiedUnpaid) => {
                            self.service_fait += 1
                        }
                        None => self.reductions += 1,
                    }
                    self.result.reductions.push(r.clone());
                } else {
                    *self.other_figures.entry(figure.clone()).or_default() += 1;
                }
            }
            Kept::Rejected(r, alt, whole_for) => {
                let whole = whole_for.get(self.c).copied().unwrap_or(true);
                match alt {
                    Alt::Slim(moves, group) if !whole => {
                        self.data_rows += 1;
                        self.result.rows_in += 1;
                        for (measure, amount, key, state) in moves {
                            self.count_in(*measure, *amount);
                            let line = SlimLine::new(
                                r.origin.row,
                                *measure,
                                *amount,
                                *key,
                                0,
                                AxisSet::default(),
                                *state,
                            );
                            self.late.push((line, GroupRef::Shared(*group)));
                        }
                    }
                    Alt::Figure(figure) if !whole => {
                        self.skipped.add(Skip::NotAMovement, r.origin.row);
                        *self.other_figures.entry(figure.clone()).or_default() += 1;
                    }
                    Alt::Rejected(other) if !whole => self.reject(other),
                    _ => self.reject(r),
                }
            }
        }
    }

    fn reject(&mut self, r: &Rejection) {
        self.data_rows += 1;
        self.result.rows_in += 1;
        if self.result.rejections.len() < REJECTION_BUDGET {
            self.result.rejections.push(r.clone());
        } else {
            self.result.rejections_omitted += 1;
        }
    }

    /// A row's lines: judged whole where this convention's run keeps them whole, else slim.
    fn lines(&mut self, lines: &[SharedLine], batch: u32) {
        self.data_rows += 1;
        self.result.rows_in += 1;
        let detail = self.s.detail[batch as usize][self.c];
        for l in lines {
            self.count_in(l.line.measure, l.line.amount);
            let v = judge_axes(|a| l.line.axis_value(a), self.checked, self.convention);
            if detail || v.in_scope || v.is_partial() {
                let judged = self.judged(l);
                self.result.judged.push(judged);
                continue;
            }
            let line = &l.line;
            let slim = SlimLine::new(
                line.origin.row,
                line.measure,
                line.amount,
                l.out_key,
                0,
                v.differing,
                matches!(line.identity, crate::model::Identity::State(_)),
            );
            let group = GroupRef::Own(line.axis_codes_hash(), SharedCodes::new(line.axis_codes()));
            self.late.push((slim, group));
        }
    }

    /// A line judged against this convention. In its scope but gone to another convention
    /// (a successor's period, or an extract without the axes telling them apart): out of
    /// its scope, on no axis.
    fn judged(&self, l: &SharedLine) -> Judged {
        let mut j = classify((*l.line).clone(), self.checked, self.convention);
        if j.in_scope && l.owner != Some(self.c as u16) {
            j.in_scope = false;
            j.own_product = None;
            j.agreeing = AxisSet::default();
            j.differing = AxisSet::default();
        }
        if !j.in_scope {
            j.key = l.out_key;
        }
        j
    }

    /// The slim lines in the single run's order: those judged slim in row order, then, if
    /// there are any, the out-of-scope lines kept whole before (not the partial
    /// imputations), as `Stage::slim_down` moves them.
    fn slim(&mut self) {
        let mut interner = Interner {
            index: Default::default(),
            differing: Vec::new(),
            by_shared: vec![u32::MAX; self.s.groups.len()],
        };
        let mut slim = self.merged(&mut interner);
        if slim.is_empty() {
            return;
        }
        let judged = std::mem::take(&mut self.result.judged);
        let mut down = Vec::with_capacity(slim.len() + judged.len());
        for j in judged {
            if j.in_scope || j.is_partial() {
                self.result.judged.push(j);
                continue;
            }
            let line = &j.line;
            let group = GroupRef::Own(line.axis_codes_hash(), SharedCodes::new(line.axis_codes()));
            let g = self.intern(&mut interner, group);
            down.push(SlimLine::new(
                line.origin.row,
                line.measure,
                line.amount,
                j.key,
                g,
                j.differing,
                j.state,
            ));
        }
        down.append(&mut slim);
        self.result.slim = down;
    }

    /// The lines judged slim, in row order: the shared slim lines and this convention's
    /// own (`late`), merged.
    fn merged(&mut self, interner: &mut Interner) -> Vec<SlimLine> {
        let own = std::mem::take(&mut self.late);
        let mut slim = Vec::with_capacity(self.s.slim.len() + own.len());
        let mut late = own.into_iter().peekable();
        let mut common = self.s.slim.iter().peekable();
        loop {
            let take_late = match (common.peek(), late.peek()) {
                (None, None) => break,
                (Some(a), Some((b, _))) => b.row < a.row,
                (None, Some(_)) => true,
                (Some(_), None) => false,
            };
            let (line, group) = if take_late {
                late.next().expect("peeked")
            } else {
                let line = *common.next().expect("peeked");
                (line, GroupRef::Shared(line.group))
            };
            let g = self.intern(interner, group);
            let differing = interner.differing[g as usize];
            let (row, measure, amount, key) = (line.row, line.measure, line.amount, line.key());
            slim.push(SlimLine::new(
                row, measure, amount, key, g, differing, line.state,
            ));
        }
        slim
    }

    /// The index of an imputation in this convention's `groups` (its differing axes
    /// computed the first time).
    fn intern(&mut self, interner: &mut Interner, group: GroupRef) -> u32 {
        let (hash, codes, shared) = match group {
            GroupRef::Shared(g) => {
                let known = interner.by_shared[g as usize];
                if known != u32::MAX {
                    return known;
                }
                let (hash, codes) = &self.s.groups[g as usize];
                (*hash, SharedCodes::clone(codes), Some(g))
            }
            GroupRef::Own(hash, codes) => (hash, codes, None),
        };
        let g = match interner.index.get(&hash) {
            Some(g) => *g,
            None => {
                let g = self.result.groups.len() as u32;
                let value = |a: Axis| {
                    let i = Axis::ALL.iter().position(|x| *x == a).expect("an axis");
                    codes[i].as_deref()
                };
                let differing = judge_axes(value, self.checked, self.convention).differing;
                interner.differing.push(differing);
                self.result.groups.push((hash, codes));
                interner.index.insert(hash, g);
                g
            }
        };
        if let Some(shared) = shared {
            interner.by_shared[shared as usize] = g;
        }
        g
    }

    fn finish(self) -> (InputReport, InputResult) {
        let mut report = self.s.report.clone();
        report.checked_axes = self.checked;
        report.skipped = skipped_json(&self.skipped);
        report.skipped_total = self.skipped.total();
        report.data_rows = self.data_rows;
        report.rejections_omitted = self.result.rejections_omitted;
        report.notes.extend(closing_notes(&Closing {
            skipped: &self.skipped,
            other_figures: &self.other_figures,
            service_fait: self.service_fait,
            reductions: self.reductions,
            rejections_omitted: self.result.rejections_omitted,
        }));
        (report, self.result)
    }
}
