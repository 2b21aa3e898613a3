//! From pest pairs to the typed AST ([`crate::syntax::ast`]).
//!
//! One function per grammar rule, named after it (`lower_rule`,
//! `lower_tiers`, ...). The grammar guarantees the shape of the pairs, but
//! the lowering never trusts it blindly: a missing child is an internal
//! error value, never a panic.

mod decl;
mod expr;
mod literal;
mod test_decl;

use std::iter::Peekable;

use pest::iterators::{Pair, Pairs};

use crate::source::{Span, Spanned};
use crate::syntax::ast::{Comment, Ident, Item, PolicyFile};
use crate::syntax::error::Problem;
use crate::syntax::parser::Rule;

pub use expr::{MAX_EXPR_DEPTH, lower_expr};

/// The whole file: `SOI declaration* EOI`.
pub fn lower_file(pair: Pair<'_, Rule>, comments: Vec<Comment>) -> Result<PolicyFile, Problem> {
    let span = span_of(&pair);
    let mut items = Vec::new();
    for declaration in pair.into_inner() {
        match declaration.as_rule() {
            Rule::declaration => items.push(lower_declaration(declaration)?),
            Rule::EOI => {}
            _ => return Err(Problem::internal(span, "a declaration was expected")),
        }
    }
    Ok(PolicyFile {
        items,
        comments,
        span,
    })
}

/// One top-level declaration.
fn lower_declaration(pair: Pair<'_, Rule>) -> Result<Item, Problem> {
    let span = span_of(&pair);
    let inner = Children::new(pair).next(span)?;
    match inner.as_rule() {
        Rule::policy_decl => decl::lower_policy(inner).map(Item::Policy),
        Rule::person_decl => decl::lower_person(inner).map(Item::Person),
        Rule::contribution_decl => decl::lower_contribution(inner).map(Item::Contribution),
        Rule::reward_decl => decl::lower_reward(inner).map(Item::Reward),
        Rule::badge_decl => decl::lower_badge(inner).map(Item::Badge),
        Rule::let_decl => decl::lower_let(inner).map(Item::Let),
        Rule::rule_decl => decl::lower_rule(inner).map(Item::Rule),
        Rule::limit_decl => decl::lower_limit(inner).map(Item::Limit),
        Rule::pool_decl => decl::lower_pool(inner).map(Item::Pool),
        Rule::import_decl => decl::lower_import(inner).map(Item::Import),
        Rule::test_decl => test_decl::lower_test(inner).map(Item::Test),
        _ => Err(Problem::internal(span, "an unknown declaration")),
    }
}

/// The children of a pair, keywords left out: they carry no meaning once
/// the grammar has matched them.
pub(crate) struct Children<'i> {
    pairs: Peekable<Pairs<'i, Rule>>,
}

impl<'i> Children<'i> {
    pub fn new(pair: Pair<'i, Rule>) -> Children<'i> {
        Children {
            pairs: pair.into_inner().peekable(),
        }
    }

    fn skip_keywords(&mut self) {
        while self.pairs.next_if(|p| is_keyword(p.as_rule())).is_some() {}
    }

    /// The next child; `parent` places the internal error if there is none.
    pub fn next(&mut self, parent: Span) -> Result<Pair<'i, Rule>, Problem> {
        self.skip_keywords();
        self.pairs
            .next()
            .ok_or_else(|| Problem::internal(parent, "a part is missing"))
    }

    /// The next child, which must be a `rule`.
    pub fn expect(&mut self, rule: Rule, parent: Span) -> Result<Pair<'i, Rule>, Problem> {
        let pair = self.next(parent)?;
        if pair.as_rule() == rule {
            Ok(pair)
        } else {
            Err(Problem::internal(
                span_of(&pair),
                &format!("expected {rule:?}, found {:?}", pair.as_rule()),
            ))
        }
    }

    /// The next child if it is a `rule`.
    pub fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.skip_keywords();
        self.pairs.next_if(|p| p.as_rule() == rule)
    }

    /// Every remaining child, keywords left out, in order.
    pub fn all_remaining(&mut self) -> Vec<Pair<'i, Rule>> {
        let mut out = Vec::new();
        self.skip_keywords();
        while let Some(pair) = self.pairs.next() {
            out.push(pair);
            self.skip_keywords();
        }
        out
    }

    /// Every remaining child that is a `rule`, in order.
    pub fn all(&mut self, rule: Rule) -> Vec<Pair<'i, Rule>> {
        let mut out = Vec::new();
        while let Some(pair) = self.optional(rule) {
            out.push(pair);
        }
        out
    }
}

/// `kw_*` rules only mark the syntax.
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_policy
            | Rule::kw_timezone
            | Rule::kw_rounding
            | Rule::kw_person
            | Rule::kw_contribution
            | Rule::kw_reward
            | Rule::kw_badge
            | Rule::kw_let
            | Rule::kw_rule
            | Rule::kw_on
            | Rule::kw_each
            | Rule::kw_per
            | Rule::kw_when
            | Rule::kw_grant
            | Rule::kw_award
            | Rule::kw_limit
            | Rule::kw_from
            | Rule::kw_at
            | Rule::kw_most
            | Rule::kw_pool
            | Rule::kw_split
            | Rule::kw_by
            | Rule::kw_test
            | Rule::kw_given
            | Rule::kw_expect
            | Rule::kw_times
            | Rule::kw_import
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_not
            | Rule::kw_tiers
            | Rule::kw_up
            | Rule::kw_to
            | Rule::kw_above
            | Rule::kw_one
            | Rule::kw_of
            | Rule::kw_where
            | Rule::kw_until
    )
}

/// A name pair (`rule_name`, `kind_name`, ... or a bare `ident`).
pub(crate) fn lower_ident(pair: Pair<'_, Rule>) -> Ident {
    Spanned::new(pair.as_str().to_string(), span_of(&pair))
}

/// `alice` or `"alice@example.org"`: a person or record id.
pub(crate) fn lower_who(pair: Pair<'_, Rule>) -> Result<Spanned<String>, Problem> {
    let span = span_of(&pair);
    let inner = Children::new(pair).next(span)?;
    match inner.as_rule() {
        Rule::string => literal::lower_string(inner),
        _ => Ok(lower_ident(inner)),
    }
}

/// The span of a pair without the whitespace and comments pest lets a rule
/// swallow at its end (`a ~ b*` skips trivia before an empty `b*`), so that
/// underlines, `meed diff` excerpts and the formatter see exactly the
/// declaration or expression that was written.
pub fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let text = span.as_str();
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                // A comment runs to the end of its line.
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
            }
            '"' => {
                // A string, with `\"` and `\\` escapes; its end is significant.
                end = i + 1;
                while let Some((j, c)) = chars.next() {
                    end = j + c.len_utf8();
                    match c {
                        '\\' => {
                            if let Some((k, escaped)) = chars.next() {
                                end = k + escaped.len_utf8();
                            }
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if c.is_whitespace() => {}
            c => end = i + c.len_utf8(),
        }
    }
    crate::syntax::place::span(span.start(), span.start() + end)
}
