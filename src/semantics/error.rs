//! What can go wrong while evaluating a policy, and the warnings worth
//! telling the user about.
//!
//! Evaluation runs on a policy that passed the checker and a log that passed
//! the readers, so most errors here are data problems the checker cannot see
//! (a division by zero, an overflow, a missing roster). Anything that would
//! mean the checker let a wrong policy through is an `internal` error value,
//! never a panic.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::kinds::diagnostic_kinds;
use crate::source::{Snippet, SourceFile, Sources, Span};

/// An evaluation error: what went wrong, where in the policy, and for which
/// rule and contribution.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub kind: EvalErrorKind,
    /// The expression or declaration that failed, when there is one.
    pub span: Option<Span>,
    /// Where evaluation was: `rule `review_bonus`, contribution `r-1``.
    pub context: Option<String>,
}

/// A dated value read before its first `from`: which, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct NotInForce {
    pub not_yet: crate::semantics::dated::NotYet,
    /// The first date, as local time in the policy's zone.
    pub first: String,
    /// The instant it was read at, as local time.
    pub read_at: String,
}

diagnostic_kinds! {
    /// The kinds of evaluation errors, each with its own stable code.
    pub enum EvalErrorKind {
        /// `x / 0`.
        #[error("division by zero")]
        DivisionByZero => "meed::division_by_zero", error,
            help K::DivisionByZero => {
                "guard the division, e.g. `if x > 0 then a / x else 0 EUR`".to_string()
            };
        /// A result too large for 64-bit integers or exact decimals.
        #[error("the result of {operation} is too large")]
        Overflow { operation: String } => "meed::overflow", error,
            help K::Overflow { .. } => {
                "check the log for an unexpectedly large value".to_string()
            };
        /// `r.by.status` without `--people`.
        #[error("reading the person column `{column}` needs a people file")]
        RosterRequired { column: String } => "meed::roster_required", error,
            help K::RosterRequired { .. } => "pass the people file with `--people FILE`".to_string();
        /// `r.by.status` for someone the roster does not list.
        #[error("`{who}` is not in the people file")]
        UnknownPerson { who: String } => "meed::unknown_person", error,
            help K::UnknownPerson { who } => format!("add `{who}` to the people file");
        /// `min(review.lines)` over no records, without `else`.
        #[error("`{function}` of no records has no value")]
        EmptyAggregate { function: String } => "meed::empty_aggregate", error,
            help K::EmptyAggregate { function } => {
                format!("give a fallback for no records, e.g. `{function}(review.lines else 0)`")
            };
        /// A `--period` that is not `2027`, `2027-Q1`, `2027-01`, `2027-W05` or `2027-01-05`.
        #[error("`{text}` is not a period")]
        InvalidPeriod { text: String } => "meed::invalid_period", error,
            help K::InvalidPeriod { .. } => {
                "write a period as `2027`, `2027-Q1`, `2027-01`, `2027-W05` or `2027-01-05`"
                    .to_string()
            };
        /// Pool scores too large or too precise to split exactly.
        #[error("the scores of pool `{pool}` are too large to split exactly")]
        PoolTooPrecise { pool: String } => "meed::pool_too_precise", error,
            help K::PoolTooPrecise { .. } => {
                "round the scores, e.g. `split by round(total(reputation))`".to_string()
            };
        /// A dated value read before its first `from`.
        #[error(
            "`{}` has no value on {}: its first `from` is {}",
            .detail.not_yet.name, .detail.read_at, .detail.first
        )]
        NotInForce { detail: Box<NotInForce> } => "meed::value_not_in_force", error,
            help K::NotInForce { detail } => format!(
                "add a `from` line for `{}` that starts on or before the first date it is read, or leave out what comes before {}",
                detail.not_yet.name, detail.first
            );
        /// A value that changes over time, read where no instant says which
        /// of its values to take (the REPL, a test's expected value).
        #[error("`{name}` changes over time, so it has no single value here")]
        Undated { name: String } => "meed::value_without_date", error,
            help K::Undated { name } => format!(
                "`{name}` is read at a contribution's time or at the start of a period; use it in a rule, a limit or a pool, or write the value itself here"
            );
        /// A state the checker should have ruled out.
        #[error("internal error: {message}")]
        Internal { message: String } => "meed::internal", error,
            help K::Internal { .. } => {
                "this is a bug in meed: please report it with the policy".to_string()
            };
    }
}

