//! Any bytes as a CSV log for the community policy, read by the fast reader
//! (in chunks of 1 to 64 bytes) and by the careful reader: whatever the
//! fast reader accepts, the careful reader must accept with the same
//! records. See `meed_fuzz::fast_reader::shape` for how the first byte
//! picks the chunk size and pads a line to about the 1 MiB line limit.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use meed::schema::Schema;
use meed_fuzz::fast_reader::{fast_matches_careful, schema, shape};

static SCHEMA: OnceLock<Schema> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let schema = SCHEMA.get_or_init(|| match schema() {
        Ok(schema) => schema,
        Err(error) => panic!("{error}"),
    });
    let (log, chunk) = shape(data);
    if let Err(violation) = fast_matches_careful(schema, &log, chunk) {
        panic!("{violation}");
    }
});
