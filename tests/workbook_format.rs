//! The workbook's form, read back from the XLSX parts: every table sheet has its header
//! row frozen and a filter, amounts carry the euro format, dates the French date format,
//! rates a percentage; the document date is the reconciliation date (reproducible bytes).

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
    // Sheets 2..10 are tables but for the report pages, Synthèse (1) and Fin de gestion (4).
    for i in (2..=10).filter(|i| *i != 4) {
        let sheet = part(&format!("xl/worksheets/sheet{i}.xml"));
        assert!(
            sheet.contains("state=\"frozen\""),
            "sheet{i}: header not frozen"
        );
        assert!(sheet.contains("<autoFilter"), "sheet{i}: no filter");
    }
    let styles = part("xl/styles.xml");
    assert!(
        styles.contains("#,##0.00 &quot;€&quot;"),
        "no euro amount format"
    );
    assert!(styles.contains("dd/mm/yyyy"), "no French date format");
    assert!(styles.contains("0.0%"), "no percentage format");
    let core = part("docProps/core.xml");
    assert!(
        core.contains("2021-12-31T00:00:00Z"),
        "document date is not the --as-of date: {core}"
    );
}
