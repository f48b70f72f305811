//! `--previsions` and the projection (art. 5), through the real binary: the figures of
//! `fixtures/previsions/LISEZMOI.md` in the summary, the findings and `Échéancier`; the
//! run-rate projection without a file; a malformed file refused with every mistake.

mod common;

use std::path::Path;

use common::{assert_subset, read_workbook, repo, run};
use serde_json::Value;

/// Reconciles in the repository; returns the summary and the workbook's `Échéancier`.
fn reconcile(args: &[&str], out: &Path, code: i32) -> (Value, Vec<Vec<String>>) {
    let (book, summary) = (out.join("r.xlsx"), out.join("r.json"));
    let mut all = vec!["reconcile"];
    all.extend(args);
    let (book_arg, summary_arg) = (book.display().to_string(), summary.display().to_string());
    all.extend(["-q", "-o", &book_arg, "--summary", &summary_arg]);
    run(&repo(), &all).expect_code(code);
    let summary = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let sheet = read_workbook(&book)
        .into_iter()
        .find(|(name, _)| name == "Échéancier")
        .expect("an Échéancier sheet")
        .1;
    (summary, sheet)
}

fn projected(summary: &Value) -> Vec<(String, String, String)> {
    summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CREDITS_NON_CONSOMMES_PREVUS")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("key"), s("amount"), s("severity"))
        })
        .collect()
}

/// The cell of `Échéancier` under `header` on the row of `product` and `year`.
fn cell<'a>(sheet: &'a [Vec<String>], product: &str, year: &str, header: &str) -> &'a str {
    let head = sheet
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "Produit"))
        .expect("the header row");
    let col = head.iter().position(|h| h == header).unwrap_or_else(|| {
        panic!("no column « {header} » in {head:?}");
    });
    let row = sheet
        .iter()
        .find(|r| r[0] == product && r[1] == year)
        .unwrap_or_else(|| panic!("no row {product} {year}"));
    &row[col]
}

#[test]
fn forecasts_at_the_2020_closing_warn_of_2021_credits_left_unused() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/previsions/expected.json")).unwrap(),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    // The forecast file's own folder is an input too: it is no stray file there.
    let (summary, sheet) = reconcile(
        &[
            "fixtures/previsions",
            "fixtures/cloture-2020",
            "--as-of",
            "2020-12-31",
            "--previsions",
            "fixtures/previsions/previsions.csv",
        ],
        out.path(),
        0,
    );
    assert_subset(&expected["summary"], &summary, "previsions");
    assert_eq!(
        projected(&summary),
        [
            (
                "CREDITS_NON_CONSOMMES_PREVUS:produit=potentiel|annee=2021|CP".into(),
                "6000.00".into(),
                "info".into()
            ),
            (
                "CREDITS_NON_CONSOMMES_PREVUS:produit=carbure|annee=2021|CP".into(),
                "6000.00".into(),
                "info".into()
            ),
        ]
    );
    let message = summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CREDITS_NON_CONSOMMES_PREVUS")
        .unwrap()["message"]
        .as_str()
        .unwrap();
    for part in [
        "d'après les prévisions du délégataire",
        "34\u{202f}000,00",
        "6\u{202f}000,00",
        "L'article 5",
        "avertir le délégant",
    ] {
        assert!(message.contains(part), "« {part} » absent de : {message}");
    }
    // Échéancier, beside the schedule: the délégataire's forecasts, the projection, the gap.
    assert_eq!(cell(&sheet, "Potentiel", "2021", "CP prévus"), "40000");
    assert_eq!(
        cell(&sheet, "Potentiel", "2021", "Projection"),
        "prévisions"
    );
    assert_eq!(cell(&sheet, "Potentiel", "2021", "CP délégataire"), "34000");
    assert_eq!(cell(&sheet, "Potentiel", "2021", "CP projetés"), "34000");
    assert_eq!(
        cell(&sheet, "Potentiel", "2021", "Écart CP projeté"),
        "-6000"
    );
    assert_eq!(cell(&sheet, "Potentiel", "2021", "Écart AE projeté"), "");
    assert_eq!(cell(&sheet, "CarbuRe", "2020", "Projection"), "réalisé");
    assert_eq!(cell(&sheet, "CarbuRe", "2020", "AE délégataire"), "70000");
    assert_eq!(cell(&sheet, "CarbuRe", "2020", "AE projetées"), "70000");
    assert_eq!(
        cell(&sheet, "CarbuRe", "2020", "Écart AE projeté"),
        "-10000"
    );
    // To the convention's end: CP 75 000 + 34 000 + 34 000 = 143 000, 17 000 unused.
    assert_eq!(cell(&sheet, "Total", "", "CP projetés"), "143000");
    assert_eq!(cell(&sheet, "Total", "", "Écart CP projeté"), "-17000");
}

