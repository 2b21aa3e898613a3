//! The contributions that earned nothing (`meed explain --all`, the
//! statements of `meed report`): each reason on a small policy, the words
//! for people, and the property that every record of a person is either
//! behind a grant that gives something or listed with a reason, never both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a failing unwrap is a failing test"
)]

mod common;

use std::collections::BTreeMap;

use common::*;
use meed::eval::unrewarded::{FalseCondition, Unrewarded, gives_something, unrewarded};
use meed::eval::{EvalOptions, Window, run};
use meed::input::{Contribution, Roster};
use meed::ledger::{Grant, Ledger, Origin};
use meed::render::unrewarded::{render_unearned, word_reason};
use meed::value::Value;
use proptest::prelude::*;

/// `who`'s grants as the engine makes them, and their records.
fn person_ledger(
    p: &Policy,
    records: &[Contribution],
    roster: Option<&Roster>,
    window: Option<Window>,
    who: &str,
) -> (Vec<Grant>, Vec<Contribution>) {
    let options = EvalOptions {
        window,
        explain: false,
    };
    let mut ledger = Ledger::default();
    run(
        &p.policy,
        &p.schema,
        &p.log(records),
        roster,
        &options,
        &mut ledger,
    )
    .unwrap();
    let grants = ledger
        .grants
        .into_iter()
        .filter(|g| &*g.who == who)
        .collect();
    let mine = p
        .log(records)
        .contributions
        .into_iter()
        .filter(|c| &*c.who == who)
        .collect();
    (grants, mine)
}

/// `who`'s contributions that earned nothing: `(id, reasons)`.
fn nothing(
    p: &Policy,
    records: &[Contribution],
    roster: Option<&Roster>,
    window: Option<Window>,
    who: &str,
) -> Vec<(String, Vec<Unrewarded>)> {
    let (grants, mine) = person_ledger(p, records, roster, window, who);
    unrewarded(&p.policy, &p.schema, roster, &mine, &grants, window)
        .unwrap()
        .into_iter()
        .map(|u| (u.record.id.to_string(), u.reasons))
        .collect()
}

fn why(condition: &str, values: &[(&str, Value)]) -> FalseCondition {
    FalseCondition {
        condition: condition.to_string(),
        values: values
            .iter()
            .map(|(t, v)| (t.to_string(), v.clone()))
            .collect(),
    }
}

const REVIEWS: &str = r#"
policy "t" { timezone "UTC" }
person { status: one of "member", "guest" }
contribution review { lines: Int, repo: Text }
contribution like { }
reward bonus: Money(EUR)
let min_lines = 20
rule review_bonus {
  on review r
  when r.lines >= min_lines and r.repo == "core"
  grant bonus 0.50 EUR * r.lines
}
"#;

fn review(p: &Policy, id: &str, who: &str, at: &str, lines: i64, repo: &str) -> Contribution {
    p.rec(
        "review",
        id,
        who,
        at,
        &[("lines", int(lines)), ("repo", text(repo))],
    )
}

#[test]
fn a_kind_no_rule_rewards() {
    let p = Policy::new(REVIEWS);
    let log = vec![p.rec("like", "l1", "ada", "2027-01-05T10:02:00Z", &[])];
    assert_eq!(
        nothing(&p, &log, None, None, "ada"),
        vec![(
            "l1".to_string(),
            vec![Unrewarded::NoRuleForKind {
                kind: "like".into()
            }]
        )]
    );
}

#[test]
fn the_false_side_of_an_and_with_the_values_it_read() {
    let p = Policy::new(REVIEWS);
    let log = vec![
        review(&p, "r1", "ada", "2027-01-05T10:00:00Z", 12, "core"),
        review(&p, "r2", "ada", "2027-01-06T10:00:00Z", 30, "web"),
        review(&p, "r3", "ada", "2027-01-07T10:00:00Z", 30, "core"),
    ];
    let rule: std::sync::Arc<str> = "review_bonus".into();
    assert_eq!(
        nothing(&p, &log, None, None, "ada"),
        vec![
            (
                "r1".to_string(),
                vec![Unrewarded::ConditionFalse {
                    rule: rule.clone(),
                    why: why(
                        "r.lines >= min_lines",
                        &[("r.lines", int(12)), ("min_lines", int(20))]
                    ),
                }]
            ),
            (
                "r2".to_string(),
                vec![Unrewarded::ConditionFalse {
                    rule,
                    why: why("r.repo == \"core\"", &[("r.repo", text("web"))]),
                }]
            ),
        ]
    );
}

