//! Totals per person, period and reward (`meed eval --by month`): the
//! breakdown payroll wants.

use crate::ledger::{PeriodTotal, TotalsByPeriod};
use crate::render::amount::{amount_and_unit, amount_and_unit_to_read, is_zero};
use crate::text::{csv_row, escape_visible};

/// One row: who, period label, reward name, amount, unit.
type Row = (String, String, String, String, String);

/// The rows with a non-zero total, sorted by `who` (byte order), then the
/// period (time order), then the reward's name (byte order, badges and
/// accounts together).
fn rows(
    by_period: &TotalsByPeriod,
    amount_and_unit: fn(&crate::ledger::Target, &crate::value::Value) -> (String, String),
) -> Vec<Row> {
    let mut sorted: Vec<&PeriodTotal> = by_period.iter().filter(|t| !is_zero(&t.total)).collect();
    sorted.sort_by(|a, b| {
        (a.who.as_bytes(), a.period, a.target.name()).cmp(&(
            b.who.as_bytes(),
            b.period,
            b.target.name(),
        ))
    });
    sorted
        .into_iter()
        .map(|t| {
            let (amount, unit) = amount_and_unit(&t.target, &t.total);
            (
                t.who.to_string(),
                t.period.label(),
                t.target.name().to_string(),
                amount,
                unit,
            )
        })
        .collect()
}

/// `who,period,reward,amount,unit`, one row per person, period and reward
/// with a non-zero total; amounts and units as in `eval --format csv`.
pub fn render_csv_by_period(by_period: &TotalsByPeriod) -> String {
    let mut out = String::from("who,period,reward,amount,unit\n");
    for (who, period, reward, amount, unit) in rows(by_period, amount_and_unit) {
        out.push_str(&csv_row(&[&who, &period, &reward, &amount, &unit]));
    }
    out
}

/// The same rows aligned for a terminal, each person's name once.
pub fn render_table_by_period(by_period: &TotalsByPeriod) -> String {
    let rows: Vec<Row> = rows(by_period, amount_and_unit_to_read)
        .into_iter()
        .map(|(who, p, r, a, u)| (escape_visible(&who).into_owned(), p, r, a, u))
        .collect();
    if rows.is_empty() {
        return "no rewards were granted\n".to_string();
    }
    let width = |f: fn(&Row) -> &String, min: usize| {
        rows.iter()
            .map(|r| f(r).chars().count())
            .max()
            .unwrap_or(0)
            .max(min)
    };
    let (who_w, period_w, name_w, amount_w) = (
        width(|r| &r.0, 3),
        width(|r| &r.1, 6),
        width(|r| &r.2, 6),
        width(|r| &r.3, 6),
    );
    let mut out = format!(
        "{:<who_w$}  {:<period_w$}  {:<name_w$}  {:>amount_w$}  unit\n",
        "who", "period", "reward", "amount"
    );
    let mut previous_who: Option<&str> = None;
    for (who, period, name, amount, unit) in &rows {
        let shown = if previous_who == Some(who.as_str()) {
            ""
        } else {
            who.as_str()
        };
        out.push_str(&format!(
            "{shown:<who_w$}  {period:<period_w$}  {name:<name_w$}  {amount:>amount_w$}  {unit}\n"
        ));
        previous_who = Some(who);
    }
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}
