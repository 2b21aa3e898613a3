//! The type checker, one snapshot per input file:
//! - `inputs/check/err/*.meed`: one mistake each; the snapshot holds every
//!   diagnostic of the file, rendered as a person sees it;
//! - `inputs/check/ok/*.meed`: must produce no diagnostic at all.
//!
//! Plus checks by parts (code, underlined text, help) for the key cases.

use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;
use meed::syntax::parser::{parse_expr, parse_policy};
use meed::types::check::{CheckReport, Checker, check_policy};
use meed::types::error::CheckError;
use miette::{Diagnostic, Severity};

fn check_text(name: &str, text: &str) -> (SourceFile, CheckReport) {
    let source = SourceFile::new(name, text);
    let policy = match parse_policy(&source) {
        Ok(policy) => policy,
        Err(error) => {
            let rendered = render_plain(&error);
            return (source, failed_parse(&rendered));
        }
    };
    let report = check_policy(&source, &policy);
    (source, report)
}

/// A test input that does not parse is a broken test, reported loudly.
fn failed_parse(rendered: &str) -> CheckReport {
    assert!(
        rendered.is_empty(),
        "the test input does not parse:\n{rendered}"
    );
    CheckReport::default()
}

fn render_all(report: &CheckReport) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| render_plain(d))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bad_policies() {
    insta::glob!("inputs/check/err/*.meed", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("policy.meed");
        let (_, report) = check_text(name, &text);
        assert!(
            !report.diagnostics.is_empty(),
            "{name} should produce a diagnostic"
        );
        insta::assert_snapshot!(render_all(&report));
    });
}

#[test]
fn good_policies() {
    insta::glob!("inputs/check/ok/*.meed", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("policy.meed");
        let (_, report) = check_text(name, &text);
        assert!(
            report.diagnostics.is_empty(),
            "{name}:\n{}",
            render_all(&report)
        );
    });
}

/// The one diagnostic of a policy, with its underlined text.
fn only_diagnostic(text: &str) -> (CheckError, String) {
    let (source, report) = check_text("policy.meed", text);
    assert_eq!(report.diagnostics.len(), 1, "{}", render_all(&report));
    let error = report
        .diagnostics
        .into_iter()
        .next()
        .unwrap_or_else(|| unreachable!());
    let underlined = source
        .text()
        .get(error.span.start..error.span.end)
        .unwrap_or_default()
        .to_string();
    (error, underlined)
}

fn code(error: &CheckError) -> String {
    error.code().map(|c| c.to_string()).unwrap_or_default()
}

fn help(error: &CheckError) -> String {
    error.help().map(|h| h.to_string()).unwrap_or_default()
}

const DECLARATIONS: &str = "
contribution review { lines: Int }
contribution mentoring { duration: Duration }
reward bonus: Money(EUR)
reward time_off: Duration
let review_rate = 0.02 EUR
rule mentoring_time { on mentoring m  grant time_off m.duration * 0.5 }
";

#[test]
fn a_typo_in_a_constant_suggests_the_nearest_name() {
    let text = format!(
        "{DECLARATIONS}rule review_bonus {{ on review r  grant bonus review_rat * r.lines }}"
    );
    let (error, underlined) = only_diagnostic(&text);
    assert_eq!(code(&error), "meed::unknown_name");
    assert_eq!(underlined, "review_rat");
    assert_eq!(error.to_string(), "`review_rat` is not defined here");
    assert_eq!(help(&error), "did you mean `review_rate`?");
}

#[test]
fn euros_and_dollars_do_not_add() {
    let text = format!(
        "{DECLARATIONS}rule review_bonus {{ on review r  grant bonus review_rate * r.lines + 5 EUR + 3 USD }}"
    );
    let (error, underlined) = only_diagnostic(&text);
    assert_eq!(code(&error), "meed::currency_mismatch");
    assert_eq!(underlined, "review_rate * r.lines + 5 EUR");
    assert_eq!(
        error.to_string(),
        "cannot add `Money(EUR)` and `Money(USD)`"
    );
    assert!(help(&error).starts_with("meed never converts currencies"));
    assert_eq!(error.severity(), Some(Severity::Error));
}

#[test]
fn granting_hours_to_a_money_account_names_both_types() {
    let text = format!(
        "{DECLARATIONS}rule review_bonus {{ on review r  grant bonus review_rate * r.lines }}\nrule review_time {{ on review r  grant bonus 3h }}"
    );
    let (error, underlined) = only_diagnostic(&text);
    assert_eq!(code(&error), "meed::grant_type");
    assert_eq!(underlined, "3h");
    let message = error.to_string();
    assert!(
        message.contains("`Money(EUR)`") && message.contains("`Duration`"),
        "{message}"
    );
    assert!(help(&error).contains("`time_off`"), "{}", help(&error));
    let labels: Vec<String> = error
        .labels()
        .into_iter()
        .flatten()
        .filter_map(|l| l.label().map(str::to_string))
        .collect();
    assert!(
        labels.contains(&"`bonus` holds `Money(EUR)`".to_string()),
        "{labels:?}"
    );
}

