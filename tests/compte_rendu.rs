//! The « Compte rendu » sheet through the real binary: the délégant's one-page report. Its
//! figures read back equal the JSON summary's (`totals`, `products` and their projections),
//! its « Points d'attention » hold the findings the délégant needs, and it prints on one
//! A4 page, portrait, for every fixture.

mod common;

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{repo, run};
use serde_json::Value;

const NAME: &str = "Compte rendu";

/// The page's labels of the codes that need the délégant, in the page's order.
const LABELS: [(&str, &str); 8] = [
    ("PLAFOND_AE_DEPASSE", "Plafond d'AE dépassé"),
    ("PLAFOND_CP_DEPASSE", "Plafond de CP dépassé"),
    ("TITRE_2", "Dépense de titre 2"),
    ("HORS_PERIODE", "Hors de la période"),
    ("ECHEANCIER_DEPASSE", "Échéancier dépassé"),
    ("EJ_NON_SOLDE", "EJ non soldé à la fin"),
    (
        "CREDITS_NON_CONSOMMES_PREVUS",
        "Crédits susceptibles de rester inemployés",
    ),
    ("CREDITS_NON_CONSOMMES", "Crédits non consommés"),
];

struct Outputs {
    sheet: Vec<Vec<Data>>,
    summary: Value,
    /// The sheet's XML part, and the workbook's.
    sheet_xml: String,
    workbook_xml: String,
    names: Vec<String>,
}

/// `reconcile` on `inputs` with `args`: the Compte rendu read back, the summary, the XML.
fn reconcile(inputs: &[&str], args: &[&str]) -> Outputs {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("rapprochement.xlsx");
    let summary = out.path().join("resume.json");
    let (book_arg, summary_arg) = (book.display().to_string(), summary.display().to_string());
    let mut all = vec!["reconcile"];
    all.extend(inputs);
    all.extend(args);
    all.extend(["-q", "--fail-on", "never", "-o", &book_arg]);
    all.extend(["--summary", &summary_arg]);
    run(&repo(), &all).expect_code(0);
    let summary = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
    let names = wb.sheet_names().to_vec();
    let range = wb.worksheet_range(NAME).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "the title is in A1");
    let sheet = range.rows().map(|r| r.to_vec()).collect();
    Outputs {
        sheet,
        summary,
        sheet_xml: part(&book, "xl/worksheets/sheet2.xml"),
        workbook_xml: part(&book, "xl/workbook.xml"),
        names,
    }
}

