//! The work behind [`super::unrewarded`]: the grants behind each record,
//! and for a record that earned nothing, each rule's reason — from its
//! grant when it made one, else from its condition, evaluated over the
//! person's own records (an `each` rule's once per period).

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Unrewarded, why_false};
use crate::eval::scope::{Env, PersonPeriod, Scope};
use crate::input::Contribution;
use crate::input::hash::FxBuild;
use crate::ledger::{Grant, Origin};
use crate::schema::Schema;
use crate::semantics::arith;
use crate::semantics::dated::Validity;
use crate::semantics::error::EvalError;
use crate::semantics::period::{PeriodKey, Window};
use crate::syntax::ast::{
    Action, Aggregate, Expr, ExprKind, Item, Period, PolicyFile, RuleDecl, Trigger,
};

/// A rule, its position, and (for `each` rules) the aggregates it reads.
struct Rule<'p> {
    decl: &'p RuleDecl,
    /// Its name, shared by every reason it gives.
    name: Arc<str>,
    aggregates: Vec<&'p Aggregate>,
    /// Which kinds of record it can reward, by kind index: an `on` rule's
    /// kind; the kinds an `each` rule's aggregates count (looked up once,
    /// not per record).
    rewards_kind: Vec<bool>,
}

/// What one analysis looks things up in.
pub(super) struct Analysis<'a, 'r> {
    env: &'a Env<'a>,
    rules: Vec<Rule<'a>>,
    /// Each pool and the aggregates its `split by` reads.
    pools: Vec<(&'a str, Vec<&'a Aggregate>)>,
    /// The contributions a grant that gives something lists: they earned.
    earned: HashSet<&'a str, FxBuild>,
    /// The grants that gave nothing listing each contribution: the reasons
    /// of those that earned nothing (FxHash: ids are short).
    behind: HashMap<&'a str, Vec<&'a Grant>, FxBuild>,
    /// `each` grants by rule and stamp.
    each_grants: HashMap<(&'a str, DateTime<Utc>), &'a Grant, FxBuild>,
    /// The records evaluation read (before the window's end), in `(at, id)`
    /// order: a period's are a run of them, for the aggregates of `each`
    /// rules.
    read: &'a [&'r Contribution],
    /// Why an `each` rule (by index) made no grant in a period, worked out
    /// once per period, not once per contribution.
    verdicts: RefCell<HashMap<(usize, PeriodKey), Unrewarded>>,
    window: Option<Window>,
}