#[test]
fn when_needs_a_condition() {
    let text = format!(
        "{DECLARATIONS}rule review_bonus {{ on review r  when r.lines  grant bonus review_rate * r.lines }}"
    );
    let (error, underlined) = only_diagnostic(&text);
    assert_eq!(code(&error), "meed::not_a_condition");
    assert_eq!(underlined, "r.lines");
    assert_eq!(
        error.to_string(),
        "`when` needs a yes/no condition, but `r.lines` is a whole number (`Int`)"
    );
    assert_eq!(help(&error), "compare it, e.g. `r.lines > 0`");
}

#[test]
fn unused_declarations_are_warnings() {
    let text = format!(
        "{DECLARATIONS}badge mentor \"Mentor\"\nrule review_bonus {{ on review r  grant bonus review_rate * r.lines }}"
    );
    let (error, underlined) = only_diagnostic(&text);
    assert_eq!(code(&error), "meed::unused_badge");
    assert_eq!(underlined, "mentor");
    assert_eq!(error.severity(), Some(Severity::Warning));
    let (_, report) = check_text("policy.meed", &text);
    assert!(!report.has_errors());
    assert_eq!(report.warnings().count(), 1);
}

#[test]
fn an_unknown_name_does_not_cascade() {
    // One typo inside a larger expression: one error, not one per operator.
    let text = format!(
        "{DECLARATIONS}rule review_bonus {{ on review r  when r.lines * nope > 3  grant bonus review_rate * r.lines * nope }}"
    );
    let (_, report) = check_text("policy.meed", &text);
    let codes: Vec<String> = report.diagnostics.iter().map(code).collect();
    assert_eq!(codes, ["meed::unknown_name", "meed::unknown_name"]);
}

#[test]
fn a_repl_can_type_one_expression() {
    let source = SourceFile::new("policy.meed", DECLARATIONS);
    let Ok(policy) = parse_policy(&source) else {
        unreachable!("the declarations parse")
    };
    let mut checker = Checker::new(&source, &policy);
    let type_of = |checker: &mut Checker, text: &str| {
        let line = SourceFile::new("repl", text);
        let Ok(expr) = parse_expr(&line) else {
            unreachable!("`{text}` parses")
        };
        checker.type_of_expr(&line, &expr)
    };
    let ty = type_of(&mut checker, "review_rate * 3 + sum(review.lines) * 1 EUR");
    assert_eq!(
        ty.map(|t| t.to_string()).ok(),
        Some("Money(EUR)".to_string())
    );
    let Err(errors) = type_of(&mut checker, "review_rate + 2h") else {
        unreachable!("money plus hours is an error")
    };
    let codes: Vec<String> = errors.iter().map(code).collect();
    assert_eq!(codes, ["meed::bad_arithmetic"]);
}

/// Every code the checker defines has a bad policy that produces it (its
/// snapshot) and an entry in `docs/errors.md`.
#[test]
fn every_code_is_tested_and_documented() {
    let root = env!("CARGO_MANIFEST_DIR");
    let errors = include_str!("../src/types/error.rs");
    let docs = std::fs::read_to_string(format!("{root}/docs/errors.md")).unwrap_or_default();
    let mut snapshots = String::new();
    for entry in std::fs::read_dir(format!("{root}/tests/snapshots"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("check__bad_policies@")
        {
            snapshots.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    let codes: Vec<&str> = errors
        .split('"')
        .filter(|s| s.starts_with("meed::"))
        .collect();
    assert!(codes.len() > 40, "found only {} codes", codes.len());
    for code in codes {
        assert!(
            snapshots.lines().any(|l| l == code),
            "no bad policy in tests/inputs/check/err produces `{code}`"
        );
        assert!(
            docs.contains(&format!("## `{code}`")),
            "`{code}` is not in docs/errors.md"
        );
    }
}

proptest::proptest! {
    /// Regression guard for "no panics on any input": whatever a cut through
    /// a real policy still parses, the checker gets through it.
    #[test]
    fn checking_a_damaged_policy_never_panics(start in 0usize..2400, len in 0usize..40) {
        let text = include_str!("inputs/check/ok/language_example.meed");
        let start = start.min(text.len());
        let end = (start + len).min(text.len());
        if let (Some(before), Some(after)) = (text.get(..start), text.get(end..)) {
            let damaged = format!("{before}{after}");
            let source = SourceFile::new("damaged.meed", damaged);
            if let Ok(policy) = parse_policy(&source) {
                let report = check_policy(&source, &policy);
                for d in &report.diagnostics {
                    proptest::prop_assert!(d.span.end <= source.text().len());
                }
            }
        }
    }
}
