//! Reconcile: the barrier stage. With every judged line in hand, it removes duplicates
//! across inputs, makes payments follow their commitment's product, sums per product,
//! year, month and EJ, applies the convention's rules and emits findings. Everything is
//! computed over inputs and rows in their sorted order, so the result never depends on
//! how many threads judged the lines.

mod aggregate;
mod dedup;
pub mod findings;
pub mod follow_up;
mod journal;
mod rules;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::classify::Judged;
use crate::convention::Convention;
use crate::model::{AxisCodes, AxisSet, Measure, Origin, Reduction, Rejection};

pub use aggregate::{Commitment, MonthRow, ProductYears, YearFigures};
pub use findings::{Code, Finding, FollowUp, Severity, Target};
pub use follow_up::{PreviousSummary, Resolved};

/// An out-of-scope line kept only as what the sums need, on large runs: the rows of a
/// national extract are mostly out of scope and must not all sit in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlimLine {
    /// Its row in its input (the input is the `InputResult`'s).
    pub row: u64,
    pub amount: Decimal,
    /// Its identity, as two words: 48 bytes a line rather than 64 with a `u128`.
    key: [u64; 2],
    /// Index in its input's `groups`.
    pub group: u32,
    pub measure: Measure,
    pub differing: AxisSet,
}

impl SlimLine {
    pub fn new(
        row: u64,
        measure: Measure,
        amount: Decimal,
        key: u128,
        group: u32,
        differing: AxisSet,
    ) -> SlimLine {
        SlimLine {
            row,
            amount,
            key: [(key >> 64) as u64, key as u64],
            group,
            measure,
            differing,
        }
    }

    pub fn key(&self) -> u128 {
        (u128::from(self.key[0]) << 64) | u128::from(self.key[1])
    }
}

/// Out-of-scope lines of one imputation: (centre financier, programme, domaine
/// fonctionnel, activité, centre de coût), measure, and the axes that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutGroup {
    pub values: AxisCodes,
    pub measure: Measure,
    pub differing: AxisSet,
    pub lines: u64,
    pub amount: Decimal,
}

/// Past this many out-of-scope lines, `Hors périmètre` lists them grouped by imputation.
pub const OUT_OF_SCOPE_DETAIL_LIMIT: u64 = 100_000;

/// What the normalise and classify stages produced for one input, in row order.
#[derive(Debug, Clone, Default)]
pub struct InputResult {
    /// The input's index (`Origin::input`).
    pub input: u32,
    pub judged: Vec<Judged>,
    /// Out-of-scope lines past the detail budget (see `pipeline`).
    pub slim: Vec<SlimLine>,
    /// The imputations `slim` lines point to, with their hash.
    pub groups: Vec<(u128, AxisCodes)>,
    pub rejections: Vec<Rejection>,
    /// In-scope journal reductions (neither AE nor CP), in row order: see `journal`.
    pub reductions: Vec<Reduction>,
    /// Amounts of the lines that left `normalize`, by measure: the conservation check's "in".
    pub ae_in: Decimal,
    pub cp_in: Decimal,
}

