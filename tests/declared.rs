//! `--declare` through the real binary, on `fixtures/declaration-commandes` (its
//! `LISEZMOI.md`, « 1. Déclaré et Chorus »): the findings, the summary's `declaration`,
//! the sheet « Déclaré et Chorus » read back; the follow-up with `--previous`; a bad file
//! refused with every mistake and nothing written.

mod common;

use std::path::Path;

use common::{read_workbook, repo, run};
use serde_json::Value;

const DIR: &str = "fixtures/declaration-commandes";
const SHEET: &str = "Déclaré et Chorus";

/// A workbook read back: each sheet's name and rows of strings.
type Book = Vec<(String, Vec<Vec<String>>)>;

/// Reconciles the fixture in the repository with `extra`; returns the summary and the
/// workbook's sheets.
fn reconcile(extra: &[&str], as_of: &str, out: &Path, name: &str) -> (Value, Book) {
    let (book, summary) = (
        out.join(format!("{name}.xlsx")),
        out.join(format!("{name}.json")),
    );
    let (book_arg, summary_arg) = (book.display().to_string(), summary.display().to_string());
    let convention = format!("{DIR}/convention.toml");
    let mut all = vec!["reconcile", DIR, "-c", &convention, "--as-of", as_of];
    all.extend(extra);
    all.extend(["-q", "-o", &book_arg, "--summary", &summary_arg]);
    run(&repo(), &all).expect_code(0);
    let summary = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    (summary, read_workbook(&book))
}

fn declare() -> String {
    format!("{DIR}/declaration.csv")
}

/// The `ECART_DECLARATION` findings: (key, amount).
fn gaps(summary: &Value) -> Vec<(String, String)> {
    (summary["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "ECART_DECLARATION")
        .map(|f| {
            assert_eq!(f["severity"], "warning");
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("key"), s("amount"))
        })
        .collect()
}

fn sheet(book: &Book) -> &[Vec<String>] {
    let at = book
        .iter()
        .position(|(n, _)| n == SHEET)
        .expect("the sheet");
    assert_eq!(
        book[at - 1].0,
        "Mensuel",
        "« {SHEET} » comes after « Mensuel »"
    );
    &book[at].1
}

/// The cell under `header` on the first row whose first two cells are `product`, `period`.
fn cell<'a>(rows: &'a [Vec<String>], product: &str, period: &str, header: &str) -> &'a str {
    let head = (rows.iter())
        .find(|r| r.first().is_some_and(|c| c == "Produit"))
        .expect("the header row");
    let col = head.iter().position(|h| h == header).unwrap_or_else(|| {
        panic!("no column « {header} » in {head:?}");
    });
    let row = (rows.iter())
        .find(|r| r[0] == product && r[1] == period)
        .unwrap_or_else(|| panic!("no row {product} {period} in {rows:#?}"));
    &row[col]
}

/// The rows whose « Constat » is `verdict`: (product, AE gap, CP gap, since).
fn verdicts(rows: &[Vec<String>], verdict: &str) -> Vec<(String, String, String, String)> {
    (rows.iter())
        .filter(|r| r.get(8).is_some_and(|c| c == verdict))
        .map(|r| (r[0].clone(), r[4].clone(), r[7].clone(), r[9].clone()))
        .collect()
}

#[test]
fn without_the_orders_the_declaration_has_two_gaps_and_one_within_the_tolerance() {
    let out = tempfile::tempdir().unwrap();
    let d = declare();
    let (summary, book) = reconcile(&["--declare", &d], "2020-12-31", out.path(), "r");
    // EJ 2100005006 unattributed: CarbuRe 2020-10 is 0 in Chorus, declared 6 000.
    assert_eq!(
        gaps(&summary),
        [
            (
                "ECART_DECLARATION:produit=carbure|periode=2020-04|AE".to_string(),
                "-4000.00".to_string()
            ),
            (
                "ECART_DECLARATION:produit=carbure|periode=2020-10|AE".to_string(),
                "6000.00".to_string()
            ),
        ]
    );
    let message = (summary["findings"].as_array().unwrap().iter())
        .find(|f| f["code"] == "ECART_DECLARATION")
        .unwrap()["message"]
        .as_str()
        .unwrap();
    for part in [
        "CarbuRe, avril 2020",
        "20\u{202f}000,00",
        "24\u{202f}000,00",
        "-4\u{202f}000,00",
        "5,00",
        "ouvert depuis avril 2020",
    ] {
        assert!(message.contains(part), "« {part} » absent de : {message}");
    }
    declaration_key_without_the_orders(&summary);
    sheet_without_the_orders(sheet(&book));
}

