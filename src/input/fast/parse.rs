//! Parsing a chunk of CSV lines into compact records, on any thread.
//!
//! Cells are byte ranges of the chunk, never a `String` each; only the
//! fields of the record's own kind become values. A line the fast path is
//! not sure about (quotes, a ragged row, a bad value) stops it: the careful
//! reader then reads the whole file and reports every problem.

use chrono::{DateTime, NaiveDate, Utc};

use super::Fallback;
use super::layout::Layout;
use crate::input::cell::{parse_cell, parse_timestamp};
use crate::input::hash::fingerprint;
use crate::types::units::Type;
use crate::value::Value;

/// One record of a chunk: positions are byte offsets into the chunk.
#[derive(Clone, Copy, Debug)]
pub struct RawRecord {
    pub at: DateTime<Utc>,
    pub id: (u32, u32),
    pub who: (u32, u32),
    pub kind: u32,
    /// Where the record's values start in [`Chunk::values`].
    pub fields: u32,
    pub fingerprint: u64,
    /// The whole line: start and length.
    pub line: (u32, u32),
}

/// A parsed chunk of whole lines.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The bytes, from the start of a line to the end of one.
    pub data: Vec<u8>,
    /// The file offset of `data[0]`.
    pub offset: u64,
    pub records: Vec<RawRecord>,
    pub values: Vec<Value>,
}

impl Chunk {
    /// The text of a byte range (the chunk was checked to be UTF-8).
    pub fn text(&self, (start, end): (u32, u32)) -> &str {
        self.data
            .get(start as usize..end as usize)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// Parses every line of `data`.
pub fn parse_chunk(layout: &Layout, data: Vec<u8>, offset: u64) -> Result<Chunk, Fallback> {
    let text = std::str::from_utf8(&data).map_err(|_| Fallback::new("not UTF-8"))?;
    let mut records = Vec::with_capacity(data.len() / 48);
    let mut values = Vec::with_capacity(data.len() / 24);
    let mut cells = Vec::with_capacity(layout.columns);
    let mut dates = DateCache::default();
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        if let Some(record) = parse_line(
            layout,
            line,
            line_start,
            &mut cells,
            &mut dates,
            &mut values,
        )? {
            records.push(record);
        }
    }
    Ok(Chunk {
        data,
        offset,
        records,
        values,
    })
}

/// Remembers the last date read: logs in time order repeat it.
#[derive(Default)]
pub struct DateCache {
    last: Option<([u8; 10], NaiveDate)>,
}

/// Parses one line (with its line end, if any) starting at byte `base` of
/// its chunk; `None` for a blank line or a row of empty cells.
pub fn parse_line(
    layout: &Layout,
    line: &str,
    base: usize,
    cells: &mut Vec<(usize, usize)>,
    dates: &mut DateCache,
    values: &mut Vec<Value>,
) -> Result<Option<RawRecord>, Fallback> {
    let body = line.trim_end_matches(['\n', '\r']);
    if body.is_empty() {
        return Ok(None);
    }
    if body.contains(['"', '\r', '\n']) {
        return Err(Fallback::new("quoted cells"));
    }
    cells.clear();
    let mut cell_start = 0;
    for (i, b) in body.bytes().enumerate() {
        if b == b',' {
            cells.push((cell_start, i));
            cell_start = i + 1;
        }
    }
    cells.push((cell_start, body.len()));
    let cell = |column: usize| -> (usize, usize, &str) {
        let (s, e) = cells.get(column).copied().unwrap_or((0, 0));
        let raw = body.get(s..e).unwrap_or("");
        let trimmed = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        (s + lead, s + lead + trimmed.len(), trimmed)
    };
    if cells.len() != layout.columns {
        if body.split(',').all(|c| c.trim().is_empty()) {
            return Ok(None);
        }
        return Err(Fallback::new("a ragged row"));
    }
    let (id_s, id_e, id) = cell(layout.id);
    let (who_s, who_e, who) = cell(layout.who);
    let (_, _, kind) = cell(layout.kind);
    let (_, _, at) = cell(layout.at);
    if id.is_empty() || who.is_empty() || kind.is_empty() || at.is_empty() {
        if body.split(',').all(|c| c.trim().is_empty()) {
            return Ok(None);
        }
        return Err(Fallback::new("a missing required cell"));
    }
    let kind_index = layout
        .kind_index(kind)
        .ok_or_else(|| Fallback::new("an unknown kind"))?;
    let at = timestamp(at, layout, dates)?;
    let fields = u32::try_from(values.len()).map_err(|_| Fallback::new("chunk too large"))?;
    let kind_layout = layout
        .kinds
        .get(kind_index)
        .ok_or_else(|| Fallback::new("an unknown kind"))?;
    for (column, ty) in &kind_layout.fields {
        let (_, _, text) = cell(*column);
        values.push(value(ty, text, layout)?);
    }
    let pos = |n: usize| u32::try_from(base + n).map_err(|_| Fallback::new("chunk too large"));
    Ok(Some(RawRecord {
        at,
        id: (pos(id_s)?, pos(id_e)?),
        who: (pos(who_s)?, pos(who_e)?),
        kind: kind_index as u32,
        fields,
        fingerprint: fingerprint(id.as_bytes()),
        line: (pos(0)?, u32::try_from(line.len()).unwrap_or(u32::MAX)),
    }))
}

/// `2027-01-05T10:00:00Z` by hand; anything else through the full parser.
fn timestamp(
    text: &str,
    layout: &Layout,
    dates: &mut DateCache,
) -> Result<DateTime<Utc>, Fallback> {
    let b = text.as_bytes();
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let shaped = b.len() == 20
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':')
        && b.get(19) == Some(&b'Z');
    if shaped && let (Some(h), Some(m), Some(s)) = (two(11), two(14), two(17)) {
        let mut key = [0u8; 10];
        key.copy_from_slice(b.get(..10).unwrap_or(&[0; 10]));
        let date = match dates.last {
            Some((k, d)) if k == key => Some(d),
            _ => {
                let year = (|| Some(two(0)? * 100 + two(2)?))();
                let date = match (year, two(5), two(8)) {
                    (Some(y), Some(mo), Some(d)) => {
                        NaiveDate::from_ymd_opt(i32::try_from(y).unwrap_or(0), mo, d)
                    }
                    _ => None,
                };
                if let Some(d) = date {
                    dates.last = Some((key, d));
                }
                date
            }
        };
        if let Some(instant) = date.and_then(|d| d.and_hms_opt(h, m, s)) {
            return Ok(instant.and_utc());
        }
    }
    parse_timestamp(text, layout.tz).map_err(|_| Fallback::new("a bad timestamp"))
}

/// A field's value: whole numbers and booleans by hand, the rest through
/// the careful reader's cell parser.
fn value(ty: &Type, text: &str, layout: &Layout) -> Result<Value, Fallback> {
    match ty {
        Type::Int if !text.is_empty() && text.len() <= 18 => {
            let (negative, digits) = match text.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, text),
            };
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                let n = digits
                    .bytes()
                    .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
                return Ok(Value::Int(if negative { -n } else { n }));
            }
        }
        Type::Bool if text == "true" => return Ok(Value::Bool(true)),
        Type::Bool if text == "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    parse_cell(ty, text, layout.tz).map_err(|_| Fallback::new("a bad value"))
}
