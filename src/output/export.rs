//! The line export (`--export-lignes DOSSIER`): every movement read, one CSV line each, with
//! what became of it (`statut`), for DuckDB, pandas, Grist… (`lignes.csv`), described by a
//! Frictionless Data Package (`datapackage.json`). Plain UTF-8 CSV, comma, `\n`, no BOM,
//! quoted as RFC 4180 says (by the `csv` crate): made for tools, not Excel, so text is
//! never altered (no formula neutralisation: open it in a tool, not a spreadsheet).
//!
//! The main pass spills each input's lines as [`Encoder`] records (what it knows when a row
//! is judged); this module writes them back in input and row order, adding what only the
//! reconciliation knows: the statut (a duplicate, a replaced state), the product and the
//! in-scope amount (after the carry-over split).

use std::io::{BufReader, Read, Write};

use rust_decimal::Decimal;

use super::Failure;
use super::spill::{Spills, rewound};
use crate::convention::Convention;
use crate::model::{AxisCodes, AxisSet, Line, Measure, Origin, Rejection};
use crate::report::input::Run;

/// The export's file names inside its folder.
pub const LINES_FILE: &str = "lignes.csv";
pub const PACKAGE_FILE: &str = "datapackage.json";

/// Every column of `lignes.csv`, in order: name, Table Schema type, description (French).
pub const FIELDS: [(&str, &str, &str); 31] = [
    (
        "statut",
        "string",
        "Ce que la ligne est devenue : perimetre (dans le périmètre de la convention), hors_perimetre, rejet (ligne illisible, non comptée), doublon (déjà lue dans un extrait précédent), remplace (état remplacé par celui d'un extrait plus récent)",
    ),
    (
        "fichier",
        "string",
        "Fichier d'entrée, tel que nommé à l'outil",
    ),
    (
        "feuille",
        "string",
        "Feuille du classeur (vide pour un CSV)",
    ),
    (
        "ligne",
        "integer",
        "Numéro de la ligne dans le fichier (ligne Excel pour un classeur)",
    ),
    (
        "mesure",
        "string",
        "AE (engagement) ou CP (paiement) ; vide pour un rejet",
    ),
    (
        "montant",
        "number",
        "Montant exact en euros (au moins deux décimales, jamais arrondi), point décimal, sans séparateur de milliers ; pour une ligne dans le périmètre, après séparation de la bascule ; vide pour un rejet",
    ),
    (
        "bascule",
        "number",
        "Part du montant lu qui est la bascule d'engagements d'exercices antérieurs non soldés (ni AE ni CP de l'exercice) : montant + bascule = montant lu ; vide pour un rejet",
    ),
    (
        "produit",
        "string",
        "Produit de la convention auquel la ligne est rattachée (lignes dans le périmètre)",
    ),
    ("exercice", "integer", "Exercice budgétaire de la ligne"),
    ("date", "date", "Date du mouvement (AAAA-MM-JJ)"),
    (
        "date_ej",
        "date",
        "Date de création de l'engagement juridique (AAAA-MM-JJ)",
    ),
    (
        "centre_financier",
        "string",
        "Centre financier (imputation)",
    ),
    ("programme", "string", "Programme (imputation)"),
    (
        "domaine_fonctionnel",
        "string",
        "Domaine fonctionnel (imputation)",
    ),
    ("activite", "string", "Activité (imputation)"),
    ("centre_cout", "string", "Centre de coût (imputation)"),
    (
        "axes_differents",
        "string",
        "Axes contrôlés sur lesquels l'imputation diffère de la convention",
    ),
    ("ej", "string", "Numéro d'engagement juridique"),
    ("poste_ej", "string", "Poste de l'engagement juridique"),
    ("dp", "string", "Numéro de demande de paiement"),
    ("poste_dp", "string", "Poste de la demande de paiement"),
    ("societe", "string", "Société (code)"),
    ("fournisseur_code", "string", "Code du fournisseur"),
    ("fournisseur", "string", "Nom du fournisseur"),
    ("compte_budgetaire", "string", "Compte budgétaire"),
    ("compte_general", "string", "Compte général"),
    ("groupe_marchandises", "string", "Groupe de marchandises"),
    (
        "titre",
        "integer",
        "Titre LOLF (1 à 7) quand le compte le dit",
    ),
    (
        "texte",
        "string",
        "Textes libres de la ligne, joints par « | »",
    ),
    ("colonne", "string", "Pour un rejet : la colonne en cause"),
    (
        "motif",
        "string",
        "Pour un rejet : la raison ; pour un doublon ou un état remplacé : la ligne qui le remplace",
    ),
];

/// Columns written from the record's tail (after `produit`, before `motif`).
const TAIL: std::ops::Range<usize> = 8..30;

