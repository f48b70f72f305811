//! The data rows of a table sheet, written straight to XML, byte for byte as rust_xlsxwriter
//! writes them in constant-memory mode (see `bypass` for why and what it assumes). What
//! each cell is written as, and in which format, is `Cell::typed`'s, as for `Grid` (a data
//! row is `Grid::row` without bold): the tests write the same cells both ways and compare
//! the XML.

use std::io::Write;

use rust_decimal::Decimal;
use rust_xlsxwriter::utility::column_number_to_name;
use rust_xlsxwriter::{Format, Workbook};

use crate::report::workbook::grid::{
    Cell, Formats, MAX_LINKS, Slot, Style as CellStyle, Value, excel_text, to_f64,
};
use crate::report::workbook::page::{MAX_ROW_HEIGHT, text_lines};

/// The workbook's number (xf index) of each format a data row uses, as a cell's style
/// attribute (` s="6"`; nothing for the default format, 0), by `Slot::index`.
pub(in crate::report::workbook) struct Xf {
    styles: Vec<Style>,
}

/// A cell's style attribute.
struct Style(Box<[u8]>);

impl Style {
    fn new(xf: u32) -> Style {
        let attribute = if xf > 0 {
            format!(" s=\"{xf}\"")
        } else {
            String::new()
        };
        Style(attribute.into_bytes().into_boxed_slice())
    }
}

impl Xf {
    /// Registers the formats of tables in the workbook, always in the same order, and gives
    /// their numbers. rust_xlsxwriter numbers formats in the order they are registered,
    /// after its default format (0): this must be the workbook's first registration, before
    /// any constant-memory sheet is written (the tests check the numbers against the
    /// sheets rust_xlsxwriter writes itself).
    pub(in crate::report::workbook) fn register(book: &mut Workbook, fmt: &Formats) -> Xf {
        let mut known = vec![Format::default()];
        for format in fmt.table_formats() {
            book.register_format(format);
            if !known.contains(format) {
                known.push(format.clone());
            }
        }
        let index = |f: &Format| {
            let xf = known
                .iter()
                .position(|k| k == f)
                .expect("table formats are registered");
            Style::new(xf as u32)
        };
        Xf {
            styles: Slot::ALL
                .map(|slot| index(fmt.slot(slot, CellStyle::Plain)))
                .into(),
        }
    }

    fn style(&self, slot: Slot) -> &Style {
        &self.styles[slot.index()]
    }
}

/// Whether a data cell is written at all (an empty one is not, nor is empty text).
pub(in crate::report::workbook) fn writes(cell: &Cell) -> bool {
    !matches!(cell.typed().0, Value::Blank | Value::Nothing)
}

/// Writes the data rows of one table sheet.
pub(in crate::report::workbook) struct RowWriter<'a> {
    pub xf: &'a Xf,
    /// Each column's width in characters, as the sheet sets it: wrapped text makes its
    /// row tall enough for the lines it takes at that width.
    pub widths: &'a [usize],
}

