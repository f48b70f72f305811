//! `fixtures/journal-jp51-jp57/`: the long-header journal des pièces as a service receives
//! it each week, `jp51.ods` (commitment operations) and `jp57.ods` (payments), written by a
//! small OpenDocument writer (rust_xlsxwriter writes only XLSX). The rows are tables of
//! text, one movement a line, so that the figures of the scenario's LISEZMOI can be read
//! off them.

use std::error::Error;
use std::path::Path;

use super::C::{self, D, E, N, T};

const JP51_HEADER: [&str; 23] = [
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

/// exercice | EJ | poste | text | amount | amount type label | code | TV | operation date |
/// EJ creation date | imputation (`in` the convention's, `autre` another UO's).
const JP51_ROWS: &str = "
2020|2100000951|1|POTENTIEL sprint 1|40000|Original|100|51|2020-02-03|2020-02-03|in
2020|2100000951|1|POTENTIEL sprint 1|5000|Modification|150|51|2020-05-04|2020-02-03|in
2020|2100000951|1|POTENTIEL sprint 1|-25000|Réduction|200|51|2020-06-12|2020-02-03|in
2020|2100000951|1|POTENTIEL sprint 1|25000|Original|100|54|2020-06-02|2020-02-03|in
2020|2100000952|1|CARBURE hébergement|30000|Original|100|51|2020-03-02|2020-03-02|in
2020|2100000952|2|CARBURE hébergement|10000|Original|100|51|2020-03-02|2020-03-02|in
2020|2100000952|1|CARBURE hébergement|-8000||200|51|2020-07-15|2020-03-02|in
2020|2100000952|2|CARBURE hébergement|-3000|Réduction||51|2020-11-30|2020-03-02|in
2020|2100000953|1|CARBURE maintenance|6000|Report exercice suivant (engagements)|350|51|2020-01-01|2019-10-01|in
2020|2100000953|1|CARBURE maintenance|-6000|Ajustement par pièce suivante|500|51|2020-03-10|2019-10-01|in
2020|2100000954|1|POTENTIEL design|12000|Original|100|51|2020-04-01|2020-04-01|in
2020|2100000954|1|POTENTIEL design|-2000|Changement d'imputation émetteur|600|51|2020-09-01|2020-04-01|in
2020|2100000954|1|POTENTIEL design|2000|Changement d'imputation récepteur|650|51|2020-09-01|2020-04-01|autre
2019|2100000955|1|CARBURE audit|-4000|Report exercice suivant (engagements)|350|51|2020-01-01|2019-05-06|in
2020|2100000956|1|POTENTIEL|999|Original|100|50|2020-02-03|2020-02-03|in
";

const JP57_HEADER: [&str; 35] = [
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

/// EJ | poste | amount type | header text | amount | payment date | DP | invoice (in
/// « Numéro de pièce de la pièce de référence »: not the EJ in a JP57). The last payment
/// has no EJ: it consumes AE at payment.
const JP57_ROWS: &str = "
2100000951|1|250|Facture 12|25000|2020-06-12|100000951|5100000001
2100000952|1|Payé|Facture 7|8000|2020-07-15|100000952|5100000002
2100000953|1|250|Facture 3|6000|2020-03-10|100000953|5100000003
||250|POTENTIEL abonnement|1500|2020-10-05|100000960|5100000004
";

/// The rows of a table, fields split on `|`.
fn table(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').collect())
}

fn date(iso: &str) -> C<'static> {
    let part = |i: usize| iso.split('-').nth(i).and_then(|p| p.parse().ok());
    match (part(0), part(1), part(2)) {
        (Some(y), Some(m), Some(d)) => D(y, m as u8, d as u8),
        _ => panic!("date {iso}"),
    }
}

fn amount(text: &str) -> C<'static> {
    N(text.parse().expect("an amount"))
}

