//! A raw row judged against several conventions at once (the portfolio pass, issue 15):
//! normalised whole once if any convention needs it whole (a line in its scope, a
//! partial imputation of it, a batch it keeps in detail) or if the délégataire's scope
//! holds it, and kept slim otherwise — the same choices each convention's own run makes,
//! made once for all of them. Each convention's view is derived from it afterwards
//! (`pipeline::portfolio`).

use chrono::NaiveDate;
use compact_str::CompactString;

use super::{AxisVerdict, Judgement, judge_axes};
use crate::convention::Convention;
use crate::convention::portfolio::Perimeter;
use crate::ingest::record::RawRecord;
use crate::ingest::skip::Skip;
use crate::model::{Axis, AxisSet, Identity, Line, Reduction, Rejection};
use crate::normalize::{self, FileContext, RowOutcome};

/// The conventions of a run, with the axes each input lets them check.
#[derive(Debug, Clone, Copy)]
pub struct Panel<'a> {
    pub conventions: &'a [Convention],
    /// Per convention, the axes this input carries that it defines.
    pub checked: &'a [AxisSet],
    pub perimeter: Option<&'a Perimeter>,
}

/// A line kept whole, once for every convention.
#[derive(Debug, Clone)]
pub struct SharedLine {
    pub line: Box<Line>,
    /// Its key when out of a convention's scope (a text-identified line is then keyed by
    /// its row's text, as a single run keys it).
    pub out_key: u128,
    /// The convention it goes to: the one whose scope holds it; of several, the one whose
    /// period holds its date, else the first (`-c` order).
    pub owner: Option<u16>,
    /// Of the délégataire's scope (`portefeuille.toml`): by UO, by centre de coût.
    pub attached: (bool, bool),
    /// When its axes and its date leave several conventions (an extract without the axes
    /// that set them apart, e.g. an AIFE payment file without centre de coût): those
    /// conventions; its EJ then decides (`pipeline::portfolio`).
    pub ambiguous: Option<Box<[u16]>>,
}

/// What a row became, for every convention at once.
pub enum Shared {
    Skipped(Skip),
    NotAMovement(CompactString),
    /// A journal reduction, and the conventions whose scope holds its row.
    Reduction(Reduction, CompactString, Vec<u16>),
    Lines(Vec<SharedLine>),
    /// Rejected when normalised whole; the slim judgement the conventions that keep the
    /// row slim make of it (`None` when every convention needs it whole), and which
    /// conventions needed it whole.
    Rejected(Rejection, Option<Box<Judgement>>, Vec<bool>),
    /// Slim for every convention: a `Judgement::Slim` (its `differing` is recomputed per
    /// convention), or a rejection on the slim path.
    Slim(Judgement),
}

/// Judges a row against every convention of `panel`; `detail[c]`: convention `c` keeps
/// this batch's out-of-scope lines in detail.
pub fn judge_shared(
    record: &RawRecord,
    ctx: &FileContext,
    panel: Panel,
    detail: &[bool],
) -> Shared {
    if let Some(RowOutcome::Skipped(kind)) = normalize::data_row(record, ctx) {
        return Shared::Skipped(kind);
    }
    let axes = normalize::axis_values(record, ctx);
    let verdict = |c: usize| judge_axes(|a| axes.get(a), panel.checked[c], &panel.conventions[c]);
    let needs_whole = |c: usize, v: AxisVerdict| detail[c] || v.in_scope || v.is_partial();
    // Most rows are out of every scope: no allocation to find it out.
    let any_whole = (0..panel.conventions.len()).any(|c| needs_whole(c, verdict(c)));
    let attached = panel.perimeter.is_some_and(|p| {
        let (uo, cc) = p.attaches(axes.get(Axis::CentreFinancier), axes.get(Axis::CentreCout));
        uo || cc
    });
    // Any convention's slim path gives the same judgement: only `differing` depends on
    // the convention, and it is recomputed from the imputation.
    let slim = || super::row::slim(record, ctx, axes.group_hash(), AxisSet::default());
    if !any_whole && !attached {
        return Shared::Slim(slim());
    }
    let verdicts: Vec<AxisVerdict> = (0..panel.conventions.len()).map(verdict).collect();
    let whole_for: Vec<bool> = (verdicts.iter().enumerate())
        .map(|(c, v)| needs_whole(c, *v))
        .collect();
    match normalize::normalize(record, ctx) {
        RowOutcome::Skipped(kind) => Shared::Skipped(kind),
        RowOutcome::NotAMovement(figure) => Shared::NotAMovement(figure),
        RowOutcome::Reduction(r, figure) => {
            let claims = (verdicts.iter().enumerate())
                .filter(|(_, v)| v.in_scope)
                .map(|(c, _)| c as u16)
                .collect();
            Shared::Reduction(r, figure, claims)
        }
        RowOutcome::Lines(lines) => Shared::Lines(
            lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| shared_line(line, record.content_hash(i as u64), panel))
                .collect(),
        ),
        RowOutcome::Rejected(r) => {
            let alternative = whole_for.iter().any(|w| !w).then(|| Box::new(slim()));
            Shared::Rejected(r, alternative, whole_for)
        }
    }
}

