//! Expressions, by precedence climbing (pest's `PrattParser`).
//!
//! Loosest first: `if C then A else B` (a prefix operator, so the `else`
//! branch reaches as far right as it can), `or`, `and`, `not`, comparisons
//! (not chained), `+ -`, `* /`, unary `-`, then `.field` and the atoms.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::literal::lower_literal;
use super::{Children, lower_ident};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{
    Aggregate, AggregateFn, BinaryOp, Expr, ExprKind, Literal, Measure, TierBracket, Tiers, UnaryOp,
};
use crate::syntax::error::{ParseErrorKind, Problem};
use crate::syntax::lower::span_of;
use crate::syntax::parser::Rule;

/// The deepest expression tree accepted. Deeper trees (a sum of hundreds of
/// terms, a very long `.field` chain) are refused so that the checker and
/// evaluator, which recurse over the tree, can never overflow the stack.
pub const MAX_EXPR_DEPTH: usize = 128;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::prefix(Rule::if_head))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
        .op(Op::postfix(Rule::field_access))
});

/// An expression under construction.
struct Node {
    expr: Expr,
    /// Written in parentheses: `(a < b) == c` is not a chained comparison.
    parens: bool,
    depth: usize,
}

impl Node {
    fn leaf(expr: Expr) -> Node {
        Node {
            expr,
            parens: false,
            depth: 1,
        }
    }

    /// A node over `children`, refused when the tree gets too deep; `mark`
    /// is what the error underlines (the operator that went one level too far).
    fn over(expr: Expr, mark: Span, children: &[usize]) -> Result<Node, Problem> {
        let depth = 1 + children.iter().copied().max().unwrap_or(0);
        if depth > MAX_EXPR_DEPTH {
            return Err(Problem::new(
                ParseErrorKind::TooDeep,
                mark,
                format!(
                    "this expression is too long or too deeply nested (more than {MAX_EXPR_DEPTH} levels)"
                ),
            )
            .label("one level too many")
            .help("split the expression into smaller named parts with `let`"));
        }
        Ok(Node {
            expr,
            parens: false,
            depth,
        })
    }
}

/// `5.00 EUR + review_rate * r.lines`
pub fn lower_expr(pair: Pair<'_, Rule>) -> Result<Expr, Problem> {
    lower_node(pair).map(|node| node.expr)
}

fn lower_node(pair: Pair<'_, Rule>) -> Result<Node, Problem> {
    PRATT
        .map_primary(lower_term)
        .map_prefix(|op, operand| lower_prefix(op, operand?))
        .map_postfix(|base, op| lower_field_access(base?, op))
        .map_infix(|lhs, op, rhs| lower_infix(lhs?, op, rhs?))
        .parse(pair.into_inner())
}

/// `if C then A else`, `not`, `-`
fn lower_prefix(op: Pair<'_, Rule>, operand: Node) -> Result<Node, Problem> {
    let op_span = span_of(&op);
    let span = op_span.to(operand.expr.span);
    match op.as_rule() {
        Rule::if_head => {
            let mut children = Children::new(op);
            let condition = lower_node(children.expect(Rule::expr, op_span)?)?;
            let then_branch = lower_node(children.expect(Rule::expr, op_span)?)?;
            let depths = [condition.depth, then_branch.depth, operand.depth];
            let kind = ExprKind::If {
                condition: Box::new(condition.expr),
                then_branch: Box::new(then_branch.expr),
                else_branch: Box::new(operand.expr),
            };
            Node::over(Spanned::new(kind, span), op_span, &depths)
        }
        Rule::not_op => unary(UnaryOp::Not, op_span, operand),
        Rule::neg_op => match negative_literal(&op, &operand) {
            Some(literal) => Ok(Node::leaf(Spanned::new(ExprKind::Literal(literal), span))),
            None => unary(UnaryOp::Neg, op_span, operand),
        },
        _ => Err(Problem::internal(op_span, "an unknown prefix operator")),
    }
}

fn unary(op: UnaryOp, op_span: Span, operand: Node) -> Result<Node, Problem> {
    let span = op_span.to(operand.expr.span);
    let depth = operand.depth;
    let kind = ExprKind::Unary {
        op: Spanned::new(op, op_span),
        operand: Box::new(operand.expr),
    };
    Node::over(Spanned::new(kind, span), op_span, &[depth])
}

