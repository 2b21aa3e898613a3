//! Short listings for the session: what a policy holds (`:rules`), what a
//! reload changed, and one person's grants (`:ledger WHO`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono_tz::Tz;

use crate::ledger::{Ledger, Origin, Target};
use crate::pipeline::CompiledPolicy;
use crate::render::amount::human;
use crate::render::table::render_table;
use crate::source::Span;
use crate::syntax::ast::{Action, Item, LetValue};

use super::commands::plural;

/// `10 rules, 1 limit, 1 pool, 1 constant`
pub fn summary(policy: &CompiledPolicy) -> String {
    let count = |f: fn(&Item) -> bool| policy.ast.items.iter().filter(|i| f(i)).count();
    let parts = [
        (count(|i| matches!(i, Item::Rule(_))), "rule", "rules"),
        (count(|i| matches!(i, Item::Limit(_))), "limit", "limits"),
        (count(|i| matches!(i, Item::Pool(_))), "pool", "pools"),
        (
            count(|i| matches!(i, Item::Let(_))),
            "constant",
            "constants",
        ),
    ];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", plural(*n, one, many)))
        .collect();
    if shown.is_empty() {
        "no rules yet".to_string()
    } else {
        shown.join(", ")
    }
}

/// `:rules`: rules, limits, pools and constants, one line each; what the
/// session added or changed is marked.
pub fn list_rules(current: &CompiledPolicy, base: &CompiledPolicy) -> String {
    let base_items = named_items(base);
    let text = |span: Span| snippet(current.source.text(), span);
    let mut sections: BTreeMap<u8, (&str, Vec<String>)> = BTreeMap::new();
    for item in &current.ast.items {
        let (order, title, line) = match item {
            Item::Rule(rule) => {
                let when = rule
                    .condition
                    .as_ref()
                    .map_or(String::new(), |c| format!(" when {}", text(c.span)));
                let action = match &rule.action {
                    Action::Grant {
                        account, amount, ..
                    } => format!("grant {} {}", account.node, text(amount.span)),
                    Action::Award { badge, .. } => format!("award {}", badge.node),
                };
                let window = rule
                    .window
                    .as_ref()
                    .map_or(String::new(), |w| format!(" {}", text(w.span)));
                let line = format!(
                    "{}: {}{window}{when} → {action}",
                    rule.name.node,
                    text(rule.trigger.span())
                );
                (0, "rules", line)
            }
            Item::Limit(limit) => (1, "limits", text(limit.span)),
            Item::Pool(pool) => {
                let window = pool
                    .window
                    .as_ref()
                    .map_or(String::new(), |w| format!(" {}", text(w.span)));
                let line = format!(
                    "{}: grant {} {} per {}{window}, split by {}",
                    pool.name.node,
                    pool.account.node,
                    text(pool.amount.span),
                    pool.period.node,
                    text(pool.split_by.span)
                );
                (2, "pools", line)
            }
            Item::Let(l) => (
                3,
                "constants",
                match &l.value {
                    LetValue::Fixed(value) => format!("{} = {}", l.name.node, text(value.span)),
                    LetValue::Dated(lines) => {
                        let lines: Vec<String> = lines.iter().map(|x| text(x.span)).collect();
                        format!("{} {{ {} }}", l.name.node, lines.join("  "))
                    }
                },
            ),
            _ => continue,
        };
        let mark = match key(item).and_then(|k| base_items.get(&k)) {
            Some(before) if *before == item => "",
            Some(_) => "   (changed in this session)",
            None => "   (added in this session)",
        };
        sections
            .entry(order)
            .or_insert((title, Vec::new()))
            .1
            .push(format!("  {line}{mark}"));
    }
    if sections.is_empty() {
        return "the policy has no rules yet; load one with `:load POLICY` or type a `rule`\n"
            .to_string();
    }
    let mut out = String::new();
    for (title, lines) in sections.values() {
        let _ = writeln!(out, "{title}");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// What `:reload` found different: `rule `x` changed; rule `y` added`.
pub fn describe_changes(old: &CompiledPolicy, new: &CompiledPolicy) -> String {
    let before = named_items(old);
    let after = named_items(new);
    let mut changes = Vec::new();
    for (k, item) in &after {
        match before.get(k) {
            None => changes.push(format!("{} `{}` added", k.0, k.1)),
            Some(old_item) if old_item != item => {
                changes.push(format!("{} `{}` changed", k.0, k.1))
            }
            Some(_) => {}
        }
    }
    for k in before.keys() {
        if !after.contains_key(k) {
            changes.push(format!("{} `{}` removed", k.0, k.1));
        }
    }
    if changes.is_empty() {
        "unchanged".to_string()
    } else {
        changes.join("; ")
    }
}

/// `:ledger WHO`: one line per grant, then the person's totals.
pub fn list_grants(who: &str, ledger: &Ledger, tz: Tz) -> String {
    if ledger.grants.is_empty() {
        return format!("{who} received nothing in this log\n");
    }
    let n = ledger.grants.len();
    let mut rows: Vec<[String; 5]> = Vec::new();
    for grant in &ledger.grants {
        let day = grant.at.with_timezone(&tz).date_naive().to_string();
        let target = match &grant.target {
            Target::Account(name) => name.to_string(),
            Target::Badge(name) => format!("badge {name}"),
        };
        let amount = match &grant.target {
            Target::Badge(_) => String::new(),
            Target::Account(_) if grant.cuts.is_empty() => human(&grant.granted),
            Target::Account(_) => format!(
                "{} (cut from {})",
                human(&grant.granted),
                human(&grant.amount)
            ),
        };
        let origin = match &grant.origin {
            Origin::Rule { name, .. } => format!("rule {name}"),
            Origin::Pool(share) => format!("pool {} {}", share.pool, share.period),
        };
        let ids = match grant.contributions.as_slice() {
            [] => String::new(),
            [a] => a.to_string(),
            [a, b] => format!("{a}, {b}"),
            [a, b, rest @ ..] => format!("{a}, {b} +{} more", rest.len()),
        };
        rows.push([day, target, amount, origin, ids]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{who}: {n} {}\n", plural(n, "grant", "grants"));
    for row in &rows {
        let mut line = String::from(" ");
        for (i, cell) in row.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let _ = write!(line, " {cell:<width$} ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
    out.push_str(&render_table(&ledger.totals));
    out
}

/// Identity of a declaration across versions of a policy.
type Key = (&'static str, String);

fn key(item: &Item) -> Option<Key> {
    Some(match item {
        Item::Rule(r) => ("rule", r.name.node.clone()),
        Item::Let(l) => ("constant", l.name.node.clone()),
        Item::Pool(p) => ("pool", p.name.node.clone()),
        Item::Limit(l) => (
            "limit on",
            format!("{} per {}", l.account.node, l.period.node),
        ),
        Item::Contribution(k) => ("contribution kind", k.name.node.clone()),
        Item::Reward(r) => ("reward account", r.name.node.clone()),
        Item::Badge(b) => ("badge", b.name.node.clone()),
        Item::Test(t) => ("test", t.name.node.clone()),
        Item::Person(_) => ("person block", String::new()),
        Item::Policy(_) => ("policy header", String::new()),
        Item::Import(_) => return None,
    })
}

fn named_items(policy: &CompiledPolicy) -> BTreeMap<Key, &Item> {
    policy
        .ast
        .items
        .iter()
        .filter_map(|item| Some((key(item)?, item)))
        .collect()
}

/// The source text at `span`, on one line.
fn snippet(text: &str, span: Span) -> String {
    text.get(span.start..span.end)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
