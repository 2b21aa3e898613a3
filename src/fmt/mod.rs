//! `meed fmt`: one canonical layout for every policy, comments kept.
//!
//! The formatter prints the syntax tree back, so the layout depends only on
//! the tree (and on where comments and blank lines were written), never on
//! the original indentation. Meaning is preserved: the printed text parses
//! back to an equal tree, and formatting twice changes nothing. The layout
//! rules are documented in `docs/fmt.md`.

mod comments;
mod expr;
mod items;
mod printer;

use crate::source::SourceFile;
use crate::syntax::ParseError;
use crate::syntax::ast::PolicyFile;
use crate::syntax::parser::parse_policy;

/// Parses `source` and prints it in the canonical layout.
///
/// A file that does not parse is returned as its [`ParseError`]: `meed fmt`
/// then leaves the file untouched and reports the error.
#[allow(
    clippy::result_large_err,
    reason = "the same error `parse_policy` returns, passed on unchanged"
)]
pub fn format_source(source: &SourceFile) -> Result<String, ParseError> {
    let policy = parse_policy(source)?;
    Ok(format_policy(source, &policy))
}

/// Prints a parsed policy in the canonical layout.
///
/// `source` is the text `policy` was parsed from: comments are placed by
/// comparing their offsets with the nodes' spans, and the author's blank
/// lines are looked up in it. A tree built in code can pass an empty source.
pub fn format_policy(source: &SourceFile, policy: &PolicyFile) -> String {
    let src = source.text();
    let comments = comments::place(src, &policy.comments);
    let mut printer = printer::Printer::new(src, comments);
    items::print_file(&mut printer, policy);
    printer.finish()
}
