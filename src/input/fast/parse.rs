//! Parsing a chunk of CSV or JSON Lines records into compact records, on
//! any thread.
//!
//! Cells are byte ranges of the chunk, never a `String` each (but for the
//! rare quoted id or name with doubled quotes or JSON escapes); only the
//! fields of the record's own kind become values. Quoted cells follow RFC
//! 4180; a JSON object's values are placed in columns by key
//! ([`super::json`]), and from there both forms are read alike. A line the
//! fast path is not sure about (a stray quote, a ragged row, a bad value)
//! stops it: the careful reader then reads the whole file and reports every
//! problem.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::Fallback;
use super::json::{UnknownKeys, scan_object};
use super::layout::Layout;
use crate::input::cell::{parse_cell, parse_timestamp};
use crate::input::hash::fingerprint;
use crate::input::{LogFormat, MAX_LINE_BYTES};
use crate::units::Type;
use crate::value::{Money, Value};

/// One record of a chunk: positions are byte offsets into the chunk (or,
/// with [`UNESCAPED`] set, into its unescaped texts).
#[derive(Clone, Copy, Debug)]
pub struct RawRecord {
    pub at: DateTime<Utc>,
    pub id: (u32, u32),
    pub who: (u32, u32),
    pub kind: u32,
    /// Where the record's values start in [`Chunk::values`].
    pub fields: u32,
    pub fingerprint: u64,
    /// The person's name hashed here, on a parsing thread, so that the
    /// thread that evaluates only looks it up.
    pub who_hash: u64,
    /// The whole record (one line, or more when a quoted cell holds line
    /// breaks): start and length.
    pub line: (u32, u32),
}

/// Set on a span's start when the text is a quoted cell with doubled
/// quotes, unescaped into [`Chunk::unescaped`] (chunks are far smaller
/// than 2 GiB, so no real offset has this bit).
pub const UNESCAPED: u32 = 1 << 31;

/// A parsed chunk of whole records.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The text, from the start of a record to the end of one (checked to
    /// be UTF-8 once, so cells are sliced without checking again).
    pub data: String,
    /// The ids and names whose quoted cells held doubled quotes, unescaped.
    pub unescaped: String,
    /// The file offset of `data[0]`.
    pub offset: u64,
    pub records: Vec<RawRecord>,
    pub values: Vec<Value>,
    /// JSON keys no kind declares, each with the file offset where this
    /// chunk first has it.
    pub unknown_keys: Vec<(String, u64)>,
}

impl Chunk {
    /// The text of a span of a record.
    pub fn text(&self, span: (u32, u32)) -> &str {
        text_of(&self.data, &self.unescaped, span)
    }
}

/// The text of `span`: a range of `data`, or of `unescaped` when the span
/// is marked [`UNESCAPED`].
pub fn text_of<'t>(data: &'t str, unescaped: &'t str, (start, end): (u32, u32)) -> &'t str {
    let (text, start, end) = if start & UNESCAPED == 0 {
        (data, start, end)
    } else {
        (unescaped, start & !UNESCAPED, end & !UNESCAPED)
    };
    text.get(start as usize..end as usize).unwrap_or("")
}

/// Parses every record of `data`.
pub fn parse_chunk(layout: &Layout, data: Vec<u8>, offset: u64) -> Result<Chunk, Fallback> {
    let data = String::from_utf8(data).map_err(|_| Fallback::new("not UTF-8"))?;
    let mut records = Vec::with_capacity(data.len() / 48);
    let mut values = Vec::with_capacity(data.len() / 24);
    let mut scratch = Scratch::new(layout);
    let mut start = 0usize;
    while start < data.len() {
        let (record, next) = parse_line(layout, &data, start, &mut scratch, &mut values)?;
        if let Some(record) = record {
            records.push(record);
        }
        start = next;
    }
    let unknown_keys = scratch
        .unknown
        .into_iter()
        .map(|(name, at)| (name, offset + at as u64))
        .collect();
    Ok(Chunk {
        data,
        unescaped: scratch.unescaped,
        offset,
        records,
        values,
        unknown_keys,
    })
}

/// Which cells of a line hold escapes to undo: bit `c` for cell `c` (a
/// quoted cell past the 64th steps aside). A quoted cell's range is the text inside its
/// quotes; an escaped one holds doubled quotes (`"a ""b"""`) to unescape,
/// or, in JSON Lines, is a whole string with escapes (`"a\"b"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quotes {
    pub escaped: u64,
}

