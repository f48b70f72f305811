//! `Fin de gestion`: the year-end closing, one table per block. The credits of each
//! exercice and product (the `Échéancier`'s rows, the same sums), the EJs each closed
//! exercice carries into the next (the bascule to expect on 1 January), the service fait
//! not yet paid where an extract gives it, and, at or after the convention's end, the EJs
//! still open (those of `EJ_NON_SOLDE`). The figures are
//! `reconcile::closing`'s; this module only lays them out.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::grid::{Cell, Formats, Grid, Style};
use super::sums::{ScheduleRow, schedule_rows};
use crate::reconcile::Commitment;
use crate::reconcile::closing::{self, CarriedEj, Closing, ServiceFaitEj};
use crate::report::Context;

pub const NAME: &str = "Fin de gestion";

/// EJs listed per block and exercice. A national extract holds tens of thousands of EJs:
/// past this many, the largest restes à payer are listed and the others are one line (the
/// total still covers them all; each EJ is in `Engagements` and in `--export-lignes`).
/// The sheet stays a page to read, and a sheet of the workbook held in memory stays small.
pub const LISTED_EJ: usize = 500;

/// The items to list: all of them when they are few, else the [`LISTED_EJ`] largest by
/// `amount` (ties in their order), in their order; and how many are left out, for what sum.
fn listed<T>(items: Vec<T>, amount: impl Fn(&T) -> Decimal) -> (Vec<T>, Option<(usize, Decimal)>) {
    if items.len() <= LISTED_EJ {
        return (items, None);
    }
    let mut ranked: Vec<(usize, Decimal)> = items
        .iter()
        .enumerate()
        .map(|(i, t)| (i, amount(t)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep = vec![false; items.len()];
    for (i, _) in &ranked[..LISTED_EJ] {
        keep[*i] = true;
    }
    let left: Decimal = ranked[LISTED_EJ..].iter().map(|(_, a)| *a).sum();
    let count = items.len() - LISTED_EJ;
    let kept = items
        .into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect();
    (kept, Some((count, left)))
}

/// The line saying what [`listed`] left out.
fn left_out(
    grid: &mut Grid,
    row: u32,
    left: Option<(usize, Decimal)>,
    what: &str,
) -> Result<u32, XlsxError> {
    let Some((count, amount)) = left else {
        return Ok(row);
    };
    let text = format!(
        "… et {count} autre(s) EJ, {} {what}, compris dans le total ci-dessous ; chaque EJ est dans l'onglet Engagements",
        crate::model::money::euros(amount)
    );
    grid.put(row + 1, 1, &Cell::owned(text), false)?;
    Ok(row + 1)
}

const CREDIT_HEADERS: [&str; 9] = [
    "Exercice",
    "État",
    "Produit",
    "AE prévues",
    "AE consommées",
    "AE non consommées",
    "CP prévus",
    "CP consommés",
    "CP non consommés",
];

const CARRIED_HEADERS: [&str; 9] = [
    "Exercice clos",
    "N° EJ",
    "Produit",
    "AE nettes",
    "Report antérieur",
    "CP",
    "Reste à payer au 31/12",
    "",
    "Fournisseur",
];

const SERVICE_FAIT_HEADERS: [&str; 9] = [
    "Exercice",
    "N° EJ",
    "Produit",
    "Réceptionné",
    "Certifié non soldé",
    "",
    "",
    "",
    "Fournisseur",
];

const OPEN_HEADERS: [&str; 9] = [
    "N° EJ",
    "Dernier mouvement",
    "Produit",
    "AE nettes",
    "Report antérieur",
    "CP",
    "Reste à payer",
    "",
    "Fournisseur",
];

/// « Fin de gestion 2020 » on a 31 December; else the situation and the exercice en cours.
fn title(ctx: &Context, closing: &Closing) -> String {
    let as_of = ctx.run.reconciliation.as_of;
    match closing.closing_of {
        Some(year) => format!("Fin de gestion {year}"),
        None => format!(
            "Fin de gestion – situation au {} (exercice {} en cours)",
            as_of.format("%d/%m/%Y"),
            as_of.format("%Y")
        ),
    }
}

pub fn fin_de_gestion(book: &mut Workbook, fmt: &Formats, ctx: &Context) -> Result<(), XlsxError> {
    let rec = &ctx.run.reconciliation;
    let closing = &rec.closing;
    let mut grid = Grid::new(book, fmt, NAME)?;
    grid.title(0, &title(ctx, closing))?;
    grid.heading(
        1,
        &format!("{} ({})", ctx.convention.title, ctx.convention.id),
        &fmt.section,
    )?;
    grid.heading(
        2,
        "Montants en euros. Les crédits d'un exercice clos ne donnent aucun droit l'année \
         suivante (LOLF art. 15) : ce qui n'est pas consommé est à signaler au délégant.",
        &fmt.note,
    )?;
    if let Some(e) = closing.exercices.iter().find(|e| !e.closed) {
        let text = format!(
            "Exercice {} en cours : ses crédits non consommés sont ceux qui restent à \
             consommer d'ici au 31/12.",
            e.year
        );
        grid.heading(3, &text, &fmt.note)?;
    }
    let row = credits(&mut grid, fmt, ctx, closing, 5)?;
    let row = carried(&mut grid, fmt, ctx, closing, row + 1)?;
    let row = service_fait(&mut grid, fmt, ctx, closing, row + 1)?;
    if let Some(open) = &closing.open_at_end {
        open_at_end(&mut grid, fmt, ctx, open, row + 1)?;
    }
    grid.finish()
}

/// One row of credits: planned, consumed and not consumed, for AE then CP.
fn credit_cells<'a>(
    ae: (Option<Decimal>, Decimal),
    cp: (Option<Decimal>, Decimal),
) -> Vec<Cell<'a>> {
    let mut cells = Vec::with_capacity(6);
    for (planned, consumed) in [ae, cp] {
        cells.extend([
            Cell::opt_amount(planned),
            Cell::Amount(consumed),
            Cell::opt_amount(closing::unused(planned, consumed)),
        ]);
    }
    cells
}

