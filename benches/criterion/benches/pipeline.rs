//! Criterion benchmarks: the parsing floor (the `csv` crate summing the amount column) and
//! the stages of chorus-recon on the same generated national extracts, so that each figure
//! reads as a ratio to the floor. Whole runs (workbook, RSS, --jobs) are measured by
//! `benches/run.sh`. A crate of its own so that `cargo test` does not compile criterion.
//!
//! `cargo bench -p chorus-recon-bench` (100,000 + 100,000 lines; `CHORUS_BENCH_LINES` to change).

#[path = "../../../examples/floor.rs"]
mod floor;
#[path = "../../../examples/generate_extracts.rs"]
mod generate_extracts;

use chorus_recon::convention::Convention;
use chorus_recon::ingest::csv::{CsvRecords, sniff_dialect};
use chorus_recon::ingest::encoding::Encoding;
use chorus_recon::normalize::amount::parse_amount;
use chorus_recon::pipeline::{self, Plan};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn data() -> (tempfile::TempDir, u64) {
    let lines = std::env::var("CHORUS_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a temp folder");
    let expected = generate_extracts::generate(lines, 0.2, 42, dir.path()).expect("generated");
    (dir, expected.bytes)
}

fn benches(c: &mut Criterion) {
    let (dir, bytes) = data();
    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("plancher (csv, somme des montants)", |b| {
        b.iter(|| floor::floor(dir.path()))
    });
    group.bench_function("découpage CSV (tous les champs)", |b| {
        b.iter(|| {
            let mut rows = 0u64;
            for name in ["ej_national.csv", "dp_national_1.csv", "dp_national_2.csv"] {
                let bytes = std::fs::read(dir.path().join(name)).expect("readable");
                let dialect = sniff_dialect(&bytes[..bytes.len().min(1 << 16)]);
                for record in CsvRecords::new(bytes.as_slice(), dialect, Encoding::Utf8, name) {
                    record.expect("a record");
                    rows += 1;
                }
            }
            rows
        })
    });
    let plan = Plan {
        inputs: vec![dir.path().to_path_buf()],
        convention: Convention::builtin(),
        as_of: chrono::NaiveDate::from_ymd_opt(2020, 12, 31).expect("a date"),
        previous: None,
        forecasts: None,
        justifications: None,
        declaration: None,
        declarations: Vec::new(),
        orders: None,
        keep_going: false,
    };
    group.bench_function("check (lire, normaliser, classer, rapprocher)", |b| {
        b.iter(|| pipeline::run(&plan).expect("a run"))
    });
    group.finish();
    let amounts = [
        "22500,12",
        "138\u{a0}936\u{a0}678,56",
        "-35 899,73",
        "1.234,56-",
        "12615940.52",
    ];
    c.bench_function("montant (5 formes)", |b| {
        b.iter(|| {
            amounts
                .iter()
                .map(|a| parse_amount(a).expect("an amount"))
                .sum::<rust_decimal::Decimal>()
        })
    });
}

criterion_group!(pipeline_benches, benches);
criterion_main!(pipeline_benches);
