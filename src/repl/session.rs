//! [`Session`]: the state of one REPL (the loaded files and the changes
//! typed since) and [`Session::handle`], which answers one input.
//!
//! An input is one of three things, told apart by how it starts:
//! a `:command`, a declaration (`let`, `rule`, `limit`, `pool`, ...) that
//! is added to the session's policy, or an expression that is evaluated.

use std::path::PathBuf;

use miette::Diagnostic;

use crate::eval::{describe_over_time, evaluate_expr};
use crate::pipeline::{CompiledPolicy, PolicyProblem};
use crate::render::diagnostic::render_graphical;
use crate::source::SourceFile;
use crate::syntax::ast::{ExprKind, Item};
use crate::syntax::parser::{parse_expr, parse_policy};
use crate::types::check::Checker;
use crate::types::error::{CheckError, CheckErrorKind};

use super::ReplError;
use super::policy::{DataFile, Edit, apply_edit, empty_policy, relocate};

/// Words that start a declaration rather than an expression.
pub const DECLARATION_KEYWORDS: &[&str] = &crate::syntax::ast::ITEM_KEYWORDS;

/// What one input produced: the text to show, and whether it went well.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Ends in a line break unless empty.
    pub text: String,
    pub status: ReplyStatus,
}

/// How an input ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyStatus {
    /// The answer is in the text.
    Done,
    /// The text is a diagnostic; the session goes on unchanged.
    Failed,
    /// `:quit`: the session should end.
    Quit,
}

impl Reply {
    pub fn done(text: impl Into<String>) -> Reply {
        Reply {
            text: with_final_newline(text.into()),
            status: ReplyStatus::Done,
        }
    }

    pub fn failed(text: impl Into<String>) -> Reply {
        Reply {
            text: with_final_newline(text.into()),
            status: ReplyStatus::Failed,
        }
    }

    pub fn quit() -> Reply {
        Reply {
            text: String::new(),
            status: ReplyStatus::Quit,
        }
    }
}

fn with_final_newline(mut text: String) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// One interactive session: a policy (possibly empty), an optional log and
/// roster, and the changes typed since the files were loaded.
pub struct Session {
    /// The policy file as given to `:load`, if any.
    pub(super) policy_path: Option<PathBuf>,
    /// The policy as loaded from its file: what `:diff` compares against.
    pub(super) base: CompiledPolicy,
    /// Changes typed at the prompt, in order; replayed on `:reload`.
    pub(super) edits: Vec<Edit>,
    /// `base` with `edits` applied.
    pub(super) current: CompiledPolicy,
    pub(super) log: Option<DataFile>,
    pub(super) people: Option<DataFile>,
    colour: bool,
    width: usize,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// A session with nothing loaded; diagnostics in plain text at 80
    /// columns (what tests and pipes want).
    pub fn new() -> Session {
        Session {
            policy_path: None,
            base: empty_policy(),
            edits: Vec::new(),
            current: empty_policy(),
            log: None,
            people: None,
            colour: false,
            width: 80,
        }
    }

    /// Diagnostics in colour (or not) at this width, for a terminal.
    pub fn with_style(mut self, colour: bool, width: usize) -> Session {
        self.colour = colour;
        self.width = width;
        self
    }

    /// `meed(community.meed, log.csv)> `: what is loaded, at a glance.
    pub fn prompt(&self) -> String {
        let mut loaded: Vec<String> = Vec::new();
        if let Some(path) = &self.policy_path {
            let mut name = super::policy::short_name(path);
            if !self.edits.is_empty() {
                name.push('*');
            }
            loaded.push(name);
        } else if !self.edits.is_empty() {
            loaded.push("*".to_string());
        }
        loaded.extend(self.log.iter().map(DataFile::short_name));
        if loaded.is_empty() {
            "meed> ".to_string()
        } else {
            format!("meed({})> ", loaded.join(", "))
        }
    }

    /// The policy as the session sees it: the file plus typed changes.
    pub fn policy(&self) -> &CompiledPolicy {
        &self.current
    }

