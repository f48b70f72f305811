//! The workbook read back with calamine: sheet order, typed cells, inert text, links that
//! land on the row they name, splitting, and byte-for-byte reproducibility.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;

use super::grid::{Split, excel_text};
use super::{build, build_chunked, build_split};
use crate::convention::Convention;
use crate::pipeline::{Plan, run};
use crate::report::Run;
use crate::report::{Context, VERSION};

const HEADER: &str = "\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"Référentiel de programmation - Clé (non composée)\";\"Centre de coûts - Clé (non composée)\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Fournisseur titulaire principal (EJ)\";\"Axe ministériel 2\";\"Montant engagé (EUR)\"";

pub(super) const IMPUTATION: &str = "0174-SOUT-ELAB;0174-06;017406AG1607;ECLDENE092";

/// Three in-scope lines (Potentiel, CarbuRe, no product), one out of scope, one rejected.
pub(super) const SAMPLE: [&str; 5] = [
    "0174-SOUT-ELAB;0174-06;017406AG1607;ECLDENE092;0002822326;1;15/03/2020;Octo Technology;POTENTIEL;12000,50",
    "0174-SOUT-ELAB;0174-06;017406AG1607;ECLDENE092;2103105755;1;02/06/2020;=1+1;CARBURE;30000",
    "0174-SOUT-ELAB;0174-06;017406AG1607;ECLDENE092;2103105756;1;10/07/2020;+33 Conseil;;1500,25",
    "0174-AUTRE;0174-06;017406AG1607;ECLDENE092;2103109999;1;01/04/2020;@Autre;;999",
    "0174-SOUT-ELAB;0174-06;017406AG1607;ECLDENE092;2103105757;1;11/07/2020;-x;;douze",
];

const SHEETS: [&str; 12] = [
    "Synthèse",
    "Compte rendu",
    "Échéancier",
    "Mensuel",
    "Fin de gestion",
    "Engagements",
    "Lignes",
    "Anomalies",
    "Hors périmètre",
    "Rejets",
    "Remplacements",
    "Provenance",
];

pub(super) fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 7, 31).unwrap()
}

pub(super) fn pipeline(dir: &Path, rows: &[String]) -> (Run, Convention) {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    std::fs::write(dir.join("ej_0174_2020.csv"), text).unwrap();
    let convention = Convention::builtin();
    let plan = Plan::new(vec![dir.to_path_buf()], convention.clone(), as_of());
    (run(&plan).unwrap(), convention)
}

pub(super) fn sample(dir: &Path) -> (Run, Convention) {
    let rows: Vec<String> = SAMPLE.iter().map(|r| r.to_string()).collect();
    pipeline(dir, &rows)
}

/// The workbook of the sample run.
pub(super) fn sample_workbook(dir: &Path) -> Vec<u8> {
    let (run, convention) = sample(dir);
    build(&Context {
        convention: &convention,
        run: &run,
    })
    .unwrap()
}

pub(super) fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

/// A table sheet read under its caption, row 0 its header (as the tests count rows).
/// Checks the caption: one line of text, alone on the first row.
pub(super) fn table_sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    let range = book.worksheet_range(name).unwrap();
    let end = range.end().unwrap();
    let caption = cell(&range, 0, 0);
    assert!(
        matches!(&caption, Data::String(s) if s.ends_with('.') && !s.contains('\n')),
        "{name}: caption {caption:?}"
    );
    assert!(
        (1..=end.1).all(|c| cell(&range, 0, c) == Data::Empty),
        "{name}: the caption is alone on its row"
    );
    let mut under = Range::new((0, 0), (end.0 - 1, end.1));
    for (r, c, v) in range.used_cells().filter(|(r, _, _)| *r >= 1) {
        under.set_value((r as u32 - 1, c as u32), v.clone());
    }
    under
}