/// Block (a): per exercice covered and product, the `Échéancier`'s rows, with what was
/// not consumed; a total per exercice.
fn credits(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    closing: &Closing,
    row: u32,
) -> Result<u32, XlsxError> {
    grid.heading(
        row,
        "Crédits de l'échéancier par exercice et par produit",
        &fmt.section,
    )?;
    grid.header(row + 1, 0, &CREDIT_HEADERS)?;
    let mut rows: Vec<ScheduleRow> = schedule_rows(ctx)
        .into_iter()
        .filter(|r| closing.exercice(r.year).is_some())
        .collect();
    // Exercice by exercice, products in the Échéancier's order.
    rows.sort_by_key(|r| r.year);
    let mut r = row + 1;
    for e in &closing.exercices {
        let state = if e.closed { "clos" } else { "en cours" };
        let of_year: Vec<&ScheduleRow> = rows.iter().filter(|s| s.year == e.year).collect();
        let mut sums = [(None, Decimal::ZERO), (None, Decimal::ZERO)];
        let mut unused = [None, None];
        for s in &of_year {
            r += 1;
            let mut cells = vec![
                Cell::ordinal(e.year),
                Cell::text(state),
                Cell::text(s.product),
            ];
            cells.extend(credit_cells(s.ae, s.cp));
            grid.row(r, &cells, false)?;
            for (k, (planned, consumed)) in [s.ae, s.cp].into_iter().enumerate() {
                add(&mut sums[k], planned, consumed);
                if let Some(u) = closing::unused(planned, consumed) {
                    *unused[k].get_or_insert(Decimal::ZERO) += u;
                }
            }
        }
        r += 1;
        let total = format!("Total {}", e.year);
        let mut cells = vec![Cell::owned(total), Cell::text(state), Cell::Empty];
        for k in 0..2 {
            cells.extend([
                Cell::opt_amount(sums[k].0),
                Cell::Amount(sums[k].1),
                Cell::opt_amount(unused[k]),
            ]);
        }
        grid.styled_row(r, &cells, Style::Total)?;
    }
    Ok(r + 1)
}

fn add(sum: &mut (Option<Decimal>, Decimal), planned: Option<Decimal>, consumed: Decimal) {
    if let Some(p) = planned {
        *sum.0.get_or_insert(Decimal::ZERO) += p;
    }
    sum.1 += consumed;
}

/// The amounts of an EJ: AE net, carried, CP, reste à payer.
fn ej_amounts<'a>(ae: Decimal, carried: Decimal, cp: Decimal, remaining: Decimal) -> [Cell<'a>; 4] {
    [
        Cell::Amount(ae),
        Cell::Amount(carried),
        Cell::Amount(cp),
        Cell::Amount(remaining),
    ]
}

/// Block (b): per closed exercice, the EJs still open at its 31 December.
fn carried(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    closing: &Closing,
    row: u32,
) -> Result<u32, XlsxError> {
    grid.heading(
        row,
        "EJ reportés sur l'exercice suivant (bascule attendue au 1er janvier)",
        &fmt.section,
    )?;
    let closed: Vec<i32> = closing
        .exercices
        .iter()
        .filter(|e| e.closed)
        .map(|e| e.year)
        .collect();
    if closed.is_empty() {
        grid.heading(
            row + 1,
            "Aucun exercice clos à la date de situation.",
            &fmt.note,
        )?;
        return Ok(row + 2);
    }
    grid.header(row + 1, 0, &CARRIED_HEADERS)?;
    let mut r = row + 1;
    for year in closed {
        r = carried_year(grid, ctx, closing, year, r)?;
    }
    Ok(r + 1)
}

