//! The session's policy: the loaded file plus the changes typed at the
//! prompt, kept as text so that every diagnostic quotes what was written.
//!
//! A change is replayed on the text (`let` values replaced in place,
//! declarations appended) and the whole is compiled again, so the session's
//! policy is always one that `meed check` would accept.

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::input::{InputWarning, Log, LogFormat, Roster, check_people, read_log, read_roster};
use crate::pipeline::{CompiledPolicy, PolicyProblem, compile_policy};
use crate::schema::Schema;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{Item, LetValue, PolicyFile};
use crate::types::error::CheckError;

/// One change the session made to the loaded policy.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Declarations typed at the prompt, exactly as typed.
    Declare(String),
    /// `:set NAME = EXPR`: a constant's new value, as typed.
    Set { name: String, expr: String },
    /// `:drop NAME`: a rule, pool or constant taken out.
    Drop(String),
    /// `:replace DECLARATION`: the rules, pools and constants it names
    /// taken out, then it added, exactly as typed.
    Replace(String),
}

impl Edit {
    /// How `:reset` and `:diff` name the change.
    pub fn describe(&self) -> String {
        match self {
            Edit::Declare(text) => {
                let first = text.lines().next().unwrap_or_default().trim();
                let first = first.trim_end_matches('{').trim_end();
                format!("added `{first}`")
            }
            Edit::Set { name, expr } => format!("`{name}` set to `{expr}`"),
            Edit::Drop(name) => format!("dropped `{name}`"),
            Edit::Replace(text) => {
                let first = text.lines().next().unwrap_or_default().trim();
                let first = first.trim_end_matches('{').trim_end();
                format!("replaced by `{first}`")
            }
        }
    }
}

/// A policy compiled from `current` with `edit` applied.
pub struct Edited {
    pub policy: Result<CompiledPolicy, PolicyProblem>,
    /// Where the edited text starts, and that text: diagnostics that lie
    /// entirely inside it are shown against the typed input alone.
    pub offset: usize,
    pub input: SourceFile,
}

/// Applies one edit to `current`; `None` if it sets a constant that does
/// not exist.
pub fn apply_edit(current: &CompiledPolicy, edit: &Edit) -> Option<Edited> {
    let text = current.source.text();
    let (new_text, offset, typed) = match edit {
        Edit::Declare(decl) => appended(text, decl),
        Edit::Drop(name) => {
            let span = declaration_span(current, name)?;
            (without(text, &[span])?, span.start, "")
        }
        Edit::Replace(decl) => {
            let typed =
                crate::syntax::parser::parse_policy(&SourceFile::new("<input>", decl.as_str()))
                    .ok()?;
            let mut spans: Vec<Span> = typed
                .items
                .iter()
                .filter_map(declared_name)
                .filter_map(|name| declaration_span(current, name))
                .collect();
            spans.sort_by_key(|s| s.start);
            let kept = without(text, &spans)?;
            appended(&kept, decl)
        }
        Edit::Set { name, expr } => {
            let (span, prefix) = let_value_span(current, name)?;
            let mut new_text = String::with_capacity(text.len() + expr.len());
            new_text.push_str(text.get(..span.start)?);
            new_text.push_str(prefix);
            new_text.push_str(expr);
            new_text.push_str(text.get(span.end..)?);
            (new_text, span.start + prefix.len(), expr.as_str())
        }
    };
    let source = SourceFile::new(session_name(current.source.name()), new_text);
    Some(Edited {
        policy: compile_policy(&source),
        offset,
        input: SourceFile::new("<input>", typed),
    })
}

