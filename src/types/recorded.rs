//! The type the checker gave each expression, kept for the stages after it:
//! the evaluators read a type here (the zero of a `sum` of no records)
//! rather than work it out again.

use std::collections::HashMap;

use crate::source::Span;
use crate::syntax::ast::Expr;
use crate::units::Type;

/// Each checked expression's type, by its span in the policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExprTypes(HashMap<Span, Type>);

impl ExprTypes {
    /// Notes that the expression at `span` has type `ty`.
    pub(crate) fn record(&mut self, span: Span, ty: &Type) {
        self.0.insert(span, ty.clone());
    }

    /// The type the checker gave `expr`; `None` for an expression it could
    /// not type (a policy with errors is never evaluated).
    pub fn of(&self, expr: &Expr) -> Option<&Type> {
        self.0.get(&expr.span)
    }
}
