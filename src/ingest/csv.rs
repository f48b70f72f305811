//! CSV rows as Chorus writes them. The `csv` crate reads RFC 4180; AIFE national files are
//! not RFC 4180 (every field quoted, inner quotes *not* doubled: `"AGENCE; NATIONALE "DES
//! TITRES""` is one field), so rows are tokenised here, on bytes, in two dialects:
//!
//! - **standard**: RFC 4180, leniently (a stray quote inside a quoted field is kept);
//!   quoted fields may span lines;
//! - **quote-all** (every header field quoted): a quote closes a field only when followed
//!   by the separator and then a quote, another separator or the end of the line, or by
//!   the end of the line itself; a row never spans lines.

use std::io::BufRead;

use memchr::memchr;

mod fields;

use self::fields::{Split, resume_fields, split_fields};
use super::encoding::Encoding;
use super::record::RawRecord;
use crate::error::InputError;

/// The longest row accepted: Chorus rows are a few hundred bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub separator: u8,
    pub quote_all: bool,
}

impl Dialect {
    pub fn separator_label(self) -> &'static str {
        match self.separator {
            b';' => "point-virgule",
            b',' => "virgule",
            b'|' => "barre verticale",
            b'\t' => "tabulation",
            _ => "autre",
        }
    }
}

const CANDIDATES: [u8; 4] = [b';', b',', b'|', b'\t'];

/// Picks the separator that splits the widest line of the sample (the header or the data
/// rows, not the single-cell preamble), counting only separators outside quotes.
pub fn sniff_dialect(sample: &[u8]) -> Dialect {
    let lines: Vec<&[u8]> = sample.split(|b| *b == b'\n').take(30).collect();
    let mut best = (0usize, b';');
    for sep in CANDIDATES {
        let widest = lines
            .iter()
            .map(|l| count_unquoted(l, sep))
            .max()
            .unwrap_or(0);
        if widest > best.0 {
            best = (widest, sep);
        }
    }
    let separator = best.1;
    // The widest line is the header or a data row: if each of its fields is quoted, the
    // file is in the quote-all dialect.
    let quote_all = lines
        .iter()
        .max_by_key(|l| count_unquoted(l, separator))
        .map(|l| is_fully_quoted(trim_eol(l), separator))
        .unwrap_or(false);
    Dialect {
        separator,
        quote_all,
    }
}

fn count_unquoted(line: &[u8], sep: u8) -> usize {
    let mut inside = false;
    let mut count = 0;
    for &b in line {
        if b == b'"' {
            inside = !inside;
        } else if b == sep && !inside {
            count += 1;
        }
    }
    count
}

