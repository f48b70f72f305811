//! Several conventions in one pass (issue 15), through the binary: one read of the
//! extracts, each convention's summary equal to its single run's, the orphans of the
//! délégataire's scope, the output folder, the refusals.

mod common;

use std::path::{Path, PathBuf};

use common::{repo, run};
use serde_json::Value;

const FIXTURE: &str = "fixtures/portefeuille";

/// A copy of the fixture's conventions in `dir`: A, B, C without its avenant and mises à
/// disposition (its 2021 lines then fall out of its period), and the perimeter when
/// asked. C without its avenant has errors (`PLAFOND_AE_DEPASSE`…): exit code 1.
fn conventions(dir: &Path, perimeter: bool) -> PathBuf {
    let from = repo().join(FIXTURE).join("conventions");
    let to = dir.join("conventions");
    std::fs::create_dir_all(&to).unwrap();
    for name in ["dgec-dinum-2020.toml", "dgec-dinum-tableau-de-bord.toml"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
    let c = std::fs::read_to_string(from.join("dgec-dinum-appui-data.toml")).unwrap();
    let stripped = &c[..c.find("\n[[avenant]]").expect("C's avenant")];
    std::fs::write(to.join("dgec-dinum-appui-data.toml"), stripped).unwrap();
    if perimeter {
        std::fs::copy(from.join("portefeuille.toml"), to.join("portefeuille.toml")).unwrap();
    }
    to
}

/// The run stopped (exit 2), its message naming each of `words`.
fn refused(outcome: &common::Outcome, words: &[&str]) {
    outcome.expect_code(2);
    for word in words {
        assert!(outcome.stderr.contains(word), "{word}: {}", outcome.stderr);
    }
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn portfolio_run(dir: &Path, conventions: &Path, extra: &[&str]) -> common::Outcome {
    let out = dir.join("sortie");
    let summary = dir.join("resume.json");
    let mut args = vec![
        "reconcile",
        "fixtures/portefeuille/extraits",
        "-c",
        conventions.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ];
    if !extra.contains(&"--as-of") {
        args.extend(["--as-of", "2021-12-31"]);
    }
    args.extend(extra);
    run(&repo(), &args)
}

#[test]
fn each_conventions_summary_equals_its_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), true);
    portfolio_run(tmp.path(), &dir, &[]).expect_code(1);
    let portfolio = json(&tmp.path().join("resume.json"));
    let members = portfolio["conventions"].as_array().unwrap();
    // Path order in the folder.
    let ids: Vec<&str> = members
        .iter()
        .map(|m| m["convention"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "dgec-dinum-2020",
            "dgec-dinum-appui-data",
            "dgec-dinum-tableau-de-bord"
        ]
    );
    for (member, id) in members.iter().zip(&ids) {
        let single = tmp.path().join(format!("{id}.json"));
        let file = dir.join(format!("{id}.toml"));
        run(
            &repo(),
            &[
                "reconcile",
                "fixtures/portefeuille/extraits",
                "-c",
                file.to_str().unwrap(),
                "--as-of",
                "2021-12-31",
                "-o",
                tmp.path().join(format!("{id}.xlsx")).to_str().unwrap(),
                "--summary",
                single.to_str().unwrap(),
            ],
        );
        assert_eq!(member, &json(&single), "{id}: portfolio vs single run");
        assert!(
            tmp.path()
                .join("sortie")
                .join(format!("{id}.xlsx"))
                .is_file()
        );
    }
    assert!(tmp.path().join("sortie/portefeuille.xlsx").is_file());
    // The hand-worked figures (LISEZMOI): A and B in full, 19 lines each.
    assert_eq!(members[0]["totals"]["ae_consumed"], "80000.00");
    assert_eq!(members[0]["lines"]["in_scope"], 5);
    assert_eq!(members[2]["totals"]["cp_consumed"], "40000.00");
    assert_eq!(members[2]["lines"]["in_scope"], 3);
    assert_eq!(members[1]["lines"]["in_scope"], 5, "C's five lines");
}

