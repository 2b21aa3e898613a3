//! `textDocument/completion`: what may be written at the cursor.
//!
//! The file is usually broken while a name is being typed (`r.` does not
//! parse), so the context is read from the text before the cursor, and the
//! declarations from the tree of the rest of the file (see
//! [`super::analysis`]):
//! - after `x.by.`: the roster columns;
//! - after `x.`: the fields of `x`'s kind (`x` bound by `on KIND x` or an
//!   aggregate's `KIND x`) and `by`, `at`, `id`; after `KIND.` (as in
//!   `sum(review.lines)`), that kind's fields;
//! - after a number: units and currencies;
//! - at the start of a line: the words that start a declaration;
//! - elsewhere: keywords and the names the policy declares.

use lsp_types::{CompletionItem, CompletionItemKind, Position};

use crate::syntax::KEYWORDS;
use crate::syntax::ast::{FieldDecl, Item, PolicyFile};

use super::analysis::Analysis;

/// The words that start a top-level declaration.
const ITEM_KEYWORDS: [&str; 11] = [
    "policy",
    "person",
    "contribution",
    "reward",
    "badge",
    "let",
    "rule",
    "limit",
    "pool",
    "test",
    "import",
];

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

pub fn complete(doc: &Analysis, position: Position) -> Vec<CompletionItem> {
    let text = doc.source.text();
    let offset = doc.offset(position);
    let before = text.get(..offset).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    let empty = PolicyFile {
        items: Vec::new(),
        comments: Vec::new(),
        span: crate::source::Span::default(),
    };
    let ast = doc.ast.as_ref().unwrap_or(&empty);
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
    if word_start.is_empty() {
        return ITEM_KEYWORDS
            .iter()
            .map(|k| item(k, CompletionItemKind::KEYWORD, "declaration"))
            .collect();
    }
    let mut items: Vec<CompletionItem> = KEYWORDS
        .iter()
        .map(|k| item(k, CompletionItemKind::KEYWORD, "keyword"))
        .collect();
    items.extend(names(ast));
    items
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn last_word(text: &str) -> &str {
    let start = text.rfind(|c: char| !is_name_char(c)).map_or(0, |i| i + 1);
    text.get(start..).unwrap_or("")
}

/// The kind `name` is bound to by the closest `on KIND name` or
/// aggregate `(KIND name` before the cursor.
fn bound_kind(before: &str, name: &str) -> Option<String> {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in before.char_indices().chain([(before.len(), ' ')]) {
        match (is_name_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, before.get(s..i).unwrap_or("")));
                start = None;
            }
            _ => {}
        }
    }
    words.windows(3).rev().find_map(|w| match w {
        [(_, first), (kind_at, kind), (_, bound)] if *bound == name => {
            let opened = before
                .get(..*kind_at)
                .is_some_and(|b| b.trim_end().ends_with('('));
            (*first == "on" || opened).then(|| kind.to_string())
        }
        _ => None,
    })
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

/// Every name the policy declares, with what it is.
fn names(ast: &PolicyFile) -> Vec<CompletionItem> {
    let mut items = Vec::new();
    for decl in &ast.items {
        let (name, kind, detail) = match decl {
            Item::Contribution(k) => (
                &k.name.node,
                CompletionItemKind::STRUCT,
                "contribution kind",
            ),
            Item::Reward(r) => (&r.name.node, CompletionItemKind::PROPERTY, "reward account"),
            Item::Badge(b) => (&b.name.node, CompletionItemKind::ENUM_MEMBER, "badge"),
            Item::Let(c) => (&c.name.node, CompletionItemKind::CONSTANT, "constant"),
            Item::Rule(r) => (&r.name.node, CompletionItemKind::FUNCTION, "rule"),
            Item::Pool(p) => (&p.name.node, CompletionItemKind::MODULE, "pool"),
            _ => continue,
        };
        items.push(item(name, kind, detail));
    }
    items
}
