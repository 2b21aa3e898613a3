//! What a policy change does: both policies evaluated on the same log,
//! compared per person and account, per account in total, and declaration
//! by declaration.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::{Target, Totals};
use crate::schema::Schema;
use crate::semantics::arith;
use crate::semantics::dated::moment_text;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{DatedValue, Item, LetValue, PolicyFile};
use crate::value::Value;

/// One person's total in one account or badge, before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffRow {
    pub who: Arc<str>,
    pub target: Target,
    pub before: Value,
    pub after: Value,
    pub delta: Value,
}

impl DiffRow {
    pub fn direction(&self) -> Direction {
        direction(&self.delta)
    }
}

/// Whether a delta is a gain, a loss or nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Gain,
    Loss,
    Unchanged,
}

/// An account's or badge's total over everyone, before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountChange {
    pub target: Target,
    pub before: Value,
    pub after: Value,
    pub delta: Value,
    /// `delta / before`, as a percentage; `None` when `before` is zero.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub percent: Option<Decimal>,
    pub gainers: usize,
    pub losers: usize,
    pub unchanged: usize,
}

/// How people fared over all their accounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PeopleCounts {
    /// Gained in at least one account and lost in none.
    pub gain: usize,
    /// Lost in at least one account and gained in none.
    pub lose: usize,
    /// Gained in one account and lost in another.
    pub mixed: usize,
    pub unchanged: usize,
}

/// A declaration that differs between the two policy files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeclarationChange {
    /// `rule`, `constant`, `limit`, `pool`, ...
    pub what: &'static str,
    pub name: String,
    pub change: Change,
    /// The declaration as written in the old file, if it is there.
    pub old_text: Option<String>,
    /// The declaration as written in the new file, if it is there.
    pub new_text: Option<String>,
    /// For a value that changes over time, each of its `from` lines that
    /// changed: `review_rate from 2027-04-01: 0.025 EUR → 0.03 EUR`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dated_lines: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyDiff {
    /// Every person and account or badge that is non-zero before or after,
    /// sorted by `who` then name.
    pub rows: Vec<DiffRow>,
    pub accounts: Vec<AccountChange>,
    pub people: PeopleCounts,
    pub declarations: Vec<DeclarationChange>,
}

impl PolicyDiff {
    /// The rows with the largest changes, per account, biggest first.
    pub fn biggest_movers(&self, per_account: usize) -> Vec<&DiffRow> {
        let mut by_target: BTreeMap<&Target, Vec<&DiffRow>> = BTreeMap::new();
        for row in self
            .rows
            .iter()
            .filter(|r| r.direction() != Direction::Unchanged)
        {
            by_target.entry(&row.target).or_default().push(row);
        }
        let mut movers = Vec::new();
        for rows in by_target.values_mut() {
            rows.sort_by(|a, b| {
                magnitude(&b.delta)
                    .cmp(&magnitude(&a.delta))
                    .then_with(|| a.who.cmp(&b.who))
            });
            movers.extend(rows.iter().take(per_account));
        }
        movers
    }
}

/// The two sides of a comparison: a policy, its schema, and its totals.
pub struct Side<'a> {
    pub source: &'a SourceFile,
    pub policy: &'a PolicyFile,
    pub schema: &'a Schema,
    pub totals: &'a Totals,
}

/// Compares two evaluations of the same log.
pub fn diff_policies(old: &Side<'_>, new: &Side<'_>) -> PolicyDiff {
    let rows = diff_rows(old, new);
    let accounts = account_changes(&rows);
    let people = people_counts(&rows);
    let declarations = declaration_changes(old, new);
    PolicyDiff {
        rows,
        accounts,
        people,
        declarations,
    }
}

fn diff_rows(old: &Side<'_>, new: &Side<'_>) -> Vec<DiffRow> {
    let mut keys: BTreeSet<(Arc<str>, Target)> = BTreeSet::new();
    for totals in [old.totals, new.totals] {
        for (who, targets) in totals {
            for (target, value) in targets {
                if !is_zero(value) {
                    keys.insert((who.clone(), target.clone()));
                }
            }
        }
    }
    keys.into_iter()
        .filter_map(|(who, target)| {
            let zero = zero_for(&target, &[old.schema, new.schema])?;
            let total = |side: &Side<'_>| {
                side.totals
                    .get(&who)
                    .and_then(|t| t.get(&target))
                    .cloned()
                    .unwrap_or_else(|| zero.clone())
            };
            let before = total(old);
            let after = total(new);
            // Different types on the two sides (an account re-declared in
            // another currency) cannot be subtracted: show the full swing.
            let delta =
                arith::sub(&after, &before, Span::NOWHERE).unwrap_or_else(|_| after.clone());
            Some(DiffRow {
                who,
                target,
                before,
                after,
                delta,
            })
        })
        .collect()
}

