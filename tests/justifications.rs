//! Justified findings (`--justifications`), through the binary, on
//! `fixtures/justifications` (two months; its LISEZMOI.md gives the keys): the accepted
//! finding listed with its justification but out of the status and `--fail-on`, the
//! obsolete justification (`JUSTIFICATION_OBSOLETE`, information), the unknown key
//! (`JUSTIFICATION_INCONNUE`, warning), the Anomalies sheet read back, and a malformed file
//! refused with every mistake.

mod common;

use std::path::{Path, PathBuf};

use common::{Outcome, assert_subset, read_workbook, repo, run};
use serde_json::Value;

const JANUARY: [&str; 2] = ["fixtures/cloture-2020", "fixtures/justifications/2021-01"];
const FEBRUARY: [&str; 3] = [
    "fixtures/cloture-2020",
    "fixtures/justifications/2021-01",
    "fixtures/justifications/2021-02",
];
const RETRAIT: &str = "RETRAIT_ANTERIEUR:441f7f713c4e382f60710996023fc1f9";
const DP_SANS_EJ: &str = "DP_SANS_EJ:057a130f5586778026ea78df5bf8bbc8";
const MISTYPED: &str = "EJ_NON_SOLDE:ej=2100003044";

fn fixture_file() -> PathBuf {
    repo().join("fixtures/justifications/justifications.csv")
}

/// One month: `inputs` at `as_of` into `out/name.{xlsx,json}`, with the extra `args`.
fn month(out: &Path, name: &str, inputs: &[&str], as_of: &str, args: &[&str]) -> Outcome {
    let book = out.join(format!("{name}.xlsx")).display().to_string();
    let json = out.join(format!("{name}.json")).display().to_string();
    let mut all = vec!["reconcile"];
    all.extend(inputs);
    all.extend(["--as-of", as_of, "-o", &book, "--summary", &json]);
    all.extend(args);
    run(&repo(), &all)
}

fn summary(out: &Path, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(out.join(format!("{name}.json"))).unwrap()).unwrap()
}

fn finding<'a>(s: &'a Value, key: &str) -> &'a Value {
    s["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no finding {key}: {:#}", s["findings"]))
}

/// January's summary (no justification), for `--previous`.
fn january(out: &Path) -> String {
    month(out, "janvier", &JANUARY, "2021-01-31", &["-q"]).expect_code(0);
    out.join("janvier.json").display().to_string()
}

#[test]
fn february_accepts_one_finding_and_reports_an_obsolete_and_an_unknown_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let previous = january(out);
    let file = fixture_file().display().to_string();
    let args = ["--previous", &previous, "--justifications", &file];
    // Without the justifications the withdrawal is a warning: exit 1 with --fail-on warning.
    let plain = month(out, "sans", &FEBRUARY, "2021-02-28", &args[..2]);
    plain.expect_code(0);
    let mut failing = args[..2].to_vec();
    failing.extend(["--fail-on", "warning"]);
    month(out, "sans", &FEBRUARY, "2021-02-28", &failing).expect_code(1);
    assert_eq!(summary(out, "sans")["status"], "warning");
    assert!(summary(out, "sans")["justifications"].is_null());
    // Without the option, Anomalies shows each key but no justification column.
    let sheets = read_workbook(&out.join("sans.xlsx"));
    let header = &sheets.iter().find(|(n, _)| n == "Anomalies").unwrap().1[1];
    assert_eq!(header.last().map(String::as_str), Some("Clé"), "{header:?}");

    let febr = month(out, "fevrier", &FEBRUARY, "2021-02-28", &args);
    febr.expect_code(0);
    assert!(
        febr.stderr.contains("dont 1 acceptée(s) sur justification"),
        "{}",
        febr.stderr
    );
    let s = summary(out, "fevrier");
    let accepted = finding(&s, RETRAIT);
    assert_eq!(accepted["severity"], "warning", "listed as it is");
    assert_eq!(accepted["follow_up"], "open");
    assert_eq!(accepted["justification"]["status"], "accepted");
    assert_eq!(accepted["justification"]["row"], 2);
    assert_eq!(accepted["justification"]["date"], "2021-02-05");
    assert_eq!(
        accepted["justification"]["author"],
        "Claire Martin (CBCM SPM)"
    );
    let obsolete = finding(&s, &format!("JUSTIFICATION_OBSOLETE:cle={DP_SANS_EJ}"));
    assert_eq!(obsolete["code"], "JUSTIFICATION_OBSOLETE");
    assert_eq!(obsolete["severity"], "info");
    assert_eq!(obsolete["file"], file.as_str());
    let message = obsolete["message"].as_str().unwrap();
    assert!(
        message.contains("Retirez la ligne 3 du fichier de justifications")
            && message.contains("relevée le mois précédent"),
        "{message}"
    );
    let unknown = finding(&s, &format!("JUSTIFICATION_INCONNUE:cle={MISTYPED}"));
    assert_eq!(unknown["severity"], "warning");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("l'EJ « 2100003044 » n'est celui d'aucune ligne du périmètre"),
        "{unknown}"
    );
    // The unknown key alone makes the run « warning », and exit 1 with --fail-on warning.
    assert_eq!(s["status"], "warning");
    assert_eq!(
        s["justifications"],
        serde_json::json!({"file": file, "rows": 3,
            "accepted": {"error": 0, "warning": 1, "info": 0},
            "to_follow": 0, "obsolete": 1, "unknown": 1})
    );
    assert_eq!(
        s["findings_by_severity"]["warning"], 2,
        "accepted: still listed"
    );
    let mut failing = args.to_vec();
    failing.extend(["--fail-on", "warning"]);
    month(out, "fevrier", &FEBRUARY, "2021-02-28", &failing).expect_code(1);
    anomalies_sheet_shows_the_justifications(&out.join("fevrier.xlsx"));
}

