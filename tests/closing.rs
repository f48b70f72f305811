//! The « Fin de gestion » sheet through the real binary: a run at `--as-of AAAA-12-31` is
//! the closing of that exercice, and its figures are the hand-worked ones of the
//! fixtures' LISEZMOI.md, the same as `Échéancier` and `Engagements`.

mod common;

use common::{read_workbook, repo, run};

type Sheet = Vec<Vec<String>>;

/// Runs `reconcile` on a fixture at `as_of`; the workbook's sheets.
fn closing_run(fixture: &str, as_of: &str) -> Vec<(String, Sheet)> {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("rapprochement.xlsx");
    let fixture = format!("fixtures/{fixture}");
    let book_arg = book.display().to_string();
    let outcome = run(
        &repo(),
        &[
            "reconcile",
            &fixture,
            "--as-of",
            as_of,
            "--fail-on",
            "never",
            "-q",
            "-o",
            &book_arg,
        ],
    );
    outcome.expect_code(0);
    read_workbook(&book)
}

fn sheet<'a>(book: &'a [(String, Sheet)], name: &str) -> &'a Sheet {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("onglet « {name} » absent"))
        .1
}

/// The rows of the block under `heading` (after its header row), up to the blank row
/// that ends it, totals included.
fn block<'a>(sheet: &'a Sheet, heading: &str) -> Vec<&'a Vec<String>> {
    let start = sheet
        .iter()
        .position(|r| r.first().is_some_and(|c| c.starts_with(heading)))
        .unwrap_or_else(|| panic!("bloc « {heading} » absent\n{sheet:#?}"));
    let header = (start + 1..sheet.len())
        .find(|&i| sheet[i].iter().any(|c| c == "Produit"))
        .unwrap();
    sheet[header + 1..]
        .iter()
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .collect()
}

fn has_block(sheet: &Sheet, heading: &str) -> bool {
    sheet
        .iter()
        .any(|r| r.first().is_some_and(|c| c.starts_with(heading)))
}

/// A cell as a number of cents (blank: `None`).
fn cents(cell: &str) -> Option<i64> {
    (!cell.is_empty()).then(|| (cell.parse::<f64>().unwrap() * 100.0).round() as i64)
}

/// Euros as cents.
fn eur(e: f64) -> Option<i64> {
    Some((e * 100.0).round() as i64)
}

const CREDITS: &str = "Crédits de l'échéancier";
const CARRIED: &str = "EJ reportés";
const OPEN: &str = "EJ encore ouverts";

/// Credits rows (exercice, state, product) -> the six amounts.
fn credits(sheet: &Sheet) -> Vec<(String, String, String, Vec<Option<i64>>)> {
    block(sheet, CREDITS)
        .into_iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                r[3..9].iter().map(|c| cents(c)).collect(),
            )
        })
        .collect()
}

#[test]
fn a_run_at_31_december_is_the_closing_of_that_exercice() {
    let book = closing_run("annee-complete", "2020-12-31");
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names[..5],
        [
            "Synthèse",
            "Échéancier",
            "Mensuel",
            "Fin de gestion",
            "Engagements"
        ]
    );
    let synthese = sheet(&book, "Synthèse");
    assert!(
        synthese
            .iter()
            .flatten()
            .any(|c| c.starts_with("Clôture de l'exercice 2020")),
        "{synthese:#?}"
    );
    let fin = sheet(&book, "Fin de gestion");
    assert_eq!(fin[0][0], "Fin de gestion 2020");
    // LISEZMOI: Potentiel 2020 AE 78 500, CP 40 000; CarbuRe 2020 AE 70 000, CP 34 000;
    // the DP without EJ (450) is attributed to no product. 2021 is not covered.
    let clos = || "clos".to_string();
    assert_eq!(
        credits(fin),
        [
            (
                "2020".into(),
                clos(),
                "Potentiel".into(),
                vec![
                    eur(80000.0),
                    eur(78500.0),
                    eur(1500.0),
                    eur(40000.0),
                    eur(40000.0),
                    eur(0.0)
                ]
            ),
            (
                "2020".into(),
                clos(),
                "CarbuRe".into(),
                vec![
                    eur(80000.0),
                    eur(70000.0),
                    eur(10000.0),
                    eur(40000.0),
                    eur(34000.0),
                    eur(6000.0)
                ]
            ),
            (
                "2020".into(),
                clos(),
                "Non attribué".into(),
                vec![None, eur(450.0), None, None, eur(450.0), None]
            ),
            (
                "Total 2020".into(),
                clos(),
                String::new(),
                vec![
                    eur(160000.0),
                    eur(148950.0),
                    eur(11500.0),
                    eur(80000.0),
                    eur(74450.0),
                    eur(6000.0)
                ]
            ),
        ]
    );
    // The bascule to expect on 1 January 2021 is what the 2021 BEx extract carried in
    // (LISEZMOI: 101 → 30 000 + 3 500, 102 → 36 000, 103 → 5 000).
    let carried: Vec<(String, String, Option<i64>)> = block(fin, CARRIED)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), cents(&r[6])))
        .collect();
    assert_eq!(
        carried,
        [
            ("2020".into(), "2100000101".into(), eur(33500.0)),
            ("2020".into(), "2100000102".into(), eur(36000.0)),
            ("2020".into(), "2100000103".into(), eur(5000.0)),
            ("Total 2020 (3 EJ)".into(), String::new(), eur(74500.0)),
        ]
    );
    // The convention runs until 31/07/2021: no block of EJs open at its end.
    assert!(!has_block(fin, OPEN));
}

