//! What can go wrong while evaluating a policy, and the warnings worth
//! telling the user about.
//!
//! Evaluation runs on a policy that passed the checker and a log that passed
//! the readers, so most errors here are data problems the checker cannot see
//! (a division by zero, an overflow, a missing roster). Anything that would
//! mean the checker let a wrong policy through is an `internal` error value,
//! never a panic.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use crate::source::Span;

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

/// The kinds of evaluation errors, each with its own stable code.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalErrorKind {
    /// `x / 0`.
    DivisionByZero,
    /// A result too large for 64-bit integers or exact decimals.
    Overflow { operation: String },
    /// `r.by.status` without `--people`.
    RosterRequired { column: String },
    /// `r.by.status` for someone the roster does not list.
    UnknownPerson { who: String },
    /// `min(review.lines)` over no records, without `else`.
    EmptyAggregate { function: String },
    /// A `--period` that is not `2027`, `2027-Q1`, `2027-01`, `2027-W05` or `2027-01-05`.
    InvalidPeriod { text: String },
    /// Pool scores too large or too precise to split exactly.
    PoolTooPrecise { pool: String },
    /// A dated value read before its first `from`.
    NotInForce(Box<NotInForce>),
    /// A value that changes over time, read where no instant says which
    /// of its values to take (the REPL, a test's expected value).
    Undated { name: String },
    /// A state the checker should have ruled out.
    Internal { message: String },
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

    fn code_name(&self) -> &'static str {
        match self.kind {
            EvalErrorKind::DivisionByZero => "meed::division_by_zero",
            EvalErrorKind::Overflow { .. } => "meed::overflow",
            EvalErrorKind::RosterRequired { .. } => "meed::roster_required",
            EvalErrorKind::UnknownPerson { .. } => "meed::unknown_person",
            EvalErrorKind::EmptyAggregate { .. } => "meed::empty_aggregate",
            EvalErrorKind::InvalidPeriod { .. } => "meed::invalid_period",
            EvalErrorKind::PoolTooPrecise { .. } => "meed::pool_too_precise",
            EvalErrorKind::NotInForce(_) => "meed::value_not_in_force",
            EvalErrorKind::Undated { .. } => "meed::value_without_date",
            EvalErrorKind::Internal { .. } => "meed::internal",
        }
    }

    fn help_text(&self) -> Option<String> {
        Some(match &self.kind {
            EvalErrorKind::DivisionByZero => {
                "guard the division, e.g. `if x > 0 then a / x else 0 EUR`".to_string()
            }
            EvalErrorKind::Overflow { .. } => {
                "check the log for an unexpectedly large value".to_string()
            }
            EvalErrorKind::RosterRequired { .. } => {
                "pass the people file with `--people FILE`".to_string()
            }
            EvalErrorKind::UnknownPerson { who } => {
                format!("add `{who}` to the people file")
            }
            EvalErrorKind::EmptyAggregate { function } => {
                format!("give a fallback for no records, e.g. `{function}(review.lines else 0)`")
            }
            EvalErrorKind::InvalidPeriod { .. } => {
                "write a period as `2027`, `2027-Q1`, `2027-01`, `2027-W05` or `2027-01-05`"
                    .to_string()
            }
            EvalErrorKind::PoolTooPrecise { .. } => {
                "round the scores, e.g. `split by round(total(reputation))`".to_string()
            }
            EvalErrorKind::NotInForce(e) => format!(
                "add a `from` line for `{}` that starts on or before the first date it is read, or leave out what comes before {}",
                e.not_yet.name, e.first
            ),
            EvalErrorKind::Undated { name } => format!(
                "`{name}` is read at a contribution's time or at the start of a period; use it in a rule, a limit or a pool, or write the value itself here"
            ),
            EvalErrorKind::Internal { .. } => {
                "this is a bug in meed: please report it with the policy".to_string()
            }
        })
    }
}

