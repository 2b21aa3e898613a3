//! Stage 4 on a stream: per pool period, each person's totals (after limits,
//! before pools) and the accumulators of `split by`; a period is paid once
//! the stream has passed its end, exactly as [`crate::eval::pools`] pays it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::compile::{CAggregate, CExpr};
use super::fixed::{Fx, Unit};
use super::run::{Accumulator, Ctx};
use crate::eval::pools::{units_of, with_units};
use crate::semantics::arith;
use crate::semantics::dated::{Timeline, Validity};
use crate::semantics::error::{EvalError, EvalErrorKind, EvalWarning};
use crate::semantics::period::PeriodKey;
use crate::semantics::round::round_grant;
use crate::semantics::split::split_pool;
use crate::source::Span;
use crate::syntax::ast::Period;
use crate::value::Value;

/// One person in one pool period.
#[derive(Clone, Debug, Default)]
pub struct PoolPerson {
    /// Granted totals per account (by account index), after limits.
    pub accumulators: Vec<Accumulator>,
}

/// One pool period still open.
#[derive(Debug)]
pub struct PoolPeriod {
    pub key: PeriodKey,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Only periods holding a contribution are paid.
    pub has_record: bool,
    /// By person index; `None` for people without a record or grant here.
    pub people: Vec<Option<PoolPerson>>,
    /// Granted totals after limits, flat: person `who`'s total of account
    /// `a` at `who * accounts + a`, `UNSET` for none.
    pub totals: Vec<i128>,
}

/// A compiled pool and its open periods.
pub struct StreamPool {
    pub position: usize,
    pub name: String,
    /// The target index of the pool's account.
    pub target: usize,
    /// The amount over time: each period pays the one in force at its start.
    pub amounts: Timeline,
    /// The periods it pays: those starting in its window.
    pub validity: Validity,
    pub period: Period,
    pub split_by: CExpr,
    pub split_span: Span,
    pub aggregates: Vec<CAggregate>,
    /// Open periods in time order (rarely more than two).
    pub open: Vec<PoolPeriod>,
    /// The index in `open` of the last period looked up.
    pub cached: usize,
    /// Set when a period opens, for the evaluator to look at its end.
    pub opened: bool,
}

