//! From text to tree: the pest grammar, parse errors in plain words, and the
//! lowering of pest pairs into the typed AST.
//!
//! `parser::parse_policy` is the entry point; `prescan` checks brackets,
//! strings and nesting before pest runs; `expected` phrases pest's errors;
//! `lower` builds the [`ast`]; `place` gives every span the parsed file's id.

pub mod ast;
pub mod error;
mod expected;
pub mod lower;
pub mod parser;
mod place;
mod prescan;

pub use error::{ParseError, ParseErrorKind};
pub use expected::KEYWORDS;
pub use parser::{parse_expr, parse_policy};
