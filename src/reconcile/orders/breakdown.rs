//! Consumption per marché, nature (annexe 2 lot), supplier, product and year (issue 16
//! part 3): what was ordered, the AE of the EJs the orders matched and the CP paid on
//! them, each filed under the marché and nature of its EJ's order (the one that gave the
//! EJ its product); every other in-scope line under « (sans commande) », so the AE and CP
//! columns add up to the Chorus totals.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use rust_decimal::Decimal;

use super::OrderReport;
use crate::reconcile::ScopedLine;
use crate::tables::orders::Order;

/// The marché of the lines no order matched.
pub const WITHOUT_ORDER: &str = "(sans commande)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakdownRow {
    /// The « (sans commande) » rows, after the others.
    pub without_order: bool,
    pub market: String,
    pub nature: String,
    pub supplier: String,
    pub product: Option<usize>,
    pub year: i32,
    /// Σ of its orders.
    pub ordered: Decimal,
    pub ae: Decimal,
    pub cp: Decimal,
    /// Its order numbers and EJs, sorted.
    pub orders: Vec<String>,
    pub ejs: Vec<String>,
}

type Key = (bool, usize, String, String, String, i32);

#[derive(Default)]
struct Sums {
    ordered: Decimal,
    ae: Decimal,
    cp: Decimal,
    orders: BTreeSet<String>,
    ejs: BTreeSet<String>,
}

/// The breakdown of the matched orders and the attributed lines.
pub fn breakdown(r: &OrderReport, lines: &[ScopedLine]) -> Vec<BreakdownRow> {
    let ej_orders = r.ej_orders();
    let mut rows: BTreeMap<Key, Sums> = BTreeMap::new();
    for (o, order) in r.orders.iter().enumerate() {
        let key = order_key(r, o, Some(order.product), order.date.year());
        let s = rows.entry(key).or_default();
        s.ordered += order.amount;
        s.orders.insert(order.id.clone());
    }
    for l in lines {
        let line = &l.judged.line;
        let order = line.ej.as_deref().and_then(|ej| ej_orders.get(ej));
        let key = match order {
            Some(&o) => order_key(r, o, l.product, line.year),
            None => (
                true,
                l.product.unwrap_or(usize::MAX),
                WITHOUT_ORDER.to_string(),
                String::new(),
                line.fournisseur.as_deref().unwrap_or_default().to_string(),
                line.year,
            ),
        };
        let s = rows.entry(key).or_default();
        s.ae += line.ae();
        s.cp += line.cp();
        s.ejs.extend(line.ej.as_deref().map(str::to_string));
    }
    rows.into_iter().map(row).collect()
}

fn row(((without_order, product, market, nature, supplier, year), s): (Key, Sums)) -> BreakdownRow {
    BreakdownRow {
        without_order,
        market,
        nature,
        supplier,
        product: (product != usize::MAX).then_some(product),
        year,
        ordered: s.ordered,
        ae: s.ae,
        cp: s.cp,
        orders: s.orders.into_iter().collect(),
        ejs: s.ejs.into_iter().collect(),
    }
}

/// An order's row: its marché and nature, the supplier as Chorus names it when matched.
fn order_key(r: &OrderReport, o: usize, product: Option<usize>, year: i32) -> Key {
    let order: &Order = &r.orders[o];
    let chorus_name = (r.matched.group_of_order[o])
        .and_then(|g| r.matched.groups[g].postes.first())
        .and_then(|&p| r.postes[p].supplier.as_deref());
    (
        false,
        product.unwrap_or(usize::MAX),
        order.market.clone(),
        order.nature.clone(),
        chorus_name.unwrap_or(&order.supplier).to_string(),
        year,
    )
}