fn is_fully_quoted(line: &[u8], sep: u8) -> bool {
    if line.len() < 2 || line[0] != b'"' || line[line.len() - 1] != b'"' {
        return false;
    }
    let pattern = [b'"', sep, b'"'];
    let separators = line.iter().filter(|b| **b == sep).count();
    let quoted = line.windows(3).filter(|w| *w == pattern).count();
    quoted > 0 && quoted * 2 >= separators
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Streams the rows of a CSV input, one [`RawRecord`] at a time.
pub struct CsvRecords<R> {
    reader: R,
    dialect: Dialect,
    encoding: Encoding,
    file: String,
    /// Physical lines consumed so far.
    line: u64,
    buf: Vec<u8>,
    scratch: Vec<u8>,
    ends: Vec<u32>,
    /// Bytes read past the last block's cut (block reading only).
    pending: Vec<u8>,
    /// The first line of the record being read: what a record too long is named by.
    record_line: u64,
    /// The most lines a block holds when a record ends there ([`MAX_BLOCK_LINES`]).
    block_lines: usize,
}

/// The most lines in a block (when a record ends there): 512 Kio of blank lines would
/// otherwise be half a million rows in flight per block.
pub const MAX_BLOCK_LINES: usize = 16_384;

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R, dialect: Dialect, encoding: Encoding, file: &str) -> Self {
        CsvRecords {
            reader,
            dialect,
            encoding,
            file: file.to_string(),
            line: 0,
            buf: Vec::with_capacity(1024),
            scratch: Vec::with_capacity(1024),
            ends: Vec::with_capacity(64),
            pending: Vec::new(),
            record_line: 1,
            block_lines: MAX_BLOCK_LINES,
        }
    }

    /// Blocks of at most `lines` lines (tests of the cut).
    #[cfg(test)]
    fn with_block_lines(mut self, lines: usize) -> Self {
        self.block_lines = lines.max(1);
        self
    }

    /// Gives back the underlying reader (to drain and hash what is left).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// Appends the next physical line (with its terminator) to `buf`, within the size
    /// bound. Returns false at end of input.
    fn read_line(&mut self) -> Result<bool, InputError> {
        let before = self.buf.len();
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(InputError::new(&self.file, crate::error::io_message(&e))
                        .at_row(self.line + 1));
                }
            };
            if available.is_empty() {
                break;
            }
            let (take, done) = match memchr(b'\n', available) {
                Some(p) => (p + 1, true),
                None => (available.len(), false),
            };
            if self.buf.len() + take > MAX_RECORD_BYTES {
                return Err(too_long(&self.file, self.record_line));
            }
            self.buf.extend_from_slice(&available[..take]);
            self.reader.consume(take);
            if done {
                break;
            }
        }
        if self.buf.len() > before {
            self.line += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn next_record(&mut self) -> Result<Option<RawRecord>, InputError> {
        self.buf.clear();
        self.record_line = self.line + 1;
        if !self.read_line()? {
            return Ok(None);
        }
        let first_line = self.line;
        let mut resume = None;
        loop {
            let text = trim_eol(&self.buf);
            let split = match resume {
                None => split_fields(text, self.dialect, &mut self.scratch, &mut self.ends),
                Some(at) => {
                    resume_fields(text, self.dialect, &mut self.scratch, &mut self.ends, at)
                }
            };
            match split {
                Split::Complete => break,
                Split::OpenQuote { resume: at } => {
                    resume = Some(at);
                    if !self.read_line()? {
                        return Err(InputError::new(
                            &self.file,
                            "guillemet ouvert jamais refermé avant la fin du fichier",
                        )
                        .at_row(first_line));
                    }
                }
            }
        }
        let record = decode_record(
            self.scratch.clone(),
            self.ends.clone(),
            self.encoding,
            &self.file,
            first_line,
        )?;
        Ok(Some(record))
    }

    /// The next block of whole records, cut at the last record boundary at or before
    /// `target` bytes (further when a record is longer): the sequential part of reading a
    /// CSV, a scan for line ends. The records are tokenised from blocks apart, in
    /// parallel ([`Block::records`]). Cuts depend only on the file's bytes and `target`,
    /// never on how reads return, so a run is the same every time. Once blocks are
    /// read, rows are no longer read one by one.
    ///
    /// `buffer` is a spent block's, to be filled again: memory is reused rather than
    /// asked of the system for every block.
    pub fn next_block(
        &mut self,
        target: usize,
        mut buffer: Vec<u8>,
    ) -> Result<Option<Block>, InputError> {
        let target = target.max(1);
        buffer.clear();
        buffer.extend_from_slice(&self.pending);
        self.pending.clear();
        let mut bytes = buffer;
        let mut want = target;
        loop {
            let eof = self.fill(&mut bytes, want)?;
            if bytes.is_empty() {
                return Ok(None);
            }
            match self.block_cut(&bytes, want, eof) {
                Some(cut) if cut > 0 => return Ok(Some(self.cut_block(bytes, cut))),
                _ if bytes.len() > MAX_RECORD_BYTES => {
                    return Err(too_long(&self.file, self.line + 1));
                }
                // No whole record yet: read further.
                _ => want = bytes.len() + target,
            }
        }
    }

    /// Where the block read into `bytes` ends: the last record boundary within `want`
    /// bytes (all of them at the end of the input), or sooner, after its first
    /// `block_lines` lines when a record ends there (many short lines, blank ones say:
    /// the rows in flight stay few whatever the bytes per row). `None` or 0 when no
    /// record ends there yet.
    fn block_cut(&mut self, bytes: &[u8], want: usize, eof: bool) -> Option<usize> {
        let limit = if eof {
            bytes.len()
        } else {
            want.min(bytes.len())
        };
        let window = memchr::memchr_iter(b'\n', &bytes[..limit])
            .nth(self.block_lines - 1)
            .map_or(limit, |p| p + 1);
        if window < limit
            && let Some(cut) = self.last_boundary(&bytes[..window])
        {
            return Some(cut);
        }
        if eof {
            Some(bytes.len())
        } else {
            self.last_boundary(&bytes[..limit])
        }
    }

    /// The block of `bytes[..cut]`, its lines counted; the bytes past the cut are kept for
    /// the next block.
    fn cut_block(&mut self, mut bytes: Vec<u8>, cut: usize) -> Block {
        self.pending.extend_from_slice(&bytes[cut..]);
        bytes.truncate(cut);
        let first_line = self.line + 1;
        let lines =
            memchr::memchr_iter(b'\n', &bytes).count() as u64 + u64::from(!bytes.ends_with(b"\n"));
        self.line += lines;
        Block {
            bytes,
            first_line,
            lines,
        }
    }

    /// Reads into `bytes` until it holds `want` bytes or the input ends (true). Large
    /// reads go straight from the file into `bytes`.
    fn fill(&mut self, bytes: &mut Vec<u8>, want: usize) -> Result<bool, InputError> {
        use std::io::Read;
        while bytes.len() < want {
            let asked = (want - bytes.len()) as u64;
            match (&mut self.reader).take(asked).read_to_end(bytes) {
                Ok(0) => return Ok(true),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(InputError::new(&self.file, crate::error::io_message(&e))
                        .at_row(self.line + 1));
                }
            }
        }
        Ok(false)
    }

    /// The end of the last whole record in `bytes` (0: none). A quote-all row never spans
    /// lines; in the standard dialect a line with a quote may open a field that goes on.
    fn last_boundary(&mut self, bytes: &[u8]) -> Option<usize> {
        if self.dialect.quote_all {
            return memchr::memrchr(b'\n', bytes).map(|p| p + 1);
        }
        let (mut start, mut pos, mut last) = (0, 0, None);
        let mut resume = None;
        while let Some(p) = memchr(b'\n', &bytes[pos..]) {
            let end = pos + p + 1;
            let simple = start == pos && memchr(b'"', &bytes[pos..end]).is_none();
            pos = end;
            let split = if simple {
                Split::Complete
            } else {
                let text = trim_eol(&bytes[start..end]);
                match resume {
                    None => split_fields(text, self.dialect, &mut self.scratch, &mut self.ends),
                    Some(at) => {
                        resume_fields(text, self.dialect, &mut self.scratch, &mut self.ends, at)
                    }
                }
            };
            match split {
                Split::Complete => {
                    start = end;
                    last = Some(end);
                    resume = None;
                }
                Split::OpenQuote { resume: at } => resume = Some(at),
            }
        }
        last
    }
}