/// The orphan findings of a portfolio summary: (key, message).
fn orphan_findings(summary: &Value) -> Vec<String> {
    summary["portfolio"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "LIGNE_ORPHELINE")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_three_orphans_are_found_by_uo_or_by_centre_de_cout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), true);
    let outcome = portfolio_run(tmp.path(), &dir, &[]);
    outcome.expect_code(1);
    let orphans = orphan_findings(&json(&tmp.path().join("resume.json")));
    assert_eq!(orphans.len(), 3, "{orphans:#?}");
    assert!(orphans[0].contains("DP 100003001") && orphans[0].contains("par centre de coût"));
    assert!(orphans[1].contains("EJ 2100003001") && orphans[1].contains("UO et centre de coût"));
    assert!(orphans[2].contains("EJ 2100003002") && orphans[2].contains("(rattachée par UO)"));
    // AE 8 000 + 4 500 = 12 500, CP 8 000.
    assert!(
        outcome
            .stderr
            .contains(": 3 ; AE 12\u{202f}500,00\u{a0}€ ; CP 8\u{202f}000,00\u{a0}€"),
        "{}",
        outcome.stderr
    );
    for id in [
        "dgec-dinum-2020",
        "dgec-dinum-appui-data",
        "dgec-dinum-tableau-de-bord",
    ] {
        assert!(
            outcome.stderr.contains(&format!("  {id} : ")),
            "{}",
            outcome.stderr
        );
    }
    portfolio_run(tmp.path(), &dir, &["--fail-on", "never"]).expect_code(0);
}

/// B alone is « conforme »: with the perimeter, its orphans' warnings decide the exit code.
#[test]
fn the_orphans_count_in_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let all = conventions(tmp.path(), true);
    let dir = tmp.path().join("b");
    std::fs::create_dir(&dir).unwrap();
    for name in ["dgec-dinum-tableau-de-bord.toml", "portefeuille.toml"] {
        std::fs::copy(all.join(name), dir.join(name)).unwrap();
    }
    portfolio_run(tmp.path(), &dir, &["--fail-on", "warning"]).expect_code(1);
    std::fs::remove_file(dir.join("portefeuille.toml")).unwrap();
    std::fs::copy(all.join("dgec-dinum-2020.toml"), dir.join("a.toml")).unwrap();
    // A's warnings without orphans still count; B's infos alone would not.
    portfolio_run(tmp.path(), &dir, &["--fail-on", "warning"]).expect_code(1);
    portfolio_run(tmp.path(), &dir, &[]).expect_code(0);
}

