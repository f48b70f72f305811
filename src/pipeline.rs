//! Wires the stages: ingest -> normalize -> classify (in parallel, per chunk of rows, order
//! kept) -> reconcile. Counts what enters and leaves each stage for the conservation check.

use std::path::PathBuf;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::classify::{self, Judgement};
use crate::convention::Convention;
use crate::error::{Error, InputError};
use crate::ingest::layout::FieldId;
use crate::ingest::skip::{Skip, Skipped};
use crate::ingest::{self, InputInfo, OpenedInput, Piece, RowStream, record::RawRecord};
use crate::model::progress::{Progress, Silent};
use crate::model::{Gap, Measure, Origin};
use crate::normalize::{self, FileContext, date::parse_year};
use crate::reconcile::{self, InputResult, OUT_OF_SCOPE_DETAIL_LIMIT, SlimLine};
pub use crate::report::input::{DateSource, InputReport, Run};
use crate::report::input::{SkippedJson, Source};
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
pub const REJECTION_BUDGET: usize = reconcile::findings::LISTED_PER_INPUT;

/// What a run needs, validated before the first input byte is read.
#[derive(Debug, Clone)]
pub struct Plan {
    pub inputs: Vec<PathBuf>,
    pub convention: Convention,
    pub as_of: NaiveDate,
    /// Last month's summary, to follow findings up (`--previous`).
    pub previous: Option<reconcile::PreviousSummary>,
    /// Go on past an unreadable file, listing it (`check`: every verdict in one pass);
    /// otherwise it stops the run.
    pub keep_going: bool,
}

/// Reads every input, then reconciles. Any unreadable input stops the run (exit 2).
pub fn run(plan: &Plan) -> Result<Run, Error> {
    run_with(plan, &Silent)
}

