//! Hostile and unlucky inputs (issue 11, the input side), through the binary: every row
//! read or counted as skipped, no crash, bounded memory and time. Each input is built by
//! the test; each run is checked for its exit code, its message, the rows read, and that
//! nothing but its outputs changed in its folder.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Outcome, repo, run};
use serde_json::Value;

const EJ_HEADER: &str = "\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Montant engagé (EUR)\"";

fn ej_row(i: usize, amount: &str) -> String {
    format!("\"0174-SOUT-ELAB\";\"0174-06\";\"21{i:08}\";\"1\";\"01/02/2020\";\"{amount}\"")
}

/// Every file of `dir` but the run's outputs, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if name.ends_with(".lock") || name == "rapprochement.xlsx" || name == "resume.json" {
            continue;
        }
        let bytes = if meta.is_file() {
            std::fs::read(entry.path()).unwrap()
        } else {
            Vec::new()
        };
        files.insert(name, bytes);
    }
    files
}

/// Runs `reconcile` on `inputs` (relative to `dir`), checks that nothing else in `dir`
/// changed, and returns the outcome and the summary (when written).
fn reconcile(dir: &Path, inputs: &[&str]) -> (Outcome, Option<Value>) {
    let _ = std::fs::remove_file(dir.join("resume.json"));
    let before = snapshot(dir);
    let mut args = vec!["reconcile"];
    args.extend(inputs);
    args.extend(["--summary", "resume.json", "--as-of", "2020-12-31", "-q"]);
    let out = run(dir, &args);
    assert_eq!(
        snapshot(dir),
        before,
        "a file other than the outputs changed"
    );
    let summary = std::fs::read(dir.join("resume.json"))
        .ok()
        .map(|b| serde_json::from_slice(&b).unwrap());
    if out.code == 2 {
        assert!(summary.is_none(), "a refused run wrote a summary");
    }
    (out, summary)
}

fn input(summary: &Value, i: usize) -> &Value {
    &summary["inputs"][i]
}

/// Raw rows = data rows + skipped rows, in the summary.
fn assert_conserved(input: &Value) {
    let skipped: u64 = ["preamble", "header", "blank", "subtotal", "not_a_movement"]
        .iter()
        .map(|k| input["skipped"][k].as_u64().unwrap())
        .sum();
    assert_eq!(
        input["raw_rows"].as_u64().unwrap(),
        input["rows"].as_u64().unwrap() + skipped,
        "{input:#}"
    );
}

#[test]
fn every_line_end_is_read_cr_alone_included() {
    // An AIFE daily file of 45 rows, as old Mac Excel writes it (CR only), and the same
    // with LF and CRLF: 45 rows each time.
    let header =
        "eid_cible|bbp_po_id|bbp_poitem|Code_Programme|cfund_ctr|func_area|fm_amount1|doc_date";
    let rows: Vec<String> = (0..45)
        .map(|i| format!("MIN09|21{i:08}|0000000001|0174|0174-SOUT-ELAB|0174-06|10.0|2020-02-01"))
        .collect();
    for (name, end) in [("cr", "\r"), ("lf", "\n"), ("crlf", "\r\n")] {
        let dir = tempfile::tempdir().unwrap();
        let file = format!("ej_data_etat_quot_{name}.csv");
        let text = format!("{header}{end}{}{end}", rows.join(end));
        std::fs::write(dir.path().join(&file), text).unwrap();
        let (out, summary) = reconcile(dir.path(), &[&file]);
        out.expect_code(0);
        let summary = summary.unwrap();
        assert_eq!(input(&summary, 0)["rows"], 45, "{name}");
        assert_eq!(summary["totals"]["ae_consumed"], "450.00", "{name}");
        assert_conserved(input(&summary, 0));
    }
}

