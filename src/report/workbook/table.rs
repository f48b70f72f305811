//! Tables of rows: `Lignes`, `Anomalies`, `Engagements`… A table goes on as many sheets as
//! Excel's row limit asks (`Lignes (2)`, `Lignes (3)`…), each written row by row to a
//! temporary file (constant memory): a national extract's hundreds of thousands of rows
//! never sit in memory as cells. Each sheet is measured first (column widths and formats
//! from its rows), then written; sheets are written side by side on the available cores,
//! and come out the same whatever the number of cores.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::grid::{Cell, Formats, Grid, Layout, Split, Style, cell_width, excel_date};

/// The cells of row `index` of a table.
type RowFn<'a> = dyn Fn(usize) -> Vec<Cell<'a>> + Sync + 'a;

/// A table: a header, its `len` data rows (made on demand, by index, so that each sheet
/// can be written apart), and an optional total row kept out of the filter.
pub struct Table<'a> {
    name: &'a str,
    headers: &'a [&'a str],
    len: usize,
    row: Box<RowFn<'a>>,
    total: Option<Vec<Cell<'a>>>,
}

impl<'a> Table<'a> {
    pub fn new(
        name: &'a str,
        headers: &'a [&'a str],
        len: usize,
        row: impl Fn(usize) -> Vec<Cell<'a>> + Sync + 'a,
    ) -> Self {
        Table {
            name,
            headers,
            len,
            row: Box::new(row),
            total: None,
        }
    }

    /// The table with a total row after its last row.
    pub fn with_total(self, total: Vec<Cell<'a>>) -> Self {
        Table {
            total: Some(total),
            ..self
        }
    }

    /// Its sheets: the rows each holds, and whether the total row ends it. There is always
    /// at least one sheet, so an empty table still shows its columns; a total row that
    /// does not fit under the last row starts a sheet of its own.
    fn parts(&self, split: Split) -> Vec<(Range<usize>, bool)> {
        let per = split.rows_per_sheet.max(1) as usize;
        let count = if self.total.is_some() {
            self.len / per + 1
        } else {
            self.len.div_ceil(per).max(1)
        };
        (0..count)
            .map(|p| {
                let rows = p * per..((p + 1) * per).min(self.len);
                (rows, self.total.is_some() && p + 1 == count)
            })
            .collect()
    }
}

/// One sheet of a table, to be written.
struct Part<'t, 'a> {
    table: &'t Table<'a>,
    name: String,
    rows: Range<usize>,
    total: bool,
}

impl Part<'_, '_> {
    /// The cells it writes, as a measure of how long it takes.
    fn cost(&self) -> usize {
        (self.rows.len() + 1) * self.table.headers.len()
    }

    /// Measures the sheet, then writes it row by row.
    fn write(&self, sheet: &mut Worksheet, fmt: &Formats) -> Result<(), XlsxError> {
        let table = self.table;
        let total = table.total.as_deref().filter(|_| self.total);
        let layout = measure(fmt, self.rows.clone().map(|i| (table.row)(i)), total);
        let mut grid = Grid::table(sheet, fmt, &self.name, layout)?;
        grid.header(0, 0, table.headers)?;
        let mut written = 0;
        for i in self.rows.clone() {
            written += 1;
            grid.row(written, &(table.row)(i), false)?;
        }
        grid.table_chrome(0, written, table.headers.len())?;
        // A sheet that is one table prints its gridlines: a long row stays readable.
        grid.sheet().set_print_gridlines(true);
        if let Some(cells) = total {
            grid.styled_row(written + 1, cells, Style::Total)?;
        }
        grid.finish()
    }
}

