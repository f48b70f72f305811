//! Matching the délégataire's orders with the in-scope EJ postes. Pure and deterministic:
//! the result depends on the contents of both sides, never on their order.
//!
//! 1. **By EJ number**: an order naming an EJ matches every poste of that EJ (1:N); the
//!    orders naming the same EJ share it (N:1). One group per EJ; its difference is
//!    Σ orders − Σ postes.
//! 2. **By supplier + amount + date**, for the other orders (no EJ, or an EJ no in-scope
//!    line carries): among the postes step 1 left, same SIRET (or the same folded supplier
//!    name when either side lacks a SIRET), |amount gap| ≤ tolerance, |date gap| ≤ the
//!    window (the poste's date: its EJ's replication date, else its first line's). Every
//!    candidate pair is ranked by amount gap, date gap, EJ, poste, then order number, and
//!    taken greedily when both sides are still free: one order, one poste.
//!
//! Cost: postes indexed by SIRET and by folded name, each sorted by amount; an order looks
//! at the postes within the tolerance only (binary search), so O((n + m) log m) plus the
//! candidates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::model::code::fold;
use crate::tables::orders::Order;

/// An EJ poste of the scope, its AE lines summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poste {
    pub ej: CompactString,
    pub poste: Option<CompactString>,
    /// Σ of its AE lines.
    pub amount: Decimal,
    pub date: Option<NaiveDate>,
    pub supplier: Option<CompactString>,
    pub siret: Option<CompactString>,
    /// Index (in the reconciliation's lines) of its first AE line.
    pub first_line: usize,
}

/// How a group was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum How {
    EjNumber,
    SupplierAmountDate,
}

impl How {
    pub fn label(self) -> &'static str {
        match self {
            How::EjNumber => "n° d'EJ",
            How::SupplierAmountDate => "fournisseur + montant + date",
        }
    }
}

/// Orders and postes matched together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub how: How,
    /// Indexes in the order list, in file order.
    pub orders: Vec<usize>,
    /// Indexes in the postes, in EJ and poste order.
    pub postes: Vec<usize>,
    pub ordered: Decimal,
    pub chorus: Decimal,
}

impl Group {
    /// Σ orders − Σ postes.
    pub fn difference(&self) -> Decimal {
        self.ordered - self.chorus
    }
}

/// Both sides and how they met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matched {
    /// By EJ number first (in EJ order), then by supplier (in EJ and poste order).
    pub groups: Vec<Group>,
    /// Per order: its group.
    pub group_of_order: Vec<Option<usize>>,
    /// Per poste: its group.
    pub group_of_poste: Vec<Option<usize>>,
}

/// The rules of step 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub tolerance: Decimal,
    pub days: u32,
}

/// Matches the orders with the postes (sorted by EJ and poste).
pub fn match_orders(orders: &[Order], postes: &[Poste], window: Window) -> Matched {
    let mut m = Matched {
        groups: Vec::new(),
        group_of_order: vec![None; orders.len()],
        group_of_poste: vec![None; postes.len()],
    };
    by_ej_number(orders, postes, &mut m);
    by_supplier(orders, postes, window, &mut m);
    m
}

fn by_ej_number(orders: &[Order], postes: &[Poste], m: &mut Matched) {
    let mut postes_of: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, p) in postes.iter().enumerate() {
        postes_of.entry(p.ej.as_str()).or_default().push(i);
    }
    let mut orders_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, o) in orders.iter().enumerate() {
        if let Some(ej) = o.ej.as_deref().filter(|ej| postes_of.contains_key(ej)) {
            orders_of.entry(ej).or_default().push(i);
        }
    }
    for (ej, group_orders) in orders_of {
        let group_postes = postes_of.remove(ej).unwrap_or_default();
        push_group(m, orders, postes, How::EjNumber, group_orders, group_postes);
    }
}

fn push_group(
    m: &mut Matched,
    orders: &[Order],
    postes: &[Poste],
    how: How,
    group_orders: Vec<usize>,
    group_postes: Vec<usize>,
) {
    let g = m.groups.len();
    for &o in &group_orders {
        m.group_of_order[o] = Some(g);
    }
    for &p in &group_postes {
        m.group_of_poste[p] = Some(g);
    }
    m.groups.push(Group {
        how,
        ordered: group_orders.iter().map(|&o| orders[o].amount).sum(),
        chorus: group_postes.iter().map(|&p| postes[p].amount).sum(),
        orders: group_orders,
        postes: group_postes,
    });
}

