//! Generates large, realistic AIFE national extracts for benchmarks, with the totals the
//! tool must find, computed here independently of it.
//!
//! ```sh
//! cargo run --release --example generate_extracts -- 1000000 0.2 42 /tmp/chorus-bench
//! ```
//! (lines of each kind, share in scope, seed, output folder). Writes `ej_national.csv`
//! (that many commitments), `dp_national_1.csv` and `dp_national_2.csv` (that many
//! payments over two files that overlap by a tenth, as two monthly extracts do) and
//! `attendu.json`. The layout is exactly the AIFE one: `;`, every field quoted, inner
//! quotes not escaped, CRLF, decimal comma, some thousands separators. Quirks at low
//! rates: retraits, titre 2, partial imputations, payments without EJ, unattributed lines.
//! The other lines use a pool of imputations (a tenth of the lines, at least 1,000), as a
//! national file's lines share the State's referentials.
//!
//! With `--bowebi` first, it writes a BO Webi INF-BUD-53 workbook of that many rows
//! instead (`generate_bowebi`). With `--commandes FICHIER` first, it also writes an order
//! list for half the in-scope commitments (`reconcile --commandes`, issue 16).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// A small, seeded, deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// What the tool must find, summed here in cents.
#[derive(Default, Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub duplicates: u64,
    pub ae_consumed_cents: i64,
    pub cp_consumed_cents: i64,
    pub titre_2: u64,
    pub payments_without_ej: u64,
    pub partial: u64,
    pub bytes: u64,
}

const ELAB: [&str; 4] = ["0174-SOUT-ELAB", "0174-06", "017406AG1607", "ECLDENE092"];

/// Other imputations of the State: (programme, centre financier, domaine, activité, centre de coût).
fn other_imputation(rng: &mut Rng) -> [String; 5] {
    let programme = [102, 103, 134, 174, 181, 203, 216, 354][rng.below(8) as usize];
    let uo = ["CEFP", "DGEC", "DRIE", "CDMA", "SOUT"][rng.below(5) as usize];
    let sub = rng.below(90) + 10;
    [
        format!("{programme:04}"),
        format!("{programme:04}-{uo}-C{sub:03}"),
        format!("{programme:04}-{:02}", rng.below(12) + 1),
        format!(
            "{programme:04}{:02}AB{:04}",
            rng.below(12) + 1,
            rng.below(9999)
        ),
        format!("ADC{:07}", rng.below(9_999_999)),
    ]
}

/// The imputations the State's other lines use. Chorus imputations come from referentials
/// (centres financiers, activités, centres de coûts): a national file holds many lines
/// per imputation, not one. `size` of them (the bench uses a tenth of the lines, at least
/// 1,000), drawn with a skew: a few imputations carry many lines, as a ministry's big
/// services do.
struct Imputations(Vec<[String; 5]>);

impl Imputations {
    fn new(size: u64, rng: &mut Rng) -> Self {
        Imputations((0..size.max(1)).map(|_| other_imputation(rng)).collect())
    }

    fn draw(&self, rng: &mut Rng) -> [String; 5] {
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        let at = ((u * u) * self.0.len() as f64) as usize;
        self.0[at.min(self.0.len() - 1)].clone()
    }
}

/// `1234567` cents -> `12345,67`, sometimes `12 345,67` with a no-break space.
fn french_amount(cents: i64, rng: &mut Rng) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, rest) = (cents.abs() / 100, cents.abs() % 100);
    let digits = units.to_string();
    let grouped = if units >= 1000 && rng.chance(0.2) {
        let mut g = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                g.push('\u{a0}');
            }
            g.push(c);
        }
        g
    } else {
        digits
    };
    format!("{sign}{grouped},{rest:02}")
}

fn quote_all(fields: &[&str], out: &mut String) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push('"');
        out.push_str(f);
        out.push('"');
    }
    out.push_str("\r\n");
}

