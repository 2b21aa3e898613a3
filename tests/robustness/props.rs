//! The fuzz targets' properties (`fuzz/src/props.rs`), run as bounded
//! proptests so that every `cargo test` exercises them: a few hundred cases,
//! random bytes and mutations of the bundled policies and example logs.

use std::sync::OnceLock;

use meed::input::LogFormat;
use proptest::prelude::*;

use super::cli::{examples, root};
use super::fuzz_props::{
    Bundled, POLICIES, bundled, evaluate_log, fmt_round_trip, parse_and_check,
};

fn policies() -> &'static [Bundled] {
    static POLICIES: OnceLock<Vec<Bundled>> = OnceLock::new();
    POLICIES.get_or_init(|| bundled().unwrap_or_else(|e| panic!("{e}")))
}

/// The first `lines` lines of each example log, with its format.
fn example_logs(lines: usize) -> &'static [(String, LogFormat)] {
    static LOGS: OnceLock<Vec<(String, LogFormat)>> = OnceLock::new();
    LOGS.get_or_init(|| {
        examples()
            .into_iter()
            .map(|(_, log, _)| {
                let text = std::fs::read_to_string(root().join(&log)).unwrap();
                let head: String = text.split_inclusive('\n').take(lines).collect();
                let format = if log.ends_with(".jsonl") {
                    LogFormat::JsonLines
                } else {
                    LogFormat::Csv
                };
                (head, format)
            })
            .collect()
    })
}

/// `text` with `bytes` written over it at `at` (a fraction of its length)
/// and `cut` bytes removed there: a typo, a paste, a lost chunk.
fn mutate(text: &str, at: f64, cut: usize, bytes: &[u8]) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a position in a short text, from a fraction in [0, 1)"
    )]
    let at = ((out.len() as f64) * at) as usize;
    let at = at.min(out.len());
    let end = (at + cut).min(out.len());
    out.splice(at..end, bytes.iter().copied());
    out
}

/// Bytes that look like meed more often than random ones do.
fn policy_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(
            prop::sample::select(vec![
                "(", ")", "{", "}", "\"", "#", "\n", " ", "-", "not ", "if ", "then ", "else ",
                "rule r ", "on ", "grant ", "tiers ", "x", "1", "0.5", " EUR", "pts", "%",
                "\u{e9}", "\r", "\\", "up to ", "above:", ",", ":", ".",
            ]),
            0..24
        )
        .prop_map(|parts| parts.concat().into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_and_check_without_panic(bytes in policy_bytes()) {
        parse_and_check(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_policies_parse_and_check_without_panic(
        index in 0..POLICIES.len(),
        at in 0.0..1.0f64,
        cut in 0..40usize,
        bytes in policy_bytes(),
    ) {
        let text = POLICIES[index].1;
        parse_and_check(&mutate(text, at, cut, &bytes)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn fmt_round_trips_mutated_policies(
        index in 0..POLICIES.len(),
        at in 0.0..1.0f64,
        cut in 0..40usize,
        bytes in policy_bytes(),
    ) {
        let text = POLICIES[index].1;
        fmt_round_trip(&mutate(text, at, cut, &bytes)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn any_bytes_as_a_log_never_panic_nor_lose_records(
        index in 0..POLICIES.len(),
        json in any::<bool>(),
        with_roster in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let format = if json { LogFormat::JsonLines } else { LogFormat::Csv };
        evaluate_log(&policies()[index], format, with_roster, &bytes)
            .map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_example_logs_never_panic_nor_lose_records(
        index in 0..POLICIES.len(),
        with_roster in any::<bool>(),
        at in 0.0..1.0f64,
        cut in 0..80usize,
        bytes in prop::collection::vec(
            prop::sample::select(vec![b'"', b',', b'\n', b'\r', b'{', b'}', b'0', b'-', b'a', 0xff]),
            0..6,
        ),
    ) {
        let (text, format) = &example_logs(12)[index];
        let log = mutate(text, at, cut, &bytes);
        evaluate_log(&policies()[index], *format, with_roster, &log)
            .map_err(TestCaseError::fail)?;
    }
}

/// Every policy in the repository keeps its meaning through `fmt`.
#[test]
fn fmt_round_trips_every_policy_in_the_repository() {
    let mut checked = 0;
    for folder in [
        "rules",
        "tests/inputs/fmt",
        "tests/inputs/parse/ok",
        "tests/inputs/check/ok",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            if let Err(violation) = fmt_round_trip(&bytes) {
                panic!("{}: {violation}", entry.path().display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} policies found");
}

/// Each whole example log evaluates under its policy and loses no record.
#[test]
fn every_example_log_is_read_whole() {
    for (index, (_, log, _)) in examples().iter().enumerate() {
        let bytes = std::fs::read(root().join(log)).unwrap();
        let format = if log.ends_with(".jsonl") {
            LogFormat::JsonLines
        } else {
            LogFormat::Csv
        };
        evaluate_log(&policies()[index], format, true, &bytes)
            .unwrap_or_else(|e| panic!("{log}: {e}"));
    }
}
