//! Types and units: what a value measures, and in which currency.

use std::fmt;

use serde::Serialize;

/// An ISO 4217 currency, with the number of minor digits the standard gives
/// it (EUR 2, JPY 0, BHD 3). Money is rounded to this many digits per grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    minor_digits: u32,
}

impl Currency {
    /// Looks up an ISO 4217 code such as `EUR`; `None` if it is not one.
    pub fn from_code(code: &str) -> Option<Currency> {
        let iso = iso_currency::Currency::from_code(code)?;
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        // Codes without minor units in the standard (XAU, XDR...) count as 0.
        let minor_digits = iso.exponent().map_or(0, u32::from);
        Some(Currency {
            code: bytes,
            minor_digits,
        })
    }

    /// The three-letter code, e.g. `EUR`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// How many digits after the point a grant keeps (EUR 2, JPY 0).
    pub fn minor_digits(&self) -> u32 {
        self.minor_digits
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// The type of a value, as the checker and evaluator see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Type {
    /// A whole number (64 bits).
    Int,
    /// An exact decimal number.
    Decimal,
    /// `true` or `false`.
    Bool,
    /// Any text.
    Text,
    /// Text restricted to these values (`one of "a", "b"`).
    OneOf(Vec<String>),
    /// An instant.
    Timestamp,
    /// A length of time (minutes, hours, days).
    Duration,
    /// An amount of money in one currency.
    Money(Currency),
    /// Reputation points.
    Points,
    /// `r.by`: the person who made a contribution (roster columns).
    Person,
    /// A contribution of this kind, bound by `on review r`.
    Record(String),
}

impl Type {
    /// Money, Duration and Points: the quantities accounts can hold.
    pub fn is_quantity(&self) -> bool {
        matches!(self, Type::Money(_) | Type::Duration | Type::Points)
    }

    /// Int and Decimal: plain numbers that scale quantities.
    pub fn is_number(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }

    /// Text and `one of`: values compared as text.
    pub fn is_text(&self) -> bool {
        matches!(self, Type::Text | Type::OneOf(_))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("Int"),
            Type::Decimal => f.write_str("Decimal"),
            Type::Bool => f.write_str("Bool"),
            Type::Text => f.write_str("Text"),
            Type::OneOf(values) => {
                f.write_str("one of ")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "\"{v}\"")?;
                }
                Ok(())
            }
            Type::Timestamp => f.write_str("Timestamp"),
            Type::Duration => f.write_str("Duration"),
            Type::Money(c) => write!(f, "Money({c})"),
            Type::Points => f.write_str("Points"),
            Type::Person => f.write_str("Person"),
            Type::Record(kind) => write!(f, "contribution `{kind}`"),
        }
    }
}
