//! The words the check diagnostics are made of: a type described for
//! people, literals for examples, the advice several help lines share.
//! Each diagnostic's own message, code, severity and help are declared
//! together, once, in [`crate::types::error`].

use crate::units::Type;

/// "did you mean `x`?" or the fallback advice.
pub(crate) fn did_you_mean(
    suggestion: &Option<String>,
    otherwise: impl FnOnce() -> String,
) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// A literal of this type, for examples in help lines: `0 EUR`, `0h`, `0 pts`.
pub(crate) fn example_literal(ty: &Type) -> String {
    match ty {
        Type::Money(c) => format!("5 {c}"),
        Type::Duration => "2h".into(),
        Type::Points => "10 pts".into(),
        Type::Decimal => "0.5".into(),
        Type::Bool => "true".into(),
        Type::Text => "\"text\"".into(),
        Type::OneOf(values) => values
            .first()
            .map_or_else(|| "\"text\"".into(), |v| format!("\"{v}\"")),
        Type::Timestamp => "2027-01-05".into(),
        Type::Int | Type::Person | Type::Record(_) => "3".into(),
    }
}

/// The zero of a quantity or number, for "compare it" advice.
pub(crate) fn zero_of(ty: &Type) -> String {
    match ty {
        Type::Money(c) => format!("0 {c}"),
        Type::Duration => "0h".into(),
        Type::Points => "0 pts".into(),
        _ => "0".into(),
    }
}

/// A type in plain words for an HR analyst: "a whole number", "an amount of money".
pub fn describe(ty: &Type) -> String {
    match ty {
        Type::Int => "a whole number".into(),
        Type::Decimal => "a decimal number".into(),
        Type::Bool => "a yes/no value".into(),
        Type::Text | Type::OneOf(_) => "a text".into(),
        Type::Timestamp => "a date and time".into(),
        Type::Duration => "a duration".into(),
        Type::Money(c) => format!("an amount of money in {c}"),
        Type::Points => "points".into(),
        Type::Person => "a person".into(),
        Type::Record(kind) => format!("a `{kind}` contribution"),
    }
}

/// `a`, `b` and `c` in backticks.
pub(crate) fn tick_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "write the amount with its unit" when a plain number meets a quantity.
pub(crate) fn missing_unit(lhs: &Type, rhs: &Type) -> Option<String> {
    let quantity = match (lhs.is_quantity(), rhs.is_quantity()) {
        (true, false) if rhs.is_number() => lhs,
        (false, true) if lhs.is_number() => rhs,
        _ => return None,
    };
    Some(format!(
        "write the number with its unit, e.g. `{}`",
        example_literal(quantity)
    ))
}

pub(crate) fn arithmetic_help(verb: &str, lhs: &Type, rhs: &Type) -> String {
    if matches!(verb, "add" | "subtract")
        && let Some(unit) = missing_unit(lhs, rhs)
    {
        return unit;
    }
    match verb {
        "multiply" if lhs.is_quantity() && rhs.is_quantity() => {
            "multiply an amount by a plain number, e.g. `0.02 EUR * r.lines`".into()
        }
        "divide" if lhs.is_number() && rhs.is_quantity() => {
            "divide an amount by a number (`10 EUR / 2`) or by an amount of the same kind (`10 EUR / 5 EUR`)"
                .into()
        }
        _ if lhs.is_quantity() || rhs.is_quantity() => {
            "only amounts of the same kind add up: money with money in one currency, durations with durations, points with points"
                .into()
        }
        _ => "arithmetic works on numbers and on money, durations and points".into(),
    }
}
