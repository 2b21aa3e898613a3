//! Any text that parses: `fmt` keeps its meaning and is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(violation) = meed_fuzz::props::fmt_round_trip(data) {
        panic!("{violation}");
    }
});
