//! Stage 4 on a stream: per pool period, each person's totals (after limits,
//! before pools) and the accumulators of `split by`; a period is paid once
//! the stream has passed its end, exactly as [`crate::eval::pools`] pays it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::FxBuild;
use super::compile::{CAggregate, CExpr};
use super::run::{Accumulator, Ctx};
use crate::eval::arith;
use crate::eval::error::{EvalError, EvalErrorKind, EvalWarning};
use crate::eval::period::PeriodKey;
use crate::eval::pools::with_units;
use crate::eval::split::split_pool;
use crate::source::Span;
use crate::syntax::ast::Period;
use crate::value::Value;

/// One person in one pool period.
#[derive(Clone, Debug, Default)]
pub struct PoolPerson {
    /// Granted totals per account (by account index), after limits.
    pub totals: Vec<Option<Value>>,
    pub accumulators: Vec<Accumulator>,
}

/// One pool period still open.
#[derive(Debug, Default)]
pub struct PoolPeriod {
    pub end: Option<DateTime<Utc>>,
    /// Only periods holding a contribution are paid.
    pub has_record: bool,
    pub people: HashMap<u32, PoolPerson, FxBuild>,
}

/// A compiled pool and its open periods.
pub struct StreamPool {
    pub position: usize,
    pub name: String,
    /// The target index of the pool's account.
    pub target: usize,
    pub amount: Value,
    pub digits: u32,
    pub units: i128,
    pub period: Period,
    pub split_by: CExpr,
    pub split_span: Span,
    pub aggregates: Vec<CAggregate>,
    pub open: BTreeMap<PeriodKey, PoolPeriod>,
    /// The last period looked up, to skip time-zone work per record.
    pub cached: Option<(DateTime<Utc>, DateTime<Utc>, PeriodKey)>,
}

impl StreamPool {
    /// The period holding `at`, created if new.
    pub fn period_at(&mut self, at: DateTime<Utc>, tz: chrono_tz::Tz) -> &mut PoolPeriod {
        let key = match self.cached {
            Some((s, e, key)) if s <= at && at < e => key,
            _ => {
                let key = PeriodKey::of(at, self.period, tz);
                self.cached = Some((key.start(tz), key.end(tz), key));
                key
            }
        };
        let period = self.open.entry(key).or_default();
        if period.end.is_none() {
            period.end = Some(key.end(tz));
        }
        period
    }

    /// A person in the period holding `at`.
    pub fn person_at(
        &mut self,
        at: DateTime<Utc>,
        tz: chrono_tz::Tz,
        who: u32,
        accounts: usize,
        slots: usize,
    ) -> &mut PoolPerson {
        self.period_at(at, tz)
            .people
            .entry(who)
            .or_insert_with(|| PoolPerson {
                totals: vec![None; accounts],
                accumulators: vec![Accumulator::default(); slots],
            })
    }

    /// Removes the periods that end at or before `now` (all when `None`),
    /// in time order.
    pub fn take_closed(&mut self, now: Option<DateTime<Utc>>) -> Vec<(PeriodKey, PoolPeriod)> {
        let mut closed = Vec::new();
        while let Some(entry) = self.open.first_entry() {
            let ends = entry.get().end;
            if now.is_some_and(|t| ends.is_none_or(|e| e > t)) {
                break;
            }
            closed.push(entry.remove_entry());
        }
        closed
    }
}

/// What paying one period gives: shares per person, or a warning.
pub enum Payout {
    Shares(Vec<(u32, Value)>),
    Unclaimed(EvalWarning),
}

/// Scores everyone in the period (by who, byte order) and splits the pool.
pub fn pay_period(
    pool: &StreamPool,
    key: PeriodKey,
    period: &PoolPeriod,
    base: &Ctx<'_>,
    names: &[Arc<str>],
    rows: &[Option<Vec<Value>>],
) -> Result<Payout, EvalError> {
    let span = pool.split_span;
    let mut people: Vec<(&Arc<str>, u32, &PoolPerson)> = period
        .people
        .iter()
        .filter_map(|(&who, p)| Some((names.get(who as usize)?, who, p)))
        .collect();
    people.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut scores: Vec<(u32, Value)> = Vec::with_capacity(people.len());
    for (_, who, person) in &people {
        let ctx = Ctx {
            person_row: rows.get(*who as usize).and_then(|r| r.as_deref()),
            aggregates: &pool.aggregates,
            accumulators: &person.accumulators,
            totals: Some(&person.totals),
            ..*base
        };
        scores.push((*who, ctx.value(&pool.split_by)?));
    }
    let numeric: Vec<(&str, Decimal)> = scores
        .iter()
        .zip(&people)
        .map(|((_, s), (name, _, _))| {
            let m = arith::magnitude(s)
                .ok_or_else(|| EvalError::internal("a score cannot split a pool", Some(span)))?;
            Ok((name.as_ref(), m))
        })
        .collect::<Result<_, EvalError>>()?;
    let shares = split_pool(pool.units, &numeric).map_err(|_| {
        EvalError::new(
            EvalErrorKind::PoolTooPrecise {
                pool: pool.name.clone(),
            },
            Some(span),
        )
    })?;
    if shares.is_empty() {
        return Ok(Payout::Unclaimed(EvalWarning::PoolUnclaimed {
            pool: pool.name.clone(),
            period: key.label(),
        }));
    }
    // The in-memory evaluator adds the scores up for the explanation; an
    // overflow there is an error, so it must be one here too.
    let mut total_score: Option<Value> = None;
    for share in &shares {
        if let Some((_, s)) = scores.get(share.index) {
            total_score = Some(match total_score {
                None => s.clone(),
                Some(t) => arith::add(&t, s, span)?,
            });
        }
    }
    let paid = shares
        .iter()
        .filter_map(|share| {
            let (who, _) = scores.get(share.index)?;
            Some((*who, with_units(&pool.amount, share.units, pool.digits)))
        })
        .collect();
    Ok(Payout::Shares(paid))
}
