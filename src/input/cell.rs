//! One cell of a log or roster, parsed by the type its field declares.
//!
//! The same rules hold for CSV cells, JSON Lines values (as text), roster
//! cells and the REPL, so `12.50 EUR` means the same wherever it is written.

use std::str::FromStr;
use std::sync::Arc;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use thiserror::Error;

use crate::units::{Currency, Type};
use crate::value::{Money, Value};

pub use super::time::parse_timestamp;

/// Why one cell could not be read as its declared type.
///
/// The message names what was found; [`CellError::help`] says how to write
/// it instead.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CellError {
    #[error("the cell is empty")]
    Empty,
    #[error("expected {expected}, found `{found}`")]
    Invalid { expected: Type, found: String },
    #[error("`{found}` is too large for Int")]
    IntOverflow { found: String },
    #[error("`{found}` has more than 28 significant digits")]
    TooManyDigits { found: String },
    #[error("`{found}` is not one of {}", quoted_list(.allowed))]
    NotInSet { found: String, allowed: Vec<String> },
    #[error("expected {expected}, found {found}")]
    CurrencyMismatch { expected: Currency, found: String },
    #[error("a log cannot hold {0} values")]
    Unsupported(Type),
    /// `2027-01-10 09:15:00`: a wall-clock time with no offset from UTC.
    #[error("expected Timestamp, found `{found}`, a local time without its offset from UTC")]
    LocalTime {
        found: String,
        /// How to write it: the same wall-clock time with the offset it has
        /// in the policy's zone.
        help: Box<str>,
    },
}

impl CellError {
    fn invalid(expected: &Type, found: &str) -> CellError {
        CellError::Invalid {
            expected: expected.clone(),
            found: found.to_string(),
        }
    }

    /// The type the cell was expected to hold, as users write it.
    pub fn expected(&self) -> Option<String> {
        match self {
            CellError::Invalid { expected, .. } | CellError::Unsupported(expected) => {
                Some(expected.to_string())
            }
            CellError::LocalTime { .. } => Some(Type::Timestamp.to_string()),
            CellError::IntOverflow { .. } => Some(Type::Int.to_string()),
            CellError::NotInSet { allowed, .. } => Some(Type::OneOf(allowed.clone()).to_string()),
            CellError::CurrencyMismatch { expected, .. } => {
                Some(Type::Money(*expected).to_string())
            }
            CellError::Empty | CellError::TooManyDigits { .. } => None,
        }
    }

    /// How to write the value so that it reads.
    pub fn help(&self) -> String {
        match self {
            CellError::Empty => "fill in the cell".to_string(),
            CellError::Invalid { expected, found } => type_help(expected, found),
            CellError::LocalTime { help, .. } => help.to_string(),
            CellError::IntOverflow { .. } => {
                "Int holds whole numbers up to 9223372036854775807; declare the field as Decimal for larger numbers"
                    .to_string()
            }
            CellError::TooManyDigits { .. } => {
                "meed keeps numbers exact up to 28 significant digits; round the value in the export"
                    .to_string()
            }
            CellError::NotInSet { found, allowed } => {
                let list = quoted_list(allowed);
                match closest(found, allowed) {
                    Some(near) => format!("did you mean `{near}`? the allowed values are {list}"),
                    None => format!("the allowed values are {list}"),
                }
            }
            CellError::CurrencyMismatch { expected, found } => format!(
                "meed never converts currencies; convert the amount to {expected} in the log, \
                 or declare the field as Money({found})"
            ),
            CellError::Unsupported(_) => "declare the field with a type such as Text or Int".to_string(),
        }
    }
}

