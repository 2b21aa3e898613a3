//! The JSON outputs and `docs/json.md` stay in step: every field the page
//! describes appears in real output, the output has no field the page does
//! not describe, and each object names its schema (issue #15).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

mod binary;

use std::collections::{BTreeMap, BTreeSet};

use binary::meed;
use serde_json::Value;

/// The documented field paths of each schema: the first column of the
/// table under each `` ## `meed.NAME/N` `` heading.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let page = std::fs::read_to_string("docs/json.md").unwrap();
    let mut schemas: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            current = heading
                .strip_prefix('`')
                .and_then(|h| h.strip_suffix('`'))
                .map(str::to_string);
            continue;
        }
        if let (Some(schema), Some(cell)) = (&current, line.strip_prefix("| `")) {
            let path = cell.split('`').next().unwrap_or_default();
            schemas
                .entry(schema.clone())
                .or_default()
                .insert(path.to_string());
        }
    }
    schemas
}

/// Every path in `value`: `a`, `a.b`, `list[].field`.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                paths(inner, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn observe(document: &str, schema: &str, out: &mut BTreeSet<String>) {
    let value: Value =
        serde_json::from_str(document).unwrap_or_else(|e| panic!("not JSON ({e}): {document}"));
    assert_eq!(value["schema"], schema, "{document}");
    paths(&value, "", out);
}

const BUNDLED: [&str; 5] = [
    "community",
    "oncall_timeoff",
    "qa_reputation",
    "sales_commission",
    "volunteers",
];

fn log_of(name: &str) -> String {
    ["log.csv", "log.jsonl"]
        .iter()
        .map(|f| format!("examples/{name}/{f}"))
        .find(|p| std::path::Path::new(p).exists())
        .unwrap()
}

#[test]
fn the_documented_fields_are_the_fields_written() {
    let documented = documented();
    let mut observed: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();

    let ledger = observed.entry("meed.ledger/1").or_default();
    for name in BUNDLED {
        let policy = format!("rules/{name}.meed");
        let people = format!("examples/{name}/people.csv");
        let run = meed(&[
            "eval",
            &policy,
            &log_of(name),
            "--people",
            &people,
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        observe(&run.stdout, "meed.ledger/1", ledger);
    }

    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.meed");
    let old = std::fs::read_to_string("rules/community.meed").unwrap();
    std::fs::write(
        &new,
        old.replace(
            "grant reputation 4 pts * d.pages",
            "grant reputation 5 pts * d.pages",
        ),
    )
    .unwrap();
    let run = meed(&[
        "diff",
        "rules/community.meed",
        new.to_str().unwrap(),
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    observe(
        &run.stdout,
        "meed.diff/1",
        observed.entry("meed.diff/1").or_default(),
    );

    let bad = dir.path().join("bad.meed");
    std::fs::write(
        &bad,
        "reward bonus: Money(EUR)\nrule r {\n  on reviw r\n  grant bonus 5 EUR\n}\n",
    )
    .unwrap();
    let run = meed(&["check", bad.to_str().unwrap(), "--diagnostics", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let diagnostics = observed.entry("meed.diagnostic/1").or_default();
    for line in run.stderr.lines().filter(|l| l.starts_with('{')) {
        observe(line, "meed.diagnostic/1", diagnostics);
    }
    assert!(!diagnostics.is_empty(), "{}", run.stderr);

    assert_eq!(
        documented.keys().map(String::as_str).collect::<Vec<_>>(),
        observed.keys().copied().collect::<Vec<_>>(),
        "docs/json.md documents other schemas than meed writes"
    );
    for (schema, fields) in &observed {
        let doc = &documented[*schema];
        let undocumented: Vec<_> = fields.difference(doc).collect();
        let unseen: Vec<_> = doc.difference(fields).collect();
        assert!(
            undocumented.is_empty(),
            "{schema}: fields written but not in docs/json.md: {undocumented:?}"
        );
        assert!(
            unseen.is_empty(),
            "{schema}: fields in docs/json.md never written: {unseen:?}"
        );
    }
}
