//! The sheets of `--commandes`, after « Engagements »: « Commandes » (every order, its
//! match, how and with what difference; then the EJs no order matched) and « Marchés et
//! natures » (the breakdown per marché, nature, supplier, product and year, with totals).

use rust_decimal::Decimal;

use super::grid::Cell;
use super::overview::severity_tone;
use super::table::Table;
use crate::reconcile::Code;
use crate::reconcile::orders::{Group, OrderReport};
use crate::report::Context;

pub const ORDERS: &str = "Commandes";
pub const BREAKDOWN: &str = "Marchés et natures";

const ORDER_HEADERS: [&str; 14] = [
    "Commande",
    "N° EJ donné",
    "Marché",
    "Nature",
    "Produit",
    "Fournisseur",
    "Date",
    "Montant commandé",
    "Rapprochement",
    "Commandes du groupe",
    "EJ / postes",
    "Montant Chorus",
    "Écart",
    "Anomalie",
];

/// The two sheets, when the run has an order list.
pub fn tables<'a>(ctx: &'a Context) -> Vec<Table<'a>> {
    match ctx.run.reconciliation.orders.as_ref() {
        Some(r) => vec![commandes(ctx, r), marches(ctx, r)],
        None => Vec::new(),
    }
}

fn commandes<'a>(ctx: &'a Context, r: &'a OrderReport) -> Table<'a> {
    let len = r.orders.len() + r.unmatched_ejs.len();
    Table::new(
        ORDERS,
        "Commandes du délégataire rapprochées des EJ de Chorus (par n° d'EJ, sinon fournisseur \
         + montant + date) ; puis les EJ du périmètre qu'aucune commande ne rapproche.",
        &ORDER_HEADERS,
        len,
        move |i| match i.checked_sub(r.orders.len()) {
            None => order_cells(ctx, r, i),
            Some(e) => unmatched_ej_cells(ctx, r, e),
        },
    )
}

fn order_cells<'a>(ctx: &'a Context, r: &'a OrderReport, o: usize) -> Vec<Cell<'a>> {
    let order = &r.orders[o];
    let mut cells = vec![
        Cell::text(&order.id),
        Cell::opt(order.ej.as_deref()),
        Cell::text(&order.market),
        Cell::text(&order.nature),
        Cell::text(ctx.product_name(Some(order.product))),
        Cell::text(&order.supplier),
        Cell::Date(order.date),
        Cell::Amount(order.amount),
    ];
    match r.matched.group_of_order[o].map(|g| &r.matched.groups[g]) {
        Some(g) => cells.extend(group_cells(r, g)),
        None => cells.extend([
            Cell::text("aucun EJ"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            finding(Code::CommandeSansEj),
        ]),
    }
    cells
}

fn group_cells<'a>(r: &'a OrderReport, g: &'a Group) -> [Cell<'a>; 6] {
    [
        Cell::text(g.how.label()),
        Cell::owned(r.orders_text(g)),
        Cell::owned(r.postes_text(g)),
        Cell::Amount(g.chorus),
        Cell::Amount(g.difference()),
        match r.gap_beyond(g) {
            true => finding(Code::EcartMontant),
            false => Cell::Empty,
        },
    ]
}

fn unmatched_ej_cells<'a>(ctx: &'a Context, r: &'a OrderReport, e: usize) -> Vec<Cell<'a>> {
    let ej = &r.unmatched_ejs[e];
    let first = &r.postes[ej.postes[0]];
    let line = ctx.run.reconciliation.lines.get(first.first_line);
    let postes: Vec<&str> = (ej.postes.iter())
        .filter_map(|&p| r.postes[p].poste.as_deref())
        .collect();
    let postes = match postes.is_empty() {
        true => ej.ej.to_string(),
        false => format!("{} / {}", ej.ej, postes.join(", ")),
    };
    vec![
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::text(ctx.product_name(line.and_then(|l| l.product))),
        Cell::opt(first.supplier.as_deref()),
        first.date.map_or(Cell::Empty, Cell::Date),
        Cell::Empty,
        Cell::text("aucune commande"),
        Cell::Empty,
        Cell::owned(postes),
        Cell::Amount(ej.amount),
        Cell::Empty,
        finding(Code::EjSansCommande),
    ]
}

/// A finding's code, toned by its severity.
fn finding<'a>(code: Code) -> Cell<'a> {
    Cell::Toned(code.as_str().into(), severity_tone(code.severity()))
}

const BREAKDOWN_HEADERS: [&str; 10] = [
    "Marché",
    "Nature",
    "Fournisseur",
    "Produit",
    "Exercice",
    "Commandé",
    "AE (EJ rapprochés)",
    "CP (payés sur eux)",
    "Commandes",
    "EJ",
];

fn marches<'a>(ctx: &'a Context, r: &'a OrderReport) -> Table<'a> {
    let rows = &r.breakdown;
    let (ordered, ae, cp) = rows.iter().fold(
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO),
        |(o, a, c), b| (o + b.ordered, a + b.ae, c + b.cp),
    );
    Table::new(
        BREAKDOWN,
        "Consommation par marché, nature, fournisseur, produit et exercice : montant commandé, \
         AE des EJ rapprochés et CP payés sur eux ; les lignes sans commande à part.",
        &BREAKDOWN_HEADERS,
        rows.len(),
        move |i| {
            let b = &rows[i];
            vec![
                Cell::text(&b.market),
                Cell::text(&b.nature),
                Cell::text(&b.supplier),
                Cell::text(ctx.product_name(b.product)),
                Cell::ordinal(b.year),
                Cell::Amount(b.ordered),
                Cell::Amount(b.ae),
                Cell::Amount(b.cp),
                Cell::owned(b.orders.join(", ")),
                Cell::owned(b.ejs.join(", ")),
            ]
        },
    )
    .identified_by(2)
    .with_total(vec![
        Cell::text("Total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Amount(ordered),
        Cell::Amount(ae),
        Cell::Amount(cp),
        Cell::Empty,
        Cell::Empty,
    ])
}