/// `"a", "b", "c"`
fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate nearest to `found`, if it is near enough to be a typo.
pub(crate) fn closest<'a, S: AsRef<str> + ?Sized + 'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a S>,
) -> Option<&'a str> {
    let found_lower = found.to_lowercase();
    let found_chars = found_lower.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let c = c.as_ref();
            let lower = c.to_lowercase();
            // The score is at most shorter / longer (the distance is at
            // least the difference in length): a candidate far shorter or
            // longer than `found` can never score 0.6, and skipping it keeps
            // a megabyte cell from costing a megabyte-by-name matrix.
            let chars = lower.chars().count();
            let (short, long) = (chars.min(found_chars), chars.max(found_chars));
            (short * 5 >= long * 3).then(|| {
                (
                    strsim::normalized_damerau_levenshtein(&found_lower, &lower),
                    c,
                )
            })
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn type_help(expected: &Type, found: &str) -> String {
    match expected {
        Type::Int => "write a whole number such as `120`".to_string(),
        Type::Decimal => "write a number such as `0.5` or a percentage such as `10%`".to_string(),
        Type::Bool if matches!(found.to_lowercase().as_str(), "true" | "false") => {
            "write `true` or `false` in lowercase".to_string()
        }
        Type::Bool => "write `true` or `false`".to_string(),
        Type::Timestamp if looks_like_local_time(found) => {
            format!("add its offset from UTC:\n`{found}Z` (UTC) or `{found}+01:00` (UTC+1)")
        }
        Type::Timestamp => {
            "write a date such as `2027-01-05` or a time with its offset such as `2027-01-05T10:00:00Z`".to_string()
        }
        Type::Duration => "write durations as `90min`, `1.5h` or `PT1H30M`".to_string(),
        Type::Money(c) => format!("write amounts such as `12.50` or `12.50 {c}`"),
        Type::Points => "write points such as `15` or `15 pts`".to_string(),
        Type::Text | Type::OneOf(_) | Type::Person | Type::Record(_) => "check the value".to_string(),
    }
}

/// `2027-01-05T10:00:00` without an offset.
fn looks_like_local_time(text: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

/// `2027-01-05T10:00:00`, `2027-01-05 10:00:00`, `2027-01-05 10:00`: a
/// wall-clock time with no offset, as spreadsheets export it.
pub(crate) fn local_time(text: &str) -> Option<chrono::NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
}

/// Parses one cell as a value of `ty`; `tz` places bare dates.
///
/// Surrounding spaces are ignored. Accepted forms, by type:
/// `Int` `120`; `Decimal` `0.5`, `10%`; `Bool` `true`, `false`;
/// `Timestamp` `2027-01-05`, `2027-01-05T10:00:00+01:00`;
/// `Duration` `90min`, `1.5h`, `PT1H30M`; `Money(EUR)` `12.50`, `12.50 EUR`;
/// `Points` `15`, `15 pts`.
pub fn parse_cell(ty: &Type, text: &str, tz: Tz) -> Result<Value, CellError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CellError::Empty);
    }
    let value = parse_typed(ty, text, tz)?;
    let amount = match &value {
        Value::Decimal(d) | Value::Duration(d) | Value::Points(d) => Some(*d),
        Value::Money(m) => Some(m.amount),
        _ => None,
    };
    if amount.is_some_and(|d| !crate::value::within_digit_limit(d)) {
        return Err(CellError::TooManyDigits {
            found: text.to_string(),
        });
    }
    Ok(value)
}

/// [`parse_cell`] of a trimmed, non-empty cell, before the digit limit.
fn parse_typed(ty: &Type, text: &str, tz: Tz) -> Result<Value, CellError> {
    match ty {
        Type::Int => parse_int(text).map(Value::Int),
        Type::Decimal => parse_decimal_or_percent(text)
            .map(Value::Decimal)
            .ok_or_else(|| CellError::invalid(ty, text)),
        Type::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(CellError::invalid(ty, text)),
        },
        Type::Text => Ok(Value::Text(Arc::from(text))),
        Type::OneOf(allowed) => {
            if allowed.iter().any(|a| a == text) {
                Ok(Value::Text(Arc::from(text)))
            } else {
                Err(CellError::NotInSet {
                    found: text.to_string(),
                    allowed: allowed.clone(),
                })
            }
        }
        Type::Timestamp => parse_timestamp(text, tz).map(Value::Timestamp),
        Type::Duration => parse_duration(text)
            .map(Value::Duration)
            .ok_or_else(|| CellError::invalid(ty, text)),
        Type::Money(currency) => parse_money(text, *currency).map(Value::Money),
        Type::Points => {
            let number = strip_unit(text, "pts").unwrap_or(text);
            parse_decimal(number)
                .map(Value::Points)
                .ok_or_else(|| CellError::invalid(ty, text))
        }
        Type::Person | Type::Record(_) => Err(CellError::Unsupported(ty.clone())),
    }
}

/// `120`, `-3`; digits only, and a number beyond 64 bits is an error, not a
/// wrapped or rounded value.
fn parse_int(text: &str) -> Result<i64, CellError> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CellError::invalid(&Type::Int, text));
    }
    i64::from_str(text).map_err(|_| CellError::IntOverflow {
        found: text.to_string(),
    })
}

