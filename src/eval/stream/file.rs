//! A log file (CSV or JSON Lines, by its extension), streamed through the
//! streaming evaluator: one pass when the file is in `(at, id)` order, a
//! sort of compact keys otherwise.

use std::path::Path;

use super::{StreamEvaluator, Streamed};
use crate::eval::{EvalOptions, EvalReport};
use crate::input::Roster;
use crate::input::fast::{
    Fallback, LogInput, Pass, Progress, log_warnings, stream_sorted, stream_unsorted,
};
use crate::ledger::Totals;
use crate::schema::Schema;
use crate::syntax::ast::{Period, PolicyFile};

/// The totals of `policy` over the log at `log`, streamed: JSON Lines when
/// its extension says so ([`crate::input::LogFormat::from_path`]), CSV
/// otherwise.
///
/// A [`Fallback`] means: use the careful reader and the in-memory evaluator
/// instead (they report any problem in the log or in evaluation exactly).
pub fn stream_file(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Path,
    roster: Option<&Roster>,
    options: &EvalOptions,
    progress: Progress<'_>,
) -> Result<(Totals, EvalReport), Fallback> {
    stream_file_by(policy, schema, log, roster, options, None, progress)
        .map(|streamed| (streamed.totals, streamed.report))
}

/// Like [`stream_file`], with the totals per period of kind `by` too, when
/// given, and the careful reader's warnings about the log.
///
/// A [`Fallback`] means: use the careful reader and the in-memory evaluator
/// instead (they report any problem in the log or in evaluation exactly).
pub fn stream_file_by(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Path,
    roster: Option<&Roster>,
    options: &EvalOptions,
    by: Option<Period>,
    progress: Progress<'_>,
) -> Result<Streamed, Fallback> {
    let fresh = || {
        let mut evaluator = StreamEvaluator::new(policy, schema, roster, options)
            .ok_or_else(|| Fallback::new("the policy is not one streaming handles"))?;
        if let Some(period) = by {
            evaluator.total_by(period);
        }
        Ok::<_, Fallback>(evaluator)
    };
    let mut evaluator = fresh()?;
    let name = log.display().to_string();
    // Opened once: a pipe or FIFO is copied, and both passes (and the
    // careful reader, if this steps aside) read the copy.
    let log = LogInput::open(log)?;
    let pass = stream_sorted(
        &log,
        schema,
        &mut |record| {
            evaluator
                .push(record)
                .map_err(|e| Fallback::new(e.to_string()))
        },
        progress,
    )?;
    if pass == Pass::Unsorted {
        evaluator = fresh()?;
        stream_unsorted(
            &log,
            schema,
            &mut |record| {
                evaluator
                    .push(record)
                    .map_err(|e| Fallback::new(e.to_string()))
            },
            progress,
        )?;
    }
    let warnings = log_warnings(&log, schema, &name)?;
    let mut streamed = evaluator
        .finish()
        .map_err(|e| Fallback::new(e.to_string()))?;
    streamed.log_warnings = Some(warnings);
    Ok(streamed)
}