pub fn write(dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut jp51: Vec<Vec<C>> = vec![JP51_HEADER.iter().map(|h| T(h)).collect()];
    for f in table(JP51_ROWS) {
        let [
            ex,
            ej,
            poste,
            text,
            value,
            label,
            code,
            tv,
            on,
            created,
            imputation,
        ] = f[..]
        else {
            panic!("JP51 row {f:?}")
        };
        let [cf, df, cc, programme] = if imputation == "in" {
            ["0174-SOUT-ELAB", "0174-06", "ECLDENE092", "017406AG1607"]
        } else {
            ["0181-CPRI-DR75", "0181-01", "AUTRE00001", "018101AA0001"]
        };
        let period = if ex == "2019" { "016" } else { "001" };
        jp51.push(vec![
            T(ex),
            T(cf),
            T(df),
            T(cc),
            T("DINUM / ELAB"),
            T(ej),
            T(poste),
            T(text),
            amount(value),
            T("1000123456"),
            T("SOCIETE NUMERIQUE SA"),
            T(label),
            T(code),
            // A local code, not the convention's activité.
            T("ELAB01"),
            T(programme),
            T("Élaboration des politiques"),
            T(period),
            date(on),
            date(created),
            T("Dépenses de fonction"),
            T("AGENT01"),
            T(tv),
            T("6113110000"),
        ]);
    }
    write_ods(&dir.join("jp51.ods"), "jp51", &jp51)?;
    let mut jp57: Vec<Vec<C>> = vec![JP57_HEADER.iter().map(|h| T(h)).collect()];
    for f in table(JP57_ROWS) {
        let [ej, poste, kind, text, value, paid, dp, invoice] = f[..] else {
            panic!("JP57 row {f:?}")
        };
        let month_start = format!("{}-01", &paid[..7]);
        jp57.push(vec![
            T("2020"),
            T("006"),
            T("0174-SOUT-ELAB"),
            T("0174-06"),
            T("ECLDENE092"),
            T("DINUM / ELAB"),
            T("1000123456"),
            T("SOCIETE NUMERIQUE SA"),
            T(kind),
            T("017406AG1607"),
            T("Élaboration"),
            T("Élaboration des politiques"),
            T("REF-1"),
            T(text),
            T(ej),
            T(poste),
            amount(value),
            date(paid),
            T(dp),
            date(&month_start),
            date(&month_start),
            T("ELAB01"),
            T("KZ"),
            T("Paiements"),
            T("0300000001"),
            T(invoice),
            T("4900000001"),
            T("57"),
            E,
            E,
            E,
            E,
            T("30004"),
            T("00012345678"),
            T("12"),
        ]);
    }
    write_ods(&dir.join("jp57.ods"), "jp57", &jp57)
}

/// XML text, escaped.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A one-sheet OpenDocument spreadsheet: the `mimetype` stored first, a manifest, the
/// content; fixed timestamps, so the same rows give the same bytes.
fn write_ods(path: &Path, sheet: &str, rows: &[Vec<C>]) -> Result<(), Box<dyn Error>> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut content = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0""#,
        r#" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0""#,
        r#" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">"#,
        "<office:body><office:spreadsheet>"
    ));
    content += &format!(r#"<table:table table:name="{}">"#, xml(sheet));
    for row in rows {
        content += "<table:table-row>";
        for cell in row {
            content += &match cell {
                T("") | E => "<table:table-cell/>".to_string(),
                T(t) => format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                    xml(t)
                ),
                N(n) => format!(
                    r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
                ),
                D(y, m, d) => format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{y:04}-{m:02}-{d:02}"><text:p>{d:02}/{m:02}/{y:04}</text:p></table:table-cell>"#
                ),
            };
        }
        content += "</table:table-row>";
    }
    content += "</table:table></office:spreadsheet></office:body></office:document-content>";
    let manifest = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#,
        r#"<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>"#,
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
        "</manifest:manifest>"
    );
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(bytes.as_bytes())?;
    }
    let bytes = zip.finish()?.into_inner();
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(path, bytes)?;
    Ok(())
}
