//! LOLF titre (expense nature, LOLF art. 5) of a Chorus line, from its compte budgétaire or
//! compte général.

use crate::model::code::{clean_code_str, fold, strip_zero_fraction};

/// Official LOLF expense categories: (2-digit code, French label). The first digit of the
/// code is the titre (1 pouvoirs publics, 2 personnel, 3 fonctionnement, 4 charge de la
/// dette, 5 investissement, 6 intervention, 7 opérations financières).
pub const CATEGORIES: &[(&str, &str)] = &[
    ("11", "Dotations des pouvoirs publics"),
    ("21", "Rémunérations d'activité"),
    ("22", "Cotisations et contributions sociales"),
    ("23", "Prestations sociales et allocations diverses"),
    (
        "31",
        "Dépenses de fonctionnement autres que celles de personnel",
    ),
    ("32", "Subventions pour charges de service public"),
    ("41", "Intérêts de la dette financière négociable"),
    ("42", "Intérêts de la dette financière non négociable"),
    ("43", "Charges financières diverses"),
    ("51", "Dépenses pour immobilisations corporelles de l'État"),
    (
        "52",
        "Dépenses pour immobilisations incorporelles de l'État",
    ),
    ("61", "Transferts aux ménages"),
    ("62", "Transferts aux entreprises"),
    ("63", "Transferts aux collectivités territoriales"),
    ("64", "Transferts aux autres collectivités"),
    ("65", "Appels en garantie"),
    ("71", "Prêts et avances"),
    ("72", "Dotations en fonds propres"),
    ("73", "Dépenses de participations financières"),
];

/// `CATEGORIES` labels passed through `code::fold`, with their titre (checked by a test).
const FOLDED_LABELS: &[(u8, &str)] = &[
    (1, "DOTATIONS DES POUVOIRS PUBLICS"),
    (2, "REMUNERATIONS D'ACTIVITE"),
    (2, "COTISATIONS ET CONTRIBUTIONS SOCIALES"),
    (2, "PRESTATIONS SOCIALES ET ALLOCATIONS DIVERSES"),
    (
        3,
        "DEPENSES DE FONCTIONNEMENT AUTRES QUE CELLES DE PERSONNEL",
    ),
    (3, "SUBVENTIONS POUR CHARGES DE SERVICE PUBLIC"),
    (4, "INTERETS DE LA DETTE FINANCIERE NEGOCIABLE"),
    (4, "INTERETS DE LA DETTE FINANCIERE NON NEGOCIABLE"),
    (4, "CHARGES FINANCIERES DIVERSES"),
    (5, "DEPENSES POUR IMMOBILISATIONS CORPORELLES DE L'ETAT"),
    (5, "DEPENSES POUR IMMOBILISATIONS INCORPORELLES DE L'ETAT"),
    (6, "TRANSFERTS AUX MENAGES"),
    (6, "TRANSFERTS AUX ENTREPRISES"),
    (6, "TRANSFERTS AUX COLLECTIVITES TERRITORIALES"),
    (6, "TRANSFERTS AUX AUTRES COLLECTIVITES"),
    (6, "APPELS EN GARANTIE"),
    (7, "PRETS ET AVANCES"),
    (7, "DOTATIONS EN FONDS PROPRES"),
    (7, "DEPENSES DE PARTICIPATIONS FINANCIERES"),
];

/// Minimum number of (folded) characters for a label to be matched.
const MIN_LABEL_CHARS: usize = 8;

