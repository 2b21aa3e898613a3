//! `textDocument/completion`: what may be written at the cursor.
//!
//! The file is usually broken while a name is being typed (`r.` does not
//! parse), so the context is read from the text before the cursor, and the
//! declarations from the tree of the rest of the file (see
//! [`super::analysis`]):
//! - after `x.by.` (or `person.`): the roster columns;
//! - after `x.`: the fields of `x`'s kind (`x` bound by `on KIND x` or an
//!   aggregate's `KIND x`) and `by`, `at`, `id`; after `KIND.` (as in
//!   `sum(review.lines)`), that kind's fields;
//! - after a number: units and currencies;
//! - after `grant`, `limit`, `total(`: reward accounts; after `award` and
//!   `badge`: badges; after `on`, `count(`, `sum(`...: kinds; in a limit's
//!   `from`: rules; after `per`: `person` and the periods; after a `:` in a
//!   declaration: the types;
//! - at the start of a line: the words that start a declaration, or inside
//!   one, the clauses it may hold (`on`, `when`, `grant`... in a rule);
//! - elsewhere, in an expression: the expression keywords, functions and
//!   the names the policy declares.

use lsp_types::{CompletionItem, CompletionItemKind, Position};

use crate::syntax::ast::{FieldDecl, Item, PolicyFile};

use super::analysis::{Analysis, ITEM_KEYWORDS};

mod text;

use text::{bindings, bound_kind, enclosing_item, is_name_char, last_word};

/// Units written after a number; currencies come from the policy and
/// this list of the most common ones.
const UNITS: [(&str, &str); 4] = [
    ("pts", "Points"),
    ("min", "Duration in minutes"),
    ("h", "Duration in hours"),
    ("%", "a Decimal: 10% is 0.10"),
];
const COMMON_CURRENCIES: [&str; 8] = ["EUR", "USD", "GBP", "CHF", "JPY", "SEK", "CAD", "AUD"];

/// The built-in fields of every contribution.
const BUILTIN_FIELDS: [(&str, &str); 3] = [
    ("by", "the person who contributed (roster columns)"),
    ("at", "Timestamp"),
    ("id", "Text: the record's id"),
];

/// Words that continue an expression.
const EXPRESSION_KEYWORDS: [&str; 15] = [
    "if", "then", "else", "and", "or", "not", "true", "false", "tiers", "up", "to", "above",
    "where", "one", "of",
];

/// The scalar functions and aggregates.
const FUNCTIONS: [&str; 9] = [
    "min", "max", "abs", "round", "floor", "ceil", "total", "count", "sum",
];

const PERIODS: [&str; 5] = ["day", "week", "month", "quarter", "year"];

const TYPES: [&str; 10] = [
    "Int",
    "Decimal",
    "Bool",
    "Text",
    "Date",
    "Timestamp",
    "Duration",
    "Points",
    "Money(EUR)",
    "one of",
];

pub fn complete(doc: &Analysis, position: Position) -> Vec<CompletionItem> {
    let text = doc.source.text();
    let offset = doc.offset(position);
    let before = text.get(..offset).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    // The declarations in reach: this file's and, for a test-only file,
    // the imported policy's.
    let mut items = doc
        .ast
        .as_ref()
        .map_or_else(Vec::new, |ast| ast.items.clone());
    if let Some(imported) = &doc.imported {
        items.extend(imported.ast.items.iter().cloned());
    }
    let declarations = PolicyFile {
        items,
        comments: Vec::new(),
        span: crate::source::Span::NOWHERE,
    };
    let ast = &declarations;
    let word_start = line.trim_end_matches(is_name_char);
    if word_start.ends_with(".by.") {
        return columns(ast);
    }
    if let Some(base) = word_start.strip_suffix('.') {
        let name = last_word(base);
        if name == "person" {
            return columns(ast);
        }
        if let Some(kind) = bound_kind(before, name) {
            let mut items = fields(ast, &kind);
            items.extend(
                BUILTIN_FIELDS
                    .iter()
                    .map(|(f, d)| item(f, CompletionItemKind::FIELD, d)),
            );
            return items;
        }
        return fields(ast, name);
    }
    let trimmed = word_start.trim_end();
    if trimmed.len() < word_start.len() && trimmed.ends_with(|c: char| c.is_ascii_digit()) {
        return units(ast);
    }
    if let Some(items) = after_word(ast, before, line, trimmed) {
        return items;
    }
    if trimmed.is_empty() {
        return clauses(ast, before, word_start.is_empty());
    }
    let mut items: Vec<CompletionItem> = EXPRESSION_KEYWORDS
        .iter()
        .map(|k| item(k, CompletionItemKind::KEYWORD, "keyword"))
        .collect();
    items.extend(
        FUNCTIONS
            .iter()
            .map(|f| item(f, CompletionItemKind::FUNCTION, "function")),
    );
    let (_, body) = enclosing_item(before);
    let mut bound: Vec<&str> = bindings(body).into_iter().map(|(_, name)| name).collect();
    bound.dedup();
    items.extend(
        bound
            .into_iter()
            .map(|name| item(name, CompletionItemKind::VARIABLE, "binding")),
    );
    items.extend(
        names(ast)
            .into_iter()
            .filter(|(sort, _)| sort.is_none())
            .map(|(_, item)| item),
    );
    items
}

