//! `meed repl [POLICY] [LOG] [--people FILE]`: an interactive session.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::repl::line::{run_lines, run_terminal};
use crate::repl::{Reply, ReplyStatus, Session};

use super::Outcome;
use super::files::plain_io_error;

#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The policy file to start with (`.meed`)
    #[arg(value_name = "POLICY")]
    policy: Option<PathBuf>,
    /// The contribution log to start with: CSV with a header, or JSON Lines
    #[arg(value_name = "LOG")]
    log: Option<PathBuf>,
    /// The roster: `who` plus the policy's `person` columns
    #[arg(long, value_name = "FILE")]
    people: Option<PathBuf>,
}

/// Loads the files given, then reads inputs from the terminal (with a
/// prompt, history and completion) or, when stdin is a pipe, line by line.
/// Piped sessions exit 1 if any input failed, so scripts can tell, and 2
/// if a file given at start cannot be opened.
pub fn run(args: ReplArgs) -> Outcome {
    let interactive = std::io::stdin().is_terminal();
    let colour =
        interactive && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100);
    // A piped session that is given a file it cannot open fails the way
    // every command does: a usage error (exit 2), before reading any input.
    // A file that opens but does not load is a policy or data error (exit 1).
    if !interactive {
        for path in [&args.policy, &args.people, &args.log]
            .into_iter()
            .flatten()
        {
            if let Err(error) = std::fs::File::open(path) {
                return Outcome::Usage(format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    plain_io_error(&error)
                ));
            }
        }
    }
    let mut session = Session::new().with_style(colour, width);
    let mut started = Vec::new();
    if let Some(policy) = &args.policy {
        started.push(session.load(&policy.display().to_string()));
    }
    if let Some(people) = &args.people {
        started.push(session.load_people(&people.display().to_string()));
    }
    if let Some(log) = &args.log {
        started.push(session.load_log(&log.display().to_string()));
    }
    let start_failed = started.iter().any(|r| r.status == ReplyStatus::Failed);
    for Reply { text, status } in &started {
        match status {
            ReplyStatus::Failed => err!("{text}"),
            _ if interactive => out!("{text}"),
            _ => {}
        }
    }
    if !interactive {
        if start_failed {
            return Outcome::Failed;
        }
        let stdin = std::io::stdin().lock();
        let ok = run_lines(
            &mut session,
            stdin,
            &mut std::io::stdout(),
            &mut std::io::stderr(),
        );
        return if ok {
            Outcome::Success
        } else {
            Outcome::Failed
        };
    }
    outln!("type an expression, a declaration or a command; `:help` lists them, Ctrl-D leaves");
    match run_terminal(session) {
        Ok(()) => Outcome::Success,
        Err(message) => Outcome::Usage(message),
    }
}
