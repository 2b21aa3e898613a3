//! Differential tests (issue #11): the engine (today the streaming
//! evaluator) against the reference (today the in-memory evaluator) on
//! generated, well-typed policies and logs; and every input form of the
//! same records through the `meed` binary.
//!
//! - [`engine_agrees_with_the_reference`]: at least 2,000 generated
//!   policies, logs, rosters and windows per run (`PROPTEST_CASES`
//!   overrides), compared on the totals (rendered and as values), the
//!   totals per period (`eval --by`), the warnings, and whether evaluation
//!   fails (and with which error kind), and every grant with its
//!   calculation in words (both explain); some cases also through the fast
//!   file path. The policies come from `differential/policy.rs`, the logs
//!   from `differential/log.rs`, both reading proptest's numbers through
//!   `differential/choices.rs`, so failures shrink to small programs.
//! - [`every_input_form_gives_the_same_bytes`]: plain CSV, every cell
//!   quoted, JSON Lines, shuffled: byte-identical `--format csv`,
//!   `--format json` and `--by` output through the binary.
//! - [`the_generator_covers_every_construct`]: the generator really emits
//!   every construct the issue lists (a generator that silently stopped
//!   producing pools would make the property vacuous).
//! - Regression tests for what the property found, at the end; the
//!   property counts those known divergences instead of failing on them
//!   (`MEED_DIFF_STRICT=1` makes it fail), so it keeps finding new ones.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

#[path = "binary/mod.rs"]
mod binary;
#[path = "differential/choices.rs"]
mod choices;
#[path = "differential/log.rs"]
mod log;
#[path = "differential/policy.rs"]
mod policy;
#[path = "differential/run.rs"]
mod run;

use std::cell::RefCell;
use std::collections::BTreeMap;

use chrono_tz::Tz;
use meed::eval::{EvalOptions, Window};
use meed::input::{LogFormat, read_log, read_roster};
use meed::ledger::Origin;
use meed::pipeline::{CompiledPolicy, compile_policy};
use meed::render::by_period::render_csv_by_period;
use meed::render::csv::render_csv;
use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;
use meed::syntax::ast::Period;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

use choices::{Choices, choices};
use log::Rec;
use policy::Generated;
use run::{Outcome, differences, engine, engine_file, known_divergence, reference};

/// Cases per run of the main property, unless `PROPTEST_CASES` says.
const CASES: u32 = 2_000;

/// Windows (`--period`, or `--from`..`--to`) some cases report: around week 53, the turn of the
/// year, a quarter, and the daylight-saving changes.
const WINDOWS: [&str; 11] = [
    "2027",
    "2027-Q1",
    "2026-12",
    "2027-01",
    "2026-W53",
    "2027-03-28",
    "2026-10-04",
    "2027-W13",
    // `--from` and `--to`: inclusive local dates.
    "2026-12-28..2027-01-03",
    "2027-03-28..2027-03-28",
    "2027-01-01..2027-06-30",
];

const PERIODS: [Period; 5] = [
    Period::Day,
    Period::Week,
    Period::Month,
    Period::Quarter,
    Period::Year,
];

/// One generated case: a policy, its log, what to total by, a window.
#[derive(Clone, Debug)]
struct Case {
    policy: Generated,
    records: Vec<Rec>,
    sorted: bool,
    by: Period,
    window: Option<&'static str>,
    /// The roster, when given (always when the policy reads it).
    people: Option<Vec<log::Person>>,
    /// Whether the engine also reads the log file through the fast reader.
    through_file: bool,
}

impl Case {
    fn new(policy_choices: Vec<u32>, log_choices: Vec<u32>) -> Case {
        let mut c = Choices::new(policy_choices);
        let policy = policy::policy(&mut c);
        let mut l = Choices::new(log_choices);
        let (records, sorted) = log::records(&mut l, &policy);
        let by = l.pick(&PERIODS);
        let window = if l.flag(25) {
            Some(l.pick(&WINDOWS))
        } else {
            None
        };
        let through_file = l.flag(12);
        let people = if l.flag(50) || policy.reads_roster {
            Some(log::roster(&mut l))
        } else {
            None
        };
        Case {
            policy,
            records,
            sorted,
            by,
            window,
            people,
            through_file,
        }
    }

