//! The délégataire's order list (`--commandes`): one row per bon de commande on a marché of
//! the délégataire, for a product of the convention. Each order is matched with the Chorus
//! EJs (`reconcile::orders`). Layout: `schemas/commandes.schema.json`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Column, Mistake, PRODUCT_COLUMN, Row, mistakes_error, read};
use crate::convention::Convention;
use crate::error::InputError;

/// One bon de commande.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Its number, unique in the file.
    pub id: String,
    /// The EJ that carries it, when the délégataire knows it (10 digits).
    pub ej: Option<String>,
    pub market: String,
    /// The annexe 2 lot (coaching, développement…).
    pub nature: String,
    /// Index of the product in the convention.
    pub product: usize,
    pub supplier: String,
    /// 14 digits, when given.
    pub siret: Option<String>,
    pub amount: Decimal,
    pub date: NaiveDate,
    /// Where it was read (file row), for messages.
    pub row: u64,
}

/// An order list read and checked against the convention, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orders {
    pub file: String,
    pub orders: Vec<Order>,
}

const ORDER: usize = 0;
const EJ: usize = 1;
const MARKET: usize = 2;
const NATURE: usize = 3;
const PRODUCT: usize = 4;
const SUPPLIER: usize = 5;
const SIRET: usize = 6;
const AMOUNT: usize = 7;
const DATE: usize = 8;

pub const COLUMNS: &[Column] = &[
    Column {
        name: "commande",
        aliases: &[
            "n° commande",
            "numero de commande",
            "bon de commande",
            "bc",
            "n° bc",
        ],
        required: true,
    },
    Column {
        name: "ej",
        aliases: &["n° ej", "numero d'ej", "engagement juridique"],
        required: false,
    },
    Column {
        name: "marche",
        aliases: &["marché", "n° marche", "contrat"],
        required: true,
    },
    Column {
        name: "nature",
        aliases: &["lot", "prestation"],
        required: true,
    },
    PRODUCT_COLUMN,
    Column {
        name: "fournisseur",
        aliases: &["titulaire", "raison sociale"],
        required: true,
    },
    Column {
        name: "siret",
        aliases: &["n° siret", "code taxe 1"],
        required: false,
    },
    Column {
        name: "montant",
        aliases: &["montant commande", "montant ttc", "montant engage"],
        required: true,
    },
    Column {
        name: "date",
        aliases: &[
            "date de commande",
            "date d'emission",
            "date du bon de commande",
        ],
        required: true,
    },
];

/// Reads an order list. Every mistake is reported at once (exit code 2): unreadable
/// cells, unknown products, an order number given twice, an EJ or SIRET of the wrong shape.
pub fn load(path: &Path, convention: &Convention) -> Result<Orders, InputError> {
    let table = read(path, COLUMNS, "fichier de commandes")?;
    let mut orders = Vec::new();
    let mut mistakes = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for row in &table.rows {
        match order(row, convention) {
            Ok(o) => match seen.insert(o.id.clone(), o.row) {
                Some(first) => mistakes.push(Mistake::at(
                    COLUMNS,
                    row.row,
                    ORDER,
                    format!("commande « {} » déjà listée (ligne {first})", o.id),
                )),
                None => orders.push(o),
            },
            Err(mut m) => mistakes.append(&mut m),
        }
    }
    if let Some(e) = mistakes_error(&table, mistakes) {
        return Err(e);
    }
    Ok(Orders {
        file: table.file,
        orders,
    })
}

