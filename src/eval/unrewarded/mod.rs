//! The contributions of one person that earned nothing, each with why:
//! no rule rewards its kind, a rule's condition was false (with the values
//! it read), a limit cut the grant to zero, it lies outside the window.
//!
//! The engine's grants are the truth: a contribution earned something if a
//! grant with a non-zero amount after limits (or a badge) lists it among
//! its contributions — an `on` grant for the record itself, or an `each`
//! grant whose aggregates counted it. Only for the others is a reason
//! worked out, rule by rule, from the grants (a grant of zero: computed as
//! zero, or cut to zero) or, where the rule made no grant, by evaluating
//! its condition with the exact evaluator over the person's own records (a
//! rule's condition depends on nothing else). So the cost is one pass over
//! the person's grants and records, and one condition per rule and
//! contribution (or per rule and period) that earned nothing.

pub mod why;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::eval::arith;
use crate::eval::error::EvalError;
use crate::eval::period::{PeriodKey, Window};
use crate::eval::scope::{Env, PersonPeriod, Scope};
use crate::input::{Contribution, Roster};
use crate::ledger::{Grant, LimitCut, Origin};
use crate::schema::Schema;
use crate::syntax::ast::{
    Action, Aggregate, Expr, ExprKind, Item, Period, PolicyFile, RuleDecl, Trigger,
};
use crate::value::Value;

pub use why::{FalseCondition, why_false};

/// Why one contribution earned nothing, from one rule or at all.
#[derive(Clone, Debug, PartialEq)]
pub enum Unrewarded {
    /// No `on` rule of its kind, no `each` rule counting its kind, no pool
    /// scoring it.
    NoRuleForKind { kind: String },
    /// No rule rewards its kind, but a pool's `split by` counts it: it
    /// raised the person's score in that pool, not a grant of its own.
    OnlyPoolScore { kind: String, pool: String },
    /// An `on` rule of its kind whose `when` was false for it.
    ConditionFalse { rule: String, why: FalseCondition },
    /// An `each` rule that could count it whose `when` was false for the
    /// person in the period.
    PeriodConditionFalse {
        rule: String,
        period: String,
        why: FalseCondition,
    },
    /// An `each` rule granted in the period, but its aggregates did not
    /// count this contribution: the `where` that was false, if one was.
    NotCounted {
        rule: String,
        period: String,
        why: Option<FalseCondition>,
    },
    /// The rule's grant for it was zero as computed (`calculation` in
    /// words, if the grants carry them).
    ZeroAmount {
        rule: String,
        /// The `each` rule's period; `None` for `on` rules.
        period: Option<String>,
        amount: Value,
        calculation: Option<String>,
    },
    /// A limit cut the rule's grant for it to zero.
    CutToZero {
        rule: String,
        period: Option<String>,
        /// The grant before limits.
        amount: Value,
        /// The cut that left nothing.
        cut: LimitCut,
    },
    /// It lies outside the window (`--period`, `--from`, `--to`): read,
    /// since caps count it, but anything it earned is stamped outside.
    OutsideWindow,
    /// An `each` rule counts it, but its grant for the period is stamped at
    /// the period's end, after the window.
    AfterWindow { rule: String, period: String },
}

/// A contribution that earned nothing, and every reason (one per rule
/// that could have rewarded it, in the file's order; or one that no rule
/// could).
#[derive(Clone, Debug, PartialEq)]
pub struct Unearned<'r> {
    pub record: &'r Contribution,
    pub reasons: Vec<Unrewarded>,
}

