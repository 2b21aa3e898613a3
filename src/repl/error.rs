//! Problems with a REPL command itself (an unknown command, a person who is
//! not in the log...), as miette diagnostics like every other meed error.
//!
//! Problems in the policy or the data keep their own diagnostics
//! (`meed::currency_mismatch`, ...); these codes cover only the session:
//! `meed::repl::unknown_command`, `meed::repl::usage`,
//! `meed::repl::nothing_loaded`, `meed::repl::unknown_constant`,
//! `meed::repl::constant_type`, `meed::repl::unknown_person`,
//! `meed::repl::unknown_account`, `meed::repl::needs_person`, `meed::repl::not_here`,
//! `meed::repl::cannot_read`.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::source::{Snippet, SourceFile, Span};

/// One problem with what was typed at the prompt.
#[derive(Debug)]
pub struct ReplError {
    code: &'static str,
    message: String,
    help: Option<String>,
    /// The typed text and the part of it to underline.
    place: Option<Box<(Snippet, Span, String)>>,
}

impl ReplError {
    fn new(code: &'static str, message: impl Into<String>) -> ReplError {
        ReplError {
            code,
            message: message.into(),
            help: None,
            place: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> ReplError {
        self.help = Some(help.into());
        self
    }

    /// `:frobnicate`
    pub fn unknown_command(name: &str, suggestion: Option<&str>) -> ReplError {
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? `:help` lists every command"),
            None => "`:help` lists every command".to_string(),
        };
        ReplError::new(
            "meed::repl::unknown_command",
            format!("there is no command `{name}`"),
        )
        .help(help)
    }

    /// `:explain` without a name.
    pub fn usage(command: &str, usage: &str) -> ReplError {
        ReplError::new(
            "meed::repl::usage",
            format!("`{command}` needs more than that"),
        )
        .help(format!("write it as `{usage}`"))
    }

    /// `:drop bonsu`, or `:replace` of something the policy does not have.
    pub fn nothing_to_change(command: &str, name: &str, suggestion: Option<&str>) -> ReplError {
        let error = ReplError::new(
            "meed::repl::unknown_declaration",
            format!("there is no rule, pool or constant called `{name}` to {command}"),
        );
        match suggestion {
            Some(s) => error.help(format!("did you mean `{s}`? `:rules` lists them")),
            None if command == "replace" => {
                error.help("type the declaration without `:replace` to add it")
            }
            None => error.help("`:rules` lists the rules, pools and constants"),
        }
    }

    /// `:ledger` before any log was loaded.
    pub fn nothing_loaded(command: &str, what: &str, how: &str) -> ReplError {
        ReplError::new(
            "meed::repl::nothing_loaded",
            format!("`{command}` needs {what}, and none is loaded"),
        )
        .help(how.to_string())
    }

    /// `:set revew_points = 5 pts`
    pub fn unknown_constant(name: &str, suggestion: Option<&str>) -> ReplError {
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("to add a new constant, type `let {name} = ...`"),
        };
        ReplError::new(
            "meed::repl::unknown_constant",
            format!("there is no constant `{name}`"),
        )
        .help(help)
    }

    /// `:set review_points = 5 EUR` where it held points.
    pub fn constant_type(
        name: &str,
        old: &str,
        new: &str,
        input: &SourceFile,
        span: Span,
    ) -> ReplError {
        let mut error = ReplError::new(
            "meed::repl::constant_type",
            format!("`{name}` holds `{old}`, not `{new}`"),
        )
        .help(format!(
            "the rules that use `{name}` expect `{old}`; give the new value in the same unit"
        ));
        error.place = Some(Box::new((
            Snippet::of(input, span),
            span,
            format!("this is `{new}`"),
        )));
        error
    }

    /// `:explain zoee`
    pub fn unknown_person(who: &str, log: &str, suggestion: Option<&str>) -> ReplError {
        let error = ReplError::new(
            "meed::repl::unknown_person",
            format!("`{who}` has no contributions in `{log}`"),
        );
        match suggestion {
            Some(s) => error.help(format!("did you mean `{s}`?")),
            None => error.help("`:ledger` lists everyone who received something"),
        }
    }

    /// `:explain ada bonsu`
    pub fn unknown_account(name: &str, suggestion: Option<&str>) -> ReplError {
        let error = ReplError::new(
            "meed::repl::unknown_account",
            format!("the policy has no reward account or badge called `{name}`"),
        );
        match suggestion {
            Some(s) => error.help(format!("did you mean `{s}`?")),
            None => error.help("`:rules` shows what the policy grants"),
        }
    }

    /// `count(review)` at the prompt: it has a type but no value without
    /// a person and a period.
    pub fn needs_person(input: &SourceFile, span: Span, ty: &str) -> ReplError {
        let mut error = ReplError::new(
            "meed::repl::needs_person",
            "this is computed per person and period, so it has no value on its own",
        )
        .help(format!(
            "its type is `{ty}`; aggregates, `person` and `total` belong in `each` rules and pools; `:explain WHO` shows what they gave someone"
        ));
        error.place = Some(Box::new((
            Snippet::of(input, span),
            span,
            "needs a person and a period".to_string(),
        )));
        error
    }

    /// `import "x.meed"` typed at the prompt.
    pub fn not_here(what: &str, instead: &str) -> ReplError {
        ReplError::new(
            "meed::repl::not_here",
            format!("{what} cannot be used at the prompt"),
        )
        .help(instead.to_string())
    }

    /// `:load missing.meed`
    pub fn cannot_read(path: &str, reason: &str) -> ReplError {
        ReplError::new(
            "meed::repl::cannot_read",
            format!("cannot read `{path}`: {reason}"),
        )
        .help("check the path; it is relative to the folder `meed repl` was started in")
    }

    /// A log or roster whose format the extension does not tell.
    pub fn unknown_format(path: &str) -> ReplError {
        ReplError::new(
            "meed::repl::cannot_read",
            format!("cannot tell the format of `{path}` from its name"),
        )
        .help("name the file `.csv` or `.jsonl`")
    }
}

impl fmt::Display for ReplError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReplError {}

impl Diagnostic for ReplError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.place.as_ref()?.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (snippet, span, label) = self.place.as_deref()?;
        snippet.labels((*span, Some(label.clone())), std::iter::empty())
    }
}
