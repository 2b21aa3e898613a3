//! `meed lsp`: a language server, so policy authors see in their editor
//! what `meed check` would say, as they type.
//!
//! Synchronous on purpose (lsp-server, the scaffold rust-analyzer uses):
//! checking a policy takes milliseconds, so each message is answered in
//! turn and no async runtime is needed. The server reuses the library:
//! diagnostics are [`crate::testing::load_test_file`]'s, formatting is
//! [`crate::fmt`]'s, types come from [`crate::types::check::Checker`].
//!
//! - [`server`]: the message loop and what the server announces it can do;
//! - [`documents`] and [`analysis`]: open documents, each analysed once per version;
//! - [`position`]: byte offsets ↔ LSP's UTF-16 positions;
//! - [`diagnostics`]: miette diagnostics as LSP diagnostics;
//! - [`index`]: every name in a policy and what it refers to;
//! - one file per request: [`symbols`], [`formatting`], [`hover`],
//!   [`navigation`] (definition, references), [`completion`], [`rename`].

pub mod analysis;
pub mod completion;
pub mod diagnostics;
pub mod documents;
pub mod error;
pub mod formatting;
pub mod hover;
pub mod index;
pub mod navigation;
pub mod position;
pub mod rename;
pub mod server;
pub mod symbols;

pub use error::LspError;
pub use server::{capabilities, serve};