#[test]
fn a_repeated_header_starts_a_second_table() {
    // Two extracts pasted one under the other: the rows of both are read.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![EJ_HEADER.to_string()];
    lines.extend((0..3).map(|i| ej_row(i, "1000,00")));
    lines.push(String::new());
    lines.push(EJ_HEADER.to_string());
    lines.extend((3..13).map(|i| ej_row(i, "50000,00")));
    std::fs::write(dir.path().join("ej.csv"), lines.join("\r\n")).unwrap();
    let (out, summary) = reconcile(dir.path(), &["ej.csv"]);
    out.expect_code(1); // 503,000 € of AE exceed the allocation: nothing is lost.
    let summary = summary.unwrap();
    let i = input(&summary, 0);
    assert_eq!(i["rows"], 13);
    assert_eq!(i["skipped"]["header"], 2);
    assert_eq!(i["skipped"]["blank"], 1);
    assert_eq!(
        i["skipped"]["first_rows"]["header"],
        serde_json::json!([1, 6])
    );
    assert_eq!(summary["totals"]["ae_consumed"], "503000.00");
    assert_conserved(i);
    assert!(
        i["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("2 ligne(s) d'en-tête")),
        "{i:#}"
    );
}

#[test]
fn a_second_header_of_another_layout_is_refused_naming_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![EJ_HEADER.to_string(), ej_row(1, "1,00"), ej_row(2, "1,00")];
    lines.push(
        "\"eid_cible\";\"bbp_po_id\";\"bbp_poitem\";\"cfund_ctr\";\"fm_amount1\";\"doc_date\""
            .into(),
    );
    lines.push("\"x\";\"2100000001\";\"1\";\"0174-SOUT-ELAB\";\"1.0\";\"2020-02-01\"".into());
    std::fs::write(dir.path().join("colle.csv"), lines.join("\r\n")).unwrap();
    let (out, _) = reconcile(dir.path(), &["colle.csv"]);
    out.expect_code(2);
    for fragment in [
        "« colle.csv »",
        "deux en-têtes différents",
        "ligne 1",
        "ligne 4",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
}

#[test]
fn a_supplier_named_total_is_data_and_subtotals_are_the_layouts_own() {
    // AIFE has no subtotal rows: « TOTAL » and « Résultat » as suppliers are data.
    let dir = tempfile::tempdir().unwrap();
    let header = "\"Fournisseur titulaire principal (EJ)\";\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Montant engagé (EUR)\"";
    let rows = [
        "\"TOTAL\";\"0174-SOUT-ELAB\";\"0174-06\";\"2100000001\";\"1\";\"01/02/2020\";\"4000,00\"",
        "\"Résultat\";\"0174-SOUT-ELAB\";\"0174-06\";\"2100000002\";\"1\";\"01/02/2020\";\"2925,00\"",
        "\"ACME\";\"0174-SOUT-ELAB\";\"0174-06\";\"2100000003\";\"1\";\"01/02/2020\";\"100,40\"",
    ];
    std::fs::write(
        dir.path().join("ej.csv"),
        format!("{header}\r\n{}\r\n", rows.join("\r\n")),
    )
    .unwrap();
    let (out, summary) = reconcile(dir.path(), &["ej.csv"]);
    out.expect_code(0);
    let summary = summary.unwrap();
    assert_eq!(input(&summary, 0)["rows"], 3);
    assert_eq!(input(&summary, 0)["skipped"]["subtotal"], 0);
    assert_eq!(summary["totals"]["ae_consumed"], "7025.40");
    // The crosstab's « Résultat » rows, in the first column, are its subtotals.
    let fixture = repo().join("fixtures/croise-quotidien/INFBUD53_croise_2020.csv");
    std::fs::copy(&fixture, dir.path().join("croise.csv")).unwrap();
    let (_, summary) = reconcile(dir.path(), &["croise.csv"]);
    let i = input(summary.as_ref().unwrap(), 0);
    assert_eq!(i["skipped"]["subtotal"], 2, "{i:#}");
    assert_eq!(
        i["skipped"]["first_rows"]["subtotal"],
        serde_json::json!([10, 13])
    );
    assert_eq!(i["skipped"]["preamble"], 4);
    assert_eq!(i["skipped"]["header"], 1);
    let lines = std::fs::read_to_string(&fixture).unwrap().lines().count() as u64;
    assert_eq!(i["raw_rows"], lines);
    assert_conserved(i);
}

#[test]
fn a_parser_panic_on_a_damaged_xls_is_exit_2_naming_the_file() {
    let good = std::fs::read(repo().join("fixtures/conforme-xls-ods/ej_2020.xls")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Cut at 4,332 to 5,011 bytes, the file made calamine panic (cfb.rs:320, utils.rs:29):
    // now refused, before or by the parser.
    for cut in [4332usize, 4500, 4800, 5011] {
        let file = format!("tronque-{cut}.xls");
        std::fs::write(dir.path().join(&file), &good[..cut]).unwrap();
        let (out, _) = reconcile(dir.path(), &[&file]);
        out.expect_code(2);
        assert!(
            out.stderr.contains(&format!("« {file} »")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("illisible"), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    // One byte changed (found by flipping bytes): calamine slices past a record's end and
    // panics inside the parser; the panic is caught, silently, and becomes exit 2.
    let mut damaged = good.clone();
    damaged[1508] = 68;
    std::fs::write(dir.path().join("abime.xls"), &damaged).unwrap();
    let (out, _) = reconcile(dir.path(), &["abime.xls"]);
    out.expect_code(2);
    for fragment in [
        "« abime.xls »",
        "classeur illisible",
        "son lecteur a échoué",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// A workbook with a header, two data rows and a cell at (`row`, `col`).
fn workbook_with_far_cell(row: u32, col: u16) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "Centre financier - Clé (non composée)",
        "Domaine fonctionnel - Clé",
        "N° EJ",
        "N° poste EJ",
        "Date de dernière modif. de l'EJ",
        "Montant engagé (EUR)",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=2u32 {
        let cells = ["0174-SOUT-ELAB", "0174-06", "2100000001", "1", "01/02/2020"];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, *v).unwrap();
        }
        sheet.write_number(r, 5, 10.0 * f64::from(r)).unwrap();
    }
    sheet.write_string(row, col, "x").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_cell_at_xfd1048576_is_refused_without_allocating_the_grid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("loin.xlsx"),
        workbook_with_far_cell(1_048_575, 16_383),
    )
    .unwrap();
    let started = Instant::now();
    let (out, _) = reconcile(dir.path(), &["loin.xlsx"]);
    out.expect_code(2);
    assert!(started.elapsed() < Duration::from_secs(30));
    for fragment in [
        "« loin.xlsx »",
        "1048576 lignes × 16384 colonnes",
        "refusée",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
}

#[test]
fn a_cell_at_a1048576_is_read_as_blank_rows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bas.xlsx"),
        workbook_with_far_cell(1_048_575, 0),
    )
    .unwrap();
    let (out, summary) = reconcile(dir.path(), &["bas.xlsx"]);
    // The lone « x » is a row without an EJ: rejected, never lost.
    out.expect_code(1);
    let summary = summary.unwrap();
    let i = input(&summary, 0);
    assert_eq!(i["rows"], 3);
    assert_eq!(i["rejected"], 1);
    assert_eq!(i["skipped"]["blank"], 1_048_576 - 4);
    assert_eq!(i["raw_rows"], 1_048_576);
    assert_conserved(i);
}

/// An ODS archive holding `content` as its `content.xml`.
fn ods(content: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let deflated = zip::write::SimpleFileOptions::default();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_ods_row_repeated_a_million_times_is_refused_before_parsing() {
    let cell = |v: &str| {
        format!(
            "<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>"
        )
    };
    let header: String = [
        "N° EJ",
        "N° poste EJ",
        "Domaine fonctionnel - Clé",
        "Montant engagé (EUR)",
    ]
    .iter()
    .map(|h| cell(h))
    .collect();
    let data: String = ["2100000001", "1", "0174-06", "1,00"]
        .iter()
        .map(|v| cell(v))
        .collect::<String>()
        + &"<table:table-cell office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p></table:table-cell>".repeat(16);
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="F"><table:table-row>{header}</table:table-row><table:table-row table:number-rows-repeated="1000000">{data}</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let dir = tempfile::tempdir().unwrap();
    let bytes = ods(&content);
    assert!(bytes.len() < 4096, "{}", bytes.len());
    std::fs::write(dir.path().join("repete.ods"), bytes).unwrap();
    let started = Instant::now();
    let (out, _) = reconcile(dir.path(), &["repete.ods"]);
    out.expect_code(2);
    assert!(started.elapsed() < Duration::from_secs(30));
    for fragment in ["« repete.ods »", "classeur ODS refusé"] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
}

#[test]
fn a_quoted_field_over_a_million_lines_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let header = "Centre financier - Clé (non composée);Domaine fonctionnel - Clé;N° EJ;N° poste EJ;Montant engagé (EUR)";
    let text = format!(
        "{header}\n0174-SOUT-ELAB;0174-06;\"{}\";1;1,00\n",
        "\n".repeat(1_100_000)
    );
    std::fs::write(dir.path().join("champ.csv"), text).unwrap();
    let started = Instant::now();
    let (out, _) = reconcile(dir.path(), &["champ.csv"]);
    out.expect_code(2);
    assert!(started.elapsed() < Duration::from_secs(20));
    for fragment in ["« champ.csv »", "ligne 2", "ligne de plus de 1 Mio"] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
}

#[test]
fn a_long_quoted_field_spanning_lines_is_read_in_linear_time() {
    // 60,000 short lines inside one quoted field (900 Kio): read again from its start at
    // each line, this took minutes.
    let dir = tempfile::tempdir().unwrap();
    let header = "Centre financier - Clé (non composée);Domaine fonctionnel - Clé;N° EJ;N° poste EJ;Date de dernière modif. de l'EJ;Montant engagé (EUR);Axe ministériel 2";
    let long = "ligne de texte\n".repeat(60_000);
    let text = format!(
        "{header}\n0174-SOUT-ELAB;0174-06;2100000001;1;01/02/2020;1,00;\"{long}\"\n0174-SOUT-ELAB;0174-06;2100000002;1;01/02/2020;2,00;x\n"
    );
    std::fs::write(dir.path().join("long.csv"), text).unwrap();
    let started = Instant::now();
    let (out, summary) = reconcile(dir.path(), &["long.csv"]);
    out.expect_code(0);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let summary = summary.unwrap();
    assert_eq!(input(&summary, 0)["rows"], 2);
    assert_eq!(summary["totals"]["ae_consumed"], "3.00");
}

#[test]
fn rejections_past_the_budget_are_counted_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{EJ_HEADER}\r\n{}\r\n", ej_row(1, "5,00"));
    for i in 0..10_005 {
        text.push_str(&format!("{}\r\n", ej_row(i, "pas un montant")));
    }
    std::fs::write(dir.path().join("rejets.csv"), text).unwrap();
    let (out, summary) = reconcile(dir.path(), &["rejets.csv"]);
    out.expect_code(1);
    let summary = summary.unwrap();
    let i = input(&summary, 0);
    assert_eq!(i["rows"], 10_006);
    assert_eq!(i["rejected"], 10_005);
    assert_eq!(i["rejected_unlisted"], 5);
    assert_eq!(summary["lines"]["read"], 10_006);
    let rejected: Vec<&serde_json::Value> = summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "LIGNE_REJETEE")
        .collect();
    // 10 000 listed with their row, and one finding for the 5 others of the input.
    assert_eq!(rejected.len(), 10_001);
    let rest: Vec<_> = rejected.iter().filter(|f| f["row"].is_null()).collect();
    assert_eq!(rest.len(), 1);
    assert!(
        rest[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("5 autre(s) ligne(s) illisible(s)")
    );
    assert!(
        i["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("5 ligne(s) rejetée(s) de plus")),
        "{i:#}"
    );
    assert_conserved(i);
}

#[test]
fn folder_walks_skip_pipes_and_follow_no_link_loop() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("extraits");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("ej.csv"),
        format!("{EJ_HEADER}\r\n{}\r\n", ej_row(1, "5,00")),
    )
    .unwrap();
    let fifo = folder.join("tube.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("\n*** mkfifo ABSENT : le cas du tube nommé n'est pas essayé ***\n");
    }
    std::os::unix::fs::symlink(".", folder.join("boucle1")).unwrap();
    std::os::unix::fs::symlink("..", folder.join("boucle2")).unwrap();
    // The run must end: a pipe read would wait for a writer forever.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chorus-recon"))
        .args([
            "reconcile",
            "extraits",
            "--summary",
            "resume.json",
            "--as-of",
            "2020-12-31",
            "-q",
        ])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the folder walk hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("resume.json")).unwrap()).unwrap();
    assert_eq!(
        summary["inputs"].as_array().unwrap().len(),
        1,
        "{summary:#}"
    );
    assert_eq!(summary["lines"]["read"], 1);
}

