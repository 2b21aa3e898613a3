//! What the organisation's report needs from the engine's grants, added up
//! as they pass: totals per month, what each rule and pool put into each
//! account, what each limit cut, what each pool paid and its largest
//! shares. Every grant passes once and is dropped; only pool shares are
//! kept whole (one per person per pool period), for the statements. Pool
//! shares come from the report's first run; rule grants are added up per
//! bucket of people as their statements are worded, and the parts merged
//! ([`OrgFigures::merge`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::eval::{EvalError, GrantSink, PeriodKey};
use crate::ledger::{Grant, Origin, Target};
use crate::semantics::arith;
use crate::semantics::period::PeriodOf;
use crate::source::Span;
use crate::syntax::ast::Period;
use crate::value::Value;

/// How many of a pool period's shares the report names.
pub const LARGEST_SHARES: usize = 3;

/// What one limit cut over the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LimitFigure {
    /// How many grants it cut.
    pub cuts: u64,
    /// The amount it took away (before − after, summed).
    pub cut: Option<Value>,
    /// When it first cut: figures added up apart (a bucket of people
    /// each) are put back in order of first cut.
    pub first_cut: Option<DateTime<Utc>>,
}

/// What one pool paid in one period.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolFigure {
    pub pool: String,
    pub period: String,
    pub paid: Value,
    pub people: u64,
    /// The largest shares, largest first (ties by name).
    pub largest: Vec<(Arc<str>, Value)>,
}

/// The figures, added up over every grant the run reported.
pub struct OrgFigures {
    tz: Tz,
    /// Per month (by each grant's stamp) and account or badge.
    pub months: BTreeMap<PeriodKey, BTreeMap<Target, Value>>,
    /// Per account or badge, per rule.
    rules: BTreeMap<Target, BTreeMap<String, Value>>,
    /// Per account, per pool.
    pools_paid: BTreeMap<Target, BTreeMap<String, Value>>,
    /// Per limit as written, in order of first cut.
    pub limits: Vec<(String, LimitFigure)>,
    /// Per pool and period, in order of payment.
    pub pools: Vec<PoolFigure>,
    /// Each person's pool shares, whole, in ledger order.
    pub shares: HashMap<Arc<str>, Vec<Grant>>,
}

impl OrgFigures {
    /// Months cut in `tz`, the policy's zone.
    pub fn new(tz: Tz) -> OrgFigures {
        OrgFigures {
            tz,
            months: BTreeMap::new(),
            rules: BTreeMap::new(),
            pools_paid: BTreeMap::new(),
            limits: Vec::new(),
            pools: Vec::new(),
            shares: HashMap::new(),
        }
    }

    fn add_limits(&mut self, grant: &Grant) -> Result<(), EvalError> {
        for cut in &grant.cuts {
            let taken = arith::sub(&cut.before, &cut.after, Span::NOWHERE)?;
            let index = match self.limits.iter().position(|(l, _)| **l == *cut.limit) {
                Some(i) => i,
                None => {
                    self.limits
                        .push((cut.limit.to_string(), LimitFigure::default()));
                    self.limits.len() - 1
                }
            };
            if let Some((_, figure)) = self.limits.get_mut(index) {
                figure.first_cut = Some(figure.first_cut.map_or(grant.at, |at| at.min(grant.at)));
                figure.cuts += 1;
                figure.cut = Some(add(figure.cut.as_ref(), &taken)?);
            }
        }
        Ok(())
    }

    fn add_share(&mut self, grant: &Grant) -> Result<(), EvalError> {
        let Origin::Pool(share) = &grant.origin else {
            return Ok(());
        };
        let known = self
            .pools
            .iter()
            .rposition(|p| p.pool == share.pool && p.period == share.period);
        let index = match known {
            Some(i) => i,
            None => {
                self.pools.push(PoolFigure {
                    pool: share.pool.clone(),
                    period: share.period.clone(),
                    paid: zero_like(&grant.granted),
                    people: 0,
                    largest: Vec::new(),
                });
                self.pools.len() - 1
            }
        };
        if let Some(figure) = self.pools.get_mut(index) {
            figure.paid = add(Some(&figure.paid), &grant.granted)?;
            figure.people += 1;
            figure
                .largest
                .push((grant.who.clone(), grant.granted.clone()));
            figure.largest.sort_by(|(a, x), (b, y)| {
                amount_of(y)
                    .cmp(&amount_of(x))
                    .then_with(|| a.as_bytes().cmp(b.as_bytes()))
            });
            figure.largest.truncate(LARGEST_SHARES);
        }
        self.shares
            .entry(grant.who.clone())
            .or_default()
            .push(grant.clone());
        Ok(())
    }
}

