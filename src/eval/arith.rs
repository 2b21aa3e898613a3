//! Checked arithmetic on values: exact decimals, 64-bit integers that never
//! wrap, and the dimension rules of the language (`Money + Money`,
//! `Money * Decimal`, `Money / Money -> Decimal`, likewise for durations and
//! points).
//!
//! The checker guarantees the operand types; a mismatch here is reported as
//! an internal error, never a panic.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::eval::error::{EvalError, EvalErrorKind};
use crate::source::Span;
use crate::syntax::ast::RoundingMode;
use crate::types::units::Type;
use crate::value::{Money, Value};

/// A quantity split into its unit and its exact amount, so one code path
/// serves money, durations and points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Money(crate::types::units::Currency),
    Duration,
    Points,
}

fn quantity(v: &Value) -> Option<(Unit, Decimal)> {
    match v {
        Value::Money(m) => Some((Unit::Money(m.currency), m.amount)),
        Value::Duration(d) => Some((Unit::Duration, *d)),
        Value::Points(p) => Some((Unit::Points, *p)),
        _ => None,
    }
}

fn make(unit: Unit, amount: Decimal) -> Value {
    match unit {
        Unit::Money(c) => Value::Money(Money::new(amount, c)),
        Unit::Duration => Value::Duration(amount),
        Unit::Points => Value::Points(amount),
    }
}

/// A plain number as a decimal (Int or Decimal).
pub fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// The exact amount of a number or quantity, without its unit.
pub fn magnitude(v: &Value) -> Option<Decimal> {
    number(v).or_else(|| quantity(v).map(|(_, a)| a))
}

fn overflow(a: &Value, op: &str, b: &Value, span: Span) -> EvalError {
    EvalError::new(
        EvalErrorKind::Overflow {
            operation: format!("`{a} {op} {b}`"),
        },
        Some(span),
    )
}

fn mismatch(a: &Value, op: &str, b: &Value, span: Span) -> EvalError {
    EvalError::internal(
        format!("cannot compute `{}` {op} `{}`", a.ty(), b.ty()),
        Some(span),
    )
}

fn checked(
    result: Option<Decimal>,
    a: &Value,
    op: &str,
    b: &Value,
    span: Span,
) -> Result<Decimal, EvalError> {
    result.ok_or_else(|| overflow(a, op, b, span))
}

/// `a + b`.
pub fn add(a: &Value, b: &Value, span: Span) -> Result<Value, EvalError> {
    add_sub(a, b, span, false)
}

/// `a - b`.
pub fn sub(a: &Value, b: &Value, span: Span) -> Result<Value, EvalError> {
    add_sub(a, b, span, true)
}

fn add_sub(a: &Value, b: &Value, span: Span, minus: bool) -> Result<Value, EvalError> {
    let op = if minus { "-" } else { "+" };
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let r = if minus {
            x.checked_sub(*y)
        } else {
            x.checked_add(*y)
        };
        return r.map(Value::Int).ok_or_else(|| overflow(a, op, b, span));
    }
    let dec = |x: Decimal, y: Decimal| {
        if minus {
            x.checked_sub(y)
        } else {
            x.checked_add(y)
        }
    };
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return Ok(Value::Decimal(checked(dec(x, y), a, op, b, span)?));
    }
    match (quantity(a), quantity(b)) {
        (Some((ua, x)), Some((ub, y))) if ua == ub => {
            Ok(make(ua, checked(dec(x, y), a, op, b, span)?))
        }
        _ => Err(mismatch(a, op, b, span)),
    }
}

/// `a * b`; a number times a quantity commutes.
pub fn mul(a: &Value, b: &Value, span: Span) -> Result<Value, EvalError> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return x
            .checked_mul(*y)
            .map(Value::Int)
            .ok_or_else(|| overflow(a, "*", b, span));
    }
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return Ok(Value::Decimal(checked(x.checked_mul(y), a, "*", b, span)?));
    }
    match (quantity(a), quantity(b), number(a), number(b)) {
        (Some((u, x)), None, _, Some(y)) | (None, Some((u, y)), Some(x), _) => {
            Ok(make(u, checked(x.checked_mul(y), a, "*", b, span)?))
        }
        _ => Err(mismatch(a, "*", b, span)),
    }
}