const EJ_HEADER: [&str; 24] = [
    "Centre financier - Programme (Clé)",
    "Domaine fonctionnel - Clé",
    "Centre de coûts - Clé (non composée)",
    "Référentiel de programmation - Clé (non composée)",
    "N° EJ",
    "N° EJ - Date de réplication (Clé)",
    "N° poste EJ",
    "Date de dernière modif. de l'EJ",
    "Fournisseur titulaire principal (EJ) - Clé",
    "Fournisseur titulaire principal (EJ)",
    "Fournisseur titulaire principal (EJ) - Code taxe 1 (Clé)",
    "Compte général - Clé (non composée)",
    "Compte budgétaire - Clé (non composée)",
    "Groupe de marchandises - Clé",
    "Contrat de projet Etat-Region - Clé",
    "Localisation interministérielle - Clé",
    "Montant engagé (EUR)",
    "Centre financier - Clé (non composée)",
    "Tranche fonctionnelle - Clé (non composée)",
    "Axe ministériel 1",
    "Fonds - Clé (non composée)",
    "Projet analytique ministériel - Clé",
    "Axe ministériel 2",
    "Société - Clé",
];

const DP_HEADER: [&str; 26] = [
    "Centre financier - Programme (Clé)",
    "Domaine fonctionnel - Clé",
    "Centre de coûts - Clé (non composée)",
    "Référentiel de programmation - Clé (non composée)",
    "N° EJ",
    "N° poste EJ",
    "N° DP - Clé (non composée)",
    "Date de base de la DP",
    "Date de dernière opération sur la DP",
    "Fournisseur payé (DP) - Clé",
    "Fournisseur payé (DP)",
    "Fournisseur payé (DP) - Code taxe 1 (Clé)",
    "Compte général - Clé (non composée)",
    "Compte budgétaire - Clé (non composée)",
    "Groupe de marchandises - Clé",
    "Contrat de projet Etat-Region - Clé",
    "Localisation interministérielle - Clé",
    "Montant payé (EUR)",
    "Exercice comptable - Clé (non composée)",
    "N° poste DP",
    "Centre financier - Programme (Clé)",
    "Tranche fonctionnelle - Clé (non composée)",
    "Fonds - Clé (non composée)",
    "Projet analytique ministériel - Clé",
    "Société - Clé",
    "Type de pièce - Clé",
];

const SUPPLIERS: [&str; 4] = [
    "OCTO TECHNOLOGY",
    "AGENCE; NATIONALE \"DES TITRES\"",
    "BETA CONSULTING SAS",
    "XXX \";P BBB\"",
];

/// One generated line: its fields, and what the tool must make of it.
struct Generated {
    text: String,
    in_scope: bool,
    cents: i64,
    /// Out of scope, but agreeing with the convention on two axes or more.
    partial: bool,
    /// An EJ line's date and supplier (for the order list), empty for a payment.
    date: String,
    supplier: &'static str,
}

fn ej_line(
    i: u64,
    rng: &mut Rng,
    pool: &Imputations,
    share: f64,
    e: &mut Expected,
    commitments: &mut Vec<u64>,
) -> Generated {
    let in_scope = rng.chance(share);
    let partial = !in_scope && rng.chance(0.01);
    let other = pool.draw(rng);
    let (programme, cf, df, act, cc) = if in_scope || partial {
        let act = if partial {
            "017406AG9999".to_string()
        } else {
            ELAB[2].to_string()
        };
        (
            "0174".to_string(),
            ELAB[0].to_string(),
            ELAB[1].to_string(),
            act,
            ELAB[3].to_string(),
        )
    } else {
        let [p, cf, df, act, cc] = other;
        (p, cf, df, act, cc)
    };
    let retrait = rng.chance(0.01);
    let mut cents = (rng.below(5_000_000) + 100) as i64;
    if retrait {
        cents = -cents / 10;
    }
    let titre = if rng.chance(0.002) { "21" } else { "31" };
    let axe2 = match rng.below(100) {
        0..=44 => "POTENTIEL",
        45..=89 => "CARBURE",
        _ => "",
    };
    let day = rng.below(28) + 1;
    let month = rng.below(12) + 1;
    let date = format!("{day:02}/{month:02}/2020");
    let ej = format!("21{:08}", i % 100_000_000);
    let supplier = SUPPLIERS[rng.below(4) as usize];
    let amount = french_amount(cents, rng);
    let mut text = String::with_capacity(400);
    quote_all(
        &[
            &programme,
            &df,
            &cc,
            &act,
            &ej,
            &date,
            "1",
            &date,
            "1000123456",
            supplier,
            "41835014800029",
            "6113110000",
            titre,
            "36.01.01",
            "",
            "N75",
            &amount,
            &cf,
            "",
            "",
            "",
            "",
            axe2,
            "ADCE",
        ],
        &mut text,
    );
    if in_scope {
        if !retrait {
            commitments.push(i % 100_000_000);
        }
        e.in_scope += 1;
        e.ae_consumed_cents += cents;
        e.titre_2 += u64::from(titre == "21");
    } else {
        e.out_of_scope += 1;
        e.partial += u64::from(partial);
    }
    e.read += 1;
    Generated {
        text,
        in_scope,
        cents,
        partial,
        date,
        supplier,
    }
}

