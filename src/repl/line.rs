//! Reading input: a rustyline editor on a terminal (history, Tab
//! completion, multi-line input while braces are open), or plain lines
//! from a pipe so that sessions can be scripted.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use super::session::{ReplyStatus, Session, is_complete};

/// Connects a [`Session`] to rustyline: completion and the "is this input
/// finished?" check.
struct SessionHelper {
    session: Session,
}

impl Completer for SessionHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let completions = self.session.complete(line, pos);
        Ok((completions.start, completions.candidates))
    }
}

impl Hinter for SessionHelper {
    type Hint = String;
}

impl Highlighter for SessionHelper {}

impl Validator for SessionHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for SessionHelper {}

/// `DATA_DIR/meed/history` (e.g. `~/.local/share/meed/history` on Linux).
fn history_path() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join("meed").join("history"))
}

/// Runs the session at a terminal until `:quit`, Ctrl-D or a broken
/// terminal. Ctrl-C cancels the line being typed. History is loaded and
/// saved if it can be; failing to save it is not worth a message.
pub fn run_terminal(session: Session) -> Result<(), String> {
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .build();
    let mut editor: Editor<SessionHelper, DefaultHistory> =
        Editor::with_config(config).map_err(|e| format!("cannot start the line editor: {e}"))?;
    editor.set_helper(Some(SessionHelper { session }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    loop {
        let prompt = editor
            .helper()
            .map_or_else(|| "meed> ".to_string(), |h| h.session.prompt());
        match editor.readline(&prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let Some(helper) = editor.helper_mut() else {
                    break;
                };
                let reply = helper.session.handle(&line);
                match reply.status {
                    ReplyStatus::Quit => break,
                    ReplyStatus::Done => {
                        let _ = write!(std::io::stdout(), "{}", reply.text);
                    }
                    ReplyStatus::Failed => {
                        let _ = write!(std::io::stderr(), "{}", reply.text);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(other) => {
                let _ = writeln!(std::io::stderr(), "error: {other}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        if let Some(folder) = path.parent() {
            let _ = std::fs::create_dir_all(folder);
        }
        let _ = editor.save_history(path);
    }
    Ok(())
}

/// Runs the session over lines from a pipe: no prompt, no history.
/// Answers go to `out`, diagnostics to `err`. An input continues on the
/// next line while a brace is open. Returns whether every input went well.
pub fn run_lines(
    session: &mut Session,
    input: impl BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    let mut all_good = true;
    let mut buffer = String::new();
    let mut lines = input.lines();
    loop {
        let line = lines.next().and_then(Result::ok);
        let at_end = line.is_none();
        if let Some(line) = line {
            buffer.push_str(&line);
            buffer.push('\n');
            if !is_complete(&buffer) {
                continue;
            }
        }
        if at_end && buffer.trim().is_empty() {
            break;
        }
        let reply = session.handle(&buffer);
        buffer.clear();
        match reply.status {
            ReplyStatus::Quit => break,
            ReplyStatus::Done => {
                let _ = out.write_all(reply.text.as_bytes());
            }
            ReplyStatus::Failed => {
                all_good = false;
                let _ = out.flush();
                let _ = err.write_all(reply.text.as_bytes());
            }
        }
        if at_end {
            break;
        }
    }
    let _ = out.flush();
    all_good
}
