//! Reconcile: the barrier stage. With every judged line in hand, it removes duplicates
//! across inputs, makes payments follow their commitment's product, sums per product,
//! year, month and EJ, applies the convention's rules and emits findings. Everything is
//! computed over inputs and rows in their sorted order, so the result never depends on
//! how many threads judged the lines.

mod aggregate;
pub mod carry;
pub mod closing;
pub mod declared;
mod dedup;
pub mod findings;
pub mod follow_up;
pub mod forecast;
mod journal;
pub mod justify;
pub mod orders;
pub mod portfolio;
pub mod provisions;
mod rules;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::classify::Judged;
use crate::convention::Convention;
use crate::model::{AxisSet, Measure, Origin, Reduction, Rejection, SharedCodes};

/// Judged rows of an input: `classify` owns them (moved there; named here too).
pub use crate::classify::{InputResult, SlimLine};
/// Last month's summary, as `--previous` gives it to [`reconcile_with`].
pub use crate::model::summary::{Resolved, Summary as PreviousSummary};
/// The accountant's justifications, as `--justifications` gives them to [`reconcile_with`].
pub use crate::tables::justifications::Justifications;
pub use aggregate::{Commitment, MonthRow, ProductYears, YearFigures};
pub use dedup::StateChange;
pub use findings::{Code, Finding, FollowUp, Severity, Target};
pub use forecast::Outlook;

/// Out-of-scope lines of one imputation: (centre financier, programme, domaine
/// fonctionnel, activité, centre de coût), measure, and the axes that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutGroup {
    pub values: SharedCodes,
    pub measure: Measure,
    pub differing: AxisSet,
    pub lines: u64,
    pub amount: Decimal,
}

/// Past this many out-of-scope lines, `Hors périmètre` lists them grouped by imputation
/// (the rule: `classify::DetailBudget`).
pub const OUT_OF_SCOPE_DETAIL_LIMIT: u64 = crate::classify::DetailBudget::LIMIT;

/// How the data rows split, as a person sees them in Excel: `read = in_scope +
/// out_of_scope + rejected + duplicates + replaced`. A row carrying AE and CP is one row
/// (counted in its AE's category) and two movements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCounts {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
    pub duplicates: u64,
    /// Older states of a key that a newer extract gives another amount.
    pub replaced: u64,
    pub ae: MovementCounts,
    pub cp: MovementCounts,
}

/// How the movements of one measure split (a rejected row has none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MovementCounts {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub duplicates: u64,
    pub replaced: u64,
}

impl MovementCounts {
    fn add(&mut self, o: &MovementCounts) {
        self.read += o.read;
        self.in_scope += o.in_scope;
        self.out_of_scope += o.out_of_scope;
        self.duplicates += o.duplicates;
        self.replaced += o.replaced;
    }

    /// The sum of the categories (equal to `read` when nothing is lost).
    pub fn out(&self) -> u64 {
        self.in_scope + self.out_of_scope + self.duplicates + self.replaced
    }
}

impl LineCounts {
    pub fn add(&mut self, o: &LineCounts) {
        self.read += o.read;
        self.in_scope += o.in_scope;
        self.out_of_scope += o.out_of_scope;
        self.rejected += o.rejected;
        self.duplicates += o.duplicates;
        self.replaced += o.replaced;
        self.ae.add(&o.ae);
        self.cp.add(&o.cp);
    }

    pub fn movements(&self, measure: Measure) -> &MovementCounts {
        match measure {
            Measure::Ae => &self.ae,
            Measure::Cp => &self.cp,
        }
    }

    pub(crate) fn movements_mut(&mut self, measure: Measure) -> &mut MovementCounts {
        match measure {
            Measure::Ae => &mut self.ae,
            Measure::Cp => &mut self.cp,
        }
    }

    /// The sum of the row categories (equal to `read` when nothing is lost).
    pub fn rows_out(&self) -> u64 {
        self.in_scope + self.out_of_scope + self.rejected + self.duplicates + self.replaced
    }
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
    /// With `[[mise_a_disposition]]`: AE and CP made available on `--as-of`, what
    /// « Disponible » is measured against instead of the schedule.
    pub ae_made_available: Option<Decimal>,
    pub cp_made_available: Option<Decimal>,
}

impl Totals {
    /// AE still available: allocated − consumed − retraits on earlier-year EJs (GBCP art.
    /// 160: they lower consumption but free nothing). The one figure behind the
    /// Synthèse's « Disponible », `CREDITS_NON_CONSOMMES` and the ceiling.
    /// With `[[mise_a_disposition]]`, measured against what was made available.
    pub fn ae_available(&self) -> Decimal {
        self.ae_made_available.unwrap_or(self.ae_allocated)
            - self.ae_consumed
            - self.earlier_year_withdrawals
    }

