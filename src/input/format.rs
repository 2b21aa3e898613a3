//! Which reader a log or roster file needs: CSV or JSON Lines.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// The format of a log or roster file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// Comma-separated, with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl LogFormat {
    /// The format a file's extension names: `.csv`, or `.jsonl`, `.ndjson`,
    /// `.json` for JSON Lines; `None` for anything else.
    pub fn from_path(path: &Path) -> Option<LogFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(LogFormat::Csv),
            "jsonl" | "ndjson" | "json" => Some(LogFormat::JsonLines),
            _ => None,
        }
    }
}

/// `--format-in csv` or `--format-in jsonl`.
impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(LogFormat::Csv),
            "jsonl" | "ndjson" | "json" => Ok(LogFormat::JsonLines),
            _ => Err(format!("unknown log format `{s}`; use `csv` or `jsonl`")),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Csv => "csv",
            LogFormat::JsonLines => "jsonl",
        })
    }
}
