//! The documented library API (`src/lib.rs`), used as an embedding program
//! would: only items at the crate root.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use meed::{EvalOptions, Ledger, LogFormat, SourceFile, Target};

fn file(path: &str) -> SourceFile {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    SourceFile::new(path, std::fs::read_to_string(full).unwrap())
}

/// The crate documentation's example, run: the community example's ledger
/// through the API is the one the CLI's snapshot certifies.
#[test]
fn the_documented_pipeline_gives_the_examples_ledger() {
    let policy = meed::compile_policy(&file("rules/community.meed")).unwrap();
    let people = meed::read_roster(
        &policy,
        &file("examples/community/people.csv"),
        LogFormat::Csv,
    )
    .unwrap();
    let log = file("examples/community/log.csv");
    let (log, warnings) = meed::read_log(&policy, &log, LogFormat::Csv, Some(&people)).unwrap();
    assert!(warnings.is_empty());
    let mut ledger = Ledger::default();
    meed::evaluate(
        &policy,
        &log,
        Some(&people),
        &EvalOptions::default(),
        &mut ledger,
    )
    .unwrap();
    let snapshot = file("examples/community/ledger.snap");
    let ada_bonus = &ledger.totals["ada"][&Target::Account("bonus".into())];
    assert_eq!(ada_bonus.to_string(), "336.73 EUR");
    assert!(snapshot.text().contains("ada bonus 336.73 EUR"));
    let grants = snapshot
        .text()
        .lines()
        .filter(|l| l.starts_with("2027-"))
        .count();
    assert_eq!(ledger.grants.len(), grants);
}

/// Every problem is a value with a code and a place: a policy that does
/// not check, a log with a bad cell, someone missing from the roster.
#[test]
fn problems_are_diagnostics_with_codes() {
    let broken = SourceFile::new(
        "p.meed",
        "reward bonus: Money(EUR)\nrule r {\n  on nope n\n  grant bonus 1 EUR\n}\n",
    );
    let problem = meed::compile_policy(&broken).unwrap_err();
    let codes: Vec<String> = problem
        .diagnostics()
        .iter()
        .filter_map(|d| d.code().map(|c| c.to_string()))
        .collect();
    assert!(codes.iter().any(|c| c.starts_with("meed::")), "{codes:?}");

    let policy = meed::compile_policy(&file("rules/community.meed")).unwrap();
    let people = meed::read_roster(
        &policy,
        &file("examples/community/people.csv"),
        LogFormat::Csv,
    )
    .unwrap();
    let text = file("examples/community/log.csv").text().to_string();
    let header = text.lines().next().unwrap();
    let first = text.lines().nth(1).unwrap();
    let (id, rest) = first.split_once(',').unwrap();
    let (_who, rest) = rest.split_once(',').unwrap();
    let stranger = format!("{id},nobody-here,{rest}");
    let log = SourceFile::new("log.csv", format!("{header}\n{stranger}\n"));
    let errors = meed::read_log(&policy, &log, LogFormat::Csv, Some(&people)).unwrap_err();
    let shown = format!("{:?}", miette::Report::new(errors));
    assert!(shown.contains("unknown_person"), "{shown}");
}
