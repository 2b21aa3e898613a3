//! Declarations: one printer per item kind, each showing the layout it makes.

use super::comments::{keyword_end, next_token};
use super::expr::{
    IF, flat, has_tiers, literal, pad_to, print_clause_expr, print_expr, quote, type_expr,
};
use super::printer::{MAX_WIDTH, Printer};
use crate::source::Span;
use crate::syntax::KEYWORDS;
use crate::syntax::ast::{
    Action, BadgeDecl, Expect, FieldDecl, FieldValue, Given, ImportDecl, Item, KindDecl, LetDecl,
    LetValue, LimitDecl, PersonDecl, PolicyFile, PolicyHeader, PoolDecl, RewardDecl, RoundingMode,
    RuleDecl, TestDecl, TimeWindow, Trigger, TypeExpr,
};

/// Blocks with at most this many fields may stay on one line.
const MAX_INLINE_FIELDS: usize = 2;

/// One-line declarations that may follow each other without a blank line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Import,
    Kinds,
    Accounts,
    Constants,
    Limits,
}

/// Prints every item in the order written, separated by blank lines.
pub(crate) fn print_file(p: &mut Printer, file: &PolicyFile) {
    let mut previous: Option<Option<Group>> = None;
    for item in &file.items {
        let group = group_of(p, item);
        if let Some(previous) = previous {
            p.force_blank = group.is_none() || group != previous;
        }
        print_item(p, item);
        previous = Some(group);
    }
}

/// The group of a declaration that prints on one line, if any.
fn group_of(p: &Printer, item: &Item) -> Option<Group> {
    match item {
        Item::Import(_) => Some(Group::Import),
        Item::Contribution(kind) => {
            let head_end = kind.name.span.end;
            inline_fields(p, &kind_head(kind), head_end, &kind.fields, kind.span)
                .map(|_| Group::Kinds)
        }
        Item::Reward(_) | Item::Badge(_) => Some(Group::Accounts),
        Item::Let(LetDecl {
            value: LetValue::Fixed(value),
            ..
        }) if !has_tiers(value) => Some(Group::Constants),
        Item::Limit(decl) if !has_tiers(&decl.cap) => Some(Group::Limits),
        _ => None,
    }
}

fn print_item(p: &mut Printer, item: &Item) {
    match item {
        Item::Policy(d) => print_header(p, d),
        Item::Person(d) => print_person(p, d),
        Item::Contribution(d) => print_kind(p, d),
        Item::Reward(d) => print_reward(p, d),
        Item::Badge(d) => print_badge(p, d),
        Item::Let(d) => print_let(p, d),
        Item::Rule(d) => print_rule(p, d),
        Item::Limit(d) => print_limit(p, d),
        Item::Pool(d) => print_pool(p, d),
        Item::Test(d) => print_test(p, d),
        Item::Import(d) => print_import(p, d),
    }
}

/// Prints the `}` that closes a block ending at `span.end`.
fn close(p: &mut Printer, span: Span) {
    p.close_block(span.end);
    p.end_line(span.end);
}

/// `policy "Title" {` / `timezone "UTC"` / `rounding half_up` / `}`, the
/// settings in the order written; just `policy "Title"` without settings.
fn print_header(p: &mut Printer, d: &PolicyHeader) {
    p.start_line(d.span.start);
    p.text("policy ");
    p.text(&quote(&d.title));
    if d.timezone.is_none()
        && d.rounding.is_none()
        && !p.has_comment_within(d.title.span.end, d.span.end)
    {
        p.end_line(d.span.end);
        return;
    }
    p.open_block(d.title.span.end);
    let saved = std::mem::replace(&mut p.keep_blanks, false);
    let mut settings: Vec<(Span, String)> = Vec::new();
    if let Some(tz) = &d.timezone {
        settings.push((tz.span, format!("timezone {}", quote(tz))));
    }
    if let Some(mode) = &d.rounding {
        let word = match mode.node {
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfUp => "half_up",
        };
        settings.push((mode.span, format!("rounding {word}")));
    }
    settings.sort_by_key(|(span, _)| span.start);
    for (span, line) in settings {
        p.start_line(span.start);
        p.text(&line);
        p.end_line(span.end);
    }
    p.keep_blanks = saved;
    close(p, d.span);
}

