//! Tables the users write by hand beside the extracts: the délégataire's forecasts, the
//! accountants' justifications of findings (and, later, declared reports and order lists).
//! Small CSV or XLSX files with a header row naming their columns, read whole and typed
//! cell by cell. Unlike an extract, nothing in them is rejected row by row: the user wrote
//! the file for this tool, so every mistake is reported (all of them, in one run, each with
//! its row and column) and the run stops with exit code 2.
//!
//! A table is declared by its columns ([`Column`]): a name, the aliases a spreadsheet may
//! carry instead (compared folded, `model::code::fold`: case and accents ignored, a
//! typographic apostrophe taken as `'`, spaces trimmed and runs of them taken as one; other
//! punctuation counts, so `AE (€)` is not `AE`), and whether it is required. Columns the
//! table does not know are ignored (a user's own notes).

pub mod declaration;
pub mod forecasts;
pub mod justifications;
pub mod orders;

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::convention::Convention;
use crate::error::{InputError, io_message};
use crate::ingest::encoding::{self, Encoding, Sniffed};
use crate::ingest::record::{Field, RawRecord};
use crate::ingest::xlsx;
use crate::model::amount::{amount_from_f64, parse_amount};
use crate::model::code::fold;
use crate::normalize::date::parse_date;

/// The largest table read: hand-written tables are small; an order list of 10^5 orders
/// takes about 15 MB.
pub const MAX_TABLE_BYTES: u64 = 64 << 20;
/// The header is looked for in the first rows (a title above it is allowed).
const HEADER_ROWS: usize = 20;
/// Mistakes listed in the error; the others are counted.
const LISTED_MISTAKES: usize = 30;

/// A column a table declares.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The name the documentation gives (and the error messages use).
    pub name: &'static str,
    /// Other names accepted for it, compared folded.
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// The product column of the tables the délégataire writes (forecasts, declared report,
/// orders): a product of the convention by id or name ([`Row::product`]).
pub const PRODUCT_COLUMN: Column = Column {
    name: "produit",
    aliases: &["produit ou service", "service", "produit id"],
    required: true,
};

/// The period column of the tables by product and period (forecasts, declared report).
pub const PERIOD_COLUMN: Column = Column {
    name: "periode",
    aliases: &["mois", "annee", "période"],
    required: true,
};

/// The optional column naming the convention a row is for (several in one file).
pub const CONVENTION_COLUMN: Column = Column {
    name: "convention",
    aliases: &["id convention"],
    required: false,
};

impl Column {
    fn matches(&self, header: &str) -> bool {
        let header = fold(header);
        !header.is_empty()
            && std::iter::once(self.name)
                .chain(self.aliases.iter().copied())
                .any(|n| fold(n) == header)
    }
}

/// A table read: its data rows, each with its cells in the order of the declared columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file as named to the user.
    pub file: String,
    pub sheet: Option<String>,
    /// The header's row number (1-based, as a spreadsheet shows it).
    pub header_row: u64,
    pub rows: Vec<Row>,
    /// Blank rows below the header (`;;;`), skipped; empty lines are not rows.
    pub blank_rows: u64,
}

/// One data row: its row number and its cells, by declared column (`None`: the column is
/// absent from the file or the cell is empty).
#[derive(Debug, Clone)]
pub struct Row {
    pub row: u64,
    cells: Vec<Option<Value>>,
}

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Value {
    fn shown(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }
}

/// A month (`AAAA-MM`) or a whole year (`AAAA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// 1 to 12; `None` for a whole year.
    pub month: Option<u32>,
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.month {
            Some(m) => write!(f, "{}-{m:02}", self.year),
            None => write!(f, "{}", self.year),
        }
    }
}

/// A mistake in one cell: the column's name and what is wrong, in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    pub row: u64,
    pub column: &'static str,
    pub message: String,
}

