//! The outlook (art. 5 of the convention: forecasts of orders and consumption, and an early
//! warning when credits will not be used): per product and exercice of the convention, the
//! schedule, what is consumed at `--as-of`, what is still expected until the exercice ends
//! (or the convention, if it ends first), the projection and its gap to the schedule.
//!
//! What is expected comes from the délégataire's forecast file (`--previsions`) when there
//! is one, else from the run rate of the exercice. The rules, in months (a day is a
//! fraction of its month, so 30/06 closes the sixth month and 15/06 is month 5.5):
//!
//! - The **span** of an exercice is its part within the convention: from 1 January (or the
//!   convention's start) to 31 December (or the convention's end). What is consumed or
//!   forecast after the convention's end cannot be paid under it and is not projected.
//! - An exercice whose span is over at `--as-of` (closed, or the convention ended) has no
//!   projection but what was consumed (source « réalisé ») : its unused credits are already
//!   `CREDITS_NON_CONSOMMES`.
//! - **With forecasts**: expected = each forecast period's amount × the share of its span
//!   (clipped to the exercice's span) still to come after `--as-of`. A month counts wholly
//!   once `--as-of` is before it, pro rata of its days when `--as-of` falls in it. A whole
//!   year (`AAAA`) counts wholly if its span has not started, pro rata of the months left
//!   otherwise. A period wholly outside the convention counts for nothing.
//! - **Without** (run rate): only for the exercice running at `--as-of` (none for an
//!   exercice not started: no rate to extend). Projected = consumed × span months ÷ months
//!   elapsed, rounded to the cent, never below what is consumed, and bounded by what can
//!   still happen: AE by the year's schedule (or what is consumed, if more); CP by what is
//!   consumed + the product's reste à payer + the year's AE still uncommitted (schedule −
//!   consumed): nothing else can be paid.
//!
//! The consumed figures are `Reconciliation::products`' (one way of adding), the restes à
//! payer `Reconciliation::commitments`'.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::findings::{Code, Finding};
use super::{Commitment, ProductYears};
use crate::convention::Convention;
use crate::model::Measure;
use crate::model::money::{euros, round_cents};
use crate::tables::Period;
use crate::tables::forecasts::Forecasts;

/// Where a year's projection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The exercice's span is over: what was consumed is final.
    Actual,
    /// The délégataire's forecast file.
    Forecasts,
    /// The run rate of the exercice, extended to the end of its span.
    RunRate,
    /// No forecast file and the exercice not started: nothing to extend.
    None,
}

impl Source {
    /// The summary's word: `realise`, `previsions`, `rythme` or `aucune`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Actual => "realise",
            Source::Forecasts => "previsions",
            Source::RunRate => "rythme",
            Source::None => "aucune",
        }
    }

    /// French, for the workbook and the messages.
    pub fn label(self) -> &'static str {
        match self {
            Source::Actual => "réalisé (exercice terminé)",
            Source::Forecasts => "prévisions du délégataire",
            Source::RunRate => "rythme de consommation",
            Source::None => "aucune (exercice non commencé)",
        }
    }

    /// Whether the projection is a forecast (the year still runs): only then can it warn.
    pub fn is_forecast(self) -> bool {
        matches!(self, Source::Forecasts | Source::RunRate)
    }
}

/// One measure (AE or CP) of one product and exercice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Projection {
    /// The schedule's amount (`None`: the schedule is blank for this year).
    pub planned: Option<Decimal>,
    /// Consumed at `--as-of` (`Reconciliation::products`).
    pub consumed: Decimal,
    /// The délégataire's forecasts for the whole year, every period of it (with a file).
    pub forecast: Option<Decimal>,
    /// Still expected after `--as-of`, until the end of the exercice's span.
    pub expected: Decimal,
    /// consumed + expected; `None` when there is nothing to project from.
    pub projected: Option<Decimal>,
    /// Run rate: consumed per month elapsed, rounded to the cent.
    pub monthly_rate: Option<Decimal>,
    /// Run rate: the bound the extended rate went past, which the projection then is.
    pub capped_at: Option<Decimal>,
}