#[test]
fn a_roster_column_is_a_value_read() {
    let p = Policy::new(
        r#"
policy "t" { timezone "UTC" }
person { status: one of "member", "guest" }
contribution review { lines: Int }
reward bonus: Money(EUR)
rule members {
  on review r
  when r.by.status == "member"
  grant bonus 1 EUR
}
"#,
    );
    let people = roster(&[("bo", vec![text("guest")])]);
    let log = vec![p.rec(
        "review",
        "r1",
        "bo",
        "2027-01-05T10:00:00Z",
        &[("lines", int(5))],
    )];
    let reasons = &nothing(&p, &log, Some(&people), None, "bo")[0].1;
    assert_eq!(
        reasons,
        &vec![Unrewarded::ConditionFalse {
            rule: "members".into(),
            why: why(
                "r.by.status == \"member\"",
                &[("r.by.status", text("guest"))]
            ),
        }]
    );
    assert_eq!(
        word_reason(&reasons[0], chrono_tz::UTC),
        "rule members needs r.by.status == \"member\", and r.by.status = \"guest\""
    );
}

const CAPPED: &str = r#"
policy "t" { timezone "UTC" }
contribution review { lines: Int }
reward bonus: Money(EUR)
rule review_bonus {
  on review r
  grant bonus 0.50 EUR * r.lines
}
limit bonus at most 20 EUR per person per day
"#;

#[test]
fn a_grant_cut_to_zero_names_the_limit_the_cap_and_what_was_granted() {
    let p = Policy::new(CAPPED);
    let log = vec![
        p.rec(
            "review",
            "r1",
            "ada",
            "2027-01-05T09:00:00Z",
            &[("lines", int(40))],
        ),
        p.rec(
            "review",
            "r2",
            "ada",
            "2027-01-05T10:02:00Z",
            &[("lines", int(10))],
        ),
    ];
    let found = nothing(&p, &log, None, None, "ada");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "r2");
    let Unrewarded::CutToZero {
        rule,
        period,
        amount,
        cut,
    } = &found[0].1[0]
    else {
        panic!("{:?}", found[0].1);
    };
    assert_eq!(&**rule, "review_bonus");
    assert_eq!(period, &None);
    assert_eq!(amount, &p.eur("5.00"));
    assert_eq!(cut.cap, p.eur("20.00"));
    assert_eq!(cut.already_granted, p.eur("20.00"));
    assert_eq!(cut.period, "2027-01-05");
    assert_eq!(
        word_reason(&found[0].1[0], chrono_tz::UTC),
        "rule review_bonus: 5.00 EUR, cut to zero by limit `bonus at most 20 EUR per person per day` \
         (cap 20.00 EUR, 20.00 EUR already granted in 2027-01-05)"
    );
}

#[test]
fn a_grant_computed_as_zero() {
    let p = Policy::new(
        r#"
policy "t" { timezone "UTC" }
contribution shift { night: Bool, duration: Duration }
reward time_off: Duration
rule nights {
  on shift s
  grant time_off if s.night then s.duration / 2 else 0min
}
"#,
    );
    let log = vec![p.rec(
        "shift",
        "s1",
        "ada",
        "2027-01-05T09:00:00Z",
        &[
            ("night", Value::Bool(false)),
            ("duration", Value::Duration(480.into())),
        ],
    )];
    let found = nothing(&p, &log, None, None, "ada");
    assert_eq!(
        found,
        vec![(
            "s1".to_string(),
            vec![Unrewarded::ZeroAmount {
                rule: "nights".into(),
                period: None,
                amount: Value::Duration(0.into()),
                calculation: None,
            }]
        )]
    );
    assert_eq!(
        word_reason(&found[0].1[0], chrono_tz::UTC),
        "rule nights came to 0min"
    );
}

const TALKS: &str = r#"
policy "t" { timezone "Europe/Berlin" }
contribution talk { audience: Int }
contribution like { }
reward bonus: Money(EUR)
badge speaker "Gave a well-attended talk this month"
rule speaker_of_month {
  each person per month
  when count(talk t where t.audience >= 50) >= 1
  award speaker
}
"#;

