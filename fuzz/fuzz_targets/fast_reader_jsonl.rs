//! Any bytes as a JSON Lines log for the community policy, read by the fast
//! reader (in chunks of 1 to 64 bytes) and by the careful reader: whatever
//! the fast reader accepts, the careful reader must accept with the same
//! records and the same warnings (keys no kind declares). See
//! `meed_fuzz::fast_reader::shape_jsonl` for how the first byte picks the
//! chunk size.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use meed::input::LogFormat;
use meed::schema::Schema;
use meed_fuzz::fast_reader::{fast_matches_careful_as, schema, shape_jsonl};

static SCHEMA: OnceLock<Schema> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let schema = SCHEMA.get_or_init(|| match schema() {
        Ok(schema) => schema,
        Err(error) => panic!("{error}"),
    });
    let (log, chunk) = shape_jsonl(data);
    if let Err(violation) = fast_matches_careful_as(schema, &log, chunk, LogFormat::JsonLines) {
        panic!("{violation}");
    }
});
