//! Generated national extracts (small sizes here; large ones in the benchmark): the tool
//! finds exactly the totals the generator computed on its own.

#[path = "../examples/generate_extracts.rs"]
mod generate_extracts;

mod common;

use common::run;

/// Reconciles the generated files of `dir` on two threads and returns the summary.
fn reconcile(dir: &std::path::Path) -> serde_json::Value {
    // Outside the input folder: an output inside it is refused (next month's run would
    // read it as an extract).
    let out = tempfile::tempdir().unwrap();
    let r = run(
        out.path(),
        &[
            "reconcile",
            dir.to_str().unwrap(),
            "--as-of",
            "2020-12-31",
            "-q",
            "-j",
            "2",
            "--fail-on",
            "never",
            "-o",
            "r.xlsx",
            "--summary",
            "-",
        ],
    );
    r.expect_code(0);
    serde_json::from_str(&r.stdout).unwrap()
}

/// The summary's line counts, totals and conservation are the generator's.
fn assert_totals(s: &serde_json::Value, expected: &generate_extracts::Expected) {
    let lines = &s["lines"];
    assert_eq!(lines["read"], expected.read, "{lines}");
    assert_eq!(lines["in_scope"], expected.in_scope, "{lines}");
    assert_eq!(lines["out_of_scope"], expected.out_of_scope, "{lines}");
    assert_eq!(lines["duplicates"], expected.duplicates, "{lines}");
    assert_eq!(lines["rejected"], 0);
    assert_eq!(
        s["totals"]["ae_consumed"],
        generate_extracts::cents_text(expected.ae_consumed_cents)
    );
    assert_eq!(
        s["totals"]["cp_consumed"],
        generate_extracts::cents_text(expected.cp_consumed_cents)
    );
    assert_eq!(s["conservation"]["holds"], true);
}

#[test]
fn totals_match_the_generators_expectation() {
    // The last size passes the out-of-scope detail limit: those lines are then kept slim
    // and grouped, and every count and total must still hold.
    for (lines, share, seed) in [(3_000u64, 0.2, 1u64), (2_000, 0.9, 7), (70_000, 0.2, 3)] {
        let dir = tempfile::tempdir().unwrap();
        let expected = generate_extracts::generate(lines, share, seed, dir.path()).unwrap();
        let s = reconcile(dir.path());
        assert_totals(&s, &expected);
        let count = |code: &str| {
            s["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["code"] == code)
                .count() as u64
        };
        assert_eq!(count("TITRE_2"), expected.titre_2);
        assert_eq!(count("DP_SANS_EJ"), expected.payments_without_ej);
        assert_eq!(count("IMPUTATION_PARTIELLE"), expected.partial);
        assert_eq!(
            s["out_of_scope_grouped"],
            lines > 50_000,
            "{}",
            s["out_of_scope_grouped"]
        );
    }
}

#[test]
fn a_bo_webi_workbook_gives_the_generators_totals() {
    // Past a piece of 4,096 rows, so that a worksheet is read in several pieces.
    let dir = tempfile::tempdir().unwrap();
    let expected = generate_extracts::generate_bowebi(9_000, 0.3, 5, dir.path()).unwrap();
    assert_totals(&reconcile(dir.path()), &expected);
}
