//! Writes the workbook fixtures of chorus-recon: `cargo run --example make_xlsx_fixtures`
//! from the repository root. The bytes are reproducible (fixed document dates), and a
//! test checks that the committed files are exactly what this program writes.
//!
//! - `fixtures/classeurs/`: one small workbook per shape Chorus produces (BO Webi,
//!   INF-BUD-53 of 2019 and its délégation variant, journal des pièces, DP extraction);
//! - `fixtures/conforme-xlsx/`: the CSV scenario `fixtures/conforme` re-typed as
//!   workbooks (numbers, dates, text), to show the same lines give the same summary;
//! - `fixtures/journal-jp51-jp57/`: the long-header journal des pièces as a service
//!   receives it each week, `jp51.ods` (commitment operations) and `jp57.ods` (payments),
//!   written by a small OpenDocument writer (rust_xlsxwriter writes only XLSX).

use std::path::Path;

use chorus_recon::ingest;
use chorus_recon::ingest::layout::FieldId;
use chorus_recon::normalize::{amount::parse_amount, date::parse_date};
use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// A cell of a fixture row.
enum C<'a> {
    T(&'a str),
    N(f64),
    D(u16, u8, u8),
    E,
}
use C::{D, E, N, T};

#[path = "make_xlsx_fixtures/long_journal.rs"]
mod long_journal;

fn book() -> Workbook {
    let mut book = Workbook::new();
    let date = ExcelDateTime::from_ymd(2021, 8, 2).expect("valid date");
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&date)
            .set_author("chorus-recon"),
    );
    book
}

fn write_row(sheet: &mut Worksheet, row: u32, cells: &[C]) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let money = Format::new().set_num_format("0.00");
    for (col, cell) in cells.iter().enumerate() {
        let col = col as u16;
        match cell {
            T(t) => {
                sheet.write_string(row, col, *t)?;
            }
            N(n) => {
                sheet.write_number_with_format(row, col, *n, &money)?;
            }
            D(y, m, d) => {
                sheet.write_datetime_with_format(
                    row,
                    col,
                    &ExcelDateTime::from_ymd(*y, *m, *d)?,
                    &date,
                )?;
            }
            E => {}
        }
    }
    Ok(())
}

fn save(book: &mut Workbook, path: &Path) -> Result<(), XlsxError> {
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(path, book.save_to_buffer()?)?;
    Ok(())
}

const CF: &str = "BG00/0174-SOUT-ELAB";
const CC: &str = "BG00/ECLDENE092";
const ACT: &str = "BG00/017406AG1607";