fn account_changes(rows: &[DiffRow]) -> Vec<AccountChange> {
    let mut changes: BTreeMap<&Target, AccountChange> = BTreeMap::new();
    for row in rows {
        let change = changes.entry(&row.target).or_insert_with(|| AccountChange {
            target: row.target.clone(),
            before: zero_like(&row.before),
            after: zero_like(&row.after),
            delta: zero_like(&row.delta),
            percent: None,
            gainers: 0,
            losers: 0,
            unchanged: 0,
        });
        let add =
            |a: &Value, b: &Value| arith::add(a, b, Span::NOWHERE).unwrap_or_else(|_| a.clone());
        change.before = add(&change.before, &row.before);
        change.after = add(&change.after, &row.after);
        change.delta = add(&change.delta, &row.delta);
        match row.direction() {
            Direction::Gain => change.gainers += 1,
            Direction::Loss => change.losers += 1,
            Direction::Unchanged => change.unchanged += 1,
        }
    }
    changes
        .into_values()
        .map(|mut change| {
            change.percent = percent(&change.delta, &change.before);
            change
        })
        .collect()
}

fn people_counts(rows: &[DiffRow]) -> PeopleCounts {
    let mut by_person: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for row in rows {
        let entry = by_person.entry(row.who.as_ref()).or_default();
        match row.direction() {
            Direction::Gain => entry.0 = true,
            Direction::Loss => entry.1 = true,
            Direction::Unchanged => {}
        }
    }
    let mut counts = PeopleCounts::default();
    for (gained, lost) in by_person.values() {
        match (gained, lost) {
            (true, false) => counts.gain += 1,
            (false, true) => counts.lose += 1,
            (true, true) => counts.mixed += 1,
            (false, false) => counts.unchanged += 1,
        }
    }
    counts
}

/// `delta / before × 100`, rounded to one decimal place.
fn percent(delta: &Value, before: &Value) -> Option<Decimal> {
    let before = arith::number(before).or_else(|| arith::magnitude(before))?;
    let delta = arith::number(delta).or_else(|| arith::magnitude(delta))?;
    if before.is_zero() {
        return None;
    }
    let ratio = delta
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(before.abs())?;
    Some(ratio.round_dp(1))
}

fn direction(delta: &Value) -> Direction {
    match arith::sign(delta) {
        Some(std::cmp::Ordering::Greater) => Direction::Gain,
        Some(std::cmp::Ordering::Less) => Direction::Loss,
        _ => Direction::Unchanged,
    }
}

fn magnitude(value: &Value) -> Decimal {
    arith::magnitude(value)
        .or_else(|| arith::number(value))
        .unwrap_or_default()
        .abs()
}

fn is_zero(value: &Value) -> bool {
    direction(value) == Direction::Unchanged
}

/// The zero of an account's type (from either policy), or 0 for a badge.
fn zero_for(target: &Target, schemas: &[&Schema]) -> Option<Value> {
    match target {
        Target::Badge(_) => Some(Value::Int(0)),
        Target::Account(name) => schemas
            .iter()
            .find_map(|s| s.rewards.get(&**name))
            .and_then(arith::zero_of),
    }
}

fn zero_like(value: &Value) -> Value {
    match value {
        Value::Money(m) => Value::Money(crate::value::Money::new(Decimal::ZERO, m.currency)),
        Value::Points(_) => Value::Points(Decimal::ZERO),
        Value::Duration(_) => Value::Duration(Decimal::ZERO),
        Value::Decimal(_) => Value::Decimal(Decimal::ZERO),
        _ => Value::Int(0),
    }
}

