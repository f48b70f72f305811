//! The command line speaks French: clap's help, errors and suggestions, French value
//! aliases, dates as accountants write them.

mod common;

use common::{repo, run};

#[test]
fn help_is_in_french() {
    for args in [&["--help"][..], &["reconcile", "--help"], &["check", "-h"]] {
        let out = run(&repo(), args);
        out.expect_code(0);
        let help = &out.stdout;
        for english in [
            "Usage:",
            "Print help",
            "Print version",
            "[default:",
            "[possible values",
        ] {
            assert!(
                !help.contains(english),
                "{args:?}: « {english} » in\n{help}"
            );
        }
        assert!(help.contains("Utilisation : chorus-recon"), "{help}");
        assert!(help.contains("Affiche l'aide"), "{help}");
    }
    let version = run(&repo(), &["--version"]);
    version.expect_code(0);
    assert!(version.stdout.starts_with("chorus-recon "));
}

#[test]
fn command_line_errors_are_in_french_with_a_suggestion() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["reconcile", "--bogus", "x"],
            "argument inattendu « --bogus »",
        ),
        (&["reconcil", "x"], "vouliez-vous dire « reconcile » ?"),
        (
            &["reconcile", "--fail-on", "erreurs", "x"],
            "vouliez-vous dire « error » ?",
        ),
        (
            &["reconcile", "--as-of", "31/02/2021", "x"],
            "n'est pas une date valide",
        ),
        (
            &["reconcile", "-j", "0", "x"],
            "n'est pas un nombre de fils valide",
        ),
        (&["reconcile"], "argument obligatoire absent"),
    ];
    for (args, expected) in cases {
        let out = run(&repo(), args);
        out.expect_code(2);
        assert!(out.stderr.contains(expected), "{args:?}:\n{}", out.stderr);
        assert!(
            out.stderr.starts_with("chorus-recon : erreur : "),
            "{}",
            out.stderr
        );
        for english in ["error:", "Usage:", "For more information", "tip:"] {
            assert!(
                !out.stderr.contains(english),
                "{args:?}: « {english} »\n{}",
                out.stderr
            );
        }
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn french_values_and_dates_are_understood() {
    let out = run(
        &repo(),
        &[
            "check",
            "fixtures/conforme",
            "--fail-on",
            "jamais",
            "--as-of",
            "31/12/2020",
            "-q",
        ],
    );
    out.expect_code(0);
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("r.json");
    let out = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/conforme",
            "--fail-on",
            "avertissement",
            "--as-of",
            "31/12/2020",
            "-q",
            "-o",
            dir.path().join("r.xlsx").to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    out.expect_code(0);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    assert_eq!(s["as_of"], "2020-12-31");
}
