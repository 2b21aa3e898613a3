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

/// A diagnostic shown against `source` when it carries no source text of
/// its own (evaluation errors point into the policy by span only).
pub struct InSource<'a> {
    pub diagnostic: &'a dyn Diagnostic,
    pub source: &'a dyn miette::SourceCode,
}

impl std::fmt::Debug for InSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl std::fmt::Display for InSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.diagnostic, f)
    }
}

impl std::error::Error for InSource<'_> {}

impl Diagnostic for InSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.diagnostic.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.diagnostic.source_code().or(Some(self.source))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.diagnostic.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.diagnostic.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.diagnostic.diagnostic_source()
    }
}

/// Renders a diagnostic without colour at 80 columns: stable text for
/// snapshot tests and logs.
pub fn render_plain(diagnostic: &dyn Diagnostic) -> String {
    render_graphical(diagnostic, false, 80)
}

/// The name and version of a JSON diagnostic's layout (`docs/json.md`).
pub const DIAGNOSTIC_SCHEMA: &str = "meed.diagnostic/1";

/// One diagnostic as a JSON object, for `--diagnostics json`.
///
/// `line`, `column`, `end_line` and `end_column` are `null` for a problem
/// that has no place in the file (an evaluation total that overflows): it
/// concerns the file as a whole, and pretending it sits at 1:1 would send a
/// reader to the wrong line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JsonDiagnostic {
    /// [`DIAGNOSTIC_SCHEMA`], so a program knows the layout it reads.
    pub schema: &'static str,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub severity: &'static str,
    pub code: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl JsonDiagnostic {
    /// Describes `diagnostic`, placing it at its first label in `source`
    /// (no place at all when it has no label).
    pub fn new(diagnostic: &dyn Diagnostic, source: &SourceFile) -> JsonDiagnostic {
        let place = diagnostic
            .labels()
            .and_then(|mut labels| labels.next())
            .map(|label| {
                (
                    source.line_column(label.offset()),
                    source.line_column(label.offset() + label.len()),
                )
            });
        JsonDiagnostic {
            schema: DIAGNOSTIC_SCHEMA,
            file: source.name().to_string(),
            line: place.map(|((line, _), _)| line),
            column: place.map(|((_, column), _)| column),
            end_line: place.map(|(_, (line, _))| line),
            end_column: place.map(|(_, (_, column))| column),
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
