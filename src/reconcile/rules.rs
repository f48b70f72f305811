//! The convention's rules, applied to the reconciled lines and sums. Each rule emits
//! findings with a stable code and a French message that says what to do.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::findings::{Code, Finding, Target};
use crate::model::money::euros;
use rayon::prelude::*;

use super::dedup::StateChange;
use super::{Reconciliation, ScopedLine};
use crate::convention::Convention;
use crate::model::{Line, Measure};

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

/// The findings of each line on its own, line by line on every core (in chunks kept in
/// order); a finding about a source row comes once, even when the row carries AE and CP.
fn line_rules(convention: &Convention, rec: &Reconciliation) -> Vec<Finding> {
    let ej_years = super::aggregate::ej_first_years(&rec.lines);
    const CHUNK: usize = 8192;
    let chunks: Vec<Vec<Finding>> = rec
        .lines
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, lines)| {
            let mut found = Vec::new();
            for (k, l) in lines.iter().enumerate() {
                line_findings(convention, l, c * CHUNK + k, &ej_years, &mut found);
            }
            found
        })
        .collect();
    let mut out: Vec<Finding> = chunks.into_iter().flatten().collect();
    let mut seen = rustc_hash::FxHashSet::default();
    out.retain(|f| f.origin.is_none() || seen.insert((f.code, f.origin)));
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
            let r = &rec.rejections[i];
            format!(
                "{:032x}",
                xxhash_rust::xxh3::xxh3_128(format!("{:?}|{}", r.column, r.raw).as_bytes())
            )
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

fn at_line(code: Code, message: String, l: &ScopedLine, index: usize) -> Finding {
    let line = &l.judged.line;
    Finding {
        origin: Some(line.origin),
        ej: line.ej.as_deref().map(str::to_string),
        amount: Some(line.amount),
        product: l.product,
        year: Some(line.year),
        target: Some(Target::Line(index)),
        ..Finding::new(code, message)
    }
}

fn line_findings(
    c: &Convention,
    l: &ScopedLine,
    i: usize,
    ej_years: &rustc_hash::FxHashMap<&str, i32>,
    out: &mut Vec<Finding>,
) {
    let line = &l.judged.line;
    // Named only when there is something to say: most lines have no finding.
    let what = std::cell::OnceCell::new();
    let what = || what.get_or_init(|| describe(line)).as_str();
    if c.excludes_titre_2 && line.titre == Some(2) {
        out.push(at_line(
            Code::Titre2,
            format!("{} est imputé sur le titre 2 (dépenses de personnel), exclu par la convention « hors titre 2 ». Demandez au délégataire de corriger l'imputation (compte budgétaire {}).", what(), line.compte_budgetaire.as_deref().unwrap_or("?")),
            l,
            i,
        ));
    }
    if let Some(when) = out_of_period(c, line) {
        out.push(at_line(
            Code::HorsPeriode,
            format!("{} est daté {when}, hors de la période de la convention (du {} au {}). Vérifiez la date ou l'existence d'un avenant.", what(), c.start.format("%d/%m/%Y"), c.end.format("%d/%m/%Y")),
            l,
            i,
        ));
    }
    if line.is_payment_without_ej() {
        out.push(at_line(
            Code::DpSansEj,
            format!("{} n'a pas d'EJ : il consomme des AE au paiement, pour le même montant ({}), en {}. Seules les dépenses de la liste de l'arrêté peuvent être payées sans engagement préalable (GBCP art. 156) : une prestation commandée sur un marché demande son bon de commande (EJ) avant le service fait. Faites régulariser.", what(), euros(line.amount), line.year),
            l,
            i,
        ));
    }
    if l.product.is_none() {
        out.push(at_line(
            Code::ProduitNonAttribue,
            format!("{} est dans le périmètre mais ne se rattache à aucun produit. Ajoutez son EJ à la liste « ej » du bon produit dans la convention, ou un mot-clé.", what()),
            l,
            i,
        ));
    }
    if line.measure == Measure::Ae && line.amount < Decimal::ZERO {
        let created = line.ej.as_deref().and_then(|ej| ej_years.get(ej));
        if let Some(&created) = created.filter(|y| **y < line.year) {
            out.push(at_line(
                Code::RetraitAnterieur,
                format!("{} est un retrait de {} sur un EJ de {created} : il ne rend pas d'AE disponibles en {} (GBCP art. 160). Le plafond d'AE est contrôlé sans en tenir compte.", what(), euros(-line.amount), line.year),
                l,
                i,
            ));
        }
    }
}

