//! The portfolio's figures, computed once for both its reports (the workbook and the JSON
//! summary): each convention's key figures and their sums, the orphans' sums, the status,
//! the findings by severity and since when they are open, and the conservation across
//! conventions. Money stays `Decimal`; nothing here formats.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Member, Portfolio};
use crate::model::{Measure, Origin};
use crate::reconcile::findings::Finding;
use crate::reconcile::{Reconciliation, Severity, Status};

/// A convention's key figures, as its `Synthèse` and its summary's `totals` give them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub ae_allocated: Decimal,
    pub ae_consumed: Decimal,
    pub ae_available: Decimal,
    pub cp_allocated: Decimal,
    pub cp_consumed: Decimal,
    pub cp_available: Decimal,
    pub remaining_to_pay: Decimal,
}

impl Figures {
    pub fn of(member: &Member) -> Figures {
        let t = &member.ctx.run.reconciliation.totals;
        Figures {
            ae_allocated: t.ae_allocated,
            ae_consumed: t.ae_consumed,
            ae_available: t.ae_available(),
            cp_allocated: t.cp_allocated,
            cp_consumed: t.cp_consumed,
            cp_available: t.cp_available(),
            remaining_to_pay: t.remaining_to_pay,
        }
    }

    /// In the order of the workbook's columns.
    pub fn columns(&self) -> [Decimal; 7] {
        [
            self.ae_allocated,
            self.ae_consumed,
            self.ae_available,
            self.cp_allocated,
            self.cp_consumed,
            self.cp_available,
            self.remaining_to_pay,
        ]
    }

    fn add(self, o: Figures) -> Figures {
        Figures {
            ae_allocated: self.ae_allocated + o.ae_allocated,
            ae_consumed: self.ae_consumed + o.ae_consumed,
            ae_available: self.ae_available + o.ae_available,
            cp_allocated: self.cp_allocated + o.cp_allocated,
            cp_consumed: self.cp_consumed + o.cp_consumed,
            cp_available: self.cp_available + o.cp_available,
            remaining_to_pay: self.remaining_to_pay + o.remaining_to_pay,
        }
    }
}

/// The sums of the conventions' figures.
pub fn total(p: &Portfolio) -> Figures {
    p.members
        .iter()
        .map(Figures::of)
        .fold(Figures::default(), Figures::add)
}

/// Rows and their amounts by measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub lines: i64,
    pub ae: Decimal,
    pub cp: Decimal,
}

impl Share {
    fn add(&mut self, measure: Measure, amount: Decimal) {
        match measure {
            Measure::Ae => self.ae += amount,
            Measure::Cp => self.cp += amount,
        }
    }

    fn minus(self, o: Share) -> Share {
        Share {
            lines: self.lines - o.lines,
            ae: self.ae - o.ae,
            cp: self.cp - o.cp,
        }
    }
}

/// The orphan lines: rows (a row carrying AE and CP counts once) and amounts.
pub fn orphans(p: &Portfolio) -> Share {
    let mut share = Share::default();
    for o in p.orphans {
        share.add(o.line.measure, o.line.amount);
    }
    let rows: BTreeSet<_> = p.orphans.iter().map(|o| o.line.origin).collect();
    share.lines = rows.len() as i64;
    share
}

/// Every row read, once (see `model::summary::PortfolioConservation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    pub read: Share,
    pub conventions: Share,
    pub orphans: Share,
    pub set_aside: Share,
    pub outside: Share,
    pub holds: bool,
}

/// What a convention's run read, and what it set aside whatever the convention
/// (rejected rows, duplicates, replaced states): the same in every convention's run.
fn read_and_set_aside(rec: &Reconciliation) -> (Share, Share) {
    let c = &rec.conservation;
    let read = Share {
        lines: c.rows_in as i64,
        ae: c.ae_in,
        cp: c.cp_in,
    };
    let n = rec.counts;
    let mut aside = Share {
        lines: (n.rejected + n.duplicates + n.replaced) as i64,
        ..Share::default()
    };
    for d in &rec.duplicates {
        aside.add(d.measure, d.amount);
    }
    for r in &rec.replaced {
        aside.add(r.measure, r.amount);
    }
    (read, aside)
}

