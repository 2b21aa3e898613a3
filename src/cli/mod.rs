//! The command line: one file per subcommand, each a clap `Args` struct and
//! one `run` function. `main.rs` only calls [`run`].

/// `println!` that ignores a closed pipe: when `meed test | head` stops
/// reading, that is the reader's choice, not a failure worth a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` that ignores a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed standard error, and says nothing
/// once Ctrl-C was pressed (the errors of threads whose files were just
/// removed are not the user's concern).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cli::interrupt::interrupted() {
            let _ = writeln!(std::io::stderr(), $($arg)*);
        }
    }};
}

/// `eprint!` that ignores a closed standard error (silent after Ctrl-C).
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::cli::interrupt::interrupted() {
            let _ = write!(std::io::stderr(), $($arg)*);
        }
    }};
}

mod books;
mod check;
mod close;
mod diagnostics;
mod diff;
mod eval;
mod explain;
mod files;
mod fmt;
mod interrupt;
mod load;
mod lsp;
mod progress;
mod repl;
mod report;
mod snapshot;
mod test;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use diagnostics::{DiagnosticFormat, Reporter};

/// meed: reward policies as code. Check a policy, evaluate it against a
/// contribution log, and trace every grant back to its rule.
#[derive(Debug, Parser)]
#[command(name = "meed", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and type-check policies; print diagnostics
    Check(check::CheckArgs),
    /// Evaluate a policy against a contribution log and print the ledger
    Eval(eval::EvalArgs),
    /// Explain, grant by grant, what one person received and why
    Explain(explain::ExplainArgs),
    /// Run the `test` blocks of policies and test files
    Test(test::TestArgs),
    /// Compare two versions of a policy on the same log: who gains, who loses
    Diff(diff::DiffArgs),
    /// Compare the full ledger with an approved snapshot; `--accept` approves
    Snapshot(snapshot::SnapshotArgs),
    /// Rewrite policies in the canonical layout, keeping every comment
    Fmt(fmt::FmtArgs),
    /// Explore a policy interactively: evaluate expressions, explain, what-if
    Repl(repl::ReplArgs),
    /// A payout run: book into the books what became due through a date
    Close(close::CloseArgs),
    /// What the payout runs booked, and whether the books are intact
    Books(books::BooksArgs),
    /// Statements for each person and the organisation's report, as HTML
    Report(report::ReportArgs),
    /// A language server for editors, over standard input and output
    Lsp(lsp::LspArgs),
}

/// How a command ended, mapped to the process's exit code.
#[derive(Debug)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: a problem in a policy or the data, already reported.
    Failed,
    /// Exit 2: the command was used wrongly (missing file, bad flag value).
    Usage(String),
}

impl Outcome {
    fn exit_code(&self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failed => ExitCode::from(1),
            Outcome::Usage(_) => ExitCode::from(2),
        }
    }
}

/// Parses the command line, runs the command, returns its exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version to stdout (exit 0) and usage errors to
            // stderr (exit 2).
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Test(args) => test::run(args),
        Command::Repl(args) => repl::run(args),
        Command::Close(args) => close::run(args),
        Command::Books(args) => books::run(args),
        Command::Report(args) => report::run(args),
        Command::Lsp(args) => lsp::run(args),
    };
    interrupt::wait_if_interrupted();
    if let Outcome::Usage(message) = &outcome
        && !message.is_empty()
    {
        errln!("error: {message}");
    }
    outcome.exit_code()
}
