//! Evaluating compiled expressions: the same arithmetic as the in-memory
//! evaluator ([`crate::semantics::arith`]), with slots instead of names.

use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::compile::{CAggregate, CExpr, CTiers, CTimeline, Function};
use super::fixed::{Fx, Scale};
use crate::eval::expr::equal;
use crate::eval::scope::Env;
use crate::semantics::arith::{self, ToWhole};
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::source::Span;
use crate::syntax::ast::{AggregateFn, BinaryOp, RoundingMode};
use crate::value::Value;

pub use crate::input::fast::StreamRecord;

/// An aggregate's running state for one person and period.
#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    pub count: i64,
    pub acc: Option<Value>,
}

/// Everything a compiled expression can read at one point.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub env: &'a Env<'a>,
    pub record: Option<&'a StreamRecord<'a>>,
    /// The roster row of the bound record's person.
    pub by_row: Option<&'a [Value]>,
    /// The roster row of the person of an `each` rule or pool.
    pub person_row: Option<&'a [Value]>,
    pub aggregates: &'a [CAggregate],
    pub accumulators: &'a [Accumulator],
    /// The person's totals per account in a pool period.
    pub totals: Option<&'a [Option<Value>]>,
    /// The policy's fixed-point scale.
    pub scale: Scale,
    /// The first instant of the period evaluated (`each` rules, pools):
    /// where no record is bound, dated values are read at it.
    pub period_start: Option<DateTime<Utc>>,
    /// When grants are kept with their provenance: which aggregates were
    /// read while a rule was worked out (their records are the grant's
    /// contributions).
    pub read: Option<&'a RefCell<Vec<bool>>>,
}

fn internal(message: &str, span: Option<Span>) -> EvalError {
    EvalError::internal(message, span)
}

