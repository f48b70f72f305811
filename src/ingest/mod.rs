//! Ingest: bytes -> raw rows with their location. Finds the inputs, recognises what each
//! file is (CSV, a workbook, or something else), its encoding, its header and layout, and
//! streams its rows. Nothing here types a value: that is `normalize`'s job.

pub mod csv;
pub mod encoding;
pub mod layout;
pub mod record;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use self::csv::{CsvRecords, Dialect};
use self::encoding::{Encoding, Sniffed};
use self::layout::{Detection, HEADER_SEARCH_ROWS, Mapping};
use self::record::RawRecord;
use crate::error::{Error, InputError, io_message};
use crate::model::Measure;
use crate::normalize::code::fold;

/// File extensions read when a folder is given.
const EXTENSIONS: [&str; 6] = ["csv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// Expands files and folders (recursively) into the sorted, de-duplicated list of inputs.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| InputError::new(input.display().to_string(), io_message(&e)))?;
        if meta.is_dir() {
            let before = files.len();
            walk(input, &mut files)?;
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
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
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
        if path.is_dir() {
            walk(&path, files)?;
        } else if path
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
}

/// Reads the rows above the header for the exercice and the amount's meaning.
pub fn read_preamble(rows: &[RawRecord]) -> Preamble {
    let mut preamble = Preamble::default();
    for row in rows {
        let cells = row.display_fields();
        for (i, cell) in cells.iter().enumerate() {
            let folded = fold(cell);
            if folded == "EXERCICE COMPTABLE" {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv(Dialect),
}

/// What is known of an input once its header is found.
#[derive(Debug, Clone)]
pub struct InputInfo {
    pub index: u32,
    pub path: PathBuf,
    /// The path as shown to users.
    pub display: String,
    pub size: u64,
    pub format: Format,
    pub encoding: Encoding,
    pub mapping: Mapping,
    pub measure: Measure,
    /// How the measure was decided (for `Provenance`).
    pub measure_note: String,
    pub preamble: Preamble,
}

/// The rows of an input, streamed, with the SHA-256 of every byte read.
pub struct RowStream {
    records: CsvRecords<BufReader<HashingReader<File>>>,
}

impl RowStream {
    pub fn next_row(&mut self) -> Option<Result<RawRecord, InputError>> {
        self.records.next()
    }

    /// Reads whatever is left and returns the file's SHA-256 (hex).
    pub fn finish(self) -> Result<String, InputError> {
        let mut reader = self.records.into_inner();
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| InputError::new("", io_message(&e)))?;
        Ok(reader.into_inner().digest())
    }
}

/// A reader that hashes what passes through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R> HashingReader<R> {
    fn digest(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
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

/// Opens an input, recognises its format, encoding and layout, and positions the stream
/// on the first data row. Every failure here stops the run (exit 2), before any output.
pub fn open(path: &Path, index: u32) -> Result<OpenedInput, InputError> {
    let display = path.display().to_string();
    let err = |message: String| InputError::new(&display, message);
    let file = File::open(path).map_err(|e| err(io_message(&e)))?;
    let size = file.metadata().map_err(|e| err(io_message(&e)))?.len();
    if size == 0 {
        return Err(err("fichier vide".into()));
    }
    let hashing = HashingReader {
        inner: file,
        hasher: Sha256::new(),
    };
    let mut reader = BufReader::with_capacity(1 << 16, hashing);
    let sample = {
        use std::io::BufRead;
        reader.fill_buf().map_err(|e| err(io_message(&e)))?.to_vec()
    };
    refuse_binary(&sample, path).map_err(err)?;
    let encoding = match encoding::sniff(&sample) {
        Sniffed::Text(e) => e,
        // A damaged UTF-8 file: read it as UTF-8 so that the row and column at fault are named.
        Sniffed::BrokenUtf8 => Encoding::Utf8,
        Sniffed::Utf16 => {
            return Err(err(
                "fichier en UTF-16 (« texte Unicode » d'Excel) : enregistrez-le en CSV UTF-8"
                    .into(),
            ));
        }
    };
    if encoding == Encoding::Utf8Bom {
        use std::io::BufRead;
        reader.consume(encoding::UTF8_BOM.len());
    }
    let dialect = csv::sniff_dialect(&sample);
    let mut records = CsvRecords::new(reader, dialect, encoding, &display);
    let mut head = Vec::with_capacity(HEADER_SEARCH_ROWS);
    while head.len() < HEADER_SEARCH_ROWS {
        match records.next() {
            Some(row) => head.push(row?),
            None => break,
        }
    }
    if head.iter().all(RawRecord::is_blank) {
        return Err(err("aucune ligne lisible : fichier vide".into()));
    }
    let preamble_measure = |index: usize| read_preamble(&head[..index]).measure.map(|(m, _)| m);
    let (mapping, header_index) = match layout::detect(&head, preamble_measure) {
        Detection::Extract { mapping, index } => (*mapping, index),
        Detection::Nomenclature(layout) => {
            return Err(err(format!(
                "ce fichier est une nomenclature, pas un extrait de dépenses : {}. Il n'y a rien à rapprocher.",
                layout.title
            )));
        }
        Detection::Unknown { closest } => return Err(unknown_layout(&display, closest, dialect)),
    };
    let preamble = read_preamble(&head[..header_index]);
    let (measure, measure_note) = decide_measure(&mapping, &preamble);
    let head = head.split_off(header_index + 1);
    let info = InputInfo {
        index,
        path: path.to_path_buf(),
        display,
        size,
        format: Format::Csv(dialect),
        encoding,
        mapping,
        measure,
        measure_note,
        preamble,
    };
    Ok(OpenedInput {
        info,
        head,
        rest: RowStream { records },
    })
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

fn unknown_layout(
    file: &str,
    closest: Option<(&'static layout::Layout, Vec<&'static str>, u64)>,
    dialect: Dialect,
) -> InputError {
    let message = match closest {
        Some((layout, missing, row)) => format!(
            "mise en page Chorus non reconnue (séparateur : {}). La plus proche est « {} » ({}), en-tête supposé ligne {row}, à laquelle il manque : {}",
            dialect.separator_label(),
            layout.name,
            layout.title,
            missing
                .iter()
                .map(|m| format!("« {m} »"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "mise en page Chorus non reconnue (séparateur : {}) : aucune des {} premières lignes ne ressemble à un en-tête d'extrait ; `chorus-recon layouts` liste les mises en page connues",
            dialect.separator_label(),
            HEADER_SEARCH_ROWS
        ),
    };
    InputError::new(file, message)
}

/// Refuses files whose first bytes say they are not text.
fn refuse_binary(sample: &[u8], path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let what = if sample.starts_with(b"%PDF") {
        Some("un document PDF")
    } else if sample.starts_with(b"PK\x03\x04") {
        Some(
            "un classeur XLSX/ODS ou une archive ZIP (la lecture des classeurs arrive avec une prochaine version)",
        )
    } else if sample.starts_with(b"\xD0\xCF\x11\xE0") {
        Some("un classeur Excel 97 (.xls) ou un document Office chiffré")
    } else if sample.iter().take(8192).any(|b| *b == 0) {
        Some("un fichier binaire")
    } else {
        None
    };
    match what {
        Some(what) => Err(format!(
            "ce fichier{} est {what}, pas un extrait CSV",
            if ext.is_empty() {
                String::new()
            } else {
                format!(" « .{ext} »")
            }
        )),
        None => Ok(()),
    }
}
