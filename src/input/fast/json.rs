//! Scanning one JSON Lines record for the fast path: the object's values
//! become cells, placed by key in the columns [`Layout`] gives every name a
//! kind declares, so that the rest of the parser treats them as it treats a
//! CSV row.
//!
//! Only the plain shape is taken: one object of strings, numbers, `true`,
//! `false` and `null`, each key once and written without escapes. Anything
//! else (a nested value, a key written twice or with escapes, a number
//! JSON does not allow, text after the object) steps aside, and the careful
//! reader, built on `serde_json`, reports it or reads it. A key no kind
//! declares is skipped, and its first place kept: the careful reader's
//! warning about it is made from there ([`super::log_warnings`]).

use super::Fallback;
use super::layout::Layout;
use super::parse::Quotes;

/// What one line of a JSON Lines log holds.
pub struct JsonLine {
    /// Where the line ends (its `\n`, or the end of the text) and where
    /// the next line starts.
    pub line_end: usize,
    pub next: usize,
    /// `false` for a blank line (white space only).
    pub object: bool,
    /// Which columns hold a string with escapes, whose range then covers
    /// its quotes (for `serde_json` to unescape); other strings' ranges
    /// are inside their quotes.
    pub quotes: Quotes,
}

/// Keys no kind declares: each one's name and where it is first written
/// (a byte offset), in the order met.
pub type UnknownKeys = Vec<(String, usize)>;

/// Scans the line starting at `start`: each value's range into `cells`
/// (one per column of `layout`, `(0, 0)` for a key absent or `null`); a
/// key no kind declares into `unknown` if it is not there yet, and into
/// `line_unknown` (the key ranges of this line, to find one written twice).
pub fn scan_object(
    layout: &Layout,
    bytes: &[u8],
    start: usize,
    cells: &mut Vec<(usize, usize)>,
    line_unknown: &mut Vec<(usize, usize)>,
    unknown: &mut UnknownKeys,
) -> Result<JsonLine, Fallback> {
    let (line_end, next) = match bytes
        .get(start..)
        .and_then(|r| r.iter().position(|&b| b == b'\n'))
    {
        Some(i) => (start + i, start + i + 1),
        None => (bytes.len(), bytes.len()),
    };
    let line = bytes.get(..line_end).unwrap_or(&[]);
    cells.clear();
    cells.resize(layout.columns, (0, 0));
    line_unknown.clear();
    let mut quotes = Quotes::default();
    let mut i = skip_space(line, start);
    let Some(&first) = line.get(i) else {
        return Ok(JsonLine {
            line_end,
            next,
            object: false,
            quotes,
        });
    };
    if first != b'{' || layout.columns > 64 {
        return Err(Fallback::new("a JSON line that is not a plain object"));
    }
    let mut seen = 0u64;
    i = skip_space(line, i + 1);
    if line.get(i) == Some(&b'}') {
        return Err(Fallback::new("an empty JSON object"));
    }
    loop {
        // A key, plain: escapes would need unescaping to be compared.
        if line.get(i) != Some(&b'"') {
            return Err(Fallback::new("a JSON key is not a string"));
        }
        let key_start = i + 1;
        let key_end = key_start
            + line
                .get(key_start..)
                .and_then(|r| r.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20))
                .ok_or_else(|| Fallback::new("a JSON key never closed"))?;
        if line.get(key_end) != Some(&b'"') {
            return Err(Fallback::new("a JSON key with escapes"));
        }
        let key = line.get(key_start..key_end).unwrap_or(&[]);
        let column = layout.column_of(key);
        let bit = column.map_or(0, |c| 1u64 << c);
        if seen & bit != 0 {
            return Err(Fallback::new("a JSON key written twice"));
        }
        seen |= bit;
        if column.is_none() {
            undeclared(line, (key_start, key_end), line_unknown, unknown)?;
        }
        i = skip_space(line, key_end + 1);
        if line.get(i) != Some(&b':') {
            return Err(Fallback::new("a JSON key without a value"));
        }
        i = skip_space(line, i + 1);
        let (range, escaped, end) = value(line, i)?;
        if escaped {
            quotes.escaped |= bit;
        }
        if let Some(cell) = column.and_then(|c| cells.get_mut(c)) {
            *cell = range;
        }
        i = skip_space(line, end);
        match line.get(i) {
            Some(b',') => i = skip_space(line, i + 1),
            Some(b'}') => break,
            _ => return Err(Fallback::new("a JSON object not closed")),
        }
    }
    if skip_space(line, i + 1) != line.len() {
        return Err(Fallback::new("text after a JSON object"));
    }
    Ok(JsonLine {
        line_end,
        next,
        object: true,
        quotes,
    })
}