/// What parsing keeps from line to line: the cells of the current line,
/// the last date read (logs in time order repeat it), recent texts (a
/// `repo` column holds a few values over and over: one allocation each)
/// and unescaped ids and names.
pub struct Scratch {
    cells: Vec<(usize, usize)>,
    date: Option<([u8; 10], NaiveDate)>,
    texts: Vec<Arc<str>>,
    unescaped: String,
    /// JSON keys no kind declares: the current line's, and the first place
    /// of each.
    line_unknown: Vec<(usize, usize)>,
    unknown: UnknownKeys,
}

impl Scratch {
    pub fn new(layout: &Layout) -> Scratch {
        Scratch {
            cells: Vec::with_capacity(layout.columns),
            date: None,
            texts: Vec::new(),
            unescaped: String::new(),
            line_unknown: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// The unescaped ids and names of the lines parsed so far.
    pub fn unescaped(&self) -> &str {
        &self.unescaped
    }

    pub fn clear_unescaped(&mut self) {
        self.unescaped.clear();
    }
}

/// Recent texts kept by [`Scratch`].
const TEXTS: usize = 16;

/// A cell's range in the text (`None` when unescaped) and its text.
type Cell<'t> = (Option<(usize, usize)>, Cow<'t, str>);

/// The text of cell `column`, trimmed, and its range when it is a range
/// of `text` (not for a quoted cell with doubled quotes, unescaped).
#[inline(always)]
fn cell_text<'t>(
    text: &'t str,
    cells: &[(usize, usize)],
    quotes: Quotes,
    format: LogFormat,
    column: usize,
) -> Result<Cell<'t>, Fallback> {
    let (s, e) = cells.get(column).copied().unwrap_or((0, 0));
    let raw = text.get(s..e).unwrap_or("");
    if quotes.escaped != 0 && quotes.escaped >> (column & 63) & 1 == 1 && column < 64 {
        return Ok((None, Cow::Owned(unescape(raw, format)?)));
    }
    let (s, e, t) = trimmed(s, raw);
    Ok((Some((s, e)), Cow::Borrowed(t)))
}

/// The text of a quoted cell with doubled quotes, each `""` as `"`, or of
/// a JSON string with escapes, as `serde_json` reads it (the careful
/// reader's way); trimmed.
#[cold]
fn unescape(inner: &str, format: LogFormat) -> Result<String, Fallback> {
    match format {
        LogFormat::Csv => Ok(inner.replace("\"\"", "\"").trim().to_string()),
        LogFormat::JsonLines => serde_json::from_str::<String>(inner)
            .map(|s| s.trim().to_string())
            .map_err(|_| Fallback::new("a bad JSON string")),
    }
}

/// Surrounding white space removed as the careful reader does (`str::trim`),
/// with the start offset moved accordingly.
#[inline(always)]
fn trimmed(s: usize, raw: &str) -> (usize, usize, &str) {
    let plain = |b: Option<&u8>| b.is_none_or(|&b| b > b' ' && b < 0x80);
    if plain(raw.as_bytes().first()) && plain(raw.as_bytes().last()) {
        return (s, s + raw.len(), raw);
    }
    let trimmed = raw.trim();
    let lead = raw.len() - raw.trim_start().len();
    (s + lead, s + lead + trimmed.len(), trimmed)
}

