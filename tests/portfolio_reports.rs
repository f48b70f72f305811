//! The portfolio's reports (`portefeuille.xlsx`, the portfolio summary) read back, on the
//! fixture `portefeuille` reconciled convention by convention through the library (see
//! `common::portfolio`): the rows, totals, orphans, conservation and links of the
//! workbook with calamine; the summary's conventions byte for byte as a single run's,
//! its totals as worked by hand in the fixture's LISEZMOI (C as amended, without its
//! mises à disposition: CP disponibles 25 000 instead of 15 000, statut conforme).

mod common;
#[path = "common/portfolio.rs"]
mod portfolio;

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use chorus_recon::model::summary::PortfolioSummary;
use chorus_recon::report::portfolio::{summary, workbook};
use portfolio::{Fixture, fixture};

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("({row}, {col}): {other:?} is not a number"),
    }
}

/// The row whose first cell is `label`.
fn row_of(range: &Range<Data>, label: &str) -> u32 {
    (0..range.end().unwrap().0)
        .find(|&r| text(range, r, 0) == label)
        .unwrap_or_else(|| panic!("no row « {label} »"))
}

fn figures(range: &Range<Data>, row: u32, from: u32, n: u32) -> Vec<f64> {
    (from..from + n).map(|c| number(range, row, c)).collect()
}

/// A date as Excel stores it.
fn serial(d: chrono::NaiveDate) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (d - epoch).num_days() as f64
}

fn workbook_of(f: &Fixture) -> Vec<u8> {
    workbook::build(&f.portfolio()).unwrap()
}

