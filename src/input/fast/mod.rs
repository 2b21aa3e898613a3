//! The fast log reader, for logs of millions of records, CSV (plain or
//! quoted cells) or JSON Lines: the file is read in chunks (never whole),
//! chunks are parsed in parallel, and records are handed one by one, in
//! `(at, id)` order, to a consumer.
//!
//! It validates what the careful reader validates, but does not explain: at
//! the first thing it is not sure about (quotes, a bad value, an unknown
//! kind or person, a duplicate id...) it returns a [`Fallback`], and the
//! caller reads the file again with [`crate::input::read_log`], which reports
//! every problem with its line and column.
//!
//! A log in `(at, id)` order is streamed in one pass ([`stream_sorted`]). A
//! log in any other order is detected there; [`stream_unsorted`] then sorts
//! compact keys (time, id, where the line is) and reads the lines back in
//! order, so memory stays proportional to the keys, not to the records.
//! Duplicate ids are found with 64-bit fingerprints, each shared fingerprint
//! confirmed by comparing the ids themselves.

mod json;
mod layout;
mod parse;

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::input::hash::FxBuild;
use crate::input::{
    Input, InputWarning, LogFormat, MAX_LINE_BYTES, column_warnings, decode, name_problem,
};
use crate::schema::Schema;
use crate::semantics::order::record_order;
use crate::source::SourceFile;
use crate::value::Value;

pub use layout::Layout;
use parse::{Chunk, Scratch, parse_chunk, parse_line};

/// A record as the streaming evaluator sees it.
#[derive(Clone, Copy, Debug)]
pub struct StreamRecord<'a> {
    pub at: DateTime<Utc>,
    pub id: &'a str,
    /// The person's index, in order of first appearance.
    pub who: u32,
    pub who_name: &'a Arc<str>,
    /// Index of the kind in the schema.
    pub kind: usize,
    /// The kind's declared fields, in declaration order.
    pub fields: &'a [Value],
    /// People whose records come soon, when the reader already knows
    /// them: the engine reads their state ahead (see
    /// `StreamEvaluator::read_ahead`).
    pub ahead: &'a [u32],
}

/// Why the fast path stepped aside (for `--verbose`-style tracing only:
/// users see the careful reader's diagnostics instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback(pub String);

impl Fallback {
    pub fn new(reason: impl Into<String>) -> Fallback {
        Fallback(reason.into())
    }
}

/// What a sorted pass found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Every record was handed over, in order, from this many chunks.
    Done { records: u64, chunks: u64 },
    /// A record came before its predecessor: nothing handed over counts.
    Unsorted,
}

/// Called with bytes done and bytes in all, for a progress bar.
pub type Progress<'p> = &'p mut dyn FnMut(u64, u64);

/// Bytes per chunk, and chunks parsed in parallel per batch.
pub const CHUNK: usize = 1 << 20;
const BATCH: usize = 4;

/// A log for the fast reader: its bytes, its format, and the size of the
/// chunks they are parsed in.
#[derive(Clone, Debug)]
pub struct LogInput {
    input: Input,
    chunk: usize,
    format: LogFormat,
    /// JSON keys no kind declares, each with the first file offset a pass
    /// met it at (for [`log_warnings`]).
    unknown_keys: Arc<Mutex<Vec<(String, u64)>>>,
}

impl LogInput {
    /// The log at `path`, read in chunks of [`CHUNK`] bytes (a pipe or FIFO
    /// is copied once, see [`Input::open`]), in the format its extension
    /// names ([`LogFormat::from_path`]; CSV for any other).
    pub fn open(path: &Path) -> Result<LogInput, Fallback> {
        let input = Input::open(path).map_err(|_| Fallback::new("cannot read the log"))?;
        Ok(LogInput {
            input,
            chunk: CHUNK,
            format: LogFormat::from_path(path).unwrap_or(LogFormat::Csv),
            unknown_keys: Arc::default(),
        })
    }

