//! What a portfolio run (several conventions, issue 15) adds beside each convention's own
//! reconciliation: the lines of the délégataire's scope that no convention claims.

use crate::model::Line;

/// Which axis of the délégataire's scope (`portefeuille.toml`) holds an orphan line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttachedBy {
    CentreFinancier,
    CentreCout,
    Both,
}

impl AttachedBy {
    /// How the workbook says it (« UO », « centre de coût », « UO et centre de coût »).
    pub fn label(self) -> &'static str {
        match self {
            AttachedBy::CentreFinancier => "UO",
            AttachedBy::CentreCout => "centre de coût",
            AttachedBy::Both => "UO et centre de coût",
        }
    }
}

/// A line of the délégataire's scope that no convention claims (`LIGNE_ORPHELINE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub line: Line,
    /// Its input's name, as the reports show it.
    pub input_label: String,
    pub attached_by: AttachedBy,
    /// Its finding's key (`LIGNE_ORPHELINE:<the line's key>`).
    pub key: String,
}