/// The EJs of one closed exercice still open at its 31 December, then their total, from
/// the row after `r`; returns the total's row.
fn carried_year(
    grid: &mut Grid,
    ctx: &Context,
    closing: &Closing,
    year: i32,
    mut r: u32,
) -> Result<u32, XlsxError> {
    let commitments = &ctx.run.reconciliation.commitments;
    let of_year: Vec<&CarriedEj> = closing.carried.iter().filter(|e| e.year == year).collect();
    let count = of_year.len();
    let mut sums = [Decimal::ZERO; 4];
    for e in &of_year {
        for (s, a) in sums
            .iter_mut()
            .zip([e.ae_net, e.carried, e.cp, e.remaining])
        {
            *s += a;
        }
    }
    let (of_year, left) = listed(of_year, |e| e.remaining);
    for e in &of_year {
        let c = &commitments[e.commitment];
        r += 1;
        let mut cells = vec![
            Cell::ordinal(year),
            Cell::text(&c.ej),
            Cell::text(ctx.product_name(c.product)),
        ];
        cells.extend(ej_amounts(e.ae_net, e.carried, e.cp, e.remaining));
        cells.extend([Cell::Empty, Cell::opt(c.supplier.as_deref())]);
        grid.row(r, &cells, false)?;
    }
    r = left_out(grid, r, left, "de reste à payer")?;
    r += 1;
    let label = match count {
        0 => format!("{year} : aucun EJ ouvert au 31/12"),
        n => format!("Total {year} ({n} EJ)"),
    };
    total_row(grid, r, label, sums)?;
    Ok(r)
}

/// The total row of a block of EJs: AE net, carried, CP, reste à payer.
fn total_row(
    grid: &mut Grid,
    row: u32,
    label: String,
    sums: [Decimal; 4],
) -> Result<(), XlsxError> {
    let mut cells = vec![Cell::owned(label), Cell::Empty, Cell::Empty];
    cells.extend(ej_amounts(sums[0], sums[1], sums[2], sums[3]));
    cells.extend([Cell::Empty, Cell::Empty]);
    grid.styled_row(row, &cells, Style::Total)
}

/// Block (d): the EJs still holding a reste à payer at the convention's end.
fn open_at_end(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    open: &[usize],
    row: u32,
) -> Result<u32, XlsxError> {
    let end = ctx.convention.end;
    let as_of = ctx.run.reconciliation.as_of;
    let heading = if as_of > end {
        format!(
            "EJ encore ouverts après la fin de la convention ({}) : reste à payer au {}",
            end.format("%d/%m/%Y"),
            as_of.format("%d/%m/%Y")
        )
    } else {
        format!(
            "EJ encore ouverts à la fin de la convention ({})",
            end.format("%d/%m/%Y")
        )
    };
    grid.heading(row, &heading, &fmt.section)?;
    grid.heading(
        row + 1,
        "Ils ne peuvent plus être payés au titre de la convention (art. 7) : à solder, à \
         couvrir par un avenant ou à rendre au délégant (anomalie EJ_NON_SOLDE).",
        &fmt.note,
    )?;
    grid.header(row + 2, 0, &OPEN_HEADERS)?;
    let commitments = &ctx.run.reconciliation.commitments;
    let mut r = row + 2;
    let mut sums = [Decimal::ZERO; 4];
    for c in open.iter().map(|&i| &commitments[i]) {
        for (s, a) in sums
            .iter_mut()
            .zip([c.ae_net, c.carried, c.cp, c.remaining])
        {
            *s += a;
        }
    }
    let (shown, left) = listed(open.iter().map(|&i| &commitments[i]).collect(), |c| {
        c.remaining
    });
    for c in shown {
        r += 1;
        for (col, cell) in (0..).zip(&open_cells(ctx, c)) {
            // The date lines up with the EJ number on its left, not with the product.
            let style = if col == 1 { Style::Left } else { Style::Plain };
            grid.put_styled(r, col, cell, style)?;
        }
    }
    r = left_out(grid, r, left, "de reste à payer")?;
    r += 1;
    let label = match open.len() {
        0 => "Aucun EJ ouvert".to_string(),
        n => format!("Total ({n} EJ)"),
    };
    total_row(grid, r, label, sums)?;
    Ok(r + 1)
}

