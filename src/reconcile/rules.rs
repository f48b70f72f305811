//! The convention's rules, applied to the reconciled lines and sums. Each rule emits
//! findings with a stable code and a French message that says what to do.
//!
//! [`findings`] runs them in a fixed order, by family: each line on its own
//! ([`lines`]), what the extracts say about themselves ([`extracts`]), the sums against
//! the convention ([`credits`]); then the whole-run checks here. It caps the findings per
//! input, keys each one by its subject and sorts them.

mod credits;
mod extracts;
mod lines;

use rust_decimal::Decimal;

use self::credits::{
    ceilings, open_after_end, payments_above_commitments, schedule, unused_credits,
};
use self::extracts::{partial_imputations, rejections, state_changes, unknown_carries};
use self::lines::{after_as_of, line_rules};
use super::Reconciliation;
use super::findings::{Code, Finding, Target};
use crate::convention::Convention;
use crate::model::money::euros;

pub(super) fn findings(convention: &Convention, rec: &Reconciliation) -> Vec<Finding> {
    let mut out = line_rules(convention, rec);
    partial_imputations(rec, &mut out);
    rejections(rec, &mut out);
    state_changes(convention, rec, &mut out);
    unknown_carries(rec, &mut out);
    if rec.has_commitments {
        payments_above_commitments(rec, &mut out);
    }
    ceilings(rec, &mut out);
    schedule(convention, rec, &mut out);
    unused_credits(convention, rec, &mut out);
    super::forecast::unused_foreseen(convention, rec, &mut out);
    open_after_end(convention, rec, &mut out);
    ignored_files(rec, &mut out);
    after_as_of(rec, &mut out);
    empty_scope(convention, rec, &mut out);
    conservation(rec, &mut out);
    let mut out = cap_per_input(out, rec);
    for f in &mut out {
        f.key = format!("{}:{}", f.code.as_str(), subject(f, rec, convention));
    }
    // Keyed by EJ poste already (`REDUCTION_SANS_PAIEMENT:ej=…|poste=…`).
    out.extend(super::journal::findings(rec));
    // Keyed by first day and measure (`DEPASSEMENT_MISE_A_DISPOSITION:date=…|AE`).
    out.extend(super::provisions::findings(&rec.provisions, rec.as_of));
    out.sort_by(|a, b| {
        (a.severity, a.origin.is_none(), a.origin, a.code).cmp(&(
            b.severity,
            b.origin.is_none(),
            b.origin,
            b.code,
        ))
    });
    out
}

/// Files of the folder that hold no extract.
fn ignored_files(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for file in &rec.ignored_files {
        out.push(Finding {
            path: Some(file.path.clone()),
            ..Finding::new(
                Code::FichierIgnore,
                format!(
                    "Fichier « {} » ignoré : {}. Retirez-le du dossier des extraits s'il n'a rien à y faire, ou remplacez-le par le bon extrait.",
                    file.path, file.reason
                ),
            )
        });
    }
}

/// No line in the convention's scope: nothing to reconcile.
fn empty_scope(convention: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    if rec.lines.is_empty() {
        out.push(Finding::new(
            Code::PerimetreVide,
            format!(
                "Aucune ligne des extraits ne relève de la convention (imputation : {}). Vérifiez que les extraits sont les bons (programme, UO, exercice) et que la convention est la bonne ; rien ne peut être rapproché.",
                convention.imputation_text()
            ),
        ));
    }
}

/// The conservation check failed: a defect of the tool.
fn conservation(rec: &Reconciliation, out: &mut Vec<Finding>) {
    if !rec.conservation.holds() {
        let c = &rec.conservation;
        out.push(Finding::new(
            Code::ConservationRompue,
            format!(
                "Contrôle de conservation en échec : {} lignes lues pour {} ventilées, AE {} pour {}, CP {} pour {}. C'est un défaut de l'outil : signalez-le avec les fichiers d'entrée.",
                c.rows_in, c.rows_out, euros(c.ae_in), euros(c.ae_out), euros(c.cp_in), euros(c.cp_out)
            ),
        ));
    }
}

/// What a finding is about, independent of file names and row numbers: the line's
/// identity for line findings, the EJ, product and year for sums.
fn subject(f: &Finding, rec: &Reconciliation, c: &Convention) -> String {
    if let (Some(input), None) = (f.input, f.target) {
        // About a whole input: keyed by its name (its rows past the budget).
        let label = rec.input_labels.get(input as usize).map(String::as_str);
        return format!("fichier={}|au-dela", label.unwrap_or(""));
    }
    match (f.code, f.target) {
        (Code::CpSuperieurAe | Code::EjSansAe | Code::EjNonSolde, _) => {
            format!("ej={}", f.ej.as_deref().unwrap_or(""))
        }
        (Code::PerimetreVide | Code::DatePosterieure, _) => "run".to_string(),
        (Code::FichierIgnore, _) => format!("fichier={}", f.path.as_deref().unwrap_or("")),
        (_, Some(Target::Line(i))) => format!("{:032x}", rec.lines[i].judged.key),
        (_, Some(Target::OutOfScope(i))) => format!("{:032x}", rec.out_of_scope[i].key),
        (_, Some(Target::Rejection(i))) => {
            // The column at fault and the row's text: what the rejection is about.
            let r = &rec.rejections[i];
            let key = crate::model::digest::KeyHasher::new()
                .tag(b'R')
                .opt_text(r.column.as_deref())
                .text(&r.raw)
                .finish();
            format!("{key:032x}")
        }
        (_, None) => format!(
            "produit={}|annee={}|{}",
            f.product
                .and_then(|p| c.products.get(p))
                .map(|p| p.id.as_str())
                .unwrap_or_default(),
            f.year.map(|y| y.to_string()).unwrap_or_default(),
            f.measure.map(|m| m.label()).unwrap_or_default()
        ),
    }
}

/// Past [`LISTED_PER_INPUT`] findings of one code on the rows of one input, the rest are
/// one finding: how many more, for what amount (in the order the rules found them, which
/// is row order within an input).
fn cap_per_input(findings: Vec<Finding>, rec: &Reconciliation) -> Vec<Finding> {
    use super::findings::LISTED_PER_INPUT;
    let mut listed: rustc_hash::FxHashMap<(Code, u32), usize> = Default::default();
    let mut over: std::collections::BTreeMap<(u32, Code), (u64, Decimal)> = Default::default();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let Some(origin) = f.origin.filter(|_| f.target.is_some()) else {
            kept.push(f);
            continue;
        };
        let n = listed.entry((f.code, origin.input)).or_default();
        if *n < LISTED_PER_INPUT {
            *n += 1;
            kept.push(f);
        } else {
            let e = over.entry((origin.input, f.code)).or_default();
            e.0 += 1;
            e.1 += f.amount.unwrap_or_default();
        }
    }
    for ((input, code), (n, amount)) in over {
        let label = rec.input_labels.get(input as usize).map(String::as_str);
        let mut f = Finding::new(
            code,
            format!(
                "Et {n} autre(s) ligne(s) de « {} » relèvent de {} (pour {}), au-delà des {LISTED_PER_INPUT} listées une à une : comptées ici, non détaillées.",
                label.unwrap_or("?"),
                code.as_str(),
                euros(amount)
            ),
        );
        f.input = Some(input);
        f.amount = Some(amount);
        kept.push(f);
    }
    kept
}
