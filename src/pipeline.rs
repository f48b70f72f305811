//! Wires the stages: ingest -> normalize -> classify (in parallel, per chunk of rows, order
//! kept) -> reconcile. Counts what enters and leaves each stage for the conservation check.

use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::classify::{self, Judged};
use crate::convention::Convention;
use crate::error::{Error, InputError};
use crate::ingest::skip::{Skip, Skipped};
use crate::ingest::{self, InputInfo, OpenedInput, Piece, RowStream, record::RawRecord};
use crate::model::{AxisSet, Measure, Origin, Rejection};
use crate::normalize::{self, FileContext, Gap, RowOutcome, date::parse_year};
use crate::reconcile::{self, InputResult, OUT_OF_SCOPE_DETAIL_LIMIT, Reconciliation, SlimLine};
use rust_decimal::Decimal;

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
pub const REJECTION_BUDGET: usize = 10_000;

/// What a run needs, validated before the first input byte is read.
#[derive(Debug, Clone)]
pub struct Plan {
    pub inputs: Vec<PathBuf>,
    pub convention: Convention,
    pub as_of: NaiveDate,
    /// Last month's summary, to follow findings up (`--previous`).
    pub previous: Option<reconcile::PreviousSummary>,
}

/// One input as the reports describe it.
#[derive(Debug, Clone)]
pub struct InputReport {
    pub info: InputInfo,
    /// The path, and the worksheet for workbooks: how the workbook names the input.
    pub label: String,
    pub sha256: String,
    /// The axes this input's lines were checked on.
    pub checked_axes: AxisSet,
    pub gap: Option<Gap>,
    /// The rows that are not data, by kind: raw rows = data rows + skipped rows.
    pub skipped: Skipped,
    /// Data rows (each gives lines, or is rejected).
    pub data_rows: u64,
    /// Rejected rows past [`REJECTION_BUDGET`]: counted, not kept.
    pub rejections_omitted: u64,
    /// What a careful reader should know about how the file was read (French).
    pub notes: Vec<String>,
}

/// The outcome of a run, for the reports.
#[derive(Debug, Clone)]
pub struct Run {
    pub inputs: Vec<InputReport>,
    pub reconciliation: Reconciliation,
}

/// Told how the reading goes (a progress bar on a terminal; nothing in cron).
pub trait Progress: Sync {
    /// The number of extracts found, once every file is open.
    fn start(&self, _inputs: usize) {}
    /// Rows read (in chunks).
    fn rows(&self, _rows: u64) {}
    /// One extract fully read.
    fn input_done(&self) {}
    /// Reading is over; reconciling and writing follow.
    fn finish(&self) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}

/// Reads every input, then reconciles. Any unreadable input stops the run (exit 2).
pub fn run(plan: &Plan) -> Result<Run, Error> {
    run_with(plan, &Silent)
}

/// [`run`], telling `progress` how the reading goes.
pub fn run_with(plan: &Plan, progress: &dyn Progress) -> Result<Run, Error> {
    let started = std::time::Instant::now();
    let files = ingest::discover(&plan.inputs)?;
    // Open every file (a workbook may hold several extracts), then number the inputs in
    // file and sheet order.
    let opened: Vec<Result<Vec<OpenedInput>, InputError>> =
        files.par_iter().map(|path| ingest::open(path)).collect();
    let mut inputs: Vec<OpenedInput> = Vec::new();
    for file in opened {
        inputs.extend(file?);
    }
    for (index, input) in inputs.iter_mut().enumerate() {
        input.info.index = index as u32;
    }
    progress.start(inputs.len());
    // The out-of-scope lines kept in detail are shared between the inputs.
    let detail_budget = OUT_OF_SCOPE_DETAIL_LIMIT / inputs.len().max(1) as u64;
    let processed: Vec<Result<(InputReport, InputResult), InputError>> = inputs
        .into_par_iter()
        .map(|input| {
            let done = process(input, &plan.convention, progress, detail_budget);
            progress.input_done();
            done
        })
        .collect();
    progress.finish();
    crate::progress::trace("lecture, normalisation, classement", started);
    let started = std::time::Instant::now();
    let mut reports = Vec::with_capacity(processed.len());
    let mut results = Vec::with_capacity(processed.len());
    for p in processed {
        let (report, result) = p?;
        reports.push(report);
        results.push(result);
    }
    let mut reconciliation = reconcile::reconcile(&plan.convention, results, plan.as_of);
    crate::progress::trace("rapprochement", started);
    if let Some(previous) = &plan.previous {
        reconcile::follow_up::apply(&mut reconciliation, previous);
    }
    Ok(Run {
        inputs: reports,
        reconciliation,
    })
}

