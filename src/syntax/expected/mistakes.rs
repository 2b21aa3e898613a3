//! Mistakes common enough to deserve their own wording, and help lines
//! keyed on where in a declaration the parser stopped.

use super::names::{KEYWORDS, human_name, is_name_rule, is_operator, short_name};
use super::{Expected, Found};
use crate::source::Span;
use crate::syntax::error::{ParseErrorKind, Problem};
use crate::syntax::parser::Rule;

/// A specific problem for a well-known mistake, or `None` to fall back to
/// the generic "expected ..., found ..." wording.
pub fn specific_problem(expected: &Expected, found: &Found, text: &str) -> Option<Problem> {
    let rules = &expected.rules;
    let word = found.word.as_deref();
    if let (Some(rule), Some(word)) = (rules.iter().copied().find(|r| is_name_rule(*r)), word) {
        if KEYWORDS.contains(&word) {
            return Some(keyword_for_name(word, found.span, rule, text));
        }
        let starts_alpha = word.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if starts_alpha && word.chars().any(|c| c.is_ascii_uppercase()) {
            return Some(capitalised_name(word, found.span, rule));
        }
    }
    if let Some(word) = word {
        if rules.contains(&Rule::currency)
            && looks_like_unit(word)
            && after_number(text, found.span)
        {
            return Some(bad_unit(word, found.span));
        }
        if rules
            .iter()
            .any(|r| matches!(r, Rule::type_expr | Rule::type_name))
        {
            return Some(unknown_type(word, found.span));
        }
    }
    let at = text.get(found.span.start..).unwrap_or("");
    if let Some(symbol) = at.chars().next()
        && let Some(code) = currency_of_symbol(symbol)
    {
        return Some(currency_symbol(symbol, code, found.span.start));
    }
    if at.starts_with('=') && !at.starts_with("==") && rules.iter().any(|r| is_operator(*r)) {
        return Some(single_equals(found.span.start));
    }
    if at.starts_with('=')
        && text
            .get(..found.span.start)
            .is_some_and(|b| b.ends_with('='))
    {
        return Some(double_equals(found.span.start));
    }
    if rules.contains(&Rule::kw_grant)
        && rules.contains(&Rule::kw_award)
        && let Some(word) = word.filter(|w| !KEYWORDS.contains(w))
    {
        if let Some(problem) = condition_goes_on(word, found.span, text) {
            return Some(problem);
        }
        return Some(missing_grant(word, found.span));
    }
    None
}

/// A word that is probably meant as a unit after a number: `eur`, `Euro`,
/// `EURO`, `usd`, `points`, `hours`.
pub fn looks_like_unit(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    word.chars().all(|c| c.is_ascii_alphabetic())
        && (word.chars().any(|c| c.is_ascii_uppercase())
            || lower.len() == 3
            || matches!(
                lower.as_str(),
                "euro"
                    | "euros"
                    | "dollar"
                    | "dollars"
                    | "points"
                    | "pt"
                    | "hours"
                    | "hour"
                    | "minutes"
                    | "mins"
                    | "m"
            ))
}

fn after_number(text: &str, span: Span) -> bool {
    text.get(..span.start)
        .map(|before| before.trim_end_matches(' '))
        .and_then(|before| before.chars().last())
        .is_some_and(|c| c.is_ascii_digit())
}

/// Words that start a clause: found where a name belongs, the name is
/// more likely missing than replaced by the keyword.
const CLAUSE_KEYWORDS: &[&str] = &[
    "when",
    "grant",
    "award",
    "on",
    "each",
    "expect",
    "given",
    "up",
    "above",
    "split",
    "at",
    "per",
    "from",
    "rule",
    "let",
    "reward",
    "badge",
    "contribution",
    "limit",
    "pool",
    "test",
];

fn keyword_for_name(word: &str, span: Span, rule: Rule, text: &str) -> Problem {
    let wanted = human_name(rule).unwrap_or("a name");
    let line_start = text
        .get(..span.start)
        .map_or(0, |b| b.rfind('\n').map_or(0, |n| n + 1));
    let first_on_line = text
        .get(line_start..span.start)
        .is_some_and(|b| b.trim().is_empty());
    if first_on_line && CLAUSE_KEYWORDS.contains(&word) {
        let help = match rule {
            Rule::binding_name => {
                "after `on KIND` give each contribution a short name, as in `on review r`; \
                 the rule then reads its fields as `r.lines`"
            }
            _ => "the name is missing before this line",
        };
        return Problem::new(
            ParseErrorKind::Syntax,
            span,
            format!("expected {wanted}, found `{word}`"),
        )
        .label(format!("expected {} before this", short_name(wanted)))
        .help(help);
    }
    Problem::new(
        ParseErrorKind::ReservedWord,
        span,
        format!("`{word}` is a reserved word and cannot be used as a name"),
    )
    .label(format!("expected {} here", short_name(wanted)))
    .help(format!(
        "choose another name, such as `{word}_count` or `my_{word}`; meed's keywords are reserved"
    ))
}

