//! Values that change over time and rule windows (LANGUAGE.md §6): every
//! reading instant across a change date, in Europe/Berlin, with changes at
//! a DST boundary and inside a month, and windows at their local edges.
//! Each case runs through both evaluators: the exact one and the streaming
//! engine (which must handle it itself, not step aside).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

mod common;

use common::Policy;
use meed::eval::stream::{Keep, stream_log_into};
use meed::eval::{EvalErrorKind, EvalOptions};
use meed::input::Contribution;
use meed::ledger::Ledger;
use meed::render::diagnostic::render_plain;
use meed::value::Value;
use proptest::prelude::*;

const HEADER: &str = r#"
policy "Dated" { timezone "Europe/Berlin" }
contribution review { lines: Int }
reward bonus: Money(EUR)
"#;

fn policy(body: &str) -> Policy {
    Policy::new(&format!("{HEADER}{body}"))
}

fn review(p: &Policy, id: &str, who: &str, at: &str, lines: i64) -> Contribution {
    p.rec("review", id, who, at, &[("lines", Value::Int(lines))])
}

/// Evaluates with both evaluators, checks they agree grant by grant, and
/// returns the ledger.
fn both(p: &Policy, records: &[Contribution]) -> Ledger {
    let exact = p.eval(records);
    let mut streamed = Ledger::default();
    let outcome = stream_log_into(
        &p.policy,
        &p.schema,
        &p.log(records),
        None,
        &EvalOptions::default(),
        Some((Keep::Everyone, &mut streamed)),
    );
    match outcome {
        Some(Ok(_)) => {}
        Some(Err(e)) => panic!("the engine failed: {}", render_plain(&e)),
        None => panic!("the engine stepped aside"),
    }
    assert_eq!(streamed.grants.len(), exact.grants.len(), "grant count");
    for (s, e) in streamed.grants.iter().zip(&exact.grants) {
        assert_eq!(
            (&s.who, &s.target, s.at, &s.amount, &s.granted),
            (&e.who, &e.target, e.at, &e.amount, &e.granted)
        );
    }
    assert_eq!(streamed.totals, exact.totals);
    exact
}

const RATE: &str = r#"
let rate {
  from 2027-01-01: 0.02 EUR "board decision 2026-11-20"
  from 2027-04-01: 0.03 EUR "board decision 2027-02-14"
}
"#;