#[test]
fn without_forecasts_the_run_rate_is_projected_to_the_convention_end() {
    let out = tempfile::tempdir().unwrap();
    let (summary, sheet) = reconcile(
        &[
            "fixtures/fin-convention/2020",
            "fixtures/fin-convention/2021-07",
            "--as-of",
            "2021-06-30",
        ],
        out.path(),
        0,
    );
    assert_eq!(
        projected(&summary),
        [
            (
                "CREDITS_NON_CONSOMMES_PREVUS:produit=potentiel|annee=2021|CP".into(),
                "2000.00".into(),
                "info".into()
            ),
            (
                "CREDITS_NON_CONSOMMES_PREVUS:produit=carbure|annee=2021|CP".into(),
                "14333.33".into(),
                "info".into()
            ),
        ]
    );
    let year = |product: usize, index: usize| &summary["products"][product]["years"][index];
    assert_eq!(year(0, 1)["year"], 2021);
    let potentiel = &year(0, 1)["projection"];
    assert_eq!(potentiel["source"], "rythme");
    assert_eq!(potentiel["cp"], "38000.00");
    assert_eq!(potentiel["unused_cp"], "2000.00");
    assert_eq!(potentiel["cp_forecast"], Value::Null);
    assert_eq!(year(1, 1)["projection"]["cp"], "25666.67");
    assert_eq!(year(1, 0)["projection"]["source"], "realise");
    assert_eq!(cell(&sheet, "CarbuRe", "2021", "Projection"), "rythme");
    assert_eq!(cell(&sheet, "CarbuRe", "2021", "CP projetés"), "25666.67");
    assert_eq!(cell(&sheet, "CarbuRe", "2021", "CP délégataire"), "");
    // At the 2020 closing, 2021 has not started: no rate, no projection, no warning.
    let out = tempfile::tempdir().unwrap();
    let (summary, sheet) = reconcile(
        &["fixtures/cloture-2020", "--as-of", "2020-12-31"],
        out.path(),
        0,
    );
    assert!(projected(&summary).is_empty());
    let next = &summary["products"][0]["years"][1]["projection"];
    assert_eq!(next["source"], "aucune");
    assert_eq!(
        (&next["cp"], &next["unused_cp"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(cell(&sheet, "Potentiel", "2021", "CP projetés"), "");
    assert_eq!(cell(&sheet, "Total", "", "CP projetés"), "");
}

#[test]
fn a_malformed_forecast_file_stops_the_run_listing_every_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("previsions.csv");
    std::fs::write(
        &file,
        "produit;periode;ae;cp\n\
         potentiel;2021-13;;1000\n\
         inconnu;2021-01;;1000\n\
         carbure;2021-02;;douze\n\
         carbure;2021-03;;\n",
    )
    .unwrap();
    let book = dir.path().join("r.xlsx");
    let outcome = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/cloture-2020",
            "--as-of",
            "2020-12-31",
            "--previsions",
            &file.display().to_string(),
            "-o",
            &book.display().to_string(),
        ],
    );
    outcome.expect_code(2);
    for part in [
        "ligne 2, colonne « periode »",
        "ligne 3, colonne « produit » : produit « inconnu » inconnu",
        "ligne 4, colonne « cp »",
        "ligne 5, colonne « ae » : ni AE ni CP",
    ] {
        assert!(
            outcome.stderr.contains(part),
            "« {part} » absent de :\n{}",
            outcome.stderr
        );
    }
    assert!(!book.exists(), "nothing is written");
    // A missing file is refused too, before any input is read.
    let outcome = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/cloture-2020",
            "--previsions",
            "absent.csv",
            "-o",
            &book.display().to_string(),
        ],
    );
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("absent.csv"), "{}", outcome.stderr);
}