/// The Anomalies sheet: the key of every finding, the justification beside it.
fn anomalies_sheet_shows_the_justifications(book: &Path) {
    let sheets = read_workbook(book);
    let rows = &sheets.iter().find(|(n, _)| n == "Anomalies").unwrap().1;
    let header = &rows[1];
    let col = |h: &str| {
        header
            .iter()
            .position(|c| c == h)
            .unwrap_or_else(|| panic!("no column « {h} »: {header:?}"))
    };
    let row = |key: &str| {
        rows.iter()
            .find(|r| r[col("Clé")] == key)
            .unwrap_or_else(|| panic!("no row for {key}"))
    };
    let accepted = row(RETRAIT);
    assert_eq!(accepted[col("Justification")], "acceptée");
    assert!(accepted[col("Commentaire")].starts_with("Réduction de 2 000 €"));
    assert_eq!(accepted[col("Auteur")], "Claire Martin (CBCM SPM)");
    // A real date: 05/02/2021 is Excel's day 44232.
    assert_eq!(accepted[col("Date")], "44232");
    assert_eq!(accepted[col("Suivi")], "toujours ouverte depuis 1 mois");
    let obsolete = row(&format!("JUSTIFICATION_OBSOLETE:cle={DP_SANS_EJ}"));
    assert_eq!(obsolete[col("Code")], "JUSTIFICATION_OBSOLETE");
    assert_eq!(obsolete[col("Justification")], "");
    // Last month's finding, resolved, keeps its key too.
    let resolved = row(DP_SANS_EJ);
    assert_eq!(resolved[col("Suivi")], "résolue");
    let synthese = &sheets.iter().find(|(n, _)| n == "Synthèse").unwrap().1;
    let text: Vec<&String> = synthese.iter().flatten().collect();
    assert!(text.iter().any(|c| *c == "À vérifier"), "the banner");
    assert!(
        text.iter().any(|c| c.contains(
            "1 anomalie acceptée sur justification, listée dans Anomalies, n'entre pas dans ce statut"
        )),
        "{text:?}"
    );
}

#[test]
fn without_the_unknown_key_the_accepted_finding_no_longer_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let previous = january(out);
    let text = std::fs::read_to_string(fixture_file()).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains(MISTYPED)).collect();
    assert_eq!(kept.len(), 3);
    let file = out.join("justifications.csv");
    std::fs::write(&file, kept.join("\n")).unwrap();
    let file = file.display().to_string();
    let args = [
        "--previous",
        &previous,
        "--justifications",
        &file,
        "--fail-on",
        "warning",
    ];
    month(out, "fevrier", &FEBRUARY, "2021-02-28", &args).expect_code(0);
    let s = summary(out, "fevrier");
    assert_eq!(s["status"], "ok");
    assert_eq!(s["justifications"]["unknown"], 0);
    assert_eq!(s["justifications"]["obsolete"], 1);
    let sheets = read_workbook(&out.join("fevrier.xlsx"));
    let synthese = &sheets.iter().find(|(n, _)| n == "Synthèse").unwrap().1;
    assert!(
        synthese.iter().flatten().any(|c| c == "Conforme"),
        "the banner"
    );
}

#[test]
fn january_with_the_same_file_follows_one_finding_and_accepts_another() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let file = fixture_file().display().to_string();
    month(
        out,
        "janvier",
        &JANUARY,
        "2021-01-31",
        &["--justifications", &file, "--fail-on", "warning"],
    )
    .expect_code(1);
    let s = summary(out, "janvier");
    assert_eq!(
        finding(&s, DP_SANS_EJ)["justification"]["status"],
        "to_follow"
    );
    assert_eq!(finding(&s, RETRAIT)["justification"]["status"], "accepted");
    assert_eq!(s["justifications"]["to_follow"], 1);
    assert_eq!(s["justifications"]["unknown"], 1);
    assert_eq!(s["justifications"]["obsolete"], 0);
    assert_eq!(s["status"], "warning");
    // That summary, with its justifications, is next month's --previous.
    let previous = out.join("janvier.json").display().to_string();
    let args = ["--previous", &previous, "--justifications", &file];
    month(out, "fevrier", &FEBRUARY, "2021-02-28", &args).expect_code(0);
    let s = summary(out, "fevrier");
    assert_eq!(finding(&s, RETRAIT)["follow_up"], "open");
    assert_eq!(s["justifications"]["obsolete"], 1);
}

