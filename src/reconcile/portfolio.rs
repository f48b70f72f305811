//! What a portfolio run (several conventions, issue 15) adds beside each convention's own
//! reconciliation: the lines of the délégataire's scope that no convention claims.

use crate::model::money::euros;
use crate::model::{Line, Measure, Origin};
use crate::reconcile::findings::{Code, Finding};

/// Which axis of the délégataire's scope (`portefeuille.toml`) holds an orphan line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttachedBy {
    CentreFinancier,
    CentreCout,
    Both,
}

impl AttachedBy {
    /// How the workbook says it (« UO », « centre de coût », « UO et centre de coût »).
    pub fn label(self) -> &'static str {
        match self {
            AttachedBy::CentreFinancier => "UO",
            AttachedBy::CentreCout => "centre de coût",
            AttachedBy::Both => "UO et centre de coût",
        }
    }
}

/// A line of the délégataire's scope that no convention claims (`LIGNE_ORPHELINE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub line: Line,
    /// Its input's name, as the reports show it.
    pub input_label: String,
    pub attached_by: AttachedBy,
    /// Its finding's key (`LIGNE_ORPHELINE:<the line's key>`).
    pub key: String,
}

/// A line of the délégataire's scope that no convention claims, as the pipeline found it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub line: Line,
    /// Its key as an out-of-scope line (the line findings' key).
    pub key: u128,
    pub input_label: String,
    /// Its input's extraction date: of the same line in several extracts, the newest is kept.
    pub extracted: Option<chrono::NaiveDate>,
    pub attached_by: AttachedBy,
}

/// How a line is attached to the scope, from `(by UO, by centre de coût)`.
pub fn attached_by(attached: (bool, bool)) -> Option<AttachedBy> {
    match attached {
        (true, true) => Some(AttachedBy::Both),
        (true, false) => Some(AttachedBy::CentreFinancier),
        (false, true) => Some(AttachedBy::CentreCout),
        (false, false) => None,
    }
}

/// The orphans, one per line key (the same line in several extracts counts once: the
/// newest extract's, then the last in input order), in input and row order, and their
/// `LIGNE_ORPHELINE` findings (warnings), keyed `LIGNE_ORPHELINE:<the line's key>`.
pub fn orphans(candidates: Vec<Candidate>) -> (Vec<Orphan>, Vec<Finding>) {
    let mut newest: std::collections::BTreeMap<
        (u128, Measure),
        (Option<chrono::NaiveDate>, Origin),
    > = Default::default();
    for c in &candidates {
        let entry = newest
            .entry((c.key, c.line.measure))
            .or_insert((c.extracted, c.line.origin));
        if (c.extracted, c.line.origin) >= *entry {
            *entry = (c.extracted, c.line.origin);
        }
    }
    let mut orphans: Vec<Orphan> = candidates
        .into_iter()
        .filter(|c| newest[&(c.key, c.line.measure)].1 == c.line.origin)
        .map(|c| Orphan {
            key: format!("{}:{:032x}", Code::LigneOrpheline.as_str(), c.key),
            line: c.line,
            input_label: c.input_label,
            attached_by: c.attached_by,
        })
        .collect();
    orphans.sort_by_key(|o| (o.line.origin, o.line.measure));
    let findings = orphans.iter().map(finding).collect();
    (orphans, findings)
}

fn finding(o: &Orphan) -> Finding {
    let line = &o.line;
    let piece = match (&line.dp, &line.ej) {
        (Some(dp), _) => format!("DP {dp}"),
        (None, Some(ej)) => format!("EJ {ej}"),
        (None, None) => "ligne".to_string(),
    };
    let mut f = Finding::new(
        Code::LigneOrpheline,
        format!(
            "{piece} ({}, ligne {}) : {} {} du périmètre du délégataire (rattachée par {}) qu'aucune convention ne réclame",
            o.input_label,
            line.origin.row,
            line.measure.label(),
            euros(line.amount),
            o.attached_by.label(),
        ),
    );
    f.origin = Some(line.origin);
    f.ej = line.ej.as_deref().map(str::to_string);
    f.amount = Some(line.amount);
    f.measure = Some(line.measure);
    f.year = Some(line.year);
    f.key = o.key.clone();
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn candidate(key: u128, input: u32, extracted: Option<&str>) -> Candidate {
        let mut line = crate::model::sample_line();
        line.origin = Origin { input, row: 2 };
        line.amount = dec!(8000);
        Candidate {
            line,
            key,
            input_label: format!("extrait{input}.csv"),
            extracted: extracted.map(|d| d.parse().unwrap()),
            attached_by: AttachedBy::CentreCout,
        }
    }

    #[test]
    fn an_orphan_in_two_extracts_counts_once_from_the_newest() {
        let (orphans, findings) = orphans(vec![
            candidate(7, 0, Some("2021-02-01")),
            candidate(7, 1, Some("2021-01-01")),
            candidate(9, 1, None),
        ]);
        assert_eq!(orphans.len(), 2);
        assert_eq!(orphans[0].line.origin.input, 0, "the newest extract's");
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].key, format!("LIGNE_ORPHELINE:{:032x}", 7u128));
        assert_eq!(findings[0].severity, crate::reconcile::Severity::Warning);
        assert!(
            findings[0].message.contains("8\u{202f}000,00"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[0].message.contains("centre de coût"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn attached_by_says_which_list_holds_the_line() {
        assert_eq!(attached_by((true, true)), Some(AttachedBy::Both));
        assert_eq!(attached_by((false, true)), Some(AttachedBy::CentreCout));
        assert_eq!(attached_by((false, false)), None);
    }
}
