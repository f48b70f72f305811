//! `[[avenant]]` and `[[mise_a_disposition]]` as written, validated with the same French
//! messages as the rest of the file (the key under `avenant.` and its line).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::{Lines, RawAmount, RawProduct, RawSchedule, amount, keep, product, schedule_line};
use crate::convention::{Amendment, Product, Provision};
use crate::error::ConventionError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAmendment {
    date: Spanned<toml::value::Datetime>,
    reference: Spanned<String>,
    fin: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    echeancier: Vec<RawSchedule>,
    imputation: Option<Spanned<toml::Value>>,
    #[serde(default)]
    produit: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProvision {
    date: Spanned<toml::value::Datetime>,
    reference: Spanned<String>,
    ae: Option<Spanned<RawAmount>>,
    cp: Option<Spanned<RawAmount>>,
}

/// The avenants, sorted by date (stable: two of one day keep the file's order), each
/// checked against the convention's life as amended before it (`life`: the signed start
/// and end, when valid). Products they add go at the end of `products`; products they
/// replace are replaced in place.
pub(super) fn amendments(
    raw: &[RawAmendment],
    life: Option<(NaiveDate, NaiveDate)>,
    products: &mut Vec<Product>,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Vec<Amendment> {
    let mut dated: Vec<(NaiveDate, &RawAmendment)> = raw
        .iter()
        .filter_map(|a| {
            keep(super::to_date(&a.date, "avenant.date", lines), errors).map(|d| (d, a))
        })
        .collect();
    dated.sort_by_key(|(d, _)| *d);
    let mut end = life.map(|(_, end)| end);
    let mut out = Vec::with_capacity(dated.len());
    for (date, a) in dated {
        if let (Some((start, _)), Some(current)) = (life, end)
            && (date < start || date > current)
        {
            errors.push(lines.error(
                a.date.span(),
                format!(
                    "clé « avenant.date » : l'avenant du {} est hors de la vie de la convention (du {} au {})",
                    date.format("%d/%m/%Y"),
                    start.format("%d/%m/%Y"),
                    current.format("%d/%m/%Y")
                ),
            ));
        }
        let amendment = amendment(a, date, life, products, lines, errors);
        if let Some(new_end) = amendment.end {
            end = Some(new_end);
        }
        out.push(amendment);
    }
    out
}

/// One avenant dated `date`: its reference, end, products and schedule lines.
fn amendment(
    a: &RawAmendment,
    date: NaiveDate,
    life: Option<(NaiveDate, NaiveDate)>,
    products: &mut Vec<Product>,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Amendment {
    let reference = a.reference.get_ref().trim().to_string();
    if reference.is_empty() {
        errors.push(
            lines.error(
                a.reference.span(),
                "clé « avenant.reference » : la référence est vide (par exemple « Avenant n° 1 »)"
                    .into(),
            ),
        );
    }
    if let Some(imputation) = &a.imputation {
        errors.push(lines.error(
            imputation.span(),
            "clé « avenant.imputation » : le changement d'imputation par avenant n'est pas encore pris en charge ; faites une nouvelle convention pour la nouvelle imputation".into(),
        ));
    }
    let end = amended_end(a, date, life, lines, errors);
    let (products_added, products_replaced) = amended_products(&a.produit, products, lines, errors);
    let by_id: HashMap<&str, usize> = (products.iter().enumerate())
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut years = HashSet::new();
    let schedule = (a.echeancier.iter())
        .filter_map(|s| {
            schedule_line(
                s,
                "avenant.echeancier",
                products,
                &by_id,
                &mut years,
                lines,
                errors,
            )
        })
        .collect();
    Amendment {
        date,
        reference,
        end,
        schedule,
        products_added,
        products_replaced,
    }
}

/// The avenant's new end (`avenant.fin`), if it gives one: a valid date, not before the
/// avenant's date nor the convention's start. `None` after an error.
fn amended_end(
    a: &RawAmendment,
    date: NaiveDate,
    life: Option<(NaiveDate, NaiveDate)>,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Option<NaiveDate> {
    a.fin.as_ref().and_then(|fin| {
        let new_end = keep(super::to_date(fin, "avenant.fin", lines), errors)?;
        let floor = life.map_or(date, |(start, _)| start.max(date));
        if new_end < floor {
            errors.push(lines.error(
                fin.span(),
                format!(
                    "clé « avenant.fin » : la nouvelle fin ({new_end}) précède la date de l'avenant ou le début de la convention ({floor})"
                ),
            ));
            return None;
        }
        Some(new_end)
    })
}

/// `[[avenant.produit]]`: a new id is added at the end of `products`, a known one replaced
/// in place. Returns the indices added and replaced.
fn amended_products(
    raw: &[RawProduct],
    products: &mut Vec<Product>,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> (Vec<usize>, Vec<usize>) {
    let (mut added, mut replaced) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for p in raw {
        let id = p.id.get_ref().trim();
        if id.is_empty() || !seen.insert(id.to_string()) {
            errors.push(lines.error(
                p.id.span(),
                format!("clé « avenant.produit.id » : identifiant « {id} » vide ou donné deux fois dans l'avenant"),
            ));
            continue;
        }
        let new = product(p, "avenant.produit", lines, errors);
        match products.iter().position(|q| q.id == new.id) {
            Some(i) => {
                products[i] = new;
                replaced.push(i);
            }
            None => {
                products.push(new);
                added.push(products.len() - 1);
            }
        }
    }
    (added, replaced)
}

/// The mises à disposition, sorted by date (stable); an omitted amount is zero.
pub(super) fn provisions(
    raw: &[RawProvision],
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Vec<Provision> {
    let mut out: Vec<Provision> = raw
        .iter()
        .filter_map(|p| provision(p, lines, errors))
        .collect();
    out.sort_by_key(|p| p.date);
    out
}

fn provision(
    p: &RawProvision,
    lines: &Lines,
    errors: &mut Vec<ConventionError>,
) -> Option<Provision> {
    let date = keep(
        super::to_date(&p.date, "mise_a_disposition.date", lines),
        errors,
    );
    let reference = p.reference.get_ref().trim().to_string();
    if reference.is_empty() {
        errors.push(lines.error(
            p.reference.span(),
            "clé « mise_a_disposition.reference » : la référence est vide".into(),
        ));
    }
    let mut tranche = |value: &Option<Spanned<RawAmount>>, key: &str| match value {
        Some(v) => keep(amount(v, key, lines), errors),
        None => Some(Decimal::ZERO),
    };
    let ae = tranche(&p.ae, "mise_a_disposition.ae");
    let cp = tranche(&p.cp, "mise_a_disposition.cp");
    Some(Provision {
        date: date?,
        reference,
        ae: ae?,
        cp: cp?,
    })
}

#[cfg(test)]
mod tests {
    use crate::convention::{BUILTIN_TEXT, Convention};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    const AMENDED: &str = r#"
[[avenant]]
date = 2021-06-01
reference = "Avenant n° 1"
fin = 2022-12-31

[[avenant.echeancier]]
produit = "carbure"
annee = 2022
ae = "10000.00"
cp = "20000.00"

[[avenant.echeancier]]
produit = "nouveau"
annee = 2022
cp = "5000"

[[avenant.produit]]
id = "nouveau"
nom = "Nouveau produit"
mots_cles = ["NOUVEAU"]

[[mise_a_disposition]]
date = 2021-01-10
reference = "MAD 2"
cp = "1000.00"

[[mise_a_disposition]]
date = 2020-01-10
reference = "MAD 1"
ae = "5000.00"
cp = "2000.00"
"#;

    fn error_of(extra: &str) -> String {
        let text = format!("{BUILTIN_TEXT}{extra}");
        Convention::parse(&text, "c.toml").unwrap_err().to_string()
    }

    #[test]
    fn avenants_and_provisions_are_read_and_sorted() {
        let c = Convention::parse(&format!("{BUILTIN_TEXT}{AMENDED}"), "c.toml").unwrap();
        let builtin = Convention::builtin();
        assert_eq!(c.end, builtin.end, "the signed end stays");
        assert_eq!(c.products.len(), builtin.products.len() + 1);
        assert_eq!(c.products.last().unwrap().id, "nouveau");
        let a = &c.amendments[0];
        assert_eq!(a.end, NaiveDate::from_ymd_opt(2022, 12, 31));
        assert_eq!(a.products_added, [builtin.products.len()]);
        assert_eq!(a.schedule.len(), 2);
        assert_eq!(a.schedule[1].product, builtin.products.len());
        assert_eq!(a.schedule[1].ae, None);
        let refs: Vec<&str> = c.provisions.iter().map(|p| p.reference.as_str()).collect();
        assert_eq!(refs, ["MAD 1", "MAD 2"]);
        assert_eq!(c.provisions[1].ae, dec!(0));
        let latest = c.at(NaiveDate::MAX);
        assert_eq!(latest.cp_allocated(), builtin.cp_allocated() + dec!(25000));
        assert_eq!(
            c.final_end(),
            NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()
        );
    }

    #[test]
    fn avenant_mistakes_name_their_key_and_line() {
        let cases = [
            ("date = 2019-06-01\nreference = \"A\"", "avenant.date"),
            ("date = 2023-06-01\nreference = \"A\"", "hors de la vie"),
            (
                "date = 2021-06-01\nreference = \"A\"\nfin = 2021-05-01",
                "avenant.fin",
            ),
            ("date = 2021-06-01\nreference = \" \"", "avenant.reference"),
            (
                "date = 2021-06-01\nreference = \"A\"\n[[avenant.echeancier]]\nproduit = \"x\"\nannee = 2021\nae = \"1\"",
                "avenant.echeancier.produit",
            ),
            (
                "date = 2021-06-01\nreference = \"A\"\n[[avenant.echeancier]]\nproduit = \"carbure\"\nannee = 2021\nae = \"-1\"",
                "avenant.echeancier.ae",
            ),
            (
                "date = 2021-06-01\nreference = \"A\"\n[avenant.imputation]\nactivite = \"017406AG1699\"",
                "pas encore pris en charge",
            ),
            (
                "date = 2021-06-01\nreference = \"A\"\nplafond = 3",
                "plafond",
            ),
        ];
        for (body, expected) in cases {
            let msg = error_of(&format!("\n[[avenant]]\n{body}\n"));
            assert!(msg.contains(expected), "{expected}: {msg}");
            assert!(msg.contains("ligne "), "{msg}");
        }
        let msg =
            error_of("\n[[mise_a_disposition]]\ndate = 2020-02-01\nreference = \"M\"\nae = 1.5\n");
        assert!(msg.contains("mise_a_disposition.ae"), "{msg}");
    }

    #[test]
    fn an_early_termination_moves_the_end_earlier() {
        let extra =
            "\n[[avenant]]\ndate = 2021-01-15\nreference = \"Résiliation\"\nfin = 2021-04-15\n";
        let c = Convention::parse(&format!("{BUILTIN_TEXT}{extra}"), "c.toml").unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2021, m, d).unwrap();
        assert_eq!(c.end_at(day(1, 14)), day(7, 31));
        assert_eq!(c.end_at(day(3, 1)), day(4, 15));
        assert_eq!(c.at(day(12, 31)).end, day(4, 15));
        assert_eq!(c.final_end(), day(4, 15));
    }
}
