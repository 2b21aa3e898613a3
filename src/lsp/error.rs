//! Why the server stopped: the connection failed, never a policy's fault
//! (a broken policy is answered with diagnostics, not with an error).

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum LspError {
    /// The client broke the protocol (no `initialize`, no `exit` after `shutdown`).
    #[error("language server protocol error: {0}")]
    #[diagnostic(code(meed::lsp_protocol))]
    Protocol(#[from] lsp_server::ProtocolError),
    /// The client went away while the server was answering.
    #[error("the editor closed the connection")]
    #[diagnostic(code(meed::lsp_closed))]
    Closed,
    /// Could not encode a message (a bug in meed).
    #[error("cannot encode a message: {0}")]
    #[diagnostic(code(meed::internal))]
    Encode(#[from] serde_json::Error),
}