impl InputResult {
    pub fn rows(&self) -> u64 {
        (self.judged.len() + self.slim.len() + self.rejections.len()) as u64
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
    let reductions = journal::reductions(&inputs);
    let started = std::time::Instant::now();
    let split = dedup::split(inputs);
    crate::progress::trace("  doublons et regroupement", started);
    let started = std::time::Instant::now();
    let (out_ae, out_cp) = (split.out_ae, split.out_cp);
    let lines = aggregate::attribute(split.in_scope);
    // The sums are independent of each other: each on its own core.
    let ((totals, products), (months, commitments)) = rayon::join(
        || {
            rayon::join(
                || aggregate::totals(convention, &lines),
                || aggregate::product_years(convention, &lines),
            )
        },
        || {
            rayon::join(
                || aggregate::months(&lines),
                || aggregate::commitments(&lines),
            )
        },
    );
    let mut rec = Reconciliation {
        as_of,
        totals,
        products,
        months,
        commitments,
        lines,
        out_of_scope: split.out_of_scope,
        out_of_scope_groups: split.groups,
        out_of_scope_grouped: split.grouped,
        rejections: split.rejections,
        reductions,
        duplicates: split.duplicates,
        counts: split.counts,
        input_counts: split.input_counts,
        findings: Vec::new(),
        conservation: Conservation::default(),
        has_commitments,
        resolved: Vec::new(),
    };
    rec.totals.remaining_to_pay = rec
        .commitments
        .iter()
        .map(|c| c.remaining.max(Decimal::ZERO))
        .sum();
    rec.conservation = conservation_out(conservation_in, &rec, out_ae, out_cp);
    crate::progress::trace("  sommes", started);
    let started = std::time::Instant::now();
    rec.findings = rules::findings(convention, &rec);
    crate::progress::trace("  règles", started);
    rec
}

/// What leaves reconcile: in-scope lines, out-of-scope lines (summed as they were
/// counted, detailed or grouped), duplicates; rejected rows carry no amount.
fn conservation_out(
    mut c: Conservation,
    rec: &Reconciliation,
    out_ae: Decimal,
    out_cp: Decimal,
) -> Conservation {
    c.rows_out =
        rec.counts.in_scope + rec.counts.out_of_scope + rec.counts.rejected + rec.counts.duplicates;
    c.ae_out += out_ae;
    c.cp_out += out_cp;
    for line in rec.lines.iter().map(|l| &l.judged.line) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;
    use crate::model::{AxisSet, Line, Origin, four_axes, sample_line};
    use rust_decimal_macros::dec;

    fn axes() -> AxisSet {
        four_axes()
    }

    fn input(index: u32, lines: Vec<Line>) -> InputResult {
        let c = Convention::builtin();
        let mut r = InputResult::default();
        for (row, mut l) in lines.into_iter().enumerate() {
            l.origin = Origin {
                input: index,
                row: row as u64 + 2,
            };
            match l.measure {
                Measure::Ae => r.ae_in += l.amount,
                Measure::Cp => r.cp_in += l.amount,
            }
            r.judged.push(classify(l, axes(), &c));
        }
        r
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
        let as_of = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        reconcile(&Convention::builtin(), inputs, as_of)
    }

    fn codes(rec: &Reconciliation) -> Vec<&'static str> {
        rec.findings.iter().map(|f| f.code.as_str()).collect()
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
        assert!(rec.lines[1].by_ej);
        assert_eq!(rec.lines[2].product, None);
        assert_eq!(rec.totals.ae_consumed, dec!(1050));
        assert_eq!(rec.totals.cp_consumed, dec!(450));
        assert_eq!(rec.totals.remaining_to_pay, dec!(600));
        assert_eq!(codes(&rec), ["PRODUIT_NON_ATTRIBUE", "DP_SANS_EJ"]);
    }

    #[test]
    fn conflicting_payment_in_two_inputs_is_flagged_and_both_count() {
        let rec = run(vec![
            input(
                0,
                vec![
                    ae("2100000001", dec!(1000)),
                    cp(Some("2100000001"), "100000001", dec!(400)),
                ],
            ),
            input(1, vec![cp(Some("2100000001"), "100000001", dec!(410))]),
        ]);
        assert_eq!(codes(&rec), ["DOUBLON_CONFLICTUEL"]);
        assert_eq!(rec.findings[0].origin, Some(Origin { input: 1, row: 2 }));
        assert_eq!(rec.totals.cp_consumed, dec!(810));
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
            date: NaiveDate::from_ymd_opt(2021, 8, 2),
            ..ae("2100000002", dec!(10))
        };
        let partial = Line {
            activite: Some("017406AG0000".into()),
            ..ae("2100000003", dec!(10))
        };
        let far = Line {
            activite: None,
            centre_cout: None,
            domaine_fonctionnel: None,
            ..ae("2100000004", dec!(10))
        };
        let rec = run(vec![input(0, vec![titre2, late, partial, far])]);
        assert_eq!(
            codes(&rec),
            ["TITRE_2", "HORS_PERIODE", "IMPUTATION_PARTIELLE"]
        );
        assert_eq!(rec.counts.out_of_scope, 2);
    }

    #[test]
    fn schedule_ceiling_and_unused_credits() {
        let mut carbure = ae("2100000002", dec!(85000));
        carbure.texte = Some("CarbuRe".into());
        let rec = run(vec![input(0, vec![carbure.clone()])]);
        assert_eq!(codes(&rec), ["ECHEANCIER_DEPASSE"]);
        // At the convention's end, what is left is reported.
        let at_end = reconcile(
            &Convention::builtin(),
            vec![input(0, vec![carbure])],
            NaiveDate::from_ymd_opt(2021, 7, 31).unwrap(),
        );
        assert_eq!(
            codes(&at_end),
            [
                "ECHEANCIER_DEPASSE",
                "CREDITS_NON_CONSOMMES",
                "CREDITS_NON_CONSOMMES"
            ]
        );
        assert_eq!(at_end.findings[1].amount, Some(dec!(75000)));
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
    }
}