/// A plain decimal: optional sign, digits, optional fraction. No exponents,
/// no thousands separators, never through binary floating point.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = all_digits(whole)
        && fraction.is_none_or(|f| !f.is_empty() && all_digits(f))
        && !(whole.is_empty() && fraction.is_none());
    if !well_formed {
        return None;
    }
    Decimal::from_str_exact(text.strip_prefix('+').unwrap_or(text)).ok()
}

/// `0.5` or `10%` (= 0.10).
fn parse_decimal_or_percent(text: &str) -> Option<Decimal> {
    match text.strip_suffix('%') {
        // Exactly a hundredth: the same digits, two more places.
        Some(number) => {
            let mut hundredth = parse_decimal(number.trim_end())?;
            hundredth.set_scale(hundredth.scale() + 2).ok()?;
            Some(hundredth)
        }
        None => parse_decimal(text),
    }
}

/// The number in front of `unit` (`15 pts`, `15pts`), if the text ends in it.
fn strip_unit<'a>(text: &'a str, unit: &str) -> Option<&'a str> {
    text.strip_suffix(unit).map(str::trim_end)
}

/// `12.50`, `-3.00` or `12.50 EUR`; another currency code is an error.
fn parse_money(text: &str, currency: Currency) -> Result<Money, CellError> {
    let ty = Type::Money(currency);
    let (number, code) = match text.rsplit_once(char::is_whitespace) {
        Some((n, c)) if c.bytes().all(|b| b.is_ascii_alphabetic()) => (n.trim_end(), Some(c)),
        _ => (text, None),
    };
    let amount = parse_decimal(number).ok_or_else(|| CellError::invalid(&ty, text))?;
    match code {
        Some(code) if !code.eq_ignore_ascii_case(currency.code()) => {
            Err(CellError::CurrencyMismatch {
                expected: currency,
                found: code.to_string(),
            })
        }
        _ => Ok(Money::new(amount, currency)),
    }
}

/// A duration in minutes: `90min`, `1.5h`, `2h`, `1h 30min`, or ISO 8601
/// `PT1H30M`, `PT90M`, `PT2H`, `PT0.5H`, `PT45S`. A leading `-` negates it
/// (corrections).
pub(crate) fn parse_duration(text: &str) -> Option<Decimal> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let minutes = match rest.strip_prefix("PT").or_else(|| rest.strip_prefix("pt")) {
        Some(iso) => parse_iso_duration(iso)?,
        None => parse_unit_duration(rest)?,
    };
    Some(if negative { -minutes } else { minutes })
}

/// The part after `PT`: `1H30M`, `90M`, `0.5H`, `45S`.
fn parse_iso_duration(text: &str) -> Option<Decimal> {
    if text.is_empty() {
        return None;
    }
    let mut total = Decimal::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let split = rest.find(|c: char| c.is_ascii_alphabetic())?;
        let (number, tail) = rest.split_at(split);
        let mut chars = tail.chars();
        let unit = chars.next()?;
        let value = parse_decimal(&number.replace(',', "."))?;
        if value.is_sign_negative() || number.starts_with('+') {
            return None;
        }
        let minutes = match unit.to_ascii_uppercase() {
            'H' => value.checked_mul(Decimal::from(60))?,
            'M' => value,
            'S' => value.checked_div(Decimal::from(60))?,
            _ => return None,
        };
        total = total.checked_add(minutes)?;
        rest = chars.as_str();
    }
    Some(total)
}

/// `90min`, `1.5h`, `1h 30min`, `90 min`.
fn parse_unit_duration(text: &str) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let split = rest.find(|c: char| c.is_alphabetic())?;
        let (number, tail) = rest.split_at(split);
        let unit_len = tail
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(tail.len());
        let (unit, after) = tail.split_at(unit_len);
        let value = parse_decimal(number.trim())?;
        if value.is_sign_negative() || number.trim().starts_with('+') {
            return None;
        }
        let per = match unit {
            "min" | "mins" | "m" => Decimal::ONE,
            "h" | "hr" | "hrs" => Decimal::from(60),
            _ => return None,
        };
        total = total.checked_add(value.checked_mul(per)?)?;
        rest = after.trim_start();
    }
    Some(total)
}
