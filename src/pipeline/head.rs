//! What both passes (a single run's and the portfolio's) do around an input's rows: before,
//! its head read (notes, exercice, extraction date, the first rows and a header gap);
//! after, the rest read to its end and every row counted.

use chrono::NaiveDate;

use super::dates::{extraction_date, preamble_exercice};
use super::{check_rows, date_note, first_rows, gap_note};
use crate::error::InputError;
use crate::ingest::record::RawRecord;
use crate::ingest::skip::Skipped;
use crate::ingest::{InputInfo, OpenedInput, RowStream};
use crate::model::Gap;
use crate::normalize::{self, FileContext};
use crate::report::input::DateSource;

/// An opened input, its head read: what judging its rows needs.
pub(super) struct Head {
    pub info: InputInfo,
    /// The input's notes so far: the opening's, the exercice's, the date's, the gap's.
    pub notes: Vec<String>,
    /// The exercice read from the preamble, when readable.
    pub exercice: Option<i32>,
    pub extracted: Option<(NaiveDate, DateSource)>,
    /// The rows after `chunk`.
    pub rest: RowStream,
    /// The first data rows (up to 64), read to find columns missing from the header.
    pub chunk: Vec<RawRecord>,
    pub gap: Option<Gap>,
}

impl Head {
    /// Reads the head of `opened`: its exercice and extraction date (each with its note),
    /// its first rows and the columns missing from its header (with a note when some are).
    pub fn read(opened: OpenedInput) -> Result<Head, InputError> {
        let info = opened.info;
        let mut notes = info.notes.clone();
        let exercice = preamble_exercice(&info, &mut notes);
        let extracted = extraction_date(&info);
        notes.push(date_note(extracted));
        let mut rest = opened.rest;
        let chunk = first_rows(opened.head, &mut rest)?;
        let gap = normalize::align::infer_gap(&info.mapping, &chunk);
        notes.extend(gap.map(|g| gap_note(&info.mapping.header, g)));
        Ok(Head {
            info,
            notes,
            exercice,
            extracted,
            rest,
            chunk,
            gap,
        })
    }
}

/// What normalising the rows of `info` needs to know of it.
pub(super) fn context(
    info: &InputInfo,
    exercice: Option<i32>,
    gap: Option<Gap>,
) -> FileContext<'_> {
    FileContext {
        input: info.index,
        mapping: &info.mapping,
        measure: info.measure,
        exercice,
        separator: info.separator(),
        gap,
    }
}

/// After the rows: reads `rest` to its end for the input's SHA-256 and checks that every
/// row is counted (`rows_streamed` read, `skipped` or among the `data_rows`).
pub(super) fn finish(
    rest: RowStream,
    info: &InputInfo,
    rows_streamed: u64,
    skipped: &Skipped,
    data_rows: u64,
) -> Result<String, InputError> {
    let rest_rows = rest.raw_rows();
    let sha256 = rest.finish().map_err(|e| InputError {
        file: info.display.clone(),
        ..e
    })?;
    let raw_rows = info.skipped.total() + rows_streamed;
    check_rows(raw_rows, rest_rows, skipped, data_rows)
        .map_err(|m| InputError::new(&info.display, m))?;
    Ok(sha256)
}
