//! The real public Chorus samples of `../shared/samples/`, file by file: each is read with
//! the right layout, or refused with the expected message. (Skipped, loudly, where that
//! folder is absent.)

mod common;

use common::{run, samples};

/// (file, encoding, [(sheet, layout, data rows)]) for the samples that must be read.
type Expected = (
    &'static str,
    &'static str,
    &'static [(Option<&'static str>, &'static str, u64)],
);
const READ: [Expected; 15] = [
    (
        "dataregion__DataEtatRegion-back/chorus_ae.csv",
        "utf-8",
        &[(None, "infbud53-ae", 3)],
    ),
    (
        "dataregion__DataEtatRegion-back/split__chorus_ae.csv",
        "utf-8",
        &[(None, "infbud53-ae", 3)],
    ),
    (
        "dataregion__DataEtatRegion-back/financial_cp.csv",
        "utf-8",
        &[(None, "infbud53-cp", 5)],
    ),
    (
        "dataregion__DataEtatRegion-back/split__financial_cp.csv",
        "utf-8",
        &[(None, "infbud53-cp", 5)],
    ),
    (
        "dataregion__DataEtatRegion-back/aife_ae.csv",
        "utf-8",
        &[(None, "aife-ej", 2)],
    ),
    (
        "dataregion__DataEtatRegion-back/aife_ae_double_ej.csv",
        "utf-8",
        &[(None, "aife-ej", 4)],
    ),
    (
        "dataregion__DataEtatRegion-back/aife_cp.csv",
        "utf-8",
        &[(None, "aife-dp", 2)],
    ),
    (
        "dataregion__DataEtatRegion-back/nation_ej_1.csv",
        "utf-8",
        &[(None, "aife-ej", 1)],
    ),
    (
        "dataregion__DataEtatRegion-back/ej_data_etat_quot_2024-09-26.csv",
        "utf-8",
        &[(None, "aife-ej-quotidien", 45)],
    ),
    (
        "dataregion__DataEtatRegion-back/dp_data_etat_quot_2024-09-26.csv",
        "utf-8",
        &[(None, "aife-dp-quotidien", 37)],
    ),
    (
        "betagouv__api-subventions-asso/infbud-53.tests.csv",
        "utf-8",
        &[(None, "infbud53-cp", 1)],
    ),
    (
        "betagouv__api-subventions-asso/export-chorus.xlsx",
        "xlsx",
        &[(Some("Feuille 1"), "infbud53-cp", 4)],
    ),
    (
        "betagouv__api-subventions-asso/chorus-export.xlsx",
        "xlsx",
        &[(Some("Feuille 1"), "infbud53-cp", 4)],
    ),
    (
        "betagouv__api-subventions-asso/chorus-export-with-duplicates.xlsx",
        "xlsx",
        &[(Some("Feuille 1"), "infbud53-cp", 4)],
    ),
    (
        "betagouv__api-subventions-asso/new-chorus-export.xlsx",
        "xlsx",
        &[
            (Some("1. Extraction"), "infbud53-cp", 7),
            (Some("2. Extraction FEHBE"), "infbud53-cp", 5),
        ],
    ),
];

/// (file, fragments of the refusal message).
const REFUSED: [(&str, &[&str]); 5] = [
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
    (
        "dataregion__DataEtatRegion-back/Calculette_Chorus_test.xlsx",
        &["nomenclature", "Calculette"],
    ),
    (
        "dataregion__DataEtatRegion-back/centre_cout.xlsx",
        &["nomenclature", "centres de coûts"],
    ),
];

#[test]
fn every_sample_is_read_with_its_layout() {
    let Some(dir) = samples() else { return };
    for (file, encoding, sheets) in READ {
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
        let inputs = s["inputs"].as_array().unwrap();
        assert_eq!(inputs.len(), sheets.len(), "{file}");
        for (input, (sheet, layout, rows)) in inputs.iter().zip(sheets.iter()) {
            assert_eq!(input["sheet"].as_str(), *sheet, "{file}");
            assert_eq!(input["layout"], *layout, "{file}");
            assert_eq!(input["encoding"], encoding, "{file}");
            assert_eq!(input["rows"], *rows, "{file}");
        }
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
    // AIFE daily: decimal point; DP amount = excluding VAT + VAT, signed.
    let s = summary("dataregion__DataEtatRegion-back/ej_data_etat_quot_2024-09-26.csv");
    assert_eq!(s["conservation"]["ae_in"], "681774.88");
    let s = summary("dataregion__DataEtatRegion-back/dp_data_etat_quot_2024-09-26.csv");
    assert_eq!(s["conservation"]["cp_in"], "833915.72");
    // XLSX: binary floats rounded to the cent once (89931.899999999994 -> 89931.90).
    let s = summary("betagouv__api-subventions-asso/chorus-export.xlsx");
    assert_eq!(s["conservation"]["cp_in"], "249500.40");
    let s = summary("betagouv__api-subventions-asso/new-chorus-export.xlsx");
    assert_eq!(s["conservation"]["cp_in"], "777238.70");
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
