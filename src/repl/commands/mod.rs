//! The `:commands`: loading files, looking at the ledger, and what-if
//! changes to constants.

mod files;
mod ledger;
mod whatif;

use crate::types::suggest::nearest;

use super::ReplError;
use super::listing::list_rules;
use super::policy::Data;
use super::session::{Reply, Session};

/// Every command: name, how it is written, what it does (for `:help` and
/// completion).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        ":load",
        ":load POLICY",
        "load a policy file (drops session changes)",
    ),
    (
        ":log",
        ":log FILE",
        "load a contribution log (.csv or .jsonl)",
    ),
    (":people", ":people FILE", "load a roster"),
    (
        ":reload",
        ":reload",
        "read the files again and say what changed",
    ),
    (
        ":ledger",
        ":ledger [WHO]",
        "totals per person; with WHO, that person's grants",
    ),
    (
        ":explain",
        ":explain WHO [ACCOUNT]",
        "why WHO received what they did",
    ),
    (":rules", ":rules", "the rules, limits and pools in force"),
    (":type", ":type EXPR", "the type of an expression"),
    (
        ":set",
        ":set NAME = EXPR",
        "change a constant for this session",
    ),
    (
        ":diff",
        ":diff",
        "the ledger now against the loaded policy (what-if)",
    ),
    (
        ":replace",
        ":replace DECLARATION",
        "replace the rule, pool or constant of the same name (what-if)",
    ),
    (
        ":drop",
        ":drop NAME",
        "take a rule, pool or constant out for this session",
    ),
    (":reset", ":reset", "drop every change made in this session"),
    (":help", ":help", "this list"),
    (":quit", ":quit", "end the session (or Ctrl-D)"),
];

impl Session {
    /// Runs `:NAME ARGS` (the colon already removed).
    pub(super) fn command(&mut self, line: &str) -> Reply {
        let (name, args) = match line.split_once(char::is_whitespace) {
            Some((name, args)) => (name, args.trim()),
            None => (line, ""),
        };
        match name {
            "load" => self.load(args),
            "log" => self.load_log(args),
            "people" => self.load_people(args),
            "reload" => self.reload(),
            "ledger" => self.ledger(args),
            "explain" => self.explain(args),
            "rules" => Reply::done(list_rules(&self.current, &self.base)),
            "type" => self.type_of(args),
            "set" => self.set(args),
            "diff" => self.diff(),
            "replace" => self.replace(args),
            "drop" => self.drop_declaration(args),
            "reset" => self.reset(),
            "help" | "h" | "?" => Reply::done(help()),
            "quit" | "q" | "exit" => Reply::quit(),
            other => {
                let names = COMMANDS.iter().map(|(n, _, _)| n.trim_start_matches(':'));
                let suggestion = nearest(other, names).map(|s| format!(":{s}"));
                self.fail(&ReplError::unknown_command(
                    &format!(":{other}"),
                    suggestion.as_deref(),
                ))
            }
        }
    }
}

/// The `:help` text.
fn help() -> String {
    let width = COMMANDS.iter().map(|(_, u, _)| u.len()).max().unwrap_or(0);
    let mut out = String::from(
        "Type an expression to evaluate it (`5 EUR + 0.02 EUR * 120`), or a declaration\n\
         (`let`, `rule`, `limit`, `pool`, ...) to add it to this session's policy.\n\
         Input continues on the next line while a `{` or `(` is open.\n\n",
    );
    for (_, usage, what) in COMMANDS {
        out.push_str(&format!("  {usage:<width$}  {what}\n"));
    }
    out.push_str("\nTab completes commands, names, fields after `x.` and people.\n");
    out
}

/// `420 records from 30 people`
pub(super) fn count_records(data: &Data) -> String {
    let n = data.log.contributions.len();
    let mut people: Vec<&str> = data
        .log
        .contributions
        .iter()
        .map(|c| c.who.as_ref())
        .collect();
    people.sort_unstable();
    people.dedup();
    format!(
        "{n} {} from {} {}",
        plural(n, "record", "records"),
        people.len(),
        plural(people.len(), "person", "people")
    )
}

/// `2 session changes`
pub(super) fn changes(n: usize) -> String {
    format!("{n} session {}", plural(n, "change", "changes"))
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
