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

#[test]
fn cumulative_paid_amounts_per_ej_poste_are_states_too() {
    // BO Webi (here saved as CSV): each row is an EJ poste's cumulative figures for the
    // exercice. June says 10 000 paid, September 16 000: 16 000 were paid, not 26 000.
    let dir = tempfile::tempdir().unwrap();
    let header = "Centre financier;Domaine fonctionnel;Centre de coûts;Référentiel de programmation;N° EJ;N° poste EJ;Date de réplication;Exercice comptable;Axe ministériel 2;Montant TOTAL engagé (b);Bascule des EJ non soldés (EJ années antérieures) (a);Montant payé (Virement effectué au fournisseur)";
    let row = |paid: &str| {
        format!(
            "0174-SOUT-ELAB;0174-06;ECLDENE092;017406AG1607;2100000701;1;03.02.2020;2020;POTENTIEL;30000,00;0;{paid}"
        )
    };
    std::fs::write(
        dir.path().join("bowebi_2020-06-30.csv"),
        format!("{header}\r\n{}\r\n", row("10000,00")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bowebi_2020-09-30.csv"),
        format!("{header}\r\n{}\r\n", row("16000,00")),
    )
    .unwrap();
    let (_, s) = reconcile(&[dir.path().to_str().unwrap(), "--as-of", "2020-11-30"]);
    assert_eq!(s["inputs"][0]["layout"], "infbud53-bowebi");
    assert_eq!(s["totals"]["ae_consumed"], "30000.00");
    assert_eq!(s["totals"]["cp_consumed"], "16000.00");
    assert_eq!(s["totals"]["remaining_to_pay"], "14000.00");
    // The June row: its AE are the same state (a duplicate), its CP replaced; the row
    // counts in its AE's category.
    assert_eq!(s["lines"]["duplicates"], 1);
    assert_eq!(s["movements"]["cp"]["replaced"], 1);
    assert_eq!(s["movements"]["ae"]["duplicates"], 1);
}

#[test]
fn the_workbook_lists_what_replaced_what() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("r.xlsx");
    let o = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/extraits-reels",
            "--as-of",
            "2021-12-31",
            "-q",
            "-o",
            book.to_str().unwrap(),
        ],
    );
    o.expect_code(1);
    let sheets = common::read_workbook(&book);
    let (_, rows) = sheets.iter().find(|(n, _)| n == "Remplacements").unwrap();
    // Under the sheet's caption and header.
    let data: Vec<&Vec<String>> = rows
        .iter()
        .skip(2)
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    assert_eq!(data.len(), 3, "{rows:?}");
    // EJ 505: 8 000 in the June BEx extract, replaced by the October one's 9 000.
    let ej505 = data
        .iter()
        .find(|r| r.contains(&"2100000505".to_string()))
        .unwrap();
    assert!(ej505[0].ends_with("INFBUD53_AE_2021-06.csv"), "{ej505:?}");
    assert!(
        ej505.iter().any(|c| c.ends_with("INFBUD53_AE_2021-10.csv")),
        "{ej505:?}"
    );
    assert!(
        ej505.contains(&"8000".to_string()) && ej505.contains(&"9000".to_string()),
        "{ej505:?}"
    );
    // Provenance gives each input its extraction date.
    let (_, prov) = sheets.iter().find(|(n, _)| n == "Provenance").unwrap();
    // The header, under the sheet's caption.
    let col = prov[1]
        .iter()
        .position(|h| h == "Date d'extraction")
        .unwrap();
    let dated = prov
        .iter()
        .filter(|r| r.get(col).is_some_and(|c| !c.is_empty()))
        .count();
    assert_eq!(dated, 1 + 6, "header + six dated inputs: {prov:?}");
}

#[test]
fn a_poste_a_later_extract_moves_out_of_scope_leaves_the_scope() {
    // June: EJ 501 on the convention's activité; December: the same poste moved to another
    // activité. The state is December's: out of scope, nothing left in scope for it.
    let dir = tempfile::tempdir().unwrap();
    let src = repo().join("fixtures/extraits-reels/engagements");
    std::fs::copy(
        src.join("ej_0174_2020_2020-06-30.csv"),
        dir.path().join("ej_0174_2020_2020-06-30.csv"),
    )
    .unwrap();
    let december = std::fs::read_to_string(src.join("ej_0174_2020_2020-12-31.csv"))
        .unwrap()
        .replacen(
            "\"017406AG1607\";\"2100000501\"",
            "\"017406AG0101\";\"2100000501\"",
            1,
        );
    std::fs::write(dir.path().join("ej_0174_2020_2020-12-31.csv"), december).unwrap();
    let (_, s) = reconcile(&[dir.path().to_str().unwrap(), "--as-of", "2020-11-30"]);
    // Potentiel had only EJ 501: its 2020 AE are now 0 (the June line is replaced).
    let potentiel = &s["products"][0]["years"][0];
    assert_eq!(potentiel["ae_consumed"], "0.00");
    assert_eq!(s["lines"]["replaced"], 1);
    assert_eq!(s["lines"]["out_of_scope"], 2);
}
