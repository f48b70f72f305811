//! The accountants' justifications of findings (`--justifications`): for a finding's key
//! (as the workbook's Anomalies sheet and the summary give it), a status — accepted (the
//! finding stays listed but no longer counts for `--fail-on` nor for the status) or to
//! follow — a comment, its author and date. The file is the accountants'; the tool never
//! writes it.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::{Column, Mistake, mistakes_error, read};
use crate::error::InputError;
use crate::model::code::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// « acceptée »: explained, no longer counted.
    Accepted,
    /// « à suivre »: explained, still counted.
    ToFollow,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Accepted => "acceptée",
            Status::ToFollow => "à suivre",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        match fold(s).as_str() {
            "ACCEPTEE" | "ACCEPTE" | "ACCEPTEES" | "ACCEPTES" | "ACCEPTED" => {
                Some(Status::Accepted)
            }
            "A SUIVRE" | "ASUIVRE" | "A-SUIVRE" | "SUIVRE" | "EN COURS" => Some(Status::ToFollow),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Justification {
    pub key: String,
    pub status: Status,
    pub comment: Option<String>,
    pub author: Option<String>,
    pub date: Option<NaiveDate>,
    /// The file row, for messages.
    pub row: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Justifications {
    pub file: String,
    /// By key.
    pub by_key: BTreeMap<String, Justification>,
}

const KEY: usize = 0;
const STATUS: usize = 1;
const COMMENT: usize = 2;
const AUTHOR: usize = 3;
const DATE: usize = 4;

pub const COLUMNS: &[Column] = &[
    Column {
        name: "clé",
        aliases: &["cle", "key", "clé de l'anomalie"],
        required: true,
    },
    Column {
        name: "statut",
        aliases: &["etat", "décision"],
        required: true,
    },
    Column {
        name: "commentaire",
        aliases: &["justification", "motif", "explication"],
        required: false,
    },
    Column {
        name: "auteur",
        aliases: &["par", "qui"],
        required: false,
    },
    Column {
        name: "date",
        aliases: &["le"],
        required: false,
    },
];

/// Reads a justifications file. Every mistake at once (exit code 2): an empty key, an
/// unknown status, an unreadable date, a key justified twice.
pub fn load(path: &Path) -> Result<Justifications, InputError> {
    let table = read(path, COLUMNS, "fichier de justifications")?;
    let mut by_key = BTreeMap::new();
    let mut mistakes = Vec::new();
    for row in &table.rows {
        let key = row
            .required_text(COLUMNS, KEY)
            .map_err(|m| mistakes.push(m))
            .ok();
        let status = match row.required_text(COLUMNS, STATUS) {
            Ok(s) => Status::parse(&s)
                .ok_or_else(|| {
                    mistakes.push(Mistake {
                        row: row.row,
                        column: COLUMNS[STATUS].name,
                        message: format!("statut « {s} » inconnu : « acceptée » ou « à suivre »"),
                    })
                })
                .ok(),
            Err(m) => {
                mistakes.push(m);
                None
            }
        };
        let date = row
            .date(COLUMNS, DATE)
            .map_err(|m| mistakes.push(m))
            .ok()
            .flatten();
        let (Some(key), Some(status)) = (key, status) else {
            continue;
        };
        let justification = Justification {
            key: key.clone(),
            status,
            comment: row.text(COMMENT),
            author: row.text(AUTHOR),
            date,
            row: row.row,
        };
        if let Some(first) = by_key.get(&key).map(|j: &Justification| j.row) {
            mistakes.push(Mistake {
                row: row.row,
                column: COLUMNS[KEY].name,
                message: format!("clé déjà justifiée ligne {first}"),
            });
        } else {
            by_key.insert(key, justification);
        }
    }
    match mistakes_error(&table, mistakes) {
        Some(e) => Err(e),
        None => Ok(Justifications {
            file: table.file,
            by_key,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        crate::tables::tests::write(text.as_bytes())
    }

    #[test]
    fn statuses_in_their_usual_spellings() {
        let f = file(
            "Clé;Statut;Commentaire;Auteur;Date\nA:1;Acceptée;facture en route;M. X;15/01/2021\nB:2;a suivre;;;\n",
        );
        let j = load(f.path()).unwrap();
        assert_eq!(j.by_key["A:1"].status, Status::Accepted);
        assert_eq!(j.by_key["A:1"].comment.as_deref(), Some("facture en route"));
        assert_eq!(j.by_key["A:1"].date, NaiveDate::from_ymd_opt(2021, 1, 15));
        assert_eq!(j.by_key["B:2"].status, Status::ToFollow);
        assert_eq!(j.by_key["B:2"].author, None);
    }

    #[test]
    fn mistakes_are_all_reported() {
        let f =
            file("clé;statut;date\nA;acceptée;\nA;à suivre;\n;acceptée;\nB;peut-être;32/01/2021\n");
        let shown = load(f.path()).unwrap_err().to_string();
        assert!(shown.contains("4 erreurs"), "{shown}");
        assert!(
            shown.contains("ligne 3, colonne « clé » : clé déjà justifiée ligne 2"),
            "{shown}"
        );
        assert!(
            shown.contains("ligne 4, colonne « clé » : valeur manquante"),
            "{shown}"
        );
        assert!(shown.contains("statut « peut-être » inconnu"), "{shown}");
        assert!(
            shown.contains("ligne 5, colonne « date » : date illisible"),
            "{shown}"
        );
    }
}
