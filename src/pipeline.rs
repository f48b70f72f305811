//! Wires the stages: ingest -> normalize -> classify (in parallel, per chunk of rows, order
//! kept) -> reconcile. Counts what enters and leaves each stage for the conservation check.

use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::classify::DetailBudget;
use crate::classify::{self, Judgement};
use crate::classify::{InputResult, SlimLine};
use crate::convention::Convention;
use crate::error::{Error, InputError};
use crate::ingest::skip::{Skip, Skipped};
use crate::ingest::{self, InputInfo, OpenedInput, Piece, RowStream, record::RawRecord};
use crate::model::progress::{Progress, Silent};
use crate::model::{Gap, Measure, SharedCodes};
use crate::normalize::{self, FileContext};
use crate::output::spill::{InputSpill, PieceSpill, SpillRequest, Spilled, Spills};
use crate::reconcile;
pub use crate::report::input::{DateSource, InputReport, Run};
use crate::report::input::{SkippedJson, Source};
use rust_decimal::Decimal;

mod dates;
mod head;
mod portfolio;
mod spill;

pub use portfolio::{PortfolioRun, run_portfolio};

use head::Head;

/// Pieces of an input (about half a mebibyte of CSV, or 4,096 worksheet rows each)
/// judged together: enough to keep every core busy, few enough that a national extract
/// never sits whole in memory as raw text.
const PIECES_PER_BATCH: usize = 8;

/// Appends the input's next pieces to `batch`, up to a batch, in the `spare` memory of
/// spent pieces.
fn read_batch(
    rest: &mut RowStream,
    batch: &mut Vec<Piece>,
    spare: &mut Vec<Vec<u8>>,
) -> Result<(), InputError> {
    while batch.len() < PIECES_PER_BATCH {
        match rest.next_piece(spare.pop().unwrap_or_default()) {
            Some(piece) => batch.push(piece?),
            None => break,
        }
    }
    Ok(())
}

/// Rejected rows kept per input, with their row and reason; past it, rejections are only
/// counted (a file of garbage must not fill memory and the reports with a million rows).
pub const REJECTION_BUDGET: usize = reconcile::findings::LISTED_PER_INPUT;

/// What a run needs, validated before the first input byte is read.
#[derive(Debug, Clone)]
pub struct Plan {
    pub inputs: Vec<PathBuf>,
    pub convention: Convention,
    pub as_of: NaiveDate,
    /// Last month's summary, to follow findings up (`--previous`).
    pub previous: Option<reconcile::PreviousSummary>,
    /// The délégataire's forecasts (`--previsions`), read before any input.
    pub forecasts: Option<crate::tables::forecasts::Forecasts>,
    /// The accountant's justifications of findings (`--justifications`).
    pub justifications: Option<reconcile::Justifications>,
    /// The délégataire's declared report (`--declare`), read before any input.
    pub declaration: Option<crate::tables::declaration::Declaration>,
    /// With several conventions (`run_portfolio`): the declared report's rows of each, in
    /// the conventions' order (empty without `--declare`).
    pub declarations: Vec<crate::tables::declaration::Declaration>,
    /// The délégataire's order list (`--commandes`), read before any input.
    pub orders: Option<crate::tables::orders::Orders>,
    /// Go on past an unreadable file, listing it (`check`: every verdict in one pass);
    /// otherwise it stops the run.
    pub keep_going: bool,
}

impl Plan {
    /// A run of `convention` over `inputs` on `as_of`, with nothing beside the extracts
    /// (no `--previous`, `--previsions`, `--justifications`, `--declare`, `--commandes`),
    /// stopped by an unreadable input.
    pub fn new(inputs: Vec<PathBuf>, convention: Convention, as_of: NaiveDate) -> Plan {
        Plan {
            inputs,
            convention,
            as_of,
            previous: None,
            forecasts: None,
            justifications: None,
            declaration: None,
            declarations: Vec::new(),
            orders: None,
            keep_going: false,
        }
    }
}

/// Reads every input, then reconciles. Any unreadable input stops the run (exit 2).
pub fn run(plan: &Plan) -> Result<Run, Error> {
    run_with(plan, &Silent)
}