/// « La ligne 12 de ej_2020.csv (EJ 2103105755, poste 1) »-style identification.
fn describe(line: &Line) -> String {
    match (&line.measure, &line.ej, &line.dp) {
        (Measure::Cp, _, Some(dp)) => format!("Le paiement DP {dp}"),
        (Measure::Cp, Some(ej), None) => format!("Le paiement sur l'EJ {ej}"),
        (Measure::Cp, None, None) => "Le paiement".to_string(),
        (Measure::Ae, Some(ej), _) => format!(
            "L'engagement EJ {ej}{}",
            line.poste_ej
                .as_ref()
                .map(|p| format!(" poste {p}"))
                .unwrap_or_default()
        ),
        (Measure::Ae, None, _) => "L'engagement".to_string(),
    }
}

/// Art. 7 bounds engagement and payment: an engagement is judged on the date it was
/// committed, a payment on its payment date. A retrait, or a carry-over with no AE of the
/// year, after the end is no breach: closing an EJ is what the end requires.
fn out_of_period(c: &Convention, line: &Line) -> Option<String> {
    let releases = line.measure == Measure::Ae && line.amount <= Decimal::ZERO;
    if line.measure == Measure::Ae && line.amount.is_zero() {
        // All carried over (or a zero state): no AE of the year to judge.
        return None;
    }
    match line.event_date {
        Some(d) if d < c.start => Some(format!("du {}", d.format("%d/%m/%Y"))),
        Some(d) if d > c.end && !releases => Some(format!("du {}", d.format("%d/%m/%Y"))),
        Some(_) => None,
        None if line.year < c.start.year() => Some(format!("de l'exercice {}", line.year)),
        None if line.year > c.end.year() && !releases => {
            Some(format!("de l'exercice {}", line.year))
        }
        None => None,
    }
}

