//! What can be wrong with a log or roster, and where: every error names the
//! file, line and column, the value found and the type expected, and points
//! miette at the offending cell.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};

use super::cell::CellError;
use crate::kinds::diagnostic_kinds;
use crate::source::{Snippet, SourceFile, Span};

/// At most this many errors are shown; the rest are counted.
pub const SHOWN_ERRORS: usize = 50;

diagnostic_kinds! {
    /// The kinds of mistakes a log or roster can hold. The help of each
    /// comes from where it arose (the column, the type expected).
    pub enum InputErrorKind {
        #[error("unknown contribution kind `{kind}`")]
        UnknownKind { kind: String } => "meed::unknown_kind", error;
        #[error("missing `{field}` in {}", record_name(.kind.as_deref()))]
        MissingField { field: String, kind: Option<String> } => "meed::missing_field", error;
        #[error("bad `{field}`: {error}")]
        BadValue { field: String, error: CellError } => "meed::bad_value", error;
        #[error("duplicate id `{id}`")]
        DuplicateId { id: String, first_line: usize } => "meed::duplicate_id", error;
        #[error("unknown person `{who}`")]
        UnknownPerson { who: String } => "meed::unknown_person", error;
        #[error("`{who}` appears twice in the roster")]
        DuplicatePerson { who: String, first_line: usize } => "meed::duplicate_person", error;
        #[error("missing column `{column}`")]
        MissingColumn { column: String } => "meed::missing_column", error;
        #[error("{detail}")]
        MalformedCsv { detail: String } => "meed::malformed_csv", error;
        #[error("invalid JSON: {detail}")]
        MalformedJson { detail: String } => "meed::malformed_json", error;
        #[error("{}", if *.has_header { "the file has a header but no records" } else { "the file is empty" })]
        EmptyLog { has_header: bool } => "meed::empty_log", error;
        #[error("the file is not UTF-8 text")]
        NotUtf8 { byte: u8, offset: usize } => "meed::not_utf8", error;
        #[error("unsafe name `{who}`: it {what}")]
        UnsafeName { who: String, what: String } => "meed::unsafe_name", error;
        #[error("line {line} is {bytes} bytes long; meed reads lines of at most 1 MiB (1048576 bytes)")]
        LineTooLong { line: usize, bytes: usize } => "meed::line_too_long", error;
    }
}

fn record_name(kind: Option<&str>) -> String {
    match kind {
        Some(kind) => format!("a `{kind}` record"),
        None => "this record".to_string(),
    }
}

impl InputErrorKind {
    /// Whether the mistake lies in one record (rather than the whole file).
    fn is_record_error(&self) -> bool {
        matches!(
            self,
            InputErrorKind::UnknownKind { .. }
                | InputErrorKind::MissingField { .. }
                | InputErrorKind::BadValue { .. }
                | InputErrorKind::DuplicateId { .. }
                | InputErrorKind::UnknownPerson { .. }
                | InputErrorKind::DuplicatePerson { .. }
                | InputErrorKind::UnsafeName { .. }
        )
    }
}

/// One mistake in a log or roster, at one place.
#[derive(Clone, Debug)]
pub struct InputError {
    pub kind: InputErrorKind,
    /// One-based; the CSV header is line 1.
    pub line: usize,
    /// One-based, in characters.
    pub column: usize,
    // Boxed so that results carrying an error stay small.
    details: Box<Details>,
}

/// The parts of an error only its rendering needs.
#[derive(Clone, Debug)]
struct Details {
    span: Span,
    file: Arc<str>,
    value: Option<String>,
    expected: Option<String>,
    label: String,
    secondary: Option<(Span, String)>,
    help: Option<String>,
    snippet: Snippet,
}

impl InputError {
    /// Where in the file.
    pub fn span(&self) -> Span {
        self.details.span
    }

    /// The name of the file at fault.
    pub fn file(&self) -> &str {
        &self.details.file
    }

    /// The text found, when one cell is at fault.
    pub fn value(&self) -> Option<&str> {
        self.details.value.as_deref()
    }

    /// The type the cell should hold, as written in the policy.
    pub fn expected(&self) -> Option<&str> {
        self.details.expected.as_deref()
    }

    /// The help line: how to fix it.
    pub fn help_text(&self) -> Option<&str> {
        self.details.help.as_deref()
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.details.value = Some(value.into());
        self
    }

