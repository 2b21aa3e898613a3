//! Expressions, literals and types, printed with the fewest parentheses that
//! keep the tree.
//!
//! Each expression has a binding strength (its precedence level); a child is
//! wrapped in parentheses only when it binds more loosely than its position
//! requires. Levels, loosest first: `if`, `or`, `and`, `not`, comparisons,
//! `+ -`, `* /`, unary `-`, atoms.

use chrono::SecondsFormat;

use super::printer::{MAX_WIDTH, Printer};
use crate::syntax::ast::{
    Aggregate, BinaryOp, Expr, ExprKind, Literal, Measure, Tiers, TypeExpr, UnaryOp,
};

/// `if C then A else B`: the loosest level; its `else` branch extends right.
pub(crate) const IF: u8 = 1;
const OR: u8 = 2;
const AND: u8 = 3;
const NOT: u8 = 4;
const COMPARE: u8 = 5;
const ADD: u8 = 6;
const MUL: u8 = 7;
const NEG: u8 = 8;
/// Literals, names, field access, calls, aggregates, `tiers`, parentheses.
const ATOM: u8 = 9;

/// How tightly an expression binds.
fn level(expr: &Expr) -> u8 {
    match &expr.node {
        ExprKind::If { .. } => IF,
        ExprKind::Binary { op, .. } => binary_level(op.node),
        ExprKind::Unary { op, .. } => match op.node {
            UnaryOp::Not => NOT,
            UnaryOp::Neg => NEG,
        },
        // `-2 pts` is read as one literal, but only where a prefix `-` may
        // stand: as a `tiers` subject it needs parentheses.
        ExprKind::Literal(lit) if is_negative(lit) => NEG,
        ExprKind::Literal(_)
        | ExprKind::Name(_)
        | ExprKind::Field { .. }
        | ExprKind::Call { .. }
        | ExprKind::Aggregate(_)
        | ExprKind::Tiers(_) => ATOM,
    }
}

fn binary_level(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Add | BinaryOp::Sub => ADD,
        BinaryOp::Mul | BinaryOp::Div => MUL,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            COMPARE
        }
    }
}

/// Whether the expression holds a `tiers` (which always spans several lines).
pub(crate) fn has_tiers(expr: &Expr) -> bool {
    match &expr.node {
        ExprKind::Tiers(_) => true,
        ExprKind::Literal(_) | ExprKind::Name(_) => false,
        ExprKind::Field { base, .. } => has_tiers(base),
        ExprKind::Unary { operand, .. } => has_tiers(operand),
        ExprKind::Binary { lhs, rhs, .. } => has_tiers(lhs) || has_tiers(rhs),
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => has_tiers(condition) || has_tiers(then_branch) || has_tiers(else_branch),
        ExprKind::Call { args, .. } => args.iter().any(has_tiers),
        ExprKind::Aggregate(agg) => {
            agg.filter.as_deref().is_some_and(has_tiers)
                || agg.fallback.as_deref().is_some_and(has_tiers)
                || matches!(&agg.measure, Some(Measure::Expr(e)) if has_tiers(e))
        }
    }
}

/// The expression on one line, for measuring; `None` if it holds a `tiers`.
pub(crate) fn flat(expr: &Expr) -> Option<String> {
    if has_tiers(expr) {
        return None;
    }
    let mut scratch = Printer::scratch();
    print_expr(&mut scratch, expr, IF);
    Some(scratch.into_flat())
}

/// Prints the expression that ends a clause (`when`, `grant`, `let`,
/// `split by`, `expect`): on the clause's line when it fits in 80 columns and
/// holds no comment, else broken at its loosest operator.
pub(crate) fn print_clause_expr(p: &mut Printer, expr: &Expr) {
    if let Some(line) = flat(expr) {
        let too_wide = p.width() + line.chars().count() > MAX_WIDTH;
        let commented = p.has_comment_within(expr.span.start, expr.span.end);
        if (too_wide || commented) && print_broken(p, expr) {
            return;
        }
    }
    print_expr(p, expr, IF);
}