/// [`run`], telling `progress` how the reading goes.
pub fn run_with(plan: &Plan, progress: &dyn Progress) -> Result<Run, Error> {
    run_spilling(plan, progress, SpillRequest::NONE).map(|(run, _)| run)
}

/// [`run_with`], each input also spilling, as it is judged, the rows `request` asks for
/// (`output::spill`): the outputs that list rows one by one read no input twice.
pub fn run_spilling(
    plan: &Plan,
    progress: &dyn Progress,
    request: SpillRequest,
) -> Result<(Run, Spills), Error> {
    let started = std::time::Instant::now();
    let Opened {
        inputs,
        skipped_files,
        mut failed,
    } = open_inputs(plan)?;
    progress.start(inputs.len());
    let budget = DetailBudget::shared(inputs.len());
    let processed: Vec<Result<Processed, InputError>> = inputs
        .into_par_iter()
        .map(|input| {
            let done = process(input, &plan.convention, progress, budget, request);
            progress.input_done();
            done
        })
        .collect();
    progress.phase("rapprochement…");
    crate::model::progress::trace("lecture, normalisation, classement", started);
    let started = std::time::Instant::now();
    let mut reports = Vec::with_capacity(processed.len());
    let mut results = Vec::with_capacity(processed.len());
    let mut spills = Spills::default();
    for p in processed {
        match p {
            Ok((report, result, spilled)) => {
                reports.push(report);
                results.push(result);
                spills.inputs.push(spilled);
            }
            Err(e) if plan.keep_going => failed.push(e),
            Err(e) => return Err(e.into()),
        }
    }
    let reconciliation = reconcile::reconcile_with(
        &plan.convention,
        results,
        plan.as_of,
        reconcile::Options {
            ignored_files: skipped_files.clone(),
            previous: plan.previous.as_ref(),
            forecasts: plan.forecasts.as_ref(),
            justifications: plan.justifications.as_ref(),
            declaration: plan.declaration.as_ref(),
            orders: plan.orders.as_ref(),
        },
    );
    crate::model::progress::trace("rapprochement", started);
    let run = Run {
        inputs: reports,
        reconciliation,
        skipped_files,
        failed,
    };
    Ok((run, spills))
}

/// An input judged: how the reports describe it, its judged rows, its spills.
type Processed = (InputReport, InputResult, Spilled);

/// The inputs of a run, opened and numbered, and the files set aside.
struct Opened {
    inputs: Vec<OpenedInput>,
    skipped_files: Vec<reconcile::IgnoredFile>,
    failed: Vec<InputError>,
}

/// Opens every file (a workbook may hold several extracts), then numbers the inputs in
/// file and sheet order. A stray file in a folder is skipped; any other unreadable file
/// stops the run, or is set aside with `keep_going`.
fn open_inputs(plan: &Plan) -> Result<Opened, Error> {
    let mut files = ingest::discover_named(&plan.inputs)?;
    // The forecast, justifications and declaration files may sit in the extracts' folder: named by
    // their options, they are no stray files.
    let tables: Vec<PathBuf> = (plan.forecasts.iter().map(|f| &f.file))
        .chain(plan.justifications.iter().map(|j| &j.file))
        .chain(plan.declaration.iter().map(|d| &d.file))
        .chain(plan.declarations.first().map(|d| &d.file))
        .chain(plan.orders.iter().map(|o| &o.file))
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .collect();
    if !tables.is_empty() {
        files.retain(|(path, named)| {
            *named || std::fs::canonicalize(path).map_or(true, |p| !tables.contains(&p))
        });
    }
    let opened: Vec<Result<Vec<OpenedInput>, InputError>> = files
        .par_iter()
        .map(|(path, _)| ingest::open(path))
        .collect();
    let mut inputs: Vec<OpenedInput> = Vec::new();
    let mut skipped_files = Vec::new();
    let mut failed = Vec::new();
    for ((path, named), file) in files.iter().zip(opened) {
        match file {
            Ok(opened) => inputs.extend(opened),
            // A stray file in a folder (a PDF, a nomenclature…) must not cost the month
            // its workbook: skipped and reported. Named on the command line, it stops.
            Err(e) if e.not_an_extract && !named => skipped_files.push(reconcile::IgnoredFile {
                path: path.display().to_string(),
                reason: e.message,
            }),
            Err(e) if plan.keep_going => failed.push(e),
            Err(e) => return Err(e.into()),
        }
    }
    if inputs.is_empty() && failed.is_empty() {
        return Err(nothing_readable(plan, &skipped_files));
    }
    for (index, input) in inputs.iter_mut().enumerate() {
        input.info.index = index as u32;
    }
    Ok(Opened {
        inputs,
        skipped_files,
        failed,
    })
}

