use super::*;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/portefeuille/conventions")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn a() -> Convention {
    Convention::parse(&fixture("dgec-dinum-2020.toml"), "a.toml").unwrap()
}

/// B moved onto A's imputation (the LISEZMOI's last paragraph), starting on `debut`.
fn b_on_a(debut: &str) -> Convention {
    let text = fixture("dgec-dinum-tableau-de-bord.toml")
        .replace("\"0174-SOUT-DATA\"", "\"0174-SOUT-ELAB\"")
        .replace("\"017406AG1608\"", "\"017406AG1607\"")
        .replace("\"ECLDENE093\"", "\"ECLDENE092\"")
        .replace("debut = 2020-01-01", &format!("debut = {debut}"));
    Convention::parse(&text, "b.toml").unwrap()
}

#[test]
fn a_and_b_on_other_uos_do_not_overlap() {
    let b = Convention::parse(&fixture("dgec-dinum-tableau-de-bord.toml"), "b.toml").unwrap();
    assert_eq!(overlap(&a(), &b), None);
    assert!(check_overlaps(&[a(), b]).is_ok());
}

#[test]
fn the_same_imputation_over_crossing_periods_is_refused_naming_both_and_the_axes() {
    let e = check_overlaps(&[a(), b_on_a("2020-01-01")]).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("dgec-dinum-2020"), "{text}");
    assert!(text.contains("dgec-dinum-tableau-de-bord"), "{text}");
    assert!(
        text.contains("centre financier")
            && text.contains("activité")
            && text.contains("centre de coût"),
        "{text}"
    );
    assert_eq!(e.file, "b.toml");
}

#[test]
fn a_successor_on_the_same_imputation_is_accepted() {
    // A ends on 31/07/2021: B starting the day after succeeds it.
    assert!(check_overlaps(&[a(), b_on_a("2021-08-01")]).is_ok());
    // The day A ends, they still cross.
    assert!(check_overlaps(&[a(), b_on_a("2021-07-31")]).is_err());
}

#[test]
fn an_early_termination_frees_the_days_after_for_a_successor() {
    // A ended early on 15/04/2021 by an avenant of 15/01/2021: B from 01/05/2021 succeeds
    // it; B from 01/04/2021 still crosses A's last days.
    let extra = "\n[[avenant]]\ndate = 2021-01-15\nreference = \"Résiliation\"\nfin = 2021-04-15\n";
    let ended = Convention::parse(&(fixture("dgec-dinum-2020.toml") + extra), "a.toml").unwrap();
    assert!(check_overlaps(&[ended.clone(), b_on_a("2021-05-01")]).is_ok());
    assert!(check_overlaps(&[ended, b_on_a("2021-04-01")]).is_err());
}

#[test]
fn a_domaine_fonctionnel_down_to_the_sub_action_is_compatible() {
    let text = fixture("dgec-dinum-tableau-de-bord.toml")
        .replace("\"0174-SOUT-DATA\"", "\"0174-SOUT-ELAB\"")
        .replace("\"017406AG1608\"", "\"017406AG1607\"")
        .replace("centre_cout = \"ECLDENE093\"\n", "")
        .replace(
            "domaine_fonctionnel = \"0174-06\"",
            "domaine_fonctionnel = \"0174-06-01\"",
        );
    let b = Convention::parse(&text, "b.toml").unwrap();
    let axes = overlap(&a(), &b).expect("they overlap");
    assert!(axes.contains("domaine fonctionnel"), "{axes}");
    assert!(!axes.contains("centre de coût"), "{axes}");
}

#[test]
fn the_perimeter_reads_both_lists_upper_case() {
    let p = parse_perimeter(
        "[perimetre]\ncentres_financiers = [\"0174-sout-elab\"]\ncentres_de_cout = [\"ECLDENE095\"]\n",
        "p.toml",
    )
    .unwrap();
    assert!(p.centres_financiers.contains("0174-SOUT-ELAB"));
    assert_eq!(p.attaches(Some("0174-SOUT-ELAB"), None), (true, false));
    assert_eq!(p.attaches(None, Some("ECLDENE095")), (false, true));
    assert_eq!(
        p.attaches(Some("0174-SOUT-DATA"), Some("ECLDENE096")),
        (false, false)
    );
}

#[test]
fn a_perimeter_mistake_is_told_in_french_with_its_line() {
    let e = parse_perimeter(
        "[perimetre]\ncentres_financiers = [\"X\"]\nuo = [\"Y\"]\n",
        "p.toml",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("clé « uo » inconnue"), "{e}");
    let e = parse_perimeter("[perimetre]\n", "p.toml").unwrap_err();
    assert!(e.message.contains("aucun code"), "{e}");
    let e = parse_perimeter("centres = 1\n", "p.toml").unwrap_err();
    assert!(!e.message.contains("unknown"), "{e}");
}

#[test]
fn a_folder_gives_its_conventions_in_path_order_and_its_perimeter() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/portefeuille/conventions");
    let tmp = tempfile::tempdir().unwrap();
    for name in ["dgec-dinum-2020.toml", "dgec-dinum-tableau-de-bord.toml"] {
        std::fs::copy(dir.join(name), tmp.path().join(name)).unwrap();
    }
    std::fs::write(
        tmp.path().join(PERIMETER_FILE),
        "[perimetre]\ncentres_de_cout = [\"ECLDENE095\"]\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("notes.md"), "pas une convention").unwrap();
    let loaded = load_all(&[tmp.path().to_path_buf()]).unwrap();
    let ids: Vec<&str> = loaded.conventions.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["dgec-dinum-2020", "dgec-dinum-tableau-de-bord"]);
    assert!(loaded.is_portfolio());
    assert_eq!(loaded.files.len(), 3);
    // The same file twice: the same id, refused naming both files.
    let twice = [
        tmp.path().join("dgec-dinum-2020.toml"),
        tmp.path().join("dgec-dinum-2020.toml"),
    ];
    let e = load_all(&twice).unwrap_err();
    assert!(e.to_string().contains("déjà pris"), "{e}");
    // One file alone: no portfolio.
    assert!(!load_all(&twice[..1]).unwrap().is_portfolio());
}