/// [`run`], telling `progress` how the reading goes.
pub fn run_with(plan: &Plan, progress: &dyn Progress) -> Result<Run, Error> {
    let started = std::time::Instant::now();
    let files = ingest::discover_named(&plan.inputs)?;
    // Open every file (a workbook may hold several extracts), then number the inputs in
    // file and sheet order.
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
        let listed: Vec<String> = skipped_files
            .iter()
            .map(|f| format!("« {} » ({})", f.path, f.reason))
            .collect();
        return Err(InputError::new(
            plan.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            format!(
                "aucun extrait lisible ; fichiers ignorés : {}",
                listed.join(" ; ")
            ),
        )
        .into());
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
    progress.phase("rapprochement…");
    crate::model::progress::trace("lecture, normalisation, classement", started);
    let started = std::time::Instant::now();
    let mut reports = Vec::with_capacity(processed.len());
    let mut results = Vec::with_capacity(processed.len());
    for p in processed {
        match p {
            Ok((report, result)) => {
                reports.push(report);
                results.push(result);
            }
            Err(e) if plan.keep_going => failed.push(e),
            Err(e) => return Err(e.into()),
        }
    }
    let reconciliation = reconcile::reconcile_with(
        &plan.convention,
        results,
        plan.as_of,
        skipped_files.clone(),
        plan.previous.as_ref(),
    );
    crate::model::progress::trace("rapprochement", started);
    Ok(Run {
        inputs: reports,
        reconciliation,
        skipped_files,
        failed,
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
    let extracted = extraction_date(&info);
    notes.push(date_note(extracted));
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
    notes.extend(gap.map(|g| gap_note(&info.mapping.header, g)));
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
    stage.result.label = info.label();
    stage.result.extracted = extracted.map(|(d, _)| d);
    stage.result.includes_carry_over =
        info.mapping.layout.meta.amount_includes_carry_over && info.measure == Measure::Ae;
    let judge =
        |r: &RawRecord, detail| classify::judge_row(r, &ctx, checked_axes, convention, detail);
    stream(&mut stage, &mut rest, chunk, &info, &ctx, judge, progress)?;
    stage.slim_down();
    let rest_rows = rest.raw_rows();
    let sha256 = rest.finish().map_err(|e| InputError {
        file: info.display.clone(),
        ..e
    })?;
    let raw_rows = preamble_and_header + stage.rows_streamed;
    check_rows(raw_rows, rest_rows, &stage.skipped, stage.data_rows)
        .map_err(|m| InputError::new(&info.display, m))?;
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
    Ok((report, stage.result))
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
        let detail = stage.detailed_out + lines <= stage.detail_budget;
        let mut next = Vec::with_capacity(PIECES_PER_BATCH);
        let mut spent = Vec::with_capacity(PIECES_PER_BATCH);
        let (read, judged) = rayon::join(
            || read_batch(rest, &mut next, &mut spare),
            || {
                batch
                    .into_par_iter()
                    .map(|piece| {
                        let (records, memory) = piece.records(info)?;
                        let judged: Vec<Judgement> =
                            records.iter().map(|r| judge(r, detail)).collect();
                        Ok((records, judged, memory))
                    })
                    .collect::<Vec<Result<_, InputError>>>()
            },
        );
        for piece in judged {
            let (records, judged, memory) = piece?;
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
#[derive(Default)]
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
    /// Out-of-scope lines kept in detail so far, and how many may be: the run's
    /// `OUT_OF_SCOPE_DETAIL_LIMIT` shared between its inputs.
    detailed_out: u64,
    detail_budget: u64,
    /// The imputations of slim lines, interned by the hash of their values.
    group_index: rustc_hash::FxHashMap<u128, u32>,
}

impl Stage {
    /// The notes an input's rows leave: rows skipped by kind, key figures without effect,
    /// rejections past the budget.
    fn closing_notes(&self) -> Vec<String> {
        // Key figures without effect are listed by type below, not as one count.
        let mut notes: Vec<String> = (self.skipped.notes().into_iter())
            .filter(|n| {
                !n.is_empty()
                    && (self.other_figures.is_empty() && self.service_fait == 0
                        || !n.contains(Skip::NotAMovement.label()))
            })
            .collect();
        notes.extend(self.figure_notes());
        if self.result.rejections_omitted > 0 {
            notes.push(format!(
                "{} ligne(s) rejetée(s) de plus que les {REJECTION_BUDGET} listées : comptées, non détaillées",
                self.result.rejections_omitted
            ));
        }
        notes
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
                    self.result.rows_in += 1;
                    let next = self.result.groups.len() as u32;
                    let groups = &mut self.result.groups;
                    let group = *self.group_index.entry(hash).or_insert_with(|| {
                        // A new imputation: only now are its values copied.
                        groups.push((hash, normalize::axis_values(record, ctx).to_codes()));
                        next
                    });
                    for (measure, amount, key, state) in movements {
                        self.count_in(measure, amount);
                        let origin = Origin {
                            input: ctx.input,
                            row: record.row,
                        };
                        self.result.slim.push(SlimLine::new(
                            origin.row, measure, amount, key, group, differing, state,
                        ));
                    }
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
                j.state,
            ));
        }
        slim.append(&mut self.result.slim);
        self.result.slim = slim;
    }

    /// What the key figures that move neither AE nor CP were, for the input's notes.
    fn figure_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let ignored: u64 = self.other_figures.values().sum();
        if ignored > 0 {
            let listed: Vec<String> = self
                .other_figures
                .iter()
                .map(|(figure, n)| format!("« {figure} » × {n}"))
                .collect();
            notes.push(format!(
                "{ignored} ligne(s) d'indicateurs sans effet sur les AE et les CP (pré-engagements, factures, reports émis, montants facturés…) ignorée(s), par type : {}",
                listed.join(", ")
            ));
        }
        if self.service_fait > 0 {
            notes.push(format!(
                "{} ligne(s) de service fait (réceptionné, certifié non soldé) sans effet sur les AE et les CP, reprise(s) dans l'onglet Fin de gestion",
                self.service_fait
            ));
        }
        if self.reductions > 0 {
            notes.push(format!(
                "{} ligne(s) de réduction par la pièce suivante (types de montant 0200, 0210, 0500 : l'engagement consommé par son paiement) sans effet sur les AE, rapprochée(s) des paiements de leur poste d'EJ",
                self.reductions
            ));
        }
        notes
    }

    fn count_in(&mut self, measure: Measure, amount: Decimal) {
        let r = &mut self.result;
        match measure {
            Measure::Ae => (r.ae_in += amount, r.ae_lines_in += 1),
            Measure::Cp => (r.cp_in += amount, r.cp_lines_in += 1),
        };
    }
}

