//! Source files and the byte spans that tie every AST node, diagnostic and
//! ledger line back to the text a person wrote.
//!
//! A [`Span`] knows its file (a [`FileId`]), and a diagnostic finds the text
//! it shows through its span ([`Snippet::of`]): there is one way to attach
//! source text to a diagnostic, and it cannot pick the wrong file.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use serde::Serialize;

/// Which loaded file a span points into.
///
/// Every [`SourceFile`] gets its own id when it is made, unique in the
/// process, so spans from a policy, the policy a test file imports, the test
/// file and a log never mix up. Ids never appear in any output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// No file: a place made up by meed itself (a value set in the REPL, a
    /// sum with no written expression behind it).
    pub const NONE: FileId = FileId(0);

    fn next() -> FileId {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        FileId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A policy, test file, log or roster: its display name and its full text.
///
/// Cloning is cheap (the text is shared), so diagnostics carry the file
/// they point into and render without borrowing from the pipeline.
#[derive(Clone, Debug)]
pub struct SourceFile {
    id: FileId,
    name: Arc<str>,
    text: Arc<str>,
}

impl SourceFile {
    /// A file named `name` (as messages show it, usually its path) holding
    /// `text`, with an id of its own.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: FileId::next(),
            name: Arc::from(name.into()),
            text: Arc::from(text.into()),
        }
    }

    /// The same file (same id, same text) under another name, such as a
    /// normalised path: its spans still point into it.
    pub fn renamed(&self, name: impl Into<String>) -> SourceFile {
        SourceFile {
            id: self.id,
            name: Arc::from(name.into()),
            text: self.text.clone(),
        }
    }

    /// The id its spans carry.
    pub fn id(&self) -> FileId {
        self.id
    }

    /// The name messages show.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The bytes `start..end` of this file.
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.id, start, end)
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }
}

/// Snippets carry the file's name, so a rendered diagnostic always says
/// which file it is about, and columns count characters as a reader does
/// (miette counts bytes: `é` would move every later column by one).
impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text()
            .read_span(span, context_lines_before, context_lines_after)?;
        let start = inner.span().offset();
        let before = self.text.get(..start).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// Where to find a file's text by its id: one file, or every file a command
/// loaded.
pub trait Sources {
    /// The file `id` names, if it is one of these.
    fn file(&self, id: FileId) -> Option<&SourceFile>;
}

impl Sources for SourceFile {
    fn file(&self, id: FileId) -> Option<&SourceFile> {
        (id == self.id).then_some(self)
    }
}

impl<const N: usize> Sources for [&SourceFile; N] {
    fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.iter().copied().find(|file| file.id == id)
    }
}

/// The text a diagnostic shows its snippet from: the file its primary span
/// points into, found through the span's [`FileId`].
///
/// Every family of diagnostics holds one, so source text is attached one
/// way only, and a snippet from the wrong file cannot be built.
#[derive(Clone, Debug, Default)]
pub struct Snippet {
    file: Option<SourceFile>,
}

impl Snippet {
    /// The snippet for a problem at `span`: its file among `sources`, or
    /// none when the span is in none of them (a place meed made up).
    pub fn of(sources: &(impl Sources + ?Sized), span: Span) -> Snippet {
        Snippet {
            file: sources.file(span.file).cloned(),
        }
    }

    /// The file, if there is one.
    pub fn file(&self) -> Option<&SourceFile> {
        self.file.as_ref()
    }

    /// What `Diagnostic::source_code` returns.
    pub fn source_code(&self) -> Option<&dyn SourceCode> {
        self.file.as_ref().map(|file| file as &dyn SourceCode)
    }

    /// The labels to underline: the primary one, then each related place
    /// in the same file (a place in another file cannot be shown in this
    /// snippet, and underlining its offsets here would point at the wrong
    /// text). None without a file.
    pub fn labels<'a>(
        &self,
        primary: (Span, Option<String>),
        related: impl Iterator<Item = (Span, &'a String)> + 'a,
    ) -> Option<Box<dyn Iterator<Item = LabeledSpan> + 'a>> {
        let file = self.file.as_ref()?.id;
        let first = LabeledSpan::new_primary_with_span(primary.1, primary.0);
        let rest = related
            .filter(move |(span, _)| span.file == file)
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), span));
        Some(Box::new(std::iter::once(first).chain(rest)))
    }
}