fn dp_line(
    i: u64,
    rng: &mut Rng,
    pool: &Imputations,
    share: f64,
    commitments: &[u64],
) -> Generated {
    let in_scope = rng.chance(share);
    let other = pool.draw(rng);
    let (programme, df, act, cc) = if in_scope {
        (
            "0174".to_string(),
            ELAB[1].to_string(),
            ELAB[2].to_string(),
            ELAB[3].to_string(),
        )
    } else {
        let [p, _, df, act, cc] = other;
        (p, df, act, cc)
    };
    // A payment file carries the programme (not the centre financier), the domaine
    // fonctionnel, the activité and the centre de coûts: the activité or the centre de
    // coûts, which set the convention's lines apart from the rest of the UO, may agree by
    // chance (a likely mis-imputation).
    let partial = !in_scope && (act == ELAB[2] || cc == ELAB[3]);
    let without_ej = rng.chance(0.005);
    // Payments of the convention pay its commitments; the others, anybody's.
    let ej = match (without_ej, in_scope && !commitments.is_empty()) {
        (true, _) => "#".to_string(),
        (false, true) => format!(
            "21{:08}",
            commitments[rng.below(commitments.len() as u64) as usize]
        ),
        (false, false) => format!("29{:08}", rng.below(100_000_000)),
    };
    let cents = (rng.below(200_000) + 100) as i64;
    let day = rng.below(28) + 1;
    let month = rng.below(12) + 1;
    let date = format!("{day:02}/{month:02}/2020");
    let dp = format!("1{:08}", i % 100_000_000);
    let amount = french_amount(cents, rng);
    let supplier = SUPPLIERS[rng.below(4) as usize];
    let mut text = String::with_capacity(400);
    quote_all(
        &[
            &programme,
            &df,
            &cc,
            &act,
            &ej,
            "1",
            &dp,
            &date,
            &date,
            "1000123456",
            supplier,
            "41835014800029",
            "6113110000",
            "31",
            "36.01.01",
            "",
            "N75",
            &amount,
            "2020",
            "1",
            &programme,
            "",
            "",
            "",
            "ADCE",
            "RE",
        ],
        &mut text,
    );
    Generated {
        text,
        in_scope,
        cents,
        partial,
        date: String::new(),
        supplier: "",
    }
}

fn header(fields: &[&str]) -> String {
    let mut text = String::new();
    quote_all(fields, &mut text);
    text
}

/// Writes the three extracts and returns what the tool must find.
pub fn generate(lines: u64, share: f64, seed: u64, dir: &Path) -> std::io::Result<Expected> {
    generate_with_orders(lines, share, seed, dir, None)
}

/// The header of the order list (`--commandes`).
const ORDERS_HEADER: &str = "commande;ej;marche;nature;produit;fournisseur;siret;montant;date\n";

/// An order for half the in-scope commitments (its own generator: the extracts stay the
/// same bytes): three in five name their EJ; the others are matched by supplier, amount
/// and date; one in ten is a euro off (an `ECART_MONTANT`, or a `COMMANDE_SANS_EJ` at the
/// built-in convention's tolerance of 0.00).
fn order_line(i: u64, g: &Generated, rng: &mut Rng, out: &mut dyn Write) -> std::io::Result<()> {
    if !g.in_scope || g.cents <= 0 || !rng.chance(0.5) {
        return Ok(());
    }
    let ej = if rng.chance(0.6) {
        format!("21{:08}", i % 100_000_000)
    } else {
        String::new()
    };
    let cents = g.cents + if rng.chance(0.1) { 100 } else { 0 };
    let nature = ["développement", "design", "hébergement", "coaching"][rng.below(4) as usize];
    let supplier = g.supplier.replace('"', "\"\"");
    writeln!(
        out,
        "BC-{i};{ej};Développement;{nature};potentiel;\"{supplier}\";41835014800029;{},{:02};{}",
        cents / 100,
        cents % 100,
        g.date
    )
}

