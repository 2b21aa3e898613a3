//! Turning pest's "expected one of these rules" into plain words.
//!
//! pest reports the rules it tried at the farthest position it reached.
//! Each rule gets a human name here (never `expected expr_atom`), rules that
//! only add noise are dropped, and common mistakes get a specific help line:
//! a keyword used as a name, a capitalised name, `=` instead of `==`, a unit
//! that is not a currency code, a rule without `grant` or `award`.

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::source::Span;
use crate::syntax::error::{ParseErrorKind, Problem};
use crate::syntax::parser::Rule;

/// What the author wrote at the failing position.
struct Found {
    span: Span,
    /// The word (`[A-Za-z0-9_]+`) at the position, if any.
    word: Option<String>,
    /// How the message names it: "`bonus`", "the end of the file".
    shown: String,
}

/// Phrases a pest error as a [`Problem`] with plain words and a help line.
pub fn describe_pest_error(error: &Error<Rule>, text: &str) -> Problem {
    let pos = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let rules = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let tokens = expected_punctuation(error, pos);
    let found = found_at(text, pos);
    if let Some(problem) = specific_problem(&rules, &tokens, &found, text) {
        return problem;
    }
    let expected = expected_words(&rules, &tokens, found.word.as_deref());
    let message = if expected.is_empty() {
        format!("unexpected {}", found.shown)
    } else {
        format!("expected {}, found {}", join_or(&expected), found.shown)
    };
    let label = match expected.first() {
        Some(first) if expected.len() == 1 => format!("expected {first} here"),
        _ => "unexpected here".to_string(),
    };
    let problem = Problem::new(ParseErrorKind::Syntax, found.span, message).label(label);
    match general_help(&rules, &tokens, enclosing_declaration(text, pos)) {
        Some(help) => problem.help(help),
        None => problem,
    }
}

/// Literal punctuation pest expected at `pos` (`{`, `}`, `:`, ...); only
/// available because `set_error_detail(true)` is on.
fn expected_punctuation(error: &Error<Rule>, pos: usize) -> Vec<&'static str> {
    let Some(attempts) = error.parse_attempts() else {
        return Vec::new();
    };
    if attempts.max_position != pos {
        return Vec::new();
    }
    const PUNCTUATION: &[&str] = &["{", "}", "(", ")", ":", ",", "="];
    let mut out: Vec<&'static str> = Vec::new();
    for token in attempts.expected_tokens() {
        let token = token.to_string();
        if let Some(p) = PUNCTUATION.iter().find(|p| **p == token) {
            if !out.contains(p) {
                out.push(p);
            }
        }
    }
    out
}

fn found_at(text: &str, pos: usize) -> Found {
    let rest = text.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return Found {
            span: Span::new(pos, pos),
            word: None,
            shown: "the end of the file".to_string(),
        };
    };
    if first.is_ascii_alphanumeric() || first == '_' {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let word = rest.get(..len).unwrap_or("").to_string();
        return Found {
            span: Span::new(pos, pos + len),
            shown: format!("`{word}`"),
            word: Some(word),
        };
    }
    if first == '"' {
        let len = rest.get(1..).and_then(|r| r.find('"')).map_or(1, |n| n + 2);
        return Found {
            span: Span::new(pos, pos + len),
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
        span: Span::new(pos, pos + len),
        word: None,
        shown,
    }
}

