//! `:ledger`, `:explain` and `:diff`: evaluating the session's policy.

use crate::diff::{Side, diff_policies};
use crate::eval::{EvalOptions, GrantSink, PersonSink, TotalsSink};
use crate::ledger::Grant;
use crate::pipeline::CompiledPolicy;
use crate::render::diff::{DiffTitles, render_diff_table};
use crate::render::explain::{ExplainContext, render_explain};
use crate::render::table::render_table;
use crate::repl::ReplError;
use crate::repl::listing::list_grants;
use crate::repl::policy::{Data, Edit, read_data};
use crate::repl::session::{Reply, Session};
use crate::types::suggest::nearest;

impl Session {
    /// `:ledger` and `:ledger WHO`
    pub(super) fn ledger(&self, who: &str) -> Reply {
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
    pub(super) fn explain(&self, args: &str) -> Reply {
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

    /// `:diff`: the ledger with the session's changes against the loaded
    /// policy's.
    pub(super) fn diff(&self) -> Reply {
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
    pub(super) fn need_data(&self, command: &str) -> Result<Data, Reply> {
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
    pub(in crate::repl) fn known_people(&self) -> Vec<String> {
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
    pub(super) fn check_person(&self, who: &str, data: &Data) -> Result<(), Reply> {
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
    pub(super) fn run(
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
        match crate::eval::run(
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
                let mut text = self.render(&error.in_files(&policy.source));
                text.push_str("no ledger was produced\n");
                Err(Reply::failed(text))
            }
        }
    }
}
