//! The laws of windows and of the books, over random policies and logs:
//!
//! - the monthly windows of a log add up to the whole-log ledger, grant for
//!   grant (a window reports the grants a whole-log evaluation stamps in
//!   it), and the streaming evaluator agrees with the in-memory one in
//!   every window;
//! - closing month by month, in any sequence of dates, books in total
//!   exactly a single whole-log evaluation;
//! - with late, corrected and removed records and policy changes between
//!   runs, the booked sums always equal a fresh evaluation through the last
//!   run's date, and a second close with the same inputs books nothing.
//!
//! Policies are generated from a template using every stage (on and each
//! rules, limits with and without `from`, a pool, negative grants, badges)
//! with random periods, caps, rates and time zones.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use meed::books::{Books, Group, NewRun, close_run, fresh_groups, sha256_hex};
use meed::eval::stream::stream_log;
use meed::eval::{EvalOptions, PeriodTotalsSink, TotalsSink, Window, evaluate};
use meed::input::{Log, LogFormat, read_log};
use meed::ledger::{Ledger, TotalsByPeriod};
use meed::pipeline::{CompiledPolicy, compile_policy};
use meed::render::csv::render_csv;
use meed::source::SourceFile;
use meed::syntax::ast::Period;
use proptest::prelude::*;
use rust_decimal::Decimal;

const ZONES: [&str; 3] = ["UTC", "Europe/Berlin", "America/New_York"];
const PERIODS: [&str; 5] = ["day", "week", "month", "quarter", "year"];
const PEOPLE: [&str; 4] = ["ana", "Bo", "bo", "cy"];

/// The random parts of a policy.
#[derive(Clone, Debug)]
struct Shape {
    zone: usize,
    rate_cents: u32,
    badge_period: usize,
    each_period: usize,
    time_off_cap_min: u32,
    time_off_period: usize,
    bonus_cap_cents: u32,
    bonus_period: usize,
    pool_eur: u32,
    pool_period: usize,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (0..ZONES.len(), 1..60u32, 0..5usize, 1..4usize),
        (30..600u32, 0..5usize, 100..5000u32, 0..5usize),
        (0..300u32, 1..5usize),
    )
        .prop_map(
            |((zone, rate_cents, badge_period, each_period), (t, tp, b, bp), (pool_eur, pp))| {
                Shape {
                    zone,
                    rate_cents,
                    badge_period,
                    each_period,
                    time_off_cap_min: t,
                    time_off_period: tp,
                    bonus_cap_cents: b,
                    bonus_period: bp,
                    pool_eur,
                    pool_period: pp,
                }
            },
        )
}

fn policy_text(s: &Shape) -> String {
    let cents = |c: u32| format!("{}.{:02}", c / 100, c % 100);
    format!(
        r#"policy "Generated" {{
  timezone "{zone}"
}}

contribution review {{ lines: Int }}
contribution mentoring {{ duration: Duration }}
contribution correction {{ amount: Money(EUR) }}

reward bonus: Money(EUR)
reward time_off: Duration
reward reputation: Points
badge helper "Helper"

let rate = {rate} EUR

rule review_bonus {{
  on review r
  when r.lines >= 3
  grant bonus rate * r.lines
}}

rule review_points {{
  on review r
  grant reputation 1 pts
}}

rule mentoring_time {{
  on mentoring m
  grant time_off m.duration * 0.5
}}

rule corrections {{
  on correction c
  grant bonus c.amount
}}

rule busy {{
  each person per {badge_period}
  when count(review) >= 2
  award helper
}}

rule steady {{
  each person per {each_period}
  when sum(review.lines) > 10
  grant bonus 2.50 EUR
}}

limit time_off at most {time_off}min per person per {time_off_period}
limit bonus from review_bonus, corrections at most {bonus_cap} EUR per person per {bonus_period}

pool fund {{
  grant bonus {pool} EUR per {pool_period}
  split by total(reputation)
}}
"#,
        zone = ZONES[s.zone],
        rate = cents(s.rate_cents),
        badge_period = PERIODS[s.badge_period],
        each_period = PERIODS[s.each_period],
        time_off = s.time_off_cap_min,
        time_off_period = PERIODS[s.time_off_period],
        bonus_cap = cents(s.bonus_cap_cents),
        bonus_period = PERIODS[s.bonus_period],
        pool = s.pool_eur,
        pool_period = PERIODS[s.pool_period],
    )
}

