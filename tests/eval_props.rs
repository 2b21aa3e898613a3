//! Properties of the evaluator over random logs: limits cut exactly as an
//! independent walk says, totals are the sum of their grants, pools pay
//! exactly, and the order of the log's lines does not matter.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a failing unwrap is a failing test"
)]

mod common;

use std::collections::BTreeMap;

use chrono::{Datelike, TimeDelta};
use common::*;
use meed::eval::stream::stream_log;
use meed::eval::{EvalOptions, evaluate};
use meed::input::{Contribution, Log, LogFormat, read_log};
use meed::ledger::{Ledger, Origin, Target};
use meed::render::csv::render_csv;
use meed::source::SourceFile;
use meed::value::Value;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

const POLICY: &str = r#"
contribution sale { amount: Money(EUR) }
contribution answer { votes: Int }
reward bonus: Money(EUR)
reward reputation: Points
rule commission { on sale s  grant bonus s.amount * 0.37 }
rule answers { on answer a  grant reputation a.votes * 1.5 pts }
rule thirds { on answer a  grant reputation a.votes * 1 pts / 3 }
rule monthly { each person per month  when count(answer) >= 2  grant bonus 1.005 EUR }
limit bonus at most 10 EUR per person per month
pool fund {
  grant bonus 100 EUR per quarter
  split by total(reputation)
}
"#;

/// `(kind is sale, who, day of year, amount in cents or votes)`.
type Raw = (bool, u8, u16, i64);

fn records(p: &Policy, raw: &[Raw]) -> Vec<Contribution> {
    raw.iter()
        .enumerate()
        .map(|(i, (is_sale, who, day, n))| {
            let who = ["alice", "bob", "carol"][usize::from(*who % 3)];
            let at = utc("2027-01-01T00:00:00Z") + chrono::TimeDelta::hours(i64::from(*day) * 7);
            let at = at.to_rfc3339();
            if *is_sale {
                p.rec(
                    "sale",
                    &format!("s{i}"),
                    who,
                    &at,
                    &[("amount", p.eur(&Decimal::new(*n, 2).to_string()))],
                )
            } else {
                p.rec(
                    "answer",
                    &format!("a{i}"),
                    who,
                    &at,
                    &[("votes", int(*n % 50))],
                )
            }
        })
        .collect()
}

/// The records as the lines of a CSV log (header first), in the order given.
fn csv(records: &[Contribution]) -> String {
    let mut text = String::from("id,who,kind,at,amount,votes\n");
    for r in records {
        let (kind, amount, votes) = match r.fields.first() {
            Some(Value::Money(m)) => ("sale", m.amount.to_string(), String::new()),
            Some(Value::Int(v)) => ("answer", String::new(), v.to_string()),
            other => panic!("unexpected field {other:?}"),
        };
        text.push_str(&format!(
            "{},{},{kind},{},{amount},{votes}\n",
            r.id,
            r.who,
            r.at.to_rfc3339()
        ));
    }
    text
}

/// A CSV log read by the real reader.
fn read(p: &Policy, text: &str) -> Log {
    read_log(&p.schema, &SourceFile::new("log.csv", text), LogFormat::Csv)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .0
}

/// A deterministic shuffle from `seed`.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

/// An amount without its unit, exactly (badges count 1).
fn amount_of(value: &Value) -> Decimal {
    match value {
        Value::Money(m) => m.amount,
        Value::Points(d) | Value::Duration(d) | Value::Decimal(d) => *d,
        Value::Int(i) => Decimal::from(*i),
        other => panic!("not an amount: {other:?}"),
    }
}

fn run(log: &Log) -> Ledger {
    let p = Policy::new(POLICY);
    let mut ledger = Ledger::default();
    evaluate(
        &p.policy,
        &p.schema,
        log,
        None,
        &EvalOptions::default(),
        &mut ledger,
    )
    .unwrap();
    ledger
}

