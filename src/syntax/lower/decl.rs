//! Declarations: the policy header, roster and kinds, rewards, badges,
//! constants, rules, limits, pools and imports.

use pest::iterators::Pair;

use super::literal::{lower_date, lower_string, lower_timestamp};
use super::{Children, lower_expr, lower_ident};
use crate::source::Spanned;
use crate::syntax::ast::{
    Action, BadgeDecl, DatedValue, FieldDecl, ImportDecl, KindDecl, LetDecl, LetValue, LimitDecl,
    Moment, Period, PersonDecl, PolicyHeader, PoolDecl, RewardDecl, RoundingMode, RuleDecl,
    TimeWindow, Trigger, TypeExpr,
};
use crate::syntax::error::Problem;
use crate::syntax::lower::span_of;
use crate::syntax::parser::Rule;

/// `policy "Open-source community rewards 2027" { timezone "UTC"  rounding half_up }`
pub fn lower_policy(pair: Pair<'_, Rule>) -> Result<PolicyHeader, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let title = lower_string(children.expect(Rule::string, span)?)?;
    let mut timezone = None;
    let mut rounding = None;
    while let Ok(setting) = children.next(span) {
        let setting_span = span_of(&setting);
        match setting.as_rule() {
            Rule::timezone_setting => {
                let zone = Children::new(setting).expect(Rule::string, setting_span)?;
                timezone = Some(lower_string(zone)?);
            }
            Rule::rounding_setting => {
                let mode = Children::new(setting).expect(Rule::rounding_mode, setting_span)?;
                let value = if mode.as_str() == "half_up" {
                    RoundingMode::HalfUp
                } else {
                    RoundingMode::HalfEven
                };
                rounding = Some(Spanned::new(value, span_of(&mode)));
            }
            _ => return Err(Problem::internal(setting_span, "an unknown policy setting")),
        }
    }
    Ok(PolicyHeader {
        title,
        timezone,
        rounding,
        span,
    })
}

/// `person { status: one of "employee", "volunteer"  team: Text }`
pub fn lower_person(pair: Pair<'_, Rule>) -> Result<PersonDecl, Problem> {
    let span = span_of(&pair);
    let fields = lower_field_decls(Children::new(pair).all(Rule::field_decl))?;
    Ok(PersonDecl { fields, span })
}

/// `contribution review { lines: Int, repo: Text }`
pub fn lower_contribution(pair: Pair<'_, Rule>) -> Result<KindDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::kind_name, span)?);
    let fields = lower_field_decls(children.all(Rule::field_decl))?;
    Ok(KindDecl { name, fields, span })
}

fn lower_field_decls(pairs: Vec<Pair<'_, Rule>>) -> Result<Vec<FieldDecl>, Problem> {
    pairs.into_iter().map(lower_field_decl).collect()
}

/// `lines: Int`
fn lower_field_decl(pair: Pair<'_, Rule>) -> Result<FieldDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::column_name, span)?);
    let ty = lower_type(children.expect(Rule::type_expr, span)?)?;
    Ok(FieldDecl { name, ty, span })
}

/// `Int`, `Money(EUR)`, `one of "a", "b"`, ...
fn lower_type(pair: Pair<'_, Rule>) -> Result<Spanned<TypeExpr>, Problem> {
    let span = span_of(&pair);
    let inner = Children::new(pair).next(span)?;
    let ty = match inner.as_rule() {
        Rule::type_money => {
            let code = Children::new(inner).expect(Rule::currency, span)?;
            TypeExpr::Money(lower_ident(code))
        }
        Rule::type_one_of => {
            let values = Children::new(inner)
                .all(Rule::string)
                .into_iter()
                .map(lower_string)
                .collect::<Result<Vec<_>, _>>()?;
            TypeExpr::OneOf(values)
        }
        _ => match inner.as_str() {
            "Int" => TypeExpr::Int,
            "Decimal" => TypeExpr::Decimal,
            "Bool" => TypeExpr::Bool,
            "Text" => TypeExpr::Text,
            "Date" | "Timestamp" => TypeExpr::Timestamp,
            "Duration" => TypeExpr::Duration,
            "Points" => TypeExpr::Points,
            _ => return Err(Problem::internal(span, "an unknown type")),
        },
    };
    Ok(Spanned::new(ty, span))
}

/// `reward bonus: Money(EUR)`
pub fn lower_reward(pair: Pair<'_, Rule>) -> Result<RewardDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::account_name, span)?);
    let ty = lower_type(children.expect(Rule::type_expr, span)?)?;
    Ok(RewardDecl { name, ty, span })
}

/// `badge mentor "Mentor of the month"` (the title is optional)
pub fn lower_badge(pair: Pair<'_, Rule>) -> Result<BadgeDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::badge_name, span)?);
    let title = children
        .optional(Rule::string)
        .map(lower_string)
        .transpose()?;
    Ok(BadgeDecl { name, title, span })
}

/// `let review_rate = 0.02 EUR` or `let review_rate { from DATE: VALUE ... }`
pub fn lower_let(pair: Pair<'_, Rule>) -> Result<LetDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::const_name, span)?);
    let lines = children.all(Rule::dated_value);
    let value = if lines.is_empty() {
        LetValue::Fixed(lower_expr(children.expect(Rule::expr, span)?)?)
    } else {
        LetValue::Dated(
            lines
                .into_iter()
                .map(lower_dated_value)
                .collect::<Result<_, _>>()?,
        )
    };
    Ok(LetDecl { name, value, span })
}

