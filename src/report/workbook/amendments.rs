//! « Avenants »: each avenant and every figure it changed (before → after); then the
//! credits made available, tranche by tranche with the cumulative figures and consumption
//! on its date, and the episodes where consumption ran ahead of them. Only when the
//! convention has `[[avenant]]` or `[[mise_a_disposition]]`; placed after « Échéancier ».

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cell::Cell;
use super::table::Table;
use crate::convention::{Amendment, Convention};
use crate::model::Measure;
use crate::reconcile::Totals;
use crate::reconcile::provisions::{Overrun, Tranche};
use crate::report::Context;

const CAPTION: &str = "Avenants de la convention, dans l'ordre des dates, et chaque chiffre \
     qu'ils changent (avant → après) ; puis les crédits mis à disposition par le délégant, \
     tranche par tranche, avec les cumuls et la consommation à leur date, et les périodes où \
     la consommation les a devancés (DEPASSEMENT_MISE_A_DISPOSITION).";

const HEADERS: [&str; 12] = [
    "Date",
    "Nature",
    "Référence",
    "Objet",
    "Avant",
    "Après",
    "AE",
    "CP",
    "AE mises à disposition (cumul)",
    "CP mis à disposition (cumul)",
    "AE consommées (cumul)",
    "CP consommés (cumul)",
];

/// The sheet, or `None` when the convention has neither avenant nor mise à disposition.
pub fn avenants<'a>(ctx: &'a Context) -> Option<Table<'a>> {
    let c = ctx.convention;
    if c.amendments.is_empty() && c.provisions.is_empty() {
        return None;
    }
    let as_of = ctx.run.reconciliation.as_of;
    let mut rows: Vec<Vec<Cell<'a>>> = Vec::new();
    for (k, a) in c.amendments.iter().enumerate() {
        rows.extend(amendment_rows(c, k, a, as_of));
    }
    let timeline = &ctx.run.reconciliation.provisions;
    rows.extend(timeline.tranches.iter().map(|t| tranche_row(t, as_of)));
    rows.extend(timeline.overruns.iter().map(|o| overrun_row(o, as_of)));
    rows.extend(summary_row(c, &ctx.run.reconciliation.totals, as_of));
    Some(
        Table::new("Avenants", CAPTION, &HEADERS, rows.len(), move |i| {
            rows[i].clone()
        })
        .identified_by(2),
    )
}

/// The Synthèse's lines under « CP alloués »: the avenants in force (« Convention modifiée
/// par 1 avenant(s), le dernier du 15/12/2020 (Avenant n° 1) ») and what was made
/// available on `as_of`. Nothing without them.
pub fn synthese_items<'a>(ctx: &Context) -> Vec<(&'static str, Cell<'a>)> {
    let c = ctx.convention;
    let as_of = ctx.run.reconciliation.as_of;
    let mut items = Vec::new();
    let in_force: Vec<&Amendment> = c.amendments.iter().filter(|a| a.date <= as_of).collect();
    if let Some(last) = in_force.last() {
        items.push((
            "Avenants",
            Cell::owned(format!(
                "Convention modifiée par {} avenant(s), le dernier du {} ({})",
                in_force.len(),
                last.date.format("%d/%m/%Y"),
                last.reference
            )),
        ));
    }
    if let Some((ae, cp)) = c.made_available(as_of) {
        items.push(("AE mises à disposition", Cell::Amount(ae)));
        items.push(("CP mis à disposition", Cell::Amount(cp)));
    }
    items
}

/// A row of the figures part: date, nature, reference, object, before, after.
fn change<'a>(
    a: &Amendment,
    nature: &str,
    object: String,
    before: Cell<'a>,
    after: Cell<'a>,
) -> Vec<Cell<'a>> {
    vec![
        Cell::Date(a.date),
        Cell::owned(nature.to_string()),
        Cell::owned(a.reference.clone()),
        Cell::owned(object),
        before,
        after,
    ]
}

