//! `tiers X { up to B1: R1  up to B2: R2  above: RN }`: bounds have X's type
//! and increase strictly, rates are plain numbers.

use rust_decimal::Decimal;

use crate::semantics::arith::magnitude;
use crate::semantics::literal::literal_value;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Tiers, UnaryOp};
use crate::types::check::{Checker, Scope};
use crate::types::error::CheckErrorKind;
use crate::types::help::describe;
use crate::units::Type;

/// How deep constants may refer to constants when reading a bound's value;
/// deeper (or cyclic) definitions are simply not compared.
const MAX_CONSTANT_DEPTH: usize = 16;

impl Checker {
    pub(crate) fn tiers_type(&mut self, tiers: &Tiers, scope: &Scope) -> Option<Type> {
        let subject = self.tier_subject(&tiers.subject, scope);
        let mut previous: Option<(Decimal, Span)> = None;
        for bracket in &tiers.brackets {
            if let (Some(bound_ty), Some(subject_ty)) =
                (self.type_expr(&bracket.bound, scope), &subject)
            {
                let same =
                    bound_ty == *subject_ty || (bound_ty.is_number() && subject_ty.is_number());
                if !same {
                    let error = self
                        .error(
                            CheckErrorKind::TierBoundType {
                                expected: subject_ty.clone(),
                                found: bound_ty.clone(),
                            },
                            bracket.bound.span,
                        )
                        .with_label(format!("this is `{bound_ty}`"))
                        .with_secondary(
                            tiers.subject.span,
                            format!("the tiers split `{subject_ty}`"),
                        );
                    self.push(error);
                }
            }
            if let Some(value) = self.constant_value(&bracket.bound, 0) {
                if let Some((prev, prev_span)) = previous
                    && value <= prev
                {
                    let error = self
                        .error(
                            CheckErrorKind::TierOrder {
                                bound: self.text(bracket.bound.span),
                                previous: self.text(prev_span),
                            },
                            bracket.bound.span,
                        )
                        .with_label("not above the previous bound")
                        .with_secondary(prev_span, "previous bound");
                    self.push(error);
                }
                previous = Some((value, bracket.bound.span));
            }
            self.tier_rate(&bracket.rate, scope);
        }
        self.tier_rate(&tiers.above, scope);
        let subject = subject?;
        Some(if subject.is_number() {
            Type::Decimal
        } else {
            subject
        })
    }

    fn tier_subject(&mut self, subject: &Expr, scope: &Scope) -> Option<Type> {
        let ty = self.type_expr(subject, scope)?;
        if ty.is_number() || ty.is_quantity() {
            return Some(ty);
        }
        let error = self
            .error(
                CheckErrorKind::TierSubject {
                    text: self.text(subject.span),
                    ty: ty.clone(),
                },
                subject.span,
            )
            .with_label(format!("this is {}", describe(&ty)));
        self.push(error);
        None
    }

    fn tier_rate(&mut self, rate: &Expr, scope: &Scope) {
        let Some(ty) = self.type_expr(rate, scope) else {
            return;
        };
        if ty.is_number() {
            return;
        }
        let error = self
            .error(CheckErrorKind::TierRate { ty: ty.clone() }, rate.span)
            .with_label(format!("this is `{ty}`"));
        self.push(error);
    }

    /// The value of a bound written as a literal (or a constant holding
    /// one), in one scale per type (durations in minutes), for ordering.
    fn constant_value(&self, expr: &Expr, depth: usize) -> Option<Decimal> {
        if depth > MAX_CONSTANT_DEPTH {
            return None;
        }
        match &expr.node {
            ExprKind::Literal(literal) => literal_value(literal, self.timezone, expr.span)
                .ok()
                .and_then(|v| magnitude(&v)),
            ExprKind::Unary { op, operand } if op.node == UnaryOp::Neg => {
                self.constant_value(operand, depth + 1).map(|v| -v)
            }
            ExprKind::Name(name) => {
                let constant = self.env.constant(name)?.fixed()?;
                self.constant_value(constant, depth + 1)
            }
            _ => None,
        }
    }
}
