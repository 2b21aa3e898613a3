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

use meed::eval::stream::file::stream_file;
use meed::eval::stream::{Keep, stream_log, stream_log_into};
use meed::eval::{EvalOptions, TotalsSink, Window, evaluate};
use meed::input::{LogFormat, Roster, read_log, read_roster};
use meed::ledger::Ledger;
use meed::pipeline::{CompiledPolicy, compile_policy};
use meed::render::json::render_json;
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
    let memory = evaluate(
        &policy.ast,
        &policy.schema,
        &log,
        roster,
        &options,
        &mut sink,
    )
    .map(|report| (sink.totals, report));
    let streamed = stream_log(&policy.ast, &policy.schema, &log, roster, &options)
        .expect("the bundled policies stream")
        .map(|s| (s.totals, s.report));
    let render = |r: Result<(meed::ledger::Totals, meed::eval::EvalReport), _>| match r {
        Ok((totals, report)) => format!(
            "{}{}{:?}",
            render_csv(&totals),
            render_table(&totals),
            report.warnings
        ),
        Err(e) => format!("error: {e}"),
    };
    // Every grant, whole: the engine keeps them as the in-memory
    // evaluator makes them.
    let mut memory_ledger = Ledger::default();
    let memory_grants = evaluate(
        &policy.ast,
        &policy.schema,
        &log,
        roster,
        &options,
        &mut memory_ledger,
    )
    .map(|_| render_json(&memory_ledger));
    let mut kept = Ledger::default();
    let kept_grants = stream_log_into(
        &policy.ast,
        &policy.schema,
        &log,
        roster,
        &options,
        Some((Keep::Everyone, &mut kept)),
    )
    .expect("the bundled policies stream")
    .map(|_| render_json(&kept));
    match (&memory_grants, &kept_grants) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{}", log_path.display());
            assert!(a.contains("\"contributions\"") || window.is_some(), "{a}");
        }
        (a, b) => assert_eq!(a.is_ok(), b.is_ok(), "{}", log_path.display()),
    }
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

/// A fresh folder for each test's generated logs, deleted when the test
/// ends: logs are generated anew on every run, so they never go stale when
/// the generator changes.
fn generated_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn reference() -> CompiledPolicy {
    policy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed"))
}

/// The streaming file path on a generated 10,000-record log, sorted and
/// shuffled, against the in-memory evaluator and the hand-written baseline.
#[test]
fn generated_log_streams_like_in_memory_and_the_baseline() {
    let policy = reference();
    let dir = generated_dir();
    let sorted = scale_support::generate::generate(dir.path(), 10_000, false).unwrap();
    let shuffled = scale_support::generate::generate(dir.path(), 10_000, true).unwrap();
    let roster = roster(&policy, &sorted.people);
    let options = EvalOptions::default();
    let mut file_csv = Vec::new();
    for log in [&sorted.log, &shuffled.log] {
        let (totals, report) = stream_file(
            &policy.ast,
            &policy.schema,
            log,
            roster.as_ref(),
            &options,
            &mut |_, _| {},
        )
        .unwrap_or_else(|f| panic!("{} did not stream: {}", log.display(), f.0));
        assert!(report.warnings.is_empty());
        file_csv.push(render_csv(&totals));
    }
    let (memory, streamed) = both_ways(&policy, &sorted.log, roster.as_ref(), None);
    assert_eq!(memory, streamed);
    assert!(memory.starts_with(&file_csv[0]));
    assert_eq!(file_csv[0], file_csv[1], "shuffling changed the ledger");
    let baseline = scale_support::baseline::baseline(&sorted.log, &sorted.people).unwrap();
    assert_eq!(file_csv[0], baseline);
    assert!(baseline.lines().count() > 1000);
}

fn meed(args: &[&str], env: &[(&str, &str)]) -> (String, String, Option<i32>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meed"));
    command.args(args).env_remove("MEED_NO_STREAM");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.code(),
    )
}

