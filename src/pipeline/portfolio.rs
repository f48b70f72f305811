//! The portfolio pass (issue 15): the inputs opened and read once, each row judged against
//! every convention (`classify::portfolio`), what the rows leave kept once (a row some
//! convention needs whole is normalised whole once; a row out of every scope stays slim,
//! once); then, convention after convention, its own `InputResult`s are derived from the
//! shared ones (`derive`) and reconciled as a single run would.

mod derive;

use std::collections::BTreeMap;

use compact_str::CompactString;
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::{
    Opened, PIECES_PER_BATCH, Plan, REJECTION_BUDGET, open_inputs, read_batch, skipped_json, source,
};
use crate::classify::portfolio::{Panel, Shared, SharedLine, judge_shared};
use crate::classify::{DetailBudget, Judgement, SlimLine};
use crate::convention::Convention;
use crate::convention::portfolio::Perimeter;
use crate::error::{Error, InputError};
use crate::ingest::record::RawRecord;
use crate::ingest::skip::{Skip, Skipped};
use crate::ingest::{InputInfo, OpenedInput, Piece, RowStream};
use crate::model::progress::Progress;
use crate::model::{AxisSet, Measure, Rejection, SharedCodes};
use crate::normalize::{self, FileContext};
use crate::reconcile::findings::Finding;
use crate::reconcile::portfolio::{Candidate, Orphan, orphans};
use crate::report::input::{InputReport, Run};

use super::head::Head;

/// A portfolio run: each convention's run, as a single run with it alone would give it
/// (in `-c` order), and the délégataire's orphan lines with their findings.
#[derive(Debug)]
pub struct PortfolioRun {
    pub runs: Vec<Run>,
    pub orphans: Vec<Orphan>,
    pub findings: Vec<Finding>,
}

/// Reads every input once for all `conventions`, then reconciles each, with its previous
/// summary (`previous[c]`, `--previous`) if any. `plan`'s inputs and date are the run's;
/// its `convention` is not read.
pub fn run_portfolio(
    plan: &Plan,
    conventions: &[Convention],
    perimeter: Option<&Perimeter>,
    previous: &[Option<crate::reconcile::PreviousSummary>],
    progress: &dyn Progress,
) -> Result<PortfolioRun, Error> {
    let started = std::time::Instant::now();
    let Opened {
        inputs,
        skipped_files,
        failed,
    } = open_inputs(plan)?;
    if let Some(e) = failed.into_iter().next() {
        return Err(e.into());
    }
    progress.start(inputs.len());
    let budget = DetailBudget::shared(inputs.len());
    let processed: Vec<Result<SharedInput, InputError>> = inputs
        .into_par_iter()
        .map(|input| {
            let done = process(input, conventions, perimeter, progress, budget);
            progress.input_done();
            done
        })
        .collect();
    let mut shared: Vec<SharedInput> = processed.into_iter().collect::<Result<_, _>>()?;
    follow_ejs(&mut shared);
    progress.phase("rapprochement…");
    crate::model::progress::trace("lecture, normalisation, classement (portefeuille)", started);
    let started = std::time::Instant::now();
    let runs = reconcile_each(plan, conventions, &shared, &skipped_files, previous);
    let (orphans, findings) = orphans(candidates(&shared));
    crate::model::progress::trace("rapprochement (portefeuille)", started);
    Ok(PortfolioRun {
        runs,
        orphans,
        findings,
    })
}

/// Each convention's run from the inputs read once (`shared`), reconciled as its single
/// run would be, with its previous summary (`previous[c]`) if any.
fn reconcile_each(
    plan: &Plan,
    conventions: &[Convention],
    shared: &[SharedInput],
    skipped_files: &[crate::reconcile::IgnoredFile],
    previous: &[Option<crate::reconcile::PreviousSummary>],
) -> Vec<Run> {
    // Conventions side by side on the pool, each reconciled as its single run: the
    // order of the results is `-c`'s whatever the threads.
    (conventions.par_iter().enumerate())
        .map(|(c, convention)| {
            let (reports, results) = shared
                .iter()
                .map(|s| derive::derive(s, c, convention))
                .unzip();
            let reconciliation = crate::reconcile::reconcile_with(
                convention,
                results,
                plan.as_of,
                crate::reconcile::Options {
                    ignored_files: skipped_files.to_vec(),
                    previous: previous.get(c).and_then(Option::as_ref),
                    forecasts: None,
                    justifications: None,
                    declaration: plan.declarations.get(c),
                    orders: None,
                },
            );
            Run {
                inputs: reports,
                reconciliation,
                skipped_files: skipped_files.to_vec(),
                failed: Vec::new(),
            }
        })
        .collect()
}

