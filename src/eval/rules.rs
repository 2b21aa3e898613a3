//! Stages 1 and 2: `on` rules (one grant per matching contribution) and
//! `each person per PERIOD` rules (one grant per person and period with
//! activity).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::eval::pending::{OrderKey, Pending, RuleRef, make_grant};
use crate::eval::scope::{Env, PersonPeriod, Scope};
use crate::input::Contribution;
use crate::semantics::dated::Validity;
use crate::semantics::error::EvalError;
use crate::semantics::order::Stage;
use crate::semantics::period::PeriodKey;
use crate::syntax::ast::{Period, Trigger};

/// `on review r [when C] grant bonus EXPR`: for each record in `(at, id)`
/// order, each `on` rule of its kind in file order.
pub fn run_on_rules(
    env: &Env<'_>,
    rules: &[RuleRef<'_>],
    records: &[&Contribution],
    explain: bool,
    out: &mut Vec<Pending>,
) -> Result<(), EvalError> {
    for record in records {
        for rule in rules {
            let Trigger::On { kind, binding, .. } = &rule.decl.trigger else {
                continue;
            };
            if env.schema.kind_index(&kind.node) != Some(record.kind)
                || !Validity::of(rule.decl.window.as_ref(), env.tz).contains(record.at)
            {
                continue;
            }
            let context = || {
                format!(
                    "rule `{}`, contribution `{}`{}",
                    rule.decl.name.node,
                    record.id,
                    on_line(record)
                )
            };
            let read = RefCell::new(Vec::new());
            let base = Scope {
                dated_read: explain.then_some(&read),
                ..Scope::new(env)
            };
            let scope = base.with_binding(&binding.node, record).explaining(explain);
            if let Some(condition) = &rule.decl.condition
                && !scope
                    .condition(condition)
                    .map_err(|e| e.in_context(context))?
            {
                continue;
            }
            let grant = make_grant(
                &scope,
                *rule,
                record.who.clone(),
                record.at,
                vec![record.id.clone()],
            )
            .map_err(|e| e.in_context(context))?;
            out.push(Pending {
                key: OrderKey {
                    at: record.at,
                    stage: Stage::On,
                    id: record.id.clone(),
                    position: rule.position,
                    who: record.who.clone(),
                },
                grant,
            });
        }
    }
    Ok(())
}

/// Records grouped by person and period, each group in `(at, id)` order.
pub type Groups<'c> = BTreeMap<(Arc<str>, PeriodKey), Vec<&'c Contribution>>;

/// Groups `records` by who and by the period of kind `period` holding them.
pub fn group_by_person<'c>(
    records: &[&'c Contribution],
    period: Period,
    env: &Env<'_>,
) -> Groups<'c> {
    let mut groups: Groups<'c> = BTreeMap::new();
    for record in records {
        let key = PeriodKey::of(record.at, period, env.tz);
        groups
            .entry((record.who.clone(), key))
            .or_default()
            .push(record);
    }
    groups
}

/// `each person per month [when C] grant|award`: per person and period in
/// which the person has at least one record (of any kind), stamped at the
/// period's last instant.
///
/// The grant's contributions are exactly the records the rule's aggregates
/// counted while its condition and amount were worked out (kind matching,
/// `where` holding), in `(at, id)` order; a rule with no aggregate lists all
/// of the person's records in the period (they are what made it run).
pub fn run_each_rules(
    env: &Env<'_>,
    rules: &[RuleRef<'_>],
    records: &[&Contribution],
    explain: bool,
    out: &mut Vec<Pending>,
) -> Result<(), EvalError> {
    let mut grouped: BTreeMap<Period, Groups<'_>> = BTreeMap::new();
    for rule in rules {
        let Trigger::Each { period, .. } = &rule.decl.trigger else {
            continue;
        };
        let groups = grouped
            .entry(period.node)
            .or_insert_with(|| group_by_person(records, period.node, env));
        let aggregates = rule.decl.reads_aggregates();
        let validity = Validity::of(rule.decl.window.as_ref(), env.tz);
        for ((who, key), group) in groups.iter() {
            let start = key.start(env.tz);
            if !validity.contains(start) {
                continue;
            }
            let context = || {
                let first = group
                    .first()
                    .filter(|r| r.line > 0)
                    .map(|r| format!(" (first record `{}`{})", r.id, on_line(r)))
                    .unwrap_or_default();
                format!("rule `{}`, `{who}` in {key}{first}", rule.decl.name.node)
            };
            let counted: Vec<Cell<bool>> = group.iter().map(|_| Cell::new(false)).collect();
            let read = RefCell::new(Vec::new());
            let scope = Scope {
                person: Some(PersonPeriod {
                    who,
                    records: group,
                    totals: None,
                }),
                counted: Some(&counted),
                at: Some(start),
                dated_read: explain.then_some(&read),
                ..Scope::new(env)
            }
            .explaining(explain);
            if let Some(condition) = &rule.decl.condition
                && !scope
                    .condition(condition)
                    .map_err(|e| e.in_context(context))?
            {
                continue;
            }
            let at = key.last_instant(env.tz);
            let mut grant = make_grant(&scope, *rule, who.clone(), at, Vec::new())
                .map_err(|e| e.in_context(context))?;
            // Only now are the flags complete: the amount's aggregates ran
            // inside `make_grant`.
            grant.contributions = group
                .iter()
                .zip(&counted)
                .filter(|(_, c)| !aggregates || c.get())
                .map(|(r, _)| r.id.clone())
                .collect();
            out.push(Pending {
                key: OrderKey {
                    at,
                    stage: Stage::Each,
                    id: Arc::from(""),
                    position: rule.position,
                    who: who.clone(),
                },
                grant,
            });
        }
    }
    Ok(())
}

/// ` on log line 12`, for messages; nothing for a record that was not read
/// from a log (a test's `given` record).
fn on_line(record: &Contribution) -> String {
    if record.line > 0 {
        format!(" on log line {}", record.line)
    } else {
        String::new()
    }
}
