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

/// Collects what a run reports: (file, code) of each diagnostic.
#[derive(Default)]
struct Collected(Vec<(String, String)>);

impl meed::Diagnostics for Collected {
    fn report(&mut self, diagnostic: &dyn miette::Diagnostic, source: &SourceFile) {
        let code = diagnostic.code().map(|c| c.to_string()).unwrap_or_default();
        self.0.push((source.name().to_string(), code));
    }
}

fn example_files(log: std::path::PathBuf, engine: meed::Engine) -> meed::DataFiles {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/community");
    meed::DataFiles {
        log,
        log_format: LogFormat::Csv,
        people: Some((dir.join("people.csv"), LogFormat::Csv)),
        window: None,
        engine,
    }
}

/// `evaluate_files` chooses the evaluator: the streaming engine on the
/// example's files, the exact evaluator when asked; both give the totals
/// of the documented pipeline, and whole grants to an observer.
#[test]
fn evaluating_files_chooses_the_engine_and_gives_the_same_ledger() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/community");
    let mut totals = Vec::new();
    for engine in [meed::Engine::Streaming, meed::Engine::Exact] {
        let policy = meed::compile_policy(&file("rules/community.meed")).unwrap();
        let mut ledger = Ledger::default();
        let observers = meed::Observers {
            kept: Some((meed::Keep::Everyone, &mut ledger)),
            ..meed::Observers::default()
        };
        let mut seen = Collected::default();
        let evaluated = meed::evaluate_files(
            policy,
            &example_files(dir.join("log.csv"), engine),
            observers,
            &mut |_, _| {},
            &mut seen,
        )
        .unwrap();
        assert_eq!(
            evaluated.stepped_aside.is_some(),
            engine == meed::Engine::Exact
        );
        assert!(seen.0.is_empty(), "{:?}", seen.0);
        assert_eq!(ledger.totals, evaluated.totals);
        assert_eq!(
            evaluated.totals["ada"][&Target::Account("bonus".into())].to_string(),
            "336.73 EUR"
        );
        totals.push(evaluated.totals);
    }
    assert_eq!(totals[0], totals[1]);
}

/// A bad cell sends the run to the careful reader, which reports it in the
/// log's file and gives no totals; a missing file is named.
#[test]
fn evaluating_files_reports_problems_in_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = file("examples/community/log.csv").text().to_string();
    let broken = text.replacen("2027-", "2027-13-", 1);
    let log = dir.path().join("broken.csv");
    std::fs::write(&log, broken).unwrap();
    let policy = meed::compile_policy(&file("rules/community.meed")).unwrap();
    let mut seen = Collected::default();
    let failure = meed::evaluate_files(
        policy.clone(),
        &example_files(log.clone(), meed::Engine::Streaming),
        meed::Observers::default(),
        &mut |_, _| {},
        &mut seen,
    )
    .err()
    .unwrap();
    assert_eq!(failure, meed::RunFailure::Data);
    assert_eq!(seen.0.len(), 1, "{:?}", seen.0);
    assert!(seen.0[0].0.ends_with("broken.csv"), "{:?}", seen.0);

    let missing = dir.path().join("missing.csv");
    let failure = meed::evaluate_files(
        policy,
        &example_files(missing, meed::Engine::Streaming),
        meed::Observers::default(),
        &mut |_, _| {},
        &mut Collected::default(),
    )
    .err()
    .unwrap();
    match failure {
        meed::RunFailure::Unreadable(message) => {
            assert!(message.contains("missing.csv"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