#[test]
fn an_on_rule_reads_at_the_contributions_time() {
    let p = policy(&format!(
        "{RATE}rule per_line {{ on review r  grant bonus rate * r.lines }}"
    ));
    let records = [
        // 23:59:59 and 00:00:00 local (CEST), either side of the change.
        review(&p, "a", "ann", "2027-03-31T21:59:59Z", 100),
        review(&p, "b", "bob", "2027-03-31T22:00:00Z", 100),
    ];
    let ledger = both(&p, &records);
    assert_eq!(p.total(&ledger, "ann", "bonus"), "2.00 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "3.00 EUR");
}

#[test]
fn an_aggregate_reads_each_record_at_its_own_time() {
    // The rate changes inside the quarter: each record's own rate counts,
    // in the measure and in `where`.
    let p = policy(&format!(
        "{RATE}
let threshold {{
  from 2027-01-01: 50
  from 2027-04-01: 150
}}
rule quarterly {{
  each person per quarter
  grant bonus sum(review r where r.lines >= threshold: rate * r.lines else 0 EUR)
}}"
    ));
    let records = [
        review(&p, "a", "ann", "2027-03-31T21:59:59Z", 100), // 0.02 × 100, passes 50
        review(&p, "b", "ann", "2027-03-31T22:00:00Z", 100), // fails 150
        review(&p, "c", "ann", "2027-04-02T10:00:00Z", 200), // 0.03 × 200
    ];
    let ledger = both(&p, &records);
    // Q1: 2.00; Q2: 6.00.
    assert_eq!(p.total(&ledger, "ann", "bonus"), "8.00 EUR");
}

#[test]
fn an_each_rule_reads_at_the_periods_start() {
    // The amount changes on the 15th: that month keeps the old amount.
    let p = policy(
        r#"
let monthly {
  from 2027-01-01: 10 EUR
  from 2027-04-15: 20 EUR
}
rule active_month {
  each person per month
  grant bonus monthly
}"#,
    );
    let records = [
        review(&p, "a", "ann", "2027-04-20T10:00:00Z", 1),
        review(&p, "b", "ann", "2027-05-02T10:00:00Z", 1),
    ];
    let ledger = both(&p, &records);
    assert_eq!(p.total(&ledger, "ann", "bonus"), "30.00 EUR");
}

#[test]
fn a_limit_reads_its_cap_at_the_periods_start() {
    let p = policy(
        r#"
let cap {
  from 2027-01-01: 3 EUR
  from 2027-04-15: 5 EUR
}
rule flat { on review r  grant bonus 2 EUR }
limit bonus at most cap per person per month
"#,
    );
    let mut records = Vec::new();
    for (i, day) in ["2027-04-20", "2027-04-21", "2027-04-22"]
        .iter()
        .enumerate()
    {
        records.push(review(
            &p,
            &format!("a{i}"),
            "ann",
            &format!("{day}T10:00:00Z"),
            1,
        ));
    }
    for (i, day) in ["2027-05-03", "2027-05-04", "2027-05-05"]
        .iter()
        .enumerate()
    {
        records.push(review(
            &p,
            &format!("b{i}"),
            "ann",
            &format!("{day}T10:00:00Z"),
            1,
        ));
    }
    let ledger = both(&p, &records);
    // April is capped at 3 EUR (the cap at April's start), May at 5 EUR.
    assert_eq!(p.total(&ledger, "ann", "bonus"), "8.00 EUR");
}

#[test]
fn a_pool_reads_its_amount_and_split_at_the_periods_start_across_dst() {
    // Daily pools; the amount and the split's weight change on the day
    // Berlin moves its clocks (2027-03-28 starts at 2027-03-27T23:00Z).
    let p = policy(
        r#"
let fund {
  from 2027-01-01: 10 EUR
  from 2027-03-28: 40 EUR
}
let extra {
  from 2027-01-01: 0
  from 2027-03-28: 1
}
pool daily {
  grant bonus fund per day
  split by count(review) + extra
}
"#,
    );
    let records = [
        // Saturday 2027-03-27, late evening local.
        review(&p, "a", "ann", "2027-03-27T22:59:59Z", 1),
        review(&p, "b", "bob", "2027-03-27T22:00:00Z", 1),
        review(&p, "c", "bob", "2027-03-27T22:30:00Z", 1),
        // Sunday 2027-03-28, just after local midnight.
        review(&p, "d", "ann", "2027-03-27T23:00:00Z", 1),
        review(&p, "e", "bob", "2027-03-27T23:10:00Z", 1),
        review(&p, "f", "bob", "2027-03-28T08:00:00Z", 1),
    ];
    let ledger = both(&p, &records);
    // Saturday: 10 EUR split 1:2 → 3.33 + 6.67 (largest remainder).
    // Sunday: 40 EUR split (1+1):(2+1) → 16.00 + 24.00.
    assert_eq!(p.total(&ledger, "ann", "bonus"), "19.33 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "30.67 EUR");
}

#[test]
fn a_change_at_the_autumn_dst_boundary_starts_at_local_midnight() {
    let p = policy(
        r#"
let rate {
  from 2027-01-01: 1 EUR
  from 2027-10-31: 2 EUR
}
rule flat { on review r  grant bonus rate }
"#,
    );
    let records = [
        // 2027-10-30 23:59:59 CEST, then 2027-10-31 00:00:00 CEST.
        review(&p, "a", "ann", "2027-10-30T21:59:59Z", 1),
        review(&p, "b", "bob", "2027-10-30T22:00:00Z", 1),
    ];
    let ledger = both(&p, &records);
    assert_eq!(p.total(&ledger, "ann", "bonus"), "1.00 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "2.00 EUR");
}

#[test]
fn a_constant_made_from_a_dated_value_changes_with_it() {
    let p = policy(&format!(
        "{RATE}let double = rate * 2\nrule r {{ on review r  grant bonus double * r.lines }}"
    ));
    let records = [
        review(&p, "a", "ann", "2027-03-31T21:59:59Z", 10),
        review(&p, "b", "ann", "2027-03-31T22:00:00Z", 10),
    ];
    let ledger = both(&p, &records);
    assert_eq!(p.total(&ledger, "ann", "bonus"), "1.00 EUR");
}

#[test]
fn rule_windows_hold_their_last_day_whole() {
    let p = policy(
        r#"
rule launch {
  on review r
  from 2027-03-01 until 2027-05-31
  grant bonus 50 EUR
}
rule spring {
  each person per month
  from 2027-03-01 until 2027-04-30
  grant bonus 1 EUR
}
pool launch_pool {
  grant bonus 100 EUR per month
  from 2027-05-01
  split by count(review)
}
"#,
    );
    let records = [
        // 2027-02-28 23:59:59 CET: before the window.
        review(&p, "a", "ann", "2027-02-28T22:59:59Z", 1),
        // 2027-03-01 00:00:00 CET: first instant.
        review(&p, "b", "bob", "2027-02-28T23:00:00Z", 1),
        // 2027-05-31 23:59:59 CEST: last instant.
        review(&p, "c", "cat", "2027-05-31T21:59:59Z", 1),
        // 2027-06-01 00:00:00 CEST: after.
        review(&p, "d", "dan", "2027-05-31T22:00:00Z", 1),
    ];
    let ledger = both(&p, &records);
    assert_eq!(p.total(&ledger, "ann", "bonus"), "-");
    // launch + March (spring) ; no pool in March.
    assert_eq!(p.total(&ledger, "bob", "bonus"), "51.00 EUR");
    // launch + the May pool, alone; May is outside spring.
    assert_eq!(p.total(&ledger, "cat", "bonus"), "150.00 EUR");
    // June pool.
    assert_eq!(p.total(&ledger, "dan", "bonus"), "100.00 EUR");
}

#[test]
fn reading_a_value_before_its_first_date_is_an_error_naming_it() {
    let p = policy(&format!(
        "{RATE}rule per_line {{ on review r  grant bonus rate * r.lines }}"
    ));
    let records = [review(&p, "early", "ann", "2026-12-31T10:00:00Z", 1)];
    let error = p
        .eval_with(&records, None, &EvalOptions::default())
        .unwrap_err();
    let EvalErrorKind::NotInForce { detail: e } = &error.kind else {
        panic!("unexpected error {error}")
    };
    assert_eq!(e.not_yet.name, "rate");
    assert_eq!(e.first, "2027-01-01 00:00");
    assert_eq!(e.read_at, "2026-12-31 11:00");
    let text = error.to_string();
    assert!(text.contains("contribution `early`"), "{text}");
    // The engine does not produce a ledger either.
    let mut ledger = Ledger::default();
    let streamed = stream_log_into(
        &p.policy,
        &p.schema,
        &p.log(&records),
        None,
        &EvalOptions::default(),
        Some((Keep::Everyone, &mut ledger)),
    );
    assert!(matches!(streamed, Some(Err(_))));
}

#[test]
fn a_false_when_reads_nothing() {
    let p = policy(&format!(
        "{RATE}rule per_line {{ on review r  when r.lines > 10  grant bonus rate * r.lines }}"
    ));
    let records = [review(&p, "early", "ann", "2026-12-31T10:00:00Z", 1)];
    let ledger = both(&p, &records);
    assert_eq!(p.total(&ledger, "ann", "bonus"), "-");
}

#[test]
fn explanations_name_the_value_in_force_and_its_source() {
    let p = policy(&format!(
        "{RATE}rule per_line {{ on review r  grant bonus rate * r.lines }}"
    ));
    let records = [review(&p, "b", "ann", "2027-04-02T10:00:00Z", 100)];
    let options = EvalOptions {
        explain: true,
        ..EvalOptions::default()
    };
    let (ledger, _) = p.eval_with(&records, None, &options).unwrap();
    assert_eq!(
        ledger.grants[0].calculation.as_deref(),
        Some(
            "0.03 EUR × 100 = 3.00 EUR; rate = 0.03 EUR (from 2027-04-01, board decision 2027-02-14)"
        )
    );
}

/// A policy with rate, cap and pool amount as plain `let`s, or as dated
/// values with a single `from` before every record.
fn plain_or_dated(dated: bool, rate: i64, cap: i64, fund: i64) -> Policy {
    let value = |name: &str, v: String| {
        if dated {
            format!("let {name} {{\n  from 2026-06-01: {v}\n}}\n")
        } else {
            format!("let {name} = {v}\n")
        }
    };
    policy(&format!(
        "{}{}{}
rule per_line {{ on review r  grant bonus rate * r.lines }}
rule monthly {{ each person per month  when count(review) >= 2  grant bonus rate * 10 }}
limit bonus at most cap per person per week
pool fund {{ grant bonus fund per month  split by total(bonus) }}
",
        value("rate", format!("0.0{rate} EUR")),
        value("cap", format!("{cap} EUR")),
        value("fund", format!("{fund} EUR")),
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A dated value in force before every record is the same as a plain
    /// `let`: the same grants, by both evaluators.
    #[test]
    fn one_early_from_is_a_plain_let(
        rate in 1i64..9,
        cap in 1i64..20,
        fund in 1i64..100,
        records in proptest::collection::vec((0u32..8, 0i64..200, 0u32..400), 1..40),
    ) {
        let plain = plain_or_dated(false, rate, cap, fund);
        let dated = plain_or_dated(true, rate, cap, fund);
        let make = |p: &Policy| -> Vec<Contribution> {
            records
                .iter()
                .enumerate()
                .map(|(i, (who, lines, day))| {
                    let at = chrono::DateTime::parse_from_rfc3339("2027-01-01T09:00:00Z").unwrap()
                        + chrono::Duration::hours(i64::from(*day) * 20);
                    review(p, &format!("r{i}"), &format!("p{who}"), &at.to_rfc3339(), *lines)
                })
                .collect()
        };
        let a = both(&plain, &make(&plain));
        let b = both(&dated, &make(&dated));
        prop_assert_eq!(a.grants, b.grants);
        prop_assert_eq!(a.totals, b.totals);
    }
}

#[test]
fn the_command_line_names_the_value_the_date_and_the_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.meed");
    let log = dir.path().join("log.csv");
    std::fs::write(
        &policy,
        format!(
            "{HEADER}{RATE}rule per_line {{\n  on review r\n  grant bonus rate * r.lines\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &log,
        "id,kind,who,at,lines\nok,review,bob,2027-01-02T10:00:00Z,5\nearly,review,ann,2026-12-31T10:00:00Z,5\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_meed"))
        .arg("eval")
        .arg(&policy)
        .arg(&log)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "no ledger is printed");
    for part in [
        "meed::value_not_in_force",
        "`rate` has no value on 2026-12-31 11:00",
        "its first `from` is 2027-01-01 00:00",
        "contribution `early` on log line 3",
        "policy.meed:",
        "no ledger was produced",
    ] {
        assert!(stderr.contains(part), "`{part}` missing from:\n{stderr}");
    }
}
