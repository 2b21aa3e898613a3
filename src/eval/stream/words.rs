//! A rule's calculation in words, from the engine's own run: the amount's
//! expression walked once more, as written, with every name, field and
//! aggregate replaced by the value the engine read for it
//! (`5.00 EUR + 0.02 EUR × 120 = 7.40 EUR`).
//!
//! Only the grants of the people whose grants are kept whole are worded
//! (`meed explain`, the report's statements), so a run that keeps nothing
//! pays nothing for words. The compiled expression gives the values (the
//! slots the engine reads); the written one, walked alongside it node for
//! node, gives what the reader sees (`10%` as written, a condition as
//! written). The words are checked against the engine's grant: a
//! calculation that does not arrive at the amount is an error, and the
//! caller evaluates exactly instead.

use std::cell::RefCell;

use super::compile::{CExpr, CTiers};
use super::run::{Ctx, binary_values, call_values};
use crate::eval::show::{self, ATOM, IF, MUL, NEG, NOT, TIERS, wrap};
use crate::semantics::arith;
use crate::semantics::dated::InForce;
use crate::semantics::error::EvalError;
use crate::semantics::round::round_grant;
use crate::source::Span;
use crate::syntax::ast::{AggregateFn, Expr, ExprKind, Tiers, UnaryOp};
use crate::value::Value;

/// A value and how it was worked out, with the precedence of its text (to
/// parenthesise it inside a larger calculation).
struct Worded {
    value: Value,
    text: String,
    prec: u8,
}

impl Worded {
    /// A value shown as itself.
    fn plain(value: Value) -> Worded {
        let (text, prec) = show::value(&value);
        Worded { value, text, prec }
    }

    fn at(&self, min: u8) -> String {
        wrap(&self.text, self.prec, min)
    }

    /// [`Worded::at`], written at the end of `out`.
    fn push_at(&self, out: &mut String, min: u8) {
        push_wrapped(out, &self.text, self.prec, min);
    }
}

/// `text`, in parentheses if its precedence `prec` is below `min`, written
/// at the end of `out` ([`wrap`] without a string of its own).
fn push_wrapped(out: &mut String, text: &str, prec: u8, min: u8) {
    if prec < min {
        out.push('(');
        out.push_str(text);
        out.push(')');
    } else {
        out.push_str(text);
    }
}

/// The calculation of a grant of `amount` (its written and compiled
/// forms), whose condition (`when`, both forms) held, in `ctx`; `granted`
/// is the engine's amount, rounded. Ends with the dated values read, in
/// the order they were first read: `...; review_rate = 0.025 EUR (from
/// 2027-04-01)`.
pub(super) fn word_grant(
    ctx: &Ctx<'_>,
    condition: Option<(&Expr, &CExpr)>,
    amount: (&Expr, &CExpr),
    granted: &Value,
) -> Result<String, EvalError> {
    let words = Words {
        ctx,
        read: RefCell::new(Vec::new()),
    };
    if let Some((written, compiled)) = condition {
        // Evaluated again only for the dated values it reads.
        words.word(written, compiled)?;
    }
    let shown = words.word(amount.0, amount.1)?;
    let rounded = round_grant(shown.value, ctx.env.rounding)?;
    if rounded != *granted {
        return Err(cannot_word(amount.0.span));
    }
    let result = show::result(&rounded);
    // `3 pts = 3 pts` says nothing: a bare amount stands alone.
    let mut text = if shown.text == result {
        shown.text
    } else {
        let mut text = shown.text;
        text.push_str(" = ");
        text.push_str(&result);
        text
    };
    for line in words.read.into_inner() {
        text.push_str("; ");
        text.push_str(&show::in_force(&line));
    }
    Ok(text)
}

/// The words could not be told from the engine's run (a dated value read
/// inside an aggregate, a calculation that disagrees): the caller
/// evaluates exactly.
fn cannot_word(span: Span) -> EvalError {
    EvalError::internal(
        "the calculation cannot be put in words from the engine's run",
        Some(span),
    )
}

struct Words<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// The dated values read so far, each once.
    read: RefCell<Vec<InForce>>,
}

