//! `textDocument/formatting`: the layout `meed fmt` writes, as one edit.

use lsp_types::{Position, Range, TextEdit};

use crate::fmt::format_source;

use super::analysis::Analysis;

/// The whole document replaced by its canonical layout; no edit when it
/// is already formatted or does not parse (as `meed fmt` leaves such a file
/// untouched; the syntax error is among the diagnostics).
pub fn format(doc: &Analysis) -> Vec<TextEdit> {
    let Ok(formatted) = format_source(&doc.source) else {
        return Vec::new();
    };
    let text = doc.source.text();
    if formatted == text {
        return Vec::new();
    }
    let end = doc.lines.position(text, text.len());
    vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )]
}
