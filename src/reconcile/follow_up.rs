//! Month over month: last month's JSON summary against this run's findings. Each finding
//! is new or still open (since when); last month's findings not found again are resolved.
//! Findings are matched on their key (what they are about), never on file names or rows,
//! which change with every extract. A pure function: the summary is read (and checked,
//! `Summary::check`) by the caller, the marks are set by `reconcile`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::findings::{Finding, FollowUp};
use crate::model::summary::{Finding as Previous, Resolved, Summary};

/// This run's findings against last month's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUps {
    /// One mark per finding, in the findings' order.
    pub marks: Vec<FollowUp>,
    /// Last month's findings not found again, in last month's order.
    pub resolved: Vec<Resolved>,
}

/// When a finding of last month was first seen: its `first_seen`, or that month's date
/// for a summary that did not follow findings up.
fn first_seen(f: &Previous, previous: &Summary) -> NaiveDate {
    f.first_seen.unwrap_or(previous.as_of)
}

/// Marks each finding of this run (dated `as_of`) new or open, and lists last month's
/// findings that are gone. A finding of last month without a key (an early summary)
/// matches nothing and is not said resolved.
pub fn follow(findings: &[Finding], as_of: NaiveDate, previous: &Summary) -> FollowUps {
    let before: BTreeMap<&str, &Previous> = previous
        .findings
        .iter()
        .filter(|f| !f.key.is_empty())
        .map(|f| (f.key.as_str(), f))
        .collect();
    let marks = findings
        .iter()
        .map(|f| match before.get(f.key.as_str()) {
            Some(p) => FollowUp {
                first_seen: first_seen(p, previous),
                is_new: false,
            },
            None => FollowUp {
                first_seen: as_of,
                is_new: true,
            },
        })
        .collect();
    let now: BTreeSet<&str> = findings.iter().map(|f| f.key.as_str()).collect();
    let resolved = previous
        .findings
        .iter()
        .filter(|p| !p.key.is_empty() && !now.contains(p.key.as_str()))
        .map(|p| Resolved {
            code: p.code.clone(),
            severity: p.severity,
            message: p.message.clone(),
            key: p.key.clone(),
            first_seen: first_seen(p, previous),
            file: p.file.clone(),
            row: p.row,
            ej: p.ej.clone(),
            amount: p.amount.clone(),
        })
        .collect();
    FollowUps { marks, resolved }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::summary::Severity;
    use crate::reconcile::Code;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, m, d).unwrap()
    }

    fn now(key: &str) -> Finding {
        Finding {
            key: key.into(),
            ..Finding::new(Code::DpSansEj, "m".into())
        }
    }

    fn before(key: &str, first_seen: Option<NaiveDate>) -> Previous {
        serde_json::from_value(serde_json::json!({
            "code": "DP_SANS_EJ", "severity": "warning", "message": "avant",
            "key": key, "first_seen": first_seen, "row": 7
        }))
        .unwrap()
    }

    #[test]
    fn findings_are_new_open_since_their_first_sighting_or_resolved() {
        let previous = Summary {
            findings: vec![
                before("A", Some(date(4, 30))),
                before("B", None),
                before("C", Some(date(5, 31))),
                before("", None),
            ],
            ..serde_json::from_str(r#"{"as_of": "2021-06-30", "findings": []}"#).unwrap()
        };
        let followed = follow(&[now("B"), now("A"), now("D")], date(7, 31), &previous);
        let marks: Vec<_> = followed
            .marks
            .iter()
            .map(|m| (m.is_new, m.first_seen))
            .collect();
        assert_eq!(
            marks,
            [
                (false, date(6, 30)),
                (false, date(4, 30)),
                (true, date(7, 31))
            ]
        );
        // C is gone; the finding without a key is neither matched nor resolved.
        assert_eq!(followed.resolved.len(), 1);
        let c = &followed.resolved[0];
        assert_eq!(
            (c.key.as_str(), c.severity, c.first_seen, c.row),
            ("C", Severity::Warning, date(5, 31), Some(7))
        );
    }
}