/// What the word (or call) just before the cursor asks for, if it asks
/// for something in particular.
fn after_word(
    ast: &PolicyFile,
    before: &str,
    line: &str,
    before_word: &str,
) -> Option<Vec<CompletionItem>> {
    let previous = last_word(before_word);
    let ahead = line.trim_start();
    if before_word.ends_with("total(") {
        return Some(declared(ast, Declared::Reward));
    }
    if ["count(", "sum(", "min(", "max("]
        .iter()
        .any(|call| before_word.ends_with(call))
    {
        return Some(declared(ast, Declared::Kind));
    }
    if before_word.ends_with(':')
        && (ahead.starts_with("reward")
            || matches!(enclosing_item(before).0, "person" | "contribution"))
    {
        return Some(keywords(&TYPES, CompletionItemKind::TYPE_PARAMETER, "type"));
    }
    if ahead.starts_with("limit")
        && (previous == "from" || before_word.contains(" from "))
        && !before_word.contains(" at ")
    {
        return Some(declared(ast, Declared::Rule));
    }
    let words: Vec<&str> = before_word.split_whitespace().collect();
    let second_last = words.len().checked_sub(2).and_then(|i| words.get(i));
    Some(match previous {
        "grant" | "limit" => declared(ast, Declared::Reward),
        "award" | "badge" => declared(ast, Declared::Badge),
        "on" => declared(ast, Declared::Kind),
        "each" => keywords(&["person"], CompletionItemKind::KEYWORD, "keyword"),
        "per" => {
            let mut items = keywords(&["person"], CompletionItemKind::KEYWORD, "keyword");
            items.extend(keywords(
                &PERIODS,
                CompletionItemKind::ENUM_MEMBER,
                "period",
            ));
            items
        }
        "rounding" => keywords(
            &["half_up", "half_even"],
            CompletionItemKind::ENUM_MEMBER,
            "rounding",
        ),
        _ if second_last == Some(&"expect") => {
            let mut items = declared(ast, Declared::Reward);
            items.push(item("badge", CompletionItemKind::KEYWORD, "keyword"));
            items
        }
        _ => return None,
    })
}

/// At the start of a line: the words that start a declaration, or the
/// clauses the enclosing declaration may hold.
fn clauses(ast: &PolicyFile, before: &str, at_column_zero: bool) -> Vec<CompletionItem> {
    if at_column_zero {
        return keywords(&ITEM_KEYWORDS, CompletionItemKind::KEYWORD, "declaration");
    }
    let (keyword, body) = enclosing_item(before);
    let depth = body
        .matches('{')
        .count()
        .saturating_sub(body.matches('}').count());
    let words: &[&str] = match keyword {
        "rule" => &["on", "each", "from", "until", "when", "grant", "award"],
        "pool" => &["grant", "from", "until", "split"],
        "policy" => &["timezone", "rounding"],
        "test" if depth >= 2 => {
            // A line of `given`: a record of some kind, or a roster row.
            let mut items = declared(ast, Declared::Kind);
            items.push(item("person", CompletionItemKind::KEYWORD, "keyword"));
            return items;
        }
        "test" => &["given", "expect"],
        _ => &[],
    };
    keywords(words, CompletionItemKind::KEYWORD, "keyword")
}

