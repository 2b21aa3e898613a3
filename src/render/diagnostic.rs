//! Rendering diagnostics: graphical (for people), plain (for snapshot
//! tests: no colour, fixed width) and JSON lines (for CI annotations).

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Severity};
use serde::Serialize;

use crate::source::SourceFile;

/// Renders a diagnostic with source snippets, for a person at a terminal.
pub fn render_graphical(diagnostic: &dyn Diagnostic, colour: bool, width: usize) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("{diagnostic}\n");
    }
    out
}

/// Renders a diagnostic without colour at 80 columns: stable text for
/// snapshot tests and logs.
pub fn render_plain(diagnostic: &dyn Diagnostic) -> String {
    render_graphical(diagnostic, false, 80)
}

/// One diagnostic as a JSON object, for `--diagnostics json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JsonDiagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub severity: &'static str,
    pub code: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl JsonDiagnostic {
    /// Describes `diagnostic`, placing it at its first label in `source`
    /// (or at the start of the file when it has no label).
    pub fn new(diagnostic: &dyn Diagnostic, source: &SourceFile) -> JsonDiagnostic {
        let (start, end) = diagnostic
            .labels()
            .and_then(|mut labels| labels.next())
            .map_or((0, 0), |label| {
                (label.offset(), label.offset() + label.len())
            });
        let (line, column) = source.line_column(start);
        let (end_line, end_column) = source.line_column(end);
        JsonDiagnostic {
            file: source.name().to_string(),
            line,
            column,
            end_line,
            end_column,
            severity: severity_name(diagnostic.severity()),
            code: diagnostic.code().map(|c| c.to_string()),
            message: diagnostic.to_string(),
            help: diagnostic.help().map(|h| h.to_string()),
        }
    }

    /// One line of JSON.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `error` unless the diagnostic says otherwise.
pub fn severity_name(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Warning) => "warning",
        Some(Severity::Advice) => "advice",
        Some(Severity::Error) | None => "error",
    }
}