fn too_long(file: &str, row: u64) -> InputError {
    InputError::new(
        file,
        format!(
            "ligne de plus de {} Mio : ce n'est pas un extrait Chorus (ou le fichier est corrompu)",
            MAX_RECORD_BYTES >> 20
        ),
    )
    .at_row(row)
}

/// A row's fields, tokenised into `scratch` (ends in `ends`), decoded into a record: a
/// UTF-8 row keeps its bytes and ends as they are.
fn decode_record(
    scratch: Vec<u8>,
    ends: Vec<u32>,
    encoding: Encoding,
    file: &str,
    row: u64,
) -> Result<RawRecord, InputError> {
    let bad_bytes = |column: usize, at: usize| InputError {
        file: file.to_string(),
        sheet: None,
        row: Some(row),
        column: Some(format!("n° {}", column + 1)),
        message: format!(
            "octets invalides pour l'encodage {} (octet {} du champ) : enregistrez le fichier en UTF-8",
            encoding.label(),
            at + 1
        ),
        not_an_extract: false,
    };
    if encoding != Encoding::Windows1252 {
        // UTF-8: the row is checked at once; the field at fault is named if it fails.
        return match String::from_utf8(scratch) {
            Ok(text) => Ok(RawRecord::from_parts(row, text, ends)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let column = ends.iter().position(|&end| end as usize > at).unwrap_or(0);
                let start = if column == 0 {
                    0
                } else {
                    ends[column - 1] as usize
                };
                Err(bad_bytes(column, at - start))
            }
        };
    }
    let mut record = RawRecord::new(row);
    let mut start = 0;
    for (column, &end) in ends.iter().enumerate() {
        let text = encoding
            .decode(&scratch[start..end as usize])
            .map_err(|at| bad_bytes(column, at))?;
        record.push_text(&text);
        start = end as usize;
    }
    Ok(record)
}

