//! The house is one-way: a module imports only modules below it in [`LAYERS`] (the same
//! table as in ARCHITECTURE.md). Scans `src/**/*.rs` for `crate::x` paths (in `use`
//! lines, grouped `use crate::{a, b}` and inline paths) and fails naming the file, the
//! line and the edge that goes up. With a total order and no upward edge, there is no
//! cycle either.
//!
//! Test code is not held to the rule (a unit test may drive the whole pipeline): files
//! named `tests*.rs` and the bodies of `#[cfg(test)] mod … { … }` are skipped.

use std::fs;
use std::path::{Path, PathBuf};

/// Lowest first. A module may import the ones before it, never the ones after.
const LAYERS: &[&str] = &[
    "error",
    "model",
    "convention",
    "ingest",
    "normalize",
    "tables",
    "classify",
    "reconcile",
    "report",
    "output",
    "pipeline",
    "progress",
    "cli",
    "scripts",
    "app",
];

/// Edges forbidden although they go down: the report renders a result type it owns the
/// shape of, so it never sees how inputs were read (ingest) or rows parsed (normalize).
const FORBIDDEN: &[(&str, &str)] = &[("report", "ingest"), ("report", "normalize")];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top module a file belongs to: `src/x.rs` or `src/x/...` -> `x`.
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src/");
    let first = relative.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// The non-test lines of a file: the body of each `#[cfg(test)] mod x { … }` is blanked
/// out (braces counted; line numbers kept), the rest is kept as written.
fn production_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let next = lines.get(i + 1).map_or("", |l| l.trim_start());
        let test_mod = lines[i].trim() == "#[cfg(test)]"
            && (next.starts_with("mod ") || next.starts_with("pub mod "))
            && next.trim_end().ends_with('{');
        if !test_mod {
            i += 1;
            continue;
        }
        let mut depth = 0i64;
        let mut j = i + 1;
        while j < lines.len() {
            depth += lines[j].matches('{').count() as i64 - lines[j].matches('}').count() as i64;
            lines[j] = "";
            j += 1;
            if depth <= 0 {
                break;
            }
        }
        i = j;
    }
    lines
}

fn identifier(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top modules named by `crate::` paths in `text`, with the 1-based line of each.
fn imports(lines: &[&str]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // Grouped imports may span lines: scan the text joined, keeping line numbers.
    let joined = lines.join("\n");
    let line_of = |offset: usize| joined[..offset].matches('\n').count() + 1;
    for (offset, _) in joined.match_indices("crate::") {
        let before = joined[..offset].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // e.g. `chorus_recon_crate::`, not ours
        }
        let line = lines[line_of(offset) - 1].trim_start();
        if line.starts_with("//") {
            continue;
        }
        let rest = &joined[offset + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}}`: the first identifier of each top-level item.
            let (mut depth, mut item_start) = (0usize, 0usize);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push((
                            line_of(offset),
                            identifier(group[item_start..].trim_start()).to_string(),
                        ));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push((
                            line_of(offset),
                            identifier(group[item_start..].trim_start()).to_string(),
                        ));
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push((line_of(offset), identifier(rest).to_string()));
        }
    }
    found
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut unknown = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(file);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let module = top_module(&src, file);
        if module == "lib" || module == "main" || name.starts_with("tests") {
            continue; // the root (re-exports every module) and the binary (uses the library)
        }
        let Some(from) = rank(&module) else {
            unknown.push(format!(
                "{}: module `{module}` is not in LAYERS",
                relative.display()
            ));
            continue;
        };
        let text = fs::read_to_string(file).expect("readable source");
        for (line, target) in imports(&production_lines(&text)) {
            match rank(&target) {
                Some(to) if to > from => upward.push(format!(
                    "{}:{line}: `{module}` imports `{target}`, which is above it ({module} is layer {from}, {target} layer {to})",
                    relative.display()
                )),
                _ if FORBIDDEN.contains(&(module.as_str(), target.as_str())) => upward.push(format!(
                    "{}:{line}: `{module}` imports `{target}`, which ARCHITECTURE.md forbids",
                    relative.display()
                )),
                _ => {} // below, itself, or a root item (`crate::EXIT_OK`)
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "every top module must have a place in LAYERS (tests/architecture.rs and ARCHITECTURE.md):\n{}",
        unknown.join("\n")
    );
    assert!(
        upward.is_empty(),
        "imports that go up the house (see ARCHITECTURE.md, « Who may import whom »):\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let text = "use crate::model::Line;\nuse crate::{error::Error,\n  report::{self, x}};\nlet x = crate::pipeline::run();\n// crate::app is a comment\n#[cfg(test)]\nmod tests {\n    use crate::app;\n}\nuse crate::output;\n";
    let found = imports(&production_lines(text));
    let names: Vec<(usize, &str)> = found.iter().map(|(l, m)| (*l, m.as_str())).collect();
    assert_eq!(
        names,
        [
            (1, "model"),
            (2, "error"),
            (2, "report"),
            (4, "pipeline"),
            (10, "output")
        ]
    );
}

#[test]
fn the_layer_table_matches_architecture_md() {
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md at the root");
    let table = LAYERS.join(" < ");
    assert!(
        doc.contains(&table),
        "ARCHITECTURE.md must state the layer order exactly as the test does:\n{table}"
    );
}