/// The summary's `declaration` and skipped files, `--declare` alone.
fn declaration_key_without_the_orders(summary: &Value) {
    let declaration = &summary["declaration"];
    assert_eq!(declaration["rows"], 13);
    assert_eq!(declaration["tolerance"], "5.00");
    // January to November, both products.
    assert_eq!(declaration["periods_compared"], 22);
    assert_eq!(declaration["periods_with_gap"], 2);
    assert_eq!(declaration["periods_within_tolerance"], 1);
    assert_eq!(declaration["ae_declared"], "132000.00");
    assert_eq!(declaration["ae_chorus"], "130000.00");
    assert_eq!(declaration["cp_declared"], "73503.00");
    assert_eq!(declaration["cp_chorus"], "73500.00");
    // Named by `--declare`, the file in the extracts' folder is no stray file.
    let skipped: Vec<&str> = (summary["inputs_skipped"].as_array().unwrap().iter())
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, [format!("{DIR}/commandes.csv")]);
}

/// « Déclaré et Chorus », `--declare` alone.
fn sheet_without_the_orders(rows: &[Vec<String>]) {
    assert_eq!(
        rows[0][0],
        "Déclaré par le délégataire (« declaration.csv ») et Chorus, par produit et période ; écart = déclaré − Chorus, tolérance 5,00\u{a0}€ ; mois non déclaré : 0."
    );
    let gap = |ae: &str, since: &str| ("CarbuRe".into(), ae.into(), "0".into(), since.into());
    assert_eq!(
        verdicts(rows, "écart"),
        [gap("-4000", "avril 2020"), gap("6000", "octobre 2020")]
    );
    let within = verdicts(rows, "dans la tolérance");
    assert_eq!(
        within,
        [("Potentiel".into(), "0".into(), "3".into(), String::new())]
    );
    // Per product and year: CarbuRe AE declared 71 000, Chorus 69 000; Potentiel CP +3.
    assert_eq!(cell(rows, "CarbuRe", "Total 2020", "AE déclarées"), "71000");
    assert_eq!(cell(rows, "CarbuRe", "Total 2020", "AE Chorus"), "69000");
    assert_eq!(cell(rows, "CarbuRe", "Total 2020", "Écart AE"), "2000");
    assert_eq!(
        cell(rows, "Potentiel", "Total 2020", "CP déclarés"),
        "35503"
    );
    assert_eq!(cell(rows, "Potentiel", "Total 2020", "Écart CP"), "3");
    assert_eq!(cell(rows, "Total général", "", "AE déclarées"), "132000");
}

#[test]
fn months_are_real_dates_years_and_totals_text() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let out = tempfile::tempdir().unwrap();
    let d = declare();
    reconcile(&["--declare", &d], "2020-12-31", out.path(), "r");
    let mut book: Xlsx<_> = open_workbook(out.path().join("r.xlsx")).unwrap();
    let range = book.worksheet_range(SHEET).unwrap();
    // Caption, header, then Potentiel's January 2020.
    let first = range.get((2, 1)).unwrap();
    match first {
        // 1 January 2020, as Excel counts days.
        Data::DateTime(d) => assert_eq!(d.as_f64(), 43831.0),
        other => panic!("a month is a date cell, not {other:?}"),
    }
    let total = (range.rows())
        .find(|r| r[0] == Data::String("Potentiel".into()) && !matches!(r[1], Data::DateTime(_)))
        .unwrap();
    assert_eq!(total[1], Data::String("Total 2020".into()));
}

#[test]
fn with_the_orders_only_the_april_gap_remains() {
    let out = tempfile::tempdir().unwrap();
    let (d, c) = (declare(), format!("{DIR}/commandes.csv"));
    let (summary, book) = reconcile(
        &["--declare", &d, "--commandes", &c],
        "2020-12-31",
        out.path(),
        "r",
    );
    assert_eq!(
        gaps(&summary),
        [(
            "ECART_DECLARATION:produit=carbure|periode=2020-04|AE".to_string(),
            "-4000.00".to_string()
        )]
    );
    let declaration = &summary["declaration"];
    assert_eq!(declaration["periods_with_gap"], 1);
    assert_eq!(declaration["periods_within_tolerance"], 1);
    assert_eq!(declaration["ae_chorus"], "136000.00");
    assert_eq!(summary["inputs_skipped"].as_array().unwrap().len(), 0);
    let rows = sheet(&book);
    assert_eq!(
        verdicts(rows, "écart"),
        [(
            "CarbuRe".into(),
            "-4000".into(),
            "0".into(),
            "avril 2020".into()
        )]
    );
    assert_eq!(cell(rows, "CarbuRe", "Total 2020", "AE déclarées"), "71000");
    assert_eq!(cell(rows, "CarbuRe", "Total 2020", "AE Chorus"), "75000");
    assert_eq!(cell(rows, "CarbuRe", "Total 2020", "Écart AE"), "-4000");
    assert_eq!(cell(rows, "Potentiel", "Total 2020", "AE Chorus"), "61000");
    assert_eq!(cell(rows, "Potentiel", "Total 2020", "Écart CP"), "3");
}

