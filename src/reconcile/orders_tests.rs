use chrono::NaiveDate;
use rust_decimal_macros::dec;

use super::*;
use crate::model::{Line, sample_line};
use crate::reconcile::test_support::input;
use crate::reconcile::{Attribution, Options, Reconciliation, reconcile_with};

fn day(m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2020, m, d)
}

fn ae(ej: &str, amount: Decimal, texte: Option<&str>) -> Line {
    Line {
        ej: Some(ej.into()),
        amount,
        texte: texte.map(Into::into),
        date_ej: day(5, 1),
        fournisseur: Some("ACME SA".into()),
        siret: Some("12345678901234".into()),
        ..sample_line()
    }
}

fn cp(ej: &str, amount: Decimal) -> Line {
    Line {
        measure: Measure::Cp,
        dp: Some("100000001".into()),
        texte: None,
        ..ae(ej, amount, None)
    }
}

fn order(id: &str, ej: Option<&str>, product: usize, amount: Decimal) -> Order {
    Order {
        id: id.into(),
        ej: ej.map(Into::into),
        market: "Coaching".into(),
        nature: "coaching".into(),
        product,
        supplier: "Acme SA".into(),
        siret: Some("12345678901234".into()),
        amount,
        date: day(5, 10).unwrap(),
        row: 2,
    }
}

/// A: Potentiel by keyword, ordered for CarbuRe by its number; B: no product, matched by
/// supplier within the tolerance; C: no order; BC-3: no EJ at 999.
fn run(convention: &Convention) -> Reconciliation {
    let lines = vec![
        ae("2100000001", dec!(1000), Some("Potentiel")),
        cp("2100000001", dec!(400)),
        ae("2100000002", dec!(500), None),
        ae("2100000003", dec!(200), Some("Potentiel")),
    ];
    let orders = Orders {
        file: "commandes.csv".into(),
        orders: vec![
            order("BC-1", Some("2100000001"), 1, dec!(1000)),
            order("BC-2", None, 1, dec!(503)),
            order("BC-3", None, 0, dec!(999)),
        ],
    };
    let options = Options {
        orders: Some(&orders),
        ..Options::default()
    };
    reconcile_with(
        convention,
        vec![input(0, lines)],
        day(11, 30).unwrap(),
        options,
    )
}

fn tolerant() -> Convention {
    let mut c = Convention::builtin();
    c.matching.tolerance = dec!(5);
    c
}

#[test]
fn an_order_attributes_its_ej_over_keywords_and_payments_follow() {
    let rec = run(&tolerant());
    let rules: Vec<(Option<usize>, Attribution)> =
        rec.lines.iter().map(|l| (l.product, l.rule)).collect();
    assert_eq!(
        rules,
        [
            (Some(1), Attribution::Order(0)),
            (Some(1), Attribution::Order(0)),
            (Some(1), Attribution::Order(1)),
            (Some(0), Attribution::Rule),
        ]
    );
    let carbure = &rec.products[1].years[0];
    assert_eq!(
        (carbure.ae_consumed, carbure.cp_consumed),
        (dec!(1500), dec!(400))
    );
}

#[test]
fn the_conventions_ej_list_is_stronger_than_an_order() {
    let mut c = tolerant();
    c.products[0].ej.insert("2100000001".into());
    let rec = run(&c);
    assert_eq!(rec.lines[0].rule, Attribution::EjList);
    assert_eq!(rec.lines[0].product, Some(0));
    assert_eq!(rec.lines[1].rule, Attribution::EjList);
}

#[test]
fn findings_on_either_side_and_beyond_the_tolerance() {
    let keys = |rec: &Reconciliation| -> Vec<String> {
        (rec.findings.iter())
            .filter(|f| {
                matches!(
                    f.code,
                    Code::CommandeSansEj | Code::EjSansCommande | Code::EcartMontant
                )
            })
            .map(|f| f.key.clone())
            .collect()
    };
    let rec = run(&tolerant());
    assert_eq!(
        keys(&rec),
        [
            "EJ_SANS_COMMANDE:ej=2100000003",
            "COMMANDE_SANS_EJ:commande=BC-3"
        ]
    );
    // With no tolerance, BC-2 (503 for 500) matches nothing: one more order and one more
    // EJ left; B stays unattributed.
    let rec = run(&Convention::builtin());
    assert_eq!(
        keys(&rec),
        [
            "EJ_SANS_COMMANDE:ej=2100000002",
            "EJ_SANS_COMMANDE:ej=2100000003",
            "COMMANDE_SANS_EJ:commande=BC-2",
            "COMMANDE_SANS_EJ:commande=BC-3"
        ]
    );
    assert_eq!(rec.lines[2].rule, Attribution::Unattributed);
}