impl Ctx<'_> {
    /// The instant dated values are read at: the bound record's `at`, else
    /// the period's start (LANGUAGE.md §6).
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        self.record.map(|r| r.at).or(self.period_start)
    }

    /// A dated value at this point's instant, with its fixed-point value
    /// when known; `None` when it is not in force (the exact evaluator
    /// then reports where).
    fn dated<'t>(&self, t: &'t CTimeline) -> Option<(&'t Value, Option<Fast>)> {
        let at = self.instant()?;
        let index = t
            .timeline
            .steps()
            .partition_point(|s| s.from <= at)
            .checked_sub(1)?;
        let value = t.timeline.steps().get(index)?.value.as_ref().ok()?;
        Some((value, t.fast.get(index).copied().flatten()))
    }

    /// The value of a condition.
    pub fn condition(&self, expr: &CExpr) -> Result<bool, EvalError> {
        match self.value(expr)? {
            Value::Bool(b) => Ok(b),
            _ => Err(internal("a condition is not a Bool", None)),
        }
    }

    /// The value of `expr`.
    pub fn value(&self, expr: &CExpr) -> Result<Value, EvalError> {
        match expr {
            CExpr::Const(v) | CExpr::Fixed(v, _) => Ok(v.clone()),
            CExpr::Dated(t) => self
                .dated(t)
                .map(|(v, _)| v.clone())
                .ok_or_else(|| internal("a dated value is not in force", None)),
            CExpr::Field(slot) => self
                .record
                .and_then(|r| r.fields.get(*slot))
                .cloned()
                .ok_or_else(|| internal("no such field", None)),
            CExpr::At => self
                .record
                .map(|r| Value::Timestamp(r.at))
                .ok_or_else(|| internal("no record", None)),
            CExpr::Id => self
                .record
                .map(|r| Value::Text(Arc::from(r.id)))
                .ok_or_else(|| internal("no record", None)),
            CExpr::Who => self
                .record
                .map(|r| Value::Text(r.who_name.clone()))
                .ok_or_else(|| internal("no record", None)),
            CExpr::ByColumn(slot) => self
                .by_row
                .and_then(|row| row.get(*slot))
                .cloned()
                .ok_or_else(|| internal("no roster row", None)),
            CExpr::PersonColumn(slot) => self
                .person_row
                .and_then(|row| row.get(*slot))
                .cloned()
                .ok_or_else(|| internal("no roster row", None)),
            CExpr::Neg(inner, span) => arith::neg(&self.value(inner)?, *span),
            CExpr::Not(inner, span) => match self.value(inner)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                _ => Err(internal("cannot apply `not`", Some(*span))),
            },
            CExpr::And(l, r) => Ok(Value::Bool(self.condition(l)? && self.condition(r)?)),
            CExpr::Or(l, r) => Ok(Value::Bool(self.condition(l)? || self.condition(r)?)),
            CExpr::Binary(op, l, r, span) => self.binary(*op, l, r, *span),
            CExpr::If(c, t, e) => {
                if self.condition(c)? {
                    self.value(t)
                } else {
                    self.value(e)
                }
            }
            CExpr::Call(f, args, span) => self.call(*f, args, *span),
            CExpr::Total(index, zero) => Ok(self
                .totals
                .and_then(|t| t.get(*index))
                .and_then(Option::as_ref)
                .unwrap_or(zero)
                .clone()),
            CExpr::Tiers(t) => self.tiers(t),
            CExpr::Aggregate(slot) => self.aggregate(*slot),
        }
    }

    /// The value of `expr`, borrowed when it is a constant or a slot (no
    /// clone of a text for a comparison).
    fn operand<'v>(&'v self, expr: &'v CExpr) -> Result<Cow<'v, Value>, EvalError> {
        match self.slot(expr) {
            Some(v) => Ok(Cow::Borrowed(v)),
            None => self.value(expr).map(Cow::Owned),
        }
    }

    /// The value of a constant or a slot, borrowed; `None` for anything
    /// computed.
    fn slot<'v>(&'v self, expr: &'v CExpr) -> Option<&'v Value> {
        match expr {
            CExpr::Const(v) | CExpr::Fixed(v, _) => Some(v),
            CExpr::Dated(t) => self.dated(t).map(|(v, _)| v),
            CExpr::Field(slot) => self.record.and_then(|r| r.fields.get(*slot)),
            CExpr::ByColumn(slot) => self.by_row.and_then(|row| row.get(*slot)),
            CExpr::PersonColumn(slot) => self.person_row.and_then(|row| row.get(*slot)),
            _ => None,
        }
    }

    fn binary(&self, op: BinaryOp, l: &CExpr, r: &CExpr, span: Span) -> Result<Value, EvalError> {
        let l = self.operand(l)?;
        let r = self.operand(r)?;
        binary_values(op, l.as_ref(), r.as_ref(), span)
    }

    fn call(&self, f: Function, args: &[CExpr], span: Span) -> Result<Value, EvalError> {
        let values = args
            .iter()
            .map(|a| self.value(a))
            .collect::<Result<Vec<_>, _>>()?;
        call_values(f, &values, self.env.rounding, span)
    }

    /// Marginal brackets ([`arith::tiers`]).
    fn tiers(&self, t: &CTiers) -> Result<Value, EvalError> {
        let x = self.value(&t.subject)?;
        arith::tiers(
            &x,
            t.brackets.len(),
            |i| match t.brackets.get(i) {
                Some((bound, _)) => self.value(bound),
                None => Err(internal("no such bracket", Some(t.span))),
            },
            |i, _| {
                self.value(
                    i.and_then(|i| t.brackets.get(i))
                        .map_or(&t.above, |(_, rate)| rate),
                )
            },
            t.span,
        )
    }

    fn aggregate(&self, slot: usize) -> Result<Value, EvalError> {
        let (Some(agg), Some(state)) = (self.aggregates.get(slot), self.accumulators.get(slot))
        else {
            return Err(internal("no such aggregate", None));
        };
        if let Some(read) = self.read
            && let Some(flag) = read.borrow_mut().get_mut(slot)
        {
            *flag = true;
        }
        match (agg.function, &state.acc) {
            (AggregateFn::Count, _) => Ok(Value::Int(state.count)),
            (_, Some(v)) => Ok(v.clone()),
            (AggregateFn::Sum, None) => agg
                .empty_sum
                .clone()
                .ok_or_else(|| internal("cannot tell the type of an empty `sum`", Some(agg.span))),
            (function, None) => match &agg.fallback {
                Some(fallback) => self.value(fallback),
                None => Err(EvalError::new(
                    EvalErrorKind::EmptyAggregate {
                        function: function.name().to_string(),
                    },
                    Some(agg.span),
                )),
            },
        }
    }
}

