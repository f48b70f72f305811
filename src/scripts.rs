//! What scripts use: the layouts as JSON (`layouts --json`), a Frictionless Table Schema
//! of a layout as its files arrive (`layouts --schema NOM`), shell completions and the man
//! page, both generated from the clap definition (`completions`, `man`).

use serde_json::{Map, Value, json};

use crate::ingest::layout::{Layout, SchemaField, layouts};

/// The version of the `layouts --json` shape: changes when a key changes meaning or goes.
pub const LAYOUTS_FORMAT_VERSION: u32 = 1;

/// Every layout as JSON: `{"format_version": 1, "layouts": [...]}` (see `docs/contrat.md`).
pub fn layouts_json() -> Value {
    let all: Vec<Value> = layouts().iter().map(layout_json).collect();
    json!({ "format_version": LAYOUTS_FORMAT_VERSION, "layouts": all })
}

fn layout_json(layout: &Layout) -> Value {
    let m = &layout.meta;
    let kind = match m.kind {
        crate::ingest::layout::LayoutKind::Extract => "extract",
        crate::ingest::layout::LayoutKind::Nomenclature => "nomenclature",
    };
    let key_figures: Vec<Value> = m
        .key_figures
        .iter()
        .map(|k| {
            json!({
                "value": k.value,
                "measure": k.measure,
                "sign": k.sign,
                "ignore": k.ignore,
                "carried": k.carried,
                "labels": k.labels,
                "reduction": k.reduction,
                "positiveOnly": k.positive_only,
                "serviceFait": k.service_fait,
            })
        })
        .collect();
    let fields: Vec<Value> = layout
        .fields
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "title": f.title,
                "type": f.kind,
                "headers": f.headers,
                "inferred": f.inferred,
                "required": m.requires.contains(&f.name),
            })
        })
        .collect();
    json!({
        "name": layout.name,
        "title": layout.title,
        "description": layout.description,
        "kind": kind,
        "measure": m.measure,
        "measureFromPreamble": m.measure_from_preamble,
        "sources": m.sources,
        "requires": m.requires,
        "fields": fields,
        "x-chorus": {
            "states": m.states,
            "stateKey": { "ae": m.state_key.ae, "cp": m.state_key.cp },
            "extractionDate": m.extraction_date,
            "amountIncludesCarryOver": m.amount_includes_carry_over,
            "committedDate": m.committed_date,
            "paidDate": m.paid_date,
            "yearFromFileName": m.year_from_file_name,
            "subtotal": m.subtotal.as_ref().map(|s| json!({ "markers": s.markers })),
            "keyFigures": key_figures,
        },
    })
}

/// How a layout's files write their values (from `schemas/*.json` descriptions and the
/// public samples): separator, decimal and thousands characters, date format, quoting.
struct FileConventions {
    delimiter: &'static str,
    decimal_char: &'static str,
    group_char: Option<&'static str>,
    date_format: &'static str,
    /// Rows before the header in the usual BEx export (`None`: the header is row 1).
    preamble_rows: Option<u32>,
    note: &'static str,
}

fn conventions(name: &str) -> FileConventions {
    match name {
        "aife-ej-quotidien" | "aife-dp-quotidien" => FileConventions {
            delimiter: "|",
            decimal_char: ".",
            group_char: None,
            date_format: "%Y-%m-%d",
            preamble_rows: None,
            note: "« | », sans guillemets, point décimal, dates AAAA-MM-JJ.",
        },
        "aife-ej" | "aife-dp" => FileConventions {
            delimiter: ";",
            decimal_char: ",",
            // `138 936 678,56` (espace insécable) in aife_ae_double_ej.csv.
            group_char: Some("\u{a0}"),
            date_format: "%d/%m/%Y",
            preamble_rows: None,
            note: "« ; », champs entre guillemets, virgule décimale, dates JJ/MM/AAAA. La variante « , » (nation_ej_*.csv) écrit un point décimal : changer decimalChar et le dialecte.",
        },
        "infbud53-ae" | "infbud53-cp" => FileConventions {
            delimiter: ",",
            decimal_char: ",",
            group_char: None,
            date_format: "%d.%m.%Y",
            preamble_rows: Some(7),
            note: "Export BEx : « , », virgule décimale, dates JJ.MM.AAAA ; 7 lignes de préambule avant l'en-tête (6 dans certains exports « ; ») : valider avec --header-rows 8 (ou 7) ; les paires code/libellé répètent le même en-tête.",
        },
        "infbud53-croise" => FileConventions {
            delimiter: ";",
            decimal_char: ",",
            group_char: None,
            date_format: "%d.%m.%Y",
            preamble_rows: Some(4),
            note: "Tableau croisé BEx : « ; », 4 lignes de préambule (--header-rows 5), le montant sous une colonne dont l'en-tête est l'année (non décrite ici), lignes « Résultat ».",
        },
        _ => FileConventions {
            delimiter: ";",
            decimal_char: ",",
            group_char: None,
            date_format: "%d.%m.%Y",
            preamble_rows: None,
            note: "Classeur ou export SAP : types et formats indicatifs (dans un XLSX, les dates et montants sont des cellules typées).",
        },
    }
}

