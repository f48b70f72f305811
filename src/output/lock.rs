//! One writer at a time. A run that writes outputs takes an exclusive advisory lock
//! (`flock`) on a hidden file beside each of them: a second run on the same outputs stops
//! with a clear message (exit 3: try again later). The operating system releases the lock
//! when its process dies, so a lock left by a crashed or killed run is simply taken over;
//! the file itself stays (removing it would let two runs lock two different files of the
//! same name).
//!
//! When: a run locks at its start the lock files that already exist (so that a second
//! run stops at once, before minutes of reading), and creates the missing ones only when
//! it is about to write. A run that fails before writing (a bad extract) creates no lock
//! file; two first runs racing on a folder without lock files are still serialised, at
//! the moment of writing.
//!
//! The lock file is opened without following links (`O_NOFOLLOW`) and must be a regular
//! file: on a shared folder, a link planted in its place would otherwise have the run
//! truncate and write whatever it points to. A lock file of another member of the group
//! that this account may not write is opened for reading: `flock` needs no more.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, io_message};

/// Held locks; dropping them releases them.
#[derive(Debug, Default)]
pub struct OutputLock {
    held: Vec<(PathBuf, File)>,
}

/// `dir/.name.lock` for `dir/name`.
pub fn lock_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "sortie".into());
    output.with_file_name(format!(".{name}.lock"))
}

/// Locks every output that is a regular path (devices and stdout need no lock), creating
/// the lock files that are missing: for a run about to write.
pub fn lock_outputs(outputs: &[&Path]) -> Result<OutputLock, Error> {
    let mut lock = OutputLock::default();
    lock.take(outputs, true)?;
    Ok(lock)
}

/// Locks the lock files of `outputs` that exist, creating none: for a run that has not
/// read its inputs yet. A lock held by another run is refused at once (exit 3).
pub fn lock_existing(outputs: &[&Path]) -> Result<OutputLock, Error> {
    let mut lock = OutputLock::default();
    lock.take(outputs, false)?;
    Ok(lock)
}

impl OutputLock {
    /// Takes the locks of `outputs` not held yet, creating the missing lock files when
    /// `create` (a second `flock` of a file this process holds would be refused).
    pub fn take(&mut self, outputs: &[&Path], create: bool) -> Result<(), Error> {
        let mut paths: Vec<PathBuf> = outputs
            .iter()
            .filter(|p| std::fs::metadata(p).map(|m| m.is_file()).unwrap_or(true))
            .map(|p| lock_path(p))
            .filter(|p| !self.held.iter().any(|(h, _)| h == p))
            .collect();
        paths.sort();
        paths.dedup();
        for path in paths {
            if let Some(file) = lock_one(&path, create)? {
                self.held.push((path, file));
            }
        }
        Ok(())
    }
}

/// Opens `path` for the lock, never through a link nor onto anything but a regular file;
/// `None` when it does not exist and `create` is false.
fn open_lock_file(path: &Path, create: bool) -> Result<Option<(File, bool)>, Error> {
    let refuse = |what: &str| Error::Output {
        path: path.display().to_string(),
        message: format!(
            "le verrou est {what}, pas un fichier ordinaire : refusé par sécurité (un verrou planté ainsi ferait écrire ailleurs) ; supprimez-le"
        ),
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(refuse("un lien symbolique")),
        Ok(m) if m.is_dir() => return Err(refuse("un dossier")),
        Ok(m) if !m.is_file() => return Err(refuse("un fichier spécial")),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(path, &e)),
    }
    let open = |write: bool| {
        let mut options = OpenOptions::new();
        options.read(true).write(write).create(write && create);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Group-writable: the run of another member of the group writes its name in it.
            options.mode(0o660);
            // No link followed even if one was planted since the check above; no wait on
            // a pipe planted in its place.
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        options.open(path)
    };
    let (file, writable) = match open(true) {
        Ok(f) => (f, true),
        // Another member's lock file this account may not write: reading is enough to lock.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            (open(false).map_err(|e| fail(path, &e))?, false)
        }
        Err(e) if is_link_error(&e) => return Err(refuse("un lien symbolique")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(None),
        Err(e) => return Err(fail(path, &e)),
    };
    let meta = file.metadata().map_err(|e| fail(path, &e))?;
    if !meta.is_file() {
        return Err(refuse("un fichier spécial"));
    }
    Ok(Some((file, writable)))
}

fn fail(path: &Path, e: &std::io::Error) -> Error {
    Error::Output {
        path: path.display().to_string(),
        message: io_message(e),
    }
}

/// `O_NOFOLLOW` on a link fails with `ELOOP`.
fn is_link_error(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

fn lock_one(path: &Path, create: bool) -> Result<Option<File>, Error> {
    let Some((mut file, writable)) = open_lock_file(path, create)? else {
        return Ok(None);
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = (&file).take(512).read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Lock(format!(
                "un autre rapprochement écrit déjà ces sorties ({}) : verrou « {} ». Rien n'a été fait ; relancez quand il aura fini.",
                if holder.is_empty() {
                    "processus inconnu".to_string()
                } else {
                    holder.to_string()
                },
                path.display()
            )));
        }
        Err(TryLockError::Error(e)) => return Err(fail(path, &e)),
    }
    if writable {
        // Who holds it, for the message of a run that finds it locked.
        let holder = format!(
            "processus {} lancé le {}",
            std::process::id(),
            chrono::Local::now().format("%d/%m/%Y à %H:%M:%S")
        );
        file.set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| file.write_all(holder.as_bytes()))
            .map_err(|e| fail(path, &e))?;
    }
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_a_released_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rapprochement.xlsx");
        let held = lock_outputs(&[&out]).unwrap();
        let err = lock_outputs(&[&out]).unwrap_err();
        assert_eq!(err.exit_code(), crate::EXIT_LOCKED);
        let err = err.to_string();
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

    #[test]
    fn existing_locks_only_are_taken_early_then_the_rest_when_writing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.xlsx");
        let mut early = lock_existing(&[&out]).unwrap();
        assert!(!lock_path(&out).exists(), "a lock file was created early");
        early.take(&[&out], true).unwrap();
        assert!(lock_path(&out).exists());
        // Taking it again (the same run) is no conflict.
        early.take(&[&out], true).unwrap();
        let err = lock_existing(&[&out]).unwrap_err();
        assert_eq!(err.exit_code(), crate::EXIT_LOCKED);
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_that_is_a_link_or_a_pipe_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.xlsx");
        let victim = dir.path().join("victime.txt");
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, lock_path(&out)).unwrap();
        for create in [false, true] {
            let err = lock_one(&lock_path(&out), create).unwrap_err().to_string();
            assert!(err.contains("lien symbolique"), "{err}");
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        std::fs::remove_file(lock_path(&out)).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(lock_path(&out))
            .status()
            .unwrap();
        assert!(status.success());
        let err = lock_outputs(&[&out]).unwrap_err().to_string();
        assert!(err.contains("fichier spécial"), "{err}");
    }
}