    /// Answers one input: a `:command`, a declaration or an expression.
    /// An input may span several lines (see [`is_complete`]). Nothing that
    /// is typed ends the session except `:quit`.
    pub fn handle(&mut self, input: &str) -> Reply {
        let text = input.trim();
        if text.is_empty() {
            return Reply::done("");
        }
        if let Some(command) = text.strip_prefix(':') {
            return self.command(command);
        }
        if starts_declaration(text) {
            return self.declare(text);
        }
        self.expression(text).0
    }

    /// Renders a diagnostic the way this session shows them.
    pub(super) fn render(&self, diagnostic: &dyn Diagnostic) -> String {
        render_graphical(diagnostic, self.colour, self.width)
    }

    /// A reply holding one diagnostic.
    pub(super) fn fail(&self, diagnostic: &dyn Diagnostic) -> Reply {
        Reply::failed(self.render(diagnostic))
    }

    /// Renders several diagnostics, in order.
    pub(super) fn render_all<'a>(
        &self,
        diagnostics: impl IntoIterator<Item = &'a dyn Diagnostic>,
    ) -> String {
        diagnostics.into_iter().map(|d| self.render(d)).collect()
    }

    /// Why a policy did not compile, as text.
    pub(super) fn render_problem(&self, problem: &PolicyProblem) -> String {
        let errors = problem
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity().is_none_or(|s| s == miette::Severity::Error));
        self.render_all(errors)
    }

    /// Parses, type-checks and evaluates one expression against the
    /// session's policy: `7.40 EUR : Money(EUR)`. The type alone is also
    /// returned, for `:type`.
    pub(super) fn expression(&self, text: &str) -> (Reply, Option<String>) {
        let input = SourceFile::new("<input>", text);
        let expr = match parse_expr(&input) {
            Ok(expr) => expr,
            Err(error) => return (self.fail(&error), None),
        };
        let mut checker = Checker::new(&self.current.source, &self.current.ast);
        let ty = match checker.type_of_expr(&input, &expr) {
            Ok(ty) => ty,
            Err(errors) if errors.is_empty() => {
                return (
                    Reply::failed(
                        "the expression uses a declaration that has errors; `:rules` lists what is loaded",
                    ),
                    None,
                );
            }
            Err(errors) => {
                return (
                    Reply::failed(self.render_all(errors.iter().map(|e| e as &dyn Diagnostic))),
                    None,
                );
            }
        };
        let shown_type = ty.to_string();
        if uses_person(&expr) {
            let error = ReplError::needs_person(&input, expr.span, &shown_type);
            return (self.fail(&error), Some(shown_type));
        }
        if let ExprKind::Name(name) = &expr.node
            && let Ok(Some(lines)) =
                describe_over_time(&self.current.ast, &self.current.schema, name)
        {
            let reply = format!(
                "{name} : {shown_type}, changes over time\n  {}",
                lines.join("\n  ")
            );
            return (Reply::done(reply), Some(shown_type));
        }
        match evaluate_expr(&self.current.ast, &self.current.schema, &expr) {
            Ok(value) => (
                Reply::done(format!("{value} : {shown_type}")),
                Some(shown_type),
            ),
            Err(error) => {
                let shown = error.in_files(&[&input, &self.current.source]);
                (self.fail(&shown), Some(shown_type))
            }
        }
    }

    /// Adds declarations typed at the prompt to the session's policy, if
    /// the combined policy still checks.
    fn declare(&mut self, text: &str) -> Reply {
        let input = SourceFile::new("<input>", text);
        let parsed = match parse_policy(&input) {
            Ok(parsed) => parsed,
            Err(error) => return self.fail(&error),
        };
        if parsed.items.iter().any(|i| matches!(i, Item::Import(_))) {
            return self.fail(&ReplError::not_here(
                "`import`",
                "load another policy with `:load FILE`",
            ));
        }
        let edit = Edit::Declare(text.to_string());
        let Some(edited) = apply_edit(&self.current, &edit) else {
            return Reply::failed("internal error: the declaration could not be added");
        };
        match edited.policy {
            Ok(policy) => {
                let added: Vec<String> = parsed.items.iter().map(describe_item).collect();
                let warnings: Vec<CheckError> = relocate(
                    policy
                        .warnings
                        .iter()
                        .filter(|w| w.span.start >= edited.offset && !is_unused(w))
                        .cloned()
                        .collect(),
                    edited.offset,
                    &edited.input,
                );
                self.current = policy;
                self.edits.push(edit);
                let mut out = self.render_all(warnings.iter().map(|w| w as &dyn Diagnostic));
                out.push_str(&added.join("\n"));
                Reply::done(out)
            }
            Err(PolicyProblem::Check(errors)) => {
                let errors: Vec<CheckError> =
                    errors.into_iter().filter(|e| !e.is_warning()).collect();
                let redeclared = errors.iter().find_map(|e| match &e.kind {
                    CheckErrorKind::DuplicateName { namespace, name } => {
                        Some((namespace.contains("constant"), name.clone()))
                    }
                    _ => None,
                });
                let errors = relocate(errors, edited.offset, &edited.input);
                let mut out = self.render_all(errors.iter().map(|e| e as &dyn Diagnostic));
                match redeclared {
                    Some((true, name)) => out.push_str(&format!(
                        "note: to change the value of `{name}` for this session, use `:set {name} = ...`\n"
                    )),
                    // Renaming it would keep the old one too, and pay twice.
                    Some((false, name)) => out.push_str(&format!(
                        "note: to change `{name}` for this session, type `:replace` followed by the new declaration; `:drop {name}` takes it out\n"
                    )),
                    None => {}
                }
                Reply::failed(out)
            }
            Err(problem) => Reply::failed(self.render_problem(&problem)),
        }
    }
}

