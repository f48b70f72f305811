//! Ingest: bytes -> raw rows with their location. Finds the inputs, recognises what each
//! file is (CSV, a workbook, or something else), its encoding, its header and layout, and
//! streams its rows. Nothing here types a value: that is `normalize`'s job.

pub mod csv;
mod discovery;
pub mod encoding;
pub mod guard;
pub mod layout;
pub mod line_ends;
mod opening;
pub mod record;
pub mod skip;
mod xls_extent;
pub mod xlsx;

use std::io::Read;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use self::csv::{CsvRecords, Dialect};
use self::encoding::Encoding;
use self::layout::Mapping;
use self::record::RawRecord;
use self::skip::Skipped;
use crate::error::{InputError, io_message};
use crate::model::Measure;
use crate::model::code::fold;

pub use self::discovery::{discover, discover_named};
pub use self::opening::{CsvReader, MAX_WORKBOOK_BYTES, open};

/// What the preamble above a BEx header says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preamble {
    /// The text after « Exercice comptable », as written.
    pub exercice: Option<String>,
    /// What the amount column holds, and the words that said it.
    pub measure: Option<(Measure, String)>,
    /// The text after « Dernière MàJ des données » (same row or the next), as written:
    /// the extraction date.
    pub updated: Option<String>,
}

/// Reads the rows above the header for the exercice and the amount's meaning.
pub fn read_preamble(rows: &[RawRecord]) -> Preamble {
    let mut preamble = Preamble::default();
    // « Dernière MàJ des données : » seen, its value not yet.
    let mut updated_pending = false;
    for row in rows {
        let cells = row.display_fields();
        for (i, cell) in cells.iter().enumerate() {
            let folded = fold(cell);
            if updated_pending && !cell.trim().is_empty() {
                preamble.updated = Some(cell.trim().to_string());
                updated_pending = false;
            } else if folded.starts_with("DERNIERE MAJ DES DONNEES") {
                updated_pending = true;
            } else if folded == "EXERCICE COMPTABLE" {
                preamble.exercice = cells[i + 1..]
                    .iter()
                    .find(|c| !c.trim().is_empty())
                    .map(|c| c.trim().to_string());
            } else if folded.starts_with("MONTANT PAYE") || folded.starts_with("PAIEMENT") {
                preamble.measure = Some((Measure::Cp, cell.trim().to_string()));
            } else if folded.starts_with("MONTANT ENGAGE") || folded.starts_with("ENGAGEMENT") {
                preamble.measure = Some((Measure::Ae, cell.trim().to_string()));
            }
        }
    }
    preamble
}

/// The physical format of an input, as recognised from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Csv {
        dialect: Dialect,
        encoding: Encoding,
    },
    /// A worksheet of a workbook (`kind`: xlsx, xls or ods).
    Workbook { sheet: String, kind: &'static str },
}

/// What is known of an input once its header is found. A workbook gives one input per
/// worksheet that holds an extract.
#[derive(Debug, Clone)]
pub struct InputInfo {
    /// Position in the run's sorted list of inputs (set by the pipeline).
    pub index: u32,
    pub path: PathBuf,
    /// The path as shown to users.
    pub display: String,
    pub size: u64,
    pub format: Format,
    pub mapping: Mapping,
    pub measure: Measure,
    /// How the measure was decided (for `Provenance`).
    pub measure_note: String,
    pub preamble: Preamble,
    /// The rows above the first data row: preamble and header.
    pub skipped: Skipped,
    /// How the file was read, for a careful reader (French).
    pub notes: Vec<String>,
}

impl InputInfo {
    /// The worksheet, for workbooks.
    pub fn sheet(&self) -> Option<&str> {
        match &self.format {
            Format::Workbook { sheet, .. } => Some(sheet),
            Format::Csv { .. } => None,
        }
    }

    /// « utf-8 », « windows-1252 »… or the workbook's container for workbooks.
    pub fn encoding_label(&self) -> &'static str {
        match &self.format {
            Format::Csv { encoding, .. } => encoding.label(),
            Format::Workbook { kind, .. } => kind,
        }
    }

    /// The separator shown between the fields of a rejected row's raw text.
    pub fn separator(&self) -> char {
        match &self.format {
            Format::Csv { dialect, .. } => dialect.separator as char,
            Format::Workbook { .. } => ';',
        }
    }

    /// « point-virgule (;) » for CSV, « feuille « X » » for workbooks.
    pub fn shape_label(&self) -> String {
        match &self.format {
            Format::Csv { dialect, .. } => {
                format!(
                    "séparateur {} ({})",
                    dialect.separator_label(),
                    dialect.separator as char
                )
            }
            Format::Workbook { sheet, kind } => format!("classeur {kind}, feuille « {sheet} »"),
        }
    }

    /// The path, with the worksheet for workbooks: what a message should name.
    pub fn label(&self) -> String {
        match self.sheet() {
            Some(sheet) => format!("{} (feuille « {sheet} »)", self.display),
            None => self.display.clone(),
        }
    }
}

