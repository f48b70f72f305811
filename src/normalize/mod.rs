//! Normalize: raw row -> typed [`Line`], or a [`Rejection`] that says why not. Amounts
//! become exact decimals, dates dates, codes are cleaned of prefixes and placeholders.
//! Pure functions of the row and its file's context, so rows are normalised in parallel.

pub mod align;
pub mod date;
mod line;
mod movement;
pub mod titre;

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use compact_str::CompactString;
use rust_decimal::Decimal;

use crate::ingest::layout::{FieldId, LayoutMeta, Mapping};
use crate::ingest::record::{Field, RawRecord};
use crate::ingest::skip::{self, Skip};
use crate::model::{Identity, Line, Measure, Origin, Reduction, Rejection};

pub use crate::model::Gap;
/// Amount parsing lives in the model (the convention reads amounts too); re-exported
/// here, where benchmarks and fuzz targets have always found it.
pub use crate::model::amount;
use crate::model::code;

/// What normalisation needs to know of the row's file.
#[derive(Debug, Clone)]
pub struct FileContext<'a> {
    pub input: u32,
    pub mapping: &'a Mapping,
    pub measure: Measure,
    /// The exercice read from the preamble, when readable.
    pub exercice: Option<i32>,
    /// The separator, to show a rejected row's raw text.
    pub separator: char,
    /// Columns missing from the header (data rows one field longer than the header).
    pub gap: Option<Gap>,
}

/// What became of a raw row.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    /// Not data: a blank row, the header again, or a subtotal by the layout's marker.
    /// Counted by kind (`ingest::skip`), never a line.
    Skipped(Skip),
    /// The row's lines: one per movement it carries (two for a BO Webi row with both
    /// commitments and payments).
    Lines(Vec<Line>),
    /// A key figure that is not a movement (a balance, say), as the row writes it: not
    /// data, not counted as a line, but counted per key figure in the input's notes.
    NotAMovement(CompactString),
    /// A journal reduction (a commitment consumed by its follow-on document): no AE, no
    /// CP, kept aside to be matched with the payments of its EJ poste.
    Reduction(Reduction, CompactString),
    Rejected(Rejection),
}

struct Reject {
    field: Option<FieldId>,
    reason: String,
}

impl Reject {
    fn at(field: FieldId, reason: impl Into<String>) -> Reject {
        Reject {
            field: Some(field),
            reason: reason.into(),
        }
    }

    /// The rejection as reported: where, which column, why, and the row as read.
    fn into_rejection(self, record: &RawRecord, ctx: &FileContext) -> Rejection {
        Rejection {
            origin: Origin {
                input: ctx.input,
                row: record.row,
            },
            column: self
                .field
                .and_then(|f| ctx.mapping.header_of(f))
                .map(str::to_string),
            reason: self.reason,
            raw: record.display_fields().join(&ctx.separator.to_string()),
        }
    }
}

/// Normalises one data row.
pub fn normalize(record: &RawRecord, ctx: &FileContext) -> RowOutcome {
    if let Some(kind) = skip::classify(record, ctx.mapping) {
        return RowOutcome::Skipped(kind);
    }
    match line::build_lines(record, ctx) {
        Ok(outcome) => outcome,
        Err(reject) => RowOutcome::Rejected(reject.into_rejection(record, ctx)),
    }
}

/// A row's imputation axes, cleaned as `build_lines` would clean them, without building the
/// line: enough to tell whether a row is in scope before normalising the rest of it.
#[derive(Debug, Clone, Default)]
pub struct AxisValues<'r> {
    pub centre_financier: Option<&'r str>,
    pub programme: Option<CompactString>,
    pub domaine_fonctionnel: Option<&'r str>,
    pub activite: Option<&'r str>,
    pub centre_cout: Option<&'r str>,
}

impl AxisValues<'_> {
    pub fn get(&self, axis: crate::model::Axis) -> Option<&str> {
        use crate::model::Axis;
        match axis {
            Axis::CentreFinancier => self.centre_financier,
            Axis::Programme => self.programme.as_deref(),
            Axis::DomaineFonctionnel => self.domaine_fonctionnel,
            Axis::Activite => self.activite,
            Axis::CentreCout => self.centre_cout,
        }
    }

    /// A hash of the values, to group lines by imputation without copying them: the same
    /// as [`crate::model::Line::axis_codes_hash`] for the line built from the row.
    pub fn group_hash(&self) -> u128 {
        crate::model::axis_codes_hash(crate::model::Axis::ALL.map(|axis| self.get(axis)))
    }

    /// The values, owned, to group out-of-scope lines by imputation.
    pub fn to_codes(&self) -> crate::model::AxisCodes {
        crate::model::Axis::ALL.map(|axis| self.get(axis).map(compact_str::CompactString::from))
    }
}