/// `let x = ...`, `rule r {`, ...: a declaration, not an expression.
fn starts_declaration(text: &str) -> bool {
    let word: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let rest = text.get(word.len()..).unwrap_or_default().trim_start();
    DECLARATION_KEYWORDS.contains(&word.as_str()) && !rest.starts_with('.')
}

/// `added rule `double_docs``
fn describe_item(item: &Item) -> String {
    let (what, name) = match item {
        Item::Policy(h) => ("policy header", h.title.node.clone()),
        Item::Person(_) => ("person columns", String::new()),
        Item::Contribution(k) => ("contribution kind", k.name.node.clone()),
        Item::Reward(r) => ("reward account", r.name.node.clone()),
        Item::Badge(b) => ("badge", b.name.node.clone()),
        Item::Let(l) => ("constant", l.name.node.clone()),
        Item::Rule(r) => ("rule", r.name.node.clone()),
        Item::Limit(l) => ("limit on", l.account.node.clone()),
        Item::Pool(p) => ("pool", p.name.node.clone()),
        Item::Test(t) => ("test", t.name.node.clone()),
        Item::Import(i) => ("import", i.path.node.clone()),
    };
    if name.is_empty() {
        format!("added {what}")
    } else {
        format!("added {what} `{name}`")
    }
}

/// "never used" warnings: noise for a declaration typed a moment ago.
fn is_unused(warning: &CheckError) -> bool {
    matches!(
        warning.kind,
        CheckErrorKind::UnusedKind { .. }
            | CheckErrorKind::UnusedConstant { .. }
            | CheckErrorKind::UnusedBadge { .. }
            | CheckErrorKind::UnusedReward { .. }
    )
}

/// Whether an expression needs a person (aggregates, `person`, `total`).
fn uses_person(expr: &crate::syntax::ast::Expr) -> bool {
    use crate::syntax::ast::ExprKind;
    let mut found = false;
    expr.walk(&mut |e| {
        found |= match &e.node {
            ExprKind::Aggregate(_) => true,
            ExprKind::Name(n) => n == "person",
            ExprKind::Call { function, .. } => function.node == "total",
            _ => false,
        }
    });
    found
}

/// Whether `text` is a whole input: every `{` and `(` closed (outside
/// strings and comments). The REPL keeps reading lines until it is.
pub fn is_complete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else {
            match c {
                '"' => in_string = true,
                '#' => in_comment = true,
                '{' | '(' => depth += 1,
                '}' | ')' => depth -= 1,
                _ => {}
            }
        }
    }
    depth <= 0
}