/// Adds the tables to the workbook, in order, each on as many sheets as it needs with
/// the same header on each.
pub fn write_tables(
    book: &mut Workbook,
    fmt: &Formats,
    split: Split,
    tables: &[Table],
) -> Result<(), XlsxError> {
    let parts: Vec<Part> = tables
        .iter()
        .flat_map(|table| {
            table
                .parts(split)
                .into_iter()
                .enumerate()
                .map(move |(i, (rows, total))| Part {
                    table,
                    name: Split::sheet_name(table.name, i),
                    rows,
                    total,
                })
        })
        .collect();
    register_formats(book, fmt)?;
    let mut sheets = Vec::with_capacity(parts.len());
    for _ in &parts {
        sheets.push(new_sheet(book)?);
    }
    let workers = rayon::current_num_threads().min(parts.len());
    if workers <= 1 {
        for (part, sheet) in parts.iter().zip(&mut sheets) {
            part.write(sheet, fmt)?;
        }
    } else {
        sheets = write_side_by_side(&parts, sheets, fmt, workers)?;
    }
    for sheet in sheets {
        book.push_worksheet(sheet);
    }
    Ok(())
}

/// Writes each part on its sheet with `workers` threads, the longest parts first; returns
/// the sheets in the parts' order.
fn write_side_by_side(
    parts: &[Part],
    sheets: Vec<Worksheet>,
    fmt: &Formats,
    workers: usize,
) -> Result<Vec<Worksheet>, XlsxError> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].cost()));
    let slots: Vec<Mutex<(Worksheet, Result<(), XlsxError>)>> = sheets
        .into_iter()
        .map(|sheet| Mutex::new((sheet, Ok(()))))
        .collect();
    let next = AtomicUsize::new(0);
    rayon::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let mut slot = slots[i].lock().unwrap_or_else(|e| e.into_inner());
                    let (sheet, result) = &mut *slot;
                    *result = parts[i].write(sheet, fmt);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            let (sheet, result) = slot.into_inner().unwrap_or_else(|e| e.into_inner());
            result.map(|()| sheet)
        })
        .collect()
}

/// A sheet that writes its rows to a temporary file as they come; where no temporary
/// file can be made, one that keeps them in memory (it reads the same).
fn new_sheet(book: &mut Workbook) -> Result<Worksheet, XlsxError> {
    match book.new_worksheet_with_constant_memory() {
        Err(XlsxError::TempFileError(..)) => Ok(Worksheet::new()),
        other => other,
    }
}

/// Constant-memory sheets number their cell formats in the workbook as they first use
/// them: the formats of tables are numbered here, in a fixed order, so that sheets written
/// side by side give the same bytes every time. The sheet that numbers them is dropped.
fn register_formats(book: &mut Workbook, fmt: &Formats) -> Result<(), XlsxError> {
    let Ok(mut scratch) = book.new_worksheet_with_constant_memory() else {
        // Without temporary files, every sheet numbers its own formats.
        return Ok(());
    };
    for (col, format) in fmt.table_formats().enumerate() {
        scratch.set_column_format(col as u16, format)?;
    }
    Ok(())
}

/// A sheet's layout from its rows: each column as wide as its widest content (every column
/// a row has counts, even where it is empty), and given the format most of its data cells
/// use, where that format shows nothing on an empty cell. The total row counts in the
/// widths but gives no column its format.
fn measure<'c, 'f>(
    fmt: &'f Formats,
    rows: impl Iterator<Item = Vec<Cell<'c>>>,
    total: Option<&[Cell]>,
) -> Layout<'f> {
    /// A column's widest content and how many of its cells use each format.
    type Column<'f> = (usize, Vec<(&'f Format, usize)>);
    let mut columns: Vec<Column> = Vec::new();
    let mut add = |cells: &[Cell], data: bool| {
        if columns.len() < cells.len() {
            columns.resize_with(cells.len(), Default::default);
        }
        for ((width, formats), cell) in columns.iter_mut().zip(cells) {
            *width = (*width).max(cell_width(cell));
            let Some(format) = columnable(fmt, cell).filter(|_| data) else {
                continue;
            };
            match formats.iter_mut().find(|(f, _)| std::ptr::eq(*f, format)) {
                Some((_, n)) => *n += 1,
                None => formats.push((format, 1)),
            }
        }
    };
    for cells in rows {
        add(&cells, true);
    }
    if let Some(cells) = total {
        add(cells, false);
    }
    let (widths, formats) = columns
        .into_iter()
        .map(|(width, formats)| {
            // The most used; on a tie, the first met.
            let most = formats
                .iter()
                .fold(None, |best: Option<&(&Format, usize)>, c| match best {
                    Some(b) if b.1 >= c.1 => Some(b),
                    _ => Some(c),
                });
            (width, most.map(|(f, _)| *f))
        })
        .unzip();
    Layout { widths, formats }
}

