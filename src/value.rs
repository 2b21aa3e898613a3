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
    let n = d.normalize();
    if n.is_zero() {
        "0".to_string()
    } else {
        n.to_string()
    }
}

/// `150` minutes → `2h 30min`; `45` → `45min`; fractions of minutes kept.
pub fn human_duration(minutes: Decimal) -> String {
    let sign = if minutes.is_sign_negative() { "-" } else { "" };
    let minutes = minutes.abs();
    let hours = (minutes / Decimal::from(60)).trunc();
    let rest = minutes - hours * Decimal::from(60);
    match (hours.is_zero(), rest.is_zero()) {
        (true, _) => format!("{sign}{}min", plain_decimal(rest)),
        (false, true) => format!("{sign}{}h", plain_decimal(hours)),
        (false, false) => format!("{sign}{}h {}min", plain_decimal(hours), plain_decimal(rest)),
    }
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
    with_digits(m.amount, m.currency.minor_digits())
        .unwrap_or(m.amount)
        .to_string()
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
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => f.write_str(&plain_decimal(*d)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(t) => write!(f, "\"{t}\""),
            Value::Timestamp(t) => write!(
                f,
                "{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ),
            Value::Duration(m) => write!(f, "{}min", plain_decimal(*m)),
            Value::Money(m) => write!(f, "{} {}", money_digits(m), m.currency),
            Value::Points(p) => write!(f, "{} pts", plain_decimal(*p)),
            Value::Exact(e) => match e.unit {
                Unit::Number => f.write_str(&e.approximate()),
                Unit::Money(c) => write!(f, "{} {c}", e.approximate()),
                Unit::Duration => write!(f, "{}min", e.approximate()),
                Unit::Points => write!(f, "{} pts", e.approximate()),
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
