//! Turning ledgers and diagnostics into text: table, csv, json, explain.
pub mod diagnostic;
