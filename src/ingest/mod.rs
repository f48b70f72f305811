//! Ingest: bytes -> raw rows with their location. Finds the inputs, recognises what each
//! file is (CSV, a workbook, or something else), its encoding, its header and layout, and
//! streams its rows. Nothing here types a value: that is `normalize`'s job.

pub mod csv;
pub mod encoding;
pub mod guard;
pub mod layout;
pub mod line_ends;
pub mod record;
pub mod skip;
mod xls_extent;
pub mod xlsx;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use self::csv::{CsvRecords, Dialect};
use self::encoding::{Encoding, Sniffed};
use self::layout::{Detection, HEADER_SEARCH_ROWS, Mapping};
use self::line_ends::LineEnds;
use self::record::RawRecord;
use self::skip::{Skip, Skipped};
use crate::error::{Error, InputError, io_message};
use crate::model::Measure;
use crate::model::code::fold;

/// File extensions read when a folder is given.
const EXTENSIONS: [&str; 6] = ["csv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// Expands files and folders (recursively) into the sorted, de-duplicated list of inputs.
/// In folders, only regular files are taken (a pipe named `x.csv` would hang the run),
/// and links are followed without ever entering a folder twice (no link loop).
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    Ok(discover_named(inputs)?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// [`discover`], each file with whether it was named on the command line (rather than
/// found in a folder): a named file that is no extract stops the run, a found one is
/// skipped and reported.
pub fn discover_named(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, Error> {
    let mut named = Vec::new();
    let mut files = Vec::new();
    let mut visited = std::collections::HashSet::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| InputError::new(input.display().to_string(), io_message(&e)))?;
        if meta.is_dir() {
            let before = files.len();
            visited.insert(identity(&meta));
            walk(input, &mut files, &mut visited)?;
            if files.len() == before {
                return Err(InputError::new(
                    input.display().to_string(),
                    format!(
                        "aucun extrait dans ce dossier (extensions lues : {})",
                        EXTENSIONS.join(", ")
                    ),
                )
                .into());
            }
        } else {
            named.push(input.clone());
        }
    }
    let mut all: Vec<(PathBuf, bool)> = files
        .into_iter()
        .map(|p| (p, false))
        .chain(named.into_iter().map(|p| (p, true)))
        .collect();
    // Named first among equal paths: a file both named and found counts as named.
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    all.dedup_by(|b, a| a.0 == b.0);
    Ok(all)
}

/// A folder's identity on disk: (device, inode) on Unix.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    visited: &mut std::collections::HashSet<(u64, u64)>,
) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError::new(dir.display().to_string(), io_message(&e)))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| InputError::new(dir.display().to_string(), io_message(&e)))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        // Hidden files and office lock files (`~$x.xlsx`, `.~lock.x#`) are not extracts.
        if name.starts_with('.') || name.starts_with('~') {
            continue;
        }
        // Through links: a dangling link is no extract.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            // A folder already walked (a link to `.` or to a parent): not again.
            if visited.insert(identity(&meta)) {
                walk(&path, files, visited)?;
            }
        } else if meta.is_file()
            && path
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
        {
            files.push(path);
        }
    }
    Ok(())
}

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

/// The largest workbook read: its cells are held in memory.
pub const MAX_WORKBOOK_BYTES: u64 = 200 << 20;

/// Opens a file, recognises its format, encoding and layout, and positions each of its
/// extracts on its first data row: one for a CSV, one per matching worksheet for a
/// workbook. Every failure here stops the run (exit 2), before any output.
pub fn open(path: &Path) -> Result<Vec<OpenedInput>, InputError> {
    use std::io::{Seek, SeekFrom};
    let display = path.display().to_string();
    let err = |message: String| InputError::new(&display, message);
    let (mut file, size) = open_regular_file(path, &display)?;
    let mut sample = Vec::with_capacity(1 << 16);
    (&mut file)
        .take(1 << 16)
        .read_to_end(&mut sample)
        .map_err(|e| err(io_message(&e)))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| err(io_message(&e)))?;
    let base = Base {
        path,
        display: &display,
        size,
    };
    if xlsx::container(&sample).is_some() {
        let (bytes, sha256) = read_workbook(&base, file)?;
        return open_workbook(&base, bytes, sha256);
    }
    refuse_binary(&sample, path).map_err(|m| err(m).not_an_extract())?;
    // The encoding is decided on the whole file, then the file is read again from its start.
    let sniffed = encoding::decide(&mut file).map_err(|e| err(io_message(&e)))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| err(io_message(&e)))?;
    let hashing = HashingReader {
        inner: file,
        hasher: Sha256::new(),
    };
    let mut reader = BufReader::with_capacity(1 << 16, LineEnds::new(hashing));
    let sample = {
        use std::io::BufRead;
        reader.fill_buf().map_err(|e| err(io_message(&e)))?.to_vec()
    };
    open_csv(&base, reader, &sample, sniffed).map(|input| vec![input])
}

