//! Convention files: every mistake reported in one run, each with its line, in French;
//! what is valid but probably not meant, said as a warning.

mod common;

use common::{repo, run};

fn check(text: &str) -> common::Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("convention.toml");
    std::fs::write(&path, text).unwrap();
    run(&repo(), &["convention", "check", path.to_str().unwrap()])
}

fn builtin() -> String {
    std::fs::read_to_string(repo().join("src/convention/dgec-dinum-2020.toml")).unwrap()
}

#[test]
fn every_mistake_of_a_file_is_reported_in_one_run() {
    let text = builtin()
        .replace("0174-SOUT-ELAB", "0174-SOUT")
        .replace(r#"centre_cout = "ECLDENE092""#, r#"centre_cout = "ECLD""#)
        .replacen("annee = 2021", "annee = 1800", 1);
    let out = check(&text);
    out.expect_code(2);
    let e = &out.stderr;
    assert!(e.contains("3 erreurs"), "{e}");
    for expected in [
        "« 0174-SOUT » n'a pas la forme",
        "« ECLD » n'a pas la forme",
        "année invalide (1800)",
    ] {
        assert!(e.contains(expected), "{expected}\n{e}");
    }
    assert!(
        e.lines()
            .filter(|l| l.trim_start().starts_with("ligne "))
            .count()
            == 3,
        "{e}"
    );
}

#[test]
fn toml_and_type_mistakes_are_explained_in_french() {
    let cases = [
        (
            "debut = 2020-01-01",
            "debut = 01/03/2022",
            "une date s'écrit AAAA-MM-JJ, sans guillemets",
        ),
        (
            "hors_titre_2 = true",
            "hors_titre_2 = \"oui\"",
            "valeur « oui » (un texte) : attendu true ou false",
        ),
        (
            "hors_titre_2 = true",
            "hors_titre_2 = true\nhors_titre_2 = false",
            "clé en double",
        ),
    ];
    for (from, to, expected) in cases {
        let text = builtin().replacen(from, to, 1);
        let out = check(&text);
        out.expect_code(2);
        assert!(out.stderr.contains(expected), "{to}\n{}", out.stderr);
        for english in ["invalid", "expected", "duplicate", "must be", "string"] {
            assert!(
                !out.stderr.contains(english),
                "{to}: « {english} »\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn what_is_valid_but_probably_not_meant_is_a_warning() {
    let text = builtin()
        .replacen("annee = 2021", "annee = 2023", 1)
        .replacen(r#"mots_cles = ["POTENTIEL"]"#, "mots_cles = []", 1);
    let out = check(&text);
    out.expect_code(0);
    assert!(out.stdout.contains("valide"), "{}", out.stdout);
    assert!(
        out.stdout.contains("l'échéancier prévoit l'année 2023"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("le produit « potentiel » n'a ni EJ ni mot-clé"),
        "{}",
        out.stdout
    );
}
