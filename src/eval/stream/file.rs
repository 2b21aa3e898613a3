//! A log file (CSV or JSON Lines, by its extension), streamed through the
//! streaming evaluator: one pass when the file is in `(at, id)` order, a
//! sort of compact keys otherwise.

use std::path::Path;

use super::money::MoneyCells;
use super::{Keep, StreamEvaluator, Streamed};
use crate::eval::{EvalOptions, EvalReport, GrantSink};
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
    let mut observers = Observers {
        by,
        ..Observers::default()
    };
    stream_file_into(
        policy,
        schema,
        log,
        roster,
        options,
        &mut observers,
        progress,
    )
}

/// Sees every record of a run, in `(at, id)` order (`meed explain` keeps
/// one person's, to describe the contributions behind their grants).
pub trait RecordSink {
    /// One more record.
    fn record(&mut self, record: &super::StreamRecord<'_>);

    /// Forgets the records seen so far: the run starts again.
    fn restart(&mut self);
}

/// What a run hands out besides the totals.
#[derive(Default)]
pub struct Observers<'o> {
    /// Totals per period of this kind too (`eval --by`, `meed close`).
    pub by: Option<Period>,
    /// The final grants of the people kept, whole, in ledger order.
    pub kept: Option<(Keep, &'o mut dyn GrantSink)>,
    /// Every record.
    pub records: Option<&'o mut dyn RecordSink>,
}

impl Observers<'_> {
    fn restart(&mut self) {
        if let Some((_, sink)) = &mut self.kept {
            sink.restart();
        }
        if let Some(records) = &mut self.records {
            records.restart();
        }
    }

    fn record(&mut self, record: &super::StreamRecord<'_>) {
        if let Some(records) = &mut self.records {
            records.record(record);
        }
    }
}

/// Like [`stream_file_by`], handing what `observers` ask for to them as
/// well. If the log turns out not to be in order half way, they are
/// restarted.
///
/// A [`Fallback`] means: use the careful reader and the in-memory evaluator
/// instead; the observers may then hold grants, and must be restarted.
pub fn stream_file_into(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Path,
    roster: Option<&Roster>,
    options: &EvalOptions,
    observers: &mut Observers<'_>,
    progress: Progress<'_>,
) -> Result<Streamed, Fallback> {
    let keep = observers.kept.as_ref().map(|(keep, _)| keep.clone());
    let by = observers.by;
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
    let mut money = MoneyCells::new(schema);
    let name = log.display().to_string();
    // Opened once: a pipe or FIFO is copied, and both passes (and the
    // careful reader, if this steps aside) read the copy.
    let log = LogInput::open(log)?;
    let pass = stream_sorted(
        &log,
        schema,
        &mut |record| {
            observers.record(record);
            money.observe(record);
            evaluator.push(record).map_err(fallback)?;
            hand_over(&mut evaluator, &mut observers.kept).map_err(fallback)
        },
        progress,
    )?;
    if pass == Pass::Unsorted {
        evaluator = fresh()?;
        observers.restart();
        money = MoneyCells::new(schema);
        stream_unsorted(
            &log,
            schema,
            &mut |record| {
                observers.record(record);
                money.observe(record);
                evaluator.push(record).map_err(fallback)?;
                hand_over(&mut evaluator, &mut observers.kept).map_err(fallback)
            },
            progress,
        )?;
    }
    let warnings = log_warnings(&log, schema, &name)?;
    let mut streamed = finish(evaluator, &mut observers.kept).map_err(fallback)?;
    streamed.log_warnings = Some(warnings);
    with_money_warnings(&mut streamed, &money, schema);
    Ok(streamed)
}

/// The log's money cells worth a look, before the evaluation's warnings
/// (the careful path reports problems of the log first too).
pub(crate) fn with_money_warnings(streamed: &mut Streamed, money: &MoneyCells, schema: &Schema) {
    let mut warnings = money.warnings(schema);
    warnings.append(&mut streamed.report.warnings);
    streamed.report.warnings = warnings;
}

/// Hands the grants the evaluator kept since the last call to the sink.
pub(crate) fn hand_over(
    evaluator: &mut StreamEvaluator<'_>,
    kept: &mut Option<(Keep, &mut dyn GrantSink)>,
) -> Result<(), crate::eval::EvalError> {
    if let Some((_, sink)) = kept {
        evaluator.drain_grants(|grant| sink.accept(grant))?;
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
