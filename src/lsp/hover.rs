//! `textDocument/hover`: the type of the expression under the cursor
//! (`r.lines: Int`, `bonus` granted as `Money(EUR)`), and for a declared
//! name its declaration and doc comment.
//!
//! Types come from the checker itself (`Checker::type_expr` in the scope
//! the expression stands in), so a hover never disagrees with `meed check`.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::source::Span;
use crate::syntax::ast::{Action, Comment, FieldDecl, Item, LetValue, Trigger};
use crate::types::check::Checker;

use super::analysis::{Analysis, FileView};
use super::index::{Index, Symbol};

/// Longest expression text quoted in a hover; longer ones are elided.
const MAX_QUOTE: usize = 60;

pub fn hover(doc: &Analysis, position: Position) -> Option<Hover> {
    let file = doc.view()?;
    let offset = doc.offset(position);
    let index = Index::build(file.ast, Some(offset));
    // In a test-only file, names are declared (and typed) by the policy it
    // imports.
    let declaring = doc.imported.as_ref().map_or(file, |i| i.view());
    let mut checker = Checker::new(declaring.source, declaring.ast);
    let mut parts = Vec::new();
    let mut range = None;
    if let Some((expr, scope)) = &index.expr_at {
        let before = checker.out.len();
        let ty = checker.type_expr(expr, scope);
        checker.out.truncate(before);
        if let Some(ty) = ty {
            parts.push(code(&format!("{}: {ty}", quote(&file, expr.span))));
            range = Some(expr.span);
        }
    }
    if let Some(occurrence) = index.at(offset) {
        range = Some(occurrence.span);
        let symbol = &occurrence.symbol;
        let found = declaration(&file, &mut checker, symbol)
            .map(|found| (file, found))
            .or_else(|| {
                let found = declaration(&declaring, &mut checker, symbol)?;
                Some((declaring, found))
            });
        if let Some((place, (span, signature))) = found {
            parts.push(code(&signature));
            if let Some(text) = doc_comment(&place, span) {
                parts.push(text);
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n"),
        }),
        range: range.map(|span| doc.range(span)),
    })
}

fn code(text: &str) -> String {
    format!("```meed\n{text}\n```")
}

/// The text at `span`, on one line, elided when long.
fn quote(file: &FileView<'_>, span: Span) -> String {
    let text = file.text_at(span);
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_QUOTE {
        return one_line;
    }
    let head: String = one_line.chars().take(MAX_QUOTE).collect();
    format!("{head}…")
}

/// Where `symbol` is declared (the span its doc comment belongs to) and
/// its declaration as a line of meed.
fn declaration(
    file: &FileView<'_>,
    checker: &mut Checker,
    symbol: &Symbol,
) -> Option<(Span, String)> {
    let field = |fields: &[FieldDecl], name: &str, owner: String| {
        fields.iter().find(|f| f.name.node == name).map(|f| {
            (
                f.span,
                format!("{owner}{}: {}", f.name.node, file.text_at(f.ty.span)),
            )
        })
    };
    file.ast.items.iter().find_map(|item| match (item, symbol) {
        (Item::Contribution(kind), Symbol::Kind(name)) if &kind.name.node == name => {
            let fields: Vec<String> = kind
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name.node, file.text_at(f.ty.span)))
                .collect();
            Some((
                kind.span,
                format!("contribution {name} {{ {} }}", fields.join(", ")),
            ))
        }
        (Item::Contribution(decl), Symbol::Field { kind, field: name })
            if &decl.name.node == kind =>
        {
            field(&decl.fields, name, format!("{kind}."))
        }
        (Item::Person(person), Symbol::Column(name)) => {
            field(&person.fields, name, "person.".to_string())
        }
        (Item::Reward(reward), Symbol::Reward(name)) if &reward.name.node == name => Some((
            reward.span,
            format!("reward {name}: {}", file.text_at(reward.ty.span)),
        )),
        (Item::Badge(badge), Symbol::Badge(name)) if &badge.name.node == name => {
            Some((badge.span, file.text_at(badge.span).to_string()))
        }
        (Item::Let(constant), Symbol::Constant(name)) if &constant.name.node == name => {
            let ty = checker
                .const_type(name, constant.name.span)
                .map_or_else(String::new, |ty| format!(": {ty}"));
            Some((
                constant.span,
                match &constant.value {
                    LetValue::Fixed(value) => {
                        format!("let {name}{ty} = {}", quote(file, value.span))
                    }
                    LetValue::Dated(_) => quote(file, constant.span),
                },
            ))
        }
        (Item::Rule(rule), Symbol::Rule(name)) if &rule.name.node == name => {
            let trigger = match &rule.trigger {
                Trigger::On { span, .. } | Trigger::Each { span, .. } => quote(file, *span),
            };
            let action = match &rule.action {
                Action::Grant { span, .. } | Action::Award { span, .. } => quote(file, *span),
            };
            Some((rule.span, format!("rule {name} {{ {trigger} … {action} }}")))
        }
        (Item::Pool(pool), Symbol::Pool(name)) if &pool.name.node == name => Some((
            pool.span,
            format!(
                "pool {name} {{ grant {} {} per {} }}",
                pool.account.node,
                quote(file, pool.amount.span),
                pool.period.node
            ),
        )),
        _ => None,
    })
}

/// The comment lines right above `span`'s line (nothing else on them, no
/// blank line between), or else a comment at the end of its first line.
fn doc_comment(file: &FileView<'_>, span: Span) -> Option<String> {
    let comments = &file.ast.comments;
    let text = file.source.text();
    let line_of = |offset: usize| file.lines.position(text, offset).line;
    let alone = |comment: &Comment| {
        let line_start = text
            .get(..comment.span.start)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1);
        text.get(line_start..comment.span.start)
            .is_some_and(|before| before.trim().is_empty())
    };
    let mut wanted = line_of(span.start);
    let mut above = Vec::new();
    for comment in comments.iter().rev().filter(|c| c.span.start < span.start) {
        let line = line_of(comment.span.start);
        if line + 1 != wanted || !alone(comment) {
            break;
        }
        above.push(comment.text.trim());
        wanted = line;
    }
    if !above.is_empty() {
        above.reverse();
        return Some(above.join("\n"));
    }
    let first_line = line_of(span.start);
    comments
        .iter()
        .find(|c| c.span.start > span.start && line_of(c.span.start) == first_line)
        .map(|c| c.text.trim().to_string())
}
