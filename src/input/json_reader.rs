//! JSON Lines logs and rosters: one object per line, blank lines skipped.
//!
//! `{"id": "r1", "who": "alice", "kind": "review", "at": "2027-01-05", "lines": 120}`
//!
//! Values are kept as the text written (`12.50` stays `12.50`, never a
//! binary float) and parsed later by the field's declared type.

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::error::{ErrorSite, InputError, InputErrorKind};
use super::raw::{RawCell, RawRecord, RawTable};
use crate::source::Span;

/// Reads every non-blank line as one record.
pub fn read_json_lines(site: &ErrorSite) -> RawTable {
    let text = site.file.text();
    let mut table = RawTable::default();
    let mut offset = 0;
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len() + 1;
        let mut line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let mut start = line_start;
        if index == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            line = rest;
            start += '\u{feff}'.len_utf8();
        }
        if line.trim().is_empty() {
            continue;
        }
        let span = site.span(start, start + line.len());
        match serde_json::from_str::<Entries<'_>>(line) {
            Ok(entries) => match record(site, &mut table.columns, line, start, span, entries) {
                Ok(record) => table.records.push(record),
                Err(error) => table.errors.push(error),
            },
            Err(error) => table
                .errors
                .push(json_error(site, line, start, span, &error)),
        }
    }
    table
}

fn record(
    site: &ErrorSite,
    columns: &mut Vec<(Arc<str>, Span)>,
    line: &str,
    start: usize,
    span: Span,
    entries: Entries<'_>,
) -> Result<RawRecord, InputError> {
    let mut cells: Vec<(Arc<str>, RawCell)> = Vec::with_capacity(entries.0.len());
    for (key, raw) in entries.0 {
        let key: Arc<str> = Arc::from(key);
        let cell = raw_cell(line, span, raw);
        // Two values for one key: which one was meant cannot be guessed.
        if let Some((_, first)) = cells.iter().find(|(k, _)| *k == key) {
            return Err(site
                .error(
                    InputErrorKind::MalformedJson {
                        detail: format!("`{key}` appears twice in this object"),
                    },
                    cell.span,
                    "written again here",
                )
                .with_secondary(first.span, "first written here")
                .with_help("keep one of the two values"));
        }
        if !columns.iter().any(|(name, _)| *name == key) {
            columns.push((key.clone(), cell.span));
        }
        cells.push((key, cell));
    }
    let (line_number, _) = site.line_column(start);
    Ok(RawRecord {
        line: line_number,
        span,
        cells,
    })
}

/// A value as cell text: strings unquoted, numbers and booleans as written.
fn raw_cell(line: &str, line_span: Span, raw: &RawValue) -> RawCell {
    let json = raw.get();
    // `json` borrows from `line`, so its address says where it stands.
    let within = (json.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
    let start = line_span.start + within;
    let span = line_span.with_range(start, start + json.len());
    let (text, nested) = match json.as_bytes().first() {
        Some(b'"') => (serde_json::from_str::<String>(json).ok(), false),
        Some(b'[' | b'{') => (Some(json.to_string()), true),
        _ if json == "null" => (None, false),
        _ => (Some(json.to_string()), false),
    };
    RawCell { text, span, nested }
}

/// A line that is not one JSON object, placed where the parser stopped.
fn json_error(
    site: &ErrorSite,
    line: &str,
    start: usize,
    span: Span,
    error: &serde_json::Error,
) -> InputError {
    let help = "write one object per line, such as \
                {\"id\": \"r1\", \"who\": \"alice\", \"kind\": \"review\", \"at\": \"2027-01-05\"}";
    if error.classify() == serde_json::error::Category::Data {
        return site
            .error(
                InputErrorKind::MalformedJson {
                    detail: "each line must be one object".to_string(),
                },
                span,
                "not an object",
            )
            .with_help(help);
    }
    // serde_json counts columns in bytes, from 1; 0 means "before the line".
    let mut at = error.column().saturating_sub(1).min(line.len());
    while !line.is_char_boundary(at) {
        at -= 1;
    }
    let width = line
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8);
    let message = error.to_string();
    let detail = message
        .rfind(" at line ")
        .and_then(|i| message.get(..i))
        .unwrap_or(&message)
        .to_string();
    site.error(
        InputErrorKind::MalformedJson { detail },
        site.span(start + at, start + at + width),
        "here",
    )
    .with_help(help)
}

/// An object's entries in the order written, values left as raw JSON.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

struct EntriesVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for EntriesVisitor<'a> {
    type Value = Entries<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Entries<'a>, M::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
            entries.push((key, value));
        }
        Ok(Entries(entries))
    }
}
