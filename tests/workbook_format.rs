//! The workbook's form, read back from the XLSX parts: every table sheet has its header
//! row (under its caption) frozen, filtered and repeated on printed pages; amounts carry
//! the euro format, dates the French date format, months the French month format, rates a
//! percentage; the document date is the reconciliation date (reproducible bytes).

mod common;

use std::io::Read;

use common::{repo, run};

fn parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            let name = f.name().unwrap().to_string();
            let _ = f.read_to_string(&mut text);
            (name, text)
        })
        .collect()
}

#[test]
fn tables_are_frozen_filtered_and_typed() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("r.xlsx");
    run(
        &repo(),
        &[
            "reconcile",
            "fixtures/anomalies",
            "--as-of",
            "2021-12-31",
            "-q",
            "--fail-on",
            "never",
            "-o",
            book.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    let parts = parts(&std::fs::read(&book).unwrap());
    let part = |name: &str| {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default()
    };
    // Sheets 3..12 are tables but for the report pages, Synthèse (1), Compte rendu (2) and
    // Fin de gestion (5). Each table sheet has its caption on row 1 and its header on row
    // 2, frozen and filtered; Mensuel (sheet 4) has its header under its title block, on
    // row 6.
    for i in (3..=12).filter(|i| *i != 5) {
        let sheet = part(&format!("xl/worksheets/sheet{i}.xml"));
        let header = if i == 4 { 6 } else { 2 };
        assert!(
            sheet.contains(&format!(
                "<pane ySplit=\"{header}\" topLeftCell=\"A{}\" activePane=\"bottomLeft\" state=\"frozen\"/>",
                header + 1
            )),
            "sheet{i}: header not frozen under row {header}"
        );
        assert!(
            sheet.contains(&format!("<autoFilter ref=\"A{header}:")),
            "sheet{i}: no filter from row {header}"
        );
    }
    let workbook = Book::read(&book);
    for sheet in ["Lignes", "Rejets", "Provenance"] {
        assert!(
            workbook
                .print_titles(sheet)
                .ends_with(&format!("{sheet}!$2:$2")),
            "{sheet}: the header repeats on each printed page"
        );
    }
    let styles = part("xl/styles.xml");
    assert!(
        styles.contains("#,##0.00 &quot;€&quot;"),
        "no euro amount format"
    );
    assert!(styles.contains("dd/mm/yyyy"), "no French date format");
    assert!(styles.contains("0.0%"), "no percentage format");
    assert!(
        styles.contains("[$-40C]mmmm yyyy"),
        "no French month format (Mensuel)"
    );
    let core = part("docProps/core.xml");
    assert!(
        core.contains("2021-12-31T00:00:00Z"),
        "document date is not the --as-of date: {core}"
    );
}

/// The sheets of a workbook by name: each one's XML and its place (0-based, as
/// `localSheetId` counts), with `xl/workbook.xml`.
struct Book {
    parts: Vec<(String, String)>,
    names: Vec<String>,
}

impl Book {
    fn read(path: &std::path::Path) -> Book {
        let parts = parts(&std::fs::read(path).unwrap());
        let workbook = Book::find(&parts, "xl/workbook.xml").to_string();
        let names = workbook
            .split("<sheet name=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect();
        Book { parts, names }
    }

    fn find<'p>(parts: &'p [(String, String)], name: &str) -> &'p str {
        let part = parts.iter().find(|(n, _)| n == name);
        part.map(|(_, t)| t.as_str()).unwrap_or_default()
    }

    fn place(&self, sheet: &str) -> usize {
        self.names.iter().position(|n| n == sheet).unwrap()
    }

    fn sheet(&self, sheet: &str) -> &str {
        let part = format!("xl/worksheets/sheet{}.xml", self.place(sheet) + 1);
        Book::find(&self.parts, &part)
    }

    /// The rows and columns each printed page of `sheet` repeats.
    fn print_titles(&self, sheet: &str) -> &str {
        let workbook = Book::find(&self.parts, "xl/workbook.xml");
        let key = format!(
            "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{}\">",
            self.place(sheet)
        );
        let start = workbook.find(&key).unwrap() + key.len();
        workbook[start..].split("</definedName>").next().unwrap()
    }

    /// The width of column `col` (1-based) of `sheet`, in characters.
    fn width(&self, sheet: &str, col: usize) -> f64 {
        let attribute = |s: &str, name: &str| -> f64 {
            let start = s.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            s[start..].split('"').next().unwrap().parse().unwrap()
        };
        let xml = self.sheet(sheet);
        let cols = xml
            .split("<col ")
            .skip(1)
            .map(|s| s.split('>').next().unwrap());
        cols.map(|c| {
            (
                attribute(c, "min"),
                attribute(c, "max"),
                attribute(c, "width"),
            )
        })
        .find(|&(min, max, _)| (min..=max).contains(&(col as f64)))
        .map(|(_, _, width)| width)
        .unwrap()
    }
}