impl Mistake {
    /// A mistake in file row `row`, column `column` of `columns` (named « ? » if none).
    pub fn at(columns: &[Column], row: u64, column: usize, message: String) -> Mistake {
        Mistake {
            row,
            column: columns.get(column).map_or("?", |c| c.name),
            message,
        }
    }
}

impl Row {
    fn cell(&self, column: usize) -> Option<&Value> {
        self.cells.get(column).and_then(Option::as_ref)
    }

    fn mistake(&self, columns: &[Column], column: usize, message: String) -> Mistake {
        Mistake::at(columns, self.row, column, message)
    }

    /// The convention's product the cell names, by id or name ([`product_named`]); `None`
    /// after a mistake (the cell empty, the product unknown), pushed on `mistakes`.
    pub fn product(
        &self,
        columns: &[Column],
        column: usize,
        convention: &Convention,
        mistakes: &mut Vec<Mistake>,
    ) -> Option<usize> {
        let found = self.required_text(columns, column).and_then(|name| {
            product_named(convention, &name).map_err(|m| self.mistake(columns, column, m))
        });
        found.map_err(|m| mistakes.push(m)).ok()
    }

    /// The cell's text, trimmed; `None` when empty. A number is written as the file
    /// shows it (an EJ number typed in a spreadsheet becomes a number cell).
    pub fn text(&self, column: usize) -> Option<String> {
        let text = match self.cell(column)? {
            Value::Text(t) => t.trim().to_string(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            other => other.shown(),
        };
        (!text.is_empty()).then_some(text)
    }

    /// A required text: a mistake when empty.
    pub fn required_text(&self, columns: &[Column], column: usize) -> Result<String, Mistake> {
        self.text(column)
            .ok_or_else(|| self.mistake(columns, column, "valeur manquante".into()))
    }

    /// An amount in euros: French (`1 234,56`) or dotted (`1234.56`) decimals, or a number
    /// cell; empty is `None`. The amount readers' messages already quote the cell.
    pub fn amount(&self, columns: &[Column], column: usize) -> Result<Option<Decimal>, Mistake> {
        let parsed = match self.cell(column) {
            None => return Ok(None),
            Some(Value::Text(t)) if t.trim().is_empty() => return Ok(None),
            Some(Value::Text(t)) => parse_amount(t.trim()).map_err(|e| e.to_string()),
            Some(Value::Number(n)) => amount_from_f64(*n).map_err(|e| e.to_string()),
            Some(Value::Date(d)) => Err(format!(
                "montant illisible : une date ({d}) au lieu d'un montant"
            )),
        };
        parsed
            .map(Some)
            .map_err(|m| self.mistake(columns, column, m))
    }

    /// A date: `JJ/MM/AAAA`, `AAAA-MM-JJ` or a date cell; empty is `None`.
    pub fn date(&self, columns: &[Column], column: usize) -> Result<Option<NaiveDate>, Mistake> {
        match self.cell(column) {
            None => Ok(None),
            Some(Value::Date(d)) => Ok(Some(*d)),
            Some(Value::Text(t)) if t.trim().is_empty() => Ok(None),
            Some(Value::Text(t)) => match parse_date(t.trim()) {
                Ok(Some(d)) => Ok(Some(d)),
                _ => Err(self.mistake(
                    columns,
                    column,
                    format!("date illisible « {t} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)"),
                )),
            },
            Some(Value::Number(n)) => Err(self.mistake(
                columns,
                column,
                format!("date illisible « {n} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)"),
            )),
        }
    }

    /// A period: `AAAA-MM`, `MM/AAAA`, `AAAA`, or a date cell (its month).
    pub fn period(&self, columns: &[Column], column: usize) -> Result<Period, Mistake> {
        let bad = |shown: String| {
            self.mistake(
                columns,
                column,
                format!("période illisible « {shown} » (attendu AAAA-MM ou AAAA)"),
            )
        };
        match self.cell(column) {
            None => Err(self.mistake(columns, column, "période manquante".into())),
            Some(Value::Date(d)) => Ok(Period {
                year: d.year(),
                month: Some(d.month()),
            }),
            Some(Value::Number(n)) if n.fract() == 0.0 && (1990.0..=2100.0).contains(n) => {
                Ok(Period {
                    year: *n as i32,
                    month: None,
                })
            }
            Some(Value::Number(n)) => Err(bad(n.to_string())),
            Some(Value::Text(t)) => parse_period(t.trim()).ok_or_else(|| bad(t.clone())),
        }
    }
}

/// The product a cell names, by id or name (folded), or a mistake listing the known ones.
pub fn product_named(convention: &Convention, name: &str) -> Result<usize, String> {
    let folded = fold(name);
    convention
        .products
        .iter()
        .position(|p| fold(&p.id) == folded || fold(&p.name) == folded)
        .ok_or_else(|| {
            let known: Vec<String> = convention
                .products
                .iter()
                .map(|p| format!("« {} » ({})", p.id, p.name))
                .collect();
            format!(
                "produit « {name} » inconnu de la convention ; produits : {}",
                known.join(", ")
            )
        })
}

/// `AAAA-MM`, `AAAA/MM`, `MM/AAAA`, `MM-AAAA` or `AAAA`, years 1990 to 2100.
pub fn parse_period(s: &str) -> Option<Period> {
    let year = |y: &str| {
        (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            .then(|| y.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..=2100).contains(y))
    };
    let month = |m: &str| {
        (!m.is_empty() && m.len() <= 2 && m.bytes().all(|b| b.is_ascii_digit()))
            .then(|| m.parse::<u32>().ok())
            .flatten()
            .filter(|m| (1..=12).contains(m))
    };
    if let Some(y) = year(s) {
        return Some(Period {
            year: y,
            month: None,
        });
    }
    let (a, b) = s.split_once(['-', '/'])?;
    let (y, m) = if a.len() == 4 { (a, b) } else { (b, a) };
    Some(Period {
        year: year(y)?,
        month: Some(month(m)?),
    })
}

/// Every mistake of a table, as one error naming the file (exit code 2).
pub fn mistakes_error(table: &Table, mut mistakes: Vec<Mistake>) -> Option<InputError> {
    if mistakes.is_empty() {
        return None;
    }
    mistakes.sort_by_key(|m| m.row);
    let count = mistakes.len();
    let mut message = if count == 1 {
        "1 erreur :".to_string()
    } else {
        format!("{count} erreurs :")
    };
    for m in mistakes.iter().take(LISTED_MISTAKES) {
        message.push_str(&format!(
            "\n  ligne {}, colonne « {} » : {}",
            m.row, m.column, m.message
        ));
    }
    if count > LISTED_MISTAKES {
        message.push_str(&format!("\n  … et {} autre(s)", count - LISTED_MISTAKES));
    }
    let mut error = InputError::new(&table.file, message);
    error.sheet = table.sheet.clone();
    Some(error)
}

/// Reads a table: a CSV (UTF-8 or Windows-1252, `;`, `,` or tab separated) or the first
/// worksheet of a workbook holding the header. `what` names the table in messages
/// (« fichier de prévisions »).
pub fn read(path: &Path, columns: &[Column], what: &str) -> Result<Table, InputError> {
    let display = path.display().to_string();
    let err = |m: String| InputError::new(&display, m);
    let bytes = load(path, &display, what)?;
    let mut tried = Vec::new();
    let mut attempt =
        |sheet: Option<String>, records: Vec<RawRecord>| match header(&records, columns) {
            Ok((at, mapping)) => Some(table(display.clone(), sheet, &records, at, &mapping)),
            Err(missing) => {
                tried.push((sheet, missing));
                None
            }
        };
    if xlsx::container(&bytes).is_some() {
        let sheets = xlsx::read_sheets(bytes).map_err(|m| err(format!("{what} : {m}")))?;
        for s in sheets {
            let records = (0..s.height()).map(|i| s.record(i)).collect();
            if let Some(table) = attempt(Some(s.name), records) {
                return Ok(table);
            }
        }
    } else {
        // The likeliest separator first; the next ones when it gives no header.
        let text = csv_text(&bytes).map_err(|m| err(format!("{what} : {m}")))?;
        for separator in separators(&text) {
            let records =
                csv_records(&text, separator).map_err(|m| err(format!("{what} : {m}")))?;
            if let Some(table) = attempt(None, records) {
                return Ok(table);
            }
        }
    }
    let (sheet, missing) = tried.into_iter().next().unwrap_or_default();
    let mut error = err(format!(
        "{what} : en-tête introuvable dans les {HEADER_ROWS} premières lignes (colonne(s) obligatoire(s) absente(s) : {})",
        missing.join(", ")
    ));
    error.sheet = sheet;
    Err(error)
}

/// The file's bytes, refused when it is not a regular file or is over `MAX_TABLE_BYTES`.
fn load(path: &Path, display: &str, what: &str) -> Result<Vec<u8>, InputError> {
    let err = |m: String| InputError::new(display, m);
    let meta = std::fs::metadata(path).map_err(|e| err(format!("{what} : {}", io_message(&e))))?;
    if !meta.is_file() {
        return Err(err(format!("{what} : ce n'est pas un fichier ordinaire")));
    }
    if meta.len() > MAX_TABLE_BYTES {
        return Err(err(format!(
            "{what} de {} Mio refusé : au-delà de {} Mio",
            meta.len() >> 20,
            MAX_TABLE_BYTES >> 20
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TABLE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| err(format!("{what} : {}", io_message(&e))))?;
    Ok(bytes)
}

/// The header row (index) and, for each declared column, its position in the file; or
/// the required columns missing from the best candidate.
fn header(
    records: &[RawRecord],
    columns: &[Column],
) -> Result<(usize, Vec<Option<usize>>), Vec<&'static str>> {
    let mut best: Option<Vec<&'static str>> = None;
    for (at, record) in records.iter().enumerate().take(HEADER_ROWS) {
        let names: Vec<&str> = (0..record.len())
            .map(|i| match record.get(i) {
                Some(Field::Text(t)) => t,
                _ => "",
            })
            .collect();
        let mapping: Vec<Option<usize>> = columns
            .iter()
            .map(|c| names.iter().position(|n| c.matches(n)))
            .collect();
        let missing: Vec<&'static str> = columns
            .iter()
            .zip(&mapping)
            .filter(|(c, m)| c.required && m.is_none())
            .map(|(c, _)| c.name)
            .collect();
        if missing.is_empty() && mapping.iter().any(Option::is_some) {
            return Ok((at, mapping));
        }
        if mapping.iter().any(Option::is_some)
            && best.as_ref().is_none_or(|b| missing.len() < b.len())
        {
            best = Some(missing);
        }
    }
    Err(best.unwrap_or_else(|| {
        columns
            .iter()
            .filter(|c| c.required)
            .map(|c| c.name)
            .collect()
    }))
}

fn table(
    file: String,
    sheet: Option<String>,
    records: &[RawRecord],
    at: usize,
    mapping: &[Option<usize>],
) -> Table {
    let mut rows = Vec::new();
    let mut blank_rows = 0;
    for record in &records[at + 1..] {
        if record.is_blank() {
            blank_rows += 1;
            continue;
        }
        let cells = mapping
            .iter()
            .map(|m| {
                m.and_then(|i| record.get(i)).and_then(|f| match f {
                    Field::Text(t) if t.trim().is_empty() => None,
                    Field::Text(t) | Field::Error(t) => Some(Value::Text(t.to_string())),
                    Field::Number(n) => Some(Value::Number(n)),
                    Field::Date(d) => Some(Value::Date(d)),
                })
            })
            .collect();
        rows.push(Row {
            row: record.row,
            cells,
        });
    }
    Table {
        file,
        sheet,
        header_row: records[at].row,
        rows,
        blank_rows,
    }
}

/// A CSV's text: its encoding detected, a UTF-8 BOM removed.
fn csv_text(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    let encoding = match encoding::decide(bytes).map_err(|e| io_message(&e))? {
        Sniffed::Text(e) => e,
        Sniffed::Utf16 => return Err("texte en UTF-16 : enregistrez-le en UTF-8".into()),
        Sniffed::BrokenUtf8 => Encoding::Utf8,
    };
    let body = bytes.strip_prefix(encoding::UTF8_BOM).unwrap_or(bytes);
    encoding.decode(body).map_err(|at| {
        let line = body[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("ligne {line} : octets invalides en UTF-8 (fichier abîmé ?)")
    })
}

/// A CSV's rows as text records, numbered by their first physical line.
fn csv_records(text: &str, separator: u8) -> Result<Vec<RawRecord>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line numbers counted here: the reader skips empty lines, and a record's position
    // is where the skipped lines begin.
    let (bytes, mut counted, mut line) = (text.as_bytes(), 0usize, 1u64);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let mut start = record.position().map_or(counted, |p| p.byte() as usize);
                while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                line += memchr::memchr_iter(b'\n', &bytes[counted..start]).count() as u64;
                counted = start;
                let cells: Vec<&str> = record.iter().collect();
                records.push(RawRecord::from_texts(line, &cells));
            }
            Err(e) => {
                let at = e.position().map_or(line, csv::Position::line);
                return Err(format!("ligne {at} : CSV illisible ({e})"));
            }
        }
    }
    Ok(records)
}

