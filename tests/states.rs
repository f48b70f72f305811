//! Extracts are states: the rules that need a run of their own, through the binary (the
//! scenario `extraits-reels` carries the rest, with its figures worked by hand).

mod common;

use common::{repo, run};
use serde_json::Value;

fn reconcile(args: &[&str]) -> (i32, Value) {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("rapprochement.xlsx");
    let summary = out.path().join("resume.json");
    let mut all: Vec<&str> = vec!["reconcile"];
    all.extend(args);
    let (book_s, summary_s) = (book.display().to_string(), summary.display().to_string());
    all.extend(["-o", &book_s, "--summary", &summary_s]);
    let outcome = run(&repo(), &all);
    assert!(
        outcome.code == 0 || outcome.code == 1,
        "{}\n{}",
        outcome.code,
        outcome.stderr
    );
    let s = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    (outcome.code, s)
}

fn codes(s: &Value) -> Vec<String> {
    s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_convention_that_no_line_matches_is_never_conforme() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = std::fs::read_to_string(repo().join("src/convention/dgec-dinum-2020.toml"))
        .unwrap()
        .replace("0174-SOUT-ELAB", "0174-SOUT-AUTR")
        .replace(
            r#"domaine_fonctionnel = "0174-06""#,
            r#"domaine_fonctionnel = "0174-09""#,
        );
    let convention = dir.path().join("autre.toml");
    std::fs::write(&convention, builtin).unwrap();
    let (code, s) = reconcile(&[
        "fixtures/conforme",
        "-c",
        convention.to_str().unwrap(),
        "--as-of",
        "2020-11-30",
    ]);
    assert_eq!(code, 1);
    assert_eq!(s["status"], "error");
    assert_eq!(s["lines"]["in_scope"], 0);
    assert_eq!(codes(&s)[0], "PERIMETRE_VIDE");
    let message = s["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("0174-SOUT-AUTR"), "{message}");
}

#[test]
fn movements_after_the_situation_date_are_flagged_once() {
    // At 30/06/2021, the payment of 15/07/2021 (DP 604) is in the future.
    let (_, s) = reconcile(&["fixtures/extraits-reels", "--as-of", "2021-06-30"]);
    let late: Vec<&Value> = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "DATE_POSTERIEURE")
        .collect();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0]["amount"], "4000.00");
    assert_eq!(late[0]["severity"], "warning");
    assert!(late[0]["message"].as_str().unwrap().contains("15/07/2021"));
    // The convention still runs: no EJ is « non soldé » yet; only 2020 is closed.
    let c = codes(&s);
    assert!(!c.contains(&"EJ_NON_SOLDE".to_string()), "{c:?}");
    assert!(
        s["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "CREDITS_NON_CONSOMMES")
            .all(|f| f["year"] == 2020),
        "{c:?}"
    );
}

#[test]
fn the_newest_extract_wins_whatever_the_path_order() {
    // The same two AIFE EJ states, named so that the newer one comes first in path order:
    // the extraction dates in the names decide, not the order.
    let dir = tempfile::tempdir().unwrap();
    let src = repo().join("fixtures/extraits-reels/engagements");
    std::fs::copy(
        src.join("ej_0174_2020_2020-12-31.csv"),
        dir.path().join("a_ej_2020_2020-12-31.csv"),
    )
    .unwrap();
    std::fs::copy(
        src.join("ej_0174_2020_2020-06-30.csv"),
        dir.path().join("b_ej_2020_2020-06-30.csv"),
    )
    .unwrap();
    let (_, s) = reconcile(&[dir.path().to_str().unwrap(), "--as-of", "2020-12-31"]);
    // EJ 501: 25 000 (December), not 20 000 (June) nor 45 000.
    let potentiel = &s["products"][0]["years"][0];
    assert_eq!(potentiel["ae_consumed"], "25000.00");
    assert_eq!(s["lines"]["replaced"], 1);
    assert_eq!(s["lines"]["duplicates"], 3);
    assert_eq!(s["inputs"][0]["extracted"], "2020-12-31");
    assert_eq!(s["inputs"][0]["extracted_from"], "file_name");
    assert_eq!(s["inputs"][1]["replaced"], 1);
}

#[test]
fn line_findings_past_the_budget_are_one_finding_per_input() {
    // 10 005 payments without an EJ, in scope: 10 000 DP_SANS_EJ listed one by one, the
    // 5 others counted in one finding with their amount, keyed by the input.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "\"Centre financier - Programme (Clé)\";\"Domaine fonctionnel - Clé\";\"N° EJ\";\"N° DP - Clé (non composée)\";\"Date de dernière opération sur la DP\";\"Exercice comptable - Clé (non composée)\";\"Axe ministériel 2\";\"Montant payé (EUR)\"\r\n",
    );
    for i in 0..10_005 {
        text += &format!(
            "\"0174\";\"0174-06\";\"#\";\"1{i:08}\";\"15/06/2020\";\"2020\";\"POTENTIEL\";\"2,00\"\r\n"
        );
    }
    std::fs::write(dir.path().join("dp_2020.csv"), text).unwrap();
    let (_, s) = reconcile(&[dir.path().to_str().unwrap(), "--as-of", "2020-11-30"]);
    let dp: Vec<&Value> = s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "DP_SANS_EJ")
        .collect();
    assert_eq!(dp.len(), 10_001);
    let rest = dp.iter().find(|f| f["row"].is_null()).unwrap();
    assert_eq!(rest["amount"], "10.00");
    assert!(rest["message"].as_str().unwrap().contains("Et 5 autre(s)"));
    assert!(rest["file"].as_str().unwrap().ends_with("dp_2020.csv"));
    assert_eq!(
        rest["key"],
        format!(
            "DP_SANS_EJ:fichier={}|au-dela",
            rest["file"].as_str().unwrap()
        )
    );
    // The totals count every line.
    assert_eq!(s["totals"]["cp_consumed"], "20010.00");
}
