//! Rounding money grants to the currency's minor unit, once per grant.
//!
//! Half-to-even is the default (`0.125 → 0.12`, `0.135 → 0.14`); the policy
//! header may ask for `rounding half_up` (`0.125 → 0.13`). Both are symmetric
//! for negative amounts: `−1.245 → −1.24` half-to-even, `−1.25` half-up.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::syntax::ast::RoundingMode;
use crate::value::{Money, Value};

/// Rounds `amount` to `digits` decimals, keeping exactly that many (so
/// `7.4` becomes `7.40`), never producing a negative zero.
pub fn round_decimal(amount: Decimal, digits: u32, mode: RoundingMode) -> Decimal {
    let strategy = match mode {
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
    };
    let mut rounded = amount.round_dp_with_strategy(digits, strategy);
    if rounded.scale() < digits {
        rounded.rescale(digits);
    }
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    rounded
}

/// Rounds money to its currency's minor unit.
pub fn round_money(money: Money, mode: RoundingMode) -> Money {
    Money::new(
        round_decimal(money.amount, money.currency.minor_digits(), mode),
        money.currency,
    )
}

/// Rounds a grant amount: money to its minor unit; points and durations
/// (and anything else) unchanged.
pub fn round_grant(value: Value, mode: RoundingMode) -> Value {
    match value {
        Value::Money(m) => Value::Money(round_money(m, mode)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::types::units::Currency;

    fn money(amount: &str, code: &str, mode: RoundingMode) -> String {
        let currency = Currency::from_code(code);
        let amount = Decimal::from_str(amount).unwrap_or_default();
        currency.map_or_else(String::new, |c| {
            round_money(Money::new(amount, c), mode).amount.to_string()
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

    #[test]
    fn points_and_durations_are_not_rounded() {
        let p = Value::Points(Decimal::from_str("1.2345").unwrap_or_default());
        assert_eq!(round_grant(p.clone(), RoundingMode::HalfEven), p);
        let d = Value::Duration(Decimal::from_str("146.255").unwrap_or_default());
        assert_eq!(round_grant(d.clone(), RoundingMode::HalfEven), d);
    }
}
