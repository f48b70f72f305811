//! The figures of `Compte rendu`, per product and in total, and the choice of the findings
//! that need the délégant. Every figure is the reconciliation's own sum (`products`,
//! `totals`, `commitments`, `outlook`), added up over the years or the products, never
//! recomputed from the lines.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::convention::Convention;
use crate::model::Measure;
use crate::reconcile::forecast::{Outlook, remaining_by_product};
use crate::reconcile::{Code, Finding, Reconciliation};

/// Lines of « Points d'attention » at most, the « et N autres » line included.
pub const MAX_POINTS: usize = 10;
/// The findings that need the délégant, most pressing first, with their label on the page.
/// The others are the délégataire's and the accountant's own work (a rejected row, a
/// payment without an EJ, a duplicate, an unattributed line…): they stay in `Anomalies`.
pub const FOR_DELEGANT: [(Code, &str); 10] = [
    (Code::PlafondAeDepasse, "Plafond d'AE dépassé"),
    (Code::PlafondCpDepasse, "Plafond de CP dépassé"),
    (Code::Titre2, "Dépense de titre 2"),
    (Code::HorsPeriode, "Hors de la période"),
    (Code::EcheancierDepasse, "Échéancier dépassé"),
    (
        Code::DepassementMiseADisposition,
        "Consommation au-delà des crédits mis à disposition",
    ),
    (
        Code::EcartDeclaration,
        "Écart entre le compte rendu déclaré et Chorus",
    ),
    (Code::EjNonSolde, "EJ non soldé à la fin"),
    (
        Code::CreditsNonConsommesPrevus,
        "Crédits susceptibles de rester inemployés",
    ),
    (Code::CreditsNonConsommes, "Crédits non consommés"),
];

/// The findings of [`FOR_DELEGANT`] that count (not accepted by a justification), in its
/// order, then in the findings' own order.
pub fn attention(findings: &[Finding]) -> Vec<(&'static str, &Finding)> {
    let mut points: Vec<(usize, &'static str, &Finding)> = findings
        .iter()
        .filter(|f| f.counts())
        .filter_map(|f| {
            let rank = FOR_DELEGANT.iter().position(|(c, _)| *c == f.code)?;
            Some((rank, FOR_DELEGANT[rank].1, f))
        })
        .collect();
    points.sort_by_key(|(rank, _, _)| *rank);
    points.into_iter().map(|(_, l, f)| (l, f)).collect()
}

/// The points shown, and how many are left for « et N autres » (past [`MAX_POINTS`]).
pub fn shown<T>(points: &[T]) -> (&[T], usize) {
    if points.len() <= MAX_POINTS {
        (points, 0)
    } else {
        let keep = MAX_POINTS - 1;
        (&points[..keep], points.len() - keep)
    }
}

/// One row of the page's tables: AE then CP (index 0 and 1) of a product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    /// The schedule of the whole convention.
    pub allocated: [Option<Decimal>; 2],
    /// The schedule of the exercices up to the one of `--as-of`.
    pub to_date: [Option<Decimal>; 2],
    pub consumed: [Decimal; 2],
    pub remaining: Decimal,
    /// The projection at the end of the exercice of `--as-of`, every earlier one included.
    pub at_year_end: [Option<Decimal>; 2],
    /// The projection at the convention's end (`Outlook::to_end`).
    pub at_end: [Option<Decimal>; 2],
    /// The schedule's credits left unused: closed exercices' and the projection's.
    pub unused: [Option<Decimal>; 2],
}

const MEASURES: [Measure; 2] = [Measure::Ae, Measure::Cp];

fn add_opt(sum: &mut Option<Decimal>, a: Option<Decimal>) {
    if let Some(a) = a {
        *sum.get_or_insert(Decimal::ZERO) += a;
    }
}

/// The exercice whose end the page projects to: `--as-of`'s, or the convention's last.
pub fn exercice(convention: &Convention, as_of: NaiveDate) -> i32 {
    as_of.year().min(convention.end.year())
}

/// A product's projection at the end of exercice `last`, the earlier ones included, as
/// [`Outlook::to_end`] adds it: `None` when one of these years has no projection.
pub fn projection_to(
    outlook: &Outlook,
    product: usize,
    measure: Measure,
    last: i32,
) -> Option<Decimal> {
    (outlook.years.iter())
        .filter(|y| y.product == product && y.year <= last)
        .try_fold(Decimal::ZERO, |sum, y| {
            Some(sum + y.measure(measure).projected?)
        })
}

