//! Runtime values: exact decimals, never binary floating point.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::fraction::{Fraction, Rounding};
use crate::units::{Currency, Type};

/// An exact amount of money in one currency.
///
/// The amount is exact (a rate of `0.005 EUR` stays `0.005`); only grants are
/// rounded to the currency's minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Money {
    /// How much, exactly.
    pub amount: Decimal,
    /// Of which currency.
    pub currency: Currency,
}

impl Money {
    /// `amount` of `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

/// What a number or quantity counts: one code path serves plain numbers,
/// money, durations and points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A plain number.
    Number,
    /// Money in one currency.
    Money(Currency),
    /// Minutes.
    Duration,
    /// Points.
    Points,
}

impl Unit {
    /// The value of `amount` in this unit (a number is a `Decimal`).
    pub fn of(self, amount: Decimal) -> Value {
        match self {
            Unit::Number => Value::Decimal(amount),
            Unit::Money(c) => Value::Money(Money::new(amount, c)),
            Unit::Duration => Value::Duration(amount),
            Unit::Points => Value::Points(amount),
        }
    }

    /// The type of values in this unit (a number is a `Decimal`).
    pub fn ty(self) -> Type {
        match self {
            Unit::Number => Type::Decimal,
            Unit::Money(c) => Type::Money(c),
            Unit::Duration => Type::Duration,
            Unit::Points => Type::Points,
        }
    }
}

/// A quotient that has no decimal of at most 28 places (`1 / 3`,
/// `0.005 EUR / 3`), kept as an exact fraction of its unit until a grant
/// rounds it. Only intermediate results are fractions: grants, caps, pool
/// amounts and totals are decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exact {
    /// What it counts.
    pub unit: Unit,
    /// How many, exactly.
    pub fraction: Fraction,
}

impl Exact {
    /// Its decimal expansion cut after ten places (or about ten
    /// significant digits for a tiny value), and `…`: `0.3333333333…`,
    /// `0.0016666666…`.
    pub fn approximate(&self) -> String {
        let mut digits = 10;
        while digits < 28
            && self
                .fraction
                .round(digits, Rounding::Truncate)
                .is_some_and(|d| d.is_zero())
        {
            digits += 6;
        }
        // A tiny value: show some ten significant digits, not one.
        if digits > 10 {
            digits = (digits + 9).min(28);
        }
        match self.fraction.round(digits, Rounding::Truncate) {
            Some(d) => format!("{}…", plain_decimal(d)),
            None => self.fraction.to_string(),
        }
    }
}

/// A value computed by a policy or read from a log.
///
/// In JSON, numbers and quantities are `{"amount": "7.40", "unit": "EUR"}`
/// (the amount a string, so no reader turns it into a float; the unit `pts`,
/// `min`, a currency code, or empty for a plain number), like the totals.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A whole number.
    Int(i64),
    /// An exact decimal number.
    Decimal(Decimal),
    /// `true` or `false`.
    Bool(bool),
    /// A text.
    Text(Arc<str>),
    /// An instant.
    Timestamp(DateTime<Utc>),
    /// A duration in minutes (fractions kept: `146.25`).
    Duration(Decimal),
    /// Money.
    Money(Money),
    /// Points.
    Points(Decimal),
    /// An exact fraction of a number or quantity: an intermediate result
    /// only (see [`Exact`]).
    Exact(Exact),
}

impl Value {
    /// The type of this value (Text values report plain `Text`).
    pub fn ty(&self) -> Type {
        match self {
            Value::Int(_) => Type::Int,
            Value::Decimal(_) => Type::Decimal,
            Value::Bool(_) => Type::Bool,
            Value::Text(_) => Type::Text,
            Value::Timestamp(_) => Type::Timestamp,
            Value::Duration(_) => Type::Duration,
            Value::Money(m) => Type::Money(m.currency),
            Value::Points(_) => Type::Points,
            Value::Exact(e) => e.unit.ty(),
        }
    }
}

/// A decimal without trailing zeros or exponent: `146.25`, `15`, `-0.5`.
pub fn plain_decimal(d: Decimal) -> String {
    let mut out = String::new();
    let _ = write_plain_decimal(&mut out, d);
    out
}

/// [`plain_decimal`], written at the end of `out`.
pub fn write_plain_decimal(out: &mut impl fmt::Write, d: Decimal) -> fmt::Result {
    let n = d.normalize();
    if n.is_zero() {
        out.write_str("0")
    } else {
        write_decimal(out, n)
    }
}