/// Parses the record of `text` starting at byte `start` (up to and with its
/// line end, if any); returns the record (`None` for a blank line or a row
/// of empty cells) and where the next record starts. Positions are offsets
/// into `text`.
pub fn parse_line(
    layout: &Layout,
    text: &str,
    start: usize,
    scratch: &mut Scratch,
    values: &mut Vec<Value>,
) -> Result<(Option<RawRecord>, usize), Fallback> {
    let format = layout.format;
    let (line_end, next, body_end, quotes) = match format {
        LogFormat::Csv => {
            let (line_end, next, cr, quotes) =
                scan_line(text.as_bytes(), start, &mut scratch.cells)?;
            (line_end, next, cr.unwrap_or(line_end), quotes)
        }
        LogFormat::JsonLines => {
            let line = scan_object(
                layout,
                text.as_bytes(),
                start,
                &mut scratch.cells,
                &mut scratch.line_unknown,
                &mut scratch.unknown,
            )?;
            let body_end = if line.object { line.line_end } else { start };
            (line.line_end, line.next, body_end, line.quotes)
        }
    };
    // The careful reader refuses a line over the limit (its `\n` or `\r\n`
    // not counted): so does this one, for a record over it (a record of
    // several lines is longer than each of them).
    let measured = match text.as_bytes().get(line_end.wrapping_sub(1)) {
        Some(b'\r') if line_end > start => line_end - 1,
        _ => line_end,
    };
    if measured - start > MAX_LINE_BYTES {
        return Err(Fallback::new("a line over the limit"));
    }
    if body_end == start {
        return Ok((None, next));
    }
    let body = text.get(start..body_end).unwrap_or("");
    let cells = &scratch.cells;
    let cell = |column: usize| cell_text(text, cells, quotes, format, column);
    // A CSV row of empty cells (a quoted one, `""`, is not: its quotes are
    // in the text, and the careful reader decides).
    let blank = || format == LogFormat::Csv && body.split(',').all(|c| c.trim().is_empty());
    if cells.len() != layout.columns {
        if blank() {
            return Ok((None, next));
        }
        return Err(Fallback::new("a ragged row"));
    }
    let (id_span, id) = cell(layout.id)?;
    let (who_span, who) = cell(layout.who)?;
    let (_, kind) = cell(layout.kind)?;
    let (_, at) = cell(layout.at)?;
    if id.is_empty() || who.is_empty() || kind.is_empty() || at.is_empty() {
        if blank() {
            return Ok((None, next));
        }
        return Err(Fallback::new("a missing required cell"));
    }
    let kind_index = layout
        .kind_index(&kind)
        .ok_or_else(|| Fallback::new("an unknown kind"))?;
    let at = timestamp(&at, layout, &mut scratch.date)?;
    let fields = u32::try_from(values.len()).map_err(|_| Fallback::new("chunk too large"))?;
    let kind_layout = layout
        .kinds
        .get(kind_index)
        .ok_or_else(|| Fallback::new("an unknown kind"))?;
    for (column, ty) in &kind_layout.fields {
        let (_, text) = cell(*column)?;
        values.push(value(ty, &text, layout, &mut scratch.texts)?);
    }
    let pos = |n: usize| {
        u32::try_from(n)
            .ok()
            .filter(|n| n & UNESCAPED == 0)
            .ok_or_else(|| Fallback::new("chunk too large"))
    };
    let fingerprint = fingerprint(id.as_bytes());
    let who_hash = fingerprint_of(&who);
    let mut place = |span: Option<(usize, usize)>, text: &str| match span {
        Some((s, e)) => Ok((pos(s)?, pos(e)?)),
        None => {
            let s = scratch.unescaped.len();
            scratch.unescaped.push_str(text);
            Ok((
                pos(s)? | UNESCAPED,
                pos(scratch.unescaped.len())? | UNESCAPED,
            ))
        }
    };
    let id = place(id_span, &id)?;
    let who = place(who_span, &who)?;
    Ok((
        Some(RawRecord {
            at,
            id,
            who,
            kind: kind_index as u32,
            fields,
            fingerprint,
            who_hash,
            line: (pos(start)?, pos(next - start)?),
        }),
        next,
    ))
}

fn fingerprint_of(text: &str) -> u64 {
    fingerprint(text.as_bytes())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is below `n` (`n <= 0x80`),
/// exactly: no carry crosses bytes.
fn below(word: u64, n: u8) -> u64 {
    let t = (word & !HIGH) + ONES * u64::from(0x80 - n);
    !(t | word) & HIGH
}

/// The state of [`scan_line`].
struct Scan<'c> {
    bytes: &'c [u8],
    cells: &'c mut Vec<(usize, usize)>,
    cell_start: usize,
    /// The text inside the quotes of the current cell, if it is quoted.
    quoted: Option<(usize, usize)>,
    quotes: Quotes,
    /// Where to go on after a quoted cell.
    resume: Option<usize>,
    /// The first `\r` seen.
    cr: Option<usize>,
    /// Why the fast path steps aside, if it does.
    bad: Option<&'static str>,
}

