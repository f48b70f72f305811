//! What a row moves: one amount whose meaning the file gives (most layouts), one whose
//! meaning key-figure columns give row by row (crosstab « Type montant », journal des
//! pièces « TV » and « TypeMtant »), or several key-figure columns side by side (BO Webi
//! and 2019 workbooks: engagé, bascule, engagé de l'année, payé).

use rust_decimal::Decimal;

use super::{FileContext, Reject, amount, code, field, text};
use crate::ingest::layout::{FieldId, KeyFigure};
use crate::ingest::record::{Field, RawRecord};
use crate::model::Measure;

/// The movements of one row.
#[derive(Debug, PartialEq)]
pub(super) enum Movements {
    /// (measure, amount, carried bascule) per line.
    Lines(Vec<(Measure, Decimal, Decimal)>),
    /// A key figure that is not a movement (a pre-commitment, a report, a balance).
    NotAMovement,
}

/// The amount in column `id`: `Ok(None)` when the layout has no such column or the cell
/// is blank.
fn amount_at(
    record: &RawRecord,
    ctx: &FileContext,
    id: FieldId,
) -> Result<Option<Decimal>, Reject> {
    if !ctx.mapping.has(id) {
        return Ok(None);
    }
    match field(record, ctx, id) {
        None => Ok(None),
        Some(Field::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Field::Text(t)) => amount::parse_amount(t)
            .map(Some)
            .map_err(|e| Reject::at(id, e.to_string())),
        Some(Field::Number(v)) => amount::amount_from_f64(v)
            .map(Some)
            .map_err(|e| Reject::at(id, e.to_string())),
        Some(Field::Date(d)) => Err(Reject::at(
            id,
            format!(
                "une date ({}) à la place d'un montant",
                d.format("%d/%m/%Y")
            ),
        )),
        Some(Field::Error(e)) => Err(Reject::at(id, format!("cellule en erreur « {e} »"))),
    }
}

pub(super) fn movements(record: &RawRecord, ctx: &FileContext) -> Result<Movements, Reject> {
    if ctx.mapping.has(FieldId::Montant) {
        let amount = amount_at(record, ctx, FieldId::Montant)?
            .ok_or_else(|| Reject::at(FieldId::Montant, "montant absent"))?;
        // Some layouts split the amount (AIFE daily DP: excluding VAT, and VAT).
        let amount = amount + amount_at(record, ctx, FieldId::MontantTva)?.unwrap_or_default();
        if ctx.mapping.layout.meta.key_figures.is_empty() {
            return Ok(Movements::Lines(vec![(ctx.measure, amount, Decimal::ZERO)]));
        }
        return by_key_figure(record, ctx, amount);
    }
    let mut lines = Vec::with_capacity(2);
    // AE of the year: given, or engagé − bascule (earlier EJs carried into the year are
    // not AE of the year). A row with no commitment figure (a payment row) has no AE line.
    let of_year = amount_at(record, ctx, FieldId::MontantAe)?;
    let committed = amount_at(record, ctx, FieldId::MontantEngage)?;
    let carried = amount_at(record, ctx, FieldId::MontantBascule)?;
    let ae = of_year.or(committed.map(|c| c - carried.unwrap_or_default()));
    if let Some(ae) = ae {
        lines.push((Measure::Ae, ae, carried.unwrap_or_default()));
    }
    if let Some(cp) = amount_at(record, ctx, FieldId::MontantCp)? {
        // A commitment row with nothing paid is one AE line, not two.
        if !cp.is_zero() || lines.is_empty() {
            lines.push((Measure::Cp, cp, Decimal::ZERO));
        }
    }
    if lines.is_empty() {
        return Err(Reject {
            field: None,
            reason: "aucun montant sur la ligne".into(),
        });
    }
    Ok(Movements::Lines(lines))
}

/// The row's key figure, « TV/TypeMtant » when the layout has both columns.
fn by_key_figure(
    record: &RawRecord,
    ctx: &FileContext,
    amount: Decimal,
) -> Result<Movements, Reject> {
    let kind = text(record, ctx, FieldId::TypeMontant)?.unwrap_or_default();
    let figure = match text(record, ctx, FieldId::TypeValeur)? {
        Some(tv) => format!("{}/{}", tv.trim(), kind.trim()),
        None => kind.trim().to_string(),
    };
    let folded = code::fold(&figure);
    let known = ctx
        .mapping
        .layout
        .meta
        .key_figures
        .iter()
        .find(|k| matches(k, &folded));
    match known {
        Some(k) if k.ignore => Ok(Movements::NotAMovement),
        Some(k) => Ok(Movements::Lines(vec![(
            k.measure.unwrap_or(ctx.measure),
            amount * Decimal::from(k.sign),
            if k.carried { amount } else { Decimal::ZERO },
        )])),
        None => Err(Reject::at(
            FieldId::TypeMontant,
            format!("indicateur « {figure} » inconnu : ni engagement, ni paiement, ni report"),
        )),
    }
}

/// A key figure matches by prefix, part by part around `/`; `*` matches any part.
fn matches(k: &KeyFigure, folded: &str) -> bool {
    let wanted = code::fold(&k.value);
    let (wanted_parts, parts): (Vec<&str>, Vec<&str>) =
        (wanted.split('/').collect(), folded.split('/').collect());
    wanted_parts.len() == parts.len()
        && wanted_parts
            .iter()
            .zip(&parts)
            .all(|(w, p)| *w == "*" || p.starts_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: &str) -> KeyFigure {
        KeyFigure {
            value: value.into(),
            measure: None,
            sign: 1,
            ignore: false,
            carried: false,
        }
    }

    #[test]
    fn key_figures_match_by_prefix_and_wildcard() {
        let cases = [
            ("Montant engagé", "MONTANT ENGAGE", true),
            ("Montant engagé", "MONTANT ENGAGE (EUR)", true),
            ("Montant payé", "MONTANT ENGAGE", false),
            ("*/0250", "57/0250", true),
            ("51/0100", "51/0100", true),
            ("51/0100", "50/0100", false),
            ("*/0250", "0250", false),
        ];
        for (value, folded, expected) in cases {
            assert_eq!(
                matches(&figure(value), folded),
                expected,
                "{value} ~ {folded}"
            );
        }
    }
}
