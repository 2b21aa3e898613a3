//! Robustness as a tested property: hostile and broken input gives clear
//! errors, never a panic, a lost record or a half-written file.
//!
//! - [`props`]: the fuzz targets' properties as bounded proptests;
//! - [`limits`]: hard limits (nesting, literal sizes, overflow, line length,
//!   encodings, empty and cut-off files);
//! - [`files`]: atomic writes, and what survives a failed one;
//! - [`determinism`]: the same inputs give the same bytes, whatever the order;
//! - [`exactness`]: no binary floating point in amounts.
//!
//! `docs/guarantees.md` points at these tests by name.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

#[path = "../fuzz/src/props.rs"]
#[allow(
    dead_code,
    reason = "shared with the fuzz targets; each test uses part of it"
)]
mod fuzz_props;

#[path = "robustness/cli.rs"]
mod cli;
#[path = "robustness/determinism.rs"]
mod determinism;
#[path = "robustness/exactness.rs"]
mod exactness;
#[path = "robustness/files.rs"]
mod files;
#[path = "robustness/limits.rs"]
mod limits;
#[path = "robustness/props.rs"]
mod props;