/// The human name of a rule; `None` for rules that only add noise.
fn human_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::declaration => "a declaration",
        Rule::EOI => "the end of the file",
        Rule::rule_name => "a rule name",
        Rule::kind_name => "a contribution kind such as `review`",
        Rule::account_name => "a reward account name such as `bonus`",
        Rule::badge_name => "a badge name",
        Rule::const_name => "a constant name",
        Rule::pool_name => "a pool name",
        Rule::binding_name => "a short name for the contribution, such as `r`",
        Rule::column_name | Rule::field_name | Rule::aggregate_field => "a field name",
        Rule::ident | Rule::name => "a name",
        Rule::record_id => "a record id (a name or a text in quotes)",
        Rule::who => "a person (a name or a text in quotes)",
        Rule::string | Rule::string_inner => "a text in quotes",
        Rule::type_expr | Rule::type_name | Rule::type_money | Rule::type_one_of => {
            "a type (`Int`, `Decimal`, `Bool`, `Text`, `Date`, `Duration`, `Money(EUR)`, `Points` or `one of \"a\", \"b\"`)"
        }
        Rule::currency => "a currency code such as `EUR`",
        Rule::period => "a period (`day`, `week`, `month`, `quarter` or `year`)",
        Rule::rounding_mode => "`half_up` or `half_even`",
        Rule::date | Rule::timestamp | Rule::record_time => {
            "a date such as `2027-01-05` or a time such as `2027-01-05T10:00:00Z`"
        }
        Rule::int | Rule::badge_times => "a whole number",
        Rule::expr | Rule::term | Rule::expr_only => "a value such as `5 EUR`, `r.lines` or `(`",
        Rule::timezone_setting => "`timezone`",
        Rule::rounding_setting => "`rounding`",
        Rule::condition => "`when`",
        Rule::grant_action => "`grant`",
        Rule::award_action => "`award`",
        Rule::on_trigger => "`on`",
        Rule::each_trigger => "`each`",
        Rule::tier_bracket => "`up to`",
        Rule::tier_above => "`above`",
        Rule::given_block => "`given`",
        Rule::expect_badge | Rule::expect_account => "`expect`",
        Rule::given_person => "`person`",
        Rule::given_record => "a record such as `answer a1 by alice at 2027-01-05`",
        Rule::field_decl => "a field such as `lines: Int`",
        Rule::field_value => "a field value such as `votes: 3`",
        Rule::limit_from => "`from`",
        Rule::aggregate_where => "`where`",
        Rule::aggregate_measure => "`:`",
        Rule::aggregate_else => "`else`",
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "an operator such as `+` or `and`",
        Rule::kw_policy => "`policy`",
        Rule::kw_timezone => "`timezone`",
        Rule::kw_rounding => "`rounding`",
        Rule::kw_person => "`person`",
        Rule::kw_contribution => "`contribution`",
        Rule::kw_reward => "`reward`",
        Rule::kw_badge => "`badge`",
        Rule::kw_let => "`let`",
        Rule::kw_rule => "`rule`",
        Rule::kw_on => "`on`",
        Rule::kw_each => "`each`",
        Rule::kw_per => "`per`",
        Rule::kw_when => "`when`",
        Rule::kw_grant => "`grant`",
        Rule::kw_award => "`award`",
        Rule::kw_limit => "`limit`",
        Rule::kw_from => "`from`",
        Rule::kw_at => "`at`",
        Rule::kw_most => "`most`",
        Rule::kw_pool => "`pool`",
        Rule::kw_split => "`split`",
        Rule::kw_by => "`by`",
        Rule::kw_test => "`test`",
        Rule::kw_given => "`given`",
        Rule::kw_expect => "`expect`",
        Rule::kw_times => "`times`",
        Rule::kw_import => "`import`",
        Rule::kw_if => "`if`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_tiers => "`tiers`",
        Rule::kw_up => "`up`",
        Rule::kw_to => "`to`",
        Rule::kw_above => "`above`",
        Rule::kw_one => "`one`",
        Rule::kw_of => "`of`",
        Rule::kw_where => "`where`",
        _ => return None,
    })
}

/// Rules that pest tries after almost every value: mentioned only when
/// nothing else was expected.
fn is_noise(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::currency
            | Rule::duration_unit
            | Rule::pts
            | Rule::field_access
            | Rule::if_head
            | Rule::not_op
            | Rule::neg_op
            | Rule::EOI
    )
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_lt
            | Rule::op_le
            | Rule::op_gt
            | Rule::op_ge
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
    )
}

/// The expected things, in plain words, without repeats. Operators come
/// last: they are rarely what is missing.
fn expected_words(rules: &[Rule], tokens: &[&str], found_word: Option<&str>) -> Vec<String> {
    let looks_like_unit = found_word.is_some_and(looks_like_unit);
    let has_signal = rules.iter().any(|r| !is_noise(*r));
    let mut words: Vec<String> = Vec::new();
    let mut push = |word: String| {
        if !words.contains(&word) {
            words.push(word);
        }
    };
    for rule in rules.iter().filter(|r| !is_operator(**r)) {
        let keep = !is_noise(*rule) || !has_signal || (*rule == Rule::currency && looks_like_unit);
        if let (true, Some(name)) = (keep, human_name(*rule)) {
            push(name.to_string());
        }
    }
    for token in tokens {
        push(format!("`{token}`"));
    }
    if rules.iter().any(|r| is_operator(*r)) {
        push("an operator such as `+` or `and`".to_string());
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

/// A word that is probably meant as a unit after a number: `eur`, `Euro`,
/// `EURO`, `usd`, `points`, `hours`.
fn looks_like_unit(word: &str) -> bool {
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

/// Mistakes common enough to deserve their own wording.
fn specific_problem(rules: &[Rule], tokens: &[&str], found: &Found, text: &str) -> Option<Problem> {
    let word = found.word.as_deref();
    let wants_name = rules.iter().any(|r| is_name_rule(*r));
    if let (true, Some(word)) = (wants_name, word) {
        if KEYWORDS.contains(&word) {
            return Some(reserved_word(word, found.span, rules));
        }
        if word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && word.chars().any(|c| c.is_ascii_uppercase())
            && !rules.contains(&Rule::currency)
        {
            return Some(capitalised_name(word, found.span, rules));
        }
    }
    if let Some(word) = word {
        if rules.contains(&Rule::currency)
            && looks_like_unit(word)
            && after_number(text, found.span)
        {
            return Some(bad_unit(word, found.span));
        }
    }
    if text
        .get(found.span.start..)
        .is_some_and(|r| r.starts_with('=') && !r.starts_with("=="))
        && rules.iter().any(|r| is_operator(*r))
    {
        return Some(
            Problem::new(
                ParseErrorKind::Syntax,
                Span::new(found.span.start, found.span.start + 1),
                "a single `=` cannot compare values",
            )
            .label("use `==` here")
            .help("to check that two values are equal write `==`, as in `r.repo == \"core\"`"),
        );
    }
    if rules.contains(&Rule::kw_grant) && rules.contains(&Rule::kw_award) {
        if let Some(word) = word.filter(|w| !KEYWORDS.contains(w)) {
            return Some(
                Problem::new(
                    ParseErrorKind::Syntax,
                    found.span,
                    format!("expected `grant` or `award`, found `{word}`"),
                )
                .label("expected `grant` or `award` here")
                .help(format!(
                    "a rule ends by saying what it gives: `grant {word} AMOUNT` for a reward \
                     account or `award {word}` for a badge"
                )),
            );
        }
    }
    let _ = tokens;
    None
}

fn is_name_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::rule_name
            | Rule::kind_name
            | Rule::account_name
            | Rule::badge_name
            | Rule::const_name
            | Rule::pool_name
            | Rule::binding_name
            | Rule::column_name
            | Rule::ident
            | Rule::who
            | Rule::record_id
    )
}

/// The reserved words of meed (mirrors `keyword` in the grammar).
const KEYWORDS: &[&str] = &[
    "policy",
    "timezone",
    "rounding",
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
    "from",
    "at",
    "most",
    "pool",
    "split",
    "by",
    "test",
    "given",
    "expect",
    "times",
    "import",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "true",
    "false",
    "tiers",
    "up",
    "to",
    "above",
    "one",
    "of",
    "where",
];

/// The first name-like thing the position wanted, for the messages below.
fn wanted_name(rules: &[Rule]) -> &'static str {
    rules
        .iter()
        .find(|r| is_name_rule(**r))
        .and_then(|r| human_name(*r))
        .unwrap_or("a name")
}