#[test]
fn the_closing_agrees_with_the_schedule_and_the_commitments() {
    let book = closing_run("annee-complete", "2021-12-31");
    let fin = sheet(&book, "Fin de gestion");
    assert_eq!(fin[0][0], "Fin de gestion 2021");
    // Every credits row is the Échéancier's row of its product and year.
    let schedule = sheet(&book, "Échéancier");
    let rows = credits(fin);
    let mut compared = 0;
    for (year, _, product, amounts) in rows.iter().filter(|r| !r.0.starts_with("Total")) {
        let s = schedule
            .iter()
            .find(|r| &r[0] == product && &r[1] == year)
            .unwrap_or_else(|| panic!("{product} {year} absent de l'Échéancier"));
        // Planned and consumed, AE then CP.
        let expected = [cents(&s[2]), cents(&s[3]), cents(&s[6]), cents(&s[7])];
        assert_eq!(
            [amounts[0], amounts[1], amounts[3], amounts[4]],
            expected,
            "{product} {year}"
        );
        compared += 1;
    }
    assert_eq!(compared, 5);
    // LISEZMOI: CarbuRe 2021 CP 35 000 of 40 000; Potentiel 2021 CP 20 500 of 40 000.
    let total_2021 = rows.iter().find(|r| r.0 == "Total 2021").unwrap();
    assert_eq!(total_2021.3[4..], [eur(55500.0), eur(24500.0)]);
    // At 31/12/2021, the EJs carried into 2022 are the Engagements' open ones, for
    // their reste à payer, and so are the EJs open at the convention's end
    // (EJ_NON_SOLDE: 101 → 15 000, 103 → 3 000, 104 → 2 000; total 20 000).
    let engagements = sheet(&book, "Engagements");
    let open_in_engagements: Vec<(String, Option<i64>)> = engagements[1..]
        .iter()
        .filter(|r| r[0].starts_with("21") && cents(&r[6]).is_some_and(|c| c > 0))
        .map(|r| (r[0].clone(), cents(&r[6])))
        .collect();
    let expected: Vec<(String, Option<i64>)> = [
        ("2100000101", 15000.0),
        ("2100000103", 3000.0),
        ("2100000104", 2000.0),
    ]
    .into_iter()
    .map(|(ej, e)| (ej.to_string(), eur(e)))
    .collect();
    assert_eq!(open_in_engagements, expected);
    let carried_2021: Vec<(String, Option<i64>)> = block(fin, CARRIED)
        .into_iter()
        .filter(|r| r[0] == "2021")
        .map(|r| (r[1].clone(), cents(&r[6])))
        .collect();
    assert_eq!(carried_2021, expected);
    let open: Vec<&Vec<String>> = block(fin, OPEN);
    let open_rows: Vec<(String, Option<i64>)> = open
        .iter()
        .filter(|r| r[0].starts_with("21"))
        .map(|r| (r[0].clone(), cents(&r[6])))
        .collect();
    assert_eq!(open_rows, expected);
    assert_eq!(open.last().unwrap()[0], "Total (3 EJ)");
    assert_eq!(cents(&open.last().unwrap()[6]), eur(20000.0));
}

#[test]
fn another_date_shows_the_closed_exercices_and_the_current_one_en_cours() {
    let book = closing_run("annee-complete", "2021-03-31");
    let fin = sheet(&book, "Fin de gestion");
    assert_eq!(
        fin[0][0],
        "Fin de gestion – situation au 31/03/2021 (exercice 2021 en cours)"
    );
    let states: Vec<(String, String)> = credits(fin)
        .into_iter()
        .filter(|r| r.0.starts_with("Total"))
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(
        states,
        [
            ("Total 2020".to_string(), "clos".to_string()),
            ("Total 2021".to_string(), "en cours".to_string())
        ]
    );
    // Only 2020 is closed: its bascule only.
    let years: Vec<String> = block(fin, CARRIED)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(years, ["2020", "2020", "2020", "Total 2020 (3 EJ)"]);
    let synthese = sheet(&book, "Synthèse");
    assert!(!synthese.iter().flatten().any(|c| c.starts_with("Clôture")));
}