    /// A CSV log already in memory, read in chunks of `chunk` bytes (at
    /// least one): tests and fuzzing use small chunks so that records and
    /// quoted cells cross chunk boundaries.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>, chunk: usize) -> LogInput {
        LogInput {
            input: Input::from_bytes(bytes),
            chunk: chunk.max(1),
            format: LogFormat::Csv,
            unknown_keys: Arc::default(),
        }
    }

    /// The same log read as `format`.
    #[must_use]
    pub fn with_format(self, format: LogFormat) -> LogInput {
        LogInput { format, ..self }
    }

    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// Keeps the first place of each JSON key no kind declares.
    fn note_unknown_keys(&self, found: &[(String, u64)]) -> Result<(), Fallback> {
        if found.is_empty() {
            return Ok(());
        }
        let mut known = self
            .unknown_keys
            .lock()
            .map_err(|_| Fallback::new("internal: a reader thread failed"))?;
        for (name, at) in found {
            match known.iter_mut().find(|(n, _)| n == name) {
                Some((_, first)) => *first = (*first).min(*at),
                None => known.push((name.clone(), *at)),
            }
        }
        Ok(())
    }
}

/// How far into a JSON Lines log a key no kind declares may first appear
/// for [`log_warnings`] to give the careful reader's warning (the log is
/// read up to there again); past it, the fast path steps aside.
const UNKNOWN_KEY_REACH: u64 = 64 << 20;

/// Warnings of the careful reader about a log the fast reader read, and
/// the start of the log they point into (for their snippets and places).
#[derive(Clone, Debug)]
pub struct LogWarnings {
    pub source: SourceFile,
    pub warnings: Vec<InputWarning>,
}

/// What the careful reader would warn about in a log the fast reader
/// accepts: `meed::unknown_column` once per CSV column or JSON key no kind
/// declares (LANGUAGE.md: such columns are ignored, with one warning).
/// `name` names the log in messages, as the careful reader's source does.
/// For JSON Lines, call it after a pass over the whole log (the keys are
/// found there).
///
/// The warnings are the careful reader's own, made from the start of the
/// log: up to the line after the header, or after the line where the last
/// key no kind declares first appears (the lines a snippet there shows),
/// so they print the same.
pub fn log_warnings(log: &LogInput, schema: &Schema, name: &str) -> Result<LogWarnings, Fallback> {
    let none = || LogWarnings {
        source: SourceFile::new(name, ""),
        warnings: Vec::new(),
    };
    let (layout, end, total) = open(log, schema)?;
    let from = match log.format {
        LogFormat::Csv if layout.undeclared => end,
        LogFormat::Csv => return Ok(none()),
        LogFormat::JsonLines => {
            let known = log
                .unknown_keys
                .lock()
                .map_err(|_| Fallback::new("internal: a reader thread failed"))?;
            match known.iter().map(|(_, at)| *at).max() {
                Some(last) if last <= UNKNOWN_KEY_REACH => last,
                Some(_) => return Err(Fallback::new("a key no kind declares, far into the log")),
                None => return Ok(none()),
            }
        }
    };
    // From `from`: the rest of its line, and the next one.
    let failed = |_| Fallback::new("cannot read the log");
    let mut head = vec![0u8; to_usize(from)];
    log.input.read_at(&mut head, 0).map_err(failed)?;
    let mut block = vec![0u8; 1 << 12];
    let mut ends = usize::from(log.format == LogFormat::JsonLines) + 1;
    while (head.len() as u64) < total && head.len() < to_usize(from) + 2 * MAX_LINE_BYTES + 4 {
        let n = log
            .input
            .read_at(&mut block, head.len() as u64)
            .map_err(failed)?;
        let mut read = block.get(..n).unwrap_or(&[]);
        while let Some(i) = read.iter().position(|&b| b == b'\n') {
            head.extend_from_slice(read.get(..=i).unwrap_or(&[]));
            read = read.get(i + 1..).unwrap_or(&[]);
            ends -= 1;
            if ends == 0 {
                break;
            }
        }
        if ends == 0 || n == 0 {
            break;
        }
        head.extend_from_slice(read);
    }
    let source = decode(name, head).map_err(|_| Fallback::new("not UTF-8"))?;
    let warnings = column_warnings(schema, &source, log.format);
    Ok(LogWarnings { source, warnings })
}

