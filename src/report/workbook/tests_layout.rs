//! The workbook as a document: month-over-month follow-up in `Anomalies`, the monthly
//! report's subtotals, the chart of `Synthèse` and how every sheet prints.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::build;
use super::tests::{
    IMPUTATION, as_of, assert_links_land, cell, column_of, date, open, pipeline, row_of, sample,
    sample_workbook, table_sheet, text,
};
use crate::reconcile::{FollowUp, Resolved, Severity};
use crate::report::Context;

/// The files of the workbook's zip, by name.
fn parts(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            parts.insert(file.name().unwrap().to_string(), text);
        }
    }
    parts
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap()
}

fn resolved(severity: Severity, amount: Option<&str>) -> Resolved {
    Resolved {
        code: "HORS_PERIODE".into(),
        severity,
        message: "=Ligne datée après la fin de la convention.".into(),
        key: format!("HORS_PERIODE:{}", severity.label()),
        first_seen: NaiveDate::from_ymd_opt(2021, 4, 30).unwrap(),
        file: Some("ancien/ej_2020.csv".into()),
        row: Some(14),
        ej: Some("2100009999".into()),
        amount: amount.map(str::to_string),
    }
}

#[test]
fn anomalies_follow_findings_month_over_month() {
    let dir = tempfile::tempdir().unwrap();
    let (mut run, convention) = sample(dir.path());
    let rec = &mut run.reconciliation;
    assert!(rec.findings.len() >= 3);
    rec.findings[0].follow_up = Some(FollowUp {
        first_seen: as_of(),
        is_new: true,
    });
    rec.findings[1].follow_up = Some(FollowUp {
        first_seen: NaiveDate::from_ymd_opt(2021, 4, 30).unwrap(),
        is_new: false,
    });
    rec.findings[2].follow_up = Some(FollowUp {
        first_seen: NaiveDate::from_ymd_opt(2021, 6, 30).unwrap(),
        is_new: false,
    });
    rec.resolved
        .push(resolved(Severity::Warning, Some("123.45")));
    rec.resolved.push(resolved(Severity::Error, None));
    rec.resolved
        .push(resolved(Severity::Info, Some("pas un montant")));
    let findings = rec.findings.len();
    let targeted = rec.findings.iter().filter(|f| f.target.is_some()).count();
    let bytes = build(&Context {
        convention: &convention,
        run: &run,
    })
    .unwrap();
    let mut book = open(&bytes);
    let a = table_sheet(&mut book, "Anomalies");
    let col = |h: &str| column_of(&a, h);
    let suivi = col("Suivi");
    assert_eq!(cell(&a, 1, suivi), text("nouvelle"));
    assert_eq!(cell(&a, 2, suivi), text("toujours ouverte depuis 3 mois"));
    assert_eq!(cell(&a, 3, suivi), text("toujours ouverte depuis 1 mois"));
    assert_eq!(cell(&a, 4, suivi), Data::Empty, "not followed up");

    // The resolved findings come after the current ones, as last month gave them.
    let first = findings as u32 + 1;
    let rows: Vec<[Data; 4]> = (first..first + 3)
        .map(|r| {
            [
                cell(&a, r, col("Gravité")),
                cell(&a, r, suivi),
                cell(&a, r, col("Montant")),
                cell(&a, r, col("Voir")),
            ]
        })
        .collect();
    assert_eq!(
        rows,
        [
            [
                text("avertissement"),
                text("résolue"),
                Data::Float(123.45),
                Data::Empty
            ],
            [text("erreur"), text("résolue"), Data::Empty, Data::Empty],
            [
                text("information"),
                text("résolue"),
                text("pas un montant"),
                Data::Empty
            ],
        ]
    );
    assert_eq!(cell(&a, first, col("Code")), text("HORS_PERIODE"));
    assert_eq!(
        cell(&a, first, col("Message")),
        text("=Ligne datée après la fin de la convention."),
        "inert text"
    );
    assert_eq!(cell(&a, first, col("Fichier")), text("ancien/ej_2020.csv"));
    assert_eq!(cell(&a, first, col("Ligne")), Data::Float(14.0));
    assert_eq!(cell(&a, first, col("N° EJ")), text("2100009999"));
    assert_eq!(cell(&a, first + 3, 0), Data::Empty, "nothing after");
    // Resolved rows carry no link, and the current findings' links still land.
    assert_links_land(&bytes, targeted);

    // Synthèse counts them by severity.
    let s = book.worksheet_range("Synthèse").unwrap();
    let header = row_of(&s, "Gravité");
    let headers: Vec<Data> = (0..5).map(|c| cell(&s, header, c)).collect();
    assert_eq!(
        headers,
        [
            "Gravité",
            "Nombre",
            "Nouvelles",
            "Toujours ouvertes",
            "Résolues"
        ]
        .map(text)
    );
    let total = header + 4;
    assert_eq!(cell(&s, total, 0), text("Total"));
    assert_eq!(cell(&s, total, 1), Data::Float(findings as f64));
    assert_eq!(cell(&s, total, 2), Data::Float(1.0), "new");
    assert_eq!(cell(&s, total, 3), Data::Float(2.0), "still open");
    assert_eq!(cell(&s, total, 4), Data::Float(3.0), "resolved");
    let warning = row_of(&s, "avertissement");
    assert_eq!(cell(&s, warning, 4), Data::Float(1.0));
}

