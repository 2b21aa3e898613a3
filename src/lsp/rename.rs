//! `textDocument/rename`: a rule, constant, reward account, badge, pool
//! or binding renamed everywhere in the file.
//!
//! Contribution kinds, their fields and roster columns are not renamed:
//! their names are also the log's and roster's column values, which the
//! editor cannot see; renaming them here would break every log silently.

use std::collections::HashMap;

use lsp_types::{Position, Range, TextEdit, WorkspaceEdit};

use crate::syntax::KEYWORDS;

use super::analysis::Analysis;
use super::index::{Index, Occurrence, Symbol};

/// The name under `position`, if it can be renamed (`prepareRename`: the
/// editor then offers to edit just that range).
pub fn prepare(doc: &Analysis, position: Position) -> Result<Range, String> {
    let ast = parsed(doc)?;
    let index = Index::build(ast, None);
    let occurrence = renameable(&index, doc.offset(position))?;
    Ok(doc.range(occurrence.span))
}

/// The edits that rename the symbol under `position` to `new_name`, or
/// why it cannot be renamed.
pub fn rename(doc: &Analysis, position: Position, new_name: &str) -> Result<WorkspaceEdit, String> {
    let ast = parsed(doc)?;
    let index = Index::build(ast, None);
    let symbol = &renameable(&index, doc.offset(position))?.symbol;
    let renamed = match symbol {
        Symbol::Rule(_) => Symbol::Rule(new_name.to_string()),
        Symbol::Constant(_) => Symbol::Constant(new_name.to_string()),
        Symbol::Reward(_) => Symbol::Reward(new_name.to_string()),
        Symbol::Badge(_) => Symbol::Badge(new_name.to_string()),
        Symbol::Pool(_) => Symbol::Pool(new_name.to_string()),
        Symbol::Binding { at, .. } => Symbol::Binding {
            name: new_name.to_string(),
            at: *at,
        },
        Symbol::Kind(_) | Symbol::Field { .. } | Symbol::Column(_) => {
            return Err(not_renamed(symbol));
        }
    };
    check_name(new_name)?;
    if index.declaration(&renamed).is_some() {
        return Err(format!(
            "a {} named `{new_name}` already exists",
            symbol.describe()
        ));
    }
    let edits: Vec<TextEdit> = index
        .of(symbol)
        .map(|o| TextEdit::new(doc.range(o.span), new_name.to_string()))
        .collect();
    let mut changes = HashMap::new();
    changes.insert(doc.uri.clone(), edits);
    Ok(WorkspaceEdit::new(changes))
}

/// The tree of the text as written: renaming in a broken file could miss
/// uses inside the broken part.
fn parsed(doc: &Analysis) -> Result<&crate::syntax::ast::PolicyFile, String> {
    match (&doc.ast, doc.parsed) {
        (Some(ast), true) => Ok(ast),
        _ => Err("the file has a syntax error; fix it before renaming".to_string()),
    }
}

/// The occurrence under `offset`, if its symbol may be renamed here.
fn renameable<'i>(index: &'i Index<'_>, offset: usize) -> Result<&'i Occurrence, String> {
    let occurrence = index.at(offset).ok_or("there is no name here to rename")?;
    match occurrence.symbol {
        Symbol::Kind(_) | Symbol::Field { .. } | Symbol::Column(_) => {
            Err(not_renamed(&occurrence.symbol))
        }
        _ => Ok(occurrence),
    }
}

fn not_renamed(symbol: &Symbol) -> String {
    format!(
        "a {} is named in logs and rosters too; rename it there and in the policy together",
        symbol.describe()
    )
}

/// Names are `[a-z_][a-z0-9_]*` and not reserved.
fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a name: use lowercase letters, digits and `_`, starting with a letter"
        ));
    }
    if KEYWORDS.contains(&name) {
        return Err(format!("`{name}` is a reserved word"));
    }
    Ok(())
}