/// A record as [`read_records`] returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedRecord {
    pub at: DateTime<Utc>,
    pub id: String,
    pub who: String,
    pub kind: usize,
    pub fields: Vec<Value>,
}

/// Every record of the log, in `(at, id)` order, as the streaming evaluator
/// would get them (sorted pass, then the unsorted one if needed): for
/// comparing the fast reader with the careful one.
pub fn read_records(log: &LogInput, schema: &Schema) -> Result<Vec<OwnedRecord>, Fallback> {
    let owned = |r: &StreamRecord<'_>| OwnedRecord {
        at: r.at,
        id: r.id.to_string(),
        who: r.who_name.to_string(),
        kind: r.kind,
        fields: r.fields.to_vec(),
    };
    let mut records = Vec::new();
    let pass = stream_sorted(
        log,
        schema,
        &mut |r| {
            records.push(owned(r));
            Ok(())
        },
        &mut |_, _| {},
    )?;
    if let Pass::Done { .. } = pass {
        return Ok(records);
    }
    records.clear();
    stream_unsorted(
        log,
        schema,
        &mut |r| {
            records.push(owned(r));
            Ok(())
        },
        &mut |_, _| {},
    )?;
    Ok(records)
}

/// Streams a log that is in `(at, id)` order into `push`.
pub fn stream_sorted(
    log: &LogInput,
    schema: &Schema,
    push: &mut dyn FnMut(&StreamRecord<'_>) -> Result<(), Fallback>,
    progress: Progress<'_>,
) -> Result<Pass, Fallback> {
    let (layout, start, total) = open(log, schema)?;
    let mut people = Interner::default();
    let mut fingerprints: Vec<u64> = Vec::with_capacity(to_usize(total / 24));
    let mut ahead: Vec<u32> = Vec::with_capacity(AHEAD);
    let mut last: Option<(DateTime<Utc>, Vec<u8>)> = None;
    let mut records = 0u64;
    let mut chunks = 0u64;
    let mut unsorted = false;
    read_chunks(log, &layout, start, &mut |chunk| {
        chunks += 1;
        for (index, raw) in chunk.records.iter().enumerate() {
            let id = chunk.text(raw.id);
            if let Some((at, prev)) = &last
                && (raw.at, id.as_bytes()) < (*at, prev.as_slice())
            {
                unsorted = true;
                return Ok(false);
            }
            match &mut last {
                Some((at, prev)) => {
                    *at = raw.at;
                    prev.clear();
                    prev.extend_from_slice(id.as_bytes());
                }
                None => last = Some((raw.at, id.as_bytes().to_vec())),
            }
            fingerprints.push(raw.fingerprint);
            // Every `AHEAD` records, the people of the next batch but one:
            // their look-ups, and the engine's reads of their state, are
            // independent loads that overlap.
            ahead.clear();
            if index % AHEAD == 0 {
                let batch = chunk.records.iter().skip(index + AHEAD).take(AHEAD);
                ahead.extend(batch.filter_map(|r| people.known(chunk.text(r.who), r.who_hash)));
            }
            let (who, who_name) = people.intern(chunk.text(raw.who), raw.who_hash)?;
            let fields = fields_of(&layout, chunk, raw.kind, raw.fields)?;
            push(&StreamRecord {
                ahead: &ahead,
                at: raw.at,
                id,
                who,
                who_name,
                kind: raw.kind as usize,
                fields,
            })?;
            records += 1;
        }
        progress(chunk.offset + chunk.data.len() as u64, total);
        Ok(true)
    })?;
    if unsorted {
        return Ok(Pass::Unsorted);
    }
    if records == 0 {
        return Err(Fallback::new("no records"));
    }
    check_unique(log, &layout, start, fingerprints)?;
    Ok(Pass::Done { records, chunks })
}

/// Streams a log in any order into `push`, in `(at, id)` order: sorts
/// compact keys, then reads each line again where it stands.
pub fn stream_unsorted(
    log: &LogInput,
    schema: &Schema,
    push: &mut dyn FnMut(&StreamRecord<'_>) -> Result<(), Fallback>,
    progress: Progress<'_>,
) -> Result<u64, Fallback> {
    let (layout, start, total) = open(log, schema)?;
    let mut keys: Vec<Key> = Vec::with_capacity(to_usize(total / 48));
    let mut ids: Vec<u8> = Vec::new();
    let mut fingerprints: Vec<u64> = Vec::with_capacity(to_usize(total / 48));
    read_chunks(log, &layout, start, &mut |chunk| {
        for raw in &chunk.records {
            let id = chunk.text(raw.id).as_bytes();
            keys.push(Key {
                at: raw.at,
                id: ids.len() as u64,
                id_len: u32::try_from(id.len()).map_err(|_| Fallback::new("a huge id"))?,
                line: chunk.offset + u64::from(raw.line.0),
                line_len: raw.line.1,
            });
            ids.extend_from_slice(id);
            fingerprints.push(raw.fingerprint);
        }
        progress((chunk.offset + chunk.data.len() as u64) / 2, total);
        Ok(true)
    })?;
    if keys.is_empty() {
        return Err(Fallback::new("no records"));
    }
    check_unique(log, &layout, start, fingerprints)?;
    let id_of = |k: &Key| {
        ids.get(to_usize(k.id)..to_usize(k.id) + k.id_len as usize)
            .unwrap_or(&[])
    };
    keys.par_sort_unstable_by(|a, b| record_order((a.at, id_of(a)), (b.at, id_of(b))));
    let mut people = Interner::default();
    let mut line = Vec::new();
    let mut scratch = Scratch::new(&layout);
    let mut values = Vec::new();
    let count = keys.len() as u64;
    for (done, key) in keys.iter().enumerate() {
        line.resize(key.line_len as usize, 0);
        let read = log
            .input
            .read_at(&mut line, key.line)
            .map_err(|_| Fallback::new("cannot read the log"))?;
        if read != line.len() {
            return Err(Fallback::new("the log changed"));
        }
        let text = std::str::from_utf8(&line).map_err(|_| Fallback::new("not UTF-8"))?;
        values.clear();
        scratch.clear_unescaped();
        let raw = parse_line(&layout, text, 0, &mut scratch, &mut values)?
            .0
            .ok_or_else(|| Fallback::new("a line changed"))?;
        let unescaped = scratch.unescaped();
        let slice = |span: (u32, u32)| parse::text_of(text, unescaped, span);
        let (who, who_name) = people.intern(slice(raw.who), raw.who_hash)?;
        push(&StreamRecord {
            ahead: &[],
            at: raw.at,
            id: slice(raw.id),
            who,
            who_name,
            kind: raw.kind as usize,
            fields: &values,
        })?;
        if done % 65_536 == 0 {
            progress(total / 2 + total / 2 * done as u64 / count, total);
        }
    }
    progress(total, total);
    Ok(count)
}

/// A record's place in the sorted order, and where to read it again.
struct Key {
    at: DateTime<Utc>,
    /// Offset of the id in the id arena.
    id: u64,
    id_len: u32,
    /// File offset and length of the line.
    line: u64,
    line_len: u32,
}

/// People by name, numbered in order of first appearance.
#[derive(Default)]
struct Interner {
    /// Open addressing, a power of two long (at most 3/4 full).
    slots: Vec<Slot>,
    names: Vec<Arc<str>>,
    /// Only for the impossible case of a number without a name.
    empty: Arc<str>,
}

/// One person in the table: the name's hash, and a short name (up to 16
/// bytes, most names) inline, so that a look-up touches one cache line.
#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    /// The person's index + 1; 0 for an empty slot.
    who: u32,
    len: u32,
    short: [u8; SHORT],
}

const SHORT: usize = 16;

impl Slot {
    /// `short` is the name padded with zeros (fixed size: compared
    /// without a call to `memcmp`).
    fn holds(&self, name: &str, short: &[u8; SHORT], hash: u64, names: &[Arc<str>]) -> bool {
        if self.hash != hash || self.len as usize != name.len() {
            return false;
        }
        if name.len() <= SHORT {
            return self.short == *short;
        }
        names
            .get(self.who.wrapping_sub(1) as usize)
            .is_some_and(|n| **n == *name)
    }
}

impl Interner {
    /// The slot holding `name`, or the empty slot where it would go
    /// (`None` only for an empty table; the table is never full), with the
    /// name padded to the short form.
    #[inline]
    fn find(&self, name: &str, hash: u64) -> (Option<usize>, [u8; SHORT]) {
        let mut short = [0u8; SHORT];
        if let Some(dst) = short.get_mut(..name.len()) {
            dst.copy_from_slice(name.as_bytes());
        }
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = spread(hash) & mask;
        loop {
            match self.slots.get(i) {
                Some(slot) if slot.who != 0 && !slot.holds(name, &short, hash, &self.names) => {
                    i = (i + 1) & mask;
                }
                Some(_) => return (Some(i), short),
                None => return (None, short),
            }
        }
    }

    /// The number of a person already seen, without adding anyone.
    fn known(&self, name: &str, hash: u64) -> Option<u32> {
        let (slot, _) = self.find(name, hash);
        let who = self.slots.get(slot?)?.who;
        who.checked_sub(1)
    }

    /// The person's number and name, from the name and its hash
    /// ([`crate::input::hash::fingerprint`], computed by the parser). A
    /// new name is checked once: one the careful reader refuses
    /// (`meed::unsafe_name`) steps aside.
    fn intern(&mut self, name: &str, hash: u64) -> Result<(u32, &Arc<str>), Fallback> {
        if self.slots.len() < (self.names.len() + 1) * 4 / 3 + 1 {
            self.grow();
        }
        let (index, short) = self.find(name, hash);
        let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let who = match index.and_then(|i| self.slots.get_mut(i)) {
            Some(slot) if slot.who != 0 => slot.who - 1,
            Some(slot) => {
                if name_problem(name).is_some() {
                    return Err(Fallback::new("an unsafe name"));
                }
                *slot = Slot {
                    hash,
                    who: next.saturating_add(1),
                    len: u32::try_from(name.len()).unwrap_or(u32::MAX),
                    short,
                };
                self.names.push(Arc::from(name));
                next
            }
            None => 0,
        };
        Ok(match self.names.get(who as usize) {
            Some(name) => (who, name),
            None => (who, &self.empty),
        })
    }

    /// Doubles the table (at least 1024 slots) and places everyone again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        let mask = size - 1;
        let mut slots = vec![Slot::default(); size];
        for slot in self.slots.iter().filter(|s| s.who != 0) {
            let mut i = spread(slot.hash) & mask;
            while slots.get(i).is_some_and(|s| s.who != 0) {
                i = (i + 1) & mask;
            }
            if let Some(s) = slots.get_mut(i) {
                *s = *slot;
            }
        }
        self.slots = slots;
    }
}

