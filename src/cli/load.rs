//! What `eval`, `explain` and friends share: the policy, the log, the
//! roster and the evaluation window, loaded and validated together.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use crate::eval::Window;
use crate::input::LogFormat;
use crate::pipeline::{CompiledPolicy, PolicyProblem, compile_policy};

use super::files::read_source;
use super::{DiagnosticFormat, Outcome, Reporter};

/// The policy, the log and what selects the part of it to evaluate.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The policy file (`.meed`)
    #[arg(value_name = "POLICY")]
    pub policy: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

/// The log, the roster and the evaluation window: what a policy runs on.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// The contribution log: CSV with a header, or JSON Lines
    #[arg(value_name = "LOG")]
    pub log: PathBuf,
    /// The roster: `who` plus the policy's `person` columns (CSV or JSON Lines)
    #[arg(long, value_name = "FILE")]
    pub people: Option<PathBuf>,
    /// The log's format, when its extension does not say (.csv, .jsonl)
    #[arg(long, value_name = "FORMAT")]
    pub format_in: Option<LogFormat>,
    /// Evaluate one period only: 2027, 2027-Q1, 2027-01, 2027-W05 or 2027-01-05
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// Evaluate contributions from this day on (inclusive, policy time zone)
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Evaluate contributions up to this day (inclusive, policy time zone)
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub diagnostics: DiagnosticFormat,
}

/// Parses and checks a policy file, printing its warnings or errors.
pub fn load_policy(path: &Path, reporter: &mut Reporter) -> Result<CompiledPolicy, Outcome> {
    let source = read_source(path, reporter)?;
    match compile_policy(&source) {
        Ok(policy) => {
            for warning in &policy.warnings {
                reporter.report(warning, &source);
            }
            Ok(policy)
        }
        Err(problem) => {
            for diagnostic in problem.diagnostics() {
                reporter.report(diagnostic, &source);
            }
            if let PolicyProblem::Check(_) = problem {
                errln!("the policy has errors; nothing was evaluated");
            }
            Err(Outcome::Failed)
        }
    }
}

pub(crate) fn format_of(path: &Path, flag: Option<LogFormat>) -> Result<LogFormat, Outcome> {
    flag.or_else(|| LogFormat::from_path(path)).ok_or_else(|| {
        Outcome::Usage(format!(
            "cannot tell the format of `{}` from its name; add `--format-in csv` or `--format-in jsonl`",
            path.display()
        ))
    })
}

pub(crate) fn window(args: &DataArgs, policy: &CompiledPolicy) -> Result<Option<Window>, Outcome> {
    let tz = policy.schema.timezone;
    if let Some(period) = &args.period {
        return Window::parse_period(period, tz).map(Some).map_err(|e| {
            let hint = crate::semantics::period::period_hint(period)
                .map_or(String::new(), |h| format!("\n  help: {h}"));
            Outcome::Usage(format!(
                "`--period {period}`: {e}{hint}\n  help: write a year `2027`, a quarter `2027-Q1`, a month `2027-01`, an ISO week `2027-W05` or a day `2027-01-05`"
            ))
        });
    }
    match (args.from, args.to) {
        (None, None) => Ok(None),
        (from, to) => {
            let from = from.unwrap_or(NaiveDate::MIN);
            let to = to.unwrap_or(NaiveDate::MAX);
            if from > to {
                return Err(Outcome::Usage(format!(
                    "`--from {from}` is after `--to {to}`"
                )));
            }
            Ok(Some(Window::between(from, to, tz)))
        }
    }
}
