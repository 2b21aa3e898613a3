//! Printing diagnostics to stderr: for people (graphical, coloured on a
//! terminal) or for CI (one JSON object per line).

use std::io::IsTerminal;

use clap::ValueEnum;
use miette::Diagnostic;

use crate::render::diagnostic::{JsonDiagnostic, render_graphical};
use crate::source::SourceFile;

/// How `--diagnostics` prints problems.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// Source snippets with underlines and help, for people
    #[default]
    Human,
    /// One JSON object per line: file, line, column, severity, code, message, help
    Json,
}

/// Prints diagnostics to stderr in the chosen format and counts them.
pub struct Reporter {
    format: DiagnosticFormat,
    colour: bool,
    pub errors: usize,
    pub warnings: usize,
}

impl Reporter {
    pub fn new(format: DiagnosticFormat) -> Self {
        Self {
            format,
            colour: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            errors: 0,
            warnings: 0,
        }
    }

    /// Prints one diagnostic, shown in the file it carries; `about` is the
    /// file one with no place of its own concerns.
    pub fn report(&mut self, diagnostic: &dyn Diagnostic, about: &SourceFile) {
        let is_warning = matches!(
            diagnostic.severity(),
            Some(miette::Severity::Warning | miette::Severity::Advice)
        );
        if is_warning {
            self.warnings += 1;
        } else {
            self.errors += 1;
        }
        match self.format {
            DiagnosticFormat::Human => {
                err!(
                    "{}",
                    render_graphical(diagnostic, self.colour, terminal_width())
                );
            }
            DiagnosticFormat::Json => {
                // A summary with related diagnostics is flattened: CI wants
                // one annotation per place.
                let related: Vec<&dyn Diagnostic> = diagnostic
                    .related()
                    .map(|r| r.collect())
                    .unwrap_or_default();
                if related.is_empty() {
                    errln!("{}", JsonDiagnostic::new(diagnostic, about).to_json_line());
                } else {
                    for inner in related {
                        errln!("{}", JsonDiagnostic::new(inner, about).to_json_line());
                    }
                }
            }
        }
    }

    pub fn format(&self) -> DiagnosticFormat {
        self.format
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100)
}

impl crate::pipeline::Diagnostics for Reporter {
    fn report(&mut self, diagnostic: &dyn Diagnostic, about: &SourceFile) {
        Reporter::report(self, diagnostic, about);
    }

    /// `MEED_TRACE_STREAM=1` says why, for tests and bug reports.
    fn stepped_aside(&mut self, why: &str) {
        if std::env::var_os("MEED_TRACE_STREAM").is_some() {
            errln!("meed: streaming stepped aside: {why}");
        }
    }
}
