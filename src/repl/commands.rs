//! The `:commands`: loading files, looking at the ledger, and what-if
//! changes to constants.

use std::path::Path;

use crate::eval::{EvalOptions, GrantSink, PersonSink, TotalsSink, evaluate};
use crate::ledger::Grant;
use crate::pipeline::{CompiledPolicy, compile_policy};
use crate::render::explain::{ExplainContext, render_explain};
use crate::render::table::render_table;
use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::ast::ExprKind;
use crate::syntax::parser::parse_expr;
use crate::types::check::Checker;
use crate::types::suggest::nearest;

use super::ReplError;
use super::listing::{describe_changes, list_grants, list_rules, summary};
use super::policy::{Data, DataFile, Edit, apply_edit, constant_names, read_data, read_text};
use super::session::{Reply, Session};
use crate::diff::{Side, diff_policies};
use crate::render::diff::{DiffTitles, render_diff_table};

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

    /// `:load POLICY`
    pub fn load(&mut self, path: &str) -> Reply {
        if path.is_empty() {
            return self.fail(&ReplError::usage(":load", ":load POLICY"));
        }
        let source = match read_text(Path::new(path)) {
            Ok(source) => source,
            Err(error) => return self.fail(&error),
        };
        let policy = match compile_policy(&source) {
            Ok(policy) => policy,
            Err(problem) => {
                let mut text = self.render_problem(&problem);
                text.push_str("the session keeps the policy it had\n");
                return Reply::failed(text);
            }
        };
        let mut out = format!("loaded {path}: {}\n", summary(&policy));
        if !self.edits.is_empty() {
            out.push_str(&format!("dropped {}\n", changes(self.edits.len())));
        }
        self.policy_path = Some(path.into());
        self.base = policy.clone();
        self.current = policy;
        self.edits.clear();
        if let Some(log) = &self.log
            && let Err(error) = read_data(&self.current.schema, log, self.people.as_ref())
        {
            out.push_str(&self.render(error.as_ref()));
            out.push_str(
                "the loaded log does not fit this policy; load another with `:log FILE`\n",
            );
            return Reply::failed(out);
        }
        Reply::done(out)
    }

    /// `:log FILE`
    pub fn load_log(&mut self, path: &str) -> Reply {
        if path.is_empty() {
            return self.fail(&ReplError::usage(":log", ":log FILE"));
        }
        let file = match DataFile::read(Path::new(path)) {
            Ok(file) => file,
            Err(error) => return self.fail(&error),
        };
        match read_data(&self.current.schema, &file, self.people.as_ref()) {
            Ok(data) => {
                let mut out =
                    self.render_all(data.warnings.iter().map(|w| w as &dyn miette::Diagnostic));
                out.push_str(&format!("loaded {path}: {}", count_records(&data)));
                self.log = Some(file);
                Reply::done(out)
            }
            Err(error) => self.fail(error.as_ref()),
        }
    }

    /// `:people FILE`
    pub fn load_people(&mut self, path: &str) -> Reply {
        if path.is_empty() {
            return self.fail(&ReplError::usage(":people", ":people FILE"));
        }
        let file = match DataFile::read(Path::new(path)) {
            Ok(file) => file,
            Err(error) => return self.fail(&error),
        };
        let people = match &self.log {
            Some(log) => read_data(&self.current.schema, log, Some(&file))
                .map(|d| d.roster.map_or(0, |r| r.people.len())),
            None => crate::input::read_roster(&self.current.schema, &file.source, file.format)
                .map(|r| r.people.len())
                .map_err(|e| Box::new(e) as Box<dyn miette::Diagnostic>),
        };
        match people {
            Ok(n) => {
                self.people = Some(file);
                Reply::done(format!(
                    "loaded {path}: {n} {}",
                    plural(n, "person", "people")
                ))
            }
            Err(error) => self.fail(error.as_ref()),
        }
    }

    /// `:reload`: reads every file again, keeps the session's changes, and
    /// says what is different.
    fn reload(&mut self) -> Reply {
        if self.policy_path.is_none() && self.log.is_none() && self.people.is_none() {
            return self.fail(&ReplError::nothing_loaded(
                ":reload",
                "a file",
                "load one with `:load POLICY` or `:log FILE`",
            ));
        }
        let before = self.data().ok().map(|d| count_records(&d));
        let mut out = String::new();
        let mut failed = false;
        if let Some(path) = self.policy_path.clone() {
            let name = path.display().to_string();
            match read_text(&path).map(|s| (compile_policy(&s), s)) {
                Ok((Ok(policy), _)) => {
                    out.push_str(&format!(
                        "{name}: {}\n",
                        describe_changes(&self.base, &policy)
                    ));
                    self.base = policy;
                    out.push_str(&self.replay_edits());
                }
                Ok((Err(problem), _)) => {
                    out.push_str(&self.render_problem(&problem));
                    out.push_str(&format!(
                        "{name} has errors; the session keeps the version it had\n"
                    ));
                    failed = true;
                }
                Err(error) => {
                    out.push_str(&self.render(&error));
                    failed = true;
                }
            }
        }
        let mut unreadable = Vec::new();
        for (slot, label) in [(&mut self.log, "log"), (&mut self.people, "roster")] {
            if let Some(file) = slot.as_mut() {
                match DataFile::read(&file.path) {
                    Ok(fresh) => *file = fresh,
                    Err(error) => unreadable.push((error, label)),
                }
            }
        }
        for (error, label) in unreadable {
            out.push_str(&self.render(&error));
            out.push_str(&format!("keeping the {label} read before\n"));
            failed = true;
        }
        if let Some(log) = &self.log {
            let name = log.path.display().to_string();
            match self.data() {
                Ok(data) => {
                    let now = count_records(&data);
                    match before {
                        Some(before) if before == now => {
                            out.push_str(&format!("{name}: {now} (unchanged)\n"));
                        }
                        Some(before) => out.push_str(&format!("{name}: {now} (was {before})\n")),
                        None => out.push_str(&format!("{name}: {now}\n")),
                    }
                }
                Err(error) => {
                    out.push_str(&self.render(error.as_ref()));
                    failed = true;
                }
            }
        }
        if failed {
            Reply::failed(out)
        } else {
            Reply::done(out)
        }
    }

    /// Applies the session's changes to a freshly loaded base; a change
    /// that no longer fits is dropped, with a note.
    fn replay_edits(&mut self) -> String {
        let mut out = String::new();
        let mut current = self.base.clone();
        let mut kept = Vec::new();
        for edit in std::mem::take(&mut self.edits) {
            match apply_edit(&current, &edit).map(|e| e.policy) {
                Some(Ok(policy)) => {
                    current = policy;
                    kept.push(edit);
                }
                _ => out.push_str(&format!(
                    "dropped the session change {}: it no longer fits the policy\n",
                    edit.describe()
                )),
            }
        }
        if !kept.is_empty() {
            out.push_str(&format!("kept {}\n", changes(kept.len())));
        }
        self.current = current;
        self.edits = kept;
        out
    }

    /// `:ledger` and `:ledger WHO`
    fn ledger(&self, who: &str) -> Reply {
        let data = match self.need_data(":ledger") {
            Ok(data) => data,
            Err(reply) => return reply,
        };
        if who.is_empty() {
            let mut sink = TotalsSink::default();
            return match self.run(&self.current, &data, false, &mut sink) {
                Ok(warnings) => Reply::done(format!("{warnings}{}", render_table(&sink.totals))),
                Err(reply) => reply,
            };
        }
        if let Err(reply) = self.check_person(who, &data) {
            return reply;
        }
        let mut sink = PersonSink::new(who);
        match self.run(&self.current, &data, false, &mut sink) {
            Ok(warnings) => Reply::done(format!(
                "{warnings}{}",
                list_grants(who, &sink.ledger, self.current.schema.timezone)
            )),
            Err(reply) => reply,
        }
    }

    /// `:explain WHO [ACCOUNT]`: the same text as `meed explain`.
    fn explain(&self, args: &str) -> Reply {
        let mut words = args.split_whitespace();
        let (Some(who), account, None) = (words.next(), words.next(), words.next()) else {
            return self.fail(&ReplError::usage(":explain", ":explain WHO [ACCOUNT]"));
        };
        let data = match self.need_data(":explain") {
            Ok(data) => data,
            Err(reply) => return reply,
        };
        if let Err(reply) = self.check_person(who, &data) {
            return reply;
        }
        let schema = &self.current.schema;
        if let Some(account) = account
            && !schema.rewards.contains_key(account)
            && !schema.badges.contains_key(account)
        {
            let names = schema.rewards.keys().chain(schema.badges.keys());
            let suggestion = nearest(account, names.map(String::as_str));
            return self.fail(&ReplError::unknown_account(account, suggestion.as_deref()));
        }
        let mut sink = PersonSink::new(who);
        let warnings = match self.run(&self.current, &data, true, &mut sink) {
            Ok(warnings) => warnings,
            Err(reply) => return reply,
        };
        let grants: Vec<Grant> = sink
            .ledger
            .grants
            .into_iter()
            .filter(|g| account.is_none_or(|a| g.target.name() == a))
            .collect();
        let context = ExplainContext {
            policy: &self.current.ast,
            schema,
            log: &data.log,
        };
        Reply::done(format!(
            "{warnings}{}",
            render_explain(who, account, &grants, &context)
        ))
    }

    /// `:type EXPR`
    fn type_of(&self, expr: &str) -> Reply {
        if expr.is_empty() {
            return self.fail(&ReplError::usage(":type", ":type EXPR"));
        }
        match self.expression(expr) {
            (_, Some(ty)) => Reply::done(ty),
            (reply, None) => reply,
        }
    }

    /// `:set NAME = EXPR`: a new value for a constant, same type.
    fn set(&mut self, args: &str) -> Reply {
        let Some((name, expr)) = args.split_once('=') else {
            return self.fail(&ReplError::usage(":set", ":set NAME = EXPR"));
        };
        let (name, expr) = (name.trim(), expr.trim());
        if name.is_empty() || expr.is_empty() {
            return self.fail(&ReplError::usage(":set", ":set NAME = EXPR"));
        }
        let names = constant_names(&self.current);
        if !names.contains(&name) {
            let suggestion = nearest(name, names.iter().copied());
            return self.fail(&ReplError::unknown_constant(name, suggestion.as_deref()));
        }
        let input = SourceFile::new("<input>", expr);
        let parsed = match parse_expr(&input) {
            Ok(parsed) => parsed,
            Err(error) => return self.fail(&error),
        };
        let mut checker = Checker::new(&self.current.source, &self.current.ast);
        let new_type = match checker.type_of_expr(&input, &parsed) {
            Ok(ty) => ty,
            Err(errors) => {
                return Reply::failed(
                    self.render_all(errors.iter().map(|e| e as &dyn miette::Diagnostic)),
                );
            }
        };
        let old_value = self.constant(name);
        let old_type = old_value.as_ref().map(|v| v.ty());
        let reference = Spanned::new(ExprKind::Name(name.to_string()), Span::default());
        let declared = checker.type_of_expr(&self.current.source, &reference).ok();
        if let Some(old) = declared.or(old_type)
            && old != new_type
            && !(old.is_text() && new_type.is_text())
        {
            return self.fail(&ReplError::constant_type(
                name,
                &old.to_string(),
                &new_type.to_string(),
                &input,
                parsed.span,
            ));
        }
        let edit = Edit::Set {
            name: name.to_string(),
            expr: expr.to_string(),
        };
        let Some(edited) = apply_edit(&self.current, &edit) else {
            return Reply::failed("internal error: the constant could not be changed");
        };
        match edited.policy {
            Ok(policy) => {
                self.current = policy;
                self.edits.push(edit);
                let now = self
                    .constant(name)
                    .map_or_else(|| expr.to_string(), |v| v.to_string());
                let was = old_value.map_or(String::new(), |v| format!(" (was {v})"));
                let hint = if self.log.is_some() {
                    "; `:diff` shows what it changes"
                } else {
                    ""
                };
                Reply::done(format!("{name} = {now}{was}{hint}"))
            }
            Err(problem) => Reply::failed(self.render_problem(&problem)),
        }
    }

    /// The current value of a constant.
    fn constant(&self, name: &str) -> Option<crate::value::Value> {
        let reference = Spanned::new(ExprKind::Name(name.to_string()), Span::default());
        crate::eval::evaluate_expr(&self.current.ast, &self.current.schema, &reference).ok()
    }

    /// `:diff`: the ledger with the session's changes against the loaded
    /// policy's.
    fn diff(&self) -> Reply {
        let data = match self.need_data(":diff") {
            Ok(data) => data,
            Err(reply) => return reply,
        };
        if self.edits.is_empty() {
            return Reply::done(
                "no session changes to compare; try `:set NAME = EXPR` or type a new rule",
            );
        }
        let Some(log) = &self.log else {
            return Reply::failed("internal error: no log");
        };
        let base_data = match read_data(&self.base.schema, log, self.people.as_ref()) {
            Ok(data) => data,
            Err(error) => return self.fail(error.as_ref()),
        };
        let mut before = TotalsSink::default();
        let mut after = TotalsSink::default();
        if let Err(reply) = self.run(&self.base, &base_data, false, &mut before) {
            return reply;
        }
        if let Err(reply) = self.run(&self.current, &data, false, &mut after) {
            return reply;
        }
        let mut out = String::from("changes: ");
        let described: Vec<String> = self.edits.iter().map(Edit::describe).collect();
        out.push_str(&described.join("; "));
        out.push_str("\n\n");
        let diff = diff_policies(
            &Side {
                source: &self.base.source,
                policy: &self.base.ast,
                schema: &self.base.schema,
                totals: &before.totals,
            },
            &Side {
                source: &self.current.source,
                policy: &self.current.ast,
                schema: &self.current.schema,
                totals: &after.totals,
            },
        );
        let titles = DiffTitles {
            old: "the loaded policy",
            new: "the session's policy",
            log: log.source.name(),
            records: data.log.contributions.len(),
        };
        out.push_str(&render_diff_table(&diff, &titles));
        Reply::done(out)
    }

    /// `:reset`
    fn reset(&mut self) -> Reply {
        if self.edits.is_empty() {
            return Reply::done("no session changes to drop");
        }
        let described: Vec<String> = self.edits.iter().map(Edit::describe).collect();
        let text = format!(
            "dropped {}: {}",
            changes(self.edits.len()),
            described.join("; ")
        );
        self.edits.clear();
        self.current = self.base.clone();
        Reply::done(text)
    }

    /// The log and roster read against the session's policy.
    pub(super) fn data(&self) -> Result<Data, Box<dyn miette::Diagnostic>> {
        match &self.log {
            Some(log) => read_data(&self.current.schema, log, self.people.as_ref()),
            None => Err(Box::new(ReplError::nothing_loaded(
                ":ledger",
                "a contribution log",
                "load one with `:log FILE`",
            ))),
        }
    }

    /// The data for `command`, or the reply saying why there is none.
    fn need_data(&self, command: &str) -> Result<Data, Reply> {
        if self.log.is_none() {
            return Err(self.fail(&ReplError::nothing_loaded(
                command,
                "a contribution log",
                "load one with `:log FILE`",
            )));
        }
        self.data().map_err(|e| self.fail(e.as_ref()))
    }

    /// People in the log and the roster, sorted.
    pub(super) fn known_people(&self) -> Vec<String> {
        let Ok(data) = self.data() else {
            return Vec::new();
        };
        let mut people: Vec<String> = data
            .log
            .contributions
            .iter()
            .map(|c| c.who.to_string())
            .chain(
                data.roster
                    .iter()
                    .flat_map(|r| r.people.keys().map(|k| k.to_string())),
            )
            .collect();
        people.sort();
        people.dedup();
        people
    }

    /// The person must be in the log or roster; a typo gets a suggestion.
    fn check_person(&self, who: &str, data: &Data) -> Result<(), Reply> {
        let in_log = data.log.contributions.iter().any(|c| c.who.as_ref() == who);
        let in_roster = data
            .roster
            .as_ref()
            .is_some_and(|r| r.people.contains_key(who));
        if in_log || in_roster {
            return Ok(());
        }
        let people = self.known_people();
        let suggestion = nearest(who, people.iter().map(String::as_str));
        let log = self
            .log
            .as_ref()
            .map_or(String::new(), |l| l.path.display().to_string());
        Err(self.fail(&ReplError::unknown_person(who, &log, suggestion.as_deref())))
    }

    /// Evaluates `policy` over `data` into `sink`; warnings come back as
    /// text to show before the answer.
    fn run(
        &self,
        policy: &CompiledPolicy,
        data: &Data,
        explain: bool,
        sink: &mut dyn GrantSink,
    ) -> Result<String, Reply> {
        let options = EvalOptions {
            window: None,
            explain,
        };
        match evaluate(
            &policy.ast,
            &policy.schema,
            &data.log,
            data.roster.as_ref(),
            &options,
            sink,
        ) {
            Ok(report) => Ok(report
                .warnings
                .iter()
                .map(|w| format!("warning: {w}\n"))
                .collect()),
            Err(error) => {
                let report =
                    miette::Report::new(error).with_source_code(policy.source.named_source());
                let mut text = self.render(report.as_ref());
                text.push_str("no ledger was produced\n");
                Err(Reply::failed(text))
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
fn count_records(data: &Data) -> String {
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
fn changes(n: usize) -> String {
    format!("{n} session {}", plural(n, "change", "changes"))
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
