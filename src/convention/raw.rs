//! The convention file as written (serde model with spans), and its translation into a
//! validated [`Convention`]: every error names the key and its line, in French.

mod amendments;
mod messages;

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use self::messages::{key_on_line, translate_toml_message};
use super::{Convention, Imputation, Matching, Product, ScheduleLine};
use crate::error::ConventionError;
use crate::model::code::fold;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConvention {
    id: Spanned<String>,
    intitule: Spanned<String>,
    delegant: String,
    delegataire: String,
    #[serde(default)]
    programme: Option<String>,
    debut: Spanned<toml::value::Datetime>,
    fin: Spanned<toml::value::Datetime>,
    #[serde(default = "yes")]
    hors_titre_2: bool,
    imputation: RawImputation,
    #[serde(default)]
    produit: Vec<RawProduct>,
    #[serde(default)]
    echeancier: Vec<RawSchedule>,
    #[serde(default)]
    rapprochement: Option<RawMatching>,
    #[serde(default)]
    avenant: Vec<amendments::RawAmendment>,
    #[serde(default)]
    mise_a_disposition: Vec<amendments::RawProvision>,
}

/// `[rapprochement]`: the tolerance of declared and ordered amounts against Chorus, and the
/// date window of an order matched without its EJ number (issue 16).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatching {
    tolerance: Option<Spanned<RawAmount>>,
    fenetre_jours: Option<Spanned<i64>>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImputation {
    centre_financier: Option<Spanned<String>>,
    domaine_fonctionnel: Option<Spanned<String>>,
    activite: Option<Spanned<String>>,
    centre_cout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    id: Spanned<String>,
    nom: String,
    #[serde(default)]
    ej: Vec<Spanned<String>>,
    #[serde(default)]
    mots_cles: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    produit: Spanned<String>,
    annee: Spanned<i64>,
    ae: Option<Spanned<RawAmount>>,
    cp: Option<Spanned<RawAmount>>,
}

/// Amounts are written as strings ("80000.00") or integers; floats would not be exact.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawAmount {
    Text(String),
    Integer(i64),
    Float(f64),
}

/// Turns a byte span into the 1-based line a text editor shows.
struct Lines<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Lines<'_> {
    fn line_of(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn error(&self, span: Range<usize>, message: String) -> ConventionError {
        ConventionError::new(self.origin, Some(self.line_of(span)), message)
    }
}

pub(super) fn parse(text: &str, origin: &str) -> Result<Convention, ConventionError> {
    let lines = Lines { text, origin };
    let raw: RawConvention = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| lines.line_of(s));
        let key = line.and_then(|l| key_on_line(text, l));
        let mut message = translate_toml_message(e.message(), key.as_deref());
        // toml names the key only for unknown or missing keys: take it from the line.
        if let Some(key) = key
            && (!message.contains('«') || message.starts_with("valeur"))
        {
            message = format!("clé « {key} » : {message}");
        }
        ConventionError::new(origin, line, message)
    })?;
    validate(raw, &lines, origin, text)
}

fn validate(
    raw: RawConvention,
    lines: &Lines,
    origin: &str,
    text: &str,
) -> Result<Convention, ConventionError> {
    // Every mistake is collected, so that one run lists them all.
    let mut errors: Vec<ConventionError> = Vec::new();
    let (id, start, end) = identity(&raw, lines, &mut errors);
    let imputation = imputation(&raw.imputation, lines, &mut errors);
    let mut products = products(&raw.produit, lines, &mut errors);
    let schedule = schedule(&raw.echeancier, &products, lines, &mut errors);
    let matching = matching(raw.rapprochement.as_ref(), lines, &mut errors);
    let life = start.zip(end);
    let amendments = amendments::amendments(&raw.avenant, life, &mut products, lines, &mut errors);
    let provisions = amendments::provisions(&raw.mise_a_disposition, lines, &mut errors);
    if let Some(all) = ConventionError::all(errors) {
        return Err(all);
    }
    let (Some(start), Some(end), Some(imputation)) = (start, end, imputation) else {
        unreachable!("a missing value has its error");
    };
    Ok(Convention {
        id,
        title: raw.intitule.into_inner().trim().to_string(),
        delegant: raw.delegant,
        delegataire: raw.delegataire,
        programme_label: raw.programme,
        start,
        end,
        excludes_titre_2: raw.hors_titre_2,
        imputation,
        products,
        schedule,
        matching,
        amendments,
        provisions,
        signed: None,
        origin: origin.to_string(),
        text: text.to_string(),
        sha256: String::new(),
    })
}