/// Feeds one record to the accumulators of the aggregates of its kind;
/// when `counted` is given, also notes the record (by its index `at`) in
/// the list of each aggregate that counted it.
pub fn accumulate(
    base: &Ctx<'_>,
    record: &StreamRecord<'_>,
    aggregates: &[CAggregate],
    accumulators: &mut [Accumulator],
    mut counted: Option<(&mut [Vec<u32>], u32)>,
) -> Result<(), EvalError> {
    let ctx = Ctx {
        record: Some(record),
        ..*base
    };
    for (slot, (agg, state)) in aggregates.iter().zip(accumulators.iter_mut()).enumerate() {
        if agg.kind != record.kind {
            continue;
        }
        if let Some(filter) = &agg.filter
            && !ctx.condition(filter)?
        {
            continue;
        }
        state.count = state.count.checked_add(1).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::Overflow {
                    operation: "`count`".into(),
                },
                Some(agg.span),
            )
        })?;
        if let Some((lists, index)) = &mut counted
            && let Some(list) = lists.get_mut(slot)
        {
            list.push(*index);
        }
        let Some(measure) = &agg.measure else {
            continue;
        };
        let value = ctx.value(measure)?;
        state.acc = Some(match state.acc.take() {
            None => value,
            Some(so_far) => match agg.function {
                AggregateFn::Sum => arith::add(&so_far, &value, agg.span)?,
                AggregateFn::Min => arith::min(so_far, value, agg.span)?,
                _ => arith::max(so_far, value, agg.span)?,
            },
        });
    }
    Ok(())
}

/// `l OP r` on exact values (`and` and `or` are evaluated by their
/// callers, which skip the right side when the left decides).
pub(super) fn binary_values(
    op: BinaryOp,
    l: &Value,
    r: &Value,
    span: Span,
) -> Result<Value, EvalError> {
    if let (Value::Int(x), Value::Int(y)) = (l, r)
        && let Some(b) = int_comparison(op, *x, *y)
    {
        return Ok(Value::Bool(b));
    }
    Ok(match op {
        BinaryOp::Add => arith::add(l, r, span)?,
        BinaryOp::Sub => arith::sub(l, r, span)?,
        BinaryOp::Mul => arith::mul(l, r, span)?,
        BinaryOp::Div => arith::div(l, r, span)?,
        BinaryOp::Eq => Value::Bool(equal(l, r, span)?),
        BinaryOp::Ne => Value::Bool(!equal(l, r, span)?),
        BinaryOp::Lt => Value::Bool(arith::compare(l, r, span)? == Ordering::Less),
        BinaryOp::Le => Value::Bool(arith::compare(l, r, span)? != Ordering::Greater),
        BinaryOp::Gt => Value::Bool(arith::compare(l, r, span)? == Ordering::Greater),
        BinaryOp::Ge => Value::Bool(arith::compare(l, r, span)? != Ordering::Less),
        BinaryOp::And | BinaryOp::Or => Value::Bool(false),
    })
}

