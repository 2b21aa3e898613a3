//! `meed explain`: every grant to one person, in time order, in plain words.
//!
//! ```text
//! review r-1042 on 2027-01-05 (lines = 120, repo = "core")
//!   → rule review_bonus: 5.00 EUR + 0.02 EUR × 120 = 7.40 EUR
//!   → cut to 2.10 EUR by limit `bonus at most 300 EUR per person per month`
//!     (297.90 EUR already granted in 2027-01)
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono_tz::Tz;

use crate::eval::pools::{score_as_shown, units_of, with_units};
use crate::eval::{PeriodKey, add_to_totals};
use crate::input::hash::FxBuild;
use crate::input::{Contribution, Log};
use crate::ledger::{Grant, Origin, PoolShare, Target, Totals};
use crate::render::amount::{human, is_zero, write_human};
use crate::render::time::Local;
use crate::schema::Schema;
use crate::semantics::arith;
use crate::source::Span;
use crate::syntax::ast::{Item, Period, PolicyFile, RuleDecl, Trigger};
use crate::value::Value;

/// What `explain` needs besides the grants: the log (to describe the
/// contributions behind each grant) and the schema (kind and field names).
pub struct ExplainContext<'a> {
    pub policy: &'a PolicyFile,
    pub schema: &'a Schema,
    pub log: &'a Log,
}

/// Explains `grants` (already filtered to one person, in ledger order).
pub fn render_explain(
    who: &str,
    account: Option<&str>,
    grants: &[Grant],
    context: &ExplainContext<'_>,
) -> String {
    let by_id = contributions_by_id(context.log);
    let tz = context.schema.timezone;
    let mut out = String::new();
    let subject = account.map_or(String::new(), |a| format!(" from `{a}`"));
    if grants.is_empty() {
        let _ = writeln!(out, "{who} received nothing{subject} in this log");
        return out;
    }
    let _ = writeln!(
        out,
        "{who}: {} grant{}{subject}\n",
        grants.len(),
        plural(grants.len())
    );
    for grant in grants {
        explain_grant(&mut out, grant, &by_id, context, tz);
        out.push('\n');
    }
    write_totals(&mut out, grants);
    out
}

/// The log's contributions by id (FxHash: ids are short, and a statement
/// looks up every one of its grants' contributions).
pub type ById<'a> = HashMap<&'a str, &'a Contribution, FxBuild>;

/// The log's contributions by id, for [`explain_grant`].
pub fn contributions_by_id(log: &Log) -> ById<'_> {
    log.contributions
        .iter()
        .map(|c| (c.id.as_ref(), c))
        .collect()
}

/// One grant in the words of `explain`: what it was for, then its `→`
/// lines (the rule's calculation, each cut).
pub fn explain_grant(
    out: &mut String,
    grant: &Grant,
    by_id: &ById<'_>,
    context: &ExplainContext<'_>,
    tz: Tz,
) {
    let words = grant_words(grant, by_id, context, tz, Dated::Yes);
    let _ = writeln!(out, "{}", words.what);
    for step in &words.steps {
        let _ = writeln!(out, "  → {step}");
    }
}

/// Whether a contribution is named with its local date (`explain`) or
/// without, when the date stands beside it (a statement's time column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dated {
    Yes,
    No,
}

/// A grant in words: what it was for and the steps to its amount.
pub struct GrantWords {
    /// `review r-1042 on 2027-01-05 (lines = 120)`, `month 2027-01: 3
    /// contributions (…)`, `pool fund for 2027-Q1`.
    pub what: String,
    /// `rule review_bonus: 5.00 EUR + …`, `share: …`, then each cut.
    pub steps: Vec<String>,
}

/// The words of one grant, shared by `explain` and the statements of
/// `meed report`, so that both say the same.
pub fn grant_words(
    grant: &Grant,
    by_id: &ById<'_>,
    context: &ExplainContext<'_>,
    tz: Tz,
    dated: Dated,
) -> GrantWords {
    let schema = context.schema;
    let mut steps = Vec::with_capacity(1 + grant.cuts.len());
    let what = match &grant.origin {
        Origin::Rule { name, position } => {
            let what = match (
                each_period(context.policy, *position, name),
                grant.contributions.as_slice(),
            ) {
                (None, [id]) => describe_contribution(id, by_id, schema, tz, dated),
                (period, ids) => {
                    let period = period.map_or_else(
                        || format!("up to {}", Local::of(grant.at, tz).date()),
                        |p| format!("{p} {}", PeriodKey::of(grant.at, p, tz)),
                    );
                    if ids.is_empty() {
                        format!("{period}: no contribution counted")
                    } else {
                        format!(
                            "{period}: {} contribution{} ({})",
                            ids.len(),
                            plural(ids.len()),
                            list_ids(ids)
                        )
                    }
                }
            };
            let mut step = String::with_capacity(64);
            let _ = write!(step, "rule {name}: ");
            match (&grant.calculation, &grant.target) {
                (Some(words), _) => step.push_str(words),
                (None, Target::Account(_)) => write_human(&mut step, &grant.amount),
                (None, Target::Badge(badge)) => {
                    let _ = write!(step, "badge `{badge}`");
                }
            }
            steps.push(step);
            what
        }
        Origin::Pool(share) => {
            steps.push(format!("share: {}", share_equation(share, &grant.amount)));
            format!("pool {} for {}", share.pool, share.period)
        }
    };
    for cut in &grant.cuts {
        let mut step = String::with_capacity(96 + cut.limit.len());
        step.push_str("cut to ");
        write_human(&mut step, &cut.after);
        let _ = write!(step, " by limit `{}` (", cut.limit);
        write_human(&mut step, &cut.already_granted);
        let _ = write!(step, " already granted in {})", cut.period);
        steps.push(step);
    }
    GrantWords { what, steps }
}

