//! The temporary files outputs are written to (`.chorus-recon-XXXXXX.tmp`, up to tens of
//! MB each) never outlive their run on a shared folder:
//! - on an error they are removed when they drop (`tempfile`);
//! - on SIGINT, SIGTERM or SIGHUP (Ctrl-C, `kill`, cron's session ending) a thread removes
//!   the ones still live, listed here, then ends the process (exit 128 + signal). Signals
//!   are taken by `signal-hook` on a thread of its own rather than in a handler: removing
//!   files and taking a mutex are not async-signal-safe;
//! - a run killed outright (SIGKILL, a crash, a power cut) cannot clean up: the next run
//!   on that folder sweeps the tool's temporaries older than a day, except those whose run
//!   is still alive. Each run holds an exclusive `flock` on its temporaries while it
//!   writes them, so "its run still holds it" is exactly "the lock cannot be taken".

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::{Duration, SystemTime};

/// The prefix and suffix of this tool's temporary files (`tempfile` puts 6 random
/// alphanumeric characters between them).
pub const PREFIX: &str = ".chorus-recon-";
pub const SUFFIX: &str = ".tmp";
const RANDOM_LEN: usize = 6;

/// How old a temporary file of another run must be before it is taken for abandoned.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The temporary files being written, for the signal thread. Held while outputs are
/// renamed into place, so that a signal then waits for the whole group to be committed.
pub fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lists `path` as a temporary file to remove if the run is interrupted.
pub fn register(path: &Path) {
    live().push(path.to_path_buf());
}

/// `path` was renamed into place or removed.
pub fn unregister(path: &Path) {
    live().retain(|p| p != path);
}

/// Installs, once per process, the thread that removes live temporary files on SIGINT,
/// SIGTERM or SIGHUP and then ends the process with 128 + the signal's number.
pub fn remove_on_signal() -> std::io::Result<()> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            Ok(mut signals) => {
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        let live = live();
                        for path in live.iter() {
                            let _ = std::fs::remove_file(path);
                        }
                        std::process::exit(128 + signal);
                    }
                });
            }
            Err(e) => result = Err(e),
        }
    });
    result
}

/// Is `name` one of this tool's temporary files?
pub fn is_ours(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .is_some_and(|random| {
            random.len() == RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes from `dir` this tool's temporary files older than [`STALE_AFTER`] whose run
/// no longer holds them (their `flock` can be taken). Links, folders and other files are
/// never touched. Returns the files removed.
pub fn sweep(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_ours) {
            continue;
        }
        let path = entry.path();
        // `symlink_metadata`: a link of the right name is not ours.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !meta.is_file() || !old {
            continue;
        }
        let Some(file) = open_no_follow(&path) else {
            continue;
        };
        // Held: its run is alive (writing for more than a day). Taken: abandoned.
        if file.try_lock().is_ok() && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

fn open_no_follow(path: &Path) -> Option<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(path).ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(path: &Path, days: u64) {
        let file = File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(days * 86_400 + 60))
            .unwrap();
    }

    #[test]
    fn names_of_this_tool_only() {
        assert!(is_ours(".chorus-recon-a1B2c3.tmp"));
        for name in [
            ".chorus-recon-a1B2c3.tmp.keep",
            "chorus-recon-a1B2c3.tmp",
            ".chorus-recon-.tmp",
            ".chorus-recon-a1B2c3d4.tmp",
            ".chorus-recon-a/b2c3.tmp",
            "rapprochement.xlsx",
        ] {
            assert!(!is_ours(name), "{name}");
        }
    }

    #[test]
    fn sweeps_old_abandoned_temporaries_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let old = p(".chorus-recon-old001.tmp");
        let fresh = p(".chorus-recon-new001.tmp");
        let held = p(".chorus-recon-held01.tmp");
        let other = p("mine.tmp");
        for f in [&old, &fresh, &held, &other] {
            std::fs::write(f, b"x").unwrap();
        }
        for f in [&old, &held, &other] {
            age(f, 2);
        }
        // A link of the right name, old, pointing at a file to keep.
        let keep = p("garder.txt");
        std::fs::write(&keep, b"keep").unwrap();
        let link = p(".chorus-recon-link01.tmp");
        std::os::unix::fs::symlink(&keep, &link).unwrap();
        // A live run writing for two days holds its temporary.
        let holder = File::open(&held).unwrap();
        holder.lock().unwrap();
        let removed = sweep(dir.path());
        assert_eq!(removed, std::slice::from_ref(&old));
        for f in [&fresh, &held, &other, &keep] {
            assert!(f.exists(), "{}", f.display());
        }
        assert!(link.is_symlink());
        drop(holder);
    }
}
