//! The type checker: units and dimensions, names, and everything else a
//! policy must get right before it is evaluated.

pub mod check;
pub mod error;
pub mod units;
