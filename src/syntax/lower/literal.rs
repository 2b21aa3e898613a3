//! Literals: numbers keep the scale they were written with, amounts keep
//! their unit, and dates are checked against the calendar here, so a policy
//! with `2027-02-30` never reaches the checker.

use chrono::{DateTime, Datelike, NaiveDate};
use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::Children;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{DurationUnit, Literal};
use crate::syntax::error::{ParseErrorKind, Problem};
use crate::syntax::lower::span_of;
use crate::syntax::parser::Rule;

/// Any literal pair: `42`, `0.02`, `10%`, `true`, `"core"`, `5 EUR`,
/// `90min`, `15 pts`, `2027-01-05`, `2027-01-05T10:00:00Z`.
pub fn lower_literal(pair: Pair<'_, Rule>) -> Result<Literal, Problem> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::int => lower_int(pair.as_str(), span).map(Literal::Int),
        Rule::decimal => lower_decimal(pair.as_str(), span).map(Literal::Decimal),
        Rule::percent => lower_number_child(pair).map(Literal::Percent),
        Rule::boolean => Ok(Literal::Bool(pair.as_str() == "true")),
        Rule::string => lower_string(pair).map(|s| Literal::Text(s.node)),
        Rule::money => lower_money(pair),
        Rule::duration => lower_duration(pair),
        Rule::points => lower_number_child(pair).map(Literal::Points),
        Rule::date => lower_date(pair.as_str(), span).map(Literal::Date),
        Rule::timestamp => lower_timestamp(pair.as_str(), span).map(Literal::Timestamp),
        _ => Err(Problem::internal(span, "a literal was expected")),
    }
}

/// `42`: a 64-bit whole number; larger ones are an error, never a wrap.
pub fn lower_int(text: &str, span: Span) -> Result<i64, Problem> {
    text.parse::<i64>().map_err(|_| {
        Problem::new(
            ParseErrorKind::InvalidLiteral,
            span,
            format!("`{text}` is too large for a whole number"),
        )
        .label("too large")
        .help(format!("whole numbers go up to {}", i64::MAX))
    })
}

/// `0.02`: exact, with the number of decimals as written.
fn lower_decimal(text: &str, span: Span) -> Result<Decimal, Problem> {
    let parsed = Decimal::from_str_exact(text)
        .ok()
        .filter(|d| crate::value::within_digit_limit(*d));
    parsed.ok_or_else(|| {
        Problem::new(
            ParseErrorKind::InvalidLiteral,
            span,
            format!("`{text}` has too many digits"),
        )
        .label("too many digits")
        .help("numbers can have at most 28 significant digits")
    })
}

/// The number inside `10%`, `15 pts`, `5 EUR` or `90min`.
fn lower_number_child(pair: Pair<'_, Rule>) -> Result<Decimal, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let number = children.expect(Rule::number, span)?;
    lower_decimal(number.as_str(), span_of(&number))
}

/// `5.00 EUR`, `0.005 EUR`
fn lower_money(pair: Pair<'_, Rule>) -> Result<Literal, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let number = children.expect(Rule::number, span)?;
    let currency = children.expect(Rule::currency, span)?;
    Ok(Literal::Money {
        amount: lower_decimal(number.as_str(), span_of(&number))?,
        currency: currency.as_str().to_string(),
    })
}

/// `90min`, `1.5h`
fn lower_duration(pair: Pair<'_, Rule>) -> Result<Literal, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let number = children.expect(Rule::number, span)?;
    let unit = children.expect(Rule::duration_unit, span)?;
    Ok(Literal::Duration {
        amount: lower_decimal(number.as_str(), span_of(&number))?,
        unit: if unit.as_str() == "h" {
            DurationUnit::Hours
        } else {
            DurationUnit::Minutes
        },
    })
}

/// `"Mentor of the month"`, with the escapes `\"`, `\\` and `\n`.
pub fn lower_string(pair: Pair<'_, Rule>) -> Result<Spanned<String>, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let inner = children.expect(Rule::string_inner, span)?;
    let start = inner.as_span().start();
    let mut out = String::new();
    let mut chars = inner.as_str().char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            other => {
                let len = 1 + other.map_or(0, |(_, c)| c.len_utf8());
                let text = inner.as_str().get(i..i + len).unwrap_or("\\");
                return Err(Problem::new(
                    ParseErrorKind::InvalidLiteral,
                    span.with_range(start + i, start + i + len),
                    format!("unknown escape `{text}` in a text"),
                )
                .label("not an escape meed knows")
                .help(
                    "inside a text write `\\\"` for a quote, `\\\\` for a backslash and `\\n` \
                     for a line break",
                ));
            }
        }
    }
    Ok(Spanned::new(out, span))
}

/// `2027-01-05`, checked against the calendar.
pub fn lower_date(text: &str, span: Span) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid_date(text, span))
}

fn invalid_date(text: &str, span: Span) -> Problem {
    let help = match month_length(text) {
        Some((month, days)) => format!("{month} has {days} days that year; check the day"),
        None => "write dates as YEAR-MONTH-DAY with a month from 01 to 12, like `2027-01-05`"
            .to_string(),
    };
    Problem::new(
        ParseErrorKind::InvalidLiteral,
        span,
        format!("`{text}` is not a date in the calendar"),
    )
    .label("no such date")
    .help(help)
}

/// The month's name and length for `YYYY-MM-..` when the month is valid.
fn month_length(text: &str) -> Option<(&'static str, u32)> {
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let days = u32::try_from(next.signed_duration_since(first).num_days()).ok()?;
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = NAMES.get(usize::try_from(first.month0()).ok()?)?;
    Some((name, days))
}

/// `2027-01-05T10:00:00Z`, `2027-01-05T10:00+02:00` (seconds optional).
pub fn lower_timestamp(text: &str, span: Span) -> Result<DateTime<chrono::FixedOffset>, Problem> {
    let date = text.get(..10).unwrap_or(text);
    lower_date(date, span.with_range(span.start, span.start + date.len()))?;
    let normalised = with_seconds(text);
    DateTime::parse_from_rfc3339(&normalised).map_err(|_| {
        Problem::new(
            ParseErrorKind::InvalidLiteral,
            span,
            format!("`{text}` is not a valid time"),
        )
        .label("no such time")
        .help("write times as `2027-01-05T10:00:00Z` (hours 00-23, minutes and seconds 00-59)")
    })
}

/// RFC 3339 needs seconds; `10:00Z` is read as `10:00:00Z`.
fn with_seconds(text: &str) -> String {
    // `YYYY-MM-DDTHH:MM` is 16 bytes; a `:` after it means seconds follow.
    match text.get(16..17) {
        Some(":") | None => text.to_string(),
        Some(_) => format!(
            "{}:00{}",
            text.get(..16).unwrap_or(""),
            text.get(16..).unwrap_or("")
        ),
    }
}
