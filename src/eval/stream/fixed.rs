//! Fixed-point numbers for the streaming hot path: every number, amount of
//! money, points or minutes as an `i128` count of `10^-digits`, the scale
//! chosen once per policy (at least the currency's minor digits, ten places
//! with a points or duration account, and every literal's decimals).
//!
//! Exactness is the contract, never approximation: an operation whose exact
//! result is not a whole count of `10^-digits` (a product with more digits,
//! a division that does not terminate within the scale), or whose magnitude reaches `2^96` (the largest mantissa a
//! `rust_decimal::Decimal` holds, so every fixed value is also an exact
//! decimal and the exact path would give the same value), returns `None`
//! and the caller computes with exact decimals instead. The dimension rules
//! are [`crate::semantics::arith`]'s; anything else is `None` too.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::semantics::round::FINE_DIGITS;
use crate::syntax::ast::RoundingMode;
use crate::units::Currency;
use crate::value::{Money, Value};

/// The largest scale: `i64::MAX × 10^18` still fits in an `i128`.
pub const MAX_DIGITS: u32 = 18;

/// Magnitudes stay below this: every fixed value is an exact `Decimal`.
const BOUND: i128 = 1 << 96;

/// What a fixed-point number counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Int,
    Decimal,
    Money(Currency),
    Duration,
    Points,
}

impl Unit {
    fn is_number(self) -> bool {
        matches!(self, Unit::Int | Unit::Decimal)
    }
}

/// A number or quantity in counts of `10^-digits`; a whole number (`Int`)
/// is kept as itself, so that multiplying by it needs no division.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fx {
    pub unit: Unit,
    pub v: i128,
}

/// The policy's scale.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    digits: u32,
    one: i128,
}

/// `10^n` for `n <= MAX_DIGITS`.
const POW10: [i128; MAX_DIGITS as usize + 1] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
];

fn pow10(n: u32) -> Option<i128> {
    POW10.get(n as usize).copied()
}

fn bounded(v: i128) -> Option<i128> {
    (v > -BOUND && v < BOUND).then_some(v)
}

impl Scale {
    /// A scale of `digits` decimals, `None` above [`MAX_DIGITS`].
    pub fn new(digits: u32) -> Option<Scale> {
        (digits <= MAX_DIGITS).then_some(Scale {
            digits,
            one: pow10(digits)?,
        })
    }

    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// `d` in counts, when it has at most `digits` decimals.
    pub fn count(&self, d: Decimal) -> Option<i128> {
        let scale = d.scale();
        let up = pow10(self.digits.checked_sub(scale)?)?;
        bounded(d.mantissa().checked_mul(up)?)
    }

    /// A value as a fixed-point number, when it is a number or quantity
    /// that fits.
    pub fn of(&self, value: &Value) -> Option<Fx> {
        let (unit, v) = match value {
            Value::Int(i) => {
                return Some(Fx {
                    unit: Unit::Int,
                    v: i128::from(*i),
                });
            }
            Value::Decimal(d) => (Unit::Decimal, self.count(*d)?),
            Value::Money(m) => (Unit::Money(m.currency), self.count(m.amount)?),
            Value::Duration(d) => (Unit::Duration, self.count(*d)?),
            Value::Points(p) => (Unit::Points, self.count(*p)?),
            _ => return None,
        };
        Some(Fx {
            unit,
            v: bounded(v)?,
        })
    }

    /// The value of `x`: money with exactly its currency's minor digits (rounded
    /// grants and their sums are whole counts of them; anything else is
    /// `None`), other decimals with no trailing zeros; `None` if it does not
    /// fit.
    pub fn value(&self, x: Fx) -> Option<Value> {
        // Most values fit in 64 bits, where dividing is a multiplication
        // (128-bit division is a call): the same values, found faster.
        if let Ok(v) = i64::try_from(x.v)
            && let Some(value) = self.value_of_small(v, x.unit)
        {
            return Some(value);
        }
        self.value_in_general(x)
    }