impl OrgFigures {
    /// Adds the figures of `other`, added up apart over other grants of
    /// the same run (another bucket of people): sums are sums in any order;
    /// limits stay in order of their first cut (at one instant, by name);
    /// pools and shares are taken as they are, in order of payment, since
    /// only one part of the run meets pool shares.
    pub fn merge(&mut self, other: OrgFigures) -> Result<(), EvalError> {
        for (month, amounts) in other.months {
            let row = self.months.entry(month).or_default();
            for (target, amount) in amounts {
                add_into(row.entry(target), &amount)?;
            }
        }
        for (mine, theirs) in [
            (&mut self.rules, other.rules),
            (&mut self.pools_paid, other.pools_paid),
        ] {
            for (target, amounts) in theirs {
                let row = mine.entry(target).or_default();
                for (name, amount) in amounts {
                    add_into(row.entry(name), &amount)?;
                }
            }
        }
        for (limit, figure) in other.limits {
            match self.limits.iter_mut().find(|(l, _)| *l == limit) {
                Some((_, mine)) => {
                    mine.cuts += figure.cuts;
                    if let Some(cut) = &figure.cut {
                        mine.cut = Some(add(mine.cut.as_ref(), cut)?);
                    }
                    mine.first_cut = match (mine.first_cut, figure.first_cut) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                None => self.limits.push((limit, figure)),
            }
        }
        self.limits
            .sort_by(|(a, x), (b, y)| x.first_cut.cmp(&y.first_cut).then_with(|| a.cmp(b)));
        self.pools.extend(other.pools);
        self.shares.extend(other.shares);
        Ok(())
    }

    /// Per account or badge, what each rule (`rule NAME`) and pool (`pool
    /// NAME`) put in it.
    pub fn sources(&self) -> BTreeMap<Target, BTreeMap<String, Value>> {
        let mut sources: BTreeMap<Target, BTreeMap<String, Value>> = BTreeMap::new();
        for (kind, map) in [("rule", &self.rules), ("pool", &self.pools_paid)] {
            for (target, amounts) in map {
                let slot = sources.entry(target.clone()).or_default();
                for (name, amount) in amounts {
                    slot.insert(format!("{kind} {name}"), amount.clone());
                }
            }
        }
        sources
    }
}

impl OrgFigures {
    /// Adds one grant of the run.
    pub fn add(&mut self, grant: &Grant) -> Result<(), EvalError> {
        self.add_grants(std::slice::from_ref(grant))
    }
}

impl OrgFigures {
    /// Adds grants of the run (a person's, in ledger order, are best):
    /// summed first by month and account and by account and rule (a
    /// person's grants fall in a few of each, met again and again), then
    /// added to the figures once per sum instead of once per grant.
    pub fn add_grants(&mut self, grants: &[Grant]) -> Result<(), EvalError> {
        let mut months: Vec<(PeriodKey, &Target, Value)> = Vec::new();
        let mut sources: Vec<(&Target, &Origin, Value)> = Vec::new();
        let mut month = PeriodOf::new(Period::Month, self.tz);
        for grant in grants {
            let key = month.of(grant.at);
            let by_month = months
                .iter_mut()
                .rev()
                .find(|(m, t, _)| *m == key && same_target(t, &grant.target));
            match by_month {
                Some((_, _, sum)) => *sum = arith::add(sum, &grant.granted, Span::NOWHERE)?,
                None => months.push((key, &grant.target, grant.granted.clone())),
            }
            let by_source = sources
                .iter_mut()
                .find(|(t, o, _)| same_target(t, &grant.target) && same_source(o, &grant.origin));
            match by_source {
                Some((_, _, sum)) => *sum = arith::add(sum, &grant.granted, Span::NOWHERE)?,
                None => sources.push((&grant.target, &grant.origin, grant.granted.clone())),
            }
            if !grant.cuts.is_empty() {
                self.add_limits(grant)?;
            }
            self.add_share(grant)?;
        }
        for (key, target, sum) in months {
            add_nested(&mut self.months, &key, target, &sum)?;
        }
        for (target, origin, sum) in sources {
            match origin {
                Origin::Rule { name, .. } => add_nested(&mut self.rules, target, &**name, &sum)?,
                Origin::Pool(share) => {
                    add_nested(&mut self.pools_paid, target, share.pool.as_str(), &sum)?;
                }
            }
        }
        Ok(())
    }
}

/// The same account or badge: most often the very same name, shared.
fn same_target(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Account(x), Target::Account(y)) | (Target::Badge(x), Target::Badge(y)) => {
            Arc::ptr_eq(x, y) || x == y
        }
        _ => false,
    }
}

