//! Properties of the evaluator over random logs: limits hold, totals add
//! up, pools pay exactly, and the input order does not matter.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]

mod common;

use std::collections::BTreeMap;

use common::*;
use meed::eval::{EvalOptions, PeriodKey, evaluate, sink::add_to_totals};
use meed::input::{Contribution, Log};
use meed::ledger::{Ledger, Origin, Target, Totals};
use meed::syntax::ast::Period;
use meed::value::Value;
use proptest::prelude::*;
use rust_decimal::Decimal;

const POLICY: &str = r#"
contribution sale { amount: Money(EUR) }
contribution answer { votes: Int }
reward bonus: Money(EUR)
reward reputation: Points
rule commission { on sale s  grant bonus s.amount * 0.37 }
rule answers { on answer a  grant reputation a.votes * 1.5 pts }
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

    #[test]
    fn limited_totals_never_exceed_the_cap(raw in raw_log()) {
        let p = Policy::new(POLICY);
        let ledger = run(&p.log(&records(&p, &raw)));
        let mut per_month: BTreeMap<(String, PeriodKey), Decimal> = BTreeMap::new();
        for g in &ledger.grants {
            if g.target != Target::Account("bonus".into()) || matches!(g.origin, Origin::Pool(_)) {
                continue;
            }
            let Value::Money(m) = &g.granted else { return Err(TestCaseError::fail("bonus is money")) };
            prop_assert!(m.amount >= Decimal::ZERO);
            let key = PeriodKey::of(g.at, Period::Month, chrono_tz::Tz::UTC);
            *per_month.entry((g.who.to_string(), key)).or_default() += m.amount;
        }
        for total in per_month.values() {
            prop_assert!(*total <= Decimal::from(10));
        }
    }

    #[test]
    fn totals_are_the_sum_of_grants_and_pools_pay_exactly(raw in raw_log()) {
        let p = Policy::new(POLICY);
        let ledger = run(&p.log(&records(&p, &raw)));
        let mut totals = Totals::new();
        let mut per_quarter: BTreeMap<String, Decimal> = BTreeMap::new();
        for g in &ledger.grants {
            add_to_totals(&mut totals, g).unwrap();
            if let (Origin::Pool(share), Value::Money(m)) = (&g.origin, &g.granted) {
                *per_quarter.entry(share.period.clone()).or_default() += m.amount;
            }
        }
        prop_assert_eq!(&totals, &ledger.totals);
        for paid in per_quarter.values() {
            prop_assert_eq!(*paid, Decimal::from(100));
        }
    }

    #[test]
    fn input_order_does_not_matter(raw in raw_log(), seed in any::<u64>()) {
        let p = Policy::new(POLICY);
        let recs = records(&p, &raw);
        let sorted = run(&p.log(&recs));
        // A deterministic shuffle from the seed.
        let mut shuffled = recs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap();
            shuffled.swap(i, j);
        }
        prop_assert_eq!(&run(&p.log(&shuffled)), &sorted);
        // Even unsorted, the evaluator processes records in (at, id) order.
        prop_assert_eq!(&run(&Log { contributions: shuffled }), &sorted);
    }
}