/// Each product's row, in the convention's order.
pub fn product_rows(convention: &Convention, rec: &Reconciliation) -> Vec<Row> {
    let last = exercice(convention, rec.as_of);
    let remaining = remaining_by_product(&rec.commitments, convention.products.len());
    rec.products
        .iter()
        .map(|p| {
            let mut row = Row {
                name: (convention.products.get(p.product))
                    .map_or_else(|| "?".to_string(), |c| c.name.clone()),
                remaining: remaining.get(p.product).copied().unwrap_or_default(),
                ..Row::default()
            };
            for y in &p.years {
                let figures = [(y.ae_planned, y.ae_consumed), (y.cp_planned, y.cp_consumed)];
                for (k, (planned, consumed)) in figures.into_iter().enumerate() {
                    add_opt(&mut row.allocated[k], planned);
                    if y.year <= last {
                        add_opt(&mut row.to_date[k], planned);
                    }
                    row.consumed[k] += consumed;
                }
            }
            for (k, m) in MEASURES.into_iter().enumerate() {
                row.at_year_end[k] = projection_to(&rec.outlook, p.product, m, last);
                row.at_end[k] = rec.outlook.to_end(p.product, m).map(|(_, p)| p);
                for y in rec.outlook.years.iter().filter(|y| y.product == p.product) {
                    add_opt(&mut row.unused[k], y.measure(m).unused());
                }
            }
            row
        })
        .collect()
}

/// The lines attributed to no product: what the totals hold beyond the products' rows
/// (`None` when nothing). Nothing is projected for them but what they consumed: the
/// projections' total then holds every euro already spent.
pub fn unattributed(rec: &Reconciliation, products: &[Row]) -> Option<Row> {
    let t = &rec.totals;
    let mut row = Row {
        name: "Non attribué".into(),
        consumed: [t.ae_consumed, t.cp_consumed],
        remaining: t.remaining_to_pay,
        ..Row::default()
    };
    for p in products {
        row.consumed[0] -= p.consumed[0];
        row.consumed[1] -= p.consumed[1];
        row.remaining -= p.remaining;
    }
    row.at_year_end = row.consumed.map(Some);
    row.at_end = row.consumed.map(Some);
    let any = row.consumed.iter().any(|c| !c.is_zero()) || !row.remaining.is_zero();
    any.then_some(row)
}