/// `a / b`: a number or quantity divided by a number keeps its unit; a
/// quantity divided by the same quantity is a Decimal; `Int / Int` is an
/// exact Decimal.
pub fn div(a: &Value, b: &Value, span: Span) -> Result<Value, EvalError> {
    let divisor = match (quantity(a), quantity(b)) {
        (Some((ua, _)), Some((ub, y))) if ua == ub => y,
        (_, None) => number(b).ok_or_else(|| mismatch(a, "/", b, span))?,
        _ => return Err(mismatch(a, "/", b, span)),
    };
    if divisor.is_zero() {
        return Err(EvalError::new(EvalErrorKind::DivisionByZero, Some(span)));
    }
    match (quantity(a), quantity(b)) {
        (Some((_, x)), Some(_)) => Ok(Value::Decimal(checked(
            x.checked_div(divisor),
            a,
            "/",
            b,
            span,
        )?)),
        (Some((u, x)), None) => Ok(make(u, checked(x.checked_div(divisor), a, "/", b, span)?)),
        (None, _) => {
            let x = number(a).ok_or_else(|| mismatch(a, "/", b, span))?;
            Ok(Value::Decimal(checked(
                x.checked_div(divisor),
                a,
                "/",
                b,
                span,
            )?))
        }
    }
}

/// `-a`.
pub fn neg(a: &Value, span: Span) -> Result<Value, EvalError> {
    match a {
        Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::Overflow {
                    operation: format!("`-{i}`"),
                },
                Some(span),
            )
        }),
        Value::Decimal(d) => Ok(Value::Decimal(-*d)),
        other => match quantity(other) {
            Some((u, x)) => Ok(make(u, -x)),
            None => Err(EvalError::internal(
                format!("cannot negate `{}`", other.ty()),
                Some(span),
            )),
        },
    }
}

/// Orders two values of the same type (numbers compare across Int and
/// Decimal). Text orders by bytes, `false < true`.
pub fn compare(a: &Value, b: &Value, span: Span) -> Result<Ordering, EvalError> {
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return Ok(x.cmp(&y));
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Ok(x.as_bytes().cmp(y.as_bytes())),
        (Value::Timestamp(x), Value::Timestamp(y)) => Ok(x.cmp(y)),
        _ => match (quantity(a), quantity(b)) {
            (Some((ua, x)), Some((ub, y))) if ua == ub => Ok(x.cmp(&y)),
            _ => Err(EvalError::internal(
                format!("cannot compare `{}` with `{}`", a.ty(), b.ty()),
                Some(span),
            )),
        },
    }
}

/// The smaller of two values (the first on a tie).
pub fn min(a: Value, b: Value, span: Span) -> Result<Value, EvalError> {
    Ok(if compare(&b, &a, span)? == Ordering::Less {
        b
    } else {
        a
    })
}

/// The larger of two values (the first on a tie).
pub fn max(a: Value, b: Value, span: Span) -> Result<Value, EvalError> {
    Ok(if compare(&b, &a, span)? == Ordering::Greater {
        b
    } else {
        a
    })
}

/// `abs(x)`.
pub fn abs(a: &Value, span: Span) -> Result<Value, EvalError> {
    if magnitude(a).is_some_and(|m| m.is_sign_negative() && !m.is_zero()) {
        neg(a, span)
    } else {
        Ok(a.clone())
    }
}

/// How `round`, `floor` and `ceil` move to a whole unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToWhole {
    Round(RoundingMode),
    Floor,
    Ceil,
}

/// `round(x)`, `floor(x)`, `ceil(x)`: to a whole unit of x's type (a whole
/// currency unit, minute, point or number). Int values are already whole.
pub fn to_whole(a: &Value, how: ToWhole, span: Span) -> Result<Value, EvalError> {
    let whole = |d: Decimal| match how {
        ToWhole::Round(mode) => crate::eval::round::round_decimal(d, 0, mode),
        ToWhole::Floor => d.floor(),
        ToWhole::Ceil => d.ceil(),
    };
    match a {
        Value::Int(_) => Ok(a.clone()),
        Value::Decimal(d) => Ok(Value::Decimal(whole(*d))),
        other => match quantity(other) {
            Some((u, x)) => Ok(make(u, whole(x))),
            None => Err(EvalError::internal(
                format!("cannot round `{}`", other.ty()),
                Some(span),
            )),
        },
    }
}