impl RowWriter<'_> {
    /// Appends row `row` (0-based) to `out`, and the hyperlinks of its links to
    /// `hyperlinks`; `links` counts the sheet's links so far (past Excel's limit a link is
    /// written as text, as `Grid` does).
    pub fn row(
        &self,
        row: u32,
        cells: &[Cell],
        links: &mut usize,
        out: &mut Vec<u8>,
        hyperlinks: &mut Vec<u8>,
    ) {
        if !cells.iter().any(writes) {
            return;
        }
        let digits = itoa(row + 1);
        let r = digits.as_bytes();
        self.open_row(r, cells, out);
        for (col, cell) in cells.iter().enumerate() {
            let col = Column::new(col);
            let at = Ref { col: &col, row: r };
            let (value, slot) = cell.typed();
            let style = self.xf.style(slot);
            match value {
                Value::Blank | Value::Nothing => {}
                Value::Text(s) => string(out, at, &excel_text(&s), style),
                Value::Number(n) => number_cell(out, at, n, style),
                Value::Amount(a) => {
                    open(out, at, style);
                    out.extend_from_slice(b"><v>");
                    amount(out, a);
                    out.extend_from_slice(b"</v></c>");
                }
                Value::Link {
                    sheet,
                    row: target,
                    text,
                } => {
                    if *links < MAX_LINKS {
                        *links += 1;
                        string(out, at, text, style);
                        hyperlinks.extend_from_slice(b"<hyperlink ref=\"");
                        hyperlinks.extend_from_slice(col.name().as_bytes());
                        hyperlinks.extend_from_slice(r);
                        hyperlinks.extend_from_slice(b"\" location=\"");
                        attribute(hyperlinks, &format!("'{sheet}'!A{target}"));
                        hyperlinks.extend_from_slice(b"\" display=\"");
                        attribute(hyperlinks, text);
                        hyperlinks.extend_from_slice(b"\"/>");
                    } else {
                        let plain = self.xf.style(Slot::Plain);
                        string(out, at, &format!("{sheet} A{target}"), plain);
                    }
                }
            }
        }
        out.extend_from_slice(b"</row>");
    }

    /// `<row r="7">`, with the height of its tallest wrapped text where it takes more
    /// than one line.
    fn open_row(&self, r: &[u8], cells: &[Cell], out: &mut Vec<u8>) {
        out.extend_from_slice(b"<row r=\"");
        out.extend_from_slice(r);
        match self.lines(cells) {
            Some(lines) => {
                // As `Worksheet::set_row_height` stores it (whole pixels), then writes it.
                let height = (15.0 * lines as f64).min(MAX_ROW_HEIGHT);
                let pixels = (height * 4.0 / 3.0).round() as u32;
                let points = f64::from(pixels) * 0.75;
                write!(out, "\" ht=\"{points}\" customHeight=\"1\">").expect("writes to memory");
            }
            None => out.extend_from_slice(b"\">"),
        }
    }

    /// The lines of the row's tallest wrapped text, where it takes more than one.
    fn lines(&self, cells: &[Cell]) -> Option<usize> {
        let mut tallest = None;
        for (col, cell) in cells.iter().enumerate() {
            let Cell::Wrapped(s) = cell else { continue };
            let width = self.widths.get(col).copied().unwrap_or_default();
            let lines = text_lines(s, width);
            if lines > tallest.unwrap_or(1) {
                tallest = Some(lines);
            }
        }
        tallest
    }
}

/// A column's letters: `A`…`Z` without allocating, `AA`… as rust_xlsxwriter names them.
enum Column {
    Letter(&'static str),
    Name(String),
}

impl Column {
    fn new(col: usize) -> Column {
        const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        match LETTERS.get(col..col + 1) {
            Some(letter) => Column::Letter(letter),
            None => Column::Name(column_number_to_name(col as u16)),
        }
    }

    fn name(&self) -> &str {
        match self {
            Column::Letter(letter) => letter,
            Column::Name(s) => s,
        }
    }
}

/// A cell's reference: its column's letters, its row's number.
#[derive(Clone, Copy)]
struct Ref<'a> {
    col: &'a Column,
    row: &'a [u8],
}

/// `<c r="B7" s="3"`: how every cell starts.
fn open(out: &mut Vec<u8>, at: Ref, style: &Style) {
    out.extend_from_slice(b"<c r=\"");
    out.extend_from_slice(at.col.name().as_bytes());
    out.extend_from_slice(at.row);
    out.push(b'"');
    out.extend_from_slice(&style.0);
}

fn number_cell(out: &mut Vec<u8>, at: Ref, n: f64, style: &Style) {
    open(out, at, style);
    out.extend_from_slice(b"><v>");
    number(out, n);
    out.extend_from_slice(b"</v></c>");
}

