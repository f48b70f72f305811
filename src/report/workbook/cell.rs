//! The one table of how a value becomes an Excel cell: [`Cell::typed`] says what each kind
//! of cell is written as (nothing, text, a number, a link) and in which format
//! ([`Slot`]). Every writer reads it: `Grid` (through rust_xlsxwriter), the bypass that
//! writes tables' data rows as XML (`bypass`), and the measure that gives a table's
//! columns their format (`table`). A new kind of cell is one line here, its format in
//! `style` (`Formats::slot`) and its width in [`cell_width`].

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::ExcelDateTime;

use super::style::Tone;
use crate::model::money::round_cents;

/// Widest column, in characters: long messages stay readable without a screen-wide column.
pub(super) const MAX_WIDTH: usize = 60;
/// Widest column of prose that wraps (messages, comments, keys), in characters: about
/// as wide as a line of a book, so that a sheet of them prints at a readable scale.
pub(super) const WRAP_WIDTH: usize = 40;

/// One value, typed for Excel.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    Empty,
    /// Inert text: written as a string even when it starts with `=`, `+`, `-` or `@`.
    Text(Cow<'a, str>),
    /// A quantity: right-aligned.
    Int(i64),
    /// A number that identifies rather than counts (a row, a year, a title): centred.
    Ordinal(i64),
    /// Prose that wraps inside its column (a finding's message) instead of running over.
    Wrapped(Cow<'a, str>),
    Amount(Decimal),
    /// A fraction (0.5 = 50 %).
    Rate(Decimal),
    Date(NaiveDate),
    /// A month (its first day): a real date, shown as « mars 2021 ».
    Month(NaiveDate),
    /// A link to a cell of the workbook: sheet name, Excel row (1-based), text shown.
    Link(String, u32, String),
    Toned(Cow<'a, str>, Tone),
}

/// What a cell is written as.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value<'c> {
    /// An empty cell: not written, but a total row draws it (rule and shading).
    Blank,
    /// Empty text: not written at all.
    Nothing,
    /// A string (empty: a blank cell in its format), cut to Excel's limit when written.
    Text(Cow<'c, str>),
    Number(f64),
    /// An amount rounded to the cent, written as the number `to_f64` makes of it (kept
    /// exact so that the bypass can write its digits without the formatter).
    Amount(Decimal),
    /// A link to a cell of the workbook (past Excel's limit of links, its target as text).
    Link {
        sheet: &'c str,
        row: u32,
        text: &'c str,
    },
}

/// The format a cell takes: `Formats::slot` gives it, in each `Style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Plain,
    Wrapped,
    Int,
    Ordinal,
    Amount,
    Rate,
    Date,
    Month,
    Link,
    Tone(Tone),
}

impl Slot {
    /// Every slot, in the order of [`Slot::index`].
    pub const ALL: [Slot; 13] = [
        Slot::Plain,
        Slot::Wrapped,
        Slot::Int,
        Slot::Ordinal,
        Slot::Amount,
        Slot::Rate,
        Slot::Date,
        Slot::Month,
        Slot::Link,
        Slot::Tone(Tone::Good),
        Slot::Tone(Tone::Error),
        Slot::Tone(Tone::Warning),
        Slot::Tone(Tone::Info),
    ];

    /// Its place in [`Slot::ALL`].
    pub fn index(self) -> usize {
        match self {
            Slot::Plain => 0,
            Slot::Wrapped => 1,
            Slot::Int => 2,
            Slot::Ordinal => 3,
            Slot::Amount => 4,
            Slot::Rate => 5,
            Slot::Date => 6,
            Slot::Month => 7,
            Slot::Link => 8,
            Slot::Tone(t) => 9 + t as usize,
        }
    }

    /// Whether a column may take this format as its own: it shows nothing on an empty
    /// cell (no fill, no underline), so the rest of the column looks the same.
    pub fn columnable(self) -> bool {
        !matches!(self, Slot::Link | Slot::Tone(_))
    }
}

impl<'a> Cell<'a> {
    /// What the cell is written as, and in which format: the one table every writer reads.
    pub(super) fn typed(&self) -> (Value<'_>, Slot) {
        match self {
            Cell::Empty => (Value::Blank, Slot::Plain),
            Cell::Text(s) => (nonempty(s), Slot::Plain),
            Cell::Wrapped(s) => (nonempty(s), Slot::Wrapped),
            Cell::Toned(s, tone) => (Value::Text(Cow::Borrowed(s)), Slot::Tone(*tone)),
            Cell::Int(n) => (Value::Number(*n as f64), Slot::Int),
            Cell::Ordinal(n) => (Value::Number(*n as f64), Slot::Ordinal),
            Cell::Amount(a) => (Value::Amount(round_cents(*a)), Slot::Amount),
            Cell::Rate(r) => (Value::Number(to_f64(*r)), Slot::Rate),
            // A date is its serial number, shown as a date by its format; outside Excel's
            // calendar (before 1900), shown as text rather than lost.
            Cell::Date(d) => match excel_date(*d) {
                Some(x) => (Value::Number(x.to_excel()), Slot::Date),
                None => (d.format("%d/%m/%Y").to_string().into(), Slot::Plain),
            },
            Cell::Month(d) => match excel_date(*d) {
                Some(x) => (Value::Number(x.to_excel()), Slot::Month),
                None => (d.format("%m/%Y").to_string().into(), Slot::Plain),
            },
            Cell::Link(sheet, row, text) => {
                let (sheet, row, text) = (sheet.as_str(), *row, text.as_str());
                (Value::Link { sheet, row, text }, Slot::Link)
            }
        }
    }

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

    pub fn ordinal(n: impl TryInto<i64>) -> Cell<'a> {
        n.try_into().map_or(Cell::Empty, Cell::Ordinal)
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

/// Text, or nothing when it is empty.
fn nonempty<'c>(s: &'c str) -> Value<'c> {
    if s.is_empty() {
        Value::Nothing
    } else {
        Value::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::Text(Cow::Owned(s))
    }
}

