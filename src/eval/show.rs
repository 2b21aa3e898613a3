//! Text for people: expressions printed as written (limit descriptions) and
//! values printed as they enter a calculation (`explain`).
//!
//! Both use the same precedence levels so that parentheses appear exactly
//! where the reader needs them.

use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Literal, Measure, UnaryOp};
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::value::{
    Value, write_decimal, write_human_duration, write_money_digits, write_plain_decimal,
};

/// `tiers` in a calculation: looser than anything, always parenthesised
/// inside a larger expression.
pub const TIERS: u8 = 0;
pub const IF: u8 = 1;
pub const OR: u8 = 2;
pub const AND: u8 = 3;
pub const NOT: u8 = 4;
pub const CMP: u8 = 5;
pub const ADD: u8 = 6;
pub const MUL: u8 = 7;
pub const NEG: u8 = 8;
pub const ATOM: u8 = 9;

/// The precedence level of a binary operator.
pub fn binary_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Add | BinaryOp::Sub => ADD,
        BinaryOp::Mul | BinaryOp::Div => MUL,
        _ => CMP,
    }
}

/// The operator as shown in a calculation: `×` and `÷` read better than
/// `*` and `/` for people who do not program.
pub fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Mul => "×",
        BinaryOp::Div => "÷",
        other => other.symbol(),
    }
}

/// `text` in parentheses if its precedence is below `min`.
pub fn wrap(text: &str, prec: u8, min: u8) -> String {
    if prec < min {
        format!("({text})")
    } else {
        text.to_string()
    }
}

/// A literal exactly as written: `5.00 EUR`, `10%`, `90min`, `15 pts`.
pub fn literal(lit: &Literal) -> String {
    // The numbers are written without the formatting machinery: every
    // grant in words writes its constants again.
    let decimal_then = |d: Decimal, unit: &str| {
        let mut text = String::with_capacity(16 + unit.len());
        let _ = write_decimal(&mut text, d);
        text.push_str(unit);
        text
    };
    match lit {
        Literal::Int(i) => i.to_string(),
        Literal::Decimal(d) => decimal_then(*d, ""),
        Literal::Percent(p) => decimal_then(*p, "%"),
        Literal::Bool(b) => b.to_string(),
        Literal::Text(t) => format!("\"{t}\""),
        Literal::Money { amount, currency } => {
            let mut text = decimal_then(*amount, " ");
            text.push_str(currency);
            text
        }
        Literal::Duration { amount, unit } => decimal_then(*amount, unit.suffix()),
        Literal::Points(p) => decimal_then(*p, " pts"),
        Literal::Date(d) => d.to_string(),
        Literal::Timestamp(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    }
}

/// A value as it enters a calculation: exact; money and decimals with the
/// scale they carry (`700 EUR`, `0.02 EUR`, `12.50 EUR`), durations and
/// points without trailing zeros (`270min`, `15 pts`); and its precedence (negative
/// amounts bind like a unary minus).
pub fn value(v: &Value) -> (String, u8) {
    let mut text = String::with_capacity(24);
    let _ = match v {
        Value::Money(m) => write_decimal(&mut text, m.amount).and_then(|()| {
            text.push(' ');
            text.write_str(m.currency.code())
        }),
        Value::Decimal(d) => write_decimal(&mut text, *d),
        Value::Duration(minutes) => write_human_duration(&mut text, *minutes),
        other => other.write_to(&mut text),
    };
    let prec = if text.starts_with('-') { NEG } else { ATOM };
    (text, prec)
}

/// A grant's final amount: money with exactly its minor digits (`7.40 EUR`),
/// points and durations without trailing zeros.
pub fn result(v: &Value) -> String {
    let mut text = String::with_capacity(24);
    let _ = match v {
        Value::Money(m) => write_money_digits(&mut text, m).and_then(|()| {
            text.push(' ');
            text.write_str(m.currency.code())
        }),
        Value::Decimal(d) => write_plain_decimal(&mut text, *d),
        Value::Duration(minutes) => write_human_duration(&mut text, *minutes),
        other => other.write_to(&mut text),
    };
    text
}

/// An expression printed back as written, e.g. for a limit's cap.
pub fn source(expr: &Expr) -> String {
    source_prec(expr).0
}

fn source_prec(expr: &Expr) -> (String, u8) {
    match &expr.node {
        ExprKind::Literal(lit) => {
            let text = literal(lit);
            let prec = if text.starts_with('-') { NEG } else { ATOM };
            (text, prec)
        }
        ExprKind::Name(n) => (n.clone(), ATOM),
        ExprKind::Field { base, field } => {
            let (b, p) = source_prec(base);
            (format!("{}.{}", wrap(&b, p, ATOM), field.node), ATOM)
        }
        ExprKind::Unary { op, operand } => {
            let (o, p) = source_prec(operand);
            match op.node {
                UnaryOp::Neg => (format!("-{}", wrap(&o, p, NEG)), NEG),
                UnaryOp::Not => (format!("not {}", wrap(&o, p, NOT)), NOT),
            }
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let prec = binary_prec(op.node);
            let (l, lp) = source_prec(lhs);
            let (r, rp) = source_prec(rhs);
            let text = format!(
                "{} {} {}",
                wrap(&l, lp, prec),
                op.node.symbol(),
                wrap(&r, rp, prec + 1)
            );
            (text, prec)
        }
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => {
            let text = format!(
                "if {} then {} else {}",
                source(condition),
                source(then_branch),
                source(else_branch)
            );
            (text, IF)
        }
        ExprKind::Call { function, args } => {
            let args: Vec<String> = args.iter().map(source).collect();
            (format!("{}({})", function.node, args.join(", ")), ATOM)
        }
        ExprKind::Aggregate(agg) => {
            let mut text = format!("{}({}", agg.function.node.name(), agg.kind.node);
            if let Some(b) = &agg.binding {
                text.push_str(&format!(" {}", b.node));
            }
            if let Some(f) = &agg.filter {
                text.push_str(&format!(" where {}", source(f)));
            }
            match &agg.measure {
                Some(Measure::Field(f)) => text.push_str(&format!(".{}", f.node)),
                Some(Measure::Expr(e)) => text.push_str(&format!(": {}", source(e))),
                None => {}
            }
            if let Some(e) = &agg.fallback {
                text.push_str(&format!(" else {}", source(e)));
            }
            text.push(')');
            (text, ATOM)
        }
        ExprKind::Tiers(t) => {
            let (s, p) = source_prec(&t.subject);
            let mut text = format!("tiers {} {{", wrap(&s, p, ATOM));
            for b in &t.brackets {
                text.push_str(&format!(" up to {}: {}", source(&b.bound), source(&b.rate)));
            }
            text.push_str(&format!(" above: {} }}", source(&t.above)));
            (text, ATOM)
        }
    }
}

/// A dated value in force, for explanations:
/// `review_rate = 0.025 EUR (from 2027-04-01, board decision 2027-02-14)`.
pub fn in_force(line: &crate::semantics::dated::InForce) -> String {
    let source = line
        .source
        .as_ref()
        .map(|s| format!(", {s}"))
        .unwrap_or_default();
    format!(
        "{} = {} (from {}{source})",
        line.name,
        value(&line.value).0,
        line.from
    )
}
