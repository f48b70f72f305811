//! Cells and tables: how one value becomes one typed, formatted Excel cell, and how a long
//! table continues on `Lignes (2)`, `Lignes (3)`… past Excel's row limit. Every sheet goes
//! through here, so the typing rules (amounts as numbers, extract text never a formula,
//! real dates) hold everywhere by construction.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatBorder, Url, Workbook, Worksheet, XlsxError,
};

use crate::report::round_cents;

/// Rows in a worksheet, header included.
pub const EXCEL_ROWS: u32 = 1_048_576;
/// Excel refuses a cell longer than this (in UTF-16 units).
const MAX_TEXT: usize = 32_767;
/// Excel's limit of hyperlinks per worksheet; past it, the target is written as text.
const MAX_LINKS: usize = 65_530;
/// Widest column, in characters: long messages stay readable without a screen-wide column.
const MAX_WIDTH: usize = 60;
const MIN_WIDTH: usize = 6;

/// Excel stores number formats in en-US notation; a French Excel shows `1 234,56 €`.
const EUROS: &str = r#"#,##0.00 "€""#;

/// How a cell draws attention: the status and severity colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Error,
    Warning,
    Info,
}

/// One value, typed for Excel.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    Empty,
    /// Inert text: written as a string even when it starts with `=`, `+`, `-` or `@`.
    Text(Cow<'a, str>),
    Int(i64),
    Amount(Decimal),
    /// A fraction (0.5 = 50 %).
    Rate(Decimal),
    Date(NaiveDate),
    /// A link to a cell of the workbook: sheet name, Excel row (1-based), text shown.
    Link(String, u32, String),
    Toned(Cow<'a, str>, Tone),
}

impl<'a> Cell<'a> {
    pub fn text(s: &'a str) -> Cell<'a> {
        Cell::Text(Cow::Borrowed(s))
    }

    pub fn owned(s: String) -> Cell<'a> {
        Cell::Text(Cow::Owned(s))
    }

    pub fn opt(s: Option<&'a str>) -> Cell<'a> {
        s.map_or(Cell::Empty, Cell::text)
    }

    pub fn count(n: impl TryInto<i64>) -> Cell<'a> {
        n.try_into().map_or(Cell::Empty, Cell::Int)
    }

    pub fn opt_amount(a: Option<Decimal>) -> Cell<'a> {
        a.map_or(Cell::Empty, Cell::Amount)
    }

    /// `part / whole`, empty when there is no whole to measure against.
    pub fn rate(part: Decimal, whole: Option<Decimal>) -> Cell<'a> {
        whole
            .filter(|w| !w.is_zero())
            .and_then(|w| part.checked_div(w))
            .map_or(Cell::Empty, Cell::Rate)
    }
}

/// The cell formats, created once per workbook.
pub struct Formats {
    pub title: Format,
    pub section: Format,
    header: Format,
    plain: [Format; 2],
    amount: [Format; 2],
    rate: [Format; 2],
    date: [Format; 2],
    int: [Format; 2],
    link: Format,
    tones: [Format; 4],
}

impl Formats {
    pub fn new() -> Formats {
        let both = |f: Format| [f.clone(), f.set_bold()];
        let tone = |bg: u32, fg: u32| {
            Format::new()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg))
        };
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(0x1F_4E_79)),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9_E1_F2))
                .set_border_bottom(FormatBorder::Thin),
            plain: both(Format::new()),
            amount: both(Format::new().set_num_format(EUROS)),
            rate: both(Format::new().set_num_format("0.0%")),
            date: both(Format::new().set_num_format("dd/mm/yyyy")),
            int: both(Format::new().set_num_format("0")),
            link: Format::new()
                .set_font_color(Color::RGB(0x05_63_C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            tones: [
                tone(0xC6_EF_CE, 0x00_61_00),
                tone(0xFF_C7_CE, 0x9C_00_06),
                tone(0xFF_EB_9C, 0x9C_57_00),
                tone(0xDD_EB_F7, 0x1F_4E_79),
            ],
        }
    }

    fn tone(&self, tone: Tone) -> &Format {
        &self.tones[tone as usize]
    }
}

/// A worksheet being written: writes typed cells and remembers each column's widest
/// content, so widths follow the data without Excel's (non-portable) autofit.
pub struct Grid<'a> {
    sheet: &'a mut Worksheet,
    fmt: &'a Formats,
    widths: Vec<usize>,
    links: usize,
}

impl<'a> Grid<'a> {
    pub fn new(book: &'a mut Workbook, fmt: &'a Formats, name: &str) -> Result<Self, XlsxError> {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        Ok(Grid {
            sheet,
            fmt,
            widths: Vec::new(),
            links: 0,
        })
    }