/// The same rule, or the same pool.
fn same_source(a: &Origin, b: &Origin) -> bool {
    match (a, b) {
        (Origin::Rule { name: x, .. }, Origin::Rule { name: y, .. }) => Arc::ptr_eq(x, y) || x == y,
        (Origin::Pool(x), Origin::Pool(y)) => x.pool == y.pool,
        _ => false,
    }
}

impl GrantSink for OrgFigures {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        self.add(&grant)
    }

    fn restart(&mut self) {
        *self = OrgFigures::new(self.tz);
    }
}

/// Adds `amount` to `map[outer][inner]`, cloning the keys only when the
/// entry is new.
fn add_nested<K1, K2, Q>(
    map: &mut BTreeMap<K1, BTreeMap<K2, Value>>,
    outer: &K1,
    inner: &Q,
    amount: &Value,
) -> Result<(), EvalError>
where
    K1: Ord + Clone,
    K2: Ord + std::borrow::Borrow<Q>,
    Q: Ord + ToOwned<Owned = K2> + ?Sized,
{
    if !map.contains_key(outer) {
        map.insert(outer.clone(), BTreeMap::new());
    }
    let Some(row) = map.get_mut(outer) else {
        return Ok(());
    };
    match row.get_mut(inner) {
        Some(total) => *total = arith::add(total, amount, Span::NOWHERE)?,
        None => {
            row.insert(inner.to_owned(), amount.clone());
        }
    }
    Ok(())
}

/// Adds `amount` to the total in `slot` (or starts it).
pub fn add_into<K: Ord>(
    slot: std::collections::btree_map::Entry<'_, K, Value>,
    amount: &Value,
) -> Result<(), EvalError> {
    use std::collections::btree_map::Entry;
    match slot {
        Entry::Occupied(mut total) => {
            let sum = arith::add(total.get(), amount, Span::NOWHERE)?;
            total.insert(sum);
        }
        Entry::Vacant(place) => {
            place.insert(amount.clone());
        }
    }
    Ok(())
}

fn add(total: Option<&Value>, amount: &Value) -> Result<Value, EvalError> {
    match total {
        Some(total) => arith::add(total, amount, Span::NOWHERE),
        None => Ok(amount.clone()),
    }
}

/// The number inside a total: an amount of money, points, minutes, or a
/// count of badges.
pub fn amount_of(value: &Value) -> Decimal {
    match value {
        Value::Int(i) => Decimal::from(*i),
        Value::Decimal(d) | Value::Points(d) | Value::Duration(d) => *d,
        Value::Money(m) => m.amount,
        _ => Decimal::ZERO,
    }
}

/// `amount` in the unit of `like`: `like` 7.40 EUR and 3 give 3 EUR.
pub fn in_unit_of(like: &Value, amount: Decimal) -> Value {
    match like {
        Value::Money(m) => Value::Money(crate::value::Money::new(amount, m.currency)),
        Value::Points(_) => Value::Points(amount),
        Value::Duration(_) => Value::Duration(amount),
        Value::Int(_) if amount.fract().is_zero() => {
            i64::try_from(amount).map_or(Value::Decimal(amount), Value::Int)
        }
        _ => Value::Decimal(amount),
    }
}

fn zero_like(value: &Value) -> Value {
    in_unit_of(value, Decimal::ZERO)
}
