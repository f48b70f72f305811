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
    let fail = |message: String| Error::Output {
        path: path.display().to_string(),
        message,
    };
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| fail(io_message(&e)))?;
            return file.write_all(bytes).map_err(|e| fail(io_message(&e)));
        }
        if path.is_symlink() {
            let target = std::fs::canonicalize(path).map_err(|e| fail(io_message(&e)))?;
            return write_atomic(&target, bytes);
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".chorus-recon-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(io_message(&e)))?;
    tmp.write_all(bytes).map_err(|e| fail(io_message(&e)))?;
    tmp.as_file().sync_all().map_err(|e| fail(io_message(&e)))?;
    tmp.persist(path).map_err(|e| fail(io_message(&e.error)))?;
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
