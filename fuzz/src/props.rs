//! Robustness properties of meed's entry points, checked on arbitrary bytes.
//!
//! Shared by the libFuzzer targets (`fuzz/fuzz_targets/*.rs`) and by the
//! bounded proptests in `tests/robustness.rs` (which include this file with
//! `#[path]`), so CI and the fuzzers check exactly the same things.
//!
//! Each property returns `Err(what went wrong)` when it is violated; a panic
//! inside meed is a violation too (libFuzzer and proptest both catch it).

use meed::eval::{EvalOptions, evaluate};
use meed::fmt::format_source;
use meed::input::{LogFormat, Roster, decode, read_log, read_roster};
use meed::ledger::Ledger;
use meed::render::csv::render_csv;
use meed::render::diagnostic::render_plain;
use meed::render::json::render_json;
use meed::schema::Schema;
use meed::source::SourceFile;
use meed::syntax::ast::PolicyFile;
use meed::syntax::parser::parse_policy;
use meed::types::check::check_policy;

/// The bundled policies and their example rosters, compiled into the
/// binary so that a fuzz target needs no files at run time.
pub const POLICIES: [(&str, &str, &str); 5] = [
    (
        "community",
        include_str!("../../rules/community.meed"),
        include_str!("../../examples/community/people.csv"),
    ),
    (
        "oncall_timeoff",
        include_str!("../../rules/oncall_timeoff.meed"),
        include_str!("../../examples/oncall_timeoff/people.csv"),
    ),
    (
        "qa_reputation",
        include_str!("../../rules/qa_reputation.meed"),
        include_str!("../../examples/qa_reputation/people.csv"),
    ),
    (
        "sales_commission",
        include_str!("../../rules/sales_commission.meed"),
        include_str!("../../examples/sales_commission/people.csv"),
    ),
    (
        "volunteers",
        include_str!("../../rules/volunteers.meed"),
        include_str!("../../examples/volunteers/people.csv"),
    ),
];

/// Any bytes as a policy file: decode (UTF-8 or `meed::not_utf8`), parse,
/// check, and render every diagnostic the way the CLI would. Nothing may
/// panic; the result itself does not matter.
pub fn parse_and_check(bytes: &[u8]) -> Result<(), String> {
    let source = match decode("fuzz.meed", bytes.to_vec()) {
        Ok(source) => source,
        Err(error) => {
            render_plain(&error);
            return Ok(());
        }
    };
    match parse_policy(&source) {
        Err(error) => {
            render_plain(&error);
        }
        Ok(policy) => {
            let report = check_policy(&source, &policy);
            for diagnostic in &report.diagnostics {
                render_plain(diagnostic);
            }
        }
    }
    Ok(())
}

/// Any text that parses formats to text that parses back to an equal tree
/// (equality ignores spans and comments), and formatting is idempotent.
pub fn fmt_round_trip(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let source = SourceFile::new("fuzz.meed", text);
    let Ok(original) = parse_policy(&source) else {
        return Ok(());
    };
    let once = format_source(&source).map_err(|e| format!("formats only once: {e}"))?;
    let formatted = SourceFile::new("formatted.meed", once.clone());
    let reparsed: PolicyFile = parse_policy(&formatted).map_err(|e| {
        format!(
            "formatted text does not parse: {}\n{once}",
            render_plain(&e)
        )
    })?;
    if reparsed != original {
        return Err(format!("formatting changed the meaning:\n{once}"));
    }
    let twice = format_source(&formatted).map_err(|e| format!("second format failed: {e}"))?;
    if twice != once {
        return Err(format!(
            "formatting is not idempotent:\n--- once\n{once}\n--- twice\n{twice}"
        ));
    }
    Ok(())
}

/// A compiled bundled policy, with its example roster.
pub struct Bundled {
    pub name: &'static str,
    pub policy: PolicyFile,
    pub schema: Schema,
    pub roster: Roster,
}

