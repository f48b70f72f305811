//! Writing outputs safely: each file goes to a temporary file in the target folder, is
//! flushed to disk, then renamed into place. A crash, a full disk or a kill leaves the
//! previous file intact; nobody ever sees a half-written workbook. Every output of a run
//! (workbook, summary, out-of-scope detail) is one group: all the temporary files are
//! written before the first is renamed. Temporary files are held (`flock`) and listed
//! while they live, so that an interrupted run removes them and a sweep never takes a
//! live one (`temporaries`).

pub mod csv_out;
pub mod export;
pub mod lock;
pub mod spill;
pub mod targets;
pub mod temporaries;

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, io_message};

/// What an output holds, written as it is made: a national workbook is compressed straight
/// into its file rather than held whole in memory first.
pub type Contents<'a> = Box<dyn FnOnce(&mut dyn Write) -> Result<(), Failure> + Send + 'a>;

/// Why contents could not be written: the disk, or making them.
#[derive(Debug)]
pub enum Failure {
    Io(std::io::Error),
    /// What went wrong, in French.
    Making(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

/// Contents already in memory.
pub fn bytes(bytes: &[u8]) -> Contents<'_> {
    Box::new(move |w| Ok(w.write_all(bytes)?))
}

/// Writes `bytes` to `path` atomically. A path that is a device or a pipe (`-o
/// /dev/null` in a cron line) is written in place, never replaced; a symbolic link is
/// followed, so the file it points to is replaced and the link stays.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    write_all_atomic(vec![(path, bytes(contents))])
}

/// A temporary file being written, listed for the signal thread while it lives.
struct Temporary {
    file: Option<tempfile::NamedTempFile>,
}

impl Temporary {
    fn new(dir: &Path) -> std::io::Result<Temporary> {
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(temporaries::PREFIX)
            .suffix(temporaries::SUFFIX);
        // Readable by owner and group only: the lines name suppliers, the server is shared.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o640));
        let file = builder.tempfile_in(dir)?;
        // Held while this run lives: a sweep by another run leaves it alone. Best effort:
        // where locks are not supported, the sweep cannot take it either and leaves it.
        let _ = file.as_file().try_lock();
        temporaries::register(file.path());
        Ok(Temporary { file: Some(file) })
    }

    fn file(&mut self) -> &mut tempfile::NamedTempFile {
        self.file.as_mut().expect("a temporary not yet persisted")
    }
}

impl Drop for Temporary {
    /// Removes the file, then takes it off the list: a signal in between finds it gone.
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let path = file.path().to_path_buf();
            drop(file);
            temporaries::unregister(&path);
        }
    }
}

/// Where an output goes: a device written in place, or a temporary file renamed onto its
/// target.
enum Slot<'a> {
    Device(&'a Path, Contents<'a>),
    File(Temporary, PathBuf),
}

fn fail(path: &Path, message: String) -> Error {
    Error::Output {
        path: path.display().to_string(),
        message,
    }
}

fn failed(path: &Path, failure: Failure) -> Error {
    match failure {
        Failure::Io(e) => fail(path, io_message(&e)),
        Failure::Making(message) => fail(path, message),
    }
}

/// Writes several outputs as one: every temporary file is written (side by side, on the
/// current thread pool) and flushed to disk, and every device written, before the first
/// file is renamed into place, so a failure while writing leaves all previous outputs.
pub fn write_all_atomic(outputs: Vec<(&Path, Contents)>) -> Result<(), Error> {
    let mut slots = Vec::with_capacity(outputs.len());
    let mut files = Vec::with_capacity(outputs.len());
    for (path, contents) in outputs {
        match slot(path)? {
            Some(tmp) => {
                slots.push(tmp);
                files.push((path, contents));
            }
            None => slots.push(Slot::Device(path, contents)),
        }
    }
    // On failure the temporary files are removed when they drop; targets are untouched.
    write_temporaries(&mut slots, files)?;
    let mut devices = Vec::new();
    let mut temporaries = Vec::new();
    for slot in slots {
        match slot {
            Slot::Device(path, contents) => devices.push((path, contents)),
            Slot::File(tmp, target) => temporaries.push((tmp, target)),
        }
    }
    // Devices cannot be written atomically: they go before any file is replaced, so that a
    // failing device (`/dev/full`) replaces nothing.
    for (path, contents) in devices {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| fail(path, io_message(&e)))?;
        contents(&mut file).map_err(|f| failed(path, f))?;
    }
    persist(temporaries)
}

/// The temporary file of an output beside its target (a link's target: the link stays);
/// `None` for a device or a pipe, written in place.
fn slot(path: &Path) -> Result<Option<Slot<'static>>, Error> {
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Ok(None),
        Ok(_) if path.is_symlink() => {
            std::fs::canonicalize(path).map_err(|e| fail(path, io_message(&e)))?
        }
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let tmp = Temporary::new(&dir).map_err(|e| fail(path, io_message(&e)))?;
    Ok(Some(Slot::File(tmp, target)))
}

/// Writes each file's contents into its temporary file, side by side, and flushes it to
/// disk. The first failure in the outputs' order, whichever finished first.
fn write_temporaries(slots: &mut [Slot], files: Vec<(&Path, Contents)>) -> Result<(), Error> {
    let mut temporaries = Vec::new();
    for slot in slots {
        if let Slot::File(tmp, _) = slot {
            temporaries.push(tmp.file());
        }
    }
    let written: Vec<Result<(), Error>> = temporaries
        .into_par_iter()
        .zip(files)
        .map(|(tmp, (path, contents))| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
            contents(&mut w)
                .and_then(|()| Ok(w.flush()?))
                .map_err(|f| failed(path, f))?;
            drop(w);
            tmp.as_file()
                .sync_all()
                .map_err(|e| fail(path, io_message(&e)))
        })
        .collect();
    written.into_iter().collect::<Result<Vec<()>, Error>>()?;
    Ok(())
}

/// Renames every temporary file onto its target; a signal meanwhile waits for the whole
/// group.
fn persist(temporaries: Vec<(Temporary, PathBuf)>) -> Result<(), Error> {
    let mut live = temporaries::live();
    for (mut tmp, target) in temporaries {
        let file = tmp.file.take().expect("a temporary not yet persisted");
        let name = file.path().to_path_buf();
        let persisted = file.persist(&target);
        live.retain(|p| *p != name);
        persisted.map_err(|e| fail(&target, io_message(&e.error)))?;
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
        let half_way: Contents = Box::new(|w| {
            w.write_all(b"new ")?;
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left").into())
        });
        let outputs = vec![
            (path.as_path(), bytes(b"new workbook")),
            (&summary, half_way),
        ];
        let err = write_all_atomic(outputs).unwrap_err();
        assert!(err.to_string().contains("disque plein"), "{err}");
        assert!(err.to_string().contains("resume.json"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        assert_eq!(std::fs::read(&summary).unwrap(), b"previous summary");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "a temporary file was left"
        );
    }

    #[test]
    fn contents_that_cannot_be_made_name_their_output_and_replace_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rapprochement.xlsx");
        std::fs::write(&path, b"previous").unwrap();
        let failing: Contents =
            Box::new(|_| Err(Failure::Making("construction impossible".into())));
        let err = write_all_atomic(vec![(path.as_path(), failing)]).unwrap_err();
        assert!(
            err.to_string().contains("rapprochement.xlsx")
                && err.to_string().contains("construction impossible"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
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
