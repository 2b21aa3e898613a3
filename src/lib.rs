//! meed: a policy-as-code language for reward and remuneration rules.
//!
//! # The library
//!
//! The `meed` command is built on this crate; a program can embed the same
//! pipeline. The documented API is small:
//!
//! - [`compile_policy`]: policy text → a [`CompiledPolicy`] (parsed and
//!   type-checked), or a [`PolicyProblem`] holding every diagnostic;
//! - [`read_log`] and [`read_roster`]: a contribution log and a people file,
//!   validated against the policy, or [`InputErrors`] naming each bad cell
//!   with its line and column;
//! - [`evaluate`]: the policy over the log, every grant handed to a
//!   [`GrantSink`] in ledger order ([`Ledger`] keeps them all). The library
//!   chooses how: the streaming engine, or the exact evaluator where the
//!   engine steps aside; both give the same grants.
//! - [`evaluate_files`]: the same over files on disk, as the `meed` command
//!   runs it: the streaming engine reads the log in chunks and never holds
//!   it whole; where it steps aside the files are read whole and every
//!   problem goes to your [`Diagnostics`] with its file, line and column.
//!   What you need from the run ([`Observers`]: whole grants, totals per
//!   period, records) is handed to you as it runs.
//!
//! Every error is a [`miette::Diagnostic`] with a code (`meed::…`), a help
//! text and its place in the file it came from.
//!
//! ```no_run
//! use meed::{EvalOptions, Ledger, LogFormat, SourceFile};
//!
//! fn file(path: &str) -> SourceFile {
//!     SourceFile::new(path, std::fs::read_to_string(path).unwrap_or_default())
//! }
//!
//! let Ok(policy) = meed::compile_policy(&file("rules/community.meed")) else {
//!     return; // `PolicyProblem::diagnostics` says why, with places
//! };
//! let Ok(people) = meed::read_roster(&policy, &file("examples/community/people.csv"), LogFormat::Csv) else {
//!     return; // `InputErrors` names every bad cell with its line and column
//! };
//! let log = file("examples/community/log.csv");
//! let Ok((log, _warnings)) = meed::read_log(&policy, &log, LogFormat::Csv, Some(&people)) else {
//!     return;
//! };
//! let mut ledger = Ledger::default();
//! match meed::evaluate(&policy, &log, Some(&people), &EvalOptions::default(), &mut ledger) {
//!     Ok(_) => println!("{} grants to {} people", ledger.grants.len(), ledger.totals.len()),
//!     Err(error) => eprintln!("{error}"),
//! }
//! ```
//!
//! # Everything else
//!
//! The other modules are public only so that meed's own binary, tests,
//! benches and fuzz targets can reach them. They are hidden from these
//! docs and may change in any release; `ARCHITECTURE.md` maps them.
#![warn(missing_docs)]

pub mod ledger;
pub mod pipeline;
pub mod source;
pub mod units;
pub mod value;

pub use eval::stream::Keep;
pub use eval::stream::file::Observers;
pub use eval::{EvalError, EvalOptions, EvalReport, EvalWarning, GrantSink, Window};
pub use input::{InputErrors, InputWarning, Log, LogFormat, Roster};
pub use ledger::{Grant, Ledger, LimitCut, Origin, PoolShare, Target, Totals};
pub use pipeline::{
    CompiledPolicy, DataFiles, Diagnostics, Engine, Evaluated, PolicyProblem, RunFailure,
    compile_policy, evaluate, evaluate_files, read_log, read_roster,
};
pub use source::SourceFile;

#[doc(hidden)]
pub mod books;
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod digits;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod fmt;
#[doc(hidden)]
pub mod fraction;
#[doc(hidden)]
pub mod input;
#[doc(hidden)]
pub mod kinds;
#[doc(hidden)]
pub mod lsp;
#[doc(hidden)]
pub mod render;
#[doc(hidden)]
pub mod repl;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod semantics;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod testing;
#[doc(hidden)]
pub mod text;
#[doc(hidden)]
pub mod types;