/// A record's fixed part: row (8), measure (1), flags (1), amount (16), tail length (4).
const HEAD_LEN: usize = 30;
const IN_SCOPE: u8 = 1;
const REJECTION: u8 = 2;
const NO_MEASURE: u8 = 2;

/// A buffer a `csv::Writer` writes to and its owner empties after each record.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A CSV writer of `lignes.csv`'s dialect (comma, `\n`, quoted when needed), each record
/// taken as bytes once written.
struct RecordWriter {
    csv: csv::Writer<Shared>,
    buffer: Shared,
}

impl RecordWriter {
    fn new() -> RecordWriter {
        let buffer = Shared::default();
        let csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .from_writer(buffer.clone());
        RecordWriter { csv, buffer }
    }

    /// The record's bytes, its terminator included.
    fn encode<I, T>(&mut self, fields: I) -> std::io::Result<Vec<u8>>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.csv.write_record(fields)?;
        self.csv.flush()?;
        Ok(std::mem::take(&mut *self.buffer.0.borrow_mut()))
    }
}

/// Encodes the lines of a piece of rows as spill records.
pub struct Encoder {
    csv: RecordWriter,
    pub out: Vec<u8>,
}

impl Default for Encoder {
    fn default() -> Encoder {
        Encoder {
            csv: RecordWriter::new(),
            out: Vec::new(),
        }
    }
}

fn text(v: &Option<compact_str::CompactString>) -> &str {
    v.as_deref().unwrap_or("")
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl Encoder {
    /// A judged line, whole.
    pub fn line(&mut self, line: &Line, in_scope: bool, differing: AxisSet) -> std::io::Result<()> {
        let l = line;
        let tail = [
            l.year.to_string(),
            date(l.date),
            date(l.date_ej),
            text(&l.centre_financier).into(),
            text(&l.programme).into(),
            text(&l.domaine_fonctionnel).into(),
            text(&l.activite).into(),
            text(&l.centre_cout).into(),
            differing.labels(),
            text(&l.ej).into(),
            text(&l.poste_ej).into(),
            text(&l.dp).into(),
            text(&l.poste_dp).into(),
            text(&l.societe).into(),
            text(&l.fournisseur_code).into(),
            text(&l.fournisseur).into(),
            text(&l.compte_budgetaire).into(),
            text(&l.compte_general).into(),
            text(&l.groupe_marchandises).into(),
            l.titre.map(|t| t.to_string()).unwrap_or_default(),
            text(&l.texte).into(),
            String::new(),
        ];
        let flags = if in_scope { IN_SCOPE } else { 0 };
        self.record(
            l.origin.row,
            measure_byte(l.measure),
            flags,
            l.amount,
            &tail,
            "",
        )
    }

    /// An out-of-scope movement known only by its amount and imputation (its row could
    /// not be normalised whole).
    pub fn movement(
        &mut self,
        row: u64,
        measure: Measure,
        amount: Decimal,
        axes: &AxisCodes,
        differing: AxisSet,
    ) -> std::io::Result<()> {
        let mut tail: Vec<String> = vec![String::new(); TAIL.len()];
        for (k, v) in axes.iter().enumerate() {
            tail[3 + k] = text(v).into();
        }
        tail[8] = differing.labels();
        self.record(row, measure_byte(measure), 0, amount, &tail, "")
    }

    /// A rejected row: its column at fault and its reason.
    pub fn rejection(&mut self, r: &Rejection) -> std::io::Result<()> {
        let mut tail: Vec<String> = vec![String::new(); TAIL.len()];
        tail[TAIL.len() - 1] = r.column.clone().unwrap_or_default();
        let zero = Decimal::ZERO;
        self.record(r.origin.row, NO_MEASURE, REJECTION, zero, &tail, &r.reason)
    }

    fn record(
        &mut self,
        row: u64,
        measure: u8,
        flags: u8,
        amount: Decimal,
        tail: &[String],
        motif: &str,
    ) -> std::io::Result<()> {
        let mut encoded = self.csv.encode(tail)?;
        encoded.pop(); // the terminator
        let out = &mut self.out;
        out.extend_from_slice(&row.to_le_bytes());
        out.extend_from_slice(&[measure, flags]);
        out.extend_from_slice(&amount.serialize());
        out.extend_from_slice(&(encoded.len() as u32).to_le_bytes());
        out.append(&mut encoded);
        out.extend_from_slice(&(motif.len() as u32).to_le_bytes());
        out.extend_from_slice(motif.as_bytes());
        Ok(())
    }
}

fn measure_byte(m: Measure) -> u8 {
    match m {
        Measure::Ae => 0,
        Measure::Cp => 1,
    }
}

/// A spill record read back.
struct Record {
    row: u64,
    measure: Option<Measure>,
    flags: u8,
    amount: Decimal,
    tail: Vec<u8>,
    motif: String,
}

/// The next record of a spill file; `None` at its end.
fn read_record(r: &mut impl Read) -> std::io::Result<Option<Record>> {
    let mut head = [0u8; HEAD_LEN];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize;
    let mut tail = vec![0u8; u32_at(&head[26..30])];
    r.read_exact(&mut tail)?;
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let mut motif = vec![0u8; u32_at(&len)];
    r.read_exact(&mut motif)?;
    Ok(Some(Record {
        row: u64::from_le_bytes(head[..8].try_into().expect("8 bytes")),
        measure: match head[8] {
            0 => Some(Measure::Ae),
            1 => Some(Measure::Cp),
            _ => None,
        },
        flags: head[9],
        amount: Decimal::deserialize(head[10..26].try_into().expect("16 bytes")),
        tail,
        motif: String::from_utf8_lossy(&motif).into_owned(),
    }))
}

/// What the reconciliation made of a line its row's judgement could not tell.
#[derive(Clone, Copy)]
enum Fate {
    Duplicate(Origin),
    Replaced(Origin),
}

/// The reconciliation's columns of a line: statut, montant and bascule, produit, motif.
struct Verdict {
    statut: &'static str,
    /// The amount and carry-over (none for a rejection).
    amount: Option<(Decimal, Decimal)>,
    product: String,
    motif: String,
}

impl Verdict {
    fn new(statut: &'static str, amount: Option<(Decimal, Decimal)>, motif: String) -> Verdict {
        Verdict {
            statut,
            amount,
            product: String::new(),
            motif,
        }
    }
}

/// What the reconciliation made of each line: looked up by origin and measure.
struct Outcome<'a> {
    run: &'a Run,
    convention: &'a Convention,
    /// Duplicates and replaced states.
    fates: rustc_hash::FxHashMap<(Origin, Measure), Fate>,
}