    /// [`Scale::value`], for any value that fits.
    fn value_in_general(&self, x: Fx) -> Option<Value> {
        let exact = |v: i128, digits: u32| Decimal::try_from_i128_with_scale(v, digits).ok();
        Some(match x.unit {
            Unit::Int => Value::Int(i64::try_from(x.v).ok()?),
            Unit::Decimal => Value::Decimal(exact(x.v, self.digits)?.normalize()),
            Unit::Duration => Value::Duration(exact(x.v, self.digits)?.normalize()),
            Unit::Points => Value::Points(exact(x.v, self.digits)?.normalize()),
            Unit::Money(c) => {
                let minor = c.minor_digits();
                // Not a whole count of minor units: the exact path would
                // keep more digits, so the caller steps aside.
                let q = pow10(self.digits.checked_sub(minor)?)?;
                if x.v % q != 0 {
                    return None;
                }
                let amount = exact(x.v / q, minor)?;
                Value::Money(Money::new(amount, c))
            }
        })
    }

    /// [`Scale::value`] of a value that fits in 64 bits; `None` to take
    /// the general way.
    fn value_of_small(&self, v: i64, unit: Unit) -> Option<Value> {
        // Trailing zeros dropped as `normalize` drops them (zero has none).
        let normalized = || {
            let (mut v, mut digits) = (v, self.digits);
            if v == 0 {
                digits = 0;
            }
            while digits > 0 && v % 10 == 0 {
                v /= 10;
                digits -= 1;
            }
            Decimal::try_from_i128_with_scale(i128::from(v), digits).ok()
        };
        Some(match unit {
            Unit::Int => Value::Int(v),
            Unit::Decimal => Value::Decimal(normalized()?),
            Unit::Duration => Value::Duration(normalized()?),
            Unit::Points => Value::Points(normalized()?),
            Unit::Money(c) => {
                let q = i64::try_from(pow10(self.digits.checked_sub(c.minor_digits())?)?).ok()?;
                if v % q != 0 {
                    return None;
                }
                let amount =
                    Decimal::try_from_i128_with_scale(i128::from(v / q), c.minor_digits()).ok()?;
                Value::Money(Money::new(amount, c))
            }
        })
    }

    /// A whole number in counts (for mixing it with decimals).
    fn counts(&self, x: Fx) -> Option<i128> {
        if x.unit == Unit::Int {
            x.v.checked_mul(self.one)
        } else {
            Some(x.v)
        }
    }

    /// `a + b` (`minus`: `a - b`).
    pub fn add(&self, a: Fx, b: Fx, minus: bool) -> Option<Fx> {
        let (unit, x, y) = match (a.unit, b.unit) {
            (Unit::Int, Unit::Int) => (Unit::Int, a.v, b.v),
            (x, y) if x.is_number() && y.is_number() => {
                (Unit::Decimal, self.counts(a)?, self.counts(b)?)
            }
            (x, y) if x == y => (x, a.v, b.v),
            _ => return None,
        };
        let v = if minus {
            x.checked_sub(y)?
        } else {
            x.checked_add(y)?
        };
        made(unit, v)
    }

    /// `a * b`: numbers, or a quantity and a number either way round.
    pub fn mul(&self, a: Fx, b: Fx) -> Option<Fx> {
        let unit = match (a.unit, b.unit) {
            (Unit::Int, Unit::Int) => Unit::Int,
            (x, y) if x.is_number() && y.is_number() => Unit::Decimal,
            (q, n) | (n, q) if n.is_number() && !q.is_number() => q,
            _ => return None,
        };
        let p = product(a.v, b.v)?;
        // A whole number multiplies without a division.
        let v = if a.unit == Unit::Int || b.unit == Unit::Int {
            p
        } else {
            self.unscale(p)?
        };
        made(unit, v)
    }

