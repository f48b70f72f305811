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

/// How tokenising one physical line (or a run of lines) ended.
#[derive(Debug, PartialEq, Eq)]
enum Split {
    Complete,
    /// A quoted field is still open at the end of the text (standard dialect only): its
    /// bytes so far are in `scratch`, and tokenising resumes at `resume` once the next
    /// line is appended (the text is never tokenised again from its start: a long quoted
    /// field spanning lines is read in linear time).
    OpenQuote {
        resume: usize,
    },
}

/// Splits `line` (without its final line terminator) into fields. Field bytes go into
/// `scratch`, the end offset of each field into `ends`.
fn split_fields(line: &[u8], d: Dialect, scratch: &mut Vec<u8>, ends: &mut Vec<u32>) -> Split {
    scratch.clear();
    ends.clear();
    split_from(line, d, scratch, ends, 0, false)
}

/// Goes on tokenising `line` inside the quoted field left open at `at` by
/// [`Split::OpenQuote`], `scratch` and `ends` as they were left.
fn resume_fields(
    line: &[u8],
    d: Dialect,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
    at: usize,
) -> Split {
    split_from(line, d, scratch, ends, at, true)
}

fn split_from(
    line: &[u8],
    d: Dialect,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
    mut i: usize,
    mut in_quote: bool,
) -> Split {
    loop {
        if in_quote || (i < line.len() && line[i] == b'"') {
            if !in_quote {
                i += 1;
            }
            in_quote = false;
            let Some(after) = quoted_field(line, d, scratch, i) else {
                if !d.quote_all {
                    return Split::OpenQuote { resume: line.len() };
                }
                ends.push(scratch.len() as u32);
                return Split::Complete;
            };
            i = after;
            ends.push(scratch.len() as u32);
            // After a closing quote: the separator, or the end of the line.
            if i >= line.len() {
                return Split::Complete;
            }
            i += 1; // the separator
            if i == line.len() {
                ends.push(scratch.len() as u32);
                return Split::Complete;
            }
        } else {
            match plain_field(line, d.separator, scratch, ends, i) {
                Some(next) => i = next,
                None => return Split::Complete,
            }
        }
    }
}

/// Reads an unquoted field from `i` up to the separator: the offset of the next field, or
/// `None` when the row is complete (this was its last field, or the separator ended the
/// line and the empty last field is pushed too).
#[inline]
fn plain_field(
    line: &[u8],
    sep: u8,
    scratch: &mut Vec<u8>,
    ends: &mut Vec<u32>,
    i: usize,
) -> Option<usize> {
    let rest = &line[i..];
    let Some(p) = memchr(sep, rest) else {
        scratch.extend_from_slice(rest);
        ends.push(scratch.len() as u32);
        return None;
    };
    scratch.extend_from_slice(&rest[..p]);
    ends.push(scratch.len() as u32);
    let next = i + p + 1;
    if next == line.len() {
        ends.push(scratch.len() as u32);
        return None;
    }
    Some(next)
}

/// Reads a quoted field's bytes into `scratch` from `i` (just past its opening quote, or
/// where a field left open resumes) up to its closing quote: the offset just past that
/// quote, or `None` when the line ends inside the field (its bytes all copied).
#[inline]
fn quoted_field(line: &[u8], d: Dialect, scratch: &mut Vec<u8>, mut i: usize) -> Option<usize> {
    let start_len = scratch.len();
    loop {
        let Some(q) = memchr(b'"', &line[i..]).map(|p| p + i) else {
            scratch.extend_from_slice(&line[i..]);
            return None;
        };
        scratch.extend_from_slice(&line[i..q]);
        if d.quote_all {
            if quote_all_closes(line, q, d.separator) {
                collapse_doubled_quotes(scratch, start_len);
                return Some(q + 1);
            }
            scratch.push(b'"');
            i = q + 1;
        } else {
            match line.get(q + 1).copied() {
                None => return Some(q + 1),
                Some(b) if b == d.separator => return Some(q + 1),
                Some(b'"') => {
                    scratch.push(b'"');
                    i = q + 2;
                }
                Some(_) => {
                    scratch.push(b'"');
                    i = q + 1;
                }
            }
        }
    }
}

/// In the quote-all dialect, whether the quote at `q` closes its field: it does when
/// followed by the end of the line, or by the separator and then a quote, another
/// separator or the end of the line.
#[inline]
fn quote_all_closes(line: &[u8], q: usize, sep: u8) -> bool {
    match line.get(q + 1) {
        None => true,
        Some(&b) if b == sep => {
            matches!(line.get(q + 2), None | Some(b'"')) || line.get(q + 2) == Some(&sep)
        }
        _ => false,
    }
}