#[test]
fn without_portefeuille_toml_no_orphan_is_sought() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), false);
    let outcome = portfolio_run(tmp.path(), &dir, &[]);
    outcome.expect_code(1);
    assert!(orphan_findings(&json(&tmp.path().join("resume.json"))).is_empty());
    assert!(
        outcome.stderr.contains("non cherchées"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn convention_files_named_one_by_one_make_a_portfolio_in_c_order() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), false);
    let b = dir.join("dgec-dinum-tableau-de-bord.toml");
    let a = dir.join("dgec-dinum-2020.toml");
    let outcome = portfolio_run(tmp.path(), &b, &["-c", a.to_str().unwrap()]);
    outcome.expect_code(0);
    let summary = json(&tmp.path().join("resume.json"));
    let ids: Vec<&str> = (summary["conventions"].as_array().unwrap().iter())
        .map(|m| m["convention"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dgec-dinum-tableau-de-bord", "dgec-dinum-2020"]);
}

#[test]
fn a_folder_with_one_convention_and_no_perimeter_is_todays_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("seule");
    std::fs::create_dir(&dir).unwrap();
    let a = repo()
        .join(FIXTURE)
        .join("conventions/dgec-dinum-2020.toml");
    std::fs::copy(&a, dir.join("dgec-dinum-2020.toml")).unwrap();
    let book = tmp.path().join("r.xlsx");
    let summary = tmp.path().join("r.json");
    run(
        &repo(),
        &[
            "reconcile",
            "fixtures/portefeuille/extraits",
            "-c",
            dir.to_str().unwrap(),
            "--as-of",
            "2021-12-31",
            "-o",
            book.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    let value = json(&summary);
    assert!(value.get("conventions").is_none(), "today's shape");
    assert_eq!(value["convention"]["id"], "dgec-dinum-2020");
    assert!(book.is_file());
}

#[test]
fn overlapping_conventions_are_refused_and_a_successor_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), false);
    let b = dir.join("dgec-dinum-tableau-de-bord.toml");
    let on_a = |debut: &str| {
        let text = std::fs::read_to_string(&b)
            .unwrap()
            .replace("\"0174-SOUT-DATA\"", "\"0174-SOUT-ELAB\"")
            .replace("\"017406AG1608\"", "\"017406AG1607\"")
            .replace("\"ECLDENE093\"", "\"ECLDENE092\"")
            .replace("debut = 2020-01-01", &format!("debut = {debut}"));
        std::fs::write(&b, text).unwrap();
    };
    on_a("2020-01-01");
    let outcome = portfolio_run(tmp.path(), &dir, &[]);
    let axes = ["centre financier", "activité", "centre de coût"];
    refused(
        &outcome,
        &[
            &["dgec-dinum-2020", "dgec-dinum-tableau-de-bord"][..],
            &axes,
        ]
        .concat(),
    );
    assert!(!tmp.path().join("sortie").exists(), "nothing written");
    on_a("2021-08-01");
    portfolio_run(tmp.path(), &dir, &[]).expect_code(1);
}

#[test]
fn the_same_id_twice_is_refused_naming_both_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), false);
    let a = dir.join("dgec-dinum-2020.toml");
    let copy = tmp.path().join("copie.toml");
    std::fs::copy(&a, &copy).unwrap();
    let outcome = portfolio_run(tmp.path(), &a, &["-c", copy.to_str().unwrap()]);
    refused(
        &outcome,
        &["copie.toml", "dgec-dinum-2020.toml", "déjà pris"],
    );
}

#[test]
fn what_a_portfolio_does_not_take_is_refused_in_french() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), true);
    let previsions = tmp.path().join("previsions.csv");
    for extra in [
        vec!["--previsions", previsions.to_str().unwrap()],
        vec!["--export-lignes", tmp.path().to_str().unwrap()],
    ] {
        let outcome = portfolio_run(tmp.path(), &dir, &extra);
        refused(
            &outcome,
            &["n'est pas encore possible avec plusieurs conventions"],
        );
    }
    let book = tmp.path().join("rapprochement.xlsx");
    let outcome = run(
        &repo(),
        &[
            "reconcile",
            "fixtures/portefeuille/extraits",
            "-c",
            dir.to_str().unwrap(),
            "-o",
            book.to_str().unwrap(),
        ],
    );
    refused(&outcome, &["-o nomme un dossier"]);
    let outcome = run(
        &repo(),
        &[
            "check",
            "fixtures/portefeuille/extraits",
            "-c",
            dir.to_str().unwrap(),
        ],
    );
    refused(&outcome, &["seule la commande reconcile"]);
}

#[test]
fn the_outputs_are_the_same_bytes_whatever_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), true);
    let mut outputs = Vec::new();
    for jobs in ["1", "3"] {
        let sub = tmp.path().join(jobs);
        std::fs::create_dir(&sub).unwrap();
        portfolio_run(&sub, &dir, &["-j", jobs]).expect_code(1);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(sub.join("sortie"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files.push((
            "resume.json".into(),
            std::fs::read(sub.join("resume.json")).unwrap(),
        ));
        outputs.push(files);
    }
    assert_eq!(outputs[0].len(), 5);
    for (a, b) in outputs[0].iter().zip(&outputs[1]) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between -j 1 and -j 3", a.0);
    }
}