/// A convention's rows in scope and their amounts (the carry-over split off its
/// engagements included, as its own conservation counts it).
fn in_scope(rec: &Reconciliation) -> Share {
    let mut share = Share {
        lines: rec.counts.in_scope as i64,
        ae: rec.carry_split,
        ..Share::default()
    };
    for l in &rec.lines {
        share.add(l.judged.line.measure, l.judged.line.amount);
    }
    share
}

/// The conservation across conventions: what was read is in a convention, an orphan,
/// set aside, or out of every scope (the rest). It holds when each convention's own
/// conservation holds, every run read the same, no row is in two conventions' scopes nor
/// both in one and an orphan, and the rest is not below zero rows.
pub fn balance(p: &Portfolio) -> Balance {
    let recs: Vec<&Reconciliation> = p
        .members
        .iter()
        .map(|m| &m.ctx.run.reconciliation)
        .collect();
    let (read, set_aside) = recs
        .first()
        .map(|r| read_and_set_aside(r))
        .unwrap_or_default();
    let mut conventions = Share::default();
    for rec in &recs {
        let s = in_scope(rec);
        conventions.lines += s.lines;
        conventions.ae += s.ae;
        conventions.cp += s.cp;
    }
    let orphans = orphans(p);
    let outside = read.minus(conventions).minus(orphans).minus(set_aside);
    let same_input = recs
        .iter()
        .all(|r| read_and_set_aside(r) == (read, set_aside));
    let each_holds = recs.iter().all(|r| r.conservation.holds());
    Balance {
        read,
        conventions,
        orphans,
        set_aside,
        outside,
        holds: same_input && each_holds && disjoint(p) && outside.lines >= 0,
    }
}

/// Whether every row is in at most one convention's scope or the orphans (a row may give
/// an AE and a CP line, in the same place).
fn disjoint(p: &Portfolio) -> bool {
    let mut rows: Vec<Origin> = Vec::new();
    for m in &p.members {
        let start = rows.len();
        let lines = &m.ctx.run.reconciliation.lines;
        rows.extend(lines.iter().map(|l| l.judged.line.origin));
        dedup_from(&mut rows, start);
    }
    let start = rows.len();
    rows.extend(p.orphans.iter().map(|o| o.line.origin));
    dedup_from(&mut rows, start);
    let all = rows.len();
    rows.sort_unstable();
    rows.dedup();
    rows.len() == all
}

/// Sorts and dedups `rows[start..]`, leaving the rows before it as they are.
fn dedup_from(rows: &mut Vec<Origin>, start: usize) {
    let mut tail = rows.split_off(start);
    tail.sort_unstable();
    tail.dedup();
    rows.extend(tail);
}

/// The portfolio's own findings that count for its status (not accepted on justification).
fn counted(findings: &[Finding]) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(|f| f.counts())
}

/// The worst of the conventions' statuses and of the portfolio's own findings.
pub fn status(p: &Portfolio) -> Status {
    let own = match counted(p.findings).map(|f| f.severity).min() {
        Some(Severity::Error) => Status::Error,
        Some(Severity::Warning) => Status::Warning,
        _ => Status::Ok,
    };
    p.members
        .iter()
        .map(|m| m.ctx.run.reconciliation.status())
        .fold(own, Status::max)
}

/// Findings by severity: error, warning, info.
pub fn by_severity(findings: &[Finding]) -> [usize; 3] {
    let mut n = [0; 3];
    for f in findings {
        n[f.severity as usize] += 1;
    }
    n
}

/// Every finding of the portfolio by severity: the conventions' and its own.
pub fn all_by_severity(p: &Portfolio) -> [usize; 3] {
    let mut n = by_severity(p.findings);
    for m in &p.members {
        let own = by_severity(&m.ctx.run.reconciliation.findings);
        for (total, k) in n.iter_mut().zip(own) {
            *total += k;
        }
    }
    n
}

/// Since when the oldest of these findings is open (`--previous`); `None` without a
/// follow-up.
pub fn since(findings: &[Finding]) -> Option<NaiveDate> {
    findings
        .iter()
        .filter_map(|f| f.follow_up.map(|u| u.first_seen))
        .min()
}