/// The zero of a numeric or quantity type: what `sum` of no records is.
pub fn zero_of(ty: &Type) -> Option<Value> {
    match ty {
        Type::Int => Some(Value::Int(0)),
        Type::Decimal => Some(Value::Decimal(Decimal::ZERO)),
        Type::Duration => Some(Value::Duration(Decimal::ZERO)),
        Type::Points => Some(Value::Points(Decimal::ZERO)),
        Type::Money(c) => Some(Value::Money(Money::new(Decimal::ZERO, *c))),
        _ => None,
    }
}

/// The sign of a number or quantity: `Greater` if positive.
pub fn sign(v: &Value) -> Option<Ordering> {
    magnitude(v).map(|m| m.cmp(&Decimal::ZERO))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::types::units::Currency;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }
    fn eur(s: &str) -> Value {
        Value::Money(Money::new(d(s), Currency::from_code("EUR").unwrap()))
    }
    fn usd(s: &str) -> Value {
        Value::Money(Money::new(d(s), Currency::from_code("USD").unwrap()))
    }
    const S: Span = Span { start: 0, end: 0 };

    #[test]
    fn int_overflow_is_an_error() {
        let big = Value::Int(i64::MAX);
        let e = add(&big, &Value::Int(1), S).err().map(|e| e.kind);
        assert!(matches!(e, Some(EvalErrorKind::Overflow { .. })));
        assert!(mul(&big, &Value::Int(2), S).is_err());
        assert!(neg(&Value::Int(i64::MIN), S).is_err());
        assert!(sub(&Value::Int(i64::MIN), &Value::Int(1), S).is_err());
    }

    #[test]
    fn money_times_number_commutes() {
        let a = mul(&eur("0.02"), &Value::Int(120), S).ok();
        let b = mul(&Value::Int(120), &eur("0.02"), S).ok();
        assert_eq!(a, Some(eur("2.40")));
        assert_eq!(a, b);
        assert_eq!(
            mul(&eur("0.005"), &Value::Int(3), S).ok(),
            Some(eur("0.015"))
        );
    }

    #[test]
    fn dimensions() {
        assert_eq!(
            div(&eur("10"), &eur("4"), S).ok(),
            Some(Value::Decimal(d("2.5")))
        );
        assert_eq!(div(&eur("10"), &Value::Int(4), S).ok(), Some(eur("2.5")));
        assert_eq!(
            div(&Value::Int(1), &Value::Int(4), S).ok(),
            Some(Value::Decimal(d("0.25")))
        );
        assert!(add(&eur("1"), &usd("1"), S).is_err());
        assert!(add(&eur("1"), &Value::Points(d("1")), S).is_err());
        assert_eq!(
            add(&Value::Int(1), &Value::Decimal(d("0.5")), S).ok(),
            Some(Value::Decimal(d("1.5")))
        );
    }

    #[test]
    fn division_by_zero_is_an_error() {
        let e = div(&eur("1"), &Value::Int(0), S).err().map(|e| e.kind);
        assert_eq!(e, Some(EvalErrorKind::DivisionByZero));
        assert!(div(&eur("1"), &eur("0"), S).is_err());
    }

    #[test]
    fn whole_units() {
        let r = ToWhole::Round(RoundingMode::HalfEven);
        assert_eq!(to_whole(&eur("12.5"), r, S).ok(), Some(eur("12")));
        assert_eq!(
            to_whole(&eur("-12.5"), ToWhole::Floor, S).ok(),
            Some(eur("-13"))
        );
        assert_eq!(
            to_whole(&Value::Points(d("2.1")), ToWhole::Ceil, S).ok(),
            Some(Value::Points(d("3")))
        );
        assert_eq!(abs(&eur("-3"), S).ok(), Some(eur("3")));
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            compare(&Value::Int(2), &Value::Decimal(d("2.0")), S).ok(),
            Some(Ordering::Equal)
        );
        assert_eq!(compare(&eur("1"), &eur("2"), S).ok(), Some(Ordering::Less));
        assert!(compare(&eur("1"), &Value::Points(d("2")), S).is_err());
    }
}