fn partial_imputations(rec: &Reconciliation, out: &mut Vec<Finding>) {
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

fn rejections(rec: &Reconciliation, out: &mut Vec<Finding>) {
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
                    super::findings::LISTED_PER_INPUT
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
fn state_changes(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
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
fn unknown_carries(rec: &Reconciliation, out: &mut Vec<Finding>) {
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

fn payments_above_commitments(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for c in &rec.commitments {
        if !c.has_ae && c.carried.is_zero() {
            // No extract commits this EJ: nothing to compare its payments with.
            let first = rec.lines.get(c.first_line);
            let year = first.map(|l| l.judged.line.year);
            out.push(Finding {
                origin: first.map(|l| l.judged.line.origin),
                ej: Some(c.ej.to_string()),
                amount: Some(c.cp),
                product: c.product,
                target: Some(Target::Line(c.first_line)),
                ..Finding::new(
                    Code::EjSansAe,
                    format!(
                        "L'EJ {} est payé ({}) mais aucun extrait d'engagements ne le porte : les paiements ne peuvent être comparés aux AE. Ajoutez l'extrait des engagements de l'année de création de l'EJ{} (ou de l'exercice {} s'il a été reporté).",
                        c.ej,
                        euros(c.cp),
                        year.map(|y| format!(" (au plus tard {y})")).unwrap_or_default(),
                        year.map(|y| y.to_string()).unwrap_or_else(|| "du paiement".into())
                    ),
                )
            });
            continue;
        }
        let committed = c.ae_net + c.carried;
        if c.cp > committed {
            let first = rec.lines.get(c.first_line);
            out.push(Finding {
                origin: first.map(|l| l.judged.line.origin),
                ej: Some(c.ej.to_string()),
                amount: Some(c.cp - committed),
                product: c.product,
                target: Some(Target::Line(c.first_line)),
                ..Finding::new(
                    Code::CpSuperieurAe,
                    format!(
                        "Sur l'EJ {}, les paiements ({}) dépassent les engagements nets{} ({}) de {}. Vérifiez qu'il manque un extrait d'AE ou faites régulariser l'EJ.",
                        c.ej,
                        euros(c.cp),
                        if c.carried.is_zero() { "" } else { ", report des années antérieures compris," },
                        euros(committed),
                        euros(c.cp - committed)
                    ),
                )
            });
        }
    }
}

fn ceilings(rec: &Reconciliation, out: &mut Vec<Finding>) {
    let t = &rec.totals;
    let ae_for_ceiling = t.ae_allocated - t.ae_available();
    if t.ae_available() < Decimal::ZERO {
        out.push(Finding {
            amount: Some(ae_for_ceiling - t.ae_allocated),
            ..Finding::new(
                Code::PlafondAeDepasse,
                format!(
                    "Les AE consommées ({}){} dépassent les AE allouées ({}) de {} (art. 5 : la somme des engagements ne peut dépasser le montant alloué). Le délégataire doit en informer le délégant sans délai.",
                    euros(t.ae_consumed),
                    if t.earlier_year_withdrawals.is_zero() {
                        String::new()
                    } else {
                        format!(
                            ", augmentées des retraits sur des EJ d'années antérieures qui ne libèrent pas d'AE ({}), soit {},",
                            euros(t.earlier_year_withdrawals),
                            euros(ae_for_ceiling)
                        )
                    },
                    euros(t.ae_allocated),
                    euros(ae_for_ceiling - t.ae_allocated)
                ),
            )
        });
    }
    if t.cp_consumed > t.cp_allocated {
        out.push(Finding {
            amount: Some(t.cp_consumed - t.cp_allocated),
            ..Finding::new(
                Code::PlafondCpDepasse,
                format!(
                    "Les CP consommés ({}) dépassent les CP alloués ({}) de {}. Le délégataire doit en informer le délégant sans délai.",
                    euros(t.cp_consumed), euros(t.cp_allocated), euros(t.cp_consumed - t.cp_allocated)
                ),
            )
        });
    }
}

fn schedule(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    for p in &rec.products {
        let name = &c.products[p.product].name;
        for y in &p.years {
            for (measure, kind, planned, consumed) in [
                (Measure::Ae, "AE consommées", y.ae_planned, y.ae_consumed),
                (Measure::Cp, "CP consommés", y.cp_planned, y.cp_consumed),
            ] {
                let limit = planned.unwrap_or(Decimal::ZERO);
                if consumed > limit {
                    let planned_text = match planned {
                        Some(p) => format!("l'échéancier indicatif prévoit {}", euros(p)),
                        None => "l'échéancier ne prévoit rien pour cette année".to_string(),
                    };
                    out.push(Finding {
                        amount: Some(consumed - limit),
                        product: Some(p.product),
                        year: Some(y.year),
                        measure: Some(measure),
                        ..Finding::new(
                            Code::EcheancierDepasse,
                            format!(
                                "{name} {} : {kind} {} alors que {planned_text} (dépassement {}). L'échéancier est indicatif : à signaler au délégant.",
                                y.year, euros(consumed), euros(consumed - limit)
                            ),
                        )
                    });
                }
            }
        }
    }
}

/// Annuality (LOLF art. 15): for each exercice closed on `--as-of`, the AE and CP of that
/// year's schedule not consumed, per product; after the convention's end, what is left of
/// the allocation.
fn unused_credits(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    unused_by_year(c, rec, out);
    if c.is_ended(rec.as_of) {
        unused_after_end(c, rec, out);
    }
}

/// For each product and exercice closed on `--as-of`, the AE and CP of its schedule not
/// consumed.
fn unused_by_year(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    for p in &rec.products {
        let name = &c.products[p.product].name;
        for y in &p.years {
            let closed = NaiveDate::from_ymd_opt(y.year, 12, 31).is_some_and(|d| rec.as_of >= d);
            if !closed {
                continue;
            }
            for (measure, what, planned, consumed) in [
                (
                    Measure::Ae,
                    "d'AE non consommées sur {} prévues",
                    y.ae_planned,
                    y.ae_consumed,
                ),
                (
                    Measure::Cp,
                    "de CP non consommés sur {} prévus",
                    y.cp_planned,
                    y.cp_consumed,
                ),
            ] {
                let Some(planned) = planned.filter(|p| *p > consumed) else {
                    continue;
                };
                out.push(Finding {
                    amount: Some(planned - consumed),
                    product: Some(p.product),
                    year: Some(y.year),
                    measure: Some(measure),
                    ..Finding::new(
                        Code::CreditsNonConsommes,
                        format!(
                            "{name}, exercice {} clos : {} {} à l'échéancier. Les crédits d'une année ne donnent aucun droit l'année suivante (LOLF art. 15) : à signaler au délégant.",
                            y.year,
                            euros(planned - consumed),
                            what.replace("{}", &euros(planned))
                        ),
                    )
                });
            }
        }
    }
}

/// After the convention's end, the AE and CP of the allocation not consumed.
fn unused_after_end(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    let t = &rec.totals;
    for (measure, what, allocated, available) in [
        (
            Measure::Ae,
            "d'AE non consommées sur {} allouées",
            t.ae_allocated,
            t.ae_available(),
        ),
        (
            Measure::Cp,
            "de CP non consommés sur {} alloués",
            t.cp_allocated,
            t.cp_available(),
        ),
    ] {
        if available > Decimal::ZERO {
            out.push(Finding {
                amount: Some(available),
                measure: Some(measure),
                ..Finding::new(
                    Code::CreditsNonConsommes,
                    format!(
                        "Convention échue le {} : {} {}. Le délégataire doit en informer le délégant (art. 5).",
                        c.end.format("%d/%m/%Y"),
                        euros(available),
                        what.replace("{}", &euros(allocated))
                    ),
                )
            });
        }
    }
}

/// After the convention's end, an EJ still holding a reste à payer can no longer be paid
/// under it (art. 7).
fn open_after_end(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    if !c.is_ended(rec.as_of) {
        return;
    }
    for commitment in rec
        .commitments
        .iter()
        .filter(|e| e.remaining > Decimal::ZERO)
    {
        let first = rec.lines.get(commitment.first_line);
        out.push(Finding {
            origin: first.map(|l| l.judged.line.origin),
            ej: Some(commitment.ej.to_string()),
            amount: Some(commitment.remaining),
            product: commitment.product,
            target: Some(Target::Line(commitment.first_line)),
            ..Finding::new(
                Code::EjNonSolde,
                format!(
                    "L'EJ {}{} garde un reste à payer de {} après la fin de la convention ({}){} : il ne peut plus être payé au titre de la convention (art. 7). Soldez-le, signez un avenant ou rendez-le au délégant.",
                    commitment.ej,
                    commitment
                        .supplier
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default(),
                    euros(commitment.remaining),
                    c.end.format("%d/%m/%Y"),
                    commitment
                        .last_movement
                        .map(|d| format!(", dernier mouvement le {}", d.format("%d/%m/%Y")))
                        .unwrap_or_default()
                ),
            )
        });
    }
}

/// Movements dated after `--as-of`: the situation date is probably wrong.
fn after_as_of(rec: &Reconciliation, out: &mut Vec<Finding>) {
    let late: Vec<(usize, NaiveDate)> = rec
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            l.judged
                .line
                .event_date
                .filter(|d| *d > rec.as_of)
                .map(|d| (i, d))
        })
        .collect();
    let Some(&(first, _)) = late.first() else {
        return;
    };
    let latest = late.iter().map(|(_, d)| *d).max().unwrap_or(rec.as_of);
    let amount: Decimal = late
        .iter()
        .map(|(i, _)| rec.lines[*i].judged.line.amount)
        .sum();
    let mut f = at_line(
        Code::DatePosterieure,
        format!(
            "{} mouvement(s) sont datés après la date de situation du {} (le plus tardif le {}) : la date de situation (--as-of) est probablement fausse. Relancez avec la date de l'extrait le plus récent.",
            late.len(),
            rec.as_of.format("%d/%m/%Y"),
            latest.format("%d/%m/%Y")
        ),
        &rec.lines[first],
        first,
    );
    f.amount = Some(amount);
    out.push(f);
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
