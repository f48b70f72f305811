//! Errors that stop a run (exit code 2, or 3 when another run holds the lock). Each one says where, in French: the file, and the
//! sheet, row and column when there is one. Bad *rows* are not errors: they are rejections.

use std::fmt;

/// An invalid convention file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConventionError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConventionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "convention « {} »", self.file)?;
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
}

impl InputError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            file: file.into(),
            sheet: None,
            row: None,
            column: None,
            message: message.into(),
        }
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
