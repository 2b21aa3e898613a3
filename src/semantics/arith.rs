//! Checked arithmetic on values: exact decimals, 64-bit integers that never
//! wrap, and the dimension rules of the language (`Money + Money`,
//! `Money * Decimal`, `Money / Money -> Decimal`, likewise for durations and
//! points).
//!
//! The checker guarantees the operand types; a mismatch here is reported as
//! an internal error, never a panic.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::fraction::{Fraction, Rounding};
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::source::Span;
use crate::syntax::ast::RoundingMode;
use crate::units::Type;
use crate::value::{Exact, Money, Unit, Value};

/// An exact amount: a decimal, or a fraction when the decimal would not be
/// exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    Decimal(Decimal),
    Fraction(Fraction),
}

impl Amount {
    /// The amount as a fraction (exact for every decimal).
    pub fn fraction(self) -> Fraction {
        match self {
            Amount::Decimal(d) => Fraction::from_decimal(d),
            Amount::Fraction(f) => f,
        }
    }

    fn cmp(self, other: Amount) -> Ordering {
        match (self, other) {
            (Amount::Decimal(a), Amount::Decimal(b)) => a.cmp(&b),
            (a, b) => a.fraction().cmp(&b.fraction()),
        }
    }

    fn signum(self) -> Ordering {
        match self {
            Amount::Decimal(d) if d.is_zero() => Ordering::Equal,
            Amount::Decimal(d) if d.is_sign_negative() => Ordering::Less,
            Amount::Decimal(_) => Ordering::Greater,
            Amount::Fraction(f) => f.signum(),
        }
    }
}

/// A number or quantity split into its unit and its exact amount.
fn quantity(v: &Value) -> Option<(Unit, Amount)> {
    match v {
        Value::Money(m) => Some((Unit::Money(m.currency), Amount::Decimal(m.amount))),
        Value::Duration(d) => Some((Unit::Duration, Amount::Decimal(*d))),
        Value::Points(p) => Some((Unit::Points, Amount::Decimal(*p))),
        Value::Exact(e) if e.unit != Unit::Number => Some((e.unit, Amount::Fraction(e.fraction))),
        _ => None,
    }
}

/// A plain number (Int, Decimal or an exact fraction of a number).
fn number_amount(v: &Value) -> Option<Amount> {
    match v {
        Value::Int(i) => Some(Amount::Decimal(Decimal::from(*i))),
        Value::Decimal(d) => Some(Amount::Decimal(*d)),
        Value::Exact(e) if e.unit == Unit::Number => Some(Amount::Fraction(e.fraction)),
        _ => None,
    }
}

/// The largest magnitude an intermediate value may have: a `Decimal`'s.
const LIMIT: u128 = (1 << 96) - 1;

