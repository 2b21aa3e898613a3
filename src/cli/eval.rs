//! `meed eval POLICY LOG`: the ledger.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::eval::stream::file::stream_file;
use crate::eval::{EvalOptions, TotalsSink, evaluate};
use crate::input::{LogFormat, decode, read_roster};
use crate::ledger::{Ledger, Totals};
use crate::pipeline::CompiledPolicy;
use crate::render::{csv::render_csv, json::render_json, table::render_table};

use super::files::emit;
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

pub fn run(args: EvalArgs) -> Outcome {
    let mut reporter = Reporter::new(args.inputs.data.diagnostics);
    let format = args
        .format
        .unwrap_or(if args.out.is_none() && std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        });
    let policy = match load_policy(&args.inputs.policy, &mut reporter) {
        Ok(policy) => policy,
        Err(outcome) => return outcome,
    };
    if format != OutputFormat::Json {
        match streamed_totals(&policy, &args.inputs.data, &mut reporter) {
            Ok(Some(totals)) => {
                let output = if format == OutputFormat::Csv {
                    render_csv(&totals)
                } else {
                    render_table(&totals)
                };
                return match emit(args.out.as_deref(), &output) {
                    Ok(()) => Outcome::Success,
                    Err(outcome) => outcome,
                };
            }
            Ok(None) => {}
            Err(outcome) => return outcome,
        }
    }
    let loaded = match load_data(policy, &args.inputs.data, &mut reporter) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let output = match format {
        OutputFormat::Json => {
            let mut ledger = Ledger::default();
            if let Err(outcome) = evaluate_into(&loaded, &mut ledger, &mut reporter) {
                return outcome;
            }
            render_json(&ledger)
        }
        OutputFormat::Csv | OutputFormat::Table => {
            let mut sink = TotalsSink::default();
            if let Err(outcome) = evaluate_into(&loaded, &mut sink, &mut reporter) {
                return outcome;
            }
            if format == OutputFormat::Csv {
                render_csv(&sink.totals)
            } else {
                render_table(&sink.totals)
            }
        }
    };
    match emit(args.out.as_deref(), &output) {
        Ok(()) => Outcome::Success,
        Err(outcome) => outcome,
    }
}

/// Totals through the streaming path (a CSV log read in chunks, never
/// whole), or `None` when the careful reader and in-memory evaluator must
/// run instead: any problem in the log or in evaluation is reported by them,
/// with its file, line and column. `MEED_NO_STREAM=1` always takes that path; `MEED_TRACE_STREAM=1` says why
/// streaming stepped aside.
fn streamed_totals(
    policy: &CompiledPolicy,
    data: &DataArgs,
    reporter: &mut Reporter,
) -> Result<Option<Totals>, Outcome> {
    let window = window(data, policy)?;
    if format_of(&data.log, data.format_in)? != LogFormat::Csv
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
    let mut bar = ProgressBar::new();
    let streamed = stream_file(
        &policy.ast,
        &policy.schema,
        &data.log,
        roster.as_ref(),
        &options,
        &mut |done, total| bar.update(done, total),
    );
    bar.finish();
    match streamed {
        Ok((totals, report)) => {
            for warning in &report.warnings {
                reporter.report(warning, &policy.source);
            }
            Ok(Some(totals))
        }
        Err(fallback) => {
            if std::env::var_os("MEED_TRACE_STREAM").is_some() {
                errln!("meed: streaming stepped aside: {}", fallback.0);
            }
            Ok(None)
        }
    }
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
    match evaluate(
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
