//! Shared by `benches/scale.rs`, `benches/books.rs` and `tests/scale.rs`: the data generator and
//! the hand-written baseline for `benches/reference.meed`.

#![allow(dead_code, reason = "the test uses only part of it")]

pub mod baseline;
pub mod generate;

/// `100k`, `1m`, `10m` or a plain number (`MEED_SCALE_SIZES`).
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_lowercase();
    let (number, factor) = match text.strip_suffix('k') {
        Some(n) => (n, 1_000),
        None => match text.strip_suffix('m') {
            Some(n) => (n, 1_000_000),
            None => (text.as_str(), 1),
        },
    };
    number.parse::<usize>().ok().map(|n| n * factor)
}