    /// The case as a reader of a failure wants it: the policy, the log.
    fn show(&self) -> String {
        format!(
            "--- policy.meed\n{}--- log.csv ({})\n{}--- people.csv\n{}--- by {:?}, window {:?}",
            self.policy.text,
            if self.sorted { "sorted" } else { "shuffled" },
            log::plain_csv(&self.records),
            self.people
                .as_deref()
                .map(log::roster_csv)
                .unwrap_or_default(),
            self.by,
            self.window
        )
    }

    fn compile(&self) -> Result<CompiledPolicy, String> {
        compile_policy(&SourceFile::new("policy.meed", &self.policy.text)).map_err(|e| {
            let shown: Vec<String> = e.diagnostics().iter().map(|d| format!("{d:?}")).collect();
            shown.join("\n")
        })
    }

    fn options(&self, tz: Tz) -> EvalOptions {
        EvalOptions {
            window: self.window.map(|w| match w.split_once("..") {
                Some((from, to)) => Window::between(from.parse().unwrap(), to.parse().unwrap(), tz),
                None => Window::parse_period(w, tz).expect("a valid window"),
            }),
            // Both evaluators word every calculation, so every grant's
            // words are compared too.
            explain: true,
        }
    }
}

fn case() -> impl Strategy<Value = Case> {
    (choices(), choices()).prop_map(|(p, l)| Case::new(p, l))
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES)
}

