//! The committed workbook fixtures are exactly what their generator writes: regenerating
//! them is a reviewed step, never a hand edit of a binary file.

#[path = "../examples/make_xlsx_fixtures.rs"]
mod make_xlsx_fixtures;

use std::path::Path;

#[test]
fn committed_workbooks_match_their_generator() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    make_xlsx_fixtures::write_all(repo, out.path()).unwrap();
    let mut compared = 0;
    for dir in [
        "fixtures/classeurs",
        "fixtures/conforme-xlsx",
        "fixtures/journal-jp51-jp57",
    ] {
        for entry in std::fs::read_dir(out.path().join(dir)).unwrap() {
            let written = entry.unwrap().path();
            let name = written.file_name().unwrap();
            let committed = repo.join(dir).join(name);
            assert!(
                std::fs::read(&committed).ok() == Some(std::fs::read(&written).unwrap()),
                "{} differs from what `cargo run --example make_xlsx_fixtures` writes",
                committed.display()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 9);
}