impl EvalError {
    pub fn new(kind: EvalErrorKind, span: Option<Span>) -> EvalError {
        EvalError {
            kind,
            span,
            context: None,
        }
    }

    /// An internal error: the checker let through something the evaluator
    /// cannot compute.
    pub fn internal(message: impl Into<String>, span: Option<Span>) -> EvalError {
        EvalError::new(
            EvalErrorKind::Internal {
                message: message.into(),
            },
            span,
        )
    }

    /// Sets the place in the policy, unless one is already set.
    pub fn at(mut self, span: Span) -> EvalError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Adds where evaluation was, unless a more precise place is already set.
    pub fn in_context(mut self, context: impl FnOnce() -> String) -> EvalError {
        if self.context.is_none() {
            self.context = Some(context());
        }
        self
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)?;
        if let Some(context) = &self.context {
            write!(f, " ({context})")?;
        }
        Ok(())
    }
}

impl std::error::Error for EvalError {}

impl Diagnostic for EvalError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.kind
            .help()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // An empty span at the very start is a placeholder, not a place in
        // the policy: report such an error without a location.
        let span = self.span.filter(|s| !s.is_nowhere())?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_string()),
            span,
        ))))
    }
}

/// An evaluation error shown with the text it points into: the policy, or
/// the test file for a value written in a test. The evaluator's errors carry
/// a span but no text; the span says which file, and [`EvalError::in_files`]
/// finds it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{inner}")]
pub struct EvalErrorInFile {
    pub inner: EvalError,
    snippet: Snippet,
}

impl EvalError {
    /// This error with the text of its file among `sources`.
    pub fn in_files(self, sources: &(impl Sources + ?Sized)) -> EvalErrorInFile {
        EvalErrorInFile {
            snippet: self
                .span
                .map(|span| Snippet::of(sources, span))
                .unwrap_or_default(),
            inner: self,
        }
    }
}

impl EvalErrorInFile {
    /// The file it is in, if it has a place.
    pub fn file(&self) -> Option<&SourceFile> {
        self.snippet.file()
    }
}

impl Diagnostic for EvalErrorInFile {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.snippet.file()?;
        self.inner.labels()
    }
}

diagnostic_kinds! {
    /// Something worth telling the user that does not stop evaluation.
    pub enum EvalWarning {
        /// Nobody scored above zero in a pool period, so nothing was paid.
        #[error("pool `{pool}` went unclaimed in {period}")]
        PoolUnclaimed { pool: String, period: String } => "meed::pool_unclaimed", warning,
            help K::PoolUnclaimed { pool, .. } => format!(
                "nobody had a score above zero by `split by` of pool `{pool}`, so nothing was paid for that period"
            );
        /// Money cells with more decimals than their currency has (`12.505`).
        #[error(
            "{} {} more decimals than {currency} has, e.g. {example}",
            cells(*.count, .kind, .field), if *.count == 1 { "has" } else { "have" }
        )]
        FinerThanCurrency {
            kind: String,
            field: String,
            count: u64,
            example: String,
            currency: String,
        } => "meed::finer_than_currency", warning,
            help K::FinerThanCurrency { currency, .. } => format!(
                "meed keeps the amounts exact, and rounds each grant to whole {currency} minor units; if the export should hold whole cents, check how it rounds"
            );
        /// Money cells below zero.
        #[error(
            "{} {} below zero, e.g. {example}",
            cells(*.count, .kind, .field), if *.count == 1 { "is" } else { "are" }
        )]
        NegativeMoney {
            kind: String,
            field: String,
            count: u64,
            example: String,
        } => "meed::negative_money", warning,
            help K::NegativeMoney { .. } => "a refund may well be negative; if these are payments, check the export (a spreadsheet may have flipped the sign)".to_string();
    }
}

/// `1 `amount` cell`, `3 `amount` cells`.
fn cells(count: u64, kind: &str, field: &str) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} `{field}` cell{s} of `{kind}` records")
}

impl Diagnostic for EvalWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(EvalWarning::code(self)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        EvalWarning::help(self).map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}