/// `person { status: one of "employee", "volunteer"  team: Text }`
fn print_person(p: &mut Printer, d: &PersonDecl) {
    let head_end = keyword_end(p.source(), d.span.start, "person");
    print_fields(p, "person", head_end, &d.fields, d.span);
}

fn kind_head(d: &KindDecl) -> String {
    format!("contribution {}", d.name.node)
}

/// `contribution review { lines: Int, repo: Text }`
fn print_kind(p: &mut Printer, d: &KindDecl) {
    print_fields(p, &kind_head(d), d.name.span.end, &d.fields, d.span);
}

/// A block of field declarations: on one line when it has at most two fields,
/// no `one of`, no comment inside and fits in 80 columns; else one field
/// per line.
fn print_fields(p: &mut Printer, head: &str, head_end: usize, fields: &[FieldDecl], span: Span) {
    p.start_line(span.start);
    if let Some(line) = inline_fields(p, head, head_end, fields, span) {
        p.text(&line);
        p.end_line(span.end);
        return;
    }
    p.text(head);
    p.open_block(head_end);
    for field in fields {
        p.start_line(field.span.start);
        p.text(&field_decl(p, field));
        p.end_line(field.span.end);
    }
    close(p, span);
}

/// The one-line form of a field block, if it qualifies.
///
/// Only comments after the head count: one written before the name moves
/// above the declaration whatever its layout.
fn inline_fields(
    p: &Printer,
    head: &str,
    head_end: usize,
    fields: &[FieldDecl],
    span: Span,
) -> Option<String> {
    let simple = fields.len() <= MAX_INLINE_FIELDS
        && !fields
            .iter()
            .any(|f| matches!(f.ty.node, TypeExpr::OneOf(_)))
        && !p.has_comment_within(head_end, span.end);
    if !simple {
        return None;
    }
    let line = if fields.is_empty() {
        format!("{head} {{}}")
    } else {
        let fields: Vec<String> = fields.iter().map(|f| field_decl(p, f)).collect();
        format!("{head} {{ {} }}", fields.join(", "))
    };
    (line.chars().count() <= MAX_WIDTH).then_some(line)
}

/// `lines: Int`
fn field_decl(p: &Printer, field: &FieldDecl) -> String {
    format!(
        "{}: {}",
        field.name.node,
        written_type(p, &field.ty.node, field.ty.span)
    )
}

fn written_type(p: &Printer, ty: &TypeExpr, span: Span) -> String {
    let written = p.source().get(span.start..).unwrap_or_default();
    type_expr(ty, written)
}

/// `reward bonus: Money(EUR)`
fn print_reward(p: &mut Printer, d: &RewardDecl) {
    p.start_line(d.span.start);
    let ty = written_type(p, &d.ty.node, d.ty.span);
    p.text(&format!("reward {}: {ty}", d.name.node));
    p.end_line(d.span.end);
}

/// `badge mentor "Mentor of the month"`
fn print_badge(p: &mut Printer, d: &BadgeDecl) {
    p.start_line(d.span.start);
    p.text("badge ");
    p.text(&d.name);
    if let Some(title) = &d.title {
        p.text(" ");
        p.text(&quote(title));
    }
    p.end_line(d.span.end);
}

