//! `meed fmt [--check] FILE...`: one canonical layout for every policy.

use std::path::PathBuf;

use clap::Args;
use similar::TextDiff;

use crate::fmt::format_source;
use crate::source::SourceFile;

use super::files::{emit, read_source, read_stdin, write_atomically};
use super::{DiagnosticFormat, Outcome, Reporter};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Policy files to format in place; `-` reads standard input and writes
    /// standard output
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Change nothing: print a diff of what would change, exit 1 if anything would
    #[arg(long)]
    check: bool,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    diagnostics: DiagnosticFormat,
}

pub fn run(args: FmtArgs) -> Outcome {
    let mut reporter = Reporter::new(args.diagnostics);
    let mut would_change = Vec::new();
    let mut usage = None;
    // Files written in place, and how many of them changed.
    let (mut formatted_files, mut changed) = (0usize, 0usize);
    for path in &args.files {
        let from_stdin = path.as_os_str() == "-";
        let source = if from_stdin {
            read_stdin(&mut reporter)
        } else {
            read_source(path, &mut reporter)
        };
        let source = match source {
            Ok(source) => source,
            Err(Outcome::Usage(message)) => {
                errln!("error: {message}");
                usage = Some(message);
                continue;
            }
            Err(_) => continue,
        };
        // A file that does not parse is left exactly as it is.
        let formatted = match format_source(&source) {
            Ok(formatted) => formatted,
            Err(error) => {
                reporter.report(&error, &source);
                continue;
            }
        };
        if from_stdin && !args.check {
            if let Err(outcome) = emit(None, &formatted) {
                return outcome;
            }
            continue;
        }
        if !args.check {
            formatted_files += 1;
        }
        if formatted == source.text() {
            continue;
        }
        if args.check {
            print_diff(&source, &formatted);
            would_change.push(source.name().to_string());
        } else if let Err(outcome) = write_atomically(path, &formatted) {
            return outcome;
        } else {
            changed += 1;
        }
    }
    if formatted_files > 0 {
        errln!(
            "formatted {formatted_files} file{} ({changed} changed)",
            if formatted_files == 1 { "" } else { "s" }
        );
    }
    if usage.is_some() {
        return Outcome::Usage(String::new());
    }
    if !would_change.is_empty() {
        errln!(
            "{} file{} would be reformatted: {}",
            would_change.len(),
            if would_change.len() == 1 { "" } else { "s" },
            would_change.join(", ")
        );
        errln!(
            "  help: run `meed fmt` on {} to apply the layout",
            if would_change.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
        return Outcome::Failed;
    }
    if reporter.errors > 0 {
        return Outcome::Failed;
    }
    Outcome::Success
}

fn print_diff(source: &SourceFile, formatted: &str) {
    let diff = TextDiff::from_lines(source.text(), formatted);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(source.name(), &format!("{} (formatted)", source.name()))
        .to_string();
    let _ = emit(None, &text);
}