/// The rows of avenant `k`: each figure it changed, from the convention amended by the
/// avenants before it to the one amended by it too.
fn amendment_rows<'a>(
    c: &Convention,
    k: usize,
    a: &Amendment,
    as_of: NaiveDate,
) -> Vec<Vec<Cell<'a>>> {
    let (before, after) = (c.amended_by(k), c.amended_by(k + 1));
    let nature = if a.date <= as_of {
        "Avenant"
    } else {
        "Avenant (pas encore en vigueur)"
    };
    let mut rows = Vec::new();
    if before.end != after.end {
        let object = if after.end < before.end {
            "Fin de la convention (résiliation anticipée)"
        } else {
            "Fin de la convention"
        };
        rows.push(change(
            a,
            nature,
            object.into(),
            Cell::Date(before.end),
            Cell::Date(after.end),
        ));
    }
    rows.extend(schedule_changes(c, a, nature, &before));
    for (label, was, now) in [
        ("AE allouées", before.ae_allocated(), after.ae_allocated()),
        ("CP alloués", before.cp_allocated(), after.cp_allocated()),
    ] {
        if was != now {
            rows.push(change(
                a,
                nature,
                label.into(),
                Cell::Amount(was),
                Cell::Amount(now),
            ));
        }
    }
    rows.extend(product_changes(c, a, nature));
    if rows.is_empty() {
        rows.push(change(
            a,
            nature,
            "Aucun chiffre changé".into(),
            Cell::Empty,
            Cell::Empty,
        ));
    }
    rows
}

/// The schedule lines avenant `a` changed, AE and CP each a row, from the convention as
/// it stood `before` the avenant.
fn schedule_changes<'a>(
    c: &Convention,
    a: &Amendment,
    nature: &str,
    before: &Convention,
) -> Vec<Vec<Cell<'a>>> {
    let mut rows = Vec::new();
    for s in &a.schedule {
        let name = c.products.get(s.product).map_or("?", |p| p.name.as_str());
        let old = before.planned(s.product, s.year);
        for (label, was, now) in [
            ("AE", old.and_then(|o| o.ae), s.ae),
            ("CP", old.and_then(|o| o.cp), s.cp),
        ] {
            if was != now {
                let object = format!("Échéancier {name} {} : {label}", s.year);
                rows.push(change(
                    a,
                    nature,
                    object,
                    Cell::opt_amount(was),
                    Cell::opt_amount(now),
                ));
            }
        }
    }
    rows
}

/// The products avenant `a` added or replaced, a row each.
fn product_changes<'a>(c: &Convention, a: &Amendment, nature: &str) -> Vec<Vec<Cell<'a>>> {
    let mut rows = Vec::new();
    for (label, products) in [
        ("Produit ajouté", &a.products_added),
        ("Produit remplacé", &a.products_replaced),
    ] {
        for p in products.iter().filter_map(|p| c.products.get(*p)) {
            let name = Cell::owned(format!("{} ({})", p.name, p.id));
            rows.push(change(a, nature, label.into(), Cell::Empty, name));
        }
    }
    rows
}