fn capitalised_name(word: &str, span: Span, rule: Rule) -> Problem {
    let wanted = human_name(rule).unwrap_or("a name");
    Problem::new(
        ParseErrorKind::InvalidName,
        span,
        format!("names are written in lower case, found `{word}`"),
    )
    .label(format!("expected {} here", short_name(wanted)))
    .help(format!(
        "write `{}`: names use lower-case letters, digits and `_`",
        snake_case(word)
    ))
}

/// `ReviewBonus` → `review_bonus`
fn snake_case(word: &str) -> String {
    let mut out = String::new();
    for (i, c) in word.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The ISO 4217 code people mean by a currency symbol.
fn currency_of_symbol(symbol: char) -> Option<&'static str> {
    Some(match symbol {
        '€' => "EUR",
        '$' => "USD",
        '£' => "GBP",
        '¥' => "JPY",
        '₹' => "INR",
        '₩' => "KRW",
        '₣' => "CHF",
        _ => return None,
    })
}

/// `40 €`, `€40`, `$5`: currencies are written with their code after the
/// amount.
fn currency_symbol(symbol: char, code: &str, at: usize) -> Problem {
    let also = match symbol {
        '$' => " (or `CAD`, `AUD`... for other dollars)",
        '¥' => " (or `CNY` for yuan)",
        _ => "",
    };
    Problem::new(
        ParseErrorKind::Syntax,
        crate::syntax::place::span(at, at + symbol.len_utf8()),
        format!("`{symbol}` is not a unit meed knows"),
    )
    .label("currency symbol")
    .help(format!(
        "write amounts with the currency's code after the number, as `40 {code}`{also}"
    ))
}

fn bad_unit(word: &str, span: Span) -> Problem {
    let upper = word.to_ascii_uppercase();
    let help = match upper.as_str() {
        "PTS" | "POINTS" | "PT" => "write points as `15 pts`".to_string(),
        "H" | "HOUR" | "HOURS" | "MIN" | "MINS" | "MINUTES" | "M" => {
            "write durations with `min` or `h` right after the number, as `90min` or `1.5h`"
                .to_string()
        }
        "EURO" | "EUROS" => "write euro amounts with the code `EUR`, as `5 EUR`".to_string(),
        "DOLLAR" | "DOLLARS" => "write dollar amounts with the code `USD`, as `5 USD`".to_string(),
        _ if strsim::osa_distance(word, "pts") <= 1 => {
            "did you mean `pts`? write points as `15 pts`".to_string()
        }
        _ if upper.len() == 3 && word != upper => format!(
            "currency codes are three capital letters (ISO 4217): write `{upper}`, as in `5 {upper}`"
        ),
        _ => "after a number write a currency code in capitals (`5 EUR`), `pts` for points, \
              or `min`/`h` for a duration (`90min`)"
            .to_string(),
    };
    Problem::new(
        ParseErrorKind::Syntax,
        span,
        format!("`{word}` is not a unit meed knows"),
    )
    .label("unknown unit")
    .help(help)
}

fn unknown_type(word: &str, span: Span) -> Problem {
    let suggestion = match word.to_ascii_lowercase().as_str() {
        "integer" | "int" | "number" | "count" | "whole" => Some("Int"),
        "float" | "double" | "real" | "decimal" | "percent" => Some("Decimal"),
        "boolean" | "bool" | "flag" => Some("Bool"),
        "string" | "str" | "text" => Some("Text"),
        "datetime" | "time" | "date" | "timestamp" | "instant" => Some("Timestamp"),
        "money" | "amount" | "currency" => Some("Money(EUR)"),
        "points" | "score" | "pts" => Some("Points"),
        "duration" | "hours" | "minutes" => Some("Duration"),
        _ => None,
    };
    let types = "the types are `Int`, `Decimal`, `Bool`, `Text`, `Date`, `Timestamp`, \
                 `Duration`, `Money(EUR)`, `Points` and `one of \"a\", \"b\"`";
    let help = match suggestion {
        Some(ty) => format!("did you mean `{ty}`? {types}"),
        None => types.to_string(),
    };
    Problem::new(
        ParseErrorKind::Syntax,
        span,
        format!("`{word}` is not a type meed knows"),
    )
    .label("unknown type")
    .help(help)
}

fn single_equals(at: usize) -> Problem {
    Problem::new(
        ParseErrorKind::Syntax,
        crate::syntax::place::span(at, at + 1),
        "a single `=` cannot compare values",
    )
    .label("use `==` here")
    .help("to check that two values are equal write `==`, as in `r.repo == \"core\"`")
}

fn double_equals(at: usize) -> Problem {
    Problem::new(
        ParseErrorKind::Syntax,
        crate::syntax::place::span(at.saturating_sub(1), at + 1),
        "`==` is for comparisons; here a single `=` is needed",
    )
    .label("write `=` here")
    .help("`let` and `expect` use one `=`: `expect alice reputation = 15 pts`")
}

