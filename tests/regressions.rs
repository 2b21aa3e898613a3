//! Regression corpus: every input under `tests/inputs/regressions/` once
//! broke a robustness property (most were found by the fuzz targets in
//! `fuzz/`). Each runs through the same property as its fuzz target, so the
//! bug it pins stays fixed; `tests/inputs/regressions/README.md` says which
//! bug each file pins.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

#[path = "../fuzz/src/props.rs"]
#[allow(
    dead_code,
    reason = "shared with the fuzz targets; each test uses part of it"
)]
mod fuzz_props;

use std::path::{Path, PathBuf};

use fuzz_props::{bundled, evaluate_fuzz_input, fmt_round_trip, parse_and_check};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/regressions")
}

/// The files of one target's folder, sorted. A folder that is missing or
/// empty fails the test: a regression corpus that silently holds nothing
/// checks nothing.
fn inputs(target: &str) -> Vec<PathBuf> {
    let path = folder().join(target);
    let entries = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the README describes it)", path.display()));
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no input", path.display());
    files
}

/// The folders the README describes: its `- `NAME/`:` lines.
fn described_folders() -> Vec<String> {
    let readme = std::fs::read_to_string(folder().join("README.md")).unwrap();
    readme
        .lines()
        .filter_map(|line| line.strip_prefix("- `")?.split_once("/`:"))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// Every folder the README describes exists and holds inputs, every folder
/// there is described, and each is one of the fuzz targets the tests run
/// (`fast_reader/` by `tests/input.rs` › `fast_reader_regressions`).
#[test]
fn every_described_folder_exists_and_holds_inputs() {
    let described = described_folders();
    assert_eq!(
        described,
        ["parse_check", "fmt_roundtrip", "fast_reader", "eval_log"]
    );
    for target in &described {
        assert!(!inputs(target).is_empty());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(folder())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut sorted = described.clone();
    sorted.sort();
    assert_eq!(on_disk, sorted, "a folder the README does not describe");
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn parse_check_regressions() {
    for path in inputs("parse_check")
        .into_iter()
        .chain(inputs("fmt_roundtrip"))
    {
        let bytes = std::fs::read(&path).unwrap();
        parse_and_check(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn fmt_roundtrip_regressions() {
    for path in inputs("fmt_roundtrip")
        .into_iter()
        .chain(inputs("parse_check"))
    {
        let bytes = std::fs::read(&path).unwrap();
        fmt_round_trip(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn eval_log_regressions() {
    let policies = bundled().unwrap_or_else(|e| panic!("{e}"));
    for path in inputs("eval_log") {
        let bytes = std::fs::read(&path).unwrap();
        evaluate_fuzz_input(&policies, &bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// Each regression input says which bug it pins: in the README, or in a
/// leading `#` comment of a policy.
#[test]
fn every_regression_input_is_documented() {
    let readme = std::fs::read_to_string(folder().join("README.md")).unwrap();
    for target in ["parse_check", "fmt_roundtrip", "eval_log"] {
        for path in inputs(target) {
            let documented = readme.contains(&format!("`{}`", name(&path)))
                || (path.extension().is_some_and(|e| e == "meed")
                    && std::fs::read(&path).unwrap().starts_with(b"#"));
            assert!(documented, "{}: say which bug it pins", path.display());
        }
    }
}