/// The convention's id (trimmed), start and end dates, each checked: id and intitulé not
/// empty, dates valid, the end not before the start. A date is `None` after its error.
fn identity(
    raw: &RawConvention,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> (String, Option<NaiveDate>, Option<NaiveDate>) {
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() {
        errors.push(lines.error(raw.id.span(), "clé « id » : l'identifiant est vide".into()));
    }
    if raw.intitule.get_ref().trim().is_empty() {
        errors.push(lines.error(
            raw.intitule.span(),
            "clé « intitule » : l'intitulé est vide".into(),
        ));
    }
    let start = keep(to_date(&raw.debut, "debut", lines), errors);
    let end = keep(to_date(&raw.fin, "fin", lines), errors);
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.push(lines.error(
            raw.fin.span(),
            format!("clé « fin » : la fin ({end}) précède le début ({start})"),
        ));
    }
    (id, start, end)
}

/// `[rapprochement]`, its defaults when absent: a tolerance of 0.00 and a 30-day window.
fn matching(
    raw: Option<&RawMatching>,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Matching {
    let mut matching = Matching::default();
    let Some(raw) = raw else {
        return matching;
    };
    if let Some(tolerance) = &raw.tolerance
        && let Some(t) = keep(amount(tolerance, "rapprochement.tolerance", lines), errors)
    {
        matching.tolerance = t;
    }
    if let Some(days) = &raw.fenetre_jours {
        match u32::try_from(*days.get_ref()) {
            Ok(d) if d <= 3660 => matching.window_days = d,
            _ => errors.push(lines.error(
                days.span(),
                "clé « rapprochement.fenetre_jours » : un nombre de jours entre 0 et 3660".into(),
            )),
        }
    }
    matching
}

/// The value, or `None` with its error collected.
fn keep<T>(result: Result<T, ConventionError>, errors: &mut Vec<ConventionError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn to_date(
    value: &Spanned<toml::value::Datetime>,
    key: &str,
    lines: &Lines,
) -> Result<NaiveDate, ConventionError> {
    let bad = || {
        lines.error(
            value.span(),
            format!("clé « {key} » : date invalide, écrivez-la AAAA-MM-JJ sans guillemets (par exemple 2021-07-31)"),
        )
    };
    let date = value.get_ref().date.ok_or_else(bad)?;
    NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
    .ok_or_else(bad)
}

/// An imputation axis to check: its value, key, expected shape and checker.
type AxisCheck<'a> = (
    &'a Option<Spanned<String>>,
    &'static str,
    &'static str,
    fn(&str) -> bool,
);

/// The imputation: each axis checked against its expected shape; at least one axis.
fn imputation(
    raw: &RawImputation,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Option<Imputation> {
    let axes: [AxisCheck; 4] = [
        (
            &raw.centre_financier,
            "centre_financier",
            "PPPP-BBBB-UUUU (ex. 0174-SOUT-ELAB)",
            is_centre_financier,
        ),
        (
            &raw.domaine_fonctionnel,
            "domaine_fonctionnel",
            "PPPP-AA ou PPPP-AA-SS (ex. 0174-06)",
            is_domaine_fonctionnel,
        ),
        (
            &raw.activite,
            "activite",
            "de 12 caractères (ex. 017406AG1607)",
            |c| is_alnum_len(c, 12),
        ),
        (
            &raw.centre_cout,
            "centre_cout",
            "de 10 caractères (ex. ECLDENE092)",
            |c| is_alnum_len(c, 10),
        ),
    ];
    if axes.iter().all(|axis| axis.0.is_none()) {
        errors.push(ConventionError::new(
            lines.origin,
            None,
            "section « [imputation] » : indiquez au moins un axe (centre_financier, domaine_fonctionnel, activite, centre_cout)",
        ));
        return None;
    }
    let [centre_financier, domaine_fonctionnel, activite, centre_cout] =
        axes.map(|(value, key, shape, ok)| {
            keep(check_axis(value, key, shape, ok, lines), errors).flatten()
        });
    let programme = centre_financier
        .as_deref()
        .or(domaine_fonctionnel.as_deref())
        .map(|c| c[..4].to_string());
    Some(Imputation {
        centre_financier,
        domaine_fonctionnel,
        activite,
        centre_cout,
        programme,
    })
}

/// An imputation axis's code, trimmed and upper-cased, if given: an error when it does
/// not have the axis's `shape` (`ok`).
fn check_axis(
    value: &Option<Spanned<String>>,
    key: &str,
    shape: &str,
    ok: fn(&str) -> bool,
    lines: &Lines,
) -> Result<Option<String>, ConventionError> {
    value
        .as_ref()
        .map(|v| {
            let code = v.get_ref().trim().to_uppercase();
            if ok(&code) {
                Ok(code)
            } else {
                Err(lines.error(
                    v.span(),
                    format!(
                        "clé « imputation.{key} » : « {} » n'a pas la forme {shape}",
                        v.get_ref()
                    ),
                ))
            }
        })
        .transpose()
}

fn is_centre_financier(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    parts.len() == 3
        && is_programme(parts[0])
        && parts[1..]
            .iter()
            .all(|p| (1..=6).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_domaine_fonctionnel(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    (2..=3).contains(&parts.len())
        && is_programme(parts[0])
        && parts[1..]
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_programme(code: &str) -> bool {
    code.len() == 4 && code.chars().all(|c| c.is_ascii_digit())
}

fn is_alnum_len(code: &str, len: usize) -> bool {
    code.len() == len && code.chars().all(|c| c.is_ascii_alphanumeric())
}

fn products(raw: &[RawProduct], lines: &Lines, errors: &mut Vec<ConventionError>) -> Vec<Product> {
    if raw.is_empty() {
        errors.push(ConventionError::new(
            lines.origin,
            None,
            "aucun produit : ajoutez au moins une section « [[produit]] »",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut products = Vec::with_capacity(raw.len());
    for p in raw {
        let id = p.id.get_ref().trim().to_string();
        if id.is_empty() || !seen.insert(id.clone()) {
            errors.push(lines.error(
                p.id.span(),
                format!("clé « produit.id » : identifiant « {id} » vide ou déjà utilisé"),
            ));
            continue;
        }
        products.push(product(p, "produit", lines, errors));
    }
    products
}

/// One `[[produit]]` (or `[[avenant.produit]]`, `key` naming it in messages), its id
/// already checked: its EJ numbers and keywords validated.
fn product(p: &RawProduct, key: &str, lines: &Lines, errors: &mut Vec<ConventionError>) -> Product {
    let mut ej = BTreeSet::new();
    for e in &p.ej {
        let number = e.get_ref().trim();
        if number.len() != 10 || !number.chars().all(|c| c.is_ascii_digit()) {
            errors.push(lines.error(
                e.span(),
                format!("clé « {key}.ej » : « {number} » n'est pas un numéro d'EJ (10 chiffres)"),
            ));
            continue;
        }
        ej.insert(number.to_string());
    }
    let mut keywords = Vec::new();
    for k in &p.mots_cles {
        let keyword = visible(k.get_ref());
        // A keyword without a letter or digit (empty, only spaces or only invisible
        // characters such as U+200B) would match text no one can see.
        if !keyword.chars().any(char::is_alphanumeric) {
            errors.push(lines.error(
                k.span(),
                format!(
                    "clé « {key}.mots_cles » : mot-clé vide (ou sans lettre ni chiffre visible)"
                ),
            ));
            continue;
        }
        keywords.push(keyword);
    }
    Product {
        id: p.id.get_ref().trim().to_string(),
        name: p.nom.trim().to_string(),
        ej,
        folded_keywords: keywords.iter().map(|k| fold(k)).collect(),
        keywords,
    }
}

/// `text` trimmed, without the invisible characters that copying from a PDF or a web page
/// brings along (zero-width spaces and joiners, word joiner, BOM, soft hyphen).
fn visible(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}'
            )
        })
        .collect::<String>()
        .trim()
        .to_string()
}

fn schedule(
    raw: &[RawSchedule],
    products: &[Product],
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Vec<ScheduleLine> {
    if raw.is_empty() {
        errors.push(ConventionError::new(
            lines.origin,
            None,
            "échéancier absent : ajoutez au moins une section « [[echeancier]] » (produit, annee, ae, cp)",
        ));
    }
    let mut out: Vec<ScheduleLine> = Vec::with_capacity(raw.len());
    // Looked up by id and (product, year): a search of the list for each line was
    // quadratic (100,000 products took two minutes to validate).
    let by_id: std::collections::HashMap<&str, usize> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut years = std::collections::HashSet::with_capacity(raw.len());
    for s in raw {
        let key = "echeancier";
        if let Some(line) = schedule_line(s, key, products, &by_id, &mut years, lines, errors) {
            out.push(line);
        }
    }
    out
}

/// One line of the schedule: its product known, its year valid and not given twice for
/// the product (`years` so far), an AE or a CP amount or both. `None` after an error.
fn schedule_line(
    s: &RawSchedule,
    key: &str,
    products: &[Product],
    by_id: &std::collections::HashMap<&str, usize>,
    years: &mut std::collections::HashSet<(usize, i32)>,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Option<ScheduleLine> {
    let Some(product) = by_id.get(s.produit.get_ref().trim()).copied() else {
        errors.push(lines.error(
            s.produit.span(),
            format!("clé « {key}.produit » : produit « {} » inconnu (déclarez-le dans une section [[produit]])", s.produit.get_ref()),
        ));
        return None;
    };
    let year = *s.annee.get_ref();
    if !(1990..=2200).contains(&year) {
        errors.push(lines.error(
            s.annee.span(),
            format!("clé « {key}.annee » : année invalide ({year})"),
        ));
        return None;
    }
    let year = year as i32;
    if !years.insert((product, year)) {
        errors.push(lines.error(
            s.annee.span(),
            format!(
                "clé « {key} » : deux lignes pour le produit « {} » en {year}",
                products[product].id
            ),
        ));
        return None;
    }
    let (ae, cp) = schedule_amounts(s, key, lines, errors)?;
    Some(ScheduleLine {
        product,
        year,
        ae,
        cp,
    })
}

/// A schedule line's AE and CP amounts, at least one of them given. `None` after an error.
fn schedule_amounts(
    s: &RawSchedule,
    key: &str,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Option<(Option<Decimal>, Option<Decimal>)> {
    let ae =
        s.ae.as_ref()
            .map(|a| amount(a, &format!("{key}.ae"), lines));
    let cp =
        s.cp.as_ref()
            .map(|a| amount(a, &format!("{key}.cp"), lines));
    let (ae, cp) = match (ae.transpose(), cp.transpose()) {
        (Ok(ae), Ok(cp)) => (ae, cp),
        (ae, cp) => {
            errors.extend(ae.err().into_iter().chain(cp.err()));
            return None;
        }
    };
    if ae.is_none() && cp.is_none() {
        errors.push(lines.error(
            s.annee.span(),
            format!("clé « {key} » : indiquez « ae », « cp » ou les deux"),
        ));
        return None;
    }
    Some((ae, cp))
}

fn amount(
    value: &Spanned<RawAmount>,
    key: &str,
    lines: &Lines,
) -> Result<Decimal, ConventionError> {
    let err = |why: String| lines.error(value.span(), format!("clé « {key} » : {why}"));
    let parsed = match value.get_ref() {
        RawAmount::Text(t) => {
            crate::model::amount::parse_amount(t).map_err(|e| err(e.to_string()))?
        }
        // Bounded like a text amount: an integer is no licence for 10^18.
        RawAmount::Integer(i) => Some(Decimal::from(*i))
            .filter(|d| d.abs() < crate::model::amount::MAX_ABS)
            .ok_or_else(|| {
                err(crate::model::amount::AmountError::OutOfRange(i.to_string()).to_string())
            })?,
        RawAmount::Float(f) => {
            return Err(err(format!(
                "montant écrit comme nombre à virgule ({f}) : écrivez-le entre guillemets, par exemple \"{f:.2}\", pour qu'il soit lu exactement"
            )));
        }
    };
    if parsed.is_sign_negative() && !parsed.is_zero() {
        return Err(err(format!("montant négatif ({parsed})")));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests;
