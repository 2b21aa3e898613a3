//! Rounding grants, once per grant, and limit caps.
//!
//! Money rounds to the currency's minor unit, half-to-even by default
//! (`0.125 → 0.12`, `0.135 → 0.14`); the policy header may ask for
//! `rounding half_up` (`0.125 → 0.13`). Both are symmetric for negative
//! amounts: `−1.245 → −1.24` half-to-even, `−1.25` half-up. Points and
//! durations are exact; only one whose exact value has more than
//! [`FINE_DIGITS`] decimal places (`1000000 pts / 3`) is rounded half-even
//! to that many, so that every total is the exact sum of its grants.
//!
//! A grant that cannot hold its digits (money beyond 26 whole digits with
//! cents) is an `overflow` error, never a number printed with other digits.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::fraction::Rounding;
use crate::semantics::arith::{self, Amount};
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::syntax::ast::RoundingMode;
use crate::value::{Money, Unit, Value, with_digits};

/// The decimal places a points or duration grant keeps at most.
pub const FINE_DIGITS: u32 = 10;

/// Rounds `amount` to `digits` decimals, keeping exactly that many (so
/// `7.4` becomes `7.40`), never producing a negative zero; `None` when the
/// digits do not fit a `Decimal`.
pub fn round_decimal(amount: Decimal, digits: u32, mode: RoundingMode) -> Option<Decimal> {
    round_dp(amount, digits, rounding_of(mode))
}

/// The policy's rounding mode as a direction.
fn rounding_of(mode: RoundingMode) -> Rounding {
    match mode {
        RoundingMode::HalfEven => Rounding::HalfEven,
        RoundingMode::HalfUp => Rounding::HalfUp,
    }
}

/// `amount` rounded to exactly `digits` places in direction `how`, never
/// a negative zero; `None` when the digits do not fit a `Decimal`.
fn round_dp(amount: Decimal, digits: u32, how: Rounding) -> Option<Decimal> {
    let strategy = match how {
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        Rounding::Floor => RoundingStrategy::ToNegativeInfinity,
        Rounding::Ceil => RoundingStrategy::ToPositiveInfinity,
        Rounding::Truncate => RoundingStrategy::ToZero,
    };
    let mut rounded = with_digits(amount.round_dp_with_strategy(digits, strategy), digits)?;
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    Some(rounded)
}

/// Rounds money to its currency's minor unit.
pub fn round_money(money: Money, mode: RoundingMode) -> Option<Money> {
    round_decimal(money.amount, money.currency.minor_digits(), mode)
        .map(|amount| Money::new(amount, money.currency))
}

/// How a grant is rounded: money to its minor digits in the policy's
/// mode, anything else half-even to [`FINE_DIGITS`] places when it has
/// more.
fn grant_rounding(unit: Unit, mode: RoundingMode) -> (u32, Rounding) {
    match unit {
        Unit::Money(c) => (c.minor_digits(), rounding_of(mode)),
        _ => (FINE_DIGITS, Rounding::HalfEven),
    }
}

/// Rounds a grant amount (also a pool's amount): money to its minor unit,
/// points and durations to [`FINE_DIGITS`] places when they have more,
/// exact fractions likewise; whole numbers unchanged.
pub fn round_grant(value: Value, mode: RoundingMode) -> Result<Value, EvalError> {
    round_to(value, |unit| grant_rounding(unit, mode))
}

/// Rounds a limit's cap *down*: money to its minor unit, points and
/// durations to [`FINE_DIGITS`] places, so that a limited total never
/// exceeds the cap as written (`at most 0.015 EUR` is `0.01 EUR`).
pub fn round_cap(value: Value) -> Result<Value, EvalError> {
    round_to(value, |unit| match unit {
        Unit::Money(c) => (c.minor_digits(), Rounding::Floor),
        _ => (FINE_DIGITS, Rounding::Floor),
    })
}

