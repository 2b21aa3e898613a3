//! Evaluation: the four stages (`on` rules, `each` rules, limits, pools)
//! over a validated log, producing grants with provenance.

pub mod arith;
pub mod error;
pub mod period;
pub mod round;
pub mod split;

pub use error::{EvalError, EvalErrorKind, EvalWarning};
pub use period::{PeriodKey, Window};
