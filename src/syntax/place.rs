//! The file the spans of a parse point into.
//!
//! Parsing is one function per grammar rule (and as many for the messages
//! about mistakes); every one of them makes spans, and all spans of one
//! parse are in the same file. Rather than pass that file id through a
//! hundred functions as a parameter that never changes, the parse sets it
//! for its duration ([`in_file`]) and spans are made with [`span`]. A parse
//! never leaves its thread, and the previous file is put back when it ends,
//! so a parse inside a parse (none today) would still be right.

use std::cell::Cell;

use crate::source::{FileId, Span};

thread_local! {
    static PARSING: Cell<FileId> = const { Cell::new(FileId::NONE) };
}

/// Runs `parse` with every span it makes placed in `file`.
pub(crate) fn in_file<T>(file: FileId, parse: impl FnOnce() -> T) -> T {
    /// Puts the outer file back even if `parse` unwinds.
    struct Restore(FileId);
    impl Drop for Restore {
        fn drop(&mut self) {
            PARSING.with(|current| current.set(self.0));
        }
    }
    let _restore = Restore(PARSING.with(|current| current.replace(file)));
    parse()
}

/// The bytes `start..end` of the file being parsed.
pub(crate) fn span(start: usize, end: usize) -> Span {
    Span::new(PARSING.with(Cell::get), start, end)
}

/// The text pest matched, in the file being parsed.
pub(crate) fn of_pest(matched: pest::Span<'_>) -> Span {
    span(matched.start(), matched.end())
}
