//! What an evaluation reached: the `if` branches it took and the `tiers`
//! brackets that gave a part, for `meed test --coverage`.
//!
//! Rules fired, limits cut and pools paid are visible in the grants; which
//! branch of an `if` or which bracket of a `tiers` made an amount is not,
//! so the evaluator notes them here as it goes. Off by default: an
//! [`Env`](crate::eval::scope::Env) without a `Reached` pays one `None`
//! check per `if` and per bracket. Only
//! [`evaluate_reaching`](crate::eval::evaluate_reaching) turns it on; the
//! engine in [`stream`](crate::eval::stream) never does.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::source::Span;

/// A place the evaluator can reach, by the span of its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    /// The `then` or `else` branch of an `if`, by the branch's span; in an
    /// `else if` chain, each `then` and the final `else`.
    Branch(Span),
    /// A `tiers` bracket that gave a non-zero part: an `up to` bracket by
    /// its span, `above` by the span of `above: RATE`.
    Bracket(Span),
}

/// The marks of one or more evaluations (a set: reaching twice is once).
#[derive(Debug, Default)]
pub struct Reached {
    marks: RefCell<BTreeSet<Mark>>,
}

impl Reached {
    /// Notes that evaluation reached `mark`.
    pub fn mark(&self, mark: Mark) {
        self.marks.borrow_mut().insert(mark);
    }

    /// Whether evaluation reached `mark`.
    pub fn has(&self, mark: Mark) -> bool {
        self.marks.borrow().contains(&mark)
    }
}
