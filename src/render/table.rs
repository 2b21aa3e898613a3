//! Totals per person, aligned for a terminal.

use crate::ledger::{Target, Totals};
use crate::render::amount::{amount_and_unit_to_read, is_zero};
use crate::text::escape_visible;

/// One block per person; amounts right-aligned so columns of money line up.
/// A control character in a name is written visibly (`\n`), so a name
/// cannot add a line or move the cursor.
pub fn render_table(totals: &Totals) -> String {
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for (who, targets) in totals {
        for (target, total) in targets {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit_to_read(target, total);
            let name = match target {
                Target::Account(name) => name.to_string(),
                Target::Badge(name) => format!("badge {name}"),
            };
            rows.push((escape_visible(who).into_owned(), name, amount, unit));
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::value::Value;

    /// Regression (issue 17): a line break or terminal escape in a name
    /// added lines to the table or reached the terminal raw.
    #[test]
    fn control_characters_in_names_are_written_visibly() {
        let mut totals = Totals::new();
        for who in [
            "ada\nmallory  reputation  1000  pts",
            "bob\u{1b}[2J",
            "CORP\\cy",
        ] {
            totals.entry(Arc::from(who)).or_default().insert(
                Target::Account("reputation".into()),
                Value::Points(15.into()),
            );
        }
        let table = render_table(&totals);
        assert_eq!(table.lines().count(), 4, "{table}");
        assert!(
            table.contains("ada\\nmallory  reputation  1000  pts  reputation"),
            "{table}"
        );
        assert!(table.contains("bob\\u{1b}[2J "), "{table}");
        assert!(table.contains("CORP\\cy "), "{table}");
        assert!(!table.contains('\u{1b}'));
    }
}
