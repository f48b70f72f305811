//! The journal des pièces through the real binary: a reduction is the payment consuming
//! its commitment (no AE), and the short-header journal and the long-header JP51 + JP57
//! pair of the same movements give the same figures.

mod common;

use common::{repo, run};
use serde_json::Value;

const SHORT_HEADER: &str = "Exercice;Nº pce réf;Pos.r;Ctre financier;Dom. fonc.;Ctre coûts;Réf. prog.;TV;TypeMtant;Mont.DT;CB dteComp;Saisie le;Cpte gén.;Axe ministériel 2";

const JP51_HEADER: &str = "Exercice comptable;Centre financier;Domaine fonctionnel;Centre de coûts;Services;Numéro de pièce de la pièce de référence;Numéro de poste de la pièce de référence;Texte;Montant à contrôler en dev. transaction;Fournisseur;Nom 1;Type de montant;Type de montant;Activité;Programme de financement;Description du programme de financement;Période;Date de mise à jour Comptabilité budgéta;Date comptable;Désignation du cpte budgétaire;Saisi par;Type de valeur;Compte général";

const JP57_HEADER: &str = "Exercice comptable;Période;Centre financier;Domaine fonctionnel;Centre de coûts;Services;Fournisseur;Nom 1;Type de montant;Programme de financement;Désignation du programme de financement;Description du programme de financement;Référence;Texte d'en-tête de pièce;Numéro de la pièce précédente;Poste de pièce précédente;Montant à contrôler en devise trans. ave;Date comptable;Nº pièce de paiement;Date de base pour le calcul de l'échéanc;Date pièce;Activité;Type de pièce;Texte type val.;Numéro de pièce comptabilité budgétaire;Numéro de pièce de la pièce de référence;Numéro de pièce RW;Type de valeur;Zone client;N° de transaction;Immobilisation;Désignation;Code ID bancaire;Compte bancaire;Clé R.I.B.";

/// The convention's imputation (centre financier, domaine fonctionnel, centre de coûts,
/// activité), or another UO's.
fn imputation(which: &str) -> [&'static str; 4] {
    if which == "in" {
        ["0174-SOUT-ELAB", "0174-06", "ECLDENE092", "017406AG1607"]
    } else {
        ["0181-CPRI-DR75", "0181-01", "AUTRE00001", "018101AA0001"]
    }
}

/// The rows of a table, fields split on `|`.
fn table(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().split('|').collect())
}

/// Short-header journal rows from « exercice | EJ | poste | imputation | TV | type |
/// amount | date | EJ creation | text ».
fn short(rows: &str) -> Vec<String> {
    table(rows)
        .map(|f| {
            let [ex, ej, poste, which, tv, kind, amount, date, created, text] = f[..] else {
                panic!("{f:?}")
            };
            let [cf, df, cc, act] = imputation(which);
            format!(
                "{ex};{ej};{poste};{cf};{df};{cc};{act};{tv};{kind};{amount};{date};{created};6113110000;{text}"
            )
        })
        .collect()
}

/// JP51 rows from « EJ | poste | label | code | amount | operation date », on the
/// convention's imputation; « Programme de financement » is the activité.
fn jp51(ej: &str, rows: &str) -> Vec<String> {
    table(rows)
        .map(|f| {
            let [poste, label, code, amount, date] = f[..] else {
                panic!("{f:?}")
            };
            let [cf, df, cc, act] = imputation("in");
            format!(
                "2020;{cf};{df};{cc};DINUM;{ej};{poste};POTENTIEL;{amount};1000123456;SOCIETE;{label};{code};ELAB01;{act};Élaboration;001;{date};03.02.2020;Dépenses de fonction;AGENT01;51;6113110000"
            )
        })
        .collect()
}

/// A JP57 row; « Numéro de pièce de la pièce de référence » holds an invoice, not the EJ.
fn jp57(ej: &str, poste: &str, amount: &str, date: &str, dp: &str) -> String {
    let [cf, df, cc, act] = imputation("in");
    format!(
        "2020;006;{cf};{df};{cc};DINUM;1000123456;SOCIETE;250;{act};Élaboration;Élaboration;REF;Facture;{ej};{poste};{amount};{date};{dp};{date};{date};ELAB01;KZ;Paiements;0300000001;5100000999;4900000001;57;;;;;30004;00012345678;12"
    )
}

fn write(dir: &std::path::Path, name: &str, header: &str, rows: &[String]) {
    let mut text = String::from(header);
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    std::fs::write(dir.join(name), text).unwrap();
}

fn summary(path: &str, as_of: &str) -> Value {
    let r = run(
        &repo(),
        &[
            "reconcile",
            path,
            "--as-of",
            as_of,
            "-q",
            "--fail-on",
            "never",
            "-o",
            "/dev/null",
            "--summary",
            "-",
        ],
    );
    r.expect_code(0);
    serde_json::from_str(&r.stdout).unwrap()
}

fn codes(s: &Value) -> Vec<(String, Value, Value)> {
    s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["ej"].clone(),
                f["amount"].clone(),
            )
        })
        .collect()
}

/// What must agree between two readings of the same movements.
fn figures(s: &Value) -> Value {
    serde_json::json!({
        "lines": s["lines"],
        "totals": s["totals"],
        "products": s["products"],
        "findings": codes(s),
    })
}