#[test]
fn a_gap_still_open_next_month_says_since_which_run() {
    let out = tempfile::tempdir().unwrap();
    let d = declare();
    let (first, _) = reconcile(&["--declare", &d], "2020-12-31", out.path(), "dec");
    assert!(first["findings"].as_array().unwrap().len() > 2);
    let previous = out.path().join("dec.json").display().to_string();
    let (summary, book) = reconcile(
        &["--declare", &d, "--previous", &previous],
        "2021-01-31",
        out.path(),
        "jan",
    );
    let april = (summary["findings"].as_array().unwrap().iter())
        .find(|f| f["key"] == "ECART_DECLARATION:produit=carbure|periode=2020-04|AE")
        .expect("the April gap, again");
    assert_eq!(april["first_seen"], "2020-12-31");
    let rows = sheet(&book);
    let since = &verdicts(rows, "écart")[0].3;
    assert_eq!(
        since,
        "avril 2020 (vu depuis le rapprochement du 31/12/2020)"
    );
}

#[test]
fn without_declare_neither_the_key_nor_the_sheet() {
    let out = tempfile::tempdir().unwrap();
    let (summary, book) = reconcile(&[], "2020-12-31", out.path(), "r");
    assert!(summary.get("declaration").is_none(), "{summary:#}");
    assert!(gaps(&summary).is_empty());
    assert!(book.iter().all(|(n, _)| n != SHEET));
}

#[test]
fn check_counts_the_gaps_and_does_not_ignore_the_file() {
    let (convention, d) = (format!("{DIR}/convention.toml"), declare());
    let args = ["check", DIR, "-c", &convention, "--as-of", "2020-12-31"];
    let without = run(&repo(), &args);
    let mut with_declare = args.to_vec();
    with_declare.extend(["--declare", &d]);
    let with = run(&repo(), &with_declare);
    // Two FICHIER_IGNORE without it; one (commandes.csv) and two ECART_DECLARATION with it.
    assert!(
        without.stdout.contains("declaration.csv\n  ignoré"),
        "{}",
        without.stdout
    );
    assert!(!with.stdout.contains("declaration.csv"), "{}", with.stdout);
    assert!(
        with.stdout
            .contains("Anomalies : 0 erreur(s), 4 avertissement(s)"),
        "{}",
        with.stdout
    );
}

#[test]
fn the_same_bytes_whatever_the_jobs() {
    let out = tempfile::tempdir().unwrap();
    let d = declare();
    let bytes = |jobs: &str| {
        let name = format!("j{jobs}");
        reconcile(
            &["--declare", &d, "--jobs", jobs],
            "2020-12-31",
            out.path(),
            &name,
        );
        let read = |ext: &str| std::fs::read(out.path().join(format!("{name}.{ext}"))).unwrap();
        (read("xlsx"), read("json"))
    };
    let (one, two) = (bytes("1"), bytes("2"));
    assert!(one.0 == two.0, "the workbooks differ");
    assert!(one.1 == two.1, "the summaries differ");
}

#[test]
fn a_bad_declaration_is_refused_with_every_mistake_and_nothing_written() {
    let out = tempfile::tempdir().unwrap();
    let bad = out.path().join("declaration.csv");
    std::fs::write(
        &bad,
        "produit;periode;ae;cp\npotentiel;2020-01;1 000,00;\npotentiel;2020-01;5;\ninconnu;2020-13;x;\n",
    )
    .unwrap();
    let book = out.path().join("r.xlsx");
    let outcome = run(
        &repo(),
        &[
            "reconcile",
            DIR,
            "-q",
            "--declare",
            &bad.display().to_string(),
            "-o",
            &book.display().to_string(),
        ],
    );
    outcome.expect_code(2);
    let err = &outcome.stderr;
    for part in [
        "declaration.csv",
        "4 erreurs",
        "ligne 3, colonne « periode » : période 2020-01 déjà déclarée pour ce produit (ligne 2)",
        "ligne 4, colonne « produit » : produit « inconnu » inconnu",
        "ligne 4, colonne « periode » : période illisible « 2020-13 »",
        "ligne 4, colonne « ae »",
    ] {
        assert!(err.contains(part), "« {part} » absent de : {err}");
    }
    assert!(!book.exists());
}
