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
    // Only the previous workbook, and the locks (which stay, unlocked).
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    assert_eq!(left, ["rapprochement.xlsx"], "temporary files left behind");
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
    let cases: [(&str, &[&str]); 7] = [
        ("pdf-renomme.xlsx", &["document PDF"]),
        (
            "xls-chaine-en-boucle.xls",
            &["classeur XLS illisible", "structure"],
        ),
        (
            "xls-cellule-lointaine.xls",
            &["classeur XLS refusé", "294583368 cellules"],
        ),
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
fn a_second_run_on_the_same_outputs_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("rapprochement.xlsx");
    std::fs::write(&book, b"previous good workbook").unwrap();
    // The first run, still writing: it holds the lock beside the workbook.
    let first = chorus_recon::output::lock::lock_outputs(&[book.as_path()]).unwrap();
    let good = repo().join("fixtures/conforme");
    let r = run(
        dir.path(),
        &[
            "reconcile",
            good.to_str().unwrap(),
            "-o",
            book.to_str().unwrap(),
            "-q",
        ],
    );
    // 3, not 2: nothing is wrong with the command; a script retries later.
    r.expect_code(3);
    assert!(
        r.stderr
            .contains("un autre rapprochement écrit déjà ces sorties"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("processus {}", std::process::id())),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&book).unwrap(), b"previous good workbook");
    // The first run ends (or dies): its lock is released and the next run goes through.
    drop(first);
    run(
        dir.path(),
        &[
            "reconcile",
            good.to_str().unwrap(),
            "-o",
            book.to_str().unwrap(),
            "-q",
            "--as-of",
            "2020-12-31",
        ],
    )
    .expect_code(0);
    assert_ne!(std::fs::read(&book).unwrap(), b"previous good workbook");
}

#[test]
fn a_run_killed_mid_write_leaves_the_previous_output_intact() {
    // A slow run (a large generated input) is killed while it works; whatever the moment,
    // the previous workbook is whole and no temporary file is taken for it.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ej.csv");
    let mut text = String::from(
        "\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Montant engagé (EUR)\"\r\n",
    );
    for i in 0..300_000 {
        text.push_str(&format!(
            "\"0174-SOUT-ELAB\";\"0174-06\";\"21{:08}\";\"1\";\"01/02/2020\";\"1,00\"\r\n",
            i
        ));
    }
    std::fs::write(&input, text).unwrap();
    let book = dir.path().join("rapprochement.xlsx");
    std::fs::write(&book, b"previous good workbook").unwrap();
    for delay_ms in [50u64, 300, 900] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chorus-recon"))
            .args([
                "reconcile",
                input.to_str().unwrap(),
                "-o",
                book.to_str().unwrap(),
                "-q",
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let bytes = std::fs::read(&book).unwrap();
        if status.success() {
            // It finished before the kill: then the workbook is the new, complete one.
            assert!(bytes.starts_with(b"PK"), "a finished run wrote a workbook");
            std::fs::write(&book, b"previous good workbook").unwrap();
        } else {
            assert_eq!(
                bytes, b"previous good workbook",
                "killed after {delay_ms} ms"
            );
        }
    }
}

#[test]
fn bad_arguments_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["reconcile"]).expect_code(2);
    run(dir.path(), &["reconcile", "x.csv", "--as-of", "31/12/2021"]).expect_code(2);
    run(dir.path(), &["reconcile", "x.csv", "--jobs", "0"]).expect_code(2);
    run(dir.path(), &["--help"]).expect_code(0);
}
