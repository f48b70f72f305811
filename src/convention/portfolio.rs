//! A portfolio of conventions (issue 15): several délégations read together, and the
//! délégataire's scope declared beside them in `portefeuille.toml` (`[perimetre]`).

use std::collections::BTreeSet;

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
