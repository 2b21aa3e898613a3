//! The fast reader against the careful one, on the same bytes (CSV or JSON
//! Lines).
//!
//! Shared by the libFuzzer target `fast_reader` and by the bounded
//! proptests in `tests/input.rs` (which include this file with `#[path]`).
//! The property: whenever the fast reader gives records, the careful reader
//! accepts the same bytes and gives the same records (ids, names, kinds,
//! instants and field values, digits and scale included), in the same
//! order, and the fast reader's warnings (a column no kind declares) are
//! the careful reader's, rendered alike. When the fast reader steps aside,
//! the careful reader decides, so there is nothing to compare.

use meed::input::fast::{LogInput, OwnedRecord, log_warnings, read_records};
use meed::input::{LogFormat, MAX_LINE_BYTES, decode, read_log};
use meed::render::diagnostic::render_plain;
use meed::schema::Schema;
use meed::source::SourceFile;
use meed::syntax::parser::parse_policy;

/// The community policy: eight kinds, with every cell type a log holds.
pub const POLICY: &str = include_str!("../../rules/community.meed");

/// Its example log's header: every column a kind declares.
pub const HEADER: &str =
    "id,who,kind,at,lines,repo,pages,severity,duration,answered,words,language,audience,recorded";

/// The community policy's schema.
pub fn schema() -> Result<Schema, String> {
    let policy = parse_policy(&SourceFile::new("community.meed", POLICY))
        .map_err(|e| format!("the community policy does not parse: {e}"))?;
    Ok(Schema::from_policy(&policy))
}

/// What each reader made of the bytes: `None` when the fast reader stepped
/// aside; `Ok(records)` or `Err(())` for the careful reader.
pub struct Outcome {
    pub fast: Option<Vec<OwnedRecord>>,
    pub careful: Result<Vec<OwnedRecord>, ()>,
}

/// Reads `bytes` as a CSV log with both readers (the fast one in chunks of
/// `chunk` bytes) and checks the property.
pub fn fast_matches_careful(
    schema: &Schema,
    bytes: &[u8],
    chunk: usize,
) -> Result<Outcome, String> {
    fast_matches_careful_as(schema, bytes, chunk, LogFormat::Csv)
}

/// Like [`fast_matches_careful`], for a log in `format`.
pub fn fast_matches_careful_as(
    schema: &Schema,
    bytes: &[u8],
    chunk: usize,
    format: LogFormat,
) -> Result<Outcome, String> {
    let input = LogInput::from_bytes(bytes.to_vec(), chunk).with_format(format);
    let fast = read_records(&input, schema).ok();
    let read = decode("log", bytes.to_vec())
        .map_err(|_| ())
        .and_then(|source| read_log(schema, &source, format).map_err(|_| ()));
    let careful_warnings: Vec<String> = match &read {
        Ok((_, warnings)) => warnings.iter().map(|w| render_plain(w)).collect(),
        Err(()) => Vec::new(),
    };
    let careful = read.map(|(log, _)| {
        log.contributions
            .into_iter()
            .map(|c| OwnedRecord {
                at: c.at,
                id: c.id.to_string(),
                who: c.who.to_string(),
                kind: c.kind,
                fields: c.fields,
            })
            .collect::<Vec<_>>()
    });
    if let Some(fast) = &fast {
        let Ok(careful) = &careful else {
            return Err(format!(
                "the fast reader (chunks of {chunk}) accepted {} records the careful reader refuses",
                fast.len()
            ));
        };
        if fast.len() != careful.len() {
            return Err(format!(
                "the fast reader (chunks of {chunk}) gave {} records, the careful one {}",
                fast.len(),
                careful.len()
            ));
        }
        for (f, c) in fast.iter().zip(careful) {
            // Debug output shows a decimal's scale: `1.50` is not `1.5`.
            if format!("{f:?}") != format!("{c:?}") {
                return Err(format!(
                    "the readers differ (chunks of {chunk}):\n fast:    {f:?}\n careful: {c:?}"
                ));
            }
        }
        let warnings = log_warnings(&input, schema, "log")
            .map_err(|e| format!("the fast reader has no warnings to give: {}", e.0))?;
        let fast_warnings: Vec<String> =
            warnings.warnings.iter().map(|w| render_plain(w)).collect();
        if fast_warnings != careful_warnings {
            return Err(format!(
                "the readers warn differently:\n fast:    {fast_warnings:?}\n careful: {careful_warnings:?}"
            ));
        }
    }
    Ok(Outcome { fast, careful })
}

/// A fuzz input as a log: the first byte picks the chunk size (1 to 64
/// bytes) and whether the first record is padded to about the line limit
/// (`0x68` to `0x6F`: 1 in 32, as a megabyte input is slow to read); the
/// rest is the log, after the community header unless it brings its own
/// (`id,` first).
pub fn shape(data: &[u8]) -> (Vec<u8>, usize) {
    let Some((&first, rest)) = data.split_first() else {
        return (Vec::new(), 1);
    };
    let chunk = 1 + usize::from(first & 63);
    let mut log = Vec::with_capacity(rest.len() + HEADER.len() + 1);
    if !rest.starts_with(b"id,") {
        log.extend_from_slice(HEADER.as_bytes());
        log.push(b'\n');
    }
    let body = log.len();
    log.extend_from_slice(rest);
    if first & 0xF8 == 0x68 {
        pad_first_record(&mut log, body, usize::from(first & 7));
    }
    (log, chunk)
}

/// A fuzz input as a JSON Lines log: the first byte picks the chunk size
/// (1 to 64 bytes); the rest is the log.
pub fn shape_jsonl(data: &[u8]) -> (Vec<u8>, usize) {
    match data.split_first() {
        Some((&first, rest)) => (rest.to_vec(), 1 + usize::from(first & 63)),
        None => (Vec::new(), 1),
    }
}

/// Pads the line starting at `start` with `a` just before its line end (or
/// the end of the log) to between `MAX_LINE_BYTES - 3` and
/// `MAX_LINE_BYTES + 4` bytes: at the limit, and just either side of it.
fn pad_first_record(log: &mut Vec<u8>, start: usize, delta: usize) {
    let end = log
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(log.len(), |i| start + i);
    let end = if end > start && log.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    let target = MAX_LINE_BYTES + delta - 3;
    let length = end - start;
    if length < target {
        let padding = vec![b'a'; target - length];
        log.splice(end..end, padding);
    }
}