impl Scan<'_> {
    /// Takes byte `b` at `j` (one below `-`); whether to stop there: at
    /// the line end, to step aside (`bad`), or after a quoted cell
    /// (`resume`).
    #[inline(always)]
    fn stops_at(&mut self, j: usize, b: u8) -> bool {
        match b {
            b',' => {
                self.bad = self
                    .bad
                    .or(self.cr.map(|_| "a carriage return inside a line"));
                let cell = match self.quoted.take() {
                    Some(inner) => inner,
                    None => (self.cell_start, j),
                };
                self.cells.push(cell);
                self.cell_start = j + 1;
                self.bad.is_some()
            }
            b'\n' => true,
            b'\r' => {
                self.cr = self.cr.or(Some(j));
                false
            }
            b'"' => {
                self.quote(j);
                true
            }
            _ => false,
        }
    }

    /// A quote at `j`: a quoted cell if it opens the cell (RFC 4180), read
    /// to its closing quote, which must end the cell. Any other quote steps
    /// aside (the careful reader takes it as it is, or reports it).
    #[inline]
    fn quote(&mut self, mut j: usize) {
        // Rows quoted throughout (as spreadsheets export them) are read
        // cell after cell here, without going back to the byte scan.
        loop {
            let column = self.cells.len();
            if j != self.cell_start || self.cr.is_some() || column >= 64 {
                self.bad = Some("a quote inside a cell");
                return;
            }
            let mut i = j + 1;
            let close = loop {
                let Some(k) = self
                    .bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&b| b == b'"'))
                else {
                    self.bad = Some("a quoted cell never closed");
                    return;
                };
                if self.bytes.get(i + k + 1) == Some(&b'"') {
                    self.quotes.escaped |= 1 << column;
                    i += k + 2;
                } else {
                    break i + k;
                }
            };
            match self.bytes.get(close + 1) {
                Some(b',') if self.bytes.get(close + 2) == Some(&b'"') => {
                    // What a `,` does in [`Scan::stops_at`] (no `\r` yet).
                    self.cells.push((j + 1, close));
                    self.cell_start = close + 2;
                    j = close + 2;
                }
                None | Some(b',' | b'\n' | b'\r') => {
                    self.quoted = Some((j + 1, close));
                    self.resume = Some(close + 1);
                    return;
                }
                Some(_) => {
                    self.bad = Some("text after a closing quote");
                    return;
                }
            }
        }
    }
}

/// Finds the cells of the record starting at `start` (into `cells`, the
/// last one ending before any `\r` of the line end; quoted ones inside
/// their quotes), the record's end and where the next record starts, the
/// first `\r` of the line end, if any, and which cells are quoted. A
/// quoted cell (RFC 4180) may hold commas, doubled quotes and line breaks;
/// any other quote, or a `\r` anywhere but just before the line end,
/// steps aside.
///
/// Eight bytes at a time: the bytes that matter (`\n`, `\r`, `"`, `,`)
/// are all below `-`, and most bytes of a log (digits, letters) are not.
pub fn scan_line(
    bytes: &[u8],
    start: usize,
    cells: &mut Vec<(usize, usize)>,
) -> Result<(usize, usize, Option<usize>, Quotes), Fallback> {
    cells.clear();
    let mut scan = Scan {
        bytes,
        cells,
        cell_start: start,
        quoted: None,
        quotes: Quotes::default(),
        resume: None,
        cr: None,
        bad: None,
    };
    let mut i = start;
    let end = 'scan: loop {
        let mut stop = None;
        'words: while let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            let mut mask = below(u64::from_le_bytes(word), b'-');
            while mask != 0 {
                let j = i + (mask.trailing_zeros() / 8) as usize;
                mask &= mask - 1;
                if scan.stops_at(j, word.get(j - i).copied().unwrap_or(0)) {
                    stop = Some(j);
                    break 'words;
                }
            }
            i += 8;
        }
        if stop.is_none() {
            while let Some(&b) = bytes.get(i) {
                if scan.stops_at(i, b) {
                    stop = Some(i);
                    break;
                }
                i += 1;
            }
        }
        match (scan.resume.take(), stop) {
            (Some(k), _) if scan.bad.is_none() => i = k,
            (_, stop) => break 'scan stop,
        }
    };
    let Scan {
        cells,
        cell_start,
        quoted,
        quotes,
        cr,
        bad,
        ..
    } = scan;
    if let Some(reason) = bad {
        return Err(Fallback::new(reason));
    }
    let (line_end, next) = match end {
        Some(j) => (j, j + 1),
        None => (bytes.len(), bytes.len()),
    };
    if let Some(c) = cr
        && !bytes
            .get(c..line_end)
            .is_some_and(|r| r.iter().all(|&b| b == b'\r'))
    {
        return Err(Fallback::new("a carriage return inside a line"));
    }
    cells.push(quoted.unwrap_or((cell_start, cr.unwrap_or(line_end))));
    Ok((line_end, next, cr, quotes))
}

