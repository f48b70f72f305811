//! Where the outputs go, checked before anything is read: an output must not be an input
//! (`-o` onto an extract or the convention would overwrite it), another output of the
//! same run (`-o x --summary x` would lose the workbook), nor lie inside an input folder
//! (next month's run would read its own workbook), nor be a link of another account. Paths are
//! compared once resolved (links followed, `..` removed), and by device and inode where
//! the file exists.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// One output of the run: the option that names it, and its path.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub option: &'static str,
    pub path: &'a Path,
}

/// Refuses (exit 2, nothing written) an output that is an input, inside an input folder,
/// or the same file as another output. Devices and pipes (`-o /dev/null`) are written in
/// place and never replaced: they may be named twice and are not compared.
pub fn check(targets: &[Target], inputs: &[PathBuf]) -> Result<(), Error> {
    let inputs: Vec<(&PathBuf, PathBuf, bool)> = inputs
        .iter()
        .filter_map(|i| {
            let meta = std::fs::metadata(i).ok()?;
            Some((i, std::fs::canonicalize(i).ok()?, meta.is_dir()))
        })
        .collect();
    let mut seen: Vec<(Target, PathBuf)> = Vec::new();
    for t in targets {
        super::check_writable(t.path)?;
        if is_special(t.path) {
            continue;
        }
        let resolved = resolve(t.path);
        let refuse = |message: String| Error::Output {
            path: t.path.display().to_string(),
            message,
        };
        if is_foreign_link(t.path) {
            return Err(refuse(format!(
                "{} est un lien symbolique d'un autre compte : il ferait remplacer le fichier qu'il désigne ; refusé par sécurité (supprimez-le ou écrivez ailleurs)",
                t.option
            )));
        }
        for (given, input, is_dir) in &inputs {
            if *is_dir && resolved.starts_with(input) {
                return Err(refuse(format!(
                    "{} est dans le dossier d'entrée « {} » : le prochain rapprochement le lirait comme un extrait ; écrivez-le ailleurs",
                    t.option,
                    given.display()
                )));
            }
            if !*is_dir && same_file(&resolved, input) {
                return Err(refuse(format!(
                    "{} désigne le fichier lu en entrée « {} » : il serait écrasé ; écrivez-le ailleurs",
                    t.option,
                    given.display()
                )));
            }
        }
        if let Some((other, _)) = seen.iter().find(|(_, p)| same_file(&resolved, p)) {
            return Err(refuse(format!(
                "{} et {} désignent le même fichier : l'un effacerait l'autre ; donnez-leur deux noms",
                other.option, t.option
            )));
        }
        seen.push((*t, resolved));
    }
    Ok(())
}

/// A folder of outputs (`--export-lignes DOSSIER`), made ready before anything is read:
/// refused when it is a file or another account's link, created when missing (its parent
/// must exist). A folder created here is removed, if still empty, when the returned guard
/// drops before [`CreatedFolder::keep`]: a failed run leaves no empty folder behind.
pub fn prepare_folder(option: &'static str, dir: &Path) -> Result<CreatedFolder, Error> {
    let refuse = |message: String| Error::Output {
        path: dir.display().to_string(),
        message,
    };
    if is_foreign_link(dir) {
        return Err(refuse(format!(
            "{option} est un lien symbolique d'un autre compte : il ferait écrire dans le dossier qu'il désigne ; refusé par sécurité (supprimez-le ou écrivez ailleurs)"
        )));
    }
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(CreatedFolder(None)),
        Ok(_) => {
            return Err(refuse(format!(
                "{option} doit désigner un dossier, pas un fichier"
            )));
        }
        Err(_) => {}
    }
    std::fs::create_dir(dir).map_err(|e| {
        refuse(format!(
            "création du dossier impossible : {}",
            crate::error::io_message(&e)
        ))
    })?;
    Ok(CreatedFolder(Some(dir.to_path_buf())))
}

/// A folder this run created, removed on drop if still empty unless kept.
#[derive(Debug)]
pub struct CreatedFolder(Option<PathBuf>);

impl CreatedFolder {
    /// The run wrote into it: it stays.
    pub fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for CreatedFolder {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            // Only an empty folder is removed; best effort.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// A symbolic link owned by neither this account nor root. An output link is followed
/// (the file it points to is replaced): on a shared folder, a colleague's link would have
/// this account replace any file it may write (the rule of Linux's `protected_symlinks`).
fn is_foreign_link(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.file_type().is_symlink() && m.uid() != me && m.uid() != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// A device, a pipe or a socket: written in place, never replaced.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The absolute path `path` names once links and `..` are resolved; for a file that does
/// not exist yet, its resolved folder and its name.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(dir), path.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => path.to_path_buf(),
    }
}

/// The same file: the same resolved path, or the same device and inode (hard links).
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(option: &'static str, path: &'a Path) -> Target<'a> {
        Target { option, path }
    }

    #[test]
    fn refuses_an_input_an_input_folder_and_a_twin_output() {
        let dir = tempfile::tempdir().unwrap();
        let input_dir = dir.path().join("extraits");
        std::fs::create_dir(&input_dir).unwrap();
        let extract = dir.path().join("ej.csv");
        std::fs::write(&extract, "x").unwrap();
        let inputs = vec![input_dir.clone(), extract.clone()];
        let inside = input_dir.join("../extraits/r.xlsx");
        let book = dir.path().join("r.xlsx");
        let twin = dir.path().join("./r.xlsx");
        let json = dir.path().join("r.json");
        let cases: Vec<(Vec<Target>, &str)> = vec![
            (vec![target("-o", &extract)], "le fichier lu en entrée"),
            (vec![target("-o", &inside)], "dossier d'entrée"),
            (
                vec![target("-o", &book), target("--summary", &twin)],
                "-o et --summary désignent le même fichier",
            ),
        ];
        for (targets, expected) in cases {
            let err = check(&targets, &inputs).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected}: {err}");
        }
        let fine = [
            target("-o", &book),
            target("--summary", &json),
            target("--detail-hors-perimetre", Path::new("/dev/null")),
        ];
        check(&fine, &inputs).unwrap();
    }
}
