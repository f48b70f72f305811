//! A shared folder on a server (cron, a service account, colleagues of the same group):
//! a planted lock link, outputs onto inputs or onto each other, an output inside the
//! input folder, the detail CSV onto a device, interrupted runs and their temporary
//! files. Each case through the binary, with what must not have changed checked byte for
//! byte (and by modification time).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::run;

const HEADER: &str = "\"Centre financier - Clé (non composée)\";\"Domaine fonctionnel - Clé\";\"N° EJ\";\"N° poste EJ\";\"Date de dernière modif. de l'EJ\";\"Montant engagé (EUR)\"\r\n";

/// A small EJ extract: two lines in scope, one out of scope.
fn extract(path: &Path) {
    let mut text = String::from(HEADER);
    text += "\"0174-SOUT-ELAB\";\"0174-06\";\"2100000001\";\"1\";\"02/03/2020\";\"1000,00\"\r\n";
    text += "\"0174-SOUT-ELAB\";\"0174-06\";\"2100000002\";\"1\";\"03/03/2020\";\"250,00\"\r\n";
    text += "\"0150-ABCD-EFGH\";\"0150-01\";\"2100000003\";\"1\";\"04/03/2020\";\"-12,50\"\r\n";
    std::fs::write(path, text).unwrap();
}

/// A file's bytes and modification time.
type State = (Vec<u8>, SystemTime);

/// What a file is: its bytes and modification time, or nothing.
fn state(path: &Path) -> Option<State> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let bytes = std::fs::read(path).unwrap_or_default();
    Some((bytes, meta.modified().unwrap()))
}

/// Every name in `dir` and its state, to check that a refused run changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Option<State>)> {
    let mut names: Vec<PathBuf> = walk(dir);
    names.sort();
    names
        .into_iter()
        .map(|p| (p.display().to_string(), state(&p)))
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

fn assert_refused(r: &common::Outcome, fragments: &[&str]) {
    r.expect_code(2);
    for f in fragments {
        assert!(r.stderr.contains(f), "« {f} » absent :\n{}", r.stderr);
    }
}

#[test]
fn a_lock_planted_as_a_link_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(&d.join("ej.csv"));
    let victim = d.join("victime.txt");
    std::fs::write(&victim, b"ne pas toucher").unwrap();
    std::os::unix::fs::symlink(&victim, d.join(".rapprochement.xlsx.lock")).unwrap();
    let before = snapshot(d);
    let r = run(d, &["reconcile", "ej.csv", "--as-of", "2020-12-31"]);
    assert_refused(
        &r,
        &[
            "« .rapprochement.xlsx.lock »",
            "le verrou est un lien symbolique",
        ],
    );
    assert_eq!(snapshot(d), before, "a file changed");
}

#[test]
fn a_run_that_fails_before_writing_creates_no_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ej.csv"), b"").unwrap();
    let r = run(d, &["reconcile", "ej.csv", "--summary", "r.json"]);
    assert_refused(&r, &["« ej.csv »", "fichier vide"]);
    let names: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["ej.csv"]);
    // A run that writes leaves its lock files (unlocked) for the next ones.
    extract(&d.join("ej.csv"));
    run(d, &["reconcile", "ej.csv", "-q", "--as-of", "2020-12-31"]).expect_code(0);
    assert!(d.join(".rapprochement.xlsx.lock").is_file());
    run(d, &["reconcile", "ej.csv", "-q", "--as-of", "2020-12-31"]).expect_code(0);
}

/// The command that runs the binary as an account that does not own the lock files:
/// `nobody` through `setpriv` when the tests run as root (root may write any file), else
/// the current account. `None`, loudly, when `nobody` cannot run the binary (a checkout
/// in a private folder).
fn as_other() -> Option<std::process::Command> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !root {
        return Some(std::process::Command::new(env!(
            "CARGO_BIN_EXE_chorus-recon"
        )));
    }
    let nobody = || {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_chorus-recon"));
        c
    };
    let works = nobody()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        eprintln!(
            "\n*** IGNORÉ : « nobody » ne peut pas lancer le binaire (setpriv absent, ou dépôt dans un dossier privé) ***\n"
        );
    }
    works.then(nobody)
}