impl Words<'_, '_> {
    fn word(&self, written: &Expr, compiled: &CExpr) -> Result<Worded, EvalError> {
        let ctx = self.ctx;
        match (&written.node, compiled) {
            (ExprKind::Literal(lit), CExpr::Const(value) | CExpr::Fixed(value, _)) => {
                let text = show::literal(lit);
                let prec = if text.starts_with('-') { NEG } else { ATOM };
                Ok(Worded {
                    value: value.clone(),
                    text,
                    prec,
                })
            }
            (ExprKind::Name(_), CExpr::Dated(timeline)) => {
                let step = ctx
                    .instant()
                    .and_then(|at| timeline.timeline.at(at))
                    .ok_or_else(|| cannot_word(written.span))?;
                let value = step.value.clone().map_err(|_| cannot_word(written.span))?;
                let mut read = self.read.borrow_mut();
                for line in &step.in_force {
                    if !read.contains(line) {
                        read.push(line.clone());
                    }
                }
                Ok(Worded::plain(value))
            }
            (
                ExprKind::Unary { op, operand },
                CExpr::Neg(inner, span) | CExpr::Not(inner, span),
            ) => {
                let inner = self.word(operand, inner)?;
                let (value, prec, prefix) = match (op.node, &inner.value) {
                    (UnaryOp::Neg, v) => (arith::neg(v, *span)?, NEG, "-"),
                    (UnaryOp::Not, Value::Bool(b)) => (Value::Bool(!b), NOT, "not "),
                    (UnaryOp::Not, _) => return Err(cannot_word(*span)),
                };
                Ok(Worded {
                    value,
                    text: format!("{prefix}{}", inner.at(prec)),
                    prec,
                })
            }
            (ExprKind::Binary { lhs, rhs, .. }, CExpr::And(l, r) | CExpr::Or(l, r)) => {
                let and = matches!(compiled, CExpr::And(..));
                let left = self.condition(lhs, l)?;
                let value = if left != and {
                    left
                } else {
                    self.condition(rhs, r)?
                };
                Ok(Worded::plain(Value::Bool(value)))
            }
            (ExprKind::Binary { lhs, rhs, .. }, CExpr::Binary(op, l, r, span)) => {
                let l = self.word(lhs, l)?;
                let r = self.word(rhs, r)?;
                let value = binary_values(*op, &l.value, &r.value, *span)?;
                let prec = show::binary_prec(*op);
                let symbol = show::binary_symbol(*op);
                let mut text = String::with_capacity(l.text.len() + r.text.len() + 8);
                l.push_at(&mut text, prec);
                text.push(' ');
                text.push_str(symbol);
                text.push(' ');
                r.push_at(&mut text, prec + 1);
                Ok(Worded { value, text, prec })
            }
            (ExprKind::If { .. }, CExpr::If(..)) => self.branch(written, compiled),
            (ExprKind::Call { function, args }, CExpr::Call(f, compiled_args, span)) => {
                let shown = args
                    .iter()
                    .zip(compiled_args)
                    .map(|(w, c)| self.word(w, c))
                    .collect::<Result<Vec<_>, _>>()?;
                if shown.len() != args.len() || shown.len() != compiled_args.len() {
                    return Err(cannot_word(*span));
                }
                let values: Vec<Value> = shown.iter().map(|s| s.value.clone()).collect();
                let value = call_values(*f, &values, ctx.env.rounding, *span)?;
                let args: Vec<String> = shown.iter().map(|s| s.at(IF)).collect();
                Ok(Worded {
                    value,
                    text: format!("{}({})", function.node, args.join(", ")),
                    prec: ATOM,
                })
            }
            (ExprKind::Tiers(tiers), CExpr::Tiers(compiled)) => self.tiers(tiers, compiled),
            (ExprKind::Aggregate(aggregate), CExpr::Aggregate(slot)) => {
                let compiled_aggregate = ctx.aggregates.get(*slot);
                if compiled_aggregate.is_none_or(|a| a.reads_dated) {
                    return Err(cannot_word(written.span));
                }
                let value = ctx.value(compiled)?;
                // `min(sale.amount else rate)` of no records: the `else`
                // was read, and the dated values in it.
                let empty = ctx.accumulators.get(*slot).is_some_and(|a| a.acc.is_none());
                if let (true, Some(fallback), Some(Some(compiled_fallback))) = (
                    empty,
                    &aggregate.fallback,
                    compiled_aggregate.map(|a| a.fallback.as_ref()),
                ) && aggregate.function.node != AggregateFn::Sum
                    && aggregate.function.node != AggregateFn::Count
                {
                    self.word(fallback, compiled_fallback)?;
                }
                Ok(Worded::plain(value))
            }
            // A constant, a field, a roster column, `total(account)`: its
            // value as read.
            (
                ExprKind::Name(_) | ExprKind::Field { .. } | ExprKind::Call { .. },
                CExpr::Const(_)
                | CExpr::Fixed(..)
                | CExpr::Field(_)
                | CExpr::At
                | CExpr::Id
                | CExpr::Who
                | CExpr::ByColumn(_)
                | CExpr::PersonColumn(_)
                | CExpr::Total(..),
            ) => ctx.value(compiled).map(Worded::plain),
            _ => Err(cannot_word(written.span)),
        }
    }

