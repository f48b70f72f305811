//! `Déclaré et Chorus` (only with `--declare`): per product and period, what the
//! délégataire declares beside what Chorus says, the gap (declared − Chorus), whether it
//! is within the convention's tolerance, and since when it is open; a total per product
//! and year. The comparison itself is `reconcile::declared`'s; this only lays it out.

use rust_decimal::Decimal;

use super::grid::Cell;
use super::table::Table;
use crate::model::Measure;
use crate::model::money::euros;
use crate::reconcile::declared::{Compared, Comparison, Figures, Span, key};
use crate::reconcile::{Finding, Reconciliation};
use crate::report::Context;

pub const SHEET: &str = "Déclaré et Chorus";

const HEADERS: [&str; 10] = [
    "Produit",
    "Période",
    "AE déclarées",
    "AE Chorus",
    "Écart AE",
    "CP déclarés",
    "CP Chorus",
    "Écart CP",
    "Constat",
    "Depuis",
];

/// One row of the sheet: a period compared, or the total of a product's year.
enum Entry<'r> {
    Period(&'r Compared),
    Total {
        product: usize,
        year: i32,
        declared: Figures,
        chorus: Figures,
    },
}

/// The sheet's one-line caption; `None` without `--declare`.
pub fn caption(rec: &Reconciliation) -> Option<String> {
    let c = rec.declared.as_ref()?;
    // The file's name only: the caption stays one short line (a long one widens the
    // printed page).
    let file = std::path::Path::new(&c.file)
        .file_name()
        .map_or(c.file.clone(), |n| n.to_string_lossy().into_owned());
    let mut text = format!(
        "Déclaré par le délégataire (« {file} ») et Chorus, par produit et période ; écart = déclaré − Chorus, tolérance {} ; mois non déclaré : 0",
        euros(c.tolerance),
    );
    if c.other_convention > 0 {
        text.push_str(&format!(
            " ; {} ligne(s) d'une autre convention écartée(s)",
            c.other_convention
        ));
    }
    text.push('.');
    Some(text)
}

/// The rows in order: each product's periods, a total after each of its years.
fn entries(c: &Comparison) -> Vec<Entry<'_>> {
    let mut out = Vec::with_capacity(c.rows.len() + 8);
    let mut open: Option<(usize, i32, Figures, Figures)> = None;
    for row in &c.rows {
        let here = (row.product, row.span.year());
        if let Some((product, year, declared, chorus)) = open
            && (product, year) != here
        {
            out.push(Entry::Total {
                product,
                year,
                declared,
                chorus,
            });
            open = None;
        }
        let (_, _, declared, chorus) =
            open.get_or_insert((here.0, here.1, Figures::default(), Figures::default()));
        *declared = add(*declared, row.declared);
        *chorus = add(*chorus, row.chorus);
        out.push(Entry::Period(row));
    }
    if let Some((product, year, declared, chorus)) = open {
        out.push(Entry::Total {
            product,
            year,
            declared,
            chorus,
        });
    }
    out
}

fn add(a: Figures, b: Figures) -> Figures {
    Figures {
        ae: a.ae + b.ae,
        cp: a.cp + b.cp,
    }
}

/// « écart », « dans la tolérance » or « concordant ».
fn verdict(c: &Comparison, row: &Compared) -> &'static str {
    if !c.gaps(row).is_empty() {
        "écart"
    } else if row.gap(Measure::Ae).is_zero() && row.gap(Measure::Cp).is_zero() {
        "concordant"
    } else {
        "dans la tolérance"
    }
}

/// Since when a gap beyond the tolerance is open: its period; with `--previous`, also the
/// first run that saw its finding.
fn since(ctx: &Context, c: &Comparison, row: &Compared) -> String {
    let Some(&measure) = c.gaps(row).first() else {
        return String::new();
    };
    let key = key(ctx.convention, row, measure);
    let seen = (ctx.run.reconciliation.findings.iter())
        .find(|f| f.key == key)
        .and_then(|f: &Finding| f.follow_up)
        .filter(|f| !f.is_new);
    match seen {
        Some(f) => format!(
            "{} (vu depuis le rapprochement du {})",
            row.span.label(),
            f.first_seen.format("%d/%m/%Y")
        ),
        None => row.span.label(),
    }
}