/// Block (c): per exercice, the service fait of each EJ, where an extract gives it.
fn service_fait(
    grid: &mut Grid,
    fmt: &Formats,
    ctx: &Context,
    closing: &Closing,
    row: u32,
) -> Result<u32, XlsxError> {
    grid.heading(row, "Service fait non payé (charges à payer)", &fmt.section)?;
    if closing.service_fait.is_empty() {
        grid.heading(
            row + 1,
            "Aucun extrait ne donne le service fait (INF-BUD-53 en tableau croisé : « Montant \
             réceptionné », « Montant certifié non soldé ») : les charges à payer ne sont pas \
             connues ici.",
            &fmt.note,
        )?;
        return Ok(row + 2);
    }
    grid.heading(
        row + 1,
        "« Certifié non soldé » : le service fait certifié qu'aucune DP ne solde encore, à \
         payer ; « Réceptionné » : le service fait de l'exercice, payé ou non. D'après \
         l'extrait le plus récent de chaque exercice.",
        &fmt.note,
    )?;
    grid.header(row + 2, 0, &SERVICE_FAIT_HEADERS)?;
    let mut r = row + 2;
    for e in &closing.exercices {
        let of_year: Vec<&ServiceFaitEj> = closing
            .service_fait
            .iter()
            .filter(|s| s.year == e.year)
            .collect();
        if of_year.is_empty() {
            continue;
        }
        r = service_fait_year(grid, ctx, e.year, of_year, r)?;
    }
    Ok(r + 1)
}

/// The service fait of one exercice's EJs, then its total, from the row after `r`;
/// returns the total's row.
fn service_fait_year(
    grid: &mut Grid,
    ctx: &Context,
    year: i32,
    of_year: Vec<&ServiceFaitEj>,
    mut r: u32,
) -> Result<u32, XlsxError> {
    let (mut received, mut unpaid) = (None, None);
    for s in &of_year {
        add_opt(&mut received, s.received);
        add_opt(&mut unpaid, s.certified_unpaid);
    }
    let (of_year, left) = listed(of_year, |s| s.certified_unpaid.unwrap_or_default());
    for s in of_year {
        r += 1;
        let supplier = s
            .commitment
            .and_then(|i| ctx.run.reconciliation.commitments[i].supplier.as_deref());
        let cells = [
            Cell::ordinal(s.year),
            Cell::text(&s.ej),
            Cell::text(ctx.product_name(s.product)),
            Cell::opt_amount(s.received),
            Cell::opt_amount(s.certified_unpaid),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::opt(supplier),
        ];
        grid.row(r, &cells, false)?;
    }
    r = left_out(grid, r, left, "de service fait certifié non soldé")?;
    r += 1;
    let mut cells = vec![
        Cell::owned(format!("Total {}", year)),
        Cell::Empty,
        Cell::Empty,
    ];
    cells.extend([Cell::opt_amount(received), Cell::opt_amount(unpaid)]);
    cells.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
    grid.styled_row(r, &cells, Style::Total)?;
    Ok(r)
}

fn add_opt(sum: &mut Option<Decimal>, a: Option<Decimal>) {
    if let Some(a) = a {
        *sum.get_or_insert(Decimal::ZERO) += a;
    }
}

fn open_cells<'a>(ctx: &'a Context, c: &'a Commitment) -> Vec<Cell<'a>> {
    let mut cells = vec![
        Cell::text(&c.ej),
        c.last_movement.map_or(Cell::Empty, Cell::Date),
        Cell::text(ctx.product_name(c.product)),
    ];
    cells.extend(ej_amounts(c.ae_net, c.carried, c.cp, c.remaining));
    // The supplier apart from the amounts, past an empty column.
    cells.extend([Cell::Empty, Cell::opt(c.supplier.as_deref())]);
    cells
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{LISTED_EJ, listed};

    #[test]
    fn few_items_are_all_listed_in_their_order() {
        let items: Vec<i64> = vec![3, 1, 2];
        let (kept, left) = listed(items.clone(), |i| Decimal::from(*i));
        assert_eq!(kept, items);
        assert_eq!(left, None);
    }

    #[test]
    fn past_the_cap_the_largest_are_listed_in_their_order_and_the_rest_summed() {
        // 0, 1, 2, … : the largest are the last ones; two more than the cap.
        let items: Vec<i64> = (0..(LISTED_EJ as i64 + 2)).collect();
        let (kept, left) = listed(items, |i| Decimal::from(*i));
        assert_eq!(kept.len(), LISTED_EJ);
        assert_eq!(kept.first(), Some(&2));
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "order kept");
        assert_eq!(left, Some((2, Decimal::from(1))));
    }
}
