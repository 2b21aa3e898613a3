//! A policy evaluated over files on disk, and the one place that chooses
//! how: the streaming engine reads the log in chunks, never whole; where it
//! steps aside (a problem in the log to report with its place, a value its
//! fixed point cannot hold, a roster with a problem, a log format its
//! extension contradicts) the careful reader reads the files whole and the
//! exact evaluator runs, after every observer is restarted. Both give the
//! same grants; only the careful path reports problems, so every problem is
//! reported with its file, line and column.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::eval::stream::file::{Observers, stream_file_into};
use crate::eval::stream::side_by_side::stream_file_side_by_side;
use crate::eval::stream::{Keep, Streamed, as_stream_records};
use crate::eval::{EvalError, EvalOptions, GrantSink, PeriodTotalsSink, TotalsSink, Window};
use crate::input::fast::{Fallback, Progress};
use crate::input::{Log, LogFormat, Roster, decode, plain_io_error, read_bytes};
use crate::ledger::{Grant, Totals, TotalsByPeriod};
use crate::source::SourceFile;

use super::{CompiledPolicy, read_log, read_roster};

/// What a policy runs on, as files.
#[derive(Clone, Debug)]
pub struct DataFiles {
    /// The contribution log (`-` is standard input).
    pub log: PathBuf,
    /// The log's format, as given or as its extension says.
    pub log_format: LogFormat,
    /// The people file and its format.
    pub people: Option<(PathBuf, LogFormat)>,
    /// The part of the log to evaluate, when not all of it.
    pub window: Option<Window>,
    /// Which evaluator may run.
    pub engine: Engine,
}

/// Which evaluator [`evaluate_files`] may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// The streaming engine, or the exact evaluator where it steps aside.
    #[default]
    Streaming,
    /// The careful reader and the exact evaluator only (to compare the two).
    Exact,
}

/// Where the diagnostics of a run go, each with the file it points into.
pub trait Diagnostics {
    /// One warning or error; it carries the text of the file it points
    /// into, and `about` is the file it concerns when it has no place.
    fn report(&mut self, diagnostic: &dyn Diagnostic, about: &SourceFile);

    /// The streaming engine stepped aside, for `why`; the careful path
    /// runs next (and reports any problem it finds).
    fn stepped_aside(&mut self, why: &str) {
        let _ = why;
    }
}

/// The totals of an evaluation, and what it read.
pub struct Evaluated {
    /// The policy evaluated.
    pub policy: CompiledPolicy,
    /// For the whole log; empty when totals per period were asked for.
    pub totals: Totals,
    /// Per period of the kind the observers asked for.
    pub by_period: Option<TotalsByPeriod>,
    /// How many records the log holds.
    pub records: u64,
    /// The people file, when one was given.
    pub roster: Option<Roster>,
    /// Why the streaming engine stepped aside, when it did.
    pub stepped_aside: Option<String>,
}

/// Why [`evaluate_files`] gave no totals. Every problem with a place was
/// handed to the [`Diagnostics`] first.
#[derive(Debug, PartialEq, Eq)]
pub enum RunFailure {
    /// A file could not be read at all; the message names it and why.
    Unreadable(String),
    /// The log or the people file has problems.
    Data,
    /// The evaluation failed: no ledger.
    Evaluation,
}

/// Evaluates `policy` over `files`, handing what `observers` ask for to
/// them (whole grants, records) and every warning and error to
/// `diagnostics`, in the order the careful path finds them.
pub fn evaluate_files(
    policy: CompiledPolicy,
    files: &DataFiles,
    mut observers: Observers<'_>,
    progress: Progress<'_>,
    diagnostics: &mut dyn Diagnostics,
) -> Result<Evaluated, RunFailure> {
    let options = EvalOptions {
        window: files.window,
        explain: false,
    };
    let stepped_aside = match streamable(&policy, files) {
        Err(why) => why,
        Ok(roster) => {
            let streamed = stream_file_into(
                &policy.ast,
                &policy.schema,
                &files.log,
                roster.as_ref(),
                &options,
                &mut observers,
                progress,
            );
            match streamed {
                Ok(run) => return Ok(finished(policy, run, roster, diagnostics)),
                Err(Fallback(why)) => why,
            }
        }
    };
    diagnostics.stepped_aside(&stepped_aside);
    let mut evaluated = evaluate_carefully(policy, files, &options, observers, diagnostics)?;
    evaluated.stepped_aside = Some(stepped_aside);
    Ok(evaluated)
}

