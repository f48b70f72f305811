//! The real public Chorus samples of `../shared/samples/`, file by file: each is read with
//! the right layout, or refused with the expected message. (Skipped, loudly, where that
//! folder is absent.)

mod common;

use common::{run, samples};

/// (file, layout, encoding, data rows) for the CSV samples that must be read.
const READ: [(&str, &str, &str, u64); 9] = [
    (
        "dataregion__DataEtatRegion-back/chorus_ae.csv",
        "infbud53-ae",
        "utf-8",
        3,
    ),
    (
        "dataregion__DataEtatRegion-back/split__chorus_ae.csv",
        "infbud53-ae",
        "utf-8",
        3,
    ),
    (
        "dataregion__DataEtatRegion-back/financial_cp.csv",
        "infbud53-cp",
        "utf-8",
        5,
    ),
    (
        "dataregion__DataEtatRegion-back/split__financial_cp.csv",
        "infbud53-cp",
        "utf-8",
        5,
    ),
    (
        "dataregion__DataEtatRegion-back/aife_ae.csv",
        "aife-ej",
        "utf-8",
        2,
    ),
    (
        "dataregion__DataEtatRegion-back/aife_ae_double_ej.csv",
        "aife-ej",
        "utf-8",
        4,
    ),
    (
        "dataregion__DataEtatRegion-back/aife_cp.csv",
        "aife-dp",
        "utf-8",
        2,
    ),
    (
        "dataregion__DataEtatRegion-back/nation_ej_1.csv",
        "aife-ej",
        "utf-8",
        1,
    ),
    (
        "betagouv__api-subventions-asso/infbud-53.tests.csv",
        "infbud53-cp",
        "utf-8",
        1,
    ),
];

/// (file, fragments of the refusal message).
const REFUSED: [(&str, &[&str]); 3] = [
    (
        "dataregion__DataEtatRegion-back/sample.csv",
        &["document PDF"],
    ),
    (
        "dataregion__DataEtatRegion-back/chorus_ae_missing_column.csv",
        &["« N° EJ »", "« N° poste EJ »", "infbud53-ae"],
    ),
    (
        "dataregion__DataEtatRegion-back/LOC_INTERMIN_20230126.csv",
        &["nomenclature", "localisations"],
    ),
];

#[test]
fn every_csv_sample_is_read_with_its_layout() {
    let Some(dir) = samples() else { return };
    for (file, layout, encoding, rows) in READ {
        let path = dir.join(file);
        let out = tempfile::tempdir().unwrap();
        let r = run(
            out.path(),
            &[
                "reconcile",
                path.to_str().unwrap(),
                "--summary",
                "-",
                "-q",
                "--fail-on",
                "never",
            ],
        );
        r.expect_code(0);
        let s: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let input = &s["inputs"][0];
        assert_eq!(input["layout"], layout, "{file}");
        assert_eq!(input["encoding"], encoding, "{file}");
        assert_eq!(input["rows"], rows, "{file}");
        assert_eq!(s["lines"]["rejected"], 0, "{file}: {:#?}", s["findings"]);
    }
}

#[test]
fn the_samples_read_the_values_they_hold() {
    let Some(dir) = samples() else { return };
    let out = tempfile::tempdir().unwrap();
    let summary = |file: &str| -> serde_json::Value {
        let path = dir.join(file);
        let r = run(
            out.path(),
            &[
                "reconcile",
                path.to_str().unwrap(),
                "--summary",
                "-",
                "-q",
                "--fail-on",
                "never",
            ],
        );
        serde_json::from_str(&r.stdout).unwrap()
    };
    // The AIFE EJ file's unescaped inner quotes leave 2 lines of 24 fields, both read.
    let s = summary("dataregion__DataEtatRegion-back/aife_ae.csv");
    assert_eq!(s["conservation"]["ae_in"], "21775515.70");
    // NBSP thousands, « 200,0 » and « 0 ».
    let s = summary("dataregion__DataEtatRegion-back/aife_ae_double_ej.csv");
    assert_eq!(s["conservation"]["ae_in"], "138937878.56");
    // The split file: the value under the missing header is skipped, amounts still read.
    let s = summary("dataregion__DataEtatRegion-back/split__chorus_ae.csv");
    assert_eq!(s["conservation"]["ae_in"], "52500.12");
    let notes = s["inputs"][0]["notes"].to_string();
    assert!(
        notes.contains("sans en-tête avant « N° poste EJ »"),
        "{notes}"
    );
    // BEx CP: « Montant payé » in the preamble, exercice 2023.
    let s = summary("dataregion__DataEtatRegion-back/financial_cp.csv");
    assert_eq!(s["conservation"]["cp_in"], "1265.50");
    assert_eq!(s["inputs"][0]["measure"], "CP");
}

#[test]
fn broken_and_foreign_samples_are_refused() {
    let Some(dir) = samples() else { return };
    for (file, fragments) in REFUSED {
        let path = dir.join(file);
        let out = tempfile::tempdir().unwrap();
        let r = run(out.path(), &["reconcile", path.to_str().unwrap()]);
        r.expect_code(2);
        for f in fragments {
            assert!(
                r.stderr.contains(f),
                "{file}: « {f} » absent :\n{}",
                r.stderr
            );
        }
        assert!(!out.path().join("rapprochement.xlsx").exists());
    }
}
