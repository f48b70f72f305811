//! What a piece of judged rows leaves in its input's spill files (`output::spill`): the
//! out-of-scope detail CSV rows and the line export records, made on the thread that judged
//! the piece, from the judgements (no row is normalised twice, except an out-of-scope row
//! past the detail budget when the export needs its whole line).

use crate::classify::Judgement;
use crate::ingest::record::RawRecord;
use crate::model::{AxisSet, Measure};
use crate::normalize::{self, FileContext, RowOutcome};
use crate::output::csv_out::{Cell, ExcelCsv};
use crate::output::export::Encoder;
use crate::output::spill::{PieceSpill, SpillRequest};
use rust_decimal::Decimal;

/// The spills of a piece of rows: `judged[i]` is `records[i]`'s judgement.
pub(super) fn piece(
    records: &[RawRecord],
    judged: &[Judgement],
    ctx: &FileContext,
    label: &str,
    request: SpillRequest,
) -> std::io::Result<PieceSpill> {
    let mut spill = PieceSpill::default();
    if request.detail {
        let mut csv = ExcelCsv::rows_only(Vec::new());
        for (record, j) in records.iter().zip(judged) {
            spill.detail_rows += detail_rows(&mut csv, record, j, ctx, label)?;
        }
        spill.detail = csv.finish()?;
    }
    if request.export {
        let mut encoder = Encoder::default();
        for (record, j) in records.iter().zip(judged) {
            export_row(&mut encoder, record, j, ctx)?;
        }
        spill.export = encoder.out;
    }
    Ok(spill)
}

/// The detail rows of an out-of-scope row, one per movement: its file, row, measure,
/// amount (decimal comma), imputation and differing axes. Other rows give none.
fn detail_rows<W: std::io::Write>(
    csv: &mut ExcelCsv<W>,
    record: &RawRecord,
    judged: &Judgement,
    ctx: &FileContext,
    label: &str,
) -> std::io::Result<u64> {
    let movements: Vec<(Measure, Decimal)> = match judged {
        Judgement::Lines(lines) if lines.iter().all(|j| !j.in_scope) => lines
            .iter()
            .map(|j| (j.line.measure, j.line.amount))
            .collect(),
        Judgement::Slim(movements, ..) => movements.iter().map(|m| (m.0, m.1)).collect(),
        _ => return Ok(0),
    };
    let differing = match judged {
        Judgement::Lines(lines) => lines.first().map_or(AxisSet::default(), |j| j.differing),
        Judgement::Slim(_, _, differing) => *differing,
        _ => AxisSet::default(),
    };
    let values = normalize::axis_values(record, ctx)
        .to_codes()
        .map(|v| v.unwrap_or_default());
    let row = record.row.to_string();
    let differing = differing.labels();
    for (measure, amount) in &movements {
        let amount = crate::model::money::amount_text_fr(*amount);
        csv.row(
            [
                Cell::Text(label),
                Cell::Number(&row),
                Cell::Text(measure.label()),
                Cell::Number(&amount),
            ]
            .into_iter()
            .chain(values.iter().map(|v| Cell::Text(v.as_str())))
            .chain([Cell::Text(&differing)]),
        )?;
    }
    Ok(movements.len() as u64)
}

/// The export records of a row: its lines, or its rejection. Rows that are not data
/// (skipped, key figures without effect, journal reductions) give none.
fn export_row(
    encoder: &mut Encoder,
    record: &RawRecord,
    judged: &Judgement,
    ctx: &FileContext,
) -> std::io::Result<()> {
    match judged {
        Judgement::Lines(lines) => {
            for j in lines {
                encoder.line(&j.line, j.in_scope, j.differing)?;
            }
        }
        Judgement::Slim(movements, _, differing) => {
            // Past the detail budget the row was not normalised whole: it is now, for
            // the export only.
            match normalize::normalize(record, ctx) {
                RowOutcome::Lines(lines) if lines.len() == movements.len() => {
                    for line in &lines {
                        encoder.line(line, false, *differing)?;
                    }
                }
                _ => {
                    let axes = normalize::axis_values(record, ctx).to_codes();
                    for (measure, amount, ..) in movements {
                        encoder.movement(record.row, *measure, *amount, &axes, *differing)?;
                    }
                }
            }
        }
        Judgement::Rejected(r) => encoder.rejection(r)?,
        Judgement::Skipped(_) | Judgement::NotAMovement(_) | Judgement::Reduction(..) => {}
    }
    Ok(())
}
