//! A quick pass over the raw text before pest sees it.
//!
//! It does three jobs that a PEG parser does badly:
//! - collects every `# comment` with its span (for `meed fmt`);
//! - finds unterminated strings and unbalanced brackets, so a missing `}`
//!   is reported as "expected `}` to close rule `review_bonus`" with the
//!   `{` it belongs to, instead of an error at the end of the file;
//! - refuses nesting deeper than [`MAX_DEPTH`] so that neither pest nor the
//!   lowering can overflow the stack, whatever the input.

use crate::source::Span;
use crate::syntax::ast::Comment;
use crate::syntax::error::{ParseErrorKind, Problem};

/// The deepest nesting of brackets and prefix operators (`-`, `not`, `if`,
/// `tiers`) the parser accepts. Real policies stay far below it.
pub const MAX_DEPTH: usize = 64;

/// The longest text literal (quotes included) the parser accepts: names,
/// titles and `one of` values are short, and a megabyte string is a mistake
/// (a missing `"` that the next line closed) or not a policy at all.
pub const MAX_TEXT_BYTES: usize = 4096;

/// Words that start a new clause: a chain of prefix operators (`if`, `not`,
/// `-`) cannot run across them, so the depth count restarts after them.
const CLAUSE_WORDS: &[&str] = &[
    "policy",
    "person",
    "contribution",
    "reward",
    "badge",
    "let",
    "rule",
    "on",
    "each",
    "per",
    "when",
    "grant",
    "award",
    "limit",
    "at",
    "pool",
    "split",
    "test",
    "given",
    "expect",
    "import",
    "up",
    "above",
    "where",
];

/// An open bracket waiting for its partner.
#[derive(Clone, Copy, Debug)]
struct Open {
    bracket: u8,
    at: usize,
    /// Prefix operators seen in this bracket level so far.
    prefix_chain: usize,
}

/// A `{` closed on a later line that is indented less than the line the `{`
/// stands on: likely the brace that is really missing.
#[derive(Clone, Copy, Debug)]
struct Suspect {
    at: usize,
}

/// Scans `text`, returning its comments or the first structural problem.
pub fn prescan(text: &str) -> Result<Vec<Comment>, Problem> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut suspect: Option<Suspect> = None;
    let mut top_chain = 0usize;
    let mut prev_operand = false;
    let mut i = 0usize;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'#' => {
                let end = line_end(bytes, i);
                // A Windows line ending is layout, not comment text.
                let end = if bytes.get(end.wrapping_sub(1)) == Some(&b'\r') && end > i + 1 {
                    end - 1
                } else {
                    end
                };
                let body = text.get(i + 1..end).unwrap_or("");
                comments.push(Comment {
                    text: body.to_string(),
                    span: crate::syntax::place::span(i, end),
                });
                i = end;
                continue;
            }
            b'"' => {
                i = skip_string(text, i)?;
                prev_operand = true;
                continue;
            }
            b'{' | b'(' | b'[' => {
                stack.push(Open {
                    bracket: c,
                    at: i,
                    prefix_chain: 0,
                });
                check_depth(&stack, top_chain, i, 1)?;
                prev_operand = false;
            }
            b'}' | b')' | b']' => {
                let Some(open) = stack.pop() else {
                    return Err(unexpected_close(c, i));
                };
                if partner(open.bracket) != c {
                    return Err(unclosed(text, open.bracket, open.at, Some(i)));
                }
                if c == b'}' && suspect.is_none() && closes_too_far_left(text, open.at, i) {
                    suspect = Some(Suspect { at: open.at });
                }
                prev_operand = true;
            }
            b'-' if !prev_operand => {
                bump_chain(&mut stack, &mut top_chain);
                check_depth(&stack, top_chain, i, 1)?;
            }
            b',' | b':' | b'=' => {
                reset_chain(&mut stack, &mut top_chain);
                prev_operand = false;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let end = word_end(bytes, i);
                let word = text.get(i..end).unwrap_or("");
                if matches!(word, "if" | "not" | "tiers") {
                    bump_chain(&mut stack, &mut top_chain);
                    check_depth(&stack, top_chain, i, word.len())?;
                    prev_operand = false;
                } else if CLAUSE_WORDS.contains(&word) {
                    reset_chain(&mut stack, &mut top_chain);
                    prev_operand = false;
                } else {
                    prev_operand = !matches!(word, "then" | "else" | "and" | "or");
                }
                i = end;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            b'%' => prev_operand = true,
            _ => prev_operand = false,
        }
        i += 1;
    }
    match (suspect, stack.last()) {
        (Some(s), Some(_)) => Err(unclosed(text, b'{', s.at, None)),
        (_, Some(open)) => Err(unclosed(text, open.bracket, open.at, None)),
        (_, None) => Ok(comments),
    }
}

