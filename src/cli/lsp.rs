//! `meed lsp`: the language server, over standard input and output.

use clap::Args;
use lsp_server::Connection;

use crate::lsp::serve;

use super::Outcome;

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over standard input and output (the default and only way;
    /// accepted because editors pass it)
    #[arg(long)]
    stdio: bool,
}

/// Serves one editor until it shuts the server down. Exit 0 after a clean
/// `shutdown` and `exit`, 1 when the connection broke.
pub fn run(args: LspArgs) -> Outcome {
    let _ = args.stdio;
    let (connection, io_threads) = Connection::stdio();
    let served = serve(&connection);
    drop(connection);
    let joined = io_threads.join();
    match (served, joined) {
        (Ok(()), Ok(())) => Outcome::Success,
        (Err(error), _) => {
            errln!("error: {error}");
            Outcome::Failed
        }
        (_, Err(error)) => {
            errln!("error: the connection to the editor failed: {error}");
            Outcome::Failed
        }
    }
}
