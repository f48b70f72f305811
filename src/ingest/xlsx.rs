//! Workbooks (XLSX, XLSM, XLS, ODS) read with calamine. Before calamine sees a file, the
//! archive is checked: a password-protected workbook is named as such, and every ZIP entry
//! is inflated into nothing with a bound, so a zip bomb is refused before it costs memory.
//! Cells keep their type: amounts stay binary floats until `normalize` rounds them to the
//! cent, dates are converted in the workbook's own date system (1900 or 1904).

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
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

/// The most filled cells read from one workbook, all sheets together: each costs about
/// 40 bytes held, plus its text.
pub const MAX_CELLS: u64 = 5_000_000;
/// The most cells a worksheet's rows may span (used rows × used columns): rows are
/// handed on as wide as the sheet, so a lone cell at `XFD1048576` is refused here rather
/// than read as sixteen billion empty cells.
pub const MAX_GRID: u64 = 64_000_000;

/// The most cells of the grid calamine allocates for an XLS or ODS sheet (it has no cell
/// reader for them): an XLS sheet's largest, 65,536 rows × 256 columns, about 512 Mio.
pub const MAX_DENSE_GRID: u64 = 65_536 * 256;

/// One worksheet: its name and its filled cells, row by row (no dense grid: a sheet
/// whose cells lie far apart costs what its cells cost).
#[derive(Debug)]
pub struct Sheet {
    pub name: String,
    /// 0-based Excel row of the used range's first row.
    first_row: u32,
    /// Columns of the used range.
    width: u32,
    /// The used range's rows; each holds its filled cells, by column.
    rows: Vec<Vec<(u32, Data)>>,
    /// XLS and ODS sheets: the grid calamine built (bounded before it ran), kept as it
    /// is rather than copied.
    dense: Option<calamine::Range<Data>>,
}

impl Sheet {
    /// Gathers a sheet from its filled cells (any order), within [`MAX_GRID`].
    fn from_cells(name: String, mut cells: Vec<(u32, u32, Data)>) -> Result<Sheet, String> {
        cells.retain(|(_, _, d)| !matches!(d, Data::Empty));
        let Some(first_row) = cells.iter().map(|c| c.0).min() else {
            return Ok(Sheet {
                name,
                first_row: 0,
                width: 0,
                rows: Vec::new(),
                dense: None,
            });
        };
        let last_row = cells.iter().map(|c| c.0).max().unwrap_or(first_row);
        let first_col = cells.iter().map(|c| c.1).min().unwrap_or(0);
        let last_col = cells.iter().map(|c| c.1).max().unwrap_or(first_col);
        let height = u64::from(last_row - first_row) + 1;
        let width = last_col - first_col + 1;
        if height * u64::from(width) > MAX_GRID {
            return Err(grid_refusal(&name, height, u64::from(width)));
        }
        cells.sort_by_key(|c| (c.0, c.1));
        let mut rows: Vec<Vec<(u32, Data)>> = (0..height).map(|_| Vec::new()).collect();
        for (r, c, d) in cells {
            rows[(r - first_row) as usize].push((c - first_col, d));
        }
        Ok(Sheet {
            name,
            first_row,
            width,
            rows,
            dense: None,
        })
    }

    /// A sheet from the grid calamine built.
    fn from_range(name: String, range: calamine::Range<Data>) -> Sheet {
        Sheet {
            name,
            first_row: range.start().map_or(0, |(r, _)| r),
            width: range.width() as u32,
            rows: Vec::new(),
            dense: Some(range),
        }
    }

    /// The number of rows of the used range.
    pub fn height(&self) -> usize {
        match &self.dense {
            Some(range) => range.height(),
            None => self.rows.len(),
        }
    }