fn period_cell<'a>(span: Span) -> Cell<'a> {
    match span.first_day() {
        Some(day) => Cell::Month(day),
        None => Cell::owned(span.label()),
    }
}

fn figures<'a>(declared: Figures, chorus: Figures) -> [Cell<'a>; 6] {
    [
        Cell::Amount(declared.ae),
        Cell::Amount(chorus.ae),
        Cell::Amount(declared.ae - chorus.ae),
        Cell::Amount(declared.cp),
        Cell::Amount(chorus.cp),
        Cell::Amount(declared.cp - chorus.cp),
    ]
}

fn cells<'a>(ctx: &'a Context, c: &Comparison, entry: &Entry) -> Vec<Cell<'a>> {
    let mut out = Vec::with_capacity(HEADERS.len());
    match entry {
        Entry::Period(row) => {
            out.push(Cell::text(ctx.product_name(Some(row.product))));
            out.push(period_cell(row.span));
            out.extend(figures(row.declared, row.chorus));
            out.push(Cell::text(verdict(c, row)));
            out.push(Cell::owned(since(ctx, c, row)));
        }
        Entry::Total {
            product,
            year,
            declared,
            chorus,
        } => {
            out.push(Cell::text(ctx.product_name(Some(*product))));
            out.push(Cell::owned(format!("Total {year}")));
            out.extend(figures(*declared, *chorus));
            out.push(Cell::Empty);
            out.push(Cell::Empty);
        }
    }
    out
}

/// The sheet's table; `None` without `--declare`. `caption` is [`caption`]'s.
pub fn table<'a>(ctx: &'a Context, caption: &'a str) -> Option<Table<'a>> {
    let c = ctx.run.reconciliation.declared.as_ref()?;
    let rows: Vec<Vec<Cell<'a>>> = entries(c).iter().map(|e| cells(ctx, c, e)).collect();
    let total = |f: fn(&Compared) -> Decimal| c.rows.iter().map(f).sum::<Decimal>();
    let mut grand = vec![Cell::text("Total général"), Cell::Empty];
    grand.extend(figures(
        Figures {
            ae: total(|r| r.declared.ae),
            cp: total(|r| r.declared.cp),
        },
        Figures {
            ae: total(|r| r.chorus.ae),
            cp: total(|r| r.chorus.cp),
        },
    ));
    grand.extend([Cell::Empty, Cell::Empty]);
    Some(
        Table::new(SHEET, caption, &HEADERS, rows.len(), move |i| {
            rows[i].clone()
        })
        .identified_by(2)
        .with_total(grand),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn row(product: usize, span: Span, declared: Decimal, chorus: Decimal) -> Compared {
        Compared {
            product,
            span,
            declared: Figures {
                ae: declared,
                cp: Decimal::ZERO,
            },
            chorus: Figures {
                ae: chorus,
                cp: Decimal::ZERO,
            },
        }
    }

    #[test]
    fn a_total_follows_each_product_year_and_verdicts_tell_zero_within_and_beyond() {
        let c = Comparison {
            file: "d.csv".into(),
            rows_read: 4,
            other_convention: 0,
            tolerance: dec!(1),
            rows: vec![
                row(0, Span::Month(2020, 12), dec!(10), dec!(10)),
                row(0, Span::Month(2021, 1), dec!(5), dec!(4)),
                row(0, Span::Undated(2021), dec!(0), dec!(2)),
                row(1, Span::Year(2021), dec!(7), dec!(0)),
            ],
        };
        let shape: Vec<String> = (entries(&c).iter())
            .map(|e| match e {
                Entry::Period(r) => format!("{} {}", r.product, r.span.label()),
                Entry::Total {
                    product,
                    year,
                    declared,
                    chorus,
                } => format!("{product} total {year}: {} / {}", declared.ae, chorus.ae),
            })
            .collect();
        assert_eq!(
            shape,
            [
                "0 décembre 2020",
                "0 total 2020: 10 / 10",
                "0 janvier 2021",
                "0 2021, sans date",
                "0 total 2021: 5 / 6",
                "1 2021",
                "1 total 2021: 7 / 0",
            ]
        );
        let verdicts: Vec<&str> = c.rows.iter().map(|r| verdict(&c, r)).collect();
        assert_eq!(
            verdicts,
            ["concordant", "dans la tolérance", "écart", "écart"]
        );
    }
}