/// A slot index from a hash: its high bits, well mixed by the fingerprint.
/// How many records ahead the engine reads people's state, and in batches
/// of how many (see [`StreamRecord::ahead`]).
const AHEAD: usize = 8;

fn spread(hash: u64) -> usize {
    (hash >> 32) as usize ^ (hash as usize)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn fields_of<'c>(
    layout: &Layout,
    chunk: &'c Chunk,
    kind: u32,
    start: u32,
) -> Result<&'c [Value], Fallback> {
    let n = layout
        .kinds
        .get(kind as usize)
        .map_or(0, |k| k.fields.len());
    chunk
        .values
        .get(start as usize..start as usize + n)
        .ok_or_else(|| Fallback::new("internal: fields out of range"))
}

/// The log's layout, where its records start, and its size.
fn open(log: &LogInput, schema: &Schema) -> Result<(Layout, u64, u64), Fallback> {
    let failed = |_| Fallback::new("cannot read the log");
    let total = log.input.len().map_err(failed)?;
    if log.format == LogFormat::JsonLines {
        // No header: records start after a byte order mark, if any.
        let mut bom = [0u8; 3];
        let n = log.input.read_at(&mut bom, 0).map_err(failed)?;
        let start = if bom.get(..n) == Some(b"\xEF\xBB\xBF".as_slice()) {
            3
        } else {
            0
        };
        return Ok((Layout::for_json_lines(schema)?, start, total));
    }
    // The header, up to its line end: at most a line's length (and a byte
    // order mark) is read looking for it.
    let mut header = Vec::new();
    let mut block = vec![0u8; 1 << 12];
    let end = loop {
        let n = log
            .input
            .read_at(&mut block, header.len() as u64)
            .map_err(failed)?;
        let read = block.get(..n).unwrap_or(&[]);
        if let Some(i) = read.iter().position(|&b| b == b'\n') {
            header.extend_from_slice(read.get(..=i).unwrap_or(&[]));
            break header.len();
        }
        header.extend_from_slice(read);
        if n < block.len() {
            break header.len();
        }
        if header.len() > MAX_LINE_BYTES + 4 {
            return Err(Fallback::new("a header line over the limit"));
        }
    };
    let body = header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&header);
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    if body.len() > MAX_LINE_BYTES {
        return Err(Fallback::new("a header line over the limit"));
    }
    Ok((Layout::from_header(schema, body)?, end as u64, total))
}

