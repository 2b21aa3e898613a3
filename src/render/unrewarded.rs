//! The contributions that earned nothing, in plain words, for `meed explain
//! --all` and the statements of `meed report`:
//!
//! ```text
//! contributions that earned nothing: 2
//!
//! review c-0146 on 2027-01-13 (lines = 12, repo = "web")
//!   → rule code_review needs r.lines >= 20, and r.lines = 12
//!
//! like l-17 on 2027-01-05
//!   → no rule rewards `like` contributions
//! ```
//!
//! Amounts, durations and contributions are written as the rest of
//! `explain` writes them ([`human`], [`describe_record`]); instants in the
//! policy's time zone.

use std::fmt::Write as _;

use chrono_tz::Tz;

use crate::eval::unrewarded::{FalseCondition, Unearned, Unrewarded};
use crate::render::amount::human;
use crate::render::explain::describe_record;
use crate::schema::Schema;
use crate::value::Value;

/// The section `explain --all` adds after the grants: every contribution
/// that earned nothing, in ledger order, each reason on its own line; those
/// outside the window only counted (a month's explanation would otherwise
/// list the whole year).
pub fn render_unearned(unearned: &[Unearned<'_>], schema: &Schema) -> String {
    let tz = schema.timezone;
    let outside = |u: &&Unearned<'_>| u.reasons == [Unrewarded::OutsideWindow];
    let shown: Vec<&Unearned<'_>> = unearned.iter().filter(|u| !outside(u)).collect();
    let hidden = unearned.len() - shown.len();
    let mut out = String::new();
    if shown.is_empty() {
        let _ = writeln!(out, "contributions that earned nothing: none");
    } else {
        let _ = writeln!(out, "contributions that earned nothing: {}", shown.len());
    }
    for u in shown {
        let _ = writeln!(out, "\n{}", describe_record(u.record, schema, tz));
        for reason in &u.reasons {
            let _ = writeln!(out, "  → {}", word_reason(reason, tz));
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n{hidden} more contribution{} lie{} outside the window, not listed",
            if hidden == 1 { "" } else { "s" },
            if hidden == 1 { "s" } else { "" }
        );
    }
    out
}

/// One reason in words: `no rule rewards `like` contributions`, `rule
/// code_review needs r.lines >= 20, and r.lines = 12`, `rule
/// code_contribution: 225 pts, cut to zero by limit `…` (cap 400 pts, 400
/// pts already granted in 2027-W01)`.
pub fn word_reason(reason: &Unrewarded, tz: Tz) -> String {
    match reason {
        Unrewarded::NoRuleForKind { kind } => format!("no rule rewards `{kind}` contributions"),
        Unrewarded::OnlyPoolScore { kind, pool } => format!(
            "no rule rewards `{kind}` contributions by themselves; \
             they count toward the score of pool {pool}"
        ),
        Unrewarded::ConditionFalse { rule, why } => {
            format!("rule {rule} needs {}", false_condition(why, "", tz))
        }
        Unrewarded::PeriodConditionFalse { rule, period, why } => format!(
            "rule {rule} needs {}",
            false_condition(why, &format!(" in {period}"), tz)
        ),
        Unrewarded::NotCounted { rule, period, why } => match why {
            Some(why) => format!(
                "rule {rule} did not count it in {period}: it counts only where {}",
                false_condition(why, "", tz)
            ),
            None => format!("rule {rule} did not count it in {period}"),
        },
        Unrewarded::ZeroAmount {
            rule,
            period,
            amount,
            calculation,
        } => match calculation {
            Some(calculation) => {
                format!(
                    "rule {rule}{} came to nothing: {calculation}",
                    for_period(period)
                )
            }
            None => format!(
                "rule {rule}{} came to {}",
                for_period(period),
                human(amount)
            ),
        },
        Unrewarded::CutToZero {
            rule,
            period,
            amount,
            cut,
        } => format!(
            "rule {rule}{}: {}, cut to zero by limit `{}` (cap {}, {} already granted in {})",
            for_period(period),
            human(amount),
            cut.limit,
            human(&cut.cap),
            human(&cut.already_granted),
            cut.period
        ),
        Unrewarded::OutsideWindow => "outside the window".to_string(),
        Unrewarded::OutsideRuleWindow {
            rule,
            window,
            period,
        } => match period {
            Some(period) => {
                format!("rule {rule} applies only to periods starting {window}, not to {period}")
            }
            None => format!("rule {rule} applies only {window}"),
        },
        Unrewarded::AfterWindow { rule, period } => {
            format!("rule {rule} decides at the end of {period}, after the window")
        }
    }
}

/// ` for 2027-01` for an `each` rule's period.
fn for_period(period: &Option<String>) -> String {
    period
        .as_ref()
        .map_or_else(String::new, |p| format!(" for {p}"))
}

/// `r.lines >= 20, and r.lines = 12`; `in` placed after the condition
/// (`sum(mentoring.duration) >= 4h in 2027-02, and …`).
fn false_condition(why: &FalseCondition, within: &str, tz: Tz) -> String {
    let values: Vec<String> = why
        .values
        .iter()
        .map(|(read, value)| format!("{read} = {}", value_to_read(value, tz)))
        .collect();
    if values.is_empty() {
        format!("{}{within}, which is false", why.condition)
    } else {
        format!("{}{within}, and {}", why.condition, values.join(", "))
    }
}

/// A value as people read it: amounts as [`human`] writes them, instants
/// in the policy's time zone to the minute.
fn value_to_read(value: &Value, tz: Tz) -> String {
    match value {
        Value::Timestamp(at) => crate::render::time::Local::of(*at, tz)
            .date_time()
            .to_string(),
        other => human(other),
    }
}