/// BO Webi INFBUD53: header in row 1; EJ rows carry engagé/bascule/paid, DP rows paid.
fn bowebi(dir: &Path) -> Result<(), XlsxError> {
    let mut book = book();
    let sheet = book.add_worksheet().set_name("INFBUD53")?;
    let header = [
        "Centre financier",
        "Domaine fonctionnel",
        "Centre de coûts",
        "Référentiel de programmation",
        "N°EJ (Bon de commande / Marché / Convention / Subvention...)",
        "N° poste EJ",
        "N° DP",
        "Date de dernière opération sur la DP",
        "Fournisseur titulaire principal (EJ)",
        "Axe ministériel 2",
        "Exercice comptable",
        "Montant TOTAL engagé (b)",
        "Bascule des EJ non soldés (EJ années antérieures) (a)",
        "Montant EJ engagés Année en cours (= b - a)",
        "Montant payé (Virement effectué au fournisseur)",
    ];
    write_row(sheet, 0, &header.map(T))?;
    let rows: [[C; 15]; 5] = [
        // A 2020 EJ carried into 2021 (bascule 20 000) and raised by 5 000 in 2021.
        [
            T(CF),
            T("0174-06"),
            T(CC),
            T(ACT),
            N(2100000701.0),
            T("1"),
            T("#"),
            E,
            T("OCTO TECHNOLOGY"),
            T("POTENTIEL"),
            T("2021"),
            N(25000.0),
            N(20000.0),
            N(5000.0),
            N(0.0),
        ],
        // A new 2021 EJ, the « = b - a » column left empty: engagé − bascule is used.
        [
            T(CF),
            T("0174-06"),
            T(CC),
            T(ACT),
            N(2100000702.0),
            T("1"),
            T("#"),
            E,
            T("BETA CONSULTING SAS"),
            T("CARBURE"),
            T("2021"),
            N(12345.67),
            N(0.0),
            E,
            N(0.0),
        ],
        // Payments: the amount is a binary float, rounded to the cent once.
        [
            T(CF),
            T("0174-06"),
            T(CC),
            T(ACT),
            N(2100000701.0),
            T("1"),
            T("100000701"),
            D(2021, 3, 15),
            T("OCTO TECHNOLOGY"),
            T("POTENTIEL"),
            T("2021"),
            E,
            E,
            E,
            N(8931.899999999994),
        ],
        [
            T(CF),
            T("0174-06"),
            T(CC),
            T(ACT),
            N(2100000702.0),
            T("1"),
            T("100000702"),
            D(2021, 5, 20),
            T("BETA CONSULTING SAS"),
            T("CARBURE"),
            T("2021"),
            E,
            E,
            E,
            N(4000.0),
        ],
        // Another UO: out of scope.
        [
            T("BG00/0174-SOUT-DGEC"),
            T("0174-02"),
            T("BG00/ECLDGEC075"),
            T("BG00/017402AG0101"),
            N(2100000703.0),
            T("1"),
            T("#"),
            E,
            T("FOURNISSEUR AUTRE UO"),
            E,
            T("2021"),
            N(9000.0),
            N(0.0),
            N(9000.0),
            N(0.0),
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        write_row(sheet, i as u32 + 1, row)?;
    }
    save(&mut book, &dir.join("bowebi_INFBUD53_2021.xlsx"))
}

/// INF-BUD-53 of 2019: 4 preamble rows, code columns followed by unnamed label columns,
/// the exercice in the file name; `delegation` prepends « Service exécutant ».
fn infbud53_2019(dir: &Path, delegation: bool) -> Result<(), XlsxError> {
    let mut book = book();
    let sheet = book.add_worksheet().set_name("Feuil1")?;
    write_row(
        sheet,
        0,
        &[T("INF-BUD-53 : Pilotage de la gestion - Vue détaillée")],
    )?;
    write_row(
        sheet,
        1,
        &[T("Dernière MàJ des données :"), T("04.01.2021 06:12:40")],
    )?;
    // The délégation variant says its exercice; the other leaves it to the file's name.
    if delegation {
        write_row(sheet, 2, &[T("Exercice comptable"), T("2020")])?;
    }
    let mut header: Vec<&str> = vec![
        "Centre financier",
        "",
        "N° EJ",
        "Type de flux",
        "Fournisseur titulaire principal (EJ)",
        "N° de contrat",
        "N° poste EJ",
        "Centre de coûts",
        "",
        "Fonds",
        "",
        "Compte budgétaire",
        "",
        "Référentiel de programmation",
        "",
        "Groupe de marchandises",
        "",
        "Date comptable du SF",
        "Bascule des EJ non soldés",
        "Montant engagé",
        "Montant certifié non soldé",
        "Montant pré-enregistré",
        "Montant facturé",
        "Montant payé",
    ];
    if delegation {
        header.splice(0..0, ["Service exécutant", ""]);
    }
    write_row(sheet, 4, &header.iter().map(|h| T(h)).collect::<Vec<_>>())?;
    let rows: [Vec<C>; 3] = [
        vec![
            T(CF),
            T("UO ELAB"),
            T("2100000801"),
            T("Marché"),
            T("DESIGN ET CIE"),
            T("#"),
            T("1"),
            T(CC),
            T("ENERGIE"),
            T("#"),
            T("#"),
            T("31"),
            T("Dépenses de fonction"),
            T(ACT),
            T("POTENTIEL"),
            T("36.01.01"),
            T("Prestations"),
            D(2020, 6, 30),
            N(0.0),
            N(20000.0),
            N(0.0),
            N(0.0),
            N(0.0),
            N(7500.0),
        ],
        vec![
            T(CF),
            T("UO ELAB"),
            T("2100000802"),
            T("Marché"),
            T("HEBERGEUR SOUVERAIN"),
            T("#"),
            T("1"),
            T(CC),
            T("ENERGIE"),
            T("#"),
            T("#"),
            T("31"),
            T("Dépenses de fonction"),
            T(ACT),
            T("CARBURE"),
            T("36.01.01"),
            T("Prestations"),
            T("#"),
            N(1500.0),
            N(4500.0),
            N(0.0),
            N(0.0),
            N(0.0),
            N(0.0),
        ],
        vec![
            T(CF),
            T("UO ELAB"),
            T("2100000803"),
            T("Marché"),
            T("COACHS ASSOCIES"),
            T("#"),
            T("1"),
            T(CC),
            T("ENERGIE"),
            T("#"),
            T("#"),
            T("21"),
            T("Rémunérations d'acti"),
            T(ACT),
            T("POTENTIEL"),
            T("36.01.01"),
            T("Prestations"),
            D(2020, 9, 1),
            N(0.0),
            N(1000.0),
            N(0.0),
            N(0.0),
            N(0.0),
            N(1000.0),
        ],
    ];
    for (i, row) in rows.into_iter().enumerate() {
        let mut row = row;
        if delegation {
            row.splice(0..0, [T("SE DINUM"), T("Service exécutant DINUM")]);
        }
        write_row(sheet, i as u32 + 5, &row)?;
    }
    let name = if delegation {
        "INFBUD53 DG 2020.xlsx"
    } else {
        "INFBUD53 P174 2020.xlsx"
    };
    save(&mut book, &dir.join(name))
}

/// SAP journal des pièces: a title block, the header on row 4, signed movements typed by
/// TV and TypeMtant; amounts as numbers or as French text.
fn journal(dir: &Path) -> Result<(), XlsxError> {
    let mut book = book();
    let sheet = book.add_worksheet().set_name("Journal")?;
    write_row(sheet, 0, &[T("Journal des pièces : budget")])?;
    write_row(sheet, 1, &[T("Périmètre financier"), T("BG00")])?;
    let header = [
        "Nº pce réf",
        "Pos.r",
        "Ctre financier",
        "Dom. fonc.",
        "Ctre coûts",
        "Réf. prog.",
        "TV",
        "TypeMtant",
        "Mont.DT",
        "CB dteComp",
        "Saisie le",
        "Cpte gén.",
        "Axe ministériel 2",
    ];
    write_row(sheet, 3, &header.map(T))?;
    let r = |ej, tv, tm, amount, date: C<'static>, text| -> Vec<C<'static>> {
        vec![
            T(ej),
            T("1"),
            T("0174-SOUT-ELAB"),
            T("0174-06"),
            T("ECLDENE092"),
            T("017406AG1607"),
            T(tv),
            T(tm),
            amount,
            date,
            D(2020, 2, 3),
            T("6113110000"),
            T(text),
        ]
    };
    let rows = [
        r(
            "2100000901",
            "51",
            "0100",
            N(30000.0),
            D(2020, 2, 3),
            "POTENTIEL",
        ),
        r(
            "2100000901",
            "51",
            "0150",
            T("2 500,00"),
            D(2020, 5, 4),
            "POTENTIEL",
        ),
        r(
            "2100000901",
            "51",
            "0200",
            T("-1 000,00"),
            D(2020, 9, 7),
            "POTENTIEL",
        ),
        r(
            "2100000901",
            "57",
            "0250",
            N(12000.0),
            D(2020, 6, 12),
            "POTENTIEL",
        ),
        // No AE of the year: the receiving side of an earlier EJ's carry-over (its bascule,
        // still to pay), a purchase request (ignored), the follow-on adjustment of the
        // commitment by the payment (a reduction, matched with the payments).
        r(
            "2100000902",
            "51",
            "0350",
            N(8000.0),
            D(2020, 1, 1),
            "CARBURE",
        ),
        r(
            "2100000903",
            "50",
            "0100",
            N(999.0),
            D(2020, 2, 3),
            "CARBURE",
        ),
        r(
            "2100000901",
            "51",
            "0500",
            N(-12000.0),
            D(2020, 6, 12),
            "POTENTIEL",
        ),
        // A cell in error: the row is rejected, naming the column.
        vec![
            T("2100000904"),
            T("1"),
            T("0174-SOUT-ELAB"),
            T("0174-06"),
            T("ECLDENE092"),
            T("017406AG1607"),
            T("51"),
            T("0100"),
            E,
            D(2020, 2, 3),
            D(2020, 2, 3),
            T("6113110000"),
            T("CARBURE"),
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        write_row(sheet, i as u32 + 4, row)?;
    }
    sheet.write_formula(
        11,
        8,
        rust_xlsxwriter::Formula::new("=NA()").set_result("#N/A"),
    )?;
    save(&mut book, &dir.join("journal_pieces_2020.xlsx"))
}

/// The payment-line extraction of api-subventions-asso's shape: a merged title, code/label
/// pairs under one header, « Montant payé ».
fn dp_extraction(dir: &Path) -> Result<(), XlsxError> {
    let mut book = book();
    let sheet = book.add_worksheet().set_name("Feuille 1")?;
    sheet.merge_range(0, 0, 0, 10, "Tableau 1", &Format::new())?;
    let header = [
        "N° EJ",
        "Fournisseur payé (DP)",
        "",
        "Référentiel de programmation",
        "",
        "N° DP",
        "Date de dernière opération sur la DP",
        "Centre financier",
        "",
        "Domaine fonctionnel",
        "",
        "Montant payé",
    ];
    write_row(sheet, 1, &header.map(T))?;
    let rows = [
        [
            T("2100000801"),
            T("1000123456"),
            T("DESIGN ET CIE"),
            T(ACT),
            T("Transformation numérique"),
            T("100000801"),
            D(2020, 7, 1),
            T(CF),
            T("UO ELAB"),
            T("0174-06"),
            T("Énergie"),
            N(2500.0),
        ],
        [
            T("2100000802"),
            T("1000456789"),
            T("HEBERGEUR SOUVERAIN"),
            T(ACT),
            T("Transformation numérique"),
            T("100000802"),
            D(2020, 11, 2),
            T(CF),
            T("UO ELAB"),
            T("0174-06"),
            T("Énergie"),
            N(3000.0),
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        write_row(sheet, i as u32 + 2, row)?;
    }
    save(&mut book, &dir.join("extraction_dp_2020.xlsx"))
}

/// Re-types the CSV extracts of `from` as workbooks in `to`: amounts as numbers, dates as
/// dates, everything else as text, same header.
fn retype(from: &Path, to: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut files: Vec<_> = std::fs::read_dir(from)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "csv"));
    files.sort();
    for path in files {
        let mut inputs = ingest::open(&path)?;
        let mut input = inputs.remove(0);
        let mapping = &input.info.mapping;
        let is = |f: FieldId, i: usize| mapping.column(f) == Some(i);
        let mut book = book();
        let sheet = book.add_worksheet();
        let header: Vec<C> = mapping.header.iter().map(|h| T(h)).collect();
        write_row(sheet, 0, &header)?;
        let mut rows = std::mem::take(&mut input.head);
        while let Some(row) = input.rest.next_row() {
            rows.push(row?);
        }
        for (r, record) in rows.iter().enumerate() {
            let texts = record.display_fields();
            let cells: Vec<C> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    if is(FieldId::Montant, i) {
                        N(parse_amount(t).ok().and_then(|d| d.to_f64()).unwrap_or(0.0))
                    } else if is(FieldId::Date, i) || is(FieldId::DateEj, i) {
                        match parse_date(t) {
                            Ok(Some(d)) => D(d.year() as u16, d.month() as u8, d.day() as u8),
                            _ => T(t),
                        }
                    } else {
                        T(t)
                    }
                })
                .collect();
            write_row(sheet, r as u32 + 1, &cells)?;
        }
        let name = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .to_string()
            + ".xlsx";
        save(&mut book, &to.join(name))?;
    }
    Ok(())
}

/// Writes every workbook fixture under `out` (the repository, or a test's temp folder),
/// reading the CSV scenarios to re-type from `repo`.
pub fn write_all(repo: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let dir = out.join("fixtures/classeurs");
    bowebi(&dir)?;
    infbud53_2019(&dir, false)?;
    infbud53_2019(&dir, true)?;
    journal(&dir)?;
    dp_extraction(&dir)?;
    retype(
        &repo.join("fixtures/conforme"),
        &out.join("fixtures/conforme-xlsx"),
    )?;
    long_journal::write(&out.join("fixtures/journal-jp51-jp57"))?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    write_all(Path::new("."), Path::new("."))
}
