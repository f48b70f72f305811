//! The délégataire's declared report (`--declare`, art. 5): per product and month (or whole
//! year), the AE it says it committed and the CP it says it paid in that period — not
//! cumulative. Layout: `schemas/declaration.schema.json` (the forecasts' shape).
//!
//! Rules: a product by id or name (as the forecasts); a blank amount is 0 (a row with
//! both blank declares 0 for the period); a row whose `convention` names another
//! convention is set aside and counted (several conventions in one file); the same
//! product and period given twice is refused (a report declares each period once: a
//! second row is more likely a copy mistake than an addition), and so is a year declared
//! whole and by months for the same product. Every mistake is reported at once (exit 2).

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

use super::{
    CONVENTION_COLUMN, Column, Mistake, PERIOD_COLUMN, PRODUCT_COLUMN, Period, Row, mistakes_error,
    read,
};
use crate::convention::Convention;
use crate::error::InputError;
use crate::model::code::fold;

/// What the délégataire declares for one product and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Index of the product in the convention.
    pub product: usize,
    pub period: Period,
    pub ae: Decimal,
    pub cp: Decimal,
    /// Where it was read (file row), for messages.
    pub row: u64,
}

/// A declared report read and checked against the convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub file: String,
    /// By product then period.
    pub lines: Vec<Declared>,
    /// Rows for another convention (`convention` column), set aside.
    pub other_convention: usize,
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
        aliases: &[
            "ae declarees",
            "ae engagees",
            "autorisations d'engagement",
            "engagements",
        ],
        required: false,
    },
    Column {
        name: "cp",
        aliases: &[
            "cp declares",
            "cp payes",
            "credits de paiement",
            "paiements",
        ],
        required: false,
    },
    CONVENTION_COLUMN,
];

/// Reads a declared report (see the module's rules).
pub fn load(path: &Path, convention: &Convention) -> Result<Declaration, InputError> {
    let table = read(path, COLUMNS, "fichier de déclaration")?;
    let (declaration, mistakes) = for_convention(&table, convention);
    match mistakes_error(&table, mistakes) {
        Some(e) => Err(e),
        None => Ok(declaration),
    }
}

/// Reads a declared report for several conventions (a portfolio): every row names its
/// convention (`convention` column, by id), one of `conventions`; each convention gets its
/// rows, in `conventions`' order. Every mistake of every row at once.
pub fn load_portfolio(
    path: &Path,
    conventions: &[Convention],
) -> Result<Vec<Declaration>, InputError> {
    let table = read(path, COLUMNS, "fichier de déclaration")?;
    let ids: Vec<String> = conventions.iter().map(|c| fold(&c.id)).collect();
    let named = |c: &Convention| format!("« {} »", c.id);
    let known: Vec<String> = conventions.iter().map(named).collect();
    let mut mistakes: Vec<Mistake> = (table.rows.iter())
        .filter_map(|row| {
            let why = match row.text(CONVENTION) {
                None => "avec plusieurs conventions, chaque ligne nomme la sienne",
                Some(id) if !ids.contains(&fold(&id)) => "convention inconnue du portefeuille",
                Some(_) => return None,
            };
            let message = format!("{why} ; conventions : {}", known.join(", "));
            Some(Mistake::at(COLUMNS, row.row, CONVENTION, message))
        })
        .collect();
    let mut declarations = Vec::with_capacity(conventions.len());
    if mistakes.is_empty() {
        for convention in conventions {
            let (declaration, mut more) = for_convention(&table, convention);
            mistakes.append(&mut more);
            declarations.push(declaration);
        }
    }
    match mistakes_error(&table, mistakes) {
        Some(e) => Err(e),
        None => Ok(declarations),
    }
}

/// The rows of `table` for `convention` (those naming another one set aside, counted), and
/// the mistakes found in them.
fn for_convention(table: &super::Table, convention: &Convention) -> (Declaration, Vec<Mistake>) {
    let mut lines = Vec::new();
    let mut mistakes = Vec::new();
    let mut other_convention = 0;
    let mut seen: BTreeMap<(usize, Period), u64> = BTreeMap::new();
    for row in &table.rows {
        if let Some(id) = row.text(CONVENTION)
            && fold(&id) != fold(&convention.id)
        {
            other_convention += 1;
            continue;
        }
        match declared(row, convention) {
            Ok(d) => match seen.get(&(d.product, d.period)).copied() {
                Some(first) => mistakes.push(Mistake::at(
                    COLUMNS,
                    row.row,
                    PERIOD,
                    format!(
                        "période {} déjà déclarée pour ce produit (ligne {first}) : une période se déclare une fois",
                        d.period
                    ),
                )),
                None => {
                    seen.insert((d.product, d.period), d.row);
                    lines.push(d);
                }
            },
            Err(mut m) => mistakes.append(&mut m),
        }
    }
    mistakes.extend(mixed_years(&seen));
    lines.sort_by_key(|d| (d.product, d.period));
    let declaration = Declaration {
        file: table.file.clone(),
        lines,
        other_convention,
    };
    (declaration, mistakes)
}

