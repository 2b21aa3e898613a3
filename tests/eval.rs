//! The evaluator, stage by stage, with hand-computed expectations.
//!
//! Policies are written as text; logs are built record by record with
//! [`rec`]. Totals are compared as displayed (`7.40 EUR`, `15 pts`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a failing unwrap is a failing test"
)]

mod common;

use common::*;
use meed::eval::{
    EvalErrorKind, EvalOptions, EvalWarning, PersonSink, TotalsSink, Window, evaluate,
};
use meed::ledger::{Origin, Target};
use meed::value::Value;

const REVIEWS: &str = r#"
policy "t" { timezone "UTC" }
person { status: one of "employee", "volunteer" }
contribution review { lines: Int, repo: Text }
reward bonus: Money(EUR)
let review_rate = 0.02 EUR
rule review_bonus {
  on review r
  when r.lines >= 50
  grant bonus 5.00 EUR + review_rate * r.lines
}
"#;

#[test]
fn on_rule_grants_once_per_matching_contribution() {
    let p = Policy::new(REVIEWS);
    let log = vec![
        p.rec(
            "review",
            "r1",
            "alice",
            "2027-01-05T10:00:00Z",
            &[("lines", int(120)), ("repo", text("core"))],
        ),
        p.rec(
            "review",
            "r2",
            "alice",
            "2027-01-06T10:00:00Z",
            &[("lines", int(10)), ("repo", text("core"))],
        ),
        p.rec(
            "review",
            "r3",
            "bob",
            "2027-01-07T10:00:00Z",
            &[("lines", int(50)), ("repo", text("docs"))],
        ),
    ];
    let ledger = p.eval(&log);
    // 5.00 + 0.02 × 120 = 7.40; r2 has 10 lines (< 50): nothing; 5 + 1 = 6.00.
    assert_eq!(p.total(&ledger, "alice", "bonus"), "7.40 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "6.00 EUR");
    assert_eq!(ledger.grants.len(), 2);
    let g = &ledger.grants[0];
    assert_eq!(g.at.to_rfc3339(), "2027-01-05T10:00:00+00:00");
    assert_eq!(ids(g), vec!["r1"]);
    assert_eq!(
        g.origin,
        Origin::Rule {
            name: "review_bonus".into(),
            position: 0
        }
    );
    assert_eq!(g.calculation, None);
}

#[test]
fn explain_shows_the_calculation_with_values() {
    let p = Policy::new(REVIEWS);
    let log = vec![p.rec(
        "review",
        "r1",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("lines", int(120)), ("repo", text("core"))],
    )];
    let ledger = p
        .eval_with(
            &log,
            None,
            &EvalOptions {
                window: None,
                explain: true,
            },
        )
        .unwrap()
        .0;
    assert_eq!(
        ledger.grants[0].calculation.as_deref(),
        Some("5.00 EUR + 0.02 EUR × 120 = 7.40 EUR")
    );
}

#[test]
fn reading_the_roster_without_people_is_an_error() {
    let p = Policy::new(&REVIEWS.replace("when r.lines >= 50", "when r.by.status != \"employee\""));
    let log = vec![p.rec(
        "review",
        "r1",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("lines", int(1)), ("repo", text("core"))],
    )];
    let err = p
        .eval_with(&log, None, &EvalOptions::default())
        .unwrap_err();
    assert_eq!(
        err.kind,
        EvalErrorKind::RosterRequired {
            column: "status".into()
        }
    );
    assert!(err.to_string().contains("needs a people file"));

    let roster = roster(&[
        ("alice", vec![text("volunteer")]),
        ("bob", vec![text("employee")]),
    ]);
    let log = vec![
        p.rec(
            "review",
            "r1",
            "alice",
            "2027-01-05T10:00:00Z",
            &[("lines", int(1)), ("repo", text("core"))],
        ),
        p.rec(
            "review",
            "r2",
            "bob",
            "2027-01-05T10:00:00Z",
            &[("lines", int(1)), ("repo", text("core"))],
        ),
    ];
    let (ledger, _) = p
        .eval_with(&log, Some(&roster), &EvalOptions::default())
        .unwrap();
    assert_eq!(p.total(&ledger, "alice", "bonus"), "5.02 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "-");
}

const SALES: &str = r#"
policy "t" { timezone "UTC" }
contribution sale { amount: Money(EUR) }
reward bonus: Money(EUR)
rule commission {
  on sale s
  grant bonus tiers s.amount {
    up to 500 EUR: 10%
    above: 15%
  }
}
"#;