/// `2027-01-05T10:00:00Z` by hand; anything else through the full parser.
#[inline(always)]
fn timestamp(
    text: &str,
    layout: &Layout,
    last: &mut Option<([u8; 10], NaiveDate)>,
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
        let date = match *last {
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
                    *last = Some((key, d));
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

/// A field's value: whole numbers, booleans, whole minutes, plain money
/// amounts and repeated texts by hand, the rest through the careful
/// reader's cell parser (which gives the same values, more slowly).
#[inline(always)]
fn value(
    ty: &Type,
    text: &str,
    layout: &Layout,
    texts: &mut Vec<Arc<str>>,
) -> Result<Value, Fallback> {
    match ty {
        Type::Int => {
            if let Some(n) = whole(text, true) {
                return Ok(Value::Int(n));
            }
        }
        Type::Bool if text == "true" => return Ok(Value::Bool(true)),
        Type::Bool if text == "false" => return Ok(Value::Bool(false)),
        Type::Text if !text.is_empty() => {
            if let Some(t) = texts.iter().find(|t| t.as_ref() == text) {
                return Ok(Value::Text(t.clone()));
            }
            let t: Arc<str> = Arc::from(text);
            if texts.len() < TEXTS {
                texts.push(t.clone());
            }
            return Ok(Value::Text(t));
        }
        Type::Duration => {
            if let Some(n) = text.strip_suffix("min").and_then(|n| whole(n, false)) {
                return Ok(Value::Duration(Decimal::from(n)));
            }
        }
        Type::Money(currency) => {
            if let Some(amount) = plain_amount(text) {
                return Ok(Value::Money(Money::new(amount, *currency)));
            }
        }
        _ => {}
    }
    parse_cell(ty, text, layout.tz).map_err(|_| Fallback::new("a bad value"))
}

/// `120` (and `-3` when `signed`): at most 18 digits, so it fits.
fn whole(text: &str, signed: bool) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) if signed => (true, d),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits
        .bytes()
        .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    Some(if negative { -n } else { n })
}

