//! A folder of extracts with stray files in it: the month still gets its workbook, and
//! every stray file is listed; a file named on the command line still stops the run.

mod common;

use common::{repo, run};
use serde_json::Value;

fn folder_with_strays() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let extraits = dir.path().join("extraits");
    std::fs::create_dir(&extraits).unwrap();
    for f in ["ej_2020.csv", "dp_2020.csv"] {
        std::fs::copy(repo().join("fixtures/conforme").join(f), extraits.join(f)).unwrap();
    }
    std::fs::copy(
        repo().join("fixtures/bad/nomenclature-localisations.csv"),
        extraits.join("LOC_INTERMIN.csv"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("fixtures/bad/pdf-renomme.csv"),
        extraits.join("note.csv"),
    )
    .unwrap();
    dir
}

#[test]
fn stray_files_in_a_folder_are_skipped_and_listed() {
    let dir = folder_with_strays();
    let d = dir.path();
    let out = run(
        d,
        &[
            "reconcile",
            "extraits",
            "--as-of",
            "2020-11-30",
            "--fail-on",
            "warning",
            "-q",
            "-o",
            "r.xlsx",
            "--summary",
            "r.json",
        ],
    );
    out.expect_code(1);
    assert!(d.join("r.xlsx").is_file());
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.json")).unwrap()).unwrap();
    let skipped = s["inputs_skipped"].as_array().unwrap();
    let paths: Vec<&str> = skipped
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["extraits/LOC_INTERMIN.csv", "extraits/note.csv"]);
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("nomenclature")
    );
    assert!(skipped[1]["reason"].as_str().unwrap().contains("PDF"));
    let ignored: Vec<&Value> = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "FICHIER_IGNORE")
        .collect();
    assert_eq!(ignored.len(), 2);
    assert_eq!(ignored[0]["severity"], "warning");
    assert_eq!(ignored[0]["file"], "extraits/LOC_INTERMIN.csv");
    assert_eq!(
        ignored[0]["key"],
        "FICHIER_IGNORE:fichier=extraits/LOC_INTERMIN.csv"
    );
    // The two extracts were reconciled.
    assert_eq!(s["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(s["totals"]["ae_consumed"], "95000.00");
    // Without --fail-on warning, a stray file alone does not fail the month.
    let out = run(
        d,
        &[
            "reconcile",
            "extraits",
            "--as-of",
            "2020-11-30",
            "-q",
            "-o",
            "r2.xlsx",
        ],
    );
    out.expect_code(0);
}

#[test]
fn a_file_named_on_the_command_line_still_stops_the_run() {
    let dir = folder_with_strays();
    let d = dir.path();
    let out = run(
        d,
        &[
            "reconcile",
            "extraits/ej_2020.csv",
            "extraits/note.csv",
            "-q",
            "-o",
            "r.xlsx",
        ],
    );
    out.expect_code(2);
    assert!(out.stderr.contains("note.csv"), "{}", out.stderr);
    assert!(!d.join("r.xlsx").exists());
}

#[test]
fn check_gives_every_files_verdict_in_one_pass() {
    let dir = folder_with_strays();
    let d = dir.path();
    let out = run(d, &["check", "extraits", "--as-of", "2020-11-30"]);
    out.expect_code(1);
    assert!(
        out.stdout
            .contains("extraits/LOC_INTERMIN.csv\n  ignoré : "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("extraits/note.csv\n  ignoré : "),
        "{}",
        out.stdout
    );
    // A damaged extract among them: listed too, and exit 2.
    std::fs::write(
        d.join("extraits/ej_abime.csv"),
        b"\"Centre financier - Cl\xc3\xa9 (non compos\xc3\xa9e)\";\"N\xc2\xb0 EJ\";\"N\xc2\xb0 poste EJ\";\"Montant engag\xc3\xa9 (EUR)\"\r\n\"0174-SOUT-ELAB\";\"2100000001\";\"1\";\"1,00\"\r\n\"0174-SOUT-ELAB\";\"2100000002\";\"1\";\"\xff\xfe\"\r\n",
    )
    .unwrap();
    let out = run(d, &["check", "extraits", "--as-of", "2020-11-30"]);
    out.expect_code(2);
    assert!(out.stdout.contains("refusé"), "{}", out.stdout);
    assert!(out.stdout.contains("ignoré"), "{}", out.stdout);
}
