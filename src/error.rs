//! Errors that stop a run (exit code 2, or 3 when another run holds the lock). Each one says where, in French: the file, and the
//! sheet, row and column when there is one. Bad *rows* are not errors: they are rejections.

use std::fmt;

/// An invalid convention file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConventionError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    /// The file's other mistakes, found in the same reading (line, message): a user fixes
    /// them all in one go.
    pub others: Vec<(Option<usize>, String)>,
}

impl ConventionError {
    pub fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> ConventionError {
        ConventionError {
            file: file.to_string(),
            line,
            message: message.into(),
            others: Vec::new(),
        }
    }

    /// The mistakes, first to last, as one error (`None` if there is none).
    pub fn all(mut errors: Vec<ConventionError>) -> Option<ConventionError> {
        errors.sort_by_key(|e| e.line.unwrap_or(usize::MAX));
        let mut iter = errors.into_iter();
        let mut first = iter.next()?;
        first.others.extend(iter.map(|e| (e.line, e.message)));
        Some(first)
    }
}

impl fmt::Display for ConventionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "convention « {} »", self.file)?;
        if !self.others.is_empty() {
            write!(f, " : {} erreurs", self.others.len() + 1)?;
            let all = std::iter::once((self.line, &self.message))
                .chain(self.others.iter().map(|(l, m)| (*l, m)));
            for (line, message) in all {
                match line {
                    Some(line) => write!(f, "\n  ligne {line} : {message}")?,
                    None => write!(f, "\n  {message}")?,
                }
            }
            return Ok(());
        }
        if let Some(line) = self.line {
            write!(f, ", ligne {line}")?;
        }
        write!(f, " : {}", self.message)
    }
}

/// An input that cannot be read or recognised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u64>,
    pub column: Option<String>,
    pub message: String,
    /// The file is no extract at all (a PDF, a binary, an archive, a nomenclature, a table
    /// of no known layout, an empty file), rather than a damaged one: found while walking
    /// a folder, it is skipped and reported, not fatal.
    pub not_an_extract: bool,
}

impl InputError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            file: file.into(),
            sheet: None,
            row: None,
            column: None,
            message: message.into(),
            not_an_extract: false,
        }
    }

    /// The same error, saying the file is no extract at all.
    pub fn not_an_extract(mut self) -> InputError {
        self.not_an_extract = true;
        self
    }

    pub fn at_row(mut self, row: u64) -> InputError {
        self.row = Some(row);
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fichier « {} »", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", feuille « {sheet} »")?;
        }
        if let Some(row) = self.row {
            write!(f, ", ligne {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", colonne « {column} »")?;
        }
        write!(f, " : {}", self.message)
    }
}

/// Everything that makes a run stop with exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Convention(#[from] ConventionError),
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("arguments : {0}")]
    Usage(String),
    #[error("écriture de « {path} » impossible : {message}")]
    Output { path: String, message: String },
    /// Another run holds the lock on these outputs (exit code 3: try again later).
    #[error("{0}")]
    Lock(String),
}

impl Error {
    /// The exit code the contract gives this error: 3 for a lock held by another run
    /// (a script retries later), 2 for everything else (fix something, then rerun).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Lock(_) => crate::EXIT_LOCKED,
            _ => crate::EXIT_CANNOT_RUN,
        }
    }
}

/// A French rendering of the common I/O failures.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "fichier ou dossier introuvable".into(),
        PermissionDenied => "accès refusé".into(),
        IsADirectory => "c'est un dossier, pas un fichier".into(),
        StorageFull => "disque plein".into(),
        UnexpectedEof => "fichier tronqué".into(),
        _ => format!("erreur d'entrée-sortie ({e})"),
    }
}