#[test]
fn a_device_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = reconcile(dir.path(), &["/dev/zero"]);
    out.expect_code(2);
    assert!(out.stderr.contains("« /dev/zero »"), "{}", out.stderr);
    assert!(
        out.stderr.contains("pas un fichier ordinaire"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_encoding_is_decided_on_the_whole_file() {
    // An AIFE daily file: its header is plain ASCII, so only a later row tells.
    let dir = tempfile::tempdir().unwrap();
    let header = "eid_cible|bbp_po_id|bbp_poitem|Mission|cfund_ctr|func_area|fm_amount1|doc_date\n";
    let row = |i: usize, mission: &[u8]| {
        [
            format!("MIN09|21{i:08}|1|").as_bytes(),
            mission,
            b"|0174-SOUT-ELAB|0174-06|1.0|2020-02-01\n",
        ]
        .concat()
    };
    let plain: Vec<u8> = (0..2000).flat_map(|i| row(i, b"SANS ACCENT")).collect();
    assert!(plain.len() > 100_000);
    // Windows-1252, its first accent after 100 Kio: read as Windows-1252.
    let late = [header.as_bytes(), &plain, &row(99_999, b"D\xE9PENSE")].concat();
    std::fs::write(dir.path().join("tardif.csv"), late).unwrap();
    let (out, summary) = reconcile(dir.path(), &["tardif.csv"]);
    out.expect_code(0);
    let summary = summary.unwrap();
    assert_eq!(input(&summary, 0)["encoding"], "windows-1252");
    assert_eq!(input(&summary, 0)["rows"], 2001);
    // UTF-8, its first accent after 100 Kio: UTF-8.
    let late = [
        header.as_bytes(),
        &plain,
        &row(99_999, "DÉPENSE".as_bytes()),
    ]
    .concat();
    std::fs::write(dir.path().join("tardif.csv"), late).unwrap();
    let (out, summary) = reconcile(dir.path(), &["tardif.csv"]);
    out.expect_code(0);
    assert_eq!(input(summary.as_ref().unwrap(), 0)["encoding"], "utf-8");
    // Windows-1252 first, UTF-8 far later: refused at the row at fault, never mojibake.
    let mixed = [
        header.as_bytes(),
        &row(1, b"D\xE9PENSE"),
        &plain,
        &row(99_999, "DÉPENSE".as_bytes()),
    ]
    .concat();
    std::fs::write(dir.path().join("tardif.csv"), mixed).unwrap();
    let (out, _) = reconcile(dir.path(), &["tardif.csv"]);
    out.expect_code(2);
    for fragment in ["« tardif.csv »", "ligne 2", "colonne « n° 4 »", "UTF-8"] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
}