fn reserved_word(word: &str, span: Span, rules: &[Rule]) -> Problem {
    Problem::new(
        ParseErrorKind::ReservedWord,
        span,
        format!("`{word}` is a reserved word and cannot be used as a name"),
    )
    .label(format!("expected {} here", wanted_name(rules)))
    .help(format!(
        "choose another name, such as `{word}_count` or `my_{word}`; meed's keywords are reserved"
    ))
}

fn capitalised_name(word: &str, span: Span, rules: &[Rule]) -> Problem {
    Problem::new(
        ParseErrorKind::InvalidName,
        span,
        format!("names are written in lower case, found `{word}`"),
    )
    .label(format!("expected {} here", wanted_name(rules)))
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

fn after_number(text: &str, span: Span) -> bool {
    text.get(..span.start)
        .map(|before| before.trim_end_matches(' '))
        .and_then(|before| before.chars().last())
        .is_some_and(|c| c.is_ascii_digit())
}

fn bad_unit(word: &str, span: Span) -> Problem {
    let upper = word.to_ascii_uppercase();
    let help = match upper.as_str() {
        "PTS" | "POINTS" | "PT" => "write points as `15 pts`".to_string(),
        "H" | "HOUR" | "HOURS" | "MIN" | "MINS" | "MINUTES" | "M" => {
            "write durations without a space, as `90min` or `1.5h`".to_string()
        }
        "EURO" | "EUROS" => "write euro amounts with the code `EUR`, as `5 EUR`".to_string(),
        "DOLLAR" | "DOLLARS" => "write dollar amounts with the code `USD`, as `5 USD`".to_string(),
        _ if upper.len() == 3 => format!(
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

/// Advice for a few positions where the expected list alone is not enough.
fn general_help(rules: &[Rule], tokens: &[&str], declaration: Option<&str>) -> Option<String> {
    if rules.contains(&Rule::tier_above) || rules.contains(&Rule::tier_bracket) {
        return Some(
            "a `tiers` block lists `up to BOUND: RATE` lines and ends with `above: RATE`"
                .to_string(),
        );
    }
    if rules.contains(&Rule::kw_grant) && rules.contains(&Rule::kw_award) {
        return Some(
            "a rule ends by saying what it gives: `grant ACCOUNT AMOUNT` or `award BADGE`"
                .to_string(),
        );
    }
    if rules.contains(&Rule::kw_up)
        || rules.contains(&Rule::kw_to)
        || rules.contains(&Rule::kw_above)
    {
        return Some(
            "a `tiers` block lists `up to BOUND: RATE` lines and ends with `above: RATE`"
                .to_string(),
        );
    }
    let structural = [
        Rule::kw_per,
        Rule::kw_person,
        Rule::kw_at,
        Rule::kw_most,
        Rule::period,
    ];
    if rules.iter().any(|r| structural.contains(r)) {
        match declaration {
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
            _ => {}
        }
    }
    if rules.contains(&Rule::declaration) {
        return Some(
            "each declaration starts with a keyword: `policy`, `person`, `contribution`, \
             `reward`, `badge`, `let`, `rule`, `limit`, `pool`, `test` or `import`"
                .to_string(),
        );
    }
    if tokens.contains(&"}") {
        return Some("check that the block above is complete and closed with `}`".to_string());
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
        .chain(std::iter::once(""))
        .find(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .and_then(|line| line.split_whitespace().next())
}
