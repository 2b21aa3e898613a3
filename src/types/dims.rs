//! The dimension algebra: which operators combine which types, and what
//! they give. Pure functions over [`Type`], so they are easy to test and the
//! evaluator can rely on the same table.
//!
//! - `Int + Int -> Int`, `Int + Decimal -> Decimal`, `Int / Int -> Decimal`
//! - `Q + Q -> Q` for one quantity `Q` (Money in one currency, Duration, Points)
//! - `Q * N`, `N * Q`, `Q / N -> Q` for a number `N`; `Q / Q -> Decimal`
//! - comparisons need one type (Int and Decimal mix, Text and `one of` mix);
//!   ordering needs numbers, quantities or dates

use crate::syntax::ast::BinaryOp;
use crate::types::error::CheckErrorKind;
use crate::units::Type;

/// The common type of two values that may stand side by side (both
/// branches of an `if`, both arguments of `min`); `None` if they differ.
pub fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        _ if a == b => Some(a.clone()),
        _ if a.is_number() && b.is_number() => Some(Type::Decimal),
        _ if a.is_text() && b.is_text() => Some(Type::Text),
        _ => None,
    }
}

/// Numbers, quantities and instants have an order.
pub fn is_ordered(ty: &Type) -> bool {
    ty.is_number() || ty.is_quantity() || *ty == Type::Timestamp
}

/// The result of `lhs op rhs` for an arithmetic or comparison operator.
/// `and`/`or` are conditions and are typed by the expression checker.
pub fn binary(op: BinaryOp, lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    match op {
        BinaryOp::Add | BinaryOp::Sub => additive(op, lhs, rhs),
        BinaryOp::Mul => multiply(lhs, rhs),
        BinaryOp::Div => divide(lhs, rhs),
        BinaryOp::Eq | BinaryOp::Ne => equality(lhs, rhs),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => ordering(op, lhs, rhs),
        BinaryOp::And | BinaryOp::Or => {
            if *lhs == Type::Bool && *rhs == Type::Bool {
                Ok(Type::Bool)
            } else {
                Err(bad("combine", lhs, rhs))
            }
        }
    }
}

fn verb(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "add",
        BinaryOp::Sub => "subtract",
        BinaryOp::Mul => "multiply",
        BinaryOp::Div => "divide",
        _ => "compare",
    }
}

fn bad(verb: &'static str, lhs: &Type, rhs: &Type) -> CheckErrorKind {
    CheckErrorKind::BadArithmetic {
        verb,
        lhs: lhs.clone(),
        rhs: rhs.clone(),
    }
}

/// Two amounts of money in different currencies.
fn currency_clash(verb: &'static str, lhs: &Type, rhs: &Type) -> Option<CheckErrorKind> {
    match (lhs, rhs) {
        (Type::Money(a), Type::Money(b)) if a != b => Some(CheckErrorKind::CurrencyMismatch {
            verb,
            lhs: lhs.clone(),
            rhs: rhs.clone(),
        }),
        _ => None,
    }
}

fn additive(op: BinaryOp, lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    if let Some(clash) = currency_clash(verb(op), lhs, rhs) {
        return Err(clash);
    }
    match (lhs, rhs) {
        (Type::Int, Type::Int) => Ok(Type::Int),
        _ if lhs.is_number() && rhs.is_number() => Ok(Type::Decimal),
        _ if lhs.is_quantity() && lhs == rhs => Ok(lhs.clone()),
        _ => Err(bad(verb(op), lhs, rhs)),
    }
}

fn multiply(lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    match (lhs, rhs) {
        (Type::Int, Type::Int) => Ok(Type::Int),
        _ if lhs.is_number() && rhs.is_number() => Ok(Type::Decimal),
        // Multiplication by a number commutes: `0.02 EUR * r.lines`, `r.lines * 0.02 EUR`.
        _ if lhs.is_quantity() && rhs.is_number() => Ok(lhs.clone()),
        _ if lhs.is_number() && rhs.is_quantity() => Ok(rhs.clone()),
        _ => Err(bad("multiply", lhs, rhs)),
    }
}

fn divide(lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    if let Some(clash) = currency_clash("divide", lhs, rhs) {
        return Err(clash);
    }
    match (lhs, rhs) {
        _ if lhs.is_number() && rhs.is_number() => Ok(Type::Decimal),
        _ if lhs.is_quantity() && rhs.is_number() => Ok(lhs.clone()),
        // A ratio of two amounts of the same kind is a plain number.
        _ if lhs.is_quantity() && lhs == rhs => Ok(Type::Decimal),
        _ => Err(bad("divide", lhs, rhs)),
    }
}

fn comparable(lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    if let Some(clash) = currency_clash("compare", lhs, rhs) {
        return Err(clash);
    }
    let records = |t: &Type| matches!(t, Type::Person | Type::Record(_));
    match unify(lhs, rhs) {
        Some(t) if !records(&t) => Ok(t),
        _ => Err(CheckErrorKind::BadComparison {
            lhs: lhs.clone(),
            rhs: rhs.clone(),
        }),
    }
}

fn equality(lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    comparable(lhs, rhs).map(|_| Type::Bool)
}

fn ordering(op: BinaryOp, lhs: &Type, rhs: &Type) -> Result<Type, CheckErrorKind> {
    let common = comparable(lhs, rhs)?;
    if is_ordered(&common) {
        Ok(Type::Bool)
    } else {
        Err(CheckErrorKind::UnorderedComparison {
            op: op.symbol(),
            ty: common,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Currency;

    fn eur() -> Type {
        Currency::from_code("EUR").map_or(Type::Int, Type::Money)
    }

    fn usd() -> Type {
        Currency::from_code("USD").map_or(Type::Int, Type::Money)
    }

    #[test]
    fn money_times_number_commutes() {
        assert_eq!(binary(BinaryOp::Mul, &eur(), &Type::Int), Ok(eur()));
        assert_eq!(binary(BinaryOp::Mul, &Type::Decimal, &eur()), Ok(eur()));
    }

    #[test]
    fn money_over_money_is_a_ratio() {
        assert_eq!(binary(BinaryOp::Div, &eur(), &eur()), Ok(Type::Decimal));
        assert_eq!(
            binary(BinaryOp::Div, &Type::Int, &Type::Int),
            Ok(Type::Decimal)
        );
    }

    #[test]
    fn currencies_never_mix() {
        assert!(matches!(
            binary(BinaryOp::Add, &eur(), &usd()),
            Err(CheckErrorKind::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn quantities_of_different_kinds_do_not_add() {
        assert!(binary(BinaryOp::Add, &eur(), &Type::Duration).is_err());
        assert!(binary(BinaryOp::Gt, &Type::Points, &eur()).is_err());
        assert!(binary(BinaryOp::Mul, &eur(), &eur()).is_err());
    }

    #[test]
    fn text_is_not_ordered() {
        assert!(binary(BinaryOp::Lt, &Type::Text, &Type::Text).is_err());
        assert_eq!(
            binary(BinaryOp::Eq, &Type::Text, &Type::OneOf(vec![])),
            Ok(Type::Bool)
        );
    }
}
