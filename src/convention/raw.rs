//! The convention file as written (serde model with spans), and its translation into a
//! validated [`Convention`]: every error names the key and its line, in French.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::{Convention, Imputation, Product, ScheduleLine};
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
        ConventionError {
            file: self.origin.to_string(),
            line: Some(self.line_of(span)),
            message,
        }
    }
}

pub(super) fn parse(text: &str, origin: &str) -> Result<Convention, ConventionError> {
    let lines = Lines { text, origin };
    let raw: RawConvention = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| lines.line_of(s));
        let mut message = translate_toml_message(e.message());
        // toml names the key only for unknown or missing keys: take it from the line.
        if let Some(key) = line.and_then(|l| key_on_line(text, l))
            && (!message.contains('«') || message.starts_with("valeur"))
        {
            message = format!("clé « {key} » : {message}");
        }
        ConventionError {
            file: origin.to_string(),
            line,
            message,
        }
    })?;
    validate(raw, &lines, origin, text)
}

fn validate(
    raw: RawConvention,
    lines: &Lines,
    origin: &str,
    text: &str,
) -> Result<Convention, ConventionError> {
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() {
        return Err(lines.error(raw.id.span(), "clé « id » : l'identifiant est vide".into()));
    }
    if raw.intitule.get_ref().trim().is_empty() {
        return Err(lines.error(
            raw.intitule.span(),
            "clé « intitule » : l'intitulé est vide".into(),
        ));
    }
    let start = to_date(&raw.debut, "debut", lines)?;
    let end = to_date(&raw.fin, "fin", lines)?;
    if end < start {
        return Err(lines.error(
            raw.fin.span(),
            format!("clé « fin » : la fin ({end}) précède le début ({start})"),
        ));
    }
    let imputation = imputation(&raw.imputation, lines)?;
    let products = products(&raw.produit, lines)?;
    let schedule = schedule(&raw.echeancier, &products, lines)?;
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
        origin: origin.to_string(),
        text: text.to_string(),
        sha256: String::new(),
    })
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