#[test]
fn tiers_are_marginal() {
    let p = Policy::new(SALES);
    let log = vec![
        p.rec(
            "sale",
            "s1",
            "alice",
            "2027-01-05T10:00:00Z",
            &[("amount", p.eur("700"))],
        ),
        p.rec(
            "sale",
            "s2",
            "bob",
            "2027-01-05T10:00:00Z",
            &[("amount", p.eur("300"))],
        ),
        p.rec(
            "sale",
            "s3",
            "carol",
            "2027-01-05T10:00:00Z",
            &[("amount", p.eur("-50"))],
        ),
    ];
    let (ledger, _) = p
        .eval_with(
            &log,
            None,
            &EvalOptions {
                window: None,
                explain: true,
            },
        )
        .unwrap();
    // 500 × 10% + 200 × 15% = 50 + 30 = 80; 300 × 10% = 30; negative → 0.
    assert_eq!(p.total(&ledger, "alice", "bonus"), "80.00 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "30.00 EUR");
    assert_eq!(p.total(&ledger, "carol", "bonus"), "0.00 EUR");
    assert_eq!(
        ledger.grants[0].calculation.as_deref(),
        Some("tiers 700 EUR: 500 EUR × 10% + 200 EUR × 15% = 80.00 EUR")
    );
}

#[test]
fn tiers_inside_a_larger_expression_round_only_the_grant() {
    let p = Policy::new(
        r#"
contribution sale { amount: Money(EUR) }
reward bonus: Money(EUR)
rule commission {
  on sale s
  grant bonus 0.001 EUR + tiers (s.amount * 2) { up to 1 EUR: 0.25%  up to 2 EUR: 0.5% above: 1% }
}
"#,
    );
    // 2 × 0.70 = 1.40: 1 × 0.0025 + 0.40 × 0.005 = 0.0025 + 0.002 = 0.0045;
    // + 0.001 = 0.0055 → half-even to 0.01 (0.0055 is above the midpoint 0.005).
    let log = vec![p.rec(
        "sale",
        "s1",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("amount", p.eur("0.70"))],
    )];
    let (ledger, _) = p
        .eval_with(
            &log,
            None,
            &EvalOptions {
                window: None,
                explain: true,
            },
        )
        .unwrap();
    assert_eq!(p.total(&ledger, "alice", "bonus"), "0.01 EUR");
    assert_eq!(
        ledger.grants[0].calculation.as_deref(),
        Some("0.001 EUR + (tiers 1.40 EUR: 1 EUR × 0.25% + 0.40 EUR × 0.5%) = 0.01 EUR")
    );
}

const ROUNDING: &str = r#"
contribution sale { amount: Money(EUR) }
contribution yen_sale { amount: Money(JPY) }
reward bonus: Money(EUR)
reward yen: Money(JPY)
rule eur { on sale s  grant bonus s.amount }
rule jpy { on yen_sale s  grant yen s.amount }
"#;

fn rounded(header: &str, kind: &str, account: &str, amount: &str) -> String {
    let p = Policy::new(&format!("{header}\n{ROUNDING}"));
    let value = if kind == "sale" {
        p.eur(amount)
    } else {
        p.money(amount, "JPY")
    };
    let log = vec![p.rec(
        kind,
        "x",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("amount", value)],
    )];
    p.total(&p.eval(&log), "alice", account)
}

#[test]
fn money_grants_round_half_to_even() {
    assert_eq!(rounded("", "sale", "bonus", "0.125"), "0.12 EUR");
    assert_eq!(rounded("", "sale", "bonus", "0.135"), "0.14 EUR");
    assert_eq!(rounded("", "sale", "bonus", "-1.245"), "-1.24 EUR");
    assert_eq!(rounded("", "yen_sale", "yen", "2.5"), "2 JPY");
    assert_eq!(rounded("", "yen_sale", "yen", "3.5"), "4 JPY");
}

#[test]
fn money_grants_round_half_up_when_asked() {
    let header = "policy \"t\" { rounding half_up }";
    assert_eq!(rounded(header, "sale", "bonus", "0.125"), "0.13 EUR");
    assert_eq!(rounded(header, "sale", "bonus", "-1.245"), "-1.25 EUR");
    assert_eq!(rounded(header, "yen_sale", "yen", "2.5"), "3 JPY");
}

#[test]
fn intermediate_values_stay_exact() {
    let p = Policy::new(
        r#"
contribution review { lines: Int }
reward bonus: Money(EUR)
reward reputation: Points
let rate = 0.005 EUR
rule r { on review r  grant bonus rate * r.lines }
rule p { on review r  grant reputation 0.125 pts * r.lines }
"#,
    );
    // 0.005 × 3 = 0.015 → 0.02 (half-even); 0.125 × 3 = 0.375 pts, not rounded.
    let log = vec![p.rec(
        "review",
        "r1",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("lines", int(3))],
    )];
    let ledger = p.eval(&log);
    assert_eq!(p.total(&ledger, "alice", "bonus"), "0.02 EUR");
    assert_eq!(p.total(&ledger, "alice", "reputation"), "0.375 pts");
}

const PERIODS: &str = r#"
policy "t" { timezone "TZ" }
contribution like {}
reward reputation: Points
rule weekly { each person per PERIOD  grant reputation count(like) * 1 pts }
"#;

/// `(label of stamp, amount)` of each grant of the `each` rule.
fn per_period(tz: &str, period: &str, ats: &[&str]) -> Vec<(String, String)> {
    let p = Policy::new(&PERIODS.replace("TZ", tz).replace("PERIOD", period));
    let log: Vec<_> = ats
        .iter()
        .enumerate()
        .map(|(i, at)| p.rec("like", &format!("l{i}"), "alice", at, &[]))
        .collect();
    p.eval(&log)
        .grants
        .iter()
        .map(|g| {
            (
                g.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                g.granted.to_string(),
            )
        })
        .collect()
}

fn stamped(at: &str, amount: &str) -> (String, String) {
    (at.to_string(), amount.to_string())
}

#[test]
fn each_period_kind() {
    let ats = [
        "2027-01-05T10:00:00Z",
        "2027-02-17T10:00:00Z",
        "2027-04-01T00:00:00Z",
        "2027-04-01T12:00:00Z",
    ];
    assert_eq!(
        per_period("UTC", "day", &ats),
        vec![
            stamped("2027-01-05T23:59:59.999999999Z", "1 pts"),
            stamped("2027-02-17T23:59:59.999999999Z", "1 pts"),
            stamped("2027-04-01T23:59:59.999999999Z", "2 pts"),
        ]
    );
    assert_eq!(
        per_period("UTC", "month", &ats),
        vec![
            stamped("2027-01-31T23:59:59.999999999Z", "1 pts"),
            stamped("2027-02-28T23:59:59.999999999Z", "1 pts"),
            stamped("2027-04-30T23:59:59.999999999Z", "2 pts"),
        ]
    );
    assert_eq!(
        per_period("UTC", "quarter", &ats),
        vec![
            stamped("2027-03-31T23:59:59.999999999Z", "2 pts"),
            stamped("2027-06-30T23:59:59.999999999Z", "2 pts")
        ]
    );
    assert_eq!(
        per_period("UTC", "year", &ats),
        vec![stamped("2027-12-31T23:59:59.999999999Z", "4 pts")]
    );
}

