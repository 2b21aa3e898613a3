//! `meed check FILE...`: parse and type-check policies.

use std::path::PathBuf;

use clap::Args;

use crate::testing::load_test_file;

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
/// their diagnostics. A test-only file (`import "policy.meed"`) is
/// checked against the policy it imports. Exit 0 when clean (warnings allowed), 1 on errors, 2
/// when a file cannot be read (a usage error, counted among the errors of
/// the summary line).
pub fn run(args: CheckArgs) -> Outcome {
    let mut reporter = Reporter::new(args.diagnostics);
    let mut unreadable = None;
    for path in &args.files {
        let source = match read_source(path, &mut reporter) {
            Ok(source) => source,
            Err(Outcome::Usage(message)) => {
                errln!("error: {message}");
                reporter.errors += 1;
                unreadable = Some(message);
                continue;
            }
            Err(_) => continue,
        };
        // A test-only file is checked together with the policy it imports;
        // each problem is reported in the file it points into.
        let problems = match load_test_file(&source) {
            Ok(suite) => suite.warnings,
            Err(problems) => problems,
        };
        for problem in &problems {
            reporter.report(problem.diagnostic.as_ref(), &problem.source);
        }
    }
    if reporter.format() == DiagnosticFormat::Human {
        errln!(
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