fn bump_chain(stack: &mut [Open], top_chain: &mut usize) {
    match stack.last_mut() {
        Some(open) => open.prefix_chain += 1,
        None => *top_chain += 1,
    }
}

fn reset_chain(stack: &mut [Open], top_chain: &mut usize) {
    match stack.last_mut() {
        Some(open) => open.prefix_chain = 0,
        None => *top_chain = 0,
    }
}

/// Brackets plus pending prefix operators, the depth pest will recurse to.
fn check_depth(stack: &[Open], top_chain: usize, at: usize, len: usize) -> Result<(), Problem> {
    let depth = stack.len() + top_chain + stack.iter().map(|o| o.prefix_chain).sum::<usize>();
    if depth <= MAX_DEPTH {
        return Ok(());
    }
    Err(Problem::new(
        ParseErrorKind::TooDeep,
        crate::syntax::place::span(at, at + len),
        format!("this is nested more than {MAX_DEPTH} levels deep"),
    )
    .label("too deep here")
    .help(
        "meed refuses very deep nesting; remove extra parentheses or name parts of the \
         expression with `let`",
    ))
}

fn partner(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(&c) = bytes.get(i) {
        if c == b'\n' {
            break;
        }
        i += 1;
    }
    i
}

fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |n| n + 1)
}

fn indent_of_line(text: &str, at: usize) -> usize {
    let start = line_start(text, at);
    text.get(start..).map_or(0, |rest| {
        rest.len() - rest.trim_start_matches([' ', '\t']).len()
    })
}

fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(&c) = bytes.get(i) {
        if !(c.is_ascii_alphanumeric() || c == b'_') {
            break;
        }
        i += 1;
    }
    i
}

/// Skips a string starting at the `"` at `start`; returns the index after
/// its closing quote, or the problem of a string that never closes.
fn skip_string(text: &str, start: usize) -> Result<usize, Problem> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'"' if i + 1 - start > MAX_TEXT_BYTES => return Err(text_too_long(start, i + 1)),
            b'"' => return Ok(i + 1),
            b'\\' if bytes.get(i + 1) != Some(&b'\n') => i += 2,
            b'\n' => break,
            _ => i += 1,
        }
    }
    let end = line_end(bytes, start);
    Err(Problem::new(
        ParseErrorKind::UnterminatedString,
        crate::syntax::place::span(start, end.max(start + 1)),
        "this text has no closing `\"`",
    )
    .label("the text starts here and runs to the end of the line")
    .help("add a `\"` where the text ends; texts cannot span several lines"))
}

/// `meed::invalid_literal` for a text longer than [`MAX_TEXT_BYTES`]; only
/// its opening quote is underlined, so the message stays readable.
fn text_too_long(start: usize, end: usize) -> Problem {
    Problem::new(
        ParseErrorKind::InvalidLiteral,
        crate::syntax::place::span(start, start + 1),
        format!(
            "this text is {} bytes long; texts hold at most {MAX_TEXT_BYTES} bytes",
            end - start
        ),
    )
    .label("the text starts here")
    .help("shorten the text; policy texts are names, titles and `one of` values")
}

fn unexpected_close(close: u8, at: usize) -> Problem {
    let (close, open) = match close {
        b')' => (")", "("),
        b']' => ("]", "["),
        _ => ("}", "{"),
    };
    Problem::new(
        ParseErrorKind::UnexpectedClose,
        crate::syntax::place::span(at, at + 1),
        format!("found `{close}` without a matching `{open}`"),
    )
    .label("nothing to close here")
    .help(format!(
        "remove this `{close}`, or look above it for a block whose `{open}` is missing"
    ))
}