    /// Row `i` of the used range, numbered as Excel shows it, as wide as the used range.
    pub fn record(&self, i: usize) -> RawRecord {
        let mut record = RawRecord::new(u64::from(self.first_row) + i as u64 + 1);
        if let Some(range) = &self.dense {
            // By position: iterating the rows up to `i` made reading a sheet quadratic.
            if i < range.height() {
                for column in 0..range.width() {
                    push_cell(&mut record, range.get((i, column)).unwrap_or(&Data::Empty));
                }
            }
            return record;
        }
        let Some(cells) = self.rows.get(i) else {
            return record;
        };
        let mut next = 0;
        for (column, cell) in cells {
            while next < *column {
                push_cell(&mut record, &Data::Empty);
                next += 1;
            }
            push_cell(&mut record, cell);
            next = column + 1;
        }
        while next < self.width {
            push_cell(&mut record, &Data::Empty);
            next += 1;
        }
        record
    }
}

fn grid_refusal(sheet: &str, rows: u64, columns: u64) -> String {
    format!(
        "feuille « {sheet} » refusée : ses cellules s'étendent sur {rows} lignes × {columns} colonnes, au-delà de {MAX_GRID} cellules (une cellule isolée très loin, comme XFD1048576 ?) ; supprimez les lignes et colonnes vides en trop ou exportez l'extrait en CSV"
    )
}

fn cells_refusal(count: u64) -> String {
    format!(
        "classeur refusé : plus de {MAX_CELLS} cellules remplies ({count} lues) ; exportez l'extrait en CSV"
    )
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
/// The parser runs isolated: a panic inside it (a damaged file) becomes a refusal.
pub fn read_sheets(bytes: Vec<u8>) -> Result<Vec<Sheet>, String> {
    match container(&bytes) {
        Some(Container::Zip) => {
            check_zip(&bytes)?;
            super::guard::check_ods(&bytes)?;
        }
        Some(Container::Compound) if is_encrypted(&bytes) => {
            return Err(
                "classeur protégé par un mot de passe : enregistrez-en une copie sans mot de passe"
                    .into(),
            );
        }
        Some(Container::Compound) => super::guard::check_xls(&bytes)?,
        _ => {}
    }
    super::guard::isolated(move || parse_sheets(bytes))
}

fn parse_sheets(bytes: Vec<u8>) -> Result<Vec<Sheet>, String> {
    use calamine::Sheets;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("classeur illisible, tronqué ou abîmé ({e})"))?;
    let names = book.sheet_names().to_vec();
    let mut sheets = Vec::with_capacity(names.len());
    let mut total: u64 = 0;
    for name in names {
        let unreadable = |e: &dyn std::fmt::Display| format!("feuille « {name} » illisible ({e})");
        let mut cells: Vec<(u32, u32, Data)> = Vec::new();
        match &mut book {
            // Cell by cell: the used range is never allocated as a grid.
            Sheets::Xlsx(xlsx) => {
                let mut reader = match xlsx.worksheet_cells_reader(&name) {
                    Ok(r) => r,
                    // A chart sheet, say: nothing to read.
                    Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                    Err(e) => return Err(unreadable(&e)),
                };
                while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                    keep_cell(
                        &mut cells,
                        &mut total,
                        cell.get_position(),
                        cell.get_value(),
                    )?;
                }
            }
            Sheets::Xlsb(xlsb) => {
                let mut reader = xlsb
                    .worksheet_cells_reader(&name)
                    .map_err(|e| unreadable(&e))?;
                while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                    keep_cell(
                        &mut cells,
                        &mut total,
                        cell.get_position(),
                        cell.get_value(),
                    )?;
                }
            }
            // XLS and ODS, which have no cell reader: grids bounded by `guard` before the
            // parser ran.
            book => {
                let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
                total += range.used_cells().count() as u64;
                if total > MAX_CELLS {
                    return Err(cells_refusal(total));
                }
                sheets.push(Sheet::from_range(name, range));
                continue;
            }
        }
        sheets.push(Sheet::from_cells(name, cells)?);
    }
    Ok(sheets)
}

/// Keeps a filled cell read by a cell reader, within [`MAX_CELLS`].
fn keep_cell(
    cells: &mut Vec<(u32, u32, Data)>,
    total: &mut u64,
    (row, col): (u32, u32),
    value: &calamine::DataRef<'_>,
) -> Result<(), String> {
    let data = Data::from(value.clone());
    if !matches!(data, Data::Empty) {
        *total += 1;
        if *total > MAX_CELLS {
            return Err(cells_refusal(*total));
        }
        cells.push((row, col, data));
    }
    Ok(())
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
