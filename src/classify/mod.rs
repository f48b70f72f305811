//! Classify: line × convention -> in scope or not, which axes agree or differ, which product
//! the line's own data points to, and the line's identity for duplicate detection. Per
//! line and stateless, so it runs in parallel; what needs every line waits for `reconcile`.

mod budget;
mod judged;
pub mod portfolio;
mod row;

pub use budget::DetailBudget;
pub use judged::{InputResult, SlimLine};
pub use row::{Judgement, judge_row};

use crate::convention::{Convention, Imputation, axis_agrees};
use crate::model::code::fold;
use crate::model::digest::KeyHasher;
use crate::model::{Axis, AxisSet, Identity, Line, Measure};

/// A line and the verdicts that depend only on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Boxed: a line is moved from stage to stage, and a box moves in 8 bytes.
    pub line: Box<Line>,
    pub in_scope: bool,
    /// The checked axes on which the line agrees with the convention.
    pub agreeing: AxisSet,
    /// The checked axes on which it differs (or carries no value).
    pub differing: AxisSet,
    /// The product its own EJ or text points to (before EJ propagation).
    pub own_product: Option<usize>,
    /// The line's identity across extracts (origin excluded): its state key, or its
    /// movement key, or its content's hash (equal lines, equal keys).
    pub key: u128,
    /// `key` is a state key: a later extract's lines of the key replace this one.
    pub state: bool,
}

/// The axes of `carried` that the convention defines: only those can be checked.
pub fn checked_axes(carried: AxisSet, imputation: &Imputation) -> AxisSet {
    carried
        .iter()
        .filter(|axis| imputation.value(*axis).is_some())
        .collect()
}

/// How a line's axis values compare with the convention's imputation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxisVerdict {
    pub in_scope: bool,
    pub agreeing: AxisSet,
    pub differing: AxisSet,
}

impl AxisVerdict {
    /// Out of scope, but agreeing with the convention on an axis that sets its lines apart
    /// from the rest of their UO (activité or centre de coût): a likely mis-imputation,
    /// reported line by line (`IMPUTATION_PARTIELLE`). Agreeing on programme, UO and
    /// domaine fonctionnel alone is what every expense of the action does.
    pub fn is_partial(&self) -> bool {
        is_partial(self.in_scope, self.agreeing)
    }
}

/// See [`AxisVerdict::is_partial`].
pub fn is_partial(in_scope: bool, agreeing: AxisSet) -> bool {
    !in_scope && (agreeing.contains(Axis::Activite) || agreeing.contains(Axis::CentreCout))
}

impl Judged {
    /// See [`AxisVerdict::is_partial`].
    pub fn is_partial(&self) -> bool {
        is_partial(self.in_scope, self.agreeing)
    }
}

/// Judges axis values (as `value_of` gives them) on the checked axes. Used on a full line,
/// and before normalisation to spare out-of-scope rows the work they do not need.
pub fn judge_axes<'a>(
    value_of: impl Fn(Axis) -> Option<&'a str>,
    checked: AxisSet,
    convention: &Convention,
) -> AxisVerdict {
    let mut verdict = AxisVerdict::default();
    for axis in checked.iter() {
        let ok = match (value_of(axis), convention.imputation.value(axis)) {
            (Some(value), Some(expected)) => axis_agrees(axis, value, expected),
            _ => false,
        };
        if ok {
            verdict.agreeing.insert(axis);
        } else {
            verdict.differing.insert(axis);
        }
    }
    verdict.in_scope = !checked.is_empty() && verdict.differing.is_empty();
    verdict
}

/// Judges one line on the axes its input carries.
pub fn classify(line: Line, checked: AxisSet, convention: &Convention) -> Judged {
    let AxisVerdict {
        in_scope,
        agreeing,
        differing,
    } = judge_axes(|a| line.axis_value(a), checked, convention);
    let own_product = if in_scope {
        own_product(&line, convention)
    } else {
        None
    };
    let (key, state) = match line.identity {
        Identity::State(key) => (key, true),
        Identity::Movement(key) => (key, false),
        Identity::Content => (identity(&line), false),
    };
    Judged {
        line: Box::new(line),
        in_scope,
        agreeing,
        differing,
        own_product,
        key,
        state,
    }
}

/// The first product whose rules match the line itself: its EJ in the product's list,
/// or one of its keywords in the line's free text.
fn own_product(line: &Line, convention: &Convention) -> Option<usize> {
    if let Some(p) = line
        .ej
        .as_deref()
        .and_then(|ej| convention.product_of_ej(ej))
    {
        return Some(p);
    }
    line.texte
        .as_deref()
        .and_then(|t| convention.product_of_text(&fold(t)))
}

