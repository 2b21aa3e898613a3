//! The properties the fuzz targets check. The same file is compiled into
//! `tests/robustness.rs`, so `cargo test` runs them as bounded proptests.

pub mod props;
