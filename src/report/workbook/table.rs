//! Tables of rows: `Lignes`, `Anomalies`, `Engagements`… A table goes on as many sheets as
//! Excel's row limit asks (`Lignes (2)`, `Lignes (3)`…). Each sheet is measured first
//! (column widths and formats from its rows), chunk by chunk on the pool's threads; then
//! rust_xlsxwriter writes all of it but the data rows, which are written and compressed
//! chunk by chunk, again on the pool's threads, when the workbook is packaged (`rows`,
//! `package`). A national extract's hundreds of thousands of rows never sit in memory as
//! cells, and the bytes are the same whatever the number of cores.

use std::ops::Range;

use rayon::prelude::*;
use rust_xlsxwriter::utility::cell_range;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::bypass::{RowWriter, Xf, writes};
use super::grid::{
    Cell, Formats, Grid, HEADER_ROW, Layout, Split, Style, TABLE_TOP, Value, cell_width,
};

/// The cells of row `index` of a table.
type RowFn<'a> = dyn Fn(usize) -> Vec<Cell<'a>> + Sync + 'a;

/// A table: a header, its `len` data rows (made on demand, by index, so that each sheet
/// can be written apart), and an optional total row kept out of the filter.
pub struct Table<'a> {
    name: &'a str,
    /// What the sheet holds, in one line above the header.
    caption: &'a str,
    headers: &'a [&'a str],
    len: usize,
    row: Box<RowFn<'a>>,
    total: Option<Vec<Cell<'a>>>,
    /// The leading columns that identify a row, repeated on each page when the sheet
    /// prints over several pages wide.
    identifying: usize,
}