/// The fixture's `expected.json` (February with `--justifications`, no `--previous`):
/// there, the regularised payment's key is obsolete by its form alone.
#[test]
fn the_fixture_gives_its_expected_summary() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/justifications/expected.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = expected["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut inputs = vec!["fixtures/justifications"];
    inputs.extend(&args[..1]);
    month(dir.path(), "f", &inputs, args[2], &args[3..])
        .expect_code(expected["exit_code"].as_i64().unwrap() as i32);
    assert_subset(
        &expected["summary"],
        &summary(dir.path(), "f"),
        "justifications",
    );
}

#[test]
fn a_malformed_file_is_refused_with_every_mistake_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let file = out.join("justifications.csv");
    std::fs::write(
        &file,
        format!(
            "clé;statut;commentaire;auteur;date\n{RETRAIT};acceptée;;;\n{RETRAIT};à suivre;;;\n;acceptée;;;\n{DP_SANS_EJ};peut-être;;;31/02/2021\n"
        ),
    )
    .unwrap();
    let file = file.display().to_string();
    let r = month(
        out,
        "r",
        &JANUARY,
        "2021-01-31",
        &["--justifications", &file],
    );
    r.expect_code(2);
    for expected in [
        "ligne 3, colonne « clé » : clé déjà justifiée ligne 2",
        "ligne 4, colonne « clé » : valeur manquante",
        "statut « peut-être » inconnu : « acceptée » ou « à suivre »",
        "ligne 5, colonne « date » : date illisible",
    ] {
        assert!(r.stderr.contains(expected), "{expected}:\n{}", r.stderr);
    }
    assert!(!out.join("r.xlsx").exists() && !out.join("r.json").exists());
    // A missing file, or no key column: refused too.
    let missing = out.join("absent.csv").display().to_string();
    month(
        out,
        "r",
        &JANUARY,
        "2021-01-31",
        &["--justifications", &missing],
    )
    .expect_code(2);
    std::fs::write(out.join("sans-cle.csv"), "statut;commentaire\nacceptée;x\n").unwrap();
    let no_key = out.join("sans-cle.csv").display().to_string();
    let r = month(
        out,
        "r",
        &JANUARY,
        "2021-01-31",
        &["--justifications", &no_key],
    );
    r.expect_code(2);
    assert!(r.stderr.contains("clé"), "{}", r.stderr);
}

#[test]
fn the_justifications_file_is_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("justifications.csv");
    std::fs::copy(fixture_file(), &file).unwrap();
    let before = std::fs::read(&file).unwrap();
    let path = file.display().to_string();
    let mut args = vec!["reconcile"];
    args.extend(JANUARY);
    args.extend(["--as-of", "2021-01-31", "--justifications", &path]);
    let book = dir.path().join("r.xlsx").display().to_string();
    args.extend(["-o", &book, "--summary", &path]);
    run(&repo(), &args).expect_code(2);
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

/// A workbook the accountant keeps in Excel: a title above the header, other column
/// names, a real date cell.
#[test]
fn a_workbook_of_justifications_is_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Justifications CBCM").unwrap();
    for (c, h) in ["Clé de l'anomalie", "Décision", "Motif", "Par", "Le"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    for (c, v) in [RETRAIT, "Acceptée", "vu avec la DGEC", "C. Martin"]
        .iter()
        .enumerate()
    {
        sheet.write_string(3, c as u16, *v).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 2, 5).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_datetime_with_format(3, 4, &date, &format)
        .unwrap();
    let file = out.join("justifications.xlsx");
    book.save(&file).unwrap();
    let file = file.display().to_string();
    let args = ["--justifications", &file, "--fail-on", "warning", "-q"];
    // The other warnings of January (the payment without an EJ) still count.
    month(out, "janvier", &JANUARY, "2021-01-31", &args).expect_code(1);
    let s = summary(out, "janvier");
    let j = &finding(&s, RETRAIT)["justification"];
    assert_eq!(
        (&j["status"], &j["comment"], &j["date"], &j["row"]),
        (
            &Value::from("accepted"),
            &Value::from("vu avec la DGEC"),
            &Value::from("2021-02-05"),
            &Value::from(4)
        )
    );
    assert_eq!(s["justifications"]["rows"], 1);
}