#[test]
fn without_previous_the_synthese_has_no_follow_up_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = open(&sample_workbook(dir.path()));
    let s = book.worksheet_range("Synthèse").unwrap();
    let header = row_of(&s, "Gravité");
    assert_eq!(cell(&s, header, 1), text("Nombre"));
    assert_eq!(cell(&s, header, 2), Data::Empty);
}

#[test]
fn monthly_subtotals_are_decimal_sums() {
    let dir = tempfile::tempdir().unwrap();
    // Amounts whose float sums drift: 0.10 + 0.20 ≠ 0.30 in binary.
    let rows: Vec<String> = [
        ("01", "15/01/2020", "POTENTIEL", "0,10"),
        ("02", "20/01/2020", "POTENTIEL", "0,20"),
        ("03", "03/02/2020", "POTENTIEL", "1000,35"),
        ("04", "10/03/2020", "POTENTIEL", "-0,15"),
        ("05", "11/05/2020", "CARBURE", "2500,05"),
        ("06", "30/09/2020", "CARBURE", "0,01"),
        ("07", "15/02/2020", "", "99,99"),
    ]
    .iter()
    .map(|(n, d, p, a)| format!("{IMPUTATION};21031000{n};1;{d};F{n};{p};{a}"))
    .collect();
    let (run, convention) = pipeline(dir.path(), &rows);
    let rec = &run.reconciliation;
    let mut book = open(
        &build(&Context {
            convention: &convention,
            run: &run,
        })
        .unwrap(),
    );
    let m = book.worksheet_range("Mensuel").unwrap();
    // The convention's months up to the situation, though the lines stop in septembre.
    assert_eq!(
        cell(&m, row_of(&m, "Période couverte"), 1),
        text("janvier 2020 – juillet 2021")
    );
    let period = row_of(&m, "Période couverte");
    assert_eq!(cell(&m, period, 5), text("Situation au"));
    assert_eq!(date(&cell(&m, period, 6)), as_of());

    let header = row_of(&m, "Produit");
    let mut subtotals = Vec::new();
    let mut r = header + 1;
    while cell(&m, r, 0) != text("Total général") {
        if cell(&m, r, 2) == text("Sous-total") {
            subtotals.push((cell(&m, r, 0), cell(&m, r, 3), cell(&m, r, 4)));
        }
        r += 1;
    }
    let expected: Vec<(Data, Data, Data)> = [Some(0), Some(1), None]
        .into_iter()
        .map(|p| {
            let months = rec.months.iter().filter(|m| m.product == p);
            let ae: Decimal = months.clone().map(|m| m.ae).sum();
            let cp: Decimal = months.map(|m| m.cp).sum();
            (
                text(["Potentiel", "CarbuRe", "Non attribué"][p.unwrap_or(2)]),
                Data::Float(f64_of(ae)),
                Data::Float(f64_of(cp)),
            )
        })
        .collect();
    assert_eq!(subtotals, expected);
    assert_eq!(subtotals[0].1, Data::Float(1000.5));
    assert_eq!(cell(&m, r, 3), Data::Float(f64_of(rec.totals.ae_consumed)));
    assert_eq!(cell(&m, r, 3), Data::Float(3600.55));
    assert_eq!(cell(&m, r, 4), Data::Float(f64_of(rec.totals.cp_consumed)));
    // The last month of a product shows its running total, equal to its subtotal.
    let potentiel_subtotal = (header + 1..r)
        .find(|row| cell(&m, *row, 2) == text("Sous-total"))
        .unwrap();
    assert_eq!(
        cell(&m, potentiel_subtotal - 1, 5),
        cell(&m, potentiel_subtotal, 3)
    );
}

