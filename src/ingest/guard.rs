//! What stands between a damaged workbook and the process: the third-party parsers
//! (calamine, zip) run under `catch_unwind`, so that a panic inside them is a refusal
//! naming the file (exit 2) rather than a crash; and what would make them allocate
//! without bound (a grid declared huge, rows repeated a million times) is measured in
//! the file's bytes before they run, since an allocation that fails aborts the process.

use std::cell::Cell;
use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use super::xlsx::{MAX_CELLS, MAX_DENSE_GRID as MAX_GRID};

thread_local! {
    /// Set while an isolated parser runs on this thread: its panic message is not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once, a panic hook that stays silent for isolated parsers and otherwise
/// does what the previous hook did (a defect of the tool itself still prints).
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs a third-party parser; a panic inside it becomes a French refusal.
pub fn isolated<T>(parse: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    install_hook();
    let was = QUIET.with(|q| q.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(parse));
    QUIET.with(|q| q.set(was));
    match outcome {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let detail: String = detail
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(120)
                .collect();
            Err(format!(
                "classeur illisible : fichier abîmé ou tronqué, son lecteur a échoué (détail : {detail}) ; ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau"
            ))
        }
    }
}

/// XLS: calamine allocates each sheet as the grid its cells span, and reserves the cells
/// its DIMENSIONS record declares. Both are measured first: the cells' span from the
/// workbook stream (`xls_extent`), the DIMENSIONS records by a scan of the bytes.
pub fn check_xls(bytes: &[u8]) -> Result<(), String> {
    let grid = isolated(|| super::xls_extent::largest_grid(bytes))?;
    if grid > MAX_GRID {
        return Err(format!(
            "classeur XLS refusé : les cellules d'une feuille s'étendent sur {grid} cellules, au-delà de {MAX_GRID} (fichier abîmé ?) ; enregistrez-le à nouveau en XLSX"
        ));
    }
    check_dimensions(bytes)
}

