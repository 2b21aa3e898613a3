//! The pest parser for meed and the entry points that turn text into an AST.
//!
//! [`parse_policy`] runs three steps: the pre-scan (comments, strings,
//! brackets, nesting depth), pest with `grammar/meed.pest`, and the lowering
//! of pest pairs into [`crate::syntax::ast`]. Each step reports at most one
//! [`ParseError`], phrased for people who do not read grammars.

use std::sync::{Mutex, PoisonError};

use pest::Parser;
use pest_derive::Parser;

use crate::source::SourceFile;
use crate::syntax::ast::{Expr, PolicyFile};
use crate::syntax::error::{ParseError, Problem};
use crate::syntax::expected::describe_pest_error;
use crate::syntax::lower::{lower_expr, lower_file};
use crate::syntax::place;
use crate::syntax::prescan::prescan;

/// The pest parser generated from `grammar/meed.pest`.
#[derive(Parser)]
#[grammar = "../grammar/meed.pest"]
pub struct MeedParser;

/// Parses a whole policy (or test) file into its syntax tree.
///
/// ```
/// use meed::source::SourceFile;
/// use meed::syntax::parser::parse_policy;
///
/// let source = SourceFile::new("tiny.meed", "reward bonus: Money(EUR)\n");
/// let policy = parse_policy(&source).expect("a valid policy");
/// assert_eq!(policy.items.len(), 1);
/// ```
pub fn parse_policy(source: &SourceFile) -> Result<PolicyFile, ParseError> {
    parse_with(source, Rule::file, |pair, comments| {
        lower_file(pair, comments)
    })
}

/// Parses a single expression, such as `5.00 EUR + review_rate * r.lines`
/// (for the REPL and for tests of the expression language).
pub fn parse_expr(source: &SourceFile) -> Result<Expr, ParseError> {
    parse_with(source, Rule::expr_only, |pair, _| {
        let span = crate::syntax::place::of_pest(pair.as_span());
        let expr = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::expr)
            .ok_or_else(|| Problem::internal(span, "an expression was expected"))?;
        lower_expr(expr)
    })
}

/// Serialises the setting of pest's error detail (a process-wide flag)
/// with the parse that reads it, so two threads parsing at once never see
/// each other's setting.
static PEST_DETAIL: Mutex<()> = Mutex::new(());

/// Runs pest with or without its error detail. Tracking what was expected
/// at every position makes a parse about three times slower (13 ms against
/// 5 ms for 2,000 lines, which `meed lsp` does on every keystroke); only a
/// failed parse needs it, so [`parse_with`] parses once without it and
/// parses a failing text again with it, for the message.
fn pest_parse(
    rule: Rule,
    text: &str,
    detail: bool,
) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    let _guard = PEST_DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
    pest::set_error_detail(detail);
    MeedParser::parse(rule, text)
}

fn parse_with<T>(
    source: &SourceFile,
    rule: Rule,
    lower: impl FnOnce(
        pest::iterators::Pair<'_, Rule>,
        Vec<crate::syntax::ast::Comment>,
    ) -> Result<T, Problem>,
) -> Result<T, ParseError> {
    place::in_file(source.id(), || {
        let text = source.text();
        let fail = |problem: Problem| ParseError::new(problem, source);
        let comments = prescan(text).map_err(fail)?;
        let mut pairs = match pest_parse(rule, text, false) {
            Ok(pairs) => pairs,
            Err(_) => match pest_parse(rule, text, true) {
                Ok(pairs) => pairs,
                Err(error) => return Err(fail(describe_pest_error(&error, text))),
            },
        };
        let top = pairs.next().ok_or_else(|| {
            fail(Problem::internal(
                source.span(0, 0),
                "the parser returned nothing",
            ))
        })?;
        lower(top, comments).map_err(fail)
    })
}
