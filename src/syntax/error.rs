//! Parse errors: a kind (with a stable code), a place, and plain words.
//!
//! Every error the parser can report is a [`ParseError`]. Its message names
//! what was found and what was expected in words an HR analyst can act on
//! (never a grammar rule name), its label underlines the exact place, and its
//! `help` suggests the fix.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::source::{Snippet, SourceFile, Span};

/// What went wrong, one variant per stable diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseErrorKind {
    /// Text that does not fit the grammar: `meed::syntax_error`.
    Syntax,
    /// A `{`, `(` or `[` that is never closed: `meed::unclosed_brace`.
    UnclosedBrace,
    /// A `}` or `)` with nothing to close: `meed::unexpected_close`.
    UnexpectedClose,
    /// A string without its closing quote: `meed::unterminated_string`.
    UnterminatedString,
    /// A literal that looks right but means nothing (`2027-02-30`, an integer
    /// too large, an unknown escape): `meed::invalid_literal`.
    InvalidLiteral,
    /// `a < b < c`: `meed::chained_comparison`.
    ChainedComparison,
    /// A reserved word where a name belongs: `meed::reserved_word`.
    ReservedWord,
    /// A name with capital letters or other characters: `meed::invalid_name`.
    InvalidName,
    /// Nesting so deep the parser refuses it: `meed::too_deep`.
    TooDeep,
    /// A bug in meed, never the user's fault: `meed::internal`.
    Internal,
}

impl ParseErrorKind {
    /// The stable code shown with the diagnostic and used by CI tools.
    pub fn code(self) -> &'static str {
        match self {
            ParseErrorKind::Syntax => "meed::syntax_error",
            ParseErrorKind::UnclosedBrace => "meed::unclosed_brace",
            ParseErrorKind::UnexpectedClose => "meed::unexpected_close",
            ParseErrorKind::UnterminatedString => "meed::unterminated_string",
            ParseErrorKind::InvalidLiteral => "meed::invalid_literal",
            ParseErrorKind::ChainedComparison => "meed::chained_comparison",
            ParseErrorKind::ReservedWord => "meed::reserved_word",
            ParseErrorKind::InvalidName => "meed::invalid_name",
            ParseErrorKind::TooDeep => "meed::too_deep",
            ParseErrorKind::Internal => "meed::internal",
        }
    }
}

/// A problem found while parsing, before it is tied to its source file.
///
/// The pre-scan, the pest error phrasing and the lowering all produce
/// problems; [`parse_policy`](super::parser::parse_policy) attaches the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ParseErrorKind,
    pub span: Span,
    pub message: String,
    /// Text under the primary underline.
    pub label: String,
    /// A second place worth showing, such as the `{` a missing `}` belongs to.
    /// Boxed to keep `Result<_, Problem>` small on the happy path.
    pub related: Option<Box<(Span, String)>>,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(kind: ParseErrorKind, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            kind,
            span,
            message: message.into(),
            label: "here".to_string(),
            related: None,
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Problem {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Problem {
        self.related = Some(Box::new((span, label.into())));
        self
    }

    /// A problem that means meed itself is wrong (a grammar/lowering mismatch).
    pub fn internal(span: Span, what: &str) -> Problem {
        Problem::new(
            ParseErrorKind::Internal,
            span,
            format!("internal error in the parser: {what}"),
        )
        .help("this is a bug in meed, not in your policy; please report it with this file")
    }
}

/// A parse error of a policy file, ready to render with its source snippet.
///
/// `Diagnostic` is implemented by hand rather than derived because the code
/// depends on the kind (`meed::unclosed_brace`, `meed::too_deep`, ...).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", problem.message)]
pub struct ParseError {
    /// Boxed to keep `Result<_, ParseError>` small on the happy path.
    pub problem: Box<Problem>,
    snippet: Snippet,
}

impl ParseError {
    pub fn new(problem: Problem, source: &SourceFile) -> ParseError {
        ParseError {
            snippet: Snippet::of(source, problem.span),
            problem: Box::new(problem),
        }
    }

    pub fn kind(&self) -> ParseErrorKind {
        self.problem.kind
    }

    pub fn span(&self) -> Span {
        self.problem.span
    }
}

impl Diagnostic for ParseError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.problem.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let problem = &self.problem;
        let related = problem
            .related
            .iter()
            .map(|related| (related.0, &related.1));
        self.snippet
            .labels((problem.span, Some(problem.label.clone())), related)
    }
}
