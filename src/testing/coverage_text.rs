//! The coverage report of `meed test --coverage`, for people:
//!
//! ```text
//! coverage: rules fired, `if` branches taken, `tiers` brackets reached, limits that cut, pools that paid
//!   rules/community.meed: 28 of 29 covered (96.5%)
//!
//! not covered in rules/community.meed:
//!   rules/community.meed:47:5: `tiers` bracket `above` never reached
//!      47 |     above:         1%
//!         |     ^^^^^^^^^^^^^^^^^^
//! ```

use std::fmt::Write as _;

use crate::testing::coverage::{Coverage, FileCoverage};

/// The whole report: one line per policy, then each policy's missed items
/// with their place and source line.
pub fn coverage_text(coverage: &Coverage) -> String {
    let mut out = String::from(
        "coverage: rules fired, `if` branches taken, `tiers` brackets reached, limits that cut, pools that paid\n",
    );
    for file in coverage.files() {
        let _ = writeln!(
            out,
            "  {}: {} of {} covered ({}){}",
            file.source.name(),
            file.covered(),
            file.total(),
            percent(file),
            match file.tests {
                0 => " — no tests",
                _ => "",
            }
        );
    }
    for file in coverage.files() {
        let mut missed = file.uncovered().peekable();
        if missed.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "\nnot covered in {}:", file.source.name());
        for item in missed {
            let (line, column) = file.source.line_column(item.span.start);
            let _ = writeln!(
                out,
                "  {}:{line}:{column}: {}",
                file.source.name(),
                item.missed
            );
            let text = file
                .source
                .text()
                .lines()
                .nth(line.saturating_sub(1))
                .unwrap_or("");
            let gutter = " ".repeat(line.to_string().len());
            // Keep tabs before the caret so it lines up under the item.
            let lead: String = text
                .chars()
                .take(column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let text = text.trim_end();
            // Underline the item on its first line.
            let on_line = text.chars().count().saturating_sub(lead.chars().count());
            let spanned = file
                .source
                .text()
                .get(item.span.start..item.span.end)
                .map_or(1, |s| s.chars().take_while(|c| *c != '\n').count());
            let marks = "^".repeat(spanned.clamp(1, on_line.max(1)));
            let _ = writeln!(out, "    {line} | {text}");
            let _ = writeln!(out, "    {gutter} | {lead}{marks}");
        }
    }
    out
}

/// `96.5%`, `100%`: rounded down to a tenth, so a file just under a bar
/// never shows the bar.
pub fn percent(file: &FileCoverage) -> String {
    let tenths = file.tenths_of_percent();
    match tenths % 10 {
        0 => format!("{}%", tenths / 10),
        rest => format!("{}.{rest}%", tenths / 10),
    }
}