fn round_to(value: Value, how: impl Fn(Unit) -> (u32, Rounding)) -> Result<Value, EvalError> {
    let Some(amount) = arith::amount(&value).filter(|_| !matches!(value, Value::Int(_))) else {
        return Ok(value);
    };
    let unit = arith::unit_of(&value);
    let (digits, rounding) = how(unit);
    let money = matches!(unit, Unit::Money(_));
    let rounded = match amount {
        // Money has exactly its minor digits.
        Amount::Decimal(d) if money => round_dp(d, digits, rounding),
        // Points, durations and numbers with at most `digits` places stay
        // as they are (trailing zeros beyond them dropped).
        Amount::Decimal(d) if d.scale() <= digits => Some(d),
        Amount::Decimal(d) => match d.normalize() {
            n if n.scale() <= digits => Some(n),
            _ => round_dp(d, digits, rounding).map(|r| r.normalize()),
        },
        Amount::Fraction(f) if money => f.round(digits, rounding),
        Amount::Fraction(f) => f.round(digits, rounding).map(|r| r.normalize()),
    };
    rounded.map(|d| unit.of(d)).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::Overflow {
                operation: format!("`{value}` rounded to {digits} decimal places"),
            },
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::units::Currency;

    fn money(amount: &str, code: &str, mode: RoundingMode) -> String {
        let currency = Currency::from_code(code);
        let amount = Decimal::from_str(amount).unwrap_or_default();
        currency.map_or_else(String::new, |c| {
            round_money(Money::new(amount, c), mode)
                .map_or_else(|| "overflow".to_string(), |m| m.amount.to_string())
        })
    }

    #[test]
    fn half_even_in_euros() {
        let e = |a| money(a, "EUR", RoundingMode::HalfEven);
        assert_eq!(e("0.125"), "0.12");
        assert_eq!(e("0.135"), "0.14");
        assert_eq!(e("-1.245"), "-1.24");
        assert_eq!(e("-1.255"), "-1.26");
        assert_eq!(e("7.4"), "7.40");
        assert_eq!(e("0.005"), "0.00");
        assert_eq!(e("-0.004"), "0.00");
        assert_eq!(e("0.1251"), "0.13");
    }

    #[test]
    fn half_even_in_yen() {
        let y = |a| money(a, "JPY", RoundingMode::HalfEven);
        assert_eq!(y("2.5"), "2");
        assert_eq!(y("3.5"), "4");
        assert_eq!(y("-2.5"), "-2");
        assert_eq!(y("4"), "4");
    }

    #[test]
    fn half_up_rounds_midpoints_away_from_zero() {
        let e = |a| money(a, "EUR", RoundingMode::HalfUp);
        assert_eq!(e("0.125"), "0.13");
        assert_eq!(e("0.135"), "0.14");
        assert_eq!(e("-1.245"), "-1.25");
        assert_eq!(e("0.124"), "0.12");
        assert_eq!(money("2.5", "JPY", RoundingMode::HalfUp), "3");
    }

    fn points(s: &str) -> Value {
        Value::Points(Decimal::from_str(s).unwrap_or_default())
    }

    #[test]
    fn points_and_durations_keep_up_to_ten_places() {
        let p = points("1.2345");
        assert_eq!(round_grant(p.clone(), RoundingMode::HalfEven), Ok(p));
        let d = Value::Duration(Decimal::from_str("146.255").unwrap_or_default());
        assert_eq!(round_grant(d.clone(), RoundingMode::HalfEven), Ok(d));
        assert_eq!(
            round_grant(points("0.12345678905"), RoundingMode::HalfUp),
            Ok(points("0.1234567890"))
        );
        assert_eq!(
            round_grant(points("0.12345678915"), RoundingMode::HalfEven),
            Ok(points("0.1234567892"))
        );
    }

    #[test]
    fn money_that_cannot_hold_its_minor_digits_is_an_overflow() {
        let big = Decimal::from_str("7922816251426433759354395033").unwrap_or_default();
        assert_eq!(
            money(&big.to_string(), "EUR", RoundingMode::HalfEven),
            "overflow"
        );
        assert_eq!(
            money(&big.to_string(), "JPY", RoundingMode::HalfEven),
            big.to_string()
        );
    }

    proptest::proptest! {
        /// Decimals and fractions round alike in every direction, so a
        /// grant rounds the same whichever form its amount took.
        #[test]
        fn decimals_round_like_fractions(m in -10_000_000_000i64..10_000_000_000, scale in 0u32..=12, digits in 0u32..=10, how in 0usize..5) {
            let how = [Rounding::HalfEven, Rounding::HalfUp, Rounding::Floor, Rounding::Ceil, Rounding::Truncate]
                .get(how)
                .copied()
                .unwrap_or(Rounding::HalfEven);
            let d = Decimal::new(m, scale);
            let fraction = crate::fraction::Fraction::from_decimal(d).round(digits, how);
            proptest::prop_assert_eq!(round_dp(d, digits, how), fraction);
        }
    }

    #[test]
    fn caps_round_down() {
        let eur = Currency::from_code("EUR").map(|c| {
            Value::Money(Money::new(
                Decimal::from_str("0.015").unwrap_or_default(),
                c,
            ))
        });
        let cap = eur.map(|v| round_cap(v).map(|c| c.to_string()));
        assert_eq!(cap, Some(Ok("0.01 EUR".to_string())));
        assert_eq!(
            round_cap(points("0.99999999999")).map(|c| c.to_string()),
            Ok("0.9999999999 pts".to_string())
        );
    }
}
