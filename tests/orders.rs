//! `--commandes` through the real binary: the figures of sections 2 and 3 of
//! `fixtures/declaration-commandes/LISEZMOI.md` (matches, findings, attribution, breakdown)
//! in the summary and the sheets « Commandes », « Marchés et natures » and « Lignes »; a run
//! without the option keeps its sheets; a malformed list refused with every mistake.

mod common;

use std::path::Path;

use common::{read_workbook, repo, run};
use serde_json::{Value, json};

const DIR: &str = "fixtures/declaration-commandes";

type Book = Vec<(String, Vec<Vec<String>>)>;

/// Reconciles the fixture with `extra` arguments; the summary and the workbook.
fn reconcile(extra: &[&str], out: &Path, code: i32) -> (Value, Book) {
    let (book, summary) = (out.join("r.xlsx"), out.join("r.json"));
    let convention = format!("{DIR}/convention.toml");
    let mut all = vec!["reconcile", DIR, "--as-of", "2020-12-31", "-c", &convention];
    all.extend(extra);
    let (book_arg, summary_arg) = (book.display().to_string(), summary.display().to_string());
    all.extend(["-q", "-o", &book_arg, "--summary", &summary_arg]);
    run(&repo(), &all).expect_code(code);
    let summary = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    (summary, read_workbook(&book))
}

fn sheet<'a>(book: &'a Book, name: &str) -> &'a [Vec<String>] {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet « {name} »"))
        .1
}

/// The rows under the header row that starts with `first`, as (header → cell) lookups.
fn rows<'a>(sheet: &'a [Vec<String>], first: &str) -> (Vec<&'a str>, &'a [Vec<String>]) {
    let at = sheet
        .iter()
        .position(|r| r.first().is_some_and(|c| c == first))
        .expect("the header row");
    (
        sheet[at].iter().map(String::as_str).collect(),
        &sheet[at + 1..],
    )
}

fn col(head: &[&str], name: &str) -> usize {
    head.iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column « {name} » in {head:?}"))
}

fn codes(summary: &Value) -> Vec<(String, String)> {
    (summary["findings"].as_array().unwrap().iter())
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("key"))
        })
        .collect()
}