    /// `p / 10^digits` when it is exact, in 64 bits when it fits.
    fn unscale(&self, p: i128) -> Option<i128> {
        let q = if let (Ok(p), Ok(one)) = (i64::try_from(p), i64::try_from(self.one)) {
            i128::from(p / one)
        } else {
            p / self.one
        };
        (q * self.one == p).then_some(q)
    }

    /// `-a`.
    pub fn neg(&self, a: Fx) -> Option<Fx> {
        made(a.unit, a.v.checked_neg()?)
    }

    /// The order of two numbers (Int and Decimal compare) or quantities.
    pub fn compare(&self, a: Fx, b: Fx) -> Option<Ordering> {
        if a.unit == b.unit {
            Some(a.v.cmp(&b.v))
        } else if a.unit.is_number() && b.unit.is_number() {
            Some(self.counts(a)?.cmp(&self.counts(b)?))
        } else {
            None
        }
    }

    /// The zero of `a`'s unit.
    pub fn zero(unit: Unit) -> Fx {
        Fx { unit, v: 0 }
    }

    /// `a / b` when the quotient is a whole count of `10^-digits` (else
    /// `None`, and the exact path keeps the fraction): a quantity divided
    /// by a number keeps its unit, a quantity by the same quantity or a
    /// number by a number is a Decimal. `None` for a zero divisor (the
    /// exact path reports it).
    pub fn div(&self, a: Fx, b: Fx) -> Option<Fx> {
        let unit = match (a.unit, b.unit) {
            (x, y) if x.is_number() && y.is_number() => Unit::Decimal,
            (q, n) if n.is_number() => q,
            (x, y) if x == y => Unit::Decimal,
            _ => return None,
        };
        let (x, y) = (self.counts(a)?, self.counts(b)?);
        if y == 0 {
            return None;
        }
        let scaled = x.checked_mul(self.one)?;
        (scaled % y == 0)
            .then(|| scaled / y)
            .and_then(|v| made(unit, v))
    }

    /// A grant rounded as [`crate::semantics::round::round_grant`] rounds it:
    /// money to its currency's minor unit, half-even or half-up, symmetric
    /// for negative amounts; points and durations half-even to ten places
    /// when the scale has more. Whole numbers unchanged.
    pub fn round_grant(&self, x: Fx, mode: RoundingMode) -> Option<Fx> {
        let (keep, mode) = match x.unit {
            Unit::Money(c) => (c.minor_digits(), mode),
            Unit::Int => return Some(x),
            _ => (FINE_DIGITS, RoundingMode::HalfEven),
        };
        let Some(drop) = self.digits.checked_sub(keep) else {
            // Money with more minor digits than the scale: not a case the
            // fast path takes; anything else is already fine enough.
            return (!matches!(x.unit, Unit::Money(_))).then_some(x);
        };
        let q = pow10(drop)?;
        let r = x.v % q;
        if r == 0 {
            return Some(x);
        }
        let toward_zero = x.v - r;
        let twice = r.unsigned_abs() * 2;
        let away = match twice.cmp(&q.unsigned_abs()) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => match mode {
                RoundingMode::HalfUp => true,
                RoundingMode::HalfEven => (toward_zero / q) % 2 != 0,
            },
        };
        let v = if away {
            toward_zero.checked_add(if x.v < 0 { -q } else { q })?
        } else {
            toward_zero
        };
        made(x.unit, v)
    }
}