/// A scalar function of exact values.
pub(super) fn call_values(
    f: Function,
    values: &[Value],
    rounding: RoundingMode,
    span: Span,
) -> Result<Value, EvalError> {
    match (f, values) {
        (Function::Min, [a, b]) => arith::min(a.clone(), b.clone(), span),
        (Function::Max, [a, b]) => arith::max(a.clone(), b.clone(), span),
        (Function::Abs, [a]) => arith::abs(a, span),
        (Function::Round, [a]) => arith::to_whole(a, ToWhole::Round(rounding), span),
        (Function::Floor, [a]) => arith::to_whole(a, ToWhole::Floor, span),
        (Function::Ceil, [a]) => arith::to_whole(a, ToWhole::Ceil, span),
        _ => Err(internal("wrong number of arguments", Some(span))),
    }
}

/// `x OP y` for two whole numbers compared, without going through exact
/// decimals (the same order); `None` for arithmetic.
fn int_comparison(op: BinaryOp, x: i64, y: i64) -> Option<bool> {
    Some(match op {
        BinaryOp::Eq => x == y,
        BinaryOp::Ne => x != y,
        BinaryOp::Lt => x < y,
        BinaryOp::Le => x <= y,
        BinaryOp::Gt => x > y,
        BinaryOp::Ge => x >= y,
        _ => return None,
    })
}

/// A value on the fixed-point path.
#[derive(Clone, Copy, Debug)]
pub enum Fast {
    Bool(bool),
    Num(Fx),
}