pub(super) fn cell(range: &Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

pub(super) fn text(s: &str) -> Data {
    Data::String(s.to_string())
}

/// The 0-based row whose first cell is `label`.
pub(super) fn row_of(range: &Range<Data>, label: &str) -> u32 {
    (0..=range.end().unwrap().0)
        .find(|r| cell(range, *r, 0) == text(label))
        .unwrap_or_else(|| panic!("no row « {label} »"))
}

pub(super) fn date(d: &Data) -> NaiveDate {
    match d {
        // Excel's serial day 0 is 1899-12-30 (for dates after February 1900).
        Data::DateTime(x) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .unwrap()
            .checked_add_days(chrono::Days::new(x.as_f64() as u64))
            .unwrap(),
        other => panic!("not a date: {other:?}"),
    }
}

#[test]
fn sheets_come_in_the_contract_order() {
    let dir = tempfile::tempdir().unwrap();
    let (run, convention) = sample(dir.path());
    let book = open(
        &build(&Context {
            convention: &convention,
            run: &run,
        })
        .unwrap(),
    );
    assert_eq!(book.sheet_names(), SHEETS);
}

#[test]
fn synthese_gives_status_key_figures_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (run, convention) = sample(dir.path());
    let mut book = open(
        &build(&Context {
            convention: &convention,
            run: &run,
        })
        .unwrap(),
    );
    let s = book.worksheet_range("Synthèse").unwrap();
    let value = |label: &str| cell(&s, row_of(&s, label), 1);
    assert_eq!(value("Statut"), text("Anomalies bloquantes"));
    assert_eq!(value("Outil"), text(&format!("chorus-recon {VERSION}")));
    assert_eq!(date(&value("Date de rapprochement")), as_of());
    assert_eq!(date(&value("Fin de période")), convention.end);
    assert_eq!(value("Hors titre 2"), text("oui"));
    assert_eq!(value("SHA-256"), text(&convention.sha256));
    assert_eq!(value("Extraits lus"), Data::Float(1.0));
    let ae = row_of(&s, "AE");
    let figures: Vec<Data> = (1..=4).map(|c| cell(&s, ae, c)).collect();
    assert_eq!(
        figures,
        [
            Data::Float(160000.0),
            Data::Float(43500.75),
            Data::Float(116499.25),
            Data::Float(43500.75 / 160000.0),
        ]
    );
    let cp = row_of(&s, "CP");
    assert_eq!(cell(&s, cp, 2), Data::Float(0.0));
    assert_eq!(cell(&s, cp, 3), Data::Float(160000.0));
    assert_eq!(value("Restes à payer"), Data::Float(43500.75));
    for (label, n) in [
        ("Lues", 5),
        ("Dans le périmètre", 3),
        ("Hors périmètre", 1),
        ("Rejetées", 1),
        ("Doublons", 0),
        ("erreur", 1),
    ] {
        assert_eq!(value(label), Data::Float(n as f64), "{label}");
    }
    let rec = &run.reconciliation;
    let warnings = rec.count(crate::reconcile::Severity::Warning);
    assert!(warnings > 0);
    assert_eq!(value("avertissement"), Data::Float(warnings as f64));
    let mut codes = 0;
    for code in ["LIGNE_REJETEE", "PRODUIT_NON_ATTRIBUE"] {
        let r = row_of(&s, code);
        let n = rec
            .findings
            .iter()
            .filter(|f| f.code.as_str() == code)
            .count();
        assert_eq!(cell(&s, r, 2), Data::Float(n as f64), "{code}");
        codes += n;
    }
    assert!(codes >= 2);
}

