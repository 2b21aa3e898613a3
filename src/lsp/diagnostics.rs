//! meed's diagnostics as LSP diagnostics: the same code, message, help and
//! related places as `meed check` prints, placed in UTF-16 positions.
//!
//! LSP has no field for miette's `help`, so it follows the message on a
//! line of its own (`help: ...`), as the terminal shows it. Secondary
//! labels ("declared as `Int` here") become related information. A
//! diagnostic that holds several (`#[related]`) is published as each of
//! them, like `--diagnostics json` does: an editor wants one squiggle per place.

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
    Url,
};
use miette::{Diagnostic as MietteDiagnostic, LabeledSpan, Severity};

use crate::source::{SourceFile, Span};

use super::position::LineIndex;

/// The file a diagnostic is converted for: its text, lines and address.
pub struct Target<'a> {
    pub source: &'a SourceFile,
    pub lines: &'a LineIndex,
    pub uri: &'a Url,
}

/// `diagnostic`, whose labels point into `target`, as LSP diagnostics.
pub fn convert(diagnostic: &dyn MietteDiagnostic, target: &Target<'_>) -> Vec<Diagnostic> {
    let related: Vec<&dyn MietteDiagnostic> = diagnostic
        .related()
        .map(|r| r.collect())
        .unwrap_or_default();
    if related.is_empty() {
        return vec![convert_one(diagnostic, target)];
    }
    related
        .into_iter()
        .flat_map(|inner| convert(inner, target))
        .collect()
}

/// A diagnostic in another file (the policy a test file imports), shown at
/// `at` in this one (the `import`, whose path is written `shown`), with its
/// own place as related information.
pub fn convert_foreign(
    diagnostic: &dyn MietteDiagnostic,
    foreign: &SourceFile,
    at: Range,
    shown: &str,
) -> Diagnostic {
    let lines = LineIndex::new(foreign.text());
    let place = primary_label(diagnostic)
        .map(|label| label_span(foreign, &label))
        .map(|span| lines.range(foreign.text(), span));
    let related = match (place, Url::from_file_path(foreign.name())) {
        (Some(range), Ok(uri)) => Some(vec![DiagnosticRelatedInformation {
            location: Location::new(uri, range),
            message: diagnostic.to_string(),
        }]),
        _ => None,
    };
    let place_text = place.map_or_else(String::new, |r| {
        format!(":{}:{}", r.start.line + 1, r.start.character + 1)
    });
    Diagnostic {
        range: at,
        severity: Some(severity(diagnostic.severity())),
        code: diagnostic
            .code()
            .map(|c| NumberOrString::String(c.to_string())),
        source: Some("meed".to_string()),
        message: with_help(
            format!("in `{shown}{place_text}`: {diagnostic}"),
            diagnostic,
        ),
        related_information: related,
        ..Diagnostic::default()
    }
}

fn convert_one(diagnostic: &dyn MietteDiagnostic, target: &Target<'_>) -> Diagnostic {
    let text = target.source.text();
    let labels: Vec<LabeledSpan> = diagnostic
        .labels()
        .map(|labels| labels.collect())
        .unwrap_or_default();
    let primary = labels
        .iter()
        .position(LabeledSpan::primary)
        .or(if labels.is_empty() { None } else { Some(0) });
    let range = primary
        .and_then(|i| labels.get(i))
        .map_or_else(Range::default, |label| {
            target.lines.range(text, label_span(target.source, label))
        });
    let related: Vec<DiagnosticRelatedInformation> = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != primary)
        .map(|(_, label)| DiagnosticRelatedInformation {
            location: Location::new(
                target.uri.clone(),
                target.lines.range(text, label_span(target.source, label)),
            ),
            message: label.label().unwrap_or("related").to_string(),
        })
        .collect();
    Diagnostic {
        range,
        severity: Some(severity(diagnostic.severity())),
        code: diagnostic
            .code()
            .map(|c| NumberOrString::String(c.to_string())),
        source: Some("meed".to_string()),
        message: with_help(diagnostic.to_string(), diagnostic),
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

fn primary_label(diagnostic: &dyn MietteDiagnostic) -> Option<LabeledSpan> {
    let labels: Vec<LabeledSpan> = diagnostic.labels()?.collect();
    let primary = labels.iter().position(LabeledSpan::primary).unwrap_or(0);
    labels.into_iter().nth(primary)
}

fn label_span(source: &SourceFile, label: &LabeledSpan) -> Span {
    source.span(label.offset(), label.offset() + label.len())
}

fn with_help(message: String, diagnostic: &dyn MietteDiagnostic) -> String {
    match diagnostic.help() {
        Some(help) => format!("{message}\nhelp: {help}"),
        None => message,
    }
}

fn severity(severity: Option<Severity>) -> DiagnosticSeverity {
    match severity {
        Some(Severity::Warning) => DiagnosticSeverity::WARNING,
        Some(Severity::Advice) => DiagnosticSeverity::HINT,
        Some(Severity::Error) | None => DiagnosticSeverity::ERROR,
    }
}
