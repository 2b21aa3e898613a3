//! `meed eval POLICY LOG`: the ledger.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::eval::stream::Streamed;
use crate::eval::stream::file::stream_file_by;
use crate::eval::{EvalOptions, PeriodTotalsSink, TotalsSink, evaluate};
use crate::input::{LogFormat, decode, read_roster};
use crate::ledger::{Ledger, Totals, TotalsByPeriod};
use crate::pipeline::CompiledPolicy;
use crate::render::by_period::{render_csv_by_period, render_table_by_period};
use crate::render::{csv::render_csv, json::render_json, table::render_table};
use crate::syntax::ast::Period;

use super::files::{emit, refuse_overwriting_inputs};
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
        let loaded = match load_data(policy, &args.inputs.data, &mut reporter) {
            Ok(loaded) => loaded,
            Err(outcome) => return outcome,
        };
        let mut ledger = Ledger::default();
        if let Err(outcome) = evaluate_into(&loaded, &mut ledger, &mut reporter) {
            return outcome;
        }
        render_json(&ledger)
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

/// Totals of the reported grants, and per period when asked for.
pub struct Evaluated {
    pub policy: CompiledPolicy,
    /// For the whole log; empty when totals per period were asked for.
    pub totals: Totals,
    /// Per period of the kind asked for.
    pub by_period: Option<TotalsByPeriod>,
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
    if let Some(streamed) = streamed_totals(&policy, data, by, reporter)? {
        return Ok(Evaluated {
            policy,
            totals: streamed.totals,
            by_period: streamed.by_period,
        });
    }
    let loaded = load_data(policy, data, reporter)?;
    let (totals, by_period) = match by {
        Some(period) => {
            let mut sink = PeriodTotalsSink::new(period, loaded.policy.schema.timezone);
            evaluate_into(&loaded, &mut sink, reporter)?;
            (Totals::new(), Some(sink.by_period()))
        }
        None => {
            let mut sink = TotalsSink::default();
            evaluate_into(&loaded, &mut sink, reporter)?;
            (sink.totals, None)
        }
    };
    Ok(Evaluated {
        policy: loaded.policy,
        totals,
        by_period,
    })
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
    by: Option<Period>,
    reporter: &mut Reporter,
) -> Result<Option<Streamed>, Outcome> {
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
    let mut bar = ProgressBar::new();
    let streamed = stream_file_by(
        &policy.ast,
        &policy.schema,
        &data.log,
        roster.as_ref(),
        &options,
        by,
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
            Ok(Some(streamed))
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