/// Two policies over the same log and people file (`meed diff`), each with
/// its files as [`evaluate_files`] takes them.
///
/// When both stream and read the log alike (the same kinds and time zone,
/// the same window), one read of the log feeds both engines. Otherwise, or
/// where the engine steps aside, each is evaluated on its own by
/// [`evaluate_files`]. Either way the diagnostics are the same, in the same
/// order: the old side's, then the new side's.
pub fn evaluate_files_side_by_side(
    (old, old_files): (CompiledPolicy, &DataFiles),
    (new, new_files): (CompiledPolicy, &DataFiles),
    progress: Progress<'_>,
    diagnostics: &mut dyn Diagnostics,
) -> Result<(Evaluated, Evaluated), RunFailure> {
    let shared = if old_files.window == new_files.window {
        streamable(&old, old_files)
            .and_then(|old_roster| Ok((old_roster, streamable(&new, new_files)?)))
            .map_err(Fallback::new)
            .and_then(|(old_roster, new_roster)| {
                let options = EvalOptions {
                    window: old_files.window,
                    explain: false,
                };
                let sides = [
                    (&old.ast, &old.schema, old_roster.as_ref()),
                    (&new.ast, &new.schema, new_roster.as_ref()),
                ];
                let streamed =
                    stream_file_side_by_side(sides, &old_files.log, &options, &mut *progress)?;
                Ok((streamed, [old_roster, new_roster]))
            })
    } else {
        Err(Fallback::new("the two policies read different windows"))
    };
    let ([old_streamed, new_streamed], [old_roster, new_roster]) = match shared {
        Ok(shared) => shared,
        Err(Fallback(why)) => {
            diagnostics.stepped_aside(&format!("one read of the log for both policies: {why}"));
            let old = evaluate_files(
                old,
                old_files,
                Observers::default(),
                &mut *progress,
                diagnostics,
            )?;
            let new = evaluate_files(new, new_files, Observers::default(), progress, diagnostics)?;
            return Ok((old, new));
        }
    };
    let old = finished(old, old_streamed, old_roster, diagnostics);
    let new = finished(new, new_streamed, new_roster, diagnostics);
    Ok((old, new))
}

/// A run the engine finished: its warnings reported, the log's first as
/// the careful path gives them.
fn finished(
    policy: CompiledPolicy,
    streamed: Streamed,
    roster: Option<Roster>,
    diagnostics: &mut dyn Diagnostics,
) -> Evaluated {
    if let Some(log) = &streamed.log_warnings {
        for warning in &log.warnings {
            diagnostics.report(warning, &log.source);
        }
    }
    for warning in &streamed.report.warnings {
        diagnostics.report(warning, &policy.source);
    }
    Evaluated {
        policy,
        totals: streamed.totals,
        by_period: streamed.by_period,
        records: streamed.records,
        roster,
        stepped_aside: None,
    }
}

/// The roster, read for the streaming engine, or why the careful path must
/// run instead (it reports any problem of the roster).
fn streamable(policy: &CompiledPolicy, files: &DataFiles) -> Result<Option<Roster>, String> {
    if files.engine == Engine::Exact {
        return Err("the exact evaluator was asked for".to_string());
    }
    // The engine reads the log in the format its extension names (CSV
    // otherwise).
    if files.log_format != LogFormat::from_path(&files.log).unwrap_or(LogFormat::Csv) {
        return Err("the log's format is not the one its name says".to_string());
    }
    let Some((path, format)) = &files.people else {
        return Ok(None);
    };
    let source = read_bytes(path)
        .ok()
        .and_then(|bytes| decode(&path.display().to_string(), bytes).ok())
        .ok_or("the people file cannot be read as text")?;
    read_roster(policy, &source, *format)
        .map(Some)
        .map_err(|_| "the people file has a problem".to_string())
}