/// A tranche; one dated after `as_of` is not made available yet (said in its nature).
fn tranche_row<'a>(t: &Tranche, as_of: NaiveDate) -> Vec<Cell<'a>> {
    let nature = if t.date <= as_of {
        "Mise à disposition"
    } else {
        "Mise à disposition (après la date de situation)"
    };
    vec![
        Cell::Date(t.date),
        Cell::text(nature),
        Cell::owned(t.reference.clone()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Amount(t.ae),
        Cell::Amount(t.cp),
        Cell::Amount(t.ae_made_available),
        Cell::Amount(t.cp_made_available),
        Cell::Amount(t.ae_consumed),
        Cell::Amount(t.cp_consumed),
    ]
}

/// An overrun: its first day, its measure, until when, the largest gap in its measure's
/// column, and the cumulative figures of its measure on its first day.
fn overrun_row<'a>(o: &Overrun, as_of: NaiveDate) -> Vec<Cell<'a>> {
    let until = match o.until {
        Some(d) => format!("jusqu'au {} (résorbé)", d.format("%d/%m/%Y")),
        None => format!("non résorbé au {}", as_of.format("%d/%m/%Y")),
    };
    let mut cells = vec![
        Cell::Date(o.from),
        Cell::owned(format!("Dépassement {}", o.measure.label())),
        Cell::owned(o.key()),
        Cell::owned(until),
        Cell::Empty,
        Cell::Empty,
    ];
    let pair = |v: Decimal| match o.measure {
        Measure::Ae => [Cell::Amount(v), Cell::Empty],
        Measure::Cp => [Cell::Empty, Cell::Amount(v)],
    };
    cells.extend(pair(o.amount));
    cells.extend(pair(o.made_available));
    cells.extend(pair(o.consumed));
    cells
}

/// With mises à disposition: the situation on `as_of` (what « Disponible » is measured
/// against).
fn summary_row<'a>(c: &Convention, totals: &Totals, as_of: NaiveDate) -> Option<Vec<Cell<'a>>> {
    let (ae, cp) = c.made_available(as_of)?;
    Some(vec![
        Cell::Date(as_of),
        Cell::text("Situation"),
        Cell::Empty,
        Cell::text("Mis à disposition à la date de situation"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Amount(ae),
        Cell::Amount(cp),
        Cell::Amount(totals.ae_consumed),
        Cell::Amount(totals.cp_consumed),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn shown(cell: &Cell) -> String {
        match cell {
            Cell::Text(t) => t.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Amount(a) => a.normalize().to_string(),
            Cell::Empty => String::new(),
            other => format!("{other:?}"),
        }
    }

    /// The built-in convention, ended early by an avenant of 01/03/2021 (after `as_of`)
    /// that also adds a product and its 2021 schedule line.
    #[test]
    fn an_avenant_shows_each_change_before_and_after() {
        let extra = "\n[[avenant]]\ndate = 2021-03-01\nreference = \"Résiliation\"\nfin = 2021-04-30\n\n[[avenant.echeancier]]\nproduit = \"nouveau\"\nannee = 2021\nae = \"1000.00\"\n\n[[avenant.produit]]\nid = \"nouveau\"\nnom = \"Nouveau\"\n";
        let text = format!("{}{extra}", crate::convention::BUILTIN_TEXT);
        let c = Convention::parse(&text, "c.toml").unwrap();
        let rows = amendment_rows(&c, 0, &c.amendments[0], day(2021, 1, 31));
        let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(shown).collect()).collect();
        let nature = "Avenant (pas encore en vigueur)";
        let expected = [
            [
                "Fin de la convention (résiliation anticipée)",
                "2021-07-31",
                "2021-04-30",
            ],
            ["Échéancier Nouveau 2021 : AE", "", "1000"],
            ["AE allouées", "160000", "161000"],
            ["Produit ajouté", "", "Nouveau (nouveau)"],
        ];
        assert_eq!(rows.len(), expected.len(), "{rows:?}");
        for (row, want) in rows.iter().zip(expected) {
            assert_eq!((row[1].as_str(), row[2].as_str()), (nature, "Résiliation"));
            assert_eq!([&row[3], &row[4], &row[5]], want);
        }
        let tranche = Tranche {
            date: day(2021, 6, 1),
            reference: "MAD".into(),
            ae: dec!(1),
            cp: dec!(2),
            ae_made_available: dec!(1),
            cp_made_available: dec!(2),
            ae_consumed: dec!(0),
            cp_consumed: dec!(0),
        };
        let row = tranche_row(&tranche, day(2021, 1, 31));
        assert_eq!(
            shown(&row[1]),
            "Mise à disposition (après la date de situation)"
        );
        assert_eq!(
            shown(&tranche_row(&tranche, day(2021, 6, 1))[1]),
            "Mise à disposition"
        );
    }
}
