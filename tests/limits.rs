//! The smaller holes of issue 11, each through the binary: convention amounts and
//! keywords, a convention of 100,000 products, `--jobs` far past the cores, and
//! `--previous` (missing, of another convention, dated after the run, absurd dates).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{repo, run};

/// The built-in convention with `from` replaced by `to`, written to `dir/c.toml`.
fn convention_with(dir: &Path, from: &str, to: &str) {
    let text = chorus_recon::convention::BUILTIN_TEXT.replacen(from, to, 1);
    assert_ne!(text, chorus_recon::convention::BUILTIN_TEXT, "{from}");
    std::fs::write(dir.join("c.toml"), text).unwrap();
}

#[test]
fn an_unquoted_integer_amount_is_bounded_like_a_quoted_one() {
    let dir = tempfile::tempdir().unwrap();
    let first_ae = "ae = \"80000.00\"";
    for (amount, code) in [
        ("1000000000000000000", 2),
        ("1000000000000000", 2),
        ("999999999999999", 0),
    ] {
        convention_with(dir.path(), first_ae, &format!("ae = {amount}"));
        let r = run(dir.path(), &["convention", "check", "c.toml"]);
        r.expect_code(code);
        if code == 2 {
            assert!(
                r.stderr.contains("convention « c.toml », ligne ")
                    && r.stderr.contains("echeancier.ae")
                    && r.stderr
                        .contains(&format!("montant hors limites : « {amount} »")),
                "{}",
                r.stderr
            );
        }
    }
}

#[test]
fn a_keyword_of_invisible_characters_only_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for keyword in ["\u{200B}", "\u{200B}\u{FEFF} \u{2060}", " "] {
        convention_with(
            dir.path(),
            "mots_cles = [\"POTENTIEL\"]",
            &format!("mots_cles = [\"POTENTIEL\", \"{keyword}\"]"),
        );
        let r = run(dir.path(), &["convention", "check", "c.toml"]);
        r.expect_code(2);
        assert!(
            r.stderr.contains("produit.mots_cles") && r.stderr.contains("mot-clé vide"),
            "{keyword:?}: {}",
            r.stderr
        );
    }
    // Invisible characters around a real keyword are dropped, not refused.
    convention_with(
        dir.path(),
        "mots_cles = [\"POTENTIEL\"]",
        "mots_cles = [\"\u{200B}POTENTIEL\u{200B}\"]",
    );
    let r = run(dir.path(), &["convention", "show", "c.toml"]);
    r.expect_code(0);
}

#[test]
fn a_convention_of_100_000_products_validates_in_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let text = chorus_recon::convention::BUILTIN_TEXT;
    let mut big = text[..text.find("[[produit]]").unwrap()].to_string();
    let n = 100_000;
    for i in 0..n {
        big += &format!("[[produit]]\nid = \"p{i}\"\nnom = \"P{i}\"\nmots_cles = [\"K{i}\"]\n\n");
    }
    for i in 0..n {
        big += &format!(
            "[[echeancier]]\nproduit = \"p{i}\"\nannee = 2020\nae = \"1.00\"\ncp = \"1.00\"\n\n"
        );
    }
    std::fs::write(dir.path().join("c.toml"), big).unwrap();
    let started = Instant::now();
    let r = run(dir.path(), &["convention", "check", "c.toml"]);
    let took = started.elapsed();
    r.expect_code(0);
    assert!(r.stdout.contains("100000 produit(s)"), "{}", r.stdout);
    // Was over 115 s (a search of the schedule and the products for each line).
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn jobs_far_past_the_cores_are_capped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let good = repo().join("fixtures/conforme");
    let started = Instant::now();
    let r = run(
        dir.path(),
        &[
            "reconcile",
            good.to_str().unwrap(),
            "--as-of",
            "2020-12-31",
            "-j",
            "65535",
            "-o",
            "r.xlsx",
        ],
    );
    r.expect_code(0);
    assert!(
        r.stderr.contains("note : --jobs 65535 ramené à "),
        "{}",
        r.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    // Quiet: no note, same outcome.
    let q = run(
        dir.path(),
        &[
            "reconcile",
            good.to_str().unwrap(),
            "--as-of",
            "2020-12-31",
            "-j",
            "65535",
            "-q",
            "-o",
            "q.xlsx",
        ],
    );
    q.expect_code(0);
    assert_eq!(q.stderr, "");
}

/// A run of `fixtures/anomalies` in `dir` with `--previous previous`; its outcome, and
/// whether the workbook was written.
fn with_previous(dir: &Path, previous: &str, as_of: &str) -> (common::Outcome, bool) {
    let good = repo().join("fixtures/anomalies");
    let r = run(
        dir,
        &[
            "reconcile",
            good.to_str().unwrap(),
            "--as-of",
            as_of,
            "--fail-on",
            "never",
            "--previous",
            previous,
            "-o",
            "r.xlsx",
            "--summary",
            "r.json",
        ],
    );
    let written = dir.join("r.xlsx").exists();
    let _ = std::fs::remove_file(dir.join("r.xlsx"));
    (r, written)
}

#[test]
fn a_missing_previous_summary_is_the_first_month() {
    let dir = tempfile::tempdir().unwrap();
    let (r, written) = with_previous(dir.path(), "absent.json", "2021-12-31");
    r.expect_code(0);
    assert!(written);
    assert!(
        r.stderr
            .contains("note : résumé précédent « absent.json » introuvable : premier mois"),
        "{}",
        r.stderr
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert!(!summary["findings"].as_array().unwrap().is_empty());
}

#[test]
fn a_previous_summary_that_cannot_be_last_month_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A real previous summary, as of 2021-06-30.
    let (r, _) = with_previous(dir.path(), "absent.json", "2021-06-30");
    r.expect_code(0);
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert!(!good["findings"].as_array().unwrap().is_empty());
    let variant = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        edit(&mut v);
        std::fs::write(dir.path().join(name), serde_json::to_vec(&v).unwrap()).unwrap();
    };
    variant("autre.json", &|v| {
        v["convention"]["id"] = "autre-2024".into()
    });
    variant("futur.json", &|v| v["as_of"] = "2022-01-31".into());
    variant("absurde.json", &|v| {
        v["findings"][0]["first_seen"] = "-262143-01-01".into()
    });
    variant("apres.json", &|v| {
        v["findings"][0]["first_seen"] = "2021-07-01".into()
    });
    variant("ancien.json", &|v| v["as_of"] = "0001-01-01".into());
    let cases = [
        (
            "autre.json",
            "c'est le résumé de la convention « autre-2024 »",
        ),
        (
            "futur.json",
            "daté du 31/01/2022, après la date de ce rapprochement",
        ),
        ("absurde.json", "date « first_seen » invraisemblable"),
        (
            "apres.json",
            "date « first_seen » invraisemblable (2021-07-01)",
        ),
        ("ancien.json", "date « as_of » invraisemblable"),
    ];
    for (file, expected) in cases {
        let (r, written) = with_previous(dir.path(), file, "2021-12-31");
        r.expect_code(2);
        assert!(
            r.stderr.contains(&format!("fichier « {file} »")) && r.stderr.contains(expected),
            "{file}: {}",
            r.stderr
        );
        assert!(!written, "{file}: a workbook was written");
    }
    // The untouched summary is accepted.
    std::fs::write(
        dir.path().join("bon.json"),
        serde_json::to_vec(&good).unwrap(),
    )
    .unwrap();
    let (r, written) = with_previous(dir.path(), "bon.json", "2021-12-31");
    r.expect_code(0);
    assert!(written);
}