/// A 128-bit hash of what makes two lines the same. A payment is its key (société,
/// exercice, DP, poste DP) with its EJ and amount: the supplier's label or the date of the
/// last operation may be re-typed between two monthly extracts of the same payment. Any
/// other line is everything but its origin.
fn identity(line: &Line) -> u128 {
    let mut h = KeyHasher::new();
    if let (Measure::Cp, Some(dp)) = (line.measure, &line.dp) {
        h.tag(b'P')
            .text(line.measure.label())
            .opt_text(line.societe.as_deref())
            .int(i64::from(line.year))
            .text(dp)
            .opt_text(line.poste_dp.as_deref())
            .opt_text(line.ej.as_deref())
            .opt_text(line.poste_ej.as_deref())
            .amount(line.amount);
        return h.finish();
    }
    content_identity(line, &mut h);
    h.finish()
}

/// Writes every field of the line but its origin, its event date and its identity kind:
/// the scalars, then the texts ([`content_texts`]), then the titre.
fn content_identity(line: &Line, h: &mut KeyHasher) {
    h.tag(b'C')
        .text(line.measure.label())
        .int(i64::from(line.year))
        .date(line.date)
        .date(line.date_ej)
        .amount(line.amount)
        .amount(line.carried);
    for text in content_texts(line) {
        h.opt_text(text);
    }
    hash_titre(h, line.titre);
}

/// The line's texts in the order [`content_identity`] writes them. The destructuring
/// names every field, so a field added to `Line` must be placed here (or set aside).
fn content_texts(line: &Line) -> [Option<&str>; 16] {
    let Line {
        // Written by `content_identity` before the texts.
        measure: _,
        year: _,
        date: _,
        date_ej: _,
        amount: _,
        carried: _,
        titre: _,
        // Not part of the content.
        origin: _,
        event_date: _,
        identity: _,
        programme,
        centre_financier,
        domaine_fonctionnel,
        activite,
        centre_cout,
        ej,
        poste_ej,
        dp,
        poste_dp,
        societe,
        fournisseur_code,
        fournisseur,
        // An attribute of the supplier the line already names: hashing it would change
        // every content key (and finding key) of the layouts that carry it.
        siret: _,
        compte_budgetaire,
        compte_general,
        groupe_marchandises,
        texte,
    } = line;
    [
        programme,
        centre_financier,
        domaine_fonctionnel,
        activite,
        centre_cout,
        ej,
        poste_ej,
        dp,
        poste_dp,
        societe,
        fournisseur_code,
        fournisseur,
        compte_budgetaire,
        compte_general,
        groupe_marchandises,
        texte,
    ]
    .map(Option::as_deref)
}

/// Writes the titre, 0 when there is none, else 1 then the titre.
fn hash_titre(h: &mut KeyHasher, titre: Option<u8>) {
    match titre {
        Some(t) => h.tag(1).tag(t),
        None => h.tag(0),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;
    use rust_decimal_macros::dec;

    fn line() -> Line {
        crate::model::sample_line()
    }

    fn all_axes() -> AxisSet {
        crate::model::four_axes()
    }

    #[test]
    fn in_scope_when_every_checked_axis_agrees() {
        let c = Convention::builtin();
        let j = classify(line(), all_axes(), &c);
        assert!(j.in_scope);
        assert_eq!(j.own_product, Some(0));
        let mut sub = line();
        sub.domaine_fonctionnel = Some("0174-06-02".into());
        assert!(classify(sub, all_axes(), &c).in_scope);
    }

    #[test]
    fn out_of_scope_names_the_differing_axes() {
        let c = Convention::builtin();
        let mut other = line();
        other.activite = Some("017406AG9999".into());
        other.centre_cout = None;
        let j = classify(other, all_axes(), &c);
        assert!(!j.in_scope);
        assert_eq!(j.differing.labels(), "activité, centre de coût");
        assert_eq!(j.agreeing.len(), 2);
        assert_eq!(j.own_product, None);
    }

    #[test]
    fn only_carried_axes_are_checked() {
        let c = Convention::builtin();
        let mut l = line();
        l.centre_financier = None;
        l.centre_cout = Some("AUTRE00000".into());
        let programme_only: AxisSet = [Axis::Programme, Axis::Activite].into_iter().collect();
        assert!(classify(l.clone(), programme_only, &c).in_scope);
        assert!(
            !classify(l, AxisSet::default(), &c).in_scope,
            "no axis, no scope"
        );
    }

    #[test]
    fn identity_ignores_origin_only() {
        let a = line();
        let mut b = line();
        b.origin = Origin { input: 3, row: 99 };
        assert_eq!(identity(&a), identity(&b));
        b.amount = dec!(100.01);
        assert_ne!(identity(&a), identity(&b));
    }

    #[test]
    fn a_payment_is_identified_by_its_key_and_amount() {
        let mut a = line();
        a.measure = Measure::Cp;
        a.dp = Some("100000301".into());
        let mut b = a.clone();
        b.fournisseur = Some("OCTO TECHNOLOGY SAS".into());
        b.date = chrono::NaiveDate::from_ymd_opt(2020, 6, 16);
        assert_eq!(
            identity(&a),
            identity(&b),
            "same payment, re-typed label and date"
        );
        b.poste_dp = Some("2".into());
        assert_ne!(identity(&a), identity(&b));
    }
}