impl Projection {
    /// projected − schedule (a blank schedule counts 0): negative when credits are left.
    pub fn gap(&self) -> Option<Decimal> {
        self.projected
            .map(|p| p - self.planned.unwrap_or(Decimal::ZERO))
    }

    /// The schedule's credits the projection leaves unused (`None` when none are).
    pub fn unused(&self) -> Option<Decimal> {
        let (planned, projected) = (self.planned?, self.projected?);
        (planned > projected).then(|| planned - projected)
    }
}

/// One product in one exercice of the convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearOutlook {
    /// Index of the product in the convention.
    pub product: usize,
    pub year: i32,
    pub source: Source,
    /// Run rate: months of the span elapsed at `--as-of`, and the span's months.
    pub months: Option<(Decimal, Decimal)>,
    pub ae: Projection,
    pub cp: Projection,
}

impl YearOutlook {
    pub fn measure(&self, measure: Measure) -> &Projection {
        match measure {
            Measure::Ae => &self.ae,
            Measure::Cp => &self.cp,
        }
    }
}

/// The outlook of every product and exercice of the convention.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outlook {
    /// The forecast file (`--previsions`) as named to the user, if any.
    pub file: Option<String>,
    /// By product (convention order), then year: every year from the convention's start
    /// to its end.
    pub years: Vec<YearOutlook>,
}

impl Outlook {
    /// A product's schedule and projection over the whole convention (its end): `None`
    /// when a year of it has no projection.
    pub fn to_end(&self, product: usize, measure: Measure) -> Option<(Decimal, Decimal)> {
        self.years
            .iter()
            .filter(|y| y.product == product)
            .map(|y| y.measure(measure))
            .try_fold((Decimal::ZERO, Decimal::ZERO), |(planned, projected), p| {
                Some((
                    planned + p.planned.unwrap_or_default(),
                    projected + p.projected?,
                ))
            })
    }
}

/// What the outlook reads: the reconciliation's sums and the forecasts, if any.
pub struct Facts<'a> {
    pub products: &'a [ProductYears],
    /// Per product (convention order), the reste à payer of its EJs.
    pub remaining: Vec<Decimal>,
    pub as_of: NaiveDate,
    pub forecasts: Option<&'a Forecasts>,
}

/// Per product, the reste à payer of its EJs (an EJ paid beyond its AE counts 0).
pub fn remaining_by_product(commitments: &[Commitment], products: usize) -> Vec<Decimal> {
    let mut out = vec![Decimal::ZERO; products];
    for c in commitments {
        if let Some(r) = c.product.and_then(|p| out.get_mut(p)) {
            *r += c.remaining.max(Decimal::ZERO);
        }
    }
    out
}

/// The outlook of each product and exercice of the convention.
pub fn outlook(convention: &Convention, facts: &Facts) -> Outlook {
    let mut years = Vec::new();
    for product in 0..convention.products.len() {
        let remaining = facts.remaining.get(product).copied().unwrap_or_default();
        for year in convention.start.year()..=convention.end.year() {
            let span = Span::of(convention, year, facts.as_of);
            years.push(year_outlook(
                convention, facts, product, year, span, remaining,
            ));
        }
    }
    Outlook {
        file: facts.forecasts.map(|f| f.file.clone()),
        years,
    }
}

fn year_outlook(
    convention: &Convention,
    facts: &Facts,
    product: usize,
    year: i32,
    span: Span,
    remaining: Decimal,
) -> YearOutlook {
    let (mut ae, mut cp) = consumed(convention, facts.products, product, year);
    let source = match (span.state(), facts.forecasts) {
        (State::Over, _) => Source::Actual,
        (_, Some(_)) => Source::Forecasts,
        (State::Running, None) => Source::RunRate,
        (State::NotStarted, None) => Source::None,
    };
    if let Some(forecasts) = facts.forecasts {
        let (ae_f, cp_f) = forecast_sums(forecasts, product, year, span);
        (ae.forecast, ae.expected) = (Some(ae_f.0), ae_f.1);
        (cp.forecast, cp.expected) = (Some(cp_f.0), cp_f.1);
    }
    let mut months = None;
    match source {
        Source::Actual => (ae.expected, cp.expected) = (Decimal::ZERO, Decimal::ZERO),
        Source::RunRate => {
            let ae_bound = ae.consumed.max(ae.planned.unwrap_or_default());
            // A withdrawal (negative AE) frees nothing to pay: it does not raise the bound.
            let uncommitted = (ae.planned.unwrap_or_default() - ae.consumed.max(Decimal::ZERO))
                .max(Decimal::ZERO);
            let cp_bound = cp.consumed + remaining + uncommitted;
            run_rate(&mut ae, span, ae_bound);
            run_rate(&mut cp, span, cp_bound);
            months = Some((span.elapsed(), span.len()));
        }
        Source::Forecasts | Source::None => {}
    }
    for p in [&mut ae, &mut cp] {
        p.expected = round_cents(p.expected);
        p.projected = (source != Source::None).then(|| p.consumed + p.expected);
    }
    YearOutlook {
        product,
        year,
        source,
        months,
        ae,
        cp,
    }
}

