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

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::eval::pools::{units_of, with_units};
use crate::eval::{PeriodKey, add_to_totals};
use crate::input::{Contribution, Log};
use crate::ledger::{Grant, Origin, PoolShare, Target, Totals};
use crate::render::amount::{human, is_zero};
use crate::schema::Schema;
use crate::semantics::arith;
use crate::source::Span;
use crate::syntax::ast::{Item, Period, PolicyFile, Trigger};
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

/// The log's contributions by id, for [`explain_grant`].
pub fn contributions_by_id(log: &Log) -> HashMap<&str, &Contribution> {
    log.contributions
        .iter()
        .map(|c| (c.id.as_ref(), c))
        .collect()
}

/// One grant in the words of `explain`: what it was for, then its `→`
/// lines (the rule's calculation, each cut). `meed report` words a
/// statement's grants with it.
pub fn explain_grant(
    out: &mut String,
    grant: &Grant,
    by_id: &HashMap<&str, &Contribution>,
    context: &ExplainContext<'_>,
    tz: Tz,
) {
    let schema = context.schema;
    let what = match &grant.target {
        Target::Account(_) => human(&grant.amount),
        Target::Badge(name) => format!("badge `{name}`"),
    };
    match &grant.origin {
        Origin::Rule { name, .. } => {
            match (
                each_period(context.policy, name),
                grant.contributions.as_slice(),
            ) {
                (None, [id]) => {
                    let _ = writeln!(out, "{}", describe_contribution(id, by_id, schema, tz));
                }
                (period, ids) => {
                    let period = period.map_or_else(
                        || format!("up to {}", local_date(grant.at, tz)),
                        |p| format!("{p} {}", PeriodKey::of(grant.at, p, tz).label()),
                    );
                    if ids.is_empty() {
                        let _ = writeln!(out, "{period}: no contribution counted");
                    } else {
                        let _ = writeln!(
                            out,
                            "{period}: {} contribution{} ({})",
                            ids.len(),
                            plural(ids.len()),
                            list_ids(ids)
                        );
                    }
                }
            }
            let calculation = grant.calculation.clone().unwrap_or(what);
            let _ = writeln!(out, "  → rule {name}: {calculation}");
        }
        Origin::Pool(share) => {
            let _ = writeln!(out, "pool {} for {}", share.pool, share.period);
            let _ = writeln!(out, "  → share: {}", share_equation(share, &grant.amount));
        }
    }
    for cut in &grant.cuts {
        let _ = writeln!(
            out,
            "  → cut to {} by limit `{}` ({} already granted in {})",
            human(&cut.after),
            cut.limit,
            human(&cut.already_granted),
            cut.period
        );
    }
}

/// How a pool share was worked out, every step shown:
/// `30 pts / 70 pts × 1000.00 EUR = 428.57 EUR`, and for a share that got
/// a leftover minor unit `20 pts / 70 pts × 1000.00 EUR = 285.71 EUR,
/// + 0.01 EUR (largest remainder) = 285.72 EUR`, so that the figure after
/// the first `=` is the rounded-down share, never the paid one plus a unit.
pub fn share_equation(share: &PoolShare, paid: &Value) -> String {
    let split = format!(
        "{} / {} × {}",
        human(&share.score),
        human(&share.total_score),
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
fn each_period(policy: &PolicyFile, rule: &str) -> Option<Period> {
    policy.items.iter().find_map(|item| match item {
        Item::Rule(r) if r.name.node == rule => match &r.trigger {
            Trigger::Each { period, .. } => Some(period.node),
            Trigger::On { .. } => None,
        },
        _ => None,
    })
}

/// `review r-1042 on 2027-01-05 (lines = 120, repo = "core")`
fn describe_contribution(
    id: &str,
    by_id: &HashMap<&str, &Contribution>,
    schema: &Schema,
    tz: Tz,
) -> String {
    match by_id.get(id) {
        Some(contribution) => describe_record(contribution, schema, tz),
        None => format!("contribution {id}"),
    }
}

/// A contribution as `explain` names it: its kind, id, local date and
/// fields, `review r-1042 on 2027-01-05 (lines = 120, repo = "core")`.
pub fn describe_record(contribution: &Contribution, schema: &Schema, tz: Tz) -> String {
    let id = &contribution.id;
    let Some(kind) = schema.kinds.get(contribution.kind) else {
        return format!("contribution {id} on {}", local_date(contribution.at, tz));
    };
    let fields: Vec<String> = kind
        .fields
        .iter()
        .zip(&contribution.fields)
        .map(|(field, value)| format!("{} = {}", field.name, human(value)))
        .collect();
    let fields = if fields.is_empty() {
        String::new()
    } else {
        format!(" ({})", fields.join(", "))
    };
    format!(
        "{} {id} on {}{fields}",
        kind.name,
        local_date(contribution.at, tz)
    )
}

fn local_date(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
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
