//! Totals per person, aligned for a terminal.

use crate::ledger::{Target, Totals};
use crate::render::amount::{amount_and_unit, is_zero};

/// One block per person; amounts right-aligned so columns of money line up.
pub fn render_table(totals: &Totals) -> String {
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for (who, targets) in totals {
        for (target, total) in targets {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit(target, total);
            let name = match target {
                Target::Account(name) => name.clone(),
                Target::Badge(name) => format!("badge {name}"),
            };
            rows.push((who.to_string(), name, amount, unit));
        }
    }
    if rows.is_empty() {
        return "no rewards were granted\n".to_string();
    }
    let width = |f: fn(&(String, String, String, String)) -> &String| {
        rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0)
    };
    let (who_w, name_w, amount_w) = (
        width(|r| &r.0).max(3),
        width(|r| &r.1).max(6),
        width(|r| &r.2).max(6),
    );
    let mut out = format!(
        "{:<who_w$}  {:<name_w$}  {:>amount_w$}  unit\n",
        "who", "reward", "amount"
    );
    let mut previous_who = None;
    for (who, name, amount, unit) in &rows {
        let shown_who = if previous_who == Some(who) {
            ""
        } else {
            who.as_str()
        };
        out.push_str(&format!(
            "{shown_who:<who_w$}  {name:<name_w$}  {amount:>amount_w$}  {unit}\n"
        ));
        previous_who = Some(who);
    }
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}
