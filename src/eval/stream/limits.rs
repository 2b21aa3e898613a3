//! Stage 3 on a stream: grants arrive in ledger order, so each limit keeps a
//! running sum per person for the one period it is in, and forgets the sums
//! of a period once a grant of a later period arrives.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::fixed::{Fx, Scale};
use crate::eval::limits::describe_limit;
use crate::eval::scope::Env;
use crate::ledger::LimitCut;
use crate::semantics::dated::Timeline;
use crate::semantics::error::EvalError;
use crate::semantics::limit::{self, Capped};
use crate::semantics::period::PeriodKey;
use crate::semantics::round::round_cap;
use crate::source::Span;
use crate::syntax::ast::{LimitDecl, Period};
use crate::value::Value;

/// One `limit ACCOUNT [from RULE, ...] at most CAP per person per PERIOD`.
pub struct StreamLimit {
    /// The account's target index.
    pub target: usize,
    /// Rule names of `from`; empty for all rules.
    pub from: Vec<String>,
    /// The cap over time (it is read at each period's start, §6).
    caps: Timeline,
    /// The cap of the current period, rounded down.
    cap: Value,
    period: Period,
    span: Span,
    /// The limit as written, for the cuts it records.
    text: Arc<str>,
    /// The period the running sums belong to: `[start, end)`.
    window: Option<(DateTime<Utc>, DateTime<Utc>, PeriodKey)>,
    /// The period's number, counting from 1: a running sum stamped with an
    /// older one is stale (cheaper than clearing every person's sum).
    epoch: u64,
    /// Per person index: the epoch of the sum and the sum, in fixed point.
    running: Vec<(u64, i128)>,
    /// The cap in fixed point, from the first grant.
    cap_fixed: Option<Fx>,
}

impl StreamLimit {
    /// Reads person `who`'s running sum (see
    /// [`super::StreamEvaluator::read_ahead`]).
    pub fn read_ahead(&self, who: usize) {
        std::hint::black_box(self.running.get(who).copied());
    }

    /// The cap is rounded down, as in [`crate::eval::limits`].
    pub fn new(env: &Env<'_>, limit: &LimitDecl, target: usize) -> Result<Self, EvalError> {
        let caps = env.timeline_of(&limit.cap)?;
        let cap = match caps.constant() {
            Some(cap) => round_cap(cap.clone())?,
            None => Value::Int(0),
        };
        Ok(StreamLimit {
            target,
            from: limit.from.iter().map(|r| r.node.clone()).collect(),
            caps,
            cap,
            period: limit.period.node,
            span: limit.cap.span,
            text: describe_limit(limit).into(),
            window: None,
            epoch: 0,
            running: Vec::new(),
            cap_fixed: None,
        })
    }

    /// Whether the limit applies to grants of rule `name` on `target`.
    pub fn applies(&self, target: usize, rule: &str) -> bool {
        self.target == target && (self.from.is_empty() || self.from.iter().any(|r| r == rule))
    }

    /// Cuts one grant (in ledger order) as [`limit::cut`] says, in fixed
    /// point, and adds what is left to the running sum.
    /// A cut is described in `cuts`, when given (the full ledger).
    pub fn apply(
        &mut self,
        env: &Env<'_>,
        scale: &Scale,
        who: u32,
        at: DateTime<Utc>,
        granted: &mut Fx,
        cuts: Option<&mut Vec<LimitCut>>,
    ) -> Result<(), EvalError> {
        let span = self.span;
        let key = match self.window {
            Some((s, e, key)) if s <= at && at < e => key,
            _ => {
                let key = PeriodKey::of(at, self.period, env.tz);
                let start = key.start(env.tz);
                self.window = Some((start, key.end(env.tz), key));
                self.epoch += 1;
                if self.caps.constant().is_none() {
                    let value = self.caps.at(start).and_then(|s| s.value.clone().ok());
                    let value = value.ok_or_else(|| {
                        EvalError::internal("a dated cap is not in force", Some(span))
                    })?;
                    self.cap = round_cap(value)?;
                    self.cap_fixed = None;
                }
                key
            }
        };
        let cap = match self.cap_fixed {
            Some(c) => c,
            None => {
                let c = scale
                    .of(&self.cap)
                    .ok_or_else(|| super::too_precise(span))?;
                self.cap_fixed = Some(c);
                c
            }
        };
        if cap.unit != granted.unit {
            return Err(EvalError::internal("cannot limit this grant", Some(span)));
        }
        let who = who as usize;
        if self.running.len() <= who {
            self.running.resize(who + 1, (0, 0));
        }
        let (epoch, so_far) = self
            .running
            .get_mut(who)
            .ok_or_else(|| EvalError::internal("no running sum", Some(span)))?;
        if *epoch != self.epoch {
            *epoch = self.epoch;
            *so_far = 0;
        }
        let before = *granted;
        let running = Fx {
            unit: before.unit,
            v: *so_far,
        };
        let cut = limit::cut(&before, &cap, &running, span)?;
        if cut.cut
            && let Some(cuts) = cuts
        {
            let value = |v: i128| {
                scale
                    .value(Fx {
                        unit: before.unit,
                        v,
                    })
                    .ok_or_else(|| super::too_precise(span))
            };
            cuts.push(LimitCut {
                limit: self.text.clone(),
                period: key.label(),
                already_granted: value(*so_far)?,
                cap: self.cap.clone(),
                before: value(before.v)?,
                after: value(cut.left.v)?,
            });
        }
        *granted = cut.left;
        *so_far = cut.running.v;
        Ok(())
    }
}

/// Fixed-point counts of one unit; a sum past `2^96` is too large for the
/// engine (it steps aside, [`super::too_precise`]).
impl Capped for Fx {
    fn is_positive(&self) -> bool {
        self.v > 0
    }

    fn minus(&self, other: &Self, span: Span) -> Result<Self, EvalError> {
        let v = self
            .v
            .checked_sub(other.v)
            .ok_or_else(|| super::too_precise(span))?;
        Ok(Fx { unit: self.unit, v })
    }

    fn plus(&self, other: &Self, _span: Span) -> Result<Self, EvalError> {
        let mut sum = *self;
        super::add_to(&mut sum, *other)?;
        Ok(sum)
    }

    fn below(&self, other: &Self, _span: Span) -> Result<bool, EvalError> {
        Ok(self.v < other.v)
    }
}