/// Prints an `if` chain with each `else` on a line of its own, or a chain of
/// `or`, `and` or `+ -` with each operator starting a line; continuation
/// lines are indented one level. Returns `false`, having printed nothing,
/// for any other expression.
fn print_broken(p: &mut Printer, expr: &Expr) -> bool {
    match &expr.node {
        ExprKind::If { .. } => {
            p.indent();
            let mut current = expr;
            while let ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } = &current.node
            {
                p.text("if ");
                print_expr(p, condition, OR);
                p.text(" then ");
                print_expr(p, then_branch, OR);
                p.end_line(then_branch.span.end);
                p.continue_line(else_branch.span.start);
                p.text("else ");
                current = else_branch;
            }
            print_expr(p, current, IF);
            p.dedent();
            true
        }
        ExprKind::Binary { op, .. }
            if matches!(
                op.node,
                BinaryOp::Or | BinaryOp::And | BinaryOp::Add | BinaryOp::Sub
            ) =>
        {
            let level = binary_level(op.node);
            let mut operands = Vec::new();
            let first = chain(expr, level, &mut operands);
            p.indent();
            print_expr(p, first, level);
            let mut previous_end = first.span.end;
            for (op, operand) in operands {
                p.end_line(previous_end);
                p.continue_line(operand.span.start);
                p.text(op.symbol());
                p.text(" ");
                print_expr(p, operand, level + 1);
                previous_end = operand.span.end;
            }
            p.dedent();
            true
        }
        _ => false,
    }
}

/// Splits a left-grouped chain of operators of one level (`a + b - c`) into
/// its first operand and the `(operator, operand)` pairs that follow.
fn chain<'e>(expr: &'e Expr, level: u8, rest: &mut Vec<(BinaryOp, &'e Expr)>) -> &'e Expr {
    match &expr.node {
        ExprKind::Binary { op, lhs, rhs } if binary_level(op.node) == level => {
            let first = chain(lhs, level, rest);
            rest.push((op.node, rhs));
            first
        }
        _ => expr,
    }
}

/// Prints `expr` where the context needs at least binding strength `min`.
pub(crate) fn print_expr(p: &mut Printer, expr: &Expr, min: u8) {
    if level(expr) < min {
        p.text("(");
        print_bare(p, expr);
        p.text(")");
    } else {
        print_bare(p, expr);
    }
}

fn print_bare(p: &mut Printer, expr: &Expr) {
    match &expr.node {
        ExprKind::Literal(lit) => p.text(&literal(lit)),
        ExprKind::Name(name) => p.text(name),
        ExprKind::Field { base, field } => {
            print_expr(p, base, ATOM);
            p.text(".");
            p.text(field);
        }
        ExprKind::Unary { op, operand } => match op.node {
            UnaryOp::Not => {
                p.text("not ");
                print_expr(p, operand, NOT);
            }
            UnaryOp::Neg => {
                // `-(2)`: without the parentheses it would read back as the
                // literal `-2`. A negation of a negation or of a negative
                // literal is `- -x` / `- -2`: parentheses there would add
                // nesting, and a chain of them could pass the parser's
                // depth limit (`meed::too_deep`) although the input did not
                // (fuzz regression `fmt_roundtrip/nested_negations.meed`).
                if starts_with_minus(operand) {
                    p.text("- ");
                    print_expr(p, operand, NEG);
                } else {
                    p.text("-");
                    let min = if starts_with_number_or_minus(operand) {
                        ATOM + 1
                    } else {
                        NEG
                    };
                    print_expr(p, operand, min);
                }
            }
        },
        ExprKind::Binary { op, lhs, rhs } => {
            let level = binary_level(op.node);
            // Comparisons do not chain; the other operators group to the left.
            let left_min = if op.is_comparison() { level + 1 } else { level };
            print_expr(p, lhs, left_min);
            p.text(" ");
            p.text(op.symbol());
            p.text(" ");
            print_expr(p, rhs, level + 1);
        }
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => {
            p.text("if ");
            print_expr(p, condition, OR);
            p.text(" then ");
            print_expr(p, then_branch, OR);
            p.text(" else ");
            print_expr(p, else_branch, IF);
        }
        ExprKind::Call { function, args } => {
            p.text(function);
            p.text("(");
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    p.text(", ");
                }
                print_expr(p, arg, IF);
            }
            p.text(")");
        }
        ExprKind::Aggregate(agg) => print_aggregate(p, agg),
        ExprKind::Tiers(tiers) => print_tiers(p, tiers, expr.span.end),
    }
}

/// Whether a number literal is negative (printed with a leading `-`).
fn is_negative(lit: &Literal) -> bool {
    match lit {
        Literal::Int(n) => *n < 0,
        Literal::Decimal(d)
        | Literal::Percent(d)
        | Literal::Points(d)
        | Literal::Money { amount: d, .. }
        | Literal::Duration { amount: d, .. } => d.is_sign_negative(),
        Literal::Bool(_) | Literal::Text(_) | Literal::Date(_) | Literal::Timestamp(_) => false,
    }
}

/// Whether `expr` prints with a leading `-`: a negation or a negative number.
fn starts_with_minus(expr: &Expr) -> bool {
    match &expr.node {
        ExprKind::Literal(lit) => is_negative(lit),
        ExprKind::Unary { op, .. } => op.node == UnaryOp::Neg,
        _ => false,
    }
}