/// The real binary gives the same bytes, exit code and messages with and
/// without streaming: on a clean log, and on a log with bad records (where
/// streaming steps aside so that every error is reported with its line).
#[test]
fn the_binary_streams_and_falls_back_with_the_same_output() {
    let temporary = generated_dir();
    let dir = temporary.path();
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed");
    let sorted = scale_support::generate::generate(dir, 10_000, false).unwrap();
    let text = std::fs::read_to_string(&sorted.log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let review = (2..).find(|&i| lines[i].contains(",review,")).unwrap();
    lines[review] = lines[review].replace(",review,", ",reveiw,");
    lines[9] = lines[8].clone();
    lines[20] = lines[20].replacen("2027-", "2027/", 1);
    let bad = dir.join("bad-log.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let unsorted = dir.join("unsorted-log.csv");
    let mut reordered = lines.clone();
    reordered.swap(3, 400);
    reordered.remove(9);
    reordered.retain(|l| !l.contains("2027/") && !l.contains(",reveiw,"));
    std::fs::write(&unsorted, reordered.join("\n")).unwrap();
    for log in [&sorted.log, &bad, &unsorted] {
        for format in ["csv", "table"] {
            let args = [
                "eval",
                policy.to_str().unwrap(),
                log.to_str().unwrap(),
                "--people",
                sorted.people.to_str().unwrap(),
                "--format",
                format,
            ];
            let streamed = meed(&args, &[("MEED_TRACE_STREAM", "1")]);
            let careful = meed(&args, &[("MEED_NO_STREAM", "1")]);
            let trace = "meed: streaming stepped aside";
            let streamed_stderr: String = streamed
                .1
                .lines()
                .filter(|l| !l.starts_with(trace))
                .map(|l| format!("{l}\n"))
                .collect();
            assert_eq!(streamed.0, careful.0, "{} {format}", log.display());
            assert_eq!(streamed_stderr, careful.1, "{} {format}", log.display());
            assert_eq!(streamed.2, careful.2, "{} {format}", log.display());
            let stepped_aside = streamed.1.contains(trace);
            assert_eq!(
                stepped_aside,
                *log == bad,
                "{}: {}",
                log.display(),
                streamed.1
            );
        }
    }
    let (_, stderr, code) = meed(
        &[
            "eval",
            policy.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--people",
            sorted.people.to_str().unwrap(),
            "--format",
            "csv",
        ],
        &[],
    );
    assert_eq!(code, Some(1));
    for needle in [
        "3 bad records",
        "unknown contribution kind `reveiw`",
        "duplicate id",
        "bad `at`",
        "bad-log.csv:21:",
    ] {
        assert!(stderr.contains(needle), "{needle} in {stderr}");
    }
}

/// Logs the fast reader takes by hand: CRLF line ends, spaces around cells,
/// negative and half-cent sale amounts (half-even rounding of the tiered
/// commission), whole and fractional minutes; the streamed file gives the
/// in-memory evaluator's bytes.
#[test]
fn hand_parsed_cells_stream_like_the_careful_reader() {
    let policy = reference();
    let temporary = generated_dir();
    let dir = temporary.path();
    let sorted = scale_support::generate::generate(dir, 10_000, false).unwrap();
    let roster = roster(&policy, &sorted.people);
    let text = std::fs::read_to_string(&sorted.log).unwrap();
    let amounts = ["-12.35", "0.05", "0.15", "0.25", "-0.05", "5000.005", "3"];
    let minutes = ["90min", "1.5h", "0min", "45.5min"];
    let mut sales = 0;
    let mut mentoring = 0;
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            if cells[2] == "sale" {
                cells[9] = amounts[sales % amounts.len()].to_string();
                sales += 1;
            } else if cells[2] == "mentoring" {
                cells[8] = minutes[mentoring % minutes.len()].to_string();
                mentoring += 1;
            }
            if i % 7 == 3 {
                cells[4] = format!(" {} ", cells[4]);
            }
            cells.join(",") + "\r\n"
        })
        .collect();
    let log = dir.join("hand-parsed.csv");
    std::fs::write(&log, lines.concat()).unwrap();
    let (memory, _) = both_ways(&policy, &log, roster.as_ref(), None);
    let (totals, _) = stream_file(
        &policy.ast,
        &policy.schema,
        &log,
        roster.as_ref(),
        &EvalOptions::default(),
        &mut |_, _| {},
    )
    .unwrap_or_else(|f| panic!("did not stream: {}", f.0));
    assert!(sales > 100 && mentoring > 100);
    assert!(memory.starts_with(&render_csv(&totals)));
}

