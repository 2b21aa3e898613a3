//! The semantics both evaluators and the checker share, each rule written
//! once: calendar periods and windows ([`period`]), values over time and
//! rule windows ([`dated`]), exact arithmetic on values ([`arith`]), the
//! rounding of grants and caps ([`round`]), the largest-remainder split of
//! a pool ([`split`]), what a literal means ([`literal`]), how a limit cuts a grant ([`limit`]), the order of
//! records and of the ledger ([`order`]), and what can go wrong while
//! evaluating ([`error`]).
//!
//! It sits below the checker (`types`) and the evaluators (`eval`): it
//! knows values, units and the syntax tree, nothing of how a policy is
//! checked or a log is read.

pub mod arith;
pub mod dated;
pub mod error;
pub mod limit;
pub mod literal;
pub mod order;
pub mod period;
pub mod round;
pub mod split;
