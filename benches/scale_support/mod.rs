//! Shared by `benches/scale.rs` and `tests/scale.rs`: the data generator and
//! the hand-written baseline for `benches/reference.meed`.

#![allow(dead_code, reason = "the test uses only part of it")]

pub mod baseline;
pub mod generate;
