//! From text to tree: the pest grammar, parse errors in plain words, and the
//! lowering of pest pairs into the typed AST.

pub mod ast;
pub mod lower;
pub mod parser;