#[test]
fn the_synthese_charts_the_schedule_from_its_own_table() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_workbook(dir.path());
    let parts = parts(&bytes);
    let chart = parts.get("xl/charts/chart1.xml").expect("a chart");
    assert!(chart.contains("<c:barChart>") && chart.contains("<c:barDir val=\"col\"/>"));
    assert!(chart.contains("AE et CP consommés et projetés au regard de l'échéancier"));
    let drawing_rels = &parts["xl/worksheets/_rels/sheet1.xml.rels"];
    assert!(
        drawing_rels.contains("drawing1.xml"),
        "the chart is on Synthèse"
    );

    // Every series takes its categories and values from the table on Synthèse.
    let refs: Vec<&str> = chart
        .split("<c:f>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    assert_eq!(refs.len(), 18, "six series: name, categories, values");
    let mut book = open(&bytes);
    let s = book.worksheet_range("Synthèse").unwrap();
    let header = row_of(&s, "Produit et année");
    let (first, last) = (header + 2, header + 6); // 1-based rows of the data.
    assert_eq!(refs[1], format!("Synthèse!$A${first}:$A${last}"));
    assert_eq!(refs[0], format!("Synthèse!$B${}", header + 1));
    assert_eq!(refs[14], format!("Synthèse!$E${first}:$E${last}"));
    // The projected series come from the projection table, whose rows are the schedule's.
    let projection = (header + 1..s.height() as u32)
        .find(|r| cell(&s, *r, 0) == text("Produit et année"))
        .expect("the projection table");
    let (p_first, p_last) = (projection + 2, projection + 6);
    assert_eq!(refs[6], format!("Synthèse!$B${}", projection + 1));
    assert_eq!(refs[7], refs[1], "same categories");
    assert_eq!(refs[8], format!("Synthèse!$B${p_first}:$B${p_last}"));
    assert_eq!(refs[17], format!("Synthèse!$D${p_first}:$D${p_last}"));
    assert_eq!(cell(&s, projection, 1), text("AE projetées"));
    assert_eq!(cell(&s, projection, 3), text("CP projetés"));
    assert_eq!(cell(&s, p_last - 1, 0), text("Non attribué 2020"));
    assert_eq!(cell(&s, p_last, 0), text("Total"));
    assert_eq!(cell(&s, first - 1, 0), text("Potentiel 2020"));
    assert_eq!(cell(&s, last - 1, 0), text("Non attribué 2020"));
    assert_eq!(cell(&s, last, 0), text("Total"), "the total is not charted");
    assert_eq!(cell(&s, last, 2), Data::Float(43500.75));
    let names: Vec<Data> = (1..=4).map(|c| cell(&s, header, c)).collect();
    assert_eq!(
        names,
        ["AE prévues", "AE consommées", "CP prévus", "CP consommés"].map(text)
    );
    // The chart sits below its table: nothing is written where it is drawn.
    let drawing = &parts["xl/drawings/drawing1.xml"];
    let from_row: u32 = drawing
        .split("<xdr:from>")
        .nth(1)
        .and_then(|s| s.split("<xdr:row>").nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap()
        .parse()
        .unwrap();
    let to_row: u32 = drawing
        .split("<xdr:to>")
        .nth(1)
        .and_then(|s| s.split("<xdr:row>").nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(from_row > last);
    for r in from_row..=to_row {
        for c in 0..6 {
            assert_eq!(cell(&s, r, c), Data::Empty, "under the chart: row {r}");
        }
    }
}

#[test]
fn every_sheet_prints_on_a4_fitted_to_its_pages_with_header_and_footer() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_workbook(dir.path());
    let parts = parts(&bytes);
    let sheets: Vec<&String> = parts
        .keys()
        .filter(|k| k.starts_with("xl/worksheets/sheet"))
        .collect();
    assert_eq!(sheets.len(), 12);
    for name in sheets {
        let xml = &parts[name];
        assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{name}");
        assert!(xml.contains(r#"paperSize="9""#), "{name}: A4");
        // Compte rendu is one page tall too: OOXML's default, no attribute.
        let one_page = name == "xl/worksheets/sheet2.xml";
        assert_eq!(
            xml.contains(r#"fitToHeight="0""#),
            !one_page,
            "{name}: fitted to the width"
        );
        assert!(
            xml.contains("&amp;A") && xml.contains("Convention dgec-dinum-2020"),
            "{name}: the sheet and the convention in the header"
        );
        assert!(
            xml.contains("Page &amp;P sur &amp;N"),
            "{name}: page numbers"
        );
    }
    let orientation = |n: usize| {
        let xml = &parts[&format!("xl/worksheets/sheet{n}.xml")];
        xml.split("orientation=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string()
    };
    // Synthèse, Compte rendu, Mensuel: portrait; the wide tables: landscape.
    assert_eq!(orientation(1), "portrait");
    assert_eq!(orientation(2), "portrait");
    assert_eq!(orientation(4), "portrait");
    for n in [3, 7, 8] {
        assert_eq!(orientation(n), "landscape", "sheet{n}");
    }
    // The status banner spans the figures' columns; the header rows repeat on each page.
    assert!(parts["xl/worksheets/sheet1.xml"].contains(r#"<mergeCell ref="B4:E4"/>"#));
    let workbook = &parts["xl/workbook.xml"];
    let titles: Vec<&str> = workbook
        .split("<definedName name=\"_xlnm.Print_Titles\" ")
        .skip(1)
        .filter_map(|s| s.split("</definedName>").next())
        .collect();
    assert!(
        titles.contains(&r#"localSheetId="7">Anomalies!$A:$B,Anomalies!$2:$2"#),
        "{titles:?}"
    );
    assert!(workbook.contains(r#"localSheetId="3">Mensuel!$6:$6</definedName>"#));
}

#[test]
fn a_long_monthly_report_continues_on_numbered_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (1..=6)
        .map(|m| format!("{IMPUTATION};21031000{m:02};1;15/{m:02}/2020;F;POTENTIEL;{m}00"))
        .collect();
    let (run, convention) = pipeline(dir.path(), &rows);
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    // Eight rows a sheet: three months under the title block, then seven a sheet (and
    // the header). The 19 months of the period (janvier 2020 – juillet 2021), the
    // subtotal and the total take four sheets.
    let mut book =
        open(&super::build_split(&ctx, super::grid::Split { rows_per_sheet: 8 }).unwrap());
    let names = book.sheet_names();
    assert!(names.iter().any(|n| n == "Mensuel (4)"), "{names:?}");
    assert!(!names.iter().any(|n| n == "Mensuel (5)"), "{names:?}");
    let month = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
    let first = book.worksheet_range("Mensuel").unwrap();
    let h = row_of(&first, "Produit");
    assert_eq!(date(&cell(&first, h + 3, 2)), month(2020, 3));
    assert_eq!(cell(&first, h + 4, 0), Data::Empty);
    let second = book.worksheet_range("Mensuel (2)").unwrap();
    assert_eq!(cell(&second, 0, 0), text("Produit"), "the header again");
    assert_eq!(date(&cell(&second, 1, 2)), month(2020, 4));
    assert_eq!(cell(&second, 3, 3), Data::Float(600.0), "juin 2020");
    assert_eq!(date(&cell(&second, 8, 2)), month(2020, 11));
    assert_eq!(
        cell(&second, 8, 3),
        Data::Float(0.0),
        "no movement in novembre"
    );
    assert_eq!(
        cell(&second, 8, 5),
        Data::Float(2100.0),
        "the running total carried"
    );
    let third = book.worksheet_range("Mensuel (3)").unwrap();
    assert_eq!(date(&cell(&third, 1, 2)), month(2020, 12));
    assert_eq!(date(&cell(&third, 8, 2)), month(2021, 7));
    let fourth = book.worksheet_range("Mensuel (4)").unwrap();
    assert_eq!(cell(&fourth, 1, 2), text("Sous-total"));
    assert_eq!(cell(&fourth, 2, 0), text("Total général"));
    assert_eq!(cell(&fourth, 2, 3), Data::Float(2100.0));
}

#[test]
fn monthly_months_run_past_the_period_to_the_movements_and_undated_lines_keep_their_row() {
    let dir = tempfile::tempdir().unwrap();
    // Dated in 2021 in an extract of 2020: the line has no date of its exercise.
    let rows = [
        format!("{IMPUTATION};2103100001;1;15/09/2021;F;POTENTIEL;100"),
        format!("{IMPUTATION};2103100002;1;;F;POTENTIEL;40"),
    ];
    let (mut run, convention) = pipeline(dir.path(), &rows);
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let mut book = open(&build(&ctx).unwrap());
    let m = book.worksheet_range("Mensuel").unwrap();
    let h = row_of(&m, "Produit");
    // The undated lines of 2020 first, then every month of the convention (janvier 2020 –
    // juillet 2021) at 0 €, the running total carried from the undated row.
    assert_eq!(cell(&m, h + 1, 1), Data::Float(2020.0));
    assert_eq!(cell(&m, h + 1, 2), text("sans date"));
    assert_eq!(cell(&m, h + 1, 3), Data::Float(140.0));
    let month = |y, mo| NaiveDate::from_ymd_opt(y, mo, 1).unwrap();
    assert_eq!(date(&cell(&m, h + 2, 2)), month(2020, 1));
    assert_eq!(date(&cell(&m, h + 20, 2)), month(2021, 7));
    assert_eq!(cell(&m, h + 20, 3), Data::Float(0.0));
    assert_eq!(cell(&m, h + 20, 5), Data::Float(140.0));
    assert_eq!(cell(&m, h + 21, 2), text("Sous-total"));

    // Movements before the convention's start or after the situation widen the months.
    let months = &mut run.reconciliation.months;
    let mut moved = months[0].clone();
    (moved.year, moved.month) = (2019, 11);
    months.insert(0, moved.clone());
    (moved.year, moved.month) = (2021, 10);
    months.push(moved);
    let ctx = Context {
        convention: &convention,
        run: &run,
    };
    let groups = super::monthly::product_months(&ctx);
    let shown: Vec<(i32, u32)> = groups[0].1.iter().map(|m| (m.year, m.month)).collect();
    let mut expected = vec![(2019, 11), (2019, 12), (2020, 0)];
    expected.extend((1..=12).map(|m| (2020, m)));
    expected.extend((1..=10).map(|m| (2021, m)));
    assert_eq!(shown, expected);
}
