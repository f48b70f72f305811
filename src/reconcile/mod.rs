//! Reconcile: the barrier stage. With every judged line in hand, it removes duplicates
//! across inputs, makes payments follow their commitment's product, sums per product,
//! year, month and EJ, applies the convention's rules and emits findings. Everything is
//! computed over inputs and rows in their sorted order, so the result never depends on
//! how many threads judged the lines.

mod aggregate;
mod dedup;
pub mod findings;
mod rules;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::classify::Judged;
use crate::convention::Convention;
use crate::model::{Measure, Origin, Rejection};

pub use aggregate::{Commitment, MonthRow, ProductYears, YearFigures};
pub use findings::{Code, Finding, Severity, Target};

/// What the normalise and classify stages produced for one input, in row order.
#[derive(Debug, Clone, Default)]
pub struct InputResult {
    pub judged: Vec<Judged>,
    pub rejections: Vec<Rejection>,
    /// Amounts of the lines that left `normalize`, by measure: the conservation check's "in".
    pub ae_in: Decimal,
    pub cp_in: Decimal,
}

impl InputResult {
    pub fn rows(&self) -> u64 {
        (self.judged.len() + self.rejections.len()) as u64
    }
}

/// How the data rows split; `read = in_scope + out_of_scope + rejected + duplicates`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCounts {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
    pub duplicates: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub ae_allocated: Decimal,
    pub ae_consumed: Decimal,
    pub cp_allocated: Decimal,
    pub cp_consumed: Decimal,
    /// Σ over EJs of max(0, AE net − CP).
    pub remaining_to_pay: Decimal,
    /// Retraits on EJs of earlier years: counted in `ae_consumed` as Chorus does, but they
    /// free no AE, so the ceiling check adds them back.
    pub earlier_year_withdrawals: Decimal,
}

/// Lines and amounts in = out, checked on every run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conservation {
    pub rows_in: u64,
    pub rows_out: u64,
    pub ae_in: Decimal,
    pub ae_out: Decimal,
    pub cp_in: Decimal,
    pub cp_out: Decimal,
}

impl Conservation {
    pub fn holds(&self) -> bool {
        self.rows_in == self.rows_out && self.ae_in == self.ae_out && self.cp_in == self.cp_out
    }
}

/// An in-scope line with the product it ends up attributed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedLine {
    pub judged: Judged,
    pub product: Option<usize>,
    /// Attributed through another line of the same EJ rather than its own data.
    pub by_ej: bool,
}

/// A line dropped as a duplicate of a line of an earlier input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    pub origin: Origin,
    pub first: Origin,
    pub measure: Measure,
    pub amount: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warning,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Error => "error",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "Conforme",
            Status::Warning => "À vérifier",
            Status::Error => "Anomalies bloquantes",
        }
    }
}

/// Everything the reports need.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub as_of: NaiveDate,
    pub lines: Vec<ScopedLine>,
    pub out_of_scope: Vec<Judged>,
    pub rejections: Vec<Rejection>,
    pub duplicates: Vec<Duplicate>,
    pub counts: LineCounts,
    /// Per input, in input order.
    pub input_counts: Vec<LineCounts>,
    pub totals: Totals,
    pub products: Vec<ProductYears>,
    pub months: Vec<MonthRow>,
    pub commitments: Vec<Commitment>,
    pub findings: Vec<Finding>,
    pub conservation: Conservation,
    /// Whether any input carried commitments (AE): without them, CP vs AE is not checked.
    pub has_commitments: bool,
}

impl Reconciliation {
    pub fn status(&self) -> Status {
        let worst = self.findings.iter().map(|f| f.severity).min();
        match worst {
            Some(Severity::Error) => Status::Error,
            Some(Severity::Warning) => Status::Warning,
            _ => Status::Ok,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Reconciles every input's judged lines against the convention.
pub fn reconcile(
    convention: &Convention,
    inputs: Vec<InputResult>,
    as_of: NaiveDate,
) -> Reconciliation {
    let has_commitments = inputs
        .iter()
        .any(|i| i.judged.iter().any(|j| j.line.measure == Measure::Ae));
    let conservation_in = inputs.iter().fold(Conservation::default(), |mut c, i| {
        c.rows_in += i.rows();
        c.ae_in += i.ae_in;
        c.cp_in += i.cp_in;
        c
    });
    let split = dedup::split(inputs);
    let lines = aggregate::attribute(split.in_scope);
    let mut rec = Reconciliation {
        as_of,
        totals: aggregate::totals(convention, &lines),
        products: aggregate::product_years(convention, &lines),
        months: aggregate::months(&lines),
        commitments: aggregate::commitments(&lines),
        lines,
        out_of_scope: split.out_of_scope,
        rejections: split.rejections,
        duplicates: split.duplicates,
        counts: split.counts,
        input_counts: split.input_counts,
        findings: Vec::new(),
        conservation: Conservation::default(),
        has_commitments,
    };
    rec.totals.remaining_to_pay = rec
        .commitments
        .iter()
        .map(|c| c.remaining.max(Decimal::ZERO))
        .sum();
    rec.conservation = conservation_out(conservation_in, &rec);
    rec.findings = rules::findings(convention, &rec);
    rec
}

fn conservation_out(mut c: Conservation, rec: &Reconciliation) -> Conservation {
    c.rows_out =
        rec.counts.in_scope + rec.counts.out_of_scope + rec.counts.rejected + rec.counts.duplicates;
    let lines = rec
        .lines
        .iter()
        .map(|l| &l.judged.line)
        .chain(rec.out_of_scope.iter().map(|j| &j.line));
    for line in lines {
        match line.measure {
            Measure::Ae => c.ae_out += line.amount,
            Measure::Cp => c.cp_out += line.amount,
        }
    }
    for d in &rec.duplicates {
        match d.measure {
            Measure::Ae => c.ae_out += d.amount,
            Measure::Cp => c.cp_out += d.amount,
        }
    }
    c
}

