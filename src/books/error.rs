//! What can go wrong with the books, each with its code and help.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// A problem with a books file or a payout run.
#[derive(Debug, Error, Diagnostic)]
pub enum BooksError {
    #[error("`{}` is not a meed books file", path.display())]
    #[diagnostic(
        code(meed::books_not_books),
        help(
            "give the file `meed close` created, or a path that does not exist yet to start new books"
        )
    )]
    NotBooks { path: PathBuf },

    #[error("there are no books at `{}`", path.display())]
    #[diagnostic(
        code(meed::books_missing),
        help(
            "`meed close ... --books FILE --through DATE` creates the books with their first run"
        )
    )]
    Missing { path: PathBuf },

    #[error("`--through {through}` is before the last run's date ({last}, run {run})")]
    #[diagnostic(
        code(meed::books_through_earlier),
        help(
            "a run books everything earned up to its date; close through {last} or later (a late record for an earlier month is booked as an adjustment)"
        )
    )]
    ThroughEarlier {
        through: String,
        last: String,
        run: i64,
    },

    #[error("the books are busy: another `meed close` is writing them")]
    #[diagnostic(
        code(meed::books_busy),
        help(
            "wait until the other run has finished, then run this one again; it will book only what is still due"
        )
    )]
    Busy,

    #[error("there is no run {run} in the books (they hold {count} runs)")]
    #[diagnostic(
        code(meed::books_no_run),
        help("`meed books show --books FILE` lists the runs")
    )]
    NoRun { run: i64, count: i64 },

    #[error("the books file cannot be used: {message}")]
    #[diagnostic(
        code(meed::books_database),
        help("check that the file is readable and writable and that the disk is not full")
    )]
    Database { message: String },
}

impl From<rusqlite::Error> for BooksError {
    fn from(error: rusqlite::Error) -> BooksError {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                BooksError::Busy
            }
            _ => BooksError::Database {
                message: error.to_string(),
            },
        }
    }
}