fn talk(p: &Policy, id: &str, at: &str, audience: i64) -> Contribution {
    p.rec("talk", id, "ada", at, &[("audience", int(audience))])
}

#[test]
fn an_each_rule_whose_condition_was_false_in_the_period() {
    let p = Policy::new(TALKS);
    let log = vec![talk(&p, "t1", "2027-01-20T15:00:00Z", 30)];
    let found = nothing(&p, &log, None, None, "ada");
    let expected = Unrewarded::PeriodConditionFalse {
        rule: "speaker_of_month".into(),
        period: "2027-01".into(),
        why: why(
            "count(talk t where t.audience >= 50) >= 1",
            &[("count(talk t where t.audience >= 50)", int(0))],
        ),
    };
    assert_eq!(found, vec![("t1".to_string(), vec![expected.clone()])]);
    assert_eq!(
        word_reason(&expected, chrono_tz::UTC),
        "rule speaker_of_month needs count(talk t where t.audience >= 50) >= 1 in 2027-01, \
         and count(talk t where t.audience >= 50) = 0"
    );
}

#[test]
fn a_record_an_each_rule_counted_earned_something_and_one_it_did_not_count_is_told_why() {
    let p = Policy::new(TALKS);
    let log = vec![
        talk(&p, "t2", "2027-02-10T15:00:00Z", 80),
        talk(&p, "t3", "2027-02-11T15:00:00Z", 10),
    ];
    let found = nothing(&p, &log, None, None, "ada");
    assert_eq!(
        found,
        vec![(
            "t3".to_string(),
            vec![Unrewarded::NotCounted {
                rule: "speaker_of_month".into(),
                period: "2027-02".into(),
                why: Some(why("t.audience >= 50", &[("t.audience", int(10))])),
            }]
        )]
    );
}

#[test]
fn a_kind_an_each_rule_does_not_count_is_rewarded_by_no_rule() {
    let p = Policy::new(TALKS);
    let log = vec![
        talk(&p, "t2", "2027-02-10T15:00:00Z", 80),
        p.rec("like", "l1", "ada", "2027-02-12T10:00:00Z", &[]),
    ];
    let found = nothing(&p, &log, None, None, "ada");
    assert_eq!(
        found,
        vec![(
            "l1".to_string(),
            vec![Unrewarded::NoRuleForKind {
                kind: "like".into()
            }]
        )]
    );
}

#[test]
fn outside_the_window_and_after_it() {
    let p = Policy::new(TALKS);
    let log = vec![
        talk(&p, "t1", "2027-01-20T15:00:00Z", 30),
        talk(&p, "t4", "2027-03-30T15:00:00Z", 90),
        talk(&p, "t5", "2027-04-02T15:00:00Z", 90),
    ];
    let window = Window::parse_period("2027-03-30", chrono_tz::Europe::Berlin).unwrap();
    let found = nothing(&p, &log, None, Some(window), "ada");
    assert_eq!(
        found,
        vec![
            ("t1".to_string(), vec![Unrewarded::OutsideWindow]),
            (
                "t4".to_string(),
                vec![Unrewarded::AfterWindow {
                    rule: "speaker_of_month".into(),
                    period: "2027-03".into()
                }]
            ),
            ("t5".to_string(), vec![Unrewarded::OutsideWindow]),
        ]
    );
}

#[test]
fn a_kind_only_a_pool_scores() {
    let p = Policy::new(
        r#"
policy "t" { timezone "UTC" }
contribution answer { votes: Int }
reward bonus: Money(EUR)
pool fund {
  grant bonus 100 EUR per month
  split by count(answer)
}
"#,
    );
    let log = vec![p.rec(
        "answer",
        "a1",
        "ada",
        "2027-01-05T10:00:00Z",
        &[("votes", int(3))],
    )];
    let found = nothing(&p, &log, None, None, "ada");
    assert_eq!(
        found,
        vec![(
            "a1".to_string(),
            vec![Unrewarded::OnlyPoolScore {
                kind: "answer".into(),
                pool: "fund".into()
            }]
        )]
    );
    assert_eq!(
        word_reason(&found[0].1[0], chrono_tz::UTC),
        "no rule rewards `answer` contributions by themselves; \
         they count toward the score of pool fund"
    );
}