#[test]
fn the_order_list_gives_every_figure_of_sections_2_and_3() {
    let out = tempfile::tempdir().unwrap();
    let orders = format!("{DIR}/commandes.csv");
    let (summary, book) = reconcile(&["--commandes", &orders], out.path(), 0);
    assert_eq!(
        summary["orders"],
        json!({
            "file": orders,
            "orders": 8,
            "matched_by_ej": 5,
            "matched_by_supplier": 2,
            "without_ej": 1,
            "ejs_without_order": 1,
            "amount_gaps": 1,
            "ordered": "139002.40",
            "ae_matched": "131000.00",
            "cp_matched": "73500.00"
        })
    );
    // CarbuRe takes the EJ 2100005006 by the order BC-2020-07.
    let carbure = &summary["products"][1]["years"][0];
    assert_eq!(
        (
            carbure["ae_consumed"].as_str(),
            carbure["cp_consumed"].as_str()
        ),
        (Some("75000.00"), Some("38000.00"))
    );
    assert_eq!(summary["totals"]["ae_consumed"], "136000.00");
    let codes = codes(&summary);
    let of = |code: &str| {
        codes
            .iter()
            .filter(|(c, _)| c == code)
            .map(|(_, k)| k.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        of("COMMANDE_SANS_EJ"),
        ["COMMANDE_SANS_EJ:commande=BC-2020-08"]
    );
    assert_eq!(of("EJ_SANS_COMMANDE"), ["EJ_SANS_COMMANDE:ej=2100005007"]);
    assert_eq!(of("ECART_MONTANT"), ["ECART_MONTANT:commande=BC-2020-02"]);
    assert!(of("PRODUIT_NON_ATTRIBUE").is_empty(), "{codes:?}");
    let unused: Vec<&str> = (summary["findings"].as_array().unwrap().iter())
        .filter(|f| f["code"] == "CREDITS_NON_CONSOMMES")
        .map(|f| f["amount"].as_str().unwrap())
        .collect();
    assert_eq!(unused, ["19000.00", "4500.00", "5000.00", "2000.00"]);
    // The order list sits in the extracts' folder: named by its option, no stray file.
    let skipped = summary["inputs_skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .all(|s| !s["path"].as_str().unwrap().ends_with("commandes.csv"))
    );
    orders_sheet(&book);
    breakdown_sheet(&book);
    attachment_column(&book, true);
}

/// « Commandes »: each order's match, how, EJ and postes, Chorus amount and gap.
fn orders_sheet(book: &Book) {
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert_eq!(at("Commandes"), at("Engagements") + 1, "{names:?}");
    assert_eq!(at("Marchés et natures"), at("Commandes") + 1, "{names:?}");
    let (head, rows) = rows(sheet(book, "Commandes"), "Commande");
    let cell = |r: &Vec<String>, name: &str| r[col(&head, name)].clone();
    let find = |id: &str| rows.iter().find(|r| r[0] == id).unwrap();
    let bc03 = find("BC-2020-03");
    assert_eq!(cell(bc03, "Rapprochement"), "n° d'EJ");
    assert_eq!(cell(bc03, "EJ / postes"), "2100005003 / 1, 2");
    assert_eq!(cell(bc03, "Montant Chorus"), "40000");
    let bc05 = find("BC-2020-05");
    assert_eq!(cell(bc05, "Commandes du groupe"), "BC-2020-04 + BC-2020-05");
    assert_eq!(cell(bc05, "Écart"), "0");
    let bc07 = find("BC-2020-07");
    assert_eq!(cell(bc07, "Rapprochement"), "fournisseur + montant + date");
    assert_eq!(cell(bc07, "EJ / postes"), "2100005006 / 1");
    assert_eq!(cell(bc07, "Écart").parse::<f64>().unwrap(), 2.4);
    assert_eq!(cell(bc07, "Anomalie"), "");
    assert_eq!(cell(find("BC-2020-02"), "Anomalie"), "ECART_MONTANT");
    assert_eq!(cell(find("BC-2020-08"), "Anomalie"), "COMMANDE_SANS_EJ");
    let last = rows
        .iter()
        .rfind(|r| !r[col(&head, "Anomalie")].is_empty())
        .unwrap();
    assert_eq!(cell(last, "EJ / postes"), "2100005007 / 1");
    assert_eq!(cell(last, "Anomalie"), "EJ_SANS_COMMANDE");
}

/// « Marchés et natures »: the table of section 3 and its totals.
fn breakdown_sheet(book: &Book) {
    let (head, rows) = rows(sheet(book, "Marchés et natures"), "Marché");
    let figures = |r: &Vec<String>| {
        ["Commandé", "AE (EJ rapprochés)", "CP (payés sur eux)"]
            .map(|h| r[col(&head, h)].parse::<f64>().unwrap())
    };
    let row = |market: &str, nature: &str, product: &str| {
        rows.iter()
            .find(|r| r[0].starts_with(market) && r[1] == nature && r[3] == product)
            .unwrap_or_else(|| panic!("no row {market} {nature} {product}"))
    };
    assert_eq!(
        figures(row("Développement", "hébergement", "CarbuRe")),
        [30002.4, 30000.0, 8000.0]
    );
    assert_eq!(
        row("Développement", "hébergement", "CarbuRe")[2],
        "HEBERGEUR SOUVERAIN"
    );
    assert_eq!(
        figures(row("Développement", "déploiement", "Potentiel")),
        [7500.0, 0.0, 0.0]
    );
    assert_eq!(
        figures(row("Coaching", "coaching", "Potentiel")),
        [9000.0, 9000.0, 4500.0]
    );
    let without = row("(sans commande)", "", "CarbuRe");
    assert_eq!(figures(without), [0.0, 5000.0, 0.0]);
    assert_eq!(without[2], "BETA CONSULTING SAS");
    let total = rows.iter().find(|r| r[0] == "Total").unwrap();
    assert_eq!(figures(total), [139002.4, 136000.0, 73500.0]);
}

/// « Lignes »: the rule that attributed each line; « commande BC-… » only with the list.
fn attachment_column(book: &Book, with_orders: bool) {
    let (head, rows) = rows(sheet(book, "Lignes"), "Fichier");
    let (ej, rule) = (col(&head, "N° EJ"), col(&head, "Rattachement"));
    let of = |n: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r[ej] == n)
            .map(|r| r[rule].as_str())
            .collect()
    };
    if with_orders {
        assert_eq!(of("2100005006"), ["commande BC-2020-07"]);
        // The order is stronger than the keyword; payments follow it too.
        assert_eq!(of("2100005003"), ["commande BC-2020-03"; 3]);
        assert_eq!(of("2100005004"), ["commande BC-2020-04"; 2]);
        assert_eq!(of("2100005007"), ["règle"]);
    } else {
        assert_eq!(of("2100005006"), [""]);
        assert_eq!(of("2100005003"), ["règle", "règle", "EJ"]);
    }
}

