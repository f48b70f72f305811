//! Same inputs, same bytes: whatever the run, the thread count or the order of the inputs
//! on the command line.

mod common;

use common::{repo, run};

fn reconcile(jobs: &str, inputs: &[&str], name: &str, dir: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    let book = dir.join(format!("{name}.xlsx"));
    let summary = dir.join(format!("{name}.json"));
    let mut args = vec!["reconcile"];
    args.extend(inputs);
    let (b, s) = (book.display().to_string(), summary.display().to_string());
    args.extend([
        "--as-of",
        "2021-12-31",
        "-q",
        "--fail-on",
        "never",
        "-j",
        jobs,
        "-o",
        &b,
        "--summary",
        &s,
    ]);
    run(&repo(), &args).expect_code(0);
    (
        std::fs::read(&book).unwrap(),
        std::fs::read(&summary).unwrap(),
    )
}

#[test]
fn workbook_and_summary_bytes_do_not_depend_on_run_jobs_or_argument_order() {
    let dir = tempfile::tempdir().unwrap();
    let all = ["fixtures/annee-complete", "fixtures/formats"];
    let first = reconcile("1", &all, "a", dir.path());
    let again = reconcile("1", &all, "b", dir.path());
    let two = reconcile("2", &all, "c", dir.path());
    let reversed = reconcile(
        "4",
        &["fixtures/formats", "fixtures/annee-complete"],
        "d",
        dir.path(),
    );
    assert!(first == again, "two runs differ");
    assert!(first == two, "--jobs 1 and --jobs 2 differ");
    assert!(
        first == reversed,
        "the order of the arguments changes the output"
    );
}
