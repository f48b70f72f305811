//! Amendments (`[[avenant]]`) and credits made available (`[[mise_a_disposition]]`) through
//! the real binary, on the fixture « portefeuille »'s convention C (figures worked by hand
//! in `fixtures/portefeuille/LISEZMOI.md`): each line judged on the convention as amended
//! on its date, « Disponible » against what was made available, one
//! `DEPASSEMENT_MISE_A_DISPOSITION` per episode, the « Avenants » sheet and the summary.

mod common;

use std::path::{Path, PathBuf};

use common::{read_workbook, repo, run};
use serde_json::{Value, json};

fn fixture() -> PathBuf {
    repo().join("fixtures/portefeuille")
}

fn convention_c() -> PathBuf {
    fixture().join("conventions/dgec-dinum-appui-data.toml")
}

/// Reconciles the fixture's extracts with `convention` on 31/12/2021 into `out`: the
/// summary, and the exit code.
fn reconcile(convention: &Path, out: &Path) -> (Value, i32) {
    let summary = out.join("resume.json");
    let (c, s, o) = (
        convention.display().to_string(),
        summary.display().to_string(),
        out.join("c.xlsx").display().to_string(),
    );
    let extracts = fixture().join("extraits").display().to_string();
    let args = [
        "reconcile",
        &extracts,
        "-c",
        &c,
        "--as-of",
        "2021-12-31",
        "-o",
        &o,
        "--summary",
        &s,
        "-q",
    ];
    let outcome = run(&repo(), &args);
    assert!(outcome.code == 0 || outcome.code == 1, "{}", outcome.stderr);
    let text = std::fs::read_to_string(summary).unwrap();
    (serde_json::from_str(&text).unwrap(), outcome.code)
}