/// No extract among the inputs: the files skipped, and why.
fn nothing_readable(plan: &Plan, skipped_files: &[reconcile::IgnoredFile]) -> Error {
    let listed: Vec<String> = skipped_files
        .iter()
        .map(|f| format!("« {} » ({})", f.path, f.reason))
        .collect();
    let named: Vec<String> = plan
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    InputError::new(
        named.join(", "),
        format!(
            "aucun extrait lisible ; fichiers ignorés : {}",
            listed.join(" ; ")
        ),
    )
    .into()
}

/// Reads, normalises and judges one input, spilling what `request` asks for.
fn process(
    opened: OpenedInput,
    convention: &Convention,
    progress: &dyn Progress,
    budget: DetailBudget,
    request: SpillRequest,
) -> Result<Processed, InputError> {
    let Head {
        info,
        mut notes,
        exercice,
        extracted,
        mut rest,
        chunk,
        gap,
    } = Head::read(opened)?;
    let checked_axes = classify::checked_axes(info.mapping.axes(), &convention.imputation);
    let ctx = head::context(&info, exercice, gap);
    let mut stage = Stage::new(&info, budget, request, extracted.map(|(d, _)| d))?;
    let judge =
        |r: &RawRecord, detail| classify::judge_row(r, &ctx, checked_axes, convention, detail);
    stream(&mut stage, &mut rest, chunk, &info, &ctx, judge, progress)?;
    stage.slim_down();
    let sha256 = head::finish(
        rest,
        &info,
        stage.rows_streamed,
        &stage.skipped,
        stage.data_rows,
    )?;
    notes.extend(stage.closing_notes());
    let report = InputReport {
        extracted,
        label: info.label(),
        source: source(&info),
        sha256,
        checked_axes,
        gap,
        skipped: skipped_json(&stage.skipped),
        skipped_total: stage.skipped.total(),
        data_rows: stage.data_rows,
        rejections_omitted: stage.result.rejections_omitted,
        notes,
    };
    let spilled = stage.spill.finish().map_err(|e| spill_error(&info, &e))?;
    Ok((report, stage.result, spilled))
}

/// The first data rows (the head already read, then up to 64), to find columns missing
/// from the header.
fn first_rows(
    mut chunk: Vec<RawRecord>,
    rest: &mut RowStream,
) -> Result<Vec<RawRecord>, InputError> {
    while chunk.len() < 64 {
        match rest.next_row() {
            Some(row) => chunk.push(row?),
            None => break,
        }
    }
    Ok(chunk)
}

/// A spill file that could not be written (the temporary folder full, say).
fn spill_error(info: &InputInfo, e: &std::io::Error) -> InputError {
    InputError::new(
        &info.display,
        format!(
            "écriture du fichier temporaire des lignes détaillées impossible (dossier temporaire {}) : {}",
            std::env::temp_dir().display(),
            crate::error::io_message(e)
        ),
    )
}

/// Where the extraction date was read, or why the input counts as the oldest.
fn date_note(extracted: Option<(NaiveDate, DateSource)>) -> String {
    match extracted {
        Some((date, source)) => format!(
            "extrait du {} (date d'extraction lue dans {}) : ses états remplacent ceux des extraits plus anciens",
            date.format("%d/%m/%Y"),
            source.label()
        ),
        None => "pas de date d'extraction dans le fichier ni dans son nom : extrait classé dans l'ordre des chemins, avant les extraits datés".to_string(),
    }
}

/// The columns missing from the header, and where the data says they are.
fn gap_note(header: &[String], g: Gap) -> String {
    format!(
        "l'en-tête compte {} colonnes et les lignes {} : {} colonne(s) sans en-tête avant « {} », position déduite des valeurs",
        header.len(),
        header.len() + g.width,
        g.width,
        header.get(g.at).map(String::as_str).unwrap_or("?"),
    )
}