/// One record: kind (0 review, 1 mentoring, 2 correction), person, hour of
/// 2027 (several records may share an instant), and a size.
type Raw = (u8, usize, u32, i64);

/// Records from 2 January to 29 December (UTC), so that in every zone the
/// periods holding them end before February 2028: every grant is stamped
/// in one of [`months`].
fn raw_record() -> impl Strategy<Value = Raw> {
    (0..3u8, 0..PEOPLE.len(), 24..(363 * 24u32), 0..40i64)
}

fn csv_line(id: &str, (kind, who, hour, n): &Raw) -> String {
    let at = NaiveDate::from_ymd_opt(2027, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + chrono::TimeDelta::hours(i64::from(*hour));
    let at = format!("{}Z", at.format("%Y-%m-%dT%H:%M:%S"));
    let who = PEOPLE[*who];
    match kind {
        0 => format!("{id},{who},review,{at},{n},,"),
        1 => format!("{id},{who},mentoring,{at},,{n}0min,"),
        // Corrections take money back as often as they give it.
        _ => format!("{id},{who},correction,{at},,,{}.{:02}", n - 20, n % 7),
    }
}

/// The log as the real CSV reader reads it, records in the order given.
fn read(policy: &CompiledPolicy, lines: &[String]) -> Log {
    let mut text = String::from("id,who,kind,at,lines,duration,amount\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    let source = SourceFile::new("log.csv", text);
    match read_log(&policy.schema, &source, LogFormat::Csv) {
        Ok((log, _)) => log,
        Err(e) => panic!("generated log refused: {e:?}"),
    }
}

fn compile(text: &str) -> CompiledPolicy {
    compile_policy(&SourceFile::new("generated.meed", text))
        .unwrap_or_else(|_| panic!("generated policy does not check:\n{text}"))
}

fn options(window: Option<Window>) -> EvalOptions {
    EvalOptions {
        window,
        explain: false,
    }
}

fn ledger(policy: &CompiledPolicy, log: &Log, window: Option<Window>) -> Ledger {
    let mut ledger = Ledger::default();
    evaluate(
        &policy.ast,
        &policy.schema,
        log,
        None,
        &options(window),
        &mut ledger,
    )
    .unwrap();
    ledger
}

fn by_month(policy: &CompiledPolicy, log: &Log, window: Option<Window>) -> TotalsByPeriod {
    let mut sink = PeriodTotalsSink::new(Period::Month, policy.schema.timezone);
    evaluate(
        &policy.ast,
        &policy.schema,
        log,
        None,
        &options(window),
        &mut sink,
    )
    .unwrap();
    sink.by_period()
}

/// Every month that can hold a grant of a 2027 log, in any of the zones.
fn months() -> Vec<String> {
    let mut months = vec!["2026-12".to_string()];
    months.extend((1..=12).map(|m| format!("2027-{m:02}")));
    months.push("2028-01".to_string());
    months
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Closes the books through `through` with `policy` over `log`; `None`
/// when nothing was booked.
fn close(
    books: &mut Books,
    policy: &CompiledPolicy,
    log: &Log,
    log_text: &str,
    through: NaiveDate,
) -> Option<usize> {
    let window = Window::through(through, policy.schema.timezone);
    let fresh = fresh_groups(by_month(policy, log, Some(window))).unwrap();
    let run = NewRun {
        closed_at: "2027-01-01T00:00:00Z".into(),
        through: through.to_string(),
        timezone: policy.schema.timezone.name().into(),
        policy_name: "generated.meed".into(),
        policy_text: policy.source.text().into(),
        policy_sha256: sha256_hex(policy.source.text().as_bytes()),
        log_sha256: sha256_hex(log_text.as_bytes()),
        roster_sha256: None,
        meed_version: "test".into(),
    };
    close_run(books, Path::new(":memory:"), fresh, run, policy)
        .unwrap()
        .map(|(_, lines)| lines.len())
}

/// The booked sum of every group with a non-zero sum.
fn booked(books: &Books) -> BTreeMap<Group, Decimal> {
    let mut sums: BTreeMap<Group, Decimal> = BTreeMap::new();
    for (_, line) in books.lines(None).unwrap() {
        *sums.entry(line.group).or_default() += line.amount;
    }
    sums.retain(|_, sum| !sum.is_zero());
    sums.values_mut().for_each(|v| *v = v.normalize());
    sums
}

fn normalized(groups: BTreeMap<Group, Decimal>) -> BTreeMap<Group, Decimal> {
    groups
        .into_iter()
        .map(|(g, v)| (g, v.normalize()))
        .collect()
}

fn ids(lines: &[Raw]) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(i, raw)| csv_line(&format!("c{i:03}"), raw))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// The monthly windows add up to the whole log, grant for grant, and
    /// the streaming evaluator reports the same totals in every window.
    #[test]
    fn monthly_windows_add_up_to_the_whole_ledger(
        s in shape(),
        raw in prop::collection::vec(raw_record(), 1..40),
    ) {
        let policy = compile(&policy_text(&s));
        let log = read(&policy, &ids(&raw));
        let tz = policy.schema.timezone;
        let whole = ledger(&policy, &log, None);
        let mut joined = Vec::new();
        for month in months() {
            let window = Window::parse_period(&month, tz).unwrap();
            let part = ledger(&policy, &log, Some(window));
            let mut sink = TotalsSink::default();
            evaluate(&policy.ast, &policy.schema, &log, None, &options(Some(window)), &mut sink).unwrap();
            let streamed = stream_log(&policy.ast, &policy.schema, &log, None, &options(Some(window)))
                .expect("the generated policies stream")
                .unwrap();
            prop_assert_eq!(render_csv(&streamed.totals), render_csv(&sink.totals), "{}", month);
            joined.extend(part.grants);
        }
        prop_assert_eq!(joined, whole.grants);
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Closing through any increasing sequence of dates books, in total,
    /// exactly what one evaluation of the whole log gives per month.
    #[test]
    fn closing_month_by_month_books_the_whole_log(
        s in shape(),
        raw in prop::collection::vec(raw_record(), 1..40),
        dates in prop::collection::btree_set(0..400u32, 0..6),
        // (day offsets from 2027-01-01, up to 2028-02-04)
    ) {
        let policy = compile(&policy_text(&s));
        let lines = ids(&raw);
        let log = read(&policy, &lines);
        let text = lines.join("\n");
        let mut books = Books::open_or_create(Path::new(":memory:")).unwrap();
        let start = day("2027-01-01");
        for offset in dates {
            let through = start + chrono::TimeDelta::days(i64::from(offset));
            close(&mut books, &policy, &log, &text, through);
        }
        // A last close after every period of the log has ended.
        close(&mut books, &policy, &log, &text, day("2028-02-05"));
        let whole = normalized(fresh_groups(by_month(&policy, &log, None)).unwrap());
        prop_assert_eq!(booked(&books), whole);
        prop_assert!(meed::books::verify(&books).unwrap().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Late, corrected and removed records and policy changes between
    /// runs: after every run the books hold exactly a fresh evaluation
    /// through its date, and closing again with the same inputs books
    /// nothing.
    #[test]
    fn books_always_equal_a_fresh_evaluation(
        s in shape(),
        raw in prop::collection::vec(raw_record(), 1..30),
        steps in prop::collection::vec(
            (0..40u32, prop::collection::vec(raw_record(), 0..4), 0..3usize, any::<bool>(), 1..60u32),
            1..5,
        ),
    ) {
        let mut shape = s;
        let mut records = raw;
        let mut books = Books::open_or_create(Path::new(":memory:")).unwrap();
        let mut through = day("2027-01-31");
        let mut next_id = records.len();
        let mut lines = ids(&records);
        for (advance, late, removed, change_rate, rate) in steps {
            through += chrono::TimeDelta::days(i64::from(advance));
            let policy = compile(&policy_text(&shape));
            let log = read(&policy, &lines);
            let text = lines.join("\n");
            close(&mut books, &policy, &log, &text, through);
            let fresh = normalized(fresh_groups(by_month(
                &policy,
                &log,
                Some(Window::through(through, policy.schema.timezone)),
            )).unwrap());
            prop_assert_eq!(booked(&books), fresh);
            prop_assert_eq!(close(&mut books, &policy, &log, &text, through), None);
            // Between runs: late records (any time of the year, often
            // before `through`), a corrected record, a removed one, a new
            // rate.
            for raw in late {
                lines.push(csv_line(&format!("late{next_id}"), &raw));
                next_id += 1;
            }
            if let Some(first) = records.first_mut() {
                first.3 = (first.3 + 7) % 40;
                lines[0] = csv_line("c000", first);
            }
            for _ in 0..removed.min(lines.len().saturating_sub(1)) {
                lines.remove(lines.len() / 2);
            }
            if change_rate {
                shape.rate_cents = rate;
            }
        }
        prop_assert!(meed::books::verify(&books).unwrap().is_empty());
    }
}