#[test]
fn without_the_list_no_order_sheet_and_the_rules_as_before() {
    let out = tempfile::tempdir().unwrap();
    let (summary, book) = reconcile(&[], out.path(), 0);
    assert!(
        summary.get("orders").is_none(),
        "no orders key without --commandes"
    );
    assert!(
        book.iter()
            .all(|(n, _)| n != "Commandes" && n != "Marchés et natures")
    );
    attachment_column(&book, false);
    let codes = codes(&summary);
    assert!(
        codes.iter().any(|(c, _)| c == "PRODUIT_NON_ATTRIBUE"),
        "{codes:?}"
    );
}

#[test]
fn a_malformed_order_list_is_refused_with_every_mistake() {
    let out = tempfile::tempdir().unwrap();
    let list = out.path().join("commandes.csv");
    std::fs::write(
        &list,
        "commande;ej;marche;nature;produit;fournisseur;siret;montant;date\n\
         BC-1;12;M;n;potentiel;X;;10;01/01/2020\n\
         BC-1;;M;n;inconnu;X;;abc;01/01/2020\n",
    )
    .unwrap();
    let convention = format!("{DIR}/convention.toml");
    let book = out.path().join("r.xlsx");
    let outcome = run(
        &repo(),
        &[
            "reconcile",
            DIR,
            "--as-of",
            "2020-12-31",
            "-c",
            &convention,
            "--commandes",
            list.to_str().unwrap(),
            "-o",
            book.to_str().unwrap(),
        ],
    );
    outcome.expect_code(2);
    let said = &outcome.stderr;
    assert!(said.contains("3 erreurs"), "{said}");
    assert!(
        said.contains("ligne 2, colonne « ej » : n° d'EJ « 12 » illisible"),
        "{said}"
    );
    assert!(
        said.contains("ligne 3, colonne « produit » : produit « inconnu » inconnu"),
        "{said}"
    );
    assert!(said.contains("ligne 3, colonne « montant »"), "{said}");
    assert!(!book.exists(), "nothing written");
}

#[test]
fn the_same_bytes_whatever_the_thread_count() {
    let orders = format!("{DIR}/commandes.csv");
    let bytes = |jobs: &str| {
        let out = tempfile::tempdir().unwrap();
        reconcile(&["--commandes", &orders, "-j", jobs], out.path(), 0);
        let read = |name: &str| std::fs::read(out.path().join(name)).unwrap();
        (read("r.xlsx"), read("r.json"))
    };
    assert!(
        bytes("1") == bytes("2"),
        "workbook and summary differ between -j 1 and -j 2"
    );
}
