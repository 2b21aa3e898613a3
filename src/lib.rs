//! meed: a policy-as-code language for reward and remuneration rules.
//!
//! The pipeline, one module per stage:
//! source → [`syntax`] (parse, AST with spans) → [`types`] (check) →
//! [`input`] (read the contribution log) → [`eval`] (four stages) →
//! [`ledger`] (grants with provenance) → [`render`].

pub mod books;
pub mod cli;
pub mod diff;
pub mod eval;
pub mod fmt;
pub mod fraction;
pub mod input;
pub mod ledger;
pub mod lsp;
pub mod pipeline;
pub mod render;
pub mod repl;
pub mod report;
pub mod schema;
pub mod semantics;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod text;
pub mod types;
pub mod units;
pub mod value;
