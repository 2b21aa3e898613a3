//! One payout run, decided inside the books' write lock: refuse a date
//! earlier than the last run's, book the differences, and say for each
//! adjustment what changed since its month was last booked.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::error::BooksError;
use super::plan::{Group, Line, LineKind, Planned, plan_lines};
use super::store::{Books, NewRun, Run, State};
use crate::diff::{Side, diff_policies};
use crate::ledger::Totals;
use crate::pipeline::{CompiledPolicy, compile_policy};
use crate::source::SourceFile;

/// Books into `books` what brings them to `fresh` (the totals by earned
/// month of an evaluation through `run.through` under `policy`), as one
/// run. `None` when there is nothing to book: no run is stored.
pub fn close_run(
    books: &mut Books,
    path: &Path,
    fresh: BTreeMap<Group, Decimal>,
    run: NewRun,
    policy: &CompiledPolicy,
) -> Result<Option<(Run, Vec<Line>)>, BooksError> {
    books.close(path, |state| plan_run(state, fresh, run, policy))
}

/// Decides a run's lines once the books are locked: refuses a date
/// earlier than the last run's, and books nothing when nothing changed.
fn plan_run(
    state: &State,
    fresh: BTreeMap<Group, Decimal>,
    fields: NewRun,
    policy: &CompiledPolicy,
) -> Result<Option<(NewRun, Vec<Line>)>, BooksError> {
    // INVARIANT: `through` is an ISO date, so text order is date order.
    if let Some(last) = state.runs.last()
        && last.fields.through.as_str() > fields.through.as_str()
    {
        return Err(BooksError::ThroughEarlier {
            through: fields.through.clone(),
            last: last.fields.through.clone(),
            run: last.number,
        });
    }
    let planned =
        plan_lines(fresh, &state.booked).map_err(|message| BooksError::Database { message })?;
    if planned.is_empty() {
        return Ok(None);
    }
    let mut reasons = Reasons {
        runs: &state.runs,
        policy,
        fields: &fields,
        cache: BTreeMap::new(),
    };
    let lines = planned
        .into_iter()
        .map(|p| {
            let reason = match (p.kind, p.last_run) {
                (LineKind::Adjustment, Some(run)) => reasons.why(run, &p),
                _ => String::new(),
            };
            Line {
                group: p.group,
                kind: p.kind,
                amount: p.amount,
                reason,
            }
        })
        .collect();
    Ok(Some((fields, lines)))
}

/// What changed since an earlier run booked a month, worded once per run.
struct Reasons<'a> {
    runs: &'a [Run],
    policy: &'a CompiledPolicy,
    fields: &'a NewRun,
    cache: BTreeMap<i64, Vec<String>>,
}

impl Reasons<'_> {
    fn why(&mut self, run: i64, planned: &Planned) -> String {
        let Some(earlier) = self.runs.iter().find(|r| r.number == run) else {
            return format!("changed since run {run}");
        };
        let mut reasons = self
            .cache
            .entry(run)
            .or_insert_with(|| changes_since(earlier, self.policy, self.fields))
            .clone();
        // A month still running when it was booked gains what came after.
        if month_end(&planned.group.earned).is_some_and(|end| earlier.fields.through < end) {
            reasons.push(format!(
                "the month was still open when run {run} closed through {}",
                earlier.fields.through
            ));
        }
        if reasons.is_empty() {
            format!("recomputed since run {run}")
        } else {
            format!("since run {run}: {}", reasons.join("; "))
        }
    }
}

/// The policy's changed declarations and the inputs whose hashes differ.
fn changes_since(earlier: &Run, policy: &CompiledPolicy, now: &NewRun) -> Vec<String> {
    let mut reasons = Vec::new();
    if earlier.fields.policy_sha256 != now.policy_sha256 {
        let old_source = SourceFile::new(
            earlier.fields.policy_name.clone(),
            earlier.fields.policy_text.clone(),
        );
        let declarations = compile_policy(&old_source).ok().map(|old| {
            let empty = Totals::new();
            fn side<'a>(p: &'a CompiledPolicy, empty: &'a Totals) -> Side<'a> {
                Side {
                    source: &p.source,
                    policy: &p.ast,
                    schema: &p.schema,
                    totals: empty,
                }
            }
            diff_policies(&side(&old, &empty), &side(policy, &empty)).declarations
        });
        match declarations {
            Some(changes) if !changes.is_empty() => {
                let listed: Vec<String> = changes
                    .iter()
                    .map(|c| {
                        let verb = match c.change {
                            crate::diff::Change::Added => "added",
                            crate::diff::Change::Removed => "removed",
                            crate::diff::Change::Changed => "changed",
                        };
                        format!("{} `{}` {verb}", c.what, c.name)
                    })
                    .collect();
                reasons.push(format!("policy: {}", listed.join(", ")));
            }
            _ => reasons.push("the policy text changed".to_string()),
        }
    }
    if earlier.fields.log_sha256 != now.log_sha256 {
        reasons.push("the log changed".to_string());
    }
    if earlier.fields.roster_sha256 != now.roster_sha256 {
        reasons.push("the roster changed".to_string());
    }
    reasons
}

/// The last day of an earned month (`2027-01` → `2027-01-31`), as text.
fn month_end(earned: &str) -> Option<String> {
    let first = NaiveDate::parse_from_str(&format!("{earned}-01"), "%Y-%m-%d").ok()?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some(next.pred_opt()?.to_string())
}