/// The date the extract was taken, from the sources its layout names, in order: the BEx
/// preamble (« Dernière MàJ des données »), then a date in the file's name
/// (`…_2024-09-26.csv`, `…_20240926.csv`, `…_2021-05.csv`: the month's last day).
fn extraction_date(info: &InputInfo) -> Option<(NaiveDate, DateSource)> {
    info.mapping
        .layout
        .meta
        .extraction_date
        .iter()
        .find_map(|source| match source.as_str() {
            "preamble" => info
                .preamble
                .updated
                .as_deref()
                .and_then(|t| normalize::date::parse_date(t).ok().flatten())
                .map(|d| (d, DateSource::Preamble)),
            "fileName" => info
                .path
                .file_stem()
                .and_then(|s| date_in_name(&s.to_string_lossy()))
                .map(|d| (d, DateSource::FileName)),
            _ => None,
        })
}

/// The last date written in a file name: `2024-09-26`, `2024_09_26`, `20240926`, or a
/// month `2021-05` (its last day).
fn date_in_name(name: &str) -> Option<NaiveDate> {
    let runs: Vec<&str> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let year = |s: &str| {
        num(s)
            .map(|y| y as i32)
            .filter(|y| (2000..2100).contains(y))
    };
    let two = |i: usize| runs.get(i).filter(|p| p.len() == 2).and_then(|p| num(p));
    let mut found = None;
    for (i, run) in runs.iter().enumerate() {
        let date = match run.len() {
            8 => year(&run[..4])
                .and_then(|y| NaiveDate::from_ymd_opt(y, num(&run[4..6])?, num(&run[6..])?)),
            4 => year(run).and_then(|y| match (two(i + 1), two(i + 2)) {
                (Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, m, d),
                (Some(m), None) => NaiveDate::from_ymd_opt(y, m, 1)?
                    .checked_add_months(chrono::Months::new(1))?
                    .pred_opt(),
                _ => None,
            }),
            _ => None,
        };
        found = date.or(found);
    }
    found
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
    if !info.mapping.has(FieldId::Exercice)
        && let Some(y) = info
            .path
            .file_stem()
            .and_then(|s| exercice_in_name(&s.to_string_lossy()))
    {
        notes.push(format!(
            "exercice {y} d'après le nom du fichier (le fichier n'a pas de colonne d'exercice)"
        ));
        return Some(y);
    }
    None
}

/// The exercice a file's name gives: its one year written alone (`ej_0174_2020`), not as
/// part of a date (`…_2024-09-26` is an extraction date). Two different years: none.
fn exercice_in_name(name: &str) -> Option<i32> {
    let runs: Vec<&str> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let mut years = runs.iter().enumerate().filter_map(|(i, run)| {
        let month_follows = runs.get(i + 1).is_some_and(|p| p.len() == 2);
        let year = run.parse::<i32>().ok().filter(|y| (2000..2100).contains(y));
        year.filter(|_| run.len() == 4 && !month_follows)
    });
    let first = years.next()?;
    years.all(|y| y == first).then_some(first)
}

