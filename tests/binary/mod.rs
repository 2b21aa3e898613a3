//! Running the real `meed` binary from tests, in the project's folder,
//! without colour and at a fixed width so output is stable.

#![allow(dead_code, clippy::panic, reason = "test helpers fail loudly")]

use std::process::Command;

/// What a run printed and how it ended.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `meed ARGS...` from the project's root folder.
pub fn meed(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .unwrap_or_else(|e| panic!("cannot run meed: {e}"));
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}
