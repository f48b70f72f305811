//! What a report is made from: the run's inputs as the reports describe them, and the
//! reconciliation. Defined here, by the report that reads it; `pipeline` builds it.

use chrono::NaiveDate;

use crate::model::{AxisSet, Gap, Measure};
use crate::reconcile::Reconciliation;

/// Where an input's extraction date was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    /// BEx « Dernière MàJ des données ».
    Preamble,
    FileName,
}

impl DateSource {
    /// The summary's name for it.
    pub fn key(self) -> &'static str {
        match self {
            DateSource::Preamble => "preamble",
            DateSource::FileName => "file_name",
        }
    }

    /// « le préambule », « le nom du fichier ».
    pub fn label(self) -> &'static str {
        match self {
            DateSource::Preamble => "le préambule",
            DateSource::FileName => "le nom du fichier",
        }
    }
}

/// One input as the reports describe it.
#[derive(Debug, Clone)]
pub struct InputReport {
    pub source: Source,
    /// The path, and the worksheet for workbooks: how the workbook names the input.
    pub label: String,
    pub sha256: String,
    /// The axes this input's lines were checked on.
    pub checked_axes: AxisSet,
    pub gap: Option<Gap>,
    /// The rows that are not data, by kind: raw rows = data rows + skipped rows.
    pub skipped: SkippedJson,
    /// The rows that are not data, all kinds together.
    pub skipped_total: u64,
    /// Data rows (each gives lines, or is rejected).
    pub data_rows: u64,
    /// Rejected rows past `pipeline::REJECTION_BUDGET`: counted, not kept.
    pub rejections_omitted: u64,
    /// The extraction date and where it was read.
    pub extracted: Option<(NaiveDate, DateSource)>,
    /// What a careful reader should know about how the file was read (French).
    pub notes: Vec<String>,
}

/// The outcome of a run, for the reports.
#[derive(Debug, Clone)]
pub struct Run {
    pub inputs: Vec<InputReport>,
    pub reconciliation: Reconciliation,
    /// Files found in a folder that are no extract (skipped, each a `FICHIER_IGNORE`).
    pub skipped_files: Vec<crate::reconcile::IgnoredFile>,
    /// With `Plan::keep_going` (`check`): the files that could not be read, each with
    /// its error; the run went on with the others.
    pub failed: Vec<crate::error::InputError>,
}

/// How an input file was found and read, as plain data (the pipeline fills it from
/// ingest's own description): the report names and describes inputs with it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown to users.
    pub display: String,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
    pub size: u64,
    /// The layout's short name and title (`schemas/*.json`).
    pub layout: String,
    pub layout_title: String,
    /// « utf-8 », « windows-1252 »… or the workbook's container for workbooks.
    pub encoding: &'static str,
    /// The CSV separator; empty for workbooks.
    pub separator: String,
    /// « séparateur point-virgule (;) », « classeur xlsx, feuille « … » ».
    pub shape: String,
    /// The header's row, as the user sees it.
    pub header_row: u64,
    pub measure: Measure,
    /// How the measure was decided (for `Provenance`).
    pub measure_note: String,
}

/// The summary's own type: `pipeline` fills it, the summary writes it as it is.
pub use crate::model::summary::SkippedJson;
