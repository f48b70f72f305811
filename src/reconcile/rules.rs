//! The convention's rules, applied to the reconciled lines and sums. Each rule emits
//! findings with a stable code and a French message that says what to do.

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::Decimal;

use super::findings::{Code, Finding, Target, euros};
use rayon::prelude::*;

use super::{Reconciliation, ScopedLine};
use crate::convention::Convention;
use crate::model::{Line, Measure};

pub(super) fn findings(convention: &Convention, rec: &Reconciliation) -> Vec<Finding> {
    let mut out = Vec::new();
    let ej_years = super::aggregate::ej_first_years(&rec.lines);
    // Line by line on every core, in chunks kept in order.
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
    out.extend(chunks.into_iter().flatten());
    partial_imputations(rec, &mut out);
    rejections(rec, &mut out);
    conflicting_duplicates(&rec.lines, &mut out);
    if rec.has_commitments {
        payments_above_commitments(rec, &mut out);
    }
    ceilings(rec, &mut out);
    schedule(convention, rec, &mut out);
    unused_credits(convention, rec, &mut out);
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
    for f in &mut out {
        f.key = format!("{}:{}", f.code.as_str(), subject(f, rec));
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

/// What a finding is about, independent of file names and row numbers: the line's
/// identity for line findings, the EJ, product and year for sums.
fn subject(f: &Finding, rec: &Reconciliation) -> String {
    match (f.code, f.target) {
        (Code::CpSuperieurAe, _) => format!("ej={}", f.ej.as_deref().unwrap_or("")),
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
            f.product.map(|p| p.to_string()).unwrap_or_default(),
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
            format!("{} n'a pas d'EJ : il consomme des AE au paiement, pour le même montant ({}), en {}.", what(), euros(line.amount), line.year),
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

fn out_of_period(c: &Convention, line: &Line) -> Option<String> {
    match line.date {
        Some(d) if d < c.start || d > c.end => Some(format!("du {}", d.format("%d/%m/%Y"))),
        Some(_) => None,
        None if line.year < c.start.year() || line.year > c.end.year() => {
            Some(format!("de l'exercice {}", line.year))
        }
        None => None,
    }
}

fn partial_imputations(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for (i, j) in rec.out_of_scope.iter().enumerate() {
        if j.agreeing.len() >= 2 {
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

/// The same payment key in several inputs with different amounts.
fn conflicting_duplicates(lines: &[ScopedLine], out: &mut Vec<Finding>) {
    type Key<'a> = (&'a str, i32, &'a str, &'a str);
    let mut by_key: BTreeMap<Key, BTreeMap<u32, (Decimal, usize)>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        let line = &l.judged.line;
        let (Measure::Cp, Some(dp)) = (line.measure, line.dp.as_deref()) else {
            continue;
        };
        let key = (
            line.societe.as_deref().unwrap_or(""),
            line.year,
            dp,
            line.poste_dp.as_deref().unwrap_or(""),
        );
        let per_input = by_key.entry(key).or_default();
        let e = per_input
            .entry(line.origin.input)
            .or_insert((Decimal::ZERO, i));
        e.0 += line.amount;
    }
    for ((_, year, dp, poste), per_input) in by_key {
        let mut amounts = per_input.values().map(|(a, _)| *a);
        let first = amounts.next();
        if per_input.len() < 2 || amounts.all(|a| Some(a) == first) {
            continue;
        }
        let (_, &(amount, index)) = per_input.iter().next_back().expect("two inputs at least");
        let listed: Vec<String> = per_input.values().map(|(a, _)| euros(*a)).collect();
        out.push(at_line(
            Code::DoublonConflictuel,
            format!(
                "La DP {dp}{} de l'exercice {year} figure dans {} extraits avec des montants différents ({}). Les deux montants sont comptés : vérifiez dans Chorus lequel est juste.",
                if poste.is_empty() { String::new() } else { format!(" poste {poste}") },
                per_input.len(),
                listed.join(" / ")
            ),
            &lines[index],
            index,
        ));
        if let Some(f) = out.last_mut() {
            f.amount = Some(amount);
        }
    }
}

fn payments_above_commitments(rec: &Reconciliation, out: &mut Vec<Finding>) {
    for c in &rec.commitments {
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
    let ae_for_ceiling = t.ae_consumed + t.earlier_year_withdrawals;
    if ae_for_ceiling > t.ae_allocated {
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

fn unused_credits(c: &Convention, rec: &Reconciliation, out: &mut Vec<Finding>) {
    if rec.as_of < c.end {
        return;
    }
    let t = &rec.totals;
    for (measure, what, allocated, consumed) in [
        (
            Measure::Ae,
            "d'AE non consommées sur {} allouées",
            t.ae_allocated,
            t.ae_consumed,
        ),
        (
            Measure::Cp,
            "de CP non consommés sur {} alloués",
            t.cp_allocated,
            t.cp_consumed,
        ),
    ] {
        if allocated > consumed {
            out.push(Finding {
                amount: Some(allocated - consumed),
                measure: Some(measure),
                ..Finding::new(
                    Code::CreditsNonConsommes,
                    format!(
                        "Convention échue le {} : {} {}. Le délégataire doit en informer le délégant (art. 5).",
                        c.end.format("%d/%m/%Y"),
                        euros(allocated - consumed),
                        what.replace("{}", &euros(allocated))
                    ),
                )
            });
        }
    }
}