#[test]
fn the_portfolio_sheet_shows_each_convention_their_total_and_links_to_their_workbooks() {
    let f = fixture();
    let mut book = open(&workbook_of(&f));
    assert_eq!(book.sheet_names(), ["Portefeuille", "Orphelines"]);
    let s = book.worksheet_range("Portefeuille").unwrap();
    let header = row_of(&s, "Convention");
    assert_eq!(text(&s, header, 5), "AE allouées");
    assert_eq!(text(&s, header, 15), "Ouverte depuis le");
    let expected = [
        (
            "dgec-dinum-2020",
            "À vérifier",
            [160e3, 80e3, 80e3, 160e3, 55e3, 105e3, 25e3],
            [0., 2., 8.],
        ),
        (
            "dgec-dinum-tableau-de-bord",
            "Conforme",
            [50e3, 40e3, 10e3, 50e3, 40e3, 10e3, 0.],
            [0., 0., 3.],
        ),
        (
            "dgec-dinum-appui-data",
            "Conforme",
            [90e3, 70e3, 20e3, 90e3, 65e3, 25e3, 5e3],
            [0., 0., 3.],
        ),
    ];
    for (i, (id, status, money, findings)) in expected.iter().enumerate() {
        let r = header + 1 + i as u32;
        assert_eq!(text(&s, r, 0), *id);
        assert_eq!(text(&s, r, 4), *status, "{id}");
        assert_eq!(figures(&s, r, 5, 7), money, "{id}");
        assert_eq!(figures(&s, r, 12, 3), findings, "{id}");
        assert_eq!(text(&s, r, 15), "", "{id}: no follow-up without --previous");
    }
    // C's period as amended.
    let end = match s.get_value((header + 3, 3)) {
        Some(Data::DateTime(d)) => d.as_f64(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        end,
        serial(chrono::NaiveDate::from_ymd_opt(2021, 12, 31).unwrap())
    );
    let total = row_of(&s, "Total");
    assert_eq!(total, header + 4);
    assert_eq!(text(&s, total, 1), "3 conventions");
    assert_eq!(
        figures(&s, total, 5, 7),
        [300e3, 190e3, 110e3, 300e3, 160e3, 140e3, 30e3]
    );
    assert_eq!(figures(&s, total, 12, 3), [0., 2., 14.]);
    let orphans = row_of(&s, "Orphelines");
    assert_eq!(
        (number(&s, orphans, 6), number(&s, orphans, 9)),
        (12_500., 8_000.)
    );
    assert_eq!(figures(&s, orphans, 12, 3), [0., 3., 0.]);
    assert!(text(&s, orphans, 1).starts_with("3 lignes"));
    // Each identifier opens its workbook, relative to the portfolio's folder.
    let links: Vec<_> = book
        .hyperlinks_by_sheet_name("Portefeuille")
        .unwrap()
        .into_iter()
        .map(|l| (l.range.start, l.target.unwrap_or_default()))
        .collect();
    assert_eq!(
        links,
        [
            ((header + 1, 0), "dgec-dinum-2020.xlsx".to_string()),
            (
                (header + 2, 0),
                "dgec-dinum-tableau-de-bord.xlsx".to_string()
            ),
            ((header + 3, 0), "dgec-dinum-appui-data.xlsx".to_string()),
        ]
    );
}

#[test]
fn the_conservation_accounts_for_every_line_read_once() {
    let f = fixture();
    let mut book = open(&workbook_of(&f));
    let s = book.worksheet_range("Portefeuille").unwrap();
    // Lines, AE, CP (LISEZMOI: 13 + 3 + 3 = 19; AE 190 000 + 12 500 + 85 000 = 287 500;
    // CP 160 000 + 8 000 + 35 000 = 203 000).
    let expected = [
        ("Dans une convention", [13., 190e3, 160e3]),
        ("Écartées (rejets, doublons, états remplacés)", [0., 0., 0.]),
        ("Hors de tout périmètre", [3., 85e3, 35e3]),
        ("Lues", [19., 287_500., 203e3]),
    ];
    for (label, values) in expected {
        assert_eq!(figures(&s, row_of(&s, label), 5, 3), values, "{label}");
    }
    let control = row_of(&s, "Contrôle");
    assert_eq!(text(&s, control, 5), "équilibré");
}

#[test]
fn the_orphans_sheet_lists_each_orphan_line_and_the_portfolio_findings() {
    let f = fixture();
    let mut book = open(&workbook_of(&f));
    let s = book.worksheet_range("Orphelines").unwrap();
    assert_eq!(text(&s, 1, 0), "Fichier");
    assert_eq!(text(&s, 1, 10), "Rattachée par");
    // In input order: dp_2020, ej_2020, ej_2021.
    let rows: Vec<_> = (2..5)
        .map(|r| {
            let file = text(&s, r, 0);
            let name = file.rsplit(['/', '\\']).next().unwrap().to_string();
            (
                name,
                text(&s, r, 2),
                text(&s, r, 6),
                number(&s, r, 7),
                text(&s, r, 10),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "dp_2020.csv".into(),
                "2100003001".into(),
                "CP".into(),
                8_000.,
                "centre de coût".into()
            ),
            (
                "ej_2020.csv".into(),
                "2100003001".into(),
                "AE".into(),
                8_000.,
                "UO et centre de coût".into()
            ),
            (
                "ej_2021.csv".into(),
                "2100003002".into(),
                "AE".into(),
                4_500.,
                "UO".into()
            ),
        ]
    );
    // AE and CP apart: never added together.
    assert_eq!(
        (text(&s, 5, 0), number(&s, 5, 7)),
        ("Total AE".into(), 12_500.)
    );
    assert_eq!(
        (text(&s, 6, 0), number(&s, 6, 7)),
        ("Total CP".into(), 8_000.)
    );
    let heading = row_of(&s, "Anomalies du portefeuille");
    assert_eq!(text(&s, heading + 1, 0), "Anomalie");
    for (i, o) in f.orphans.iter().enumerate() {
        let r = heading + 2 + i as u32;
        assert_eq!(text(&s, r, 1), "avertissement");
        assert_eq!(text(&s, r, 2), "LIGNE_ORPHELINE");
        assert_eq!(text(&s, r, 4), o.key);
    }
}

#[test]
fn the_workbook_bytes_are_the_same_from_run_to_run_and_written_as_built() {
    let f = fixture();
    let built = workbook_of(&f);
    assert_eq!(built, workbook_of(&fixture()));
    let mut written = Vec::new();
    workbook::write(&f.portfolio(), &mut written).unwrap();
    assert_eq!(written, built);
    // Dated by the reconciliation, never by the clock.
    let mut zip = zip::ZipArchive::new(Cursor::new(built)).unwrap();
    let mut core = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("docProps/core.xml").unwrap(), &mut core)
        .unwrap();
    assert!(
        core.contains(">2021-12-31T00:00:00Z</dcterms:created>"),
        "{core}"
    );
}