/// Opens `path` if it is a regular, non-empty file: the file and its size. A device, a
/// pipe or a socket is no extract, and opening or reading one may never end: it is looked
/// at before it is opened.
fn open_regular_file(path: &Path, display: &str) -> Result<(File, u64), InputError> {
    let err = |message: String| InputError::new(display, message);
    let meta = std::fs::metadata(path).map_err(|e| err(io_message(&e)))?;
    if !meta.is_file() {
        return Err(err(
            "ce n'est pas un fichier ordinaire (périphérique, tube ou socket) : donnez le chemin d'un extrait".into(),
        ));
    }
    let file = File::open(path).map_err(|e| err(io_message(&e)))?;
    let size = file.metadata().map_err(|e| err(io_message(&e)))?.len();
    if size == 0 {
        return Err(err("fichier vide".into()).not_an_extract());
    }
    Ok((file, size))
}

/// Reads a whole workbook into memory (up to [`MAX_WORKBOOK_BYTES`], refused beyond):
/// its bytes and their SHA-256.
fn read_workbook(base: &Base, file: File) -> Result<(Vec<u8>, String), InputError> {
    if base.size > MAX_WORKBOOK_BYTES {
        return Err(base.err(format!(
            "classeur de {} Mio refusé : au-delà de {} Mio, exportez l'extrait en CSV",
            base.size >> 20,
            MAX_WORKBOOK_BYTES >> 20
        )));
    }
    let mut hashing = HashingReader {
        inner: file,
        hasher: Sha256::new(),
    };
    let mut bytes = Vec::with_capacity(base.size as usize);
    (&mut hashing)
        .take(MAX_WORKBOOK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| base.err(io_message(&e)))?;
    Ok((bytes, hashing.digest()))
}

/// What every input of a file shares.
struct Base<'a> {
    path: &'a Path,
    display: &'a str,
    size: u64,
}

impl Base<'_> {
    fn err(&self, message: String) -> InputError {
        InputError::new(self.display, message)
    }

    fn info(&self, format: Format, found: Found) -> InputInfo {
        let (measure, measure_note) = decide_measure(&found.mapping, &found.preamble);
        InputInfo {
            index: 0,
            path: self.path.to_path_buf(),
            display: self.display.to_string(),
            size: self.size,
            format,
            mapping: found.mapping,
            measure,
            measure_note,
            preamble: found.preamble,
            skipped: found.skipped,
            notes: Vec::new(),
        }
    }
}

/// The reader under a CSV input's rows: the file, hashed, its line ends made LF.
pub type CsvReader = BufReader<LineEnds<HashingReader<File>>>;

fn open_csv(
    base: &Base,
    mut reader: CsvReader,
    sample: &[u8],
    sniffed: Sniffed,
) -> Result<OpenedInput, InputError> {
    let encoding = match sniffed {
        Sniffed::Text(e) => e,
        // A damaged UTF-8 file: read it as UTF-8 so that the row and column at fault are named.
        Sniffed::BrokenUtf8 => Encoding::Utf8,
        Sniffed::Utf16 => {
            return Err(base.err(
                "fichier en UTF-16 (« texte Unicode » d'Excel) : enregistrez-le en CSV UTF-8"
                    .into(),
            ));
        }
    };
    if encoding == Encoding::Utf8Bom {
        use std::io::BufRead;
        reader.consume(encoding::UTF8_BOM.len());
    }
    let dialect = csv::sniff_dialect(sample);
    let mut records = CsvRecords::new(reader, dialect, encoding, base.display);
    let mut head = Vec::with_capacity(HEADER_SEARCH_ROWS);
    while head.len() < HEADER_SEARCH_ROWS {
        match records.next() {
            Some(row) => head.push(row?),
            None => break,
        }
    }
    if head.iter().all(RawRecord::is_blank) {
        return Err(base
            .err("aucune ligne lisible : fichier vide".into())
            .not_an_extract());
    }
    let found = match find_header(&head) {
        Ok(found) => found,
        Err(refusal) => {
            let what = format!("séparateur : {}", dialect.separator_label());
            let error = base.err(refusal.message(&what));
            return Err(match refusal {
                Refusal::SecondHeader(..) => error,
                _ => error.not_an_extract(),
            });
        }
    };
    let head = head.split_off(found.index + 1);
    let info = base.info(Format::Csv { dialect, encoding }, found);
    Ok(OpenedInput {
        info,
        head,
        rest: RowStream::Csv(Box::new(records)),
    })
}