/// `Some` for a row that is not data (blank, header again, subtotal): the pipeline skips
/// the rest for it.
pub fn data_row(record: &RawRecord, ctx: &FileContext) -> Option<RowOutcome> {
    skip::classify(record, ctx.mapping).map(RowOutcome::Skipped)
}

/// The row's axis values (codes from workbooks printed as text are not borrowed: they
/// come back `None`, which only sends such rows down the full path).
pub fn axis_values<'r>(record: &'r RawRecord, ctx: &FileContext) -> AxisValues<'r> {
    let code = |id: FieldId| match field(record, ctx, id) {
        Some(Field::Text(t)) => code::clean_code_str(t),
        _ => None,
    };
    AxisValues {
        centre_financier: code(FieldId::CentreFinancier),
        programme: text(record, ctx, FieldId::Programme)
            .ok()
            .flatten()
            .and_then(|t| code::normalize_programme(&t)),
        domaine_fonctionnel: code(FieldId::DomaineFonctionnel),
        activite: code(FieldId::Activite),
        centre_cout: code(FieldId::CentreCout),
    }
}

/// What an out-of-scope row moves: its movements (measure and amount), or the key
/// figure it writes when it moves neither AE nor CP (a reduction included).
#[derive(Debug, Clone, PartialEq)]
pub enum Moves {
    Lines(Vec<(Measure, Decimal)>),
    Skipped(CompactString),
}

/// What an out-of-scope row needs: its movements, or why it cannot be read. Dates, codes
/// and texts are left alone.
pub fn movements_only(record: &RawRecord, ctx: &FileContext) -> Result<Moves, Rejection> {
    let reject = |r: Reject| r.into_rejection(record, ctx);
    check_width(record, ctx).map_err(reject)?;
    match movement::movements(record, ctx).map_err(reject)? {
        movement::Movements::Lines(m) => Ok(Moves::Lines(
            m.into_iter()
                .map(|(measure, amount, _)| (measure, amount))
                .collect(),
        )),
        movement::Movements::NotAMovement(figure)
        | movement::Movements::Reduction(_, figure, _) => Ok(Moves::Skipped(figure)),
    }
}

/// A movement of a row: what it moves, how much, and how it is told apart across extracts.
pub type Movement = (Measure, Decimal, Identity);

/// [`Moves`] with each movement's identity.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyedMoves {
    Lines(Vec<Movement>),
    Skipped(CompactString),
}

/// [`movements_only`], each with the identity its line would have (a state's key is
/// needed even for out-of-scope lines: a later extract may move a poste out of scope).
pub fn movements_with_identity(
    record: &RawRecord,
    ctx: &FileContext,
) -> Result<KeyedMoves, Rejection> {
    let movements = match movements_only(record, ctx)? {
        Moves::Lines(m) => m,
        Moves::Skipped(figure) => return Ok(KeyedMoves::Skipped(figure)),
    };
    let meta = &ctx.mapping.layout.meta;
    if !meta.states {
        return Ok(KeyedMoves::Lines(
            movements
                .into_iter()
                .map(|(m, a)| (m, a, Identity::Content))
                .collect(),
        ));
    }
    let keyed = || -> Result<Vec<Movement>, Reject> {
        let dates = Dates::of(record, ctx)?;
        let ids = [
            identifier(record, ctx, FieldId::Ej, 10)?,
            identifier(record, ctx, FieldId::PosteEj, 1)?,
            identifier(record, ctx, FieldId::Dp, 9)?,
            identifier(record, ctx, FieldId::PosteDp, 1)?,
        ];
        let societe = code_of(record, ctx, FieldId::Societe)?;
        let keys = KeyFields {
            societe: societe.as_deref(),
            ej: ids[0].as_deref(),
            poste_ej: ids[1].as_deref(),
            dp: ids[2].as_deref(),
            poste_dp: ids[3].as_deref(),
        };
        movements
            .into_iter()
            .map(|(measure, amount)| {
                let year = dates.year(measure)?;
                Ok((
                    measure,
                    amount,
                    identity(meta, measure, amount, year, &keys),
                ))
            })
            .collect()
    };
    keyed()
        .map(KeyedMoves::Lines)
        .map_err(|r| r.into_rejection(record, ctx))
}

/// Reads one canonical field of a row, shifted past the header's missing columns.
fn field<'r>(record: &'r RawRecord, ctx: &FileContext, id: FieldId) -> Option<Field<'r>> {
    let column = ctx.mapping.column(id)?;
    let column = match ctx.gap {
        Some(gap) if record.len() >= ctx.mapping.header.len() + gap.width => gap.shift(column),
        _ => column,
    };
    record.get(column)
}