/// An order list's file, its header written.
fn order_list(path: &Path) -> std::io::Result<std::io::BufWriter<std::fs::File>> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(ORDERS_HEADER.as_bytes())?;
    Ok(w)
}

/// [`generate`], also writing an order list to `orders` when given.
pub fn generate_with_orders(
    lines: u64,
    share: f64,
    seed: u64,
    dir: &Path,
    orders: Option<&Path>,
) -> std::io::Result<Expected> {
    std::fs::create_dir_all(dir)?;
    let mut order_rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    let mut order_file = orders.map(order_list).transpose()?;
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut e = Expected::default();
    let pool = Imputations::new((lines / 10).max(1000), &mut rng);
    let mut ej = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join("ej_national.csv"))?,
    );
    ej.write_all(header(&EJ_HEADER).as_bytes())?;
    e.bytes += header(&EJ_HEADER).len() as u64;
    let mut commitments = Vec::new();
    for i in 0..lines {
        let g = ej_line(i, &mut rng, &pool, share, &mut e, &mut commitments);
        if let Some(w) = order_file.as_mut() {
            order_line(i, &g, &mut order_rng, w)?;
        }
        e.bytes += g.text.len() as u64;
        ej.write_all(g.text.as_bytes())?;
    }
    ej.flush()?;
    if let Some(mut w) = order_file {
        w.flush()?;
    }
    // Payments: `lines` of them over two files that overlap by a tenth (two monthly
    // extracts that both hold the month between them).
    let first_end = lines * 55 / 100;
    let second_start = lines * 45 / 100;
    let mut first = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join("dp_national_1.csv"))?,
    );
    let mut second = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join("dp_national_2.csv"))?,
    );
    for w in [&mut first, &mut second] {
        w.write_all(header(&DP_HEADER).as_bytes())?;
        e.bytes += header(&DP_HEADER).len() as u64;
    }
    for i in 0..lines {
        let g = dp_line(i, &mut rng, &pool, share, &commitments);
        let without_ej = g.text.contains("\"#\";\"1\";");
        let copies = u64::from(i < first_end) + u64::from(i >= second_start);
        e.read += copies;
        e.duplicates += copies - 1;
        e.bytes += g.text.len() as u64 * copies;
        if g.in_scope {
            e.in_scope += 1;
            e.cp_consumed_cents += g.cents;
            if without_ej {
                e.ae_consumed_cents += g.cents;
                e.payments_without_ej += 1;
            }
        } else {
            e.out_of_scope += 1;
            e.partial += u64::from(g.partial);
        }
        if i < first_end {
            first.write_all(g.text.as_bytes())?;
        }
        if i >= second_start {
            second.write_all(g.text.as_bytes())?;
        }
    }
    first.flush()?;
    second.flush()?;
    std::fs::write(dir.join("attendu.json"), expected_json(&e))?;
    Ok(e)
}