#[test]
fn lines_are_typed_and_extract_text_stays_inert() {
    let dir = tempfile::tempdir().unwrap();
    let (run, convention) = sample(dir.path());
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let mut book = open(&build(&ctx).unwrap());
    let l = table_sheet(&mut book, "Lignes");
    assert_eq!(cell(&l, 0, 11), text("Fournisseur"));
    assert_eq!(cell(&l, 1, 0), text(ctx.input_label(0)));
    assert_eq!(cell(&l, 1, 1), Data::Float(2.0));
    assert_eq!(cell(&l, 1, 3), Data::Float(2020.0));
    assert_eq!(
        date(&cell(&l, 1, 4)),
        NaiveDate::from_ymd_opt(2020, 3, 15).unwrap()
    );
    assert_eq!(cell(&l, 1, 5), text("Potentiel"));
    assert_eq!(cell(&l, 1, 6), text("règle"));
    assert_eq!(cell(&l, 1, 7), text("0002822326"), "EJ numbers stay text");
    assert_eq!(cell(&l, 1, 19), Data::Float(12000.5));
    assert_eq!(cell(&l, 1, 20), Data::Float(12000.5));
    assert_eq!(cell(&l, 1, 21), Data::Float(0.0));
    assert_eq!(cell(&l, 2, 11), text("=1+1"));
    assert_eq!(cell(&l, 2, 19), Data::Float(30000.0));
    assert_eq!(cell(&l, 3, 5), text("Non attribué"));
    assert_eq!(cell(&l, 3, 11), text("+33 Conseil"));
    assert_eq!(cell(&l, 4, 0), Data::Empty, "three lines, no more");
    let formulas = book.worksheet_formula("Lignes").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula anywhere in Lignes"
    );
    let h = table_sheet(&mut book, "Hors périmètre");
    assert_eq!(cell(&h, 1, 7), text("@Autre"));
    assert_eq!(cell(&h, 1, 13), Data::Float(999.0));
    assert_eq!(cell(&h, 1, 15), text("centre financier"));
    let r = table_sheet(&mut book, "Rejets");
    assert_eq!(cell(&r, 1, 1), Data::Float(6.0));
    assert_eq!(cell(&r, 1, 2), text("Montant engagé (EUR)"));
    assert!(matches!(cell(&r, 1, 4), Data::String(s) if s.ends_with(";-x;;douze")));
}

#[test]
fn schedule_leaves_blank_plans_blank_and_totals_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = open(&sample_workbook(dir.path()));
    let e = table_sheet(&mut book, "Échéancier");
    // Potentiel 2020, Potentiel 2021, CarbuRe 2020, CarbuRe 2021, Non attribué 2020, Total.
    assert_eq!(cell(&e, 1, 0), text("Potentiel"));
    assert_eq!(cell(&e, 1, 2), Data::Float(80000.0));
    assert_eq!(cell(&e, 1, 3), Data::Float(12000.5));
    assert_eq!(cell(&e, 1, 4), Data::Float(-67999.5));
    assert_eq!(cell(&e, 1, 5), Data::Float(12000.5 / 80000.0));
    assert_eq!(cell(&e, 2, 1), Data::Float(2021.0));
    assert_eq!(
        cell(&e, 2, 2),
        Data::Empty,
        "AE 2021 are blank in the agreement"
    );
    assert_eq!(cell(&e, 2, 3), Data::Float(0.0));
    assert_eq!(cell(&e, 2, 4), Data::Empty);
    assert_eq!(cell(&e, 2, 5), Data::Empty);
    assert_eq!(cell(&e, 2, 6), Data::Float(40000.0));
    assert_eq!(cell(&e, 5, 0), text("Non attribué"));
    assert_eq!(cell(&e, 5, 3), Data::Float(1500.25));
    let total = row_of(&e, "Total");
    assert_eq!(total, 6);
    assert_eq!(cell(&e, total, 2), Data::Float(160000.0));
    assert_eq!(
        cell(&e, total, 3),
        Data::Float(43500.75),
        "= Synthèse AE consumed"
    );
    assert_eq!(cell(&e, total, 6), Data::Float(160000.0));

    // Under the title block: each product's months and subtotal, unattributed last. Every
    // month of the convention up to the situation (janvier 2020 – juillet 2021) is there,
    // a real date (its first day), at 0 € when nothing moved.
    let m = book.worksheet_range("Mensuel").unwrap();
    let h = row_of(&m, "Produit");
    let first_day = |y, mo| NaiveDate::from_ymd_opt(y, mo, 1).unwrap();
    let period: Vec<NaiveDate> = (0..19)
        .map(|i| first_day(2020 + i / 12, (i % 12) as u32 + 1))
        .collect();
    for (group, product) in ["Potentiel", "CarbuRe", "Non attribué"].iter().enumerate() {
        let start = h + 1 + 20 * group as u32;
        for (i, month) in period.iter().enumerate() {
            let r = start + i as u32;
            assert_eq!(cell(&m, r, 0), text(product), "row {r}");
            assert_eq!(date(&cell(&m, r, 2)), *month, "{product}");
        }
        assert_eq!(cell(&m, start + 19, 2), text("Sous-total"), "{product}");
    }
    // Potentiel moved in mars 2020 only: 0 € the other months, its running total carried.
    assert_eq!(cell(&m, h + 1, 3), Data::Float(0.0));
    assert_eq!(cell(&m, h + 3, 3), Data::Float(12000.5));
    assert_eq!(cell(&m, h + 4, 3), Data::Float(0.0));
    assert_eq!(cell(&m, h + 19, 5), Data::Float(12000.5));
    assert_eq!(cell(&m, h + 20, 3), Data::Float(12000.5));
    // Non attribué: juillet 2020.
    assert_eq!(cell(&m, h + 41 + 6, 3), Data::Float(1500.25));
    assert_eq!(cell(&m, h + 41 + 5, 5), Data::Float(0.0));
    assert_eq!(cell(&m, h + 41 + 6, 5), Data::Float(1500.25));
    assert_eq!(cell(&m, h + 61, 0), text("Total général"));
    assert_eq!(
        cell(&m, h + 61, 3),
        Data::Float(43500.75),
        "= Synthèse AE consumed"
    );

    let g = table_sheet(&mut book, "Engagements");
    assert_eq!(cell(&g, 2, 2), text("=1+1"));
    assert_eq!(cell(&g, 4, 0), text("Total"));
    assert_eq!(
        cell(&g, 4, 4),
        Data::Float(0.0),
        "nothing carried from earlier years"
    );
    assert_eq!(cell(&g, 4, 6), Data::Float(43500.75));
    assert_eq!(cell(&g, 4, 7), Data::Float(3.0));
}