/// A `{` whose matching `}` sits on a line indented less than the `{` line:
/// the author probably forgot the `}` of this block and a later `}` was
/// taken as its partner.
fn closes_too_far_left(text: &str, open: usize, close: usize) -> bool {
    line_start(text, open) != line_start(text, close)
        && indent_of_line(text, close) < indent_of_line(text, open)
}

/// The problem of the bracket opened at `open` that is never closed.
/// `found` is the wrong closing bracket met instead, if any.
fn unclosed(text: &str, bracket: u8, open: usize, found: Option<usize>) -> Problem {
    let close = char::from(partner(bracket));
    let what = describe_block(text, bracket, open);
    // A `(` is rarely meant to span lines: when the wrong closer is on a
    // later line, the `)` most likely belongs at the end of the `(` line.
    let found =
        found.filter(|at| bracket == b'{' || line_start(text, *at) == line_start(text, open));
    let here = match found {
        Some(at) => crate::syntax::place::span(at, at + 1),
        None if bracket == b'{' => expected_close_at(text, open),
        None => end_of_line(text, open),
    };
    let label = match found {
        Some(_) => format!("expected `{close}` before this"),
        None => format!("expected `{close}` here"),
    };
    let help = if bracket == b'{' {
        format!("add a `}}` on its own line where {what} ends")
    } else {
        format!("add the missing `{close}`")
    };
    Problem::new(
        ParseErrorKind::UnclosedBrace,
        here,
        format!("expected `{close}` to close {what}"),
    )
    .label(label)
    .related(crate::syntax::place::span(open, open + 1), "opened here")
    .help(help)
}

/// The end of the written text on the line holding `at`.
fn end_of_line(text: &str, at: usize) -> Span {
    let end = line_end(text.as_bytes(), at);
    let line = text.get(at..end).unwrap_or("");
    let line = line.split('#').next().unwrap_or(line);
    let end = at + line.trim_end().len();
    crate::syntax::place::span(end, end)
}

/// Where a missing `}` most likely belonged: at the end of the last line
/// before the next line indented no deeper than the line of the `{`.
fn expected_close_at(text: &str, open: usize) -> Span {
    let open_indent = indent_of_line(text, open);
    let mut last_content_end = text.trim_end().len();
    let mut pos = line_end(text.as_bytes(), open);
    let mut prev_end = pos;
    while pos < text.len() {
        let start = pos + 1;
        let end = line_end(text.as_bytes(), start);
        let line = text.get(start..end).unwrap_or("");
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            if indent <= open_indent && !trimmed.starts_with('}') {
                last_content_end = prev_end;
                break;
            }
            prev_end = start + line.trim_end().len();
        }
        pos = end;
    }
    crate::syntax::place::span(last_content_end, last_content_end)
}

/// Names a block by the words before its `{`: "rule `review_bonus`",
/// "the `given` block", "this `(`".
fn describe_block(text: &str, bracket: u8, open: usize) -> String {
    if bracket != b'{' {
        return format!("this `{}`", char::from(bracket));
    }
    let head = text.get(line_start(text, open)..open).unwrap_or("");
    let words: Vec<&str> = head.split_whitespace().collect();
    if words.contains(&"tiers") {
        return "the `tiers` block".to_string();
    }
    match words.as_slice() {
        [kw @ ("rule" | "contribution" | "pool"), name, ..] => format!("{kw} `{name}`"),
        ["test", ..] => format!(
            "test {}",
            head.trim_start().trim_start_matches("test").trim()
        ),
        ["policy", ..] => "the `policy` header".to_string(),
        ["person"] => "the `person` block".to_string(),
        ["person", who, ..] => format!("person `{who}`"),
        ["given", ..] => "the `given` block".to_string(),
        [_, id, "by", ..] => format!("the fields of record `{id}`"),
        _ => "this block".to_string(),
    }
}