/// A word that continues a `when` line where the condition had already
/// ended: `when c.by.status is not "staff"`, `when c.count >= 10 triages`.
/// The rule is not missing its `grant`; the condition is written in words
/// meed does not read.
fn condition_goes_on(word: &str, span: Span, text: &str) -> Option<Problem> {
    let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..span.start)?.trim();
    if !before.starts_with("when ") {
        return None;
    }
    let after = text.get(span.end..).unwrap_or("").trim_start();
    let rest_of_line = |t: &str| t.lines().next().unwrap_or("").trim().to_string();
    let help = if word == "is" && after.starts_with("not ") {
        let right = rest_of_line(after.trim_start_matches("not "));
        format!("write `!=` for \"is not\": `{before} != {right}`")
    } else if word == "is" {
        format!(
            "write `==` for \"is\": `{before} == {}`",
            rest_of_line(after)
        )
    } else if before.ends_with(|c: char| c.is_ascii_digit()) {
        format!(
            "`{word}` after a number is not a unit meed knows: compare with the number alone \
             (`{before}`); units are written only for money, points and durations"
        )
    } else {
        format!(
            "the condition `{}` ends before `{word}`",
            before.trim_start_matches("when ").trim()
        )
    };
    Some(
        Problem::new(
            ParseErrorKind::Syntax,
            span,
            format!("the condition cannot go on with `{word}`"),
        )
        .label("meed does not read this here")
        .help(help),
    )
}

fn missing_grant(word: &str, span: Span) -> Problem {
    Problem::new(
        ParseErrorKind::Syntax,
        span,
        format!("expected `grant` or `award`, found `{word}`"),
    )
    .label("expected `grant` or `award` here")
    .help(format!(
        "a rule ends by saying what it gives: `grant {word} AMOUNT` for a reward account \
         or `award {word}` for a badge"
    ))
}

/// Advice for positions where the list of expected things is not enough.
pub fn general_help(expected: &Expected, text: &str) -> Option<String> {
    let rules = &expected.rules;
    let has = |rule: Rule| rules.contains(&rule) || expected.context.contains(&rule);
    if has(Rule::kw_grant) && has(Rule::kw_award) {
        return Some(
            "a rule ends by saying what it gives: `grant ACCOUNT AMOUNT` or `award BADGE`"
                .to_string(),
        );
    }
    if has(Rule::kw_up) || has(Rule::kw_to) || has(Rule::kw_above) {
        return Some(
            "a `tiers` block lists `up to BOUND: RATE` lines and ends with `above: RATE`"
                .to_string(),
        );
    }
    if has(Rule::field_decl) {
        return Some("a field reads `NAME: TYPE`, as in `lines: Int`".to_string());
    }
    if has(Rule::field_value) {
        return Some("a field value reads `NAME: VALUE`, as in `votes: 3`".to_string());
    }
    if has(Rule::reward_decl) {
        return Some(
            "a reward reads `reward NAME: TYPE`, as in `reward bonus: Money(EUR)`".to_string(),
        );
    }
    if has(Rule::let_decl) {
        return Some(
            "a constant reads `let NAME = VALUE`, as in `let rate = 0.02 EUR`; one that changes over time reads `let NAME { from DATE: VALUE }`".to_string(),
        );
    }
    let structural = [
        Rule::kw_by,
        Rule::kw_per,
        Rule::kw_person,
        Rule::kw_at,
        Rule::kw_most,
        Rule::kw_split,
        Rule::period,
    ];
    if rules.iter().any(|r| structural.contains(r)) {
        match enclosing_declaration(text, expected.pos) {
            Some("limit") => {
                return Some(
                    "a limit reads `limit ACCOUNT at most AMOUNT per person per PERIOD`, \
                     for example `limit bonus at most 300 EUR per person per month`"
                        .to_string(),
                );
            }
            Some("pool") => {
                return Some(
                    "a pool reads `pool NAME { grant ACCOUNT AMOUNT per PERIOD  split by SCORE }`"
                        .to_string(),
                );
            }
            Some("rule") => {
                return Some(
                    "a rule starts with `on KIND x` (once per contribution) or \
                     `each person per PERIOD` (once per person and period)"
                        .to_string(),
                );
            }
            Some("test") => {
                return Some(
                    "in a `given` block a record reads `KIND ID by WHO at TIME { FIELD: VALUE }`, \
                     as in `answer a1 by alice at 2027-01-05 { accepted: true }`"
                        .to_string(),
                );
            }
            _ => {}
        }
    }
    if has(Rule::declaration) {
        return Some(
            "each declaration starts with a keyword: `policy`, `person`, `contribution`, \
             `reward`, `badge`, `let`, `rule`, `limit`, `pool`, `test` or `import`"
                .to_string(),
        );
    }
    None
}

/// The keyword of the top-level declaration the position is in: the first
/// word of the nearest line above that starts in the first column.
fn enclosing_declaration(text: &str, pos: usize) -> Option<&str> {
    let before = text.get(..pos)?;
    before
        .lines()
        .rev()
        .find(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .and_then(|line| line.split_whitespace().next())
}
