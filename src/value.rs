//! Runtime values: exact decimals, never binary floating point.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::types::units::{Currency, Type};

/// An exact amount of money in one currency.
///
/// The amount is exact (a rate of `0.005 EUR` stays `0.005`); only grants are
/// rounded to the currency's minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

/// A value computed by a policy or read from a log.
///
/// In JSON, numbers and quantities are `{"amount": "7.40", "unit": "EUR"}`
/// (the amount a string, so no reader turns it into a float; the unit `pts`,
/// `min`, a currency code, or empty for a plain number), like the totals.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Decimal(Decimal),
    Bool(bool),
    Text(Arc<str>),
    Timestamp(DateTime<Utc>),
    /// A duration in minutes (fractions kept: `146.25`).
    Duration(Decimal),
    Money(Money),
    Points(Decimal),
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

/// Money with exactly the currency's minor digits: `12.50`, `-0.50`, JPY `4`.
pub fn money_digits(m: &Money) -> String {
    let digits = m.currency.minor_digits();
    let mut amount = m.amount;
    if amount.scale() < digits {
        amount.rescale(digits);
    }
    amount.to_string()
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
        }
    }
}