impl<'a> Table<'a> {
    pub fn new(
        name: &'a str,
        caption: &'a str,
        headers: &'a [&'a str],
        len: usize,
        row: impl Fn(usize) -> Vec<Cell<'a>> + Sync + 'a,
    ) -> Self {
        Table {
            name,
            caption,
            headers,
            len,
            row: Box::new(row),
            total: None,
            identifying: 1,
        }
    }

    /// The table whose first `columns` columns identify a row (by default, the first).
    pub fn identified_by(self, columns: usize) -> Self {
        Table {
            identifying: columns,
            ..self
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

/// Rows per chunk: a sheet's data rows are measured, then written and compressed, this
/// many at a time on the pool's threads (a few megabytes of XML). A constant, so that the
/// bytes do not depend on the number of threads.
pub(super) const CHUNK_ROWS: usize = 4096;

/// One sheet of a table.
struct Part<'t, 'a> {
    table: &'t Table<'a>,
    name: String,
    rows: Range<usize>,
    total: bool,
    chunk_rows: usize,
}

impl Part<'_, '_> {
    /// The table's caption; on the sheets that continue it, marked as such.
    fn caption(&self) -> String {
        if self.rows.start == 0 {
            self.table.caption.to_string()
        } else {
            format!("{} (suite).", self.table.caption.trim_end_matches('.'))
        }
    }

    /// Its rows, a chunk at a time.
    fn chunks(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        let (end, per) = (self.rows.end, self.chunk_rows.max(1));
        self.rows
            .clone()
            .step_by(per)
            .map(move |start| start..(start + per).min(end))
    }

    /// Sets its sheet up from its measure: columns, header, filter, print setup and the
    /// total row; everything but the data rows, which the package adds (see [`Fill`]).
    /// Returns the columns' widths and the sheet's used range once the rows are in.
    fn prepare<'f>(
        &self,
        sheet: &mut Worksheet,
        fmt: &'f Formats,
        mut measure: Measure<'f>,
    ) -> Result<(Vec<usize>, Option<String>), XlsxError> {
        let table = self.table;
        let total = table.total.as_deref().filter(|_| self.total);
        let data_extent = measure.extent;
        if let Some(cells) = total {
            measure.add(fmt, cells, false);
        }
        let mut grid = Grid::table(sheet, fmt, &self.name, measure.layout())?;
        grid.identifying_columns(table.identifying);
        grid.heading(0, &self.caption(), &fmt.note)?;
        grid.header(HEADER_ROW, 0, table.headers)?;
        let written = self.rows.len() as u32;
        let last_data = HEADER_ROW + written;
        grid.table_chrome(HEADER_ROW, last_data, table.headers.len())?;
        // A sheet that is one table prints its gridlines: a long row stays readable.
        grid.sheet().set_print_gridlines(true);
        if let Some(cells) = total {
            grid.styled_row(last_data + 1, cells, Style::Total)?;
        }
        let widths = grid.column_widths();
        grid.finish()?;
        // Every cell of the caption, header and total rows is written; data rows reach
        // `extent`.
        let dimension = (written > 0).then(|| {
            let columns = table
                .headers
                .len()
                .max(data_extent)
                .max(total.map_or(0, <[Cell]>::len));
            let last_row = last_data + u32::from(total.is_some());
            cell_range(0, 0, last_row, columns.saturating_sub(1) as u16)
        });
        Ok((widths, dimension))
    }
}

/// A table sheet whose data rows are still to write: rust_xlsxwriter writes the rest of
/// the sheet, then the package adds the rows, chunk by chunk (`package`, `rows`).
pub(super) struct Fill<'t, 'a> {
    part: Part<'t, 'a>,
    /// The sheet's place in the workbook: its part is `xl/worksheets/sheet{number}.xml`.
    pub number: usize,
    /// The used range once the data rows are in, where they extend it.
    pub dimension: Option<String>,
    widths: Vec<usize>,
    /// The links of the sheet before each chunk (Excel's limit counts per sheet).
    links_before: Vec<usize>,
}

impl Fill<'_, '_> {
    pub fn chunks(&self) -> usize {
        self.links_before.len()
    }

    /// Writes the XML of chunk `chunk`'s rows to `out`, the hyperlinks of its links to
    /// `hyperlinks`.
    pub fn write_chunk(&self, chunk: usize, xf: &Xf, out: &mut Vec<u8>, hyperlinks: &mut Vec<u8>) {
        let writer = RowWriter {
            xf,
            widths: &self.widths,
        };
        let mut links = self.links_before[chunk];
        let Some(rows) = self.part.chunks().nth(chunk) else {
            return;
        };
        let first = self.part.rows.start;
        for i in rows {
            let row = (i - first) as u32 + TABLE_TOP;
            writer.row(row, &(self.part.table.row)(i), &mut links, out, hyperlinks);
        }
    }
}

/// Adds the tables to the workbook, in order, each on as many sheets as it needs with
/// the same header on each. The sheets' data rows are measured here, `chunk_rows` at a
/// time on the pool's threads; they are written when the workbook is packaged.
pub fn write_tables<'t, 'a>(
    book: &mut Workbook,
    fmt: &Formats,
    split: Split,
    chunk_rows: usize,
    tables: &'t [Table<'a>],
) -> Result<Vec<Fill<'t, 'a>>, XlsxError> {
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
                    chunk_rows,
                })
        })
        .collect();
    let chunks: Vec<(&Part, Range<usize>)> = parts
        .iter()
        .flat_map(|part| part.chunks().map(move |rows| (part, rows)))
        .collect();
    let mut measures = chunks
        .into_par_iter()
        .map(|(part, rows)| {
            let mut measure = Measure::default();
            for i in rows {
                measure.add(fmt, &(part.table.row)(i), true);
            }
            measure
        })
        .collect::<Vec<_>>()
        .into_iter();
    let mut fills = Vec::with_capacity(parts.len());
    for part in parts {
        let mut measure = Measure::default();
        let mut links_before = Vec::new();
        for _ in part.chunks() {
            links_before.push(measure.links);
            measure.merge(measures.next().expect("a measure per chunk"));
        }
        let mut sheet = new_sheet(book)?;
        let (widths, dimension) = part.prepare(&mut sheet, fmt, measure)?;
        book.push_worksheet(sheet);
        fills.push(Fill {
            part,
            number: book.worksheets().len(),
            dimension,
            widths,
            links_before,
        });
    }
    Ok(fills)
}

/// A sheet that writes its rows to a temporary file as they come (its header and total
/// rows hold their text inline, as the data rows do); where no temporary file can be
/// made, one that keeps them in memory (it reads the same).
fn new_sheet(book: &mut Workbook) -> Result<Worksheet, XlsxError> {
    match book.new_worksheet_with_constant_memory() {
        Err(XlsxError::TempFileError(..)) => Ok(Worksheet::new()),
        other => other,
    }
}

