//! What a row moves: one amount whose meaning the file gives (most layouts), one whose
//! meaning key-figure columns give row by row (crosstab « Type montant », journal des
//! pièces « TV » and « TypeMtant »), or several key-figure columns side by side (BO Webi
//! and 2019 workbooks: engagé, bascule, engagé de l'année, payé).

use compact_str::CompactString;
use rust_decimal::Decimal;

use super::{FileContext, Reject, amount, code, field, text};
use crate::ingest::layout::{FieldId, KeyFigure};
use crate::ingest::record::{Field, RawRecord};
use crate::model::{Measure, ServiceFait};

/// The movements of one row.
#[derive(Debug, PartialEq)]
pub(super) enum Movements {
    /// (measure, amount, carried bascule) per line.
    Lines(Vec<(Measure, Decimal, Decimal)>),
    /// A commitment consumed by its follow-on document (journal 0200, 0210, 0500), or a
    /// service fait figure: no AE, no CP; the amount, the key figure as the row writes it,
    /// and which service fait figure it is.
    Reduction(Decimal, CompactString, Option<ServiceFait>),
    /// A key figure that is not a movement (a pre-commitment, a report, a balance), as
    /// the row writes it.
    NotAMovement(CompactString),
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

/// The row's key figure, « TV/TypeMtant » when the layout has both columns. The amount
/// type may be written as a code (`0200`, `200`) or a label (« Réduction »), or both in two
/// columns (JP51: the code prevails).
fn by_key_figure(
    record: &RawRecord,
    ctx: &FileContext,
    amount: Decimal,
) -> Result<Movements, Reject> {
    let kinds: Vec<String> = [FieldId::TypeMontant, FieldId::TypeMontantLibelle]
        .into_iter()
        .map(|id| text(record, ctx, id).map(|t| t.map(|t| t.trim().to_string())))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .filter(|t| code::clean_code(t).is_some())
        .collect();
    if kinds.is_empty() {
        return Err(Reject::at(FieldId::TypeMontant, "type de montant absent"));
    }
    let tv = text(record, ctx, FieldId::TypeValeur)?.map(|t| t.trim().to_string());
    let figures: Vec<String> = kinds
        .iter()
        .map(|kind| match &tv {
            Some(tv) => code::fold(&format!("{tv}/{kind}")),
            None => code::fold(kind),
        })
        .collect();
    let shown = CompactString::from(match &tv {
        Some(tv) => format!("{tv}/{}", kinds.join(" ")),
        None => kinds.join(" "),
    });
    // The code first, the label when the code is blank or names no figure; a catch-all
    // (`*/*`) only when neither names one.
    let key_figures = &ctx.mapping.layout.meta.key_figures;
    let named = |f: &String| {
        key_figures
            .iter()
            .find(|k| k.value.split('/').any(|p| p != "*") && matches(k, f))
    };
    let known = figures.iter().find_map(named).or_else(|| {
        key_figures
            .iter()
            .find(|k| figures.iter().any(|f| matches(k, f)))
    });
    match known {
        Some(k) if k.ignore => Ok(Movements::NotAMovement(shown)),
        Some(k) if k.reduction || k.service_fait.is_some() => {
            Ok(Movements::Reduction(amount, shown, k.service_fait))
        }
        Some(k) if k.positive_only && amount < Decimal::ZERO => Ok(Movements::NotAMovement(
            compact_str::format_compact!("{shown} (côté émetteur)"),
        )),
        Some(k) => Ok(Movements::Lines(vec![(
            k.measure.unwrap_or(ctx.measure),
            amount * Decimal::from(k.sign),
            if k.carried { amount } else { Decimal::ZERO },
        )])),
        None => Err(Reject::at(
            FieldId::TypeMontant,
            format!("indicateur « {shown} » inconnu : ni engagement, ni paiement, ni report"),
        )),
    }
}

/// A key figure matches part by part around `/`: `*` matches any part, `51|52` either, a
/// code matches by prefix or as the same number (`200` is `0200`), and the last part may
/// be one of the figure's labels.
fn matches(k: &KeyFigure, folded: &str) -> bool {
    let wanted = code::fold(&k.value);
    let (wanted_parts, parts): (Vec<&str>, Vec<&str>) =
        (wanted.split('/').collect(), folded.split('/').collect());
    if wanted_parts.len() != parts.len() {
        return false;
    }
    let last = parts.len() - 1;
    wanted_parts
        .iter()
        .zip(&parts)
        .enumerate()
        .all(|(i, (w, p))| {
            w.split('|')
                .any(|w| w == "*" || p.starts_with(w) || same_number(w, p))
                || i == last
                    && k.labels
                        .iter()
                        .any(|l| !l.is_empty() && p.starts_with(&code::fold(l)))
        })
}

/// `0200` and `200` (a workbook drops the leading zero of a code typed as a number).
fn same_number(a: &str, b: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    digits(a) && digits(b) && a.trim_start_matches('0') == b.trim_start_matches('0')
}

#[cfg(test)]
mod tests {
    use crate::ingest::layout::Mapping;

    /// The mapping of `header` under the layout named `name`.
    fn journal_mapping(name: &str, header: &[&str]) -> Mapping {
        let layout = crate::ingest::layout::layouts()
            .iter()
            .find(|l| l.name == name)
            .unwrap();
        crate::ingest::layout::map_header(layout, &RawRecord::from_texts(1, header))
    }

    /// A journal file's context (AE by default, no preamble).
    fn journal_context(mapping: &Mapping) -> FileContext<'_> {
        FileContext {
            input: 0,
            mapping,
            measure: Measure::Ae,
            exercice: None,
            separator: ';',
            gap: None,
        }
    }

    use super::*;

