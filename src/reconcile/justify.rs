//! Justified findings (`--justifications`): the accountant's file says, for a finding's
//! key, why it is accepted (« acceptée »: it stays listed but no longer counts for the
//! status nor `--fail-on`) or followed (« à suivre »: shown, still counted). A pure
//! function, like the follow-up: the file is read (`tables::justifications::load`) by the
//! caller, the marks are set by `reconcile`.
//!
//! A justification whose key names no finding of this run is either
//! - **obsolete** (`JUSTIFICATION_OBSOLETE`, information: the finding is gone, remove the
//!   line) when last month's summary (`--previous`) had that key, among its findings or
//!   its resolved ones, or when the key has a form the tool makes: a known code, `:`, and
//!   a well-formed subject (a line's 32-digit hash; `ej=` an EJ of one of this run's
//!   in-scope lines; `produit=` a product of the convention; `fichier=`; `commande=`;
//!   `run`);
//! - **unknown** (`JUSTIFICATION_INCONNUE`, warning: most likely mistyped) otherwise: an
//!   unknown code, a subject of no form the tool makes, an EJ of no in-scope line (one
//!   found only out of scope included).

use std::collections::BTreeSet;

use super::findings::{Code, Finding, Justification};
use crate::model::summary::Summary;
use crate::tables::justifications::Justifications;

/// What this run knows, to tell a key the tool could have made from a mistyped one.
#[derive(Debug, Clone, Default)]
pub struct Known<'a> {
    /// The EJ numbers of this run's in-scope lines.
    pub ejs: BTreeSet<&'a str>,
    /// The convention's product ids.
    pub products: Vec<&'a str>,
}

/// This run's findings against the justifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Justified {
    /// One mark per finding, in the findings' order: its justification, if any.
    pub marks: Vec<Option<Justification>>,
    /// The justifications that match no finding: obsolete or unknown, in file order.
    pub findings: Vec<Finding>,
}

/// Marks each finding with its justification, and makes a finding of each justification
/// that matches none (obsolete or unknown, see the module's rule).
pub fn justify(
    findings: &[Finding],
    justifications: &Justifications,
    previous: Option<&Summary>,
    known: &Known,
) -> Justified {
    let marks = findings
        .iter()
        .map(|f| justifications.by_key.get(&f.key).cloned())
        .collect();
    let now: BTreeSet<&str> = findings.iter().map(|f| f.key.as_str()).collect();
    let mut unmatched: Vec<&Justification> = justifications
        .by_key
        .values()
        .filter(|j| !now.contains(j.key.as_str()))
        .collect();
    unmatched.sort_by_key(|j| j.row);
    let findings = unmatched
        .into_iter()
        .map(|j| match verdict(&j.key, previous, known) {
            Ok(seen) => obsolete(j, &justifications.file, seen),
            Err(why) => unknown(j, &justifications.file, &why),
        })
        .collect();
    Justified { marks, findings }
}

/// Obsolete (`Ok`, with whether last month's summary had the key) or unknown (`Err`, why).
fn verdict(key: &str, previous: Option<&Summary>, known: &Known) -> Result<bool, String> {
    let Some((code, subject)) = key.split_once(':') else {
        return Err("elle n'a pas la forme « CODE:sujet »".into());
    };
    if code.starts_with("JUSTIFICATION_") {
        return Err("une anomalie de justification ne se justifie pas".into());
    }
    let was_there = previous.is_some_and(|p| {
        p.findings.iter().any(|f| f.key == key) || p.resolved.iter().any(|r| r.key == key)
    });
    if was_there {
        return Ok(true);
    }
    let Some(code) = Code::parse(code) else {
        return Err(format!("le code « {code} » n'existe pas"));
    };
    well_formed(code, subject, known).map(|()| false)
}

