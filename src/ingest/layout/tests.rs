use super::*;
use crate::ingest::record::RawRecord;

fn record(row: u64, cells: &[&str]) -> RawRecord {
    RawRecord::from_texts(row, cells)
}

#[test]
fn every_schema_parses_and_names_known_fields() {
    for layout in layouts() {
        if layout.meta.kind == LayoutKind::Extract {
            for f in &layout.fields {
                assert!(
                    FieldId::from_name(&f.name).is_some(),
                    "{}: {}",
                    layout.name,
                    f.name
                );
            }
            assert!(layout.meta.measure.is_some(), "{}", layout.name);
            // What a state is, and which dates mean what, are data: only known
            // field names.
            let m = &layout.meta;
            let named = m.state_key.ae.iter().chain(&m.state_key.cp);
            for f in named.chain(&m.committed_date).chain(&m.paid_date) {
                assert!(
                    f == "exercice" || FieldId::from_name(f).is_some(),
                    "{}: {f}",
                    layout.name
                );
            }
            for source in &m.extraction_date {
                assert!(
                    ["preamble", "fileName"].contains(&source.as_str()),
                    "{}: {source}",
                    layout.name
                );
            }
        }
        for r in &layout.meta.requires {
            assert!(
                layout.field(r).is_some(),
                "{} requires unknown {r}",
                layout.name
            );
        }
    }
}

#[test]
fn code_label_pairs_map_to_key_and_text() {
    let header = record(
        8,
        &[
            "Compte budgétaire",
            "Compte budgétaire",
            "N° DP",
            "Fournisseur payé (DP)",
            "",
            "EUR",
            "Référentiel de programmation",
        ],
    );
    let layout = layouts().iter().find(|l| l.name == "infbud53-cp").unwrap();
    let m = map_header(layout, &header);
    assert_eq!(m.column(FieldId::CompteBudgetaire), Some(0));
    assert_eq!(m.column(FieldId::CompteBudgetaireLibelle), Some(1));
    assert_eq!(m.column(FieldId::FournisseurCode), Some(3));
    assert_eq!(m.column(FieldId::Fournisseur), Some(4));
    assert_eq!(m.column(FieldId::Montant), Some(5));
    assert!(m.axes().contains(Axis::Activite));
}

#[test]
fn detects_header_after_preamble_and_reports_closest_layout() {
    let rows = vec![
        record(1, &["INF-BUD-53 : Pilotage de la gestion", "", ""]),
        record(
            2,
            &[
                "Programme",
                "Domaine fonctionnel",
                "N° EJ",
                "N° poste EJ",
                "EUR",
            ],
        ),
    ];
    match detect(&rows, |_| None) {
        Detection::Extract { mapping, index } => {
            assert_eq!(
                (mapping.layout.name.as_str(), index, mapping.header_row),
                ("infbud53-ae", 1, 2)
            );
            assert!(mapping.axes().contains(Axis::Programme));
        }
        other => panic!("{other:?}"),
    }
    let rows = vec![record(
        1,
        &["Programme", "Domaine fonctionnel", "Compte général", "EUR"],
    )];
    match detect(&rows, |_| None) {
        Detection::Unknown {
            closest: Some((layout, missing, row)),
        } => {
            assert_eq!(layout.name, "infbud53-ae");
            assert_eq!(missing, ["N° EJ", "N° poste EJ"]);
            assert_eq!(row, 1);
        }
        other => panic!("{other:?}"),
    }
}

pub(crate) const JP51: [&str; 23] = [
    "Exercice comptable",
    "Centre financier",
    "Domaine fonctionnel",
    "Centre de coûts",
    "Services",
    "Numéro de pièce de la pièce de référence",
    "Numéro de poste de la pièce de référence",
    "Texte",
    "Montant à contrôler en dev. transaction",
    "Fournisseur",
    "Nom 1",
    "Type de montant",
    "Type de montant",
    "Activité",
    "Programme de financement",
    "Description du programme de financement",
    "Période",
    "Date de mise à jour Comptabilité budgéta",
    "Date comptable",
    "Désignation du cpte budgétaire",
    "Saisi par",
    "Type de valeur",
    "Compte général",
];

pub(crate) const JP57: [&str; 35] = [
    "Exercice comptable",
    "Période",
    "Centre financier",
    "Domaine fonctionnel",
    "Centre de coûts",
    "Services",
    "Fournisseur",
    "Nom 1",
    "Type de montant",
    "Programme de financement",
    "Désignation du programme de financement",
    "Description du programme de financement",
    "Référence",
    "Texte d'en-tête de pièce",
    "Numéro de la pièce précédente",
    "Poste de pièce précédente",
    "Montant à contrôler en devise trans. ave",
    "Date comptable",
    "Nº pièce de paiement",
    "Date de base pour le calcul de l'échéanc",
    "Date pièce",
    "Activité",
    "Type de pièce",
    "Texte type val.",
    "Numéro de pièce comptabilité budgétaire",
    "Numéro de pièce de la pièce de référence",
    "Numéro de pièce RW",
    "Type de valeur",
    "Zone client",
    "N° de transaction",
    "Immobilisation",
    "Désignation",
    "Code ID bancaire",
    "Compte bancaire",
    "Clé R.I.B.",
];

fn detected(header: &[&str]) -> Mapping {
    match detect(&[record(1, header)], |_| None) {
        Detection::Extract { mapping, .. } => *mapping,
        other => panic!("{other:?}"),
    }
}

/// JP51 and JP57 both carry « Numéro de pièce de la pièce de référence »: the EJ in
/// JP51, not in JP57 (there the EJ is « Numéro de la pièce précédente »).
#[test]
fn long_header_journals_are_told_apart() {
    let jp51 = detected(&JP51);
    assert_eq!(jp51.layout.name, "sap-jp51");
    let at = |m: &Mapping, f| m.header_of(f).map(str::to_string);
    let col = |m: &Mapping, f| m.column(f);
    assert_eq!(col(&jp51, FieldId::Ej), Some(5));
    assert_eq!(col(&jp51, FieldId::PosteEj), Some(6));
    // « Type de montant » twice: the label, then the code.
    assert_eq!(col(&jp51, FieldId::TypeMontantLibelle), Some(11));
    assert_eq!(col(&jp51, FieldId::TypeMontant), Some(12));
    // The convention's activité is the « Programme de financement », not « Activité ».
    assert_eq!(col(&jp51, FieldId::Activite), Some(14));
    assert_eq!(col(&jp51, FieldId::Date), Some(17));
    assert_eq!(col(&jp51, FieldId::DateEj), Some(18));
    assert_eq!(col(&jp51, FieldId::Exercice), Some(0));
    assert_eq!(jp51.axes().len(), 4);

    let jp57 = detected(&JP57);
    assert_eq!(jp57.layout.name, "sap-jp57");
    assert_eq!(
        at(&jp57, FieldId::Ej).as_deref(),
        Some("Numéro de la pièce précédente")
    );
    assert_eq!(col(&jp57, FieldId::PosteEj), Some(15));
    assert_eq!(col(&jp57, FieldId::Dp), Some(18));
    assert_eq!(col(&jp57, FieldId::Date), Some(17));
    assert_eq!(col(&jp57, FieldId::Activite), Some(9));
    assert_eq!(col(&jp57, FieldId::TypeMontant), Some(8));
    assert_eq!(col(&jp57, FieldId::TypeMontantLibelle), None);
    assert_eq!(jp57.axes().len(), 4);
}
