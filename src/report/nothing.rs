//! The statement's section "what earned nothing, and why": one line per
//! contribution that brought the person nothing, with the reasons in words
//! (no rule rewards its kind; the condition that was false, with its
//! values; cut to zero by a limit).
//!
//! The analysis itself belongs to the evaluator (`eval::unrewarded`,
//! shared with `meed explain --all`); the report puts its result in words,
//! as [`NothingLine`]s.

use std::collections::HashMap;

use serde::Serialize;

use super::statement::visible;
use crate::eval::Window;
use crate::eval::unrewarded::{Unrewarded, unrewarded};
use crate::input::hash::FxBuild;
use crate::input::{Contribution, Roster};
use crate::ledger::Grant;
use crate::render::explain::describe_record;
use crate::render::unrewarded::word_reason;
use crate::schema::Schema;
use crate::syntax::ast::PolicyFile;

/// Contributions that earned nothing for the same reasons (an employee's
/// reviews in a month, say, all for the same condition): the reasons are
/// written once, so a long statement stays small.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NothingLine {
    /// The contributions, as `explain` describes them, in ledger order.
    pub what: Vec<String>,
    /// Each reason, in words.
    pub why: Vec<String>,
}

/// The contributions of one person that earned nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nothing {
    /// Grouped by their reasons in words, groups in order of their first
    /// contribution.
    pub lines: Vec<NothingLine>,
    /// Those whose every reason is a cut to zero by a limit, named only
    /// (`review r-7`): their grants, in the statement, tell each cut.
    pub cut_to_zero: Vec<String>,
    /// How many lie outside the window (counted, not listed: a month's
    /// statement would otherwise list the whole year).
    pub outside: usize,
}

/// The contributions of one person that earned nothing, in words: the
/// analysis of `explain --all` ([`unrewarded`]) over the person's records
/// and grants.
pub fn nothing_lines(
    policy: &PolicyFile,
    schema: &Schema,
    roster: Option<&Roster>,
    records: &[Contribution],
    grants: &[Grant],
    window: Option<Window>,
) -> Result<Nothing, String> {
    let tz = schema.timezone;
    let unearned = unrewarded(policy, schema, roster, records, grants, window)
        .map_err(|error| error.to_string())?;
    let mut nothing = Nothing::default();
    let mut groups: HashMap<Vec<String>, usize, FxBuild> = HashMap::default();
    for u in unearned {
        if u.reasons == [Unrewarded::OutsideWindow] {
            nothing.outside += 1;
            continue;
        }
        let cut = |r: &Unrewarded| matches!(r, Unrewarded::CutToZero { .. });
        if !u.reasons.is_empty() && u.reasons.iter().all(cut) {
            let kind = schema
                .kinds
                .get(u.record.kind)
                .map_or("", |k| k.name.as_str());
            nothing
                .cut_to_zero
                .push(visible(&format!("{kind} {}", u.record.id)));
            continue;
        }
        let why: Vec<String> = u
            .reasons
            .iter()
            .map(|reason| visible(&word_reason(reason, tz)))
            .collect();
        let what = visible(&describe_record(u.record, schema, tz));
        match groups.get(&why) {
            Some(&index) => {
                if let Some(line) = nothing.lines.get_mut(index) {
                    line.what.push(what);
                }
            }
            None => {
                groups.insert(why.clone(), nothing.lines.len());
                nothing.lines.push(NothingLine {
                    what: vec![what],
                    why,
                });
            }
        }
    }
    Ok(nothing)
}