/// A string cell, inline. Empty text with a format is a blank cell of that format.
fn string(out: &mut Vec<u8>, at: Ref, s: &str, style: &Style) {
    if s.is_empty() {
        if !style.0.is_empty() {
            open(out, at, style);
            out.extend_from_slice(b"/>");
        }
        return;
    }
    open(out, at, style);
    let edge = ['\t', '\n', ' '];
    if s.starts_with(edge) || s.ends_with(edge) {
        out.extend_from_slice(b" t=\"inlineStr\"><is><t xml:space=\"preserve\">");
    } else {
        out.extend_from_slice(b" t=\"inlineStr\"><is><t>");
    }
    text(out, s);
    out.extend_from_slice(b"</t></is></c>");
}

/// A number as `{}` writes an `f64` (what rust_xlsxwriter does): whole numbers, most of
/// the cells, without going through the formatter.
fn number(out: &mut Vec<u8>, n: f64) {
    if n.fract() == 0.0 && n.abs() < 1e15 && !(n == 0.0 && n.is_sign_negative()) {
        let i = n as i64;
        if i < 0 {
            out.push(b'-');
        }
        out.extend_from_slice(itoa(i.unsigned_abs()).as_bytes());
    } else {
        write!(out, "{n}").expect("writes to memory");
    }
}

/// An amount, as `{}` writes the `f64` it becomes (`to_f64`). With at most two decimals
/// and fewer than 15 digits (every amount of a budget), that conversion gives the `f64`
/// nearest the amount, and the shortest decimal that reads back as it, which is what `{}`
/// writes, is the amount itself less its trailing zeros: written from its digits.
fn amount(out: &mut Vec<u8>, a: Decimal) {
    let (mantissa, scale) = (a.mantissa(), a.scale());
    let digits = mantissa.unsigned_abs();
    if mantissa == 0 || scale > 2 || digits >= 10u128.pow(15) {
        return number(out, to_f64(a));
    }
    if mantissa < 0 {
        out.push(b'-');
    }
    let unit = 10u128.pow(scale);
    out.extend_from_slice(itoa((digits / unit) as u64).as_bytes());
    let cents = digits % unit;
    if cents > 0 {
        out.push(b'.');
        let (first, second) = if scale == 2 {
            (cents / 10, cents % 10)
        } else {
            (cents, 0)
        };
        out.push(b'0' + first as u8);
        if second > 0 {
            out.push(b'0' + second as u8);
        }
    }
}

/// Cell text, escaped as rust_xlsxwriter escapes it: `&`, `<`, `>`, control characters
/// and non-characters as `_xHHHH_`, and a literal `_xHHHH_` with its underscore escaped.
fn text(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let special = |(i, &b): (usize, &u8)| {
        SPECIAL[usize::from(b)] && (b != b'_' || bytes.get(i + 1) == Some(&b'x'))
    };
    if !bytes.iter().enumerate().any(special) {
        out.extend_from_slice(bytes);
        return;
    }
    for c in escape_escapes(s).chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(c as u8),
            '\0'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => {
                write!(out, "_x{:04X}_", u32::from(c)).expect("writes to memory");
            }
            _ => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// The bytes that may need escaping: `&`, `<`, `>`, control characters but tab and line
/// feed, the first byte of U+F000…U+FFFF (the non-characters U+FFFE and U+FFFF), and `_`
/// (when `_x` starts a literal escape).
static SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        special[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    special[b'&' as usize] = true;
    special[b'<' as usize] = true;
    special[b'>' as usize] = true;
    special[b'_' as usize] = true;
    special[0xEF] = true;
    special
};

/// A literal `_xHHHH_` in the text: its underscore is written `_x005F`, or a reader would
/// take it for an escaped character.
fn escape_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    const LEN: usize = "_xHHHH_".len();
    let mut escaped = std::borrow::Cow::Borrowed(s);
    for (i, _) in s.rmatch_indices("_x") {
        let hex = s.get(i + 2..i + LEN - 1);
        let escape = i + LEN <= s.len()
            && s.is_char_boundary(i + LEN - 1)
            && s[i + LEN - 1..].starts_with('_')
            && hex.is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
        if escape {
            escaped.to_mut().insert_str(i, "_x005F");
        }
    }
    escaped
}

