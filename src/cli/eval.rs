//! `meed eval POLICY LOG`: the ledger.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::eval::stream::file::{Observers, stream_file_into};
use crate::eval::stream::{Keep, Streamed};
use crate::eval::{EvalError, EvalOptions, GrantSink, PeriodTotalsSink, TotalsSink};
use crate::input::{LogFormat, Roster, decode, read_roster};
use crate::ledger::{Grant, Totals, TotalsByPeriod};
use crate::pipeline::CompiledPolicy;
use crate::render::by_period::{render_csv_by_period, render_table_by_period};
use crate::render::json::JsonGrants;
use crate::render::{csv::render_csv, table::render_table};
use crate::syntax::ast::Period;

use super::files::{emit, emit_streamed, refuse_overwriting_inputs};
use super::load::{DataArgs, InputArgs, Loaded, format_of, load_data, load_policy, window};
use super::progress::ProgressBar;
use super::{Outcome, Reporter};

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// Output format [default: table on a terminal, csv otherwise]
    #[arg(long, value_enum)]
    format: Option<OutputFormat>,
    /// Write the output to this file (atomically) instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Totals per person, period and reward (`who,period,reward,amount,unit`)
    #[arg(long, value_enum, value_name = "PERIOD")]
    by: Option<ByPeriod>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Totals per person, aligned for reading
    Table,
    /// Every grant with its provenance, and the totals
    Json,
    /// `who,reward,amount,unit`: totals only
    Csv,
}

/// The calendar period of `eval --by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByPeriod {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl From<ByPeriod> for Period {
    fn from(by: ByPeriod) -> Period {
        match by {
            ByPeriod::Day => Period::Day,
            ByPeriod::Week => Period::Week,
            ByPeriod::Month => Period::Month,
            ByPeriod::Quarter => Period::Quarter,
            ByPeriod::Year => Period::Year,
        }
    }
}

pub fn run(args: EvalArgs) -> Outcome {
    let mut reporter = Reporter::new(args.inputs.data.diagnostics);
    if let Some(out) = &args.out
        && let Err(outcome) = refuse_overwriting_inputs("--out", out, &named_inputs(&args.inputs))
    {
        return outcome;
    }
    let format = args
        .format
        .unwrap_or(if args.out.is_none() && std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        });
    if args.by.is_some() && format == OutputFormat::Json {
        return Outcome::Usage(
            "`--by` gives totals per period as `--format csv` or `table`; the json ledger already stamps every grant with its time".to_string(),
        );
    }
    let policy = match load_policy(&args.inputs.policy, &mut reporter) {
        Ok(policy) => policy,
        Err(outcome) => return outcome,
    };
    let output = if format == OutputFormat::Json {
        return write_json_ledger(policy, &args, &mut reporter)
            .err()
            .unwrap_or(Outcome::Success);
    } else {
        let by = args.by.map(Period::from);
        let evaluated = match evaluate_totals(policy, &args.inputs.data, by, &mut reporter) {
            Ok(evaluated) => evaluated,
            Err(outcome) => return outcome,
        };
        match (format, &evaluated.by_period) {
            (OutputFormat::Csv, Some(by_period)) => render_csv_by_period(by_period),
            (_, Some(by_period)) => render_table_by_period(by_period),
            (OutputFormat::Csv, None) => render_csv(&evaluated.totals),
            (_, None) => render_table(&evaluated.totals),
        }
    };
    match emit(args.out.as_deref(), &output) {
        Ok(()) => Outcome::Success,
        Err(outcome) => outcome,
    }
}

/// `eval --format json`: every grant with its provenance, and the totals.
/// The grants wait in a temporary file until the evaluation has succeeded,
/// so a failed run writes nothing.
fn write_json_ledger(
    policy: CompiledPolicy,
    args: &EvalArgs,
    reporter: &mut Reporter,
) -> Result<(), Outcome> {
    let mut grants = JsonGrants::new().map_err(|error| {
        Outcome::Usage(format!(
            "cannot create a temporary file for the ledger: {}",
            super::files::plain_io_error(&error)
        ))
    })?;
    let observers = Observers {
        kept: Some((Keep::Everyone, &mut grants)),
        ..Observers::default()
    };
    let evaluated = evaluate_observed(policy, &args.inputs.data, observers, reporter)?;
    let mut grants = Some(grants);
    emit_streamed(args.out.as_deref(), &mut |out| match grants.take() {
        Some(grants) => grants.write_document(&evaluated.totals, out),
        None => Ok(()),
    })
}

