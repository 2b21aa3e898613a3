//! Turning ledgers and diagnostics into text: table, csv, json, explain.
pub mod diagnostic;
pub mod amount;
pub mod csv;
pub mod json;
pub mod table;
pub mod explain;
pub mod snapshot;
