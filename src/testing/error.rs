//! What `meed test` reports: a failed expectation, a test that could not
//! run (a missing `person` row), or an `import` that cannot be resolved.
//!
//! Every diagnostic carries the file it points into, because a test-only
//! file and the policy it imports are two files: [`Located`] pairs a
//! diagnostic with its source so the JSON output names the right file.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};
use thiserror::Error;

use crate::eval::EvalError;
use crate::kinds::diagnostic_kinds;
use crate::source::{Snippet, SourceFile, Sources, Span};

diagnostic_kinds! {
    /// What went wrong in a test or in resolving a test file's `import`.
    /// Codes are documented in `docs/testing.md`; the help of each comes
    /// from where it arose (for a failure, the grants behind the value).
    pub enum TestErrorKind {
        /// `expect alice reputation = 15 pts` does not hold.
        #[error("expected `{who} {account}` to be {expected}, but it is {actual}")]
        AccountMismatch {
            who: String,
            account: String,
            expected: String,
            actual: String,
        } => "meed::test_failed", error;
        /// `expect dana badge mentor [2 times]` does not hold.
        #[error("expected `{who}` to earn badge `{badge}` {expected}, but {actual}")]
        BadgeMismatch {
            who: String,
            badge: String,
            /// `at least once` or `2 times`.
            expected: String,
            /// `it was never awarded` or `it was awarded 3 times`.
            actual: String,
        } => "meed::test_failed", error;
        /// The policy reads `x.by.COLUMN` for someone with no `person` row.
        #[error("this test gives no `person` row for `{who}`")]
        MissingPerson { who: String } => "meed::test_missing_person", error;
        /// A `person` row without one of the roster's columns.
        #[error("`person {who}` has no `{column}`")]
        MissingColumn { who: String, column: String } => "meed::test_missing_column", error;
        /// `import "x.meed"` names a file that cannot be read.
        #[error("cannot import `{path}`: {reason}")]
        ImportNotFound { path: String, reason: String } => "meed::import_not_found", error;
        /// The imported file is itself a test-only file.
        #[error("`{path}` imports another file; import the policy itself")]
        ImportChain { path: String } => "meed::import_chain", error;
        /// Two `import` lines in one file.
        #[error("a test file imports one policy, this is a second `import`")]
        SecondImport => "meed::second_import", error;
        /// A file with `import` that also declares rules, rewards, ...
        #[error("a file with `import` holds only tests")]
        DeclarationWithImport => "meed::declaration_with_import", error;
        /// Tests with no policy to run against.
        #[error("these tests have no policy to run against")]
        NoPolicy => "meed::tests_without_policy", error;
    }
}

/// One problem found by `meed test`, pointing into one file.
#[derive(Clone, Debug, Error)]
#[error("{kind}")]
pub struct TestError {
    pub kind: TestErrorKind,
    pub span: Span,
    pub label: Option<String>,
    pub secondary: Vec<(Span, String)>,
    /// Advice, or for a failure the grants behind the actual value.
    pub help: Option<String>,
    snippet: Snippet,
}

impl TestError {
    /// A problem at `span`, shown in the file among `sources` it is in.
    pub fn new(sources: &(impl Sources + ?Sized), kind: TestErrorKind, span: Span) -> TestError {
        TestError {
            kind,
            span,
            label: None,
            secondary: Vec::new(),
            help: None,
            snippet: Snippet::of(sources, span),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> TestError {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> TestError {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> TestError {
        self.help = Some(help.into());
        self
    }
}

impl Diagnostic for TestError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
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
        let secondary = self.secondary.iter().map(|(span, text)| (*span, text));
        self.snippet
            .labels((self.span, self.label.clone()), secondary)
    }
}

/// A diagnostic together with the file its labels point into.
pub struct Located {
    pub source: SourceFile,
    pub diagnostic: Box<dyn Diagnostic + Send + Sync>,
}

impl Located {
    pub fn new(
        source: &SourceFile,
        diagnostic: impl Diagnostic + Send + Sync + 'static,
    ) -> Located {
        Located {
            source: source.clone(),
            diagnostic: Box::new(diagnostic),
        }
    }

    /// An evaluation error, in whichever of `files` its span points into:
    /// the policy, or the test file for a value written in a test. One
    /// with no place concerns the first file.
    pub fn evaluation<const N: usize>(error: EvalError, files: [&SourceFile; N]) -> Located {
        let shown = error.in_files(&files);
        let source = shown
            .file()
            .or(files.first().copied())
            .cloned()
            .unwrap_or_else(|| SourceFile::new("", ""));
        Located {
            source,
            diagnostic: Box::new(shown),
        }
    }

    /// Whether this is a warning (the file still runs).
    pub fn is_warning(&self) -> bool {
        matches!(
            self.diagnostic.severity(),
            Some(Severity::Warning | Severity::Advice)
        )
    }
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Located")
            .field("file", &self.source.name())
            .field("message", &self.diagnostic.to_string())
            .finish()
    }
}
