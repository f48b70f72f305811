//! Cells: how one value becomes one typed, formatted Excel cell, and where a table's row
//! lands when a long table continues on `Lignes (2)`, `Lignes (3)`… past Excel's row limit
//! (`table` writes them). Every sheet goes through here, so the typing rules (amounts as
//! numbers, extract text never a formula, real dates) hold everywhere by construction.
//! How cells look is `style`'s; how sheets print, `page`'s.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Url, Workbook, Worksheet, XlsxError};

pub use super::cell::Cell;
pub(super) use super::cell::{MAX_WIDTH, Slot, Value, cell_width, to_f64};
use super::page::{
    Across, MAX_ROW_HEIGHT, PORTRAIT_WIDTH, across, header_lines, header_width, page_setup,
    text_lines,
};
pub use super::page::{Orientation, PageText};
pub use super::style::{Formats, Style, Tone};

/// Rows in a worksheet, header included.
pub const EXCEL_ROWS: u32 = 1_048_576;
/// The rows above a table sheet's data: its caption (what the sheet holds, in one line)
/// and its header.
pub const TABLE_TOP: u32 = 2;
/// A table sheet's header row (0-based), under its caption.
pub const HEADER_ROW: u32 = TABLE_TOP - 1;
/// Excel refuses a cell longer than this (in UTF-16 units).
const MAX_TEXT: usize = 32_767;
/// Excel's limit of hyperlinks per worksheet; past it, the target is written as text.
pub(super) const MAX_LINKS: usize = 65_530;
const MIN_WIDTH: usize = 6;

/// A worksheet being written: writes typed cells and remembers each column's widest
/// content, so widths follow the data without Excel's (non-portable) autofit.
///
/// A table's sheet is set up by [`Grid::table`] instead: its [`Layout`] is measured before
/// its first row, so that each row is given its height as it is written. `Grid` writes its
/// header and total rows; its data rows are written as XML by `rows`, cell for cell as
/// `Grid` would (the tests write the same rows both ways).
pub struct Grid<'a> {
    sheet: &'a mut Worksheet,
    fmt: &'a Formats,
    widths: Vec<usize>,
    /// Widths a layout asks for whatever the content (charts, text that overflows).
    min_widths: Vec<usize>,
    links: usize,
    orientation: Option<Orientation>,
    /// Wrapped text written so far (row, column, text, whether a header's): its row is made tall enough once
    /// the column's width is known.
    wrapped: Vec<(u32, u16, String, bool)>,
    /// The leading columns that identify a row (by default, the first): a sheet printed
    /// over several pages wide repeats them on each.
    identifying: usize,
    /// The widths were measured beforehand ([`Grid::table`]): cells are not measured
    /// again, and a row is made tall enough for its wrapped text as it is written.
    measured: bool,
    /// The row last made taller, and its lines.
    tall: Option<(u32, usize)>,
    /// Each column's own format ([`Layout`]): a cell in it written without a format of its
    /// own takes it, which saves looking the format up cell by cell.
    column_formats: Vec<Option<&'a Format>>,
}

impl<'a> Grid<'a> {
    pub fn new(book: &'a mut Workbook, fmt: &'a Formats, name: &str) -> Result<Self, XlsxError> {
        let sheet = book.add_worksheet();
        Grid::setup(sheet, fmt, name, Layout::default(), false)
    }

    /// A table's sheet, laid out beforehand (see [`Layout`]), written row by row: top to
    /// bottom, each row left to right (what a constant-memory sheet requires).
    pub fn table(
        sheet: &'a mut Worksheet,
        fmt: &'a Formats,
        name: &str,
        layout: Layout<'a>,
    ) -> Result<Self, XlsxError> {
        Grid::setup(sheet, fmt, name, layout, true)
    }

    fn setup(
        sheet: &'a mut Worksheet,
        fmt: &'a Formats,
        name: &str,
        layout: Layout<'a>,
        measured: bool,
    ) -> Result<Self, XlsxError> {
        sheet.set_name(name)?;
        page_setup(sheet, &fmt.page);
        for (col, format) in layout.formats.iter().enumerate() {
            if let Some(format) = format {
                sheet.set_column_format(col as u16, format)?;
            }
        }
        Ok(Grid {
            sheet,
            fmt,
            widths: layout.widths,
            min_widths: Vec::new(),
            links: 0,
            orientation: None,
            wrapped: Vec::new(),
            identifying: 1,
            measured,
            tall: None,
            column_formats: layout.formats,
        })
    }

