//! The detail CSV opened as an accountant would: LibreOffice imports it (`;`, UTF-8,
//! French locale) and saves it as a workbook, which is read back. Formulas planted in
//! the extract (and in its file name) must arrive as text, amounts as numbers, and a `;`
//! inside a value must not shift the columns. Skipped, loudly, without LibreOffice.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::run;

/// `soffice`, or `None` with a loud message.
fn soffice() -> Option<&'static str> {
    let found = Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!(
            "\n*** IGNORÉ : LibreOffice (soffice) absent ; installez libreoffice-calc-nogui pour ce test ***\n"
        );
    }
    found.then_some("soffice")
}

/// Converts `csv` to a workbook in `out` as LibreOffice opens it: `;` separated, `"`
/// quoted, UTF-8 (76), from row 1, French locale (1036, so `-12,50` is a number).
fn convert(soffice: &str, csv: &Path, out: &Path) -> PathBuf {
    let profile = out.join("profil");
    let status = Command::new("timeout")
        .arg("180")
        .arg(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--infilter=CSV:59,34,76,1,,1036"])
        .args(["--convert-to", "xlsx", "--outdir"])
        .arg(out)
        .arg(csv)
        .output()
        .expect("soffice runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out.join(csv.with_extension("xlsx").file_name().unwrap())
}

/// Each cell's formula (empty when none) and value, sheet 1.
fn cells(book: &Path) -> (Vec<Vec<String>>, Vec<Vec<Data>>) {
    let mut wb: Xlsx<_> = open_workbook(book).unwrap();
    let name = wb.sheet_names()[0].clone();
    let formulas = wb.worksheet_formula(&name).unwrap();
    let values = wb.worksheet_range(&name).unwrap();
    (
        formulas.rows().map(|r| r.to_vec()).collect(),
        values.rows().map(|r| r.to_vec()).collect(),
    )
}

#[test]
fn no_formula_of_an_extract_survives_in_libreoffice_and_amounts_stay_numbers() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let planted = [
        "=1+1",
        "+1+1",
        "-2+3",
        "@SUM(1)",
        "=HYPERLINK(\"\"http://exemple.invalid\"\")",
        "=cmd|' /C calc'!A0",
    ];
    let mut text = String::from(
        "\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Montant engagé (EUR)\"\r\n",
    );
    for (i, value) in planted.iter().enumerate() {
        text += &format!(
            "\"0174-SOUT-ELAB\";\"{value}\";\"21000000{i:02}\";\"1\";\"02/03/2020\";\"-12,50\"\r\n"
        );
    }
    // A file name that is a formula and holds the separator.
    let name = "=1+1;x.csv";
    std::fs::write(d.join(name), text).unwrap();
    let r = run(
        d,
        &[
            "reconcile",
            name,
            "--as-of",
            "2020-12-31",
            "-q",
            "--detail-hors-perimetre",
            "hors.csv",
        ],
    );
    // Every line is out of scope: PERIMETRE_VIDE makes the run an error, the detail is
    // written all the same.
    r.expect_code(1);
    let book = convert(soffice, &d.join("hors.csv"), d);
    let (formulas, values) = cells(&book);
    let live: Vec<&String> = formulas
        .iter()
        .flatten()
        .filter(|f| !f.is_empty())
        .collect();
    assert!(live.is_empty(), "formulas survived: {live:?}");
    assert_eq!(values.len(), 1 + planted.len(), "{values:?}");
    for row in &values[1..] {
        assert_eq!(row.len(), 10, "columns shifted: {row:?}");
        assert_eq!(row[0], Data::String("'=1+1;x.csv".into()), "{row:?}");
        assert_eq!(
            row[3],
            Data::Float(-12.5),
            "the amount is not a number: {row:?}"
        );
        assert!(
            matches!(&row[6], Data::String(s) if s.starts_with('\'')),
            "{row:?}"
        );
    }
    // The same import of the raw values does evaluate them: the check above is not empty.
    let control = d.join("temoin.csv");
    std::fs::write(&control, "A;B\r\nx;=1+1\r\n").unwrap();
    let (formulas, _) = cells(&convert(soffice, &control, d));
    assert!(
        formulas.iter().flatten().any(|f| !f.is_empty()),
        "LibreOffice evaluated no formula of the control: the test proves nothing"
    );
}