/// Whether `subject` has a form the tool makes for `code`'s findings, with what it names
/// present in this run (an EJ) or the convention (a product).
fn well_formed(code: Code, subject: &str, known: &Known) -> Result<(), String> {
    let is_hash = subject.len() == 32
        && subject
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if is_hash || subject == "run" {
        return Ok(());
    }
    if let Some(rest) = subject.strip_prefix("ej=") {
        let ej = rest.split('|').next().unwrap_or_default();
        return match known.ejs.contains(ej) {
            true => Ok(()),
            false => Err(format!(
                "l'EJ « {ej} » n'est celui d'aucune ligne du périmètre"
            )),
        };
    }
    if let Some(rest) = subject.strip_prefix("produit=") {
        let product = rest.split('|').next().unwrap_or_default();
        return match product.is_empty() || known.products.contains(&product) {
            true => Ok(()),
            false => Err(format!(
                "le produit « {product} » n'est pas dans la convention"
            )),
        };
    }
    if let Some(rest) = subject.strip_prefix("date=") {
        // An episode of `DEPASSEMENT_MISE_A_DISPOSITION`: `date=AAAA-MM-JJ|AE` (or `CP`).
        let (day, measure) = rest.split_once('|').unwrap_or((rest, ""));
        let day_ok = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok();
        return match day_ok && matches!(measure, "AE" | "CP") {
            true => Ok(()),
            false => Err(format!(
                "« {subject} » n'est pas un sujet d'anomalie {} (date=AAAA-MM-JJ|AE ou CP)",
                code.as_str()
            )),
        };
    }
    match subject
        .strip_prefix("fichier=")
        .or_else(|| subject.strip_prefix("commande="))
    {
        Some(name) if !name.is_empty() => Ok(()),
        _ => Err(format!(
            "« {subject} » n'est pas un sujet d'anomalie {}",
            code.as_str()
        )),
    }
}

/// Where a justification is, for messages.
fn place(j: &Justification, file: &str) -> String {
    format!("ligne {} du fichier de justifications « {file} »", j.row)
}

fn with_key(code: Code, j: &Justification, file: &str, message: String) -> Finding {
    Finding {
        key: format!("{}:cle={}", code.as_str(), j.key),
        path: Some(file.to_string()),
        ..Finding::new(code, message)
    }
}

fn obsolete(j: &Justification, file: &str, seen_last_month: bool) -> Finding {
    let when = if seen_last_month {
        "relevée le mois précédent, elle ne l'est plus"
    } else {
        "elle n'est pas relevée par ce rapprochement"
    };
    let message = format!(
        "Justification sans objet ({}) : l'anomalie « {} » a disparu ({when}). Retirez la ligne {} du fichier de justifications.",
        place(j, file),
        j.key,
        j.row
    );
    with_key(Code::JustificationObsolete, j, file, message)
}