    fn condition(&self, written: &Expr, compiled: &CExpr) -> Result<bool, EvalError> {
        match self.word(written, compiled)?.value {
            Value::Bool(b) => Ok(b),
            _ => Err(cannot_word(written.span)),
        }
    }

    /// An `if` (and its `else if` chain): the branch taken, and why:
    /// `3 pts (b.severity == "critical" is false, b.severity == "high" is
    /// true)`.
    fn branch(&self, written: &Expr, compiled: &CExpr) -> Result<Worded, EvalError> {
        let mut reasons = Vec::new();
        let (mut written, mut compiled) = (written, compiled);
        while let (
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            },
            CExpr::If(c, t, e),
        ) = (&written.node, compiled)
        {
            let taken = self.condition(condition, c)?;
            reasons.push(format!("{} is {taken}", show::source(condition)));
            (written, compiled) = if taken {
                (&**then_branch, &**t)
            } else {
                (&**else_branch, &**e)
            };
            if taken {
                break;
            }
        }
        let shown = self.word(written, compiled)?;
        Ok(Worded {
            text: format!("{} ({})", shown.at(ATOM), reasons.join(", ")),
            value: shown.value,
            prec: IF,
        })
    }

    /// `tiers 150 pts: 100 pts × 10% + 50 pts × 5%`: each bracket's part
    /// of the subject times its rate ([`arith::tiers`]).
    fn tiers(&self, written: &Tiers, compiled: &CTiers) -> Result<Worded, EvalError> {
        let span = compiled.span;
        if written.brackets.len() != compiled.brackets.len() {
            return Err(cannot_word(span));
        }
        let subject = self.word(&written.subject, &compiled.subject)?;
        let x = &subject.value;
        let pairs = || written.brackets.iter().zip(&compiled.brackets);
        let mut parts = Vec::new();
        let total = arith::tiers(
            x,
            compiled.brackets.len(),
            |i| match pairs().nth(i) {
                Some((w, (bound, _))) => Ok(self.word(&w.bound, bound)?.value),
                None => Err(cannot_word(span)),
            },
            |i, part| {
                let rate = match i.and_then(|i| pairs().nth(i)) {
                    Some((w, (_, rate))) => self.word(&w.rate, rate)?,
                    None => self.word(&written.above, &compiled.above)?,
                };
                let (p, pp) = show::value(part);
                let mut words = String::with_capacity(p.len() + rate.text.len() + 8);
                push_wrapped(&mut words, &p, pp, MUL);
                words.push_str(" × ");
                rate.push_at(&mut words, MUL + 1);
                parts.push(words);
                Ok(rate.value)
            },
            span,
        )?;
        let parts = if parts.is_empty() {
            show::value(&total).0
        } else {
            parts.join(" + ")
        };
        let mut text = String::with_capacity(parts.len() + 32);
        text.push_str("tiers ");
        text.push_str(&show::value(x).0);
        text.push_str(": ");
        text.push_str(&parts);
        Ok(Worded {
            value: total,
            text,
            prec: TIERS,
        })
    }
}