#[test]
fn the_projection_is_the_same_whatever_the_thread_count() {
    let bytes = |jobs: &str| {
        let out = tempfile::tempdir().unwrap();
        let book = out.path().join("r.xlsx");
        run(
            &repo(),
            &[
                "reconcile",
                "fixtures/fin-convention/2020",
                "fixtures/fin-convention/2021-07",
                "--as-of",
                "2021-06-30",
                "--previsions",
                "fixtures/previsions/previsions.csv",
                "-j",
                jobs,
                "-q",
                "-o",
                &book.display().to_string(),
            ],
        )
        .expect_code(0);
        std::fs::read(book).unwrap()
    };
    assert_eq!(bytes("1"), bytes("2"));
}

#[test]
fn an_xlsx_forecast_file_is_read_with_dates_names_and_whole_years() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("previsions.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("mm/yyyy");
    // A title above the header, products by name, a month as an Excel date, a whole year.
    sheet.write_string(0, 0, "Prévisions DINUM").unwrap();
    for (col, h) in ["Produit", "Période", "AE", "CP"].iter().enumerate() {
        sheet.write_string(2, col as u16, *h).unwrap();
    }
    sheet.write_string(3, 0, "Potentiel").unwrap();
    let march = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 3, 1).unwrap();
    sheet
        .write_datetime_with_format(3, 1, &march, &date)
        .unwrap();
    sheet.write_number(3, 3, 6000.0).unwrap();
    sheet.write_string(4, 0, "carbure").unwrap();
    sheet.write_number(4, 1, 2021.0).unwrap();
    sheet.write_number(4, 3, 7000.0).unwrap();
    book.save(&file).unwrap();
    let summary = closing_2020_with(&file);
    let next = |product: usize| &summary["products"][product]["years"][1]["projection"];
    assert_eq!(next(0)["cp_forecast"], "6000.00");
    assert_eq!(next(0)["cp"], "6000.00");
    assert_eq!(next(0)["unused_cp"], "34000.00");
    // 2021 has not started: the whole year counts.
    assert_eq!(next(1)["cp"], "7000.00");
    assert_eq!(next(1)["unused_cp"], "33000.00");
    assert_eq!(projected(&summary).len(), 2);
}

#[test]
fn a_tab_separated_forecast_file_may_have_a_title_above_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("previsions.tsv");
    std::fs::write(
        &file,
        "Prévisions DINUM 2021\n\nproduit\tperiode\tae\tcp\npotentiel\t2021-03\t\t6000,00\ncarbure\t2021\t\t7000,00\n",
    )
    .unwrap();
    let summary = closing_2020_with(&file);
    let next = |product: usize| &summary["products"][product]["years"][1]["projection"];
    assert_eq!(next(0)["cp_forecast"], "6000.00");
    assert_eq!(next(0)["unused_cp"], "34000.00");
    assert_eq!(next(1)["cp"], "7000.00");
}

/// The summary of `fixtures/cloture-2020` at 31/12/2020 with this forecast file.
fn closing_2020_with(file: &std::path::Path) -> Value {
    let out = tempfile::tempdir().unwrap();
    let args = [
        "fixtures/cloture-2020",
        "--as-of",
        "2020-12-31",
        "--previsions",
        &file.display().to_string(),
    ];
    reconcile(&args, out.path(), 0).0
}
