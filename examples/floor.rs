//! The parsing floor every tool pays: one pass of the `csv` crate over the extracts that
//! only sums the amount column. Benchmarks report their figures as ratios to it.
//!
//! ```sh
//! cargo run --release --example floor -- /tmp/chorus-bench
//! ```

use std::path::Path;

/// Sums the amount column (« Montant engagé (EUR) » or « Montant payé (EUR) ») of every
/// CSV file in `dir`, as floats: the least work that reads every byte and every row.
pub fn floor(dir: &Path) -> (u64, f64) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let (mut rows, mut sum) = (0u64, 0.0f64);
    for path in files {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_path(&path)
            .expect("readable");
        let headers = reader.byte_headers().expect("a header").clone();
        let column = headers
            .iter()
            .position(|h| h.starts_with(b"Montant"))
            .expect("an amount column");
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).expect("a record") {
            rows += 1;
            if let Some(field) = record.get(column) {
                let text: String = String::from_utf8_lossy(field)
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '-')
                    .map(|c| if c == ',' { '.' } else { c })
                    .collect();
                sum += text.parse::<f64>().unwrap_or(0.0);
            }
        }
    }
    (rows, sum)
}

#[allow(dead_code)]
fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/chorus-bench".into());
    let start = std::time::Instant::now();
    let (rows, sum) = floor(Path::new(&dir));
    eprintln!(
        "plancher : {rows} lignes, somme {sum:.2}, {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