fn shared_line(line: Line, content_key: u128, panel: Panel) -> SharedLine {
    let out_key = match line.identity {
        Identity::State(key) | Identity::Movement(key) => key,
        Identity::Content => content_key,
    };
    let claims: Vec<usize> = (panel.conventions.iter().zip(panel.checked))
        .enumerate()
        .filter(|(_, (c, checked))| judge_axes(|a| line.axis_value(a), **checked, c).in_scope)
        .map(|(i, _)| i)
        .collect();
    let owner = owner(&claims, panel.conventions, line.date).map(|c| c as u16);
    let ambiguous = ambiguous(&claims, panel.conventions, line.date);
    let attached = panel.perimeter.map_or((false, false), |p| {
        p.attaches(
            line.centre_financier.as_deref(),
            line.centre_cout.as_deref(),
        )
    });
    SharedLine {
        line: Box::new(line),
        out_key,
        owner,
        attached,
        ambiguous,
    }
}

/// The claiming conventions the line's date does not tell apart (every one whose period
/// holds it; all of them for an undated line), when there are several.
fn ambiguous(
    claims: &[usize],
    conventions: &[Convention],
    date: Option<NaiveDate>,
) -> Option<Box<[u16]>> {
    let within = |c: &&usize| {
        let (start, end) = crate::convention::portfolio::span(&conventions[**c]);
        date.is_none_or(|d| start <= d && d <= end)
    };
    let left: Box<[u16]> = claims.iter().filter(within).map(|c| *c as u16).collect();
    (left.len() > 1).then_some(left)
}

/// Of the conventions claiming a line, the one it goes to: the first whose period (as
/// amended) holds the line's date, else the first claiming it.
pub fn owner(
    claims: &[usize],
    conventions: &[Convention],
    date: Option<NaiveDate>,
) -> Option<usize> {
    if claims.len() > 1
        && let Some(date) = date
        && let Some(c) = claims.iter().find(|c| {
            let (start, end) = crate::convention::portfolio::span(&conventions[**c]);
            start <= date && date <= end
        })
    {
        return Some(*c);
    }
    claims.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convention(start: &str, end: &str) -> Convention {
        let text = crate::convention::BUILTIN_TEXT
            .replace("debut = 2020-01-01", &format!("debut = {start}"))
            .replace("fin = 2021-07-31", &format!("fin = {end}"));
        Convention::parse(&text, "c.toml").unwrap()
    }

    #[test]
    fn a_line_several_conventions_claim_goes_to_the_one_whose_period_holds_its_date() {
        let first = convention("2020-01-01", "2020-12-31");
        let second = convention("2021-01-01", "2021-12-31");
        assert_eq!(
            first.start.to_string(),
            "2020-01-01",
            "the template changed"
        );
        let both = [first, second];
        let date = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
        assert_eq!(owner(&[0, 1], &both, date("2021-03-01")), Some(1));
        assert_eq!(owner(&[0, 1], &both, date("2020-03-01")), Some(0));
        // Neither period holds it, or no date: the first in -c order.
        assert_eq!(owner(&[0, 1], &both, date("2019-03-01")), Some(0));
        assert_eq!(owner(&[0, 1], &both, None), Some(0));
        assert_eq!(owner(&[1], &both, date("2020-03-01")), Some(1));
        assert_eq!(owner(&[], &both, None), None);
    }
}
