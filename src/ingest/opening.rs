//! Opening one input file: a regular file, not empty, not binary; a workbook read whole
//! (its sheets each an input) or a CSV read as a stream once its encoding is decided; in
//! each, the header found among the first rows and its layout recognised, or the file
//! refused with the reason.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::csv::CsvRecords;
use super::encoding::{self, Encoding, Sniffed};
use super::layout::{self, Detection, HEADER_SEARCH_ROWS, Mapping};
use super::line_ends::LineEnds;
use super::record::RawRecord;
use super::skip::{self, Skip, Skipped};
use super::{
    Format, HashingReader, InputInfo, OpenedInput, Preamble, RowStream, csv, read_preamble, xlsx,
};
use crate::error::{InputError, io_message};
use crate::model::Measure;

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