/// The format a data cell is written in, where it can be its column's: one that shows
/// nothing on an empty cell (no fill, no border), so the rest of the column looks the same.
fn columnable<'f>(fmt: &'f Formats, cell: &Cell) -> Option<&'f Format> {
    let plain = Style::Plain as usize;
    match cell {
        Cell::Text(s) if !s.is_empty() => Some(&fmt.plain[plain]),
        Cell::Wrapped(s) if !s.is_empty() => Some(&fmt.wrapped[plain]),
        Cell::Int(_) => Some(&fmt.int[plain]),
        Cell::Ordinal(_) => Some(&fmt.ordinal[plain]),
        Cell::Amount(_) => Some(&fmt.amount[plain]),
        Cell::Rate(_) => Some(&fmt.rate[plain]),
        Cell::Date(d) if excel_date(*d).is_some() => Some(&fmt.date[plain]),
        Cell::Date(_) => Some(&fmt.plain[plain]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{Table, measure};
    use crate::report::workbook::grid::{Cell, Formats, PageText, Split};

    fn table(len: usize, total: bool) -> Table<'static> {
        let t = Table::new("T", &["A"], len, |_| vec![Cell::Empty]);
        if total {
            t.with_total(vec![Cell::Empty])
        } else {
            t
        }
    }

    #[test]
    fn sheets_hold_their_share_of_rows_and_the_total_follows_the_last() {
        let split = Split { rows_per_sheet: 3 };
        let parts = |len, total| table(len, total).parts(split);
        assert_eq!(
            parts(0, false),
            [(0..0, false)],
            "an empty table has its sheet"
        );
        assert_eq!(
            parts(7, false),
            [(0..3, false), (3..6, false), (6..7, false)]
        );
        assert_eq!(parts(6, false), [(0..3, false), (3..6, false)]);
        assert_eq!(parts(0, true), [(0..0, true)]);
        assert_eq!(parts(7, true), [(0..3, false), (3..6, false), (6..7, true)]);
        assert_eq!(
            parts(6, true),
            [(0..3, false), (3..6, false), (6..6, true)],
            "a full last sheet sends the total to a new one"
        );
    }

    #[test]
    fn columns_take_their_widest_content_and_most_common_plain_format() {
        let fmt = Formats::new(PageText::default());
        let rows = vec![
            vec![Cell::text("abc"), Cell::Amount(Decimal::ONE), Cell::Empty],
            vec![Cell::text("abcdef"), Cell::text("n/a"), Cell::Empty],
            vec![Cell::Empty, Cell::Amount(Decimal::TEN), Cell::Empty],
        ];
        let total = [
            Cell::text("Total général"),
            Cell::Empty,
            Cell::Empty,
            Cell::Int(3),
        ];
        let layout = measure(&fmt, rows.into_iter(), Some(&total));
        assert_eq!(
            layout.widths,
            [13, 8, 0, 2],
            "the total row counts in the widths"
        );
        let formats: Vec<_> = layout
            .formats
            .iter()
            .map(|f| f.map(std::ptr::from_ref))
            .collect();
        assert_eq!(
            formats,
            [
                Some(std::ptr::from_ref(&fmt.plain[0])),
                Some(std::ptr::from_ref(&fmt.amount[0])),
                None,
                None,
            ],
            "the total row gives no column its format"
        );
    }
}