/// The separators a CSV table may use (`;`, tab, `,`), likeliest first: the one that
/// splits the most of the first non-blank lines into the commonest number of fields (at
/// least 2: a title line above the header has one). Ties keep that order, `;` first.
fn separators(text: &str) -> [u8; 3] {
    let mut ranked = [b';', b'\t', b','];
    ranked.sort_by_key(|&s| std::cmp::Reverse(agreeing_lines(text, s)));
    ranked
}

/// Split by `separator`, how many of the first `HEADER_ROWS` non-blank lines have the
/// commonest field count of at least 2. A separator or line break between double quotes
/// is inside a field.
fn agreeing_lines(text: &str, separator: u8) -> usize {
    let mut counts: Vec<usize> = Vec::with_capacity(HEADER_ROWS);
    let (mut fields, mut blank, mut quoted) = (1usize, true, false);
    for b in text.bytes() {
        match b {
            b'"' => (quoted, blank) = (!quoted, false),
            _ if quoted => {}
            b'\n' => {
                if !blank {
                    counts.push(fields);
                    if counts.len() == HEADER_ROWS {
                        break;
                    }
                }
                (fields, blank) = (1, true);
            }
            _ if b == separator => fields += 1,
            _ if b.is_ascii_whitespace() => {}
            _ => blank = false,
        }
    }
    if !blank && counts.len() < HEADER_ROWS {
        counts.push(fields);
    }
    let mut by_count = std::collections::BTreeMap::<usize, usize>::new();
    for n in counts.into_iter().filter(|&n| n >= 2) {
        *by_count.entry(n).or_default() += 1;
    }
    by_count.into_values().max().unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "produit",
            aliases: &["Produit ou service"],
            required: true,
        },
        Column {
            name: "periode",
            aliases: &["mois"],
            required: true,
        },
        Column {
            name: "ae",
            aliases: &["AE (€)"],
            required: false,
        },
    ];

    /// A temporary file holding these bytes (the tables' tests share it).
    pub(crate) fn write(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, content).unwrap();
        f
    }

    #[test]
    fn a_csv_is_read_by_its_column_names_whatever_their_order_and_spelling() {
        let f = write(
            "Prévisions DINUM\n\nAE (€);Période;Produit ou service;notes\n1 234,50;2021-03;Potentiel;x\n;;;\n12.5;2021;CarbuRe;\n"
                .as_bytes(),
        );
        let t = read(f.path(), COLUMNS, "fichier de prévisions").unwrap();
        assert_eq!(t.header_row, 3);
        assert_eq!(t.blank_rows, 1);
        assert_eq!(t.rows.len(), 2);
        let r = &t.rows[0];
        assert_eq!(r.row, 4);
        assert_eq!(r.text(0).as_deref(), Some("Potentiel"));
        assert_eq!(
            r.period(COLUMNS, 1).unwrap(),
            Period {
                year: 2021,
                month: Some(3)
            }
        );
        assert_eq!(r.amount(COLUMNS, 2).unwrap(), Some(Decimal::new(123450, 2)));
        let r = &t.rows[1];
        assert_eq!(r.row, 6);
        assert_eq!(r.period(COLUMNS, 1).unwrap().month, None);
        assert_eq!(r.amount(COLUMNS, 2).unwrap(), Some(Decimal::new(125, 1)));
    }

    #[test]
    fn windows_1252_and_commas_are_read() {
        let f = write(b"produit,p\xe9riode\nCarbuR\xe9,03/2021\n");
        let t = read(f.path(), COLUMNS, "t").unwrap();
        assert_eq!(t.rows[0].text(0).as_deref(), Some("CarbuRé"));
        assert_eq!(t.rows[0].period(COLUMNS, 1).unwrap().to_string(), "2021-03");
    }

    #[test]
    fn a_title_line_above_a_tab_or_comma_header_does_not_hide_the_separator() {
        for content in [
            "Prévisions DINUM 2021\n\nproduit\tperiode\tae\nPotentiel\t2021-03\t1 234,50\n",
            "Prévisions DINUM 2021\nproduit,periode,ae\nPotentiel,2021-03,\"1 234,50\"\n",
        ] {
            let f = write(content.as_bytes());
            let t = read(f.path(), COLUMNS, "t").unwrap();
            assert_eq!(
                t.header_row,
                content
                    .lines()
                    .position(|l| l.starts_with("produit"))
                    .unwrap() as u64
                    + 1
            );
            assert_eq!(t.rows.len(), 1, "{content}");
            assert_eq!(t.rows[0].text(0).as_deref(), Some("Potentiel"));
            assert_eq!(
                t.rows[0].amount(COLUMNS, 2).unwrap(),
                Some(Decimal::new(123450, 2)),
                "{content}"
            );
        }
    }

    #[test]
    fn the_separator_is_the_one_most_lines_agree_on() {
        // French decimals put commas in every data line: the semicolons still agree more.
        let text = "Titre\nproduit;periode;ae\nA;2021-01;1,5\nB;2021-02;2,5\n";
        assert_eq!(separators(text), [b';', b',', b'\t']);
        assert_eq!(separators("produit,periode\nA,2021\n")[0], b',');
        assert_eq!(separators("produit\tperiode\n\"A;B\"\t2021\n")[0], b'\t');
        // Nothing splits: `;` first, as before.
        assert_eq!(separators("produit\n"), [b';', b'\t', b',']);
    }

    #[test]
    fn when_the_likeliest_separator_gives_no_header_the_next_is_tried() {
        let content = "notes,libres\nsur,trois\nlignes,ici\nproduit;periode\nA;2021-01\n";
        assert_eq!(separators(content)[0], b',');
        let f = write(content.as_bytes());
        let t = read(f.path(), COLUMNS, "t").unwrap();
        assert_eq!((t.header_row, t.rows.len()), (4, 1));
        assert_eq!(t.rows[0].text(0).as_deref(), Some("A"));
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let f = write(b"produit;ae\nPotentiel;12\n");
        let e = read(f.path(), COLUMNS, "fichier de prévisions").unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("fichier de prévisions"), "{shown}");
        assert!(shown.contains("periode"), "{shown}");
        assert!(!shown.contains("produit,"), "{shown}");
    }

    #[test]
    fn every_mistake_is_reported_with_its_row_and_column() {
        let f = write(b"produit;periode;ae\nPotentiel;2021-13;12\n;2021-02;douze\n");
        let t = read(f.path(), COLUMNS, "t").unwrap();
        let mut mistakes = Vec::new();
        for r in &t.rows {
            mistakes.extend(r.required_text(COLUMNS, 0).err());
            mistakes.extend(r.period(COLUMNS, 1).err());
            mistakes.extend(r.amount(COLUMNS, 2).err());
        }
        let shown = mistakes_error(&t, mistakes).unwrap().to_string();
        assert!(shown.contains("3 erreurs"), "{shown}");
        assert!(
            shown.contains("ligne 2, colonne « periode » : période illisible « 2021-13 »"),
            "{shown}"
        );
        assert!(
            shown.contains("ligne 3, colonne « produit » : valeur manquante"),
            "{shown}"
        );
        assert!(
            shown.contains("ligne 3, colonne « ae » : montant illisible"),
            "{shown}"
        );
    }

    #[test]
    fn a_bad_amount_is_said_once() {
        let row = |value| Row {
            row: 7,
            cells: vec![None, None, Some(value)],
        };
        let message = |value| row(value).amount(COLUMNS, 2).unwrap_err().message;
        assert_eq!(
            message(Value::Text(" douze ".into())),
            "montant illisible : « douze »"
        );
        assert_eq!(
            message(Value::Number(1.234)),
            "montant avec des fractions de centime : 1.234"
        );
        assert_eq!(
            message(Value::Date(NaiveDate::from_ymd_opt(2021, 3, 1).unwrap())),
            "montant illisible : une date (2021-03-01) au lieu d'un montant"
        );
        let mistake = row(Value::Text("douze".into()))
            .amount(COLUMNS, 2)
            .unwrap_err();
        assert_eq!((mistake.row, mistake.column), (7, "ae"));
    }

    #[test]
    fn periods_take_the_usual_spellings_and_refuse_nonsense() {
        let p = |s| parse_period(s).map(|p| p.to_string());
        assert_eq!(p("2021-03").as_deref(), Some("2021-03"));
        assert_eq!(p("2021/3").as_deref(), Some("2021-03"));
        assert_eq!(p("03/2021").as_deref(), Some("2021-03"));
        assert_eq!(p("2021").as_deref(), Some("2021"));
        for bad in [
            "2021-00",
            "2021-13",
            "21-03",
            "3021",
            "mars 2021",
            "",
            "2021-03-01",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_quoted_field_over_two_lines_keeps_the_next_row_numbers_true() {
        let f = write(b"produit;periode\n\"Poten\ntiel\";2021-01\nCarbuRe;2021-02\n");
        let t = read(f.path(), COLUMNS, "t").unwrap();
        assert_eq!(t.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn a_workbook_gives_numbers_and_dates_their_meaning() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Notes").unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 4, 1).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("mm/yyyy");
        for (col, name) in ["Mois", "Produit", "AE"].iter().enumerate() {
            sheet.write_string(1, col as u16, *name).unwrap();
        }
        sheet
            .write_datetime_with_format(2, 0, &date, &format)
            .unwrap();
        sheet.write_string(2, 1, "Potentiel").unwrap();
        sheet.write_number(2, 2, 1500.1).unwrap();
        sheet.write_number(3, 0, 2021).unwrap();
        sheet.write_number(3, 1, 12345).unwrap();
        let f = write(&book.save_to_buffer().unwrap());
        let t = read(f.path(), COLUMNS, "t").unwrap();
        assert_eq!(t.header_row, 2);
        assert!(t.sheet.is_some());
        let (a, b) = (&t.rows[0], &t.rows[1]);
        assert_eq!(a.row, 3);
        assert_eq!(a.period(COLUMNS, 1).unwrap().to_string(), "2021-04");
        assert_eq!(a.amount(COLUMNS, 2).unwrap(), Some(Decimal::new(15001, 1)));
        assert_eq!(b.period(COLUMNS, 1).unwrap().to_string(), "2021");
        assert_eq!(b.text(0).as_deref(), Some("12345"));
        assert_eq!(b.amount(COLUMNS, 2).unwrap(), None);
    }
}
