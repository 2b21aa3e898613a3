//! The full ledger as JSON: every grant with its provenance, and totals.

use std::io::{Seek, Write};

use serde::Serialize;

use crate::eval::{EvalError, GrantSink};
use crate::ledger::{Grant, Ledger, Target, Totals};
use crate::render::amount::{amount_and_unit, is_zero};

/// The name and version of the JSON ledger's layout (`docs/json.md`): a
/// program reading it checks this first. A new field keeps the version; a
/// field renamed, removed or changed in meaning bumps it.
pub const LEDGER_SCHEMA: &str = "meed.ledger/1";

#[derive(Serialize)]
struct JsonLedger<'a> {
    schema: &'static str,
    totals: Vec<JsonTotal<'a>>,
    grants: &'a [Grant],
}

#[derive(Serialize)]
struct JsonTotal<'a> {
    who: &'a str,
    reward: &'a str,
    kind: &'static str,
    amount: String,
    unit: String,
}

/// Pretty-printed JSON with totals (as in the CSV) first, then every grant.
pub fn render_json(ledger: &Ledger) -> String {
    document(&ledger.totals, &ledger.grants)
}

/// The document with these totals and grants.
fn document(totals: &Totals, grants: &[Grant]) -> String {
    let totals = json_totals(totals);
    let document = JsonLedger {
        schema: LEDGER_SCHEMA,
        totals,
        grants,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

/// The totals as the JSON lists them: by who and reward, zeros left out.
fn json_totals(all: &Totals) -> Vec<JsonTotal<'_>> {
    let mut totals = Vec::new();
    for (who, targets) in all {
        for (target, total) in targets {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit(target, total);
            totals.push(JsonTotal {
                who,
                reward: target.name(),
                kind: match target {
                    Target::Account(_) => "account",
                    Target::Badge(_) => "badge",
                },
                amount,
                unit,
            });
        }
    }
    totals.sort_by(|a, b| (a.who, a.reward).cmp(&(b.who, b.reward)));
    totals
}

/// The grants of a ledger as they arrive, in a temporary file: the JSON
/// lists totals first, and they are known only at the end, while a ledger
/// of millions of grants does not belong in memory.
pub struct JsonGrants {
    file: std::io::BufWriter<std::fs::File>,
    count: u64,
    /// The file could not be emptied for a restart: nothing written since
    /// can be trusted.
    broken: bool,
}

/// Each line of a grant printed alone, indented as in the document.
const GRANT_INDENT: &str = "    ";

impl JsonGrants {
    /// An empty list, in a temporary file deleted when it is dropped.
    pub fn new() -> std::io::Result<JsonGrants> {
        Ok(JsonGrants {
            file: std::io::BufWriter::new(tempfile::tempfile()?),
            count: 0,
            broken: false,
        })
    }

    /// Writes the whole document, byte for byte what [`render_json`] gives
    /// for these grants and `totals`.
    pub fn write_document(mut self, totals: &Totals, out: &mut dyn Write) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other(
                "the temporary ledger could not be emptied",
            ));
        }
        let head = document(totals, &[]);
        if self.count == 0 {
            return out.write_all(head.as_bytes());
        }
        let open = head
            .strip_suffix("[]\n}\n")
            .ok_or_else(|| std::io::Error::other("unexpected JSON layout"))?;
        out.write_all(open.as_bytes())?;
        out.write_all(b"[\n")?;
        self.file.flush()?;
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        std::io::copy(&mut file, out)?;
        out.write_all(b"\n  ]\n}\n")
    }

    fn write(&mut self, grant: &Grant) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(grant).map_err(std::io::Error::other)?;
        if self.count > 0 {
            self.file.write_all(b",\n")?;
        }
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.file.write_all(b"\n")?;
            }
            self.file.write_all(GRANT_INDENT.as_bytes())?;
            self.file.write_all(line.as_bytes())?;
        }
        self.count += 1;
        Ok(())
    }
}

impl GrantSink for JsonGrants {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        self.write(&grant).map_err(|e| {
            EvalError::internal(
                format!("cannot keep the ledger in a temporary file: {e}"),
                None,
            )
        })
    }

    fn restart(&mut self) {
        self.count = 0;
        let emptied = self
            .file
            .flush()
            .and_then(|()| self.file.get_mut().set_len(0))
            .and_then(|()| self.file.get_mut().rewind());
        self.broken |= emptied.is_err();
    }
}
