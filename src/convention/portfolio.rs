//! A portfolio of conventions (issue 15): several délégations read together, and the
//! délégataire's scope declared beside them in `portefeuille.toml` (`[perimetre]`).
//!
//! Loading rules: each `-c` names a convention file or a folder; a folder gives every
//! `*.toml` in it (not recursively), sorted by path, except `portefeuille.toml`, read as the
//! perimeter. Two conventions with the same `id` are refused, and so are two conventions
//! that could both claim a line over overlapping periods ([`check_overlaps`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Convention, axis_agrees};
use crate::error::ConventionError;
use crate::model::Axis;
use crate::model::code::fold;

/// The name of the délégataire's scope file, beside the conventions.
pub const PERIMETER_FILE: &str = "portefeuille.toml";

/// The délégataire's scope: a line is in it when its centre financier (UO) is listed in
/// `centres_financiers` **or** its centre de coût in `centres_de_cout`; an axis the extract
/// does not carry is not checked. Codes are kept upper-case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Perimeter {
    pub centres_financiers: BTreeSet<String>,
    pub centres_de_cout: BTreeSet<String>,
    /// Where it was read from (`portefeuille.toml`'s path).
    pub origin: String,
}

impl Perimeter {
    /// Whether a line with these values is of the scope, and by which axes: `(by UO, by
    /// centre de coût)`. A value the line does not carry is not checked.
    pub fn attaches(
        &self,
        centre_financier: Option<&str>,
        centre_cout: Option<&str>,
    ) -> (bool, bool) {
        let listed = |set: &BTreeSet<String>, v: Option<&str>| {
            v.is_some_and(|v| set.contains(&v.trim().to_uppercase()))
        };
        (
            listed(&self.centres_financiers, centre_financier),
            listed(&self.centres_de_cout, centre_cout),
        )
    }
}

/// Conventions named by `-c` (files and folders), in order, and the perimeter found.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub conventions: Vec<Convention>,
    pub perimeter: Option<Perimeter>,
    /// Every file read (conventions and perimeter): no output may land on one.
    pub files: Vec<PathBuf>,
}

impl Loaded {
    /// Several conventions, or a perimeter: the portfolio mode.
    pub fn is_portfolio(&self) -> bool {
        self.conventions.len() > 1 || self.perimeter.is_some()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerimeterFile {
    perimetre: RawPerimeter,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerimeter {
    #[serde(default)]
    centres_financiers: Vec<String>,
    #[serde(default)]
    centres_de_cout: Vec<String>,
}

/// Loads the conventions `-c` names, checks their ids and their overlaps.
pub fn load_all(paths: &[PathBuf]) -> Result<Loaded, ConventionError> {
    let mut loaded = Loaded {
        conventions: Vec::new(),
        perimeter: None,
        files: Vec::new(),
    };
    for path in paths {
        if path.is_dir() {
            load_folder(path, &mut loaded)?;
        } else {
            loaded.conventions.push(Convention::load(path)?);
            loaded.files.push(path.clone());
        }
    }
    if loaded.conventions.is_empty() {
        let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(ConventionError::new(
            &named.join(", "),
            None,
            "aucun fichier de convention (*.toml) dans ce dossier",
        ));
    }
    check_ids(&loaded.conventions)?;
    check_overlaps(&loaded.conventions)?;
    Ok(loaded)
}

/// A folder's `*.toml` files, sorted by path; `portefeuille.toml` is the perimeter.
fn load_folder(dir: &Path, loaded: &mut Loaded) -> Result<(), ConventionError> {
    let unreadable = |e: std::io::Error| {
        ConventionError::new(
            &dir.display().to_string(),
            None,
            format!("dossier illisible : {}", crate::error::io_message(&e)),
        )
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .map(|e| e.map(|e| e.path()).map_err(unreadable))
        .collect::<Result<_, _>>()?;
    files.retain(|p| {
        p.is_file()
            && p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    });
    files.sort();
    for file in files {
        if file.file_name().is_some_and(|n| n == PERIMETER_FILE) {
            if let Some(first) = &loaded.perimeter {
                return Err(ConventionError::new(
                    &file.display().to_string(),
                    None,
                    format!(
                        "un seul périmètre par exécution : « {} » est déjà lu",
                        first.origin
                    ),
                ));
            }
            loaded.perimeter = Some(load_perimeter(&file)?);
        } else {
            loaded.conventions.push(Convention::load(&file)?);
        }
        loaded.files.push(file);
    }
    Ok(())
}

/// Reads `portefeuille.toml`.
pub fn load_perimeter(path: &Path) -> Result<Perimeter, ConventionError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConventionError::new(
            &origin,
            None,
            format!("lecture impossible : {}", crate::error::io_message(&e)),
        )
    })?;
    parse_perimeter(&text, &origin)
}

/// Parses `portefeuille.toml`'s text: `[perimetre]`, `centres_financiers` and
/// `centres_de_cout`, at least one code in all.
pub fn parse_perimeter(text: &str, origin: &str) -> Result<Perimeter, ConventionError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawPerimeterFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        });
        ConventionError::new(origin, line, french_toml_message(e.message()))
    })?;
    let codes = |v: Vec<String>| -> BTreeSet<String> {
        v.iter()
            .map(|c| c.trim().to_uppercase())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let perimeter = Perimeter {
        centres_financiers: codes(raw.perimetre.centres_financiers),
        centres_de_cout: codes(raw.perimetre.centres_de_cout),
        origin: origin.to_string(),
    };
    if perimeter.centres_financiers.is_empty() && perimeter.centres_de_cout.is_empty() {
        return Err(ConventionError::new(
            origin,
            None,
            "[perimetre] ne liste aucun code : donnez centres_financiers ou centres_de_cout",
        ));
    }
    Ok(perimeter)
}

