//! Sums: product attribution with EJ propagation, totals, per product and year, per month,
//! per EJ. Decimal all the way; groups in sorted maps so the order is fixed.

use std::collections::BTreeMap;

use compact_str::CompactString;
use rustc_hash::FxHashMap;

use chrono::Datelike;
use rust_decimal::Decimal;

use super::{Attribution, ScopedLine, Totals};
use crate::classify::Judged;
use crate::convention::Convention;
use crate::model::Measure;

/// Gives each in-scope line its product, the strongest rule first: the convention's EJ
/// list; a matched order (`--commandes`, `ej_orders`: per EJ, the order's index and
/// product); the line's own keywords or axes; else the product another line of the same
/// EJ was attributed by its own rules (payments follow their commitment). When an EJ's
/// lines point to several products, the first in the convention's order wins, so the
/// attribution never depends on the order of rows or inputs.
pub(super) fn attribute(
    convention: &Convention,
    lines: Vec<Judged>,
    ej_orders: &FxHashMap<String, (usize, usize)>,
) -> Vec<ScopedLine> {
    let mut by_ej: FxHashMap<&str, usize> = FxHashMap::default();
    for j in &lines {
        if let (Some(ej), Some(p)) = (j.line.ej.as_deref(), j.own_product) {
            by_ej
                .entry(ej)
                .and_modify(|e| *e = (*e).min(p))
                .or_insert(p);
        }
    }
    let chosen: Vec<(Option<usize>, Attribution)> = lines
        .iter()
        .map(|j| {
            let ej = j.line.ej.as_deref();
            if let Some(p) = ej.and_then(|ej| convention.product_of_ej(ej)) {
                return (Some(p), Attribution::EjList);
            }
            if let Some(&(order, p)) =
                (ej.filter(|_| !ej_orders.is_empty())).and_then(|ej| ej_orders.get(ej))
            {
                return (Some(p), Attribution::Order(order));
            }
            if j.own_product.is_some() {
                return (j.own_product, Attribution::Rule);
            }
            match ej.and_then(|ej| by_ej.get(ej).copied()) {
                Some(p) => (Some(p), Attribution::SameEj),
                None => (None, Attribution::Unattributed),
            }
        })
        .collect();
    lines
        .into_iter()
        .zip(chosen)
        .map(|(judged, (product, rule))| ScopedLine {
            judged,
            product,
            rule,
        })
        .collect()
}

/// The year each EJ was created: its replication date, else its first positive AE line.
pub(super) fn ej_first_years(lines: &[ScopedLine]) -> FxHashMap<&str, i32> {
    let mut years: FxHashMap<&str, i32> = FxHashMap::default();
    for l in lines {
        let line = &l.judged.line;
        let (Some(ej), true) = (line.ej.as_deref(), line.measure == Measure::Ae) else {
            continue;
        };
        let year = match line.date_ej {
            Some(d) => Some(d.year()),
            None if line.amount > Decimal::ZERO => Some(line.year),
            None => None,
        };
        if let Some(y) = year {
            years
                .entry(ej)
                .and_modify(|e| *e = (*e).min(y))
                .or_insert(y);
        }
    }
    years
}

/// AE withdrawn (negative AE) on EJs created in an earlier year than the withdrawal.
fn earlier_year_withdrawals(lines: &[ScopedLine]) -> Decimal {
    let created = ej_first_years(lines);
    lines
        .iter()
        .map(|l| &l.judged.line)
        .filter(|line| line.measure == Measure::Ae && line.amount < Decimal::ZERO)
        .filter(|line| {
            line.ej
                .as_deref()
                .and_then(|ej| created.get(ej))
                .is_some_and(|y| *y < line.year)
        })
        .map(|line| -line.amount)
        .sum()
}

pub(super) fn totals(convention: &Convention, lines: &[ScopedLine]) -> Totals {
    let mut t = Totals {
        ae_allocated: convention.ae_allocated(),
        cp_allocated: convention.cp_allocated(),
        earlier_year_withdrawals: earlier_year_withdrawals(lines),
        ..Totals::default()
    };
    for l in lines {
        t.ae_consumed += l.judged.line.ae();
        t.cp_consumed += l.judged.line.cp();
    }
    t
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    pub ae_planned: Option<Decimal>,
    pub ae_consumed: Decimal,
    pub cp_planned: Option<Decimal>,
    pub cp_consumed: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductYears {
    pub product: usize,
    /// Every year with a planned or a consumed amount, in order.
    pub years: Vec<YearFigures>,
}

pub(super) fn product_years(convention: &Convention, lines: &[ScopedLine]) -> Vec<ProductYears> {
    let mut consumed: BTreeMap<(usize, i32), (Decimal, Decimal)> = BTreeMap::new();
    for l in lines {
        if let Some(p) = l.product {
            let e = consumed.entry((p, l.judged.line.year)).or_default();
            e.0 += l.judged.line.ae();
            e.1 += l.judged.line.cp();
        }
    }
    (0..convention.products.len())
        .map(|product| {
            let mut years: Vec<i32> = convention
                .schedule
                .iter()
                .filter(|s| s.product == product)
                .map(|s| s.year)
                .chain(
                    consumed
                        .keys()
                        .filter(|(p, _)| *p == product)
                        .map(|(_, y)| *y),
                )
                .collect();
            years.sort_unstable();
            years.dedup();
            let years = years
                .into_iter()
                .map(|year| {
                    let planned = convention.planned(product, year);
                    let (ae, cp) = consumed.get(&(product, year)).copied().unwrap_or_default();
                    YearFigures {
                        year,
                        ae_planned: planned.and_then(|s| s.ae),
                        ae_consumed: ae,
                        cp_planned: planned.and_then(|s| s.cp),
                        cp_consumed: cp,
                    }
                })
                .collect();
            ProductYears { product, years }
        })
        .collect()
}

/// One month of one product (`None`: lines attributed to no product). Month 0 gathers the
/// lines of a year that carry no date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    pub product: Option<usize>,
    pub year: i32,
    pub month: u32,
    pub ae: Decimal,
    pub cp: Decimal,
    pub ae_cumulative: Decimal,
    pub cp_cumulative: Decimal,
}

