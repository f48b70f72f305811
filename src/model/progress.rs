//! How a run tells its caller where it is: the [`Progress`] trait the pipeline calls (the
//! terminal bar of the top-level `progress` module implements it) and stage timings for the benchmarks.
//! Here, below every stage, so a stage may report without importing the one that draws.

/// Told how the reading goes (a progress bar on a terminal; nothing in cron).
pub trait Progress: Sync {
    /// The number of extracts found, once every file is open.
    fn start(&self, _inputs: usize) {}
    /// Rows read (in chunks).
    fn rows(&self, _rows: u64) {}
    /// One extract fully read.
    fn input_done(&self) {}
    /// What the run does now that reading is over (« rapprochement », « écriture… »).
    fn phase(&self, _what: &str) {}
    /// The run is over: the bar goes.
    fn finish(&self) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}

/// Stage timings on stderr when `CHORUS_RECON_TRACE` is set: how the benchmark script
/// (`benches/run.sh`) shows where a run's time goes. Silent otherwise.
pub fn trace(stage: &str, since: std::time::Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("CHORUS_RECON_TRACE").is_some()) {
        // Resident memory now, from /proc (Linux): where the peak is reached.
        let rss_mb = std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(String::new(), |pages| {
                format!(", {} Mo résidents", (pages * 4096) >> 20)
            });
        eprintln!(
            "[trace] {stage} : {:.3} s{rss_mb}",
            since.elapsed().as_secs_f64()
        );
    }
}