    /// CP still available (allocated, or made available, − consumed).
    pub fn cp_available(&self) -> Decimal {
        self.cp_made_available.unwrap_or(self.cp_allocated) - self.cp_consumed
    }

    /// AE left of the allocation (the schedule), whatever was made available: the
    /// ceiling (`PLAFOND_AE_DEPASSE`) and what is left after the end.
    pub fn ae_left(&self) -> Decimal {
        self.ae_allocated - self.ae_consumed - self.earlier_year_withdrawals
    }

    /// CP left of the allocation (the schedule).
    pub fn cp_left(&self) -> Decimal {
        self.cp_allocated - self.cp_consumed
    }
}

/// Rows, movements and amounts in = out, checked on every run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conservation {
    pub rows_in: u64,
    pub rows_out: u64,
    /// Movements (AE, CP) in and out: a row may carry two.
    pub movements_in: [u64; 2],
    pub movements_out: [u64; 2],
    pub ae_in: Decimal,
    pub ae_out: Decimal,
    pub cp_in: Decimal,
    pub cp_out: Decimal,
}

impl Conservation {
    pub fn holds(&self) -> bool {
        self.rows_in == self.rows_out
            && self.movements_in == self.movements_out
            && self.ae_in == self.ae_out
            && self.cp_in == self.cp_out
    }
}

/// An in-scope line with the product it ends up attributed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedLine {
    pub judged: Judged,
    pub product: Option<usize>,
    /// Which rule attributed it.
    pub rule: Attribution,
}

/// Which rule gave an in-scope line its product, the strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribution {
    /// Its EJ is in a product's `ej` list of the convention.
    EjList,
    /// A matched order of `--commandes` (its index in the order list) gave its EJ a product.
    Order(usize),
    /// Its own data: a keyword in its text, or an axis.
    Rule,
    /// Another line of the same EJ was attributed by its own data.
    SameEj,
    /// No rule gave it a product.
    Unattributed,
}

/// An older state of a key, replaced by a newer extract's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub origin: Origin,
    /// The newer state's first line.
    pub by: Origin,
    pub measure: Measure,
    pub amount: Decimal,
    /// Whether the replaced line was in the convention's scope.
    pub in_scope: bool,
    /// The line itself, when it was kept in detail (in scope, or out of scope within the
    /// detail budget).
    pub line: Option<Box<crate::model::Line>>,
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
    /// Out-of-scope lines in detail; when `out_of_scope_grouped`, only the partial
    /// imputations (each one a finding), the rest being in `out_of_scope_groups`.
    pub out_of_scope: Vec<Judged>,
    /// Every out-of-scope line, grouped by imputation, measure and differing axes.
    pub out_of_scope_groups: Vec<OutGroup>,
    /// More than `OUT_OF_SCOPE_DETAIL_LIMIT` out-of-scope lines: listed by group.
    pub out_of_scope_grouped: bool,
    pub rejections: Vec<Rejection>,
    /// Journal reductions of every input, counted once across inputs (see `journal`).
    pub reductions: Vec<Reduction>,
    pub duplicates: Vec<Duplicate>,
    /// Older states replaced by a newer extract's, in input and row order.
    pub replaced: Vec<Replaced>,
    /// Keys whose extracts disagree, with the state counted in scope.
    pub changes: Vec<StateChange>,
    /// Lines whose carry-over the inputs could not tell (`BASCULE_INCONNUE`).
    pub unknown_carries: Vec<carry::UnknownCarry>,
    /// The carry-over split off engagement amounts (BEx), moved from AE to carried.
    pub carry_split: Decimal,
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
    /// With `--previous`: last month's findings not found again.
    pub resolved: Vec<Resolved>,
    /// With `--justifications`: the file, read.
    pub justifications: Option<JustificationsFile>,
    /// Each input's extraction date, in input order.
    pub extracted: Vec<Option<NaiveDate>>,
    /// Each input's name and rejected rows counted but not listed, in input order.
    pub input_labels: Vec<String>,
    pub rejections_omitted: Vec<u64>,
    /// Files found in a folder that are no extract, in path order.
    pub ignored_files: Vec<IgnoredFile>,
    /// Per product and exercice: schedule, consumed, forecast or run rate, projection
    /// (art. 5); built from the sums above and `--previsions`.
    pub outlook: Outlook,
    /// The year-end closing (« Fin de gestion »): credits, EJs carried, service fait, EJs
    /// open at the end; computed beside the rules.
    pub closing: closing::Closing,
    /// With `--declare`: the délégataire's declared report against Chorus.
    pub declared: Option<declared::Comparison>,
    /// With `[[mise_a_disposition]]`: the tranches and the overruns (else empty).
    pub provisions: provisions::Timeline,
    /// With `--commandes`: the orders matched with the EJs, and the breakdown.
    pub orders: Option<orders::OrderReport>,
}

