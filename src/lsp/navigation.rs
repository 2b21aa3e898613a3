//! `textDocument/definition` and `textDocument/references`: for kinds,
//! fields, roster columns, rewards, badges, constants, rules (also in a
//! limit's `from` list), pools and bindings. In a test-only file, the names
//! its `given` and `expect` lines use are declared in the policy it
//! imports: definition goes there, and references include that file's.

use lsp_types::{Location, Position};

use super::analysis::Analysis;
use super::index::{Index, Symbol};

/// Where the name under `position` is declared.
pub fn definition(doc: &Analysis, position: Position) -> Option<Location> {
    let ast = doc.ast.as_ref()?;
    let index = Index::build(ast, None);
    let symbol = &index.at(doc.offset(position))?.symbol;
    if let Some(declaration) = index.declaration(symbol) {
        return Some(Location::new(doc.uri.clone(), doc.range(declaration.span)));
    }
    let imported = doc.imported.as_ref()?;
    let declaration = Index::build(&imported.ast, None)
        .declaration(symbol)
        .map(|o| o.span)?;
    Some(Location::new(
        imported.uri.clone(),
        imported.range(declaration),
    ))
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
    let symbol = &occurrence.symbol;
    let mut locations: Vec<Location> = index
        .of(symbol)
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| Location::new(doc.uri.clone(), doc.range(o.span)))
        .collect();
    // A binding lives in one file; any other name of a test file is the
    // imported policy's.
    if let (Some(imported), false) = (&doc.imported, matches!(symbol, Symbol::Binding { .. })) {
        let theirs = Index::build(&imported.ast, None);
        let mut found: Vec<Location> = theirs
            .of(symbol)
            .filter(|o| include_declaration || !o.declaration)
            .map(|o| Location::new(imported.uri.clone(), imported.range(o.span)))
            .collect();
        found.append(&mut locations);
        locations = found;
    }
    locations
}