impl<'a> Outcome<'a> {
    fn new(run: &'a Run, convention: &'a Convention) -> Outcome<'a> {
        let rec = &run.reconciliation;
        let duplicates =
            (rec.duplicates.iter()).map(|d| ((d.origin, d.measure), Fate::Duplicate(d.first)));
        let replaced = (rec.replaced.iter()).map(|r| ((r.origin, r.measure), Fate::Replaced(r.by)));
        let fates = duplicates.chain(replaced).collect();
        Outcome {
            run,
            convention,
            fates,
        }
    }

    /// How the reports name an input.
    fn label(&self, o: Origin) -> &str {
        (self.run.inputs.get(o.input as usize)).map_or("", |i| i.label.as_str())
    }

    fn verdict(&self, record: Record, input: u32) -> Verdict {
        let origin = Origin {
            input,
            row: record.row,
        };
        let Some(measure) = record.measure.filter(|_| record.flags & REJECTION == 0) else {
            return Verdict::new("rejet", None, record.motif);
        };
        let amount = Some((record.amount, Decimal::ZERO));
        match self.fates.get(&(origin, measure)) {
            Some(Fate::Duplicate(first)) => {
                let motif = format!(
                    "doublon de la ligne {} de « {} »",
                    first.row,
                    self.label(*first)
                );
                Verdict::new("doublon", amount, motif)
            }
            Some(Fate::Replaced(by)) => {
                let motif = format!(
                    "état remplacé par la ligne {} de « {} »",
                    by.row,
                    self.label(*by)
                );
                Verdict::new("remplace", amount, motif)
            }
            None if record.flags & IN_SCOPE == 0 => {
                Verdict::new("hors_perimetre", amount, String::new())
            }
            None => self.in_scope(origin, measure, record.amount),
        }
    }

    /// An in-scope line: its product and its amount once the carry-over is split off.
    fn in_scope(&self, origin: Origin, measure: Measure, read: Decimal) -> Verdict {
        let rec = &self.run.reconciliation;
        let scoped = rec.line_at(origin, measure).map(|k| &rec.lines[k]);
        let line = scoped.map(|s| &s.judged.line);
        let amount = line.map_or((read, Decimal::ZERO), |l| (l.amount, l.carried));
        let mut verdict = Verdict::new("perimetre", Some(amount), String::new());
        verdict.product = (scoped.and_then(|s| s.product))
            .and_then(|p| self.convention.products.get(p))
            .map(|p| p.name.clone())
            .unwrap_or_default();
        verdict
    }
}