/// The rows of an input, streamed; and the SHA-256 of the file.
pub enum RowStream {
    Csv(Box<CsvRecords<CsvReader>>),
    Sheet {
        sheet: xlsx::Sheet,
        next: usize,
        sha256: String,
    },
}

/// Rows to be made ready apart from the others, on any core: whole CSV records as bytes,
/// or worksheet rows already read.
#[derive(Debug)]
pub enum Piece {
    Csv(csv::Block),
    Rows(Vec<RawRecord>),
}

impl Piece {
    /// At least its number of rows.
    pub fn lines(&self) -> u64 {
        match self {
            Piece::Csv(block) => block.lines(),
            Piece::Rows(rows) => rows.len() as u64,
        }
    }

    /// Its rows, in order, and its memory once spent (to read the next piece into).
    pub fn records(self, info: &InputInfo) -> Result<(Vec<RawRecord>, Vec<u8>), InputError> {
        match (self, &info.format) {
            (Piece::Csv(block), Format::Csv { dialect, encoding }) => {
                let records = block.records(*dialect, *encoding, &info.display)?;
                Ok((records, block.into_buffer()))
            }
            (Piece::Csv(_), Format::Workbook { .. }) => {
                unreachable!("CSV bytes come only from CSV inputs")
            }
            (Piece::Rows(rows), _) => Ok((rows, Vec::new())),
        }
    }
}

/// CSV bytes per piece: a few thousand rows.
const PIECE_BYTES: usize = 512 * 1024;
/// Worksheet rows per piece.
const PIECE_ROWS: usize = 4096;

impl RowStream {
    /// The next piece of the input, `None` at its end. Pieces are cut from the input's
    /// content alone: the same file gives the same pieces on every run.
    /// `spare` is a spent piece's memory, to be reused.
    pub fn next_piece(&mut self, spare: Vec<u8>) -> Option<Result<Piece, InputError>> {
        match self {
            RowStream::Csv(records) => records
                .next_block(PIECE_BYTES, spare)
                .map(|b| b.map(Piece::Csv))
                .transpose(),
            RowStream::Sheet { sheet, next, .. } => {
                let end = (*next + PIECE_ROWS).min(sheet.height());
                let rows: Vec<RawRecord> = (*next..end).map(|i| sheet.record(i)).collect();
                *next = end;
                (!rows.is_empty()).then_some(Ok(Piece::Rows(rows)))
            }
        }
    }

    pub fn next_row(&mut self) -> Option<Result<RawRecord, InputError>> {
        match self {
            RowStream::Csv(records) => records.next(),
            RowStream::Sheet { sheet, next, .. } => (*next < sheet.height()).then(|| {
                *next += 1;
                Ok(sheet.record(*next - 1))
            }),
        }
    }

    /// The rows of the input as its container counts them, when it does (a worksheet's
    /// used rows), for the conservation check; `None` for CSV (rows are what is read).
    pub fn raw_rows(&self) -> Option<u64> {
        match self {
            RowStream::Csv(_) => None,
            RowStream::Sheet { sheet, .. } => Some(sheet.height() as u64),
        }
    }

    /// Reads whatever is left and returns the file's SHA-256 (hex).
    pub fn finish(self) -> Result<String, InputError> {
        match self {
            RowStream::Csv(records) => {
                let mut reader = records.into_inner();
                std::io::copy(&mut reader, &mut std::io::sink())
                    .map_err(|e| InputError::new("", io_message(&e)))?;
                Ok(reader.into_inner().into_inner().digest())
            }
            RowStream::Sheet { sha256, .. } => Ok(sha256),
        }
    }
}

/// A reader that hashes what passes through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R> HashingReader<R> {
    fn digest(self) -> String {
        crate::model::digest::hex(&self.hasher.finalize())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// An input whose header is found: its description, the data rows already read while
/// looking for the header, and the stream of the rest.
pub struct OpenedInput {
    pub info: InputInfo,
    pub head: Vec<RawRecord>,
    pub rest: RowStream,
}

/// Fuzzing by property: any file content goes through `open` and the whole stream
/// without a panic; it is read or refused.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &[u8] =
        "\"N° EJ\";\"N° poste EJ\";\"Domaine fonctionnel - Clé\";\"Montant engagé (EUR)\"\r\n"
            .as_bytes();

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::fuzz_cases(100), ..ProptestConfig::default() })]

        #[test]
        fn any_file_is_read_or_refused(body in prop::collection::vec(any::<u8>(), 0..600), with_header in any::<bool>()) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.csv");
            let mut bytes = if with_header { HEADER.to_vec() } else { Vec::new() };
            bytes.extend(&body);
            std::fs::write(&path, &bytes).unwrap();
            if let Ok(inputs) = open(&path) {
                for mut input in inputs {
                    while let Some(row) = input.rest.next_row() {
                        if row.is_err() {
                            break;
                        }
                    }
                }
            }
        }
    }
}