/// Judges an input's rows: `chunk` (read already) first, then the rest of the input a batch
/// at a time, each batch judged on every core while the next is read.
fn stream<J>(
    stage: &mut Stage,
    rest: &mut RowStream,
    chunk: Vec<RawRecord>,
    info: &InputInfo,
    ctx: &FileContext,
    judge: J,
    progress: &dyn Progress,
) -> Result<(), InputError>
where
    J: Fn(&RawRecord, bool) -> Judgement + Sync,
{
    let mut batch = vec![Piece::Rows(chunk)];
    let mut spare: Vec<Vec<u8>> = Vec::new();
    read_batch(rest, &mut batch, &mut spare)?;
    while !batch.is_empty() {
        // Whole batches go one way or the other, so that the choice never depends on
        // threads.
        let lines: u64 = batch.iter().map(Piece::lines).sum();
        let detail = stage.budget.allows(stage.detailed_out, lines);
        let mut next = Vec::with_capacity(PIECES_PER_BATCH);
        let mut spent = Vec::with_capacity(PIECES_PER_BATCH);
        let (read, judged) = rayon::join(
            || read_batch(rest, &mut next, &mut spare),
            || judge_batch(batch, stage, info, ctx, &judge, detail),
        );
        for piece in judged {
            let (records, judged, memory, spilled) = piece?;
            if let Some(spilled) = spilled {
                stage
                    .spill
                    .append(&spilled)
                    .map_err(|e| spill_error(info, &e))?;
            }
            stage.absorb(&records, judged, ctx);
            stage.rows_streamed += records.len() as u64;
            progress.rows(records.len() as u64);
            spent.push(memory);
        }
        read?;
        spare.extend(spent.into_iter().filter(|m| m.capacity() > 0));
        batch = next;
    }
    Ok(())
}

/// A piece of rows judged: its records, their judgements, the memory they were read in,
/// and what they spill.
type JudgedPiece = (Vec<RawRecord>, Vec<Judgement>, Vec<u8>, Option<PieceSpill>);

/// Judges a batch of pieces, each on a core, in detail or not; spills what the stage asks.
fn judge_batch<J>(
    batch: Vec<Piece>,
    stage: &Stage,
    info: &InputInfo,
    ctx: &FileContext,
    judge: &J,
    detail: bool,
) -> Vec<Result<JudgedPiece, InputError>>
where
    J: Fn(&RawRecord, bool) -> Judgement + Sync,
{
    let request = stage.request;
    batch
        .into_par_iter()
        .map(|piece| {
            let (records, memory) = piece.records(info)?;
            let judged: Vec<Judgement> = records.iter().map(|r| judge(r, detail)).collect();
            let spilled = (request.any())
                .then(|| spill::piece(&records, &judged, ctx, &stage.label, request))
                .transpose()
                .map_err(|e| spill_error(info, &e))?;
            Ok((records, judged, memory, spilled))
        })
        .collect()
}

/// How the report names and describes an input: ingest's view, as plain data.
fn source(info: &InputInfo) -> Source {
    Source {
        display: info.display.clone(),
        sheet: info.sheet().map(str::to_string),
        size: info.size,
        layout: info.mapping.layout.name.clone(),
        layout_title: info.mapping.layout.title.clone(),
        encoding: info.encoding_label(),
        separator: match &info.format {
            ingest::Format::Csv { dialect, .. } => (dialect.separator as char).to_string(),
            ingest::Format::Workbook { .. } => String::new(),
        },
        shape: info.shape_label(),
        header_row: info.mapping.header_row,
        measure: info.measure,
        measure_note: info.measure_note.clone(),
    }
}

/// The JSON object of `inputs[].skipped`: each kind's count, then its first rows.
fn skipped_json(skipped: &Skipped) -> SkippedJson {
    let mut counts = serde_json::Map::new();
    let mut first_rows = serde_json::Map::new();
    for k in Skip::ALL {
        counts.insert(k.key().into(), skipped.count(k).into());
        first_rows.insert(k.key().into(), skipped.first_rows(k).to_vec().into());
    }
    SkippedJson { counts, first_rows }
}