/// The toml crate's messages for this small file, in French.
fn french_toml_message(message: &str) -> String {
    let quoted = |s: &str| {
        s.split('`')
            .nth(1)
            .map(|k| format!("« {k} »"))
            .unwrap_or_default()
    };
    if message.starts_with("unknown field") {
        format!(
            "clé {} inconnue ; clés possibles : [perimetre] centres_financiers, centres_de_cout",
            quoted(message)
        )
    } else if message.starts_with("missing field") {
        format!("section ou clé {} manquante", quoted(message))
    } else if message.starts_with("invalid type") {
        "valeur mal formée : une liste de codes entre guillemets est attendue, par exemple [\"0174-SOUT-ELAB\"]".to_string()
    } else {
        format!("syntaxe TOML incorrecte ({})", message.trim())
    }
}

/// Two conventions with the same `id`: refused, naming both files.
fn check_ids(conventions: &[Convention]) -> Result<(), ConventionError> {
    for (i, a) in conventions.iter().enumerate() {
        // Ids name files (`<id>.xlsx`) and are matched by `--declare` whatever their case.
        let same = |b: &&Convention| fold(&b.id) == fold(&a.id);
        if let Some(b) = conventions[i + 1..].iter().find(same) {
            return Err(ConventionError::new(
                &b.origin,
                None,
                format!(
                    "identifiant « {} » déjà pris par la convention « {} » : chaque convention d'un portefeuille a son propre id",
                    a.id, a.origin
                ),
            ));
        }
    }
    Ok(())
}

/// The period during which a convention may claim lines.
///
/// The end is the one in force after every avenant (`Convention::final_end`): an avenant that extends a convention makes it claim lines up to its new end; one
/// that ends it early (an end never before its own date) frees the days after, for a
/// successor on the same imputation.
pub(crate) fn span(c: &Convention) -> (NaiveDate, NaiveDate) {
    (c.start, c.final_end())
}

/// Two conventions that could both claim a line (every axis both define compatible, and
/// periods that overlap): refused, naming both and the axes.
pub fn check_overlaps(conventions: &[Convention]) -> Result<(), ConventionError> {
    for (i, a) in conventions.iter().enumerate() {
        for b in &conventions[i + 1..] {
            if let Some(axes) = overlap(a, b) {
                let (a0, a1) = span(a);
                let (b0, b1) = span(b);
                let date = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
                return Err(ConventionError::new(
                    &b.origin,
                    None,
                    format!(
                        "les conventions « {} » et « {} » peuvent réclamer les mêmes lignes : imputations compatibles sur {} et périodes qui se recouvrent (du {} au {}, du {} au {}) ; une ligne ne peut relever que d'une convention",
                        a.id,
                        b.id,
                        if axes.is_empty() {
                            "aucun axe commun".to_string()
                        } else {
                            axes
                        },
                        date(a0),
                        date(a1),
                        date(b0),
                        date(b1),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `Some(the shared axes)` when `a` and `b` can both claim a line.
pub fn overlap(a: &Convention, b: &Convention) -> Option<String> {
    let (a0, a1) = span(a);
    let (b0, b1) = span(b);
    if a1 < b0 || b1 < a0 {
        return None;
    }
    let mut shared = Vec::new();
    for axis in Axis::ALL {
        let (Some(x), Some(y)) = (a.imputation.value(axis), b.imputation.value(axis)) else {
            continue;
        };
        // Compatible when either code falls within the other.
        if !(axis_agrees(axis, x, y) || axis_agrees(axis, y, x)) {
            return None;
        }
        shared.push(axis.label());
    }
    Some(shared.join(", "))
}

#[cfg(test)]
#[path = "portfolio_tests.rs"]
mod tests;