/// `let review_rate = 0.02 EUR`, or a dated value: `let review_rate {` /
/// `from 2027-01-01: 0.02 EUR "source"` lines / `}`
fn print_let(p: &mut Printer, d: &LetDecl) {
    p.start_line(d.span.start);
    p.text("let ");
    p.text(&d.name);
    match &d.value {
        LetValue::Fixed(value) => {
            p.text(" = ");
            print_clause_expr(p, value);
            p.end_line(d.span.end);
        }
        LetValue::Dated(lines) => {
            p.open_block(d.name.span.end);
            let saved = std::mem::replace(&mut p.keep_blanks, false);
            // `from DATE: VALUE` as written, sources aligned after the
            // longest (as tiers align their rates).
            let heads: Vec<(String, Option<String>)> = lines
                .iter()
                .map(|line| {
                    let date = p.source().get(line.from.span.start..line.from.span.end);
                    let head = format!("from {}:", date.unwrap_or_default());
                    (head, flat(&line.value))
                })
                .collect();
            let width = heads
                .iter()
                .map(|(head, value)| match value {
                    Some(v) => head.chars().count() + 1 + v.chars().count(),
                    None => 0,
                })
                .max()
                .unwrap_or_default();
            for (line, (head, value)) in lines.iter().zip(heads) {
                p.start_line(line.span.start);
                p.text(&head);
                p.text(" ");
                match value {
                    Some(value) => p.text(&value),
                    None => print_clause_expr(p, &line.value),
                }
                if let Some(source) = &line.source {
                    pad_to(p, width + 2);
                    p.text(&quote(source));
                }
                p.end_line(line.span.end);
            }
            p.keep_blanks = saved;
            close(p, d.span);
        }
    }
}

/// `from 2027-03-01 until 2027-05-31` on a line of its own.
fn print_window(p: &mut Printer, window: &TimeWindow) {
    p.start_line(window.span.start);
    let ends: Vec<String> = [("from", &window.from), ("until", &window.until)]
        .into_iter()
        .filter_map(|(word, date)| date.as_ref().map(|d| format!("{word} {}", d.node)))
        .collect();
    p.text(&ends.join(" "));
    p.end_line(window.span.end);
}

/// `rule name {` / `on review r` or `each person per month` / `when ...` /
/// `grant account ...` or `award badge` / `}`
fn print_rule(p: &mut Printer, d: &RuleDecl) {
    p.start_line(d.span.start);
    p.text("rule ");
    p.text(&d.name);
    p.open_block(d.name.span.end);
    let saved = std::mem::replace(&mut p.keep_blanks, false);
    let trigger = d.trigger.span();
    p.start_line(trigger.start);
    match &d.trigger {
        Trigger::On { kind, binding, .. } => {
            p.text(&format!("on {} {}", kind.node, binding.node));
        }
        Trigger::Each { period, .. } => {
            p.text(&format!("each person per {}", period.node));
        }
    }
    p.end_line(trigger.end);
    if let Some(window) = &d.window {
        print_window(p, window);
    }
    if let Some(condition) = &d.condition {
        p.start_line(condition.span.start);
        p.text("when ");
        print_clause_expr(p, condition);
        p.end_line(condition.span.end);
    }
    let action = d.action.span();
    p.start_line(action.start);
    match &d.action {
        Action::Grant {
            account, amount, ..
        } => {
            p.text("grant ");
            p.text(account);
            p.text(" ");
            print_clause_expr(p, amount);
            p.end_line(action.end.max(amount.span.end));
        }
        Action::Award { badge, .. } => {
            p.text("award ");
            p.text(badge);
            p.end_line(action.end);
        }
    }
    p.keep_blanks = saved;
    close(p, d.span);
}

/// `limit reputation from answers at most 200 pts per person per day`
fn print_limit(p: &mut Printer, d: &LimitDecl) {
    p.start_line(d.span.start);
    p.text("limit ");
    p.text(&d.account);
    if !d.from.is_empty() {
        let rules: Vec<&str> = d.from.iter().map(|r| r.node.as_str()).collect();
        p.text(" from ");
        p.text(&rules.join(", "));
    }
    p.text(" at most ");
    print_expr(p, &d.cap, IF);
    p.text(" per person per ");
    p.text(d.period.keyword());
    p.end_line(d.span.end);
}

/// `pool fund {` / `grant bonus 1000 EUR per quarter` / `split by EXPR` / `}`
fn print_pool(p: &mut Printer, d: &PoolDecl) {
    p.start_line(d.span.start);
    p.text("pool ");
    p.text(&d.name);
    p.open_block(d.name.span.end);
    let saved = std::mem::replace(&mut p.keep_blanks, false);
    p.start_line(d.account.span.start.min(d.amount.span.start));
    p.text("grant ");
    p.text(&d.account);
    p.text(" ");
    print_expr(p, &d.amount, IF);
    p.text(" per ");
    p.text(d.period.keyword());
    p.end_line(d.period.span.end);
    if let Some(window) = &d.window {
        print_window(p, window);
    }
    p.start_line(d.split_by.span.start);
    p.text("split by ");
    print_clause_expr(p, &d.split_by);
    p.end_line(d.split_by.span.end);
    p.keep_blanks = saved;
    close(p, d.span);
}

