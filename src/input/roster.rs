//! The roster (`--people FILE`): `who` plus the policy's `person` columns,
//! and the check that every person in the log is on it.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::cell::{closest, parse_cell};
use super::error::{ErrorSite, InputError, InputErrorKind};
use super::format::LogFormat;
use super::raw::RawTable;
use super::records::{bad_value, empty_file, unsafe_name};
use super::{Log, Roster, read_raw};
use crate::schema::Schema;
use crate::source::{SourceFile, Span};

/// Checks every roster row; cells are parsed exactly like log cells.
pub fn validate_roster(
    schema: &Schema,
    site: &ErrorSite,
    table: RawTable,
) -> (Roster, Vec<InputError>) {
    let mut errors = table.errors;
    let mut roster = Roster::default();
    if table.records.is_empty() && errors.is_empty() {
        errors.push(empty_file(site, table.header.is_some()));
    }
    let columns: Vec<&str> = std::iter::once("who")
        .chain(schema.person.iter().map(|f| f.name.as_str()))
        .collect();
    let header = table.header.as_ref();
    if let Some(header) = header {
        for column in columns.iter().filter(|c| !header.has(c)) {
            let error = site
                .error(
                    InputErrorKind::MissingColumn {
                        column: column.to_string(),
                    },
                    header.span,
                    format!("no `{column}` column in this header"),
                )
                .with_help(format!(
                    "a roster needs the columns {}; this header has {}",
                    columns
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    header.names()
                ));
            errors.push(error);
        }
    }
    let mut first_line: BTreeMap<String, (usize, Span)> = BTreeMap::new();
    for record in &table.records {
        let errors_before = errors.len();
        let mut values = Vec::with_capacity(schema.person.len());
        let mut who = None;
        for column in &columns {
            let cell = record.cell(column);
            let text = cell.and_then(|c| {
                if c.nested {
                    c.text.as_deref()
                } else {
                    c.value()
                }
            });
            let (Some(cell), Some(text)) = (cell, text) else {
                if header.is_some_and(|h| !h.has(column)) {
                    continue;
                }
                let kind = InputErrorKind::MissingField {
                    field: column.to_string(),
                    kind: None,
                };
                let error = match cell {
                    Some(cell) => site.error(kind, cell.span, "empty"),
                    None => site.error(kind, record.span, format!("no `{column}` here")),
                };
                errors
                    .push(error.with_help(format!("every person in the roster needs `{column}`")));
                continue;
            };
            if *column == "who" {
                if let Some(error) = unsafe_name(site, text, cell.span) {
                    errors.push(error);
                }
                who = Some((text.to_string(), cell.span));
                continue;
            }
            let Some(field) = schema.person.iter().find(|f| f.name == *column) else {
                continue;
            };
            let parsed = if cell.nested {
                Err(super::cell::CellError::Invalid {
                    expected: field.ty.clone(),
                    found: text.to_string(),
                })
            } else {
                parse_cell(&field.ty, text, schema.timezone)
            };
            match parsed {
                Ok(value) => values.push(value),
                Err(error) => errors.push(bad_value(site, column, &field.ty, text, cell, error)),
            }
        }
        let Some((who, span)) = who else { continue };
        if let Some(&(line, first_span)) = first_line.get(&who) {
            errors.push(
                site.error(
                    InputErrorKind::DuplicatePerson {
                        who: who.clone(),
                        first_line: line,
                    },
                    span,
                    "listed again here",
                )
                .with_value(who.as_str())
                .with_secondary(first_span, format!("first listed on line {line}"))
                .with_help("keep one row per person; merge the two rows"),
            );
            continue;
        }
        first_line.insert(who.clone(), (record.line, span));
        if errors.len() == errors_before {
            roster.people.insert(Arc::from(who), values);
        }
    }
    (roster, errors)
}

/// One `meed::unknown_person` error per person of the log missing from the
/// roster, at their first record.
pub fn unknown_people(log: &Log, log_source: &SourceFile, roster: &Roster) -> Vec<InputError> {
    let mut unknown: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for c in &log.contributions {
        if !roster.people.contains_key(&c.who) {
            unknown.entry(&c.who).or_default().push(c.line);
        }
    }
    // Everyone known is the usual case: only then is the log read again
    // for the place of each `who` cell.
    if unknown.is_empty() {
        return Vec::new();
    }
    let site = ErrorSite::new(log_source);
    let spans = who_spans(log_source);
    let known: Vec<String> = roster.people.keys().map(|k| k.to_string()).collect();
    let mut found: Vec<(usize, InputError)> = unknown
        .into_iter()
        .map(|(who, mut lines)| {
            lines.sort_unstable();
            let first = lines.first().copied().unwrap_or(1);
            let span = spans.get(&first).copied().unwrap_or_else(|| line_span(log_source, first));
            let fix = match closest(who, &known) {
                Some(near) => format!("did you mean `{near}`? add `{who}` to the roster, or correct the name in the log"),
                None => format!("add `{who}` to the roster, or correct the name in the log"),
            };
            let others = if lines.len() > 1 {
                format!(
                    " (`{who}` has {} records, on lines {})",
                    lines.len(),
                    lines.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
                )
            } else {
                String::new()
            };
            let error = site
                .error(InputErrorKind::UnknownPerson { who: who.to_string() }, span, "not in the roster")
                .with_value(who)
                .with_help(format!("{fix}{others}"));
            (first, error)
        })
        .collect();
    found.sort_by_key(|(line, _)| *line);
    found.into_iter().map(|(_, e)| e).collect()
}

/// The span of the `who` cell on each line of the log, read again since a
/// [`Log`] keeps only line numbers.
fn who_spans(source: &SourceFile) -> BTreeMap<usize, Span> {
    let format = LogFormat::from_path(std::path::Path::new(source.name())).unwrap_or_else(|| {
        if source
            .text()
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            LogFormat::JsonLines
        } else {
            LogFormat::Csv
        }
    });
    let table = read_raw(&ErrorSite::new(source), format);
    table
        .records
        .iter()
        .filter_map(|r| Some((r.line, r.cell("who")?.span)))
        .collect()
}

fn line_span(source: &SourceFile, line: usize) -> Span {
    let text = source.text();
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let len = text
        .get(start..)
        .map_or(0, |rest| rest.find(['\r', '\n']).unwrap_or(rest.len()));
    source.span(start, start + len)
}
