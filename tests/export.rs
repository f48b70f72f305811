//! `--export-lignes DOSSIER`: every movement read, with its statut, as a plain CSV and a
//! Frictionless Data Package, checked against the summary of the same run.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use common::{repo, run};
use rust_decimal::Decimal;
use serde_json::Value;

/// Runs `reconcile` on a fixture folder with the export; returns the summary and the
/// export's rows (header first).
fn export(fixture: &str, dir: &Path, jobs: &str) -> (Value, Vec<csv::StringRecord>) {
    let out = dir.join("export");
    let r = run(
        &repo(),
        &[
            "reconcile",
            &format!("fixtures/{fixture}"),
            "--as-of",
            "2021-12-31",
            "-q",
            "--jobs",
            jobs,
            "-o",
            "/dev/null",
            "--summary",
            "-",
            "--fail-on",
            "never",
            "--export-lignes",
            out.to_str().unwrap(),
        ],
    );
    r.expect_code(0);
    let summary: Value = serde_json::from_str(&r.stdout).unwrap();
    let bytes = std::fs::read(out.join("lignes.csv")).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM in lignes.csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let rows = reader.records().map(|r| r.unwrap()).collect();
    (summary, rows)
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn amount(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

/// Conservation: one CSV line per movement, per statut and measure as the summary counts
/// them; one per rejected row; every data row found; in-scope sums equal the totals.
fn check_against_summary(fixture: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (s, rows) = export(fixture, dir.path(), "2");
    let header = &rows[0];
    let [statut, fichier, feuille, ligne, mesure, montant, ej] = [
        "statut", "fichier", "feuille", "ligne", "mesure", "montant", "ej",
    ]
    .map(|n| column(header, n));
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut data_rows = BTreeSet::new();
    let (mut ae, mut cp) = (Decimal::ZERO, Decimal::ZERO);
    for row in &rows[1..] {
        *counts
            .entry((row[statut].to_string(), row[mesure].to_string()))
            .or_default() += 1;
        data_rows.insert((
            row[fichier].to_string(),
            row[feuille].to_string(),
            row[ligne].to_string(),
        ));
        if &row[statut] == "perimetre" {
            let m = Decimal::from_str(&row[montant]).unwrap();
            match &row[mesure] {
                "AE" => ae += m,
                "CP" if row[ej].is_empty() => (ae += m, cp += m).1,
                _ => cp += m,
            }
        }
    }
    let count = |statut: &str, mesure: &str| {
        counts
            .get(&(statut.into(), mesure.into()))
            .copied()
            .unwrap_or(0)
    };
    for (m, key) in [("AE", "ae"), ("CP", "cp")] {
        let moves = &s["movements"][key];
        for (statut, field) in [
            ("perimetre", "in_scope"),
            ("hors_perimetre", "out_of_scope"),
            ("doublon", "duplicates"),
            ("remplace", "replaced"),
        ] {
            assert_eq!(
                count(statut, m),
                moves[field].as_u64().unwrap(),
                "{fixture}: {statut} {m}"
            );
        }
    }
    assert_eq!(
        count("rejet", ""),
        s["lines"]["rejected"].as_u64().unwrap(),
        "{fixture}: rejets"
    );
    assert_eq!(
        data_rows.len() as u64,
        s["lines"]["read"].as_u64().unwrap(),
        "{fixture}: rows"
    );
    assert_eq!(ae, amount(&s["totals"]["ae_consumed"]), "{fixture}: AE");
    assert_eq!(cp, amount(&s["totals"]["cp_consumed"]), "{fixture}: CP");
}

#[test]
fn every_movement_is_exported_once_as_the_summary_counts_it() {
    // Rejections, a duplicate and a replaced state; several extracts and states;
    // workbook sheets; carry-over split off BEx engagements.
    for fixture in ["anomalies", "extraits-reels", "classeurs", "annee-complete"] {
        check_against_summary(fixture);
    }
}

#[test]
fn rejections_keep_their_reason_and_duplicates_name_their_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rows) = export("anomalies", dir.path(), "1");
    let header = &rows[0];
    let (statut, motif, montant) = (
        column(header, "statut"),
        column(header, "motif"),
        column(header, "montant"),
    );
    let rejected: Vec<_> = rows.iter().filter(|r| &r[statut] == "rejet").collect();
    assert!(!rejected.is_empty());
    for r in rejected {
        assert!(!r[motif].is_empty() && r[montant].is_empty(), "{r:?}");
    }
    let duplicate = rows
        .iter()
        .find(|r| &r[statut] == "doublon")
        .expect("a duplicate");
    assert!(
        duplicate[motif].starts_with("doublon de la ligne "),
        "{duplicate:?}"
    );
    let replaced = rows
        .iter()
        .find(|r| &r[statut] == "remplace")
        .expect("a replaced state");
    assert!(
        replaced[motif].starts_with("état remplacé par la ligne "),
        "{replaced:?}"
    );
}

#[test]
fn the_export_is_the_same_whatever_the_threads() {
    let (one, four) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    export("extraits-reels", one.path(), "1");
    export("extraits-reels", four.path(), "4");
    for file in ["lignes.csv", "datapackage.json"] {
        let read = |d: &Path| std::fs::read(d.join("export").join(file)).unwrap();
        assert_eq!(read(one.path()), read(four.path()), "{file}");
    }
}

#[test]
fn the_data_package_describes_every_column_and_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rows) = export("anomalies", dir.path(), "2");
    let folder = dir.path().join("export");
    let text = std::fs::read_to_string(folder.join("datapackage.json")).unwrap();
    let package: Value = serde_json::from_str(&text).unwrap();
    let resource = &package["resources"][0];
    assert_eq!(resource["path"], "lignes.csv");
    let fields = resource["schema"]["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, rows[0].iter().collect::<Vec<_>>());
    for f in fields {
        assert!(["string", "number", "integer", "date"].contains(&f["type"].as_str().unwrap()));
        assert!(!f["description"].as_str().unwrap().is_empty(), "{f}");
    }
    // The Frictionless validator checks the descriptor against the Data Package profile
    // and every row against the schema (types, column count).
    let validated = std::process::Command::new("frictionless")
        .arg("validate")
        .arg(folder.join("datapackage.json"))
        .output();
    match validated {
        Ok(out) => assert!(
            out.status.success(),
            "frictionless validate a échoué :\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!(
            "\n*** FRICTIONLESS ABSENT ({e}) : datapackage.json non validé par `frictionless validate` ; installez-le (pip install frictionless) ***\n"
        ),
    }
}

#[test]
fn the_folder_is_created_and_a_file_in_its_place_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `export` names a folder that does not exist yet.
    let (s, rows) = export("conforme", dir.path(), "1");
    assert_eq!(rows.len() as u64 - 1, s["lines"]["read"].as_u64().unwrap());
    let file = dir.path().join("fichier");
    std::fs::write(&file, "x").unwrap();
    let r = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/conforme",
            "-q",
            "-o",
            "/dev/null",
            "--export-lignes",
            file.to_str().unwrap(),
        ],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("doit désigner un dossier"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn a_failed_run_leaves_no_folder_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let missing = dir.path().join("absent.csv");
    let r = run(
        &repo(),
        &[
            "reconcile",
            missing.to_str().unwrap(),
            "-q",
            "-o",
            "/dev/null",
            "--export-lignes",
            out.to_str().unwrap(),
        ],
    );
    r.expect_code(2);
    assert!(!out.exists(), "the export folder was left: {}", r.stderr);
}