/// The 0-based column whose header (row 0 of a [`table_sheet`]) is `header`.
pub(super) fn column_of(range: &Range<Data>, header: &str) -> u32 {
    (0..=range.end().unwrap().1)
        .find(|c| cell(range, 0, *c) == text(header))
        .unwrap_or_else(|| panic!("no column « {header} »"))
}

/// Follows every link of `Anomalies*` and checks it lands on the finding's file and row.
pub(super) fn assert_links_land(bytes: &[u8], expected_links: usize) {
    let mut book = open(bytes);
    let mut followed = 0;
    for name in book.sheet_names() {
        if !name.starts_with("Anomalies") {
            continue;
        }
        // Columns by their header; rows as the link names them (the caption included).
        let a = table_sheet(&mut book, &name);
        let (see, file, line) = (
            column_of(&a, "Voir"),
            column_of(&a, "Fichier"),
            column_of(&a, "Ligne"),
        );
        let a = book.worksheet_range(&name).unwrap();
        for link in book.hyperlinks_by_sheet_name(&name).unwrap() {
            let (row, col) = link.range.start;
            assert_eq!(col, see, "links are in « Voir »");
            let location = link.location.expect("an internal link");
            let (sheet, cell_ref) = location.rsplit_once('!').unwrap();
            let sheet = sheet.trim_matches('\'');
            let target_row: u32 = cell_ref.trim_start_matches('A').parse().unwrap();
            let t = book.worksheet_range(sheet).unwrap();
            assert_eq!(
                cell(&t, target_row - 1, 0),
                cell(&a, row, file),
                "{location}: file"
            );
            assert_eq!(
                cell(&t, target_row - 1, 1),
                cell(&a, row, line),
                "{location}: row"
            );
            followed += 1;
        }
    }
    assert_eq!(followed, expected_links);
}