const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

fn open_workbook(
    base: &Base,
    bytes: Vec<u8>,
    sha256: String,
) -> Result<Vec<OpenedInput>, InputError> {
    let kind = workbook_kind(&bytes);
    let sheets = xlsx::read_sheets(bytes).map_err(|m| base.err(m))?;
    let mut opened = Vec::new();
    let mut refusals = Vec::new();
    let mut ignored = Vec::new();
    for sheet in sheets {
        let head: Vec<RawRecord> = (0..sheet.height().min(HEADER_SEARCH_ROWS))
            .map(|i| sheet.record(i))
            .collect();
        match find_header(&head) {
            Ok(found) => {
                let next = found.index + 1;
                let format = Format::Workbook {
                    sheet: sheet.name.clone(),
                    kind,
                };
                let info = base.info(format, found);
                opened.push(OpenedInput {
                    info,
                    head: Vec::new(),
                    rest: RowStream::Sheet {
                        sheet,
                        next,
                        sha256: sha256.clone(),
                    },
                });
            }
            Err(refusal @ Refusal::SecondHeader(..)) => {
                return Err(base.err(refusal.message(&format!("feuille « {} »", sheet.name))));
            }
            Err(refusal) => {
                ignored.push(format!("« {} »", sheet.name));
                refusals.push((sheet.name, refusal));
            }
        }
    }
    if opened.is_empty() {
        return Err(workbook_refusal(base, refusals));
    }
    note_sheets(&mut opened, &ignored);
    Ok(opened)
}

/// The workbook's kind as the reports name it: `xls` (a compound file), `ods` (an
/// OpenDocument archive starts with its stored `mimetype` entry) or `xlsx`.
fn workbook_kind(bytes: &[u8]) -> &'static str {
    match xlsx::container(bytes) {
        Some(xlsx::Container::Compound) => "xls",
        _ if bytes[..bytes.len().min(256)]
            .windows(ODS_MIME.len())
            .any(|w| w == ODS_MIME) =>
        {
            "ods"
        }
        _ => "xlsx",
    }
}

/// Notes on each input of a workbook which sheets were read, and which were ignored (no
/// extract found in them).
fn note_sheets(opened: &mut [OpenedInput], ignored: &[String]) {
    let sheets_read: Vec<String> = opened
        .iter()
        .filter_map(|o| o.info.sheet().map(|s| format!("« {s} »")))
        .collect();
    for input in opened {
        input
            .info
            .notes
            .push(format!("feuille(s) lue(s) : {}", sheets_read.join(", ")));
        if !ignored.is_empty() {
            input.info.notes.push(format!(
                "feuille(s) sans extrait, ignorée(s) : {}",
                ignored.join(", ")
            ));
        }
    }
}

/// No sheet holds an extract: say why, preferring a nomenclature, then the closest layout.
fn workbook_refusal(base: &Base, refusals: Vec<(String, Refusal)>) -> InputError {
    if let Some((sheet, r)) = refusals
        .iter()
        .find(|(_, r)| matches!(r, Refusal::Nomenclature(_)))
    {
        return base
            .err(r.message(&format!("feuille « {sheet} »")))
            .not_an_extract();
    }
    let best = refusals
        .iter()
        .filter_map(|(sheet, r)| match r {
            Refusal::Unknown(Some(c)) => Some((sheet, r, c.1.len())),
            _ => None,
        })
        .min_by_key(|(_, _, missing)| *missing);
    match best {
        Some((sheet, r, _)) => base
            .err(r.message(&format!("feuille « {sheet} »")))
            .not_an_extract(),
        None => {
            let names: Vec<String> = refusals.iter().map(|(s, _)| format!("« {s} »")).collect();
            base.err(format!(
                "aucune feuille ne contient d'extrait Chorus reconnu (feuilles : {}) ; `chorus-recon layouts` liste les mises en page connues",
                names.join(", ")
            ))
            .not_an_extract()
        }
    }
}

/// A header found among the first rows.
struct Found {
    mapping: Mapping,
    index: usize,
    preamble: Preamble,
    /// The preamble rows and the header row.
    skipped: Skipped,
}

