//! The books: every payout run, recorded in an embedded SQLite file, so
//! that nothing is paid twice and nothing booked is silently rewritten.
//!
//! ```text
//! fresh totals by earned month ─┐
//!                               ├─▶ plan (differences) ─▶ one run: lines + hash chain
//! booked lines by earned month ─┘
//! ```
//!
//! A run books, per person, reward and earned month, the difference between
//! a fresh evaluation through its date and everything booked before:
//! `regular` for a month booked for the first time, `adjustment` for one
//! booked before, saying what changed. Booked rows are never updated or
//! deleted (triggers in the file refuse it), each run carries the hash of
//! the one before it, and `verify` re-computes the chain.

mod chain;
mod close;
mod error;
mod plan;
mod store;
mod verify;

pub use chain::{sha256_file, sha256_hex};
pub use close::close_run;
pub use error::BooksError;
pub use plan::{Booked, Group, Line, LineKind, Planned, amount_text, fresh_groups, plan_lines};
pub use store::{Books, NewRun, Run, State};
pub use verify::{Break, verify};