/// How the cases of one run ended, for the report printed at its end.
#[derive(Default, Debug)]
struct Tally {
    both_done: usize,
    both_failed: BTreeMap<String, usize>,
    file_fallbacks: BTreeMap<String, usize>,
    with_grants: usize,
    /// Cases whose ledger holds a grant a limit cut, a pool share, a
    /// negative grant.
    with_cut: usize,
    with_pool_share: usize,
    with_negative: usize,
    through_file: usize,
    /// Known divergences met, by name and by whether the policy holds a
    /// huge literal (each has a regression test at the end of this file).
    known: BTreeMap<(&'static str, bool), usize>,
}

/// What the property checks for one case, `Err` with the reason otherwise.
fn check(case: &Case, tally: &RefCell<Tally>) -> Result<(), String> {
    let compiled = case
        .compile()
        .map_err(|e| format!("the generated policy does not check:\n{e}"))?;
    let text = log::plain_csv(&case.records);
    let (log, _) = read_log(
        &compiled.schema,
        &SourceFile::new("log.csv", &text),
        LogFormat::Csv,
    )
    .map_err(|e| format!("the generated log does not read:\n{}", render_plain(&e)))?;
    let roster = case.people.as_deref().map(|people| {
        read_roster(
            &compiled.schema,
            &SourceFile::new("people.csv", log::roster_csv(people)),
            LogFormat::Csv,
        )
    });
    let roster = roster
        .transpose()
        .map_err(|e| format!("the generated roster does not read:\n{}", render_plain(&e)))?;
    let roster = roster.as_ref();
    let options = case.options(case.policy.tz);
    let reference = reference(&compiled, &log, roster, &options, case.by, case.policy.tz);
    let engine = engine(&compiled, &log, roster, &options, case.by);
    if let Some(difference) = differences(&reference, &engine) {
        if let Some(known) = known_divergence(&reference, &engine)
            && std::env::var_os("MEED_DIFF_STRICT").is_none()
        {
            let huge = case.policy.features.contains(&"huge literal");
            *tally.borrow_mut().known.entry((known, huge)).or_default() += 1;
            return Ok(());
        }
        return Err(difference);
    }
    let Outcome::Done(expected) = &reference else {
        if let Outcome::Failed { kind, .. } = &reference {
            *tally
                .borrow_mut()
                .both_failed
                .entry(kind.clone())
                .or_default() += 1;
        }
        return Ok(());
    };
    let mut t = tally.borrow_mut();
    t.both_done += 1;
    let grants = expected.grants.as_deref().unwrap_or_default();
    t.with_grants += usize::from(!grants.is_empty());
    t.with_cut += usize::from(grants.iter().any(|g| !g.cuts.is_empty()));
    t.with_pool_share += usize::from(grants.iter().any(|g| matches!(g.origin, Origin::Pool(_))));
    t.with_negative += usize::from(
        grants
            .iter()
            .any(|g| g.granted.to_string().starts_with('-')),
    );
    // The file path (fast reader, and a sort when the file is shuffled), on
    // the same log file, when it does not step aside. It costs about 40 ms
    // a case in a debug build (ten times the rest), so only the cases the
    // generator marks take it.
    if !case.through_file {
        return Ok(());
    }
    t.through_file += 1;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("log.csv");
    std::fs::write(&path, &text).map_err(|e| e.to_string())?;
    match engine_file(&compiled, &path, roster, &options, None) {
        Ok((totals, _)) if render_csv(&totals) != render_csv(&expected.totals) => {
            return Err(format!(
                "the engine on the file gives other totals\nreference:\n{}file:\n{}",
                render_csv(&expected.totals),
                render_csv(&totals)
            ));
        }
        Ok(_) => {}
        Err(reason) => *t.file_fallbacks.entry(reason).or_default() += 1,
    }
    if let Ok((_, by_period)) = engine_file(&compiled, &path, roster, &options, Some(case.by)) {
        let by_period = render_csv_by_period(&by_period.unwrap_or_default());
        if by_period != render_csv_by_period(&expected.by_period) {
            return Err(format!(
                "the engine on the file gives other totals per period\nreference:\n{}file:\n{by_period}",
                render_csv_by_period(&expected.by_period)
            ));
        }
    }
    Ok(())
}

/// The main property: see the module documentation.
#[test]
fn engine_agrees_with_the_reference() {
    let config = Config {
        cases: cases(),
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        max_shrink_iters: 20_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let tally = RefCell::new(Tally::default());
    let started = std::time::Instant::now();
    let result = runner.run(&case(), |case| {
        check(&case, &tally).map_err(|e| TestCaseError::fail(format!("{e}\n{}", case.show())))
    });
    match result {
        Ok(()) => {}
        Err(proptest::test_runner::TestError::Fail(reason, _)) => panic!("{reason}"),
        Err(e) => panic!("{e}"),
    }
    let tally = tally.into_inner();
    eprintln!(
        "{} cases in {:.1?}: {tally:?}",
        runner.config().cases,
        started.elapsed()
    );
    // Most cases must evaluate and grant something, and limits, pools and
    // negative grants must show up, or the property says little.
    let cases = usize::try_from(runner.config().cases).unwrap();
    assert!(tally.with_grants * 2 >= cases, "{tally:?}");
    for (what, n) in [
        ("a cut", tally.with_cut),
        ("a pool share", tally.with_pool_share),
        ("a negative grant", tally.with_negative),
    ] {
        assert!(
            n * 20 >= cases,
            "fewer than 5% of cases with {what}: {tally:?}"
        );
    }
}

/// Every construct the issue lists shows up in the generated policies, and
/// every generated policy checks.
#[test]
fn the_generator_covers_every_construct() {
    let mut runner = TestRunner::new(Config::with_cases(300));
    let seen: RefCell<BTreeMap<&'static str, usize>> = RefCell::new(BTreeMap::new());
    runner
        .run(&case(), |case| {
            if let Err(e) = case.compile() {
                return Err(TestCaseError::fail(format!("{e}\n{}", case.show())));
            }
            for f in &case.policy.features {
                *seen.borrow_mut().entry(f).or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    let expected = [
        "on rule",
        "each rule",
        "when",
        "if",
        "tiers",
        "count",
        "sum",
        "min/max aggregate with else",
        "aggregate where",
        "sum of an expression",
        "limit",
        "limit from",
        "negative grant",
        "split by total()",
        "split by aggregate",
        "award",
        "division",
        "abs/round/floor/ceil",
        "min/max of two",
        "record time compared",
        "record id compared",
        "else if",
        "roster column",
        "huge literal",
        "money accounts only",
        "second currency",
        "points account",
        "duration account",
        "rounding half_up",
        "EUR",
        "JPY",
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "dated value",
        "rule window",
        "pool window",
    ];
    for f in expected {
        assert!(
            seen.get(f).is_some_and(|&n| n > 0),
            "never generated: {f}\n{seen:?}"
        );
    }
    for kind in ["each", "limit", "pool"] {
        for period in ["day", "week", "month", "quarter", "year"] {
            let name = format!("{kind} per {period}");
            assert!(
                seen.keys().any(|k| *k == name),
                "never generated: {name}\n{seen:?}"
            );
        }
    }
}

/// What `meed eval` printed for each argument list, with its exit code.
fn eval_outputs(
    policy: &std::path::Path,
    log: &std::path::Path,
    people: Option<&std::path::Path>,
    case: &Case,
) -> Vec<String> {
    let by = match case.by {
        Period::Day => "day",
        Period::Week => "week",
        Period::Month => "month",
        Period::Quarter => "quarter",
        Period::Year => "year",
    };
    let (policy, log) = (policy.to_str().unwrap(), log.to_str().unwrap());
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["eval", policy, log, "--format", "csv"],
        vec!["eval", policy, log, "--format", "json"],
        vec!["eval", policy, log, "--format", "csv", "--by", by],
    ];
    let people = people.map(|p| p.to_str().unwrap());
    for run in &mut runs {
        match case.window.map(|w| w.split_once("..").ok_or(w)) {
            Some(Ok((from, to))) => run.extend(["--from", from, "--to", to]),
            Some(Err(period)) => run.extend(["--period", period]),
            None => {}
        }
        if let Some(people) = people {
            run.extend(["--people", people]);
        }
    }
    runs.iter()
        .map(|args| {
            let run = binary::meed(args);
            format!("exit {}\n{}", run.code, run.stdout)
        })
        .collect()
}

/// The same records as plain CSV, every cell quoted, JSON Lines, and in
/// another order (CSV and JSON Lines) give byte-identical `eval --format
/// csv`, `--format json` and `--format csv --by PERIOD` output (and exit
/// codes), through the real binary.
#[test]
fn every_input_form_gives_the_same_bytes() {
    let config = Config {
        cases: 48,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    // Cases whose plain CSV evaluates to at least one total.
    let evaluated = RefCell::new(0usize);
    let started = std::time::Instant::now();
    let result = runner.run(&(case(), any::<u64>()), |(case, seed)| {
        prop_assert!(case.compile().is_ok(), "{}", case.show());
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.meed");
        std::fs::write(&policy, &case.policy.text).unwrap();
        let people = case.people.as_deref().map(|people| {
            let path = dir.path().join("people.csv");
            std::fs::write(&path, log::roster_csv(people)).unwrap();
            path
        });
        let mut shuffled = case.records.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, usize::try_from(state % (i as u64 + 1)).unwrap());
        }
        let forms = [
            ("plain.csv", log::plain_csv(&case.records)),
            ("quoted.csv", log::quoted_csv(&case.records)),
            ("log.jsonl", log::json_lines(&case.records)),
            ("shuffled.csv", log::plain_csv(&shuffled)),
            ("shuffled.jsonl", log::json_lines(&shuffled)),
        ];
        let mut first: Option<Vec<String>> = None;
        for (name, text) in forms {
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let outputs = eval_outputs(&policy, &path, people.as_deref(), &case);
            match &first {
                None => {
                    if outputs[0].starts_with("exit 0\n") && outputs[0].lines().count() > 2 {
                        *evaluated.borrow_mut() += 1;
                    }
                    first = Some(outputs);
                }
                Some(expected) => {
                    for (e, o) in expected.iter().zip(&outputs) {
                        prop_assert_eq!(
                            e,
                            o,
                            "{} differs from plain.csv\n{}\n{}",
                            name,
                            text,
                            case.show()
                        );
                    }
                }
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(proptest::test_runner::TestError::Fail(reason, _)) => panic!("{reason}"),
        Err(e) => panic!("{e}"),
    }
    let evaluated = evaluated.into_inner();
    eprintln!(
        "{} cases in {:.1?}, {evaluated} with totals",
        runner.config().cases,
        started.elapsed()
    );
    assert!(evaluated * 2 >= 48, "only {evaluated} cases gave totals");
}

/// The comparison is not vacuous: the same policy and log evaluated over
/// the whole log and over one month differ, in the totals and per period.
#[test]
fn the_comparison_sees_a_difference() {
    let compiled = compile_policy(&SourceFile::new(
        "p.meed",
        "contribution like {}\nreward rep: Points\nrule r { on like l grant rep 1 pts }\n",
    ))
    .unwrap();
    let (log, _) = read_log(
        &compiled.schema,
        &SourceFile::new(
            "log.csv",
            "id,who,kind,at\na,bob,like,2027-01-05T10:00:00Z\nb,bob,like,2027-02-05T10:00:00Z\n",
        ),
        LogFormat::Csv,
    )
    .unwrap();
    let whole = EvalOptions::default();
    let january = EvalOptions {
        window: Some(Window::parse_period("2027-01", Tz::UTC).unwrap()),
        explain: false,
    };
    let reference = reference(&compiled, &log, None, &whole, Period::Month, Tz::UTC);
    assert_eq!(
        differences(
            &reference,
            &engine(&compiled, &log, None, &whole, Period::Month)
        ),
        None
    );
    let difference = differences(
        &reference,
        &engine(&compiled, &log, None, &january, Period::Month),
    );
    assert!(
        difference
            .as_deref()
            .is_some_and(|d| d.starts_with("totals differ")),
        "{difference:?}"
    );
}

// ---------------------------------------------------------------------------
// Divergences the property found, minimised. Each asserts agreement and
// fails today (`cargo test --test differential -- --ignored`). They are
// ignored because `meed` itself still answers right (the CLI falls back to
// the in-memory evaluator when streaming fails, see
// `huge_grants_are_right_through_the_binary`); the one engine of issue #11
// has no fallback: remove the `#[ignore]` when it replaces both.
// ---------------------------------------------------------------------------

/// The differences between the reference and the engine on `policy` and a
/// CSV `log`, totalled by month; `None` when they agree.
fn diverges(policy: &str, log: &str) -> Option<String> {
    let compiled = compile_policy(&SourceFile::new("p.meed", policy))
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics()));
    let (log, _) = read_log(
        &compiled.schema,
        &SourceFile::new("log.csv", log),
        LogFormat::Csv,
    )
    .unwrap_or_else(|e| panic!("{}", render_plain(&e)));
    let options = EvalOptions::default();
    let reference = reference(&compiled, &log, None, &options, Period::Month, Tz::UTC);
    let engine = engine(&compiled, &log, None, &options, Period::Month);
    differences(&reference, &engine)
}

/// Found by the property (and minimised by hand): a points grant of
/// 79228162514264337593543950 pts (exact in the reference's decimals) makes
/// the engine fail with "internal error: a value needs more digits than
/// streaming keeps", where the reference grants it. `meed eval` prints the
/// right totals only because it falls back to the in-memory evaluator;
/// the one engine of issue #11 has no fallback.
#[test]
#[ignore = "known divergence: the engine fails on grants past 1e18 pts (issue #11)"]
fn divergence_a_huge_points_grant_is_granted_by_both() {
    let policy = "contribution like {}\nreward rep: Points\n\
                  rule r { on like l grant rep 79228162514264337593543950 pts }\n";
    let log = "id,who,kind,at\na0,carol,like,2027-03-26T13:00:00Z\n";
    assert_eq!(diverges(policy, log), None);
}

/// The same limit in money: the largest whole-euro amount the reference
/// holds, granted once.
#[test]
#[ignore = "known divergence: the engine fails on grants past 1e19 EUR (issue #11)"]
fn divergence_a_huge_money_grant_is_granted_by_both() {
    let policy = "contribution like {}\nreward bonus: Money(EUR)\n\
                  rule r { on like l grant bonus 79228162514264337593543950 EUR }\n";
    let log = "id,who,kind,at\na0,carol,like,2027-03-26T13:00:00Z\n";
    assert_eq!(diverges(policy, log), None);
}

/// Eight grants of 28 nines in points overflow the person's total: the reference
/// fails with `Overflow` naming the total, the rule and the record; the
/// engine fails too, but with an internal error that names none of them.
#[test]
#[ignore = "known divergence: the engine's overflow is an internal error (issue #11)"]
fn divergence_an_overflowing_total_is_an_overflow_in_both() {
    let policy = "contribution like {}\nreward rep: Points\n\
                  rule r { on like l grant rep 9999999999999999999999999999 pts }\n";
    let mut log = String::from("id,who,kind,at\n");
    for i in 0..8 {
        log.push_str(&format!("a{i},carol,like,2027-03-26T1{i}:00:00Z\n"));
    }
    let log = log.as_str();
    assert_eq!(diverges(policy, log), None);
}

/// Where the engine's limit lies today, for the report: the smallest
/// power of ten on which the two differ, in points and in euros (the
/// reference holds 28 significant digits).
#[test]
fn the_largest_grant_both_agree_on() {
    let log = "id,who,kind,at\na0,carol,like,2027-03-26T13:00:00Z\n";
    for (account, unit) in [("rep: Points", "pts"), ("bonus: Money(EUR)", "EUR")] {
        let name = account.split(':').next().unwrap();
        let mut first = None;
        for digits in (1..=27).rev() {
            let policy = format!(
                "contribution like {{}}\nreward {account}\n\
                 rule r {{ on like l grant {name} 1{} {unit} }}\n",
                "0".repeat(digits)
            );
            if diverges(&policy, log).is_some() {
                first = Some(digits);
            }
        }
        eprintln!("{unit}: the first divergence is at 1e{first:?}");
        // Ordinary amounts agree.
        assert!(first.is_none_or(|d| d > 12), "{unit}: 1e{first:?}");
    }
}

/// What users see today despite the divergences above: `meed eval` (which
/// steps aside from streaming when it fails) prints the reference's totals
/// and the reference's overflow error.
#[test]
fn huge_grants_are_right_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let policy = write(
        "p.meed",
        "contribution like {}\nreward rep: Points\n\
         rule r { on like l grant rep 79228162514264337593543950 pts }\n",
    );
    let log = write(
        "log.csv",
        "id,who,kind,at\na0,carol,like,2027-03-26T13:00:00Z\n",
    );
    let run = binary::meed(&["eval", &policy, &log, "--format", "csv"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "who,reward,amount,unit\ncarol,rep,79228162514264337593543950,pts\n"
        ),
        "{}",
        run.stderr
    );
    let policy = write(
        "overflow.meed",
        "contribution like {}\nreward rep: Points\n\
         rule r { on like l grant rep 9999999999999999999999999999 pts }\n",
    );
    let mut text = String::from("id,who,kind,at\n");
    for i in 0..8 {
        text.push_str(&format!("a{i},carol,like,2027-03-26T1{i}:00:00Z\n"));
    }
    let log = write("overflow.csv", &text);
    let run = binary::meed(&["eval", &policy, &log, "--format", "csv"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert!(
        run.stderr.contains("too large") && run.stderr.contains("a7"),
        "{}",
        run.stderr
    );
}

/// Diagnostics as text, in the order they came, and why a run stepped aside.
#[derive(Default)]
struct Collected {
    shown: Vec<String>,
    stepped_aside: Vec<String>,
}

impl meed::pipeline::Diagnostics for Collected {
    fn report(&mut self, diagnostic: &dyn miette::Diagnostic, about: &SourceFile) {
        self.shown
            .push(format!("{}: {}", about.name(), render_plain(diagnostic)));
    }

    fn stepped_aside(&mut self, why: &str) {
        self.stepped_aside.push(why.to_string());
    }
}

/// `meed diff` reads the log once for both policies when they read it
/// alike: that gives the totals, record counts and diagnostics (in the
/// same order) that evaluating each policy on its own gives. The second
/// policy is the first one's choices with its rules changed (the zone and
/// currency, chosen first, are kept, so most pairs read the log alike and
/// take the shared path; the rest check the fallback).
#[test]
fn both_policies_over_one_read_equal_each_alone() {
    use meed::eval::stream::file::Observers;
    use meed::pipeline::{
        DataFiles, Engine, Evaluated, RunFailure, evaluate_files, evaluate_files_side_by_side,
    };
    let cases = cases().min(300);
    let mut runner = TestRunner::new(Config::with_cases(cases));
    let shared = RefCell::new(0_u32);
    let strategy = (choices(), choices(), choices());
    let result = runner.run(&strategy, |(policy_choices, changes, log_choices)| {
        let case = Case::new(policy_choices.clone(), log_choices);
        let mut other_choices = policy_choices;
        for (i, (choice, change)) in other_choices.iter_mut().zip(&changes).enumerate() {
            if i >= 3 && change % 3 == 0 {
                *choice = *change;
            }
        }
        let other = policy::policy(&mut Choices::new(other_choices));
        let old = case.compile().map_err(TestCaseError::fail)?;
        let new = compile_policy(&SourceFile::new("new.meed", &other.text))
            .map_err(|_| TestCaseError::fail(format!("does not check:\n{}", other.text)))?;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log.csv");
        std::fs::write(&log, log::plain_csv(&case.records)).unwrap();
        let people = case.people.as_deref().map(|people| {
            let path = dir.path().join("people.csv");
            std::fs::write(&path, log::roster_csv(people)).unwrap();
            (path, LogFormat::Csv)
        });
        let files = |policy: &CompiledPolicy| DataFiles {
            log: log.clone(),
            log_format: LogFormat::Csv,
            people: people.clone(),
            window: case.options(policy.schema.timezone).window,
            engine: Engine::Streaming,
        };
        let (old_files, new_files) = (files(&old), files(&new));
        let shown = |run: Result<(Evaluated, Evaluated), RunFailure>| match run {
            Ok((old, new)) => format!(
                "{}{}\n{}{}",
                render_csv(&old.totals),
                old.records,
                render_csv(&new.totals),
                new.records
            ),
            Err(failure) => format!("{failure:?}"),
        };
        // Each on its own, as `meed diff` did: the new policy only if the
        // old one gave totals.
        let mut alone = Collected::default();
        let mut progress = |_: u64, _: u64| {};
        let each_alone = evaluate_files(
            old.clone(),
            &old_files,
            Observers::default(),
            &mut progress,
            &mut alone,
        )
        .and_then(|old_run| {
            let new_run = evaluate_files(
                new.clone(),
                &new_files,
                Observers::default(),
                &mut progress,
                &mut alone,
            )?;
            Ok((old_run, new_run))
        });
        let mut together = Collected::default();
        let side_by_side = evaluate_files_side_by_side(
            (old, &old_files),
            (new, &new_files),
            &mut progress,
            &mut together,
        );
        if together.stepped_aside.is_empty() {
            *shared.borrow_mut() += 1;
        }
        let expected = (shown(each_alone), alone.shown);
        let got = (shown(side_by_side), together.shown);
        prop_assert_eq!(
            got,
            expected,
            "\n{}--- new.meed\n{}",
            case.show(),
            other.text
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let shared = shared.into_inner();
    eprintln!("{shared} of {cases} pairs read the log once");
    assert!(
        shared * 2 >= cases,
        "only {shared} of {cases} pairs read the log once"
    );
}