/// A Frictionless Table Schema of layout `name` as its files arrive: the real header
/// names (every alias, each once; a code/label pair gives one name, written over both
/// columns), types, date format, decimal and group characters, missing values. `None`:
/// no such layout.
pub fn table_schema(name: &str) -> Option<Value> {
    let layout = layouts().iter().find(|l| l.name == name)?;
    let c = conventions(name);
    let mut fields: Vec<Value> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for f in &layout.fields {
        for alias in &f.headers {
            let (header, pair) = if let Some(base) = alias.strip_suffix(" [clé]") {
                (base, Some("code"))
            } else if let Some(base) = alias.strip_suffix(" [texte]") {
                (base, Some("libellé"))
            } else {
                (alias.as_str(), None)
            };
            // `{année}`: a column headed by the year, not a name to write down.
            if header.starts_with('{') || seen.iter().any(|s| s == header) {
                continue;
            }
            seen.push(header.to_string());
            fields.push(schema_field(f, header, pair.is_some(), &c));
        }
    }
    let mut dialect = json!({ "delimiter": c.delimiter, "header": true });
    if let Some(rows) = c.preamble_rows {
        dialect["headerRows"] = json!([rows + 1]);
    }
    Some(json!({
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": layout.name,
        "title": layout.title,
        "description": format!(
            "{} Fichiers tels qu'ils arrivent : {} Les en-têtes sont reconnus par leur nom, pas par leur position : un fichier peut avoir d'autres colonnes, dans un autre ordre, et n'a pas toutes celles-ci (« fieldsMatch »: « partial »).",
            layout.description, c.note
        ),
        "fields": fields,
        // Table Schema v2: columns are matched by name, others may be there.
        "fieldsMatch": "partial",
        "missingValues": ["", "#"],
        "x-dialect": dialect,
    }))
}

/// One column of a Table Schema: its header, title, description (the field it fills,
/// whether it is a code/label pair, whether its mapping is inferred), type and formats.
fn schema_field(f: &SchemaField, header: &str, pair: bool, c: &FileConventions) -> Value {
    let mut field = Map::new();
    field.insert("name".into(), json!(header));
    field.insert("title".into(), json!(f.title));
    let mut description = format!("champ « {} » de chorus-recon", f.name);
    if pair {
        description += " ; paire code/libellé : cet en-tête couvre deux colonnes, le code puis le libellé (répété ou suivi d'un en-tête vide)";
    }
    if f.inferred {
        description += " ; correspondance déduite";
    }
    field.insert("description".into(), json!(description));
    match f.kind.as_str() {
        "number" => {
            field.insert("type".into(), json!("number"));
            field.insert("decimalChar".into(), json!(c.decimal_char));
            if let Some(g) = c.group_char {
                field.insert("groupChar".into(), json!(g));
            }
        }
        "date" => {
            field.insert("type".into(), json!("date"));
            field.insert("format".into(), json!(c.date_format));
        }
        "year" => {
            field.insert("type".into(), json!("year"));
        }
        _ => {
            field.insert("type".into(), json!("string"));
        }
    }
    Value::Object(field)
}

/// The names of every layout, for an error message.
pub fn layout_names() -> String {
    layouts()
        .iter()
        .map(|l| l.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The completion script for `shell`, from the French clap command.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut command = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "chorus-recon", &mut out);
    out
}

/// The man page (roff), from the French clap command, its section titles in French.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let command = crate::cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command).render(&mut out)?;
    let text = String::from_utf8_lossy(&out)
        .lines()
        .map(|line| match line {
            ".SH NAME" => ".SH NOM",
            ".SH SUBCOMMANDS" => ".SH COMMANDES",
            ".SH EXTRA" => ".SH COMPLÉMENTS",
            ".SH AUTHORS" => ".SH AUTEURS",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok((text + "\n").into_bytes())
}