/// `from 2027-04-01: 0.025 EUR "board decision 2027-02-14"`
fn lower_dated_value(pair: Pair<'_, Rule>) -> Result<DatedValue, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let time = children.expect(Rule::change_time, span)?;
    let time_span = span_of(&time);
    let inner = Children::new(time).next(time_span)?;
    let from = match inner.as_rule() {
        Rule::date => Moment::Date(lower_date(inner.as_str(), time_span)?),
        _ => Moment::Timestamp(lower_timestamp(inner.as_str(), time_span)?),
    };
    let value = lower_expr(children.expect(Rule::expr, span)?)?;
    let source = children
        .optional(Rule::string)
        .map(lower_string)
        .transpose()?;
    Ok(DatedValue {
        from: Spanned::new(from, time_span),
        value,
        source,
        span,
    })
}

/// `from 2027-03-01 until 2027-05-31`, either end alone.
fn lower_window(pair: Pair<'_, Rule>) -> Result<TimeWindow, Problem> {
    let span = span_of(&pair);
    let mut from = None;
    let mut until = None;
    for end in Children::new(pair).all_remaining() {
        let end_span = span_of(&end);
        let is_from = end.as_rule() == Rule::window_from;
        let date = Children::new(end).expect(Rule::date, end_span)?;
        let date_span = span_of(&date);
        let value = Spanned::new(lower_date(date.as_str(), date_span)?, date_span);
        if is_from {
            from = Some(value);
        } else {
            until = Some(value);
        }
    }
    Ok(TimeWindow { from, until, span })
}

/// `rule review_bonus { on review r  when r.lines >= 50  grant bonus 5 EUR }`
pub fn lower_rule(pair: Pair<'_, Rule>) -> Result<RuleDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::rule_name, span)?);
    let trigger = lower_trigger(children.next(span)?)?;
    let window = children
        .optional(Rule::time_window)
        .map(lower_window)
        .transpose()?;
    let condition = match children.optional(Rule::condition) {
        Some(condition) => {
            let condition_span = span_of(&condition);
            Some(lower_expr(
                Children::new(condition).expect(Rule::expr, condition_span)?,
            )?)
        }
        None => None,
    };
    let action = lower_action(children.next(span)?)?;
    Ok(RuleDecl {
        name,
        trigger,
        window,
        condition,
        action,
        span,
    })
}

/// `on review r` or `each person per month`
fn lower_trigger(pair: Pair<'_, Rule>) -> Result<Trigger, Problem> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut children = Children::new(pair);
    match rule {
        Rule::on_trigger => Ok(Trigger::On {
            kind: lower_ident(children.expect(Rule::kind_name, span)?),
            binding: lower_ident(children.expect(Rule::binding_name, span)?),
            span,
        }),
        Rule::each_trigger => Ok(Trigger::Each {
            period: lower_period(children.expect(Rule::period, span)?),
            span,
        }),
        _ => Err(Problem::internal(span, "a trigger was expected")),
    }
}

/// `grant bonus 5 EUR` or `award mentor`
fn lower_action(pair: Pair<'_, Rule>) -> Result<Action, Problem> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut children = Children::new(pair);
    match rule {
        Rule::grant_action => Ok(Action::Grant {
            account: lower_ident(children.expect(Rule::account_name, span)?),
            amount: Box::new(lower_expr(children.expect(Rule::expr, span)?)?),
            span,
        }),
        Rule::award_action => Ok(Action::Award {
            badge: lower_ident(children.expect(Rule::badge_name, span)?),
            span,
        }),
        _ => Err(Problem::internal(span, "`grant` or `award` was expected")),
    }
}

/// `day`, `week`, `month`, `quarter`, `year`
fn lower_period(pair: Pair<'_, Rule>) -> Spanned<Period> {
    let period = match pair.as_str() {
        "day" => Period::Day,
        "week" => Period::Week,
        "month" => Period::Month,
        "quarter" => Period::Quarter,
        _ => Period::Year,
    };
    Spanned::new(period, span_of(&pair))
}

/// `limit reputation from answers at most 200 pts per person per day`
pub fn lower_limit(pair: Pair<'_, Rule>) -> Result<LimitDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let account = lower_ident(children.expect(Rule::account_name, span)?);
    let from = children
        .optional(Rule::limit_from)
        .map(|from| Children::new(from).all(Rule::rule_name))
        .unwrap_or_default()
        .into_iter()
        .map(lower_ident)
        .collect();
    let cap = lower_expr(children.expect(Rule::expr, span)?)?;
    let period = lower_period(children.expect(Rule::period, span)?);
    Ok(LimitDecl {
        account,
        from,
        cap,
        period,
        span,
    })
}

/// `pool community_fund { grant bonus 1000 EUR per quarter  split by total(reputation) }`
pub fn lower_pool(pair: Pair<'_, Rule>) -> Result<PoolDecl, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let name = lower_ident(children.expect(Rule::pool_name, span)?);
    let account = lower_ident(children.expect(Rule::account_name, span)?);
    let amount = lower_expr(children.expect(Rule::expr, span)?)?;
    let period = lower_period(children.expect(Rule::period, span)?);
    let window = children
        .optional(Rule::time_window)
        .map(lower_window)
        .transpose()?;
    let split_by = lower_expr(children.expect(Rule::expr, span)?)?;
    Ok(PoolDecl {
        name,
        account,
        amount,
        period,
        window,
        split_by,
        span,
    })
}

/// `import "community.meed"`
pub fn lower_import(pair: Pair<'_, Rule>) -> Result<ImportDecl, Problem> {
    let span = span_of(&pair);
    let path = lower_string(Children::new(pair).expect(Rule::string, span)?)?;
    Ok(ImportDecl { path, span })
}