/// Reads the log from `start` in chunks of whole records, parses them in
/// parallel (a batch at a time, on another thread than the consumer's) and
/// hands them to `consume` in file order until it returns `false`.
fn read_chunks(
    log: &LogInput,
    layout: &Layout,
    start: u64,
    consume: &mut dyn FnMut(&Chunk) -> Result<bool, Fallback>,
) -> Result<(), Fallback> {
    let (sender, receiver) = sync_channel::<Result<Vec<Chunk>, Fallback>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut splitter = Splitter {
                log,
                offset: start,
                carry: Vec::new(),
                carry_offset: start,
            };
            let mut done = false;
            while !done {
                let mut raw: Vec<(Vec<u8>, u64)> = Vec::with_capacity(BATCH);
                while raw.len() < BATCH {
                    match splitter.next_chunk() {
                        Ok(Some(chunk)) => raw.push(chunk),
                        Ok(None) => {
                            done = true;
                            break;
                        }
                        Err(e) => {
                            let _ = sender.send(Err(e));
                            return;
                        }
                    }
                }
                let parsed: Result<Vec<Chunk>, Fallback> = raw
                    .into_par_iter()
                    .map(|(data, at)| parse_chunk(layout, data, at))
                    .collect();
                let failed = parsed.is_err();
                if sender.send(parsed).is_err() || failed {
                    return;
                }
            }
        });
        for batch in receiver {
            for chunk in batch? {
                log.note_unknown_keys(&chunk.unknown_keys)?;
                if !consume(&chunk)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    })
}

