//! Why a condition is false, with the values it read: the part of a `when`
//! (or of an aggregate's `where`) that decided, printed as written, and the
//! fields, constants and aggregates in that part with their values.
//!
//! `r.lines >= 50 and r.repo == "core"` with `r.lines = 12` gives the part
//! `r.lines >= 50` and the value `r.lines = 12`: the reader sees the test
//! that failed and the number that failed it, not the whole condition.

use crate::eval::error::EvalError;
use crate::eval::scope::Scope;
use crate::eval::show;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind};
use crate::value::Value;

/// A condition that was false: the deciding part and what it read.
#[derive(Clone, Debug, PartialEq)]
pub struct FalseCondition {
    /// The part that decided, as written: `r.lines >= 50`.
    pub condition: String,
    /// Each field, roster column, constant or aggregate the part read, as
    /// written, with its value, in the order they appear, each once.
    pub values: Vec<(String, Value)>,
}

/// Why `condition` is false in `scope`, or `None` if it holds.
///
/// In `a and b` the first false side decides (the evaluator does not look
/// past it); anything else (`or`, `not`, a comparison) is the deciding part
/// as a whole.
pub fn why_false(scope: &Scope<'_>, condition: &Expr) -> Result<Option<FalseCondition>, EvalError> {
    let mut part = condition;
    while let ExprKind::Binary {
        op, lhs, rhs: rest, ..
    } = &part.node
    {
        if op.node != BinaryOp::And {
            break;
        }
        part = if scope.condition(lhs)? { rest } else { lhs };
    }
    if scope.condition(part)? {
        return Ok(None);
    }
    Ok(Some(FalseCondition {
        condition: show::source(part),
        values: values_read(scope, part),
    }))
}

/// The values `expr` reads in `scope`: fields of a bound record (`r.lines`,
/// `r.by.status`), the person's roster columns (`person.status`),
/// constants, aggregates (`count(talk)`) and `total(account)`, each as
/// written with its value. What has no value here (a field of an
/// aggregate's own binding, an empty `min` without `else`) is left out:
/// the deciding part was evaluated already, these are only its inputs.
fn values_read(scope: &Scope<'_>, expr: &Expr) -> Vec<(String, Value)> {
    let mut reads: Vec<&Expr> = Vec::new();
    expr.walk(&mut |e| {
        let read = match &e.node {
            ExprKind::Name(name) => scope.env.constants.contains_key(name),
            // `r.by` alone is the way to a roster column, not a value the
            // reader needs: `r.by.status` is.
            ExprKind::Field { base, field } => match &base.node {
                ExprKind::Name(name) => {
                    field.node != "by" && (scope.bound(name).is_some() || name == "person")
                }
                ExprKind::Field { base: inner, field } => {
                    field.node == "by"
                        && matches!(&inner.node, ExprKind::Name(n) if scope.bound(n).is_some())
                }
                _ => false,
            },
            ExprKind::Aggregate(_) => true,
            ExprKind::Call { function, .. } => function.node == "total",
            _ => false,
        };
        if read {
            reads.push(e);
        }
    });
    let mut values: Vec<(String, Value)> = Vec::new();
    for read in reads {
        let text = show::source(read);
        if values.iter().any(|(t, _)| *t == text) {
            continue;
        }
        if let Ok(value) = scope.value(read) {
            values.push((text, value));
        }
    }
    values
}
