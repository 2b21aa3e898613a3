//! CSV logs and rosters: a header, then one record per row. CRLF line ends
//! and a UTF-8 byte order mark are accepted.

use std::sync::Arc;

use super::error::{ErrorSite, InputError, InputErrorKind};
use super::raw::{Header, RawCell, RawRecord, RawTable};
use crate::source::{SourceFile, Span};

/// Reads every row of a CSV file; the first row is the header.
pub fn read_csv(site: &ErrorSite) -> RawTable {
    let text = site.file.text();
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = text.get(start..).unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut table = RawTable::default();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                let offset = start + error.position().map_or(0, |p| to_usize(p.byte()));
                let span = site.span(offset, offset);
                table.errors.push(site.error(
                    InputErrorKind::MalformedCsv {
                        detail: format!("the file cannot be read as CSV: {error}"),
                    },
                    span,
                    "here",
                ));
                break;
            }
        }
        let offset = record_start(
            text,
            start + record.position().map_or(0, |p| to_usize(p.byte())),
        );
        let spans = field_spans(&site.file, offset, record.len());
        // A quote never closed swallows the rest of the file into one cell
        // (the csv crate does not complain): the records after it would be
        // lost silently, so this is an error naming where the quote opened.
        if let Some(open) = spans.iter().find(|span| unclosed_quote(text, **span)) {
            table.errors.push(
                site.error(
                    InputErrorKind::MalformedCsv {
                        detail: "this quoted cell is never closed: the file ends inside it"
                            .to_string(),
                    },
                    open.with_range(open.start, open.start + 1),
                    "the `\"` opened here",
                )
                .with_help(
                    "add the closing `\"`, or remove the stray one; if the file was cut off, export it again",
                ),
            );
            break;
        }
        let fields: Vec<(String, Span)> = record.iter().map(str::to_string).zip(spans).collect();
        match &table.header {
            None => table.header = Some(read_header(site, &mut table, fields)),
            Some(header) => {
                if let Some(row) = read_row(site, header, &mut table.errors, fields) {
                    table.records.push(row);
                }
            }
        }
    }
    table
}

/// Where a record really starts: the csv crate places it just after the
/// previous record's `\r` or `\n`, before any blank lines it skipped.
/// No record starts with a line break (those would be blank lines).
fn record_start(text: &str, from: usize) -> usize {
    let skipped = text.get(from..).map_or(0, |rest| {
        rest.len() - rest.trim_start_matches(['\r', '\n']).len()
    });
    from + skipped
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The header row: column names, trimmed; a name written twice is an error.
fn read_header(site: &ErrorSite, table: &mut RawTable, fields: Vec<(String, Span)>) -> Header {
    let span = record_span(&fields);
    let mut columns: Vec<(Arc<str>, Span)> = Vec::new();
    for (name, cell_span) in fields {
        let name: Arc<str> = Arc::from(name.trim());
        if let Some((_, first)) = columns.iter().find(|(n, _)| *n == name && !n.is_empty()) {
            let error = site
                .error(
                    InputErrorKind::MalformedCsv {
                        detail: format!("column `{name}` appears twice in the header"),
                    },
                    cell_span,
                    "written again here",
                )
                .with_secondary(*first, "first written here")
                .with_help("rename or remove one of the two columns");
            table.errors.push(error);
        }
        columns.push((name, cell_span));
    }
    table.columns = columns.clone();
    Header { columns, span }
}

/// One data row, or `None` (with an error) when its cell count differs from
/// the header's, since its cells cannot be matched to columns.
fn read_row(
    site: &ErrorSite,
    header: &Header,
    errors: &mut Vec<InputError>,
    fields: Vec<(String, Span)>,
) -> Option<RawRecord> {
    let span = record_span(&fields);
    // Rows of empty cells (spreadsheets export them at the end) hold nothing.
    if fields.iter().all(|(text, _)| text.trim().is_empty()) {
        return None;
    }
    if fields.len() != header.columns.len() {
        let cells = fields.len();
        let columns = header.columns.len();
        let error = site
            .error(
                InputErrorKind::MalformedCsv {
                    detail: format!("this row has {cells} cells but the header has {columns} columns"),
                },
                span,
                format!("{cells} cells"),
            )
            .with_help(format!(
                "give every row one cell per column ({}); put a cell that contains a comma in quotes: \"a, b\"",
                header.names()
            ));
        errors.push(error);
        return None;
    }
    let (line, _) = site.line_column(span.start);
    let cells = header
        .columns
        .iter()
        .zip(fields)
        .map(|((name, _), (text, span))| {
            (
                name.clone(),
                RawCell {
                    text: Some(text),
                    span,
                    nested: false,
                },
            )
        })
        .collect();
    Some(RawRecord { line, span, cells })
}

fn record_span(fields: &[(String, Span)]) -> Span {
    match (fields.first(), fields.last()) {
        (Some((_, first)), Some((_, last))) => first.to(*last),
        _ => Span::NOWHERE,
    }
}

/// Whether the cell at `span` opens a quote that the file never closes
/// (the span then runs to the end of the file, see [`field_spans`]).
fn unclosed_quote(text: &str, span: Span) -> bool {
    let Some(cell) = text.as_bytes().get(span.start..span.end) else {
        return false;
    };
    let Some(rest) = cell.strip_prefix(b"\"") else {
        return false;
    };
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'"' if rest.get(i + 1) == Some(&b'"') => i += 2,
            b'"' => return false,
            _ => i += 1,
        }
    }
    true
}

/// The byte spans of the `count` fields of the record starting at `offset`.
///
/// The csv crate gives field values but not where they stand; this walks the
/// raw text with the same rules (quoted fields may hold commas, doubled
/// quotes and line breaks) so that errors can underline the exact cell.
fn field_spans(file: &SourceFile, offset: usize, count: usize) -> Vec<Span> {
    let bytes = file.text().as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut spans = Vec::with_capacity(count);
    let mut pos = offset;
    for _ in 0..count {
        let start = pos;
        if at(pos) == Some(b'"') {
            pos += 1;
            loop {
                match at(pos) {
                    None => break,
                    Some(b'"') if at(pos + 1) == Some(b'"') => pos += 2,
                    Some(b'"') => {
                        pos += 1;
                        break;
                    }
                    Some(_) => pos += 1,
                }
            }
        }
        while let Some(b) = at(pos) {
            if matches!(b, b',' | b'\n' | b'\r') {
                break;
            }
            pos += 1;
        }
        spans.push(file.span(start, pos));
        if at(pos) == Some(b',') {
            pos += 1;
        }
    }
    spans
}
