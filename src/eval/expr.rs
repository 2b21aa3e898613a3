//! Evaluating expressions: literals, names, fields, operators, scalar
//! functions, `if`, and (through [`crate::eval::aggregate`]) aggregates and
//! `tiers`.
//!
//! Every evaluation can also build the calculation in words, with names and
//! fields replaced by their values (`5.00 EUR + 0.02 EUR × 120`), for
//! `meed explain`. Conditions are evaluated without it.

use std::cmp::Ordering;

use crate::eval::reach::Mark;
use crate::eval::scope::Scope;
use crate::eval::show::{self, ATOM, IF, NEG, NOT, wrap};
use crate::input::Contribution;
use crate::semantics::arith::{self, ToWhole};
use crate::semantics::error::{EvalError, EvalErrorKind, NotInForce};
use crate::semantics::literal::literal_value;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, Literal, UnaryOp};
use crate::value::Value;

/// A value and, when explaining, how it was computed (with its precedence,
/// to parenthesise it inside larger calculations).
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub value: Value,
    pub text: Option<(String, u8)>,
}

impl Shown {
    /// A value shown as itself (when explaining).
    pub fn plain(value: Value, explain: bool) -> Shown {
        let text = explain.then(|| show::value(&value));
        Shown { value, text }
    }

    /// The text at precedence `min` (parenthesised if needed), or empty.
    pub fn text_at(&self, min: u8) -> String {
        self.text
            .as_ref()
            .map_or_else(String::new, |(t, p)| wrap(t, *p, min))
    }
}

impl<'a> Scope<'a> {
    /// The value of `expr`.
    pub fn value(&self, expr: &Expr) -> Result<Value, EvalError> {
        self.explaining(false).eval(expr).map(|s| s.value)
    }

