//! The JSON summary that scripts and cron jobs read. Amounts are strings with two decimals
//! and a dot, never floats. Key names are the contract (`docs/contrat.md`).

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Context, VERSION};
use crate::model::money::amount_text;
use crate::reconcile::{Finding, LineCounts, MovementCounts};

#[derive(Serialize)]
pub struct Summary {
    /// The summary's format (`schemas/resume.schema.json`): bumped when a key changes
    /// meaning or disappears; new keys do not bump it.
    pub format_version: u32,
    pub tool: Tool,
    pub convention: ConventionRef,
    pub as_of: String,
    pub status: &'static str,
    pub inputs: Vec<Input>,
    /// Files found in a folder that are no extract: skipped, with the reason.
    pub inputs_skipped: Vec<InputSkipped>,
    pub lines: Lines,
    pub movements: Movements,
    pub totals: Totals,
    pub products: Vec<Product>,
    /// Past 100,000 out-of-scope lines, `Hors périmètre` lists them by imputation.
    pub out_of_scope_grouped: bool,
    pub out_of_scope_groups: usize,
    pub findings: Vec<FindingOut>,
    /// With `--previous`: last month's findings not found again.
    pub resolved: Vec<ResolvedOut>,
    pub findings_by_severity: BySeverity,
    pub conservation: Conservation,
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct ConventionRef {
    pub id: String,
    pub sha256: String,
    pub source: String,
}

#[derive(Serialize)]
pub struct Input {
    pub path: String,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
    pub sha256: String,
    pub size: u64,
    pub layout: String,
    pub encoding: &'static str,
    pub separator: String,
    pub header_row: u64,
    pub measure: &'static str,
    pub axes: Vec<&'static str>,
    pub rows: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub replaced: u64,
    /// The extraction date (`AAAA-MM-JJ`) and where it was read (`preamble`,
    /// `file_name`); absent when the file says nothing: then it counts as older than
    /// every dated input, in path order.
    pub extracted: Option<String>,
    pub extracted_from: Option<&'static str>,
    /// Rows that are not data, by kind, with the numbers of the first ones:
    /// `{"preamble": 7, "header": 1, "blank": 0, "subtotal": 2, "not_a_movement": 0,
    /// "first_rows": {"preamble": [1, 2, 3, 4, 5], …}}`.
    pub skipped: super::SkippedJson,
    /// Raw rows of the input: data rows + skipped rows.
    pub raw_rows: u64,
    /// Rejected rows past the budget of rows listed (`rejected` counts them).
    pub rejected_unlisted: u64,
    pub notes: Vec<String>,
}

/// Data rows as a person sees them in Excel: `read = in_scope + out_of_scope + rejected +
/// duplicates + replaced`. A row carrying AE and CP counts once, in its AE's category.
#[derive(Serialize)]
pub struct InputSkipped {
    pub path: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct Lines {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub replaced: u64,
}

impl From<LineCounts> for Lines {
    fn from(c: LineCounts) -> Lines {
        Lines {
            read: c.read,
            in_scope: c.in_scope,
            out_of_scope: c.out_of_scope,
            rejected: c.rejected,
            duplicates: c.duplicates,
            replaced: c.replaced,
        }
    }
}

/// The movements the rows carry, per measure (a rejected row carries none).
#[derive(Serialize)]
pub struct Movements {
    pub ae: MovementsOf,
    pub cp: MovementsOf,
}

#[derive(Serialize)]
pub struct MovementsOf {
    pub read: u64,
    pub in_scope: u64,
    pub out_of_scope: u64,
    pub duplicates: u64,
    pub replaced: u64,
}

impl From<MovementCounts> for MovementsOf {
    fn from(c: MovementCounts) -> MovementsOf {
        MovementsOf {
            read: c.read,
            in_scope: c.in_scope,
            out_of_scope: c.out_of_scope,
            duplicates: c.duplicates,
            replaced: c.replaced,
        }
    }
}

impl From<LineCounts> for Movements {
    fn from(c: LineCounts) -> Movements {
        Movements {
            ae: c.ae.into(),
            cp: c.cp.into(),
        }
    }
}

#[derive(Serialize)]
pub struct Totals {
    pub ae_allocated: String,
    pub ae_consumed: String,
    pub ae_available: String,
    pub cp_allocated: String,
    pub cp_consumed: String,
    pub cp_available: String,
    pub remaining_to_pay: String,
}

#[derive(Serialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub years: Vec<Year>,
}

#[derive(Serialize)]
pub struct Year {
    pub year: i32,
    /// A blank in the agreement's schedule is written "0.00".
    pub ae_planned: String,
    pub ae_consumed: String,
    pub cp_planned: String,
    pub cp_consumed: String,
}

#[derive(Serialize)]
pub struct FindingOut {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub file: Option<String>,
    /// The worksheet, for workbooks.
    pub sheet: Option<String>,
    pub row: Option<u64>,
    pub ej: Option<String>,
    pub amount: Option<String>,
    pub product: Option<String>,
    pub year: Option<i32>,
    /// Stable from month to month: what `--previous` matches on.
    pub key: String,
    /// « new » or « open » with `--previous`; absent otherwise.
    pub follow_up: Option<&'static str>,
    pub first_seen: Option<String>,
    pub age_months: Option<u32>,
}

#[derive(Serialize)]
pub struct ResolvedOut {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub key: String,
    pub first_seen: String,
    pub file: Option<String>,
    pub row: Option<u64>,
    pub ej: Option<String>,
    pub amount: Option<String>,
}

#[derive(Serialize)]
pub struct BySeverity {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

#[derive(Serialize)]
pub struct Movement2 {
    pub ae: u64,
    pub cp: u64,
}

#[derive(Serialize)]
pub struct Conservation {
    pub holds: bool,
    pub rows_in: u64,
    pub rows_out: u64,
    pub movements_in: Movement2,
    pub movements_out: Movement2,
    pub ae_in: String,
    pub ae_out: String,
    pub cp_in: String,
    pub cp_out: String,
}

/// Builds the summary of a run.
pub fn summary(ctx: &Context) -> Summary {
    let rec = &ctx.run.reconciliation;
    let t = &rec.totals;
    Summary {
        format_version: 2,
        tool: Tool {
            name: "chorus-recon",
            version: VERSION,
        },
        convention: ConventionRef {
            id: ctx.convention.id.clone(),
            sha256: ctx.convention.sha256.clone(),
            source: ctx.convention.origin.clone(),
        },
        as_of: rec.as_of.format("%Y-%m-%d").to_string(),
        status: rec.status().as_str(),
        inputs: inputs(ctx),
        inputs_skipped: rec
            .ignored_files
            .iter()
            .map(|f| InputSkipped {
                path: f.path.clone(),
                reason: f.reason.clone(),
            })
            .collect(),
        lines: rec.counts.into(),
        movements: rec.counts.into(),
        totals: Totals {
            ae_allocated: amount_text(t.ae_allocated),
            ae_consumed: amount_text(t.ae_consumed),
            ae_available: amount_text(t.ae_available()),
            cp_allocated: amount_text(t.cp_allocated),
            cp_consumed: amount_text(t.cp_consumed),
            cp_available: amount_text(t.cp_available()),
            remaining_to_pay: amount_text(t.remaining_to_pay),
        },
        products: rec
            .products
            .iter()
            .map(|p| {
                let product = &ctx.convention.products[p.product];
                Product {
                    id: product.id.clone(),
                    name: product.name.clone(),
                    years: p
                        .years
                        .iter()
                        .map(|y| Year {
                            year: y.year,
                            ae_planned: amount_text(y.ae_planned.unwrap_or(Decimal::ZERO)),
                            ae_consumed: amount_text(y.ae_consumed),
                            cp_planned: amount_text(y.cp_planned.unwrap_or(Decimal::ZERO)),
                            cp_consumed: amount_text(y.cp_consumed),
                        })
                        .collect(),
                }
            })
            .collect(),
        out_of_scope_grouped: rec.out_of_scope_grouped,
        out_of_scope_groups: rec.out_of_scope_groups.len(),
        findings: rec.findings.iter().map(|f| finding(ctx, f)).collect(),
        resolved: rec
            .resolved
            .iter()
            .map(|r| ResolvedOut {
                code: r.code.clone(),
                severity: r.severity.clone(),
                message: r.message.clone(),
                key: r.key.clone(),
                first_seen: r.first_seen.format("%Y-%m-%d").to_string(),
                file: r.file.clone(),
                row: r.row,
                ej: r.ej.clone(),
                amount: r.amount.clone(),
            })
            .collect(),
        findings_by_severity: BySeverity {
            error: rec.count(crate::reconcile::Severity::Error),
            warning: rec.count(crate::reconcile::Severity::Warning),
            info: rec.count(crate::reconcile::Severity::Info),
        },
        conservation: {
            let c = &rec.conservation;
            Conservation {
                holds: c.holds(),
                rows_in: c.rows_in,
                rows_out: c.rows_out,
                movements_in: Movement2 {
                    ae: c.movements_in[0],
                    cp: c.movements_in[1],
                },
                movements_out: Movement2 {
                    ae: c.movements_out[0],
                    cp: c.movements_out[1],
                },
                ae_in: amount_text(c.ae_in),
                ae_out: amount_text(c.ae_out),
                cp_in: amount_text(c.cp_in),
                cp_out: amount_text(c.cp_out),
            }
        },
    }
}

fn inputs(ctx: &Context) -> Vec<Input> {
    let rec = &ctx.run.reconciliation;
    ctx.run
        .inputs
        .iter()
        .zip(&rec.input_counts)
        .map(|(i, c)| Input {
            path: i.source.display.clone(),
            sheet: i.source.sheet.clone(),
            sha256: i.sha256.clone(),
            size: i.source.size,
            layout: i.source.layout.clone(),
            encoding: i.source.encoding,
            separator: i.source.separator.clone(),
            header_row: i.source.header_row,
            measure: i.source.measure.label(),
            axes: i.checked_axes.iter().map(|a| a.label()).collect(),
            rows: c.read,
            in_scope: c.in_scope,
            out_of_scope: c.out_of_scope,
            rejected: c.rejected,
            duplicates: c.duplicates,
            replaced: c.replaced,
            extracted: i.extracted.map(|(d, _)| d.format("%Y-%m-%d").to_string()),
            extracted_from: i.extracted.map(|(_, from)| from.key()),
            skipped: i.skipped.clone(),
            raw_rows: i.data_rows + i.skipped_total,
            rejected_unlisted: i.rejections_omitted,
            notes: i.notes.clone(),
        })
        .collect()
}

fn finding(ctx: &Context, f: &Finding) -> FindingOut {
    FindingOut {
        code: f.code.as_str(),
        severity: match f.severity {
            crate::reconcile::Severity::Error => "error",
            crate::reconcile::Severity::Warning => "warning",
            crate::reconcile::Severity::Info => "info",
        },
        message: f.message.clone(),
        file: f
            .origin
            .map(|o| o.input)
            .or(f.input)
            .map(|i| ctx.input_path(i).to_string())
            .or_else(|| f.path.clone()),
        sheet: f
            .origin
            .and_then(|o| ctx.input_sheet(o.input))
            .map(str::to_string),
        row: f.origin.map(|o| o.row),
        ej: f.ej.clone(),
        amount: f.amount.map(amount_text),
        product: f.product.map(|p| ctx.convention.products[p].id.clone()),
        year: f.year,
        key: f.key.clone(),
        follow_up: f.follow_up.map(|u| if u.is_new { "new" } else { "open" }),
        first_seen: f
            .follow_up
            .map(|u| u.first_seen.format("%Y-%m-%d").to_string()),
        age_months: f
            .follow_up
            .map(|u| u.age_months(ctx.run.reconciliation.as_of)),
    }
}

/// Writes the summary as pretty JSON, ending with a newline.
pub fn write_json(ctx: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &summary(ctx))?;
    out.write_all(b"\n")
}

/// The summary as pretty JSON, ending with a newline.
pub fn to_json(ctx: &Context) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_json(ctx, &mut bytes).expect("the summary serialises");
    bytes
}
