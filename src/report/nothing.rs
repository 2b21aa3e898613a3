//! The statement's section "what earned nothing, and why": one line per
//! contribution that brought the person nothing, with the reasons in words
//! (no rule rewards its kind; the condition that was false, with its
//! values; cut to zero by a limit).
//!
//! The analysis itself belongs to the evaluator (shared with `meed explain
//! --all`); the report only needs its result in words, as [`NothingLine`]s.

use serde::Serialize;

/// One contribution that earned nothing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NothingLine {
    /// The contribution, as `explain` describes it.
    pub what: String,
    /// Each reason, in words.
    pub why: Vec<String>,
}
