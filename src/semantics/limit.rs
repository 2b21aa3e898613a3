//! How a limit cuts a grant (LANGUAGE.md §5), written once for both
//! evaluators: the exact one cuts [`Value`]s, the engine fixed-point
//! counts; each gives its arithmetic through [`Capped`].
//!
//! Per person and period, grants reach a limit in ledger order with the
//! running sum of what it let through before: a positive grant is cut to
//! `max(0, min(g, cap − running))`; a zero or negative grant passes
//! unchanged (and lowers the running sum). The cap is rounded down before
//! ([`crate::semantics::round::round_cap`]).

use std::cmp::Ordering;

use crate::semantics::arith;
use crate::semantics::error::EvalError;
use crate::source::Span;
use crate::value::Value;

/// The arithmetic a limit needs of an amount. `span` is the cap's place in
/// the policy, for an error.
pub trait Capped: Sized + Clone {
    /// Whether the amount is above zero.
    fn is_positive(&self) -> bool;
    /// `self − other`.
    fn minus(&self, other: &Self, span: Span) -> Result<Self, EvalError>;
    /// `self + other`.
    fn plus(&self, other: &Self, span: Span) -> Result<Self, EvalError>;
    /// Whether `self < other`.
    fn below(&self, other: &Self, span: Span) -> Result<bool, EvalError>;
}

/// What a limit does to one grant.
#[derive(Clone, Debug, PartialEq)]
pub struct Cut<A> {
    /// What the limit lets through.
    pub left: A,
    /// The running sum after this grant.
    pub running: A,
    /// Whether the grant was made smaller.
    pub cut: bool,
}

/// Cuts `granted` under `cap`, when `so_far` went through earlier in the
/// same period for the same person.
pub fn cut<A: Capped>(granted: &A, cap: &A, so_far: &A, span: Span) -> Result<Cut<A>, EvalError> {
    let mut left = granted.clone();
    let mut cut = false;
    if granted.is_positive() {
        let room = cap.minus(so_far, span)?;
        if room.below(granted, span)? {
            // Zero as `granted − granted`: in its unit, with its digits.
            left = if room.is_positive() {
                room
            } else {
                granted.minus(granted, span)?
            };
            cut = true;
        }
    }
    let running = so_far.plus(&left, span)?;
    Ok(Cut { left, running, cut })
}

impl Capped for Value {
    fn is_positive(&self) -> bool {
        arith::sign(self) == Some(Ordering::Greater)
    }

    fn minus(&self, other: &Self, span: Span) -> Result<Self, EvalError> {
        arith::sub(self, other, span)
    }

    fn plus(&self, other: &Self, span: Span) -> Result<Self, EvalError> {
        arith::add(self, other, span)
    }

    fn below(&self, other: &Self, span: Span) -> Result<bool, EvalError> {
        Ok(arith::compare(self, other, span)? == Ordering::Less)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::units::Currency;
    use crate::value::Money;

    fn eur(cents: i64) -> Value {
        Value::Money(Money::new(
            Decimal::new(cents, 2),
            Currency::from_code("EUR").unwrap(),
        ))
    }

    /// `(granted, cap, so far)` in cents → `(left, running, cut)`.
    #[test]
    fn a_positive_grant_is_cut_to_the_room_left_and_never_below_zero() {
        let cases = [
            ((100, 300, 0), (100, 100, false)),
            ((100, 300, 200), (100, 300, false)),
            ((100, 300, 250), (50, 300, true)),
            ((100, 300, 300), (0, 300, true)),
            ((100, 300, 400), (0, 400, true)),
            ((-50, 300, 400), (-50, 350, false)),
            ((0, 300, 400), (0, 400, false)),
            ((100, -10, 0), (0, 0, true)),
        ];
        for ((granted, cap, so_far), (left, running, was_cut)) in cases {
            let got = cut(&eur(granted), &eur(cap), &eur(so_far), Span::NOWHERE).unwrap();
            let want = Cut {
                left: eur(left),
                running: eur(running),
                cut: was_cut,
            };
            assert_eq!(got, want, "granted {granted}, cap {cap}, so far {so_far}");
            // What is left keeps the grant's minor digits, even at zero.
            assert!(matches!(got.left, Value::Money(m) if m.amount.scale() == 2));
        }
    }
}
