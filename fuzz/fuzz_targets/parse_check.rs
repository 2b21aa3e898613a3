//! Any bytes as a policy: decode, parse, check, render diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = meed_fuzz::props::parse_and_check(data) {
        panic!("{violation}");
    }
});