/// A key no kind declares, at `key` in `line`: refused if this line has it
/// already (the careful reader reports a key written twice), kept in
/// `unknown` if it is new.
#[cold]
fn undeclared(
    line: &[u8],
    key: (usize, usize),
    line_unknown: &mut Vec<(usize, usize)>,
    unknown: &mut UnknownKeys,
) -> Result<(), Fallback> {
    let text = |(s, e): (usize, usize)| line.get(s..e).unwrap_or(&[]);
    if line_unknown.iter().any(|&k| text(k) == text(key)) {
        return Err(Fallback::new("a JSON key written twice"));
    }
    line_unknown.push(key);
    let name = std::str::from_utf8(text(key)).map_err(|_| Fallback::new("not UTF-8"))?;
    if !unknown.iter().any(|(n, _)| n == name) {
        unknown.push((name.to_string(), key.0));
    }
    Ok(())
}

/// JSON white space (a line's `\r` included: `serde_json` takes it so).
fn skip_space(line: &[u8], mut i: usize) -> usize {
    while matches!(line.get(i), Some(b' ' | b'\t' | b'\r')) {
        i += 1;
    }
    i
}

/// The value at `i`: its cell range (`(0, 0)` for `null`), whether it is a
/// string with escapes (the range then holds its quotes), and where it
/// ends.
fn value(line: &[u8], i: usize) -> Result<((usize, usize), bool, usize), Fallback> {
    match line.get(i) {
        Some(b'"') => {
            let mut j = i + 1;
            let mut escaped = false;
            loop {
                match line.get(j) {
                    Some(b'"') => break,
                    Some(b'\\') => {
                        escaped = true;
                        j += escape_len(line, j + 1)?;
                    }
                    Some(&b) if b < 0x20 => {
                        return Err(Fallback::new("a control character in a JSON string"));
                    }
                    Some(_) => j += 1,
                    None => return Err(Fallback::new("a JSON string never closed")),
                }
            }
            if escaped {
                Ok(((i, j + 1), true, j + 1))
            } else {
                Ok(((i + 1, j), false, j + 1))
            }
        }
        Some(b't') if line.get(i..i + 4) == Some(b"true") => Ok(((i, i + 4), false, i + 4)),
        Some(b'f') if line.get(i..i + 5) == Some(b"false") => Ok(((i, i + 5), false, i + 5)),
        Some(b'n') if line.get(i..i + 4) == Some(b"null") => Ok(((0, 0), false, i + 4)),
        Some(b'-' | b'0'..=b'9') => {
            let end = number_end(line, i).ok_or_else(|| Fallback::new("a bad JSON number"))?;
            Ok(((i, end), false, end))
        }
        _ => Err(Fallback::new("a JSON value the fast path does not take")),
    }
}

/// The length of the escape whose backslash is just before `i`, backslash
/// included, if JSON allows it: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`,
/// `\t`, or `\u` and four hexadecimal digits outside the surrogates. A
/// value no kind declares is skipped, not read, so its escapes are checked
/// here: `\1` is not JSON, and the careful reader refuses it.
fn escape_len(line: &[u8], i: usize) -> Result<usize, Fallback> {
    match line.get(i) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(2),
        Some(b'u') => {
            let hex = line
                .get(i + 1..i + 5)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u16::from_str_radix(h, 16).ok())
                .ok_or_else(|| Fallback::new("a bad \\u escape in a JSON string"))?;
            if (0xD800..=0xDFFF).contains(&hex) {
                return Err(Fallback::new("a surrogate escape in a JSON string"));
            }
            Ok(6)
        }
        _ => Err(Fallback::new("a bad escape in a JSON string")),
    }
}

/// The end of the JSON number at `i`, if it is one:
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(line: &[u8], mut i: usize) -> Option<usize> {
    let digits = |i: usize| {
        line.get(i..)
            .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count())
    };
    if line.get(i) == Some(&b'-') {
        i += 1;
    }
    match line.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(i),
        _ => return None,
    }
    if line.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if matches!(line.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(line.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    // A number runs into the next token only through white space, `,` or
    // `}` (`12x` or `01` is not JSON).
    match line.get(i) {
        None | Some(b' ' | b'\t' | b'\r' | b',' | b'}') => Some(i),
        _ => None,
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_json_grammar() {
        for good in ["0", "-0", "12", "1.50", "-3e5", "2E+3", "0.5e-2"] {
            assert_eq!(number_end(good.as_bytes(), 0), Some(good.len()), "{good}");
        }
        for bad in ["01", "-", "1.", ".5", "1e", "1e+", "12x", "--1", "0x1"] {
            assert_eq!(number_end(bad.as_bytes(), 0), None, "{bad}");
        }
    }
}
