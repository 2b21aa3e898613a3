//! The `meed` command: a thin layer over the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    meed::cli::run(std::env::args_os())
}