/// Why no header was found.
enum Refusal {
    Nomenclature(&'static layout::Layout),
    /// A second header of another layout, or other columns, below the first: two
    /// extracts pasted one under the other. (layout, row) of each.
    SecondHeader((String, u64), (String, u64)),
    Unknown(Option<(&'static layout::Layout, Vec<&'static str>, u64)>),
}

impl Refusal {
    /// The French message; `what` says where (« séparateur : virgule », « feuille « X » »).
    fn message(&self, what: &str) -> String {
        match self {
            Refusal::Nomenclature(layout) => format!(
                "ce fichier ({what}) est une nomenclature, pas un extrait de dépenses : {}. Il n'y a rien à rapprocher.",
                layout.title
            ),
            Refusal::Unknown(Some((layout, missing, row))) => format!(
                "mise en page Chorus non reconnue ({what}). La plus proche est « {} » ({}), en-tête supposé ligne {row}, à laquelle il manque : {}",
                layout.name,
                layout.title,
                missing
                    .iter()
                    .map(|m| format!("« {m} »"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Refusal::SecondHeader((first, row), (second, other)) => format!(
                "deux en-têtes différents ({what}) : ligne {row} (« {first} ») et ligne {other} (« {second} ») ; deux extraits collés l'un sous l'autre ? Enregistrez-les dans deux fichiers"
            ),
            Refusal::Unknown(None) => format!(
                "mise en page Chorus non reconnue ({what}) : aucune des {HEADER_SEARCH_ROWS} premières lignes ne ressemble à un en-tête d'extrait ; `chorus-recon layouts` liste les mises en page connues"
            ),
        }
    }
}

fn find_header(head: &[RawRecord]) -> Result<Found, Refusal> {
    let preamble_measure = |index: usize| read_preamble(&head[..index]).measure.map(|(m, _)| m);
    match layout::detect(head, preamble_measure) {
        Detection::Extract { mapping, index } => {
            second_header(head, &mapping, index)?;
            let mut skipped = Skipped::default();
            for row in &head[..index] {
                skipped.add(Skip::Preamble, row.row);
            }
            skipped.add(Skip::Header, head[index].row);
            Ok(Found {
                mapping: *mapping,
                index,
                preamble: read_preamble(&head[..index]),
                skipped,
            })
        }
        Detection::Nomenclature(layout) => Err(Refusal::Nomenclature(layout)),
        Detection::Unknown { closest } => Err(Refusal::Unknown(closest)),
    }
}

/// Below the header, among the first rows: the same header again starts a second table
/// (its rows are read, the header row skipped); a header of another layout, or of other
/// columns, is refused with both rows named.
fn second_header(head: &[RawRecord], mapping: &Mapping, index: usize) -> Result<(), Refusal> {
    for row in &head[index + 1..] {
        if row.len() < 2 || skip::classify(row, mapping) == Some(Skip::Header) {
            continue;
        }
        if let Detection::Extract { mapping: other, .. } =
            layout::detect(std::slice::from_ref(row), |_| None)
        {
            let name = |m: &Mapping| {
                if m.layout.name == mapping.layout.name {
                    format!("{}, autres colonnes", m.layout.name)
                } else {
                    m.layout.name.clone()
                }
            };
            return Err(Refusal::SecondHeader(
                (mapping.layout.name.clone(), mapping.header_row),
                (name(&other), other.header_row),
            ));
        }
    }
    Ok(())
}

fn decide_measure(mapping: &Mapping, preamble: &Preamble) -> (Measure, String) {
    let meta = &mapping.layout.meta;
    let default = meta.measure.unwrap_or(Measure::Ae);
    match (&preamble.measure, meta.measure_from_preamble) {
        (Some((m, words)), true) => (
            *m,
            format!("{} d'après le préambule (« {words} »)", m.label()),
        ),
        _ => (
            default,
            format!(
                "{} d'après la mise en page « {} »",
                default.label(),
                mapping.layout.name
            ),
        ),
    }
}

/// Refuses files whose first bytes say they are not text.
fn refuse_binary(sample: &[u8], path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let what = if sample.starts_with(b"%PDF") {
        Some("un document PDF")
    } else if sample.iter().take(8192).any(|b| *b == 0) {
        Some("un fichier binaire")
    } else {
        None
    };
    match what {
        Some(what) => Err(format!(
            "ce fichier{} est {what}, pas un extrait Chorus (CSV ou classeur)",
            if ext.is_empty() {
                String::new()
            } else {
                format!(" « .{ext} »")
            }
        )),
        None => Ok(()),
    }
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