/// The room a cell's content takes, in characters.
pub(super) fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) | Cell::Toned(s, _) => s.chars().count(),
        Cell::Int(n) => digits(*n) + 1,
        Cell::Ordinal(n) => digits(*n),
        // The column stays at most WRAP_WIDTH wide; longer text wraps.
        Cell::Wrapped(s) if s.len() <= WRAP_WIDTH => s.chars().count(),
        Cell::Wrapped(s) => s.chars().take(WRAP_WIDTH).count(),
        Cell::Amount(a) => amount_width(round_cents(*a)),
        Cell::Rate(_) => 8,
        Cell::Date(_) => 10,
        // « septembre 2021 », the longest.
        Cell::Month(_) => 14,
        Cell::Link(_, _, text) => text.chars().count(),
    }
}

/// The characters of `n` written out, sign included.
fn digits(n: i64) -> usize {
    let magnitude = n.unsigned_abs().checked_ilog10().unwrap_or(0) as usize + 1;
    magnitude + usize::from(n < 0)
}

/// The width of `-1 234 567,89 € `.
fn amount_width(a: Decimal) -> usize {
    let whole = a.mantissa().unsigned_abs() / 10u128.pow(a.scale());
    let int_digits = whole.checked_ilog10().unwrap_or(0) as usize + 1;
    int_digits + (int_digits - 1) / 3 + 6 + usize::from(a.is_sign_negative())
}

/// Converts at the last moment, after rounding to the cent.
pub(super) fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or_default()
}

pub(super) fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{Cell, Slot, amount_width, cell_width, digits};

    #[test]
    fn widths_are_counted_without_writing_numbers_out() {
        for n in [0i64, 7, -7, 10, 99, 100, -1000, 2021, i64::MAX, i64::MIN] {
            assert_eq!(digits(n), n.to_string().len(), "{n}");
        }
        for a in [
            "0",
            "0.50",
            "-0.5",
            "9.99",
            "10",
            "-1234567.89",
            "999999999999.99",
        ] {
            let a: Decimal = a.parse().unwrap();
            let int_digits = a.abs().trunc().to_string().len();
            let expected =
                int_digits + (int_digits - 1) / 3 + 6 + usize::from(a.is_sign_negative());
            assert_eq!(amount_width(a), expected, "{a}");
        }
        assert_eq!(cell_width(&Cell::Wrapped("é".repeat(100).into())), 40);
        assert_eq!(cell_width(&Cell::Wrapped("é".repeat(30).into())), 30);
        assert_eq!(
            cell_width(&Cell::text(&"é".repeat(100))),
            100,
            "capped by the sheet"
        );
        assert_eq!(cell_width(&Cell::text("Échéancier")), 10);
    }

    #[test]
    fn slots_are_numbered_in_their_list() {
        for (i, slot) in Slot::ALL.into_iter().enumerate() {
            assert_eq!(slot.index(), i, "{slot:?}");
        }
    }
}
