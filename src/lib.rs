//! chorus-recon: reconciles Chorus extracts with a *convention de délégation de gestion*.
//!
//! One pipeline, one module per stage: [`ingest`] (bytes -> raw rows) -> [`normalize`]
//! (raw row -> typed line) -> [`classify`] (line × convention) -> [`reconcile`] (the
//! barrier: sums, rules, findings) -> [`report`] (workbook and JSON bytes). [`pipeline`]
//! wires them; [`app`] runs the subcommands.

pub mod app;
pub mod classify;
pub mod cli;
pub mod convention;
pub mod error;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod reconcile;
pub mod report;
pub mod scripts;
pub mod tables;

pub use app::run;

/// Exit code: reconciled, no finding at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: reconciled, findings at or above `--fail-on` (outputs written).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: could not run; nothing written.
pub const EXIT_CANNOT_RUN: u8 = 2;
/// Exit code: another run holds the lock on these outputs; nothing done, try again later.
pub const EXIT_LOCKED: u8 = 3;

/// How many cases a property test runs: its default, or `PROPTEST_CASES` for a long
/// fuzzing run (`PROPTEST_CASES=1000000 cargo test --release fuzz`).
#[cfg(test)]
pub(crate) fn fuzz_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