fn raw_log() -> impl Strategy<Value = Vec<Raw>> {
    proptest::collection::vec((any::<bool>(), 0u8..3, 0u16..600, 0i64..2000), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every total is the sum of its grants, added here with plain decimal
    /// additions (not the evaluator's); money grants have exactly their
    /// minor digits and points at most ten places; pools pay exactly.
    #[test]
    fn totals_are_the_sum_of_grants_and_pools_pay_exactly(raw in raw_log()) {
        let p = Policy::new(POLICY);
        let ledger = run(&p.log(&records(&p, &raw)));
        let mut sums: BTreeMap<(String, Target), Decimal> = BTreeMap::new();
        let mut per_quarter: BTreeMap<String, Decimal> = BTreeMap::new();
        for g in &ledger.grants {
            let amount = amount_of(&g.granted);
            match &g.granted {
                Value::Money(m) => prop_assert_eq!(m.amount.scale(), 2, "{}", m.amount),
                Value::Points(d) => prop_assert!(d.normalize().scale() <= 10, "{}", d),
                _ => {}
            }
            let sum = sums.entry((g.who.to_string(), g.target.clone())).or_default();
            *sum = sum.checked_add(amount).unwrap();
            if let Origin::Pool(share) = &g.origin {
                let paid = per_quarter.entry(share.period.clone()).or_default();
                *paid = paid.checked_add(amount).unwrap();
            }
        }
        let mut totals: BTreeMap<(String, Target), Decimal> = BTreeMap::new();
        for (who, per_target) in &ledger.totals {
            for (target, value) in per_target {
                totals.insert((who.to_string(), target.clone()), amount_of(value));
            }
        }
        prop_assert_eq!(&totals, &sums);
        for paid in per_quarter.values() {
            prop_assert_eq!(*paid, Decimal::from(100));
        }
    }

    /// The same records in two line orders, read by the real CSV reader,
    /// give the same ledger; so does an unsorted log handed to the
    /// evaluator; and streaming gives the same totals.
    #[test]
    fn input_order_does_not_matter(raw in raw_log(), seed in any::<u64>()) {
        // A CSV log with no records is refused by the reader.
        prop_assume!(!raw.is_empty());
        let p = Policy::new(POLICY);
        let recs = records(&p, &raw);
        let in_order = read(&p, &csv(&recs));
        let sorted = run(&in_order);
        let mut shuffled = recs.clone();
        shuffle(&mut shuffled, seed);
        let mut reversed = recs.clone();
        reversed.reverse();
        prop_assert_eq!(&run(&read(&p, &csv(&shuffled))), &sorted);
        prop_assert_eq!(&run(&read(&p, &csv(&reversed))), &sorted);
        // Even unsorted, the evaluator processes records in (at, id) order.
        prop_assert_eq!(&run(&Log { contributions: shuffled }), &sorted);
        let streamed = stream_log(&p.policy, &p.schema, &in_order, None, &EvalOptions::default())
            .unwrap()
            .unwrap();
        prop_assert_eq!(render_csv(&streamed.totals), render_csv(&sorted.totals));
    }
}

// ---------------------------------------------------------------------------
// Limits, against an independent walk of the contract (§3, stage 3).
// ---------------------------------------------------------------------------

/// Three limits on `bonus` in Europe/Berlin, applied in file order: a daily
/// cap on every rule, a weekly one finer than a cent (`25.555 EUR`, paid as
/// `25.55`) on two rules, and a monthly one on the `each` rule and refunds.
/// Refunds are negative grants.
const LIMITED: &str = r#"
policy "t" { timezone "Europe/Berlin" }
contribution sale { amount: Money(EUR) }
contribution refund { amount: Money(EUR) }
contribution answer { votes: Int }
reward bonus: Money(EUR)
rule commission { on sale s  grant bonus s.amount * 0.37 }
rule refunds { on refund r  grant bonus -r.amount }
rule answers { on answer a  grant bonus a.votes * 0.015 EUR }
rule weekly { each person per week  when count(answer) >= 2  grant bonus 1.005 EUR }
limit bonus at most 10 EUR per person per day
limit bonus from commission, answers at most 25.555 EUR per person per week
limit bonus from weekly, refunds at most 0.5 EUR per person per month
"#;

/// `(kind 0 sale / 1 refund or answer / 2 answer, who, minutes after the
/// start, cents or votes)`.
type LimitRaw = (u8, u8, u32, i64);

/// Records around the two daylight-saving changes of 2027 in Berlin
/// (28 March and 31 October), so local days, weeks and months differ from
/// UTC ones.
fn limited_records(p: &Policy, raw: &[LimitRaw]) -> Vec<Contribution> {
    raw.iter()
        .enumerate()
        .map(|(i, (kind, who, minutes, n))| {
            let who = ["alice", "bob"][usize::from(*who % 2)];
            let start = if minutes % 2 == 0 {
                "2027-03-21T00:00:00Z"
            } else {
                "2027-10-24T00:00:00Z"
            };
            let at = (utc(start) + TimeDelta::minutes(i64::from(*minutes))).to_rfc3339();
            let cents = || p.eur(&Decimal::new(*n, 2).to_string());
            match kind % 3 {
                0 => p.rec("sale", &format!("s{i}"), who, &at, &[("amount", cents())]),
                // Some refunds: too many would keep every running sum low.
                1 if n % 4 == 0 => {
                    p.rec("refund", &format!("r{i}"), who, &at, &[("amount", cents())])
                }
                _ => p.rec(
                    "answer",
                    &format!("a{i}"),
                    who,
                    &at,
                    &[("votes", int(*n % 400))],
                ),
            }
        })
        .collect()
}

/// The local calendar period of `at` in Berlin, worked out here with
/// chrono: `day`, ISO `week` or `month`.
fn berlin_period(at: chrono::DateTime<chrono::Utc>, period: &str) -> (i32, u32, u32) {
    let local = at.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
    match period {
        "day" => (local.year(), local.month(), local.day()),
        "week" => (local.iso_week().year(), local.iso_week().week(), 0),
        _ => (local.year(), local.month(), 0),
    }
}

/// The contract's walk: per limit in file order, per person and period in
/// ledger order, a positive grant is cut to `max(0, min(g, cap − running))`,
/// a negative one passes and lowers the running sum. Returns the amounts
/// after every limit, one per grant of the ledger.
fn walk(ledger: &Ledger) -> Vec<Decimal> {
    let limits: [(&str, &[&str], Decimal); 3] = [
        ("day", &[], Decimal::new(10, 0)),
        ("week", &["commission", "answers"], Decimal::new(2555, 2)),
        ("month", &["weekly", "refunds"], Decimal::new(5, 1)),
    ];
    let mut amounts: Vec<Decimal> = ledger.grants.iter().map(|g| amount_of(&g.amount)).collect();
    for (period, from, cap) in limits {
        let mut running: BTreeMap<(String, (i32, u32, u32)), Decimal> = BTreeMap::new();
        for (g, amount) in ledger.grants.iter().zip(amounts.iter_mut()) {
            let Origin::Rule { name, .. } = &g.origin else {
                continue;
            };
            if !from.is_empty() && !from.contains(&&**name) {
                continue;
            }
            let so_far = running
                .entry((g.who.to_string(), berlin_period(g.at, period)))
                .or_default();
            if *amount > Decimal::ZERO {
                *amount = (*amount).min(cap - *so_far).max(Decimal::ZERO);
            }
            *so_far += *amount;
        }
    }
    amounts
}

/// Which limit made a cut (0 daily, 1 weekly, 2 monthly), by its text.
fn cut_index(limit: &str) -> usize {
    if limit.contains("per day") {
        0
    } else if limit.contains("per week") {
        1
    } else {
        2
    }
}

fn limited_log() -> impl Strategy<Value = Vec<LimitRaw>> {
    proptest::collection::vec((0u8..3, 0u8..2, 0u32..20_000, 0i64..3000), 0..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Each grant's amount is the contract's rounding of its rule, and what
    /// the limits leave of it is exactly what the independent walk leaves;
    /// the streamed totals agree.
    #[test]
    fn limits_cut_exactly_as_the_contract_walks(raw in limited_log()) {
        let p = Policy::new(LIMITED);
        let log = p.log(&limited_records(&p, &raw));
        let mut ledger = Ledger::default();
        evaluate(&p.policy, &p.schema, &log, None, &EvalOptions::default(), &mut ledger).unwrap();
        let half_even = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        let records: BTreeMap<&str, &Contribution> =
            log.contributions.iter().map(|c| (c.id.as_ref(), c)).collect();
        for g in &ledger.grants {
            let Origin::Rule { name, .. } = &g.origin else { continue };
            let field = || g.contributions.first().and_then(|id| records.get(id.as_ref())).and_then(|c| c.fields.first()).map(amount_of);
            let expected = match &**name {
                "commission" => half_even(field().unwrap() * Decimal::new(37, 2)),
                "refunds" => -field().unwrap(),
                "answers" => half_even(field().unwrap() * Decimal::new(15, 3)),
                _ => Decimal::ONE,
            };
            prop_assert_eq!(amount_of(&g.amount), expected, "{}", name);
        }
        let granted: Vec<Decimal> = ledger.grants.iter().map(|g| amount_of(&g.granted)).collect();
        prop_assert_eq!(granted, walk(&ledger));

        let streamed = stream_log(&p.policy, &p.schema, &log, None, &EvalOptions::default())
            .unwrap()
            .unwrap();
        prop_assert_eq!(render_csv(&streamed.totals), render_csv(&ledger.totals));
    }
}

/// The property above cuts with every limit somewhere in its cases.
#[test]
fn the_limit_property_reaches_every_cap() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
    let p = Policy::new(LIMITED);
    let cuts = std::cell::RefCell::new([0usize; 3]);
    runner
        .run(&limited_log(), |raw| {
            let log = p.log(&limited_records(&p, &raw));
            let mut ledger = Ledger::default();
            evaluate(
                &p.policy,
                &p.schema,
                &log,
                None,
                &EvalOptions::default(),
                &mut ledger,
            )
            .unwrap();
            for g in &ledger.grants {
                for cut in &g.cuts {
                    if let Some(n) = cuts.borrow_mut().get_mut(cut_index(&cut.limit)) {
                        *n += 1;
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    let cuts = cuts.into_inner();
    assert!(cuts.iter().all(|&n| n > 0), "cuts per limit: {cuts:?}");
}
