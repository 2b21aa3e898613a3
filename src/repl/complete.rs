//! Tab completion: what could come next at the cursor, from the session's
//! policy (names, fields), its data (people) and the command list.
//!
//! | typed                      | candidates                               |
//! |----------------------------|------------------------------------------|
//! | `:ex`                      | `:explain`                               |
//! | `:explain a`               | people in the log and roster             |
//! | `:explain ada b`           | reward accounts and badges               |
//! | `:set rev`                 | constants                                |
//! | `on review r ... r.li`     | fields of `review` (and `by`, `at`, `id`) |
//! | `sum(review.`              | fields of `review`                       |
//! | `r.by.`, `person.`         | roster columns                           |
//! | `rev`                      | keywords, functions and declared names   |

use std::path::Path;

use crate::syntax::KEYWORDS;
use crate::syntax::ast::Item;

use super::commands::COMMANDS;
use super::session::Session;

/// Candidates that replace `line[start..pos]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    pub start: usize,
    pub candidates: Vec<String>,
}

/// The calendar periods, offered with the reserved words.
const PERIODS: &[&str] = &["day", "week", "month", "quarter", "year"];

/// Functions callable in expressions.
const FUNCTIONS: &[&str] = &[
    "abs", "ceil", "count", "floor", "max", "min", "round", "sum", "total",
];

/// Fields every contribution has besides its kind's own.
const RECORD_FIELDS: &[&str] = &["at", "by", "id"];

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Session {
    /// What could complete the word that ends at byte `pos` of `line`
    /// (`line` holds the whole input typed so far, several lines included).
    pub fn complete(&self, line: &str, pos: usize) -> Completions {
        let Some(before) = line.get(..pos) else {
            return Completions::default();
        };
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(pos, |(i, _)| i);
        let partial = before.get(start..).unwrap_or_default();
        if let Some(command) = before.trim_start().strip_prefix(':') {
            return self.complete_command(before, command, start, partial);
        }
        finish(start, partial, self.complete_code(line, before, start))
    }

    fn complete_command(
        &self,
        before: &str,
        command: &str,
        start: usize,
        partial: &str,
    ) -> Completions {
        let Some((name, rest)) = command.split_once(char::is_whitespace) else {
            let colon = before.len() - command.len() - 1;
            let names = COMMANDS.iter().map(|(n, _, _)| n.to_string()).collect();
            return finish(colon, before.get(colon..).unwrap_or_default(), names);
        };
        // Which argument is being typed: words already finished before it.
        let argument = rest
            .split_whitespace()
            .count()
            .saturating_sub(usize::from(!partial.is_empty()));
        let candidates = match (name, argument) {
            ("explain" | "ledger", 0) => self.known_people(),
            ("explain", 1) => {
                let schema = &self.current.schema;
                schema
                    .rewards
                    .keys()
                    .chain(schema.badges.keys())
                    .cloned()
                    .collect()
            }
            ("set", 0) => super::policy::constant_names(&self.current)
                .into_iter()
                .map(str::to_string)
                .collect(),
            ("type", _) => self.complete_code(before, before, start),
            ("load" | "log" | "people", 0) => return complete_path(before),
            _ => Vec::new(),
        };
        finish(start, partial, candidates)
    }

    /// Names in an expression or declaration.
    fn complete_code(&self, line: &str, before: &str, start: usize) -> Vec<String> {
        let head = before.get(..start).unwrap_or_default();
        let Some(object) = head.strip_suffix('.') else {
            return self.names();
        };
        let base: String = {
            let mut chars: Vec<char> = object.chars().rev().take_while(|c| is_word(*c)).collect();
            chars.reverse();
            chars.into_iter().collect()
        };
        let before_base = object.get(..object.len() - base.len()).unwrap_or_default();
        let schema = &self.current.schema;
        let columns = || schema.person.iter().map(|f| f.name.clone()).collect();
        if base == "person" || (base == "by" && before_base.ends_with('.')) {
            return columns();
        }
        if let Some(kind) =
            bound_kind(line, &base).or_else(|| schema.kind(&base).map(|k| k.name.clone()))
        {
            let own = schema
                .kind(&kind)
                .map(|k| k.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
                .unwrap_or_default();
            let is_binding = schema.kind(&base).is_none();
            let extra = if is_binding { RECORD_FIELDS } else { &[][..] };
            return own
                .into_iter()
                .chain(extra.iter().map(|s| s.to_string()))
                .collect();
        }
        Vec::new()
    }

    /// Keywords, functions and everything the policy declares.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = KEYWORDS
            .iter()
            .chain(PERIODS)
            .chain(FUNCTIONS)
            .map(|s| s.to_string())
            .collect();
        for item in &self.current.ast.items {
            let name = match item {
                Item::Contribution(k) => &k.name.node,
                Item::Reward(r) => &r.name.node,
                Item::Badge(b) => &b.name.node,
                Item::Let(l) => &l.name.node,
                Item::Rule(r) => &r.name.node,
                Item::Pool(p) => &p.name.node,
                _ => continue,
            };
            names.push(name.clone());
        }
        names
    }
}

/// Keeps the candidates that extend `partial`, sorted, without repeats.
fn finish(start: usize, partial: &str, candidates: Vec<String>) -> Completions {
    let mut candidates: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(partial))
        .collect();
    candidates.sort();
    candidates.dedup();
    Completions { start, candidates }
}

/// The kind bound to `name` in the text typed so far: `on review r` or
/// `count(review r where ...)`.
fn bound_kind(line: &str, name: &str) -> Option<String> {
    let words: Vec<&str> = line
        .split(|c: char| !is_word(c))
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).rev().find_map(|w| match w {
        ["on", kind, bound] if *bound == name => Some(kind.to_string()),
        [kind, bound, "where"] if *bound == name => Some(kind.to_string()),
        _ => None,
    })
}

/// File names for `:load`, `:log` and `:people`; folders end in `/`.
fn complete_path(before: &str) -> Completions {
    let start = before
        .rfind(char::is_whitespace)
        .map_or(before.len(), |i| i + 1);
    let typed = before.get(start..).unwrap_or_default();
    let (folder, prefix) = match typed.rfind('/') {
        Some(i) => (
            typed.get(..=i).unwrap_or_default(),
            typed.get(i + 1..).unwrap_or_default(),
        ),
        None => ("", typed),
    };
    let dir = if folder.is_empty() {
        Path::new(".")
    } else {
        Path::new(folder)
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Completions {
            start,
            candidates: Vec::new(),
        };
    };
    let mut candidates: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || name.starts_with('.') {
                return None;
            }
            let slash = if e.path().is_dir() { "/" } else { "" };
            Some(format!("{folder}{name}{slash}"))
        })
        .collect();
    candidates.sort();
    Completions { start, candidates }
}
