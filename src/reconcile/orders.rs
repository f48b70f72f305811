//! The délégataire's order list (`--commandes`) against Chorus: the in-scope EJ postes,
//! matched with the orders (`matching`), the findings on either side left over or apart
//! in amount, the product each matched order gives its EJ (`attribution`), and the
//! breakdown per marché, nature, supplier, product and year (`breakdown`).

pub mod breakdown;
pub mod matching;

use std::collections::BTreeMap;

use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::findings::{Code, Finding, Target};
use crate::classify::Judged;
use crate::convention::Convention;
use crate::model::Measure;
use crate::model::money::euros;
use crate::tables::orders::{Order, Orders};
pub use breakdown::BreakdownRow;
pub use matching::{Group, How, Matched, Poste, Window};

/// The orders matched with the EJs, as the reports show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReport {
    pub file: String,
    pub orders: Vec<Order>,
    /// The in-scope EJ postes carrying AE, by EJ and poste.
    pub postes: Vec<Poste>,
    pub matched: Matched,
    pub tolerance: Decimal,
    /// `fenetre_jours`: the date window of step 2.
    pub window_days: u32,
    /// In-scope EJs with AE and no order, in EJ order.
    pub unmatched_ejs: Vec<UnmatchedEj>,
    /// Per marché, nature, supplier, product and year (filled after attribution).
    pub breakdown: Vec<BreakdownRow>,
}

/// An in-scope EJ no order matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedEj {
    pub ej: CompactString,
    /// Its postes no order matched (indexes in `postes`), and their amount.
    pub postes: Vec<usize>,
    pub amount: Decimal,
    /// Some other poste of the EJ is matched (by supplier + amount + date, one poste).
    pub partly: bool,
}

impl OrderReport {
    /// Whether a group's difference is beyond the tolerance (`ECART_MONTANT`).
    pub fn gap_beyond(&self, g: &Group) -> bool {
        g.difference().abs() > self.tolerance
    }

    /// The EJs (and postes) of a group: `2100005003 / 1, 2`.
    pub fn postes_text(&self, g: &Group) -> String {
        let mut by_ej: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for &p in &g.postes {
            let poste = &self.postes[p];
            (by_ej.entry(poste.ej.as_str()).or_default()).extend(poste.poste.as_deref());
        }
        let parts: Vec<String> = (by_ej.into_iter())
            .map(|(ej, postes)| match postes.is_empty() {
                true => ej.to_string(),
                false => format!("{ej} / {}", postes.join(", ")),
            })
            .collect();
        parts.join(" ; ")
    }

    /// The numbers of some postes (indexes in `postes`), joined with « , ».
    pub fn poste_numbers(&self, postes: &[usize]) -> String {
        let numbers: Vec<&str> = (postes.iter())
            .map(|&p| self.postes[p].poste.as_deref().unwrap_or("?"))
            .collect();
        numbers.join(", ")
    }

    /// The order numbers of a group, joined with « + ».
    pub fn orders_text(&self, g: &Group) -> String {
        let ids: Vec<&str> = g
            .orders
            .iter()
            .map(|&o| self.orders[o].id.as_str())
            .collect();
        ids.join(" + ")
    }

    /// Per matched EJ: the product its orders give it and the order that says so (the
    /// first product in the convention's order, then the smallest order number).
    pub fn ej_orders(&self) -> FxHashMap<&str, usize> {
        let mut out: FxHashMap<&str, usize> = FxHashMap::default();
        for g in &self.matched.groups {
            for &p in &g.postes {
                for &o in &g.orders {
                    let rank = |i: usize| (self.orders[i].product, self.orders[i].id.as_str());
                    out.entry(self.postes[p].ej.as_str())
                        .and_modify(|e| {
                            if rank(o) < rank(*e) {
                                *e = o;
                            }
                        })
                        .or_insert(o);
                }
            }
        }
        out
    }

    /// Per matched EJ: (the order that attributes it, its product), as `ej_orders`.
    pub fn ej_products(&self) -> FxHashMap<String, (usize, usize)> {
        (self.ej_orders().into_iter())
            .map(|(ej, o)| (ej.to_string(), (o, self.orders[o].product)))
            .collect()
    }
}

/// Gives each in-scope line its product (`aggregate::attribute`), after matching the
/// orders, when the run has some (their products attribute their EJs); then the breakdown.
pub(super) fn attribute(
    convention: &Convention,
    lines: Vec<Judged>,
    orders: Option<&Orders>,
) -> (Vec<super::ScopedLine>, Option<OrderReport>) {
    let mut matched = orders.map(|o| report(o, convention, &lines));
    let ej_orders = (matched.as_ref()).map_or_else(Default::default, |r| r.ej_products());
    let lines = super::aggregate::attribute(convention, lines, &ej_orders);
    if let Some(r) = &mut matched {
        r.breakdown = breakdown::breakdown(r, &lines);
    }
    (lines, matched)
}

/// Matches the orders with the in-scope lines (deduplicated, not yet attributed).
pub fn report(orders: &Orders, convention: &Convention, lines: &[Judged]) -> OrderReport {
    let postes = postes(lines);
    let window = Window {
        tolerance: convention.matching.tolerance,
        days: convention.matching.window_days,
    };
    let matched = matching::match_orders(&orders.orders, &postes, window);
    // Every poste no order matched, by EJ: a poste left beside a matched one is listed too.
    let mut unmatched: BTreeMap<&str, UnmatchedEj> = BTreeMap::new();
    for (i, p) in postes.iter().enumerate() {
        let e = unmatched
            .entry(p.ej.as_str())
            .or_insert_with(|| UnmatchedEj {
                ej: p.ej.clone(),
                postes: Vec::new(),
                amount: Decimal::ZERO,
                partly: false,
            });
        match matched.group_of_poste[i] {
            Some(_) => e.partly = true,
            None => {
                e.postes.push(i);
                e.amount += p.amount;
            }
        }
    }
    unmatched.retain(|_, e| !e.postes.is_empty());
    let unmatched_ejs = unmatched.into_values().collect();
    OrderReport {
        file: orders.file.clone(),
        orders: orders.orders.clone(),
        postes,
        matched,
        tolerance: window.tolerance,
        window_days: window.days,
        unmatched_ejs,
        breakdown: Vec::new(),
    }
}