/// A BO Webi INF-BUD-53 workbook (`bowebi_INFBUD53_2020.xlsx`, layout `infbud53-bowebi`)
/// of `rows` rows, half postes of EJ (engagé (b), bascule (a) on one in twenty, b − a),
/// half payments (montant payé), `share` of them on the convention's imputation; numbers
/// and dates as typed cells, as BO writes them. Writes `attendu.json` beside it.
pub fn generate_bowebi(
    rows: u64,
    share: f64,
    seed: u64,
    dir: &Path,
) -> Result<Expected, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let pool = Imputations::new((rows / 10).max(1000), &mut rng);
    let mut e = Expected::default();
    let mut book = Workbook::new();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("INFBUD53")?;
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
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        let in_scope = rng.chance(share);
        let [_, cf, df, act, cc] = pool.draw(&mut rng);
        let (cf, df, act, cc) = if in_scope {
            (
                ELAB[0].to_string(),
                ELAB[1].to_string(),
                ELAB[2].to_string(),
                ELAB[3].to_string(),
            )
        } else {
            (cf, df, act, cc)
        };
        for (c, v) in [cf, df, cc, act].iter().enumerate() {
            let v = if c == 1 {
                v.clone()
            } else {
                format!("BG00/{v}")
            };
            sheet.write_string(r, c as u16, &v)?;
        }
        let ej = 2_100_000_000 + i / 2;
        sheet.write_number(r, 4, ej as f64)?;
        sheet.write_string(r, 5, "1")?;
        let axe2 = ["POTENTIEL", "CARBURE", "DIVERS"][rng.below(3) as usize];
        sheet.write_string(r, 8, SUPPLIERS[rng.below(4) as usize])?;
        sheet.write_string(r, 9, axe2)?;
        sheet.write_string(r, 10, "2020")?;
        e.read += 1;
        if in_scope {
            e.in_scope += 1;
        } else {
            e.out_of_scope += 1;
        }
        if i % 2 == 0 {
            // A poste of EJ: b, a, b - a.
            sheet.write_string(r, 6, "#")?;
            let new = (rng.below(5_000_000) + 100) as i64;
            let carried = if rng.chance(0.05) {
                (rng.below(1_000_000) + 100) as i64
            } else {
                0
            };
            sheet.write_number(r, 11, (new + carried) as f64 / 100.0)?;
            sheet.write_number(r, 12, carried as f64 / 100.0)?;
            sheet.write_number(r, 13, new as f64 / 100.0)?;
            if in_scope {
                e.ae_consumed_cents += new;
            }
        } else {
            // A payment.
            sheet.write_number(r, 6, (100_000_000 + i) as f64)?;
            let date =
                ExcelDateTime::from_ymd(2020, rng.below(12) as u8 + 1, rng.below(28) as u8 + 1)?;
            sheet.write_datetime_with_format(r, 7, &date, &date_format)?;
            let paid = (rng.below(200_000) + 100) as i64;
            sheet.write_number(r, 14, paid as f64 / 100.0)?;
            if in_scope {
                e.cp_consumed_cents += paid;
            }
        }
    }
    let path = dir.join("bowebi_INFBUD53_2020.xlsx");
    book.save(&path)?;
    e.bytes = std::fs::metadata(&path)?.len();
    std::fs::write(dir.join("attendu.json"), expected_json(&e))?;
    Ok(e)
}

/// What the tool must find, as `attendu.json`.
pub fn expected_json(e: &Expected) -> String {
    let mut json = String::new();
    let _ = write!(
        json,
        "{{\n  \"lines\": {{\"read\": {}, \"in_scope\": {}, \"out_of_scope\": {}, \"rejected\": 0, \"duplicates\": {}}},\n  \"totals\": {{\"ae_consumed\": \"{}\", \"cp_consumed\": \"{}\"}},\n  \"titre_2\": {},\n  \"payments_without_ej\": {},\n  \"partial_imputations\": {},\n  \"bytes\": {}\n}}\n",
        e.read,
        e.in_scope,
        e.out_of_scope,
        e.duplicates,
        cents_text(e.ae_consumed_cents),
        cents_text(e.cp_consumed_cents),
        e.titre_2,
        e.payments_without_ej,
        e.partial,
        e.bytes
    );
    json
}

/// `-1234` cents -> `-12.34`.
pub fn cents_text(cents: i64) -> String {
    format!(
        "{}{}.{:02}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    )
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let bowebi = args.first().is_some_and(|a| a == "--bowebi");
    if bowebi {
        args.remove(0);
    }
    // `--commandes FICHIER` first: an order list for the in-scope commitments too.
    let orders = match args.first().is_some_and(|a| a == "--commandes") {
        true => {
            args.remove(0);
            Some(std::path::PathBuf::from(args.remove(0)))
        }
        false => None,
    };
    let lines = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let share = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0.2);
    let seed = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(42);
    let dir = args
        .get(3)
        .map(String::as_str)
        .unwrap_or("/tmp/chorus-bench");
    let e = if bowebi {
        generate_bowebi(lines, share, seed, Path::new(dir))?
    } else {
        generate_with_orders(lines, share, seed, Path::new(dir), orders.as_deref())?
    };
    eprintln!(
        "{dir} : {} lignes, {} octets ; attendu : {e:?}",
        e.read, e.bytes
    );
    Ok(())
}