    /// A heading that spans the columns: written, but not counted in any column's width.
    pub fn heading(&mut self, row: u32, text: &str, format: &Format) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(row, 0, excel_text(text), format)?;
        Ok(())
    }

    /// A header row; frozen and filtered by [`Grid::table_chrome`] for tables.
    pub fn header(&mut self, row: u32, col: u16, headers: &[&str]) -> Result<(), XlsxError> {
        for (i, h) in headers.iter().enumerate() {
            let c = col + i as u16;
            self.sheet
                .write_string_with_format(row, c, *h, &self.fmt.header)?;
            // Bold text and the filter button take a little more room.
            self.track(c, h.chars().count() + 3);
        }
        Ok(())
    }

    pub fn row(&mut self, row: u32, cells: &[Cell], bold: bool) -> Result<(), XlsxError> {
        for (col, cell) in cells.iter().enumerate() {
            self.put(row, col as u16, cell, bold)?;
        }
        Ok(())
    }

    pub fn put(&mut self, row: u32, col: u16, cell: &Cell, bold: bool) -> Result<(), XlsxError> {
        let b = usize::from(bold);
        let f = self.fmt;
        let width = match cell {
            Cell::Empty => 0,
            Cell::Text(s) => {
                if !s.is_empty() {
                    self.sheet
                        .write_string_with_format(row, col, excel_text(s), &f.plain[b])?;
                }
                s.chars().count()
            }
            Cell::Toned(s, tone) => {
                self.sheet
                    .write_string_with_format(row, col, excel_text(s), f.tone(*tone))?;
                s.chars().count()
            }
            Cell::Int(n) => {
                self.sheet
                    .write_number_with_format(row, col, *n as f64, &f.int[b])?;
                n.to_string().len()
            }
            Cell::Amount(a) => {
                let a = round_cents(*a);
                self.sheet
                    .write_number_with_format(row, col, to_f64(a), &f.amount[b])?;
                amount_width(a)
            }
            Cell::Rate(r) => {
                self.sheet
                    .write_number_with_format(row, col, to_f64(*r), &f.rate[b])?;
                7
            }
            Cell::Date(d) => {
                match excel_date(*d) {
                    Some(x) => self
                        .sheet
                        .write_date_with_format(row, col, &x, &f.date[b])?,
                    // Outside Excel's calendar (before 1900): shown, not lost.
                    None => self.sheet.write_string_with_format(
                        row,
                        col,
                        d.format("%d/%m/%Y").to_string(),
                        &f.plain[b],
                    )?,
                };
                10
            }
            Cell::Link(sheet, target_row, text) => {
                if self.links < MAX_LINKS {
                    self.links += 1;
                    let url = Url::new(format!("internal:'{sheet}'!A{target_row}"))
                        .set_text(text.as_str());
                    self.sheet.write_url_with_format(row, col, url, &f.link)?;
                } else {
                    self.sheet.write_string_with_format(
                        row,
                        col,
                        format!("{sheet} A{target_row}"),
                        &f.plain[b],
                    )?;
                }
                text.chars().count()
            }
        };
        self.track(col, width);
        Ok(())
    }

    fn track(&mut self, col: u16, width: usize) {
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(width);
    }

    /// Frozen header row at `header_row` and a filter over the header and data rows.
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
        Ok(())
    }

    /// Sets every column's width from its widest content.
    pub fn finish(self) -> Result<(), XlsxError> {
        for (col, w) in self.widths.iter().enumerate() {
            let w = (w + 2).clamp(MIN_WIDTH, MAX_WIDTH + 2);
            self.sheet.set_column_width(col as u16, w as f64)?;
        }
        Ok(())
    }
}

/// Where a table's rows go: `rows_per_sheet` data rows under the header of each sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub rows_per_sheet: u32,
}

impl Split {
    /// Excel's own limit: every row of a sheet but the header.
    pub const EXCEL: Split = Split {
        rows_per_sheet: EXCEL_ROWS - 1,
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
        let row = (index % per) as u32 + 2;
        (Split::sheet_name(base, index / per), row)
    }
}

/// A table: a header, its data rows, and an optional total row kept out of the filter.
pub struct Table<'h, I> {
    pub name: &'h str,
    pub headers: &'h [&'h str],
    pub rows: I,
    pub total: Option<Vec<Cell<'h>>>,
}

/// Writes a table on as many sheets as it needs, each with the same header. There is
/// always at least one sheet, so an empty table still shows its columns.
pub fn write_table<'c, I>(
    book: &mut Workbook,
    fmt: &Formats,
    split: Split,
    table: Table<'_, I>,
) -> Result<(), XlsxError>
where
    I: Iterator<Item = Vec<Cell<'c>>>,
{
    let per = split.rows_per_sheet.max(1);
    let mut rows = table.rows.peekable();
    let mut total = table.total;
    for part in 0.. {
        let name = Split::sheet_name(table.name, part);
        let mut grid = Grid::new(book, fmt, &name)?;
        grid.header(0, 0, table.headers)?;
        let mut written = 0;
        while written < per {
            let Some(cells) = rows.next() else { break };
            written += 1;
            grid.row(written, &cells, false)?;
        }
        grid.table_chrome(0, written, table.headers.len())?;
        let more = rows.peek().is_some();
        if !more
            && written < per
            && let Some(cells) = total.take()
        {
            grid.row(written + 1, &cells, true)?;
        }
        grid.finish()?;
        if !more && total.is_none() {
            break;
        }
    }
    Ok(())
}

/// Converts at the last moment, after rounding to the cent.
fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or_default()
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
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

/// The width of `-1 234 567,89 €`.
fn amount_width(a: Decimal) -> usize {
    let int_digits = a.abs().trunc().to_string().len();
    int_digits + (int_digits - 1) / 3 + 5 + usize::from(a.is_sign_negative())
}