/// Lines whose axes and date leave several conventions (`SharedLine::ambiguous`: an
/// extract without the axes that set them apart) follow their EJ: to the convention that
/// holds its commitment, or to none when the commitment is in none (an orphan's payment
/// stays an orphan). So do journal reductions several conventions' scopes hold. Lines
/// whose EJ is not seen keep the first of them (`-c` order).
fn follow_ejs(shared: &mut [SharedInput]) {
    // Each EJ's holder, from its commitments the axes and date leave to one convention or
    // none: a convention over none, the first of several.
    let mut holders: BTreeMap<CompactString, Option<u16>> = BTreeMap::new();
    let kept_lines = (shared.iter().flat_map(|s| s.kept.iter())).filter_map(|k| match k {
        Kept::Lines(lines, _) => Some(lines.iter()),
        _ => None,
    });
    for l in kept_lines.flatten() {
        if let (None, Measure::Ae, Some(ej)) = (&l.ambiguous, l.line.measure, &l.line.ej) {
            let held = holders.entry(ej.clone()).or_insert(l.owner);
            *held = match (*held, l.owner) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    for kept in shared.iter_mut().flat_map(|s| s.kept.iter_mut()) {
        match kept {
            Kept::Lines(lines, _) => {
                for l in lines.iter_mut() {
                    let (Some(among), Some(ej)) = (&l.ambiguous, &l.line.ej) else {
                        continue;
                    };
                    match holders.get(ej) {
                        Some(Some(o)) if among.contains(o) => l.owner = Some(*o),
                        Some(None) => l.owner = None,
                        _ => {}
                    }
                }
            }
            Kept::Reduction(r, _, claims) if claims.len() > 1 => {
                if let Some(Some(o)) = holders
                    .get(&r.ej)
                    .filter(|o| o.is_some_and(|o| claims.contains(&o)))
                {
                    *claims = vec![*o];
                }
            }
            _ => {}
        }
    }
}

/// The lines of the délégataire's scope that no convention claims.
fn candidates(shared: &[SharedInput]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for s in shared {
        for kept in &s.kept {
            let Kept::Lines(lines, _) = kept else {
                continue;
            };
            for l in lines.iter().filter(|l| l.owner.is_none()) {
                if let Some(attached_by) = crate::reconcile::portfolio::attached_by(l.attached) {
                    out.push(Candidate {
                        line: (*l.line).clone(),
                        key: l.out_key,
                        input_label: s.report.label.clone(),
                        extracted: s.extracted,
                        attached_by,
                    });
                }
            }
        }
    }
    out
}

/// A row some convention keeps whole, or a rejected row.
pub(super) enum Kept {
    /// A row's lines, and the batch it was read in.
    Lines(Box<[SharedLine]>, u32),
    /// A journal reduction, its key figure, the conventions whose scope holds it.
    Reduction(crate::model::Reduction, CompactString, Vec<u16>),
    /// A rejected row: the rejection when normalised whole, what the conventions that keep
    /// it slim make of it, and which conventions needed it whole (empty: rejected for all).
    Rejected(Rejection, Alt, Vec<bool>),
}

/// What a row rejected when normalised whole is on the slim path.
pub(super) enum Alt {
    /// The same rejection.
    Same,
    /// Slim movements, and the row's imputation (index in `groups`).
    Slim(Vec<(Measure, Decimal, u128, bool)>, u32),
    /// A key figure that moves neither AE nor CP.
    Figure(CompactString),
    Rejected(Rejection),
}

/// What one input leaves for every convention.
pub(super) struct SharedInput {
    pub input: u32,
    pub extracted: Option<chrono::NaiveDate>,
    pub includes_carry_over: bool,
    /// Rows skipped, and rows of key figures without effect (the same for every convention).
    pub skipped: Skipped,
    pub other_figures: BTreeMap<CompactString, u64>,
    /// Rows kept whole or rejected, in row order.
    pub kept: Vec<Kept>,
    /// Rejected rows past the budget: rejected for every convention, counted only.
    pub rejections_omitted: u64,
    /// The movements of rows slim for every convention (their `differing` empty), in row
    /// order, and how many rows they come from; their sums.
    pub slim: Vec<SlimLine>,
    pub slim_rows: u64,
    pub slim_in: Sums,
    pub groups: Vec<(u128, SharedCodes)>,
    /// Per batch read, per convention: whether it kept that batch's out-of-scope lines in
    /// detail.
    pub detail: Vec<Vec<bool>>,
    /// The input's report but for what depends on the convention.
    pub report: InputReport,
    /// The axes this input carries.
    pub carried: AxisSet,
}

/// What entered: movements and amounts per measure.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sums {
    pub ae_lines: u64,
    pub cp_lines: u64,
    pub ae: Decimal,
    pub cp: Decimal,
}

impl Sums {
    pub fn add(&mut self, measure: Measure, amount: Decimal) {
        match measure {
            Measure::Ae => (self.ae_lines += 1, self.ae += amount),
            Measure::Cp => (self.cp_lines += 1, self.cp += amount),
        };
    }
}

/// Reads, normalises and judges one input against every convention.
fn process(
    opened: OpenedInput,
    conventions: &[Convention],
    perimeter: Option<&Perimeter>,
    progress: &dyn Progress,
    budget: DetailBudget,
) -> Result<SharedInput, InputError> {
    let Head {
        info,
        notes,
        exercice,
        extracted,
        mut rest,
        chunk,
        gap,
    } = Head::read(opened)?;
    let carried = info.mapping.axes();
    let checked: Vec<AxisSet> = (conventions.iter())
        .map(|c| crate::classify::checked_axes(carried, &c.imputation))
        .collect();
    let ctx = super::head::context(&info, exercice, gap);
    let panel = Panel {
        conventions,
        checked: &checked,
        perimeter,
    };
    let mut stage = SharedStage::new(&info, extracted.map(|(d, _)| d), conventions.len(), budget);
    stream(&mut stage, &mut rest, chunk, &info, &ctx, panel, progress)?;
    let sha256 = super::head::finish(
        rest,
        &info,
        stage.rows_streamed,
        &stage.input.skipped,
        stage.data_rows,
    )?;
    let mut input = stage.input;
    input.report = InputReport {
        extracted,
        label: info.label(),
        source: source(&info),
        sha256,
        checked_axes: AxisSet::default(),
        gap,
        skipped: skipped_json(&input.skipped),
        skipped_total: input.skipped.total(),
        data_rows: stage.data_rows,
        rejections_omitted: 0,
        notes,
    };
    input.carried = carried;
    Ok(input)
}

/// Judges an input's rows a batch at a time, as `pipeline::stream` does, each batch in
/// detail or not for each convention as its own run would choose.
fn stream(
    stage: &mut SharedStage,
    rest: &mut RowStream,
    chunk: Vec<RawRecord>,
    info: &InputInfo,
    ctx: &FileContext,
    panel: Panel,
    progress: &dyn Progress,
) -> Result<(), InputError> {
    let mut batch = vec![Piece::Rows(chunk)];
    let mut spare: Vec<Vec<u8>> = Vec::new();
    read_batch(rest, &mut batch, &mut spare)?;
    while !batch.is_empty() {
        let lines: u64 = batch.iter().map(Piece::lines).sum();
        let detail: Vec<bool> = (stage.detailed_out.iter())
            .map(|kept| stage.budget.allows(*kept, lines))
            .collect();
        let mut next = Vec::with_capacity(PIECES_PER_BATCH);
        let (read, judged) = rayon::join(
            || read_batch(rest, &mut next, &mut spare),
            || judge_batch(batch, info, ctx, panel, &detail),
        );
        let index = stage.input.detail.len() as u32;
        stage.input.detail.push(detail.clone());
        for piece in judged {
            let (records, judged, memory) = piece?;
            for (record, shared) in records.iter().zip(judged) {
                stage.absorb(record, shared, ctx, panel, &detail, index);
            }
            stage.rows_streamed += records.len() as u64;
            progress.rows(records.len() as u64);
            if memory.capacity() > 0 {
                spare.push(memory);
            }
        }
        read?;
        batch = next;
    }
    Ok(())
}

type JudgedPiece = (Vec<RawRecord>, Vec<Shared>, Vec<u8>);

fn judge_batch(
    batch: Vec<Piece>,
    info: &InputInfo,
    ctx: &FileContext,
    panel: Panel,
    detail: &[bool],
) -> Vec<Result<JudgedPiece, InputError>> {
    batch
        .into_par_iter()
        .map(|piece| {
            let (records, memory) = piece.records(info)?;
            let judged = records
                .iter()
                .map(|r| judge_shared(r, ctx, panel, detail))
                .collect();
            Ok((records, judged, memory))
        })
        .collect()
}

/// The judge stage of one input, for every convention.
struct SharedStage {
    input: SharedInput,
    rows_streamed: u64,
    data_rows: u64,
    /// Per convention, the out-of-scope lines its own run would keep in detail so far.
    detailed_out: Vec<u64>,
    budget: DetailBudget,
    /// Rejected rows kept so far (at most `REJECTION_BUDGET`).
    rejected: usize,
    group_index: rustc_hash::FxHashMap<u128, u32>,
}

impl SharedStage {
    fn new(
        info: &InputInfo,
        extracted: Option<chrono::NaiveDate>,
        conventions: usize,
        budget: DetailBudget,
    ) -> SharedStage {
        SharedStage {
            input: SharedInput {
                input: info.index,
                extracted,
                includes_carry_over: info.mapping.layout.meta.amount_includes_carry_over
                    && info.measure == Measure::Ae,
                skipped: info.skipped.clone(),
                other_figures: BTreeMap::new(),
                kept: Vec::new(),
                rejections_omitted: 0,
                slim: Vec::new(),
                slim_rows: 0,
                slim_in: Sums::default(),
                groups: Vec::new(),
                detail: Vec::new(),
                report: placeholder_report(info),
                carried: AxisSet::default(),
            },
            rows_streamed: 0,
            data_rows: 0,
            detailed_out: vec![0; conventions],
            budget,
            rejected: 0,
            group_index: Default::default(),
        }
    }

    fn absorb(
        &mut self,
        record: &RawRecord,
        shared: Shared,
        ctx: &FileContext,
        panel: Panel,
        detail: &[bool],
        batch: u32,
    ) {
        let row = record.row;
        match shared {
            Shared::Skipped(kind) => self.input.skipped.add(kind, row),
            Shared::NotAMovement(figure) | Shared::Slim(Judgement::NotAMovement(figure)) => {
                self.figure(row, figure)
            }
            Shared::Reduction(r, figure, claims) => {
                self.input.skipped.add(Skip::NotAMovement, row);
                self.input.kept.push(Kept::Reduction(r, figure, claims));
            }
            Shared::Lines(lines) => {
                self.data_rows += 1;
                self.count_detailed(&lines, panel, detail);
                self.input
                    .kept
                    .push(Kept::Lines(lines.into_boxed_slice(), batch));
            }
            Shared::Rejected(r, alt, whole_for) => {
                let alt = match alt.map(|j| *j) {
                    None => Alt::Same,
                    Some(Judgement::Slim(moves, hash, _)) => {
                        Alt::Slim(moves, self.group(hash, record, ctx))
                    }
                    Some(Judgement::NotAMovement(figure)) => Alt::Figure(figure),
                    Some(Judgement::Rejected(r)) => Alt::Rejected(r),
                    Some(_) => Alt::Same,
                };
                self.rejected(r, alt, whole_for)
            }
            Shared::Slim(Judgement::Rejected(r)) => self.rejected(r, Alt::Same, Vec::new()),
            Shared::Slim(Judgement::Slim(moves, hash, _)) => {
                self.data_rows += 1;
                self.input.slim_rows += 1;
                let group = self.group(hash, record, ctx);
                for (measure, amount, key, state) in moves {
                    self.input.slim_in.add(measure, amount);
                    let line =
                        SlimLine::new(row, measure, amount, key, group, AxisSet::default(), state);
                    self.input.slim.push(line);
                }
            }
            Shared::Slim(_) => {
                unreachable!("the slim path gives movements, a figure or a rejection")
            }
        }
    }

    fn figure(&mut self, row: u64, figure: CompactString) {
        self.input.skipped.add(Skip::NotAMovement, row);
        *self.input.other_figures.entry(figure).or_default() += 1;
    }

    fn rejected(&mut self, r: Rejection, alt: Alt, whole_for: Vec<bool>) {
        // A data row here; a convention that keeps it slim may see a key figure instead.
        self.data_rows += 1;
        if self.rejected < REJECTION_BUDGET {
            self.rejected += 1;
            self.input.kept.push(Kept::Rejected(r, alt, whole_for));
        } else {
            self.input.rejections_omitted += 1;
        }
    }

    /// Each convention's count of the out-of-scope lines its run keeps whole.
    fn count_detailed(&mut self, lines: &[SharedLine], panel: Panel, detail: &[bool]) {
        for (c, convention) in panel.conventions.iter().enumerate() {
            let checked = panel.checked[c];
            for l in lines {
                let v = crate::classify::judge_axes(|a| l.line.axis_value(a), checked, convention);
                if !v.in_scope && (detail[c] || v.is_partial()) {
                    self.detailed_out[c] += 1;
                }
            }
        }
    }

    /// The index of a row's imputation in `groups`, copied the first time it is seen.
    fn group(&mut self, hash: u128, record: &RawRecord, ctx: &FileContext) -> u32 {
        let next = self.input.groups.len() as u32;
        let groups = &mut self.input.groups;
        *self.group_index.entry(hash).or_insert_with(|| {
            groups.push((
                hash,
                SharedCodes::new(normalize::axis_values(record, ctx).to_codes()),
            ));
            next
        })
    }
}

/// A report filled in once the input is read.
fn placeholder_report(info: &InputInfo) -> InputReport {
    InputReport {
        extracted: None,
        label: info.label(),
        source: source(info),
        sha256: String::new(),
        checked_axes: AxisSet::default(),
        gap: None,
        skipped: skipped_json(&Skipped::default()),
        skipped_total: 0,
        data_rows: 0,
        rejections_omitted: 0,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::progress::Silent;
    use crate::output::spill::SpillRequest;

    /// The fixture's conventions A, B and C (C without its avenant, which av adds).
    fn conventions() -> Vec<Convention> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/portefeuille/conventions");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let c = read("dgec-dinum-appui-data.toml");
        let c = &c[..c.find("\n[[avenant]]").unwrap()];
        vec![
            Convention::parse(&read("dgec-dinum-2020.toml"), "a.toml").unwrap(),
            Convention::parse(&read("dgec-dinum-tableau-de-bord.toml"), "b.toml").unwrap(),
            Convention::parse(c, "c.toml").unwrap(),
        ]
    }

    fn inputs(folder: &str) -> Vec<OpenedInput> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        let files = crate::ingest::discover_named(&[dir]).unwrap();
        let mut inputs: Vec<OpenedInput> = (files.iter())
            .flat_map(|(path, _)| crate::ingest::open(path).unwrap_or_default())
            .collect();
        for (index, input) in inputs.iter_mut().enumerate() {
            input.info.index = index as u32;
        }
        inputs
    }

    /// Each convention's view of every input, derived from the shared pass, is what its
    /// own pass gives — whole, slim (budget 0) or in between.
    #[test]
    fn each_conventions_view_is_its_own_pass() {
        let conventions = conventions();
        let perimeter = crate::convention::portfolio::parse_perimeter(
            "[perimetre]\ncentres_financiers = [\"0174-SOUT-ELAB\"]\n",
            "p.toml",
        )
        .unwrap();
        let folders = [
            "fixtures/portefeuille/extraits",
            "fixtures/annee-complete",
            "fixtures/anomalies",
        ];
        let budgets = [
            DetailBudget::shared(1),
            DetailBudget::per_input(0),
            DetailBudget::per_input(3),
        ];
        let mut slim_seen = false;
        for folder in folders {
            for budget in budgets {
                let shared: Vec<SharedInput> = (inputs(folder).into_iter())
                    .map(|i| process(i, &conventions, Some(&perimeter), &Silent, budget).unwrap())
                    .collect();
                for (c, convention) in conventions.iter().enumerate() {
                    let own = (inputs(folder).into_iter()).map(|i| {
                        let request = SpillRequest::NONE;
                        let (report, result, _) =
                            super::super::process(i, convention, &Silent, budget, request).unwrap();
                        (report, result)
                    });
                    for (s, (report, result)) in shared.iter().zip(own) {
                        let (r, derived) = derive::derive(s, c, convention);
                        slim_seen |= !result.slim.is_empty();
                        let what =
                            format!("{folder}, {budget:?}, {}, {}", convention.id, result.label);
                        assert_eq!(format!("{derived:?}"), format!("{result:?}"), "{what}");
                        assert_eq!(format!("{r:?}"), format!("{report:?}"), "{what}");
                    }
                }
            }
        }
        assert!(slim_seen, "the slim path was taken");
    }
}
