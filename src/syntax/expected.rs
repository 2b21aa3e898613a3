//! Turning pest's "expected one of these rules" into plain words.
//!
//! pest reports the rules it tried at the farthest position it reached, and
//! (with `set_error_detail`) the literal tokens such as `:` or `}` it tried.
//! Each rule gets a human name ([`names`]), rules that only add noise are
//! dropped, and common mistakes get their own wording ([`mistakes`]).

mod mistakes;
mod names;

pub use names::KEYWORDS;

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::source::Span;
use crate::syntax::error::{ParseErrorKind, Problem};
use crate::syntax::parser::Rule;

use names::{human_name, is_noise, is_operator, short_name};

/// What pest expected at the failing position.
pub(crate) struct Expected {
    pub pos: usize,
    /// Rules tried at `pos`.
    pub rules: Vec<Rule>,
    /// Punctuation tried at `pos`: `{`, `}`, `:`, ...
    pub tokens: Vec<&'static str>,
    /// The rules that were being parsed when a token was missing, such as
    /// `field_decl` for a missing `:`.
    pub context: Vec<Rule>,
}

/// What the author wrote at the failing position.
pub(crate) struct Found {
    pub span: Span,
    /// The word (`[A-Za-z0-9_]+`) at the position, if any.
    pub word: Option<String>,
    /// How the message names it: "`bonus`", "the end of the file".
    pub shown: String,
}

/// Phrases a pest error as a [`Problem`] with plain words and a help line.
pub fn describe_pest_error(error: &Error<Rule>, text: &str) -> Problem {
    let expected = what_was_expected(error);
    let found = found_at(text, expected.pos);
    if let Some(problem) = mistakes::specific_problem(&expected, &found, text) {
        return problem;
    }
    let words = expected_words(&expected, found.word.as_deref());
    let message = if words.is_empty() {
        format!("unexpected {}", found.shown)
    } else {
        let long: Vec<String> = words.iter().map(|(long, _)| long.clone()).collect();
        format!("expected {}, found {}", join_or(&long), found.shown)
    };
    let label = match words.as_slice() {
        [(_, short)] => format!("expected {short} here"),
        _ => "unexpected here".to_string(),
    };
    let problem = Problem::new(ParseErrorKind::Syntax, found.span, message).label(label);
    match mistakes::general_help(&expected, text) {
        Some(help) => problem.help(help),
        None => problem,
    }
}

/// The punctuation worth naming in a message; whitespace, `#` and the
/// operators (named as a group) are left out.
const PUNCTUATION: &[&str] = &["{", "}", "(", ")", ":", ",", "="];

/// The position to report and what was expected there. pest's rule list
/// stops at the last *rule* tried; a missing `:` after `lines` is only seen
/// in the token attempts, which may reach further.
fn what_was_expected(error: &Error<Rule>) -> Expected {
    let pos = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let rules = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let mut expected = Expected {
        pos,
        rules,
        tokens: Vec::new(),
        context: Vec::new(),
    };
    let Some(attempts) = error.parse_attempts() else {
        return expected;
    };
    let mut tokens: Vec<&'static str> = Vec::new();
    for token in attempts.expected_tokens() {
        let token = token.to_string();
        if let Some(p) = PUNCTUATION.iter().find(|p| **p == token)
            && !tokens.contains(p)
        {
            tokens.push(p);
        }
    }
    if attempts.max_position == pos {
        expected.tokens = tokens;
    } else if attempts.max_position > pos && !tokens.is_empty() {
        expected.pos = attempts.max_position;
        expected.rules = Vec::new();
        expected.tokens = tokens;
        expected.context = attempts
            .call_stacks()
            .iter()
            .filter_map(|stack| stack.deepest.get_rule().copied())
            .collect();
    }
    expected
}

fn found_at(text: &str, pos: usize) -> Found {
    let rest = text.get(pos..).unwrap_or("");
    if rest.trim().is_empty() {
        // Point just after the last thing written, not at an empty last line.
        let end = text.trim_end().len();
        return Found {
            span: crate::syntax::place::span(end, end),
            word: None,
            shown: "the end of the file".to_string(),
        };
    }
    let first = rest.chars().next().unwrap_or(' ');
    if first.is_ascii_alphanumeric() || first == '_' {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let word = rest.get(..len).unwrap_or("").to_string();
        return Found {
            span: crate::syntax::place::span(pos, pos + len),
            shown: format!("`{word}`"),
            word: Some(word),
        };
    }
    if first == '"' {
        let len = rest.get(1..).and_then(|r| r.find('"')).map_or(1, |n| n + 2);
        return Found {
            span: crate::syntax::place::span(pos, pos + len),
            word: None,
            shown: "a text in quotes".to_string(),
        };
    }
    const OPERATORS: &[&str] = &["==", "!=", "<=", ">="];
    let len = OPERATORS
        .iter()
        .find(|op| rest.starts_with(**op))
        .map_or(first.len_utf8(), |op| op.len());
    let shown = match first {
        '\n' | '\r' => "the end of the line".to_string(),
        _ => format!("`{}`", rest.get(..len).unwrap_or("")),
    };
    Found {
        span: crate::syntax::place::span(pos, pos + len),
        word: None,
        shown,
    }
}

/// The expected things as (long, short) names, without repeats. Operators
/// come last: they are rarely what is missing.
fn expected_words(expected: &Expected, found_word: Option<&str>) -> Vec<(String, String)> {
    let rules = &expected.rules;
    let unit_like = found_word.is_some_and(mistakes::looks_like_unit);
    let has_signal = rules.iter().any(|r| !is_noise(*r));
    let wants_value = rules.iter().any(|r| matches!(r, Rule::term | Rule::expr));
    let mut words: Vec<(String, String)> = Vec::new();
    let mut push = |long: &str, short: &str| {
        if !words.iter().any(|(l, _)| l == long) {
            words.push((long.to_string(), short.to_string()));
        }
    };
    for rule in rules.iter().filter(|r| !is_operator(**r)) {
        let noise = is_noise(*rule) || (wants_value && matches!(rule, Rule::kw_if | Rule::kw_not));
        let keep = !noise || !has_signal || (*rule == Rule::currency && unit_like);
        if let (true, Some(name)) = (keep, human_name(*rule)) {
            push(name, short_name(name));
        }
    }
    for token in &expected.tokens {
        if wants_value && *token == "(" {
            continue;
        }
        let shown = format!("`{token}`");
        push(&shown, &shown);
    }
    if rules.iter().any(|r| is_operator(*r)) {
        push("an operator such as `+` or `and`", "an operator");
    }
    words
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
