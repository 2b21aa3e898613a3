//! How long it takes to say which contributions of one person earned
//! nothing, and why (`meed explain --all`, the statements of `meed
//! report`), in-process: the scale bench's reference policy, 20 people
//! with 1,000 records each over a year (reviews of every size, answers,
//! mentoring, sales, likes), evaluated once by the engine; then, for each
//! person, `unrewarded` over their records and grants and the words of
//! `render_unearned`. Prints the time per person and what 10,000 such
//! people would take (issue #19: a report for 10,000 people × ~1,000
//! records).
//!
//! ```text
//! cargo bench --bench unrewarded
//! ```

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use meed::eval::unrewarded::unrewarded;
use meed::eval::{EvalOptions, run};
use meed::input::{LogFormat, read_log, read_roster};
use meed::ledger::Ledger;
use meed::pipeline::compile_policy;
use meed::render::diagnostic::render_plain;
use meed::render::unrewarded::render_unearned;
use meed::source::SourceFile;

const PEOPLE: usize = 20;
const RECORDS_PER_PERSON: usize = 1_000;
const ROUNDS: usize = 5;

/// A deterministic log: every person's records spread over 2027.
fn log() -> String {
    let mut text = String::from("id,who,kind,at,lines,repo,accepted,votes,duration,amount\n");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for person in 0..PEOPLE {
        for i in 0..RECORDS_PER_PERSON {
            let minute = next(365 * 24 * 60);
            let at = chrono::DateTime::UNIX_EPOCH
                + chrono::TimeDelta::days(20819)
                + chrono::TimeDelta::minutes(i64::try_from(minute).unwrap_or(0));
            let at = at.format("%Y-%m-%dT%H:%M:%SZ");
            let id = format!("e{person:03}-{i:05}");
            let who = format!("p{person:03}");
            let row = match next(5) {
                0 => format!("review,{at},{},core,,,,", next(400)),
                1 => format!("answer,{at},,,{},{},,", next(2) == 0, next(30)),
                2 => format!("mentoring,{at},,,,,{}min,", 15 + next(120)),
                3 => format!("sale,{at},,,,,,{}.00", next(900)),
                _ => format!("like,{at},,,,,,"),
            };
            let _ = writeln!(text, "{id},{who},{row}");
        }
    }
    text
}

fn roster() -> String {
    let statuses = ["employee", "volunteer", "freelancer"];
    let mut text = String::from("who,status\n");
    for (person, status) in (0..PEOPLE).zip(statuses.iter().cycle()) {
        let _ = writeln!(text, "p{person:03},{status}");
    }
    text
}

fn main() -> ExitCode {
    let source = SourceFile::new("reference.meed", include_str!("reference.meed"));
    let policy = match compile_policy(&source) {
        Ok(policy) => policy,
        Err(problem) => {
            for d in problem.diagnostics() {
                eprintln!("{}", render_plain(d));
            }
            return ExitCode::FAILURE;
        }
    };
    let schema = &policy.schema;
    let Ok((log, _)) = read_log(schema, &SourceFile::new("log.csv", log()), LogFormat::Csv) else {
        eprintln!("the generated log does not read");
        return ExitCode::FAILURE;
    };
    let Ok(people) = read_roster(
        schema,
        &SourceFile::new("people.csv", roster()),
        LogFormat::Csv,
    ) else {
        eprintln!("the generated roster does not read");
        return ExitCode::FAILURE;
    };
    let mut ledger = Ledger::default();
    if let Err(e) = run(
        &policy.ast,
        schema,
        &log,
        Some(&people),
        &EvalOptions::default(),
        &mut ledger,
    ) {
        eprintln!("evaluation failed: {e}");
        return ExitCode::FAILURE;
    }
    let by_person: Vec<_> = people
        .people
        .keys()
        .map(|who| {
            let records: Vec<_> = log
                .contributions
                .iter()
                .filter(|c| c.who == *who)
                .cloned()
                .collect();
            let grants: Vec<_> = ledger
                .grants
                .iter()
                .filter(|g| g.who == *who)
                .cloned()
                .collect();
            (records, grants)
        })
        .collect();
    let mut best = (f64::MAX, f64::MAX);
    let mut listed = 0;
    for _ in 0..ROUNDS {
        let mut found_all = Vec::with_capacity(by_person.len());
        let started = Instant::now();
        for (records, grants) in &by_person {
            match unrewarded(&policy.ast, schema, Some(&people), records, grants, None) {
                Ok(found) => found_all.push(found),
                Err(e) => {
                    eprintln!("unrewarded failed: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let analysed = started.elapsed().as_secs_f64();
        let started = Instant::now();
        for found in &found_all {
            std::hint::black_box(render_unearned(found, schema));
        }
        let worded = started.elapsed().as_secs_f64();
        best = (best.0.min(analysed), best.1.min(worded));
        listed = found_all.iter().map(Vec::len).sum::<usize>();
    }
    let per_person = |seconds: f64| seconds / PEOPLE as f64;
    println!(
        "earned nothing, {PEOPLE} people × {RECORDS_PER_PERSON} records \
         ({listed} listed, best of {ROUNDS}):"
    );
    for (what, seconds) in [("reasons", best.0), ("in words", best.1)] {
        println!(
            "  {what:<10} {:.3} ms per person, {:.1} s for 10,000 people",
            per_person(seconds) * 1e3,
            per_person(seconds) * 10_000.0
        );
    }
    ExitCode::SUCCESS
}
