//! The help line of every check diagnostic: how to fix it, in plain words.
//!
//! Kept apart from the messages in [`crate::types::error`] so each file
//! reads as one list: what went wrong there, what to do about it here.

use crate::types::error::{CheckErrorKind, describe};
use crate::units::Type;

/// "did you mean `x`?" or the fallback advice.
fn did_you_mean(suggestion: &Option<String>, otherwise: impl FnOnce() -> String) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// A literal of this type, for examples in help lines: `0 EUR`, `0h`, `0 pts`.
pub fn example_literal(ty: &Type) -> String {
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
fn zero_of(ty: &Type) -> String {
    match ty {
        Type::Money(c) => format!("0 {c}"),
        Type::Duration => "0h".into(),
        Type::Points => "0 pts".into(),
        _ => "0".into(),
    }
}

impl CheckErrorKind {
    /// How to fix it; every kind has one.
    pub fn help(&self) -> Option<String> {
        use CheckErrorKind as K;
        Some(match self {
            K::UnknownKind { suggestion, .. } => did_you_mean(suggestion, || {
                "declare it with `contribution NAME { field: Type }`".into()
            }),
            K::UnknownField { kind, suggestion, .. } => did_you_mean(suggestion, || {
                format!(
                    "add the field to `contribution {kind} {{ ... }}`, or use `by`, `at` or `id`"
                )
            }),
            K::UnknownColumn { suggestion, .. } => did_you_mean(suggestion, || {
                "add the column to the `person { ... }` block".into()
            }),
            K::NoPersonBlock { column } => format!(
                "declare the roster columns, e.g. `person {{ {column}: Text }}`, and pass the roster with `--people`"
            ),
            K::UnknownReward { suggestion, .. } => did_you_mean(suggestion, || {
                "declare it with `reward NAME: Money(EUR)` (or `Duration`, `Points`)".into()
            }),
            K::UnknownBadge { suggestion, .. } => did_you_mean(suggestion, || {
                "declare it with `badge NAME \"Title\"`".into()
            }),
            K::UnknownName { suggestion, hint, .. } => match (suggestion, hint) {
                (_, Some(hint)) => hint.clone(),
                (Some(s), None) => format!("did you mean `{s}`?"),
                (None, None) => {
                    "use the rule's contribution (`on review r` → `r`) or declare a constant with `let NAME = ...`"
                        .into()
                }
            },
            K::UnknownRule { suggestion, .. } => {
                did_you_mean(suggestion, || "name a rule declared with `rule NAME { ... }`".into())
            }
            K::UnknownFunction { suggestion, .. } => did_you_mean(suggestion, || {
                "the functions are `min`, `max`, `abs`, `round`, `floor`, `ceil`, `total`, `count` and `sum`"
                    .into()
            }),
            K::DuplicateName { namespace, .. } => match *namespace {
                "record id" => "give each record of a test its own id".into(),
                "test" => "give each test its own name".into(),
                "person row" => "give each person one row: merge the two into one".into(),
                _ => format!("rename one of them: each {namespace} needs its own name"),
            },
            K::DuplicateField { .. } => "keep one of them".into(),
            K::UnknownTimezone { suggestion, .. } => did_you_mean(suggestion, || {
                "use an IANA time zone name such as `UTC` or `Europe/Paris`".into()
            }),
            K::UnknownCurrency { .. } => {
                "use an ISO 4217 currency code in capitals, such as `EUR`, `USD` or `JPY`".into()
            }
            K::DatedOrder { previous, .. } => format!(
                "list the `from` lines in date order, each after {previous}; two lines cannot start on the same date"
            ),
            K::DatedTypes { first, .. } => format!(
                "a value that changes keeps its type: write every value as {}",
                describe(first)
            ),
            K::EmptyWindow { .. } => {
                "swap the dates, or check the year: `from` comes first, and both dates are included".to_string()
            }
            K::WindowWithoutPeriod { period, .. } => format!(
                "a {period} belongs to the window when it starts inside it; widen the window to hold the first day of a {period}"
            ),
            K::ChangeInsidePeriod {
                reader, period, ..
            } => format!(
                "{reader} reads it once, at the start of each {period}; if the change should count from that {period} on, move its date to the {period}'s first day"
            ),
            K::ConstantCycle { .. } => {
                "give the constant a value that does not depend on itself".into()
            }
            K::BadgeNotAccount { hint, .. } => (*hint).into(),
            K::AccountNotBadge { hint, .. } => hint.clone(),
            K::RewardType { .. } => {
                "a reward account holds `Money(CUR)`, `Duration` or `Points`; use a badge for recognitions"
                    .into()
            }
            K::NotARecord { .. } => {
                "only a contribution (`r.lines`) or a person (`r.by.team`) has fields".into()
            }
            K::CurrencyMismatch { .. } => {
                "meed never converts currencies; convert the amount in the log or declare the field in one currency"
                    .into()
            }
            K::BadArithmetic { verb, lhs, rhs } => arithmetic_help(verb, lhs, rhs),
            K::CannotNegate { .. } => "only numbers and quantities have a negative".into(),
            K::BadComparison { lhs, rhs } => {
                if let Some(unit) = missing_unit(lhs, rhs) {
                    unit
                } else if lhs.is_quantity() && rhs.is_quantity() {
                    "compare amounts of the same kind: money with money, points with points".into()
                } else {
                    "compare values of the same type".into()
                }
            }
            K::UnorderedComparison { .. } => {
                "only numbers, quantities and dates can be ordered; use `==` or `!=`".into()
            }
            K::NotACondition {
                text,
                compared: Some(compared),
                ..
            } => format!(
                "each side of `and` / `or` is a whole condition: write `{compared} {text}`"
            ),
            K::NotACondition { text, ty, .. } => match ty {
                t if t.is_number() || t.is_quantity() => {
                    format!("compare it, e.g. `{text} > {}`", zero_of(t))
                }
                t if t.is_text() => format!("compare it, e.g. `{text} == \"...\"`"),
                _ => "write a condition that is true or false, e.g. `r.lines > 0`".into(),
            },
            K::BranchMismatch {
                then_ty: Type::Money(a),
                else_ty: Type::Money(b),
            } => format!(
                "meed never converts currencies: give both branches in one currency, {b} or {a} (a constant's currency is the one in its `let`)"
            ),
            K::BranchMismatch { .. } => {
                "both `then` and `else` must give the same kind of value, e.g. both in `pts`".into()
            }
            K::FunctionArgument { function, expected, .. } => {
                format!("`{function}` takes {expected}")
            }
            K::ArgumentCount { function, expected, .. } => {
                format!("call it as `{function}(...)` with {expected}")
            }
            K::GrantType {
                account,
                expected,
                found,
                alternatives,
            } => {
                let unit = if found.is_number() && expected.is_quantity() {
                    format!(
                        "write the amount with its unit, e.g. `{}`",
                        example_literal(expected)
                    )
                } else {
                    format!(
                        "`{account}` holds {}: write an amount such as `{}`",
                        describe(expected),
                        example_literal(expected)
                    )
                };
                match alternatives.as_slice() {
                    [] => unit,
                    [one] => format!("{unit}, or grant to `{one}`, which holds `{found}`"),
                    many => format!(
                        "{unit}, or grant to an account that holds `{found}`: {}",
                        tick_list(many)
                    ),
                }
            }
            K::LimitCapType { account, expected, .. } => format!(
                "a cap is in the account's own unit: `{account}` holds `{expected}`, e.g. `at most {}`",
                example_literal(expected)
            ),
            K::PoolAmountType { expected, .. } => format!(
                "write the pool's amount in the account's unit, e.g. `{}`",
                example_literal(expected)
            ),
            K::SplitType { .. } => {
                "split by a score such as `total(reputation)` or `count(review)`".into()
            }
            K::ExpectType { expected, .. } => format!(
                "write the expected value in the account's unit, e.g. `{}`",
                example_literal(expected)
            ),
            K::FieldValueType { expected, .. } => {
                format!("write a value like `{}`", example_literal(expected))
            }
            K::MissingField { field, .. } => {
                format!("add `{field}: ...` to the record; every declared field needs a value")
            }
            K::OneOfValue {
                suggestion, allowed, ..
            } => match suggestion {
                Some(s) => format!("did you mean `\"{s}\"`?"),
                None => format!(
                    "the allowed values are {}",
                    allowed
                        .iter()
                        .map(|v| format!("`\"{v}\"`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            K::AggregateOutsideEach { .. } => {
                "an `on` rule sees one contribution; use `each person per month` to look at a person's contributions in a period"
                    .into()
            }
            K::TotalOutsidePool => {
                "use `total(account)` in `split by` of a pool, e.g. `split by total(reputation)`"
                    .into()
            }
            K::AggregateMeasure { .. } => {
                "sum or compare a field that holds a number, money, a duration or points".into()
            }
            K::MissingMeasure { function, .. } => format!(
                "name the field after the kind, e.g. `{function}(review.lines)`, or use `count(review)` to count contributions"
            ),
            K::MissingFallback { function } => format!(
                "add the value to use when there are none, e.g. `{function}(review.lines else 0)`"
            ),
            K::FallbackType { expected, .. } => format!(
                "give the fallback the values' type, e.g. `else {}`",
                example_literal(expected)
            ),
            K::TierSubject { .. } => {
                "apply tiers to an amount, e.g. `tiers s.amount { up to 500 EUR: 10%  above: 15% }`"
                    .into()
            }
            K::TierBoundType { expected, .. } => format!(
                "write every bound in the same unit as the amount, e.g. `up to {}`",
                example_literal(expected)
            ),
            K::TierOrder { .. } => "list the brackets from the lowest bound to the highest".into(),
            K::TierRate { .. } => {
                "a rate multiplies the part of the amount in its bracket: write `10%` or `0.1`".into()
            }
            K::LimitRuleAccount { granted, .. } => match granted {
                Some(g) => format!("that rule grants `{g}`; remove it from `from` or limit `{g}`"),
                None => "remove it from `from`: it awards a badge".into(),
            },
            K::UnusedKind { name } => format!(
                "add a rule such as `rule ... {{ on {name} x  grant ... }}`, or remove the declaration; declare it as `contribution {name} {{}}` if it is only there so the log can hold it"
            ),
            K::UnusedConstant { .. } => "use it in a rule or remove it".into(),
            K::UnusedBadge { name } => {
                format!("award it from a rule with `award {name}`, or remove it")
            }
            K::UnusedReward { name } => {
                format!("grant it from a rule with `grant {name} ...`, or remove it")
            }
            K::RuleNeverFires { .. } => {
                "remove the rule, or remove `when false` to make it fire".into()
            }
            K::OverlappingLimits { .. } => {
                "merge them into one limit, or give each a distinct `from` list of rules".into()
            }
            K::SubMinorCap { rounded, .. } => format!(
                "a money cap is rounded down to the currency's minor unit, so this limit pays at most `{rounded}`; write `{rounded}` to say so"
            ),
            K::NeedlessFallback { .. } => "remove the `else` part".into(),
            K::EmptyPolicy => "a policy declares what contributions look like, the rewards, and the rules between them, e.g. `contribution review { lines: Int }`, `reward bonus: Money(EUR)` and `rule review_bonus { on review r  grant bonus 5 EUR }`; see docs/language.md".into(),
        })
    }
}

/// `a`, `b` and `c` in backticks.
fn tick_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "write the amount with its unit" when a plain number meets a quantity.
fn missing_unit(lhs: &Type, rhs: &Type) -> Option<String> {
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

fn arithmetic_help(verb: &str, lhs: &Type, rhs: &Type) -> String {
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
