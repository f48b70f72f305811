//! Rules on each reconciled line on its own: period of the convention, identifiers,
//! signs; and the movements dated after `--as-of`. Also how a line is named in messages
//! (`describe`) and how a finding points at it (`at_line`).

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::convention::Convention;
use crate::model::money::euros;
use crate::model::{Line, Measure};
use crate::reconcile::findings::{Code, Finding, Target};
use crate::reconcile::{Reconciliation, ScopedLine};

/// The findings of each line on its own, line by line on every core (in chunks kept in
/// order); a finding about a source row comes once, even when the row carries AE and CP.
pub(super) fn line_rules(convention: &Convention, rec: &Reconciliation) -> Vec<Finding> {
    let ej_years = crate::reconcile::aggregate::ej_first_years(&rec.lines);
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

pub(super) fn at_line(code: Code, message: String, l: &ScopedLine, index: usize) -> Finding {
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
    if let Some((when, end)) = out_of_period(c, line) {
        out.push(at_line(
            Code::HorsPeriode,
            format!("{} est daté {when}, hors de la période de la convention (du {} au {}). Vérifiez la date ou l'existence d'un avenant.", what(), c.start.format("%d/%m/%Y"), end.format("%d/%m/%Y")),
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
pub(super) fn describe(line: &Line) -> String {
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
///
/// The end is the one in force on the line's date (`[[avenant]]`), or, for a line without
/// a date, on `--as-of` (`c` is the convention as amended then). Returns the date said and
/// the end judged against.
fn out_of_period(c: &Convention, line: &Line) -> Option<(String, NaiveDate)> {
    let releases = line.measure == Measure::Ae && line.amount <= Decimal::ZERO;
    if line.measure == Measure::Ae && line.amount.is_zero() {
        // All carried over (or a zero state): no AE of the year to judge.
        return None;
    }
    let end = line.event_date.map_or(c.end, |d| c.end_at(d));
    let when = match line.event_date {
        Some(d) if d < c.start => format!("du {}", d.format("%d/%m/%Y")),
        Some(d) if d > end && !releases => format!("du {}", d.format("%d/%m/%Y")),
        Some(_) => return None,
        None if line.year < c.start.year() => format!("de l'exercice {}", line.year),
        None if line.year > end.year() && !releases => format!("de l'exercice {}", line.year),
        None => return None,
    };
    Some((when, end))
}

/// Movements dated after `--as-of`: the situation date is probably wrong.
pub(super) fn after_as_of(rec: &Reconciliation, out: &mut Vec<Finding>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample_line;
    use crate::reconcile::test_support::input;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The built-in convention (ends 31/07/2021) with an avenant dated `on` that moves the
    /// end to `end`.
    fn amended(on: &str, end: &str) -> Convention {
        let text = format!(
            "{}\n[[avenant]]\ndate = {on}\nreference = \"Avenant n° 1\"\nfin = {end}\n",
            crate::convention::BUILTIN_TEXT
        );
        Convention::parse(&text, "c.toml").unwrap()
    }

    /// The amounts of the HORS_PERIODE findings, and their messages.
    fn out_of_period(c: &Convention) -> Vec<(Option<Decimal>, String)> {
        let line = |amount, d: NaiveDate| Line {
            amount,
            ej: Some(format!("21000000{:02}", d.month()).into()),
            year: 2021,
            event_date: Some(d),
            ..sample_line()
        };
        let lines = vec![
            line(dec!(1), day(2021, 5, 3)),
            line(dec!(2), day(2021, 8, 2)),
            line(dec!(3), day(2021, 11, 30)),
        ];
        let rec = crate::reconcile::reconcile(c, vec![input(0, lines)], day(2021, 12, 31));
        (rec.findings.iter())
            .filter(|f| f.code == Code::HorsPeriode)
            .map(|f| (f.amount, f.message.clone()))
            .collect()
    }

    #[test]
    fn each_line_is_judged_on_the_end_in_force_on_its_date() {
        // Without the avenant: both lines after 31/07/2021.
        assert_eq!(out_of_period(&Convention::builtin()).len(), 2);
        // Extended to 31/12/2021: both within; the same from the convention as amended on
        // another date (it keeps its avenants).
        let extended = amended("2021-06-01", "2021-12-31");
        assert!(out_of_period(&extended).is_empty());
        assert!(out_of_period(&extended.at(day(2021, 1, 1))).is_empty());
        // Ended early on 31/05/2021 (avenant of 01/03/2021): the line of 03/05/2021 stays
        // within, the two later ones are out, against the new end.
        let found = out_of_period(&amended("2021-03-01", "2021-05-31"));
        let amounts: Vec<_> = found.iter().map(|f| f.0).collect();
        assert_eq!(amounts, [Some(dec!(2)), Some(dec!(3))]);
        assert!(found[0].1.contains("au 31/05/2021"), "{}", found[0].1);
    }
}