impl<'a, 'r: 'a> Analysis<'a, 'r> {
    pub(super) fn new(
        policy: &'a PolicyFile,
        env: &'a Env<'a>,
        grants: &'a [Grant],
        read: &'a [&'r Contribution],
        window: Option<Window>,
    ) -> Analysis<'a, 'r> {
        let schema = env.schema;
        let rules: Vec<Rule<'a>> = policy
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Rule(decl) => {
                    let aggregates = aggregates_of(decl.condition.iter().chain(amount_of(decl)));
                    let rewards_kind = (0..schema.kinds.len())
                        .map(|kind| match &decl.trigger {
                            Trigger::On { kind: on, .. } => {
                                schema.kind_index(&on.node) == Some(kind)
                            }
                            Trigger::Each { .. } => counts_kind(&aggregates, schema, kind),
                        })
                        .collect();
                    Some(Rule {
                        decl,
                        name: decl.name.node.as_str().into(),
                        aggregates,
                        rewards_kind,
                    })
                }
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
        let mut earned: HashSet<&str, FxBuild> =
            HashSet::with_capacity_and_hasher(read.len(), FxBuild::default());
        let mut behind: HashMap<&str, Vec<&Grant>, FxBuild> = HashMap::default();
        let mut each_grants = HashMap::default();
        let each_rules: Vec<&str> = rules
            .iter()
            .filter(|r| matches!(r.decl.trigger, Trigger::Each { .. }))
            .map(|r| r.decl.name.node.as_str())
            .collect();
        for grant in grants {
            // A contribution that earned nothing is listed only by grants
            // that gave nothing: only those can be its reasons.
            if super::gives_something(grant) {
                earned.extend(grant.contributions.iter().map(AsRef::as_ref));
            } else {
                for id in &grant.contributions {
                    behind.entry(id.as_ref()).or_default().push(grant);
                }
            }
            if let Origin::Rule { name, .. } = &grant.origin
                && !each_rules.is_empty()
                && each_rules.contains(&&**name)
            {
                each_grants.insert((&**name, grant.at), grant);
            }
        }
        Analysis {
            env,
            rules,
            pools,
            earned,
            behind,
            each_grants,
            read,
            verdicts: RefCell::new(HashMap::new()),
            window,
        }
    }

    pub(super) fn earned(&self, record: &Contribution) -> bool {
        self.earned.contains(record.id.as_ref())
    }

    /// The records read in the period `key`: a run of them, since they are
    /// in time order.
    fn in_period(&self, key: PeriodKey) -> &'a [&'r Contribution] {
        let (start, end) = (key.start(self.env.tz), key.end(self.env.tz));
        let from = self.read.partition_point(|r| r.at < start);
        let to = self.read.partition_point(|r| r.at < end);
        self.read.get(from..to).unwrap_or(&[])
    }

    /// The grant of rule `name` that gave `record` nothing, if there is one
    /// (a record that earned nothing has no other).
    fn grant_for(&self, record: &Contribution, name: &str) -> Option<&'a Grant> {
        self.behind.get(record.id.as_ref()).and_then(|grants| {
            grants
                .iter()
                .copied()
                .find(|g| matches!(&g.origin, Origin::Rule { name: n, .. } if **n == *name))
        })
    }

    pub(super) fn reasons(&self, record: &'r Contribution) -> Result<Vec<Unrewarded>, EvalError> {
        if self.window.is_some_and(|w| !w.reports(record.at)) {
            return Ok(vec![Unrewarded::OutsideWindow]);
        }
        let mut reasons = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.rewards_kind.get(record.kind) != Some(&true) {
                continue;
            }
            let reason = match &rule.decl.trigger {
                Trigger::On { binding, .. } => self.on_reason(rule, &binding.node, record)?,
                Trigger::Each { period, .. } => {
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
        rule: &Rule<'a>,
        binding: &str,
        record: &'r Contribution,
    ) -> Result<Unrewarded, EvalError> {
        let decl = rule.decl;
        let rule = rule.name.clone();
        if !Validity::of(decl.window.as_ref(), self.env.tz).contains(record.at) {
            return Ok(outside(rule, decl, None));
        }
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
        let name = rule.name.clone();
        let tz = self.env.tz;
        let key = PeriodKey::of(record.at, period, tz);
        let stamp = key.last_instant(tz);
        let label = key.label();
        let start = key.start(tz);
        if !Validity::of(rule.decl.window.as_ref(), tz).contains(start) {
            return Ok(outside(name, rule.decl, Some(label)));
        }
        if self.window.is_some_and(|w| !w.reports(stamp)) {
            return Ok(Unrewarded::AfterWindow {
                rule: name,
                period: label,
            });
        }
        // The period's records, only where a condition is evaluated: a
        // counted record's reason and a known verdict need none.
        let scope = || Scope {
            person: Some(PersonPeriod {
                who: &record.who,
                records: self.in_period(key),
                totals: None,
            }),
            at: Some(start),
            ..Scope::new(self.env)
        };
        let context = || format!("rule `{name}`, `{}` in {label}", record.who);
        if let Some(&grant) = self.each_grants.get(&(rule.decl.name.node.as_str(), stamp)) {
            if grant.contributions.contains(&record.id) {
                return Ok(zero_reason(name, Some(label), grant));
            }
            let scope = scope();
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
        let Some(why) = why_false(&scope(), condition).map_err(|e| e.in_context(context))? else {
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

/// A rule whose window leaves the contribution (or its period) out.
fn outside(rule: Arc<str>, decl: &RuleDecl, period: Option<String>) -> Unrewarded {
    let window = decl.window.as_ref().map_or_else(String::new, |w| {
        let ends: Vec<String> = [("from", &w.from), ("until", &w.until)]
            .into_iter()
            .filter_map(|(word, date)| date.as_ref().map(|d| format!("{word} {}", d.node)))
            .collect();
        ends.join(" ")
    });
    Unrewarded::OutsideRuleWindow {
        rule,
        window,
        period,
    }
}

/// A grant that gave nothing: zero as computed, or cut to zero.
fn zero_reason(rule: Arc<str>, period: Option<String>, grant: &Grant) -> Unrewarded {
    let emptied = grant
        .cuts
        .iter()
        .find(|c| arith::sign(&c.after) == Some(Ordering::Equal));
    match emptied {
        Some(cut) if arith::sign(&grant.amount) != Some(Ordering::Equal) => Unrewarded::CutToZero {
            rule,
            period,
            amount: grant.amount.clone(),
            cut: Box::new(cut.clone()),
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
