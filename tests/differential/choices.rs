//! A stream of choices that the generators read from, in the manner of
//! Hypothesis: proptest generates a vector of numbers, the generators turn
//! each into a decision, and a choice of `0` is always the simplest option
//! (no rule clause, the first literal, an empty log). Shrinking the vector
//! towards zeros therefore shrinks the *program*, while every vector still
//! gives a well-typed policy: nothing is generated and then discarded.

use proptest::prelude::*;

/// How many choices one generated policy or log may read; past the end every
/// choice is `0`.
pub const CHOICES: usize = 640;

/// The numbers proptest generates for one policy or log.
pub fn choices() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), CHOICES)
}

/// Decisions read one after another from proptest's numbers.
pub struct Choices {
    raw: Vec<u32>,
    next: usize,
}

impl Choices {
    pub fn new(raw: Vec<u32>) -> Choices {
        Choices { raw, next: 0 }
    }

    /// A number in `0..n` (`0` when `n` is at most 1, or when the choices
    /// have run out).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let v = u64::from(self.raw.get(self.next).copied().unwrap_or(0));
        self.next += 1;
        // Scaled rather than `v % n`, so that a smaller number is never a
        // later option: shrinking a number shrinks the choice.
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        usize::try_from((v * n) >> 32).unwrap_or(0)
    }

    /// True about `percent` times in a hundred; a choice of `0` is false.
    pub fn flag(&mut self, percent: usize) -> bool {
        self.below(100) >= 100 - percent.min(100)
    }

    /// One of `items` (which must not be empty); `0` picks the first.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = self.below(items.len());
        items[i]
    }
}