/// The justifications file of a run (`--justifications`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JustificationsFile {
    pub file: String,
    /// Its justifications (one per key).
    pub rows: usize,
}

impl Reconciliation {
    /// The most serious finding's severity, among those that count: a finding the
    /// accountant accepted (`--justifications`) stays listed but does not count.
    pub fn status(&self) -> Status {
        let worst = (self.findings.iter())
            .filter(|f| f.counts())
            .map(|f| f.severity)
            .min();
        match worst {
            Some(Severity::Error) => Status::Error,
            Some(Severity::Warning) => Status::Warning,
            _ => Status::Ok,
        }
    }

    /// The index in `lines` of the line from `origin` with this measure (lines are in
    /// input and row order; a row may give an AE and a CP line).
    pub fn line_at(&self, origin: Origin, measure: Measure) -> Option<usize> {
        let start = self
            .lines
            .partition_point(|l| l.judged.line.origin < origin);
        self.lines[start..]
            .iter()
            .take_while(|l| l.judged.line.origin == origin)
            .position(|l| l.judged.line.measure == measure)
            .map(|k| start + k)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The findings of `severity` that the accountant accepted (`--justifications`):
    /// listed, counted in [`Reconciliation::count`], but not in the status.
    pub fn accepted(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && !f.counts())
            .count()
    }
}

/// A file found in a folder that is no extract: skipped, and said (`FICHIER_IGNORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredFile {
    pub path: String,
    /// Why it is no extract (French).
    pub reason: String,
}

/// Reconciles every input's judged lines against the convention.
pub fn reconcile(
    convention: &Convention,
    inputs: Vec<InputResult>,
    as_of: NaiveDate,
) -> Reconciliation {
    reconcile_with(convention, inputs, as_of, Options::default())
}

/// What a run adds to the extracts, beside the convention.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// Files a folder walk skipped (each a finding).
    pub ignored_files: Vec<IgnoredFile>,
    /// `--previous`: last month's summary. Each finding is then marked new or open, and
    /// last month's findings not found again are listed as resolved.
    pub previous: Option<&'a PreviousSummary>,
    /// `--previsions`: the délégataire's forecasts, for the outlook (else the run rate).
    pub forecasts: Option<&'a crate::tables::forecasts::Forecasts>,
    /// `--justifications`: each finding marked with its justification, and the
    /// justifications that match none made findings (`justify`).
    pub justifications: Option<&'a Justifications>,
    /// `--declare`: the délégataire's declared report, compared with Chorus
    /// (`ECART_DECLARATION`).
    pub declaration: Option<&'a crate::tables::declaration::Declaration>,
    /// `--commandes`: the délégataire's orders, matched with the EJs; a matched order's
    /// product attributes its EJ.
    pub orders: Option<&'a crate::tables::orders::Orders>,
}

/// [`reconcile`], with what the run adds (see [`Options`]).
pub fn reconcile_with(
    convention: &Convention,
    inputs: Vec<InputResult>,
    as_of: NaiveDate,
    options: Options,
) -> Reconciliation {
    let Options {
        ignored_files,
        previous,
        forecasts,
        justifications,
        declaration,
        orders,
    } = options;
    // Sums, schedule and ceilings on the convention as amended on `as_of`; each line's
    // period on the end in force on its date (`Convention::end_at`).
    let amended = convention.at(as_of);
    let convention = &amended;
    let mut facts = facts(convention, inputs, as_of, ignored_files, orders);
    facts.outlook = forecast::outlook(
        convention,
        &forecast::Facts {
            products: &facts.products,
            remaining: forecast::remaining_by_product(
                &facts.commitments,
                convention.products.len(),
            ),
            as_of,
            forecasts,
        },
    );
    let started = std::time::Instant::now();
    // Independent of each other: the rules and the closing, each on its own core.
    let (mut findings, closing) = rayon::join(
        || rules::findings(convention, &facts),
        || closing::closing(convention, &facts),
    );
    crate::model::progress::trace("  règles et fin de gestion", started);
    facts.declared = declaration.map(|d| declared::compare(convention, d, &facts.months, as_of));
    compared(&mut findings, convention, &facts);
    if let Some(j) = justifications {
        justified(&mut findings, j, previous, convention, &facts);
    }
    let resolved = followed(&mut findings, previous, as_of);
    Reconciliation {
        findings,
        resolved,
        closing,
        justifications: justifications.map(|j| JustificationsFile {
            file: j.file.clone(),
            rows: j.by_key.len(),
        }),
        ..facts
    }
}