    fn figure(value: &str) -> KeyFigure {
        KeyFigure {
            value: value.into(),
            measure: None,
            sign: 1,
            ignore: false,
            carried: false,
            labels: vec!["Réduction".into()],
            reduction: false,
            positive_only: false,
            service_fait: None,
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
            // Codes without their leading zero, and label-only rows.
            ("51/0200", "51/200", true),
            ("51/0200", "51/REDUCTION", true),
            ("51/0200", "51/REDUCTION PAR PIECE SUIVANTE", true),
            ("51/0200", "51/2000", false),
            ("51/0200", "51/ORIGINAL", false),
            ("*/0200", "REDUCTION", false),
            ("51|52|65/0100", "65/100", true),
            ("51|52|65/0100", "50/0100", false),
        ];
        for (value, folded, expected) in cases {
            assert_eq!(
                matches(&figure(value), folded),
                expected,
                "{value} ~ {folded}"
            );
        }
    }

    /// The journal's amount types read as SAP FM means them (the short-header journal and
    /// the JP51 share the same key figures).
    #[test]
    fn journal_amount_types_read_as_sap_fm_means_them() {
        use rust_decimal_macros::dec;
        let header = ["Nº pce réf", "Dom. fonc.", "TV", "TypeMtant", "Mont.DT"];
        let mapping = journal_mapping("sap-journal-pieces", &header);
        let ctx = journal_context(&mapping);
        let read = |tv: &str, kind: &str, amount: &str| {
            let cells = ["2100000001", "0174-06", tv, kind, amount];
            movements(&RawRecord::from_texts(2, &cells), &ctx).map_err(|r| r.reason)
        };
        let ae = |a| Ok(Movements::Lines(vec![(Measure::Ae, a, Decimal::ZERO)]));
        let cases = [
            (("51", "0100", "40000"), ae(dec!(40000))),
            (("51", "100", "40000"), ae(dec!(40000))),
            (("51", "Original", "40000"), ae(dec!(40000))),
            (("65", "0150", "-500"), ae(dec!(-500))),
            (("52", "0220", "10"), ae(dec!(10))),
            (("51", "0600", "-700"), ae(dec!(-700))),
            (
                ("51", "Changement d'imputation récepteur", "700"),
                ae(dec!(700)),
            ),
            (
                ("51", "0200", "-25000"),
                Ok(Movements::Reduction(dec!(-25000), "51/0200".into(), None)),
            ),
            (
                ("51", "Réduction", "-25000"),
                Ok(Movements::Reduction(
                    dec!(-25000),
                    "51/Réduction".into(),
                    None,
                )),
            ),
            (
                ("51", "500", "-1"),
                Ok(Movements::Reduction(dec!(-1), "51/500".into(), None)),
            ),
            // The receiving side of a carry-over: no AE, the bascule to pay.
            (
                ("51", "0350", "8000"),
                Ok(Movements::Lines(vec![(
                    Measure::Ae,
                    Decimal::ZERO,
                    dec!(8000),
                )])),
            ),
            (
                ("51", "0300", "-8000"),
                Ok(Movements::NotAMovement("51/0300 (côté émetteur)".into())),
            ),
            (
                ("57", "0250", "25000"),
                Ok(Movements::Lines(vec![(
                    Measure::Cp,
                    dec!(25000),
                    Decimal::ZERO,
                )])),
            ),
            (
                ("54", "0100", "25000"),
                Ok(Movements::NotAMovement("54/0100".into())),
            ),
            (
                ("50", "0100", "999"),
                Ok(Movements::NotAMovement("50/0100".into())),
            ),
            (("51", "", "1"), Err("type de montant absent".to_string())),
        ];
        for ((tv, kind, amount), expected) in cases {
            let got = read(tv, kind, amount).map(|m| match m {
                // Zero is zero, whatever its scale.
                Movements::Lines(l) => Movements::Lines(
                    l.into_iter()
                        .map(|(m, a, c)| (m, a.normalize(), c))
                        .collect(),
                ),
                other => other,
            });
            assert_eq!(got, expected, "{tv}/{kind} {amount}");
        }
    }

    /// JP51: « Type de montant » twice, the label then the code; the code prevails, the
    /// label serves when the code is blank or names no figure.
    #[test]
    fn jp51_reads_the_code_then_the_label() {
        use rust_decimal_macros::dec;
        let header = [
            "Exercice comptable",
            "Domaine fonctionnel",
            "Numéro de pièce de la pièce de référence",
            "Type de montant",
            "Type de montant",
            "Type de valeur",
            "Montant à contrôler en dev. transaction",
        ];
        let mapping = journal_mapping("sap-jp51", &header);
        let ctx = journal_context(&mapping);
        let read = |label: &str, code: &str| {
            let cells = ["2020", "0174-06", "2100000001", label, code, "51", "-10"];
            match movements(&RawRecord::from_texts(2, &cells), &ctx) {
                Ok(Movements::Lines(_)) => "AE",
                Ok(Movements::Reduction(a, ..)) if a == dec!(-10) => "réduction",
                Ok(Movements::NotAMovement(_)) => "ignorée",
                _ => "autre",
            }
        };
        let cases = [
            (("Réduction", "200"), "réduction"),
            (("Modification", "150"), "AE"),
            // The code prevails over a label that disagrees.
            (("Réduction", "150"), "AE"),
            (("Réduction", ""), "réduction"),
            (("", "0200"), "réduction"),
            // A code that names no figure: the label does.
            (("Réduction", "999"), "réduction"),
            (("Inconnu", "999"), "ignorée"),
        ];
        for ((label, code), expected) in cases {
            assert_eq!(read(label, code), expected, "{label} / {code}");
        }
    }
}