/// Parses the bundled policies and rosters once (they are known good).
pub fn bundled() -> Result<Vec<Bundled>, String> {
    POLICIES
        .iter()
        .map(|(name, text, people)| {
            let source = SourceFile::new(*name, *text);
            let policy = parse_policy(&source).map_err(|e| render_plain(&e))?;
            let schema = Schema::from_policy(&policy);
            let roster = read_roster(
                &schema,
                &SourceFile::new("people.csv", *people),
                LogFormat::Csv,
            )
            .map_err(|e| render_plain(&e))?;
            Ok(Bundled {
                name,
                policy,
                schema,
                roster,
            })
        })
        .collect()
}

/// Any bytes as a contribution log for `policy`: read it, and if every
/// record is sound evaluate it into a full ledger and render it. Nothing may
/// panic, and no record may go missing: an accepted log holds one
/// contribution per record written.
pub fn evaluate_log(
    policy: &Bundled,
    format: LogFormat,
    with_roster: bool,
    bytes: &[u8],
) -> Result<(), String> {
    let source = match decode("fuzz.log", bytes.to_vec()) {
        Ok(source) => source,
        Err(error) => {
            render_plain(&error);
            return Ok(());
        }
    };
    let log = match read_log(&policy.schema, &source, format) {
        Ok((log, warnings)) => {
            for warning in &warnings {
                render_plain(warning);
            }
            log
        }
        Err(errors) => {
            render_plain(&errors);
            return Ok(());
        }
    };
    let written = records_written(source.text(), format);
    if log.contributions.len() != written {
        return Err(format!(
            "{}: {} records written but {} read: a record was lost",
            policy.name,
            written,
            log.contributions.len()
        ));
    }
    if format == LogFormat::Csv && ends_inside_quote(source.text()) {
        return Err(format!(
            "{}: accepted a CSV log that ends inside a quoted cell; the lines after \
             the quote were read as one cell",
            policy.name
        ));
    }
    let mut ledger = Ledger::default();
    let roster = with_roster.then_some(&policy.roster);
    match evaluate(
        &policy.policy,
        &policy.schema,
        &log,
        roster,
        &EvalOptions::default(),
        &mut ledger,
    ) {
        Ok(_) => {
            render_json(&ledger);
            render_csv(&ledger.totals);
        }
        Err(error) => {
            render_plain(&error);
        }
    }
    Ok(())
}

/// The `eval_log` fuzz target's input: the first byte picks the policy
/// (`byte % 5`, the order of [`POLICIES`]), the format (bit 3: JSON Lines)
/// and whether the example roster is given (bit 4); the rest is the log.
pub fn evaluate_fuzz_input(policies: &[Bundled], data: &[u8]) -> Result<(), String> {
    let Some((&selector, log)) = data.split_first() else {
        return Ok(());
    };
    let Some(policy) = policies.get(usize::from(selector) % POLICIES.len()) else {
        return Ok(());
    };
    let format = if selector & 0b1000 != 0 {
        LogFormat::JsonLines
    } else {
        LogFormat::Csv
    };
    evaluate_log(policy, format, selector & 0b1_0000 != 0, log)
}

/// Whether a CSV text ends inside a quoted cell (a `"` at the start of a
/// cell opens one; `""` inside it is a quote; a lone `"` closes it).
pub fn ends_inside_quote(text: &str) -> bool {
    let mut bytes = text.bytes().peekable();
    let mut in_quote = false;
    let mut cell_start = true;
    while let Some(b) = bytes.next() {
        if in_quote {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    in_quote = false;
                }
            }
            continue;
        }
        match b {
            b'"' if cell_start => in_quote = true,
            b',' | b'\n' | b'\r' => cell_start = true,
            _ => cell_start = false,
        }
    }
    in_quote
}

/// How many records a log holds, counted independently of meed's readers:
/// JSON Lines, the non-blank lines; CSV, the rows after the header that are
/// not all blank (spreadsheets export those), as the `csv` crate splits them.
pub fn records_written(text: &str, format: LogFormat) -> usize {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        LogFormat::JsonLines => text.split('\n').filter(|l| !l.trim().is_empty()).count(),
        LogFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .from_reader(text.as_bytes());
            reader
                .records()
                .map_while(Result::ok)
                .filter(|r| r.iter().any(|cell| !cell.trim().is_empty()))
                .count()
        }
    }
}