/// Every raw row is a data row or a skipped one (and, for a worksheet, every row of its
/// used range was read): a row lost between reading and counting is a defect of the tool,
/// and stops the run rather than under-report.
fn check_rows(
    raw_rows: u64,
    container_rows: Option<u64>,
    skipped: &Skipped,
    data_rows: u64,
) -> Result<(), String> {
    let counted = skipped.total() + data_rows;
    let in_file = container_rows.unwrap_or(raw_rows);
    if raw_rows == counted && in_file == raw_rows {
        return Ok(());
    }
    Err(format!(
        "contrôle de conservation des lignes en échec (CONSERVATION_ROMPUE) : {in_file} ligne(s) dans le fichier, {raw_rows} lue(s), {counted} comptée(s) ({data_rows} de données, {} ignorée(s)). C'est un défaut de l'outil : signalez-le avec ce fichier.",
        skipped.total()
    ))
}

/// The normalise + classify stage of one input, with its counters.
struct Stage {
    result: InputResult,
    skipped: Skipped,
    /// Rows judged (data or skipped), and data rows among them.
    rows_streamed: u64,
    data_rows: u64,
    /// Rows of key figures that move neither AE nor CP, per key figure as written.
    other_figures: std::collections::BTreeMap<compact_str::CompactString, u64>,
    /// In-scope journal reductions (kept in `result.reductions`).
    reductions: u64,
    /// In-scope service fait figures (kept in `result.reductions` too).
    service_fait: u64,
    /// Out-of-scope lines kept in detail so far, and how many may be.
    detailed_out: u64,
    budget: DetailBudget,
    /// What the input spills as its rows are judged, and its label for the detail rows.
    request: SpillRequest,
    spill: InputSpill,
    label: String,
    /// The imputations of slim lines, interned by the hash of their values.
    group_index: rustc_hash::FxHashMap<u128, u32>,
}

impl Stage {
    fn new(
        info: &InputInfo,
        budget: DetailBudget,
        request: SpillRequest,
        extracted: Option<NaiveDate>,
    ) -> Result<Stage, InputError> {
        let result = InputResult {
            input: info.index,
            label: info.label(),
            extracted,
            includes_carry_over: info.mapping.layout.meta.amount_includes_carry_over
                && info.measure == Measure::Ae,
            ..InputResult::default()
        };
        Ok(Stage {
            result,
            skipped: info.skipped.clone(),
            rows_streamed: 0,
            data_rows: 0,
            other_figures: Default::default(),
            reductions: 0,
            service_fait: 0,
            detailed_out: 0,
            budget,
            request,
            spill: InputSpill::new(request).map_err(|e| spill_error(info, &e))?,
            label: info.label(),
            group_index: Default::default(),
        })
    }

    /// The notes an input's rows leave (see [`closing_notes`]).
    fn closing_notes(&self) -> Vec<String> {
        closing_notes(&Closing {
            skipped: &self.skipped,
            other_figures: &self.other_figures,
            service_fait: self.service_fait,
            reductions: self.reductions,
            rejections_omitted: self.result.rejections_omitted,
        })
    }

    fn absorb(&mut self, chunk: &[RawRecord], judged: Vec<Judgement>, ctx: &FileContext) {
        for (j, record) in judged.into_iter().zip(chunk) {
            let data = !matches!(
                j,
                Judgement::Skipped(_) | Judgement::NotAMovement(_) | Judgement::Reduction(..)
            );
            self.data_rows += u64::from(data);
            match j {
                Judgement::Skipped(kind) => self.skipped.add(kind, record.row),
                Judgement::NotAMovement(figure) => {
                    self.skipped.add(Skip::NotAMovement, record.row);
                    *self.other_figures.entry(figure).or_default() += 1
                }
                Judgement::Reduction(r, _, true) => {
                    self.skipped.add(Skip::NotAMovement, record.row);
                    match r.service_fait {
                        Some(_) => self.service_fait += 1,
                        None => self.reductions += 1,
                    }
                    self.result.reductions.push(r);
                }
                Judgement::Reduction(_, figure, false) => {
                    self.skipped.add(Skip::NotAMovement, record.row);
                    *self.other_figures.entry(figure).or_default() += 1
                }
                Judgement::Lines(lines) => {
                    self.result.rows_in += 1;
                    for j in lines {
                        self.count_in(j.line.measure, j.line.amount);
                        self.detailed_out += u64::from(!j.in_scope);
                        self.result.judged.push(j);
                    }
                }
                Judgement::Slim(movements, hash, differing) => {
                    self.absorb_slim(record, movements, hash, differing, ctx)
                }
                Judgement::Rejected(r) => {
                    self.result.rows_in += 1;
                    if self.result.rejections.len() < REJECTION_BUDGET {
                        self.result.rejections.push(r);
                    } else {
                        self.result.rejections_omitted += 1;
                    }
                }
            }
        }
    }