#[test]
fn an_amount_gap_beyond_the_tolerance_is_flagged_and_the_breakdown_adds_up() {
    let mut c = tolerant();
    c.matching.tolerance = dec!(0);
    let lines = vec![
        ae("2100000001", dec!(1000), None),
        ae("2100000001", dec!(-10), None),
    ];
    let orders = Orders {
        file: "c.csv".into(),
        orders: vec![order("BC-1", Some("2100000001"), 0, dec!(1000))],
    };
    let options = Options {
        orders: Some(&orders),
        ..Options::default()
    };
    let rec = reconcile_with(&c, vec![input(0, lines)], day(11, 30).unwrap(), options);
    let gap = rec
        .findings
        .iter()
        .find(|f| f.code == Code::EcartMontant)
        .unwrap();
    assert_eq!(gap.key, "ECART_MONTANT:commande=BC-1");
    assert_eq!(gap.amount, Some(dec!(10)));
    assert!(gap.message.contains("990,00"), "{}", gap.message);
    let r = rec.orders.as_ref().unwrap();
    assert_eq!(r.breakdown.len(), 1);
    assert_eq!(
        (r.breakdown[0].ordered, r.breakdown[0].ae),
        (dec!(1000), dec!(990))
    );
    assert_eq!(
        r.breakdown[0].supplier, "ACME SA",
        "Chorus's name for a matched order"
    );
}

#[test]
fn reversing_the_lines_and_the_orders_changes_no_match() {
    let lines = || {
        vec![
            ae("2100000001", dec!(100), None),
            ae("2100000002", dec!(100), None),
            ae("2100000003", dec!(102), None),
            cp("2100000002", dec!(40)),
        ]
    };
    let orders = || {
        vec![
            order("BC-1", None, 0, dec!(101)),
            order("BC-2", None, 1, dec!(100)),
            order("BC-3", None, 0, dec!(100)),
        ]
    };
    let matches = |mut lines: Vec<Line>, mut list: Vec<Order>, reverse: bool| {
        if reverse {
            lines.reverse();
            list.reverse();
        }
        let orders = Orders {
            file: "c.csv".into(),
            orders: list,
        };
        let options = Options {
            orders: Some(&orders),
            ..Options::default()
        };
        let rec = reconcile_with(
            &tolerant(),
            vec![input(0, lines)],
            day(11, 30).unwrap(),
            options,
        );
        let r = rec.orders.unwrap();
        let mut got: Vec<(String, String, Option<usize>)> = (r.matched.groups.iter())
            .map(|g| {
                let ej = r.postes_text(g);
                let product = (rec.lines.iter())
                    .find(|l| l.judged.line.ej.as_deref() == Some(&ej[..10]))
                    .and_then(|l| l.product);
                (r.orders_text(g), ej, product)
            })
            .collect();
        got.sort();
        got
    };
    let forward = matches(lines(), orders(), false);
    // Gaps: BC-2 and BC-3 both 0 to 2100000001 and 2100000002; BC-2 < BC-3 by number at
    // equal gaps and dates, so BC-2 takes 2100000001, BC-3 2100000002; BC-1 (101) takes
    // what is left, 2100000003 (gap 1).
    assert_eq!(
        forward,
        [
            ("BC-1".into(), "2100000003 / 1".into(), Some(0)),
            ("BC-2".into(), "2100000001 / 1".into(), Some(1)),
            ("BC-3".into(), "2100000002 / 1".into(), Some(0)),
        ]
    );
    assert_eq!(matches(lines(), orders(), true), forward);
}

#[test]
fn a_poste_left_beside_a_matched_one_is_an_ej_without_order() {
    // EJ 2100000009: poste 1 (500) matched by supplier + amount, poste 2 (90) by nothing.
    let lines = vec![
        ae("2100000009", dec!(500), None),
        Line {
            poste_ej: Some("2".into()),
            ..ae("2100000009", dec!(90), None)
        },
    ];
    let orders = Orders {
        file: "commandes.csv".into(),
        orders: vec![order("BC-9", None, 1, dec!(500))],
    };
    let options = Options {
        orders: Some(&orders),
        ..Options::default()
    };
    let rec = reconcile_with(
        &Convention::builtin(),
        vec![input(0, lines)],
        day(11, 30).unwrap(),
        options,
    );
    let left: Vec<&Finding> = (rec.findings.iter())
        .filter(|f| f.code == Code::EjSansCommande)
        .collect();
    assert_eq!(left.len(), 1, "{:#?}", rec.findings);
    assert_eq!(left[0].amount, Some(dec!(90)));
    assert!(
        left[0].message.contains("poste(s) 2"),
        "{}",
        left[0].message
    );
}
