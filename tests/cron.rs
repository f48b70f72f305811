//! The README's crontab line, run as written through `sh -c`, two months in a row: the
//! monthly wrapper `contrib/rapprochement-mensuel.sh` must write both workbooks, date the
//! summaries, and follow the first month's findings up in the second. Only the paths of
//! the line change (to a temp folder, this build's binary and the repository's script).

mod common;

use std::fs::File;
use std::path::Path;
use std::process::Command;

use common::repo;
use serde_json::Value;

/// The crontab line of the README (the one that starts with its schedule), without the
/// schedule, its paths pointed at `root` (for `/srv/cbcm`), this build's binary and the
/// repository's wrapper.
fn readme_command(root: &Path) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find_map(|l| l.strip_prefix("0 6 2 * * "))
        .expect("README: a crontab line « 0 6 2 * * … »");
    line.replace(
        "/usr/local/bin/chorus-recon",
        env!("CARGO_BIN_EXE_chorus-recon"),
    )
    .replace(
        "/usr/local/bin/rapprochement-mensuel.sh",
        &repo()
            .join("contrib/rapprochement-mensuel.sh")
            .display()
            .to_string(),
    )
    .replace("/srv/cbcm", &root.display().to_string())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs the command with `AS_OF` set, as cron would (`sh -c`); returns the exit code and
/// stderr.
fn month(command: &str, as_of: &str) -> (i32, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("AS_OF", as_of)
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("--- AS_OF={as_of} : code {:?}\n{stderr}", out.status.code());
    (out.status.code().unwrap_or(-1), stderr)
}

fn summary(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{} : {e}", path.display());
    }))
    .unwrap()
}

#[test]
fn the_readme_crontab_line_runs_two_months_and_follows_findings_up() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("fixtures/annee-complete"),
        &root.path().join("extraits"),
    );
    let command = readme_command(root.path());
    let out = root.path().join("rapprochements");

    let (first, _) = month(&command, "2021-06-30");
    assert!(first == 0 || first == 1, "first month: code {first}");
    let (second, _) = month(&command, "2021-07-31");
    assert!(second == 0 || second == 1, "second month: code {second}");

    for name in [
        "rapprochement-2021-06.xlsx",
        "rapprochement-2021-07.xlsx",
        "resume-2021-06.json",
        "resume-2021-07.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let june = summary(&out.join("resume-2021-06.json"));
    let july = summary(&out.join("resume-2021-07.json"));
    assert_eq!(june["as_of"], "2021-06-30");
    assert_eq!(july["as_of"], "2021-07-31");
    // The first month had no previous summary: no follow-up.
    let june_findings = june["findings"].as_array().unwrap();
    assert!(
        !june_findings.is_empty(),
        "the fixture has findings in June"
    );
    assert!(june_findings.iter().all(|f| f["follow_up"].is_null()));
    // The second month was compared with the first: June's findings still there are
    // « open » since June, the others « new ».
    let june_keys: Vec<&str> = june_findings
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    let july_findings = july["findings"].as_array().unwrap();
    let mut open = 0;
    for f in july_findings {
        let known = june_keys.contains(&f["key"].as_str().unwrap());
        let expected = if known { "open" } else { "new" };
        assert_eq!(f["follow_up"], expected, "{f}");
        if known {
            assert_eq!(f["first_seen"], "2021-06-30", "{f}");
            open += 1;
        }
    }
    assert!(open > 0, "some June finding is still open in July");
    let resolved = july["resolved"].as_array().unwrap().len();
    assert_eq!(
        june_keys.len(),
        open + resolved,
        "every June finding is open or resolved in July"
    );

    // Run July again (a retry): still compared with June, not with itself.
    let (again, _) = month(&command, "2021-07-31");
    assert_eq!(again, second);
    let july_again = summary(&out.join("resume-2021-07.json"));
    assert_eq!(july_again["findings"], july["findings"]);

    let journal = std::fs::read_to_string(out.join("journal.log")).unwrap();
    let lines: Vec<&str> = journal.lines().collect();
    assert_eq!(lines.len(), 3, "{journal}");
    assert!(
        lines[0].contains("rapprochement 2021-06 : code"),
        "{journal}"
    );
    assert!(lines[0].contains("premier mois"), "{journal}");
    assert!(
        lines[1].contains("suivi de resume-2021-06.json"),
        "{journal}"
    );
    assert!(
        lines[2].contains("suivi de resume-2021-06.json"),
        "{journal}"
    );
}

#[test]
fn a_held_lock_gives_code_3_and_a_retry_line() {
    let root = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("fixtures/conforme"),
        &root.path().join("extraits"),
    );
    let command = readme_command(root.path());
    let out = root.path().join("rapprochements");
    std::fs::create_dir_all(&out).unwrap();
    // Another run holds the workbook's lock.
    let lock = File::create(out.join(".rapprochement-2020-12.xlsx.lock")).unwrap();
    lock.try_lock().unwrap();

    let (code, stderr) = month(&command, "2020-12-31");
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("réessayer plus tard"), "{stderr}");
    assert!(!out.join("rapprochement-2020-12.xlsx").exists());
    assert!(!out.join("resume-2020-12.json").exists());
    let journal = std::fs::read_to_string(out.join("journal.log")).unwrap();
    assert!(journal.contains("code 3"), "{journal}");

    drop(lock);
    let (code, stderr) = month(&command, "2020-12-31");
    assert_eq!(code, 0, "{stderr}");
    assert!(out.join("rapprochement-2020-12.xlsx").is_file());
}

#[test]
fn a_bad_date_is_refused_before_anything_runs() {
    let root = tempfile::tempdir().unwrap();
    let command = readme_command(root.path());
    let (code, stderr) = month(&command, "31/12/2021");
    assert_eq!(code, 2);
    assert!(stderr.contains("AAAA-MM-JJ"), "{stderr}");
}