fn part(book: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// An amount cell in cents; `None` for a blank cell.
fn cents(c: &Data) -> Option<i64> {
    match c {
        Data::Float(f) => Some((f * 100.0).round() as i64),
        Data::Int(i) => Some(i * 100),
        Data::Empty => None,
        other => panic!("not an amount: {other:?}"),
    }
}

/// A summary amount (`"80000.00"`) in cents.
fn json_cents(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"));
    let (units, frac) = s.split_once('.').unwrap();
    let sign = if units.starts_with('-') { -1 } else { 1 };
    units.parse::<i64>().unwrap() * 100 + sign * frac.parse::<i64>().unwrap()
}

impl Outputs {
    /// The row whose first cell starts with `start`.
    fn find(&self, start: &str) -> usize {
        self.sheet
            .iter()
            .position(|r| text(&r[0]).starts_with(start))
            .unwrap_or_else(|| panic!("no row « {start}… » in {NAME}"))
    }

    /// The rows of the table under heading `start`, after its header, total included.
    fn table(&self, start: &str) -> &[Vec<Data>] {
        let first = self.find(start) + 2;
        let total = (first..self.sheet.len())
            .find(|&r| text(&self.sheet[r][0]) == "Total")
            .expect("a total row");
        &self.sheet[first..=total]
    }

    /// A table's row for a product (or « Total »).
    fn row<'a>(&'a self, table: &'a [Vec<Data>], name: &str) -> &'a [Data] {
        table
            .iter()
            .find(|r| text(&r[0]) == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    }

    /// Σ over a summary product's years of `f`.
    fn product_sum(&self, id: &str, f: impl Fn(&Value) -> i64) -> i64 {
        let product = (self.summary["products"].as_array().unwrap().iter())
            .find(|p| p["id"] == id)
            .unwrap();
        product["years"].as_array().unwrap().iter().map(f).sum()
    }

    /// The labels listed under « Points d'attention pour le délégant ».
    fn points(&self) -> Vec<String> {
        let first = self.find("Points d'attention pour le délégant") + 1;
        let last = self.find("Document établi par chorus-recon");
        (self.sheet[first..last].iter())
            .map(|r| text(&r[0]))
            .filter(|t| !t.is_empty())
            .collect()
    }
}

const PRODUCTS: [(&str, &str); 2] = [("potentiel", "Potentiel"), ("carbure", "CarbuRe")];

#[test]
fn the_figures_are_the_summarys() {
    let out = reconcile(&["fixtures/annee-complete"], &["--as-of", "2021-12-31"]);
    assert_eq!(out.names[..3], ["Synthèse", NAME, "Échéancier"]);
    assert_eq!(
        text(&out.sheet[0][0]),
        "Compte rendu d'exécution au 31/12/2021"
    );
    let t = &out.summary["totals"];
    let execution = out.table("Exécution au 31/12/2021");
    let total = out.row(execution, "Total");
    let keys = [
        "ae_allocated",
        "ae_consumed",
        "cp_allocated",
        "cp_consumed",
        "remaining_to_pay",
    ];
    for (col, key) in (1..).zip(keys) {
        assert_eq!(cents(&total[col]), Some(json_cents(&t[key])), "Total {key}");
    }
    // The fixture has a payment without a product: its row makes the total add up.
    assert!(execution.iter().any(|r| text(&r[0]) == "Non attribué"));
    let ae = out.table("Autorisations d'engagement (AE)");
    let cp = out.table("Crédits de paiement (CP)");
    for (id, name) in PRODUCTS {
        let row = out.row(execution, name);
        let sum = |k: &str| out.product_sum(id, |y| json_cents(&y[k]));
        assert_eq!(cents(&row[1]), Some(sum("ae_planned")), "{name}");
        assert_eq!(cents(&row[2]), Some(sum("ae_consumed")), "{name}");
        assert_eq!(cents(&row[3]), Some(sum("cp_planned")), "{name}");
        assert_eq!(cents(&row[4]), Some(sum("cp_consumed")), "{name}");
        for (table, m) in [(ae, "ae"), (cp, "cp")] {
            let row = out.row(table, name);
            let projection = |k: String| out.product_sum(id, |y| json_cents(&y["projection"][&k]));
            // Every exercice is over: both projections are what was consumed.
            assert_eq!(cents(&row[2]), Some(sum(&format!("{m}_consumed"))));
            assert_eq!(
                cents(&row[5]),
                Some(projection(m.to_string())),
                "{name} {m}"
            );
            assert_eq!(cents(&row[4]), cents(&row[5]), "{name} {m}");
            assert_eq!(cents(&row[6]), Some(projection(format!("unused_{m}"))));
        }
    }
    for (table, m) in [(ae, "ae"), (cp, "cp")] {
        let total = out.row(table, "Total");
        assert_eq!(
            cents(&total[1]),
            Some(json_cents(&t[format!("{m}_allocated")]))
        );
        assert_eq!(
            cents(&total[2]),
            Some(json_cents(&t[format!("{m}_consumed")]))
        );
        let gap = cents(&total[2]).unwrap() - cents(&total[1]).unwrap();
        assert_eq!(cents(&total[3]), Some(gap), "{m}: the gap to the schedule");
    }
}

/// The findings of the summary that the page lists, in its order: those of [`LABELS`]
/// without a justification.
fn expected_points(summary: &Value) -> Vec<&'static str> {
    let findings = summary["findings"].as_array().unwrap();
    LABELS
        .iter()
        .flat_map(|(code, label)| {
            (findings.iter())
                .filter(move |f| f["code"] == *code && f["justification"].is_null())
                .map(move |_| *label)
        })
        .collect()
}

#[test]
fn the_attention_list_holds_what_the_delegant_must_know() {
    let out = reconcile(&["fixtures/annee-complete"], &["--as-of", "2021-12-31"]);
    let expected = expected_points(&out.summary);
    // ECHEANCIER_DEPASSE, 3 EJ_NON_SOLDE, 7 CREDITS_NON_CONSOMMES; not the warnings that
    // are the délégataire's own (RETRAIT_ANTERIEUR, DP_SANS_EJ, PRODUIT_NON_ATTRIBUE…).
    assert_eq!(expected.len(), 11);
    let mut shown: Vec<String> = expected[..9].iter().map(|s| s.to_string()).collect();
    shown.push("… et 2 autres, voir l'onglet Anomalies.".into());
    assert_eq!(out.points(), shown);
    assert_eq!(out.points()[0], "Échéancier dépassé");
    let state = text(&out.sheet[4][0]);
    assert!(
        state.starts_with("Convention terminée le 31/07/2021 ; rapprochement Chorus à vérifier")
            && state.ends_with("11 points d'attention ci-dessous."),
        "{state}"
    );

    // With the délégataire's forecasts, the credits the projection leaves unused come
    // before those already lost; the projections are the summary's.
    let out = reconcile(
        &["fixtures/cloture-2020"],
        &[
            "--as-of",
            "2020-12-31",
            "--previsions",
            "fixtures/previsions/previsions.csv",
        ],
    );
    let expected = expected_points(&out.summary);
    assert_eq!(
        expected[..2],
        ["Crédits susceptibles de rester inemployés"; 2]
    );
    assert_eq!(out.points(), expected);
    let cp = out.table("Crédits de paiement (CP)");
    for (id, name) in PRODUCTS {
        let row = out.row(cp, name);
        let year = |y: &Value| y["year"] == 2020;
        let cp_2020 = out.product_sum(id, |y| {
            if year(y) {
                json_cents(&y["projection"]["cp"])
            } else {
                0
            }
        });
        assert_eq!(cents(&row[4]), Some(cp_2020), "{name}: at the end of 2020");
        let at_end = out.product_sum(id, |y| json_cents(&y["projection"]["cp"]));
        assert_eq!(
            cents(&row[5]),
            Some(at_end),
            "{name}: at the convention's end"
        );
    }
}

#[test]
fn without_forecasts_an_exercice_not_started_has_no_projection() {
    let out = reconcile(&["fixtures/cloture-2020"], &["--as-of", "2020-12-31"]);
    let ae = out.table("Autorisations d'engagement (AE)");
    for name in ["Potentiel", "CarbuRe", "Total"] {
        let row = out.row(ae, name);
        assert!(cents(&row[4]).is_some(), "{name}: 2020 is over");
        assert_eq!(cents(&row[5]), None, "{name}: 2021 has no projection");
    }
    let note = out.find("Échéancier des exercices 2020 à 2020");
    assert!(text(&out.sheet[note][0]).contains("Pas de projection pour 2021"));
}

/// An attribute of the sheet's `<pageSetup>`, or its OOXML default.
fn page_setup<'a>(xml: &'a str, attribute: &str, default: &'a str) -> &'a str {
    let setup = xml
        .split("<pageSetup ")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    setup
        .split(&format!("{attribute}=\""))
        .nth(1)
        .map_or(default, |s| s.split('"').next().unwrap())
}

#[test]
fn it_prints_on_one_a4_page_portrait_for_every_fixture() {
    let runs: [(&[&str], &[&str]); 5] = [
        (&["fixtures/annee-complete"], &["--as-of", "2021-12-31"]),
        (&["fixtures/cloture-2020"], &["--as-of", "2020-12-31"]),
        (&["fixtures/fin-convention"], &["--as-of", "2021-07-31"]),
        (&["fixtures/fin-convention"], &["--as-of", "2021-12-31"]),
        (
            &["fixtures/cloture-2020"],
            &[
                "--as-of",
                "2020-12-31",
                "--previsions",
                "fixtures/previsions/previsions.csv",
            ],
        ),
    ];
    for (inputs, args) in runs {
        let out = reconcile(inputs, args);
        let xml = &out.sheet_xml;
        let run = format!("{inputs:?} {args:?}");
        assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{run}");
        assert_eq!(page_setup(xml, "paperSize", "1"), "9", "{run}: A4");
        assert_eq!(page_setup(xml, "orientation", ""), "portrait", "{run}");
        assert_eq!(page_setup(xml, "fitToWidth", "1"), "1", "{run}");
        assert_eq!(page_setup(xml, "fitToHeight", "1"), "1", "{run}");
        // The print area is the sheet's whole content: A to G, down to its last row.
        let rows = out.sheet.len();
        assert!(
            out.sheet.iter().all(|r| r.len() == 7),
            "{run}: columns A to G"
        );
        let area = format!(
            "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"1\">'{NAME}'!$A$1:$G${rows}</definedName>"
        );
        assert!(out.workbook_xml.contains(&area), "{run}: {area}");
        assert!(
            text(&out.sheet[rows - 1][0]).starts_with("Document établi par chorus-recon"),
            "{run}"
        );
    }
}
