//! The progress bar, on a terminal only: never in a pipe, a log or under `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::progress::{Progress, Silent};

/// Extracts read and rows read so far, on stderr.
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// A bar when stderr is a terminal and the run is not quiet; else nothing.
    pub fn for_run(quiet: bool) -> Box<dyn Progress> {
        if quiet || !std::io::stderr().is_terminal() {
            return Box::new(Silent);
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} lecture : {pos}/{len} extrait(s), {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Box::new(TerminalProgress { bar })
    }
}

impl Progress for TerminalProgress {
    fn start(&self, inputs: usize) {
        self.bar.set_length(inputs as u64);
        self.bar.set_message("0 ligne");
        self.bar
            .enable_steady_tick(std::time::Duration::from_millis(120));
    }

    fn rows(&self, rows: u64) {
        // The row count rides in the message: the bar's position counts extracts.
        let read: u64 = self
            .bar
            .message()
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        self.bar.set_message(format!("{} lignes", read + rows));
    }

    fn input_done(&self) {
        self.bar.inc(1);
    }

    fn phase(&self, what: &str) {
        // Reading is over: the bar says what is done now, not « lecture ».
        self.bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        self.bar.set_message(what.to_string());
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A run that stops on an error leaves no half-drawn bar above its message.
impl Drop for TerminalProgress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}