/// An attribute's value, escaped.
fn attribute(out: &mut Vec<u8>, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            _ => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// A number's decimal digits, without the formatter.
struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn itoa(n: impl Into<u64>) -> Digits {
    let mut n = n.into();
    let mut d = Digits {
        buf: [0; 20],
        start: 20,
    };
    loop {
        d.start -= 1;
        d.buf[d.start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return d;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use rust_xlsxwriter::Workbook;

    use super::{RowWriter, Xf};
    use crate::model::money::round_cents;
    use crate::report::workbook::grid::{Cell, Formats, Grid, Layout, PageText, Tone, to_f64};

    fn amount(s: &str) -> Cell<'static> {
        Cell::Amount(s.parse::<Decimal>().unwrap())
    }

    /// Rows of every kind of cell, text that needs escaping, wrapped text that makes a
    /// row tall, links, an empty row, and columns past `Z`.
    fn rows() -> Vec<Vec<Cell<'static>>> {
        let long = "Un message assez long pour passer à la ligne plusieurs fois dans sa \
                    colonne, qui fait soixante caractères au plus : il lui faut des lignes.";
        vec![
            vec![
                Cell::text("plain"),
                Cell::text("a & b < c > d \"q\""),
                Cell::text(" leading space"),
                Cell::text("trailing line feed\n"),
                Cell::text("control\u{1}\r\ttab"),
                Cell::text("_x0041_ literal, _x12_ and _xZZZZ_ not"),
                Cell::text("\u{FFFE}non-characters\u{FFFF} é€"),
                Cell::text(""),
                Cell::Empty,
                Cell::Int(-42),
                Cell::Ordinal(2021),
                amount("1814.79"),
                amount("-0.005"),
                amount("100.10"),
                amount("0"),
                amount("-0.001"),
                amount("123456789012.34"),
                amount("12345678901234567.89"),
                Cell::Rate(Decimal::ONE / Decimal::from(3)),
                Cell::Date(NaiveDate::from_ymd_opt(2020, 1, 3).unwrap()),
                Cell::Date(NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()),
                Cell::Month(NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()),
                Cell::Month(NaiveDate::from_ymd_opt(1899, 12, 1).unwrap()),
                Cell::Toned("erreur".into(), Tone::Error),
                Cell::Toned("".into(), Tone::Good),
                Cell::Link("Hors périmètre".into(), 7, "Hors périmètre, ligne 7".into()),
                Cell::Wrapped(long.into()),
                Cell::Wrapped("".into()),
            ],
            vec![Cell::Empty, Cell::text(""), Cell::Wrapped("".into())],
            vec![
                Cell::Wrapped(long.into()),
                Cell::Wrapped(long.repeat(3).into()),
                Cell::Link("Lignes".into(), 1_048_576, "Lignes, ligne 1048576".into()),
            ],
            (0..30).map(Cell::Ordinal).collect(),
            vec![Cell::text("fin")],
        ]
    }

    /// What to do when the bypass no longer writes what rust_xlsxwriter writes.
    const UPGRADE: &str = "the bypass (src/report/workbook/bypass/) no longer writes the XML \
        rust_xlsxwriter writes: if rust_xlsxwriter was upgraded (it is pinned in Cargo.toml \
        for this reason), make bypass/rows.rs write what the new version writes (compare \
        the two strings above), check the assumptions listed in bypass/mod.rs, then pin \
        the new version; if a kind of cell was added, type it in Cell::typed (cell.rs) and \
        add it to rows() here";

    #[test]
    fn rows_are_the_xml_rust_xlsxwriter_writes() {
        let fmt = Formats::new(PageText::default());
        let mut book = Workbook::new();
        let xf = Xf::register(&mut book, &fmt);
        let rows = rows();
        let headers: Vec<String> = (0..30).map(|i| format!("Colonne {i}")).collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        // rust_xlsxwriter, through `Grid` (as the workbook wrote rows before), a column
        // having a format of its own.
        let mut sheet = book.new_worksheet_with_constant_memory().unwrap();
        let layout = Layout {
            widths: vec![20, 12],
            formats: vec![Some(&fmt.plain[0]), None, Some(&fmt.amount[0])],
        };
        let mut grid = Grid::table(&mut sheet, &fmt, "T", layout).unwrap();
        grid.header(0, 0, &headers).unwrap();
        for (i, cells) in rows.iter().enumerate() {
            grid.row(i as u32 + 1, cells, false).unwrap();
        }
        let widths = grid.column_widths();
        grid.finish().unwrap();
        book.push_worksheet(sheet);
        let bytes = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let data = xml.find("<sheetData>").unwrap();
        let first = data + xml[data..].find("</row>").unwrap() + "</row>".len();
        let expected_rows = &xml[first..xml.find("</sheetData>").unwrap()];
        let links = xml.find("<hyperlinks>").unwrap() + "<hyperlinks>".len();
        let expected_links = &xml[links..xml.find("</hyperlinks>").unwrap()];

        let writer = RowWriter {
            xf: &xf,
            widths: &widths,
        };
        let (mut out, mut hyperlinks, mut count) = (Vec::new(), Vec::new(), 0);
        for (i, cells) in rows.iter().enumerate() {
            writer.row(i as u32 + 1, cells, &mut count, &mut out, &mut hyperlinks);
        }
        assert!(
            expected_rows.contains("customHeight"),
            "a tall row is tested"
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected_rows, "{UPGRADE}");
        assert_eq!(
            String::from_utf8(hyperlinks).unwrap(),
            expected_links,
            "{UPGRADE}"
        );
        assert_eq!(count, 2);
    }

    /// Each kind of cell's number: a new kind does not compile here until it is given one,
    /// and the test below fails until `rows` holds it.
    fn kind(cell: &Cell) -> usize {
        match cell {
            Cell::Empty => 0,
            Cell::Text(_) => 1,
            Cell::Int(_) => 2,
            Cell::Ordinal(_) => 3,
            Cell::Wrapped(_) => 4,
            Cell::Amount(_) => 5,
            Cell::Rate(_) => 6,
            Cell::Date(_) => 7,
            Cell::Link(..) => 8,
            Cell::Toned(..) => 9,
            Cell::Month(_) => 10,
        }
    }

    #[test]
    fn every_kind_of_cell_is_compared() {
        let mut seen: Vec<usize> = rows().iter().flatten().map(kind).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (0..=10).collect::<Vec<_>>(), "{UPGRADE}");
    }

    proptest::proptest! {
        #[test]
        fn amounts_are_written_as_their_f64_is(
            mantissa in -10i64.pow(16)..10i64.pow(16),
            scale in 0u32..=4,
            small in -100_000i64..100_000,
        ) {
            for m in [mantissa, small, mantissa / 1000] {
                let a = round_cents(Decimal::new(m, scale));
                let mut out = Vec::new();
                super::amount(&mut out, a);
                proptest::prop_assert_eq!(
                    String::from_utf8(out).unwrap(),
                    format!("{}", to_f64(a)),
                    "{}", a
                );
            }
        }
    }

    #[test]
    fn links_past_the_limit_are_text() {
        let fmt = Formats::new(PageText::default());
        let xf = Xf::register(&mut Workbook::new(), &fmt);
        let writer = RowWriter {
            xf: &xf,
            widths: &[],
        };
        let link = [Cell::Link("Lignes".into(), 5, "Lignes, ligne 5".into())];
        let (mut out, mut hyperlinks) = (Vec::new(), Vec::new());
        let mut count = super::MAX_LINKS;
        writer.row(1, &link, &mut count, &mut out, &mut hyperlinks);
        assert_eq!(count, super::MAX_LINKS);
        assert!(hyperlinks.is_empty());
        assert!(String::from_utf8(out).unwrap().contains("<t>Lignes A5</t>"));
    }
}
