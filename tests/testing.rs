//! `meed test`: the runner over the bundled policies (every test must
//! pass), one snapshot per file in `inputs/testing/` (each holds a failing
//! or broken test, rendered as a person sees it), and the command line.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

mod binary;

use binary::meed;
use std::fmt::Write as _;
use std::path::Path;

use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;
use meed::testing::load_test_file;
use meed::testing::{TestOutcome, find_policy_files, run_suite};

/// Loads and runs one file; `name` is its path from the crate root (imports
/// resolve against it).
fn run_file(name: &str, filter: Option<&str>) -> String {
    let text = std::fs::read_to_string(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let source = SourceFile::new(name, text);
    let suite = match load_test_file(&source) {
        Ok(suite) => suite,
        Err(problems) => {
            let mut out = String::from("the file has errors; no test ran\n\n");
            for p in &problems {
                let _ = writeln!(
                    out,
                    "[{}]\n{}",
                    p.source.name(),
                    render_plain(p.diagnostic.as_ref())
                );
            }
            return out;
        }
    };
    let mut out = String::new();
    for run in run_suite(&suite, filter) {
        match run.outcome {
            TestOutcome::Passed => {
                let _ = writeln!(out, "ok   {}", run.name);
            }
            TestOutcome::Failed(problems) => {
                let _ = writeln!(out, "FAIL {}\n", run.name);
                for p in &problems {
                    let _ = writeln!(out, "{}", render_plain(p.diagnostic.as_ref()));
                }
            }
        }
    }
    out
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The lead's hand-computed expectations in `rules/` all hold.
#[test]
fn every_test_in_rules_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = find_policy_files(&root.join("rules")).unwrap();
    assert!(!files.is_empty());
    let mut ran = 0;
    let mut failures = String::new();
    for path in &files {
        let name = relative(path);
        let source = SourceFile::new(name.clone(), std::fs::read_to_string(path).unwrap());
        let suite = match load_test_file(&source) {
            Ok(suite) => suite,
            Err(problems) => {
                for p in &problems {
                    failures.push_str(&render_plain(p.diagnostic.as_ref()));
                }
                continue;
            }
        };
        for run in run_suite(&suite, None) {
            ran += 1;
            if let TestOutcome::Failed(problems) = run.outcome {
                let _ = writeln!(failures, "FAIL {name}: {}", run.name);
                for p in &problems {
                    failures.push_str(&render_plain(p.diagnostic.as_ref()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
    assert!(ran >= 19, "only {ran} tests ran");
}

#[test]
fn failing_and_broken_tests() {
    insta::glob!("inputs/testing/*.meed", |path| {
        insta::assert_snapshot!(run_file(&relative(path), None));
    });
}

#[test]
fn filter_selects_tests_by_name() {
    let out = run_file("tests/inputs/testing/import_tests.meed", Some("volunteers"));
    assert_eq!(out, "ok   volunteers earn reputation\n");
}

#[test]
fn a_badge_without_times_means_at_least_once() {
    // `dana` is a mentor in two months: `expect dana badge mentor` holds.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.meed");
    let text = std::fs::read_to_string("tests/inputs/testing/badge_count.meed")
        .unwrap()
        .replace(
            "expect dana badge mentor 3 times",
            "expect dana badge mentor",
        )
        .replace("expect eli badge mentor\n", "");
    std::fs::write(&path, text).unwrap();
    let out = run_file(&path.display().to_string(), None);
    assert_eq!(out, "ok   a mentor in two months\n");
}

#[test]
fn cli_rules_pass_and_end_with_the_summary() {
    let run = meed(&["test", "rules/"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert!(run.stdout.contains("ok   rules/community.meed: "));
}

#[test]
fn cli_failure_exits_1_with_the_diagnostic_on_stderr() {
    let run = meed(&["test", "tests/inputs/testing/pool_share.meed"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "FAIL tests/inputs/testing/pool_share.meed: the fund follows reputation\n0 passed, 1 failed\n"
    );
    assert!(run.stderr.contains("meed::test_failed"), "{}", run.stderr);
}

#[test]
fn cli_json_diagnostics_name_the_test_file() {
    let run = meed(&[
        "test",
        "--diagnostics",
        "json",
        "tests/inputs/testing/import_tests.meed",
    ]);
    assert_eq!(run.code, 1);
    let line = run.stderr.lines().next().unwrap();
    let json: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(json["file"], "tests/inputs/testing/import_tests.meed");
    assert_eq!(json["code"], "meed::test_failed");
    assert_eq!(json["line"], 18);
    assert!(run.stdout.ends_with("1 passed, 1 failed\n"));
}

#[test]
fn cli_filter_and_missing_file() {
    let run = meed(&["test", "--filter", "tiers", "rules/"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    let run = meed(&["test", "nope.meed"]);
    assert_eq!(run.code, 2);
}

/// Issue #12: an error in a `given` value of a test-only file is reported
/// in that file (it was reported at a line of the imported policy).
#[test]
fn a_given_value_error_is_reported_in_the_test_file() {
    let name = "tests/inputs/testing/import_given_error.meed";
    let source = SourceFile::new(name, std::fs::read_to_string(name).unwrap());
    let suite = load_test_file(&source).unwrap_or_else(|_| panic!("{name} compiles"));
    let runs = run_suite(&suite, None);
    let [run] = runs.as_slice() else {
        panic!("one test expected");
    };
    let TestOutcome::Failed(problems) = &run.outcome else {
        panic!("the test must fail");
    };
    let [problem] = problems.as_slice() else {
        panic!("one problem expected");
    };
    assert_eq!(problem.source.name(), name);
    let text = render_plain(problem.diagnostic.as_ref());
    assert!(text.contains("division by zero"), "{text}");
    let offset = source.text().find("4h / 0").unwrap();
    let label = problem.diagnostic.labels().unwrap().next().unwrap();
    assert!(
        (offset..offset + 6).contains(&label.offset()),
        "label at {} in {text}",
        label.offset()
    );
}