fn keywords(words: &[&str], kind: CompletionItemKind, detail: &str) -> Vec<CompletionItem> {
    words.iter().map(|w| item(w, kind, detail)).collect()
}

fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        ..CompletionItem::default()
    }
}

fn field_items(ast_fields: &[FieldDecl]) -> impl Iterator<Item = CompletionItem> + '_ {
    ast_fields.iter().map(|f| {
        item(
            &f.name.node,
            CompletionItemKind::FIELD,
            &type_text(&f.ty.node),
        )
    })
}

fn type_text(ty: &crate::syntax::ast::TypeExpr) -> String {
    use crate::syntax::ast::TypeExpr;
    match ty {
        TypeExpr::Int => "Int".to_string(),
        TypeExpr::Decimal => "Decimal".to_string(),
        TypeExpr::Bool => "Bool".to_string(),
        TypeExpr::Text => "Text".to_string(),
        TypeExpr::OneOf(values) => {
            let values: Vec<String> = values.iter().map(|v| format!("\"{}\"", v.node)).collect();
            format!("one of {}", values.join(", "))
        }
        TypeExpr::Timestamp => "Timestamp".to_string(),
        TypeExpr::Duration => "Duration".to_string(),
        TypeExpr::Money(currency) => format!("Money({})", currency.node),
        TypeExpr::Points => "Points".to_string(),
    }
}

fn columns(ast: &PolicyFile) -> Vec<CompletionItem> {
    ast.items
        .iter()
        .filter_map(|item| match item {
            Item::Person(person) => Some(field_items(&person.fields).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn fields(ast: &PolicyFile, kind: &str) -> Vec<CompletionItem> {
    ast.items
        .iter()
        .find_map(|item| match item {
            Item::Contribution(decl) if decl.name.node == kind => {
                Some(field_items(&decl.fields).collect())
            }
            _ => None,
        })
        .unwrap_or_default()
}

fn units(ast: &PolicyFile) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = UNITS
        .iter()
        .map(|(unit, detail)| item(unit, CompletionItemKind::UNIT, detail))
        .collect();
    let mut currencies: Vec<String> = Vec::new();
    for item in &ast.items {
        if let Item::Reward(reward) = item
            && let crate::syntax::ast::TypeExpr::Money(code) = &reward.ty.node
            && !currencies.contains(&code.node)
        {
            currencies.push(code.node.clone());
        }
    }
    for code in COMMON_CURRENCIES {
        if !currencies.iter().any(|c| c == code) {
            currencies.push(code.to_string());
        }
    }
    items.extend(
        currencies
            .iter()
            .map(|code| item(code, CompletionItemKind::UNIT, "currency")),
    );
    items
}

/// Which declarations to offer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Declared {
    Kind,
    Reward,
    Badge,
    Rule,
}

/// The declarations of one sort.
fn declared(ast: &PolicyFile, wanted: Declared) -> Vec<CompletionItem> {
    names(ast)
        .into_iter()
        .filter(|(sort, _)| *sort == Some(wanted))
        .map(|(_, item)| item)
        .collect()
}

/// Every name the policy declares, with what it is (`None`: a constant).
fn names(ast: &PolicyFile) -> Vec<(Option<Declared>, CompletionItem)> {
    let mut items = Vec::new();
    for decl in &ast.items {
        let (sort, name, kind, detail) = match decl {
            Item::Contribution(k) => (
                Some(Declared::Kind),
                &k.name.node,
                CompletionItemKind::STRUCT,
                "contribution kind",
            ),
            Item::Reward(r) => (
                Some(Declared::Reward),
                &r.name.node,
                CompletionItemKind::PROPERTY,
                "reward account",
            ),
            Item::Badge(b) => (
                Some(Declared::Badge),
                &b.name.node,
                CompletionItemKind::ENUM_MEMBER,
                "badge",
            ),
            Item::Let(c) => (None, &c.name.node, CompletionItemKind::CONSTANT, "constant"),
            Item::Rule(r) => (
                Some(Declared::Rule),
                &r.name.node,
                CompletionItemKind::FUNCTION,
                "rule",
            ),
            _ => continue,
        };
        items.push((sort, item(name, kind, detail)));
    }
    items
}
