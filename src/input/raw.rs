//! Records as read from the file, before any type is known: each cell's text
//! and byte span, so that validation can point at the exact cell.

use std::sync::Arc;

use crate::source::Span;

/// One cell (CSV) or value (JSON Lines) of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct RawCell {
    /// The text, unquoted; `None` for a JSON `null`.
    pub text: Option<String>,
    /// Where the cell stands, quotes included.
    pub span: Span,
    /// A JSON list or object, which no field type can hold.
    pub nested: bool,
}

impl RawCell {
    /// The trimmed text, or `None` when the cell is empty or `null`.
    pub fn value(&self) -> Option<&str> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

/// One record: its cells by column name, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRecord {
    /// One-based line of the record's first character.
    pub line: usize,
    pub span: Span,
    pub cells: Vec<(Arc<str>, RawCell)>,
}

impl RawRecord {
    pub fn cell(&self, column: &str) -> Option<&RawCell> {
        self.cells
            .iter()
            .find(|(name, _)| **name == *column)
            .map(|(_, cell)| cell)
    }
}

/// A CSV header: its column names and where each is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub columns: Vec<(Arc<str>, Span)>,
    pub span: Span,
}

impl Header {
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|(name, _)| &**name == column)
    }

    pub fn names(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A whole file read into records, with the structural errors (ragged rows,
/// invalid JSON) met on the way.
#[derive(Clone, Debug, Default)]
pub struct RawTable {
    /// `Some` for CSV: a column absent from the header is reported once, not
    /// once per record.
    pub header: Option<Header>,
    pub records: Vec<RawRecord>,
    /// Every column or key name with the place it first appears.
    pub columns: Vec<(Arc<str>, Span)>,
    pub errors: Vec<super::error::InputError>,
}