/// Every contribution in `records` (one person's, all of them as the log
/// holds them) that earned nothing in `grants` (that person's grants as the
/// engine made them, stamped in `window`, kept whole), in `(at, id)`
/// order, each with its reasons.
///
/// Fails only if the grants and the policy disagree (a rule whose
/// condition holds made no grant) or a condition cannot be evaluated.
pub fn unrewarded<'r>(
    policy: &PolicyFile,
    schema: &Schema,
    roster: Option<&Roster>,
    records: &'r [Contribution],
    grants: &[Grant],
    window: Option<Window>,
) -> Result<Vec<Unearned<'r>>, EvalError> {
    let env = Env::new(policy, schema, roster)?;
    let mut sorted: Vec<&'r Contribution> = records.iter().collect();
    sorted.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    });
    let read: Vec<&'r Contribution> = sorted
        .iter()
        .copied()
        .filter(|c| window.is_none_or(|w| w.reads(c.at)))
        .collect();
    let analysis = Analysis::new(policy, &env, grants, &read, window);
    let mut out = Vec::new();
    for record in sorted {
        if analysis.earned(record) {
            continue;
        }
        let reasons = analysis.reasons(record)?;
        out.push(Unearned { record, reasons });
    }
    Ok(out)
}

/// Whether a grant gives something: a badge, or an amount after limits
/// other than zero (a negative grant is something too).
pub fn gives_something(grant: &Grant) -> bool {
    arith::sign(&grant.granted) != Some(Ordering::Equal)
}

/// A rule, its position, and (for `each` rules) the aggregates it reads.
struct Rule<'p> {
    decl: &'p RuleDecl,
    aggregates: Vec<&'p Aggregate>,
}