/// `a × b`, without the 128-bit overflow check when both fit in 64 bits.
fn product(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// `v` as a number of `unit`, when it stays in range: below `2^96` counts,
/// and whole numbers in 64 bits (beyond, the exact path reports it).
fn made(unit: Unit, v: i128) -> Option<Fx> {
    let v = bounded(v)?;
    if unit == Unit::Int {
        i64::try_from(v).ok()?;
    }
    Some(Fx { unit, v })
}

/// The scale for a policy whose constants are `constants`: the most
/// decimals among them and `currencies` (the accounts' digits: minor digits,
/// ten for points and durations), at least 9 (so that
/// the log's values usually fit), `None` beyond [`MAX_DIGITS`].
pub fn scale_for<'v>(
    constants: impl Iterator<Item = &'v Value>,
    currencies: &[u32],
) -> Option<Scale> {
    let mut digits = 9u32;
    for d in currencies {
        digits = digits.max(*d);
    }
    for value in constants {
        let scale = match value {
            Value::Decimal(d) | Value::Duration(d) | Value::Points(d) => d.scale(),
            Value::Money(m) => m.amount.scale(),
            _ => 0,
        };
        digits = digits.max(scale);
    }
    Scale::new(digits)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;
    use crate::semantics::arith;
    use crate::source::Span;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn money(s: &str) -> Value {
        Value::Money(Money::new(d(s), eur()))
    }

    /// `x` as an exact value, whatever its digits (unlike [`Scale::value`]).
    fn exact(s: &Scale, x: Fx) -> Value {
        let amount = Decimal::from_i128_with_scale(x.v, s.digits);
        match x.unit {
            Unit::Int => Value::Int(i64::try_from(x.v).unwrap()),
            Unit::Decimal => Value::Decimal(amount),
            Unit::Money(c) => Value::Money(Money::new(amount, c)),
            Unit::Duration => Value::Duration(amount),
            Unit::Points => Value::Points(amount),
        }
    }

    fn same(a: &Value, b: &Value) -> bool {
        a.ty() == b.ty() && arith::compare(a, b, Span::NOWHERE) == Ok(Ordering::Equal)
    }

    fn round(s: &Scale, amount: &str, mode: RoundingMode) -> String {
        let x = s.of(&money(amount)).unwrap();
        match s.value(s.round_grant(x, mode).unwrap()).unwrap() {
            Value::Money(m) => crate::value::money_digits(&m),
            other => other.to_string(),
        }
    }

    #[test]
    fn ties_round_like_the_exact_path_in_both_signs() {
        let s = Scale::new(9).unwrap();
        for (amount, even, up) in [
            ("0.125", "0.12", "0.13"),
            ("-0.125", "-0.12", "-0.13"),
            ("0.135", "0.14", "0.14"),
            ("-0.135", "-0.14", "-0.14"),
            ("-1.245", "-1.24", "-1.25"),
            ("-1.255", "-1.26", "-1.26"),
            ("0.005", "0.00", "0.01"),
            ("-0.005", "0.00", "-0.01"),
            ("-0.004", "0.00", "0.00"),
            ("0.1251", "0.13", "0.13"),
            ("7.4", "7.40", "7.40"),
        ] {
            assert_eq!(round(&s, amount, RoundingMode::HalfEven), even, "{amount}");
            assert_eq!(round(&s, amount, RoundingMode::HalfUp), up, "{amount}");
        }
    }

    #[test]
    fn more_digits_than_the_scale_is_left_to_the_exact_path() {
        let s = Scale::new(9).unwrap();
        // 0.123456789 × 0.1 needs ten decimals.
        let a = s.of(&Value::Decimal(d("0.123456789"))).unwrap();
        let b = s.of(&Value::Decimal(d("0.1"))).unwrap();
        assert_eq!(s.mul(a, b), None);
        assert_eq!(s.of(&Value::Decimal(d("0.0123456789"))), None);
        // Money that is not a whole count of cents has no fixed total.
        assert_eq!(s.value(s.of(&money("0.001")).unwrap()), None);
    }

    #[test]
    fn overflow_is_left_to_the_exact_path() {
        let s = Scale::new(9).unwrap();
        let big = s.of(&money("50000000000000000000")).unwrap();
        assert_eq!(s.add(big, big, false), None);
        assert_eq!(s.mul(big, s.of(&Value::Int(1_000_000_000)).unwrap()), None);
        let max = s.of(&Value::Int(i64::MAX)).unwrap();
        assert_eq!(s.add(max, s.of(&Value::Int(1)).unwrap(), false), None);
        assert_eq!(s.mul(max, max), None);
        assert_eq!(s.of(&Value::Decimal(Decimal::MAX)), None);
        assert_eq!(Scale::new(MAX_DIGITS + 1).map(|s| s.digits()), None);
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        (-1_000_000_000_000i64..1_000_000_000_000, 0u32..=6)
            .prop_map(|(m, scale)| Decimal::new(m, scale))
    }

    fn operand() -> impl Strategy<Value = Value> {
        prop_oneof![
            (-1_000_000i64..1_000_000).prop_map(Value::Int),
            decimal().prop_map(Value::Decimal),
            decimal().prop_map(|a| Value::Money(Money::new(a, eur()))),
            decimal().prop_map(Value::Points),
        ]
    }

    proptest! {
        /// The 64-bit way gives what the general way gives, value for value.
        #[test]
        fn small_values_are_the_values_of_the_general_way(
            v in any::<i64>(),
            digits in 2u32..=18,
            unit in 0usize..5,
        ) {
            let scale = Scale::new(digits).unwrap();
            let unit = [Unit::Int, Unit::Decimal, Unit::Duration, Unit::Points, Unit::Money(eur())][unit];
            let x = Fx { v: i128::from(v), unit };
            prop_assert_eq!(scale.value(x), scale.value_in_general(x));
            let round = Fx { v: i128::from(v / 10_000_000 * 10_000_000), unit };
            prop_assert_eq!(scale.value(round), scale.value_in_general(round));
        }
    }

    proptest! {
        /// Whatever the fixed point computes is what the exact path computes;
        /// where it cannot, it says so rather than guess.
        #[test]
        fn fixed_point_equals_exact_decimals(a in operand(), b in operand(), digits in 6u32..=12) {
            let s = Scale::new(digits).unwrap();
            let (Some(x), Some(y)) = (s.of(&a), s.of(&b)) else {
                return Ok(());
            };
            let span = Span::NOWHERE;
            let cases = [
                (s.add(x, y, false), arith::add(&a, &b, span)),
                (s.add(x, y, true), arith::sub(&a, &b, span)),
                (s.mul(x, y), arith::mul(&a, &b, span)),
                (s.div(x, y), arith::div(&a, &b, span)),
                (s.neg(x), arith::neg(&a, span)),
            ];
            for (fixed, exact_result) in cases {
                if let Some(f) = fixed {
                    let e = exact_result.unwrap();
                    prop_assert!(same(&exact(&s, f), &e), "{:?} vs {}", f, e);
                }
            }
            if let (Some(o), Ok(e)) = (s.compare(x, y), arith::compare(&a, &b, span)) {
                prop_assert_eq!(o, e);
            }
        }

        /// Money grants round on the integers exactly as on decimals, to
        /// the same digits.
        #[test]
        fn rounding_equals_exact_rounding(m in -10_000_000_000i64..10_000_000_000, scale in 0u32..=9, up in any::<bool>()) {
            let s = Scale::new(9).unwrap();
            let mode = if up { RoundingMode::HalfUp } else { RoundingMode::HalfEven };
            let value = Value::Money(Money::new(Decimal::new(m, scale), eur()));
            let fixed = s.round_grant(s.of(&value).unwrap(), mode).unwrap();
            let rounded = crate::semantics::round::round_grant(value, mode).unwrap();
            let (Value::Money(a), Value::Money(b)) = (s.value(fixed).unwrap(), rounded) else {
                return Err(TestCaseError::fail("not money"));
            };
            prop_assert_eq!(crate::value::money_digits(&a), crate::value::money_digits(&b));
        }
    }
}
