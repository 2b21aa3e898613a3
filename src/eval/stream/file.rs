//! A CSV log file, streamed through the streaming evaluator: one pass when
//! the file is in `(at, id)` order, a sort of compact keys otherwise.

use std::path::Path;

use super::{Keep, StreamEvaluator, Streamed};
use crate::eval::{EvalOptions, EvalReport, GrantSink};
use crate::input::Roster;
use crate::input::fast::{Fallback, LogInput, Pass, Progress, stream_sorted, stream_unsorted};
use crate::ledger::Totals;
use crate::schema::Schema;
use crate::syntax::ast::{Period, PolicyFile};

/// The totals of `policy` over the CSV log at `log`, streamed.
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
/// given.
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
    stream_file_into(policy, schema, log, roster, options, by, None, progress)
}

/// Like [`stream_file_by`], handing the final grants of the people `kept`
/// names, whole and in ledger order, to `sink` as well. If the log turns
/// out not to be in order half way, `sink` is restarted.
///
/// A [`Fallback`] means: use the careful reader and the in-memory evaluator
/// instead; `sink` may then hold grants, and must be restarted.
#[allow(clippy::too_many_arguments, reason = "the parts of one run")]
pub fn stream_file_into(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Path,
    roster: Option<&Roster>,
    options: &EvalOptions,
    by: Option<Period>,
    mut kept: Option<(Keep, &mut dyn GrantSink)>,
    progress: Progress<'_>,
) -> Result<Streamed, Fallback> {
    let keep = kept.as_ref().map(|(keep, _)| keep.clone());
    let fresh = || {
        let mut evaluator = StreamEvaluator::new(policy, schema, roster, options)
            .ok_or_else(|| Fallback::new("the policy is not one streaming handles"))?;
        if let Some(period) = by {
            evaluator.total_by(period);
        }
        if let Some(keep) = &keep {
            evaluator.keep_grants(keep.clone());
        }
        Ok::<_, Fallback>(evaluator)
    };
    let fallback = |e: crate::eval::EvalError| Fallback::new(e.to_string());
    let mut evaluator = fresh()?;
    // Opened once: a pipe or FIFO is copied, and both passes (and the
    // careful reader, if this steps aside) read the copy.
    let log = LogInput::open(log)?;
    let pass = stream_sorted(
        &log,
        schema,
        &mut |record| {
            evaluator.push(record).map_err(fallback)?;
            hand_over(&mut evaluator, &mut kept).map_err(fallback)
        },
        progress,
    )?;
    if pass == Pass::Unsorted {
        evaluator = fresh()?;
        if let Some((_, sink)) = &mut kept {
            sink.restart();
        }
        stream_unsorted(
            &log,
            schema,
            &mut |record| {
                evaluator.push(record).map_err(fallback)?;
                hand_over(&mut evaluator, &mut kept).map_err(fallback)
            },
            progress,
        )?;
    }
    finish(evaluator, &mut kept).map_err(fallback)
}

/// Hands the grants the evaluator kept since the last call to the sink.
pub(crate) fn hand_over(
    evaluator: &mut StreamEvaluator<'_>,
    kept: &mut Option<(Keep, &mut dyn GrantSink)>,
) -> Result<(), crate::eval::EvalError> {
    if let Some((_, sink)) = kept {
        for grant in evaluator.take_grants()? {
            sink.accept(grant)?;
        }
    }
    Ok(())
}

/// Closes the evaluation: the last periods' grants go to the sink.
pub(crate) fn finish(
    mut evaluator: StreamEvaluator<'_>,
    kept: &mut Option<(Keep, &mut dyn GrantSink)>,
) -> Result<Streamed, crate::eval::EvalError> {
    evaluator.close()?;
    hand_over(&mut evaluator, kept)?;
    evaluator.finish()
}
