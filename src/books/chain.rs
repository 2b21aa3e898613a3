//! The hash chain: each run's hash covers its own fields, its lines and the
//! hash of the run before it, so a row changed or deleted behind meed's
//! back breaks the chain from that run on.

use sha2::{Digest, Sha256};

use super::plan::Line;
use super::store::NewRun;

/// The "previous hash" of the first run.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of a file's bytes, in lowercase hex, read in pieces so that a
/// log of any size takes little memory.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        match buffer.get(..read) {
            Some(piece) if read > 0 => hasher.update(piece),
            _ => break,
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// The hash of run `number`: its fields, the hash before it and its lines
/// (in the books' order: who, reward, earned, unit), each written as a JSON
/// array so that no text can pass for a separator.
pub fn run_hash(number: i64, run: &NewRun, previous_hash: &str, lines: &[Line]) -> String {
    let mut hasher = RunHasher::new(number, run, previous_hash);
    for line in lines {
        hasher.line(&[
            &line.group.who,
            &line.group.reward,
            &line.group.earned,
            &line.group.unit,
            line.kind.as_str(),
            &line.amount_text(),
            &line.reason,
        ]);
    }
    hasher.finish()
}

/// A run's hash, taken line by line (`books verify` streams the lines).
pub struct RunHasher {
    hasher: Sha256,
    row: Vec<u8>,
}

impl RunHasher {
    /// Starts with the run's own fields and the hash before it.
    pub fn new(number: i64, run: &NewRun, previous_hash: &str) -> RunHasher {
        let mut hasher = Sha256::new();
        let header = serde_json::json!([
            "meed books run v1",
            number,
            previous_hash,
            run.closed_at,
            run.through,
            run.timezone,
            run.policy_name,
            run.policy_sha256,
            run.log_sha256,
            run.roster_sha256,
            run.meed_version,
        ]);
        hasher.update(header.to_string().as_bytes());
        hasher.update(b"\n");
        RunHasher {
            hasher,
            row: Vec::with_capacity(256),
        }
    }

    /// Adds one line: who, reward, earned, unit, kind, amount (as booked),
    /// reason.
    pub fn line(&mut self, fields: &[&str; 7]) {
        self.row.clear();
        // Writing texts into memory cannot fail.
        let _ = serde_json::to_writer(&mut self.row, fields);
        self.row.push(b'\n');
        self.hasher.update(&self.row);
    }

    /// The hash, in lowercase hex.
    pub fn finish(self) -> String {
        hex(&self.hasher.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