/// `d` exactly as `d.to_string()` writes it (every digit of its scale:
/// `1.50`, `-0.00`), without the general formatting machinery: statements
/// and ledgers write millions of amounts.
pub fn write_decimal(out: &mut impl fmt::Write, d: Decimal) -> fmt::Result {
    // 29 digits at most, and as many leading zeros as the scale (28) asks.
    let mut digits = [b'0'; 64];
    let mut end = digits.len();
    let mut mantissa = d.mantissa().unsigned_abs();
    while mantissa > u128::from(u64::MAX) {
        end -= 1;
        if let Some(slot) = digits.get_mut(end) {
            *slot = b'0' + (mantissa % 10) as u8;
        }
        mantissa /= 10;
    }
    let mut small = mantissa as u64;
    while small > 0 {
        end -= 1;
        if let Some(slot) = digits.get_mut(end) {
            *slot = b'0' + (small % 10) as u8;
        }
        small /= 10;
    }
    let scale = d.scale() as usize;
    // Leading zeros up to the scale are already in the buffer.
    let start = end.min(digits.len().saturating_sub(scale));
    let written = digits.get(start..).unwrap_or_default();
    let whole = written.len().saturating_sub(scale);
    if d.is_sign_negative() {
        out.write_str("-")?;
    }
    let as_str = |bytes| std::str::from_utf8(bytes).unwrap_or("");
    match (whole, scale) {
        (0, 0) => out.write_str("0"),
        (_, 0) => out.write_str(as_str(written)),
        (0, _) => {
            out.write_str("0.")?;
            out.write_str(as_str(written))
        }
        _ => {
            let (int, frac) = written.split_at(whole);
            out.write_str(as_str(int))?;
            out.write_str(".")?;
            out.write_str(as_str(frac))
        }
    }
}

/// `150` minutes → `2h 30min`; `45` → `45min`; fractions of minutes kept.
pub fn human_duration(minutes: Decimal) -> String {
    let mut out = String::new();
    let _ = write_human_duration(&mut out, minutes);
    out
}

/// [`human_duration`], written at the end of `out`. The whole hours and the
/// minutes left are found with integers on the decimal's digits (`m·10^-s`
/// minutes are `m / (60·10^s)` hours), exact at any scale.
pub fn write_human_duration(out: &mut impl fmt::Write, minutes: Decimal) -> fmt::Result {
    if minutes.is_sign_negative() {
        out.write_str("-")?;
    }
    let scale = minutes.scale();
    let mantissa = minutes.mantissa().unsigned_abs();
    // 60·10^28 is below 2^100: no overflow.
    let hour = 60 * 10u128.pow(scale);
    let (hours, rest) = (mantissa / hour, mantissa % hour);
    let rest = i128::try_from(rest)
        .map(|r| Decimal::from_i128_with_scale(r, scale))
        .unwrap_or_default();
    if hours > 0 {
        write!(out, "{hours}h")?;
        if rest.is_zero() {
            return Ok(());
        }
        out.write_str(" ")?;
    }
    write_plain_decimal(out, rest)?;
    out.write_str("min")
}

/// The most significant digits a decimal may be written with
/// (`docs/guarantees.md`, "Limits"); a `Decimal` holds some 29-digit
/// numbers, but not all, so the limit is 28.
pub const MAX_SIGNIFICANT_DIGITS: u32 = 28;

/// Whether `d` has at most [`MAX_SIGNIFICANT_DIGITS`] significant digits as
/// written: `0.005` has 1, `1.50` has 3.
pub fn within_digit_limit(d: Decimal) -> bool {
    d.mantissa().unsigned_abs() < 10u128.pow(MAX_SIGNIFICANT_DIGITS)
}

/// `amount` with exactly `digits` decimal places, when it has at most that
/// many and the digits fit a `Decimal`: money as it is printed.
pub fn with_digits(amount: Decimal, digits: u32) -> Option<Decimal> {
    if amount.scale() > digits {
        return None;
    }
    let mut padded = amount;
    padded.rescale(digits);
    (padded.scale() == digits && padded == amount).then_some(padded)
}

/// Money with exactly the currency's minor digits: `12.50`, `-0.50`, JPY `4`.
///
/// Grants and totals always have them (rounding a grant that could not is
/// an overflow error); any other amount is printed exactly as it is.
pub fn money_digits(m: &Money) -> String {
    let mut out = String::new();
    let _ = write_money_digits(&mut out, m);
    out
}

