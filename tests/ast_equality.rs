//! Spans never take part in equality: the same policy laid out differently
//! parses to equal trees (what `meed fmt` and `meed diff` rely on).
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use meed::source::SourceFile;
use meed::syntax::parser::parse_policy;

fn parse(text: &str) -> meed::syntax::ast::PolicyFile {
    parse_policy(&SourceFile::new("t.meed", text)).unwrap()
}

#[test]
fn layout_and_comments_do_not_change_the_tree() {
    let compact = "contribution review { lines: Int }\nreward bonus: Money(EUR)\nrule r { on review x when x.lines > 1 grant bonus 2 EUR }\n";
    let spread = "# a comment\n\ncontribution review {\n  lines: Int\n}\n\nreward bonus: Money(EUR)\n\nrule r {\n  on review x\n  when x.lines > 1  # trailing\n  grant bonus 2 EUR\n}\n";
    assert_eq!(parse(compact), parse(spread));
}

#[test]
fn a_changed_value_changes_the_tree() {
    let before = "let rate = 0.02 EUR\n";
    let after = "let rate = 0.03 EUR\n";
    assert_ne!(parse(before), parse(after));
}

/// Regression: pest let a declaration's span run over the blank lines and
/// comments after it, so `meed diff` excerpts and underlines included them.
#[test]
fn spans_end_at_the_last_token() {
    let text = "let rate = 0.02 EUR   # per line\n\n# next\nlet label = \"a # b\"  # why\n";
    let policy = parse(text);
    let spans: Vec<&str> = policy
        .items
        .iter()
        .map(|item| &text[item.span().start..item.span().end])
        .collect();
    assert_eq!(spans, ["let rate = 0.02 EUR", "let label = \"a # b\""]);
}