#[test]
fn iso_weeks_53_and_1() {
    // 2026-12-31 (Thu) and 2027-01-03 (Sun) are in 2026-W53; 2027-01-04 (Mon) starts 2027-W01.
    let ats = [
        "2026-12-31T12:00:00Z",
        "2027-01-03T23:00:00Z",
        "2027-01-04T00:00:00Z",
    ];
    assert_eq!(
        per_period("UTC", "week", &ats),
        vec![
            stamped("2027-01-03T23:59:59.999999999Z", "2 pts"),
            stamped("2027-01-10T23:59:59.999999999Z", "1 pts")
        ]
    );
}

#[test]
fn berlin_days_across_daylight_saving() {
    // 2027-03-28 in Berlin runs 2027-03-27T23:00Z .. 2027-03-28T22:00Z (23 hours).
    let spring = [
        "2027-03-27T23:30:00Z",
        "2027-03-28T21:30:00Z",
        "2027-03-28T22:00:00Z",
    ];
    assert_eq!(
        per_period("Europe/Berlin", "day", &spring),
        vec![
            stamped("2027-03-28T21:59:59.999999999Z", "2 pts"),
            stamped("2027-03-29T21:59:59.999999999Z", "1 pts")
        ]
    );
    // 2027-10-31 runs 2027-10-30T22:00Z .. 2027-10-31T23:00Z (25 hours).
    let autumn = [
        "2027-10-30T21:59:59Z",
        "2027-10-30T22:00:00Z",
        "2027-10-31T22:59:00Z",
        "2027-10-31T23:00:00Z",
    ];
    assert_eq!(
        per_period("Europe/Berlin", "day", &autumn),
        vec![
            stamped("2027-10-30T21:59:59.999999999Z", "1 pts"),
            stamped("2027-10-31T22:59:59.999999999Z", "2 pts"),
            stamped("2027-11-01T22:59:59.999999999Z", "1 pts"),
        ]
    );
}

const ANSWERS: &str = r#"
contribution answer { accepted: Bool, votes: Int }
contribution like {}
contribution sale { amount: Money(EUR) }
reward reputation: Points
reward bonus: Money(EUR)
badge regular "Regular"
rule spread {
  each person per month
  grant reputation (max(answer.votes else 0) + min(answer.votes else 100)) * 1 pts
}
rule accepted_votes {
  each person per month
  when count(answer a where a.accepted) >= 1
  grant reputation sum(answer a where a.accepted: a.votes) * 10 pts
}
rule sales { each person per month  grant bonus sum(sale.amount) }
rule sales_share { each person per month  grant bonus sum(sale s: s.amount * 2% + 1 EUR) }
rule regular { each person per month  when count(like) >= 2  award regular }
"#;

#[test]
fn aggregates_with_filters_and_fallbacks() {
    let p = Policy::new(ANSWERS);
    let answer = |id: &str, who: &str, at: &str, accepted: bool, votes: i64| {
        p.rec(
            "answer",
            id,
            who,
            at,
            &[("accepted", Value::Bool(accepted)), ("votes", int(votes))],
        )
    };
    let log = vec![
        answer("a1", "alice", "2027-01-05T10:00:00Z", true, 3),
        answer("a2", "alice", "2027-01-06T10:00:00Z", false, 7),
        answer("a3", "alice", "2027-01-07T10:00:00Z", true, 2),
        p.rec("like", "l1", "bob", "2027-01-05T10:00:00Z", &[]),
        p.rec("like", "l2", "bob", "2027-01-25T10:00:00Z", &[]),
        p.rec("like", "l3", "bob", "2027-02-25T10:00:00Z", &[]),
        p.rec("like", "l4", "bob", "2027-02-26T10:00:00Z", &[]),
    ];
    let ledger = p.eval(&log);
    // alice: spread (7 + 2) = 9 pts; accepted votes (3 + 2) × 10 = 50 pts.
    assert_eq!(p.total(&ledger, "alice", "reputation"), "59 pts");
    // bob has no answers: fallbacks 0 + 100 = 100 pts per month, 2 months.
    assert_eq!(p.total(&ledger, "bob", "reputation"), "200 pts");
    // sum of no sales is 0 EUR, granted each month; so is the sum of a
    // measure written as an expression (its type is the one the checker
    // recorded: `Money(EUR)`).
    assert_eq!(p.total(&ledger, "bob", "bonus"), "0.00 EUR");
    let shares: Vec<String> = ledger
        .grants
        .iter()
        .filter(|g| matches!(&g.origin, Origin::Rule { name, .. } if &**name == "sales_share"))
        .map(|g| g.amount.to_string())
        .collect();
    assert_eq!(
        shares.len(),
        3,
        "alice in January, bob in January and February"
    );
    assert!(shares.iter().all(|a| a == "0.00 EUR"), "{shares:?}");
    assert_eq!(p.badge(&ledger, "bob", "regular"), Some(Value::Int(2)));
    assert_eq!(p.badge(&ledger, "alice", "regular"), None);
    // Contributions behind an `each` grant: exactly the records its
    // aggregates counted (kind matching, `where` holding), not every record
    // of the kinds it reads: a2 is not accepted, so it earned nothing here.
    let grant = |rule: &str, who: &str| {
        let found = ledger.grants.iter().find(|g| {
            matches!(&g.origin, Origin::Rule { name, .. } if **name == *rule) && &*g.who == who
        });
        found
            .map(ids)
            .unwrap_or_else(|| panic!("no `{rule}` grant to {who}"))
    };
    assert_eq!(grant("accepted_votes", "alice"), ["a1", "a3"]);
    // `max` and `min` without a filter count every answer.
    assert_eq!(grant("spread", "alice"), ["a1", "a2", "a3"]);
    assert_eq!(grant("regular", "bob"), ["l1", "l2"]);
    // Aggregates that counted nothing (bob has no answers, no sales): the
    // grant rests on no contribution, even though bob has likes that month.
    assert!(grant("spread", "bob").is_empty());
    assert!(grant("sales", "bob").is_empty());
    // `explain` lists what was counted, and says so when nothing was.
    let context = meed::render::explain::ExplainContext {
        policy: &p.policy,
        schema: &p.schema,
        log: &meed::input::Log {
            contributions: log.clone(),
        },
    };
    let of = |who: &str| -> Vec<meed::ledger::Grant> {
        ledger
            .grants
            .iter()
            .filter(|g| &*g.who == who)
            .cloned()
            .collect()
    };
    let alice = meed::render::explain::render_explain("alice", None, &of("alice"), &context);
    assert!(
        alice.contains("month 2027-01: 2 contributions (a1, a3)\n  → rule accepted_votes"),
        "{alice}"
    );
    let bob = meed::render::explain::render_explain("bob", None, &of("bob"), &context);
    assert!(
        bob.contains("month 2027-01: no contribution counted\n  → rule sales"),
        "{bob}"
    );
}

