//! The type checker: dimensions (with [`crate::units`]), names, and everything else a
//! policy must get right before it is evaluated.
//!
//! [`check::check_policy`] is the entry point; the other files each check
//! one part: declarations ([`env`]), operators ([`dims`]), expressions
//! ([`expr`]), aggregates and tiers ([`aggregate`], [`tiers`]), rules,
//! limits and pools ([`items`]), test blocks ([`given`]) and the warnings
//! about unused declarations ([`usage`]).

pub mod aggregate;
pub mod check;
mod dated;
pub mod dims;
pub mod env;
pub mod error;
pub mod expr;
pub mod given;
pub mod help;
pub mod items;
pub mod recorded;
pub mod suggest;
pub mod tiers;
pub mod usage;