/// A field as text; numbers from workbooks are printed without a spurious `.0`.
fn text<'r>(
    record: &'r RawRecord,
    ctx: &FileContext,
    id: FieldId,
) -> Result<Option<Cow<'r, str>>, Reject> {
    match field(record, ctx, id) {
        None => Ok(None),
        Some(Field::Text(t)) => Ok(Some(Cow::Borrowed(t))),
        Some(Field::Number(v)) => Ok(Some(Cow::Owned(number_text(v)))),
        Some(Field::Date(d)) => Ok(Some(Cow::Owned(d.format("%d/%m/%Y").to_string()))),
        Some(Field::Error(e)) => Err(Reject::at(id, format!("cellule en erreur « {e} »"))),
    }
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// EJ, DP and poste numbers: exports disagree on leading zeros (`0100278662` and
/// `100278662`, poste `0000000001` and `1`), so numbers are written at their usual width.
fn identifier(
    record: &RawRecord,
    ctx: &FileContext,
    id: FieldId,
    width: usize,
) -> Result<Option<CompactString>, Reject> {
    Ok(text(record, ctx, id)?.and_then(|t| {
        let cleaned = code::clean_code_str(&t)?;
        let digits = code::strip_zero_fraction(cleaned);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let digits = digits.trim_start_matches('0');
            Some(compact_str::format_compact!("{digits:0>width$}"))
        } else {
            Some(CompactString::from(cleaned))
        }
    }))
}

fn code_of(
    record: &RawRecord,
    ctx: &FileContext,
    id: FieldId,
) -> Result<Option<CompactString>, Reject> {
    Ok(text(record, ctx, id)?.and_then(|t| code::clean_code_str(&t).map(CompactString::from)))
}

fn free_text(
    record: &RawRecord,
    ctx: &FileContext,
    id: FieldId,
) -> Result<Option<CompactString>, Reject> {
    Ok(text(record, ctx, id)?.and_then(|t| {
        let t = t.trim();
        code::clean_code_str(t).map(|_| CompactString::from(t))
    }))
}

fn date_of(
    record: &RawRecord,
    ctx: &FileContext,
    id: FieldId,
) -> Result<Option<NaiveDate>, Reject> {
    match field(record, ctx, id) {
        None => Ok(None),
        Some(Field::Date(d)) => Ok(Some(d)),
        // A date typed as a plain number: an Excel serial (1900 system).
        Some(Field::Number(v)) => date::date_from_excel_serial(v, false)
            .map(Some)
            .ok_or_else(|| Reject::at(id, format!("date Excel hors limites ({v})"))),
        Some(Field::Text(t)) => date::parse_date(t).map_err(|e| Reject::at(id, e.to_string())),
        Some(Field::Error(e)) => Err(Reject::at(id, format!("cellule en erreur « {e} »"))),
    }
}

/// A journal reduction (or a service fait figure): its EJ poste, year, date and amount.
fn reduction(
    record: &RawRecord,
    ctx: &FileContext,
    amount: Decimal,
    service_fait: Option<crate::model::ServiceFait>,
) -> Result<Reduction, Reject> {
    let dates = Dates::of(record, ctx)?;
    let year = dates.year(Measure::Ae)?;
    let ej = identifier(record, ctx, FieldId::Ej, 10)?
        .ok_or_else(|| Reject::at(FieldId::Ej, "N° EJ absent sur une ligne de réduction"))?;
    Ok(Reduction {
        origin: Origin {
            input: ctx.input,
            row: record.row,
        },
        year,
        date: dates.date,
        ej,
        poste_ej: identifier(record, ctx, FieldId::PosteEj, 1)?,
        amount,
        service_fait,
    })
}

/// A row's dates, and what they mean for its layout.
struct Dates<'a> {
    meta: &'a LayoutMeta,
    /// The exercice the row or its file gives.
    exercice: Option<i32>,
    /// The movement's date (last operation on the DP, last change of the EJ…).
    date: Option<NaiveDate>,
    /// The EJ's creation.
    date_ej: Option<NaiveDate>,
}

