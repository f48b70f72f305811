//! The « Fin de gestion » sheet through the real binary: a run at `--as-of AAAA-12-31` is
//! the closing of that exercice, and its figures are the hand-worked ones of the
//! fixtures' LISEZMOI.md, the same as `Échéancier` and `Engagements`.

mod common;

use common::{read_workbook, repo, run};

type Sheet = Vec<Vec<String>>;

/// Runs `reconcile` on a fixture at `as_of`; the workbook's sheets.
fn closing_run(fixture: &str, as_of: &str) -> Vec<(String, Sheet)> {
    closing_run_on(&[fixture], as_of)
}

/// [`closing_run`] on several folders of `fixtures/`.
fn closing_run_on(fixtures: &[&str], as_of: &str) -> Vec<(String, Sheet)> {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("rapprochement.xlsx");
    let mut args: Vec<String> = vec!["reconcile".into()];
    args.extend(fixtures.iter().map(|f| format!("fixtures/{f}")));
    let book_arg = book.display().to_string();
    args.extend(
        [
            "--as-of",
            as_of,
            "--fail-on",
            "never",
            "-q",
            "-o",
            &book_arg,
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&repo(), &args).expect_code(0);
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
const SERVICE_FAIT: &str = "Service fait non payé";

/// The rows of a block: `(first cell, second cell, the amounts of columns `cols`)`.
fn amounts(
    sheet: &Sheet,
    heading: &str,
    cols: &[usize],
) -> Vec<(String, String, Vec<Option<i64>>)> {
    block(sheet, heading)
        .into_iter()
        .map(|r| {
            let a = cols.iter().map(|&c| cents(&r[c])).collect();
            (r[0].clone(), r[1].clone(), a)
        })
        .collect()
}

/// `(first cell, second cell, amounts in euros)`, to compare with [`amounts`].
fn rows(expected: &[(&str, &str, &[Option<f64>])]) -> Vec<(String, String, Vec<Option<i64>>)> {
    expected
        .iter()
        .map(|(a, b, e)| {
            let e = e.iter().map(|x| x.and_then(eur)).collect();
            (a.to_string(), b.to_string(), e)
        })
        .collect()
}

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
        names[..6],
        [
            "Synthèse",
            "Compte rendu",
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

/// `fixtures/cloture-2020`, figures of its LISEZMOI.md.
#[test]
fn the_closing_of_2020_has_its_hand_worked_figures() {
    let book = closing_run("cloture-2020", "2020-12-31");
    let fin = sheet(&book, "Fin de gestion");
    assert_eq!(fin[0][0], "Fin de gestion 2020");
    // AE and CP planned, consumed, not consumed.
    let p = |x: f64| Some(x);
    assert_eq!(
        amounts(fin, CREDITS, &[3, 4, 5, 6, 7, 8]),
        rows(&[
            (
                "2020",
                "clos",
                &[
                    p(80000.0),
                    p(77000.0),
                    p(3000.0),
                    p(40000.0),
                    p(39000.0),
                    p(1000.0)
                ]
            ),
            (
                "2020",
                "clos",
                &[
                    p(80000.0),
                    p(70000.0),
                    p(10000.0),
                    p(40000.0),
                    p(36000.0),
                    p(4000.0)
                ]
            ),
            (
                "Total 2020",
                "clos",
                &[
                    p(160000.0),
                    p(147000.0),
                    p(13000.0),
                    p(80000.0),
                    p(75000.0),
                    p(5000.0)
                ]
            ),
        ])
    );
    // Carried into 2021 per EJ (2100003001: postes 1 and 2, 20 000 + 6 000); 2100003003
    // is paid. The total is the restes à payer.
    assert_eq!(
        amounts(fin, CARRIED, &[3, 5, 6]),
        rows(&[
            ("2020", "2100003001", &[p(62000.0), p(36000.0), p(26000.0)]),
            ("2020", "2100003002", &[p(15000.0), p(3000.0), p(12000.0)]),
            ("2020", "2100003004", &[p(34000.0), p(0.0), p(34000.0)]),
            (
                "Total 2020 (3 EJ)",
                "",
                &[p(111000.0), p(39000.0), p(72000.0)]
            ),
        ])
    );
    // Service fait: received 89 000 (75 000 paid + 14 000 not), certified unpaid 14 000.
    assert_eq!(
        amounts(fin, SERVICE_FAIT, &[3, 4]),
        rows(&[
            ("2020", "2100003001", &[p(36000.0), None]),
            ("2020", "2100003002", &[p(7000.0), p(4000.0)]),
            ("2020", "2100003003", &[p(36000.0), None]),
            ("2020", "2100003004", &[p(10000.0), p(10000.0)]),
            ("Total 2020", "", &[p(89000.0), p(14000.0)]),
        ])
    );
    assert!(
        !has_block(fin, OPEN),
        "the convention runs until 31/07/2021"
    );
    // The input says where its rows went, once: not « ignored ».
    let notes: Vec<&String> = sheet(&book, "Provenance")
        .iter()
        .flatten()
        .filter(|c| c.contains("sans effet sur les AE"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(
        notes[0].matches("sans effet sur les AE").count(),
        1,
        "{}",
        notes[0]
    );
    assert!(
        notes[0].contains("12 ligne(s) de service fait"),
        "{}",
        notes[0]
    );
}

/// `fixtures/fin-convention` on the convention's last day, then at the closing of 2021.
#[test]
fn the_convention_s_end_has_its_hand_worked_figures() {
    let p = |x: f64| Some(x);
    let book = closing_run_on(
        &["fin-convention/2020", "fin-convention/2021-07"],
        "2021-07-31",
    );
    let fin = sheet(&book, "Fin de gestion");
    assert!(
        fin[0][0].ends_with("(exercice 2021 en cours)"),
        "{}",
        fin[0][0]
    );
    let credits_2021: Vec<_> = amounts(fin, CREDITS, &[6, 7, 8])
        .into_iter()
        .filter(|r| r.0.ends_with("2021"))
        .collect();
    assert_eq!(
        credits_2021,
        rows(&[
            ("2021", "en cours", &[p(40000.0), p(35000.0), p(5000.0)]),
            ("2021", "en cours", &[p(40000.0), p(22000.0), p(18000.0)]),
            (
                "Total 2021",
                "en cours",
                &[p(80000.0), p(57000.0), p(23000.0)]
            ),
        ])
    );
    // Open at the end: 3 000 and 12 000, of which 5 000 of service fait certified unpaid.
    let open: Vec<_> = amounts(fin, OPEN, &[6])
        .into_iter()
        .map(|r| (r.0, r.2))
        .collect();
    assert_eq!(
        open,
        [
            ("2100003002".to_string(), vec![eur(3000.0)]),
            ("2100003004".to_string(), vec![eur(12000.0)]),
            ("Total (2 EJ)".to_string(), vec![eur(15000.0)])
        ]
    );
    let unpaid_2021: Vec<_> = amounts(fin, SERVICE_FAIT, &[4])
        .into_iter()
        .filter(|r| r.0 == "Total 2021" || r.2[0].is_some() && r.0 == "2021")
        .collect();
    assert_eq!(
        unpaid_2021,
        rows(&[
            ("2021", "2100003004", &[p(5000.0)]),
            ("Total 2021", "", &[p(5000.0)])
        ])
    );

    // At 31/12/2021: the retrait closed 2100003002; 2100003004 keeps 7 000, carried into
    // 2022 and open after the end.
    let book = closing_run("fin-convention", "2021-12-31");
    let fin = sheet(&book, "Fin de gestion");
    assert_eq!(fin[0][0], "Fin de gestion 2021");
    let carried_2021: Vec<_> = amounts(fin, CARRIED, &[6])
        .into_iter()
        .filter(|r| r.0.contains("2021"))
        .collect();
    assert_eq!(
        carried_2021,
        rows(&[
            ("2021", "2100003004", &[p(7000.0)]),
            ("Total 2021 (1 EJ)", "", &[p(7000.0)])
        ])
    );
    assert!(has_block(
        fin,
        "EJ encore ouverts après la fin de la convention (31/07/2021) : reste à payer au 31/12/2021"
    ));
    let open: Vec<_> = amounts(fin, OPEN, &[6])
        .into_iter()
        .map(|r| (r.0, r.2))
        .collect();
    assert_eq!(
        open,
        [
            ("2100003004".to_string(), vec![eur(7000.0)]),
            ("Total (1 EJ)".to_string(), vec![eur(7000.0)])
        ]
    );
    // 2021: Potentiel AE −3 000 (the retrait); CarbuRe CP 27 000 of 40 000.
    let credits_2021: Vec<_> = amounts(fin, CREDITS, &[4, 7, 8])
        .into_iter()
        .filter(|r| r.0 == "2021")
        .collect();
    assert_eq!(
        credits_2021,
        rows(&[
            ("2021", "clos", &[p(-3000.0), p(35000.0), p(5000.0)]),
            ("2021", "clos", &[p(0.0), p(27000.0), p(13000.0)]),
        ])
    );
}
