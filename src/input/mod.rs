//! Contribution logs and rosters: reading them, validating every record
//! against the policy's schema, and reporting every bad record with its
//! file, line and column.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::value::Value;

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