/// A half-open byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// The file it is in.
    #[serde(skip)]
    pub file: FileId,
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A place meed made up, in no file.
    pub const NOWHERE: Span = Span {
        file: FileId::NONE,
        start: 0,
        end: 0,
    };

    /// The bytes `start..end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self { file, start, end }
    }

    /// The bytes `start..end` of the same file.
    pub fn with_range(self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// The smallest span covering both `self` and `other` (in `self`'s file).
    pub fn to(self, other: Span) -> Span {
        self.with_range(self.start.min(other.start), self.end.max(other.end))
    }

    /// Whether it is a place meed made up.
    pub fn is_nowhere(self) -> bool {
        self.file == FileId::NONE
    }

    /// How many bytes it covers.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether it covers no byte (a place between two bytes).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> Self {
        SourceSpan::new(span.start.into(), span.len())
    }
}

impl FileId {
    /// The span of text pest matched, in this file.
    pub fn span_of_pest(self, span: pest::Span<'_>) -> Span {
        Span::new(self, span.start(), span.end())
    }
}

/// A value together with where it was written.
///
/// Equality and hashing ignore the span: two trees that say the same thing
/// are equal wherever they were written. That lets tests compare ASTs and
/// lets `meed fmt` prove it preserved meaning.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// `node`, written at `span`.
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }

    /// The value changed by `f`, at the same place.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned::new(f(self.node), self.span)
    }

    /// A borrow of the value, at the same place.
    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned::new(&self.node, self.span)
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: std::hash::Hash> std::hash::Hash for Spanned<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.node.hash(state);
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.node
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_has_its_own_id_and_a_snippet_finds_its_file_by_the_span() {
        let policy = SourceFile::new("policy.meed", "reward bonus: Money(EUR)\n");
        let tests = SourceFile::new("policy.test.meed", "test \"t\" {}\n");
        assert_ne!(policy.id(), tests.id());
        assert_ne!(policy.id(), FileId::NONE);
        let in_tests = tests.span(0, 4);
        let snippet = Snippet::of(&[&policy, &tests], in_tests);
        assert_eq!(
            snippet.file().map(SourceFile::name),
            Some("policy.test.meed")
        );
        assert!(Snippet::of(&policy, in_tests).file().is_none());
        assert!(
            Snippet::of(&[&policy, &tests], Span::NOWHERE)
                .file()
                .is_none()
        );
    }

    #[test]
    fn a_related_place_in_another_file_is_not_underlined_in_this_one() {
        let policy = SourceFile::new("policy.meed", "reward bonus: Money(EUR)\n");
        let other = SourceFile::new("other.meed", "reward bonus: Int\n");
        let here = String::from("declared here");
        let there = String::from("and there");
        let related = [(policy.span(7, 12), &here), (other.span(7, 12), &there)];
        let snippet = Snippet::of(&policy, policy.span(0, 6));
        let labels: Vec<_> = snippet
            .labels((policy.span(0, 6), None), related.into_iter())
            .map(Iterator::collect)
            .unwrap_or_default();
        let shown: Vec<_> = labels.iter().map(|l| (l.offset(), l.label())).collect();
        assert_eq!(shown, [(0, None), (7, Some("declared here"))]);
        assert!(
            Snippet::default()
                .labels((policy.span(0, 6), None), std::iter::empty())
                .is_none()
        );
    }

    #[test]
    fn columns_count_characters() {
        let file = SourceFile::new("f.meed", "# é€\nlet x = é\n");
        let offset = file.text().rfind('é').unwrap_or_default();
        let contents = file
            .read_span(&SourceSpan::new(offset.into(), 2), 0, 0)
            .map(|c| (c.name().map(str::to_string), c.line(), c.column()))
            .ok();
        assert_eq!(contents, Some((Some("f.meed".to_string()), 1, 8)));
    }
}
