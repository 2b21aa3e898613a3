//! Any bytes as a contribution log for one of the bundled policies.
//!
//! The first byte picks the policy (`byte % 5`, the order of
//! `meed_fuzz::props::POLICIES`), the format (bit 3: JSON Lines) and whether
//! the example roster is given (bit 4); the rest is the log.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use meed::input::LogFormat;
use meed_fuzz::props::{Bundled, bundled, evaluate_log};

static POLICIES: OnceLock<Vec<Bundled>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let policies = POLICIES.get_or_init(|| match bundled() {
        Ok(policies) => policies,
        Err(error) => panic!("a bundled policy does not load: {error}"),
    });
    let Some((&selector, log)) = data.split_first() else {
        return;
    };
    let Some(policy) = policies.get(usize::from(selector) % policies.len()) else {
        return;
    };
    let format = if selector & 0b1000 != 0 {
        LogFormat::JsonLines
    } else {
        LogFormat::Csv
    };
    let with_roster = selector & 0b1_0000 != 0;
    if let Err(violation) = evaluate_log(policy, format, with_roster, log) {
        panic!("{violation}");
    }
});