/// `amount` as a value of `unit`: a decimal when it has one, else an exact
/// fraction; `None` beyond what a `Decimal` holds in magnitude.
pub fn make(unit: Unit, amount: Amount) -> Option<Value> {
    match amount {
        Amount::Decimal(d) => Some(unit.of(d)),
        Amount::Fraction(f) => match f.to_decimal() {
            Some(d) => Some(unit.of(d)),
            None if f.whole_magnitude() <= LIMIT => Some(Value::Exact(Exact { unit, fraction: f })),
            None => None,
        },
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
pub fn amount(v: &Value) -> Option<Amount> {
    number_amount(v).or_else(|| quantity(v).map(|(_, a)| a))
}

/// The decimal amount of a number or quantity, without its unit (`None`
/// for an exact fraction).
pub fn magnitude(v: &Value) -> Option<Decimal> {
    match amount(v)? {
        Amount::Decimal(d) => Some(d),
        Amount::Fraction(_) => None,
    }
}

/// The exact amount of a number or quantity as a fraction (a pool's score).
pub fn fraction(v: &Value) -> Option<Fraction> {
    amount(v).map(Amount::fraction)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// `x OP y` exactly: with decimals when their result is exact (checked by
/// its scale, or for a quotient by multiplying back), else with fractions.
/// `None` when the exact result does not fit 128-bit fractions.
fn exact(x: Amount, op: Op, y: Amount) -> Option<Amount> {
    if let (Amount::Decimal(a), Amount::Decimal(b)) = (x, y)
        && let Some(r) = decimal_op(a, op, b)
    {
        return Some(Amount::Decimal(r));
    }
    let (a, b) = (x.fraction(), y.fraction());
    Some(Amount::Fraction(match op {
        Op::Add => a.checked_add(&b)?,
        Op::Sub => a.checked_sub(&b)?,
        Op::Mul => a.checked_mul(&b)?,
        Op::Div => a.checked_div(&b)?,
    }))
}

/// `a OP b` in decimals when the decimal result is exact; `None` when it
/// is not (or does not fit), and fractions must compute it.
fn decimal_op(a: Decimal, op: Op, b: Decimal) -> Option<Decimal> {
    match op {
        // rust_decimal keeps the larger scale (sum) or the sum of scales
        // (product) unless it had to round.
        Op::Add => a
            .checked_add(b)
            .filter(|r| r.scale() == a.scale().max(b.scale())),
        Op::Sub => a
            .checked_sub(b)
            .filter(|r| r.scale() == a.scale().max(b.scale())),
        Op::Mul => a
            .checked_mul(b)
            .filter(|r| r.scale() == a.scale() + b.scale()),
        Op::Div => a
            .checked_div(b)
            .filter(|q| decimal_op(*q, Op::Mul, b) == Some(a)),
    }
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

/// `x OP y` in `unit`, exactly, or an overflow error.
fn checked(
    unit: Unit,
    x: Amount,
    op: Op,
    y: Amount,
    (a, symbol, b, span): (&Value, &str, &Value, Span),
) -> Result<Value, EvalError> {
    exact(x, op, y)
        .and_then(|r| make(unit, r))
        .ok_or_else(|| overflow(a, symbol, b, span))
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
    let (symbol, op) = if minus {
        ("-", Op::Sub)
    } else {
        ("+", Op::Add)
    };
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let r = if minus {
            x.checked_sub(*y)
        } else {
            x.checked_add(*y)
        };
        return r
            .map(Value::Int)
            .ok_or_else(|| overflow(a, symbol, b, span));
    }
    let at = (a, symbol, b, span);
    if let (Some(x), Some(y)) = (number_amount(a), number_amount(b)) {
        return checked(Unit::Number, x, op, y, at);
    }
    match (quantity(a), quantity(b)) {
        (Some((ua, x)), Some((ub, y))) if ua == ub => checked(ua, x, op, y, at),
        _ => Err(mismatch(a, symbol, b, span)),
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
    let at = (a, "*", b, span);
    if let (Some(x), Some(y)) = (number_amount(a), number_amount(b)) {
        return checked(Unit::Number, x, Op::Mul, y, at);
    }
    match (quantity(a), quantity(b), number_amount(a), number_amount(b)) {
        (Some((u, x)), None, _, Some(y)) | (None, Some((u, y)), Some(x), _) => {
            checked(u, x, Op::Mul, y, at)
        }
        _ => Err(mismatch(a, "*", b, span)),
    }
}

/// `a / b`: a number or quantity divided by a number keeps its unit; a
/// quantity divided by the same quantity is a number; `Int / Int` is an
/// exact number. A quotient without an exact decimal is an exact fraction.
pub fn div(a: &Value, b: &Value, span: Span) -> Result<Value, EvalError> {
    let (unit, x, y) = match (quantity(a), quantity(b)) {
        (Some((ua, x)), Some((ub, y))) if ua == ub => (Unit::Number, x, y),
        (Some((u, x)), None) => (
            u,
            x,
            number_amount(b).ok_or_else(|| mismatch(a, "/", b, span))?,
        ),
        (None, None) => (
            Unit::Number,
            number_amount(a).ok_or_else(|| mismatch(a, "/", b, span))?,
            number_amount(b).ok_or_else(|| mismatch(a, "/", b, span))?,
        ),
        _ => return Err(mismatch(a, "/", b, span)),
    };
    if y.signum() == Ordering::Equal {
        return Err(EvalError::new(EvalErrorKind::DivisionByZero, Some(span)));
    }
    checked(unit, x, Op::Div, y, (a, "/", b, span))
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
        other => match amount(other) {
            Some(x) => {
                let negated = match x {
                    Amount::Decimal(d) => Some(Amount::Decimal(-d)),
                    Amount::Fraction(f) => f.checked_neg().map(Amount::Fraction),
                };
                negated
                    .and_then(|n| make(unit_of(other), n))
                    .ok_or_else(|| {
                        EvalError::new(
                            EvalErrorKind::Overflow {
                                operation: format!("`-{other}`"),
                            },
                            Some(span),
                        )
                    })
            }
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
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x.cmp(y));
    }
    if let (Some(x), Some(y)) = (number_amount(a), number_amount(b)) {
        return Ok(x.cmp(y));
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Ok(x.as_bytes().cmp(y.as_bytes())),
        (Value::Timestamp(x), Value::Timestamp(y)) => Ok(x.cmp(y)),
        _ => match (quantity(a), quantity(b)) {
            (Some((ua, x)), Some((ub, y))) if ua == ub => Ok(x.cmp(y)),
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
    if sign(a) == Some(Ordering::Less) {
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
    let rounding = match how {
        ToWhole::Round(RoundingMode::HalfEven) => Rounding::HalfEven,
        ToWhole::Round(RoundingMode::HalfUp) => Rounding::HalfUp,
        ToWhole::Floor => Rounding::Floor,
        ToWhole::Ceil => Rounding::Ceil,
    };
    match (a, amount(a)) {
        (Value::Int(_), _) => Ok(a.clone()),
        (_, Some(x)) => x
            .fraction()
            .round(0, rounding)
            .map(|whole| unit_of(a).of(whole))
            .ok_or_else(|| {
                EvalError::new(
                    EvalErrorKind::Overflow {
                        operation: format!("rounding `{a}`"),
                    },
                    Some(span),
                )
            }),
        _ => Err(EvalError::internal(
            format!("cannot round `{}`", a.ty()),
            Some(span),
        )),
    }
}

/// The unit of a number or quantity (plain numbers: [`Unit::Number`]).
pub fn unit_of(v: &Value) -> Unit {
    quantity(v).map_or(Unit::Number, |(u, _)| u)
}

/// The part of `x` in the `tiers` bracket above `lower` and up to `upper`
/// (none: the last bracket), when positive: `min(x, upper) − lower`. Both
/// evaluators' `tiers` use it. A subject at or below `lower` has no part
/// whatever the bounds, so a negative subject earns nothing (and never
/// meets an overflow from a huge bound).
pub fn bracket_part(
    x: &Value,
    lower: &Value,
    upper: Option<&Value>,
    span: Span,
) -> Result<Option<Value>, EvalError> {
    if compare(x, lower, span)? != Ordering::Greater {
        return Ok(None);
    }
    let top = match upper {
        Some(u) => min(x.clone(), u.clone(), span)?,
        None => x.clone(),
    };
    let part = sub(&top, lower, span)?;
    Ok((sign(&part) == Some(Ordering::Greater)).then_some(part))
}

/// Marginal `tiers X { up to B1: R1 ... above: RN }` (LANGUAGE.md §3):
/// the part of `x` in each bracket times that bracket's rate, summed; the
/// first bracket starts at zero, so `x <= 0` gives zero. The evaluators
/// differ only in how they read a bound and a rate: `bound(i)` gives
/// bracket `i`'s upper bound, `rate(i, part)` the rate of bracket `i`
/// (`None` for `above`), asked only of a bracket that holds a part; both
/// are called in bracket order, each bound before its rate.
pub fn tiers(
    x: &Value,
    brackets: usize,
    mut bound: impl FnMut(usize) -> Result<Value, EvalError>,
    mut rate: impl FnMut(Option<usize>, &Value) -> Result<Value, EvalError>,
    span: Span,
) -> Result<Value, EvalError> {
    let zero = zero_of(&x.ty())
        .ok_or_else(|| EvalError::internal(format!("cannot tier `{}`", x.ty()), Some(span)))?;
    let mut lower = zero.clone();
    let mut total = zero;
    for index in 0..=brackets {
        let upper = match index < brackets {
            true => Some(bound(index)?),
            false => None,
        };
        if let Some(part) = bracket_part(x, &lower, upper.as_ref(), span)? {
            let rate = rate((index < brackets).then_some(index), &part)?;
            total = add(&total, &mul(&part, &rate, span)?, span)?;
        }
        if let Some(u) = upper {
            lower = max(lower, u, span)?;
        }
    }
    Ok(total)
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
    amount(v).map(Amount::signum)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::fraction::Fraction;
    use crate::units::Currency;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }
    fn eur(s: &str) -> Value {
        Value::Money(Money::new(d(s), Currency::from_code("EUR").unwrap()))
    }
    fn usd(s: &str) -> Value {
        Value::Money(Money::new(d(s), Currency::from_code("USD").unwrap()))
    }
    const S: Span = Span::NOWHERE;

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

    fn any_decimal() -> impl proptest::strategy::Strategy<Value = Decimal> {
        use proptest::prelude::*;
        (any::<i128>(), 0u32..=28).prop_map(|(m, scale)| {
            let m = m % (1i128 << 96);
            Decimal::try_from_i128_with_scale(m, scale).unwrap_or_default()
        })
    }

    proptest::proptest! {
        /// Where decimals are trusted (their result's scale says nothing was
        /// rounded), they agree with exact fractions.
        #[test]
        fn decimal_results_are_exact(a in any_decimal(), b in any_decimal()) {
            let (x, y) = (Fraction::from_decimal(a), Fraction::from_decimal(b));
            for (op, exact) in [
                (Op::Add, x.checked_add(&y)),
                (Op::Sub, x.checked_sub(&y)),
                (Op::Mul, x.checked_mul(&y)),
                (Op::Div, x.checked_div(&y)),
            ] {
                if let Some(r) = decimal_op(a, op, b) {
                    proptest::prop_assert_eq!(Some(Fraction::from_decimal(r)), exact, "{:?} {} {}", op, a, b);
                }
            }
        }

        /// Small decimals never need fractions except for a quotient.
        #[test]
        fn small_decimals_stay_decimals(m in -1_000_000_000i64..1_000_000_000, n in -1_000_000i64..1_000_000, s in 0u32..6, t in 0u32..6) {
            let (a, b) = (Decimal::new(m, s), Decimal::new(n, t));
            proptest::prop_assert!(decimal_op(a, Op::Add, b).is_some());
            proptest::prop_assert!(decimal_op(a, Op::Sub, b).is_some());
            proptest::prop_assert!(decimal_op(a, Op::Mul, b).is_some());
        }
    }

    #[test]
    fn quotients_are_exact_fractions() {
        let third = div(&eur("0.005"), &Value::Int(3), S).unwrap();
        assert!(matches!(third, Value::Exact(_)));
        assert_eq!(third.to_string(), "0.0016666666… EUR");
        assert_eq!(
            serde_json::to_string(&third).ok().as_deref(),
            Some(r#"{"amount":"1/600","unit":"EUR"}"#)
        );
        let tiny = div(&Value::Int(1), &Value::Decimal(d("3000000000000000")), S).unwrap();
        assert_eq!(tiny.to_string(), "0.0000000000000003333333333…");
        assert_eq!(mul(&third, &Value::Int(3), S).ok(), Some(eur("0.005")));
        let one_third = div(&Value::Int(1), &Value::Int(3), S).unwrap();
        let sum = add(&add(&one_third, &one_third, S).unwrap(), &one_third, S).unwrap();
        assert_eq!(sum, Value::Decimal(d("1")));
        assert_eq!(
            compare(
                &one_third,
                &Value::Decimal(d("0.3333333333333333333333333333")),
                S
            )
            .ok(),
            Some(Ordering::Greater)
        );
        assert_eq!(
            to_whole(
                &div(&eur("-7"), &Value::Int(3), S).unwrap(),
                ToWhole::Floor,
                S
            )
            .ok(),
            Some(eur("-3"))
        );
        // Too large to hold exactly: an overflow, never a rounded number.
        let huge = Value::Decimal(Decimal::MAX);
        assert!(add(&huge, &Value::Int(1), S).is_err());
        assert!(mul(&huge, &one_third, S).is_ok());
        assert!(matches!(
            mul(
                &Value::Decimal(d("0.0000000000000001")),
                &Value::Decimal(d("0.0000000000000001")),
                S
            ),
            Ok(Value::Exact(_))
        ));
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