/// The rows' sum; a projection is blank when one row's is (a partial total would
/// mislead), or when there is no row.
pub fn total(rows: &[Row]) -> Row {
    let mut t = Row {
        name: "Total".into(),
        at_year_end: [Some(Decimal::ZERO); 2],
        at_end: [Some(Decimal::ZERO); 2],
        ..Row::default()
    };
    for r in rows {
        t.remaining += r.remaining;
        for k in 0..2 {
            add_opt(&mut t.allocated[k], r.allocated[k]);
            add_opt(&mut t.to_date[k], r.to_date[k]);
            t.consumed[k] += r.consumed[k];
            add_opt(&mut t.unused[k], r.unused[k]);
            t.at_year_end[k] = t.at_year_end[k].zip(r.at_year_end[k]).map(|(a, b)| a + b);
            t.at_end[k] = t.at_end[k].zip(r.at_end[k]).map(|(a, b)| a + b);
        }
    }
    if rows.is_empty() {
        t.at_year_end = [None; 2];
        t.at_end = [None; 2];
    }
    t
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::reconcile::findings::{Justification, JustificationStatus};
    use crate::report::Context;
    use crate::report::workbook::sums::{schedule_rows, schedule_sums};
    use crate::report::workbook::tests::sample;

    fn finding(code: Code, key: &str) -> Finding {
        let mut f = Finding::new(code, String::new());
        f.key = key.into();
        f
    }

    fn accepted(mut f: Finding) -> Finding {
        f.justification = Some(Justification {
            key: f.key.clone(),
            status: JustificationStatus::Accepted,
            comment: None,
            author: None,
            date: None,
            row: 2,
        });
        f
    }

    #[test]
    fn the_delegant_sees_the_findings_that_need_him_most_pressing_first() {
        let mut to_follow = finding(Code::EjNonSolde, "b");
        to_follow.justification = accepted(finding(Code::EjNonSolde, "b")).justification;
        to_follow.justification.as_mut().unwrap().status = JustificationStatus::ToFollow;
        let findings = [
            finding(Code::CreditsNonConsommes, "unused 2020"),
            finding(Code::LigneRejetee, "rejected"),
            finding(Code::EjNonSolde, "a"),
            accepted(finding(Code::HorsPeriode, "accepted")),
            finding(Code::DpSansEj, "no ej"),
            to_follow,
            finding(Code::CreditsNonConsommesPrevus, "foreseen"),
            finding(Code::PlafondAeDepasse, "ceiling"),
            finding(Code::CreditsNonConsommes, "unused 2021"),
        ];
        let keys: Vec<&str> = attention(&findings)
            .iter()
            .map(|(_, f)| f.key.as_str())
            .collect();
        // Errors first, in FOR_DELEGANT's order; a code's findings in their own order; an
        // accepted finding left out, one « à suivre » kept; the délégataire's own out.
        assert_eq!(
            keys,
            [
                "ceiling",
                "a",
                "b",
                "foreseen",
                "unused 2020",
                "unused 2021"
            ]
        );
        let (label, _) = attention(&findings)[0];
        assert_eq!(label, "Plafond d'AE dépassé");
    }

    #[test]
    fn past_ten_points_nine_are_shown_and_the_others_counted() {
        let ten: Vec<u32> = (0..10).collect();
        assert_eq!(shown(&ten), (&ten[..], 0));
        let eleven: Vec<u32> = (0..11).collect();
        assert_eq!(shown(&eleven), (&eleven[..9], 2));
        let many: Vec<u32> = (0..25).collect();
        assert_eq!(shown(&many), (&many[..9], 16));
        assert_eq!(shown::<u32>(&[]), (&[][..], 0));
    }

    #[test]
    fn the_page_adds_up_to_the_echeancier_and_the_synthese() {
        let dir = tempfile::tempdir().unwrap();
        let (run, convention) = sample(dir.path());
        let rec = &run.reconciliation;
        let mut rows = product_rows(&convention, rec);
        let extra = unattributed(rec, &rows).expect("the sample has a line without product");
        rows.push(extra);
        let sum = total(&rows);
        let t = &rec.totals;
        assert_eq!(sum.consumed, [t.ae_consumed, t.cp_consumed]);
        assert_eq!(sum.allocated, [Some(t.ae_allocated), Some(t.cp_allocated)]);
        assert_eq!(sum.remaining, t.remaining_to_pay);
        // The Échéancier's rows and total, the same figures.
        let ctx = Context {
            convention: &convention,
            run: &run,
        };
        let schedule = schedule_rows(&ctx);
        let (ae, cp) = schedule_sums(&schedule);
        assert_eq!(sum.consumed, [ae.consumed, cp.consumed]);
        for row in &rows {
            let of = schedule.iter().filter(|s| s.product == row.name);
            let consumed = of.fold([Decimal::ZERO; 2], |a, s| [a[0] + s.ae.1, a[1] + s.cp.1]);
            assert_eq!(row.consumed, consumed, "{}", row.name);
        }
        // The projection at the convention's end is Outlook::to_end's.
        for (p, row) in rows.iter().take(convention.products.len()).enumerate() {
            for (k, m) in MEASURES.into_iter().enumerate() {
                let to_end = rec.outlook.to_end(p, m).map(|(_, x)| x);
                assert_eq!(row.at_end[k], to_end);
                assert_eq!(projection_to(&rec.outlook, p, m, i32::MAX), to_end);
            }
        }
    }

    #[test]
    fn a_total_projection_is_blank_when_one_row_has_none() {
        let row = |consumed: i64, projected: Option<i64>| Row {
            name: "p".into(),
            allocated: [Some(Decimal::from(100)), None],
            consumed: [Decimal::from(consumed); 2],
            at_end: [projected.map(Decimal::from); 2],
            at_year_end: [projected.map(Decimal::from); 2],
            ..Row::default()
        };
        let sum = total(&[row(10, Some(50)), row(20, Some(60))]);
        assert_eq!(sum.consumed, [Decimal::from(30); 2]);
        assert_eq!(sum.allocated, [Some(Decimal::from(200)), None]);
        assert_eq!(sum.at_end, [Some(Decimal::from(110)); 2]);
        let partial = total(&[row(10, Some(50)), row(20, None)]);
        assert_eq!(partial.at_end, [None; 2]);
        assert_eq!(partial.at_year_end, [None; 2]);
        assert_eq!(total(&[]).at_end, [None; 2]);
    }

    #[test]
    fn the_exercice_projected_to_stops_at_the_conventions_last() {
        let c = Convention::builtin();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(exercice(&c, d(2020, 12, 31)), 2020);
        assert_eq!(exercice(&c, d(2021, 3, 1)), 2021);
        assert_eq!(exercice(&c, d(2022, 6, 30)), 2021);
    }
}
