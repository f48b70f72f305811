//! Writing outputs safely: each file goes to a temporary file in the target folder, is
//! flushed to disk, then renamed into place. A crash, a full disk or a kill leaves the
//! previous file intact; nobody ever sees a half-written workbook.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, io_message};

/// Writes `bytes` to `path` atomically. A path that is a device or a pipe (`-o
/// /dev/null` in a cron line) is written in place, never replaced; a symbolic link is
/// followed, so the file it points to is replaced and the link stays.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_all_atomic(&[(path, bytes)])
}

/// Writes several outputs as one: every temporary file is written and flushed before the
/// first is renamed into place, so a failure while writing leaves all previous outputs.
pub fn write_all_atomic(outputs: &[(&Path, &[u8])]) -> Result<(), Error> {
    write_all_atomic_with(outputs, |w, bytes| w.write_all(bytes))
}

/// [`write_all_atomic`] with the writing itself given (tests make it fail half-way, as a
/// full disk would).
fn write_all_atomic_with(
    outputs: &[(&Path, &[u8])],
    write: impl Fn(&mut dyn Write, &[u8]) -> std::io::Result<()>,
) -> Result<(), Error> {
    enum Staged<'a> {
        Device(&'a Path, &'a [u8]),
        File(tempfile::NamedTempFile, std::path::PathBuf),
    }
    let mut staged = Vec::with_capacity(outputs.len());
    for &(path, bytes) in outputs {
        let fail = |message: String| Error::Output {
            path: path.display().to_string(),
            message,
        };
        let target = match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                staged.push(Staged::Device(path, bytes));
                continue;
            }
            Ok(_) if path.is_symlink() => {
                std::fs::canonicalize(path).map_err(|e| fail(io_message(&e)))?
            }
            _ => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".chorus-recon-").suffix(".tmp");
        // Readable by owner and group only: the lines name suppliers, the server is shared.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o640));
        let mut tmp = builder
            .tempfile_in(&dir)
            .map_err(|e| fail(io_message(&e)))?;
        // On failure the temporary files are removed when they drop; targets are untouched.
        write(&mut tmp, bytes).map_err(|e| fail(io_message(&e)))?;
        tmp.as_file().sync_all().map_err(|e| fail(io_message(&e)))?;
        staged.push(Staged::File(tmp, target));
    }
    for s in staged {
        match s {
            Staged::Device(path, bytes) => {
                let fail = |e: std::io::Error| Error::Output {
                    path: path.display().to_string(),
                    message: io_message(&e),
                };
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(fail)?;
                write(&mut file, bytes).map_err(fail)?;
            }
            Staged::File(tmp, target) => {
                tmp.persist(&target).map_err(|e| Error::Output {
                    path: target.display().to_string(),
                    message: io_message(&e.error),
                })?;
            }
        }
    }
    Ok(())
}

/// Fails early (before any input is read) when an output cannot be written there.
pub fn check_writable(path: &Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Output {
            path: path.display().to_string(),
            message: format!("le dossier « {} » n'existe pas", dir.display()),
        });
    }
    if path.is_dir() {
        return Err(Error::Output {
            path: path.display().to_string(),
            message: "c'est un dossier".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"]);
    }

    #[test]
    fn a_writer_failing_half_way_leaves_the_previous_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rapprochement.xlsx");
        std::fs::write(&path, b"previous").unwrap();
        let summary = dir.path().join("resume.json");
        std::fs::write(&summary, b"previous summary").unwrap();
        // The workbook is written whole; the summary fails half-way: neither is replaced.
        let outputs: [(&Path, &[u8]); 2] = [(&path, b"new workbook"), (&summary, b"new summary")];
        let err = write_all_atomic_with(&outputs, |w, bytes| {
            w.write_all(&bytes[..4])?;
            if bytes == b"new summary" {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "no space left",
                ));
            }
            w.write_all(&bytes[4..])
        })
        .unwrap_err();
        assert!(err.to_string().contains("disque plein"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        assert_eq!(std::fs::read(&summary).unwrap(), b"previous summary");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "a temporary file was left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn outputs_are_readable_by_owner_and_group_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xlsx");
        write_atomic(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o007, 0, "others can read: {mode:o}");
        assert_eq!(mode & 0o600, 0o600);
    }

    #[test]
    fn devices_are_written_in_place_and_links_followed() {
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null was replaced by a file");
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.xlsx");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.xlsx");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn refuses_a_missing_folder() {
        let err = check_writable(Path::new("/nonexistent-dir/x.xlsx")).unwrap_err();
        assert!(err.to_string().contains("n'existe pas"), "{err}");
    }
}