/// Cuts the log into chunks that end where a record ends: at a line end
/// outside quotes.
///
/// Where quotes stand is told by their parity from the first record on:
/// in a log that follows RFC 4180 a line end is inside a quoted cell
/// exactly when an odd number of quotes precede it. A log that does not
/// (a stray quote inside a cell) may be cut in the wrong place, but then
/// the parser meets that quote, or a chunk ending inside quotes, and the
/// fast path steps aside: no chunk is ever taken for whole records unless
/// parsing it from a record start ended at a record end.
struct Splitter<'l> {
    log: &'l LogInput,
    /// Where the next read starts.
    offset: u64,
    /// The start of a record not yet handed over, read already.
    carry: Vec<u8>,
    /// The file offset of `carry[0]`.
    carry_offset: u64,
}

impl Splitter<'_> {
    /// The next run of whole records (the last one may lack its line end)
    /// and its file offset; `None` at the end of the log.
    fn next_chunk(&mut self) -> Result<Option<(Vec<u8>, u64)>, Fallback> {
        let chunk = self.log.chunk;
        let at = self.carry_offset;
        let mut data = std::mem::take(&mut self.carry);
        let mut scanned = 0;
        let mut quoted = false;
        loop {
            let filled = data.len();
            data.resize(filled + chunk, 0);
            let read = self
                .log
                .input
                .read_at(data.get_mut(filled..).unwrap_or(&mut []), self.offset)
                .map_err(|_| Fallback::new("cannot read the log"))?;
            self.offset += read as u64;
            data.truncate(filled + read);
            if read < chunk {
                // The end of the log: the rest is the last chunk.
                self.carry_offset = self.offset;
                return Ok((!data.is_empty()).then_some((data, at)));
            }
            let end = match self.log.format {
                // A JSON string holds no line break: every `\n` ends a record.
                LogFormat::JsonLines => data
                    .get(scanned..)
                    .and_then(|tail| tail.iter().rposition(|&b| b == b'\n'))
                    .map(|i| scanned + i),
                LogFormat::Csv => last_record_end(&data, scanned, &mut quoted),
            };
            if let Some(end) = end {
                self.carry = data.split_off(end + 1);
                self.carry_offset = at + data.len() as u64;
                return Ok(Some((data, at)));
            }
            scanned = data.len();
            // No record ends in three chunks: longer than any line meed
            // reads, or quoted cells the parity cannot place. The careful
            // reader tells which.
            if data.len() >= 3 * chunk.max(MAX_LINE_BYTES.min(CHUNK)) {
                return Err(Fallback::new("no record end within three chunks"));
            }
        }
    }
}

