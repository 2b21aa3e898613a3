//! Any bytes as a contribution log for one of the bundled policies; see
//! `meed_fuzz::props::evaluate_fuzz_input` for how the first byte picks the
//! policy, the format and the roster.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use meed_fuzz::props::{Bundled, bundled, evaluate_fuzz_input};

static POLICIES: OnceLock<Vec<Bundled>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let policies = POLICIES.get_or_init(|| match bundled() {
        Ok(policies) => policies,
        Err(error) => panic!("a bundled policy does not load: {error}"),
    });
    if let Err(violation) = evaluate_fuzz_input(policies, data) {
        panic!("{violation}");
    }
});
