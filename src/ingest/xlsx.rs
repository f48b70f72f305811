//! Workbooks (XLSX, XLSM, XLS, ODS) read with calamine. Before calamine sees a file, the
//! archive is checked: a password-protected workbook is named as such, and every ZIP entry
//! is inflated into nothing with a bound, so a zip bomb is refused before it costs memory.
//! Cells keep their type: amounts stay binary floats until `normalize` rounds them to the
//! cent, dates are converted in the workbook's own date system (1900 or 1904).

use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader};
use chrono::NaiveDate;

use super::record::RawRecord;

/// The most a workbook may inflate to, all entries together.
pub const MAX_INFLATED_BYTES: u64 = 2 << 30;

/// What kind of container the first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// XLSX, XLSM, ODS: a ZIP archive.
    Zip,
    /// XLS (BIFF), or an encrypted Office file: an OLE compound file.
    Compound,
}

pub fn container(sample: &[u8]) -> Option<Container> {
    if sample.starts_with(b"PK\x03\x04") {
        Some(Container::Zip)
    } else if sample.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some(Container::Compound)
    } else {
        None
    }
}

/// One worksheet: its name and its cells.
#[derive(Debug)]
pub struct Sheet {
    pub name: String,
    pub range: Range<Data>,
}

impl Sheet {
    /// The number of rows of the used range.
    pub fn height(&self) -> usize {
        self.range.height()
    }

    /// Row `i` of the used range, numbered as Excel shows it.
    pub fn record(&self, i: usize) -> RawRecord {
        let (first_row, _) = self.range.start().unwrap_or((0, 0));
        let mut record = RawRecord::new(u64::from(first_row) + i as u64 + 1);
        // By position: iterating the rows up to `i` made reading a sheet quadratic.
        if i < self.range.height() {
            for column in 0..self.range.width() {
                push_cell(
                    &mut record,
                    self.range.get((i, column)).unwrap_or(&Data::Empty),
                );
            }
        }
        record
    }
}

fn push_cell(record: &mut RawRecord, cell: &Data) {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => record.push_text(s),
        Data::Float(f) => record.push_number(*f),
        Data::Int(i) => record.push_number(*i as f64),
        Data::Bool(b) => record.push_text(if *b { "VRAI" } else { "FAUX" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                Some(date) => record.push_date(date),
                None => record.push_number(dt.as_f64()),
            }
        }
        Data::DateTime(dt) => record.push_number(dt.as_f64()),
        Data::Error(e) => record.push_error(&e.to_string()),
        Data::Empty => record.push_text(""),
    }
}

/// Reads every worksheet of a workbook held in memory. Errors are French messages.
pub fn read_sheets(bytes: Vec<u8>) -> Result<Vec<Sheet>, String> {
    match container(&bytes) {
        Some(Container::Zip) => check_zip(&bytes)?,
        Some(Container::Compound) if is_encrypted(&bytes) => {
            return Err(
                "classeur protégé par un mot de passe : enregistrez-en une copie sans mot de passe"
                    .into(),
            );
        }
        _ => {}
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("classeur illisible, tronqué ou abîmé ({e})"))?;
    let names = book.sheet_names().to_vec();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("feuille « {name} » illisible ({e})"))?;
        sheets.push(Sheet { name, range });
    }
    Ok(sheets)
}

/// Office encryption wraps the workbook in a compound file with an `EncryptedPackage`
/// stream (its directory names are UTF-16LE).
fn is_encrypted(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Inflates each entry into a sink, within [`MAX_INFLATED_BYTES`] in all: a truncated
/// archive, a corrupt entry or a bomb is refused here, whatever sizes the archive declares.
fn check_zip(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "classeur illisible : archive ZIP tronquée ou abîmée".to_string())?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.to_string()))
        .collect();
    if !names
        .iter()
        .any(|n| n == "xl/workbook.xml" || n == "xl/workbook.bin" || n == "content.xml")
    {
        return Err("archive ZIP qui n'est pas un classeur (ni XLSX ni ODS) : rien à lire".into());
    }
    let bomb = || {
        format!(
            "classeur refusé : décompressé, il dépasserait {} Gio (archive piégée ?)",
            MAX_INFLATED_BYTES >> 30
        )
    };
    // What the archive declares first (instant), then what it really inflates to (an
    // archive may lie about its sizes).
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let size = archive.by_index_raw(i).map(|e| e.size()).unwrap_or(0);
        declared = declared.saturating_add(size);
    }
    if declared > MAX_INFLATED_BYTES {
        return Err(bomb());
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("classeur illisible : entrée n° {} abîmée ({e})", i + 1))?;
        let budget = MAX_INFLATED_BYTES - total;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let inflated = std::io::copy(&mut (&mut entry).take(budget + 1), &mut std::io::sink())
            .map_err(|e| format!("classeur illisible : « {name} » abîmé ({e})"))?;
        total += inflated;
        if total > MAX_INFLATED_BYTES {
            return Err(bomb());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn workbook() -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Données").unwrap();
        sheet.write_string(2, 1, "N° EJ").unwrap();
        sheet.write_number(3, 1, 2103105755.0).unwrap();
        sheet.write_number(3, 2, 89931.9).unwrap();
        let date = ExcelDateTime::from_ymd(2021, 7, 31).unwrap();
        sheet
            .write_datetime_with_format(3, 3, &date, &Format::new().set_num_format("dd/mm/yyyy"))
            .unwrap();
        sheet.write_formula(3, 4, "=1/0").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_keep_their_type_and_excel_row_number() {
        let sheets = read_sheets(workbook()).unwrap();
        assert_eq!(sheets[0].name, "Données");
        let header = sheets[0].record(0);
        assert_eq!(header.row, 3);
        assert_eq!(header.display_fields(), ["N° EJ", "", "", ""]);
        let row = sheets[0].record(1);
        assert_eq!(row.row, 4);
        use crate::ingest::record::Field;
        assert_eq!(row.get(0), Some(Field::Number(2103105755.0)));
        assert_eq!(
            row.get(2),
            Some(Field::Date(NaiveDate::from_ymd_opt(2021, 7, 31).unwrap()))
        );
    }

    #[test]
    fn truncated_encrypted_and_bombed_archives_are_refused() {
        let mut bytes = workbook();
        bytes.truncate(bytes.len() / 2);
        assert!(
            read_sheets(bytes)
                .unwrap_err()
                .contains("tronquée ou abîmée")
        );
        let mut encrypted = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        encrypted.extend(vec![0; 100]);
        encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(read_sheets(encrypted).unwrap_err().contains("mot de passe"));
    }
}
