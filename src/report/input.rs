//! What a report is made from: the run's inputs as the reports describe them, and the
//! reconciliation. Defined here, by the report that reads it; `pipeline` builds it.

use chrono::NaiveDate;

use crate::ingest::InputInfo;
use crate::ingest::skip::Skipped;
use crate::model::AxisSet;
use crate::normalize::Gap;
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
    pub info: InputInfo,
    /// The path, and the worksheet for workbooks: how the workbook names the input.
    pub label: String,
    pub sha256: String,
    /// The axes this input's lines were checked on.
    pub checked_axes: AxisSet,
    pub gap: Option<Gap>,
    /// The rows that are not data, by kind: raw rows = data rows + skipped rows.
    pub skipped: Skipped,
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
}