    /// An out-of-scope row past the detail budget: its movements, slim, pointing to its
    /// imputation (copied the first time it is seen).
    fn absorb_slim(
        &mut self,
        record: &RawRecord,
        movements: Vec<(Measure, Decimal, u128, bool)>,
        hash: u128,
        differing: crate::model::AxisSet,
        ctx: &FileContext,
    ) {
        self.result.rows_in += 1;
        let next = self.result.groups.len() as u32;
        let groups = &mut self.result.groups;
        let group = *self.group_index.entry(hash).or_insert_with(|| {
            // A new imputation: only now are its values copied.
            groups.push((
                hash,
                SharedCodes::new(normalize::axis_values(record, ctx).to_codes()),
            ));
            next
        });
        for (measure, amount, key, state) in movements {
            self.count_in(measure, amount);
            self.result.slim.push(SlimLine::new(
                record.row, measure, amount, key, group, differing, state,
            ));
        }
    }

    /// An input with slim lines makes the run list its out-of-scope lines by group: its
    /// detailed out-of-scope lines that are not partial imputations (those stay, each a
    /// finding) need no more than a slim line's memory. Their rows came before the slim
    /// ones, so row order holds.
    fn slim_down(&mut self) {
        if self.result.slim.is_empty() {
            return;
        }
        let judged = std::mem::take(&mut self.result.judged);
        let mut slim = Vec::with_capacity(self.result.slim.len() + judged.len());
        for j in judged {
            if j.in_scope || j.is_partial() {
                self.result.judged.push(j);
                continue;
            }
            let line = &j.line;
            let next = self.result.groups.len() as u32;
            let groups = &mut self.result.groups;
            let hash = line.axis_codes_hash();
            let group = *self.group_index.entry(hash).or_insert_with(|| {
                groups.push((hash, SharedCodes::new(line.axis_codes())));
                next
            });
            slim.push(SlimLine::new(
                line.origin.row,
                line.measure,
                line.amount,
                j.key,
                group,
                j.differing,
                j.state,
            ));
        }
        slim.append(&mut self.result.slim);
        self.result.slim = slim;
    }

    fn count_in(&mut self, measure: Measure, amount: Decimal) {
        let r = &mut self.result;
        match measure {
            Measure::Ae => (r.ae_in += amount, r.ae_lines_in += 1),
            Measure::Cp => (r.cp_in += amount, r.cp_lines_in += 1),
        };
    }
}

/// What an input's rows leave for its notes, once judged.
struct Closing<'a> {
    skipped: &'a Skipped,
    /// Rows of key figures that move neither AE nor CP, per key figure as written.
    other_figures: &'a std::collections::BTreeMap<compact_str::CompactString, u64>,
    service_fait: u64,
    reductions: u64,
    rejections_omitted: u64,
}

/// The notes an input's rows leave: rows skipped by kind, key figures without effect,
/// rejections past the budget.
fn closing_notes(c: &Closing) -> Vec<String> {
    // Key figures without effect are listed by type below, not as one count.
    let mut notes: Vec<String> = (c.skipped.notes().into_iter())
        .filter(|n| {
            !n.is_empty()
                && (c.other_figures.is_empty() && c.service_fait == 0
                    || !n.contains(Skip::NotAMovement.label()))
        })
        .collect();
    notes.extend(figure_notes(c));
    if c.rejections_omitted > 0 {
        notes.push(format!(
            "{} ligne(s) rejetée(s) de plus que les {REJECTION_BUDGET} listées : comptées, non détaillées",
            c.rejections_omitted
        ));
    }
    notes
}

