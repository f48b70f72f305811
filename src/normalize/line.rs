//! A row's lines: what every line of the row shares (imputation, identifiers, accounts,
//! texts), then one line per movement the row carries, with its measure, amount, year,
//! dates and identity.

use compact_str::CompactString;
use rust_decimal::Decimal;

use super::{
    Dates, FileContext, KeyFields, Reject, RowOutcome, check_width, code, code_of, free_text,
    identifier, identity, movement, reduction, text, titre,
};
use crate::ingest::layout::FieldId;
use crate::ingest::record::RawRecord;
use crate::model::{Identity, Line, Measure, Origin};

/// The lines of a row: one per movement it carries (usually one).
pub(super) fn build_lines(record: &RawRecord, ctx: &FileContext) -> Result<RowOutcome, Reject> {
    check_width(record, ctx)?;
    let movements = match movement::movements(record, ctx)? {
        movement::Movements::Lines(m) => m,
        movement::Movements::NotAMovement(figure) => return Ok(RowOutcome::NotAMovement(figure)),
        movement::Movements::Reduction(amount, figure, service_fait) => {
            return Ok(RowOutcome::Reduction(
                reduction(record, ctx, amount, service_fait)?,
                figure,
            ));
        }
    };
    let dates = Dates::of(record, ctx)?;
    // Every line of the row must have a year.
    for (measure, ..) in &movements {
        dates.year(*measure)?;
    }
    let ej = identifier(record, ctx, FieldId::Ej, 10)?;
    let dp = identifier(record, ctx, FieldId::Dp, 9)?;
    let measures = || movements.iter().map(|(m, ..)| *m);
    if measures().any(|m| m == Measure::Ae) && ej.is_none() {
        return Err(Reject::at(
            FieldId::Ej,
            "N° EJ absent sur une ligne d'engagement",
        ));
    }
    if measures().any(|m| m == Measure::Cp) && dp.is_none() && ctx.mapping.has(FieldId::Dp) {
        return Err(Reject::at(
            FieldId::Dp,
            "N° DP absent sur une ligne de paiement",
        ));
    }
    let base = base_line(record, ctx, &dates, ej, dp)?;
    movements
        .into_iter()
        .map(|movement| movement_line(&base, &dates, ctx, movement))
        .collect::<Result<Vec<_>, _>>()
        .map(RowOutcome::Lines)
}

/// What every line of a row shares: its imputation, identifiers, accounts and texts. The
/// movement's own fields (measure, amount, year, identity) are set per line.
fn base_line(
    record: &RawRecord,
    ctx: &FileContext,
    dates: &Dates,
    ej: Option<CompactString>,
    dp: Option<CompactString>,
) -> Result<Line, Reject> {
    let compte_budgetaire = code_of(record, ctx, FieldId::CompteBudgetaire)?;
    let compte_budgetaire_libelle = free_text(record, ctx, FieldId::CompteBudgetaireLibelle)?;
    let compte_general = code_of(record, ctx, FieldId::CompteGeneral)?;
    let titre = titre_of(
        &compte_budgetaire,
        &compte_budgetaire_libelle,
        &compte_general,
    );
    let texte = joined_texts(record, ctx)?;
    let (date, date_ej) = (dates.date, dates.date_ej);
    Ok(Line {
        origin: Origin {
            input: ctx.input,
            row: record.row,
        },
        measure: ctx.measure,
        year: 0,
        date,
        date_ej,
        event_date: None,
        amount: Decimal::ZERO,
        carried: Decimal::ZERO,
        programme: text(record, ctx, FieldId::Programme)?
            .and_then(|t| code::normalize_programme(&t)),
        centre_financier: code_of(record, ctx, FieldId::CentreFinancier)?,
        domaine_fonctionnel: code_of(record, ctx, FieldId::DomaineFonctionnel)?,
        activite: code_of(record, ctx, FieldId::Activite)?,
        centre_cout: code_of(record, ctx, FieldId::CentreCout)?,
        ej,
        poste_ej: identifier(record, ctx, FieldId::PosteEj, 1)?,
        dp,
        poste_dp: identifier(record, ctx, FieldId::PosteDp, 1)?,
        societe: code_of(record, ctx, FieldId::Societe)?,
        fournisseur_code: code_of(record, ctx, FieldId::FournisseurCode)?,
        fournisseur: free_text(record, ctx, FieldId::Fournisseur)?,
        siret: code_of(record, ctx, FieldId::Siret)?,
        compte_budgetaire: compte_budgetaire.or(compte_budgetaire_libelle),
        compte_general,
        groupe_marchandises: code_of(record, ctx, FieldId::GroupeMarchandises)?,
        texte,
        titre,
        identity: Identity::Content,
    })
}

/// The titre of a line: from its budget account (its code, else its label), else from its
/// general account.
fn titre_of(
    compte_budgetaire: &Option<CompactString>,
    compte_budgetaire_libelle: &Option<CompactString>,
    compte_general: &Option<CompactString>,
) -> Option<u8> {
    compte_budgetaire
        .as_deref()
        .and_then(titre::titre_of_compte_budgetaire)
        .or_else(|| {
            compte_budgetaire_libelle
                .as_deref()
                .and_then(titre::titre_of_compte_budgetaire)
        })
        .or_else(|| {
            compte_general
                .as_deref()
                .and_then(titre::titre_of_compte_general)
        })
}

/// The line's free texts (ministerial axis 2, analytical project, label) joined by ` | `,
/// if any.
fn joined_texts(record: &RawRecord, ctx: &FileContext) -> Result<Option<CompactString>, Reject> {
    let texts: Vec<CompactString> = [
        FieldId::AxeMinisteriel2,
        FieldId::ProjetAnalytique,
        FieldId::Libelle,
    ]
    .into_iter()
    .map(|id| free_text(record, ctx, id))
    .collect::<Result<Vec<_>, _>>()?
    .into_iter()
    .flatten()
    .collect();
    Ok((!texts.is_empty()).then(|| CompactString::from(texts.join(" | "))))
}

/// The line of one movement of a row: `base` with the movement's measure, amount, year,
/// dates and identity.
fn movement_line(
    base: &Line,
    dates: &Dates,
    ctx: &FileContext,
    (measure, amount, carried): (Measure, Decimal, Decimal),
) -> Result<Line, Reject> {
    let year = dates.year(measure)?;
    let keys = KeyFields {
        societe: base.societe.as_deref(),
        ej: base.ej.as_deref(),
        poste_ej: base.poste_ej.as_deref(),
        dp: base.dp.as_deref(),
        poste_dp: base.poste_dp.as_deref(),
    };
    Ok(Line {
        measure,
        amount,
        carried,
        year,
        // An AE line without its own date is dated by its EJ's creation.
        date: base.date.or(if measure == Measure::Ae {
            base.date_ej
        } else {
            None
        }),
        event_date: dates.event(measure),
        identity: identity(&ctx.mapping.layout.meta, measure, amount, year, &keys),
        ..base.clone()
    })
}