    pub fn with_expected(mut self, expected: Option<String>) -> Self {
        self.details.expected = expected;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.details.help = Some(help.into());
        self
    }

    /// Shows no source snippet (for a line too long to print).
    pub fn without_snippet(mut self) -> Self {
        self.details.snippet = Snippet::default();
        self
    }

    /// A second place to look at, such as the first use of a duplicate id.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.details.secondary = Some((span, label.into()));
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for InputError {}

impl Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.details
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.details.snippet.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let details = &self.details;
        let secondary = details.secondary.iter().map(|(span, label)| (*span, label));
        details
            .snippet
            .labels((details.span, Some(details.label.clone())), secondary)
    }
}

/// Where errors of one file are placed: the file and its line starts.
#[derive(Clone, Debug)]
pub struct ErrorSite {
    pub file: SourceFile,
    /// Byte offset where each line starts, so that placing a record is a
    /// binary search, not a scan from the top of a large log.
    line_starts: Vec<usize>,
}

impl ErrorSite {
    pub fn new(file: &SourceFile) -> Self {
        let line_starts = std::iter::once(0)
            .chain(file.text().match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            file: file.clone(),
            line_starts,
        }
    }

    /// The bytes `start..end` of the file.
    pub fn span(&self, start: usize, end: usize) -> Span {
        self.file.span(start, end)
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .file
            .text()
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, column)
    }

    /// An error pointing at `span` with `label` under it.
    pub fn error(&self, kind: InputErrorKind, span: Span, label: impl Into<String>) -> InputError {
        let (line, column) = self.line_column(span.start);
        InputError {
            kind,
            line,
            column,
            details: Box::new(Details {
                span,
                file: Arc::from(self.file.name()),
                value: None,
                expected: None,
                label: label.into(),
                secondary: None,
                help: None,
                snippet: Snippet::of(&self.file, span),
            }),
        }
    }

    /// A warning pointing at `span`.
    pub fn warning(
        &self,
        code: &'static str,
        message: String,
        span: Span,
        label: impl Into<String>,
    ) -> InputWarning {
        let (line, column) = self.line_column(span.start);
        InputWarning {
            code,
            message,
            file: Arc::from(self.file.name()),
            line,
            column,
            span,
            label: label.into(),
            help: None,
            snippet: Snippet::of(&self.file, span),
        }
    }
}

/// Every error found in one file, reported together: evaluation never
/// proceeds with a silently shortened log.
#[derive(Clone, Debug)]
pub struct InputErrors {
    /// `log` or `roster`.
    pub what: &'static str,
    pub file: Arc<str>,
    pub errors: Vec<InputError>,
}

impl InputErrors {
    pub fn new(what: &'static str, file: &str, errors: Vec<InputError>) -> Self {
        Self {
            what,
            file: Arc::from(file),
            errors,
        }
    }

    /// Records at fault, if every error lies in a record.
    fn bad_records(&self) -> Option<usize> {
        if self.errors.iter().all(|e| e.kind.is_record_error()) {
            Some(
                self.errors
                    .iter()
                    .map(|e| e.line)
                    .collect::<BTreeSet<_>>()
                    .len(),
            )
        } else {
            None
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = match self.bad_records() {
            Some(records) => plural(records, "bad record", "bad records"),
            None => plural(self.errors.len(), "problem", "problems"),
        };
        write!(
            f,
            "the {} `{}` has {count}; no ledger was computed",
            self.what, self.file
        )
    }
}

impl std::error::Error for InputErrors {}

impl Diagnostic for InputErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(if self.what == "roster" {
            "meed::bad_roster"
        } else {
            "meed::bad_log"
        }))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let hidden = self.errors.len().saturating_sub(SHOWN_ERRORS);
        (hidden > 0).then(|| {
            Box::new(format!(
                "the first {SHOWN_ERRORS} errors are shown; ... and {hidden} more"
            )) as Box<dyn fmt::Display>
        })
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(|e| e as &dyn Diagnostic),
        ))
    }
}

/// Something worth knowing that does not stop evaluation, such as a column
/// no contribution kind declares.
#[derive(Clone, Debug)]
pub struct InputWarning {
    pub code: &'static str,
    pub message: String,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    pub span: Span,
    label: String,
    help: Option<String>,
    snippet: Snippet,
}

impl InputWarning {
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for InputWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputWarning {}

impl Diagnostic for InputWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.snippet
            .labels((self.span, Some(self.label.clone())), std::iter::empty())
    }
}
