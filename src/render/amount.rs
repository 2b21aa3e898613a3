//! How amounts are written in output: the contract's CSV number format.

use crate::ledger::Target;
use crate::value::{Value, human_duration, money_digits, plain_decimal, write_human_duration};

/// The `amount` and `unit` columns for a total of `target`.
///
/// Money has exactly its currency's minor digits (`12.50`, JPY `4`); points
/// and durations have no trailing zeros (durations in minutes, `146.25`);
/// badges are counted.
pub fn amount_and_unit(target: &Target, total: &Value) -> (String, String) {
    match (target, total) {
        (Target::Badge(_), value) => (plain_number(value), "badge".to_string()),
        (Target::Account(_), Value::Money(m)) => (money_digits(m), m.currency.code().to_string()),
        (Target::Account(_), Value::Points(p)) => (plain_decimal(*p), "pts".to_string()),
        (Target::Account(_), Value::Duration(d)) => (plain_decimal(*d), "min".to_string()),
        (Target::Account(_), other) => (plain_number(other), String::new()),
    }
}

/// An amount and its unit as a person reads them in a table: durations in
/// hours and minutes (`37h 30min`, the unit left blank, as `explain` and
/// `diff` write them), everything else as [`amount_and_unit`] (CSV and
/// JSON keep minutes: they are for machines).
pub fn amount_and_unit_to_read(target: &Target, total: &Value) -> (String, String) {
    match (target, total) {
        (Target::Account(_), Value::Duration(minutes)) => (human_duration(*minutes), String::new()),
        _ => amount_and_unit(target, total),
    }
}

/// A value written as a bare number where it is one.
fn plain_number(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::Decimal(d) | Value::Points(d) | Value::Duration(d) => plain_decimal(*d),
        Value::Money(m) => money_digits(m),
        other => other.to_string(),
    }
}

/// Whether a total is zero (zero totals are left out of the CSV).
pub fn is_zero(value: &Value) -> bool {
    match value {
        Value::Int(i) => *i == 0,
        Value::Decimal(d) | Value::Points(d) | Value::Duration(d) => d.is_zero(),
        Value::Money(m) => m.amount.is_zero(),
        _ => false,
    }
}

/// A value for people to read: `7.40 EUR`, `15 pts`, `2h 30min`.
pub fn human(value: &Value) -> String {
    let mut out = String::new();
    write_human(&mut out, value);
    out
}

/// [`human`], written at the end of `out` (no string of its own).
pub fn write_human(out: &mut String, value: &Value) {
    match value {
        Value::Duration(minutes) => {
            let _ = write_human_duration(out, *minutes);
        }
        other => {
            let _ = other.write_to(out);
        }
    }
}