#[test]
fn min_without_fallback_over_nothing_is_an_error() {
    let p = Policy::new(
        r#"
contribution answer { votes: Int }
contribution like {}
reward reputation: Points
rule r { each person per month  grant reputation min(answer.votes) * 1 pts }
"#,
    );
    let log = vec![p.rec("like", "l1", "bob", "2027-01-05T10:00:00Z", &[])];
    let err = p
        .eval_with(&log, None, &EvalOptions::default())
        .unwrap_err();
    assert_eq!(
        err.kind,
        EvalErrorKind::EmptyAggregate {
            function: "min".into()
        }
    );
    assert_eq!(err.context.as_deref(), Some("rule `r`, `bob` in 2027-01"));
}

const LIMITED: &str = r#"
contribution sale { amount: Money(EUR) }
reward bonus: Money(EUR)
rule commission { on sale s  grant bonus s.amount }
limit bonus at most 10 EUR per person per month
"#;

#[test]
fn limits_cut_positive_grants_and_let_negative_ones_pass() {
    let p = Policy::new(LIMITED);
    let sale = |id: &str, at: &str, amount: &str| {
        p.rec("sale", id, "alice", at, &[("amount", p.eur(amount))])
    };
    let log = vec![
        sale("s1", "2027-01-01T10:00:00Z", "4"),
        sale("s2", "2027-01-02T10:00:00Z", "4"),
        sale("s3", "2027-01-03T10:00:00Z", "4"),
        sale("s4", "2027-01-04T10:00:00Z", "-3"),
        sale("s5", "2027-01-05T10:00:00Z", "4"),
        sale("s6", "2027-02-01T10:00:00Z", "12"),
    ];
    let ledger = p.eval(&log);
    // Running sum: 4, 8, 8+2 (cut from 4), 10-3 = 7, 7+3 (cut from 4); February: 10 (cut from 12).
    let granted: Vec<String> = ledger
        .grants
        .iter()
        .map(|g| g.granted.to_string())
        .collect();
    assert_eq!(
        granted,
        vec![
            "4.00 EUR",
            "4.00 EUR",
            "2.00 EUR",
            "-3.00 EUR",
            "3.00 EUR",
            "10.00 EUR"
        ]
    );
    assert_eq!(p.total(&ledger, "alice", "bonus"), "20.00 EUR");
    let cut = &ledger.grants[2].cuts;
    assert_eq!(cut.len(), 1);
    assert_eq!(&*cut[0].limit, "bonus at most 10 EUR per person per month");
    assert_eq!(cut[0].period, "2027-01");
    assert_eq!(cut[0].already_granted.to_string(), "8.00 EUR");
    assert_eq!(cut[0].cap.to_string(), "10.00 EUR");
    assert_eq!(
        (cut[0].before.to_string(), cut[0].after.to_string()),
        ("4.00 EUR".into(), "2.00 EUR".into())
    );
    assert_eq!(ledger.grants[2].amount.to_string(), "4.00 EUR");
    assert!(ledger.grants[3].cuts.is_empty());
    assert_eq!(ledger.grants[5].cuts[0].period, "2027-02");
}