#[test]
fn findings_link_to_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let (run, convention) = sample(dir.path());
    let bytes = build(&Context {
        convention: &convention,
        run: &run,
    })
    .unwrap();
    let mut book = open(&bytes);
    let a = table_sheet(&mut book, "Anomalies");
    assert_eq!(cell(&a, 1, column_of(&a, "Gravité")), text("erreur"));
    assert_eq!(cell(&a, 1, column_of(&a, "Code")), text("LIGNE_REJETEE"));
    assert_eq!(
        cell(&a, 1, column_of(&a, "Suivi")),
        Data::Empty,
        "no --previous"
    );
    // The Excel row of the first rejection, under the caption and the header.
    assert_eq!(cell(&a, 1, column_of(&a, "Voir")), text("Rejets, ligne 3"));
    assert_eq!(cell(&a, 2, column_of(&a, "Montant")), Data::Float(1500.25));
    let targeted = run
        .reconciliation
        .findings
        .iter()
        .filter(|f| f.target.is_some())
        .count();
    assert!(targeted >= 2);
    assert_links_land(&bytes, targeted);
}

#[test]
fn long_tables_continue_on_numbered_sheets() {
    let dir = tempfile::tempdir().unwrap();
    // Seven unattributed in-scope EJs (one finding each) and a rejected row.
    let mut rows: Vec<String> = (0..7)
        .map(|i| {
            format!(
                "{IMPUTATION};210310{i:04};1;0{}/03/2020;Fournisseur {i};;{}00",
                i + 1,
                i + 1
            )
        })
        .collect();
    rows.push(format!("{IMPUTATION};2103109999;1;01/04/2020;X;;douze"));
    let (run, convention) = pipeline(dir.path(), &rows);
    assert_eq!(run.reconciliation.lines.len(), 7);
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let split = Split { rows_per_sheet: 3 };
    let bytes = build_split(&ctx, split).unwrap();
    let mut book = open(&bytes);
    let names = book.sheet_names();
    for expected in [
        "Lignes",
        "Lignes (2)",
        "Lignes (3)",
        "Engagements (3)",
        "Anomalies (3)",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n == "Lignes (4)"));
    let position = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert!(position("Lignes (3)") < position("Anomalies"));
    let mut file_rows = Vec::new();
    for sheet in ["Lignes", "Lignes (2)", "Lignes (3)"] {
        let l = table_sheet(&mut book, sheet);
        assert_eq!(cell(&l, 0, 0), text("Fichier"), "{sheet} has the header");
        let caption = cell(&book.worksheet_range(sheet).unwrap(), 0, 0);
        assert_eq!(
            caption.to_string().ends_with(" (suite)."),
            sheet != "Lignes",
            "{sheet}: {caption}"
        );
        for r in 1..=3 {
            if let Data::Float(row) = cell(&l, r, 1) {
                file_rows.push(row as u64);
            }
        }
        assert_eq!(cell(&l, 4, 0), Data::Empty, "{sheet}: at most 3 data rows");
    }
    assert_eq!(file_rows, (2..=8).collect::<Vec<u64>>());
    // Seven EJs fill three sheets; the total row follows the last one.
    let g = table_sheet(&mut book, "Engagements (3)");
    assert_eq!(cell(&g, 1, 0), text("2103100006"));
    assert_eq!(cell(&g, 2, 0), text("Total"));
    assert_eq!(cell(&g, 2, 3), Data::Float(2800.0));
    let targeted = run
        .reconciliation
        .findings
        .iter()
        .filter(|f| f.target.is_some())
        .count();
    assert!(targeted >= 8);
    assert_links_land(&bytes, targeted);
}

#[test]
fn a_full_last_sheet_sends_the_total_to_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..3)
        .map(|i| format!("{IMPUTATION};210310{i:04};1;01/03/2020;F;;10"))
        .collect();
    let (run, convention) = pipeline(dir.path(), &rows);
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let mut book = open(&build_split(&ctx, Split { rows_per_sheet: 3 }).unwrap());
    let g = table_sheet(&mut book, "Engagements (2)");
    assert_eq!(cell(&g, 0, 0), text("N° EJ"));
    assert_eq!(cell(&g, 1, 0), text("Total"));
    assert_eq!(cell(&g, 1, 3), Data::Float(30.0));
    assert!(!book.sheet_names().iter().any(|n| n == "Lignes (2)"));
}

