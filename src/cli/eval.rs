//! `meed eval POLICY LOG`: the ledger.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::eval::{EvalOptions, TotalsSink, evaluate};
use crate::ledger::Ledger;
use crate::render::{csv::render_csv, json::render_json, table::render_table};

use super::files::emit;
use super::load::{InputArgs, Loaded, load_inputs};
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
    let loaded = match load_inputs(&args.inputs, &mut reporter) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let format = args
        .format
        .unwrap_or(if args.out.is_none() && std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Csv
        });
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
                reporter.report_message_warning(&warning.to_string());
            }
            Ok(())
        }
        Err(error) => {
            reporter.report(&error, &policy.source);
            eprintln!("no ledger was produced");
            Err(Outcome::Failed)
        }
    }
}