pub(super) fn months(lines: &[ScopedLine]) -> Vec<MonthRow> {
    // `None` sorts first; the report puts unattributed lines where it wants.
    let mut sums: BTreeMap<(Option<usize>, i32, u32), (Decimal, Decimal)> = BTreeMap::new();
    for l in lines {
        let line = &l.judged.line;
        let (year, month) = match line.date {
            Some(d) if d.year() == line.year => (d.year(), d.month()),
            _ => (line.year, 0),
        };
        let e = sums.entry((l.product, year, month)).or_default();
        e.0 += line.ae();
        e.1 += line.cp();
    }
    let mut rows = Vec::with_capacity(sums.len());
    let mut running: (Option<Option<usize>>, Decimal, Decimal) =
        (None, Decimal::ZERO, Decimal::ZERO);
    for ((product, year, month), (ae, cp)) in sums {
        if running.0 != Some(product) {
            running = (Some(product), Decimal::ZERO, Decimal::ZERO);
        }
        running.1 += ae;
        running.2 += cp;
        rows.push(MonthRow {
            product,
            year,
            month,
            ae,
            cp,
            ae_cumulative: running.1,
            cp_cumulative: running.2,
        });
    }
    rows
}

/// One EJ: what it committed (net of withdrawals), what was paid, what remains to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub ej: CompactString,
    pub product: Option<usize>,
    pub supplier: Option<CompactString>,
    pub ae_net: Decimal,
    /// Open commitments of earlier years carried in (« bascule »), counted only when the
    /// inputs do not hold the EJ's earlier-year AE themselves (else they would count twice).
    pub carried: Decimal,
    pub cp: Decimal,
    /// AE net + carried − CP (may be negative: `CP_SUPERIEUR_AE`).
    pub remaining: Decimal,
    pub lines: usize,
    /// Index of its first line in `Reconciliation::lines`.
    pub first_line: usize,
    /// Whether the inputs hold its AE: an AE line, or a known carry-over.
    pub has_ae: bool,
    /// Its latest movement (committed or paid).
    pub last_movement: Option<chrono::NaiveDate>,
    supplier_from_ae: bool,
}

/// Per commitment, while its lines are summed: the first year of its AE lines, and the
/// bascule carried into the earliest year that carries one.
type Years = (Option<i32>, Option<(i32, Decimal)>);

pub(super) fn commitments(lines: &[ScopedLine]) -> Vec<Commitment> {
    // One pass over the lines (they are boxed: each pass costs its cache misses).
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut list: Vec<Commitment> = Vec::new();
    let mut years: Vec<Years> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(ej) = l.judged.line.ej.as_deref() else {
            continue;
        };
        let at = *index.entry(ej).or_insert_with(|| {
            list.push(Commitment::new(ej, i));
            years.push((None, None));
            list.len() - 1
        });
        list[at].add(l, &mut years[at]);
    }
    for (c, (first_ae, carried)) in list.iter_mut().zip(years) {
        if let Some((year, amount)) = carried {
            // The bascule counts unless the inputs hold the EJ's AE of an earlier year.
            if first_ae.is_none_or(|y| y >= year) {
                c.carried = amount;
            }
        }
        c.remaining = c.ae_net + c.carried - c.cp;
    }
    // EJ numbers are distinct: the order is the same whatever the order of the map.
    list.sort_unstable_by(|a, b| a.ej.cmp(&b.ej));
    list
}

impl Commitment {
    /// An EJ with nothing summed yet, first seen at line `first_line`.
    fn new(ej: &str, first_line: usize) -> Self {
        Commitment {
            ej: ej.into(),
            product: None,
            supplier: None,
            ae_net: Decimal::ZERO,
            carried: Decimal::ZERO,
            cp: Decimal::ZERO,
            remaining: Decimal::ZERO,
            lines: 0,
            first_line,
            has_ae: false,
            last_movement: None,
            supplier_from_ae: false,
        }
    }

    /// Adds one of the EJ's lines: its amount, latest movement, product (the lowest),
    /// supplier (an AE line's first, else the first seen), and its AE years.
    fn add(&mut self, l: &ScopedLine, years: &mut Years) {
        let line = &l.judged.line;
        self.last_movement = self.last_movement.max(line.event_date.or(line.date));
        match line.measure {
            Measure::Ae => {
                self.has_ae = true;
                self.ae_net += line.amount;
                let (first_ae, carried) = years;
                *first_ae = Some(first_ae.map_or(line.year, |y| y.min(line.year)));
                if !line.carried.is_zero() {
                    let e = carried.get_or_insert((line.year, Decimal::ZERO));
                    e.0 = e.0.min(line.year);
                    e.1 += line.carried;
                }
            }
            Measure::Cp => self.cp += line.amount,
        }
        self.product = match (self.product, l.product) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if line.fournisseur.is_some()
            && (self.supplier.is_none() || line.measure == Measure::Ae && !self.supplier_from_ae)
        {
            self.supplier = line.fournisseur.clone();
            self.supplier_from_ae = line.measure == Measure::Ae;
        }
        self.lines += 1;
    }
}