fn codes(summary: &Value) -> Vec<&str> {
    (summary["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn convention_c_gives_the_figures_of_the_lisezmoi() {
    let out = tempfile::tempdir().unwrap();
    let (summary, code) = reconcile(&convention_c(), out.path());
    assert_eq!(code, 0, "warnings only");
    assert_eq!(summary["status"], "warning");
    assert_eq!(
        summary["totals"],
        json!({
            "ae_allocated": "90000.00", "ae_consumed": "70000.00", "ae_available": "20000.00",
            "cp_allocated": "90000.00", "cp_consumed": "65000.00", "cp_available": "15000.00",
            "remaining_to_pay": "5000.00"
        })
    );
    assert_eq!(
        summary["findings_by_severity"],
        json!({"error": 0, "warning": 4, "info": 3})
    );
    let c = codes(&summary);
    for absent in [
        "HORS_PERIODE",
        "PLAFOND_AE_DEPASSE",
        "PLAFOND_CP_DEPASSE",
        "EJ_NON_SOLDE",
    ] {
        assert!(!c.contains(&absent), "{absent}: {c:?}");
    }
    let overruns: Vec<(&str, &str)> = (summary["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "DEPASSEMENT_MISE_A_DISPOSITION")
        .map(|f| (f["key"].as_str().unwrap(), f["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(
        overruns,
        [
            (
                "DEPASSEMENT_MISE_A_DISPOSITION:date=2020-07-01|AE",
                "15000.00"
            ),
            (
                "DEPASSEMENT_MISE_A_DISPOSITION:date=2021-02-01|AE",
                "10000.00"
            ),
            (
                "DEPASSEMENT_MISE_A_DISPOSITION:date=2020-09-15|CP",
                "5000.00"
            ),
            (
                "DEPASSEMENT_MISE_A_DISPOSITION:date=2021-06-20|CP",
                "5000.00"
            ),
        ]
    );
    let unused: Vec<&str> = (summary["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "CREDITS_NON_CONSOMMES")
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        unused,
        [
            "CREDITS_NON_CONSOMMES:produit=appui-data|annee=2020|AE",
            "CREDITS_NON_CONSOMMES:produit=appui-data|annee=2020|CP",
            "CREDITS_NON_CONSOMMES:produit=appui-data|annee=2021|AE",
        ]
    );
}

#[test]
fn the_summary_carries_the_avenant_and_the_mises_a_disposition() {
    let out = tempfile::tempdir().unwrap();
    let (summary, _) = reconcile(&convention_c(), out.path());
    assert_eq!(
        summary["amendments"],
        json!([{
            "date": "2020-12-15", "reference": "Avenant n° 1", "in_force": true,
            "end": "2021-12-31",
            "schedule": [{"product": "appui-data", "year": 2021, "ae": "30000.00", "cp": "50000.00"}],
            "products_added": [], "products_replaced": []
        }])
    );
    let p = &summary["provisions"];
    assert_eq!(
        (&p["ae_made_available"], &p["cp_made_available"]),
        (&json!("90000.00"), &json!("80000.00"))
    );
    // The LISEZMOI's table, on each tranche's date.
    let tranches: Vec<[&str; 4]> = (p["tranches"].as_array().unwrap().iter())
        .map(|t| {
            [
                "ae_made_available",
                "ae_consumed",
                "cp_made_available",
                "cp_consumed",
            ]
            .map(|k| t[k].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        tranches,
        [
            ["30000.00", "0.00", "10000.00", "0.00"],
            ["60000.00", "45000.00", "40000.00", "15000.00"],
            ["90000.00", "70000.00", "60000.00", "15000.00"],
            ["90000.00", "70000.00", "80000.00", "65000.00"],
        ]
    );
    let episodes: Vec<(&str, &str, &str)> = (p["overruns"].as_array().unwrap().iter())
        .map(|o| {
            (
                o["from"].as_str().unwrap(),
                o["until"].as_str().unwrap(),
                o["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        episodes,
        [
            ("2020-07-01", "2020-10-01", "15000.00"),
            ("2021-02-01", "2021-03-01", "10000.00"),
            ("2020-09-15", "2020-10-01", "5000.00"),
            ("2021-06-20", "2021-09-01", "5000.00"),
        ]
    );
}

#[test]
fn the_avenants_sheet_follows_the_schedule_and_shows_each_change() {
    let out = tempfile::tempdir().unwrap();
    reconcile(&convention_c(), out.path());
    let book = read_workbook(&out.path().join("c.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    let at = names.iter().position(|n| *n == "Échéancier").unwrap();
    assert_eq!(names[at + 1], "Avenants", "{names:?}");
    // The Synthèse: the amended end, the avenant in force, what was made available.
    let synthese = &book[0].1;
    let value = |label: &str| {
        (synthese.iter())
            .find_map(|r| r.iter().position(|c| c == label).map(|i| r[i + 1].clone()))
            .unwrap_or_else(|| panic!("{label} absent de la Synthèse"))
    };
    assert_eq!(value("Fin de période"), "44561");
    assert_eq!(
        value("Avenants"),
        "Convention modifiée par 1 avenant(s), le dernier du 15/12/2020 (Avenant n° 1)"
    );
    assert_eq!(value("CP mis à disposition"), "80000");
    let rows = &book[at + 1].1;
    let find = |object: &str| {
        rows.iter()
            .find(|r| r.get(3).is_some_and(|c| c == object))
            .unwrap_or_else(|| panic!("{object} absent: {rows:#?}"))
    };
    let end = find("Fin de la convention");
    assert_eq!(
        (end[1].as_str(), end[2].as_str()),
        ("Avenant", "Avenant n° 1")
    );
    // Excel serial dates: 44196 is 31/12/2020, 44561 is 31/12/2021 (and 44180 15/12/2020).
    assert_eq!([&end[0], &end[4], &end[5]], ["44180", "44196", "44561"]);
    let ae = find("Échéancier Appui data 2021 : AE");
    assert_eq!((ae[4].as_str(), ae[5].as_str()), ("", "30000"));
    let allocated = find("CP alloués");
    assert_eq!(
        (allocated[4].as_str(), allocated[5].as_str()),
        ("40000", "90000")
    );
    let tranches: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[1] == "Mise à disposition")
        .collect();
    assert_eq!(tranches.len(), 4);
    // MAD 2020-2: AE 30 000, CP 30 000; cumuls 60 000 / 40 000; consumed 45 000 / 15 000.
    assert_eq!(
        tranches[1][2..].iter().skip(4).collect::<Vec<_>>(),
        ["30000", "30000", "60000", "40000", "45000", "15000"]
    );
    let overruns: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[1].starts_with("Dépassement"))
        .collect();
    assert_eq!(overruns.len(), 4);
    assert_eq!(
        overruns[0][2],
        "DEPASSEMENT_MISE_A_DISPOSITION:date=2020-07-01|AE"
    );
    assert_eq!(overruns[0][3], "jusqu'au 01/10/2020 (résorbé)");
    // The délégant's page names each overrun among its points of attention.
    let compte_rendu = &book[1].1;
    let points = (compte_rendu.iter().flatten())
        .filter(|c| *c == "Consommation au-delà des crédits mis à disposition")
        .count();
    assert_eq!(points, 4, "{compte_rendu:#?}");
}

#[test]
fn a_convention_without_avenant_has_no_new_sheet_nor_key() {
    let out = tempfile::tempdir().unwrap();
    let a = fixture().join("conventions/dgec-dinum-2020.toml");
    let (summary, _) = reconcile(&a, out.path());
    assert!(summary.get("amendments").is_none() && summary.get("provisions").is_none());
    assert_eq!(summary["totals"]["cp_available"], "105000.00");
    let book = read_workbook(&out.path().join("c.xlsx"));
    assert!(book.iter().all(|(n, _)| n != "Avenants"));
}

/// Convention C with its avenant turned into an early termination on 15/08/2020 (fin
/// 01/09/2020): the engagement of 01/07/2020, before it, stays in the period; the
/// payment of 15/09/2020 and the lines of 2021 are after the end in force on their date.
#[test]
fn an_early_termination_puts_later_lines_out_of_period() {
    let text = std::fs::read_to_string(convention_c()).unwrap();
    let text = text
        .replace("date = 2020-12-15", "date = 2020-08-15")
        .replace("fin = 2021-12-31", "fin = 2020-09-01");
    let out = tempfile::tempdir().unwrap();
    let convention = out.path().join("c.toml");
    std::fs::write(&convention, text).unwrap();
    let (summary, _) = reconcile(&convention, out.path());
    let out_of_period: Vec<&str> = (summary["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "HORS_PERIODE")
        .map(|f| f["amount"].as_str().unwrap())
        .collect();
    assert_eq!(out_of_period.len(), 4, "{out_of_period:?}");
    let messages: Vec<&str> = (summary["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "HORS_PERIODE")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().all(|m| m.contains("au 01/09/2020")),
        "{messages:?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("01/07/2020")),
        "{messages:?}"
    );
}

#[test]
fn a_bad_avenant_is_refused_in_french_with_its_line() {
    let text = std::fs::read_to_string(convention_c()).unwrap();
    let out = tempfile::tempdir().unwrap();
    for (from, to, expected) in [
        ("date = 2020-12-15", "date = 2022-12-15", "avenant.date"),
        (
            "annee = 2021\nae = \"30000.00\"",
            "annee = 2021\nae = \"30 000,0x\"",
            "avenant.echeancier.ae",
        ),
        (
            "reference = \"Avenant n° 1\"",
            "reference = \"Avenant n° 1\"\n[avenant.imputation]\nactivite = \"017406AG1699\"",
            "pas encore pris en charge",
        ),
    ] {
        let bad = text.replacen(from, to, 1);
        assert_ne!(bad, text, "{from}");
        let convention = out.path().join("bad.toml");
        std::fs::write(&convention, bad).unwrap();
        let c = convention.display().to_string();
        let extracts = fixture().join("extraits").display().to_string();
        let outcome = run(
            &repo(),
            &[
                "reconcile",
                &extracts,
                "-c",
                &c,
                "--as-of",
                "2021-12-31",
                "-q",
            ],
        );
        outcome.expect_code(2);
        assert!(
            outcome.stderr.contains(expected) && outcome.stderr.contains("ligne "),
            "{expected}: {}",
            outcome.stderr
        );
    }
}