impl StreamPool {
    /// The period holding `at`, created if new.
    pub fn period_at(
        &mut self,
        at: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Result<&mut PoolPeriod, EvalError> {
        let hit = self
            .open
            .get(self.cached)
            .is_some_and(|p| p.start <= at && at < p.end);
        if !hit {
            let key = PeriodKey::of(at, self.period, tz);
            self.cached = match self.open.binary_search_by(|p| p.key.cmp(&key)) {
                Ok(i) => i,
                Err(i) => {
                    self.opened = true;
                    self.open.insert(
                        i,
                        PoolPeriod {
                            key,
                            start: key.start(tz),
                            end: key.end(tz),
                            has_record: false,
                            people: Vec::new(),
                            totals: Vec::new(),
                        },
                    );
                    i
                }
            };
        }
        self.open
            .get_mut(self.cached)
            .ok_or_else(|| EvalError::internal("a pool period out of range", None))
    }

    /// Reads person `who`'s state in the last period looked up (see
    /// [`super::StreamEvaluator::read_ahead`]).
    pub fn read_ahead(&self, who: usize, accounts: usize) {
        if let Some(period) = self.open.get(self.cached) {
            std::hint::black_box(period.people.get(who).map(Option::is_some));
            std::hint::black_box(period.totals.get(who * accounts).copied());
        }
    }

    /// A person in the period holding `at`.
    pub fn person_at(
        &mut self,
        at: DateTime<Utc>,
        tz: chrono_tz::Tz,
        who: u32,
        slots: usize,
    ) -> Result<&mut PoolPerson, EvalError> {
        let people = &mut self.period_at(at, tz)?.people;
        let who = who as usize;
        if people.len() <= who {
            people.resize_with(who + 1, || None);
        }
        let slot = people
            .get_mut(who)
            .ok_or_else(|| EvalError::internal("a pool person out of range", None))?;
        Ok(slot.get_or_insert_with(|| PoolPerson {
            accumulators: vec![Accumulator::default(); slots],
        }))
    }

    /// Whether some open period ends at or before `now`.
    pub fn has_closed(&self, now: Option<DateTime<Utc>>) -> bool {
        self.open
            .first()
            .is_some_and(|p| now.is_none_or(|t| p.end <= t))
    }

    /// Removes the periods that end at or before `now` (all when `None`),
    /// in time order.
    pub fn take_closed(&mut self, now: Option<DateTime<Utc>>) -> Vec<PoolPeriod> {
        let count = self
            .open
            .iter()
            .take_while(|p| now.is_none_or(|t| p.end <= t))
            .count();
        self.cached = usize::MAX;
        self.open.drain(..count).collect()
    }
}

/// One person's share of a pool period, and how it was worked out.
pub struct PaidShare {
    pub who: u32,
    pub value: Value,
    pub score: Value,
    /// Whether a leftover minor unit was added to this share.
    pub leftover_unit: bool,
}

/// What paying one period gives: shares per person (by who) with the sum
/// of the scores, or a warning.
pub enum Payout {
    Shares {
        shares: Vec<PaidShare>,
        total_score: Value,
        /// The pool's amount for the period.
        amount: Value,
    },
    Unclaimed(EvalWarning),
}

/// Scores everyone in the period (by who, byte order) and splits the pool.
pub(super) fn pay_period(
    pool: &StreamPool,
    period: &PoolPeriod,
    base: &Ctx<'_>,
    names: &[Arc<str>],
    rows: &super::People,
    units: &[Unit],
) -> Result<Payout, EvalError> {
    let span = pool.split_span;
    let amount = pool
        .amounts
        .at(period.start)
        .and_then(|s| s.value.clone().ok())
        .ok_or_else(|| EvalError::internal("a dated pool amount is not in force", Some(span)))?;
    let amount = round_grant(amount, base.env.rounding)?;
    let (digits, amount_units) = units_of(&amount)
        .ok_or_else(|| EvalError::internal("a pool amount cannot be split", Some(span)))?;
    let base = &Ctx {
        period_start: Some(period.start),
        ..*base
    };
    let mut people: Vec<(&Arc<str>, u32, &PoolPerson)> = period
        .people
        .iter()
        .enumerate()
        .filter_map(|(who, p)| {
            let who = u32::try_from(who).ok()?;
            Some((names.get(who as usize)?, who, p.as_ref()?))
        })
        .collect();
    people.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut scores: Vec<(u32, Value)> = Vec::with_capacity(people.len());
    for (_, who, person) in &people {
        let start = *who as usize * units.len();
        let totals = units
            .iter()
            .enumerate()
            .map(|(a, unit)| match period.totals.get(start + a) {
                Some(&v) if v != super::UNSET => base
                    .scale
                    .value(Fx { unit: *unit, v })
                    .map(Some)
                    .ok_or_else(|| super::too_precise(span)),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, EvalError>>()?;
        let ctx = Ctx {
            person_row: rows.row(*who as usize),
            aggregates: &pool.aggregates,
            accumulators: &person.accumulators,
            totals: Some(&totals),
            ..*base
        };
        scores.push((*who, ctx.value(&pool.split_by)?));
    }
    let numeric: Vec<(&str, crate::fraction::Fraction)> = scores
        .iter()
        .zip(&people)
        .map(|((_, s), (name, _, _))| {
            let m = arith::fraction(s)
                .ok_or_else(|| EvalError::internal("a score cannot split a pool", Some(span)))?;
            Ok((name.as_ref(), m))
        })
        .collect::<Result<_, EvalError>>()?;
    let shares = split_pool(amount_units, &numeric).map_err(|_| {
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
            period: period.key.label(),
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
            let (who, score) = scores.get(share.index)?;
            Some(PaidShare {
                who: *who,
                value: with_units(&amount, share.units, digits),
                score: score.clone(),
                leftover_unit: share.leftover_unit,
            })
        })
        .collect();
    Ok(Payout::Shares {
        shares: paid,
        total_score: total_score.unwrap_or(Value::Int(0)),
        amount,
    })
}