/// The fixture's own command, with C's avenant and mises à disposition: the LISEZMOI's
/// portfolio figures.
#[test]
fn the_fixtures_command_gives_the_lisezmois_portfolio() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo().join(FIXTURE).join("conventions");
    let outcome = portfolio_run(tmp.path(), &dir, &[]);
    outcome.expect_code(0);
    for name in [
        "dgec-dinum-2020.xlsx",
        "dgec-dinum-tableau-de-bord.xlsx",
        "dgec-dinum-appui-data.xlsx",
        "portefeuille.xlsx",
    ] {
        assert!(tmp.path().join("sortie").join(name).is_file(), "{name}");
    }
    let summary = json(&tmp.path().join("resume.json"));
    let members = summary["conventions"].as_array().unwrap();
    let by_id = |id: &str| {
        members
            .iter()
            .find(|m| m["convention"]["id"] == id)
            .unwrap()
    };
    let c = by_id("dgec-dinum-appui-data");
    assert_eq!(c["totals"]["ae_consumed"], "70000.00");
    assert_eq!(c["totals"]["cp_consumed"], "65000.00");
    assert_eq!(c["totals"]["cp_available"], "15000.00");
    assert_eq!(c["findings_by_severity"]["warning"], 4);
    assert_eq!(
        by_id("dgec-dinum-2020")["findings_by_severity"]["warning"],
        2
    );
    assert_eq!(by_id("dgec-dinum-tableau-de-bord")["status"], "ok");
    assert_eq!(orphan_findings(&summary).len(), 3);
    assert!(
        outcome
            .stderr
            .contains(": 3 ; AE 12\u{202f}500,00\u{a0}€ ; CP 8\u{202f}000,00\u{a0}€"),
        "{}",
        outcome.stderr
    );
    // A's summary is the fixture's expected.json, as its single run gives it.
    let expected = json(&repo().join(FIXTURE).join("expected.json"));
    for key in [
        "lines",
        "totals",
        "products",
        "findings",
        "findings_by_severity",
    ] {
        common::assert_subset(
            &expected["summary"][key],
            &by_id("dgec-dinum-2020")[key],
            key,
        );
    }
}

/// Next month: each convention's findings followed up from its summary in last month's
/// portfolio summary, found by its id; as-of after last month's.
#[test]
fn previous_follows_each_convention_up_from_the_portfolio_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = conventions(tmp.path(), true);
    let first = tmp.path().join("premier");
    std::fs::create_dir(&first).unwrap();
    let outcome = portfolio_run(&first, &dir, &["--as-of", "2021-11-30"]);
    outcome.expect_code(1);
    let previous = first.join("resume.json");
    let outcome = portfolio_run(
        tmp.path(),
        &dir,
        &["--previous", previous.to_str().unwrap()],
    );
    outcome.expect_code(1);
    let summary = json(&tmp.path().join("resume.json"));
    for member in summary["conventions"].as_array().unwrap() {
        let findings = member["findings"].as_array().unwrap();
        assert!(!findings.is_empty());
        let open = findings.iter().filter(|f| f["follow_up"] == "open").count();
        assert!(
            open > 0,
            "{}: no finding followed up",
            member["convention"]["id"]
        );
        assert!(findings.iter().all(|f| !f["follow_up"].is_null()));
    }
    // The orphans too: open since the first month, where they were first seen.
    let orphans = summary["portfolio"]["findings"].as_array().unwrap();
    assert_eq!(orphans.len(), 3);
    for f in orphans {
        assert_eq!(f["follow_up"], "open", "{f}");
        assert_eq!(f["first_seen"], "2021-11-30", "{f}");
    }
    // A single run's summary of B serves B only: A's findings are not followed up.
    let b = tmp.path().join("b.json");
    run(
        &repo(),
        &[
            "reconcile",
            "fixtures/portefeuille/extraits",
            "-c",
            dir.join("dgec-dinum-tableau-de-bord.toml")
                .to_str()
                .unwrap(),
            "--as-of",
            "2021-11-30",
            "-o",
            tmp.path().join("b.xlsx").to_str().unwrap(),
            "--summary",
            b.to_str().unwrap(),
        ],
    )
    .expect_code(0);
    let outcome = portfolio_run(tmp.path(), &dir, &["--previous", b.to_str().unwrap()]);
    outcome.expect_code(1);
    assert!(
        outcome
            .stderr
            .contains("pas de résumé de « dgec-dinum-2020 »"),
        "{}",
        outcome.stderr
    );
    let summary = json(&tmp.path().join("resume.json"));
    let a = &summary["conventions"][0];
    assert!(
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["follow_up"] != "open")
    );
}