/// `-2 pts`, `-0.50 EUR`: a minus written right before a number literal is
/// part of the literal, so `fmt` prints it back the same way.
fn negative_literal(op: &Pair<'_, Rule>, operand: &Node) -> Option<Literal> {
    if operand.parens {
        return None;
    }
    let ExprKind::Literal(literal) = &operand.expr.node else {
        return None;
    };
    let input = op.as_span().get_input();
    let starts_with_digit = input
        .get(operand.expr.span.start..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_digit());
    if !starts_with_digit {
        return None;
    }
    Some(match literal {
        Literal::Int(i) => Literal::Int(i.checked_neg()?),
        Literal::Decimal(d) => Literal::Decimal(-*d),
        Literal::Percent(d) => Literal::Percent(-*d),
        Literal::Points(d) => Literal::Points(-*d),
        Literal::Money { amount, currency } => Literal::Money {
            amount: -*amount,
            currency: currency.clone(),
        },
        Literal::Duration { amount, unit } => Literal::Duration {
            amount: -*amount,
            unit: *unit,
        },
        _ => return None,
    })
}

/// `x.field`
fn lower_field_access(base: Node, op: Pair<'_, Rule>) -> Result<Node, Problem> {
    let op_span = span_of(&op);
    let field = Children::new(op).expect(Rule::field_name, op_span)?;
    let span = base.expr.span.to(op_span);
    let depth = base.depth;
    let kind = ExprKind::Field {
        base: Box::new(base.expr),
        field: lower_ident(field),
    };
    Node::over(Spanned::new(kind, span), op_span, &[depth])
}

/// `a + b`, `a and b`, `a < b` (but not `a < b < c`)
fn lower_infix(lhs: Node, op: Pair<'_, Rule>, rhs: Node) -> Result<Node, Problem> {
    let op_span = span_of(&op);
    let binary =
        binary_op(op.as_rule()).ok_or_else(|| Problem::internal(op_span, "an unknown operator"))?;
    if binary.is_comparison()
        && !lhs.parens
        && let ExprKind::Binary { op: first, .. } = &lhs.expr.node
        && first.node.is_comparison()
    {
        return Err(chained_comparison(&op, &lhs, &rhs, first.span));
    }
    let span = lhs.expr.span.to(rhs.expr.span);
    let depths = [lhs.depth, rhs.depth];
    let kind = ExprKind::Binary {
        op: Spanned::new(binary, op_span),
        lhs: Box::new(lhs.expr),
        rhs: Box::new(rhs.expr),
    };
    Node::over(Spanned::new(kind, span), op_span, &depths)
}

fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        _ => return None,
    })
}