/// Whole records cut from a CSV input, and the physical line the first one starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    bytes: Vec<u8>,
    first_line: u64,
    lines: u64,
}

impl Block {
    /// Physical lines in the block: at least its number of rows.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Its bytes, spent: to be given to [`CsvRecords::next_block`] again.
    pub fn into_buffer(self) -> Vec<u8> {
        self.bytes
    }

    /// Its rows, tokenised and decoded as [`CsvRecords`] reads them one by one.
    pub fn records(
        &self,
        dialect: Dialect,
        encoding: Encoding,
        file: &str,
    ) -> Result<Vec<RawRecord>, InputError> {
        let mut records = Vec::with_capacity(self.bytes.len() / 128);
        // Each row's fields go straight into the memory its record keeps.
        let mut fields = 32;
        let mut scratch = Vec::new();
        let mut ends = Vec::new();
        let (mut line, mut start, mut pos) = (self.first_line, 0, 0);
        let bytes = &self.bytes;
        // Physical lines in the record being read.
        let mut spanned = 0;
        let mut resume = None;
        while pos < bytes.len() {
            let end = memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |p| pos + p + 1);
            pos = end;
            spanned += 1;
            let text = trim_eol(&bytes[start..end]);
            if end - start > MAX_RECORD_BYTES {
                return Err(too_long(file, line));
            }
            if spanned == 1 {
                scratch = Vec::with_capacity(text.len());
                ends = Vec::with_capacity(fields);
            }
            let split = match resume {
                None => split_fields(text, dialect, &mut scratch, &mut ends),
                Some(at) => resume_fields(text, dialect, &mut scratch, &mut ends, at),
            };
            match split {
                Split::Complete => {
                    resume = None;
                    fields = ends.len();
                    let (row_text, row_ends) =
                        (std::mem::take(&mut scratch), std::mem::take(&mut ends));
                    records.push(decode_record(row_text, row_ends, encoding, file, line)?);
                    line += spanned;
                    spanned = 0;
                    start = end;
                }
                Split::OpenQuote { .. } if end == bytes.len() => {
                    return Err(InputError::new(
                        file,
                        "guillemet ouvert jamais refermé avant la fin du fichier",
                    )
                    .at_row(line));
                }
                Split::OpenQuote { resume: at } => resume = Some(at),
            }
        }
        Ok(records)
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = Result<RawRecord, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

#[cfg(test)]
mod tests;

/// Fuzzing by property: any bytes, either dialect, never a panic.
#[cfg(test)]
mod fuzz;