/// Totals of the reported grants, and per period when asked for.
pub struct Evaluated {
    pub policy: CompiledPolicy,
    /// For the whole log; empty when totals per period were asked for.
    pub totals: Totals,
    /// Per period of the kind asked for.
    pub by_period: Option<TotalsByPeriod>,
    /// How many records the log holds.
    pub records: u64,
    /// The people file, when one was given.
    pub roster: Option<Roster>,
}

/// Evaluates `policy` over the log and roster of `data` into totals (per
/// period of kind `by` too): streamed when the log allows it, else read by
/// the careful reader and evaluated in memory, which report any problem
/// with its file, line and column.
pub fn evaluate_totals(
    policy: CompiledPolicy,
    data: &DataArgs,
    by: Option<Period>,
    reporter: &mut Reporter,
) -> Result<Evaluated, Outcome> {
    let observers = Observers {
        by,
        ..Observers::default()
    };
    evaluate_observed(policy, data, observers, reporter)
}

/// Like [`evaluate_totals`], handing what `observers` ask for to them as
/// well (whole grants, records).
pub fn evaluate_observed(
    policy: CompiledPolicy,
    data: &DataArgs,
    mut observers: Observers<'_>,
    reporter: &mut Reporter,
) -> Result<Evaluated, Outcome> {
    if let Some((streamed, roster)) = streamed_totals(&policy, data, &mut observers, reporter)? {
        return Ok(Evaluated {
            policy,
            totals: streamed.totals,
            by_period: streamed.by_period,
            records: streamed.records,
            roster,
        });
    }
    let Observers { by, kept, records } = observers;
    let mut kept = kept;
    if let Some((_, sink)) = &mut kept {
        sink.restart();
    }
    let loaded = load_data(policy, data, reporter)?;
    if let Some(records) = records {
        records.restart();
        // People numbered in order of first appearance, as the engine does.
        let mut people: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        for c in &loaded.log.contributions {
            let next = u32::try_from(people.len()).unwrap_or(u32::MAX);
            let who = *people.entry(&c.who).or_insert(next);
            records.record(&crate::eval::stream::StreamRecord {
                at: c.at,
                id: &c.id,
                who,
                who_name: &c.who,
                kind: c.kind,
                fields: &c.fields,
            });
        }
    }
    let count = loaded.log.contributions.len() as u64;
    let (totals, by_period) = match by {
        Some(period) => {
            let mut sink = PeriodTotalsSink::new(period, loaded.policy.schema.timezone);
            evaluate_into(&loaded, &mut Tee(&mut sink, kept), reporter)?;
            (Totals::new(), Some(sink.by_period()))
        }
        None => {
            let mut sink = TotalsSink::default();
            evaluate_into(&loaded, &mut Tee(&mut sink, kept), reporter)?;
            (sink.totals, None)
        }
    };
    Ok(Evaluated {
        policy: loaded.policy,
        totals,
        by_period,
        records: count,
        roster: loaded.roster,
    })
}

/// Every grant to the first sink; the grants of the people kept to the
/// second too.
struct Tee<'a, 'b>(&'a mut dyn GrantSink, Option<(Keep, &'b mut dyn GrantSink)>);