/// The last line end of `data` outside quotes, looking from `from` on, with
/// `quoted` telling whether `data[from]` is inside quotes (updated to the
/// state at the end of `data`).
///
/// The quotes are counted (a loop the compiler vectorizes), which tells
/// the state at the end; the line end is then looked for backwards from
/// there, usually within the last record, instead of following every quote
/// of the chunk forwards on the thread that feeds the parsers.
fn last_record_end(data: &[u8], from: usize, quoted: &mut bool) -> Option<usize> {
    let tail = data.get(from..)?;
    let quotes = tail.iter().filter(|&&b| b == b'"').count();
    let start_quoted = *quoted;
    *quoted = start_quoted ^ (quotes % 2 == 1);
    if !start_quoted && quotes == 0 {
        return tail.iter().rposition(|&b| b == b'\n').map(|i| from + i);
    }
    // Going backwards, `inside` is the state just after byte `i`.
    let mut inside = *quoted;
    for (i, &b) in tail.iter().enumerate().rev() {
        match b {
            b'"' => inside = !inside,
            b'\n' if !inside => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// Fails if two records share an id: sorts the fingerprints, and reads the
/// ids of any shared fingerprint again to tell a real duplicate from a
/// collision.
fn check_unique(
    log: &LogInput,
    layout: &Layout,
    start: u64,
    mut fingerprints: Vec<u64>,
) -> Result<(), Fallback> {
    fingerprints.par_sort_unstable();
    let shared: HashSet<u64, FxBuild> = fingerprints
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if a == b => Some(*a),
            _ => None,
        })
        .collect();
    drop(fingerprints);
    if shared.is_empty() {
        return Ok(());
    }
    let mut seen: HashSet<Vec<u8>, FxBuild> = HashSet::default();
    let mut duplicate = false;
    read_chunks(log, layout, start, &mut |chunk| {
        for raw in &chunk.records {
            if shared.contains(&raw.fingerprint)
                && !seen.insert(chunk.text(raw.id).as_bytes().to_vec())
            {
                duplicate = true;
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    if duplicate {
        Err(Fallback::new("a duplicate id"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "a failing index is a failing test")]
mod tests {
    use proptest::prelude::*;

    use super::last_record_end;

    /// The last line end outside quotes, following every quote forwards.
    fn forwards(data: &[u8], from: usize, quoted: &mut bool) -> Option<usize> {
        let mut last = None;
        for (i, &b) in data.iter().enumerate().skip(from) {
            match b {
                b'"' => *quoted = !*quoted,
                b'\n' if !*quoted => last = Some(i),
                _ => {}
            }
        }
        last
    }

    proptest! {
        #[test]
        fn record_ends_are_found_backwards_as_forwards(
            data in "[a\"\n,]{0,40}",
            from in 0usize..40,
            quoted: bool,
        ) {
            let data = data.as_bytes();
            let from = from.min(data.len());
            let (mut a, mut b) = (quoted, quoted);
            prop_assert_eq!(last_record_end(data, from, &mut a), forwards(data, from, &mut b));
            prop_assert_eq!(a, b);
        }
    }
}
