//! Rendering diagnostics: graphical (for people), plain (for snapshot
//! tests: no colour, fixed width) and JSON lines (for CI annotations).

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, Severity, SourceCode, SourceSpan,
};
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
    /// Describes `diagnostic`, placed at its first label in the file it
    /// carries; one with no text of its own (or no label) concerns `about`
    /// as a whole and has no line.
    pub fn new(diagnostic: &dyn Diagnostic, about: &SourceFile) -> JsonDiagnostic {
        let label = diagnostic.labels().and_then(|mut labels| labels.next());
        let place = diagnostic
            .source_code()
            .zip(label)
            .and_then(|(code, label)| {
                let (file, start) = place_of(code, label.offset())?;
                let (_, end) = place_of(code, label.offset() + label.len())?;
                Some((file, start, end))
            });
        let file = place
            .as_ref()
            .map_or_else(|| about.name().to_string(), |(file, _, _)| file.clone());
        JsonDiagnostic {
            schema: DIAGNOSTIC_SCHEMA,
            file,
            line: place.as_ref().map(|(_, (line, _), _)| *line),
            column: place.as_ref().map(|(_, (_, column), _)| *column),
            end_line: place.as_ref().map(|(_, _, (line, _))| *line),
            end_column: place.as_ref().map(|(_, _, (_, column))| *column),
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

/// The file name, and the one-based line and column of byte `offset`, as
/// the text a diagnostic carries places it: the same reading the human
/// header (`╭─[file:line:column]`) shows, columns in characters.
fn place_of(code: &dyn SourceCode, offset: usize) -> Option<(String, (usize, usize))> {
    let at = code
        .read_span(&SourceSpan::new(offset.into(), 0), 0, 0)
        .ok()?;
    let name = at.name().unwrap_or_default().to_string();
    Some((name, (at.line() + 1, at.column() + 1)))
}

/// `error` unless the diagnostic says otherwise.
pub fn severity_name(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Warning) => "warning",
        Some(Severity::Advice) => "advice",
        Some(Severity::Error) | None => "error",
    }
}
