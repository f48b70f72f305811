//! The délégataire's forecasts (`--previsions`): per product and month (or whole year), the
//! AE it expects to commit and the CP it expects to pay in that period — not cumulative.
//! Art. 5 of the convention asks for them with each report. Layout: `schemas/previsions.schema.json`.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

use super::{
    CONVENTION_COLUMN, Column, Mistake, PERIOD_COLUMN, PRODUCT_COLUMN, Period, mistakes_error, read,
};
use crate::convention::Convention;
use crate::error::InputError;
use crate::model::code::fold;

/// The forecast of one product for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    /// Index of the product in the convention.
    pub product: usize,
    pub period: Period,
    pub ae: Decimal,
    pub cp: Decimal,
    /// Where it was read (file row), for messages.
    pub row: u64,
}

/// A forecast file read and checked against the convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecasts {
    pub file: String,
    /// By product then period.
    pub lines: Vec<Forecast>,
}

const PRODUCT: usize = 0;
const PERIOD: usize = 1;
const AE: usize = 2;
const CP: usize = 3;
const CONVENTION: usize = 4;

pub const COLUMNS: &[Column] = &[
    PRODUCT_COLUMN,
    PERIOD_COLUMN,
    Column {
        name: "ae",
        aliases: &["ae prevues", "autorisations d'engagement", "engagements"],
        required: false,
    },
    Column {
        name: "cp",
        aliases: &["cp prevus", "credits de paiement", "paiements"],
        required: false,
    },
    CONVENTION_COLUMN,
];

/// Reads a forecast file. Every mistake is reported at once (exit code 2): unreadable
/// cells, unknown products, a period given twice for a product, a row for another
/// convention, a row with neither AE nor CP.
pub fn load(path: &Path, convention: &Convention) -> Result<Forecasts, InputError> {
    let table = read(path, COLUMNS, "fichier de prévisions")?;
    let mut lines = Vec::new();
    let mut mistakes = Vec::new();
    let mut seen: BTreeMap<(usize, Period), u64> = BTreeMap::new();
    for row in &table.rows {
        if let Some(id) = row.text(CONVENTION)
            && fold(&id) != fold(&convention.id)
        {
            mistakes.push(Mistake::at(
                COLUMNS,
                row.row,
                CONVENTION,
                format!(
                    "convention « {id} », pas « {} » : une ligne d'une autre convention",
                    convention.id
                ),
            ));
            continue;
        }
        match forecast(row, convention) {
            Ok(f) => match seen.insert((f.product, f.period), f.row) {
                Some(first) => mistakes.push(Mistake::at(
                    COLUMNS,
                    row.row,
                    PERIOD,
                    format!(
                        "période {} déjà prévue pour ce produit (ligne {first})",
                        f.period
                    ),
                )),
                None => lines.push(f),
            },
            Err(mut m) => mistakes.append(&mut m),
        }
    }
    if let Some(e) = mistakes_error(&table, mistakes) {
        return Err(e);
    }
    lines.sort_by_key(|f| (f.product, f.period));
    Ok(Forecasts {
        file: table.file,
        lines,
    })
}

fn forecast(row: &super::Row, convention: &Convention) -> Result<Forecast, Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let product = row.product(COLUMNS, PRODUCT, convention, &mut mistakes);
    let period = row
        .period(COLUMNS, PERIOD)
        .map_err(|m| mistakes.push(m))
        .ok();
    let ae = row
        .amount(COLUMNS, AE)
        .map_err(|m| mistakes.push(m))
        .ok()
        .flatten();
    let cp = row
        .amount(COLUMNS, CP)
        .map_err(|m| mistakes.push(m))
        .ok()
        .flatten();
    if mistakes.is_empty() && ae.is_none() && cp.is_none() {
        mistakes.push(Mistake::at(
            COLUMNS,
            row.row,
            AE,
            "ni AE ni CP : donnez au moins l'un des deux".into(),
        ));
    }
    match (product, period) {
        (Some(product), Some(period)) if mistakes.is_empty() => Ok(Forecast {
            product,
            period,
            ae: ae.unwrap_or_default(),
            cp: cp.unwrap_or_default(),
            row: row.row,
        }),
        _ => Err(mistakes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        crate::tables::tests::write(text.as_bytes())
    }

    #[test]
    fn products_by_id_or_name_and_amounts_per_period() {
        let c = Convention::builtin();
        let (first, second) = (&c.products[0], &c.products[1]);
        let f = file(&format!(
            "produit;periode;ae;cp\n{};2021-02;1 000,00;\n{};2021-01;;250.5\n",
            first.name.to_uppercase(),
            second.id
        ));
        let got = load(f.path(), &c).unwrap();
        assert_eq!(got.lines.len(), 2);
        assert_eq!(got.lines[0].product, 0);
        assert_eq!(got.lines[0].ae, Decimal::new(1000, 0));
        assert_eq!(got.lines[0].cp, Decimal::ZERO);
        assert_eq!(got.lines[1].product, 1);
        assert_eq!(got.lines[1].cp, Decimal::new(2505, 1));
    }

    #[test]
    fn every_mistake_is_listed_once() {
        let c = Convention::builtin();
        let id = &c.products[0].id;
        let f = file(&format!(
            "produit;periode;ae;cp;convention\nInconnu;2021-01;1;1;\n{id};2021-01;1;;\n{id};2021-01;2;;\n{id};2021-02;;;\n{id};2021-03;1;;autre\n"
        ));
        let shown = load(f.path(), &c).unwrap_err().to_string();
        assert!(shown.contains("4 erreurs"), "{shown}");
        assert!(
            shown.contains("ligne 2, colonne « produit » : produit « Inconnu » inconnu"),
            "{shown}"
        );
        assert!(shown.contains("ligne 4, colonne « periode » : période 2021-01 déjà prévue pour ce produit (ligne 3)"), "{shown}");
        assert!(
            shown.contains("ligne 5, colonne « ae » : ni AE ni CP"),
            "{shown}"
        );
        assert!(
            shown.contains("ligne 6, colonne « convention » : convention « autre »"),
            "{shown}"
        );
    }
}