/// Titre (1..=7) from a compte budgétaire cell.
///
/// - Code: exactly two ASCII digits whose first digit is 1..=7 (`31` → 3, `64` → 6), after
///   trimming, referential-prefix stripping and removal of a float `.0`.
/// - Label (often cut to 20 characters, e.g. `Transferts aux entre`): after `code::fold`, the
///   text must be a prefix of an official category label, or a label a prefix of the text,
///   with at least 8 characters of text. If several categories match, they must all belong to
///   the same titre (`Dépenses pour immobi` → 5), otherwise `None` (`Dépenses` alone).
pub fn titre_of_compte_budgetaire(s: &str) -> Option<u8> {
    let c = clean_code_str(s)?;
    let code = strip_zero_fraction(c).as_bytes();
    if code.len() == 2 && code.iter().all(u8::is_ascii_digit) {
        return (b'1'..=b'7').contains(&code[0]).then(|| code[0] - b'0');
    }
    let text = fold(c);
    if text.chars().count() < MIN_LABEL_CHARS {
        return None;
    }
    let mut found = None;
    for &(titre, label) in FOLDED_LABELS {
        if label.starts_with(text.as_str()) || text.starts_with(label) {
            match found {
                None => found = Some(titre),
                Some(t) if t != titre => return None,
                Some(_) => {}
            }
        }
    }
    found
}

/// Fallback from the compte général (PCE account, usually 10 digits): class 64 "charges de
/// personnel" gives titre 2; anything else gives `None`.
pub fn titre_of_compte_general(s: &str) -> Option<u8> {
    let c = strip_zero_fraction(clean_code_str(s)?);
    let b = c.as_bytes();
    (b.len() >= 2 && b.starts_with(b"64") && b.iter().all(u8::is_ascii_digit)).then_some(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folded_labels_match_categories() {
        assert_eq!(CATEGORIES.len(), FOLDED_LABELS.len());
        for ((code, label), (titre, folded)) in CATEGORIES.iter().zip(FOLDED_LABELS) {
            assert_eq!(fold(label), *folded);
            assert_eq!(code.len(), 2);
            assert_eq!(code.as_bytes()[0] - b'0', *titre);
            assert_eq!(titre_of_compte_budgetaire(code), Some(*titre));
            assert_eq!(titre_of_compte_budgetaire(label), Some(*titre), "{label}");
        }
    }

    #[test]
    fn titre_from_compte_budgetaire() {
        let cases: &[(&str, Option<u8>)] = &[
            ("21", Some(2)),
            ("31", Some(3)),
            ("64", Some(6)),
            (" 64 ", Some(6)),
            ("64.0", Some(6)),
            ("11", Some(1)),
            ("73", Some(7)),
            ("19", Some(1)),
            ("81", None),
            ("01", None),
            ("2", None),
            ("312", None),
            ("", None),
            ("#", None),
            ("Non affecté", None),
            ("Transferts aux entre", Some(6)),
            ("Dépenses de fonction", Some(3)),
            ("Transferts aux ménag", Some(6)),
            ("Rémunérations d'acti", Some(2)),
            ("Rémunérations d’acti", Some(2)),
            ("REMUNERATIONS D'ACTI", Some(2)),
            ("  dépenses  de fonction ", Some(3)),
            ("Dépenses pour immobi", Some(5)),
            ("Intérêts de la dett", Some(4)),
            ("Dotations des pouvoi", Some(1)),
            ("Dotations en fonds p", Some(7)),
            ("Dépenses de particip", Some(7)),
            ("Appels en garantie", Some(6)),
            ("Transferts aux ménages (hors ASP)", Some(6)),
            ("Dépenses", None),
            ("Dotations", None),
            ("Transfe", None),
            ("Transferts", Some(6)),
            ("Charges", None),
            ("Charges de personnel", None),
            ("Autre chose", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                titre_of_compte_budgetaire(input),
                *expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn titre_from_compte_general() {
        let cases: &[(&str, Option<u8>)] = &[
            ("6411100000", Some(2)),
            ("PCE/6411100000", Some(2)),
            ("6411100000.0", Some(2)),
            (" 6450000000 ", Some(2)),
            ("64", Some(2)),
            ("6522800000", None),
            ("6", None),
            ("6141000000", None),
            ("64A", None),
            ("", None),
            ("#", None),
        ];
        for (input, expected) in cases {
            assert_eq!(titre_of_compte_general(input), *expected, "input {input:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            if let Some(t) = titre_of_compte_budgetaire(&s) {
                prop_assert!((1..=7).contains(&t));
            }
            let _ = titre_of_compte_general(&s);
        }
    }
}
