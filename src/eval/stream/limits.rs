//! Stage 3 on a stream: grants arrive in ledger order, so each limit keeps a
//! running sum per person for the one period it is in, and forgets the sums
//! of a period once a grant of a later period arrives.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use crate::eval::arith;
use crate::eval::error::EvalError;
use crate::eval::period::PeriodKey;
use crate::eval::round::round_grant;
use crate::eval::scope::{Env, Scope};
use crate::source::Span;
use crate::syntax::ast::{LimitDecl, Period};
use crate::value::Value;

/// One `limit ACCOUNT [from RULE, ...] at most CAP per person per PERIOD`.
pub struct StreamLimit {
    /// The account's target index.
    pub target: usize,
    /// Rule names of `from`; empty for all rules.
    pub from: Vec<String>,
    cap: Value,
    period: Period,
    span: Span,
    /// The period the running sums belong to: `[start, end)`.
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The period's number, counting from 1: a running sum stamped with an
    /// older one is stale (cheaper than clearing every person's sum).
    epoch: u64,
    /// Per person index: the epoch of the sum and the sum.
    running: Vec<(u64, Value)>,
    /// The zero of the limited account, from the first grant.
    zero: Option<Value>,
}

impl StreamLimit {
    /// The cap is rounded like a grant, as in [`crate::eval::limits`].
    pub fn new(env: &Env<'_>, limit: &LimitDecl, target: usize) -> Result<Self, EvalError> {
        let cap = round_grant(Scope::new(env).value(&limit.cap)?, env.rounding);
        Ok(StreamLimit {
            target,
            from: limit.from.iter().map(|r| r.node.clone()).collect(),
            cap,
            period: limit.period.node,
            span: limit.cap.span,
            window: None,
            epoch: 0,
            running: Vec::new(),
            zero: None,
        })
    }

    /// Whether the limit applies to grants of rule `name` on `target`.
    pub fn applies(&self, target: usize, rule: &str) -> bool {
        self.target == target && (self.from.is_empty() || self.from.iter().any(|r| r == rule))
    }

    /// Cuts one grant (in ledger order) and adds it to the running sum.
    pub fn apply(
        &mut self,
        env: &Env<'_>,
        who: u32,
        at: DateTime<Utc>,
        granted: &mut Value,
    ) -> Result<(), EvalError> {
        let span = self.span;
        if !self.window.is_some_and(|(s, e)| s <= at && at < e) {
            let key = PeriodKey::of(at, self.period, env.tz);
            self.window = Some((key.start(env.tz), key.end(env.tz)));
            self.epoch += 1;
        }
        let zero = match &self.zero {
            Some(z) if z.ty() == granted.ty() => z.clone(),
            _ => {
                let z = arith::zero_of(&granted.ty())
                    .ok_or_else(|| EvalError::internal("cannot limit this grant", Some(span)))?;
                self.zero = Some(z.clone());
                z
            }
        };
        let who = who as usize;
        if self.running.len() <= who {
            self.running.resize(who + 1, (0, zero.clone()));
        }
        let (epoch, so_far) = self
            .running
            .get_mut(who)
            .ok_or_else(|| EvalError::internal("no running sum", Some(span)))?;
        if *epoch != self.epoch {
            *epoch = self.epoch;
            *so_far = zero.clone();
        }
        if arith::sign(granted) == Some(Ordering::Greater) {
            let room = arith::sub(&self.cap, so_far, span)?;
            // `max(min(granted, room), 0)`: the grant itself while it fits.
            if arith::compare(granted, &room, span)? == Ordering::Greater {
                *granted = arith::max(room, zero, span)?;
            }
        }
        super::add_to(so_far, granted)
    }
}
