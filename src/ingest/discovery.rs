//! Which files are the inputs: files and folders expanded (recursively) into a sorted,
//! de-duplicated list of regular files with a known extension.

use std::path::{Path, PathBuf};

use crate::error::{Error, InputError, io_message};

/// File extensions read when a folder is given.
const EXTENSIONS: [&str; 6] = ["csv", "txt", "xlsx", "xlsm", "xls", "ods"];

/// Expands files and folders (recursively) into the sorted, de-duplicated list of inputs.
/// In folders, only regular files are taken (a pipe named `x.csv` would hang the run),
/// and links are followed without ever entering a folder twice (no link loop).
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    Ok(discover_named(inputs)?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// [`discover`], each file with whether it was named on the command line (rather than
/// found in a folder): a named file that is no extract stops the run, a found one is
/// skipped and reported.
pub fn discover_named(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, Error> {
    let mut named = Vec::new();
    let mut files = Vec::new();
    let mut visited = std::collections::HashSet::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| InputError::new(input.display().to_string(), io_message(&e)))?;
        if meta.is_dir() {
            let before = files.len();
            visited.insert(identity(&meta));
            walk(input, &mut files, &mut visited)?;
            if files.len() == before {
                return Err(InputError::new(
                    input.display().to_string(),
                    format!(
                        "aucun extrait dans ce dossier (extensions lues : {})",
                        EXTENSIONS.join(", ")
                    ),
                )
                .into());
            }
        } else {
            named.push(input.clone());
        }
    }
    let mut all: Vec<(PathBuf, bool)> = files
        .into_iter()
        .map(|p| (p, false))
        .chain(named.into_iter().map(|p| (p, true)))
        .collect();
    // Named first among equal paths: a file both named and found counts as named.
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    all.dedup_by(|b, a| a.0 == b.0);
    Ok(all)
}

/// A folder's identity on disk: (device, inode) on Unix.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    visited: &mut std::collections::HashSet<(u64, u64)>,
) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError::new(dir.display().to_string(), io_message(&e)))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| InputError::new(dir.display().to_string(), io_message(&e)))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        // Hidden files and office lock files (`~$x.xlsx`, `.~lock.x#`) are not extracts.
        if name.starts_with('.') || name.starts_with('~') {
            continue;
        }
        // Through links: a dangling link is no extract.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            // A folder already walked (a link to `.` or to a parent): not again.
            if visited.insert(identity(&meta)) {
                walk(&path, files, visited)?;
            }
        } else if meta.is_file()
            && path
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
        {
            files.push(path);
        }
    }
    Ok(())
}