/// What one analysis looks things up in.
struct Analysis<'a, 'r> {
    env: &'a Env<'a>,
    rules: Vec<Rule<'a>>,
    /// Each pool and the aggregates its `split by` reads.
    pools: Vec<(&'a str, Vec<&'a Aggregate>)>,
    /// The grants listing each contribution.
    behind: HashMap<&'a str, Vec<&'a Grant>>,
    /// `each` grants by rule and stamp.
    each_grants: HashMap<(&'a str, DateTime<Utc>), &'a Grant>,
    /// The records evaluation read (before the window's end) by period,
    /// for the aggregates of `each` rules: grouped once per kind of period.
    groups: HashMap<Period, BTreeMap<PeriodKey, Vec<&'r Contribution>>>,
    /// Why an `each` rule (by index) made no grant in a period, worked out
    /// once per period, not once per contribution.
    verdicts: RefCell<HashMap<(usize, PeriodKey), Unrewarded>>,
    window: Option<Window>,
}

impl<'a, 'r: 'a> Analysis<'a, 'r> {
    fn new(
        policy: &'a PolicyFile,
        env: &'a Env<'a>,
        grants: &'a [Grant],
        read: &[&'r Contribution],
        window: Option<Window>,
    ) -> Analysis<'a, 'r> {
        let rules: Vec<Rule<'a>> = policy
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Rule(decl) => Some(Rule {
                    decl,
                    aggregates: aggregates_of(decl.condition.iter().chain(amount_of(decl))),
                }),
                _ => None,
            })
            .collect();
        let pools = policy
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Pool(pool) => Some((
                    pool.name.node.as_str(),
                    aggregates_of(std::iter::once(&pool.split_by)),
                )),
                _ => None,
            })
            .collect();
        let mut behind: HashMap<&str, Vec<&Grant>> = HashMap::new();
        let mut each_grants = HashMap::new();
        for grant in grants {
            for id in &grant.contributions {
                behind.entry(id.as_ref()).or_default().push(grant);
            }
            if let Origin::Rule { name, .. } = &grant.origin
                && rules.iter().any(|r| {
                    r.decl.name.node == *name && matches!(r.decl.trigger, Trigger::Each { .. })
                })
            {
                each_grants.insert((name.as_str(), grant.at), grant);
            }
        }
        let mut groups: HashMap<Period, BTreeMap<PeriodKey, Vec<&'r Contribution>>> =
            HashMap::new();
        for rule in &rules {
            if let Trigger::Each { period, .. } = &rule.decl.trigger {
                groups.entry(period.node).or_insert_with(|| {
                    let mut by_period: BTreeMap<PeriodKey, Vec<&'r Contribution>> = BTreeMap::new();
                    for record in read {
                        let key = PeriodKey::of(record.at, period.node, env.tz);
                        by_period.entry(key).or_default().push(*record);
                    }
                    by_period
                });
            }
        }
        Analysis {
            env,
            rules,
            pools,
            behind,
            each_grants,
            groups,
            verdicts: RefCell::new(HashMap::new()),
            window,
        }
    }

    fn earned(&self, record: &Contribution) -> bool {
        self.behind
            .get(record.id.as_ref())
            .is_some_and(|grants| grants.iter().any(|g| gives_something(g)))
    }

    /// The grant of rule `name` listing `record`, if there is one.
    fn grant_for(&self, record: &Contribution, name: &str) -> Option<&'a Grant> {
        self.behind.get(record.id.as_ref()).and_then(|grants| {
            grants
                .iter()
                .copied()
                .find(|g| matches!(&g.origin, Origin::Rule { name: n, .. } if n == name))
        })
    }

    fn reasons(&self, record: &'r Contribution) -> Result<Vec<Unrewarded>, EvalError> {
        if self.window.is_some_and(|w| !w.reports(record.at)) {
            return Ok(vec![Unrewarded::OutsideWindow]);
        }
        let mut reasons = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let reason = match &rule.decl.trigger {
                Trigger::On { kind, binding, .. } => {
                    if self.env.schema.kind_index(&kind.node) != Some(record.kind) {
                        continue;
                    }
                    self.on_reason(rule.decl, &binding.node, record)?
                }
                Trigger::Each { period, .. } => {
                    if !counts_kind(&rule.aggregates, self.env.schema, record.kind) {
                        continue;
                    }
                    self.each_reason(index, rule, period.node, record)?
                }
            };
            reasons.push(reason);
        }
        if reasons.is_empty() {
            let kind = self
                .env
                .schema
                .kinds
                .get(record.kind)
                .map_or_else(String::new, |k| k.name.clone());
            let pool = self.pools.iter().find(|(_, aggregates)| {
                !aggregates.is_empty() && counts_kind(aggregates, self.env.schema, record.kind)
            });
            reasons.push(match pool {
                Some((pool, _)) => Unrewarded::OnlyPoolScore {
                    kind,
                    pool: (*pool).to_string(),
                },
                None => Unrewarded::NoRuleForKind { kind },
            });
        }
        Ok(reasons)
    }

    /// Why the `on` rule `decl` gave `record` nothing.
    fn on_reason(
        &self,
        decl: &RuleDecl,
        binding: &str,
        record: &'r Contribution,
    ) -> Result<Unrewarded, EvalError> {
        let rule = decl.name.node.clone();
        if let Some(grant) = self.grant_for(record, &rule) {
            return Ok(zero_reason(rule, None, grant));
        }
        let base = Scope::new(self.env);
        let scope = base.with_binding(binding, record);
        let context = || format!("rule `{rule}`, contribution `{}`", record.id);
        match &decl.condition {
            Some(condition) => {
                match why_false(&scope, condition).map_err(|e| e.in_context(context))? {
                    Some(why) => Ok(Unrewarded::ConditionFalse { rule, why }),
                    None => Err(no_grant(&rule, &record.id)),
                }
            }
            None => Err(no_grant(&rule, &record.id)),
        }
    }

    /// Why the `each` rule gave nothing for `record`'s period, or did not
    /// count it.
    fn each_reason(
        &self,
        index: usize,
        rule: &Rule<'a>,
        period: Period,
        record: &'r Contribution,
    ) -> Result<Unrewarded, EvalError> {
        let name = rule.decl.name.node.clone();
        let tz = self.env.tz;
        let key = PeriodKey::of(record.at, period, tz);
        let stamp = key.last_instant(tz);
        let label = key.label();
        if self.window.is_some_and(|w| !w.reports(stamp)) {
            return Ok(Unrewarded::AfterWindow {
                rule: name,
                period: label,
            });
        }
        let group: &[&Contribution] = self
            .groups
            .get(&period)
            .and_then(|g| g.get(&key))
            .map_or(&[], Vec::as_slice);
        let scope = Scope {
            person: Some(PersonPeriod {
                who: &record.who,
                records: group,
                totals: None,
            }),
            ..Scope::new(self.env)
        };
        let context = || format!("rule `{name}`, `{}` in {label}", record.who);
        if let Some(&grant) = self.each_grants.get(&(rule.decl.name.node.as_str(), stamp)) {
            if grant.contributions.iter().any(|id| *id == record.id) {
                return Ok(zero_reason(name, Some(label), grant));
            }
            let mut why = None;
            for agg in &rule.aggregates {
                let (Some(filter), Some(kind)) =
                    (&agg.filter, self.env.schema.kind_index(&agg.kind.node))
                else {
                    continue;
                };
                if kind != record.kind {
                    continue;
                }
                let binding = agg.binding.as_ref().unwrap_or(&agg.kind).node.as_str();
                let inner = scope.with_binding(binding, record);
                why = why_false(&inner, filter).map_err(|e| e.in_context(context))?;
                if why.is_some() {
                    break;
                }
            }
            return Ok(Unrewarded::NotCounted {
                rule: name,
                period: label,
                why,
            });
        }
        if let Some(known) = self.verdicts.borrow().get(&(index, key)) {
            return Ok(known.clone());
        }
        let Some(condition) = &rule.decl.condition else {
            return Err(no_grant(&name, &record.id));
        };
        let Some(why) = why_false(&scope, condition).map_err(|e| e.in_context(context))? else {
            return Err(no_grant(&name, &record.id));
        };
        let reason = Unrewarded::PeriodConditionFalse {
            rule: name,
            period: label,
            why,
        };
        self.verdicts
            .borrow_mut()
            .insert((index, key), reason.clone());
        Ok(reason)
    }
}

