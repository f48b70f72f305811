//! CSV files for Excel (the out-of-scope detail): `;` separator, CRLF, UTF-8 with a BOM,
//! quoted by the `csv` crate (a `;`, a quote or a line break inside a value no longer
//! shifts the columns), and text that Excel or LibreOffice would evaluate neutralised as
//! OWASP recommends against CSV injection: a value starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return (or their full-width forms) is prefixed with `'`. Only text
//! columns are neutralised: an amount such as `-12,50` stays a number.

use std::borrow::Cow;
use std::io::Write;

/// Excel's marker of a UTF-8 file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One cell: text from the inputs (neutralised) or a number written as is.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(&'a str),
}

/// A CSV being written for Excel.
pub struct ExcelCsv<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> ExcelCsv<W> {
    /// Writes the BOM and the header row.
    pub fn new(mut out: W, header: &[&str]) -> std::io::Result<ExcelCsv<W>> {
        out.write_all(BOM)?;
        let mut w = ExcelCsv::rows_only(out);
        w.row(header.iter().map(|h| Cell::Text(h)))?;
        Ok(w)
    }

    /// Rows only, no BOM nor header: a part of a file whose start is written elsewhere
    /// (the rows each input spills, copied after the header).
    pub fn rows_only(out: W) -> ExcelCsv<W> {
        let csv = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        ExcelCsv { csv }
    }

    /// Writes one row.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> std::io::Result<()> {
        for cell in cells {
            let value = match cell {
                Cell::Text(t) => neutralise(t),
                Cell::Number(n) => Cow::Borrowed(n),
            };
            self.csv.write_field(value.as_bytes())?;
        }
        // An empty record after the fields ends the row.
        self.csv.write_record(std::iter::empty::<&[u8]>())?;
        Ok(())
    }

    /// Flushes and returns the writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| std::io::Error::other(e.error().to_string()))
    }
}

/// `text`, or `'text` when a spreadsheet would take it for a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    // Spreadsheets skip leading spaces before deciding that a cell is a formula.
    let first = text.trim_start_matches(' ').chars().next();
    let live = matches!(
        first,
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '＝' | '＋' | '－' | '＠')
    ) || text.starts_with(['\t', '\r', '\n']);
    if live {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        let mut out = ExcelCsv::new(Vec::new(), &["Texte", "Montant"]).unwrap();
        for text in [
            "=HYPERLINK(\"http://x\";\"y\")",
            "+1+1",
            "-1+1",
            "@SUM(1)",
            "\t=1",
            " =1",
            "a;b",
            "ABC",
        ] {
            out.row([Cell::Text(text), Cell::Number("-12,50")]).unwrap();
        }
        let bytes = out.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let expected = "\u{feff}Texte;Montant\r\n\
            \"'=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\";-12,50\r\n\
            '+1+1;-12,50\r\n\
            '-1+1;-12,50\r\n\
            '@SUM(1);-12,50\r\n\
            '\t=1;-12,50\r\n\
            ' =1;-12,50\r\n\
            \"a;b\";-12,50\r\n\
            ABC;-12,50\r\n";
        assert_eq!(text, expected);
    }
}