/// `a < b < c`: suggest `a < b and b < c`.
fn chained_comparison(op: &Pair<'_, Rule>, lhs: &Node, rhs: &Node, first: Span) -> Problem {
    let input = op.as_span().get_input();
    let text = |span: Span| {
        input
            .get(span.start..span.end)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let middle = match &lhs.expr.node {
        ExprKind::Binary { rhs: middle, .. } => text(middle.span),
        _ => String::new(),
    };
    let first_part = text(lhs.expr.span);
    let second_part = format!("{middle} {} {}", op.as_str(), text(rhs.expr.span));
    Problem::new(
        ParseErrorKind::ChainedComparison,
        span_of(op),
        format!(
            "comparisons cannot be chained: `{first_part} {} ...`",
            op.as_str()
        ),
    )
    .label("second comparison")
    .related(first, "first comparison")
    .help(format!(
        "compare two values at a time and join the comparisons with `and`: \
         `{first_part} and {second_part}`"
    ))
}

/// An atom: literal, name, call, aggregate, `tiers`, or `( ... )`.
fn lower_term(pair: Pair<'_, Rule>) -> Result<Node, Problem> {
    let span = span_of(&pair);
    let inner = Children::new(pair).next(span)?;
    match inner.as_rule() {
        Rule::paren => {
            let expr = Children::new(inner).expect(Rule::expr, span)?;
            let mut node = lower_node(expr)?;
            node.parens = true;
            node.expr.span = span;
            Ok(node)
        }
        Rule::name => Ok(Node::leaf(Spanned::new(
            ExprKind::Name(inner.as_str().to_string()),
            span,
        ))),
        Rule::call => lower_call(inner),
        Rule::aggregate => lower_aggregate(inner),
        Rule::tiers => lower_tiers(inner),
        _ => {
            let literal = lower_literal(inner)?;
            Ok(Node::leaf(Spanned::new(ExprKind::Literal(literal), span)))
        }
    }
}

/// `min(a, b)`, `round(x)`, `total(reputation)`
fn lower_call(pair: Pair<'_, Rule>) -> Result<Node, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let function = lower_ident(children.expect(Rule::ident, span)?);
    let mut args = Vec::new();
    let mut depths = Vec::new();
    for arg in children.all(Rule::expr) {
        let node = lower_node(arg)?;
        depths.push(node.depth);
        args.push(node.expr);
    }
    Node::over(
        Spanned::new(ExprKind::Call { function, args }, span),
        span,
        &depths,
    )
}

/// `count(review r where r.lines > 10)`, `sum(review.lines)`,
/// `sum(review r where r.repo == "core": r.lines)`, `min(review.lines else 0)`
fn lower_aggregate(pair: Pair<'_, Rule>) -> Result<Node, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let function_pair = children.expect(Rule::aggregate_fn, span)?;
    let function = match function_pair.as_str() {
        "count" => AggregateFn::Count,
        "sum" => AggregateFn::Sum,
        "min" => AggregateFn::Min,
        _ => AggregateFn::Max,
    };
    let function = Spanned::new(function, span_of(&function_pair));
    let kind = lower_ident(children.expect(Rule::kind_name, span)?);
    let mut depths = Vec::new();
    let mut measure = None;
    if let Some(field) = children.optional(Rule::aggregate_field) {
        let field_span = span_of(&field);
        let name = Children::new(field).expect(Rule::field_name, field_span)?;
        measure = Some(Measure::Field(lower_ident(name)));
    }
    let binding = children.optional(Rule::binding_name).map(lower_ident);
    let mut sub_expr = |rule: Rule| -> Result<Option<Box<Expr>>, Problem> {
        let Some(pair) = children.optional(rule) else {
            return Ok(None);
        };
        let part_span = span_of(&pair);
        let node = lower_node(Children::new(pair).expect(Rule::expr, part_span)?)?;
        depths.push(node.depth);
        Ok(Some(Box::new(node.expr)))
    };
    let filter = sub_expr(Rule::aggregate_where)?;
    if let Some(expr) = sub_expr(Rule::aggregate_measure)? {
        measure = Some(Measure::Expr(expr));
    }
    let fallback = sub_expr(Rule::aggregate_else)?;
    let aggregate = Aggregate {
        function,
        kind,
        binding,
        filter,
        measure,
        fallback,
    };
    Node::over(
        Spanned::new(ExprKind::Aggregate(aggregate), span),
        span,
        &depths,
    )
}

/// `tiers s.amount { up to 500 EUR: 10%  above: 15% }`
fn lower_tiers(pair: Pair<'_, Rule>) -> Result<Node, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let subject = lower_tiers_subject(children.expect(Rule::tiers_subject, span)?)?;
    let mut depths = vec![subject.depth];
    let mut brackets = Vec::new();
    for bracket in children.all(Rule::tier_bracket) {
        let bracket_span = span_of(&bracket);
        let mut parts = Children::new(bracket);
        let bound = lower_node(parts.expect(Rule::expr, bracket_span)?)?;
        let rate = lower_node(parts.expect(Rule::expr, bracket_span)?)?;
        depths.extend([bound.depth, rate.depth]);
        brackets.push(TierBracket {
            bound: bound.expr,
            rate: rate.expr,
            span: bracket_span,
        });
    }
    let above = children.expect(Rule::tier_above, span)?;
    let above_span = span_of(&above);
    let above = lower_node(Children::new(above).expect(Rule::expr, above_span)?)?;
    depths.push(above.depth);
    let tiers = Tiers {
        subject: Box::new(subject.expr),
        brackets,
        above: Box::new(above.expr),
        above_span,
    };
    Node::over(Spanned::new(ExprKind::Tiers(tiers), span), span, &depths)
}

/// The `X` of `tiers X { ... }`: an atom with optional `.field`s.
fn lower_tiers_subject(pair: Pair<'_, Rule>) -> Result<Node, Problem> {
    let span = span_of(&pair);
    let mut children = Children::new(pair);
    let mut node = lower_term(children.expect(Rule::term, span)?)?;
    for access in children.all(Rule::field_access) {
        node = lower_field_access(node, access)?;
    }
    Ok(node)
}
