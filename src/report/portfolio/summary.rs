//! The portfolio's JSON summary (`schemas/portefeuille.schema.json`): each convention's
//! summary exactly as `report::summary::summary` writes it for a run on that convention
//! alone, then the portfolio's totals, findings, orphans and conservation. Amounts are
//! strings with two decimals and a dot, as in every summary.

use super::Portfolio;
use super::figures::{self, Balance, Figures};
use crate::model::money::amount_text;
use crate::model::summary::{
    BySeverity, FORMAT_VERSION, Finding, PerimeterJson, PortfolioConservation, PortfolioPart,
    PortfolioSummary, Share, Tool, Totals,
};
use crate::reconcile;
use crate::report::{VERSION, summary as single};

/// Builds the summary of a portfolio run.
pub fn summary(p: &Portfolio) -> PortfolioSummary {
    let as_of = p
        .members
        .first()
        .map(|m| m.ctx.run.reconciliation.as_of)
        .unwrap_or_default();
    let [error, warning, info] = figures::all_by_severity(p);
    PortfolioSummary {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "chorus-recon".into(),
            version: VERSION.into(),
        },
        as_of,
        status: figures::status(p).as_str().into(),
        conventions: p.members.iter().map(|m| single::summary(&m.ctx)).collect(),
        portfolio: PortfolioPart {
            conventions: p.members.len(),
            totals: totals(&figures::total(p)),
            findings_by_severity: BySeverity {
                error,
                warning,
                info,
            },
            findings: p.findings.iter().map(|f| finding(p, f)).collect(),
            orphans: share(figures::orphans(p)),
            perimeter: p.perimeter.map(|s| PerimeterJson {
                centres_financiers: s.centres_financiers.iter().cloned().collect(),
                centres_de_cout: s.centres_de_cout.iter().cloned().collect(),
                source: s.origin.clone(),
            }),
            conservation: conservation(&figures::balance(p)),
        },
    }
}

fn totals(f: &Figures) -> Totals {
    Totals {
        ae_allocated: amount_text(f.ae_allocated),
        ae_consumed: amount_text(f.ae_consumed),
        ae_available: amount_text(f.ae_available),
        cp_allocated: amount_text(f.cp_allocated),
        cp_consumed: amount_text(f.cp_consumed),
        cp_available: amount_text(f.cp_available),
        remaining_to_pay: amount_text(f.remaining_to_pay),
    }
}

/// A share's rows: a negative count (the conservation does not hold) is written 0, the
/// `holds` beside it says so.
fn share(s: figures::Share) -> Share {
    Share {
        lines: u64::try_from(s.lines).unwrap_or(0),
        ae: amount_text(s.ae),
        cp: amount_text(s.cp),
    }
}

fn conservation(b: &Balance) -> PortfolioConservation {
    PortfolioConservation {
        holds: b.holds,
        read: share(b.read),
        conventions: share(b.conventions),
        orphans: share(b.orphans),
        set_aside: share(b.set_aside),
        outside: share(b.outside),
    }
}

/// A portfolio finding, written as a convention's are (its file from the inputs every
/// convention read).
fn finding(p: &Portfolio, f: &reconcile::Finding) -> Finding {
    match p.members.first() {
        Some(m) => single::finding(&m.ctx, f),
        None => Finding {
            file: orphan_label(p, &f.key),
            justification: None,
            ..single::bare_finding(f)
        },
    }
}

/// The input of the orphan whose finding has this key.
fn orphan_label(p: &Portfolio, key: &str) -> Option<String> {
    p.orphans
        .iter()
        .find(|o| o.key == key)
        .map(|o| o.input_label.clone())
}

/// Writes the summary as pretty JSON, ending with a newline.
pub fn write_json(p: &Portfolio, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    single::write_pretty(&summary(p), out)
}

/// The summary as pretty JSON, ending with a newline.
pub fn to_json(p: &Portfolio) -> Vec<u8> {
    single::pretty_bytes(&summary(p))
}
