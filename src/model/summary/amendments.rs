//! The summary's `amendments` and `provisions` (issue 15): written only when the convention
//! has `[[avenant]]` or `[[mise_a_disposition]]`. Amounts are strings with two decimals.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One avenant and what it changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Amendment {
    pub date: Option<NaiveDate>,
    pub reference: String,
    /// Dated on or before `as_of`: its changes are in the figures.
    pub in_force: bool,
    /// The end it sets (`fin`), if it sets one.
    pub end: Option<NaiveDate>,
    pub schedule: Vec<AmendedLine>,
    /// Product ids it adds, and replaces.
    pub products_added: Vec<String>,
    pub products_replaced: Vec<String>,
}

/// A schedule line an avenant sets; `None` (null) is a blank.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AmendedLine {
    pub product: String,
    pub year: i32,
    pub ae: Option<String>,
    pub cp: Option<String>,
}

/// The credits made available: their total on `as_of`, each tranche, each overrun.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Provisions {
    pub ae_made_available: String,
    pub cp_made_available: String,
    pub tranches: Vec<Tranche>,
    pub overruns: Vec<Overrun>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tranche {
    pub date: Option<NaiveDate>,
    pub reference: String,
    pub ae: String,
    pub cp: String,
    /// Cumulative, the tranche included.
    pub ae_made_available: String,
    pub cp_made_available: String,
    /// Consumed on that date (cumulative).
    pub ae_consumed: String,
    pub cp_consumed: String,
}

/// An episode of `DEPASSEMENT_MISE_A_DISPOSITION`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overrun {
    /// `AE` or `CP`.
    pub measure: String,
    pub from: Option<NaiveDate>,
    /// `null`: still open on `as_of`.
    pub until: Option<NaiveDate>,
    pub amount: String,
    /// The finding's key.
    pub key: String,
}
