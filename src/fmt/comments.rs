//! Where each `#` comment sits relative to the code around it.
//!
//! The printer never moves a comment across a declaration: it places each one
//! by comparing the comment's byte offset with the spans of the nodes it
//! prints. This module answers the two questions that placement needs: does
//! a comment follow code on its own source line (a trailing comment), and did
//! the author leave a blank line somewhere.

use crate::syntax::ast::Comment;

/// A comment ready for placement.
#[derive(Clone, Debug)]
pub(crate) struct Placed {
    /// The text after `#`, trailing whitespace removed.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// For a trailing comment, the end offset of the code it follows on its
    /// source line (separators `,` and `{` skipped); `None` for a comment on
    /// a line of its own.
    pub after_code: Option<usize>,
}

/// Sorts the comments by position and classifies each one.
pub(crate) fn place(src: &str, comments: &[Comment]) -> Vec<Placed> {
    let mut placed: Vec<Placed> = comments
        .iter()
        .map(|c| Placed {
            text: c.text.trim_end().to_string(),
            start: c.span.start,
            end: c.span.end.max(c.span.start),
            after_code: code_before(src, c.span.start),
        })
        .collect();
    placed.sort_by_key(|c| c.start);
    placed
}

/// The end of the code preceding `pos` on the same line, if any.
///
/// `,` and `{` are skipped: in `contribution answer { accepted: Bool, # why`
/// the comment belongs to the field, not to the separator or the brace.
fn code_before(src: &str, pos: usize) -> Option<usize> {
    let before = src.get(..pos)?;
    let trimmed = before.trim_end_matches([' ', '\t', '\r', ',', '{']);
    let last = trimmed.chars().next_back()?;
    (last != '\n').then_some(trimmed.len())
}

/// Whether the gap `from..to` of the source holds an empty line.
///
/// The printer only asks about gaps between two tokens or comments, so any
/// two line breaks in the gap enclose a line with nothing but blanks.
pub(crate) fn blank_line_between(src: &str, from: usize, to: usize) -> bool {
    src.get(from..to)
        .is_some_and(|gap| gap.matches('\n').count() >= 2)
}

/// The end of keyword `kw` if it is written at `pos`, else `pos`.
///
/// Used to find where a block's opening line ends in the source (`person`
/// in `person {`), so a comment after the `{` stays on that line.
pub(crate) fn keyword_end(src: &str, pos: usize, kw: &str) -> usize {
    match src.get(pos..) {
        Some(rest) if rest.starts_with(kw) => pos + kw.len(),
        _ => pos,
    }
}

/// The offset of the next token at or after `pos`, skipping blanks,
/// commas and comments (`src.len()` when there is none).
pub(crate) fn next_token(src: &str, pos: usize) -> usize {
    let mut i = pos;
    while let Some(rest) = src.get(i..) {
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c == '#' {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if c.is_whitespace() || c == ',' {
            i += c.len_utf8();
        } else {
            return i;
        }
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_comment_skips_separators() {
        let src = "a { x: Int, # why\n";
        let pos = src.find('#').unwrap_or_default();
        assert_eq!(code_before(src, pos), Some(10));
        assert_eq!(code_before("  # own\n", 2), None);
        assert_eq!(code_before("# first", 0), None);
    }

    #[test]
    fn blank_lines_are_two_breaks() {
        assert!(blank_line_between("a\n\n b", 1, 4));
        assert!(!blank_line_between("a\n b", 1, 3));
    }
}
