//! Turning ledgers and diagnostics into text: table, csv, json, explain.
pub mod amount;
pub mod by_period;
pub mod csv;
pub mod diagnostic;
pub mod diff;
pub mod explain;
pub mod json;
pub mod snapshot;
pub mod table;
pub mod time;
pub mod unrewarded;