/// The oldest open finding of the whole portfolio.
pub fn oldest(p: &Portfolio) -> Option<NaiveDate> {
    let members = p
        .members
        .iter()
        .filter_map(|m| since(&m.ctx.run.reconciliation.findings));
    members.chain(since(p.findings)).min()
}

/// The délégataires of the conventions, each once, in order of appearance.
pub fn delegataires<'a>(p: &Portfolio<'a>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for m in &p.members {
        let d = m.ctx.convention.delegataire.as_str();
        if !seen.contains(&d) {
            seen.push(d);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::model::sample_line;
    use crate::reconcile::findings::{Code, FollowUp, Justification, JustificationStatus};
    use crate::reconcile::portfolio::{AttachedBy, Orphan};

    fn orphan(row: u64, measure: Measure, amount: Decimal) -> Orphan {
        let mut line = sample_line();
        line.origin = crate::model::Origin { input: 0, row };
        line.measure = measure;
        line.amount = amount;
        Orphan {
            line,
            input_label: "ej.csv".into(),
            attached_by: AttachedBy::CentreCout,
            key: format!("LIGNE_ORPHELINE:{row}"),
        }
    }

    fn date(m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, m, 1).unwrap()
    }

    fn portfolio<'a>(orphans: &'a [Orphan], findings: &'a [Finding]) -> Portfolio<'a> {
        Portfolio {
            members: Vec::new(),
            perimeter: None,
            orphans,
            findings,
        }
    }

    #[test]
    fn orphans_count_rows_once_and_sum_each_measure_apart() {
        // Row 3 carries an AE and a CP line: one row.
        let orphans = [
            orphan(2, Measure::Ae, dec!(8000)),
            orphan(3, Measure::Ae, dec!(4500)),
            orphan(3, Measure::Cp, dec!(1000.25)),
        ];
        let s = super::orphans(&portfolio(&orphans, &[]));
        assert_eq!(
            s,
            Share {
                lines: 2,
                ae: dec!(12500),
                cp: dec!(1000.25)
            }
        );
        let b = balance(&portfolio(&orphans, &[]));
        assert!(!b.holds, "3 lines out of none read: {b:?}");
    }

    #[test]
    fn the_portfolio_own_findings_set_its_status_unless_accepted() {
        let mut warning = Finding::new(Code::LigneOrpheline, "m".into());
        let p = portfolio(&[], std::slice::from_ref(&warning));
        assert_eq!(status(&p), Status::Warning);
        assert_eq!(by_severity(p.findings), [0, 1, 0]);
        warning.justification = Some(Justification {
            key: "LIGNE_ORPHELINE:x".into(),
            status: JustificationStatus::Accepted,
            comment: None,
            author: None,
            date: None,
            row: 2,
        });
        let p = portfolio(&[], std::slice::from_ref(&warning));
        assert_eq!(status(&p), Status::Ok, "accepted: listed, not counted");
        assert_eq!(by_severity(p.findings), [0, 1, 0], "still listed");
        assert_eq!(status(&portfolio(&[], &[])), Status::Ok);
    }

    #[test]
    fn since_is_the_earliest_first_seen_and_nothing_without_follow_up() {
        let mut findings = vec![Finding::new(Code::LigneOrpheline, "m".into()); 3];
        assert_eq!(since(&findings), None);
        findings[1].follow_up = Some(FollowUp {
            first_seen: date(5),
            is_new: false,
        });
        findings[2].follow_up = Some(FollowUp {
            first_seen: date(3),
            is_new: false,
        });
        assert_eq!(since(&findings), Some(date(3)));
        assert_eq!(oldest(&portfolio(&[], &findings)), Some(date(3)));
    }

    #[test]
    fn rows_are_disjoint_unless_one_is_in_two_places() {
        let mut rows = vec![
            Origin { input: 0, row: 9 },
            Origin { input: 0, row: 5 },
            Origin { input: 0, row: 5 },
        ];
        dedup_from(&mut rows, 1);
        assert_eq!(
            rows,
            [Origin { input: 0, row: 9 }, Origin { input: 0, row: 5 }]
        );
        let twice = [
            orphan(2, Measure::Ae, dec!(1)),
            orphan(2, Measure::Cp, dec!(1)),
        ];
        assert!(disjoint(&portfolio(&twice, &[])), "AE and CP of one row");
    }
}