/// Adds the findings of the comparisons with the tables a run adds: the orders
/// (`--commandes`) and the declared report (`--declare`), in the list's order.
fn compared(findings: &mut Vec<Finding>, convention: &Convention, facts: &Reconciliation) {
    if let Some(r) = &facts.orders {
        findings.extend(orders::findings(r, &facts.lines));
    }
    if let Some(comparison) = &facts.declared {
        findings.extend(declared::findings(convention, comparison));
    }
    if facts.orders.is_some() || facts.declared.is_some() {
        // Stable: the rules' order stays; the new findings go after their equals.
        findings.sort_by_key(Finding::rank);
    }
}

/// Marks each finding new or open against last month's summary (`--previous`) and returns
/// last month's findings not found again (resolved); nothing without a previous summary.
fn followed(
    findings: &mut [Finding],
    previous: Option<&PreviousSummary>,
    as_of: NaiveDate,
) -> Vec<Resolved> {
    let followed = previous.map(|p| follow_up::follow(findings, as_of, p));
    let (marks, resolved) = followed.map_or((Vec::new(), Vec::new()), |f| (f.marks, f.resolved));
    for (f, mark) in findings.iter_mut().zip(marks) {
        f.follow_up = Some(mark);
    }
    resolved
}

/// Marks the findings with their justifications; the justifications that match none
/// become findings, in the list's order (`Finding::rank`).
fn justified(
    findings: &mut Vec<Finding>,
    justifications: &Justifications,
    previous: Option<&PreviousSummary>,
    convention: &Convention,
    facts: &Reconciliation,
) {
    let known = justify::Known {
        ejs: (facts.lines.iter())
            .filter_map(|l| l.judged.line.ej.as_deref())
            .collect(),
        products: convention.products.iter().map(|p| p.id.as_str()).collect(),
    };
    let out = justify::justify(findings, justifications, previous, &known);
    for (f, mark) in findings.iter_mut().zip(out.marks) {
        f.justification = mark;
    }
    findings.extend(out.findings);
    // Stable: the rules' order stays; the new findings go after their equals.
    findings.sort_by_key(Finding::rank);
}

/// Everything the rules read: the lines deduplicated and attributed, their sums and the
/// conservation check; no finding yet (the rules make them from this).
fn facts(
    convention: &Convention,
    inputs: Vec<InputResult>,
    as_of: NaiveDate,
    ignored_files: Vec<IgnoredFile>,
    orders: Option<&crate::tables::orders::Orders>,
) -> Reconciliation {
    let has_commitments = inputs
        .iter()
        .any(|i| i.judged.iter().any(|j| j.line.measure == Measure::Ae));
    let conservation_in = conservation_in(&inputs);
    let includes: Vec<bool> = inputs.iter().map(|i| i.includes_carry_over).collect();
    let reductions = journal::reductions(&inputs);
    let listed = Listed::of(&inputs);
    let started = std::time::Instant::now();
    let mut split = dedup::split(inputs);
    crate::model::progress::trace("  doublons, états et regroupement", started);
    let started = std::time::Instant::now();
    let carried = carry::split_carry_over(&mut split.in_scope, &includes);
    let in_scope = std::mem::take(&mut split.in_scope);
    let (lines, order_report) = orders::attribute(convention, in_scope, orders);
    let sums = amended_sums(convention, &lines, as_of);
    let timeline = provisions::timeline(convention, &lines, as_of);
    let conservation = conservation_out(conservation_in, &split, &lines, carried.moved);
    crate::model::progress::trace("  sommes", started);
    Reconciliation {
        as_of,
        totals: sums.totals,
        products: sums.products,
        months: sums.months,
        commitments: sums.commitments,
        lines,
        out_of_scope: split.out_of_scope,
        out_of_scope_groups: split.groups,
        out_of_scope_grouped: split.grouped,
        rejections: split.rejections,
        reductions,
        duplicates: split.duplicates,
        replaced: split.replaced,
        changes: split.changes,
        unknown_carries: carried.unknown,
        carry_split: carried.moved,
        counts: split.counts,
        input_counts: split.input_counts,
        findings: Vec::new(),
        conservation,
        has_commitments,
        resolved: Vec::new(),
        justifications: None,
        extracted: listed.extracted,
        input_labels: listed.labels,
        rejections_omitted: listed.rejections_omitted,
        ignored_files,
        outlook: Outlook::default(),
        closing: closing::Closing::default(),
        declared: None,
        provisions: timeline,
        orders: order_report,
    }
}

