//! Month over month: last month's JSON summary against this run's findings. Each finding
//! is new or still open (since when); last month's findings not found again are resolved.
//! Findings are matched on their key (what they are about), never on file names or rows,
//! which change with every extract.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{FollowUp, Reconciliation};

/// What is read of a previous summary (any version that has these keys).
#[derive(Debug, Clone, Deserialize)]
pub struct PreviousSummary {
    pub as_of: NaiveDate,
    #[serde(default)]
    pub convention: Option<PreviousConvention>,
    pub findings: Vec<PreviousFinding>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PreviousConvention {
    pub id: String,
}

/// No date of a summary comes before this one (Chorus opened in 2011; conventions are
/// dated from 1990): an earlier one is a damaged or hand-edited file.
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1990, 1, 1).expect("a valid date");

impl PreviousSummary {
    /// Refuses a summary that cannot be last month's of this convention (in French): its
    /// date after this run's, another convention, or dates out of any sense (« toujours
    /// ouverte depuis 3169979 mois »).
    pub fn check(&self, convention_id: &str, as_of: NaiveDate) -> Result<(), String> {
        if let Some(c) = &self.convention
            && c.id != convention_id
        {
            return Err(format!(
                "c'est le résumé de la convention « {} », pas de « {convention_id} » : donnez le résumé précédent de cette convention",
                c.id
            ));
        }
        let date = |d: NaiveDate| d.format("%d/%m/%Y");
        if self.as_of > as_of {
            return Err(format!(
                "ce résumé est daté du {}, après la date de ce rapprochement ({}) : ce n'est pas un résumé précédent (voyez --as-of)",
                date(self.as_of),
                date(as_of)
            ));
        }
        if self.as_of < EARLIEST {
            return Err(format!(
                "date « as_of » invraisemblable ({}) : fichier abîmé ou modifié à la main",
                self.as_of
            ));
        }
        for (i, f) in self.findings.iter().enumerate() {
            if let Some(seen) = f.first_seen
                && !(EARLIEST..=self.as_of).contains(&seen)
            {
                return Err(format!(
                    "anomalie n° {} ({}) : date « first_seen » invraisemblable ({seen}), hors du {} au {} : fichier abîmé ou modifié à la main",
                    i + 1,
                    f.code,
                    date(EARLIEST),
                    date(self.as_of)
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct PreviousFinding {
    pub code: String,
    pub severity: String,
    pub message: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub first_seen: Option<NaiveDate>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub row: Option<u64>,
    #[serde(default)]
    pub ej: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
}

impl PreviousFinding {
    fn first_seen(&self, previous: &PreviousSummary) -> NaiveDate {
        self.first_seen.unwrap_or(previous.as_of)
    }
}

/// A finding of last month that this run no longer finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub key: String,
    pub first_seen: NaiveDate,
    pub file: Option<String>,
    pub row: Option<u64>,
    pub ej: Option<String>,
    pub amount: Option<String>,
}

/// Marks each finding new or open, and lists the resolved ones.
pub fn apply(rec: &mut Reconciliation, previous: &PreviousSummary) {
    use std::collections::BTreeMap;
    let before: BTreeMap<&str, &PreviousFinding> = previous
        .findings
        .iter()
        .filter_map(|f| f.key.as_deref().map(|k| (k, f)))
        .collect();
    for f in &mut rec.findings {
        f.follow_up = Some(match before.get(f.key.as_str()) {
            Some(p) => FollowUp {
                first_seen: p.first_seen(previous),
                is_new: false,
            },
            None => FollowUp {
                first_seen: rec.as_of,
                is_new: true,
            },
        });
    }
    let now: std::collections::BTreeSet<&str> =
        rec.findings.iter().map(|f| f.key.as_str()).collect();
    rec.resolved = previous
        .findings
        .iter()
        .filter(|p| p.key.as_deref().is_some_and(|k| !now.contains(k)))
        .map(|p| Resolved {
            code: p.code.clone(),
            severity: p.severity.clone(),
            message: p.message.clone(),
            key: p.key.clone().unwrap_or_default(),
            first_seen: p.first_seen(previous),
            file: p.file.clone(),
            row: p.row,
            ej: p.ej.clone(),
            amount: p.amount.clone(),
        })
        .collect();
}
