//! Running the real `meed` binary.

use std::path::Path;
use std::process::Command;

pub struct Run {
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub code: i32,
}

/// Runs meed in `dir` with `env` set, no colour, 80 columns.
pub fn meed_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meed"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run meed: {e}"));
    Run {
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Each bundled policy with its example log and roster, relative to the root.
pub fn examples() -> Vec<(String, String, String)> {
    super::fuzz_props::POLICIES
        .iter()
        .map(|(name, _, _)| {
            let folder = format!("examples/{name}");
            let log = ["log.csv", "log.jsonl"]
                .iter()
                .map(|file| format!("{folder}/{file}"))
                .find(|path| root().join(path).exists())
                .unwrap_or_else(|| panic!("no example log for {name}"));
            (
                format!("rules/{name}.meed"),
                log,
                format!("{folder}/people.csv"),
            )
        })
        .collect()
}
