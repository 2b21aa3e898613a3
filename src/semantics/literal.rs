//! What a literal written in a policy means, once for the checker (which
//! orders tier bounds by it) and the evaluators.

use std::sync::Arc;

use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::semantics::arith;
use crate::semantics::error::EvalError;
use crate::semantics::period::local_midnight;
use crate::source::Span;
use crate::syntax::ast::{DurationUnit, Literal};
use crate::units::Currency;
use crate::value::{Money, Value};

/// The value of `literal`: `5%` is `0.05`, `2h` is 120 minutes, a date is
/// its local midnight in `tz`, the policy's zone.
pub fn literal_value(literal: &Literal, tz: Tz, span: Span) -> Result<Value, EvalError> {
    Ok(match literal {
        Literal::Int(i) => Value::Int(*i),
        Literal::Decimal(d) => Value::Decimal(*d),
        Literal::Percent(p) => arith::div(
            &Value::Decimal(*p),
            &Value::Decimal(Decimal::ONE_HUNDRED),
            span,
        )?,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Text(t) => Value::Text(Arc::from(t.as_str())),
        Literal::Money { amount, currency } => {
            let currency = Currency::from_code(currency).ok_or_else(|| {
                EvalError::internal(format!("unknown currency `{currency}`"), Some(span))
            })?;
            Value::Money(Money::new(*amount, currency))
        }
        Literal::Duration { amount, unit } => match unit {
            DurationUnit::Minutes => Value::Duration(*amount),
            DurationUnit::Hours => arith::mul(&Value::Duration(*amount), &Value::Int(60), span)?,
        },
        Literal::Points(p) => Value::Points(*p),
        Literal::Date(d) => Value::Timestamp(local_midnight(*d, tz)),
        Literal::Timestamp(t) => Value::Timestamp(t.with_timezone(&chrono::Utc)),
    })
}
