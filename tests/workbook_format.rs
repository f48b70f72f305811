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
    let workbook = part("xl/workbook.xml");
    for (id, sheet) in [(6, "Lignes"), (9, "Rejets"), (11, "Provenance")] {
        assert!(
            workbook.contains(&format!("localSheetId=\"{id}\">{sheet}!$2:$2<")),
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
