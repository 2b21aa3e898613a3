//! Byte offsets ↔ LSP positions.
//!
//! meed's spans are byte offsets into UTF-8 text; LSP counts lines and, on
//! each line, UTF-16 code units (the protocol's default encoding). A policy
//! may hold `"Ålesund"` in a string or `# café` in a comment, so the two
//! differ as soon as a line has a non-ASCII character before the place:
//! `é` is two bytes and one UTF-16 unit, `😀` four bytes and two units.

use lsp_types::{Position, Range};

use crate::source::Span;

/// Where each line starts, computed once per version of a document.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first character of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset`. An offset inside a character or past
    /// the end is clamped, never a panic.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }

    /// The byte offset of `position`. A line past the end gives the end of
    /// the text; a character past the end of its line gives the line's end
    /// (as the protocol asks); one inside a surrogate pair, the character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let line = text.get(start..end).unwrap_or("");
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16();
            if next > position.character as usize {
                return start + i;
            }
            units = next;
        }
        // The end of the line, before a `\r` of a `\r\n` ending.
        start + line.strip_suffix('\r').map_or(line.len(), str::len)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions_are_byte_columns() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 4), Position::new(1, 1));
        assert_eq!(index.offset(text, Position::new(1, 1)), 4);
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // `é` is 2 bytes / 1 unit, `😀` is 4 bytes / 2 units.
        let text = "# é😀x\nrule";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(index.position(text, x), Position::new(0, 5));
        assert_eq!(index.offset(text, Position::new(0, 5)), x);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(index.offset(text, Position::new(0, 4)), x - 4);
    }

    #[test]
    fn out_of_range_is_clamped() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(0, 99)), 2);
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.position(text, 999), Position::new(1, 2));
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 1), Position::new(0, 0));
    }
}