#[test]
fn same_run_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (run, convention) = sample(dir.path());
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let first = build(&ctx).unwrap();
    let (again, _) = sample(dir.path());
    let second = build(&Context {
        convention: &convention,
        run: &again,
    })
    .unwrap();
    assert_eq!(first, second);
    let props = open(&first).workbook_properties().unwrap();
    assert_eq!(props.created.as_deref(), Some("2021-07-31T00:00:00Z"));
    assert_eq!(props.creator.as_deref(), Some("chorus-recon"));
}

#[test]
fn sheet_locations_follow_the_split() {
    // Excel rows, 1-based, under the caption (row 1) and the header (row 2).
    let split = Split { rows_per_sheet: 3 };
    let cases = [
        (0, "Lignes", 3),
        (2, "Lignes", 5),
        (3, "Lignes (2)", 3),
        (7, "Lignes (3)", 4),
    ];
    for (index, sheet, row) in cases {
        assert_eq!(
            split.locate("Lignes", index),
            (sheet.to_string(), row),
            "{index}"
        );
    }
    // Excel's last row holds a data row; the caption and header take two of them.
    assert_eq!(
        Split::EXCEL.locate("Lignes", 1_048_573),
        ("Lignes".into(), 1_048_576)
    );
    assert_eq!(
        Split::EXCEL.locate("Lignes", 1_048_574),
        ("Lignes (2)".into(), 3)
    );
}

#[test]
fn text_longer_than_a_cell_is_cut() {
    assert_eq!(excel_text("court"), "court");
    let long = "é".repeat(40_000);
    let cut = excel_text(&long);
    assert_eq!(cut.encode_utf16().count(), 32_767);
    assert!(cut.ends_with('…'));
}

#[test]
fn sheets_written_side_by_side_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..7)
        .map(|i| {
            format!(
                "{IMPUTATION};210310{i:04};1;0{}/03/2020;F {i};;{}00",
                i + 1,
                i + 1
            )
        })
        .collect();
    let (run, convention) = pipeline(dir.path(), &rows);
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let split = Split { rows_per_sheet: 4 };
    let on = |threads: usize, chunk_rows: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| build_chunked(&ctx, split, chunk_rows).unwrap())
    };
    // One row per chunk: every sheet is written and compressed in pieces, side by side.
    let alone = on(1, 1);
    assert_eq!(on(3, 1), alone);
    assert_eq!(on(8, 1), alone);
    // Cut in other chunks, the parts compress differently but hold the same XML.
    let whole = parts(&on(2, super::table::CHUNK_ROWS));
    for chunk_rows in [1, 2, 3] {
        assert!(
            parts(&on(2, chunk_rows)) == whole,
            "{chunk_rows} row(s) per chunk"
        );
    }
    assert_links_land(
        &alone,
        run.reconciliation
            .findings
            .iter()
            .filter(|f| f.target.is_some())
            .count(),
    );
}

/// The parts of a workbook, in order, uncompressed.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut part, &mut data).unwrap();
            (part.name().unwrap().to_string(), data)
        })
        .collect()
}

#[test]
fn table_sheets_are_written_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_workbook(dir.path());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut sheet = |n: usize| {
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap(),
            &mut xml,
        )
        .unwrap();
        xml
    };
    // Constant-memory sheets hold their text inline, not in the shared strings.
    assert!(!sheet(1).contains("inlineStr"), "Synthèse");
    assert!(!sheet(2).contains("inlineStr"), "Compte rendu");
    // Sheet 5 is Fin de gestion, written cell by cell.
    for n in [3, 6, 7, 8, 9, 10] {
        assert!(sheet(n).contains("inlineStr"), "sheet{n}");
    }
}
