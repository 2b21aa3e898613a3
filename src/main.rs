//! The `meed` command: a thin layer over the library.

use std::process::ExitCode;

/// mimalloc rather than the system's allocator. A report makes and drops
/// hundreds of millions of small strings (words, rows, records) on two
/// threads; glibc's malloc spent 35–40 % of a 10M-record report in its
/// own bookkeeping, and more the larger the heap. `eval` allocates little
/// per record and runs at the same speed with either (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    meed::cli::run(std::env::args_os())
}
