//! Aggregates over a person's records in a period (`count`, `sum`, `min`,
//! `max`) and marginal `tiers`.

use crate::eval::expr::Shown;
use crate::eval::reach::Mark;
use crate::eval::scope::Scope;
use crate::eval::show::{self, MUL, TIERS};
use crate::input::Contribution;
use crate::semantics::arith;
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::source::Span;
use crate::syntax::ast::{Aggregate, AggregateFn, Measure, Tiers};
use crate::value::Value;

impl<'a> Scope<'a> {
    /// `count(review)`, `count(review r where r.lines > 10)`,
    /// `sum(review.lines)`, `sum(review r where r.repo == "core": r.lines)`,
    /// `min(review.lines else 0)`, `max(review.lines else 0)`.
    ///
    /// Without a binding, the kind's name binds each record
    /// (`count(review where review.lines > 10)`).
    pub(crate) fn aggregate(&self, agg: &Aggregate, span: Span) -> Result<Shown, EvalError> {
        let person = self.person.ok_or_else(|| {
            EvalError::internal(
                "aggregates can only be used in `each` rules and pools",
                Some(span),
            )
        })?;
        let kind = self.env.schema.kind_index(&agg.kind.node).ok_or_else(|| {
            EvalError::internal(
                format!("unknown kind `{}`", agg.kind.node),
                Some(agg.kind.span),
            )
        })?;
        let binding = agg.binding.as_ref().unwrap_or(&agg.kind).node.as_str();
        let mut count: i64 = 0;
        let mut acc: Option<Value> = None;
        for (index, record) in person.records.iter().enumerate() {
            if record.kind != kind {
                continue;
            }
            let inner = self.with_binding(binding, record);
            if let Some(filter) = &agg.filter
                && !inner.condition(filter)?
            {
                continue;
            }
            if let Some(counted) = self.counted.and_then(|c| c.get(index)) {
                counted.set(true);
            }
            count = count.checked_add(1).ok_or_else(|| {
                EvalError::new(
                    EvalErrorKind::Overflow {
                        operation: "`count`".into(),
                    },
                    Some(span),
                )
            })?;
            if agg.function.node == AggregateFn::Count {
                continue;
            }
            let value = self.measure(agg, &inner, record, span)?;
            acc = Some(match acc {
                None => value,
                Some(so_far) => match agg.function.node {
                    AggregateFn::Sum => arith::add(&so_far, &value, span)?,
                    AggregateFn::Min => arith::min(so_far, value, span)?,
                    _ => arith::max(so_far, value, span)?,
                },
            });
        }
        let value = match (agg.function.node, acc) {
            (AggregateFn::Count, _) => Value::Int(count),
            (_, Some(v)) => v,
            (AggregateFn::Sum, None) => self.zero_of_measure(agg, kind, span)?,
            (function, None) => match &agg.fallback {
                Some(fallback) => self.value(fallback)?,
                None => {
                    return Err(EvalError::new(
                        EvalErrorKind::EmptyAggregate {
                            function: function.name().to_string(),
                        },
                        Some(span),
                    ));
                }
            },
        };
        Ok(Shown::plain(value, self.explain))
    }

    fn measure(
        &self,
        agg: &Aggregate,
        inner: &Scope<'_>,
        record: &Contribution,
        span: Span,
    ) -> Result<Value, EvalError> {
        match &agg.measure {
            Some(Measure::Field(field)) => {
                let kind = self.env.schema.kinds.get(record.kind);
                kind.and_then(|k| k.field_index(&field.node))
                    .and_then(|i| record.fields.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        EvalError::internal(format!("no field `{}`", field.node), Some(field.span))
                    })
            }
            Some(Measure::Expr(expr)) => inner.value(expr),
            None => Err(EvalError::internal(
                format!("`{}` needs something to measure", agg.function.node.name()),
                Some(span),
            )),
        }
    }

    /// What `sum` of no records is: the zero of the measured type, as the
    /// checker typed it.
    pub(crate) fn zero_of_measure(
        &self,
        agg: &Aggregate,
        kind: usize,
        span: Span,
    ) -> Result<Value, EvalError> {
        let ty = match &agg.measure {
            Some(Measure::Field(field)) => self
                .env
                .schema
                .kinds
                .get(kind)
                .and_then(|k| k.fields.iter().find(|f| f.name == field.node))
                .map(|f| &f.ty),
            Some(Measure::Expr(expr)) => self.env.schema.expr_types.of(expr),
            None => None,
        };
        ty.and_then(arith::zero_of).ok_or_else(|| {
            EvalError::internal("cannot tell the type of an empty `sum`", Some(span))
        })
    }

    /// `tiers X { up to B1: R1 ... above: RN }` ([`arith::tiers`]), and
    /// when explaining, each bracket's part times its rate.
    pub(crate) fn tiers(&self, tiers: &Tiers, span: Span) -> Result<Shown, EvalError> {
        let subject = self.eval(&tiers.subject)?;
        let x = &subject.value;
        let mut parts_text = Vec::new();
        let total = arith::tiers(
            x,
            tiers.brackets.len(),
            |i| match tiers.brackets.get(i) {
                Some(b) => self.value(&b.bound),
                None => Err(EvalError::internal("no such bracket", Some(span))),
            },
            |i, part| {
                let (rate_expr, at) = match i.and_then(|i| tiers.brackets.get(i)) {
                    Some(b) => (&b.rate, b.span),
                    None => (&*tiers.above, tiers.above_span),
                };
                if let Some(reached) = self.env.reached {
                    reached.mark(Mark::Bracket(at));
                }
                let rate = self.eval(rate_expr)?;
                if self.explain {
                    let (p, pp) = show::value(part);
                    parts_text.push(format!(
                        "{} × {}",
                        show::wrap(&p, pp, MUL),
                        rate.text_at(MUL + 1)
                    ));
                }
                Ok(rate.value)
            },
            span,
        )?;
        let text = self.explain.then(|| {
            let parts = if parts_text.is_empty() {
                show::value(&total).0
            } else {
                parts_text.join(" + ")
            };
            (format!("tiers {}: {parts}", show::value(x).0), TIERS)
        });
        Ok(Shown { value: total, text })
    }
}