/// A number of `digits` digits (spaces aside), or a mistake naming what it should be.
fn digits(row: &Row, column: usize, count: usize, what: &str) -> Result<Option<String>, Mistake> {
    let Some(text) = row.text(column) else {
        return Ok(None);
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == count && compact.chars().all(|c| c.is_ascii_digit()) {
        Ok(Some(compact))
    } else {
        Err(Mistake::at(
            COLUMNS,
            row.row,
            column,
            format!("{what} « {text} » illisible (attendu {count} chiffres)"),
        ))
    }
}

/// Pushes the mistake of `r`, if any, and gives its value.
fn keep<T>(r: Result<T, Mistake>, mistakes: &mut Vec<Mistake>) -> Option<T> {
    r.map_err(|m| mistakes.push(m)).ok()
}

fn order(row: &Row, convention: &Convention) -> Result<Order, Vec<Mistake>> {
    let mut m = Vec::new();
    let id = keep(row.required_text(COLUMNS, ORDER), &mut m);
    let ej = keep(digits(row, EJ, 10, "n° d'EJ"), &mut m).flatten();
    let market = keep(row.required_text(COLUMNS, MARKET), &mut m);
    let nature = keep(row.required_text(COLUMNS, NATURE), &mut m);
    let product = row.product(COLUMNS, PRODUCT, convention, &mut m);
    let supplier = keep(row.required_text(COLUMNS, SUPPLIER), &mut m);
    let siret = keep(digits(row, SIRET, 14, "SIRET"), &mut m).flatten();
    let amount = required(row.amount(COLUMNS, AMOUNT), row, AMOUNT, &mut m);
    let date = required(row.date(COLUMNS, DATE), row, DATE, &mut m);
    match (id, market, nature, product, supplier, amount, date) {
        (
            Some(id),
            Some(market),
            Some(nature),
            Some(product),
            Some(supplier),
            Some(amount),
            Some(date),
        ) if m.is_empty() => Ok(Order {
            id,
            ej,
            market,
            nature,
            product,
            supplier,
            siret,
            amount,
            date,
            row: row.row,
        }),
        _ => Err(m),
    }
}

/// A required amount or date: empty is a mistake.
fn required<T>(
    r: Result<Option<T>, Mistake>,
    row: &Row,
    column: usize,
    mistakes: &mut Vec<Mistake>,
) -> Option<T> {
    match r {
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            mistakes.push(Mistake::at(
                COLUMNS,
                row.row,
                column,
                "valeur manquante".into(),
            ));
            None
        }
        Err(e) => {
            mistakes.push(e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn file(text: &str) -> tempfile::NamedTempFile {
        crate::tables::tests::write(text.as_bytes())
    }

    const HEADER: &str = "commande;ej;marche;nature;produit;fournisseur;siret;montant;date\n";

    #[test]
    fn orders_are_read_with_their_optional_ej_and_siret() {
        let c = Convention::builtin();
        let f = file(&format!(
            "{HEADER}BC-1;2100005001;DDDH;design;{};OCTO;418 350 148 00029;1 000,50;15/01/2020\nBC-2;;Coaching;coaching;{};Coachs;;9000;2020-08-20\n",
            c.products[0].id,
            c.products[1].name.to_uppercase()
        ));
        let got = load(f.path(), &c).unwrap();
        assert_eq!(got.orders.len(), 2);
        let (a, b) = (&got.orders[0], &got.orders[1]);
        assert_eq!(a.ej.as_deref(), Some("2100005001"));
        assert_eq!(a.siret.as_deref(), Some("41835014800029"));
        assert_eq!((a.product, a.amount, a.row), (0, dec!(1000.50), 2));
        assert_eq!(
            (b.ej.as_deref(), b.siret.as_deref(), b.product),
            (None, None, 1)
        );
        assert_eq!(b.date, NaiveDate::from_ymd_opt(2020, 8, 20).unwrap());
    }

    #[test]
    fn aliases_name_the_columns() {
        let c = Convention::builtin();
        let f = file(&format!(
            "N° BC;N° EJ;Marché;Lot;Produit;Titulaire;Montant commande;Date de commande\nBC-1;;M;coaching;{};X;10;01/02/2020\n",
            c.products[0].id
        ));
        let got = load(f.path(), &c).unwrap();
        assert_eq!(got.orders[0].id, "BC-1");
        assert_eq!(got.orders[0].amount, dec!(10));
    }

    #[test]
    fn every_mistake_is_listed_at_once() {
        let c = Convention::builtin();
        let id = &c.products[0].id;
        let f = file(&format!(
            "{HEADER}BC-1;21;M;n;{id};X;;10;01/01/2020\nBC-2;;M;n;inconnu;X;123;10;01/01/2020\nBC-1;;M;n;{id};X;;;32/01/2020\n"
        ));
        let shown = load(f.path(), &c).unwrap_err().to_string();
        assert!(shown.contains("5 erreurs"), "{shown}");
        assert!(
            shown.contains("ligne 2, colonne « ej » : n° d'EJ « 21 » illisible"),
            "{shown}"
        );
        assert!(shown.contains("ligne 3, colonne « produit »"), "{shown}");
        assert!(shown.contains("ligne 3, colonne « siret »"), "{shown}");
        assert!(
            shown.contains("ligne 4, colonne « montant » : valeur manquante"),
            "{shown}"
        );
        assert!(
            shown.contains("ligne 4, colonne « date » : date illisible"),
            "{shown}"
        );
    }
}