/// What the reconciliation lists of each input, in input order.
struct Listed {
    extracted: Vec<Option<NaiveDate>>,
    labels: Vec<String>,
    rejections_omitted: Vec<u64>,
}

impl Listed {
    /// Each input's extraction date, label and count of rejections not kept.
    fn of(inputs: &[InputResult]) -> Self {
        Listed {
            extracted: inputs.iter().map(|i| i.extracted).collect(),
            labels: inputs.iter().map(|i| i.label.clone()).collect(),
            rejections_omitted: inputs.iter().map(|i| i.rejections_omitted).collect(),
        }
    }
}

/// The sums over the attributed lines, with the credits made available by `as_of`
/// (`[[mise_a_disposition]]`) in the totals.
fn amended_sums(convention: &Convention, lines: &[ScopedLine], as_of: NaiveDate) -> Sums {
    let mut sums = sums(convention, lines);
    if let Some((ae, cp)) = convention.made_available(as_of) {
        sums.totals.ae_made_available = Some(ae);
        sums.totals.cp_made_available = Some(cp);
    }
    sums
}

/// What left `normalize`, as each input counted it: the conservation check's "in".
fn conservation_in(inputs: &[InputResult]) -> Conservation {
    inputs.iter().fold(Conservation::default(), |mut c, i| {
        c.rows_in += i.rows_in;
        c.movements_in[0] += i.ae_lines_in;
        c.movements_in[1] += i.cp_lines_in;
        c.ae_in += i.ae_in;
        c.cp_in += i.cp_in;
        c
    })
}

/// The sums over the attributed lines.
struct Sums {
    totals: Totals,
    products: Vec<ProductYears>,
    months: Vec<MonthRow>,
    commitments: Vec<Commitment>,
}

fn sums(convention: &Convention, lines: &[ScopedLine]) -> Sums {
    // The sums are independent of each other: each on its own core.
    let ((mut totals, products), (months, commitments)) = rayon::join(
        || {
            rayon::join(
                || aggregate::totals(convention, lines),
                || aggregate::product_years(convention, lines),
            )
        },
        || {
            rayon::join(
                || aggregate::months(lines),
                || aggregate::commitments(lines),
            )
        },
    );
    totals.remaining_to_pay = commitments
        .iter()
        .map(|c| c.remaining.max(Decimal::ZERO))
        .sum();
    Sums {
        totals,
        products,
        months,
        commitments,
    }
}

/// What leaves reconcile: in-scope lines, out-of-scope lines (summed as they were
/// counted, detailed or grouped), the carry-over split off AE, replaced states and
/// duplicates; rejected rows carry no amount.
fn conservation_out(
    mut c: Conservation,
    split: &dedup::Split,
    lines: &[ScopedLine],
    carry_split: Decimal,
) -> Conservation {
    let counts = &split.counts;
    c.rows_out = counts.rows_out();
    c.movements_out = [counts.ae.out(), counts.cp.out()];
    let out = [
        (Measure::Ae, split.out_ae + carry_split),
        (Measure::Cp, split.out_cp),
    ];
    let leaving = out
        .into_iter()
        .chain(split.replaced.iter().map(|r| (r.measure, r.amount)))
        .chain(
            lines
                .iter()
                .map(|l| (l.judged.line.measure, l.judged.line.amount)),
        )
        .chain(split.duplicates.iter().map(|d| (d.measure, d.amount)));
    for (measure, amount) in leaving {
        match measure {
            Measure::Ae => c.ae_out += amount,
            Measure::Cp => c.cp_out += amount,
        }
    }
    c
}

