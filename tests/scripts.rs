//! For scripts: `layouts --json`, `layouts --schema NOM` (checked with the real
//! `frictionless validate` when it is installed), shell completions and the man page.

mod common;

use std::path::Path;
use std::process::Command;

use common::{repo, run, samples};
use serde_json::Value;

#[test]
fn layouts_json_has_every_layout_and_its_chorus_data() {
    let out = run(&repo(), &["layouts", "--json"]);
    out.expect_code(0);
    let v: Value = serde_json::from_str(&out.stdout).expect("layouts --json is JSON");
    assert_eq!(v["format_version"], 1);
    let layouts = v["layouts"].as_array().expect("a list of layouts");
    assert_eq!(layouts.len(), 15);
    let find = |name: &str| {
        layouts
            .iter()
            .find(|l| l["name"] == name)
            .unwrap_or_else(|| panic!("layout {name} missing"))
    };
    let ej = find("aife-ej");
    assert_eq!(ej["kind"], "extract");
    assert_eq!(ej["measure"], "ae");
    assert_eq!(ej["x-chorus"]["committedDate"], "date_ej");
    assert_eq!(ej["x-chorus"]["states"], true);
    assert_eq!(
        ej["x-chorus"]["stateKey"]["ae"],
        serde_json::json!(["societe", "ej", "poste_ej", "exercice"])
    );
    let montant = ej["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "montant")
        .expect("montant");
    assert_eq!(montant["headers"][0], "Montant engagé (EUR)");
    assert_eq!(montant["required"], true);
    let cp = find("infbud53-cp");
    assert_eq!(cp["x-chorus"]["amountIncludesCarryOver"], true);
    assert_eq!(cp["x-chorus"]["paidDate"], "date");
    assert!(
        cp["x-chorus"]["subtotal"]["markers"]
            .as_array()
            .unwrap()
            .contains(&Value::from("Résultat"))
    );
    assert_eq!(
        cp["x-chorus"]["extractionDate"],
        serde_json::json!(["preamble", "fileName"])
    );
    let croise = find("infbud53-croise");
    assert!(
        !croise["x-chorus"]["keyFigures"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(find("nomenclature-localisations")["kind"], "nomenclature");
}

fn schema_of(name: &str) -> Value {
    let out = run(&repo(), &["layouts", "--schema", name]);
    out.expect_code(0);
    serde_json::from_str(&out.stdout).expect("layouts --schema is JSON")
}

#[test]
fn table_schema_names_the_headers_as_files_write_them() {
    let s = schema_of("aife-ej");
    assert_eq!(s["fieldsMatch"], "partial");
    assert_eq!(s["missingValues"], serde_json::json!(["", "#"]));
    let fields = s["fields"].as_array().unwrap();
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    };
    let amount = field("Montant engagé (EUR)");
    assert_eq!(amount["type"], "number");
    assert_eq!(amount["decimalChar"], ",");
    assert_eq!(
        field("N° EJ - Date de réplication (Clé)")["format"],
        "%d/%m/%Y"
    );
    assert!(fields.iter().all(|f| f["name"] != "montant"));

    let q = schema_of("aife-ej-quotidien");
    let fields = q["fields"].as_array().unwrap();
    let doc_date = fields.iter().find(|f| f["name"] == "doc_date").unwrap();
    assert_eq!(doc_date["format"], "%Y-%m-%d");

    // A code/label pair: one name over both columns, said so.
    let bex = schema_of("infbud53-cp");
    let supplier = bex["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Fournisseur payé (DP)")
        .expect("the pair's header");
    assert!(
        supplier["description"]
            .as_str()
            .unwrap()
            .contains("deux colonnes")
    );
    assert_eq!(bex["x-dialect"]["headerRows"], serde_json::json!([8]));

    let unknown = run(&repo(), &["layouts", "--schema", "pas-une-mise-en-page"]);
    unknown.expect_code(2);
    assert!(unknown.stderr.contains("aife-ej"), "{}", unknown.stderr);
}

/// `frictionless validate` on the public samples the schemas accept. The samples that it
/// cannot accept, and why: `aife_ae.csv` (inner quotes not doubled: a row gets 25 cells),
/// `aife_cp.csv` (« Centre financier - Programme (Clé) » twice) and the BEx exports
/// (code/label pairs repeat their header): matching by name needs unique headers.
#[test]
fn frictionless_accepts_the_public_samples() {
    let Some(samples) = samples() else { return };
    let has_frictionless = Command::new("frictionless")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_frictionless {
        eprintln!("\n*** IGNORÉ : frictionless absent (pip install frictionless) ***\n");
        return;
    }
    let dir = samples.join("dataregion__DataEtatRegion-back");
    let tmp = tempfile::tempdir().unwrap();
    for (layout, sample) in [
        ("aife-ej", "aife_ae_double_ej.csv"),
        ("aife-ej-quotidien", "ej_data_etat_quot_2024-09-26.csv"),
        ("aife-dp-quotidien", "dp_data_etat_quot_2024-09-26.csv"),
    ] {
        let schema = tmp.path().join(format!("{layout}.json"));
        std::fs::write(
            &schema,
            run(&repo(), &["layouts", "--schema", layout]).stdout,
        )
        .unwrap();
        let out = validate(&dir, &schema, sample);
        assert!(
            out.0,
            "frictionless refuse {sample} avec le schéma {layout}:\n{}",
            out.1
        );
    }
    // The inner quotes of aife_ae.csv: not valid CSV, refused (chorus-recon reads it).
    let schema = tmp.path().join("aife-ej.json");
    let (valid, _) = validate(&dir, &schema, "aife_ae.csv");
    assert!(
        !valid,
        "aife_ae.csv accepted: its inner quotes were thought to break it"
    );
}

fn validate(dir: &Path, schema: &Path, sample: &str) -> (bool, String) {
    let out = Command::new("frictionless")
        .args(["validate", "--trusted", "--json", "--schema"])
        .arg(schema)
        .arg(sample)
        .current_dir(dir)
        .output()
        .expect("frictionless runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (report["valid"] == true, text)
}

#[test]
fn man_page_and_completions_come_from_the_french_command() {
    let man = run(&repo(), &["man"]);
    man.expect_code(0);
    assert!(man.stdout.contains(".TH"), "{}", man.stdout);
    assert!(
        man.stdout.contains("Rapproche les extraits Chorus"),
        "{}",
        man.stdout
    );
    for sub in ["reconcile", "check", "convention", "layouts"] {
        assert!(man.stdout.contains(sub), "{sub} missing from the man page");
    }
    assert!(man.stdout.contains("Affiche l\\*(Aqaide"), "{}", man.stdout);

    let bash = run(&repo(), &["completions", "bash"]);
    bash.expect_code(0);
    assert!(bash.stdout.contains("reconcile"));
    assert!(bash.stdout.contains("--fail-on"));
    for shell in ["zsh", "fish"] {
        let out = run(&repo(), &["completions", shell]);
        out.expect_code(0);
        assert!(out.stdout.contains("reconcile"), "{shell}");
    }
    // Hidden from the help: tools, not the accountant's commands.
    let help = run(&repo(), &["--help"]);
    assert!(!help.stdout.contains("completions"), "{}", help.stdout);
}
