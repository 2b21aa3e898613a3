//! The properties the fuzz targets check. The same files are compiled into
//! `tests/robustness.rs` (`props`) and `tests/input.rs` (`fast_reader`), so
//! `cargo test` runs them as bounded proptests.

pub mod fast_reader;
pub mod props;