/// What the unit tests of reconcile's modules share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::classify::classify;
    use crate::model::{Line, Origin, four_axes};

    /// An input of the built-in convention holding these lines, rows numbered from 2, its
    /// counts in as the pipeline makes them.
    pub fn input(index: u32, lines: Vec<Line>) -> InputResult {
        let c = Convention::builtin();
        let mut r = InputResult::default();
        for (row, mut l) in lines.into_iter().enumerate() {
            l.origin = Origin {
                input: index,
                row: row as u64 + 2,
            };
            match l.measure {
                Measure::Ae => (r.ae_in += l.amount, r.ae_lines_in += 1),
                Measure::Cp => (r.cp_in += l.amount, r.cp_lines_in += 1),
            };
            r.rows_in += 1;
            r.judged.push(classify(l, four_axes(), &c));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Line, Origin, sample_line};
    use rust_decimal_macros::dec;

    fn input(index: u32, lines: Vec<Line>) -> InputResult {
        test_support::input(index, lines)
    }

    fn ae(ej: &str, amount: Decimal) -> Line {
        Line {
            ej: Some(ej.into()),
            amount,
            ..sample_line()
        }
    }

    fn cp(ej: Option<&str>, dp: &str, amount: Decimal) -> Line {
        Line {
            measure: Measure::Cp,
            ej: ej.map(Into::into),
            dp: Some(dp.into()),
            texte: None,
            amount,
            ..sample_line()
        }
    }

    fn run(inputs: Vec<InputResult>) -> Reconciliation {
        // Mid-2020: no exercice closed, the convention running.
        let as_of = NaiveDate::from_ymd_opt(2020, 11, 30).unwrap();
        reconcile(&Convention::builtin(), inputs, as_of)
    }

    /// The codes found, but the outlook's (mid-2020, each product's year is projected:
    /// `forecast_tests` checks those).
    fn codes(rec: &Reconciliation) -> Vec<&'static str> {
        (rec.findings.iter())
            .filter(|f| f.code != Code::CreditsNonConsommesPrevus)
            .map(|f| f.code.as_str())
            .collect()
    }

    /// A state line: its identity is its EJ poste (or DP) key for the exercice.
    fn state(mut l: Line) -> Line {
        let key = (
            l.measure,
            l.ej.clone(),
            l.poste_ej.clone(),
            l.dp.clone(),
            l.year,
        );
        l.identity = crate::model::Identity::State(xxhash_rust::xxh3::xxh3_128(
            format!("{key:?}").as_bytes(),
        ));
        l
    }

    fn dated(mut input: InputResult, y: i32, m: u32, d: u32) -> InputResult {
        input.extracted = NaiveDate::from_ymd_opt(y, m, d);
        input
    }

    #[test]
    fn equal_lines_count_within_an_input_and_once_across_inputs() {
        // (lines in A, lines in B) -> duplicates
        let cases = [(2, 3, 2), (3, 2, 2), (1, 1, 1), (2, 0, 0)];
        for (a, b, duplicates) in cases {
            let line = ae("2100000001", dec!(10));
            let rec = run(vec![
                input(0, vec![line.clone(); a]),
                input(1, vec![line; b]),
            ]);
            assert_eq!(rec.counts.duplicates, duplicates, "{a} + {b}");
            assert_eq!(rec.counts.in_scope, a.max(b) as u64, "{a} + {b}");
            assert!(rec.conservation.holds());
            assert_eq!(rec.totals.ae_consumed, dec!(10) * Decimal::from(a.max(b)));
        }
    }

    #[test]
    fn a_newer_state_replaces_an_older_one_and_equal_states_are_duplicates() {
        // June says 20 000, December 25 000: the poste is 25 000, not 45 000. The
        // undated input is older than both, whatever its path order.
        let june = dated(
            input(0, vec![state(ae("2100000001", dec!(20000)))]),
            2020,
            6,
            30,
        );
        let december = dated(
            input(1, vec![state(ae("2100000001", dec!(25000)))]),
            2020,
            12,
            31,
        );
        let undated = input(2, vec![state(ae("2100000001", dec!(25000)))]);
        let rec = run(vec![june, december, undated]);
        assert_eq!(rec.totals.ae_consumed, dec!(25000));
        assert_eq!(
            (
                rec.counts.in_scope,
                rec.counts.replaced,
                rec.counts.duplicates
            ),
            (1, 1, 1)
        );
        assert_eq!(rec.replaced[0].origin, Origin { input: 0, row: 2 });
        assert_eq!(rec.replaced[0].by, Origin { input: 1, row: 2 });
        assert!(rec.conservation.holds(), "{:?}", rec.conservation);
        // Within one extract, lines of a key add up; retraits are movements.
        let split = input(
            0,
            vec![
                state(ae("2100000001", dec!(15000))),
                state(ae("2100000001", dec!(5000))),
                ae("2100000001", dec!(-1000)),
            ],
        );
        let later = dated(input(1, vec![ae("2100000001", dec!(-1000))]), 2020, 9, 30);
        let rec = run(vec![split, later]);
        assert_eq!(rec.totals.ae_consumed, dec!(19000));
        assert_eq!(rec.counts.duplicates, 1);
    }

    #[test]
    fn a_poste_moved_out_of_scope_by_a_later_extract_leaves_the_scope() {
        let moved = Line {
            activite: Some("017406AG9999".into()),
            ..ae("2100000001", dec!(20000))
        };
        let rec = run(vec![
            input(0, vec![state(ae("2100000001", dec!(20000)))]),
            input(1, vec![state(moved)]),
        ]);
        assert_eq!(rec.totals.ae_consumed, dec!(0));
        assert_eq!(rec.counts.replaced, 1);
        assert!(rec.lines.is_empty());
        assert!(codes(&rec).contains(&"PERIMETRE_VIDE"), "{:?}", codes(&rec));
    }

    #[test]
    fn payments_follow_their_commitment_and_without_ej_consume_ae() {
        let rec = run(vec![input(
            0,
            vec![
                ae("2100000001", dec!(1000)),
                cp(Some("2100000001"), "100000001", dec!(400)),
                cp(None, "100000002", dec!(50)),
            ],
        )]);
        assert_eq!(rec.lines[1].product, Some(0));
        assert_eq!(rec.lines[1].rule, Attribution::SameEj);
        assert_eq!(rec.lines[0].rule, Attribution::Rule);
        assert_eq!(rec.lines[2].product, None);
        assert_eq!(rec.totals.ae_consumed, dec!(1050));
        assert_eq!(rec.totals.cp_consumed, dec!(450));
        assert_eq!(rec.totals.remaining_to_pay, dec!(600));
        assert_eq!(codes(&rec), ["PRODUIT_NON_ATTRIBUE", "DP_SANS_EJ"]);
    }

    #[test]
    fn a_corrected_payment_counts_once_with_the_later_amount() {
        let rec = run(vec![
            input(
                0,
                vec![
                    ae("2100000001", dec!(1000)),
                    state(cp(Some("2100000001"), "100000001", dec!(400))),
                ],
            ),
            input(
                1,
                vec![state(cp(Some("2100000001"), "100000001", dec!(410)))],
            ),
        ]);
        assert_eq!(codes(&rec), ["DOUBLON_CONFLICTUEL"]);
        let f = &rec.findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.origin, Some(Origin { input: 1, row: 2 }));
        assert!(
            f.message.contains("400,00") && f.message.contains("410,00"),
            "{}",
            f.message
        );
        assert_eq!(rec.totals.cp_consumed, dec!(410));
        assert_eq!(rec.counts.replaced, 1);
    }

    #[test]
    fn an_earlier_year_withdrawal_frees_no_ae_for_the_ceiling() {
        let mut withdrawal = ae("2100000001", dec!(-30000));
        withdrawal.year = 2021;
        withdrawal.date_ej = NaiveDate::from_ymd_opt(2020, 3, 1);
        let rec = run(vec![input(
            0,
            vec![ae("2100000001", dec!(170000)), withdrawal],
        )]);
        assert_eq!(rec.totals.ae_consumed, dec!(140000));
        assert_eq!(rec.totals.earlier_year_withdrawals, dec!(30000));
        assert_eq!(rec.totals.ae_available(), dec!(-10000));
        let c = codes(&rec);
        assert!(
            c.contains(&"PLAFOND_AE_DEPASSE") && c.contains(&"RETRAIT_ANTERIEUR"),
            "{c:?}"
        );
        let ceiling = rec
            .findings
            .iter()
            .find(|f| f.code == Code::PlafondAeDepasse)
            .unwrap();
        assert_eq!(ceiling.amount, Some(dec!(10000)));
    }

    #[test]
    fn titre_2_period_and_partial_imputation() {
        let titre2 = Line {
            titre: Some(2),
            ..ae("2100000001", dec!(10))
        };
        let late = Line {
            event_date: NaiveDate::from_ymd_opt(2021, 8, 2),
            ..ae("2100000002", dec!(10))
        };
        // A closing after the end is no breach.
        let closing = Line {
            event_date: NaiveDate::from_ymd_opt(2021, 9, 15),
            ..ae("2100000002", dec!(-5))
        };
        let partial = Line {
            activite: Some("017406AG0000".into()),
            ..ae("2100000003", dec!(10))
        };
        // Agreeing on the UO and the domaine fonctionnel only: any expense of the UO.
        let uo = Line {
            activite: Some("017406AG0000".into()),
            centre_cout: Some("ECLDENE000".into()),
            ..ae("2100000005", dec!(10))
        };
        let far = Line {
            activite: None,
            centre_cout: None,
            domaine_fonctionnel: None,
            ..ae("2100000004", dec!(10))
        };
        let rec = run(vec![input(
            0,
            vec![titre2, late, closing, partial, uo, far],
        )]);
        assert_eq!(
            codes(&rec),
            [
                "TITRE_2",
                "HORS_PERIODE",
                "DATE_POSTERIEURE",
                "IMPUTATION_PARTIELLE"
            ]
        );
        assert_eq!(rec.counts.out_of_scope, 3);
    }

    #[test]
    fn schedule_ceiling_and_unused_credits() {
        let mut carbure = ae("2100000002", dec!(85000));
        carbure.texte = Some("CarbuRe".into());
        let rec = run(vec![input(0, vec![carbure.clone()])]);
        assert_eq!(codes(&rec), ["ECHEANCIER_DEPASSE"]);
        // 2020 closed: each product's unused credits of 2020 (CarbuRe's AE are all used).
        let closed = reconcile(
            &Convention::builtin(),
            vec![input(0, vec![carbure.clone()])],
            NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
        );
        let unused: Vec<_> = closed
            .findings
            .iter()
            .filter(|f| f.code == Code::CreditsNonConsommes)
            .map(|f| (f.product, f.year, f.measure, f.amount))
            .collect();
        assert_eq!(
            unused,
            [
                (Some(0), Some(2020), Some(Measure::Ae), Some(dec!(80000))),
                (Some(0), Some(2020), Some(Measure::Cp), Some(dec!(40000))),
                (Some(1), Some(2020), Some(Measure::Cp), Some(dec!(40000))),
            ]
        );
        // On its last day the convention still runs; the day after, what is left is
        // reported, and every open EJ.
        let last_day = NaiveDate::from_ymd_opt(2021, 7, 31).unwrap();
        let on_end = reconcile(
            &Convention::builtin(),
            vec![input(0, vec![carbure.clone()])],
            last_day,
        );
        assert!(!codes(&on_end).contains(&"EJ_NON_SOLDE"));
        let after = reconcile(
            &Convention::builtin(),
            vec![input(0, vec![carbure])],
            last_day.succ_opt().unwrap(),
        );
        let c = codes(&after);
        assert!(c.contains(&"EJ_NON_SOLDE"), "{c:?}");
        let total = after
            .findings
            .iter()
            .find(|f| {
                f.code == Code::CreditsNonConsommes
                    && f.year.is_none()
                    && f.measure == Some(Measure::Ae)
            })
            .unwrap();
        assert_eq!(total.amount, Some(dec!(75000)));
    }

    #[test]
    fn payments_above_commitments_only_when_commitments_are_known() {
        let over = vec![
            ae("2100000001", dec!(100)),
            cp(Some("2100000001"), "100000001", dec!(150)),
        ];
        assert_eq!(codes(&run(vec![input(0, over)])), ["CP_SUPERIEUR_AE"]);
        let only_payments = vec![cp(Some("2100000001"), "100000001", dec!(150))];
        assert!(!codes(&run(vec![input(0, only_payments)])).contains(&"CP_SUPERIEUR_AE"));
        // A payment on an EJ that no extract commits, in a run that has commitments.
        let orphan = vec![
            ae("2100000001", dec!(100)),
            cp(Some("2100000009"), "100000002", dec!(150)),
        ];
        let c = codes(&run(vec![input(0, orphan)]));
        assert!(
            c.contains(&"EJ_SANS_AE") && !c.contains(&"CP_SUPERIEUR_AE"),
            "{c:?}"
        );
    }

    #[test]
    fn a_row_with_ae_and_cp_is_one_row_two_movements_and_one_finding() {
        let a = Line {
            titre: Some(2),
            ..ae("2100000001", dec!(100))
        };
        let c = Line {
            titre: Some(2),
            ..cp(Some("2100000001"), "100000001", dec!(40))
        };
        let mut i = input(0, vec![a, c]);
        // Both lines from the same row.
        i.judged[1].line.origin.row = 2;
        i.rows_in = 1;
        let rec = run(vec![i]);
        assert_eq!(rec.counts.read, 1);
        assert_eq!((rec.counts.ae.read, rec.counts.cp.read), (1, 1));
        assert_eq!(codes(&rec), ["TITRE_2"]);
        assert!(rec.conservation.holds(), "{:?}", rec.conservation);
    }
}