#[test]
fn limits_are_per_person() {
    let p = Policy::new(LIMITED);
    let log = vec![
        p.rec(
            "sale",
            "s1",
            "alice",
            "2027-01-01T10:00:00Z",
            &[("amount", p.eur("8"))],
        ),
        p.rec(
            "sale",
            "s2",
            "bob",
            "2027-01-01T10:00:00Z",
            &[("amount", p.eur("8"))],
        ),
        p.rec(
            "sale",
            "s3",
            "alice",
            "2027-01-02T10:00:00Z",
            &[("amount", p.eur("8"))],
        ),
    ];
    let ledger = p.eval(&log);
    assert_eq!(p.total(&ledger, "alice", "bonus"), "10.00 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "8.00 EUR");
}

#[test]
fn limits_from_named_rules_only() {
    let p = Policy::new(
        r#"
contribution answer { votes: Int }
reward reputation: Points
rule answers { on answer a  grant reputation a.votes * 10 pts }
rule flat { on answer a  grant reputation 5 pts }
limit reputation from answers at most 25 pts per person per day
"#,
    );
    let answer = |id: &str, at: &str| p.rec("answer", id, "alice", at, &[("votes", int(2))]);
    let log = vec![
        answer("a1", "2027-01-01T10:00:00Z"),
        answer("a2", "2027-01-01T11:00:00Z"),
        answer("a3", "2027-01-02T10:00:00Z"),
    ];
    let ledger = p.eval(&log);
    // Day 1: answers 20 + 5 (cut from 20), flat 5 + 5 (not limited).
    // Day 2: answers 20, flat 5. Total 25 + 10 + 25 = 60.
    assert_eq!(p.total(&ledger, "alice", "reputation"), "60 pts");
    let cut: Vec<_> = ledger
        .grants
        .iter()
        .filter(|g| !g.cuts.is_empty())
        .collect();
    assert_eq!(cut.len(), 1);
    assert_eq!(ids(cut[0]), vec!["a2"]);
    assert_eq!(
        &*cut[0].cuts[0].limit,
        "reputation from answers at most 25 pts per person per day"
    );
}

#[test]
fn two_limits_apply_in_order() {
    let p = Policy::new(&format!(
        "{LIMITED}\nlimit bonus at most 15 EUR per person per quarter\n"
    ));
    let log = vec![
        p.rec(
            "sale",
            "s1",
            "alice",
            "2027-01-10T10:00:00Z",
            &[("amount", p.eur("12"))],
        ),
        p.rec(
            "sale",
            "s2",
            "alice",
            "2027-02-10T10:00:00Z",
            &[("amount", p.eur("12"))],
        ),
    ];
    let ledger = p.eval(&log);
    // Monthly cap: 12 → 10, 12 → 10. Quarterly cap on the cut values: 10, then 10 → 5.
    assert_eq!(p.total(&ledger, "alice", "bonus"), "15.00 EUR");
    assert_eq!(ledger.grants[0].cuts.len(), 1);
    let second = &ledger.grants[1].cuts;
    assert_eq!(second.len(), 2);
    assert_eq!(
        &*second[1].limit,
        "bonus at most 15 EUR per person per quarter"
    );
    assert_eq!(
        (second[1].before.to_string(), second[1].after.to_string()),
        ("10.00 EUR".into(), "5.00 EUR".into())
    );
    assert_eq!(second[1].period, "2027-Q1");
}

const POOLED: &str = r#"
contribution answer { votes: Int }
reward reputation: Points
reward bonus: Money(EUR)
rule answers { on answer a  grant reputation a.votes * 1 pts }
limit reputation at most 10 pts per person per month
pool community_fund {
  grant bonus 100 EUR per quarter
  split by total(reputation)
}
"#;

#[test]
fn pool_splits_by_score_with_the_extra_cent_to_the_smallest_who() {
    let p = Policy::new(POOLED);
    let answer = |id: &str, who: &str, votes: i64| {
        p.rec(
            "answer",
            id,
            who,
            "2027-02-01T10:00:00Z",
            &[("votes", int(votes))],
        )
    };
    // alice's 30 pts are limited to 10: everyone scores 10.
    let log = vec![
        answer("a1", "carol", 10),
        answer("a2", "alice", 30),
        answer("a3", "bob", 10),
    ];
    let (ledger, report) = p
        .eval_with(
            &log,
            None,
            &EvalOptions {
                window: None,
                explain: true,
            },
        )
        .unwrap();
    assert!(report.warnings.is_empty());
    assert_eq!(p.total(&ledger, "alice", "bonus"), "33.34 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "33.33 EUR");
    assert_eq!(p.total(&ledger, "carol", "bonus"), "33.33 EUR");
    let shares: Vec<_> = ledger
        .grants
        .iter()
        .filter(|g| matches!(g.origin, Origin::Pool(_)))
        .collect();
    assert_eq!(shares.len(), 3);
    assert_eq!(
        shares[0]
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        "2027-03-31T23:59:59.999999999Z"
    );
    let Origin::Pool(share) = &shares[0].origin else {
        unreachable!()
    };
    assert_eq!(share.period, "2027-Q1");
    assert_eq!(share.score.to_string(), "10 pts");
    assert_eq!(share.total_score.to_string(), "30 pts");
    assert!(share.leftover_unit);
    assert_eq!(
        shares[0].calculation.as_deref(),
        Some(
            "100.00 EUR × 10 pts ÷ 30 pts, rounded down, + 0.01 EUR (largest remainder) = 33.34 EUR"
        )
    );
}

#[test]
fn pool_is_paid_per_period_and_warns_when_unclaimed() {
    let p = Policy::new(POOLED);
    let log = vec![
        p.rec(
            "answer",
            "a1",
            "alice",
            "2027-02-01T10:00:00Z",
            &[("votes", int(0))],
        ),
        p.rec(
            "answer",
            "a2",
            "alice",
            "2027-05-01T10:00:00Z",
            &[("votes", int(1))],
        ),
        p.rec(
            "answer",
            "a3",
            "bob",
            "2027-05-01T10:00:00Z",
            &[("votes", int(3))],
        ),
    ];
    let (ledger, report) = p.eval_with(&log, None, &EvalOptions::default()).unwrap();
    assert_eq!(
        report.warnings,
        vec![EvalWarning::PoolUnclaimed {
            pool: "community_fund".into(),
            period: "2027-Q1".into()
        }]
    );
    assert_eq!(
        report.warnings[0].to_string(),
        "pool `community_fund` went unclaimed in 2027-Q1"
    );
    // Q2: 1 : 3 → 25.00 and 75.00.
    assert_eq!(p.total(&ledger, "alice", "bonus"), "25.00 EUR");
    assert_eq!(p.total(&ledger, "bob", "bonus"), "75.00 EUR");
}

#[test]
fn ledger_order_time_then_id_then_rule_then_who() {
    let p = Policy::new(
        r#"
contribution like {}
reward reputation: Points
rule first { on like l  grant reputation 1 pts }
rule second { on like l  grant reputation 2 pts }
rule monthly_b { each person per month  grant reputation 3 pts }
rule monthly_a { each person per month  grant reputation 4 pts }
"#,
    );
    let at = "2027-01-05T10:00:00Z";
    // Ids compare as bytes: "l10" < "l9".
    let log = vec![
        p.rec("like", "l9", "bob", at, &[]),
        p.rec("like", "l10", "alice", at, &[]),
        p.rec("like", "l1", "carol", "2027-01-04T10:00:00Z", &[]),
    ];
    let order: Vec<String> = p
        .eval(&log)
        .grants
        .iter()
        .map(|g| {
            let Origin::Rule { name, .. } = &g.origin else {
                unreachable!()
            };
            format!(
                "{} {} {}",
                g.who,
                name,
                g.contributions.first().map_or("-", |c| c)
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            "carol first l1",
            "carol second l1",
            "alice first l10",
            "alice second l10",
            "bob first l9",
            "bob second l9",
            "alice monthly_b l10",
            "bob monthly_b l9",
            "carol monthly_b l1",
            "alice monthly_a l10",
            "bob monthly_a l9",
            "carol monthly_a l1",
        ]
    );
}

#[test]
fn window_selects_contributions() {
    let p = Policy::new(REVIEWS);
    let log = vec![
        p.rec(
            "review",
            "r1",
            "alice",
            "2027-01-31T23:59:59Z",
            &[("lines", int(100)), ("repo", text("core"))],
        ),
        p.rec(
            "review",
            "r2",
            "alice",
            "2027-02-01T00:00:00Z",
            &[("lines", int(100)), ("repo", text("core"))],
        ),
    ];
    let window = Window::parse_period("2027-02", chrono_tz::Tz::UTC).unwrap();
    let (ledger, _) = p
        .eval_with(
            &log,
            None,
            &EvalOptions {
                window: Some(window),
                explain: false,
            },
        )
        .unwrap();
    assert_eq!(ids(&ledger.grants[0]), vec!["r2"]);
    assert_eq!(ledger.grants.len(), 1);
}

#[test]
fn division_by_zero_names_rule_and_contribution() {
    let p = Policy::new(
        r#"
contribution review { lines: Int }
reward bonus: Money(EUR)
rule per_line { on review r  grant bonus 10 EUR / r.lines }
"#,
    );
    let log = vec![p.rec(
        "review",
        "r-7",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("lines", int(0))],
    )];
    let err = p
        .eval_with(&log, None, &EvalOptions::default())
        .unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::DivisionByZero);
    assert_eq!(
        err.to_string(),
        "division by zero (rule `per_line`, contribution `r-7`)"
    );
}

#[test]
fn integer_overflow_is_an_error() {
    let p = Policy::new(
        r#"
contribution review { lines: Int }
reward reputation: Points
rule big { on review r  grant reputation (r.lines * 9223372036854775807) * 1 pts }
"#,
    );
    let log = vec![p.rec(
        "review",
        "r1",
        "alice",
        "2027-01-05T10:00:00Z",
        &[("lines", int(2))],
    )];
    let err = p
        .eval_with(&log, None, &EvalOptions::default())
        .unwrap_err();
    assert!(matches!(err.kind, EvalErrorKind::Overflow { .. }), "{err}");
}

#[test]
fn constants_may_use_constants_declared_later() {
    let p = Policy::new(
        r#"
let combined = base * 2 + extra
let base = 1.50 EUR
let extra = 0.01 EUR
"#,
    );
    let expr = p.let_expr("combined");
    let value = meed::eval::evaluate_expr(&p.policy, &p.schema, &expr).unwrap();
    assert_eq!(value.to_string(), "3.01 EUR");
}

#[test]
fn totals_and_person_sinks_agree_with_the_ledger() {
    let p = Policy::new(REVIEWS);
    let log = vec![
        p.rec(
            "review",
            "r1",
            "alice",
            "2027-01-05T10:00:00Z",
            &[("lines", int(120)), ("repo", text("core"))],
        ),
        p.rec(
            "review",
            "r2",
            "bob",
            "2027-01-06T10:00:00Z",
            &[("lines", int(60)), ("repo", text("core"))],
        ),
        p.rec(
            "review",
            "r3",
            "alice",
            "2027-01-07T10:00:00Z",
            &[("lines", int(80)), ("repo", text("core"))],
        ),
    ];
    let ledger = p.eval(&log);
    let mut totals = TotalsSink::default();
    evaluate(
        &p.policy,
        &p.schema,
        &p.log(&log),
        None,
        &EvalOptions::default(),
        &mut totals,
    )
    .unwrap();
    assert_eq!(totals.totals, ledger.totals);
    let mut alice = PersonSink::new("alice");
    evaluate(
        &p.policy,
        &p.schema,
        &p.log(&log),
        None,
        &EvalOptions::default(),
        &mut alice,
    )
    .unwrap();
    assert_eq!(alice.ledger.grants.len(), 2);
    // 7.40 + 6.60 = 14.00
    assert_eq!(p.total(&alice.ledger, "alice", "bonus"), "14.00 EUR");
    assert!(!alice.ledger.totals.contains_key("bob"));
    assert_eq!(
        ledger.totals["bob"][&Target::Account("bonus".into())].to_string(),
        "6.20 EUR"
    );
}

// ---------------------------------------------------------------------------
// Exact arithmetic (issue 17, items 6 to 10): policy text and a CSV log read
// by the real reader, evaluated in memory and streamed. Streaming may step
// aside (the CLI then evaluates in memory), never give another answer.
// ---------------------------------------------------------------------------

/// What both evaluators make of `csv`: `Ok((grants, totals csv))` with every
/// grant's granted amount in ledger order, or `Err(error)` as displayed.
fn both_ways(policy: &str, csv: &str) -> Result<(Vec<String>, String), String> {
    both_ways_streaming(policy, csv, false)
}

/// As [`both_ways`]; with `must_stream`, streaming may not step aside.
fn both_ways_streaming(
    policy: &str,
    csv: &str,
    must_stream: bool,
) -> Result<(Vec<String>, String), String> {
    use meed::eval::stream::stream_log;
    use meed::render::csv::render_csv;
    let compiled = meed::pipeline::compile_policy(&meed::source::SourceFile::new("p.meed", policy))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (log, _) = meed::input::read_log(
        &compiled.schema,
        &meed::source::SourceFile::new("log.csv", csv),
        meed::input::LogFormat::Csv,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let options = EvalOptions::default();
    let mut ledger = meed::ledger::Ledger::default();
    let memory = evaluate(
        &compiled.ast,
        &compiled.schema,
        &log,
        None,
        &options,
        &mut ledger,
    )
    .map(|_| {
        let grants = ledger
            .grants
            .iter()
            .map(|g| g.granted.to_string())
            .collect();
        (grants, render_csv(&ledger.totals))
    })
    .map_err(|e| e.to_string());
    let Some(streamed) = stream_log(&compiled.ast, &compiled.schema, &log, None, &options) else {
        assert!(!must_stream, "the policy does not stream");
        return memory;
    };
    match (&memory, streamed) {
        (Ok((_, totals)), Ok(streamed)) => {
            assert_eq!(
                *totals,
                render_csv(&streamed.totals),
                "streamed totals differ"
            );
        }
        (Ok(_), Err(e)) => assert!(!must_stream, "streaming stepped aside: {e}"),
        (Err(e), Ok(streamed)) => {
            panic!("in memory: {e}; streamed: {}", render_csv(&streamed.totals))
        }
        (Err(_), Err(_)) => {}
    }
    memory
}

const LIKES: &str = "id,who,kind,at\nl1,alice,like,2027-01-05T10:00:00Z\nl2,alice,like,2027-01-06T10:00:00Z\nl3,alice,like,2027-01-07T10:00:00Z\n";

/// Issue 17 item 6: three grants of `1000000 pts / 3` totalled `1000000`,
/// not the sum of the grants as printed (`333333.33333333333333333333333`).
#[test]
fn points_grants_round_to_ten_places_and_totals_are_their_sum() {
    let policy = "contribution like {}\nreward rep: Points\nrule third { on like l grant rep 1000000 pts / 3 }\n";
    let (grants, totals) = both_ways_streaming(policy, LIKES, true).unwrap();
    assert_eq!(grants, vec!["333333.3333333333 pts"; 3]);
    assert_eq!(
        totals,
        "who,reward,amount,unit\nalice,rep,999999.9999999999,pts\n"
    );
}

/// Issue 17 item 6: durations drifted around 1e-19 likewise.
#[test]
fn duration_grants_round_to_ten_places_and_totals_are_their_sum() {
    let policy = "contribution m { d: Duration }\nreward off: Duration\nrule third { on m x grant off x.d / 3 }\n";
    let csv = "id,who,kind,at,d\nm1,bob,m,2027-01-05T10:00:00Z,10min\nm2,bob,m,2027-01-06T10:00:00Z,10min\nm3,bob,m,2027-01-07T10:00:00Z,1h\n";
    let (grants, totals) = both_ways_streaming(policy, csv, true).unwrap();
    assert_eq!(grants, vec!["3.3333333333min", "3.3333333333min", "20min"]);
    assert_eq!(
        totals,
        "who,reward,amount,unit\nbob,off,26.6666666666,min\n"
    );
}

/// Issue 17 item 6: a points grant too large to hold with its ten places
/// is an overflow naming the rule and the record, not a rounded number.
#[test]
fn a_points_grant_too_large_to_hold_exactly_is_an_overflow() {
    let policy = "contribution c { n: Decimal }\nreward rep: Points\nrule big { on c x grant rep x.n * 1 pts / 3 }\n";
    let csv = "id,who,kind,at,n\nc1,alice,c,2027-01-05T10:00:00Z,7922816251426433759354395033\n";
    let error = both_ways(policy, csv).unwrap_err();
    assert!(error.contains("too large"), "{error}");
    assert!(
        error.contains("rule `big`") && error.contains("`c1`"),
        "{error}"
    );
}

/// Issue 17 item 10: `0.005 EUR / 3 * 3` granted 0.01 EUR, the quotient cut
/// at 28 digits; exactly it is 0.005, which rounds half-even to 0.00.
#[test]
fn intermediate_quotients_are_exact_fractions() {
    let policy = "contribution like {}\nreward bonus: Money(EUR)\nreward rep: Points\nrule cut { on like l grant bonus 0.005 EUR / 3 * 3 }\nrule pts { on like l grant rep 2 pts / 3 * 3 }\n";
    let (grants, totals) = both_ways_streaming(policy, LIKES, true).unwrap();
    assert_eq!(grants[..2], ["0.00 EUR", "2 pts"]);
    assert_eq!(totals, "who,reward,amount,unit\nalice,rep,6,pts\n");
}

/// Issue 17 item 10: comparisons see the exact quotient, in `when`, in
/// `min`/`max` and in `tiers` bounds.
#[test]
fn comparisons_of_quotients_are_exact() {
    let policy = r#"
contribution like {}
reward rep: Points
reward bonus: Money(EUR)
rule greater { on like l when 1 / 3 > 0.3333333333333333333333333333 grant rep 1 pts }
rule equal { on like l when 1 / 3 * 3 == 1 grant rep 10 pts }
rule larger { on like l grant rep max(1 pts / 3, 0.3333333333333333333333333333 pts) * 3000000000000000000 }
rule tier { on like l grant bonus tiers (1000 EUR / 3) { up to 333.3333333333333333333333333 EUR: 0%  above: 3000000000000000000000000000% } }
"#;
    let csv = "id,who,kind,at\nl1,alice,like,2027-01-05T10:00:00Z\n";
    let (grants, _) = both_ways(policy, csv).unwrap();
    // max: 1/3 (not 0.333…3 × 3·10^18 = 999999999999999999.9999999999);
    // tiers: (1000/3 − 333.33…3) × 3·10^25 = 1 EUR exactly (was 0.90 EUR)
    assert_eq!(
        grants,
        vec!["1 pts", "10 pts", "1000000000000000000 pts", "1.00 EUR"]
    );
}

/// Issue 17 item 7: `at most 0.015 EUR` paid 0.02 EUR (the cap was rounded
/// half-even like a grant); a cap finer than a cent is rounded down.
#[test]
fn a_sub_cent_cap_is_rounded_down() {
    let policy = "contribution like {}\nreward bonus: Money(EUR)\nrule r { on like l grant bonus 1 EUR }\nlimit bonus at most 0.015 EUR per person per month\n";
    let (grants, totals) = both_ways_streaming(policy, LIKES, true).unwrap();
    assert_eq!(grants, vec!["0.01 EUR", "0.00 EUR", "0.00 EUR"]);
    assert_eq!(totals, "who,reward,amount,unit\nalice,bonus,0.01,EUR\n");
}

/// Issue 17 item 8: money was printed with other than its minor digits
/// (`…033.5,EUR`) when a grant could not hold them; now an overflow naming
/// the rule and the record.
#[test]
fn money_that_cannot_hold_its_minor_digits_is_an_overflow() {
    let policy = "contribution c { n: Decimal }\nreward bonus: Money(EUR)\nrule unit { on c x grant bonus 1 EUR * x.n }\n";
    let csv = "id,who,kind,at,n\nc1,alice,c,2027-01-05T10:00:00Z,7922816251426433759354395033\n";
    let error = both_ways(policy, csv).unwrap_err();
    assert!(error.contains("too large"), "{error}");
    assert!(
        error.contains("rule `unit`") && error.contains("`c1`"),
        "{error}"
    );
}

/// Issue 17 item 9: a negative subject earns nothing from `tiers`, however
/// large its bounds; it raised `overflow`.
#[test]
fn tiers_with_a_huge_bound_and_a_negative_subject_earn_nothing() {
    let policy = "contribution sale { amount: Money(EUR) }\nreward bonus: Money(EUR)\nlet big = 9999999999999999999999999999 EUR * 7\nrule t { on sale s grant bonus tiers s.amount { up to big: 10%  above: 20% } }\n";
    let csv = "id,who,kind,at,amount\ns1,alice,sale,2027-01-05T10:00:00Z,-9999999999999999999999999999\ns2,alice,sale,2027-01-06T10:00:00Z,10\n";
    let (grants, totals) = both_ways_streaming(policy, csv, true).unwrap();
    assert_eq!(grants, vec!["0.00 EUR", "1.00 EUR"]);
    assert_eq!(totals, "who,reward,amount,unit\nalice,bonus,1.00,EUR\n");
}

/// Issue 17 item 8: 29-significant-digit literals passed `check`; the
/// documented limit is 28.
#[test]
fn literals_beyond_28_significant_digits_are_invalid() {
    let policy = |amount: &str| {
        format!(
            "contribution like {{}}\nreward bonus: Money(EUR)\nrule r {{ on like l grant bonus {amount} EUR }}\n"
        )
    };
    let compile =
        |text: &str| meed::pipeline::compile_policy(&meed::source::SourceFile::new("p.meed", text));
    let too_many = compile(&policy("7922816251426433759354395033.5"));
    let message = format!("{too_many:?}");
    assert!(message.contains("too many digits"), "{message}");
    assert!(compile(&policy("1.0000000000000000000000000000")).is_err());
    assert!(compile(&policy("792281625142643375935439503.3")).is_ok());
    assert!(compile(&policy("0.0000000000000000000000000001")).is_ok());
}

/// Issue 17 item 8: cells are held to the same limit as literals, whatever
/// their type.
#[test]
fn cells_beyond_28_significant_digits_are_refused() {
    let compiled = meed::pipeline::compile_policy(&meed::source::SourceFile::new(
        "p.meed",
        "contribution c { n: Decimal, m: Money(EUR), p: Points, d: Duration }\n",
    ))
    .unwrap();
    let read = |cells: &str| {
        meed::input::read_log(
            &compiled.schema,
            &meed::source::SourceFile::new(
                "log.csv",
                format!("id,who,kind,at,n,m,p,d\nc1,alice,c,2027-01-05,{cells}\n"),
            ),
            meed::input::LogFormat::Csv,
        )
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
    };
    let ok = "1,1,1,1min";
    assert_eq!(read(ok), Ok(()));
    for bad in [
        "7922816251426433759354395033.5,1,1,1min",
        "1,7922816251426433759354395033.5,1,1min",
        "1,1,79228162514264337593543950335 pts,1min",
        "1,1,1,7922816251426433759354395033.5min",
        "1.0000000000000000000000000000,1,1,1min",
    ] {
        let error = read(bad).unwrap_err();
        assert!(error.contains("TooManyDigits"), "{bad}: {error}");
    }
    assert_eq!(read("0.0000000000000000000000000001,1,1,1min"), Ok(()));
}
