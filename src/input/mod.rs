//! Contribution logs and rosters: reading them, validating every record
//! against the policy's schema, and reporting every bad record with its
//! file, line and column.

mod cell;
mod csv_reader;
mod decode;
mod error;
pub mod fast;
mod format;
pub mod hash;
mod json_reader;
mod limits;
mod names;
mod once;
mod raw;
mod records;
mod roster;
mod time;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::schema::Schema;
use crate::source::SourceFile;
use crate::value::Value;

pub use cell::{CellError, parse_cell, parse_timestamp};
pub use decode::decode;
pub use error::{InputError, InputErrorKind, InputErrors, InputWarning, SHOWN_ERRORS};
pub use format::LogFormat;
pub use limits::MAX_LINE_BYTES;
pub use names::{NameProblem, name_problem};
pub use once::{Input, plain_io_error, read_bytes};
pub use records::REQUIRED_COLUMNS;

/// One contribution from the log, validated against its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub id: Arc<str>,
    pub who: Arc<str>,
    /// Index of the kind in [`crate::schema::Schema::kinds`].
    pub kind: usize,
    pub at: DateTime<Utc>,
    /// The kind's declared fields, in declaration order.
    pub fields: Vec<Value>,
    /// Line in the log file (the CSV header is line 1), for messages.
    pub line: usize,
}

/// A validated log, sorted by `(at, id)` (ids compared as bytes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Log {
    pub contributions: Vec<Contribution>,
}

/// The roster: for each person, the `person` columns in declaration order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roster {
    pub people: BTreeMap<Arc<str>, Vec<Value>>,
}

/// Reads and validates a contribution log.
///
/// Every bad record is reported (unknown kind, missing or ill-typed field,
/// duplicate id, ragged row...), never skipped: a log with any error gives
/// no [`Log`] at all. On success the log is sorted by `(at, id)`, with
/// warnings such as a column no kind declares.
pub fn read_log(
    schema: &Schema,
    source: &SourceFile,
    format: LogFormat,
) -> Result<(Log, Vec<InputWarning>), InputErrors> {
    let site = error::ErrorSite::new(source);
    let table = read_raw(&site, format);
    let validated = records::validate_log(schema, &site, table, format);
    if validated.errors.is_empty() {
        Ok((validated.log, validated.warnings))
    } else {
        Err(InputErrors::new("log", source.name(), validated.errors))
    }
}

/// The careful reader's warnings about the columns or keys of `source` that
/// no kind declares (`meed::unknown_column`, one per column), without
/// validating its records: the fast reader gives these with its records.
/// `source` may be the start of a log (its header, for CSV).
pub fn column_warnings(
    schema: &Schema,
    source: &SourceFile,
    format: LogFormat,
) -> Vec<InputWarning> {
    let site = error::ErrorSite::new(source);
    let table = read_raw(&site, format);
    records::column_warnings(schema, &site, table)
}

/// Reads and validates a roster: `who` plus the policy's `person` columns.
pub fn read_roster(
    schema: &Schema,
    source: &SourceFile,
    format: LogFormat,
) -> Result<Roster, InputErrors> {
    let site = error::ErrorSite::new(source);
    let table = read_raw(&site, format);
    let (roster, errors) = roster::validate_roster(schema, &site, table);
    if errors.is_empty() {
        Ok(roster)
    } else {
        Err(InputErrors::new("roster", source.name(), errors))
    }
}

/// Checks that everyone in the log is on the roster (`meed::unknown_person`,
/// one error per missing person, at their first record in `log_source`).
pub fn check_people(
    log: &Log,
    log_source: &SourceFile,
    roster: &Roster,
) -> Result<(), InputErrors> {
    let errors = roster::unknown_people(log, log_source, roster);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors::new("log", log_source.name(), errors))
    }
}

fn read_raw(site: &error::ErrorSite, format: LogFormat) -> raw::RawTable {
    // A line over the limit is reported alone: the rest of such a file is
    // rarely worth reading, and nothing is evaluated anyway.
    if let Some(error) = limits::check_line_lengths(site) {
        return raw::RawTable {
            errors: vec![error],
            ..raw::RawTable::default()
        };
    }
    match format {
        LogFormat::Csv => csv_reader::read_csv(site),
        LogFormat::JsonLines => json_reader::read_json_lines(site),
    }
}
