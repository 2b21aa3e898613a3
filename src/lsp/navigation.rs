//! `textDocument/definition` and `textDocument/references`: for kinds,
//! fields, roster columns, rewards, badges, constants, rules (also in a
//! limit's `from` list), pools and bindings, within the document.

use lsp_types::{Location, Position};

use super::analysis::Analysis;
use super::index::Index;

/// Where the name under `position` is declared.
pub fn definition(doc: &Analysis, position: Position) -> Option<Location> {
    let ast = doc.ast.as_ref()?;
    let index = Index::build(ast, None);
    let symbol = &index.at(doc.offset(position))?.symbol;
    let declaration = index.declaration(symbol)?;
    Some(Location::new(doc.uri.clone(), doc.range(declaration.span)))
}

/// Every place the name under `position` is written, its declaration too
/// when `include_declaration`.
pub fn references(doc: &Analysis, position: Position, include_declaration: bool) -> Vec<Location> {
    let Some(ast) = doc.ast.as_ref() else {
        return Vec::new();
    };
    let index = Index::build(ast, None);
    let Some(occurrence) = index.at(doc.offset(position)) else {
        return Vec::new();
    };
    index
        .of(&occurrence.symbol)
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| Location::new(doc.uri.clone(), doc.range(o.span)))
        .collect()
}