    /// The worksheet itself, for what `Grid` does not wrap (charts, merged cells).
    pub fn sheet(&mut self) -> &mut Worksheet {
        self.sheet
    }

    pub fn set_orientation(&mut self, orientation: Orientation) {
        self.orientation = Some(orientation);
    }

    /// The first `columns` columns identify a row: a sheet too wide for one page repeats
    /// them on each of the pages it is printed over.
    pub fn identifying_columns(&mut self, columns: usize) {
        self.identifying = columns;
    }

    /// Column `col` is at least `width` characters wide.
    pub fn min_width(&mut self, col: u16, width: usize) {
        let col = usize::from(col);
        if self.min_widths.len() <= col {
            self.min_widths.resize(col + 1, 0);
        }
        self.min_widths[col] = self.min_widths[col].max(width);
    }

    /// A heading that spans the columns: written, but not counted in any column's width.
    pub fn heading(&mut self, row: u32, text: &str, format: &Format) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(row, 0, excel_text(text), format)?;
        Ok(())
    }

    /// The sheet's title, in a row tall enough for its large font.
    pub fn title(&mut self, row: u32, text: &str) -> Result<(), XlsxError> {
        self.sheet.set_row_height(row, 24)?;
        let format = &self.fmt.title;
        self.heading(row, text, format)
    }

    /// Text that may run over the empty cells to its right: not counted in the width.
    pub fn free_text(&mut self, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
        let format = &self.fmt.plain[Style::Plain as usize];
        self.free_text_with(row, col, text, format)
    }

    /// [`Grid::free_text`] in a format of its own.
    pub fn free_text_with(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if !text.is_empty() {
            self.sheet
                .write_string_with_format(row, col, excel_text(text), format)?;
        }
        Ok(())
    }

    /// A header row; frozen and filtered by [`Grid::table_chrome`] for tables. A header
    /// wider than its column's content wraps over two lines rather than widen it.
    pub fn header(&mut self, row: u32, col: u16, headers: &[&str]) -> Result<(), XlsxError> {
        for (i, h) in headers.iter().enumerate() {
            let c = col + i as u16;
            self.sheet
                .write_string_with_format(row, c, *h, &self.fmt.header)?;
            self.track(c, header_width(h));
            self.wrap_as(row, c, h, true)?;
        }
        Ok(())
    }

    pub fn row(&mut self, row: u32, cells: &[Cell], bold: bool) -> Result<(), XlsxError> {
        let style = if bold { Style::Bold } else { Style::Plain };
        self.styled_row(row, cells, style)
    }

    pub fn styled_row(&mut self, row: u32, cells: &[Cell], style: Style) -> Result<(), XlsxError> {
        for (col, cell) in cells.iter().enumerate() {
            self.put_styled(row, col as u16, cell, style)?;
        }
        Ok(())
    }

    pub fn put(&mut self, row: u32, col: u16, cell: &Cell, bold: bool) -> Result<(), XlsxError> {
        let style = if bold { Style::Bold } else { Style::Plain };
        self.put_styled(row, col, cell, style)
    }

    pub fn put_styled(
        &mut self,
        row: u32,
        col: u16,
        cell: &Cell,
        style: Style,
    ) -> Result<(), XlsxError> {
        let (value, slot) = cell.typed();
        let format = self.fmt.slot(slot, style);
        match value {
            // A total row keeps its rule and shading across its empty cells.
            Value::Blank if style == Style::Total => {
                self.sheet.write_blank(row, col, format)?;
            }
            Value::Blank | Value::Nothing => {}
            Value::Text(s) => self.string(row, col, &s, format)?,
            Value::Number(n) => self.number(row, col, n, format)?,
            Value::Amount(a) => self.number(row, col, to_f64(a), format)?,
            Value::Link {
                sheet,
                row: target,
                text,
            } => {
                if self.links < MAX_LINKS {
                    self.links += 1;
                    let url = Url::new(format!("internal:'{sheet}'!A{target}")).set_text(text);
                    self.sheet.write_url_with_format(row, col, url, format)?;
                } else {
                    let text = format!("{sheet} A{target}");
                    let plain = self.fmt.slot(Slot::Plain, style);
                    self.string(row, col, &text, plain)?;
                }
            }
        }
        if let Cell::Wrapped(s) = cell {
            self.wrap(row, col, s)?;
        }
        if !self.measured {
            self.track(col, cell_width(cell));
        }
        Ok(())
    }

    /// Wrapped text `s` in column `col` makes its row tall enough for its lines: now if
    /// the widths are known, else once they are.
    fn wrap(&mut self, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
        self.wrap_as(row, col, s, false)
    }

    /// [`Grid::wrap`], for a cell's text or a header's.
    fn wrap_as(&mut self, row: u32, col: u16, s: &str, header: bool) -> Result<(), XlsxError> {
        if self.measured {
            let lines = wrapped_text_lines(s, self.sheet_width(col), header);
            self.make_tall(row, lines)?;
        } else if !s.is_empty() {
            self.wrapped.push((row, col, s.to_string(), header));
        }
        Ok(())
    }

    /// Whether `format` is column `col`'s own: the cell then needs no format of its own.
    fn is_column_format(&self, col: u16, format: &Format) -> bool {
        matches!(self.column_formats.get(usize::from(col)), Some(Some(c)) if std::ptr::eq(*c, format))
    }

    fn string(&mut self, row: u32, col: u16, s: &str, format: &Format) -> Result<(), XlsxError> {
        let s = excel_text(s);
        if self.is_column_format(col, format) {
            self.sheet.write_string(row, col, s)?;
        } else {
            self.sheet.write_string_with_format(row, col, s, format)?;
        }
        Ok(())
    }

    fn number(&mut self, row: u32, col: u16, n: f64, format: &Format) -> Result<(), XlsxError> {
        if self.is_column_format(col, format) {
            self.sheet.write_number(row, col, n)?;
        } else {
            self.sheet.write_number_with_format(row, col, n, format)?;
        }
        Ok(())
    }

    /// Row `row` is tall enough for `lines` lines of wrapped text. Not every application
    /// grows a row to fit its wrapped text when it opens the file (LibreOffice does not):
    /// the height is set here, one line per 15 points.
    fn make_tall(&mut self, row: u32, lines: usize) -> Result<(), XlsxError> {
        let taller = match self.tall {
            Some((r, n)) if r == row => lines > n,
            _ => lines > 1,
        };
        if taller {
            self.tall = Some((row, lines));
            // Excel's tallest row; past it a huge raw row is cut, as on screen.
            let height = (15.0 * lines as f64).min(MAX_ROW_HEIGHT);
            self.sheet.set_row_height(row, height)?;
        }
        Ok(())
    }

    fn track(&mut self, col: u16, width: usize) {
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(width);
    }

    /// Frozen header row at `header_row`, a filter over the header and data rows, and the
    /// header repeated at the top of every printed page.
    pub fn table_chrome(
        &mut self,
        header_row: u32,
        last_row: u32,
        columns: usize,
    ) -> Result<(), XlsxError> {
        self.sheet.set_freeze_panes(header_row + 1, 0)?;
        let last_col = columns.saturating_sub(1) as u16;
        self.sheet
            .autofilter(header_row, 0, last_row.max(header_row), last_col)?;
        self.sheet.set_repeat_rows(header_row, header_row)?;
        Ok(())
    }

    /// Sets every column's width from its widest content, and the page's orientation from
    /// the total width.
    pub fn finish(mut self) -> Result<(), XlsxError> {
        let columns = self.widths.len().max(self.min_widths.len());
        let mut total = 0.0;
        for col in 0..columns {
            let w = self.sheet_width(col as u16) as f64;
            total += w;
            self.sheet.set_column_width(col as u16, w)?;
        }
        let orientation = self.orientation.unwrap_or(if total > PORTRAIT_WIDTH {
            Orientation::Landscape
        } else {
            Orientation::Portrait
        });
        match orientation {
            Orientation::Portrait => self.sheet.set_portrait(),
            Orientation::Landscape => self.sheet.set_landscape(),
        };
        // Rows of wrapped text, now that their columns' widths are known.
        for (row, col, text, header) in std::mem::take(&mut self.wrapped) {
            let lines = wrapped_text_lines(&text, self.sheet_width(col), header);
            self.make_tall(row, lines)?;
        }
        if orientation == Orientation::Landscape {
            self.print_across()?;
        }
        Ok(())
    }

    /// A sheet too wide for one landscape page at a readable scale prints over several,
    /// broken between columns, its identifying columns repeated on each, page after page
    /// across before going down (see [`across`]). Fitted to that many pages wide rather
    /// than at a fixed scale: where the font runs wider than measured (LibreOffice without
    /// Calibri), the pages shrink a little instead of spilling a column onto a page of its
    /// own. LibreOffice keeps the breaks; Excel, fitting, places its own.
    fn print_across(&mut self) -> Result<(), XlsxError> {
        let Across::Pages { breaks, repeat } = across(&self.column_widths(), self.identifying)
        else {
            return Ok(());
        };
        let pages = breaks.len() as u16 + 1;
        let breaks: Vec<u32> = breaks.into_iter().map(u32::from).collect();
        self.sheet.set_print_fit_to_pages(pages, 0);
        self.sheet.set_vertical_page_breaks(&breaks)?;
        if repeat > 0 {
            self.sheet.set_repeat_columns(0, repeat - 1)?;
        }
        self.sheet.set_page_order(false);
        Ok(())
    }

    /// The width `finish` gives each column, in characters.
    pub fn column_widths(&self) -> Vec<usize> {
        let columns = self.widths.len().max(self.min_widths.len());
        (0..columns)
            .map(|col| self.sheet_width(col as u16))
            .collect()
    }

    /// The width `finish` gives column `col`, in characters.
    fn sheet_width(&self, col: u16) -> usize {
        let col = usize::from(col);
        let content = self.widths.get(col).copied().unwrap_or(0);
        let w = (content + 2).clamp(MIN_WIDTH, MAX_WIDTH + 2);
        w.max(self.min_widths.get(col).copied().unwrap_or(0))
    }
}

