//! Bad input: a French message naming the file (and row and column where there is one),
//! exit code 2, nothing written, and an existing output left untouched.

mod common;

use std::path::Path;

use common::{repo, run};

/// Runs `reconcile` on `input` over an existing good output, and checks the refusal.
fn refused(input: &Path, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("rapprochement.xlsx");
    let summary = dir.path().join("resume.json");
    std::fs::write(&book, b"previous good workbook").unwrap();
    let r = run(
        dir.path(),
        &[
            "reconcile",
            input.to_str().unwrap(),
            "-o",
            book.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains(&format!("« {} »", input.display())),
        "the message names the file:\n{}",
        r.stderr
    );
    for fragment in expected {
        assert!(
            r.stderr.contains(fragment),
            "« {fragment} » absent du message :\n{}",
            r.stderr
        );
    }
    assert_eq!(
        std::fs::read(&book).unwrap(),
        b"previous good workbook",
        "the previous output was touched"
    );
    assert!(!summary.exists(), "a summary was written");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "temporary files left behind: {left:?}");
}

#[test]
fn each_bad_fixture_is_refused_with_its_reason() {
    let bad = repo().join("fixtures/bad");
    let cases: [(&str, &[&str]); 6] = [
        (
            "pdf-renomme.csv",
            &["document PDF", "pas un extrait Chorus"],
        ),
        ("vide.csv", &["fichier vide"]),
        (
            "colonne-manquante.csv",
            &["infbud53-ae", "« N° EJ »", "« N° poste EJ »"],
        ),
        (
            "nomenclature-localisations.csv",
            &["nomenclature", "localisations interministérielles"],
        ),
        ("utf8-abime.csv", &["ligne 2", "colonne « n° 10 »", "UTF-8"]),
        ("inconnu.csv", &["mise en page Chorus non reconnue"]),
    ];
    for (file, expected) in cases {
        refused(&bad.join(file), expected);
    }
}

#[test]
fn bad_and_hostile_workbooks_are_refused() {
    let bad = repo().join("fixtures/bad");
    let cases: [(&str, &[&str]); 5] = [
        ("pdf-renomme.xlsx", &["document PDF"]),
        ("archive-zip.xlsx", &["pas un classeur"]),
        ("tronque.xlsx", &["tronquée ou abîmée"]),
        ("protege.xlsx", &["protégé par un mot de passe"]),
        ("bombe.xlsx", &["dépasserait 2 Gio"]),
    ];
    for (file, expected) in cases {
        refused(&bad.join(file), expected);
    }
}

#[test]
fn output_to_a_device_writes_in_place() {
    let r = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/conforme",
            "--as-of",
            "2020-12-31",
            "-q",
            "-o",
            "/dev/null",
        ],
    );
    r.expect_code(0);
    assert!(
        !std::fs::metadata("/dev/null").unwrap().is_file(),
        "/dev/null was replaced"
    );
}

#[test]
fn a_line_of_several_megabytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("geant.csv");
    let mut text = String::from(
        "\"N° EJ\";\"N° poste EJ\";\"Montant engagé (EUR)\";\"Domaine fonctionnel - Clé\"\r\n",
    );
    text.push_str(&"x".repeat(3 << 20));
    std::fs::write(&file, text).unwrap();
    refused(&file, &["ligne 2", "ligne de plus de 1 Mio"]);
}

#[test]
fn a_missing_input_or_convention_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["reconcile", "absent.csv"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("« absent.csv »") && r.stderr.contains("introuvable"),
        "{}",
        r.stderr
    );
    let good = repo().join("fixtures/conforme");
    let r = run(
        dir.path(),
        &["reconcile", good.to_str().unwrap(), "-c", "absente.toml"],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("convention « absente.toml »"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("rapprochement.xlsx").exists());
}

#[test]
fn an_invalid_convention_names_the_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        chorus_recon::convention::BUILTIN_TEXT.replace("fin = 2021-07-31", "fin = 2021-13-45");
    std::fs::write(dir.path().join("c.toml"), text).unwrap();
    let good = repo().join("fixtures/conforme");
    let r = run(
        dir.path(),
        &["reconcile", good.to_str().unwrap(), "-c", "c.toml"],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("convention « c.toml », ligne "),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("rapprochement.xlsx").exists());
}

#[test]
fn an_output_folder_that_does_not_exist_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let good = repo().join("fixtures/conforme");
    let r = run(
        dir.path(),
        &["reconcile", good.to_str().unwrap(), "-o", "nulle/part.xlsx"],
    );
    r.expect_code(2);
    assert!(r.stderr.contains("n'existe pas"), "{}", r.stderr);
}

#[test]
fn bad_arguments_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["reconcile"]).expect_code(2);
    run(dir.path(), &["reconcile", "x.csv", "--as-of", "31/12/2021"]).expect_code(2);
    run(dir.path(), &["reconcile", "x.csv", "--jobs", "0"]).expect_code(2);
    run(dir.path(), &["--help"]).expect_code(0);
}