fn run_as_other(dir: &Path, args: &[&str]) -> Option<common::Outcome> {
    let out = as_other()?.args(args).current_dir(dir).output().unwrap();
    Some(common::Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[test]
fn a_lock_file_of_another_account_that_cannot_be_written_still_locks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    extract(&d.join("ej.csv"));
    std::fs::set_permissions(d.join("ej.csv"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let lock = d.join(".rapprochement.xlsx.lock");
    std::fs::write(&lock, b"processus 1 d'un collegue").unwrap();
    // Readable, not writable, by the account that runs (a colleague's file).
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o444)).unwrap();
    let args = ["reconcile", "ej.csv", "-q", "--as-of", "2020-12-31"];
    // While the colleague's run holds it: exit 3, nothing written.
    let held = std::fs::File::open(&lock).unwrap();
    held.lock().unwrap();
    let Some(r) = run_as_other(d, &args) else {
        return;
    };
    r.expect_code(3);
    assert!(
        r.stderr.contains("(processus 1 d'un collegue)"),
        "{}",
        r.stderr
    );
    assert!(!d.join("rapprochement.xlsx").exists());
    drop(held);
    // Released: the run locks it read-only and writes.
    run_as_other(d, &args).unwrap().expect_code(0);
    assert!(d.join("rapprochement.xlsx").is_file());
    assert_eq!(std::fs::read(&lock).unwrap(), b"processus 1 d'un collegue");
}

#[test]
fn an_output_onto_an_input_or_another_output_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("extraits")).unwrap();
    extract(&d.join("extraits/ej.csv"));
    extract(&d.join("seul.csv"));
    std::fs::write(d.join("r.xlsx"), b"previous workbook").unwrap();
    std::os::unix::fs::symlink(d.join("seul.csv"), d.join("lien.xlsx")).unwrap();
    std::fs::write(d.join("c.toml"), chorus_recon::convention::BUILTIN_TEXT).unwrap();
    let cases: [(&[&str], &[&str]); 8] = [
        (
            &["seul.csv", "-c", "c.toml", "--summary", "c.toml"],
            &["--summary désigne le fichier lu en entrée « c.toml »"],
        ),
        (
            &["seul.csv", "-o", "seul.csv"],
            &[
                "« seul.csv »",
                "-o désigne le fichier lu en entrée « seul.csv »",
            ],
        ),
        (
            // Through a link: the file it points to is the input.
            &["seul.csv", "-o", "lien.xlsx"],
            &["« lien.xlsx »", "le fichier lu en entrée"],
        ),
        (
            &["seul.csv", "--summary", "seul.csv"],
            &["--summary désigne le fichier lu en entrée"],
        ),
        (
            &["extraits", "-o", "extraits/ej.csv"],
            &["-o est dans le dossier d'entrée « extraits »"],
        ),
        (
            &["extraits", "-o", "extraits/rapprochement.xlsx"],
            &[
                "« extraits/rapprochement.xlsx »",
                "dans le dossier d'entrée « extraits »",
                "le prochain rapprochement le lirait",
            ],
        ),
        (
            &["seul.csv", "-o", "r.xlsx", "--summary", "r.xlsx"],
            &["-o et --summary désignent le même fichier"],
        ),
        (
            &[
                "seul.csv",
                "-o",
                "r.xlsx",
                "--detail-hors-perimetre",
                "./r.xlsx",
            ],
            &["-o et --detail-hors-perimetre désignent le même fichier"],
        ),
    ];
    for (args, expected) in cases {
        let before = snapshot(d);
        let mut all = vec!["reconcile", "--as-of", "2020-12-31"];
        all.extend_from_slice(args);
        let r = run(d, &all);
        assert_refused(&r, expected);
        assert_eq!(snapshot(d), before, "{args:?}: a file changed");
    }
}

#[test]
fn an_output_link_planted_by_another_account_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(&d.join("ej.csv"));
    let victim = d.join("precieux.txt");
    std::fs::write(&victim, b"ne pas remplacer").unwrap();
    let link = d.join("rapprochement.xlsx");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    if std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).is_err() {
        eprintln!(
            "\n*** IGNORÉ : ce compte ne peut pas donner un lien à un autre (root requis) ***\n"
        );
        return;
    }
    let before = snapshot(d);
    let r = run(d, &["reconcile", "ej.csv", "--as-of", "2020-12-31"]);
    assert_refused(
        &r,
        &[
            "« rapprochement.xlsx »",
            "-o est un lien symbolique d'un autre compte",
        ],
    );
    assert_eq!(snapshot(d), before, "a file changed");
    // This account's own link is followed: the file it points to is replaced.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    run(d, &["reconcile", "ej.csv", "-q", "--as-of", "2020-12-31"]).expect_code(0);
    assert!(link.is_symlink());
    assert!(std::fs::read(&victim).unwrap().starts_with(b"PK"));
}

#[test]
fn the_detail_onto_a_device_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(&d.join("ej.csv"));
    let r = run(
        d,
        &[
            "reconcile",
            "ej.csv",
            "--as-of",
            "2020-12-31",
            "--detail-hors-perimetre",
            "/dev/null",
        ],
    );
    r.expect_code(0);
    assert!(
        r.stderr
            .contains("Détail hors périmètre : 1 ligne(s) dans /dev/null"),
        "{}",
        r.stderr
    );
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
}