/// A grant whose exact value needs more digits than the fixed-point scale
/// (a duration times a 13-digit rate), and one that overflows it (a huge
/// commission): streaming steps aside and the output is the in-memory
/// evaluator's, bytes and exit code.
#[test]
fn values_beyond_the_fixed_point_fall_back_with_the_same_output() {
    let temporary = generated_dir();
    let dir = temporary.path();
    let reference = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed"),
    )
    .unwrap();
    let precise = dir.join("precise.meed");
    std::fs::write(
        &precise,
        reference.replace("m.duration * 0.5", "m.duration * 0.3333333333333"),
    )
    .unwrap();
    let log = dir.join("log.csv");
    std::fs::write(
        &log,
        "id,who,kind,at,lines,repo,accepted,votes,duration,amount\n\
         e1,p00001,mentoring,2027-01-01T10:00:00Z,,,,,45.5min,\n\
         e2,p00002,sale,2027-01-02T10:00:00Z,,,,,,-0.125\n\
         e3,p00001,sale,2027-01-03T10:00:00Z,,,,,,900000000000000000000\n\
         e4,p00002,review,2027-01-04T10:00:00Z,80,web,,,,\n",
    )
    .unwrap();
    let people = dir.join("people.csv");
    std::fs::write(&people, "who,status\np00001,employee\np00002,volunteer\n").unwrap();
    let plain = dir.join("plain.meed");
    std::fs::write(&plain, &reference).unwrap();
    for policy in [&precise, &plain] {
        let args = [
            "eval",
            policy.to_str().unwrap(),
            log.to_str().unwrap(),
            "--people",
            people.to_str().unwrap(),
            "--format",
            "csv",
        ];
        let streamed = meed(&args, &[("MEED_TRACE_STREAM", "1")]);
        let careful = meed(&args, &[("MEED_NO_STREAM", "1")]);
        assert_eq!(streamed.0, careful.0, "{}", policy.display());
        assert_eq!(streamed.2, careful.2, "{}", policy.display());
        assert!(
            streamed.1.contains("meed: streaming stepped aside"),
            "{}: {}",
            policy.display(),
            streamed.1
        );
    }
}

/// `eval --format json` streams the engine's grants through a temporary
/// file: on every bundled example, and on a generated log sorted and
/// shuffled (the engine restarts when it finds the log out of order), the
/// document is byte for byte the in-memory evaluator's ledger.
#[test]
fn the_json_ledger_is_the_in_memory_ledger() {
    let temporary = generated_dir();
    let dir = temporary.path();
    let mut cases: Vec<(PathBuf, PathBuf, PathBuf)> = bundled();
    let sorted = scale_support::generate::generate(&dir.join("sorted"), 2_000, false).unwrap();
    let shuffled = scale_support::generate::generate(&dir.join("shuffled"), 2_000, true).unwrap();
    let reference_policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed");
    for generated in [&sorted, &shuffled] {
        cases.push((
            reference_policy.clone(),
            generated.log.clone(),
            generated.people.clone(),
        ));
    }
    for (rule, log_path, people) in cases {
        let policy = policy(&rule);
        let roster = roster(&policy, &people);
        let format = LogFormat::from_path(&log_path).unwrap();
        let (log, _) = read_log(&policy.schema, &source(&log_path), format).unwrap();
        let mut ledger = Ledger::default();
        evaluate(
            &policy.ast,
            &policy.schema,
            &log,
            roster.as_ref(),
            &EvalOptions::default(),
            &mut ledger,
        )
        .unwrap();
        let mut args = vec!["eval", "--format", "json"];
        let (rule_arg, log_arg, people_arg) = (
            rule.display().to_string(),
            log_path.display().to_string(),
            people.display().to_string(),
        );
        args.extend([rule_arg.as_str(), log_arg.as_str()]);
        if people.exists() {
            args.extend(["--people", people_arg.as_str()]);
        }
        let (stdout, stderr, code) = meed(&args, &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stdout, render_json(&ledger), "{}", log_path.display());
    }
}

/// `meed explain` runs the engine for one person and words the calculations
/// over that person's records: for everyone in every bundled example, its
/// output is the in-memory evaluator's explanation over the whole log.
#[test]
fn explain_on_the_engine_is_the_in_memory_explanation() {
    use meed::eval::PersonSink;
    use meed::render::explain::{ExplainContext, render_explain};
    for (rule, log_path, people) in bundled() {
        let policy = policy(&rule);
        let roster = roster(&policy, &people);
        let format = LogFormat::from_path(&log_path).unwrap();
        let (log, _) = read_log(&policy.schema, &source(&log_path), format).unwrap();
        let mut names: Vec<&str> = log.contributions.iter().map(|c| c.who.as_ref()).collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() > 3);
        for who in names {
            let mut sink = PersonSink::new(who);
            let options = EvalOptions {
                window: None,
                explain: true,
            };
            evaluate(
                &policy.ast,
                &policy.schema,
                &log,
                roster.as_ref(),
                &options,
                &mut sink,
            )
            .unwrap();
            let context = ExplainContext {
                policy: &policy.ast,
                schema: &policy.schema,
                log: &log,
            };
            let expected = render_explain(who, None, &sink.ledger.grants, &context);
            let (rule_arg, log_arg, people_arg) = (
                rule.display().to_string(),
                log_path.display().to_string(),
                people.display().to_string(),
            );
            let mut args = vec!["explain", rule_arg.as_str(), log_arg.as_str(), who];
            if people.exists() {
                args.extend(["--people", people_arg.as_str()]);
            }
            let (stdout, stderr, code) = meed(&args, &[]);
            assert_eq!(code, Some(0), "{stderr}");
            assert_eq!(stdout, expected, "{} {who}", log_path.display());
            assert!(!stderr.contains("meed: "), "{stderr}");
        }
    }
}

