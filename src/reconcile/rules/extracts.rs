//! Rules on what the extracts say about themselves: partial imputations out of scope,
//! unreadable rows, states that changed between extracts, carry-overs that cannot be split.

use crate::convention::Convention;
use crate::model::Measure;
use crate::model::money::euros;
use crate::reconcile::dedup::StateChange;
use crate::reconcile::findings::{Code, Finding, Target};
use crate::reconcile::{Reconciliation, ScopedLine};

use super::lines::{at_line, describe};

pub(super) fn partial_imputations(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for (i, j) in rec.out_of_scope.iter().enumerate() {
        if j.is_partial() {
            let line = &j.line;
            out.push(Finding {
                origin: Some(line.origin),
                ej: line.ej.as_deref().map(str::to_string),
                amount: Some(line.amount),
                year: Some(line.year),
                target: Some(Target::OutOfScope(i)),
                ..Finding::new(
                    Code::ImputationPartielle,
                    format!(
                        "{} concorde avec la convention sur {} mais diffère sur {} : imputation probablement erronée, à faire corriger si la dépense relève de la convention.",
                        describe(line),
                        j.agreeing.labels(),
                        j.differing.labels()
                    ),
                )
            });
        }
    }
}

pub(super) fn rejections(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for (input, &omitted) in rec.rejections_omitted.iter().enumerate() {
        if omitted > 0 {
            let mut f = Finding::new(
                Code::LigneRejetee,
                format!(
                    "{omitted} autre(s) ligne(s) illisible(s) dans « {} », au-delà des {} listées : comptées, non détaillées. Le fichier est sans doute abîmé ou d'une autre mise en page : refaites l'extraction.",
                    rec.input_labels
                        .get(input)
                        .map(String::as_str)
                        .unwrap_or("?"),
                    crate::reconcile::findings::LISTED_PER_INPUT
                ),
            );
            f.input = Some(input as u32);
            out.push(f);
        }
    }
    for (i, r) in rec.rejections.iter().enumerate() {
        out.push(Finding {
            origin: Some(r.origin),
            target: Some(Target::Rejection(i)),
            ..Finding::new(
                Code::LigneRejetee,
                format!(
                    "Ligne illisible{} : {}. Corrigez l'extrait ou refaites l'extraction ; la ligne n'est comptée nulle part.",
                    r.column.as_ref().map(|c| format!(" (colonne « {c} »)")).unwrap_or_default(),
                    r.reason
                ),
            )
        });
    }
}

/// Keys whose extracts disagree. A payment seen with two amounts was corrected between
/// them (`DOUBLON_CONFLICTUEL`: the later amount counts). An EJ poste whose state grew in
/// an extract taken after the convention's end was increased after it (`HORS_PERIODE`).
pub(super) fn state_changes(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    for change in &rec.changes {
        let Some(index) = rec.line_at(change.kept, change.measure) else {
            continue;
        };
        let l = &rec.lines[index];
        let found = match change.measure {
            Measure::Cp => Some(corrected_payment(change, l, index)),
            Measure::Ae => increased_after_end(c, rec, change, l, index),
        };
        out.extend(found);
    }
}

/// `DOUBLON_CONFLICTUEL`: a payment whose amount changed between extracts, the amounts in
/// extract order.
fn corrected_payment(change: &StateChange, l: &ScopedLine, index: usize) -> Finding {
    let line = &l.judged.line;
    let amounts: Vec<String> = change
        .earlier
        .iter()
        .map(|(_, a)| euros(*a))
        .chain([euros(change.kept_amount)])
        .collect();
    let mut f = at_line(
        Code::DoublonConflictuel,
        format!(
            "{} de l'exercice {} figure dans {} extraits avec des montants différents ({}) : c'est une correction entre deux extractions. Seul le montant de l'extrait le plus récent ({}) est compté ; vérifiez-le dans Chorus.",
            describe(line),
            line.year,
            change.earlier.len() + 1,
            amounts.join(" puis "),
            euros(change.kept_amount)
        ),
        l,
        index,
    );
    f.amount = Some(change.kept_amount);
    f
}

/// `HORS_PERIODE`: an EJ poste whose state grew (above every earlier amount) in an
/// extract taken after the convention's end; `None` otherwise.
fn increased_after_end(
    c: &Convention,
    rec: &Reconciliation,
    change: &StateChange,
    l: &ScopedLine,
    index: usize,
) -> Option<Finding> {
    let extracted = rec
        .extracted
        .get(change.kept.input as usize)
        .copied()
        .flatten();
    let when = extracted.filter(|d| *d > c.end)?;
    let before = change
        .earlier
        .iter()
        .map(|(_, a)| *a)
        .max()
        .unwrap_or_default();
    if change.kept_amount <= before {
        return None;
    }
    let mut f = at_line(
        Code::HorsPeriode,
        format!(
            "{} passe de {} à {} dans l'extrait du {}, après la fin de la convention ({}) : une augmentation après la fin est un engagement hors période (art. 7). Vérifiez l'avenant ou faites annuler l'augmentation.",
            describe(&l.judged.line),
            euros(before),
            euros(change.kept_amount),
            when.format("%d/%m/%Y"),
            c.end.format("%d/%m/%Y")
        ),
        l,
        index,
    );
    f.amount = Some(change.kept_amount - before);
    Some(f)
}

/// Engagement amounts that include a carry-over the inputs cannot split.
pub(super) fn unknown_carries(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for u in &rec.unknown_carries {
        let l = &rec.lines[u.line];
        let line = &l.judged.line;
        let mut f = at_line(
            Code::BasculeInconnue,
            format!(
                "{} ({}) est un EJ créé avant {} dont le montant engagé inclut le report des années antérieures, mais aucun extrait d'engagements de {} ne le porte : le montant est compté comme reporté (pas d'AE de {}, reste à payer). Ajoutez l'extrait des engagements de {} pour séparer le report des AE de l'année.",
                describe(line),
                euros(line.carried),
                line.year,
                u.missing_year,
                line.year,
                u.missing_year
            ),
            l,
            u.line,
        );
        f.amount = Some(line.carried);
        out.push(f);
    }
}