/// How a pool share was worked out, every step shown:
/// `30 pts / 70 pts × 1000.00 EUR = 428.57 EUR`, and for a share that got
/// a leftover minor unit `20 pts / 70 pts × 1000.00 EUR = 285.71 EUR,
/// + 0.01 EUR (largest remainder) = 285.72 EUR`, so that the figure after
/// the first `=` is the rounded-down share, never the paid one plus a unit.
pub fn share_equation(share: &PoolShare, paid: &Value) -> String {
    let split = format!(
        "{} / {} × {}",
        human(&score_as_shown(&share.score)),
        human(&score_as_shown(&share.total_score)),
        human(&share.pool_amount)
    );
    let leftover = share
        .leftover_unit
        .then(|| units_of(&share.pool_amount))
        .flatten()
        .and_then(|(digits, _)| {
            let unit = with_units(&share.pool_amount, 1, digits);
            let down = arith::sub(paid, &unit, Span::NOWHERE).ok()?;
            Some((down, unit))
        });
    match leftover {
        Some((down, unit)) => format!(
            "{split} = {}, + {} (largest remainder) = {}",
            human(&down),
            human(&unit),
            human(paid)
        ),
        None => format!("{split} = {}", human(paid)),
    }
}

/// The period of an `each person per PERIOD` rule; `None` for `on` rules.
/// The rule is found by its place among the file's rules (`position`),
/// checked against its name, so that a statement of a thousand grants does
/// not compare every rule's name a thousand times.
fn each_period(policy: &PolicyFile, position: usize, rule: &str) -> Option<Period> {
    let period = |r: &RuleDecl| match &r.trigger {
        Trigger::Each { period, .. } => Some(period.node),
        Trigger::On { .. } => None,
    };
    let rules = || {
        policy.items.iter().filter_map(|item| match item {
            Item::Rule(r) => Some(r),
            _ => None,
        })
    };
    match rules().nth(position) {
        Some(r) if r.name.node == rule => period(r),
        _ => rules().find(|r| r.name.node == rule).and_then(period),
    }
}

/// `review r-1042 on 2027-01-05 (lines = 120, repo = "core")`
fn describe_contribution(
    id: &str,
    by_id: &ById<'_>,
    schema: &Schema,
    tz: Tz,
    dated: Dated,
) -> String {
    match by_id.get(id) {
        Some(contribution) => describe(contribution, schema, tz, dated),
        None => format!("contribution {id}"),
    }
}

/// A contribution as `explain` names it: its kind, id, local date and
/// fields, `review r-1042 on 2027-01-05 (lines = 120, repo = "core")`.
pub fn describe_record(contribution: &Contribution, schema: &Schema, tz: Tz) -> String {
    describe(contribution, schema, tz, Dated::Yes)
}

fn describe(contribution: &Contribution, schema: &Schema, tz: Tz, dated: Dated) -> String {
    let mut out = String::with_capacity(64);
    let id = &contribution.id;
    let kind = schema.kinds.get(contribution.kind);
    out.push_str(kind.map_or("contribution", |k| k.name.as_str()));
    out.push(' ');
    out.push_str(id);
    if dated == Dated::Yes {
        let _ = write!(out, " on {}", Local::of(contribution.at, tz).date());
    }
    let Some(kind) = kind else {
        return out;
    };
    for (i, (field, value)) in kind.fields.iter().zip(&contribution.fields).enumerate() {
        out.push_str(if i == 0 { " (" } else { ", " });
        out.push_str(&field.name);
        out.push_str(" = ");
        crate::render::amount::write_human(&mut out, value);
    }
    if !kind.fields.is_empty() && !contribution.fields.is_empty() {
        out.push(')');
    }
    out
}

/// At most eight ids, then a count of the rest.
fn list_ids(ids: &[std::sync::Arc<str>]) -> String {
    const SHOWN: usize = 8;
    let mut listed: Vec<&str> = ids.iter().take(SHOWN).map(|id| id.as_ref()).collect();
    let rest = ids.len().saturating_sub(SHOWN);
    let more = format!("and {rest} more");
    if rest > 0 {
        listed.push(&more);
    }
    listed.join(", ")
}

fn write_totals(out: &mut String, grants: &[Grant]) {
    // The same sums the evaluator's sinks keep; they already added up once
    // during evaluation, so a failure here cannot happen and is skipped.
    let mut totals = Totals::new();
    for grant in grants {
        let _ = add_to_totals(&mut totals, grant);
    }
    let _ = writeln!(out, "total:");
    for (target, total) in totals.values().flatten() {
        if is_zero(total) {
            continue;
        }
        match target {
            Target::Account(name) => {
                let _ = writeln!(out, "  {name}: {}", human(total));
            }
            Target::Badge(name) => {
                let _ = writeln!(out, "  badge {name}: {total} time{}", plural_value(total));
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn plural_value(v: &Value) -> &'static str {
    if *v == Value::Int(1) { "" } else { "s" }
}