/// A product's schedule and consumption of a year (AE, CP), nothing projected yet.
fn consumed(
    convention: &Convention,
    products: &[ProductYears],
    product: usize,
    year: i32,
) -> (Projection, Projection) {
    let figures = (products.iter())
        .find(|p| p.product == product)
        .and_then(|p| p.years.iter().find(|y| y.year == year));
    let planned = convention.planned(product, year);
    let ae = Projection {
        planned: planned.and_then(|s| s.ae),
        consumed: figures.map_or(Decimal::ZERO, |f| f.ae_consumed),
        ..Projection::default()
    };
    let cp = Projection {
        planned: planned.and_then(|s| s.cp),
        consumed: figures.map_or(Decimal::ZERO, |f| f.cp_consumed),
        ..Projection::default()
    };
    (ae, cp)
}

/// Extends the consumption of the months elapsed to the whole span, within `bound`.
fn run_rate(p: &mut Projection, span: Span, bound: Decimal) {
    let (elapsed, len) = (span.elapsed(), span.len());
    let extended = round_cents(p.consumed * len / elapsed);
    p.monthly_rate = Some(round_cents(p.consumed / elapsed));
    if extended > bound {
        p.capped_at = Some(bound);
    }
    p.expected = (extended.min(bound) - p.consumed).max(Decimal::ZERO);
}

/// A product's forecasts of one year: (whole year, still expected), for AE and CP.
type Sums = ((Decimal, Decimal), (Decimal, Decimal));

fn forecast_sums(forecasts: &Forecasts, product: usize, year: i32, span: Span) -> Sums {
    let mut sums: Sums = Default::default();
    for f in forecasts
        .lines
        .iter()
        .filter(|f| f.product == product && f.period.year == year)
    {
        let share = span.share_to_come(f.period);
        sums.0.0 += f.ae;
        sums.0.1 += f.ae * share;
        sums.1.0 += f.cp;
        sums.1.1 += f.cp * share;
    }
    sums
}

/// Where an exercice's span stands at `--as-of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    NotStarted,
    Running,
    Over,
}

/// An exercice's span within the convention, and `--as-of`, in months from 1 January
/// (`from` 0 and `to` 12 for a whole year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    from: Decimal,
    to: Decimal,
    as_of: Decimal,
}

impl Span {
    fn of(convention: &Convention, year: i32, as_of: NaiveDate) -> Span {
        let twelve = Decimal::from(12);
        let from = match convention.start.year() {
            y if y == year => day_start(convention.start),
            y if y > year => twelve,
            _ => Decimal::ZERO,
        };
        let to = match convention.end.year() {
            y if y == year => day_end(convention.end),
            y if y < year => Decimal::ZERO,
            _ => twelve,
        };
        let as_of = match as_of.year() {
            y if y == year => day_end(as_of),
            y if y < year => Decimal::ZERO,
            _ => twelve,
        };
        Span { from, to, as_of }
    }

    fn state(&self) -> State {
        if self.as_of >= self.to {
            State::Over
        } else if self.as_of <= self.from {
            State::NotStarted
        } else {
            State::Running
        }
    }

    fn len(&self) -> Decimal {
        self.to - self.from
    }

    fn elapsed(&self) -> Decimal {
        self.as_of - self.from
    }