/// A successor on A's imputation: A ends on 31/12/2020, its successor starts on
/// 01/01/2021. Both claim A's lines; each goes to the one whose period holds its date, and
/// is out of the other's scope without being a partial imputation.
#[test]
fn a_line_two_conventions_claim_goes_to_the_one_whose_period_holds_its_date() {
    let tmp = tempfile::tempdir().unwrap();
    let all = conventions(tmp.path(), false);
    let dir = tmp.path().join("successeur");
    std::fs::create_dir(&dir).unwrap();
    let a = std::fs::read_to_string(all.join("dgec-dinum-2020.toml"))
        .unwrap()
        .replace("fin = 2021-07-31", "fin = 2020-12-31");
    std::fs::write(dir.join("a.toml"), a).unwrap();
    let successor = std::fs::read_to_string(all.join("dgec-dinum-tableau-de-bord.toml"))
        .unwrap()
        .replace("\"0174-SOUT-DATA\"", "\"0174-SOUT-ELAB\"")
        .replace("\"017406AG1608\"", "\"017406AG1607\"")
        .replace("\"ECLDENE093\"", "\"ECLDENE092\"")
        .replace("debut = 2020-01-01", "debut = 2021-01-01");
    std::fs::write(dir.join("b.toml"), successor).unwrap();
    portfolio_run(tmp.path(), &dir, &["--fail-on", "never"]).expect_code(0);
    let summary = json(&tmp.path().join("resume.json"));
    let (a, b) = (&summary["conventions"][0], &summary["conventions"][1]);
    assert_eq!(a["convention"]["id"], "dgec-dinum-2020");
    // Lines 1, 2, 10, 11 (2020) stay A's; line 16 (DP of 10/03/2021, CP 25 000) goes to
    // its successor.
    assert_eq!(a["lines"]["in_scope"], 4);
    assert_eq!(a["totals"]["cp_consumed"], "30000.00");
    assert_eq!(b["lines"]["in_scope"], 1);
    assert_eq!(b["totals"]["cp_consumed"], "25000.00");
    for member in [a, b] {
        let partial = (member["findings"].as_array().unwrap().iter())
            .filter(|f| f["code"] == "IMPUTATION_PARTIELLE")
            .count();
        assert_eq!(partial, 0, "{}", member["convention"]["id"]);
    }
}

