//! `:diff`: what the session's changes do to the ledger, computed from two
//! sets of totals. Kept small and self-contained so it can give way to a
//! shared `meed diff` renderer.
//!
//! ```text
//! who   reward      before   after  delta
//! ada   reputation  31 pts  37 pts  +6 pts
//! ```

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use crate::eval::arith;
use crate::ledger::{Target, Totals};
use crate::render::amount::amount_and_unit;
use crate::source::Span;
use crate::value::Value;

/// One person's total for one account, before and after.
struct Change {
    who: Arc<str>,
    target: Target,
    before: Value,
    after: Value,
    delta: Value,
}

/// Per person and account before/after/delta, totals per account, and
/// who gains or loses.
pub fn render_whatif(before: &Totals, after: &Totals) -> String {
    let changes = changes(before, after);
    if changes.is_empty() {
        return "the ledger is the same with and without the session's changes\n".to_string();
    }
    let mut out = String::new();
    let mut rows = vec![row_of(["who", "reward", "before", "after", "delta"])];
    let mut previous: Option<&str> = None;
    for c in &changes {
        let who = if previous == Some(c.who.as_ref()) {
            ""
        } else {
            c.who.as_ref()
        };
        previous = Some(c.who.as_ref());
        rows.push([
            who.to_string(),
            target_name(&c.target),
            shown(&c.target, &c.before),
            shown(&c.target, &c.after),
            signed(&c.target, &c.delta),
        ]);
    }
    write_table(&mut out, &rows);

    out.push_str("\ntotals\n");
    let mut rows = vec![row_of(["", "reward", "before", "after", "delta"])];
    for (target, (b, a)) in account_totals(before, after) {
        let delta = arith::sub(&a, &b, Span::default()).unwrap_or_else(|_| a.clone());
        rows.push([
            String::new(),
            target_name(&target),
            shown(&target, &b),
            shown(&target, &a),
            signed(&target, &delta),
        ]);
    }
    write_table(&mut out, &rows);

    let mut verdicts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut per_person: BTreeMap<&str, BTreeSet<Ordering>> = BTreeMap::new();
    for c in &changes {
        if let Some(sign) = arith::sign(&c.delta) {
            per_person.entry(c.who.as_ref()).or_default().insert(sign);
        }
    }
    for (who, signs) in &per_person {
        let gains = signs.contains(&Ordering::Greater);
        let loses = signs.contains(&Ordering::Less);
        let verdict = match (gains, loses) {
            (true, false) => "gain",
            (false, true) => "lose",
            (true, true) => "gain on one account, lose on another",
            (false, false) => continue,
        };
        verdicts.entry(verdict).or_default().push(who);
    }
    out.push('\n');
    for verdict in ["gain", "lose", "gain on one account, lose on another"] {
        if let Some(people) = verdicts.get(verdict) {
            let _ = writeln!(out, "{verdict} ({}): {}", people.len(), people.join(", "));
        }
    }
    let everyone: BTreeSet<&str> = before
        .keys()
        .chain(after.keys())
        .map(|w| w.as_ref())
        .collect();
    let unchanged = everyone.len().saturating_sub(per_person.len());
    let _ = writeln!(
        out,
        "unchanged: {unchanged} {}",
        if unchanged == 1 { "person" } else { "people" }
    );
    out
}

/// Every (person, account) whose total differs, sorted by person then account.
fn changes(before: &Totals, after: &Totals) -> Vec<Change> {
    let keys: BTreeSet<(&Arc<str>, &Target)> = before
        .iter()
        .chain(after.iter())
        .flat_map(|(who, targets)| targets.keys().map(move |t| (who, t)))
        .collect();
    keys.into_iter()
        .filter_map(|(who, target)| {
            let b = before.get(who).and_then(|t| t.get(target));
            let a = after.get(who).and_then(|t| t.get(target));
            let (b, a) = with_zeros(b, a)?;
            let delta = arith::sub(&a, &b, Span::default()).ok()?;
            (arith::sign(&delta) != Some(Ordering::Equal)).then(|| Change {
                who: who.clone(),
                target: target.clone(),
                before: b,
                after: a,
                delta,
            })
        })
        .collect()
}

/// Sums per account over everyone, before and after.
fn account_totals(before: &Totals, after: &Totals) -> BTreeMap<Target, (Value, Value)> {
    let mut sums: BTreeMap<Target, (Option<Value>, Option<Value>)> = BTreeMap::new();
    let add = |slot: &mut Option<Value>, v: &Value| {
        *slot = Some(match slot.take() {
            Some(sum) => arith::add(&sum, v, Span::default()).unwrap_or(sum),
            None => v.clone(),
        });
    };
    for targets in before.values() {
        for (target, v) in targets {
            add(&mut sums.entry(target.clone()).or_default().0, v);
        }
    }
    for targets in after.values() {
        for (target, v) in targets {
            add(&mut sums.entry(target.clone()).or_default().1, v);
        }
    }
    sums.into_iter()
        .filter_map(|(t, (b, a))| Some((t, with_zeros(b.as_ref(), a.as_ref())?)))
        .collect()
}

/// Both sides, a missing one as zero of the other's type.
fn with_zeros(before: Option<&Value>, after: Option<&Value>) -> Option<(Value, Value)> {
    match (before, after) {
        (Some(b), Some(a)) => Some((b.clone(), a.clone())),
        (Some(b), None) => Some((b.clone(), arith::zero_of(&b.ty())?)),
        (None, Some(a)) => Some((arith::zero_of(&a.ty())?, a.clone())),
        (None, None) => None,
    }
}

fn target_name(target: &Target) -> String {
    match target {
        Target::Account(name) => name.clone(),
        Target::Badge(name) => format!("badge {name}"),
    }
}

/// `12.50 EUR`, `31 pts`, `90 min`; badges as a count.
fn shown(target: &Target, value: &Value) -> String {
    let (amount, unit) = amount_and_unit(target, value);
    match target {
        Target::Badge(_) => amount,
        Target::Account(_) if unit.is_empty() => amount,
        Target::Account(_) => format!("{amount} {unit}"),
    }
}

/// `+6 pts`, `-12.50 EUR`, `0 pts`.
fn signed(target: &Target, delta: &Value) -> String {
    let text = shown(target, delta);
    match arith::sign(delta) {
        Some(Ordering::Greater) => format!("+{text}"),
        _ => text,
    }
}

fn row_of(cells: [&str; 5]) -> [String; 5] {
    cells.map(str::to_string)
}

/// Names left-aligned, amounts right-aligned.
fn write_table(out: &mut String, rows: &[[String; 5]]) {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if w == 0 {
                continue;
            }
            if i < 2 {
                let _ = write!(line, "{cell:<w$}  ");
            } else {
                let _ = write!(line, "{cell:>w$}  ");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