/// Declarations added, removed or changed, in the order of the new file
/// (removed ones after). Comments and layout do not count as changes.
fn declaration_changes(old: &Side<'_>, new: &Side<'_>) -> Vec<DeclarationChange> {
    let old_items = named_items(old.policy);
    let new_items = named_items(new.policy);
    let text = |source: &SourceFile, item: &Item| declaration_text(source, item.span());
    let mut changes = Vec::new();
    for ((what, name), item) in &new_items {
        match old_items
            .iter()
            .find(|(key, _)| key == &(*what, name.clone()))
        {
            None => changes.push(DeclarationChange {
                what,
                name: name.clone(),
                change: Change::Added,
                old_text: None,
                new_text: text(new.source, item),
                dated_lines: Vec::new(),
            }),
            Some((_, before)) if before != item => changes.push(DeclarationChange {
                what,
                name: name.clone(),
                change: Change::Changed,
                old_text: text(old.source, before),
                new_text: text(new.source, item),
                dated_lines: dated_line_changes(old.source, before, new.source, item),
            }),
            Some(_) => {}
        }
    }
    for ((what, name), item) in &old_items {
        if !new_items
            .iter()
            .any(|(key, _)| key == &(*what, name.clone()))
        {
            changes.push(DeclarationChange {
                what,
                name: name.clone(),
                change: Change::Removed,
                old_text: text(old.source, item),
                new_text: None,
                dated_lines: Vec::new(),
            });
        }
    }
    changes
}

/// The `from` lines of a dated value that differ between two versions,
/// one sentence each, in date order; empty unless both are dated.
fn dated_line_changes(
    old_source: &SourceFile,
    old: &Item,
    new_source: &SourceFile,
    new: &Item,
) -> Vec<String> {
    let (Item::Let(old), Item::Let(new)) = (old, new) else {
        return Vec::new();
    };
    let (LetValue::Dated(old_lines), LetValue::Dated(new_lines)) = (&old.value, &new.value) else {
        return Vec::new();
    };
    let written = |source: &SourceFile, line: &DatedValue| {
        let value = source
            .text()
            .get(line.value.span.start..line.value.span.end)
            .unwrap_or_default()
            .to_string();
        let source = line.source.as_ref().map(|s| format!("\"{}\"", s.node));
        (value, source)
    };
    let by_date = |source: &SourceFile, lines: &[DatedValue]| {
        lines
            .iter()
            .map(|l| (moment_text(l.from.node), written(source, l)))
            .collect::<BTreeMap<String, (String, Option<String>)>>()
    };
    let whole = |(value, source): &(String, Option<String>)| match source {
        Some(source) => format!("{value} {source}"),
        None => value.clone(),
    };
    let before = by_date(old_source, old_lines);
    let after = by_date(new_source, new_lines);
    let dates: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let name = &new.name.node;
    dates
        .into_iter()
        .filter_map(|date| {
            let change = match (before.get(date), after.get(date)) {
                (Some(b), Some(a)) if b.1 == a.1 && b.0 != a.0 => {
                    let source = a.1.as_ref().map(|s| format!(" ({s})")).unwrap_or_default();
                    format!("{} → {}{source}", b.0, a.0)
                }
                (Some(b), Some(a)) if b != a => format!("{} → {}", whole(b), whole(a)),
                (Some(b), None) => format!("removed (was {})", whole(b)),
                (None, Some(a)) => format!("added, {}", whole(a)),
                _ => return None,
            };
            Some(format!("{name} from {date}: {change}"))
        })
        .collect()
}

/// The declaration as written, without the blank lines and comments that
/// can trail it inside its span.
fn declaration_text(source: &SourceFile, span: Span) -> Option<String> {
    let text = source.text().get(span.start..span.end)?;
    let mut lines: Vec<&str> = text.lines().collect();
    while lines
        .last()
        .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        lines.pop();
    }
    Some(lines.join("\n").trim_end().to_string())
}

/// Each declaration that can affect a ledger, keyed by what it is and its
/// name. Limits have no name: they are known by account, rules and period.
fn named_items(policy: &PolicyFile) -> Vec<((&'static str, String), &Item)> {
    policy
        .items
        .iter()
        .filter_map(|item| {
            let key = match item {
                Item::Policy(_) => ("policy header", String::new()),
                Item::Person(_) => ("roster columns", String::new()),
                Item::Contribution(d) => ("contribution kind", d.name.node.clone()),
                Item::Reward(d) => ("reward", d.name.node.clone()),
                Item::Badge(d) => ("badge", d.name.node.clone()),
                Item::Let(d) => ("constant", d.name.node.clone()),
                Item::Rule(d) => ("rule", d.name.node.clone()),
                Item::Limit(d) => {
                    let from: Vec<&str> = d.from.iter().map(|r| r.node.as_str()).collect();
                    let from = if from.is_empty() {
                        String::new()
                    } else {
                        format!(" from {}", from.join(", "))
                    };
                    (
                        "limit",
                        format!("{}{from} per {}", d.account.node, d.period.node),
                    )
                }
                Item::Pool(d) => ("pool", d.name.node.clone()),
                Item::Test(_) | Item::Import(_) => return None,
            };
            Some((key, item))
        })
        .collect()
}