/// Writes every out-of-scope row of the inputs, one line per movement, as a CSV for Excel
/// (`output::csv_out`: `;`, UTF-8 with a BOM, quoted, formulas neutralised) to `out`: the
/// detail a grouped `Hors périmètre` leaves out, on request (`--detail-hors-perimetre`).
/// The inputs are read a second time and the rows streamed, so memory stays bounded; each
/// input is read as the main run read it (`inputs`: its header gap and exercice). Rows are
/// listed as read, duplicates included. Returns the number of lines written.
pub fn write_out_of_scope_detail(
    plan: &Plan,
    inputs: &[InputReport],
    out: &mut dyn std::io::Write,
) -> Result<u64, crate::output::Failure> {
    use crate::output::Failure;
    use crate::output::csv_out::{Cell, ExcelCsv};
    let mut csv = ExcelCsv::new(
        out,
        &[
            "Fichier",
            "Ligne",
            "Type",
            "Montant",
            "Centre financier",
            "Programme",
            "Domaine fonctionnel",
            "Activité",
            "Centre de coût",
            "Axes différents",
        ],
    )?;
    let mut written = 0u64;
    let files = ingest::discover(&plan.inputs).map_err(Failure::Run)?;
    let mut index = 0u32;
    for file in files {
        for mut opened in ingest::open(&file).map_err(|e| Failure::Run(e.into()))? {
            opened.info.index = index;
            let first_read = inputs.get(index as usize);
            index += 1;
            let info = &opened.info;
            let checked = classify::checked_axes(info.mapping.axes(), &plan.convention.imputation);
            let ctx = FileContext {
                input: info.index,
                mapping: &info.mapping,
                measure: info.measure,
                exercice: preamble_exercice(info, &mut Vec::new()),
                separator: info.separator(),
                gap: first_read.and_then(|r| r.gap),
            };
            let label = info.label();
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
                    let Ok(normalize::Moves::Lines(movements)) =
                        normalize::movements_only(&record, &ctx)
                    else {
                        continue;
                    };
                    let values = axes.to_codes().map(|v| v.unwrap_or_default());
                    let row = record.row.to_string();
                    let differing = verdict.differing.labels();
                    for (measure, amount) in movements {
                        let amount = crate::model::money::amount_text_fr(amount);
                        csv.row(
                            [
                                Cell::Text(&label),
                                Cell::Number(&row),
                                Cell::Text(measure.label()),
                                Cell::Number(&amount),
                            ]
                            .into_iter()
                            .chain(values.iter().map(|v| Cell::Text(v.as_str())))
                            .chain([Cell::Text(&differing)]),
                        )?;
                        written += 1;
                    }
                }
                match rest.next_row() {
                    Some(row) => rows.push(row.map_err(|e| Failure::Run(e.into()))?),
                    None => break,
                }
            }
        }
    }
    csv.finish()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn extraction_dates_in_file_names() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let cases = [
            ("ej_data_etat_quot_2024-09-26", d(2024, 9, 26)),
            ("INFBUD53_CP_2021-05", d(2021, 5, 31)),
            ("INFBUD53_CP_2020-02", d(2020, 2, 29)),
            ("export_20210930", d(2021, 9, 30)),
            ("ej_0174_2020", None),
            ("ej_2021_12_31", d(2021, 12, 31)),
            ("INFBUD53_AE_2021", None),
            ("x_2021-13", None),
        ];
        for (name, expected) in cases {
            assert_eq!(date_in_name(name), expected, "{name}");
        }
    }

    #[test]
    fn an_exercice_in_a_file_name_is_a_year_written_alone() {
        let cases = [
            ("ej_0174_2020", Some(2020)),
            ("ej_2021", Some(2021)),
            ("ej_data_etat_quot_2024-09-26", None),
            ("INFBUD53_CP_2021-05", None),
            ("engagements_2020_2021", None),
            ("engagements_2021_copie_2021", Some(2021)),
            ("extrait", None),
        ];
        for (name, expected) in cases {
            assert_eq!(super::exercice_in_name(name), expected, "{name}");
        }
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