/// Whether a declared period meets the convention's life (from its start to its end after
/// every avenant).
fn within(p: &Period, convention: &Convention) -> bool {
    let (first_month, last_month) = p.month.map_or((1, 12), |m| (m, m));
    let first = chrono::NaiveDate::from_ymd_opt(p.year, first_month, 1);
    let last = (chrono::NaiveDate::from_ymd_opt(p.year, last_month, 1))
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt());
    match (first, last) {
        (Some(first), Some(last)) => last >= convention.start && first <= convention.final_end(),
        _ => false,
    }
}

/// A year declared whole and by months for the same product: each month row refused.
fn mixed_years(seen: &BTreeMap<(usize, Period), u64>) -> Vec<Mistake> {
    seen.iter()
        .filter(|((_, p), _)| p.month.is_some())
        .filter_map(|(&(product, p), &row)| {
            let whole = Period {
                year: p.year,
                month: None,
            };
            seen.get(&(product, whole)).map(|&year_row| {
                Mistake::at(
                    COLUMNS,
                    row,
                    PERIOD,
                    format!(
                        "période {p} : l'année {} est déjà déclarée en entier pour ce produit (ligne {year_row}) ; déclarez l'année par mois ou en entier, pas les deux",
                        p.year
                    ),
                )
            })
        })
        .collect()
}

fn declared(row: &Row, convention: &Convention) -> Result<Declared, Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let product = row.product(COLUMNS, PRODUCT, convention, &mut mistakes);
    let period = row
        .period(COLUMNS, PERIOD)
        .map_err(|m| mistakes.push(m))
        .ok();
    let mut amount = |column| {
        row.amount(COLUMNS, column)
            .map_err(|m| mistakes.push(m))
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let (ae, cp) = (amount(AE), amount(CP));
    if let Some(p) = period.filter(|p| !within(p, convention)) {
        mistakes.push(Mistake::at(
            COLUMNS,
            row.row,
            PERIOD,
            format!(
                "période {p} hors de la convention (du {} au {})",
                convention.start.format("%d/%m/%Y"),
                convention.final_end().format("%d/%m/%Y")
            ),
        ));
    }
    match (product, period) {
        (Some(product), Some(period)) if mistakes.is_empty() => Ok(Declared {
            product,
            period,
            ae,
            cp,
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
    fn products_by_id_or_name_blank_is_zero_other_conventions_counted() {
        let c = Convention::builtin();
        let (first, second) = (&c.products[0], &c.products[1]);
        let f = file(&format!(
            "Produit;Mois;AE déclarées;CP déclarés;convention\n{};2020-04;20 000,00;;\n{};2020;;1234.5;{}\n{};2020-05;;;\n{};2020-06;9;9;autre-convention\n",
            first.name.to_uppercase(),
            second.id,
            c.id,
            first.id,
            first.id,
        ));
        let got = load(f.path(), &c).unwrap();
        assert_eq!(got.other_convention, 1);
        assert_eq!(got.lines.len(), 3);
        assert_eq!(got.lines[0].product, 0);
        assert_eq!(got.lines[0].period.month, Some(4));
        assert_eq!(got.lines[0].ae, Decimal::new(20000, 0));
        assert_eq!(got.lines[0].cp, Decimal::ZERO);
        assert_eq!(got.lines[1].period.month, Some(5));
        assert_eq!(
            (got.lines[1].ae, got.lines[1].cp),
            (Decimal::ZERO, Decimal::ZERO)
        );
        assert_eq!(got.lines[2].product, 1);
        assert_eq!(got.lines[2].period.month, None);
        assert_eq!(got.lines[2].cp, Decimal::new(12345, 1));
    }

    #[test]
    fn duplicates_mixed_years_and_bad_cells_are_all_refused_at_once() {
        let c = Convention::builtin();
        let id = &c.products[0].id;
        let f = file(&format!(
            "produit;periode;ae;cp\nInconnu;2020-01;1;1\n{id};2020-01;1;\n{id};2020-01;2;\n{id};2020;5;\n{id};2020-13;1;\n{id};2021-01;abc;\n"
        ));
        let shown = load(f.path(), &c).unwrap_err().to_string();
        assert!(shown.contains("5 erreurs"), "{shown}");
        assert!(shown.contains("ligne 2, colonne « produit » : produit « Inconnu » inconnu"));
        assert!(
            shown.contains("ligne 4, colonne « periode » : période 2020-01 déjà déclarée pour ce produit (ligne 3)"),
            "{shown}"
        );
        assert!(
            shown.contains("ligne 3, colonne « periode » : période 2020-01 : l'année 2020 est déjà déclarée en entier pour ce produit (ligne 5)"),
            "{shown}"
        );
        assert!(shown.contains("ligne 6, colonne « periode » : période illisible « 2020-13 »"));
        assert!(shown.contains("ligne 7, colonne « ae »"), "{shown}");
    }

    #[test]
    fn a_period_outside_the_convention_is_refused_at_its_row() {
        let c = Convention::builtin();
        let f = file(
            "produit;periode;ae;cp\npotentiel;2019;1;\npotentiel;2021-07;1;\npotentiel;2021-08;1;\n",
        );
        let text = load(f.path(), &c).unwrap_err().to_string();
        assert!(
            text.contains("ligne 2") && text.contains("période 2019 hors de la convention"),
            "{text}"
        );
        assert!(!text.contains("ligne 3"), "{text}");
        assert!(
            text.contains("ligne 4") && text.contains("du 01/01/2020 au 31/07/2021"),
            "{text}"
        );
    }
}