/// The engine words every calculation of every bundled example itself
/// (it does not step aside to the exact evaluator), and its words are the
/// exact evaluator's, grant for grant.
#[test]
fn the_engine_words_every_bundled_example_as_the_exact_evaluator_does() {
    for (rule, log_path, people) in bundled() {
        let policy = policy(&rule);
        let roster = roster(&policy, &people);
        let format = LogFormat::from_path(&log_path).unwrap();
        let (log, _) = read_log(&policy.schema, &source(&log_path), format).unwrap();
        let options = EvalOptions {
            window: None,
            explain: true,
        };
        let mut exact = Ledger::default();
        evaluate(
            &policy.ast,
            &policy.schema,
            &log,
            roster.as_ref(),
            &options,
            &mut exact,
        )
        .unwrap();
        let mut engine = Ledger::default();
        let streamed = stream_log_into(
            &policy.ast,
            &policy.schema,
            &log,
            roster.as_ref(),
            &options,
            Some((Keep::Everyone, &mut engine)),
        );
        assert!(
            matches!(streamed, Some(Ok(_))),
            "{}: the engine stepped aside",
            log_path.display()
        );
        let worded = engine
            .grants
            .iter()
            .filter(|g| g.calculation.is_some())
            .count();
        assert!(
            worded > 10,
            "{}: {worded} grants worded",
            log_path.display()
        );
        assert_eq!(engine.grants, exact.grants, "{}", log_path.display());
    }
}

/// `diff` streams each policy through the engine: on every bundled example,
/// against a copy whose first one-line grant is doubled, and on a shuffled
/// generated log, its report is the careful path's byte for byte, and
/// streaming does not step aside.
#[test]
fn streamed_diff_is_the_careful_diff() {
    let temporary = generated_dir();
    let dir = temporary.path();
    let mut cases: Vec<(PathBuf, PathBuf, PathBuf)> = bundled();
    let shuffled = scale_support::generate::generate(&dir.join("shuffled"), 2_000, true).unwrap();
    cases.push((
        Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed"),
        shuffled.log.clone(),
        shuffled.people.clone(),
    ));
    for (i, (rule, log, people)) in cases.into_iter().enumerate() {
        if LogFormat::from_path(&log) != Some(LogFormat::Csv) {
            continue;
        }
        let text = std::fs::read_to_string(&rule).unwrap();
        // The first one-line `grant ACCOUNT AMOUNT` doubled: its grants change.
        let mut doubled = false;
        let changed_text: String = text
            .lines()
            .map(|line| {
                let trimmed = line.trim_start();
                let words: Vec<&str> = trimmed.splitn(3, ' ').collect();
                match words.as_slice() {
                    ["grant", account, amount] if !doubled && !amount.ends_with('{') => {
                        doubled = true;
                        let indent = &line[..line.len() - trimmed.len()];
                        format!("{indent}grant {account} ({amount}) * 2\n")
                    }
                    _ => format!("{line}\n"),
                }
            })
            .collect();
        assert!(doubled, "{}", rule.display());
        let changed = dir.join(format!("changed-{i}.meed"));
        std::fs::write(&changed, changed_text).unwrap();
        let args: Vec<String> = vec![
            "diff".into(),
            rule.display().to_string(),
            changed.display().to_string(),
            log.display().to_string(),
            "--people".into(),
            people.display().to_string(),
            "--format".into(),
            "csv".into(),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let streamed = meed(&args, &[("MEED_TRACE_STREAM", "1")]);
        let careful = meed(&args, &[("MEED_NO_STREAM", "1")]);
        assert_eq!(streamed.2, Some(0), "{}: {}", rule.display(), streamed.1);
        assert_eq!(careful.2, Some(0), "{}: {}", rule.display(), careful.1);
        assert_eq!(streamed.0, careful.0, "{}", rule.display());
        assert!(streamed.0.lines().count() > 2, "{}", streamed.0);
        assert!(
            !streamed.1.contains("stepped aside"),
            "{}: {}",
            rule.display(),
            streamed.1
        );
    }
}
