//! The smaller holes of issue 11, each through the binary: convention amounts and
//! keywords, a convention of 100,000 products.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::run;

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
