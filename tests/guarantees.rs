//! `docs/guarantees.md` names, for each promise, the tests that check it
//! (`file` › `test`, `test`; `file` › `test`). A renamed, removed or ignored
//! test would leave a promise unchecked while the page still claims it: this
//! test fails instead.
//!
//! The parser reads citations wherever they are (table cells, lists, prose),
//! so it does not depend on the page's layout.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::path::Path;

/// One piece of a line: a `code span` or the text between two of them.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Code(&'a str),
    Text(&'a str),
}

fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else {
            out.push(Piece::Text(after));
            return out;
        };
        out.push(Piece::Code(&after[..close]));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    out
}

/// A cited path: a file of the repository, not a code (`meed::...`), a
/// value or a command.
fn is_path(code: &str) -> bool {
    [
        "tests/",
        "src/",
        "fuzz/",
        "docs/",
        "benches/",
        "examples/",
        "rules/",
    ]
    .iter()
    .any(|p| code.starts_with(p))
        && !code.contains(' ')
}

fn is_test_name(code: &str) -> bool {
    !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `(line number, file, test)`: one `file` › `test` citation.
type TestCitation = (usize, String, String);
/// `(line number, path)`: one path cited.
type PathCitation = (usize, String);

/// Every `file` › `test` citation of `page`, every path it cites, and every
/// snapshot (`snapshot `name``) it cites.
fn citations(page: &str) -> (Vec<TestCitation>, Vec<PathCitation>, Vec<PathCitation>) {
    let mut tests = Vec::new();
    let mut paths = Vec::new();
    let mut snapshots = Vec::new();
    for (number, line) in page.lines().enumerate() {
        let number = number + 1;
        // The `.rs` file last cited, and whether its `›` list is open: it
        // opens at `›` and stays open while only `,` separates the names.
        let mut file: Option<&str> = None;
        let mut listing = false;
        let mut snapshot = false;
        for piece in pieces(line) {
            match piece {
                Piece::Code(code) if snapshot => {
                    snapshots.push((number, code.to_string()));
                    snapshot = false;
                }
                Piece::Code(code) if is_path(code) => {
                    paths.push((number, code.to_string()));
                    file = code.ends_with(".rs").then_some(code);
                    listing = false;
                }
                Piece::Code(code) => {
                    if let Some(file) = file.filter(|_| listing)
                        && is_test_name(code)
                    {
                        tests.push((number, file.to_string(), code.to_string()));
                    }
                }
                Piece::Text(text) if text.trim_end().ends_with("snapshot") => {
                    snapshot = true;
                    file = None;
                    listing = false;
                }
                Piece::Text(text) => match text.trim() {
                    "›" if file.is_some() && !listing => listing = true,
                    "," if listing => {}
                    "" if !listing => {}
                    _ => {
                        file = None;
                        listing = false;
                    }
                },
            }
        }
    }
    (tests, paths, snapshots)
}

/// Whether `file` declares a test function `name`: `fn name(` with
/// `#[test]` among the attributes right above it, and not `#[ignore]`d.
fn declares_test(source: &str, name: &str) -> Result<(), String> {
    let lines: Vec<&str> = source.lines().collect();
    let needle = format!("fn {name}(");
    let Some(at) = lines.iter().position(|l| l.contains(&needle)) else {
        return Err("no such function".to_string());
    };
    let mut test = false;
    for line in lines[..at].iter().rev() {
        let line = line.trim();
        if line.starts_with("#[test]") {
            test = true;
        } else if line.starts_with("#[ignore") {
            return Err("it is #[ignore]d: CI never runs it".to_string());
        } else if !(line.starts_with("#[") || line.starts_with("///") || line.starts_with("//")) {
            break;
        }
    }
    if test {
        Ok(())
    } else {
        Err("a function, but not a #[test]".to_string())
    }
}

#[test]
fn every_test_cited_by_the_guarantees_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/guarantees.md")).unwrap();
    let (tests, paths, snapshots) = citations(&page);
    let mut problems = Vec::new();
    let snapshot_files: Vec<String> = std::fs::read_dir(root.join("tests/snapshots"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for (line, name) in &snapshots {
        let suffix = format!("@{name}.");
        if !snapshot_files.iter().any(|f| f.contains(&suffix)) {
            problems.push(format!(
                "line {line}: no snapshot `{name}` in tests/snapshots/"
            ));
        }
    }
    for (line, path) in &paths {
        if !root.join(path).exists() {
            problems.push(format!("line {line}: `{path}` does not exist"));
        }
    }
    for (line, file, name) in &tests {
        let Ok(source) = std::fs::read_to_string(root.join(file)) else {
            continue; // reported above
        };
        if let Err(why) = declares_test(&source, name) {
            problems.push(format!("line {line}: `{file}` › `{name}`: {why}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The page cites dozens of tests; far fewer means the parser lost them.
    assert!(tests.len() >= 30, "only {} citations found", tests.len());
}

#[test]
fn citations_are_read_from_any_layout() {
    let page = "| a | `tests/a.rs` › `one`, `two_2`; `tests/b.rs` › `three` (snapshot `x`) |\n\
                - `src/c.rs` › `four` and the rest: `not_cited`\n\
                `tests/d.rs` (all), `meed::code`, `tests/e.rs`›`five`, `tests/f.rs`, `no`\n";
    let (tests, paths, snapshots) = citations(page);
    let tests: Vec<(usize, &str, &str)> = tests
        .iter()
        .map(|(l, f, t)| (*l, f.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        tests,
        [
            (1, "tests/a.rs", "one"),
            (1, "tests/a.rs", "two_2"),
            (1, "tests/b.rs", "three"),
            (2, "src/c.rs", "four"),
            (3, "tests/e.rs", "five"),
        ]
    );
    let snapshots: Vec<&str> = snapshots.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(snapshots, ["x"]);
    let paths: Vec<&str> = paths.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "tests/a.rs",
            "tests/b.rs",
            "src/c.rs",
            "tests/d.rs",
            "tests/e.rs",
            "tests/f.rs"
        ]
    );
}

#[test]
fn a_missing_or_ignored_test_is_found() {
    let source = "#[test]\nfn real() {}\n\n#[test]\n#[ignore = \"slow\"]\nfn slow() {}\n\
                  fn helper() {}\n/// doc\n#[test]\nfn documented() {}\n";
    assert_eq!(declares_test(source, "real"), Ok(()));
    assert_eq!(declares_test(source, "documented"), Ok(()));
    assert!(declares_test(source, "slow").is_err());
    assert!(declares_test(source, "helper").is_err());
    assert!(declares_test(source, "gone").is_err());
}