/// The EJ postes of the AE lines, by EJ and poste: amounts summed, the earliest date
/// (the EJ's replication date, else the line's), the first supplier and SIRET given.
fn postes(lines: &[Judged]) -> Vec<Poste> {
    let mut by_key: BTreeMap<(&str, Option<&str>), Poste> = BTreeMap::new();
    for (i, j) in lines.iter().enumerate() {
        let l = &j.line;
        let (Measure::Ae, Some(ej)) = (l.measure, l.ej.as_deref()) else {
            continue;
        };
        let p = by_key
            .entry((ej, l.poste_ej.as_deref()))
            .or_insert_with(|| Poste {
                ej: ej.into(),
                poste: l.poste_ej.clone(),
                amount: Decimal::ZERO,
                date: None,
                supplier: None,
                siret: None,
                first_line: i,
            });
        p.amount += l.amount;
        let date = l.date_ej.or(l.date);
        p.date = match (p.date, date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if p.supplier.is_none() {
            p.supplier = l.fournisseur.clone();
        }
        if p.siret.is_none() {
            p.siret = l.siret.clone();
        }
    }
    by_key.into_values().collect()
}

/// `COMMANDE_SANS_EJ` per order left, `ECART_MONTANT` per group apart beyond the
/// tolerance, `EJ_SANS_COMMANDE` per EJ left (on its first line, among `lines`).
pub fn findings(r: &OrderReport, lines: &[super::ScopedLine]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (o, order) in r.orders.iter().enumerate() {
        if r.matched.group_of_order[o].is_none() {
            out.push(order_without_ej(r, order));
        }
    }
    for g in &r.matched.groups {
        if r.gap_beyond(g) {
            out.push(amount_gap(r, g));
        }
    }
    for e in &r.unmatched_ejs {
        let first = r.postes[e.postes[0]].first_line;
        let supplier = r.postes[e.postes[0]].supplier.as_deref().unwrap_or("?");
        out.push(Finding {
            ej: Some(e.ej.to_string()),
            amount: Some(e.amount),
            target: Some(Target::Line(first)),
            origin: lines.get(first).map(|l| l.judged.line.origin),
            key: format!("{}:ej={}", Code::EjSansCommande.as_str(), e.ej),
            ..Finding::new(
                Code::EjSansCommande,
                match e.partly {
                    false => format!(
                        "EJ {} ({supplier}, {}) : aucune commande de la liste ne s'y rapproche. Ajoutez sa commande à la liste (avec son n° d'EJ), ou vérifiez qu'il relève bien de la convention.",
                        e.ej,
                        euros(e.amount)
                    ),
                    true => format!(
                        "EJ {} ({supplier}) : poste(s) {} ({}) qu'aucune commande ne couvre, alors qu'un autre poste est rapproché. Ajoutez leur commande à la liste (avec le n° d'EJ, qui rapproche tous ses postes).",
                        e.ej,
                        r.poste_numbers(&e.postes),
                        euros(e.amount)
                    ),
                },
            )
        });
    }
    out
}

fn order_without_ej(r: &OrderReport, order: &Order) -> Finding {
    let named = match &order.ej {
        Some(ej) => format!("l'EJ {ej} qu'elle nomme n'a aucun poste d'AE dans le périmètre, et "),
        None => String::new(),
    };
    Finding {
        amount: Some(order.amount),
        product: Some(order.product),
        key: format!("{}:commande={}", Code::CommandeSansEj.as_str(), order.id),
        ..Finding::new(
            Code::CommandeSansEj,
            format!(
                "Commande {} ({}, {} du {}, ligne {} de {}) : {named}aucun EJ libre du même fournisseur à {} près dans les {} jours. Donnez son n° d'EJ dans la liste, ou vérifiez qu'elle a bien été engagée dans Chorus.",
                order.id,
                order.supplier,
                euros(order.amount),
                order.date.format("%d/%m/%Y"),
                order.row,
                r.file,
                euros(r.tolerance),
                r.window_days,
            ),
        )
    }
}

fn amount_gap(r: &OrderReport, g: &Group) -> Finding {
    let ids: Vec<&str> = g.orders.iter().map(|&o| r.orders[o].id.as_str()).collect();
    Finding {
        amount: Some(g.difference()),
        ej: g.postes.first().map(|&p| r.postes[p].ej.to_string()),
        product: g.orders.first().map(|&o| r.orders[o].product),
        key: format!("{}:commande={}", Code::EcartMontant.as_str(), ids.join("+")),
        ..Finding::new(
            Code::EcartMontant,
            format!(
                "Commande {} ({}) : {} commandés pour {} engagés dans Chorus (EJ {}), écart {} au-delà de la tolérance de {}. Vérifiez le montant de la commande ou de l'EJ.",
                ids.join(" + "),
                g.how.label(),
                euros(g.ordered),
                euros(g.chorus),
                r.postes_text(g),
                euros(g.difference()),
                euros(r.tolerance),
            ),
        )
    }
}

#[cfg(test)]
#[path = "orders_tests.rs"]
mod tests;