/// The DIMENSIONS records found in the bytes (a heuristic scan: a record split across
/// sectors escapes it, and a panic is still caught).
fn check_dimensions(bytes: &[u8]) -> Result<(), String> {
    // Record type 0x0200, length 14 or 16 (BIFF8) or 10 (BIFF5).
    for (at, _) in bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w[0] == 0x00 && w[1] == 0x02 && matches!(w[2], 10 | 14 | 16) && w[3] == 0)
    {
        let r = &bytes[at + 4..];
        let u16_at = |i: usize| {
            r.get(i..i + 2)
                .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let u32_at = |i: usize| {
            r.get(i..i + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let dims = if bytes[at + 2] == 10 {
            (u16_at(0), u16_at(2), u16_at(4), u16_at(6))
        } else {
            (u32_at(0), u32_at(4), u16_at(8), u16_at(10))
        };
        let (Some(first_row), Some(end_row), Some(mut first_col), Some(end_col)) = dims else {
            continue;
        };
        if first_col > 0xFF || end_col < first_col {
            first_col = 0;
        }
        if end_row == 0 || end_col == 0 {
            continue;
        }
        // As calamine computes it: last − first + 1, in u32.
        let rows = (end_row - 1).wrapping_sub(first_row).wrapping_add(1);
        let cols = (end_col - 1).wrapping_sub(first_col).wrapping_add(1);
        if u64::from(rows) * u64::from(cols) > MAX_GRID {
            return Err(format!(
                "classeur XLS refusé : une feuille déclare {rows} lignes × {cols} colonnes (enregistrement DIMENSIONS à l'octet {at}), au-delà de {MAX_GRID} cellules : fichier abîmé ? Enregistrez-le à nouveau en XLSX"
            ));
        }
    }
    Ok(())
}

/// The most `content.xml` of an ODS read to measure it.
const MAX_ODS_CONTENT: u64 = 256 << 20;

/// ODS: calamine writes out every repeated row and column (`number-rows-repeated`) of a
/// row holding a value. The grid each table would take is measured first.
pub fn check_ods(bytes: &[u8]) -> Result<(), String> {
    let content = isolated(|| {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|_| "classeur illisible : archive ZIP tronquée ou abîmée".to_string())?;
        let Ok(entry) = archive.by_name("content.xml") else {
            return Ok(None);
        };
        let mut content = Vec::new();
        entry
            .take(MAX_ODS_CONTENT + 1)
            .read_to_end(&mut content)
            .map_err(|e| format!("classeur illisible : « content.xml » abîmé ({e})"))?;
        Ok(Some(content))
    })?;
    let Some(content) = content else {
        return Ok(());
    };
    if content.len() as u64 > MAX_ODS_CONTENT {
        return Err(format!(
            "classeur ODS refusé : son contenu dépasse {} Mio ; exportez l'extrait en CSV",
            MAX_ODS_CONTENT >> 20
        ));
    }
    let (grid, cells) = ods_extent(&content);
    if grid > MAX_GRID {
        return Err(format!(
            "classeur ODS refusé : ses lignes et colonnes répétées (number-rows-repeated…) s'étendent sur {grid} cellules, au-delà de {MAX_GRID} ; supprimez les lignes vides en trop ou exportez l'extrait en CSV"
        ));
    }
    if cells > MAX_CELLS {
        return Err(format!(
            "classeur ODS refusé : plus de {MAX_CELLS} cellules remplies ({cells}) ; exportez l'extrait en CSV"
        ));
    }
    Ok(())
}

/// The largest grid of one table (rows from the first to the last row holding a value,
/// repetitions counted, × the widest such row) and the filled cells of all tables,
/// repetitions counted, as a byte scan of `content.xml`.
fn ods_extent(xml: &[u8]) -> (u64, u64) {
    let find = |from: usize, what: &[u8]| -> Option<usize> {
        memchr::memmem::find(&xml[from..], what).map(|p| p + from)
    };
    let (mut grid, mut cells) = (0u64, 0u64);
    // The table being read: rows so far, first and last filled row, widest filled row.
    let (mut rows, mut first, mut last, mut widest) = (0u64, None::<u64>, 0u64, 0u64);
    let close = |rows_span: (Option<u64>, u64, u64), grid: &mut u64| {
        if let (Some(f), l, w) = rows_span {
            *grid = (*grid).max((l - f).saturating_mul(w));
        }
    };
    let mut pos = 0;
    while let Some(at) = find(pos, b"<table:table") {
        let tag_end = find(at, b">").unwrap_or(xml.len() - 1);
        let tag = &xml[at..=tag_end];
        pos = tag_end + 1;
        let name_end = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            .unwrap_or(tag.len());
        match &tag[..name_end] {
            b"<table:table" => {
                close((first, last, widest), &mut grid);
                (rows, first, last, widest) = (0, None, 0, 0);
            }
            b"<table:table-row" => {
                let repeat = attr_number(tag, b"table:number-rows-repeated").unwrap_or(1);
                let row_end = if tag.ends_with(b"/>") {
                    pos
                } else {
                    find(pos, b"</table:table-row>").unwrap_or(xml.len())
                };
                let width = row_width(&xml[pos..row_end]);
                if width > 0 {
                    first.get_or_insert(rows);
                    last = rows.saturating_add(repeat);
                    widest = widest.max(width);
                    cells = cells.saturating_add(repeat.saturating_mul(width));
                }
                rows = rows.saturating_add(repeat);
                pos = row_end;
            }
            _ => {}
        }
    }
    close((first, last, widest), &mut grid);
    (grid, cells)
}

/// The columns of a row up to its last cell holding something, repetitions counted.
fn row_width(row: &[u8]) -> u64 {
    let (mut columns, mut filled) = (0u64, 0u64);
    let mut pos = 0;
    while let Some(p) = memchr::memmem::find(&row[pos..], b"<table:") {
        let at = pos + p;
        let tag_end = memchr::memchr(b'>', &row[at..]).map_or(row.len() - 1, |e| at + e);
        let tag = &row[at..=tag_end];
        pos = tag_end + 1;
        if !(tag.starts_with(b"<table:table-cell") || tag.starts_with(b"<table:covered-table-cell"))
        {
            continue;
        }
        let repeat = attr_number(tag, b"table:number-columns-repeated").unwrap_or(1);
        columns = columns.saturating_add(repeat);
        let has_value = memchr::memmem::find(tag, b"office:value-type").is_some()
            || (!tag.ends_with(b"/>")
                && row[pos..].starts_with(b"<text:p")
                && !row[pos..].starts_with(b"<text:p/>"));
        if has_value {
            filled = columns;
        }
    }
    filled
}

/// The number in `name="123"` within a tag.
fn attr_number(tag: &[u8], name: &[u8]) -> Option<u64> {
    let at = memchr::memmem::find(tag, name)? + name.len();
    let rest = tag.get(at..)?.strip_prefix(b"=\"")?;
    let digits: Vec<u8> = rest
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_parser_is_a_refusal() {
        let r: Result<(), String> = isolated(|| panic!("index out of bounds"));
        let message = r.unwrap_err();
        assert!(message.contains("classeur illisible"), "{message}");
        assert!(message.contains("index out of bounds"), "{message}");
    }

    #[test]
    fn ods_repeated_rows_are_measured_before_parsing() {
        let row = |repeat: u64, cells: &str| {
            format!(
                "<table:table-row table:number-rows-repeated=\"{repeat}\">{cells}</table:table-row>"
            )
        };
        let filled =
            "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";
        let empty = "<table:table-cell table:number-columns-repeated=\"1024\"/>";
        let table = |rows: &str| format!("<table:table table:name=\"F\">{rows}</table:table>");
        // A million empty rows after the data cost nothing: calamine skips them.
        let trailing =
            table(&(row(3, &format!("{filled}{filled}{empty}")) + &row(1_000_000, empty)));
        assert_eq!(ods_extent(trailing.as_bytes()), (6, 6));
        // A million repeated rows holding a value are a million rows.
        let repeated = table(&row(1_000_000, &format!("{filled}{empty}")));
        assert_eq!(ods_extent(repeated.as_bytes()), (1_000_000, 1_000_000));
        let wide = table(&row(100_000, &format!("{empty}{filled}")));
        assert_eq!(ods_extent(wide.as_bytes()).0, 100_000 * 1025);
    }

    #[test]
    fn xls_dimensions_are_checked_before_parsing() {
        let mut bytes = vec![0u8; 16];
        bytes.extend([0x00, 0x02, 14, 0]);
        bytes.extend(0u32.to_le_bytes());
        bytes.extend(60_000u32.to_le_bytes());
        bytes.extend(0u16.to_le_bytes());
        bytes.extend(200u16.to_le_bytes());
        bytes.extend([0, 0]);
        assert!(check_dimensions(&bytes).is_ok());
        // Rows first > last: calamine's subtraction wraps to four billion rows.
        bytes[20..24].copy_from_slice(&70_000u32.to_le_bytes());
        assert!(check_dimensions(&bytes).unwrap_err().contains("DIMENSIONS"));
    }
}