/// `--declare` with several conventions: each row names its convention; each convention
/// compares its own rows (B declares 39 000 of AE in May 2020 where Chorus has 40 000).
#[test]
fn a_declared_report_is_split_by_its_convention_column() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo().join(FIXTURE).join("conventions");
    let declared = tmp.path().join("declaration.csv");
    std::fs::write(
        &declared,
        "convention;produit;periode;ae;cp\n\
         dgec-dinum-2020;potentiel;2020-03;50000,00;\n\
         dgec-dinum-2020;carbure;2020-03;30000,00;\n\
         DGEC-DINUM-TABLEAU-DE-BORD;Tableau de bord énergie;2020-05;39000,00;\n",
    )
    .unwrap();
    let declare = [
        "--declare",
        declared.to_str().unwrap(),
        "--fail-on",
        "never",
    ];
    portfolio_run(tmp.path(), &dir, &declare).expect_code(0);
    let summary = json(&tmp.path().join("resume.json"));
    let by_id = |id: &str| {
        (summary["conventions"].as_array().unwrap().iter())
            .find(|m| m["convention"]["id"] == id)
            .unwrap()
            .clone()
    };
    let (a, b) = (
        by_id("dgec-dinum-2020"),
        by_id("dgec-dinum-tableau-de-bord"),
    );
    assert_eq!(a["declaration"]["rows"], 2);
    assert_eq!(a["declaration"]["rows_other_convention"], 1);
    assert_eq!(b["declaration"]["rows"], 1);
    assert_eq!(b["declaration"]["rows_other_convention"], 2);
    let gap = (b["findings"].as_array().unwrap().iter())
        .find(|f| f["key"] == "ECART_DECLARATION:produit=tableau-de-bord|periode=2020-05|AE")
        .expect("B's May gap");
    assert_eq!(gap["amount"], "-1000.00");
    // A's declared March matches Chorus: no gap for it.
    let keys: Vec<&str> = (a["findings"].as_array().unwrap().iter())
        .filter_map(|f| f["key"].as_str())
        .collect();
    assert!(
        !keys.iter().any(|k| k.contains("periode=2020-03")),
        "{keys:?}"
    );
}

/// Without the `convention` column, or naming a convention the portfolio lacks: refused
/// before any input is read, every row at once, nothing written.
#[test]
fn a_declared_report_without_its_conventions_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo().join(FIXTURE).join("conventions");
    let declared = tmp.path().join("declaration.csv");
    std::fs::write(
        &declared,
        "convention;produit;periode;ae;cp\n;potentiel;2020-03;1;\nautre;potentiel;2020-04;1;\n",
    )
    .unwrap();
    let outcome = portfolio_run(tmp.path(), &dir, &["--declare", declared.to_str().unwrap()]);
    outcome.expect_code(2);
    let err = &outcome.stderr;
    assert!(
        err.contains("ligne 2") && err.contains("chaque ligne nomme la sienne"),
        "{err}"
    );
    assert!(
        err.contains("ligne 3") && err.contains("convention inconnue"),
        "{err}"
    );
    assert!(!tmp.path().join("sortie").exists());
}

/// An AIFE payment file without the centre de coût and the activité: each payment could be
/// any convention's by its axes and date; it follows its EJ's commitment (read with its
/// axes from the engagements file) — the orphan's payment to no convention.
#[test]
fn payments_without_the_telling_axes_follow_their_ej() {
    let tmp = tempfile::tempdir().unwrap();
    let extraits = tmp.path().join("extraits");
    std::fs::create_dir(&extraits).unwrap();
    for entry in std::fs::read_dir(repo().join(FIXTURE).join("extraits")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = match name.starts_with("dp_") {
            // Drop the third and fourth columns: centre de coût, activité.
            true => (text.split_inclusive('\n'))
                .map(|line| {
                    let fields: Vec<&str> = line.split(';').collect();
                    [&fields[..2], &fields[4..]].concat().join(";")
                })
                .collect(),
            false => text,
        };
        std::fs::write(extraits.join(name), text).unwrap();
    }
    let dir = repo().join(FIXTURE).join("conventions");
    let (out, summary) = (tmp.path().join("sortie"), tmp.path().join("resume.json"));
    let args = [
        "reconcile",
        extraits.to_str().unwrap(),
        "-c",
        dir.to_str().unwrap(),
        "--as-of",
        "2021-12-31",
        "-o",
        out.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ];
    run(&repo(), &args).expect_code(0);
    let summary = json(&summary);
    let cp = |id: &str| {
        (summary["conventions"].as_array().unwrap().iter())
            .find(|m| m["convention"]["id"] == id)
            .unwrap()["totals"]["cp_consumed"]
            .clone()
    };
    assert_eq!(cp("dgec-dinum-2020"), "55000.00");
    assert_eq!(cp("dgec-dinum-tableau-de-bord"), "40000.00");
    assert_eq!(cp("dgec-dinum-appui-data"), "65000.00");
}