    /// The value of a condition, which must be a Bool.
    pub fn condition(&self, expr: &Expr) -> Result<bool, EvalError> {
        match self.value(expr)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::internal(
                format!("a condition gave `{}`, not `Bool`", other.ty()),
                Some(expr.span),
            )),
        }
    }

    /// The value of `expr` and, if this scope explains, its calculation.
    pub fn eval(&self, expr: &Expr) -> Result<Shown, EvalError> {
        match &expr.node {
            ExprKind::Literal(lit) => {
                let value = self.literal(lit, expr.span)?;
                let text = self.explain.then(|| {
                    let t = show::literal(lit);
                    let p = if t.starts_with('-') { NEG } else { ATOM };
                    (t, p)
                });
                Ok(Shown { value, text })
            }
            ExprKind::Name(name) => self
                .name(name, expr.span)
                .map(|v| Shown::plain(v, self.explain)),
            ExprKind::Field { base, field } => self
                .field(base, field, expr.span)
                .map(|v| Shown::plain(v, self.explain)),
            ExprKind::Unary { op, operand } => self.unary(op.node, operand, expr.span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(op.node, lhs, rhs, op.span),
            ExprKind::If { .. } => {
                // Follow an `else if` chain to the branch taken; the
                // calculation shows it and why: `3 pts (b.severity ==
                // "critical" is false, b.severity == "high" is false)`.
                let mut reasons = Vec::new();
                let mut current = expr;
                let branch = loop {
                    let ExprKind::If {
                        condition,
                        then_branch,
                        else_branch,
                    } = &current.node
                    else {
                        break current;
                    };
                    let taken = self.condition(condition)?;
                    if self.explain {
                        reasons.push(format!("{} is {taken}", show::source(condition)));
                    }
                    if taken {
                        break &**then_branch;
                    }
                    current = else_branch;
                };
                if let Some(reached) = self.env.reached {
                    reached.mark(Mark::Branch(branch.span));
                }
                let shown = self.eval(branch)?;
                let text = shown.text.as_ref().map(|_| {
                    (
                        format!("{} ({})", shown.text_at(ATOM), reasons.join(", ")),
                        IF,
                    )
                });
                Ok(Shown {
                    value: shown.value,
                    text,
                })
            }
            ExprKind::Call { function, args } => self.call(function, args, expr.span),
            ExprKind::Aggregate(agg) => self.aggregate(agg, expr.span),
            ExprKind::Tiers(tiers) => self.tiers(tiers, expr.span),
        }
    }

    fn literal(&self, lit: &Literal, span: Span) -> Result<Value, EvalError> {
        literal_value(lit, self.env.tz, span)
    }

    /// A constant, read at this scope's instant when it changes over time.
    fn name(&self, name: &str, span: Span) -> Result<Value, EvalError> {
        let Some(timeline) = self.env.constants.get(name) else {
            return Err(EvalError::internal(
                format!("`{name}` has no value here"),
                Some(span),
            ));
        };
        let step = match (timeline.constant(), self.at) {
            (Some(value), _) => return Ok(value.clone()),
            (None, Some(at)) => timeline.at(at),
            (None, None) => None,
        };
        let Some(step) = step else {
            return Err(EvalError::new(
                EvalErrorKind::Undated {
                    name: name.to_string(),
                },
                Some(span),
            ));
        };
        if let Some(read) = self.dated_read {
            let mut read = read.borrow_mut();
            for line in &step.in_force {
                if !read.contains(line) {
                    read.push(line.clone());
                }
            }
        }
        step.value.clone().map_err(|not_yet| {
            let local = |t: chrono::DateTime<chrono::Utc>| {
                t.with_timezone(&self.env.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            };
            let read_at = self.at.map(local).unwrap_or_default();
            EvalError::new(
                EvalErrorKind::NotInForce {
                    detail: Box::new(NotInForce {
                        first: local(not_yet.first),
                        read_at,
                        not_yet,
                    }),
                },
                Some(span),
            )
        })
    }

    /// `r.lines`, `r.at`, `r.id`, `r.who`, `r.by.status`, `person.status`.
    fn field(&self, base: &Expr, field: &Ident, span: Span) -> Result<Value, EvalError> {
        match &base.node {
            ExprKind::Name(name) => {
                if let Some(record) = self.bound(name) {
                    return self.record_field(record, &field.node, span);
                }
                if name == "person"
                    && let Some(person) = self.person
                {
                    return self.roster_column(person.who, &field.node, span);
                }
            }
            ExprKind::Field {
                base: inner,
                field: by,
            } if by.node == "by" => {
                if let ExprKind::Name(name) = &inner.node
                    && let Some(record) = self.bound(name)
                {
                    return self.roster_column(&record.who, &field.node, span);
                }
            }
            _ => {}
        }
        Err(EvalError::internal(
            format!("cannot read `{}.{}` here", show::source(base), field.node),
            Some(span),
        ))
    }

    fn record_field(
        &self,
        record: &Contribution,
        field: &str,
        span: Span,
    ) -> Result<Value, EvalError> {
        match field {
            "at" => return Ok(Value::Timestamp(record.at)),
            "id" => return Ok(Value::Text(record.id.clone())),
            "who" | "by" => return Ok(Value::Text(record.who.clone())),
            _ => {}
        }
        let kind = self.env.schema.kinds.get(record.kind);
        kind.and_then(|k| k.field_index(field))
            .and_then(|i| record.fields.get(i))
            .cloned()
            .ok_or_else(|| {
                let kind = kind.map_or("?", |k| k.name.as_str());
                EvalError::internal(
                    format!("`{kind}` records have no field `{field}`"),
                    Some(span),
                )
            })
    }

    fn roster_column(&self, who: &str, column: &str, span: Span) -> Result<Value, EvalError> {
        let roster = self.env.roster.ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::RosterRequired {
                    column: column.to_string(),
                },
                Some(span),
            )
        })?;
        let index = self.env.schema.person_column(column).ok_or_else(|| {
            EvalError::internal(format!("the roster has no column `{column}`"), Some(span))
        })?;
        let row = roster.people.get(who).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::UnknownPerson {
                    who: who.to_string(),
                },
                Some(span),
            )
        })?;
        row.get(index).cloned().ok_or_else(|| {
            EvalError::internal(format!("`{who}` has no value for `{column}`"), Some(span))
        })
    }

    fn unary(&self, op: UnaryOp, operand: &Expr, span: Span) -> Result<Shown, EvalError> {
        let inner = self.eval(operand)?;
        let (value, prec, prefix) = match op {
            UnaryOp::Neg => (arith::neg(&inner.value, span)?, NEG, "-"),
            UnaryOp::Not => match inner.value {
                Value::Bool(b) => (Value::Bool(!b), NOT, "not "),
                ref other => {
                    return Err(EvalError::internal(
                        format!("cannot apply `not` to `{}`", other.ty()),
                        Some(span),
                    ));
                }
            },
        };
        let text = self
            .explain
            .then(|| (format!("{prefix}{}", inner.text_at(prec)), prec));
        Ok(Shown { value, text })
    }

    fn binary(&self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span) -> Result<Shown, EvalError> {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let left = self.condition(lhs)?;
            let value = match (op, left) {
                (BinaryOp::And, false) => false,
                (BinaryOp::Or, true) => true,
                _ => self.condition(rhs)?,
            };
            return Ok(Shown::plain(Value::Bool(value), self.explain));
        }
        let l = self.eval(lhs)?;
        let r = self.eval(rhs)?;
        let value = match op {
            BinaryOp::Add => arith::add(&l.value, &r.value, span)?,
            BinaryOp::Sub => arith::sub(&l.value, &r.value, span)?,
            BinaryOp::Mul => arith::mul(&l.value, &r.value, span)?,
            BinaryOp::Div => arith::div(&l.value, &r.value, span)?,
            BinaryOp::Eq => Value::Bool(equal(&l.value, &r.value, span)?),
            BinaryOp::Ne => Value::Bool(!equal(&l.value, &r.value, span)?),
            BinaryOp::Lt => {
                Value::Bool(arith::compare(&l.value, &r.value, span)? == Ordering::Less)
            }
            BinaryOp::Le => {
                Value::Bool(arith::compare(&l.value, &r.value, span)? != Ordering::Greater)
            }
            BinaryOp::Gt => {
                Value::Bool(arith::compare(&l.value, &r.value, span)? == Ordering::Greater)
            }
            BinaryOp::Ge => {
                Value::Bool(arith::compare(&l.value, &r.value, span)? != Ordering::Less)
            }
            BinaryOp::And | BinaryOp::Or => Value::Bool(false),
        };
        let prec = show::binary_prec(op);
        let text = self.explain.then(|| {
            let text = format!(
                "{} {} {}",
                l.text_at(prec),
                show::binary_symbol(op),
                r.text_at(prec + 1)
            );
            (text, prec)
        });
        Ok(Shown { value, text })
    }

    /// `min(a, b)`, `max(a, b)`, `abs(x)`, `round(x)`, `floor(x)`, `ceil(x)`,
    /// `total(account)`.
    fn call(&self, function: &Ident, args: &[Expr], span: Span) -> Result<Shown, EvalError> {
        if function.node == "total" {
            return self.total(args, span);
        }
        let shown = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>, _>>()?;
        let bad_arity = || {
            EvalError::internal(
                format!("`{}` got {} arguments", function.node, args.len()),
                Some(span),
            )
        };
        let value = match (function.node.as_str(), shown.as_slice()) {
            ("min", [a, b]) => arith::min(a.value.clone(), b.value.clone(), span)?,
            ("max", [a, b]) => arith::max(a.value.clone(), b.value.clone(), span)?,
            ("abs", [a]) => arith::abs(&a.value, span)?,
            ("round", [a]) => arith::to_whole(&a.value, ToWhole::Round(self.env.rounding), span)?,
            ("floor", [a]) => arith::to_whole(&a.value, ToWhole::Floor, span)?,
            ("ceil", [a]) => arith::to_whole(&a.value, ToWhole::Ceil, span)?,
            ("min" | "max" | "abs" | "round" | "floor" | "ceil", _) => return Err(bad_arity()),
            (other, _) => {
                return Err(EvalError::internal(
                    format!("unknown function `{other}`"),
                    Some(span),
                ));
            }
        };
        let text = self.explain.then(|| {
            let args: Vec<String> = shown.iter().map(|s| s.text_at(IF)).collect();
            (format!("{}({})", function.node, args.join(", ")), ATOM)
        });
        Ok(Shown { value, text })
    }

    /// `total(reputation)`: the person's granted total of that account in the
    /// pool period, after limits and before any pool.
    fn total(&self, args: &[Expr], span: Span) -> Result<Shown, EvalError> {
        let account = match args {
            [
                Expr {
                    node: ExprKind::Name(a),
                    ..
                },
            ] => a,
            _ => {
                return Err(EvalError::internal(
                    "`total` takes one account name",
                    Some(span),
                ));
            }
        };
        let totals = self.person.and_then(|p| p.totals).ok_or_else(|| {
            EvalError::internal(
                "`total` can only be used in a pool's `split by`",
                Some(span),
            )
        })?;
        let value = match totals.get(account.as_str()) {
            Some(v) => v.clone(),
            None => self
                .env
                .schema
                .rewards
                .get(account.as_str())
                .and_then(arith::zero_of)
                .ok_or_else(|| {
                    EvalError::internal(format!("unknown account `{account}`"), Some(span))
                })?,
        };
        Ok(Shown::plain(value, self.explain))
    }
}

/// `a == b` on values of the same type (numbers compare across Int and
/// Decimal).
pub(crate) fn equal(a: &Value, b: &Value, span: Span) -> Result<bool, EvalError> {
    Ok(arith::compare(a, b, span)? == Ordering::Equal)
}
