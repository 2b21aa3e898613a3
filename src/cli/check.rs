//! `meed check FILE...`: parse and type-check policies.

use std::path::PathBuf;

use clap::Args;

use crate::pipeline::{PolicyProblem, compile_policy};

use super::files::read_source;
use super::{DiagnosticFormat, Outcome, Reporter};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy files to check
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    diagnostics: DiagnosticFormat,
    /// Treat warnings as errors (exit 1 if there are any)
    #[arg(long)]
    deny_warnings: bool,
}

/// Checks every file (all of them, even after a bad one) and reports all
/// their diagnostics. Exit 0 when clean (warnings allowed), 1 on errors, 2
/// when a file cannot be read.
pub fn run(args: CheckArgs) -> Outcome {
    let mut reporter = Reporter::new(args.diagnostics);
    let mut unreadable = None;
    for path in &args.files {
        let source = match read_source(path, &mut reporter) {
            Ok(source) => source,
            Err(Outcome::Usage(message)) => {
                eprintln!("error: {message}");
                unreadable = Some(message);
                continue;
            }
            Err(_) => continue,
        };
        match compile_policy(&source) {
            Ok(policy) => {
                for warning in &policy.warnings {
                    reporter.report(warning, &source);
                }
            }
            Err(PolicyProblem::Parse(error)) => reporter.report(error.as_ref(), &source),
            Err(PolicyProblem::Check(diagnostics)) => {
                for diagnostic in &diagnostics {
                    reporter.report(diagnostic, &source);
                }
            }
        }
    }
    if reporter.format() == DiagnosticFormat::Human {
        eprintln!(
            "checked {} file{}: {} error{}, {} warning{}",
            args.files.len(),
            plural(args.files.len()),
            reporter.errors,
            plural(reporter.errors),
            reporter.warnings,
            plural(reporter.warnings)
        );
    }
    if let Some(message) = unreadable {
        // Already printed; exit 2 without printing it twice.
        let _ = message;
        return Outcome::Usage(String::new());
    }
    if reporter.errors > 0 || (args.deny_warnings && reporter.warnings > 0) {
        Outcome::Failed
    } else {
        Outcome::Success
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
