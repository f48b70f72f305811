//! The délégataire's declared report (`--declare`) against Chorus, per product and period.
//!
//! The rules (hand-worked cases below and in `fixtures/declaration-commandes/LISEZMOI.md`):
//!
//! - **Chorus** per product and month is `Reconciliation::months`, the sums the `Mensuel`
//!   sheet shows: in-scope lines after deduplication and attribution (payments follow
//!   their EJ's product), each dated by its own date (an AE line without one by its EJ's
//!   creation); a line undated, or dated outside its exercice, is « sans date » in its
//!   exercice. Lines attributed to no product are not compared (`PRODUIT_NON_ATTRIBUE`
//!   already says them).
//! - **Periods compared**, for every product of the convention: the years the
//!   declaration names; in each, a product-year declared whole (`AAAA`) is compared whole
//!   (every Chorus movement of the year, dated or not); otherwise month by month, every
//!   month from the declaration's first month to its last (all products together), plus
//!   any month of those years with Chorus movements for the product up to `as_of`, plus a
//!   « sans date » row when the product has undated movements that year. A month absent
//!   from the declaration is 0 declared. A product with nothing declared nor in Chorus
//!   over those periods is left out.
//! - **Gap** = declared − Chorus, per measure, exact. Beyond the tolerance (`[rapprochement]
//!   tolerance` of the convention, default 0.00) when `|gap| > tolerance`: then one
//!   `ECART_DECLARATION` per product, period and measure, keyed
//!   `ECART_DECLARATION:produit=<id>|periode=<AAAA-MM | AAAA | AAAA-sans-date>|<AE|CP>`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::aggregate::MonthRow;
use super::findings::{Code, Finding};
use crate::convention::Convention;
use crate::model::money::euros;
use crate::model::{Measure, month_name};
use crate::tables::Period;
use crate::tables::declaration::Declaration;

/// One period compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Span {
    /// A month (1–12) of a year.
    Month(i32, u32),
    /// The Chorus movements of a year without a date in it (declared: 0).
    Undated(i32),
    /// A whole year, declared as such.
    Year(i32),
}

impl Span {
    pub fn year(self) -> i32 {
        match self {
            Span::Month(y, _) | Span::Undated(y) | Span::Year(y) => y,
        }
    }

    /// The period in a finding's key: `2020-04`, `2020`, `2020-sans-date`.
    pub fn key_text(self) -> String {
        match self {
            Span::Month(y, m) => format!("{y}-{m:02}"),
            Span::Undated(y) => format!("{y}-sans-date"),
            Span::Year(y) => y.to_string(),
        }
    }

    /// The period as a person reads it: « avril 2020 », « 2020 », « 2020, sans date ».
    pub fn label(self) -> String {
        match self {
            Span::Month(y, m) => format!("{} {y}", month_name(m.clamp(1, 12))),
            Span::Undated(y) => format!("{y}, sans date"),
            Span::Year(y) => y.to_string(),
        }
    }

    /// Its first day, for a month.
    pub fn first_day(self) -> Option<NaiveDate> {
        match self {
            Span::Month(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
            _ => None,
        }
    }
}

/// AE and CP of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub ae: Decimal,
    pub cp: Decimal,
}

impl Figures {
    pub fn of(&self, measure: Measure) -> Decimal {
        match measure {
            Measure::Ae => self.ae,
            Measure::Cp => self.cp,
        }
    }

    fn add(&mut self, ae: Decimal, cp: Decimal) {
        self.ae += ae;
        self.cp += cp;
    }

    fn is_zero(&self) -> bool {
        self.ae.is_zero() && self.cp.is_zero()
    }
}

/// One product and period: what is declared, what Chorus says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compared {
    pub product: usize,
    pub span: Span,
    pub declared: Figures,
    pub chorus: Figures,
}

impl Compared {
    /// Declared − Chorus.
    pub fn gap(&self, measure: Measure) -> Decimal {
        self.declared.of(measure) - self.chorus.of(measure)
    }

    /// Whether the gap of `measure` is beyond the tolerance (`|gap| > tolerance`).
    pub fn beyond(&self, measure: Measure, tolerance: Decimal) -> bool {
        self.gap(measure).abs() > tolerance
    }
}

/// The comparison of a run (`--declare`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub file: String,
    /// The report's rows for this convention.
    pub rows_read: usize,
    /// Rows for another convention, set aside.
    pub other_convention: usize,
    pub tolerance: Decimal,
    /// By product (convention order), then period (months, « sans date », year).
    pub rows: Vec<Compared>,
}

impl Comparison {
    /// The measures of `row` whose gap is beyond the tolerance.
    pub fn gaps(&self, row: &Compared) -> Vec<Measure> {
        [Measure::Ae, Measure::Cp]
            .into_iter()
            .filter(|&m| row.beyond(m, self.tolerance))
            .collect()
    }

    /// Rows with a gap, none beyond the tolerance.
    pub fn within_tolerance(&self) -> usize {
        (self.rows.iter())
            .filter(|r| !r.gap(Measure::Ae).is_zero() || !r.gap(Measure::Cp).is_zero())
            .filter(|r| self.gaps(r).is_empty())
            .count()
    }
}

/// The finding's key for `row` and `measure`.
pub fn key(convention: &Convention, row: &Compared, measure: Measure) -> String {
    let id = convention
        .products
        .get(row.product)
        .map_or("", |p| p.id.as_str());
    format!(
        "{}:produit={id}|periode={}|{}",
        Code::EcartDeclaration.as_str(),
        row.span.key_text(),
        measure.label()
    )
}