/// Writes `lignes.csv`: the header, then every input's spilled lines in input and row
/// order. Returns the number of lines written.
pub fn write_lines(
    run: &Run,
    convention: &Convention,
    spills: &Spills,
    out: &mut dyn Write,
) -> Result<u64, Failure> {
    let outcome = Outcome::new(run, convention);
    let mut csv = RecordWriter::new();
    out.write_all(&csv.encode(FIELDS.iter().map(|f| f.0))?)?;
    let mut written = 0u64;
    for (index, (spilled, input)) in spills.inputs.iter().zip(&run.inputs).enumerate() {
        let Some(file) = &spilled.export else {
            continue;
        };
        let mut reader = BufReader::with_capacity(1 << 16, rewound(file)?);
        let source = &input.source;
        let (fichier, feuille) = (&source.display, source.sheet.as_deref().unwrap_or(""));
        while let Some(mut record) = read_record(&mut reader)? {
            let tail = std::mem::take(&mut record.tail);
            let (row, measure) = (record.row.to_string(), record.measure);
            let v = outcome.verdict(record, index as u32);
            let text = |a: Option<Decimal>| a.map(amount_text).unwrap_or_default();
            let (amount, carried) = (text(v.amount.map(|a| a.0)), text(v.amount.map(|a| a.1)));
            let measure = measure
                .filter(|_| v.amount.is_some())
                .map_or("", Measure::label);
            let head = [
                v.statut, fichier, feuille, &row, measure, &amount, &carried, &v.product,
            ];
            let mut line = csv.encode(head)?;
            line.pop();
            line.push(b',');
            line.extend_from_slice(&tail);
            line.push(b',');
            // Alone in its record, an empty field would be quoted.
            match v.motif.is_empty() {
                true => line.push(b'\n'),
                false => line.extend_from_slice(&csv.encode([v.motif.as_str()])?),
            }
            out.write_all(&line)?;
            written += 1;
        }
    }
    Ok(written)
}

/// An amount as tools read it: dot decimal, no thousands separator, at least two decimals
/// (`8000.00`, never rounded: `0.125` stays).
fn amount_text(mut amount: Decimal) -> String {
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount.to_string()
}

/// `datapackage.json`: a Frictionless (Tabular) Data Package describing `lignes.csv`.
pub fn package_json() -> Vec<u8> {
    let fields: Vec<serde_json::Value> = FIELDS
        .iter()
        .map(|(name, kind, description)| {
            serde_json::json!({"name": name, "type": kind, "description": description})
        })
        .collect();
    let package = serde_json::json!({
        "profile": "tabular-data-package",
        "name": "chorus-recon-lignes",
        "title": "Lignes lues par chorus-recon",
        "description": "Chaque mouvement (AE ou CP) lu dans les extraits Chorus, normalisé, avec ce qu'il est devenu dans le rapprochement (statut), son produit et sa provenance (fichier, feuille, ligne).",
        "resources": [{
            "name": "lignes",
            "path": LINES_FILE,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": true},
            "schema": {"fields": fields, "missingValues": [""]},
        }],
    });
    let mut text = serde_json::to_vec_pretty(&package).expect("a package serialises");
    text.push(b'\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_keep_every_decimal_and_show_at_least_two() {
        assert_eq!(amount_text(dec!(8000)), "8000.00");
        assert_eq!(amount_text(dec!(-12.5)), "-12.50");
        assert_eq!(amount_text(dec!(0.125)), "0.125");
        assert_eq!(amount_text(dec!(1234567.89)), "1234567.89");
    }

    #[test]
    fn records_read_back_as_written() {
        let mut encoder = Encoder::default();
        let axes: AxisCodes = [Some("0174-SOUT".into()), None, None, None, None];
        let differing = AxisSet::default();
        encoder
            .movement(7, Measure::Cp, dec!(-3.5), &axes, differing)
            .unwrap();
        let rejection = Rejection {
            origin: Origin { input: 0, row: 9 },
            column: Some("Montant".into()),
            reason: "montant illisible : « 1,2,3 »".into(),
            raw: String::new(),
        };
        encoder.rejection(&rejection).unwrap();
        let mut bytes = encoder.out.as_slice();
        let first = read_record(&mut bytes).unwrap().unwrap();
        assert_eq!(
            (first.row, first.measure, first.flags),
            (7, Some(Measure::Cp), 0)
        );
        assert_eq!(first.amount, dec!(-3.5));
        let tail = String::from_utf8(first.tail).unwrap();
        assert_eq!(tail.split(',').count(), TAIL.len(), "{tail}");
        assert!(tail.starts_with(",,,0174-SOUT,"), "{tail}");
        let second = read_record(&mut bytes).unwrap().unwrap();
        assert_eq!((second.row, second.flags), (9, REJECTION));
        assert_eq!(second.motif, rejection.reason);
        assert!(
            String::from_utf8(second.tail)
                .unwrap()
                .ends_with(",Montant")
        );
        assert!(read_record(&mut bytes).unwrap().is_none());
    }
}