/// The measured case: one EJ, 0100 +40 000, 0150 +5 000, 0200 −25 000, and
/// 57/0250 +25 000 paid. The reduction is the payment consuming the commitment: 45 000 of
/// AE, not 20 000, and nothing paid beyond the commitments.
#[test]
fn a_reduction_is_the_payment_consuming_its_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let short_dir = dir.path().join("court");
    let long_dir = dir.path().join("long");
    std::fs::create_dir_all(&short_dir).unwrap();
    std::fs::create_dir_all(&long_dir).unwrap();
    let rows = short(
        "
        2020|2100000951|1|in|51|0100|40000,00|03.02.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|51|0150|5000,00|04.05.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|51|0200|-25000,00|12.06.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|57|0250|25000,00|12.06.2020|03.02.2020|POTENTIEL
        ",
    );
    write(&short_dir, "journal.csv", SHORT_HEADER, &rows);
    let ops = jp51(
        "2100000951",
        "
        1|Original|100|40000,00|03.02.2020
        1|Modification|150|5000,00|04.05.2020
        1|Réduction|200|-25000,00|12.06.2020
        ",
    );
    write(&long_dir, "jp51.csv", JP51_HEADER, &ops);
    let paid = jp57("2100000951", "1", "25000,00", "12.06.2020", "100000951");
    write(&long_dir, "jp57.csv", JP57_HEADER, &[paid]);
    for dir in [&short_dir, &long_dir] {
        // Before the year's end: no closed exercice to report on.
        let s = summary(&dir.display().to_string(), "2020-11-30");
        let t = &s["totals"];
        assert_eq!(t["ae_consumed"], "45000.00", "{dir:?}");
        assert_eq!(t["cp_consumed"], "25000.00", "{dir:?}");
        assert_eq!(t["remaining_to_pay"], "20000.00", "{dir:?}");
        // (Mid-year, each product's 2020 is projected: the outlook's notes aside.)
        let found: Vec<_> = (codes(&s).into_iter())
            .filter(|(code, ..)| code != "CREDITS_NON_CONSOMMES_PREVUS")
            .collect();
        assert_eq!(found, [], "{dir:?}: no CP_SUPERIEUR_AE, nothing else");
        assert_eq!(
            s["lines"]["read"], 3,
            "{dir:?}: the reduction is not a line"
        );
    }
}

/// The scenario `fixtures/journal-jp51-jp57` (JP51 and JP57 in ODS) typed again as one
/// short-header journal: the same lines, totals, products, remaining to pay and findings.
#[test]
fn short_and_long_header_journals_of_the_same_movements_agree() {
    let dir = tempfile::tempdir().unwrap();
    let rows = short(
        "
        2020|2100000951|1|in|51|0100|40000|03.02.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|51|0150|5000|04.05.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|51|0200|-25000|12.06.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|54|0100|25000|02.06.2020|03.02.2020|POTENTIEL
        2020|2100000952|1|in|51|0100|30000|02.03.2020|02.03.2020|CARBURE
        2020|2100000952|2|in|51|0100|10000|02.03.2020|02.03.2020|CARBURE
        2020|2100000952|1|in|51|0200|-8000|15.07.2020|02.03.2020|CARBURE
        2020|2100000952|2|in|51|0200|-3000|30.11.2020|02.03.2020|CARBURE
        2020|2100000953|1|in|51|0350|6000|01.01.2020|01.10.2019|CARBURE
        2020|2100000953|1|in|51|0500|-6000|10.03.2020|01.10.2019|CARBURE
        2020|2100000954|1|in|51|0100|12000|01.04.2020|01.04.2020|POTENTIEL
        2020|2100000954|1|in|51|0600|-2000|01.09.2020|01.04.2020|POTENTIEL
        2020|2100000954|1|autre|51|0650|2000|01.09.2020|01.04.2020|POTENTIEL
        2019|2100000955|1|in|51|0350|-4000|01.01.2020|06.05.2019|CARBURE
        2020|2100000956|1|in|50|0100|999|03.02.2020|03.02.2020|POTENTIEL
        2020|2100000951|1|in|57|0250|25000|12.06.2020|03.02.2020|POTENTIEL
        2020|2100000952|1|in|57|0250|8000|15.07.2020|02.03.2020|CARBURE
        2020|2100000953|1|in|57|0250|6000|10.03.2020|01.10.2019|CARBURE
        2020|||in|57|0250|1500|05.10.2020||POTENTIEL
        ",
    );
    write(dir.path(), "journal.csv", SHORT_HEADER, &rows);
    let short = summary(&dir.path().display().to_string(), "2020-12-31");
    let long = summary("fixtures/journal-jp51-jp57", "2020-12-31");
    assert_eq!(figures(&short), figures(&long));
    assert_eq!(long["totals"]["ae_consumed"], "96500.00");
    assert_eq!(long["totals"]["cp_consumed"], "40500.00");
    assert_eq!(long["totals"]["remaining_to_pay"], "62000.00");
}

/// `layouts` lists the long-header journals with their source.
#[test]
fn layouts_lists_jp51_and_jp57_with_their_sources() {
    let r = run(&repo(), &["layouts"]);
    r.expect_code(0);
    for name in ["sap-jp51 :", "sap-jp57 :", "sap-journal-pieces :"] {
        assert!(r.stdout.contains(name), "{name}\n{}", r.stdout);
    }
    assert!(
        r.stdout.contains(
            "sources : ExploitIdF/UtilisationDeSucombeDETT 65_chorus.rst, 52_engagements.rst"
        ),
        "{}",
        r.stdout
    );
}