impl<'a> Dates<'a> {
    fn of(record: &RawRecord, ctx: &FileContext<'a>) -> Result<Dates<'a>, Reject> {
        let exercice = match text(record, ctx, FieldId::Exercice)? {
            Some(t) if code::clean_code(&t).is_some() => {
                Some(date::parse_year(&t).ok_or_else(|| {
                    Reject::at(FieldId::Exercice, format!("exercice illisible : « {t} »"))
                })?)
            }
            _ => None,
        };
        Ok(Dates {
            meta: &ctx.mapping.layout.meta,
            exercice: exercice.or(ctx.exercice),
            date: date_of(record, ctx, FieldId::Date)?,
            date_ej: date_of(record, ctx, FieldId::DateEj)?,
        })
    }

    /// The date a movement happened: committed (AE) or paid (CP), as the layout says.
    /// A journal's lines are movements: each is judged on its own operation date.
    fn event(&self, measure: Measure) -> Option<NaiveDate> {
        let named = match measure {
            Measure::Ae if !self.meta.states => Some("date"),
            Measure::Ae => self.meta.committed_date.as_deref(),
            Measure::Cp => self.meta.paid_date.as_deref(),
        };
        match (measure, named) {
            (_, Some("date")) => self.date.or(self.date_ej),
            (Measure::Ae, _) => self.date_ej.or(self.date),
            (Measure::Cp, _) => self.date,
        }
    }

    /// The line's exercice: the extract's (column, preamble, file name), else the year of
    /// the movement's date, never the year of a later modification of the EJ.
    fn year(&self, measure: Measure) -> Result<i32, Reject> {
        self.exercice
            .or(self.event(measure).map(|d| d.year()))
            .ok_or_else(|| Reject {
                field: None,
                reason: "année inconnue : ni exercice ni date sur la ligne".into(),
            })
    }
}

/// The fields a state key may name.
struct KeyFields<'a> {
    societe: Option<&'a str>,
    ej: Option<&'a str>,
    poste_ej: Option<&'a str>,
    dp: Option<&'a str>,
    poste_dp: Option<&'a str>,
}

/// How a line is told apart from the lines of other extracts: the layout's state key for
/// a state (an EJ poste's non-negative amount, a DP poste's amount), its key and amount for
/// a retrait, its content otherwise (a journal's movements, a payment without DP…).
fn identity(
    meta: &LayoutMeta,
    measure: Measure,
    amount: Decimal,
    year: i32,
    keys: &KeyFields,
) -> Identity {
    let names = meta.state_key.of(measure);
    if !meta.states || names.is_empty() {
        return Identity::Content;
    }
    let mut h = crate::model::digest::KeyHasher::new();
    h.tag(b'S').text(measure.label());
    for name in names {
        let value = match name.as_str() {
            "exercice" => {
                h.int(i64::from(year));
                continue;
            }
            "societe" => keys.societe,
            "ej" => keys.ej,
            "poste_ej" => keys.poste_ej,
            "dp" => keys.dp,
            "poste_dp" => keys.poste_dp,
            _ => None,
        };
        // The key's number itself must be there: no state without it.
        if value.is_none() && matches!(name.as_str(), "ej" | "dp") {
            return Identity::Content;
        }
        h.text(value.unwrap_or(""));
    }
    if measure == Measure::Ae && amount < Decimal::ZERO {
        h.amount(amount);
        Identity::Movement(h.finish())
    } else {
        Identity::State(h.finish())
    }
}

/// A row longer than its header loses nothing silently: extra fields must be empty, or
/// be the header's missing columns found by [`align::infer_gap`].
fn check_width(record: &RawRecord, ctx: &FileContext) -> Result<(), Reject> {
    let width = ctx.mapping.header.len() + ctx.gap.map_or(0, |g| g.width);
    if record.len() <= width {
        return Ok(());
    }
    let extra_blank = (width..record.len()).all(|i| record.get(i).is_none_or(Field::is_blank));
    if extra_blank {
        Ok(())
    } else {
        Err(Reject {
            field: None,
            reason: format!(
                "la ligne compte {} champs, l'en-tête {} : séparateur ou guillemet en trop ?",
                record.len(),
                ctx.mapping.header.len()
            ),
        })
    }
}

#[cfg(test)]
mod tests;

/// Fuzzing by property: any row, against any layout, normalises or is rejected, never
/// panics; and a line's amount is exactly what the row says.
#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::ingest::layout::{layouts, map_header};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::fuzz_cases(750), ..ProptestConfig::default() })]

        #[test]
        fn any_row_normalises_or_is_rejected(
            layout in 0usize..6,
            cells in prop::collection::vec(prop_oneof![
                "[0-9 ,.€#/-]{0,14}",
                "[A-Z0-9-]{0,14}",
                any::<String>(),
                Just(String::new()),
            ], 0..30),
        ) {
            let layout = &layouts()[layout];
            let header: Vec<&str> = layout.fields.iter().filter_map(|f| f.headers.first()).map(|h| h.trim_end_matches(" [texte]").trim_end_matches(" [clé]")).collect();
            let mapping = map_header(layout, &RawRecord::from_texts(1, &header));
            let ctx = FileContext { input: 0, mapping: &mapping, measure: Measure::Ae, exercice: None, separator: ';', gap: None };
            let texts: Vec<&str> = cells.iter().map(String::as_str).collect();
            let record = RawRecord::from_texts(2, &texts);
            match normalize(&record, &ctx) {
                RowOutcome::Rejected(r) => prop_assert!(!r.reason.is_empty()),
                RowOutcome::Lines(lines) => prop_assert!(!lines.is_empty()),
                _ => {}
            }
        }
    }
}