#[test]
fn each_convention_summary_is_a_single_run_one_and_the_totals_are_summed() {
    let f = fixture();
    let p = f.portfolio();
    let json = summary::to_json(&p);
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let typed = summary::summary(&p);
    for (i, m) in p.members.iter().enumerate() {
        // Byte for byte what a run on that convention alone writes.
        let single = chorus_recon::report::summary::to_json(&m.ctx);
        let mut nested = serde_json::to_vec_pretty(&typed.conventions[i]).unwrap();
        nested.push(b'\n');
        assert_eq!(
            String::from_utf8(nested).unwrap(),
            String::from_utf8(single).unwrap()
        );
        assert_eq!(
            value["conventions"][i]["convention"]["id"],
            m.ctx.convention.id.as_str()
        );
    }
    assert_eq!(value["status"], "warning");
    assert_eq!(value["as_of"], "2021-12-31");
    let part = &value["portfolio"];
    assert_eq!(part["conventions"], 3);
    assert_eq!(
        part["totals"],
        serde_json::json!({
            "ae_allocated": "300000.00", "ae_consumed": "190000.00", "ae_available": "110000.00",
            "cp_allocated": "300000.00", "cp_consumed": "160000.00", "cp_available": "140000.00",
            "remaining_to_pay": "30000.00"
        })
    );
    assert_eq!(
        part["findings_by_severity"],
        serde_json::json!({"error": 0, "warning": 5, "info": 14})
    );
    assert_eq!(
        part["orphans"],
        serde_json::json!({"lines": 3, "ae": "12500.00", "cp": "8000.00"})
    );
    let codes: Vec<_> = (part["findings"].as_array().unwrap().iter())
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap().ends_with(".csv"),
            )
        })
        .collect();
    assert_eq!(codes, [("LIGNE_ORPHELINE", true); 3]);
    let c = &part["conservation"];
    assert_eq!(c["holds"], true);
    assert_eq!(
        c["read"],
        serde_json::json!({"lines": 19, "ae": "287500.00", "cp": "203000.00"})
    );
    assert_eq!(
        c["outside"],
        serde_json::json!({"lines": 3, "ae": "85000.00", "cp": "35000.00"})
    );
    assert_eq!(
        part["perimeter"]["centres_financiers"],
        serde_json::json!(["0174-SOUT-DATA", "0174-SOUT-ELAB"])
    );
    // Read back as a later --previous would, it gives the same bytes.
    let back: PortfolioSummary = serde_json::from_slice(&json).unwrap();
    let mut again = serde_json::to_vec_pretty(&back).unwrap();
    again.push(b'\n');
    assert_eq!(again, json);
}

#[test]
fn a_line_counted_twice_breaks_the_conservation() {
    let mut f = fixture();
    // B's run claims, besides its own lines, one of A's: the portfolio no longer balances.
    let stolen = f.runs[0].reconciliation.lines[0].clone();
    let b = &mut f.runs[1].reconciliation;
    b.lines.push(stolen);
    b.counts.in_scope += 1;
    b.counts.out_of_scope -= 1;
    let s = summary::summary(&f.portfolio());
    assert!(!s.portfolio.conservation.holds);
}

/// Writes the fixture's portfolio workbook where `PORTEFEUILLE_XLSX` says, and its
/// summary beside it (`.json`), to look at them (`look-workbook`); does nothing otherwise.
#[test]
fn the_workbook_can_be_written_out_to_look_at() {
    if let Some(path) = std::env::var_os("PORTEFEUILLE_XLSX") {
        let f = fixture();
        std::fs::write(&path, workbook_of(&f)).unwrap();
        let json = std::path::Path::new(&path).with_extension("json");
        std::fs::write(json, summary::to_json(&f.portfolio())).unwrap();
    }
}

#[test]
fn with_a_follow_up_each_row_says_since_when_its_oldest_finding_is_open() {
    use chorus_recon::reconcile::FollowUp;
    let mut f = fixture();
    let seen = |m| chrono::NaiveDate::from_ymd_opt(2021, m, 30).unwrap();
    let serial = |m| Some(serial(seen(m)));
    let findings = &mut f.runs[0].reconciliation.findings;
    findings[0].follow_up = Some(FollowUp {
        first_seen: seen(9),
        is_new: false,
    });
    findings[1].follow_up = Some(FollowUp {
        first_seen: seen(6),
        is_new: false,
    });
    f.findings[0].follow_up = Some(FollowUp {
        first_seen: seen(4),
        is_new: false,
    });
    let mut book = open(&workbook_of(&f));
    let s = book.worksheet_range("Portefeuille").unwrap();
    let header = row_of(&s, "Convention");
    let day = |r: u32| match s.get_value((r, 15)) {
        Some(Data::DateTime(d)) => Some(d.as_f64()),
        _ => None,
    };
    assert_eq!(
        day(header + 1),
        serial(6),
        "A: the earliest of its findings"
    );
    assert_eq!(day(header + 2), None, "B: no follow-up");
    assert_eq!(day(row_of(&s, "Total")), serial(6), "the conventions'");
    assert_eq!(day(row_of(&s, "Orphelines")), serial(4));
    let o = book.worksheet_range("Orphelines").unwrap();
    let heading = row_of(&o, "Anomalies du portefeuille");
    assert_eq!(text(&o, heading + 2, 3), "toujours ouverte depuis 8 mois");
}