/// `text` with `decl` added at its end, where `decl` starts, and `decl`.
fn appended<'d>(text: &str, decl: &'d str) -> (String, usize, &'d str) {
    let separator = match text {
        "" => "",
        t if t.ends_with("\n\n") => "",
        t if t.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    let offset = text.len() + separator.len();
    (format!("{text}{separator}{decl}\n"), offset, decl)
}

/// `text` without the declarations at `spans` (in order, not overlapping)
/// and the line break that ends each.
fn without(text: &str, spans: &[Span]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(text.get(at..span.start)?);
        at = span.end;
        if text.get(at..).is_some_and(|rest| rest.starts_with('\n')) {
            at += 1;
        }
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// The name a rule, pool or constant is declared with.
fn declared_name(item: &Item) -> Option<&str> {
    match item {
        Item::Rule(r) => Some(&r.name.node),
        Item::Pool(p) => Some(&p.name.node),
        Item::Let(l) => Some(&l.name.node),
        _ => None,
    }
}

/// Where the rule, pool or constant called `name` is declared.
pub fn declaration_span(policy: &CompiledPolicy, name: &str) -> Option<Span> {
    policy
        .ast
        .items
        .iter()
        .find(|item| declared_name(item) == Some(name))
        .map(Item::span)
}

/// `rules/community.meed (as changed in this session)`: diagnostics on
/// the edited policy must not pass its line numbers off as the file's.
fn session_name(name: &str) -> String {
    const SUFFIX: &str = " (as changed in this session)";
    if name.ends_with(SUFFIX) || name.starts_with('<') {
        name.to_string()
    } else {
        format!("{name}{SUFFIX}")
    }
}

/// Where the value of `let NAME = ...` is written, and what to write
/// before a new value there: `:set` on a dated value replaces its whole
/// block (from after the name) with ` = VALUE`.
fn let_value_span(policy: &CompiledPolicy, name: &str) -> Option<(Span, &'static str)> {
    policy.ast.items.iter().find_map(|item| match item {
        Item::Let(l) if l.name.node == name => Some(match &l.value {
            LetValue::Fixed(expr) => (expr.span, ""),
            LetValue::Dated(_) => (l.name.span.with_range(l.name.span.end, l.span.end), " = "),
        }),
        _ => None,
    })
}

/// Names of the constants (`let`) in a policy, in file order.
pub fn constant_names(policy: &CompiledPolicy) -> Vec<&str> {
    policy.ast.lets().map(|l| l.name.node.as_str()).collect()
}

/// Points diagnostics that lie wholly inside the typed text at that text,
/// so they read `<input>:1:5` rather than a line past the end of the file.
pub fn relocate(errors: Vec<CheckError>, offset: usize, input: &SourceFile) -> Vec<CheckError> {
    let end = offset + input.text().len();
    let inside = |s: Span| s.start >= offset && s.end <= end;
    let shift = |s: Span| input.span(s.start - offset, s.end - offset);
    errors
        .into_iter()
        .map(|error| {
            if !inside(error.span) || !error.secondary.iter().all(|(s, _)| inside(*s)) {
                return error;
            }
            let mut moved = CheckError::new(input, error.kind.clone(), shift(error.span));
            moved.label = error.label.clone();
            moved.secondary = error
                .secondary
                .iter()
                .map(|(s, l)| (shift(*s), l.clone()))
                .collect();
            moved
        })
        .collect()
}

/// The empty policy a session starts with when no file is given.
pub fn empty_policy() -> CompiledPolicy {
    let ast = PolicyFile {
        items: Vec::new(),
        comments: Vec::new(),
        span: Span::NOWHERE,
    };
    CompiledPolicy {
        source: SourceFile::new("<session>", ""),
        schema: Schema::from_policy(&ast),
        ast,
        warnings: Vec::new(),
    }
}

/// A log or roster file as last read from disk.
#[derive(Clone, Debug)]
pub struct DataFile {
    pub path: PathBuf,
    pub source: SourceFile,
    pub format: LogFormat,
}

impl DataFile {
    /// Reads `path` (UTF-8), telling its format from the extension.
    pub fn read(path: &Path) -> Result<DataFile, super::ReplError> {
        let name = path.display().to_string();
        let format =
            LogFormat::from_path(path).ok_or_else(|| super::ReplError::unknown_format(&name))?;
        let source = read_text(path)?;
        Ok(DataFile {
            path: path.to_path_buf(),
            source,
            format,
        })
    }

    /// `log.csv`, for the prompt.
    pub fn short_name(&self) -> String {
        short_name(&self.path)
    }
}

/// `community.meed` for `rules/community.meed`.
pub fn short_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads a text file for the session.
pub fn read_text(path: &Path) -> Result<SourceFile, super::ReplError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let text = e.to_string();
        let reason = text.split(" (os error").next().unwrap_or(&text).to_string();
        super::ReplError::cannot_read(&name, &reason)
    })?;
    crate::input::decode(&name, bytes)
        .map_err(|e| super::ReplError::cannot_read(&name, &e.to_string()))
}

/// The log and roster, validated against one policy's declarations.
pub struct Data {
    pub log: Log,
    pub roster: Option<Roster>,
    pub warnings: Vec<InputWarning>,
}

/// Reads the log and roster against `schema`. Every problem is returned as
/// a diagnostic; nothing is evaluated over a log with errors.
pub fn read_data(
    schema: &Schema,
    log: &DataFile,
    people: Option<&DataFile>,
) -> Result<Data, Box<dyn Diagnostic>> {
    let boxed = |e: crate::input::InputErrors| Box::new(e) as Box<dyn Diagnostic>;
    let roster = match people {
        Some(file) => Some(read_roster(schema, &file.source, file.format).map_err(boxed)?),
        None => None,
    };
    let (log_records, warnings) = read_log(schema, &log.source, log.format).map_err(boxed)?;
    if let Some(roster) = &roster {
        check_people(&log_records, &log.source, roster).map_err(boxed)?;
    }
    Ok(Data {
        log: log_records,
        roster,
        warnings,
    })
}