/// Compares the declaration with Chorus's monthly sums (see the module's rules).
pub fn compare(
    convention: &Convention,
    declaration: &Declaration,
    months: &[MonthRow],
    as_of: NaiveDate,
) -> Comparison {
    let mut declared: BTreeMap<(usize, Period), Figures> = BTreeMap::new();
    for d in &declaration.lines {
        declared
            .entry((d.product, d.period))
            .or_default()
            .add(d.ae, d.cp);
    }
    let years: BTreeSet<i32> = declared.keys().map(|(_, p)| p.year).collect();
    let declared_months = (declared.keys()).filter_map(|(_, p)| p.month.map(|m| (p.year, m)));
    let span = declared_months.clone().min().zip(declared_months.max());
    let mut chorus: BTreeMap<(usize, i32, u32), Figures> = BTreeMap::new();
    for m in months {
        if let Some(product) = m.product.filter(|_| years.contains(&m.year)) {
            let e = chorus.entry((product, m.year, m.month)).or_default();
            e.add(m.ae, m.cp);
        }
    }
    let limit = (as_of.year(), as_of.month());
    let mut rows = Vec::new();
    for product in 0..convention.products.len() {
        let mut own = Vec::new();
        for &year in &years {
            let whole = Period { year, month: None };
            let spans = if declared.contains_key(&(product, whole)) {
                vec![Span::Year(year)]
            } else {
                month_spans(product, year, span, &chorus, limit)
            };
            for s in spans {
                own.push(Compared {
                    product,
                    span: s,
                    declared: declared_in(&declared, product, s),
                    chorus: chorus_in(&chorus, product, s),
                });
            }
        }
        if own
            .iter()
            .any(|r| !r.declared.is_zero() || !r.chorus.is_zero())
        {
            rows.extend(own);
        }
    }
    Comparison {
        file: declaration.file.clone(),
        rows_read: declaration.lines.len(),
        other_convention: declaration.other_convention,
        tolerance: convention.matching.tolerance,
        rows,
    }
}

/// The periods of a product-year compared month by month: the declaration's span, the
/// months Chorus moved up to `limit`, then « sans date » when Chorus has undated lines.
fn month_spans(
    product: usize,
    year: i32,
    span: Option<((i32, u32), (i32, u32))>,
    chorus: &BTreeMap<(usize, i32, u32), Figures>,
    limit: (i32, u32),
) -> Vec<Span> {
    let mut set: BTreeSet<u32> = (1..=12)
        .filter(|&m| span.is_some_and(|(first, last)| (first..=last).contains(&(year, m))))
        .collect();
    let moved = chorus.range((product, year, 0)..=(product, year, 12));
    let mut undated = false;
    for (&(_, _, month), figures) in moved {
        if month == 0 {
            undated = !figures.is_zero();
        } else if (year, month) <= limit {
            set.insert(month);
        }
    }
    let mut spans: Vec<Span> = set.into_iter().map(|m| Span::Month(year, m)).collect();
    if undated {
        spans.push(Span::Undated(year));
    }
    spans
}

fn declared_in(declared: &BTreeMap<(usize, Period), Figures>, product: usize, s: Span) -> Figures {
    let period = match s {
        Span::Month(year, m) => Period {
            year,
            month: Some(m),
        },
        Span::Year(year) => Period { year, month: None },
        Span::Undated(_) => return Figures::default(),
    };
    declared
        .get(&(product, period))
        .copied()
        .unwrap_or_default()
}

fn chorus_in(chorus: &BTreeMap<(usize, i32, u32), Figures>, product: usize, s: Span) -> Figures {
    let (year, months) = match s {
        Span::Month(y, m) => (y, m..=m),
        Span::Undated(y) => (y, 0..=0),
        Span::Year(y) => (y, 0..=12),
    };
    let mut sum = Figures::default();
    for (_, f) in chorus.range((product, year, *months.start())..=(product, year, *months.end())) {
        sum.add(f.ae, f.cp);
    }
    sum
}

/// A gap with its sign: « +6 000,00 € », « -4 000,00 € ».
pub fn signed(amount: Decimal) -> String {
    let text = euros(amount);
    if amount > Decimal::ZERO && !text.starts_with("0,00") {
        format!("+{text}")
    } else {
        text
    }
}

/// One `ECART_DECLARATION` per product, period and measure beyond the tolerance, in the
/// comparison's order (AE before CP).
pub fn findings(convention: &Convention, comparison: &Comparison) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in &comparison.rows {
        for measure in comparison.gaps(row) {
            let product = convention.products.get(row.product);
            let name = product.map_or("?", |p| p.name.as_str());
            let gap = row.gap(measure);
            out.push(Finding {
                product: Some(row.product),
                year: Some(row.span.year()),
                measure: Some(measure),
                amount: Some(gap),
                key: key(convention, row, measure),
                ..Finding::new(
                    Code::EcartDeclaration,
                    format!(
                        "{name}, {} : {} déclarés par le délégataire {} (compte rendu « {} »), dans Chorus {} ; écart (déclaré − Chorus) {}, au-delà de la tolérance de {} (section [rapprochement] de la convention). Écart ouvert depuis {}. Rapprochez le compte rendu du délégataire des lignes Chorus de la période (feuille « Déclaré et Chorus ») et demandez-lui de le rectifier, ou justifiez l'écart.",
                        row.span.label(),
                        measure.label(),
                        euros(row.declared.of(measure)),
                        comparison.file,
                        euros(row.chorus.of(measure)),
                        signed(gap),
                        euros(comparison.tolerance),
                        row.span.label(),
                    ),
                )
            });
        }
    }
    out
}

#[cfg(test)]
#[path = "declared_tests.rs"]
mod tests;
