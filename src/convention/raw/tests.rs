use super::super::{BUILTIN_TEXT, Convention};

fn error_of(text: &str) -> String {
    Convention::parse(text, "c.toml").unwrap_err().to_string()
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let text = BUILTIN_TEXT.replace("hors_titre_2 = true", "hors_titre_2 = true\nplafond = 3");
    let msg = error_of(&text);
    assert!(msg.contains("clé inconnue « plafond »"), "{msg}");
    let line = text.lines().position(|l| l.starts_with("plafond")).unwrap() + 1;
    assert!(msg.contains(&format!("ligne {line}")), "{msg}");
}

#[test]
fn validation_errors_name_key_and_line() {
    let cases = [
        ("fin = 2021-07-31", "fin = \"31/07/2021\"", "fin"),
        ("fin = 2021-07-31", "fin = 2019-07-31", "précède"),
        (
            "ae = \"80000.00\"                       # estimation\ncp = \"40000.00\"\n\n[[echeancier]]\nproduit = \"carbure\"",
            "ae = \"80 000,0x\"\ncp = \"40000.00\"\n\n[[echeancier]]\nproduit = \"carbure\"",
            "echeancier.ae",
        ),
        (
            "centre_financier = \"0174-SOUT-ELAB\"",
            "centre_financier = \"174SOUT\"",
            "imputation.centre_financier",
        ),
        (
            "produit = \"potentiel\"\nannee = 2021",
            "produit = \"inconnu\"\nannee = 2021",
            "inconnu",
        ),
        (
            "cp = \"40000.00\"\n\n[[echeancier]]\nproduit = \"potentiel\"",
            "cp = 40000.5\n\n[[echeancier]]\nproduit = \"potentiel\"",
            "entre guillemets",
        ),
    ];
    for (from, to, expected) in cases {
        let text = BUILTIN_TEXT.replacen(from, to, 1);
        assert_ne!(text, BUILTIN_TEXT, "case {from} did not apply");
        let msg = error_of(&text);
        assert!(msg.contains(expected), "{expected}: {msg}");
        assert!(msg.contains("ligne "), "{msg}");
    }
}

#[test]
fn missing_schedule_is_refused() {
    let cut = BUILTIN_TEXT.find("[[echeancier]]").unwrap();
    let msg = error_of(&BUILTIN_TEXT[..cut]);
    assert!(msg.contains("échéancier absent"), "{msg}");
}

#[test]
fn missing_key_is_named() {
    let text = BUILTIN_TEXT.replace("fin = 2021-07-31", "");
    assert!(error_of(&text).contains("clé obligatoire absente : « fin »"));
}

#[test]
fn matching_section_has_defaults_and_is_read_and_checked() {
    let builtin = Convention::parse(BUILTIN_TEXT, "c.toml").unwrap();
    assert_eq!(builtin.matching.tolerance, rust_decimal::Decimal::ZERO);
    assert_eq!(builtin.matching.window_days, 30);
    let with =
        format!("{BUILTIN_TEXT}\n[rapprochement]\ntolerance = \"5,00\"\nfenetre_jours = 45\n");
    let c = Convention::parse(&with, "c.toml").unwrap();
    assert_eq!(c.matching.tolerance, rust_decimal::Decimal::new(500, 2));
    assert_eq!(c.matching.window_days, 45);
    let bad = format!("{BUILTIN_TEXT}\n[rapprochement]\ntolerance = \"-1\"\nfenetre_jours = -3\n");
    let msg = error_of(&bad);
    assert!(msg.contains("rapprochement.tolerance"), "{msg}");
    assert!(msg.contains("rapprochement.fenetre_jours"), "{msg}");
}