/// (key, expected shape, checker) for each imputation axis.
fn imputation(raw: &RawImputation, lines: &Lines) -> Result<Imputation, ConventionError> {
    let check = |value: &Option<Spanned<String>>, key: &str, shape: &str, ok: fn(&str) -> bool| {
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
    };
    let centre_financier = check(
        &raw.centre_financier,
        "centre_financier",
        "PPPP-BBBB-UUUU (ex. 0174-SOUT-ELAB)",
        is_centre_financier,
    )?;
    let domaine_fonctionnel = check(
        &raw.domaine_fonctionnel,
        "domaine_fonctionnel",
        "PPPP-AA ou PPPP-AA-SS (ex. 0174-06)",
        is_domaine_fonctionnel,
    )?;
    let activite = check(
        &raw.activite,
        "activite",
        "de 12 caractères (ex. 017406AG1607)",
        |c| is_alnum_len(c, 12),
    )?;
    let centre_cout = check(
        &raw.centre_cout,
        "centre_cout",
        "de 10 caractères (ex. ECLDENE092)",
        |c| is_alnum_len(c, 10),
    )?;
    if centre_financier.is_none()
        && domaine_fonctionnel.is_none()
        && activite.is_none()
        && centre_cout.is_none()
    {
        return Err(ConventionError {
            file: lines.origin.to_string(),
            line: None,
            message: "section « [imputation] » : indiquez au moins un axe (centre_financier, domaine_fonctionnel, activite, centre_cout)".into(),
        });
    }
    let programme = centre_financier
        .as_deref()
        .or(domaine_fonctionnel.as_deref())
        .map(|c| c[..4].to_string());
    Ok(Imputation {
        centre_financier,
        domaine_fonctionnel,
        activite,
        centre_cout,
        programme,
    })
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

fn products(raw: &[RawProduct], lines: &Lines) -> Result<Vec<Product>, ConventionError> {
    if raw.is_empty() {
        return Err(ConventionError {
            file: lines.origin.to_string(),
            line: None,
            message: "aucun produit : ajoutez au moins une section « [[produit]] »".into(),
        });
    }
    let mut seen = BTreeSet::new();
    let mut products = Vec::with_capacity(raw.len());
    for p in raw {
        let id = p.id.get_ref().trim().to_string();
        if id.is_empty() || !seen.insert(id.clone()) {
            return Err(lines.error(
                p.id.span(),
                format!("clé « produit.id » : identifiant « {id} » vide ou déjà utilisé"),
            ));
        }
        let mut ej = BTreeSet::new();
        for e in &p.ej {
            let number = e.get_ref().trim();
            if number.len() != 10 || !number.chars().all(|c| c.is_ascii_digit()) {
                return Err(lines.error(
                    e.span(),
                    format!(
                        "clé « produit.ej » : « {number} » n'est pas un numéro d'EJ (10 chiffres)"
                    ),
                ));
            }
            ej.insert(number.to_string());
        }
        let mut keywords = Vec::new();
        for k in &p.mots_cles {
            let keyword = visible(k.get_ref());
            // A keyword without a letter or digit (empty, only spaces or only invisible
            // characters such as U+200B) would match text no one can see.
            if !keyword.chars().any(char::is_alphanumeric) {
                return Err(lines.error(
                    k.span(),
                    "clé « produit.mots_cles » : mot-clé vide (ou sans lettre ni chiffre visible)"
                        .into(),
                ));
            }
            keywords.push(keyword);
        }
        products.push(Product {
            id,
            name: p.nom.trim().to_string(),
            ej,
            folded_keywords: keywords.iter().map(|k| fold(k)).collect(),
            keywords,
        });
    }
    Ok(products)
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
) -> Result<Vec<ScheduleLine>, ConventionError> {
    if raw.is_empty() {
        return Err(ConventionError {
            file: lines.origin.to_string(),
            line: None,
            message: "échéancier absent : ajoutez au moins une section « [[echeancier]] » (produit, annee, ae, cp)".into(),
        });
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
        let product = by_id
            .get(s.produit.get_ref().trim())
            .copied()
            .ok_or_else(|| {
                lines.error(
                    s.produit.span(),
                    format!("clé « echeancier.produit » : produit « {} » inconnu (déclarez-le dans une section [[produit]])", s.produit.get_ref()),
                )
            })?;
        let year = *s.annee.get_ref();
        if !(1990..=2200).contains(&year) {
            return Err(lines.error(
                s.annee.span(),
                format!("clé « echeancier.annee » : année invalide ({year})"),
            ));
        }
        let year = year as i32;
        if !years.insert((product, year)) {
            return Err(lines.error(
                s.annee.span(),
                format!(
                    "clé « echeancier » : deux lignes pour le produit « {} » en {year}",
                    products[product].id
                ),
            ));
        }
        let ae =
            s.ae.as_ref()
                .map(|a| amount(a, "echeancier.ae", lines))
                .transpose()?;
        let cp =
            s.cp.as_ref()
                .map(|a| amount(a, "echeancier.cp", lines))
                .transpose()?;
        if ae.is_none() && cp.is_none() {
            return Err(lines.error(
                s.annee.span(),
                "clé « echeancier » : indiquez « ae », « cp » ou les deux".into(),
            ));
        }
        out.push(ScheduleLine {
            product,
            year,
            ae,
            cp,
        });
    }
    Ok(out)
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

/// The key written at the start of a `key = value` line.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let (key, _) = text.lines().nth(line.checked_sub(1)?)?.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The toml crate speaks English; accountants read French.
fn translate_toml_message(message: &str) -> String {
    let quoted = |s: &str| -> Option<String> {
        let start = s.find('`')? + 1;
        let len = s[start..].find('`')?;
        Some(s[start..start + len].to_string())
    };
    if message.starts_with("unknown field") {
        let key = quoted(message).unwrap_or_default();
        let expected = message
            .split_once("expected")
            .map(|(_, rest)| {
                format!(
                    " ; clés possibles : {}",
                    rest.trim_start_matches(" one of").replace('`', "").trim()
                )
            })
            .unwrap_or_default();
        return format!("clé inconnue « {key} »{expected}");
    }
    if message.starts_with("missing field") {
        return format!(
            "clé obligatoire absente : « {} »",
            quoted(message).unwrap_or_default()
        );
    }
    if message.starts_with("invalid type") {
        if message.contains("expected a TOML datetime") || message.contains("Datetime") {
            return "valeur : une date s'écrit AAAA-MM-JJ, sans guillemets (par exemple 2021-07-31)".into();
        }
        return format!("valeur de type inattendu ({message})");
    }
    if message.contains("duplicate key") {
        return format!("clé en double ({message})");
    }
    format!("syntaxe TOML invalide : {message}")
}

#[cfg(test)]
mod tests {
    use super::super::{BUILTIN_TEXT, Convention};

    fn error_of(text: &str) -> String {
        Convention::parse(text, "c.toml").unwrap_err().to_string()
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = BUILTIN_TEXT.replace("hors_titre_2 = true", "hors_titre_2 = true\nplafond = 3");
        let msg = error_of(&text);
        assert!(msg.contains("clé inconnue « plafond »"), "{msg}");
        let line = text.lines().position(|l| l.starts_with("plafond")).unwrap() + 1;
        assert!(msg.contains(&format!("ligne {line}")), "{msg}");
    }

    #[test]
    fn validation_errors_name_key_and_line() {
        let cases = [
            ("fin = 2021-07-31", "fin = \"31/07/2021\"", "fin"),
            ("fin = 2021-07-31", "fin = 2019-07-31", "précède"),
            (
                "ae = \"80000.00\"                       # estimation\ncp = \"40000.00\"\n\n[[echeancier]]\nproduit = \"carbure\"",
                "ae = \"80 000,0x\"\ncp = \"40000.00\"\n\n[[echeancier]]\nproduit = \"carbure\"",
                "echeancier.ae",
            ),
            (
                "centre_financier = \"0174-SOUT-ELAB\"",
                "centre_financier = \"174SOUT\"",
                "imputation.centre_financier",
            ),
            (
                "produit = \"potentiel\"\nannee = 2021",
                "produit = \"inconnu\"\nannee = 2021",
                "inconnu",
            ),
            (
                "cp = \"40000.00\"\n\n[[echeancier]]\nproduit = \"potentiel\"",
                "cp = 40000.5\n\n[[echeancier]]\nproduit = \"potentiel\"",
                "entre guillemets",
            ),
        ];
        for (from, to, expected) in cases {
            let text = BUILTIN_TEXT.replacen(from, to, 1);
            assert_ne!(text, BUILTIN_TEXT, "case {from} did not apply");
            let msg = error_of(&text);
            assert!(msg.contains(expected), "{expected}: {msg}");
            assert!(msg.contains("ligne "), "{msg}");
        }
    }

    #[test]
    fn missing_schedule_is_refused() {
        let cut = BUILTIN_TEXT.find("[[echeancier]]").unwrap();
        let msg = error_of(&BUILTIN_TEXT[..cut]);
        assert!(msg.contains("échéancier absent"), "{msg}");
    }

    #[test]
    fn missing_key_is_named() {
        let text = BUILTIN_TEXT.replace("fin = 2021-07-31", "");
        assert!(error_of(&text).contains("clé obligatoire absente : « fin »"));
    }
}