/// The lines a cell's wrapped text, or a header, takes in a column `width` wide.
fn wrapped_text_lines(s: &str, width: usize, header: bool) -> usize {
    if header {
        header_lines(s, width)
    } else {
        text_lines(s, width)
    }
}

/// A table sheet's columns, known before its first row: how wide each one's content is,
/// and the format most of its cells share, given to the column.
#[derive(Default)]
pub struct Layout<'f> {
    pub(super) widths: Vec<usize>,
    pub(super) formats: Vec<Option<&'f Format>>,
}

/// Where a table's rows go: `rows_per_sheet` data rows under the caption and header of
/// each sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub rows_per_sheet: u32,
}

impl Split {
    /// Excel's own limit: every row of a sheet but the caption and the header.
    pub const EXCEL: Split = Split {
        rows_per_sheet: EXCEL_ROWS - TABLE_TOP,
    };

    /// `Lignes`, then `Lignes (2)`, `Lignes (3)`…
    pub fn sheet_name(base: &str, part: usize) -> String {
        if part == 0 {
            base.to_string()
        } else {
            format!("{base} ({})", part + 1)
        }
    }

    /// The sheet and Excel row (1-based) of data row `index` of table `base`.
    pub fn locate(self, base: &str, index: usize) -> (String, u32) {
        let per = self.rows_per_sheet.max(1) as usize;
        // 1-based, under the caption and the header.
        let row = (index % per) as u32 + TABLE_TOP + 1;
        (Split::sheet_name(base, index / per), row)
    }
}

/// The date as the document's creation time (midnight UTC): derived from the run, never
/// from the clock, so a re-run gives the same bytes.
pub fn creation_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).unwrap_or(0);
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// Text as Excel can hold it: past 32,767 UTF-16 units a cell is refused, so a huge raw
/// row is cut with an ellipsis rather than failing the whole workbook.
pub fn excel_text(s: &str) -> Cow<'_, str> {
    // A char is never more UTF-16 units than UTF-8 bytes.
    if s.len() <= MAX_TEXT {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_TEXT - 1 {
            break;
        }
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}…", &s[..end]))
}
