//! `meed eval POLICY LOG`: the ledger.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::eval::stream::Keep;
use crate::eval::stream::file::Observers;
use crate::pipeline::{CompiledPolicy, DataFiles, Engine, Evaluated, RunFailure, evaluate_files};
use crate::render::by_period::{render_csv_by_period, render_table_by_period};
use crate::render::json::JsonGrants;
use crate::render::{csv::render_csv, table::render_table};
use crate::syntax::ast::Period;

use super::files::{emit, emit_streamed, refuse_overwriting_inputs};
use super::load::{DataArgs, InputArgs, format_of, load_policy, window};
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

/// Evaluates `policy` over the log and roster of `data` into totals (per
/// period of kind `by` too), reporting every warning and problem.
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
/// well (whole grants, records). The library chooses the evaluator
/// ([`evaluate_files`]); `MEED_NO_STREAM=1` asks for the exact one and
/// `MEED_TRACE_STREAM=1` says why the engine stepped aside.
pub fn evaluate_observed(
    policy: CompiledPolicy,
    data: &DataArgs,
    observers: Observers<'_>,
    reporter: &mut Reporter,
) -> Result<Evaluated, Outcome> {
    let files = data_files(data, &policy)?;
    let mut bar = ProgressBar::new();
    let evaluated = evaluate_files(
        policy,
        &files,
        observers,
        &mut |done, total| bar.update(done, total),
        reporter,
    );
    bar.finish();
    evaluated.map_err(failed)
}

/// The files of `data`, with their formats and the window, for the library.
pub(super) fn data_files(data: &DataArgs, policy: &CompiledPolicy) -> Result<DataFiles, Outcome> {
    let window = window(data, policy)?;
    let log_format = format_of(&data.log, data.format_in)?;
    let people = match &data.people {
        Some(path) => Some((path.clone(), format_of(path, None)?)),
        None => None,
    };
    let engine = if std::env::var_os("MEED_NO_STREAM").is_some_and(|v| v != "0") {
        Engine::Exact
    } else {
        Engine::Streaming
    };
    Ok(DataFiles {
        log: data.log.clone(),
        log_format,
        people,
        window,
        engine,
    })
}

/// What a failed run means on the command line: a file that cannot be
/// read is a usage error (exit 2), anything else a data error (exit 1).
pub(super) fn failed(failure: RunFailure) -> Outcome {
    match failure {
        RunFailure::Unreadable(message) => Outcome::Usage(message),
        RunFailure::Data => Outcome::Failed,
        RunFailure::Evaluation => {
            errln!("no ledger was produced");
            Outcome::Failed
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