fn process(
    opened: OpenedInput,
    convention: &Convention,
    progress: &dyn Progress,
    detail_budget: u64,
) -> Result<(InputReport, InputResult), InputError> {
    let info = opened.info;
    let mut notes = info.notes.clone();
    let exercice = preamble_exercice(&info, &mut notes);
    let mut rest = opened.rest;
    let preamble_and_header = info.skipped.total();
    // The first data rows, to find columns missing from the header.
    let mut chunk: Vec<RawRecord> = opened.head;
    while chunk.len() < 64 {
        match rest.next_row() {
            Some(row) => chunk.push(row?),
            None => break,
        }
    }
    let gap = normalize::align::infer_gap(&info.mapping, &chunk);
    if let Some(g) = gap {
        notes.push(format!(
            "l'en-tête compte {} colonnes et les lignes {} : {} colonne(s) sans en-tête avant « {} », position déduite des valeurs",
            info.mapping.header.len(),
            info.mapping.header.len() + g.width,
            g.width,
            info.mapping.header.get(g.at).map(String::as_str).unwrap_or("?"),
        ));
    }
    let checked_axes = classify::checked_axes(info.mapping.axes(), &convention.imputation);
    let ctx = FileContext {
        input: info.index,
        mapping: &info.mapping,
        measure: info.measure,
        exercice,
        separator: info.separator(),
        gap,
    };
    let mut stage = Stage {
        detail_budget,
        skipped: info.skipped.clone(),
        ..Stage::default()
    };
    stage.result.input = info.index;
    // The rows read so far go first; then pieces of the input, a batch at a time: while
    // one batch is judged on every core, the next is read.
    let mut batch = vec![Piece::Rows(chunk)];
    let mut spare: Vec<Vec<u8>> = Vec::new();
    read_batch(&mut rest, &mut batch, &mut spare)?;
    while !batch.is_empty() {
        // Whole batches go one way or the other, so that the choice never depends on
        // threads.
        let lines: u64 = batch.iter().map(Piece::lines).sum();
        let detail = stage.detailed_out + lines <= stage.detail_budget;
        let mut next = Vec::with_capacity(PIECES_PER_BATCH);
        let mut spent = Vec::with_capacity(PIECES_PER_BATCH);
        let (read, judged) = rayon::join(
            || read_batch(&mut rest, &mut next, &mut spare),
            || {
                batch
                    .into_par_iter()
                    .map(|piece| {
                        let (records, memory) = piece.records(&info)?;
                        let judged: Vec<Judgement> = records
                            .iter()
                            .map(|r| judge_row(r, &ctx, checked_axes, convention, detail))
                            .collect();
                        Ok((records, judged, memory))
                    })
                    .collect::<Vec<Result<_, InputError>>>()
            },
        );
        for piece in judged {
            let (records, judged, memory) = piece?;
            stage.absorb(&records, judged, &ctx);
            stage.rows_streamed += records.len() as u64;
            progress.rows(records.len() as u64);
            spent.push(memory);
        }
        read?;
        spare.extend(spent.into_iter().filter(|m| m.capacity() > 0));
        batch = next;
    }
    stage.slim_down();
    let rest_rows = rest.raw_rows();
    let sha256 = rest.finish().map_err(|e| InputError {
        file: info.display.clone(),
        ..e
    })?;
    let raw_rows = preamble_and_header + stage.rows_streamed;
    check_rows(raw_rows, rest_rows, &stage.skipped, stage.data_rows)
        .map_err(|m| InputError::new(&info.display, m))?;
    notes.extend(stage.skipped.notes().into_iter().filter(|n| !n.is_empty()));
    if stage.rejections_omitted > 0 {
        notes.push(format!(
            "{} ligne(s) rejetée(s) de plus que les {REJECTION_BUDGET} listées : comptées, non détaillées",
            stage.rejections_omitted
        ));
    }
    let report = InputReport {
        label: info.label(),
        info,
        sha256,
        checked_axes,
        gap,
        skipped: stage.skipped,
        data_rows: stage.data_rows,
        rejections_omitted: stage.rejections_omitted,
        notes,
    };
    Ok((report, stage.result))
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

#[cfg(test)]
mod tests {
    use super::*;

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

/// The normalise + classify stage of one input, with its counters.
#[derive(Default)]
struct Stage {
    result: InputResult,
    skipped: Skipped,
    /// Rows judged (data or skipped), and data rows among them.
    rows_streamed: u64,
    data_rows: u64,
    rejections_omitted: u64,
    /// Out-of-scope lines kept in detail so far, and how many may be: the run's
    /// `OUT_OF_SCOPE_DETAIL_LIMIT` shared between its inputs.
    detailed_out: u64,
    detail_budget: u64,
    /// The imputations of slim lines, interned by the hash of their values.
    group_index: rustc_hash::FxHashMap<u128, u32>,
}

enum Judgement {
    Skipped(Skip),
    NotAMovement,
    Lines(Vec<Judged>),
    /// Out-of-scope movements past the detail budget: what the sums need, and the row's
    /// imputation.
    Slim(Vec<(Measure, Decimal, u128)>, u128, AxisSet),
    Rejected(Rejection),
}

/// Classify first, normalise what is needed: a row out of scope, and not a partial
/// imputation, needs only its movements, its imputation and its identity.
fn judge_row(
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
    let verdict = classify::judge_axes(|a| axes.get(a), checked, convention);
    if !detail && !verdict.in_scope && !verdict.is_partial() {
        return match normalize::movements_only(record, ctx) {
            Ok(None) => Judgement::NotAMovement,
            Ok(Some(movements)) => Judgement::Slim(
                movements
                    .into_iter()
                    .enumerate()
                    .map(|(i, (measure, amount))| (measure, amount, record.content_hash(i as u64)))
                    .collect(),
                axes.group_hash(),
                verdict.differing,
            ),
            Err(r) => Judgement::Rejected(r),
        };
    }
    match normalize::normalize(record, ctx) {
        RowOutcome::Skipped(kind) => Judgement::Skipped(kind),
        RowOutcome::NotAMovement => Judgement::NotAMovement,
        RowOutcome::Lines(lines) => Judgement::Lines(
            lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| {
                    let mut j = classify::classify(line, checked, convention);
                    if !j.in_scope {
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

impl Stage {
    fn absorb(&mut self, chunk: &[RawRecord], judged: Vec<Judgement>, ctx: &FileContext) {
        for (j, record) in judged.into_iter().zip(chunk) {
            let data = !matches!(j, Judgement::Skipped(_) | Judgement::NotAMovement);
            self.data_rows += u64::from(data);
            match j {
                Judgement::Skipped(kind) => self.skipped.add(kind, record.row),
                Judgement::NotAMovement => self.skipped.add(Skip::NotAMovement, record.row),
                Judgement::Lines(lines) => {
                    for j in lines {
                        self.count_in(j.line.measure, j.line.amount);
                        self.detailed_out += u64::from(!j.in_scope);
                        self.result.judged.push(j);
                    }
                }
                Judgement::Slim(movements, hash, differing) => {
                    let next = self.result.groups.len() as u32;
                    let groups = &mut self.result.groups;
                    let group = *self.group_index.entry(hash).or_insert_with(|| {
                        // A new imputation: only now are its values copied.
                        groups.push((hash, normalize::axis_values(record, ctx).to_codes()));
                        next
                    });
                    for (measure, amount, key) in movements {
                        self.count_in(measure, amount);
                        let origin = Origin {
                            input: ctx.input,
                            row: record.row,
                        };
                        self.result.slim.push(SlimLine::new(
                            origin.row, measure, amount, key, group, differing,
                        ));
                    }
                }
                Judgement::Rejected(_) if self.result.rejections.len() >= REJECTION_BUDGET => {
                    self.rejections_omitted += 1;
                }
                Judgement::Rejected(r) => self.result.rejections.push(r),
            }
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
            if j.in_scope || j.agreeing.len() >= 2 {
                self.result.judged.push(j);
                continue;
            }
            let line = &j.line;
            let next = self.result.groups.len() as u32;
            let groups = &mut self.result.groups;
            let hash = line.axis_codes_hash();
            let group = *self.group_index.entry(hash).or_insert_with(|| {
                groups.push((hash, line.axis_codes()));
                next
            });
            slim.push(SlimLine::new(
                line.origin.row,
                line.measure,
                line.amount,
                j.key,
                group,
                j.differing,
            ));
        }
        slim.append(&mut self.result.slim);
        self.result.slim = slim;
    }

    fn count_in(&mut self, measure: Measure, amount: Decimal) {
        match measure {
            Measure::Ae => self.result.ae_in += amount,
            Measure::Cp => self.result.cp_in += amount,
        }
    }
}

/// The exercice a whole file gives: its BEx preamble, the year heading its amount column
/// (crosstab), or its name (2019 workbooks). `None`: each line's own exercice or date.
fn preamble_exercice(info: &InputInfo, notes: &mut Vec<String>) -> Option<i32> {
    notes.push(format!("montant lu comme {}", info.measure_note));
    if let Some(text) = info.preamble.exercice.as_deref() {
        return match parse_year(text) {
            Some(y) => {
                notes.push(format!("exercice {y} d'après le préambule"));
                Some(y)
            }
            None => {
                notes.push(format!("exercice du préambule illisible (« {text} ») : l'année de chaque ligne vient de sa date"));
                None
            }
        };
    }
    if let Some(y) = info.mapping.header_year {
        notes.push(format!(
            "exercice {y} d'après l'en-tête de la colonne des montants"
        ));
        return Some(y);
    }
    if info.mapping.layout.meta.year_from_file_name {
        let stem = info
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let year = stem
            .split(|c: char| !c.is_ascii_digit())
            .filter(|t| t.len() == 4)
            .find_map(|t| parse_year(t).filter(|y| (2000..2100).contains(y)));
        if let Some(y) = year {
            notes.push(format!("exercice {y} d'après le nom du fichier"));
            return Some(y);
        }
    }
    None
}

/// Writes every out-of-scope row of the inputs, one line per movement, to a CSV (`;`,
/// UTF-8 with a BOM for Excel) at `path`: the detail a grouped `Hors périmètre` leaves
/// out, on request (`--detail-hors-perimetre`). The inputs are read a second time and the
/// rows streamed to a temporary file renamed at the end, so memory stays bounded. Rows
/// are listed as read, duplicates included.
pub fn write_out_of_scope_detail(plan: &Plan, path: &std::path::Path) -> Result<u64, Error> {
    use std::io::Write;
    let fail = |e: std::io::Error| Error::Output {
        path: path.display().to_string(),
        message: crate::error::io_message(&e),
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".chorus-recon-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o640));
    let tmp = builder.tempfile_in(dir).map_err(fail)?;
    let mut out = std::io::BufWriter::new(tmp);
    out.write_all(b"\xEF\xBB\xBFFichier;Ligne;Type;Montant;Centre financier;Programme;Domaine fonctionnel;Activit\xC3\xA9;Centre de co\xC3\xBBt;Axes diff\xC3\xA9rents\r\n")
        .map_err(fail)?;
    let mut written = 0u64;
    let files = ingest::discover(&plan.inputs)?;
    let mut index = 0u32;
    for file in files {
        for mut opened in ingest::open(&file)? {
            opened.info.index = index;
            index += 1;
            let info = &opened.info;
            let checked = classify::checked_axes(info.mapping.axes(), &plan.convention.imputation);
            let ctx = FileContext {
                input: info.index,
                mapping: &info.mapping,
                measure: info.measure,
                exercice: None,
                separator: info.separator(),
                gap: None,
            };
            let mut rows = std::mem::take(&mut opened.head);
            let mut rest = opened.rest;
            loop {
                for record in rows.drain(..) {
                    if normalize::data_row(&record, &ctx).is_some() {
                        continue;
                    }
                    let axes = normalize::axis_values(&record, &ctx);
                    let verdict = classify::judge_axes(|a| axes.get(a), checked, &plan.convention);
                    if verdict.in_scope {
                        continue;
                    }
                    let Ok(Some(movements)) = normalize::movements_only(&record, &ctx) else {
                        continue;
                    };
                    let values = axes.to_codes().map(|v| v.unwrap_or_default());
                    for (measure, amount) in movements {
                        let label = info.label().replace(';', ",");
                        writeln!(
                            out,
                            "{label};{};{};{};{};{};{};{};{};{}\r",
                            record.row,
                            measure.label(),
                            crate::report::amount_text(amount).replace('.', ","),
                            values[0],
                            values[1],
                            values[2],
                            values[3],
                            values[4],
                            verdict.differing.labels()
                        )
                        .map_err(fail)?;
                        written += 1;
                    }
                }
                match rest.next_row() {
                    Some(row) => rows.push(row?),
                    None => break,
                }
            }
        }
    }
    let tmp = out.into_inner().map_err(|e| fail(e.into_error()))?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(written)
}
