//! `textDocument/documentSymbol`: the outline of a policy: its header,
//! the roster, kinds with their fields, accounts, badges, constants,
//! rules, limits, pools and tests, in file order.

use lsp_types::{DocumentSymbol, SymbolKind};

use crate::source::Span;
use crate::syntax::ast::{FieldDecl, Item, LetValue, Trigger};

use super::analysis::Analysis;

pub fn outline(doc: &Analysis) -> Vec<DocumentSymbol> {
    let Some(ast) = &doc.ast else {
        return Vec::new();
    };
    ast.items.iter().map(|item| symbol(doc, item)).collect()
}

fn symbol(doc: &Analysis, item: &Item) -> DocumentSymbol {
    let text = |span: Span| {
        doc.source
            .text()
            .get(span.start..span.end)
            .unwrap_or("")
            .to_string()
    };
    let (name, detail, kind, name_span, children) = match item {
        Item::Policy(header) => (
            format!("policy \"{}\"", header.title.node),
            header.timezone.as_ref().map(|tz| tz.node.clone()),
            SymbolKind::MODULE,
            header.title.span,
            Vec::new(),
        ),
        Item::Person(person) => (
            "person".to_string(),
            None,
            SymbolKind::STRUCT,
            person.span,
            fields(doc, &person.fields),
        ),
        Item::Contribution(kind) => (
            kind.name.node.clone(),
            Some("contribution".to_string()),
            SymbolKind::STRUCT,
            kind.name.span,
            fields(doc, &kind.fields),
        ),
        Item::Reward(reward) => (
            reward.name.node.clone(),
            Some(format!("reward: {}", text(reward.ty.span))),
            SymbolKind::PROPERTY,
            reward.name.span,
            Vec::new(),
        ),
        Item::Badge(badge) => (
            badge.name.node.clone(),
            Some(
                badge
                    .title
                    .as_ref()
                    .map_or_else(|| "badge".to_string(), |t| format!("badge \"{}\"", t.node)),
            ),
            SymbolKind::ENUM_MEMBER,
            badge.name.span,
            Vec::new(),
        ),
        Item::Let(constant) => (
            constant.name.node.clone(),
            Some(match &constant.value {
                LetValue::Fixed(value) => format!("= {}", text(value.span)),
                LetValue::Dated(lines) => format!("changes over time ({} values)", lines.len()),
            }),
            SymbolKind::CONSTANT,
            constant.name.span,
            Vec::new(),
        ),
        Item::Rule(rule) => (
            rule.name.node.clone(),
            Some(match &rule.trigger {
                Trigger::On { span, .. } | Trigger::Each { span, .. } => text(*span),
            }),
            SymbolKind::FUNCTION,
            rule.name.span,
            Vec::new(),
        ),
        Item::Limit(limit) => (
            format!("limit {}", limit.account.node),
            Some(format!("per person per {}", limit.period.node)),
            SymbolKind::EVENT,
            limit.account.span,
            Vec::new(),
        ),
        Item::Pool(pool) => (
            pool.name.node.clone(),
            Some(format!(
                "pool: {} per {}",
                pool.account.node, pool.period.node
            )),
            SymbolKind::OBJECT,
            pool.name.span,
            Vec::new(),
        ),
        Item::Test(test) => (
            format!("test \"{}\"", test.name.node),
            None,
            SymbolKind::METHOD,
            test.name.span,
            Vec::new(),
        ),
        Item::Import(import) => (
            format!("import \"{}\"", import.path.node),
            None,
            SymbolKind::FILE,
            import.path.span,
            Vec::new(),
        ),
    };
    make(doc, name, detail, kind, item.span(), name_span, children)
}

fn fields(doc: &Analysis, fields: &[FieldDecl]) -> Vec<DocumentSymbol> {
    fields
        .iter()
        .map(|field| {
            let ty = doc
                .source
                .text()
                .get(field.ty.span.start..field.ty.span.end)
                .map(str::to_string);
            make(
                doc,
                field.name.node.clone(),
                ty,
                SymbolKind::FIELD,
                field.span,
                field.name.span,
                Vec::new(),
            )
        })
        .collect()
}

#[allow(
    deprecated,
    reason = "`deprecated` is a required field of lsp-types' struct"
)]
fn make(
    doc: &Analysis,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    name_span: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    // The selection must lie inside the range.
    let name_span = if name_span.start >= span.start && name_span.end <= span.end {
        name_span
    } else {
        span
    };
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(span),
        selection_range: doc.range(name_span),
        children: (!children.is_empty()).then_some(children),
    }
}