/// [`money_digits`], written at the end of `out`.
pub fn write_money_digits(out: &mut impl fmt::Write, m: &Money) -> fmt::Result {
    write_decimal(
        out,
        with_digits(m.amount, m.currency.minor_digits()).unwrap_or(m.amount),
    )
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (amount, unit) = match self {
            Value::Bool(b) => return serializer.serialize_bool(*b),
            Value::Text(t) => return serializer.serialize_str(t),
            Value::Timestamp(t) => {
                return serializer
                    .serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            }
            Value::Int(i) => (i.to_string(), ""),
            Value::Decimal(d) => (plain_decimal(*d), ""),
            Value::Duration(d) => (plain_decimal(*d), "min"),
            Value::Points(p) => (plain_decimal(*p), "pts"),
            Value::Money(m) => (money_digits(m), m.currency.code()),
            Value::Exact(e) => (e.fraction.to_string(), exact_unit(&e.unit)),
        };
        let mut quantity = serializer.serialize_struct("Quantity", 2)?;
        quantity.serialize_field("amount", &amount)?;
        quantity.serialize_field("unit", unit)?;
        quantity.end()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl Value {
    /// The value as [`fmt::Display`] writes it, written at the end of
    /// `out` without the formatting machinery (no width, no fill: none is
    /// used for values).
    pub fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        match self {
            Value::Int(i) => write!(out, "{i}"),
            Value::Decimal(d) => write_plain_decimal(out, *d),
            Value::Bool(b) => out.write_str(if *b { "true" } else { "false" }),
            Value::Text(t) => {
                out.write_str("\"")?;
                out.write_str(t)?;
                out.write_str("\"")
            }
            Value::Timestamp(t) => {
                out.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            }
            Value::Duration(m) => {
                write_plain_decimal(out, *m)?;
                out.write_str("min")
            }
            Value::Money(m) => {
                write_money_digits(out, m)?;
                out.write_str(" ")?;
                out.write_str(m.currency.code())
            }
            Value::Points(p) => {
                write_plain_decimal(out, *p)?;
                out.write_str(" pts")
            }
            Value::Exact(e) => match e.unit {
                Unit::Number => out.write_str(&e.approximate()),
                Unit::Money(c) => write!(out, "{} {c}", e.approximate()),
                Unit::Duration => write!(out, "{}min", e.approximate()),
                Unit::Points => write!(out, "{} pts", e.approximate()),
            },
        }
    }
}

/// The JSON unit of an exact fraction, as for decimals.
fn exact_unit(unit: &Unit) -> &str {
    match unit {
        Unit::Number => "",
        Unit::Money(c) => c.code(),
        Unit::Duration => "min",
        Unit::Points => "pts",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::write_decimal;

    fn written(d: Decimal) -> String {
        let mut out = String::new();
        write_decimal(&mut out, d).unwrap();
        out
    }

    #[test]
    fn decimals_are_written_as_rust_decimal_writes_them() {
        for (mantissa, scale) in [
            (0, 0),
            (0, 2),
            (5, 2),
            (-5, 2),
            (150, 2),
            (-1, 0),
            (i128::from(u64::MAX) * 7, 5),
        ] {
            let d = Decimal::from_i128_with_scale(mantissa, scale);
            assert_eq!(written(d), d.to_string(), "{mantissa} e-{scale}");
        }
        let negative_zero = -Decimal::from_i128_with_scale(0, 2);
        assert_eq!(written(negative_zero), negative_zero.to_string());
        assert_eq!(written(Decimal::MAX), Decimal::MAX.to_string());
        assert_eq!(written(Decimal::MIN), Decimal::MIN.to_string());
    }

    /// The duration as the decimal arithmetic it replaces wrote it.
    fn by_decimals(minutes: Decimal) -> String {
        let sign = if minutes.is_sign_negative() { "-" } else { "" };
        let minutes = minutes.abs();
        let hours = (minutes / Decimal::from(60)).trunc();
        let rest = minutes - hours * Decimal::from(60);
        match (hours.is_zero(), rest.is_zero()) {
            (true, _) => format!("{sign}{}min", super::plain_decimal(rest)),
            (false, true) => format!("{sign}{}h", super::plain_decimal(hours)),
            (false, false) => format!(
                "{sign}{}h {}min",
                super::plain_decimal(hours),
                super::plain_decimal(rest)
            ),
        }
    }

    #[test]
    fn durations_in_hours_and_minutes() {
        let d = |m: i128, s: u32| super::human_duration(Decimal::from_i128_with_scale(m, s));
        assert_eq!(d(150, 0), "2h 30min");
        assert_eq!(d(45, 0), "45min");
        assert_eq!(d(120, 0), "2h");
        assert_eq!(d(14625, 2), "2h 26.25min");
        assert_eq!(d(0, 0), "0min");
        assert_eq!(d(-90, 0), "-1h 30min");
        assert_eq!(d(6000, 2), "1h");
    }

    proptest! {
        /// Durations a log or a policy can hold (up to a few years in
        /// minutes, to the hundredth of a minute and finer).
        #[test]
        fn durations_are_written_as_decimal_arithmetic_writes_them(
            mantissa in -10_000_000_000i64..10_000_000_000, scale in 0u32..=6,
        ) {
            let minutes = Decimal::new(mantissa, scale);
            prop_assert_eq!(super::human_duration(minutes), by_decimals(minutes));
        }

        #[test]
        fn any_decimal_is_written_as_rust_decimal_writes_it(
            lo in any::<u32>(),
            mid in prop_oneof![Just(0u32), any::<u32>()],
            hi in prop_oneof![Just(0u32), any::<u32>()],
            negative in any::<bool>(), scale in 0u32..=28,
        ) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(written(d), d.to_string());
        }
    }
}
