//! One writer at a time. A run that writes outputs first takes an exclusive advisory lock
//! (`flock`) on a hidden file beside each of them: a second run on the same outputs stops
//! at once with a clear message (exit 2) before reading anything. The operating system
//! releases the lock when its process dies, so a lock left by a crashed or killed run is
//! simply taken over; the file itself stays (removing it would let two runs lock two
//! different files of the same name).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, io_message};

/// Held locks; dropping them releases them.
#[derive(Debug)]
pub struct OutputLock {
    _files: Vec<File>,
}

/// `dir/.name.lock` for `dir/name`.
pub fn lock_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "sortie".into());
    output.with_file_name(format!(".{name}.lock"))
}

/// Locks every output that is a regular path (devices and stdout need no lock).
pub fn lock_outputs(outputs: &[&Path]) -> Result<OutputLock, Error> {
    let mut paths: Vec<PathBuf> = outputs
        .iter()
        .filter(|p| std::fs::metadata(p).map(|m| m.is_file()).unwrap_or(true))
        .map(|p| lock_path(p))
        .collect();
    paths.sort();
    paths.dedup();
    let files = paths
        .iter()
        .map(|p| lock_one(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OutputLock { _files: files })
}

fn lock_one(path: &Path) -> Result<File, Error> {
    let fail = |message: String| Error::Output {
        path: path.display().to_string(),
        message,
    };
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    let mut file = options.open(path).map_err(|e| fail(io_message(&e)))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Lock(format!(
                "un autre rapprochement écrit déjà ces sorties ({}) : verrou « {} ». Relancez quand il aura fini.",
                if holder.is_empty() {
                    "processus inconnu".to_string()
                } else {
                    holder.to_string()
                },
                path.display()
            )));
        }
        Err(TryLockError::Error(e)) => return Err(fail(io_message(&e))),
    }
    // Who holds it, for the message of a run that finds it locked.
    let holder = format!(
        "processus {} lancé le {}",
        std::process::id(),
        chrono::Local::now().format("%d/%m/%Y à %H:%M:%S")
    );
    file.set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| file.write_all(holder.as_bytes()))
        .map_err(|e| fail(io_message(&e)))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_a_released_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rapprochement.xlsx");
        let held = lock_outputs(&[&out]).unwrap();
        let err = lock_outputs(&[&out]).unwrap_err().to_string();
        assert!(
            err.contains("un autre rapprochement")
                && err.contains(&format!("processus {}", std::process::id())),
            "{err}"
        );
        drop(held);
        // Released (as when its process dies): the next run takes it.
        lock_outputs(&[&out]).unwrap();
        assert_eq!(lock_path(&out), dir.path().join(".rapprochement.xlsx.lock"));
    }
}