/// `import "community.meed"`
fn print_import(p: &mut Printer, d: &ImportDecl) {
    p.start_line(d.span.start);
    p.text("import ");
    p.text(&quote(&d.path));
    p.end_line(d.span.end);
}

/// `test "name" {` / `given {` records `}` / `expect ...` lines / `}`; the
/// `given` block is left out when it holds no record.
fn print_test(p: &mut Printer, d: &TestDecl) {
    p.start_line(d.span.start);
    p.text("test ");
    p.text(&quote(&d.name));
    p.open_block(d.name.span.end);
    if !d.given.is_empty() {
        print_given(p, &d.given, given_keyword(p.source(), d));
    }
    for expect in &d.expects {
        print_expect(p, expect);
    }
    close(p, d.span);
}

/// Where the `given` keyword of a test stands: the first token after the
/// test's `{`.
fn given_keyword(src: &str, d: &TestDecl) -> usize {
    let brace = next_token(src, d.name.span.end);
    let at = next_token(src, brace + 1);
    let first_record = d.given.first().map_or(at, given_span);
    if src.get(at..).is_some_and(|rest| rest.starts_with("given")) {
        at
    } else {
        first_record.min(at)
    }
}

/// `given {` one record per line `}`.
fn print_given(p: &mut Printer, given: &[Given], at: usize) {
    p.start_line(at);
    p.text("given");
    let head_end = keyword_end(p.source(), at, "given");
    p.open_block(head_end);
    let mut last_end = head_end;
    for record in given {
        match record {
            Given::Contribution(c) => {
                p.start_line(c.span.start);
                p.text(&format!(
                    "{} {} by {} at {}",
                    c.kind.node,
                    record_name(&c.id),
                    record_name(&c.who),
                    literal(&c.at)
                ));
                if !c.fields.is_empty() {
                    print_field_values(p, &c.fields);
                }
                p.end_line(c.span.end);
                last_end = c.span.end;
            }
            Given::Person(person) => {
                p.start_line(person.span.start);
                p.text("person ");
                p.text(&record_name(&person.who));
                print_field_values(p, &person.fields);
                p.end_line(person.span.end);
                last_end = person.span.end;
            }
        }
    }
    let close_at = next_token(p.source(), last_end);
    p.close_block(close_at + 1);
    p.end_line(close_at + 1);
}

fn given_span(given: &Given) -> usize {
    match given {
        Given::Contribution(c) => c.span.start,
        Given::Person(person) => person.span.start,
    }
}

/// ` { accepted: true, votes: 3 }`, always on the record's line.
fn print_field_values(p: &mut Printer, fields: &[FieldValue]) {
    if fields.is_empty() {
        p.text(" {}");
        return;
    }
    p.text(" { ");
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            p.text(", ");
        }
        p.text(&field.name);
        p.text(": ");
        print_expr(p, &field.value, IF);
    }
    p.text(" }");
}

/// `expect alice reputation = 15 pts`, `expect alice badge mentor 2 times`
fn print_expect(p: &mut Printer, expect: &Expect) {
    let span = expect.span();
    p.start_line(span.start);
    match expect {
        Expect::Account {
            who,
            account,
            value,
            ..
        } => {
            p.text(&format!("expect {} {} = ", record_name(who), account.node));
            print_clause_expr(p, value);
        }
        Expect::Badge {
            who, badge, times, ..
        } => {
            p.text(&format!("expect {} badge {}", record_name(who), badge.node));
            if let Some(times) = times {
                p.text(&format!(" {} times", times.node));
            }
        }
    }
    p.end_line(span.end);
}

/// A record id or person: bare when it reads as an identifier, else quoted.
fn record_name(name: &str) -> String {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&name);
    if identifier {
        name.to_string()
    } else {
        quote(name)
    }
}