/// Whether the operand of a unary `-` would merge with it when printed.
fn starts_with_number_or_minus(expr: &Expr) -> bool {
    match &expr.node {
        ExprKind::Literal(lit) => !matches!(
            lit,
            Literal::Bool(_) | Literal::Text(_) | Literal::Date(_) | Literal::Timestamp(_)
        ),
        ExprKind::Unary { op, .. } => op.node == UnaryOp::Neg,
        _ => false,
    }
}

/// `count(review)`, `count(review r where r.lines > 10)`, `sum(review.lines)`,
/// `sum(review r where r.repo == "core": r.lines)`, `min(review.lines else 0)`.
fn print_aggregate(p: &mut Printer, agg: &Aggregate) {
    p.text(agg.function.node.name());
    p.text("(");
    p.text(&agg.kind);
    if let Some(Measure::Field(field)) = &agg.measure {
        p.text(".");
        p.text(field);
    }
    if let Some(binding) = &agg.binding {
        p.text(" ");
        p.text(binding);
    }
    if let Some(filter) = &agg.filter {
        p.text(" where ");
        print_expr(p, filter, OR);
    }
    if let Some(Measure::Expr(measure)) = &agg.measure {
        p.text(": ");
        print_expr(p, measure, OR);
    }
    if let Some(fallback) = &agg.fallback {
        p.text(" else ");
        print_expr(p, fallback, IF);
    }
    p.text(")");
}

/// `tiers X {` then one bracket per line, rates aligned, then `}`; the
/// closing line stays open so the expression may go on after it.
fn print_tiers(p: &mut Printer, tiers: &Tiers, end: usize) {
    p.text("tiers ");
    print_expr(p, &tiers.subject, ATOM);
    p.open_block(tiers.subject.span.end);
    let saved_blanks = std::mem::replace(&mut p.keep_blanks, false);
    let labels: Vec<Option<String>> = tiers
        .brackets
        .iter()
        .map(|b| flat(&b.bound).map(|bound| format!("up to {bound}:")))
        .collect();
    let width = labels
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .chain(std::iter::once("above:".len()))
        .max()
        .unwrap_or_default();
    for (bracket, label) in tiers.brackets.iter().zip(&labels) {
        p.start_line(bracket.span.start);
        match label {
            Some(label) => p.text(label),
            None => {
                p.text("up to ");
                print_expr(p, &bracket.bound, OR);
                p.text(":");
            }
        }
        pad_to(p, width);
        print_expr(p, &bracket.rate, IF);
        p.end_line(bracket.span.end);
    }
    p.start_line(tiers.above_span.start);
    p.text("above:");
    pad_to(p, width);
    print_expr(p, &tiers.above, IF);
    p.end_line(tiers.above_span.end.max(tiers.above.span.end));
    p.keep_blanks = saved_blanks;
    p.close_block(end);
}

/// Pads the current line so the next text starts one column after `width`.
pub(crate) fn pad_to(p: &mut Printer, width: usize) {
    let written = p.current_code().chars().count();
    let spaces = width.saturating_sub(written) + 1;
    p.text(&" ".repeat(spaces));
}

/// A literal as the author wrote it: decimals keep their scale, durations
/// their unit, timestamps their offset (`Z` for UTC).
pub(crate) fn literal(lit: &Literal) -> String {
    match lit {
        Literal::Int(n) => n.to_string(),
        Literal::Decimal(d) => d.to_string(),
        Literal::Percent(d) => format!("{d}%"),
        Literal::Bool(b) => b.to_string(),
        Literal::Text(s) => quote(s),
        Literal::Money { amount, currency } => format!("{amount} {currency}"),
        Literal::Duration { amount, unit } => format!("{amount}{}", unit.suffix()),
        Literal::Points(d) => format!("{d} pts"),
        Literal::Date(date) => date.format("%Y-%m-%d").to_string(),
        Literal::Timestamp(ts) => ts.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    }
}

/// A string literal, re-escaped: `\"`, `\\` and `\n` are the only escapes.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A type as written in a field or reward declaration.
pub(crate) fn type_expr(ty: &TypeExpr, written: &str) -> String {
    match ty {
        TypeExpr::Int => "Int".into(),
        TypeExpr::Decimal => "Decimal".into(),
        TypeExpr::Bool => "Bool".into(),
        TypeExpr::Text => "Text".into(),
        TypeExpr::OneOf(values) => {
            let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
            format!("one of {}", values.join(", "))
        }
        // The tree does not tell `Date` from `Timestamp`: keep the word used.
        TypeExpr::Timestamp if written.starts_with("Date") => "Date".into(),
        TypeExpr::Timestamp => "Timestamp".into(),
        TypeExpr::Duration => "Duration".into(),
        TypeExpr::Money(currency) => format!("Money({})", currency.node),
        TypeExpr::Points => "Points".into(),
    }
}