impl GrantSink for Tee<'_, '_> {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        if let Some((keep, kept)) = &mut self.1
            && keep.keeps(&grant.who)
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

/// The policy, the log and the people file, with what each is (for
/// messages such as ``--out log.csv` is the log`).
pub fn named_inputs(inputs: &InputArgs) -> Vec<(&'static str, &Path)> {
    let mut named = vec![("the policy", inputs.policy.as_path())];
    named.extend(named_data(&inputs.data));
    named
}

/// The log and the people file, with what each is.
pub fn named_data(data: &DataArgs) -> Vec<(&'static str, &Path)> {
    let mut named = vec![("the log", data.log.as_path())];
    if let Some(people) = &data.people {
        named.push(("the people file", people.as_path()));
    }
    named
}

/// Totals through the streaming path (a CSV log read in chunks, never
/// whole), or `None` when the careful reader and in-memory evaluator must
/// run instead: any problem in the log or in evaluation is reported by them,
/// with its file, line and column. `MEED_NO_STREAM=1` always takes that path; `MEED_TRACE_STREAM=1` says why
/// streaming stepped aside.
fn streamed_totals(
    policy: &CompiledPolicy,
    data: &DataArgs,
    observers: &mut Observers<'_>,
    reporter: &mut Reporter,
) -> Result<Option<(Streamed, Option<Roster>)>, Outcome> {
    let Some((options, roster)) = stream_setup(policy, data)? else {
        return Ok(None);
    };
    let mut bar = ProgressBar::new();
    let streamed = stream_file_into(
        &policy.ast,
        &policy.schema,
        &data.log,
        roster.as_ref(),
        &options,
        observers,
        &mut |done, total| bar.update(done, total),
    );
    bar.finish();
    match streamed {
        Ok(streamed) => {
            // The log's warnings first, as the careful path prints them.
            if let Some(log) = &streamed.log_warnings {
                for warning in &log.warnings {
                    reporter.report(warning, &log.source);
                }
            }
            for warning in &streamed.report.warnings {
                reporter.report(warning, &policy.source);
            }
            Ok(Some((streamed, roster)))
        }
        Err(fallback) => {
            trace_fallback(&fallback);
            Ok(None)
        }
    }
}

fn trace_fallback(fallback: &crate::input::fast::Fallback) {
    if std::env::var_os("MEED_TRACE_STREAM").is_some() {
        errln!("meed: streaming stepped aside: {}", fallback.0);
    }
}

/// What streaming `policy` over the log of `data` needs: the options (the
/// window in the policy's zone) and the roster read with its schema; `None`
/// when the careful reader must read the log (a `--format-in` its
/// extension contradicts, `MEED_NO_STREAM=1`, a roster with a problem,
/// which the careful path reports).
fn stream_setup(
    policy: &CompiledPolicy,
    data: &DataArgs,
) -> Result<Option<(EvalOptions, Option<Roster>)>, Outcome> {
    let window = window(data, policy)?;
    // The streaming path reads the log in the format its extension names
    // (CSV otherwise): a `--format-in` that says otherwise goes the careful way.
    if format_of(&data.log, data.format_in)?
        != LogFormat::from_path(&data.log).unwrap_or(LogFormat::Csv)
        || std::env::var_os("MEED_NO_STREAM").is_some_and(|v| v != "0")
    {
        return Ok(None);
    }
    let roster = match &data.people {
        Some(path) => {
            let Ok(format) = format_of(path, None) else {
                return Ok(None);
            };
            let source = crate::input::read_bytes(path)
                .ok()
                .and_then(|bytes| decode(&path.display().to_string(), bytes).ok());
            match source.map(|s| read_roster(&policy.schema, &s, format)) {
                Some(Ok(roster)) => Some(roster),
                _ => return Ok(None),
            }
        }
        None => None,
    };
    let options = EvalOptions {
        window,
        explain: false,
    };
    Ok(Some((options, roster)))
}

/// Runs the evaluator into `sink`, reporting its warnings and errors.
pub fn evaluate_into(
    loaded: &Loaded,
    sink: &mut dyn crate::eval::GrantSink,
    reporter: &mut Reporter,
) -> Result<(), Outcome> {
    evaluate_with(
        loaded,
        &EvalOptions {
            window: loaded.window,
            explain: false,
        },
        sink,
        reporter,
    )
}

/// Like [`evaluate_into`], with explicit options.
pub fn evaluate_with(
    loaded: &Loaded,
    options: &EvalOptions,
    sink: &mut dyn crate::eval::GrantSink,
    reporter: &mut Reporter,
) -> Result<(), Outcome> {
    let policy = &loaded.policy;
    match crate::eval::run(
        &policy.ast,
        &policy.schema,
        &loaded.log,
        loaded.roster.as_ref(),
        options,
        sink,
    ) {
        Ok(report) => {
            for warning in &report.warnings {
                reporter.report(warning, &policy.source);
            }
            Ok(())
        }
        Err(error) => {
            reporter.report(&error, &policy.source);
            errln!("no ledger was produced");
            Err(Outcome::Failed)
        }
    }
}