#[test]
fn a_detail_that_cannot_be_written_replaces_no_output() {
    if !Path::new("/dev/full").exists() {
        eprintln!("\n*** IGNORÉ : /dev/full absent ***\n");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(&d.join("ej.csv"));
    std::fs::write(d.join("r.xlsx"), b"previous workbook").unwrap();
    std::fs::write(d.join("r.json"), b"previous summary").unwrap();
    let before = snapshot(d);
    let r = run(
        d,
        &[
            "reconcile",
            "ej.csv",
            "--as-of",
            "2020-12-31",
            "-o",
            "r.xlsx",
            "--summary",
            "r.json",
            "--detail-hors-perimetre",
            "/dev/full",
        ],
    );
    assert_refused(
        &r,
        &["écriture de « /dev/full » impossible", "disque plein"],
    );
    // Only the lock files were added; the workbook and summary are the previous ones.
    let after: Vec<_> = snapshot(d)
        .into_iter()
        .filter(|(n, _)| !n.ends_with(".lock"))
        .collect();
    assert_eq!(after, before);
}

#[test]
fn the_detail_csv_is_committed_with_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(&d.join("ej.csv"));
    let r = run(
        d,
        &[
            "reconcile",
            "ej.csv",
            "--as-of",
            "2020-12-31",
            "-q",
            "--detail-hors-perimetre",
            "hors.csv",
        ],
    );
    r.expect_code(0);
    let text = std::fs::read_to_string(d.join("hors.csv")).unwrap();
    assert_eq!(
        text,
        "\u{feff}Fichier;Ligne;Type;Montant;Centre financier;Programme;Domaine fonctionnel;Activité;Centre de coût;Axes différents\r\n\
         ej.csv;4;AE;-12,50;0150-ABCD-EFGH;;0150-01;;;centre financier, domaine fonctionnel\r\n"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(d.join("hors.csv")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o007, 0, "others can read the detail: {mode:o}");
}

/// A large extract, so that a run is still writing a while after it starts.
fn slow_extract(path: &Path, rows: usize) {
    let mut text = String::from(HEADER);
    for i in 0..rows {
        text += &format!(
            "\"0174-SOUT-ELAB\";\"0174-06\";\"21{i:08}\";\"1\";\"01/02/2020\";\"1,00\"\r\n"
        );
    }
    std::fs::write(path, text).unwrap();
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".chorus-recon-"))
        .collect()
}

#[test]
fn an_interrupted_run_removes_its_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    std::fs::create_dir(&input).unwrap();
    slow_extract(&input.join("ej.csv"), 300_000);
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("r.xlsx"), b"previous workbook").unwrap();
    let mut interrupted_while_writing = 0;
    for (signal, code) in [("-TERM", 143), ("-INT", 130), ("-HUP", 129)] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chorus-recon"))
            .args(["reconcile", "in", "-q", "-o", "out/r.xlsx"])
            .args(["--detail-hors-perimetre", "out/hors.csv"])
            .current_dir(d)
            .spawn()
            .unwrap();
        // Wait for the temporary files to appear (the run is writing), then interrupt.
        let started = std::time::Instant::now();
        while temporaries(&out).is_empty()
            && started.elapsed() < Duration::from_secs(60)
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        let writing = !temporaries(&out).is_empty();
        std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(temporaries(&out), Vec::<String>::new(), "{signal}");
        if status.success() {
            // Finished before the signal: the outputs are the new, complete ones.
            assert!(
                std::fs::read(out.join("r.xlsx"))
                    .unwrap()
                    .starts_with(b"PK")
            );
            std::fs::write(out.join("r.xlsx"), b"previous workbook").unwrap();
            let _ = std::fs::remove_file(out.join("hors.csv"));
        } else {
            assert_eq!(status.code(), Some(code), "{signal}");
            assert_eq!(
                std::fs::read(out.join("r.xlsx")).unwrap(),
                b"previous workbook"
            );
            interrupted_while_writing += usize::from(writing);
        }
    }
    assert!(
        interrupted_while_writing > 0,
        "no run was interrupted while writing: the test proved nothing"
    );
}

#[test]
fn stale_temporaries_of_this_tool_are_swept_and_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(&d.join("ej.csv"));
    let stale = d.join(".chorus-recon-Ab12Cd.tmp");
    let fresh = d.join(".chorus-recon-Ef34Gh.tmp");
    let foreign = d.join(".autre-outil-Ab12Cd.tmp");
    for f in [&stale, &fresh, &foreign] {
        std::fs::write(f, vec![0u8; 1024]).unwrap();
    }
    let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 86_400);
    for f in [&stale, &foreign] {
        std::fs::File::options()
            .write(true)
            .open(f)
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();
    }
    let r = run(d, &["reconcile", "ej.csv", "--as-of", "2020-12-31"]);
    r.expect_code(0);
    assert!(
        r.stderr.contains(
            "note : fichier temporaire abandonné par une exécution interrompue, supprimé"
        ) && r.stderr.contains(".chorus-recon-Ab12Cd.tmp"),
        "{}",
        r.stderr
    );
    assert!(!stale.exists());
    assert!(fresh.exists() && foreign.exists());
}