/// In the quote-all dialect, a doubled quote inside a field is an RFC escape.
fn collapse_doubled_quotes(scratch: &mut Vec<u8>, from: usize) {
    let mut w = from;
    let mut r = from;
    while r < scratch.len() {
        scratch[w] = scratch[r];
        if scratch[r] == b'"' && scratch.get(r + 1) == Some(&b'"') {
            r += 1;
        }
        r += 1;
        w += 1;
    }
    scratch.truncate(w);
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
mod tests {
    use super::*;

    fn split(line: &str, d: Dialect) -> Vec<String> {
        let mut scratch = Vec::new();
        let mut ends = Vec::new();
        assert_eq!(
            split_fields(line.as_bytes(), d, &mut scratch, &mut ends),
            Split::Complete
        );
        let mut start = 0;
        ends.iter()
            .map(|&e| {
                let e = e as usize;
                let s = String::from_utf8(scratch[start..e].to_vec()).unwrap();
                start = e;
                s
            })
            .collect()
    }

    const STD_COMMA: Dialect = Dialect {
        separator: b',',
        quote_all: false,
    };
    const QUOTE_ALL: Dialect = Dialect {
        separator: b';',
        quote_all: true,
    };

    #[test]
    fn standard_dialect_cases() {
        let cases: [(&str, &[&str]); 7] = [
            ("a,b,c", &["a", "b", "c"]),
            ("a,,c,", &["a", "", "c", ""]),
            (
                r#"354,"Réglementation générale,",ADCSDAT075"#,
                &["354", "Réglementation générale,", "ADCSDAT075"],
            ),
            (r#"N53,"22500,12""#, &["N53", "22500,12"]),
            (r#""say ""hi""",x"#, &[r#"say "hi""#, "x"]),
            ("", &[""]),
            (r#"a,"b"#, &["a", "b"]), // never reached: open quote handled by the reader
        ];
        for (line, expected) in cases.iter().take(6) {
            assert_eq!(split(line, STD_COMMA), *expected, "{line}");
        }
        let mut s = Vec::new();
        let mut e = Vec::new();
        assert_eq!(
            split_fields(cases[6].0.as_bytes(), STD_COMMA, &mut s, &mut e),
            Split::OpenQuote { resume: 4 }
        );
    }

    #[test]
    fn quote_all_dialect_keeps_unescaped_inner_quotes() {
        let line =
            r#""0354";"XXX ";P BBB"";"13000326200024";"AGENCE; NATIONALE "DES TITRES"";"";"ADCE""#;
        assert_eq!(
            split(line, QUOTE_ALL),
            [
                "0354",
                r#"XXX ";P BBB""#,
                "13000326200024",
                r#"AGENCE; NATIONALE "DES TITRES""#,
                "",
                "ADCE"
            ]
        );
        // Padded BEx preamble: unquoted empty fields between quoted ones.
        assert_eq!(
            split(r#";;"";"Montant payé""#, QUOTE_ALL),
            ["", "", "", "Montant payé"]
        );
        // RFC-escaped quotes in an all-quoted file.
        assert_eq!(
            split(r#""ACME ""X"" SA";"1""#, QUOTE_ALL),
            [r#"ACME "X" SA"#, "1"]
        );
    }

    #[test]
    fn sniffs_separator_and_quoting() {
        let bex =
            "INF-BUD-53 : Pilotage,,,\nProgramme,Domaine fonctionnel,EUR\n103,0103-01,\"1,5\"\n";
        assert_eq!(sniff_dialect(bex.as_bytes()), STD_COMMA);
        let aife = "\"Centre financier - Programme (Clé)\";\"N° EJ\";\"Montant engagé (EUR)\"\r\n\"0354\";\"1\";\"2,5\"\r\n";
        assert_eq!(sniff_dialect(aife.as_bytes()), QUOTE_ALL);
        let daily = "eid_cible|bbp_po_id|fm_amount1\n1|2|3.5\n";
        assert_eq!(sniff_dialect(daily.as_bytes()).separator, b'|');
    }

    #[test]
    fn reader_counts_physical_lines_and_joins_quoted_newlines() {
        let data = "h1,h2\r\n\"multi\nline\",2\r\nlast,3";
        let rows: Vec<RawRecord> =
            CsvRecords::new(data.as_bytes(), STD_COMMA, Encoding::Utf8, "t.csv")
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].row, 2);
        assert_eq!(rows[1].display_fields(), ["multi\nline", "2"]);
        assert_eq!(rows[2].row, 4);
    }

    #[test]
    fn reader_refuses_huge_lines_and_bad_utf8() {
        let huge = "a".repeat(MAX_RECORD_BYTES + 10);
        let err = CsvRecords::new(huge.as_bytes(), STD_COMMA, Encoding::Utf8, "big.csv")
            .next()
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("ligne de plus de 1 Mio"), "{err}");
        let bad: &[u8] = b"ok,fine\nbad,\xFF\n";
        let mut rows = CsvRecords::new(bad, STD_COMMA, Encoding::Utf8, "bad.csv");
        assert!(rows.next().unwrap().is_ok());
        let err = rows.next().unwrap().unwrap_err();
        assert_eq!((err.row, err.column.as_deref()), (Some(2), Some("n° 2")));
    }
}

/// Fuzzing by property: any bytes, either dialect, never a panic.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn dialect() -> impl Strategy<Value = Dialect> {
        (
            prop::sample::select(vec![b';', b',', b'|', b'\t']),
            any::<bool>(),
        )
            .prop_map(|(separator, quote_all)| Dialect {
                separator,
                quote_all,
            })
    }

    /// Bytes rich in what the tokeniser cares about: quotes, separators, line ends.
    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                Just(b'"'),
                Just(b';'),
                Just(b','),
                Just(b'\n'),
                Just(b'\r'),
                any::<u8>(),
                b'a'..=b'z'
            ],
            0..400,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::fuzz_cases(500), ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_tokenise_without_panic(bytes in csvish(), d in dialect()) {
            for encoding in [Encoding::Utf8, Encoding::Windows1252] {
                let mut rows = 0u64;
                let mut last_row = 0;
                for record in CsvRecords::new(bytes.as_slice(), d, encoding, "fuzz.csv") {
                    let Ok(record) = record else { break };
                    prop_assert!(record.row > last_row, "row numbers increase");
                    last_row = record.row;
                    rows += 1;
                }
                let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
                prop_assert!(rows <= lines);
            }
        }

        #[test]
        fn blocks_give_the_rows_read_one_by_one(
            bytes in csvish(),
            d in dialect(),
            target in 1usize..96,
            head in 0usize..4,
            block_lines in 1usize..6,
        ) {
            for encoding in [Encoding::Utf8, Encoding::Windows1252] {
                let one_by_one: Vec<Result<RawRecord, Option<u64>>> =
                    CsvRecords::new(bytes.as_slice(), d, encoding, "f.csv")
                        .map(|r| r.map_err(|e| e.row))
                        .collect();
                // A few rows one by one (the header search), then blocks.
                let mut reader = CsvRecords::new(bytes.as_slice(), d, encoding, "f.csv")
                    .with_block_lines(block_lines);
                let mut by_blocks: Vec<Result<RawRecord, Option<u64>>> = Vec::new();
                for _ in 0..head {
                    match reader.next() {
                        Some(r) => by_blocks.push(r.map_err(|e| e.row)),
                        None => break,
                    }
                }
                if !by_blocks.iter().any(Result::is_err) {
                    let mut buffer = Vec::new();
                    loop {
                        match reader.next_block(target, std::mem::take(&mut buffer)) {
                            Ok(Some(block)) => {
                                let lines = block.lines();
                                match block.records(d, encoding, "f.csv") {
                                    Ok(rows) => {
                                        prop_assert!(rows.len() as u64 <= lines);
                                        by_blocks.extend(rows.into_iter().map(Ok));
                                    }
                                    Err(e) => {
                                        by_blocks.push(Err(e.row));
                                        break;
                                    }
                                }
                                buffer = block.into_buffer();
                            }
                            Ok(None) => break,
                            Err(e) => {
                                by_blocks.push(Err(e.row));
                                break;
                            }
                        }
                    }
                }
                // The same rows; or, when reading fails (which stops the run), the same
                // first error, the rows before it in its block being dropped.
                let error = |rows: &[Result<RawRecord, Option<u64>>]| rows.iter().find_map(|r| r.clone().err());
                prop_assert_eq!(error(&by_blocks), error(&one_by_one));
                let ok = |rows: &[Result<RawRecord, Option<u64>>]| -> Vec<RawRecord> {
                    rows.iter().map_while(|r| r.clone().ok()).collect()
                };
                let (blocks_ok, single_ok) = (ok(&by_blocks), ok(&one_by_one));
                if error(&one_by_one).is_none() {
                    prop_assert_eq!(blocks_ok, single_ok);
                } else {
                    prop_assert!(single_ok.starts_with(&blocks_ok));
                }
            }
        }

        #[test]
        fn plain_fields_round_trip(fields in prop::collection::vec("[a-zA-Z0-9 éà€-]{0,12}", 1..20), d in dialect()) {
            let sep = d.separator as char;
            let quoted = d.quote_all;
            let line: String = fields
                .iter()
                .map(|f| if quoted { format!("\"{f}\"") } else { f.clone() })
                .collect::<Vec<_>>()
                .join(&sep.to_string());
            let mut scratch = Vec::new();
            let mut ends = Vec::new();
            prop_assert_eq!(split_fields(line.as_bytes(), d, &mut scratch, &mut ends), Split::Complete);
            let mut start = 0;
            let got: Vec<String> = ends.iter().map(|&e| {
                let e = e as usize;
                let s = String::from_utf8(scratch[start..e].to_vec()).unwrap();
                start = e;
                s
            }).collect();
            prop_assert_eq!(got, fields);
        }

        #[test]
        fn sniffing_any_sample_never_panics(bytes in csvish()) {
            let d = sniff_dialect(&bytes);
            prop_assert!(CANDIDATES.contains(&d.separator));
        }
    }
}
