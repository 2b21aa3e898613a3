//! The command line: one file per subcommand, each a clap `Args` struct and
//! one `run` function. `main.rs` only calls [`run`].