/// A grant that gave nothing: zero as computed, or cut to zero.
fn zero_reason(rule: String, period: Option<String>, grant: &Grant) -> Unrewarded {
    let emptied = grant
        .cuts
        .iter()
        .find(|c| arith::sign(&c.after) == Some(Ordering::Equal));
    match emptied {
        Some(cut) if arith::sign(&grant.amount) != Some(Ordering::Equal) => Unrewarded::CutToZero {
            rule,
            period,
            amount: grant.amount.clone(),
            cut: cut.clone(),
        },
        _ => Unrewarded::ZeroAmount {
            rule,
            period,
            amount: grant.amount.clone(),
            calculation: grant.calculation.clone(),
        },
    }
}

/// The grants and the policy disagree: the rule's condition holds but the
/// ledger has no grant of it.
fn no_grant(rule: &str, id: &Arc<str>) -> EvalError {
    EvalError::internal(
        format!("rule `{rule}` applies to contribution `{id}` but the ledger has no grant of it"),
        None,
    )
}

/// The amount a rule grants, if it grants one.
fn amount_of(decl: &RuleDecl) -> Option<&Expr> {
    match &decl.action {
        Action::Grant { amount, .. } => Some(amount),
        Action::Award { .. } => None,
    }
}

/// Every aggregate in `exprs`.
fn aggregates_of<'p>(exprs: impl Iterator<Item = &'p Expr>) -> Vec<&'p Aggregate> {
    let mut found = Vec::new();
    for expr in exprs {
        expr.walk(&mut |e| {
            if let ExprKind::Aggregate(agg) = &e.node {
                found.push(agg);
            }
        });
    }
    found
}

/// Whether an `each` rule (or pool) reading `aggregates` can count a record
/// of kind `kind`: a rule with no aggregate counts every record of the
/// period (its grant lists them all), otherwise its aggregates' kinds.
fn counts_kind(aggregates: &[&Aggregate], schema: &Schema, kind: usize) -> bool {
    aggregates.is_empty()
        || aggregates
            .iter()
            .any(|a| schema.kind_index(&a.kind.node) == Some(kind))
}