/// The run of `fixtures/justifications` in February: an `Échéancier` with the projection's
/// columns, `Anomalies` with the justifications'.
fn wide_workbook(dir: &std::path::Path) -> Book {
    let book = dir.join("r.xlsx");
    run(
        &repo(),
        &[
            "reconcile",
            "fixtures/cloture-2020",
            "fixtures/justifications/2021-01",
            "fixtures/justifications/2021-02",
            "--as-of",
            "2021-02-28",
            "--justifications",
            "fixtures/justifications/justifications.csv",
            "--previsions",
            "fixtures/previsions/previsions.csv",
            "-q",
            "--fail-on",
            "never",
            "-o",
            book.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    Book::read(&book)
}

#[test]
fn wide_tables_print_over_pages_with_their_identifying_columns_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let book = wide_workbook(dir.path());
    // Échéancier: the schedule on one landscape page, the projection on the next, product
    // and year on both, the pages of a band of rows one after the other.
    let schedule = book.sheet("Échéancier");
    assert!(schedule.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    assert!(
        schedule.contains(
            r#"fitToWidth="2" fitToHeight="0" pageOrder="overThenDown" orientation="landscape""#
        ),
        "two pages wide, across then down: {schedule}"
    );
    assert!(
        schedule.contains(
            r#"<colBreaks count="1" manualBreakCount="1"><brk id="10" max="1048575" man="1"/></colBreaks>"#
        ),
        "the projection starts a page (column K)"
    );
    assert_eq!(
        book.print_titles("Échéancier"),
        "Échéancier!$A:$B,Échéancier!$2:$2"
    );
    // Anomalies with justifications: three pages wide, severity and code on each.
    let findings = book.sheet("Anomalies");
    assert!(findings.contains(r#"fitToWidth="3" fitToHeight="0" pageOrder="overThenDown""#));
    assert!(findings.contains(r#"<colBreaks count="2" manualBreakCount="2">"#));
    assert_eq!(
        book.print_titles("Anomalies"),
        "Anomalies!$A:$B,Anomalies!$2:$2"
    );
    // Message, key and comment wrap at 40 characters rather than widen the sheet.
    for col in [4, 12, 14] {
        let width = book.width("Anomalies", col);
        assert!((40.0..43.0).contains(&width), "column {col}: {width}");
    }
    // A table that fits one page keeps to it: no break, its header row only repeated.
    let commitments = book.sheet("Engagements");
    assert!(
        commitments.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#)
    );
    assert!(!commitments.contains("<colBreaks"));
    assert_eq!(book.print_titles("Engagements"), "Engagements!$2:$2");
}

#[test]
fn headers_wrap_over_two_lines_rather_than_widen_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let book = wide_workbook(dir.path());
    // « Écart AE projeté » (16 characters) over a column of amounts 15 wide.
    let schedule = book.sheet("Échéancier");
    let width = book.width("Échéancier", 14);
    assert!(width < 19.0, "Écart AE projeté: {width}");
    assert!(
        schedule.contains(r#"<row r="2" ht="30" customHeight="1""#),
        "the header row holds two lines"
    );
    let styles = Book::find(&book.parts, "xl/styles.xml");
    assert!(styles.contains(r#"wrapText="1""#));
}