impl fmt::Display for EvalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalErrorKind::DivisionByZero => f.write_str("division by zero"),
            EvalErrorKind::Overflow { operation } => {
                write!(f, "the result of {operation} is too large")
            }
            EvalErrorKind::RosterRequired { column } => {
                write!(
                    f,
                    "reading the person column `{column}` needs a people file"
                )
            }
            EvalErrorKind::UnknownPerson { who } => {
                write!(f, "`{who}` is not in the people file")
            }
            EvalErrorKind::EmptyAggregate { function } => {
                write!(f, "`{function}` of no records has no value")
            }
            EvalErrorKind::InvalidPeriod { text } => write!(f, "`{text}` is not a period"),
            EvalErrorKind::PoolTooPrecise { pool } => {
                write!(
                    f,
                    "the scores of pool `{pool}` are too large to split exactly"
                )
            }
            EvalErrorKind::NotInForce(e) => write!(
                f,
                "`{}` has no value on {}: its first `from` is {}",
                e.not_yet.name, e.read_at, e.first
            ),
            EvalErrorKind::Undated { name } => {
                write!(
                    f,
                    "`{name}` changes over time, so it has no single value here"
                )
            }
            EvalErrorKind::Internal { message } => write!(f, "internal error: {message}"),
        }
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
        Some(Box::new(self.code_name()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help_text()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // An empty span at the very start is a placeholder, not a place in
        // the policy: report such an error without a location.
        let span = self.span.filter(|s| *s != crate::source::Span::default())?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_string()),
            span,
        ))))
    }
}

/// Something worth telling the user that does not stop evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalWarning {
    /// Nobody scored above zero in a pool period, so nothing was paid.
    PoolUnclaimed { pool: String, period: String },
    /// Money cells with more decimals than their currency has (`12.505`).
    FinerThanCurrency {
        kind: String,
        field: String,
        count: u64,
        example: String,
        currency: String,
    },
    /// Money cells below zero.
    NegativeMoney {
        kind: String,
        field: String,
        count: u64,
        example: String,
    },
}

/// `1 `amount` cell`, `3 `amount` cells`.
fn cells(count: u64, kind: &str, field: &str) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} `{field}` cell{s} of `{kind}` records")
}

impl fmt::Display for EvalWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalWarning::PoolUnclaimed { pool, period } => {
                write!(f, "pool `{pool}` went unclaimed in {period}")
            }
            EvalWarning::FinerThanCurrency {
                kind,
                field,
                count,
                example,
                currency,
            } => write!(
                f,
                "{} {} more decimals than {currency} has, e.g. {example}",
                cells(*count, kind, field),
                if *count == 1 { "has" } else { "have" }
            ),
            EvalWarning::NegativeMoney {
                kind,
                field,
                count,
                example,
            } => write!(
                f,
                "{} {} below zero, e.g. {example}",
                cells(*count, kind, field),
                if *count == 1 { "is" } else { "are" }
            ),
        }
    }
}

impl std::error::Error for EvalWarning {}

impl Diagnostic for EvalWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            EvalWarning::PoolUnclaimed { .. } => Some(Box::new("meed::pool_unclaimed")),
            EvalWarning::FinerThanCurrency { .. } => Some(Box::new("meed::finer_than_currency")),
            EvalWarning::NegativeMoney { .. } => Some(Box::new("meed::negative_money")),
        }
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            EvalWarning::PoolUnclaimed { pool, .. } => Some(Box::new(format!(
                "nobody had a score above zero by `split by` of pool `{pool}`, so nothing was paid for that period"
            ))),
            EvalWarning::FinerThanCurrency { currency, .. } => Some(Box::new(format!(
                "meed keeps the amounts exact, and rounds each grant to whole {currency} minor units; if the export should hold whole cents, check how it rounds"
            ))),
            EvalWarning::NegativeMoney { .. } => Some(Box::new(
                "a refund may well be negative; if these are payments, check the export (a spreadsheet may have flipped the sign)",
            )),
        }
    }
}