/// A possible (order, poste) pair of step 2, ranked by what its fields say.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate<'a> {
    amount_gap: Decimal,
    date_gap: i64,
    ej: &'a str,
    poste: Option<&'a str>,
    order_id: &'a str,
    order: usize,
    poste_index: usize,
}

/// The free postes of step 2, indexed by SIRET and by folded supplier name, each list
/// sorted by amount.
struct Index {
    by_siret: FxHashMap<CompactString, Vec<(Decimal, usize)>>,
    by_name: FxHashMap<String, Vec<(Decimal, usize)>>,
}

impl Index {
    fn new(postes: &[Poste], m: &Matched) -> Index {
        let mut index = Index {
            by_siret: FxHashMap::default(),
            by_name: FxHashMap::default(),
        };
        for (i, p) in postes.iter().enumerate() {
            if m.group_of_poste[i].is_some() {
                continue;
            }
            if let Some(s) = &p.siret {
                index
                    .by_siret
                    .entry(s.clone())
                    .or_default()
                    .push((p.amount, i));
            }
            if let Some(name) = &p.supplier {
                index
                    .by_name
                    .entry(fold(name))
                    .or_default()
                    .push((p.amount, i));
            }
        }
        for list in index
            .by_siret
            .values_mut()
            .chain(index.by_name.values_mut())
        {
            list.sort_unstable();
        }
        index
    }
}

/// The entries of a list sorted by amount within `tolerance` of `amount`.
fn within(list: &[(Decimal, usize)], amount: Decimal, tolerance: Decimal) -> &[(Decimal, usize)] {
    let start = list.partition_point(|(a, _)| *a < amount - tolerance);
    let end = list.partition_point(|(a, _)| *a <= amount + tolerance);
    &list[start..end]
}

fn by_supplier(orders: &[Order], postes: &[Poste], window: Window, m: &mut Matched) {
    let index = Index::new(postes, m);
    let mut candidates = Vec::new();
    for (o, order) in orders.iter().enumerate() {
        if m.group_of_order[o].is_some() {
            continue;
        }
        let by_siret = (order.siret.as_deref())
            .and_then(|s| index.by_siret.get(s))
            .map_or(&[][..], |l| within(l, order.amount, window.tolerance));
        let by_name = (index.by_name.get(&fold(&order.supplier)))
            .map_or(&[][..], |l| within(l, order.amount, window.tolerance));
        // By name only when a side lacks the SIRET (else the SIRETs decide).
        let named = by_name
            .iter()
            .filter(|(_, p)| order.siret.is_none() || postes[*p].siret.is_none());
        for &(_, p) in by_siret.iter().chain(named) {
            if let Some(c) = candidate(o, order, p, &postes[p], window) {
                candidates.push(c);
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup_by_key(|c| (c.order, c.poste_index));
    let mut taken = Vec::new();
    let mut poste_taken = vec![false; postes.len()];
    let mut order_taken = vec![false; orders.len()];
    for c in candidates {
        if !order_taken[c.order] && !poste_taken[c.poste_index] {
            order_taken[c.order] = true;
            poste_taken[c.poste_index] = true;
            taken.push((c.poste_index, c.order));
        }
    }
    taken.sort_unstable();
    for (p, o) in taken {
        push_group(m, orders, postes, How::SupplierAmountDate, vec![o], vec![p]);
    }
}

fn candidate<'a>(
    o: usize,
    order: &'a Order,
    p: usize,
    poste: &'a Poste,
    window: Window,
) -> Option<Candidate<'a>> {
    let date_gap = (order.date - poste.date?).num_days().abs();
    (date_gap <= i64::from(window.days)).then(|| Candidate {
        amount_gap: (order.amount - poste.amount).abs(),
        date_gap,
        ej: &poste.ej,
        poste: poste.poste.as_deref(),
        order_id: &order.id,
        order: o,
        poste_index: p,
    })
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