impl Ctx<'_> {
    /// The value of `expr` in fixed point, or `None` when part of it needs
    /// the exact path (a text, a division that does not terminate within
    /// the scale, more digits than the scale, an
    /// overflow): the caller then evaluates all of `expr` exactly. Never an
    /// error: whatever could fail is left to the exact path, which reports it.
    pub fn fast(&self, expr: &CExpr) -> Option<Fast> {
        let s = &self.scale;
        match expr {
            CExpr::Const(v) | CExpr::Fixed(v, None) => fast_of(s, v),
            CExpr::Fixed(_, Some(f)) => Some(*f),
            CExpr::Dated(t) => match self.dated(t)? {
                (_, Some(fast)) => Some(fast),
                (v, None) => fast_of(s, v),
            },
            CExpr::Field(slot) => fast_of(s, self.record?.fields.get(*slot)?),
            CExpr::And(l, r) => Some(Fast::Bool(self.fast_bool(l)? && self.fast_bool(r)?)),
            CExpr::Or(l, r) => Some(Fast::Bool(self.fast_bool(l)? || self.fast_bool(r)?)),
            CExpr::Not(inner, _) => Some(Fast::Bool(!self.fast_bool(inner)?)),
            CExpr::Neg(inner, _) => Some(Fast::Num(s.neg(self.fast_num(inner)?)?)),
            CExpr::If(c, t, e) => {
                if self.fast_bool(c)? {
                    self.fast(t)
                } else {
                    self.fast(e)
                }
            }
            CExpr::Binary(op, l, r, _) => self.fast_binary(*op, l, r),
            CExpr::Call(f @ (Function::Min | Function::Max), args, _) => {
                self.fast_min_max(*f, args)
            }
            CExpr::Tiers(t) => self.fast_tiers(t).map(Fast::Num),
            // Through the exact path, then back: aggregates, totals...
            CExpr::Aggregate(_) | CExpr::Total(..) | CExpr::PersonColumn(_) => {
                self.through_exact(expr)
            }
            _ => None,
        }
    }

    /// `min(a, b)`, `max(a, b)`: as `arith::min` and `max`, the first on a
    /// tie.
    #[inline(never)]
    fn fast_min_max(&self, f: Function, args: &[CExpr]) -> Option<Fast> {
        let [a, b] = args else {
            return None;
        };
        let (a, b) = (self.fast_num(a)?, self.fast_num(b)?);
        let wanted = if f == Function::Min {
            Ordering::Less
        } else {
            Ordering::Greater
        };
        Some(Fast::Num(if self.scale.compare(b, a)? == wanted {
            b
        } else {
            a
        }))
    }

    /// The exact value, brought to fixed point if it fits.
    #[cold]
    #[inline(never)]
    fn through_exact(&self, expr: &CExpr) -> Option<Fast> {
        fast_of(&self.scale, &self.value(expr).ok()?)
    }

    /// A comparison of texts, roster columns or booleans, exactly.
    #[inline(never)]
    fn exact_comparison(&self, op: BinaryOp, l: &CExpr, r: &CExpr) -> Option<Fast> {
        match self.binary(op, l, r, Span::NOWHERE).ok()? {
            Value::Bool(b) => Some(Fast::Bool(b)),
            _ => None,
        }
    }

    fn fast_bool(&self, expr: &CExpr) -> Option<bool> {
        match self.fast(expr)? {
            Fast::Bool(b) => Some(b),
            Fast::Num(_) => None,
        }
    }

    fn fast_num(&self, expr: &CExpr) -> Option<Fx> {
        match self.fast(expr)? {
            Fast::Num(x) => Some(x),
            Fast::Bool(_) => None,
        }
    }

    fn fast_binary(&self, op: BinaryOp, l: &CExpr, r: &CExpr) -> Option<Fast> {
        let s = &self.scale;
        let (a, b) = match (self.fast(l), self.fast(r)) {
            (Some(Fast::Num(a)), Some(Fast::Num(b))) => (a, b),
            // `r.by.status != "employee"`: texts equal byte for byte (the
            // roster's texts are shared, so usually the same pointer).
            _ if matches!(op, BinaryOp::Eq | BinaryOp::Ne)
                && let (Some(Value::Text(x)), Some(Value::Text(y))) =
                    (self.slot(l), self.slot(r)) =>
            {
                let same = Arc::ptr_eq(x, y) || x.as_bytes() == y.as_bytes();
                return Some(Fast::Bool(same == (op == BinaryOp::Eq)));
            }
            // Other texts, booleans: one exact comparison.
            _ if is_comparison(op) => return self.exact_comparison(op, l, r),
            _ => return None,
        };
        let order = || s.compare(a, b);
        Some(match op {
            BinaryOp::Add => Fast::Num(s.add(a, b, false)?),
            BinaryOp::Sub => Fast::Num(s.add(a, b, true)?),
            BinaryOp::Mul => Fast::Num(s.mul(a, b)?),
            BinaryOp::Div => Fast::Num(s.div(a, b)?),
            BinaryOp::Eq => Fast::Bool(order()? == Ordering::Equal),
            BinaryOp::Ne => Fast::Bool(order()? != Ordering::Equal),
            BinaryOp::Lt => Fast::Bool(order()? == Ordering::Less),
            BinaryOp::Le => Fast::Bool(order()? != Ordering::Greater),
            BinaryOp::Gt => Fast::Bool(order()? == Ordering::Greater),
            BinaryOp::Ge => Fast::Bool(order()? != Ordering::Less),
            BinaryOp::And | BinaryOp::Or => return None,
        })
    }

    /// Marginal brackets, as [`Ctx::tiers`], in fixed point.
    #[inline(never)]
    fn fast_tiers(&self, t: &CTiers) -> Option<Fx> {
        let s = &self.scale;
        let x = self.fast_num(&t.subject)?;
        let mut lower = Scale::zero(x.unit);
        let mut total = Scale::zero(x.unit);
        for (bound, rate) in &t.brackets {
            let upper = self.fast_num(bound)?;
            let top = if s.compare(upper, x)? == Ordering::Less {
                upper
            } else {
                x
            };
            let part = s.add(top, lower, true)?;
            if part.v > 0 {
                total = s.add(total, s.mul(part, self.fast_num(rate)?)?, false)?;
            }
            if s.compare(upper, lower)? == Ordering::Greater {
                lower = upper;
            }
        }
        let part = s.add(x, lower, true)?;
        if part.v > 0 {
            total = s.add(total, s.mul(part, self.fast_num(&t.above)?)?, false)?;
        }
        Some(total)
    }
}

pub fn fast_of(s: &Scale, v: &Value) -> Option<Fast> {
    match v {
        Value::Bool(b) => Some(Fast::Bool(*b)),
        other => s.of(other).map(Fast::Num),
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}