fn unknown(j: &Justification, file: &str, why: &str) -> Finding {
    let message = format!(
        "Clé inconnue ({}) : « {} » ne désigne aucune anomalie ({why}). Recopiez la clé depuis la colonne « Clé » de l'onglet Anomalies, ou retirez la ligne {}.",
        place(j, file),
        j.key,
        j.row
    );
    with_key(Code::JustificationInconnue, j, file, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::summary::Severity;
    use crate::tables::justifications::Status;

    fn justification(key: &str, row: u64, status: Status) -> Justification {
        Justification {
            key: key.into(),
            status,
            comment: Some("vu avec la DGEC".into()),
            author: None,
            date: None,
            row,
        }
    }

    fn file(rows: &[(&str, Status)]) -> Justifications {
        Justifications {
            file: "justifications.csv".into(),
            by_key: (2..)
                .zip(rows)
                .map(|(row, (key, status))| (key.to_string(), justification(key, row, *status)))
                .collect(),
        }
    }

    fn finding(key: &str) -> Finding {
        Finding {
            key: key.into(),
            ..Finding::new(Code::RetraitAnterieur, "m".into())
        }
    }

    fn known() -> Known<'static> {
        Known {
            ejs: ["2100003004"].into_iter().collect(),
            products: vec!["potentiel", "carbure"],
        }
    }

    const HASH: &str = "42a4fa5460089989c2faa1704363e6f9";

    #[test]
    fn findings_are_marked_with_their_justification() {
        let accepted = format!("RETRAIT_ANTERIEUR:{HASH}");
        let j = file(&[
            (&accepted, Status::Accepted),
            ("DP_SANS_EJ:0000", Status::ToFollow),
        ]);
        let findings = [
            finding("DP_SANS_EJ:0000"),
            finding(&accepted),
            finding("X:1"),
        ];
        let out = justify(&findings, &j, None, &known());
        let marks: Vec<_> = out
            .marks
            .iter()
            .map(|m| m.as_ref().map(|j| j.row))
            .collect();
        assert_eq!(marks, [Some(3), Some(2), None]);
        assert!(out.findings.is_empty());
        let mut marked = findings[1].clone();
        marked.justification = out.marks[1].clone();
        assert!(!marked.counts(), "accepted: listed, not counted");
        marked.justification = out.marks[0].clone();
        assert!(marked.counts(), "to follow: still counted");
    }

    #[test]
    fn unmatched_keys_are_obsolete_when_the_tool_could_make_them() {
        // (key, last month had it, expected code)
        let cases = [
            (
                format!("DP_SANS_EJ:{HASH}"),
                false,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "EJ_NON_SOLDE:ej=2100003004".into(),
                false,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "EJ_NON_SOLDE:ej=2100003044".into(),
                false,
                "JUSTIFICATION_INCONNUE",
            ),
            (
                "EJ_NON_SOLDE:ej=2100003044".into(),
                true,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "ECHEANCIER_DEPASSE:produit=carbure|annee=2021|AE".into(),
                false,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "ECHEANCIER_DEPASSE:produit=carbone|annee=2021|AE".into(),
                false,
                "JUSTIFICATION_INCONNUE",
            ),
            ("PERIMETRE_VIDE:run".into(), false, "JUSTIFICATION_OBSOLETE"),
            (
                "DEPASSEMENT_MISE_A_DISPOSITION:date=2020-07-01|AE".into(),
                false,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "DEPASSEMENT_MISE_A_DISPOSITION:date=2020-07-41|AE".into(),
                false,
                "JUSTIFICATION_INCONNUE",
            ),
            (
                "FICHIER_IGNORE:fichier=a/b.pdf".into(),
                false,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "COMMANDE_SANS_EJ:commande=BC-2020-08".into(),
                false,
                "JUSTIFICATION_OBSOLETE",
            ),
            (
                "COMMANDE_SANS_EJ:commande=".into(),
                false,
                "JUSTIFICATION_INCONNUE",
            ),
            (
                format!("RETRAIT_ANTERIEURE:{HASH}"),
                false,
                "JUSTIFICATION_INCONNUE",
            ),
            (
                format!("RETRAIT_ANTERIEUR:{}", &HASH[1..]),
                false,
                "JUSTIFICATION_INCONNUE",
            ),
            ("RETRAIT_ANTERIEUR".into(), false, "JUSTIFICATION_INCONNUE"),
            (
                "JUSTIFICATION_OBSOLETE:cle=X".into(),
                true,
                "JUSTIFICATION_INCONNUE",
            ),
        ];
        for (key, last_month, expected) in cases {
            let previous: Summary = serde_json::from_value(serde_json::json!({
                "as_of": "2021-01-31",
                "findings": [],
                "resolved": if last_month { vec![serde_json::json!({
                    "code": "X", "severity": "warning", "message": "m", "key": key,
                    "first_seen": "2021-01-31"})] } else { vec![] }
            }))
            .unwrap();
            let out = justify(
                &[finding("AUTRE:1")],
                &file(&[(&key, Status::ToFollow)]),
                Some(&previous),
                &known(),
            );
            assert_eq!(out.findings.len(), 1, "{key}");
            let f = &out.findings[0];
            assert_eq!(f.code.as_str(), expected, "{key}: {}", f.message);
            assert_eq!(f.key, format!("{expected}:cle={key}"));
            assert_eq!(f.path.as_deref(), Some("justifications.csv"));
            assert!(f.message.contains("ligne 2"), "{}", f.message);
            assert!(f.justification.is_none() && f.counts());
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        let j = file(&[
            ("EJ_NON_SOLDE:ej=2100003044", Status::ToFollow),
            (&format!("DP_SANS_EJ:{HASH}"), Status::ToFollow),
        ]);
        let out = justify(&[], &j, None, &known());
        let [unknown, obsolete] = &out.findings[..] else {
            panic!("{:?}", out.findings)
        };
        assert_eq!(unknown.severity, Severity::Warning);
        assert!(
            unknown
                .message
                .contains("l'EJ « 2100003044 » n'est celui d'aucune ligne du périmètre")
                && unknown
                    .message
                    .contains("colonne « Clé » de l'onglet Anomalies"),
            "{}",
            unknown.message
        );
        assert_eq!(obsolete.severity, Severity::Info);
        assert!(
            obsolete
                .message
                .contains("Retirez la ligne 3 du fichier de justifications"),
            "{}",
            obsolete.message
        );
    }
}
