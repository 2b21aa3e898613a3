//! `test` blocks: given records and people, and expectations.

use pest::iterators::Pair;

use super::literal::{lower_date, lower_int, lower_string, lower_timestamp};
use super::{Children, lower_expr, lower_ident, lower_who};
use crate::source::Spanned;
use crate::syntax::ast::{
    Expect, FieldValue, Given, GivenContribution, GivenPerson, Literal, TestDecl,
};
use crate::syntax::error::Problem;
use crate::syntax::lower::span_of;
use crate::syntax::parser::Rule;

/// `test "an accepted answer earns 15 points" { given { ... } expect ... }`
pub fn lower_test(pair: Pair<'_, Rule>) -> Result<TestDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_string(children.expect(Rule::string, span)?)?;
    let given = match children.optional(Rule::given_block) {
        Some(block) => lower_given_block(block)?,
        None => Vec::new(),
    };
    let mut expects = Vec::new();
    while let Ok(expect) = children.next(span) {
        expects.push(lower_expect(expect)?);
    }
    Ok(TestDecl {
        name,
        given,
        expects,
        span,
    })
}

/// `given { answer a1 by alice at 2027-01-05 { ... }  person alice { ... } }`
fn lower_given_block(pair: Pair<'_, Rule>) -> Result<Vec<Given>, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let mut given = Vec::new();
    while let Ok(item) = children.next(span) {
        given.push(match item.as_rule() {
            Rule::given_person => Given::Person(lower_given_person(item)?),
            _ => Given::Contribution(lower_given_record(item)?),
        });
    }
    Ok(given)
}

/// `person alice { status: "volunteer", team: "docs" }`
fn lower_given_person(pair: Pair<'_, Rule>) -> Result<GivenPerson, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let who = lower_who(children.expect(Rule::who, span)?)?;
    let fields = lower_field_values(children.all(Rule::field_value))?;
    Ok(GivenPerson { who, fields, span })
}

/// `answer a1 by alice at 2027-01-05T10:00:00Z { accepted: true, votes: 3 }`
fn lower_given_record(pair: Pair<'_, Rule>) -> Result<GivenContribution, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let kind = lower_ident(children.expect(Rule::kind_name, span)?);
    let id = lower_who(children.expect(Rule::record_id, span)?)?;
    let who = lower_who(children.expect(Rule::who, span)?)?;
    let at = lower_record_time(children.expect(Rule::record_time, span)?)?;
    let fields = lower_field_values(children.all(Rule::field_value))?;
    Ok(GivenContribution {
        kind,
        id,
        who,
        at,
        fields,
        span,
    })
}

/// `2027-01-05` or `2027-01-05T10:00:00Z`
fn lower_record_time(pair: Pair<'_, Rule>) -> Result<Spanned<Literal>, Problem> {
    let span = span_of(&pair);
    let inner = Children::new(pair).next(span)?;
    let literal = match inner.as_rule() {
        Rule::date => Literal::Date(lower_date(inner.as_str(), span)?),
        _ => Literal::Timestamp(lower_timestamp(inner.as_str(), span)?),
    };
    Ok(Spanned::new(literal, span))
}

fn lower_field_values(pairs: Vec<Pair<'_, Rule>>) -> Result<Vec<FieldValue>, Problem> {
    pairs.into_iter().map(lower_field_value).collect()
}

/// `votes: 3`
fn lower_field_value(pair: Pair<'_, Rule>) -> Result<FieldValue, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::column_name, span)?);
    let value = lower_expr(children.expect(Rule::expr, span)?)?;
    Ok(FieldValue { name, value, span })
}

/// `expect alice reputation = 15 pts` or `expect alice badge mentor 2 times`
fn lower_expect(pair: Pair<'_, Rule>) -> Result<Expect, Problem> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut children = Children::new(pair);
    let who = lower_who(children.expect(Rule::who, span)?)?;
    match rule {
        Rule::expect_badge => {
            let badge = lower_ident(children.expect(Rule::badge_name, span)?);
            let times = match children.optional(Rule::badge_times) {
                Some(times) => {
                    let times_span = span_of(&times);
                    let count = Children::new(times).expect(Rule::int, times_span)?;
                    let count_span = span_of(&count);
                    let value = lower_int(count.as_str(), count_span)?;
                    Some(Spanned::new(value.unsigned_abs(), count_span))
                }
                None => None,
            };
            Ok(Expect::Badge {
                who,
                badge,
                times,
                span,
            })
        }
        Rule::expect_account => Ok(Expect::Account {
            who,
            account: lower_ident(children.expect(Rule::account_name, span)?),
            value: lower_expr(children.expect(Rule::expr, span)?)?,
            span,
        }),
        _ => Err(Problem::internal(span, "`expect` was expected")),
    }
}