/// The careful path: the files read whole and checked, every problem
/// reported; the exact evaluator over the log.
fn evaluate_carefully(
    policy: CompiledPolicy,
    files: &DataFiles,
    options: &EvalOptions,
    observers: Observers<'_>,
    diagnostics: &mut dyn Diagnostics,
) -> Result<Evaluated, RunFailure> {
    let Observers { by, kept, records } = observers;
    let mut kept = kept;
    if let Some((_, sink)) = &mut kept {
        sink.restart();
    }
    let (log, roster) = read_data(&policy, files, diagnostics)?;
    if let Some(records) = records {
        records.restart();
        let Ok(()) = as_stream_records::<Infallible>(&log.contributions, &mut |record| {
            records.record(record);
            Ok(())
        });
    }
    let mut evaluate = |sink: &mut dyn GrantSink| match super::evaluate(
        &policy,
        &log,
        roster.as_ref(),
        options,
        sink,
    ) {
        Ok(report) => {
            for warning in &report.warnings {
                diagnostics.report(warning, &policy.source);
            }
            Ok(())
        }
        Err(error) => {
            diagnostics.report(&error.in_files(&policy.source), &policy.source);
            Err(RunFailure::Evaluation)
        }
    };
    let (totals, by_period) = match by {
        Some(period) => {
            let mut sink = PeriodTotalsSink::new(period, policy.schema.timezone);
            evaluate(&mut Tee(&mut sink, kept))?;
            (Totals::new(), Some(sink.by_period()))
        }
        None => {
            let mut sink = TotalsSink::default();
            evaluate(&mut Tee(&mut sink, kept))?;
            (sink.totals, None)
        }
    };
    Ok(Evaluated {
        policy,
        totals,
        by_period,
        records: log.contributions.len() as u64,
        roster,
        stepped_aside: None,
    })
}

/// The log and the people file read whole and checked against `policy`.
fn read_data(
    policy: &CompiledPolicy,
    files: &DataFiles,
    diagnostics: &mut dyn Diagnostics,
) -> Result<(Log, Option<Roster>), RunFailure> {
    let log_source = read_text(&files.log, diagnostics)?;
    let roster = match &files.people {
        Some((path, format)) => {
            let source = read_text(path, diagnostics)?;
            match read_roster(policy, &source, *format) {
                Ok(roster) => Some(roster),
                Err(errors) => {
                    diagnostics.report(&errors, &source);
                    return Err(RunFailure::Data);
                }
            }
        }
        None => None,
    };
    match read_log(policy, &log_source, files.log_format, roster.as_ref()) {
        Ok((log, warnings)) => {
            for warning in &warnings {
                diagnostics.report(warning, &log_source);
            }
            Ok((log, roster))
        }
        Err(errors) => {
            diagnostics.report(&errors, &log_source);
            Err(RunFailure::Data)
        }
    }
}

/// The file at `path` as UTF-8 text, named by its path in messages.
pub fn read_text(path: &Path, diagnostics: &mut dyn Diagnostics) -> Result<SourceFile, RunFailure> {
    let name = path.display().to_string();
    let bytes = read_bytes(path).map_err(|error| {
        RunFailure::Unreadable(if error.kind() == std::io::ErrorKind::IsADirectory {
            format!("cannot read `{name}`: it is a folder, not a file")
        } else {
            format!("cannot read `{name}`: {}", plain_io_error(&error))
        })
    })?;
    decode(&name, bytes).map_err(|error| {
        diagnostics.report(&error, &SourceFile::new(name.clone(), String::new()));
        RunFailure::Data
    })
}

/// Every grant to the first sink; the grants of the people kept to the
/// second too.
struct Tee<'a, 'b>(&'a mut dyn GrantSink, Option<(Keep, &'b mut dyn GrantSink)>);

impl GrantSink for Tee<'_, '_> {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        if let Some((keep, kept)) = &mut self.1
            && keep.keeps_grant(&grant)
        {
            kept.accept(grant.clone())?;
        }
        self.0.accept(grant)
    }

    fn restart(&mut self) {
        self.0.restart();
        if let Some((_, kept)) = &mut self.1 {
            kept.restart();
        }
    }
}