    /// The share of a forecast period, clipped to the span, still to come after `as_of`.
    fn share_to_come(&self, period: Period) -> Decimal {
        let (start, end) = match period.month {
            Some(m) => (Decimal::from(m - 1), Decimal::from(m)),
            None => (Decimal::ZERO, Decimal::from(12)),
        };
        let (start, end) = (start.max(self.from), end.min(self.to));
        if end <= start {
            return Decimal::ZERO;
        }
        (end - start.max(self.as_of)).max(Decimal::ZERO) / (end - start)
    }
}

/// Months from 1 January to the end of day `d`: 30/06 → 6, 15/06 → 5.5.
fn day_end(d: NaiveDate) -> Decimal {
    Decimal::from(d.month() - 1) + Decimal::from(d.day()) / Decimal::from(days_in_month(d))
}

/// Months from 1 January to the start of day `d`: 01/01 → 0.
fn day_start(d: NaiveDate) -> Decimal {
    Decimal::from(d.month() - 1) + Decimal::from(d.day() - 1) / Decimal::from(days_in_month(d))
}

fn days_in_month(d: NaiveDate) -> u32 {
    // The last day is the one whose next day starts another month (no panic at chrono's
    // last representable date: December has 31 days).
    (28..=31)
        .rev()
        .find(|&day| d.with_day(day).is_some())
        .unwrap_or(31)
}

/// `CREDITS_NON_CONSOMMES_PREVUS`: for each exercice still running (or to come, with
/// forecasts), the schedule's AE or CP its projection leaves unused. Art. 5: the délégataire
/// warns the délégant « dans les meilleurs délais » when credits will not be used.
pub(super) fn unused_foreseen(c: &Convention, rec: &super::Reconciliation, out: &mut Vec<Finding>) {
    for y in rec.outlook.years.iter().filter(|y| y.source.is_forecast()) {
        for measure in [Measure::Ae, Measure::Cp] {
            let p = y.measure(measure);
            let (Some(unused), Some(planned), Some(projected)) =
                (p.unused(), p.planned, p.projected)
            else {
                continue;
            };
            let horizon = match NaiveDate::from_ymd_opt(y.year, 12, 31) {
                Some(d) if d < c.end => {
                    format!("d'ici la fin de l'exercice ({})", d.format("%d/%m/%Y"))
                }
                _ => format!(
                    "d'ici la fin de la convention ({})",
                    c.end.format("%d/%m/%Y")
                ),
            };
            let (what, e) = match measure {
                Measure::Ae => ("AE consommées", "es"),
                Measure::Cp => ("CP consommés", "s"),
            };
            let message = format!(
                "{} {} : {}, les {what} atteindraient {} {horizon} sur {} prévu{e} à l'échéancier : {} resteraient inemployé{e}. L'article 5 demande au délégataire d'en avertir le délégant dans les meilleurs délais.",
                c.products[y.product].name,
                y.year,
                how(y, p, rec.as_of),
                euros(projected),
                euros(planned),
                euros(unused),
            );
            out.push(Finding {
                amount: Some(unused),
                product: Some(y.product),
                year: Some(y.year),
                measure: Some(measure),
                ..Finding::new(Code::CreditsNonConsommesPrevus, message)
            });
        }
    }
}

/// How the projection was made, for the message.
fn how(y: &YearOutlook, p: &Projection, as_of: NaiveDate) -> String {
    let consumed = format!(
        "{} consommés au {}",
        euros(p.consumed),
        as_of.format("%d/%m/%Y")
    );
    match (y.source, y.months, p.monthly_rate) {
        (Source::RunRate, Some((elapsed, len)), Some(rate)) => format!(
            "au rythme de consommation de l'exercice ({consumed}, soit {} par mois sur {} mois, prolongés sur {} mois{})",
            euros(rate),
            months(elapsed),
            months(len),
            match p.capped_at {
                Some(_) => ", dans la limite de ce qui reste à payer et à engager",
                None => "",
            }
        ),
        _ => format!(
            "d'après les prévisions du délégataire ({consumed} et {} prévus ensuite)",
            euros(p.expected)
        ),
    }
}

/// `6`, `5,5`: months as a person writes them.
fn months(m: Decimal) -> String {
    m.round_dp(1).normalize().to_string().replace('.', ",")
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
