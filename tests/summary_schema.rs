//! `schemas/resume.schema.json` against the summaries the binary writes: every fixture
//! scenario, and a second month with `--previous` (follow-up and resolved findings). The
//! schema lists every key (`additionalProperties: false`), so a key added to the summary
//! without the schema fails here.
//!
//! The validator is a small one, for the keywords the schema uses: `jsonschema` 0.61, even
//! with default features off, would add 38 crates to the lock (regex, fancy-regex,
//! num-bigint, parking_lot, strum…) and all of regex's to every cold `cargo test`. An
//! unknown keyword in the schema fails loudly rather than being ignored.

mod common;
#[path = "common/portfolio.rs"]
mod portfolio;

use std::path::Path;

use chorus_recon::model::summary::{Severity, Summary};
use common::{repo, run};
use serde_json::{Map, Value};

fn schema() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(repo().join("schemas/resume.schema.json")).unwrap(),
    )
    .unwrap()
}

/// The errors of `value` against `schema` (draft 2020-12, the subset the summary's schema
/// uses), each with its JSON path.
fn validate(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(rules) = schema.as_object() else {
        panic!("{path}: a schema must be an object");
    };
    for (keyword, rule) in rules {
        let fail = |errors: &mut Vec<String>, what: String| errors.push(format!("{path}: {what}"));
        match keyword.as_str() {
            "$schema" | "$id" | "title" | "description" | "$defs" => {}
            "$ref"
                if rule
                    .as_str()
                    .is_some_and(|r| r.starts_with("resume.schema.json")) =>
            {
                // From the portfolio's schema: a part of the convention summary's.
                let resume = self::schema();
                let pointer = rule
                    .as_str()
                    .unwrap()
                    .split_once('#')
                    .map_or("", |(_, p)| p);
                let target = resume
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("{path}: $ref {rule} not found"));
                validate(&resume, target, value, path, errors);
            }
            "$ref" => {
                let target = rule
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .and_then(|name| root["$defs"].get(name))
                    .unwrap_or_else(|| panic!("{path}: $ref {rule} not found"));
                validate(root, target, value, path, errors);
            }
            "type" => {
                let ok = match rule.as_str().unwrap() {
                    "object" => value.is_object(),
                    "array" => value.is_array(),
                    "string" => value.is_string(),
                    "integer" => value.is_i64() || value.is_u64(),
                    "boolean" => value.is_boolean(),
                    "null" => value.is_null(),
                    other => panic!("{path}: type {other} not supported"),
                };
                if !ok {
                    fail(errors, format!("{value} is not of type {rule}"));
                }
            }
            "const" if value != rule => fail(errors, format!("{value} instead of {rule}")),
            "const" => {}
            "enum" if !rule.as_array().unwrap().contains(value) => {
                fail(errors, format!("{value} not in {rule}"))
            }
            "enum" => {}
            "anyOf" => {
                let ok = rule.as_array().unwrap().iter().any(|s| {
                    let mut e = Vec::new();
                    validate(root, s, value, path, &mut e);
                    e.is_empty()
                });
                if !ok {
                    fail(errors, format!("{value} matches none of anyOf"));
                }
            }
            "required" => {
                if let Some(object) = value.as_object() {
                    for key in rule.as_array().unwrap() {
                        if !object.contains_key(key.as_str().unwrap()) {
                            fail(errors, format!("missing key {key}"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(object) = value.as_object() {
                    for (key, sub) in rule.as_object().unwrap() {
                        if let Some(v) = object.get(key) {
                            validate(root, sub, v, &format!("{path}.{key}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(rule, &Value::Bool(false), "{path}: only false is supported");
                let known = rules.get("properties").and_then(Value::as_object);
                if let Some(object) = value.as_object() {
                    for key in object.keys() {
                        if !known.is_some_and(|k: &Map<String, Value>| k.contains_key(key)) {
                            fail(errors, format!("key {key:?} not in the schema"));
                        }
                    }
                }
            }
            "items" => {
                if let Some(items) = value.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        validate(root, rule, item, &format!("{path}[{i}]"), errors);
                    }
                }
            }
            "pattern" => {
                if let Some(text) = value.as_str()
                    && !matches(rule.as_str().unwrap(), text)
                {
                    fail(errors, format!("{value} does not match {rule}"));
                }
            }
            "minLength" | "maxLength" => {
                if let Some(text) = value.as_str() {
                    let n = text.chars().count() as u64;
                    let bound = rule.as_u64().unwrap();
                    if (keyword == "minLength" && n < bound)
                        || (keyword == "maxLength" && n > bound)
                    {
                        fail(errors, format!("{value}: {keyword} {bound}"));
                    }
                }
            }
            "minimum" => {
                if let Some(n) = value.as_f64()
                    && n < rule.as_f64().unwrap()
                {
                    fail(errors, format!("{value} below {rule}"));
                }
            }
            other => panic!("{path}: keyword {other} not supported by this validator"),
        }
    }
}

/// One element of a pattern: a set of characters, repeated `min..=max` times.
struct Atom {
    accepts: Box<dyn Fn(char) -> bool>,
    min: usize,
    max: usize,
}

/// Matches the regular expressions of the schema: `^` required, `$` optional; literal
/// characters, `\.`, classes `[0-9a-f]`; quantifiers `?`, `+`, `*`, `{n}`, `{n,m}`.
fn matches(pattern: &str, text: &str) -> bool {
    let body = pattern.strip_prefix('^').expect("patterns are anchored");
    let (body, to_end) = match body.strip_suffix('$') {
        Some(b) => (b, true),
        None => (body, false),
    };
    let mut atoms: Vec<Atom> = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let accepts: Box<dyn Fn(char) -> bool> = match c {
            '\\' => {
                let e = chars.next().unwrap();
                Box::new(move |x| x == e)
            }
            '[' => {
                let mut ranges = Vec::new();
                while let Some(lo) = chars.next().filter(|&c| c != ']') {
                    let hi = if chars.peek() == Some(&'-') {
                        chars.next();
                        chars.next().unwrap()
                    } else {
                        lo
                    };
                    ranges.push((lo, hi));
                }
                Box::new(move |x| ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi))
            }
            '.' | '(' | ')' | '|' => panic!("pattern {pattern}: {c} not supported"),
            _ => Box::new(move |x| x == c),
        };
        let quantifier = chars.next_if(|&c| matches!(c, '?' | '+' | '*' | '{'));
        let (min, max) = match quantifier {
            Some('?') => (0, 1),
            Some('+') => (1, usize::MAX),
            Some('*') => (0, usize::MAX),
            Some(_) => {
                let spec: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let (lo, hi) = spec.split_once(',').unwrap_or((&spec, &spec));
                (lo.parse().unwrap(), hi.parse().unwrap())
            }
            None => (1, 1),
        };
        atoms.push(Atom { accepts, min, max });
    }
    let text: Vec<char> = text.chars().collect();
    match_from(&atoms, &text, to_end)
}

fn match_from(atoms: &[Atom], text: &[char], to_end: bool) -> bool {
    let Some((atom, rest)) = atoms.split_first() else {
        return !to_end || text.is_empty();
    };
    let run = text.iter().take_while(|&&c| (atom.accepts)(c)).count();
    (atom.min..=run.min(atom.max))
        .rev()
        .any(|n| match_from(rest, &text[n..], to_end))
}

fn errors(value: &Value) -> Vec<String> {
    let schema = schema();
    let mut errors = Vec::new();
    validate(&schema, &schema, value, "$", &mut errors);
    errors
}

/// The errors of a portfolio summary against `schemas/portefeuille.schema.json`.
fn portfolio_errors(value: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("schemas/portefeuille.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let mut errors = Vec::new();
    validate(&schema, &schema, value, "$", &mut errors);
    errors
}

#[test]
fn the_portfolio_summary_follows_its_schema() {
    let f = portfolio::fixture();
    let json = chorus_recon::report::portfolio::summary::to_json(&f.portfolio());
    let value: Value = serde_json::from_slice(&json).unwrap();
    let errors = portfolio_errors(&value);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // A key the schema does not list, in the portfolio's part or in a convention's.
    let mut extra = value.clone();
    extra["portfolio"]["orphans"]["rows"] = 3.into();
    extra["conventions"][1]["totals"]["ae_spent"] = "1.00".into();
    let errors = portfolio_errors(&extra);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("conventions[1].totals") || errors[1].contains("conventions[1].totals"),
        "{errors:?}"
    );
}

fn assert_valid(value: &Value, what: &str) {
    let errors = errors(value);
    assert!(
        errors.is_empty(),
        "{what}: the summary does not follow schemas/resume.schema.json:\n{}",
        errors.join("\n")
    );
}

/// Reconciles a fixture folder into `out`; returns the summary.
fn summary_of(dir: &Path, args: &[String], out: &Path, previous: Option<&Path>) -> Value {
    let summary = out.join("resume.json");
    let mut all: Vec<String> = vec!["reconcile".into(), dir.display().to_string()];
    all.extend(args.iter().cloned());
    all.extend(["--fail-on".into(), "never".into(), "-q".into()]);
    all.extend(["-o".into(), out.join("r.xlsx").display().to_string()]);
    all.extend(["--summary".into(), summary.display().to_string()]);
    if let Some(p) = previous {
        all.extend(["--previous".into(), p.display().to_string()]);
    }
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    run(&repo(), &all).expect_code(0);
    serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap()
}

#[test]
fn every_fixture_summary_follows_the_schema() {
    let mut seen = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(repo().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if name == "bad" {
            continue; // every file there is refused: no summary
        }
        let args: Vec<String> = match std::fs::read_to_string(dir.join("expected.json")) {
            Ok(text) => serde_json::from_str::<Value>(&text).unwrap()["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
            Err(_) => vec!["--as-of".into(), "2020-12-31".into()],
        };
        let out = tempfile::tempdir().unwrap();
        let summary = summary_of(&dir, &args, out.path(), None);
        assert_eq!(summary["format_version"], 2, "{name}");
        assert_valid(&summary, &name);
        seen += 1;
    }
    assert!(seen >= 9, "only {seen} fixtures");
}

/// The portfolio fixture's convention C, with an avenant and mises à disposition: its
/// summary's `amendments` and `provisions` follow the schema too.
#[test]
fn an_amended_convention_summary_follows_the_schema() {
    let dir = repo().join("fixtures/portefeuille");
    let convention = dir.join("conventions/dgec-dinum-appui-data.toml");
    let args = ["-c".into(), convention.display().to_string()];
    let args = [args.to_vec(), vec!["--as-of".into(), "2021-12-31".into()]].concat();
    let out = tempfile::tempdir().unwrap();
    let summary = summary_of(&dir.join("extraits"), &args, out.path(), None);
    assert_eq!(summary["amendments"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        summary["provisions"]["overruns"].as_array().map(Vec::len),
        Some(4)
    );
    assert_valid(&summary, "portefeuille (C)");
}

#[test]
fn a_followed_up_summary_follows_the_schema() {
    let dir = repo().join("fixtures/anomalies");
    let june = tempfile::tempdir().unwrap();
    summary_of(
        &dir,
        &["--as-of".into(), "2021-06-30".into()],
        june.path(),
        None,
    );
    let december = tempfile::tempdir().unwrap();
    let summary = summary_of(
        &dir,
        &["--as-of".into(), "2021-12-31".into()],
        december.path(),
        Some(&june.path().join("resume.json")),
    );
    let findings = summary["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["follow_up"] == "open"));
    assert!(!summary["resolved"].as_array().unwrap().is_empty());
    assert_valid(&summary, "anomalies, with --previous");
}

#[test]
fn a_declared_summary_follows_the_schema() {
    let dir = repo().join("fixtures/declaration-commandes");
    let out = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["--as-of", "2020-12-31", "--declare"]
        .into_iter()
        .map(String::from)
        .chain([dir.join("declaration.csv").display().to_string()])
        .collect();
    let summary = summary_of(&dir, &args, out.path(), None);
    assert_eq!(summary["declaration"]["rows"], 13);
    assert_valid(&summary, "declaration-commandes, with --declare");
}

#[test]
fn a_broken_summary_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let good = summary_of(
        &repo().join("fixtures/anomalies"),
        &["--as-of".into(), "2021-12-31".into()],
        out.path(),
        None,
    );
    assert_valid(&good, "anomalies");
    type Damage = fn(&mut Value);
    let breaks: [(&str, Damage); 11] = [
        ("a float amount", |s| {
            s["totals"]["ae_consumed"] = 12.5.into()
        }),
        ("one decimal", |s| {
            s["totals"]["ae_consumed"] = "12.5".into()
        }),
        ("a comma", |s| s["totals"]["cp_consumed"] = "12,50".into()),
        ("a missing key", |s| {
            s["lines"].as_object_mut().unwrap().remove("rejected");
        }),
        ("an unknown key", |s| s["extra"] = true.into()),
        ("another format", |s| s["format_version"] = 3.into()),
        ("an unknown code", |s| {
            s["findings"][0]["code"] = "TITRE2".into()
        }),
        ("a negative count", |s| s["lines"]["read"] = (-1).into()),
        ("a bad date", |s| s["as_of"] = "31/12/2021".into()),
        ("a key without its code", |s| {
            s["findings"][0]["key"] = "ej=2100000302".into()
        }),
        ("an empty subject", |s| {
            s["findings"][0]["key"] = "TITRE_2:".into()
        }),
    ];
    for (what, damage) in breaks {
        let mut broken = good.clone();
        damage(&mut broken);
        assert!(!errors(&broken).is_empty(), "{what} was accepted");
    }
}

#[test]
fn patterns_match_as_regular_expressions_would() {
    let amount = r"^-?[0-9]+\.[0-9]{2}$";
    for ok in ["0.00", "-12.50", "138936678.56"] {
        assert!(matches(amount, ok), "{ok}");
    }
    for bad in ["", "1", "1.5", "1.234", "+1.00", ".50", "1,00", "1.00 "] {
        assert!(!matches(amount, bad), "{bad}");
    }
    let version = r"^[0-9]+\.[0-9]+\.[0-9]+";
    assert!(matches(version, "0.2.0"));
    assert!(matches(version, "1.10.3-rc1"));
    assert!(!matches(version, "v1.0.0"));
    assert!(matches(r"^[0-9a-f]{64}$", &"ab".repeat(32)));
    assert!(!matches(r"^[0-9a-f]{64}$", &"AB".repeat(32)));
}

/// Month 1 on the `anomalies` fixture (its extracts copied into a folder, with the built-in
/// convention as a file), then month 2 with `--previous`; returns both summaries. `touch`
/// changes month 2's folder and convention first.
fn two_months(touch: impl Fn(&Path)) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let (m1, m2) = (dir.path().join("m1"), dir.path().join("m2"));
    let conv = run(&repo(), &["convention", "show"]);
    conv.expect_code(0);
    for m in [&m1, &m2] {
        std::fs::create_dir_all(m.join("extraits")).unwrap();
        std::fs::write(m.join("convention.toml"), &conv.stdout).unwrap();
        for e in std::fs::read_dir(repo().join("fixtures/anomalies")).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "csv") {
                let to = m.join("extraits").join(path.file_name().unwrap());
                std::fs::copy(&path, to).unwrap();
            }
        }
    }
    touch(&m2);
    let month = |m: &Path, as_of: &str, previous: Option<&Path>| -> Value {
        let mut args = vec!["reconcile", "extraits", "--convention", "convention.toml"];
        args.extend(["--as-of", as_of, "-q", "--fail-on", "never"]);
        args.extend(["-o", "r.xlsx", "--summary", "r.json"]);
        let previous = previous.map(|p| p.join("r.json").display().to_string());
        if let Some(p) = &previous {
            args.extend(["--previous", p.as_str()]);
        }
        run(m, &args).expect_code(0);
        serde_json::from_slice(&std::fs::read(m.join("r.json")).unwrap()).unwrap()
    };
    (
        month(&m1, "2021-06-30", None),
        month(&m2, "2021-07-31", Some(&m1)),
    )
}

fn keys(summary: &Value, list: &str) -> Vec<String> {
    let mut keys: Vec<String> = summary[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

#[test]
fn finding_keys_follow_what_findings_are_about_not_files_rows_or_order() {
    let (june, july) = two_months(|m2| {
        // Products swapped in the convention.
        let path = m2.join("convention.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let (a, b) = (
            text.find("[[produit]]").unwrap(),
            text.rfind("[[produit]]").unwrap(),
        );
        let end = text.find("[[echeancier]]").unwrap();
        let (first, second) = (&text[a..b], &text[b..end]);
        let swapped = format!("{}{second}\n{first}\n{}", &text[..a], &text[end..]);
        assert_ne!(swapped, text);
        std::fs::write(&path, swapped).unwrap();
        // Inputs renamed (so read in another order), and EJ 2100000302 (a TITRE_2 line,
        // paid above its commitment) given another amount.
        let x = m2.join("extraits");
        for (from, to) in [
            ("dp_2020.csv", "paiements-2020.csv"),
            ("dp_2020_rectifie.csv", "paiements-2020-corriges.csv"),
            ("ej_2021.csv", "engagements-2021.csv"),
            ("ej_2020.csv", "engagements-2020.csv"),
        ] {
            std::fs::rename(x.join(from), x.join(to)).unwrap();
        }
        let ej = x.join("engagements-2020.csv");
        let text = std::fs::read_to_string(&ej).unwrap();
        let touched = text.replacen("\"30000,00\"", "\"31000,00\"", 1);
        assert_ne!(touched, text);
        std::fs::write(&ej, touched).unwrap();
    });
    let files = |s: &Value| -> Vec<String> {
        s["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(files(&july).iter().all(|f| !files(&june).contains(f)));
    assert_eq!(july["products"][0]["id"], "carbure", "products swapped");
    let titre_2: Vec<&Value> = july["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TITRE_2")
        .collect();
    assert_eq!(titre_2.len(), 1);
    assert_eq!(titre_2[0]["ej"], "2100000302");
    // Keys are a month-to-month contract: a toolchain or hashing change that moved them
    // would make every finding « new » once. This one is the EJ poste's state key.
    assert_eq!(
        titre_2[0]["key"],
        "TITRE_2:8255e259e0d6afdbcd0d231708b6d25e"
    );
    // Every finding about the same thing is still open, nothing resolved.
    let june_keys = keys(&june, "findings");
    assert!(june_keys.len() >= 15, "{june_keys:?}");
    assert!(
        june_keys
            .iter()
            .all(|k| k.contains(':') && !k.ends_with(':'))
    );
    // Except the projections of June: on 31/07/2021, the convention's last day, 2021 has
    // nothing left to project (`CREDITS_NON_CONSOMMES_PREVUS` warns while a year runs).
    let june_kept: Vec<String> = (june_keys.iter())
        .filter(|k| !k.starts_with("CREDITS_NON_CONSOMMES_PREVUS:"))
        .cloned()
        .collect();
    assert_eq!(june_kept.len(), june_keys.len() - 2, "{june_keys:?}");
    assert_eq!(keys(&july, "findings"), june_kept);
    for f in july["findings"].as_array().unwrap() {
        assert_eq!(f["follow_up"], "open", "{f}");
        assert_eq!(f["first_seen"], "2021-06-30", "{f}");
    }
    let projections: Vec<String> = (june_keys.iter())
        .filter(|k| !june_kept.contains(k))
        .cloned()
        .collect();
    assert_eq!(keys(&july, "resolved"), projections);
}

/// `anomalies` in June, then in December with `--previous`: December's summary bytes.
fn followed_up_bytes(dir: &Path) -> Vec<u8> {
    let fixture = repo().join("fixtures/anomalies");
    let (june, december) = (dir.join("juin"), dir.join("decembre"));
    std::fs::create_dir_all(&june).unwrap();
    std::fs::create_dir_all(&december).unwrap();
    summary_of(
        &fixture,
        &["--as-of".into(), "2021-06-30".into()],
        &june,
        None,
    );
    let previous = june.join("resume.json");
    let args = ["--as-of".into(), "2021-12-31".into()];
    summary_of(&fixture, &args, &december, Some(&previous));
    std::fs::read(december.join("resume.json")).unwrap()
}

#[test]
fn a_summary_read_back_gives_the_same_findings_and_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = followed_up_bytes(dir.path());
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    let read: Summary = serde_json::from_slice(&bytes).unwrap();
    let written = value["findings"].as_array().unwrap();
    assert_eq!(read.findings.len(), written.len());
    assert!(read.findings.iter().any(|f| f.first_seen.is_some()));
    for (f, w) in read.findings.iter().zip(written) {
        assert_eq!(f.key, w["key"].as_str().unwrap());
        assert_eq!(serde_json::to_value(f.severity).unwrap(), w["severity"]);
        let first_seen = f.first_seen.map(|d| d.format("%Y-%m-%d").to_string());
        assert_eq!(first_seen.as_deref(), w["first_seen"].as_str(), "{w}");
    }
    let resolved = value["resolved"].as_array().unwrap();
    assert!(!resolved.is_empty());
    for (r, w) in read.resolved.iter().zip(resolved) {
        let severity = Severity::parse(w["severity"].as_str().unwrap());
        assert_eq!(
            (r.key.as_str(), Some(r.severity)),
            (w["key"].as_str().unwrap(), severity)
        );
    }
    // Written again, the summary read is the summary written, byte for byte.
    let mut again = serde_json::to_vec_pretty(&read).unwrap();
    again.push(b'\n');
    assert_eq!(
        String::from_utf8(again).unwrap(),
        String::from_utf8(bytes).unwrap()
    );
}

#[test]
fn an_older_summary_serves_as_previous_and_a_newer_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = followed_up_bytes(dir.path());
    let mut old: Value = serde_json::from_slice(&bytes).unwrap();
    // Format 1 as far as the follow-up goes: no format_version, no follow-up keys, parts
    // in shapes this version does not write.
    let object = old.as_object_mut().unwrap();
    for key in ["format_version", "tool", "resolved", "conservation"] {
        object.remove(key);
    }
    object.insert("inputs".into(), 4.into());
    for f in old["findings"].as_array_mut().unwrap() {
        let f = f.as_object_mut().unwrap();
        for key in ["follow_up", "first_seen", "age_months", "sheet"] {
            f.remove(key);
        }
    }
    let reconcile = |previous: &Value, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(previous).unwrap()).unwrap();
        let out = dir.path().join(format!("apres-{name}"));
        std::fs::create_dir_all(&out).unwrap();
        let args = [
            "reconcile",
            "fixtures/anomalies",
            "--as-of",
            "2022-01-31",
            "-q",
            "--fail-on",
            "never",
            "-o",
            "/dev/null",
            "--summary",
            "-",
            "--previous",
        ];
        let mut args: Vec<&str> = args.to_vec();
        args.push(path.to_str().unwrap());
        run(&repo(), &args)
    };
    let r = reconcile(&old, "ancien.json");
    r.expect_code(0);
    let january: Value = serde_json::from_str(&r.stdout).unwrap();
    for f in january["findings"].as_array().unwrap() {
        assert_eq!(f["follow_up"], "open", "{f}");
        assert_eq!(f["first_seen"], "2021-12-31", "{f}");
    }
    let mut newer: Value = serde_json::from_slice(&bytes).unwrap();
    newer["format_version"] = 3.into();
    let r = reconcile(&newer, "futur.json");
    r.expect_code(2);
    assert!(
        r.stderr.contains("résumé au format 3, plus récent"),
        "{}",
        r.stderr
    );
    let mut unknown: Value = serde_json::from_slice(&bytes).unwrap();
    unknown["findings"][0]["severity"] = "grave".into();
    let r = reconcile(&unknown, "grave.json");
    r.expect_code(2);
    assert!(
        r.stderr.contains("gravité « grave » inconnue"),
        "{}",
        r.stderr
    );
}