#[test]
fn an_instant_read_is_written_in_the_policy_time_zone() {
    let p = Policy::new(
        r#"
policy "t" { timezone "Europe/Berlin" }
contribution review { lines: Int }
reward bonus: Money(EUR)
rule from_february { on review r  when r.at >= 2027-02-01  grant bonus 1 EUR }
"#,
    );
    let log = vec![p.rec(
        "review",
        "r1",
        "ada",
        "2027-01-05T10:02:00Z",
        &[("lines", int(5))],
    )];
    let found = nothing(&p, &log, None, None, "ada");
    assert_eq!(
        word_reason(&found[0].1[0], chrono_tz::Europe::Berlin),
        "rule from_february needs r.at >= 2027-02-01, and r.at = 2027-01-05 11:02"
    );
}

#[test]
fn every_rule_of_the_kind_gives_its_reason_in_file_order() {
    let p = Policy::new(
        r#"
policy "t" { timezone "UTC" }
contribution review { lines: Int }
reward bonus: Money(EUR)
reward reputation: Points
rule big { on review r  when r.lines > 100  grant bonus 1 EUR }
rule small { on review r  when r.lines < 10  grant reputation 1 pts }
"#,
    );
    let log = vec![p.rec(
        "review",
        "r1",
        "ada",
        "2027-01-05T10:00:00Z",
        &[("lines", int(50))],
    )];
    let found = nothing(&p, &log, None, None, "ada");
    let rules: Vec<&str> = found[0]
        .1
        .iter()
        .map(|r| match r {
            Unrewarded::ConditionFalse { rule, .. } => &**rule,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(rules, ["big", "small"]);
}

#[test]
fn the_section_lists_in_ledger_order_and_counts_what_lies_outside() {
    let p = Policy::new(TALKS);
    let log = vec![
        talk(&p, "t1", "2027-01-20T15:00:00Z", 30),
        p.rec("like", "l1", "ada", "2027-03-31T10:00:00Z", &[]),
        talk(&p, "t4", "2027-03-30T15:00:00Z", 90),
    ];
    let window = Window::parse_period("2027-03", chrono_tz::Europe::Berlin).unwrap();
    let (grants, mine) = person_ledger(&p, &log, None, Some(window), "ada");
    let found = unrewarded(&p.policy, &p.schema, None, &mine, &grants, Some(window)).unwrap();
    assert_eq!(
        render_unearned(&found, &p.schema),
        "contributions that earned nothing: 1\n\
         \n\
         like l1 on 2027-03-31\n  \
         → no rule rewards `like` contributions\n\
         \n\
         1 more contribution lies outside the window, not listed\n"
    );
}

const MIXED: &str = r#"
policy "t" { timezone "Europe/Berlin" }
person { status: one of "member", "guest" }
contribution review { lines: Int }
contribution like { }
contribution talk { audience: Int }
reward bonus: Money(EUR)
reward reputation: Points
badge speaker "s"
rule review_bonus {
  on review r
  when r.lines >= 20 and r.by.status == "member"
  grant bonus 0.50 EUR * r.lines
}
rule review_points {
  on review r
  when r.lines < 100
  grant reputation r.lines * 0 pts
}
rule speaker {
  each person per week
  when count(talk t where t.audience >= 50) >= 1
  award speaker
}
rule likes {
  each person per month
  when count(like) >= 3
  grant bonus 2 EUR
}
limit bonus at most 30 EUR per person per week
pool fund {
  grant bonus 100 EUR per quarter
  split by total(reputation)
}
"#;

/// `(kind 0..3, who 0..3, hour of the year's first quarter, number)`.
type Raw = (u8, u8, u16, i64);

fn mixed(p: &Policy, raw: &[Raw]) -> Vec<Contribution> {
    raw.iter()
        .enumerate()
        .map(|(i, (kind, who, hour, n))| {
            let who = ["ada", "bo", "cy"][usize::from(*who % 3)];
            let at = (utc("2027-01-01T00:00:00Z") + chrono::TimeDelta::hours(i64::from(*hour)))
                .to_rfc3339();
            match kind % 3 {
                0 => p.rec("review", &format!("r{i}"), who, &at, &[("lines", int(*n))]),
                1 => p.rec("like", &format!("l{i}"), who, &at, &[]),
                _ => p.rec("talk", &format!("t{i}"), who, &at, &[("audience", int(*n))]),
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every record of a person is either behind a grant that gives
    /// something or listed once with at least one reason, never both; and
    /// a reason that a rule's condition was false is given only where that
    /// rule made no grant for the record.
    #[test]
    fn every_record_is_behind_a_grant_or_listed_with_a_reason(
        raw in prop::collection::vec((0u8..3, 0u8..3, 0u16..2200, 0i64..120), 0..40),
        window in prop::option::of(0u32..3),
    ) {
        let p = Policy::new(MIXED);
        let people = roster(&[
            ("ada", vec![text("member")]),
            ("bo", vec![text("guest")]),
            ("cy", vec![text("member")]),
        ]);
        let records = mixed(&p, &raw);
        let window = window.map(|m| {
            Window::parse_period(&format!("2027-0{}", m + 1), chrono_tz::Europe::Berlin).unwrap()
        });
        for who in ["ada", "bo", "cy"] {
            let (grants, mine) = person_ledger(&p, &records, Some(&people), window, who);
            let found =
                unrewarded(&p.policy, &p.schema, Some(&people), &mine, &grants, window).unwrap();
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for grant in grants.iter().filter(|g| gives_something(g)) {
                for id in &grant.contributions {
                    seen.entry(id.to_string()).or_insert(1);
                }
            }
            for u in &found {
                prop_assert!(!u.reasons.is_empty(), "{} has no reason", u.record.id);
                *seen.entry(u.record.id.to_string()).or_insert(0) += 1;
                for reason in &u.reasons {
                    if let Unrewarded::ConditionFalse { rule, .. } = reason {
                        let granted = grants.iter().any(|g| {
                            matches!(&g.origin, Origin::Rule { name, .. } if **name == **rule)
                                && g.contributions.contains(&u.record.id)
                        });
                        prop_assert!(!granted, "{rule} granted for {}", u.record.id);
                    }
                }
            }
            let expected: BTreeMap<String, usize> =
                mine.iter().map(|c| (c.id.to_string(), 1)).collect();
            prop_assert_eq!(seen, expected);
        }
    }
}

#[test]
fn a_rule_whose_window_leaves_the_contribution_out_says_when_it_applies() {
    let p = Policy::new(
        r#"
policy "t" { timezone "Europe/Berlin" }
contribution review { lines: Int, repo: Text }
reward bonus: Money(EUR)
let rate {
  from 2027-01-01: 0.50 EUR
}
rule launch {
  on review r
  from 2027-03-01 until 2027-05-31
  grant bonus 5 EUR
}
rule spring_month {
  each person per month
  from 2027-03-01
  when sum(review.lines) * rate > 100 EUR
  grant bonus 1 EUR
}
"#,
    );
    // 2027-02-28 23:30 in Berlin: the last day before both windows.
    let log = vec![review(&p, "r1", "ada", "2027-02-28T22:30:00Z", 10, "core")];
    let reasons = nothing(&p, &log, None, None, "ada");
    assert_eq!(
        reasons,
        vec![(
            "r1".to_string(),
            vec![
                Unrewarded::OutsideRuleWindow {
                    rule: "launch".into(),
                    window: "from 2027-03-01 until 2027-05-31".into(),
                    period: None,
                },
                Unrewarded::OutsideRuleWindow {
                    rule: "spring_month".into(),
                    window: "from 2027-03-01".into(),
                    period: Some("2027-02".into()),
                },
            ]
        )]
    );
    let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    assert_eq!(
        word_reason(&reasons[0].1[0], tz),
        "rule launch applies only from 2027-03-01 until 2027-05-31"
    );
    // In June the launch is over; the monthly rule applies and its
    // condition, which reads a dated value at the month's start, is false.
    let log = vec![review(&p, "r2", "ada", "2027-06-02T10:00:00Z", 10, "core")];
    let reasons = nothing(&p, &log, None, None, "ada");
    assert!(
        matches!(
            reasons.first().map(|(_, r)| r.as_slice()),
            Some([
                Unrewarded::OutsideRuleWindow { period: None, .. },
                Unrewarded::PeriodConditionFalse { .. }
            ])
        ),
        "{reasons:?}"
    );
}
