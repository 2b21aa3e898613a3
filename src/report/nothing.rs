//! The statement's section "what earned nothing, and why": one line per
//! contribution that brought the person nothing, with the reasons in words
//! (no rule rewards its kind; the condition that was false, with its
//! values; cut to zero by a limit).
//!
//! The analysis itself belongs to the evaluator (`eval::unrewarded`,
//! shared with `meed explain --all`); the report puts its result in words,
//! as [`NothingLine`]s.

use serde::Serialize;

use super::statement::visible;
use crate::eval::Window;
use crate::eval::unrewarded::{Unrewarded, unrewarded};
use crate::input::{Contribution, Roster};
use crate::ledger::Grant;
use crate::render::explain::describe_record;
use crate::render::unrewarded::word_reason;
use crate::schema::Schema;
use crate::syntax::ast::PolicyFile;

/// One contribution that earned nothing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NothingLine {
    /// The contribution, as `explain` describes it.
    pub what: String,
    /// Each reason, in words.
    pub why: Vec<String>,
}

/// The contributions of one person that earned nothing, in words: the
/// analysis of `explain --all` ([`unrewarded`]) over the person's records
/// and grants. Those outside the window are only counted (a month's
/// statement would otherwise list the whole year): the count comes second.
pub fn nothing_lines(
    policy: &PolicyFile,
    schema: &Schema,
    roster: Option<&Roster>,
    records: &[Contribution],
    grants: &[Grant],
    window: Option<Window>,
) -> Result<(Vec<NothingLine>, usize), String> {
    let tz = schema.timezone;
    let unearned = unrewarded(policy, schema, roster, records, grants, window)
        .map_err(|error| error.to_string())?;
    let mut lines = Vec::new();
    let mut outside = 0;
    for u in unearned {
        if u.reasons == [Unrewarded::OutsideWindow] {
            outside += 1;
            continue;
        }
        lines.push(NothingLine {
            what: visible(&describe_record(u.record, schema, tz)),
            why: u
                .reasons
                .iter()
                .map(|reason| visible(&word_reason(reason, tz)))
                .collect(),
        });
    }
    Ok((lines, outside))
}