/// What the key figures that move neither AE nor CP were, for the input's notes.
fn figure_notes(c: &Closing) -> Vec<String> {
    let mut notes = Vec::new();
    let ignored: u64 = c.other_figures.values().sum();
    if ignored > 0 {
        let listed: Vec<String> = c
            .other_figures
            .iter()
            .map(|(figure, n)| format!("« {figure} » × {n}"))
            .collect();
        notes.push(format!(
            "{ignored} ligne(s) d'indicateurs sans effet sur les AE et les CP (pré-engagements, factures, reports émis, montants facturés…) ignorée(s), par type : {}",
            listed.join(", ")
        ));
    }
    if c.service_fait > 0 {
        notes.push(format!(
            "{} ligne(s) de service fait (réceptionné, certifié non soldé) sans effet sur les AE et les CP, reprise(s) dans l'onglet Fin de gestion",
            c.service_fait
        ));
    }
    if c.reductions > 0 {
        notes.push(format!(
            "{} ligne(s) de réduction par la pièce suivante (types de montant 0200, 0210, 0500 : l'engagement consommé par son paiement) sans effet sur les AE, rapprochée(s) des paiements de leur poste d'EJ",
            c.reductions
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input of a fixture folder processed with `budget`: per input, its slim lines
    /// and the bytes of its two spill files.
    fn spilled(folder: &str, budget: DetailBudget) -> Vec<(usize, Vec<u8>, Vec<u8>)> {
        use std::io::Read;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        let convention = Convention::builtin();
        let request = SpillRequest {
            detail: true,
            export: true,
        };
        let files = ingest::discover_named(&[dir]).unwrap();
        let inputs = files
            .iter()
            .flat_map(|(path, _)| ingest::open(path).unwrap());
        let read = |file: &Option<std::fs::File>| {
            let mut bytes = Vec::new();
            let file = file.as_ref().expect("a spill file");
            let mut f = crate::output::spill::rewound(file).unwrap();
            f.read_to_end(&mut bytes).unwrap();
            bytes
        };
        (inputs.enumerate())
            .map(|(index, mut input)| {
                input.info.index = index as u32;
                let (_, result, spilled) =
                    process(input, &convention, &Silent, budget, request).unwrap();
                let detail = read(&spilled.detail);
                (result.slim.len(), detail, read(&spilled.export))
            })
            .collect()
    }

    #[test]
    fn rows_judged_slim_spill_the_same_bytes_as_rows_judged_whole() {
        let whole = spilled("fixtures/annee-complete", DetailBudget::shared(1));
        let slim = spilled("fixtures/annee-complete", DetailBudget::per_input(0));
        assert!(whole.iter().all(|(n, ..)| *n == 0));
        // The path past the budget was taken, and the rows it spilled are the same.
        assert!(slim.iter().any(|(n, ..)| *n > 0));
        assert!(whole.iter().any(|(_, detail, _)| !detail.is_empty()));
        let bytes = |v: &[(usize, Vec<u8>, Vec<u8>)]| -> Vec<(Vec<u8>, Vec<u8>)> {
            v.iter().map(|(_, d, e)| (d.clone(), e.clone())).collect()
        };
        assert_eq!(bytes(&whole), bytes(&slim));
    }

    #[test]
    fn a_row_lost_between_reading_and_counting_breaks_the_check() {
        let mut skipped = Skipped::default();
        skipped.add(Skip::Header, 1);
        skipped.add(Skip::Subtotal, 5);
        assert!(check_rows(6, None, &skipped, 4).is_ok());
        assert!(check_rows(6, Some(6), &skipped, 4).is_ok());
        let lost = check_rows(7, None, &skipped, 4).unwrap_err();
        assert!(lost.contains("CONSERVATION_ROMPUE"), "{lost}");
        assert!(lost.contains("7 lue(s), 6 comptée(s)"), "{lost}");
        // A worksheet row never handed on.
        assert!(check_rows(6, Some(9), &skipped, 4).is_err());
    }
}
