//! `meed report`: a statement for each person and the organisation's
//! report, as self-contained HTML (LANGUAGE.md §8).
//!
//! The engine runs once over the log (`cli/report.rs`); what the report
//! needs is gathered as it runs: the organisation's figures added up grant
//! by grant ([`collect`]), every record spilled to disk by person
//! ([`spill`]). Statements are then written a bucket of people at a time,
//! each person's grants worded by the engine run again over their own
//! records ([`words`]), so memory never holds the log or the ledger.

pub mod claimed;
pub mod collect;
pub mod groups;
pub mod names;
pub mod nothing;
pub mod output;
pub mod overview;
pub mod page;
pub mod rows;
pub mod spill;
pub mod statement;
pub mod stats;
pub mod svg;
pub mod words;
