//! `:load`, `:log`, `:people` and `:reload`: the files a session works on.

use super::{changes, count_records, plural};
use crate::pipeline::compile_policy;
use crate::repl::ReplError;
use crate::repl::listing::{describe_changes, summary};
use crate::repl::policy::{DataFile, apply_edit, read_data, read_text};
use crate::repl::session::{Reply, Session};
use std::path::Path;

impl Session {
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
    pub(super) fn reload(&mut self) -> Reply {
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
    pub(super) fn replay_edits(&mut self) -> String {
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
}
