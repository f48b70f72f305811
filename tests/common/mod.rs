//! Helpers for the end-to-end tests: run the real binary, loudly.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The public Chorus samples, beside the repository (CI has them; a user's clone may not).
pub fn samples() -> Option<PathBuf> {
    let dir = repo().join("../shared/samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** ÉCHANTILLONS ABSENTS : {} introuvable, test ignoré ***\n",
            dir.display()
        );
        None
    }
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `chorus-recon` with `args` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_chorus-recon"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Outcome {
    /// Panics with the whole output when the exit code is not `expected`.
    pub fn expect_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code {} instead of {expected}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Asserts that every key of `expected` is in `actual` with an equal value; arrays must
/// have the same length and match element by element. Panics with the JSON path.
pub fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let sub = format!("{path}.{k}");
                let got = a.get(k).unwrap_or_else(|| panic!("{sub} absent du résumé"));
                assert_subset(v, got, &sub);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(
                e.len(),
                a.len(),
                "{path}: {} éléments attendus, {} obtenus\n{a:#?}",
                e.len(),
                a.len()
            );
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                assert_subset(ev, av, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

/// Reads a workbook back: sheet names in order, and each sheet as rows of strings.
pub fn read_workbook(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).expect("the workbook opens");
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("the sheet reads");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}