/// `1234.56` or `12`: digits, then a point and digits, 18 digits at most
/// (signs, units and the rest go the careful way). The same mantissa and
/// scale as `Decimal::from_str_exact`.
fn plain_amount(text: &str) -> Option<Decimal> {
    let (whole_part, fraction) = match text.split_once('.') {
        Some((w, f)) if !f.is_empty() => (w, f),
        Some(_) => return None,
        None => (text, ""),
    };
    if whole_part.is_empty() || whole_part.len() + fraction.len() > 18 {
        return None;
    }
    let mut mantissa = 0i64;
    for b in whole_part.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + i64::from(b - b'0');
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    Some(Decimal::new(mantissa, scale))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::units::Currency;

    fn cells(line: &str) -> Result<(Vec<&str>, usize, Option<usize>), Fallback> {
        let mut found = Vec::new();
        let (end, next, cr, _) = scan_line(line.as_bytes(), 0, &mut found)?;
        let texts = found.iter().map(|&(s, e)| &line[s..e]).collect();
        assert!(end <= next);
        Ok((texts, next, cr))
    }

    #[test]
    fn lines_split_at_commas_and_stop_at_the_line_end() {
        let line = "e1,p00001,review,2027-01-05T10:00:00Z,120,core,,,,\nnext";
        let (found, next, cr) = cells(line).unwrap();
        assert_eq!(found.len(), 10);
        assert_eq!(found[5], "core");
        assert_eq!(&line[next..], "next");
        assert_eq!(cr, None);
        let (found, next, _) = cells("a,b").unwrap();
        assert_eq!((found, next), (vec!["a", "b"], 3));
    }

    #[test]
    fn crlf_ends_lines_but_a_stray_carriage_return_steps_aside() {
        let (found, next, cr) = cells("a,bb\r\r\nc").unwrap();
        assert_eq!((found, next, cr), (vec!["a", "bb"], 7, Some(4)));
        assert!(cells("a\rb,c\n").is_err());
        assert!(cells("a,b\rx\n").is_err());
        assert!(cells("a,b,c,d,e,f,g,h,i\"\n").is_err());
    }

    #[test]
    fn quoted_cells_hold_commas_quotes_and_line_breaks() {
        let (found, next, _) = cells("a,\"b,c\"\nrest").unwrap();
        assert_eq!((found, next), (vec!["a", "b,c"], 8));
        let line = "\"x\"\"y\",\"l1\nl2\r\nl3\",\"\"\r\nnext";
        let (found, next, cr) = cells(line).unwrap();
        assert_eq!(found, vec!["x\"\"y", "l1\nl2\r\nl3", ""]);
        assert_eq!(&line[next..], "next");
        assert!(cr.is_some());
        let (_, _, _, quotes) = scan_line(b"\"a\"\"\",\"b\",c", 0, &mut Vec::new()).unwrap();
        assert_eq!(quotes.escaped, 0b001);
        // Quotes RFC 4180 does not allow: the careful reader decides.
        for odd in [
            "a,b\"c,d\n",
            "a, \"b\",c\n",
            "a,\"b\"c,d\n",
            "a,\"b,c\n",
            "a,\"b\"\rc\n",
            "\"a\"\"\n",
        ] {
            assert!(cells(odd).is_err(), "{odd:?}");
        }
    }

    fn careful(ty: &Type, text: &str) -> Option<Value> {
        parse_cell(ty, text, chrono_tz::UTC).ok()
    }

    fn fast(ty: &Type, text: &str) -> Option<Value> {
        let layout = Layout {
            format: crate::input::LogFormat::Csv,
            columns: 0,
            id: 0,
            who: 0,
            kind: 0,
            at: 0,
            kinds: Vec::new(),
            tz: chrono_tz::UTC,
            names: Vec::new(),
            undeclared: false,
        };
        value(ty, text, &layout, &mut Vec::new()).ok()
    }

    /// The same value, and for decimals the same mantissa and scale.
    fn same(a: &Option<Value>, b: &Option<Value>) -> bool {
        let parts = |v: &Option<Value>| match v {
            Some(Value::Money(m)) => Some((m.amount.mantissa(), m.amount.scale())),
            Some(Value::Duration(d)) => Some((d.mantissa(), d.scale())),
            _ => None,
        };
        a == b && parts(a) == parts(b)
    }

    #[test]
    fn hand_parsed_values_are_the_careful_readers() {
        let eur = Type::Money(Currency::from_code("EUR").unwrap());
        for text in [
            "1234.56",
            "12",
            "0.05",
            "007.50",
            "-3.00",
            "-0.00",
            "12.50 EUR",
            "1.",
            ".5",
            "1e3",
            "+4",
            "99999999999999999.9",
            "1234567890123456789",
        ] {
            assert!(same(&fast(&eur, text), &careful(&eur, text)), "{text}");
        }
        for text in [
            "90min", "0min", "007min", "1h 30min", "1.5h", "-15min", "min",
        ] {
            assert!(
                same(
                    &fast(&Type::Duration, text),
                    &careful(&Type::Duration, text)
                ),
                "{text}"
            );
        }
        for text in [
            "120",
            "-3",
            "+3",
            "1234567890123456789",
            "99999999999999999999",
        ] {
            assert_eq!(fast(&Type::Int, text), careful(&Type::Int, text), "{text}");
        }
    }

    #[test]
    fn repeated_texts_share_one_allocation() {
        let layout = Layout {
            format: crate::input::LogFormat::Csv,
            columns: 0,
            id: 0,
            who: 0,
            kind: 0,
            at: 0,
            kinds: Vec::new(),
            tz: chrono_tz::UTC,
            names: Vec::new(),
            undeclared: false,
        };
        let mut texts = Vec::new();
        let a = value(&Type::Text, "core", &layout, &mut texts).unwrap();
        let b = value(&Type::Text, "core", &layout, &mut texts).unwrap();
        let c = value(&Type::Text, "web", &layout, &mut texts).unwrap();
        match (a, b, c) {
            (Value::Text(a), Value::Text(b), Value::Text(c)) => {
                assert!(Arc::ptr_eq(&a, &b));
                assert_eq!((a.as_ref(), c.as_ref()), ("core", "web"));
            }
            other => panic!("not texts: {other:?}"),
        }
    }

    proptest! {
        #[test]
        fn money_and_minutes_parse_like_the_careful_reader(
            text in "[-+]?[0-9]{0,20}(\\.[0-9]{0,5})?( ?EUR| ?min)?",
        ) {
            let eur = Type::Money(Currency::from_code("EUR").unwrap());
            prop_assert!(same(&fast(&eur, &text), &careful(&eur, &text)));
            prop_assert!(same(
                &fast(&Type::Duration, &text),
                &careful(&Type::Duration, &text)
            ));
            prop_assert_eq!(fast(&Type::Int, &text), careful(&Type::Int, &text));
        }
    }
}