/// What a sheet's rows take: each column's widest content (every column a row has
/// counts, even where it is empty) and how many data cells use each format, in the order
/// first met; the links; how far right written cells reach.
#[derive(Default)]
struct Measure<'f> {
    columns: Vec<(usize, Vec<(&'f Format, usize)>)>,
    links: usize,
    extent: usize,
}

impl<'f> Measure<'f> {
    /// Counts a row; a data row's cells count in their columns' formats (a total row's
    /// do not).
    fn add(&mut self, fmt: &'f Formats, cells: &[Cell], data: bool) {
        if self.columns.len() < cells.len() {
            self.columns.resize_with(cells.len(), Default::default);
        }
        for (col, ((width, formats), cell)) in self.columns.iter_mut().zip(cells).enumerate() {
            *width = (*width).max(cell_width(cell));
            if !data {
                continue;
            }
            if matches!(cell, Cell::Link(..)) {
                self.links += 1;
            }
            if writes(cell) {
                self.extent = self.extent.max(col + 1);
            }
            let Some(format) = columnable(fmt, cell) else {
                continue;
            };
            match formats.iter_mut().find(|(f, _)| std::ptr::eq(*f, format)) {
                Some((_, n)) => *n += 1,
                None => formats.push((format, 1)),
            }
        }
    }

    /// Adds the measure of the rows that follow.
    fn merge(&mut self, next: Measure<'f>) {
        if self.columns.len() < next.columns.len() {
            self.columns
                .resize_with(next.columns.len(), Default::default);
        }
        for ((width, formats), (next_width, next_formats)) in
            self.columns.iter_mut().zip(next.columns)
        {
            *width = (*width).max(next_width);
            for (format, count) in next_formats {
                match formats.iter_mut().find(|(f, _)| std::ptr::eq(*f, format)) {
                    Some((_, n)) => *n += count,
                    None => formats.push((format, count)),
                }
            }
        }
        self.links += next.links;
        self.extent = self.extent.max(next.extent);
    }

    /// The sheet's layout: each column as wide as its widest content, and given the
    /// format most of its data cells use (on a tie, the first met), where that format
    /// shows nothing on an empty cell.
    fn layout(self) -> Layout<'f> {
        let (widths, formats) =
            self.columns
                .into_iter()
                .map(|(width, formats)| {
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
}

/// The format a data cell is written in, where it can be its column's: one that shows
/// nothing on an empty cell (no fill, no border), so the rest of the column looks the same.
fn columnable<'f>(fmt: &'f Formats, cell: &Cell) -> Option<&'f Format> {
    let (value, slot) = cell.typed();
    let written = !matches!(value, Value::Blank | Value::Nothing);
    (written && slot.columnable()).then(|| fmt.slot(slot, Style::Plain))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{Measure, Table};
    use crate::report::workbook::grid::Tone;
    use crate::report::workbook::grid::{Cell, Formats, PageText, Split};

    fn table(len: usize, total: bool) -> Table<'static> {
        let t = Table::new("T", "Un tableau.", &["A"], len, |_| vec![Cell::Empty]);
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
        let mut measure = Measure::default();
        for cells in &rows {
            measure.add(&fmt, cells, true);
        }
        measure.add(&fmt, &total, false);
        let layout = measure.layout();
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

    #[test]
    fn chunks_measured_apart_add_up_to_the_whole() {
        let fmt = Formats::new(PageText::default());
        let link = || Cell::Link("Lignes".into(), 2, "Lignes, ligne 2".into());
        let rows = vec![
            vec![Cell::Empty, Cell::text("abc")],
            vec![Cell::Amount(Decimal::ONE), Cell::text("abcdef"), link()],
            vec![Cell::text("texte"), Cell::Toned("x".into(), Tone::Good)],
            vec![Cell::text("autre"), link(), Cell::Empty, Cell::text("")],
            vec![Cell::Amount(Decimal::TEN)],
        ];
        let mut whole = Measure::default();
        for cells in &rows {
            whole.add(&fmt, cells, true);
        }
        for cut in 0..=rows.len() {
            let (mut first, mut second) = (Measure::default(), Measure::default());
            rows[..cut].iter().for_each(|r| first.add(&fmt, r, true));
            rows[cut..].iter().for_each(|r| second.add(&fmt, r, true));
            first.merge(second);
            assert_eq!(first.links, 2);
            assert_eq!(
                first.extent, 3,
                "the empty text of the last column is not written"
            );
            let (a, b) = (first.layout(), whole_layout(&fmt, &rows));
            assert_eq!(a.widths, b.widths, "cut at {cut}");
            let ptrs = |l: &crate::report::workbook::grid::Layout| {
                l.formats
                    .iter()
                    .map(|f| f.map(std::ptr::from_ref))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ptrs(&a), ptrs(&b), "cut at {cut}");
        }
        // Two amounts and two texts in the first column: on a tie, the first met wins.
        let layout = whole.layout();
        assert!(std::ptr::eq(layout.formats[0].unwrap(), &fmt.amount[0]));
    }

    fn whole_layout<'f>(
        fmt: &'f Formats,
        rows: &[Vec<Cell>],
    ) -> crate::report::workbook::grid::Layout<'f> {
        let mut m = Measure::default();
        rows.iter().for_each(|r| m.add(fmt, r, true));
        m.layout()
    }
}
