//! The TextMate grammar of the VS Code extension
//! (`editors/vscode/syntaxes/meed.tmLanguage.json`), run on every policy in
//! `rules/` by a small TextMate tokenizer written here.
//!
//! Why in Rust rather than `vscode-tmgrammar-test` from npm: this runs in
//! `cargo test` with everything else, needs neither Node nor the network
//! in CI, and the grammar uses only what the tokenizer below implements
//! (`match` with `captures`, `begin`/`end` with their captures and inner
//! `patterns`, `include` of repository entries) and only regular
//! expressions that Oniguruma and Rust's `regex` crate read the same way
//! (no lookaround, no backreferences). As in VS Code, at each position the
//! earliest match wins, ties going to the `end` pattern and then to the
//! pattern listed first.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failing test"
)]

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

const GRAMMAR: &str = "editors/vscode/syntaxes/meed.tmLanguage.json";

struct Grammar {
    json: Value,
    regexes: HashMap<String, Regex>,
}

/// Each byte of a line with the scopes it is in, outermost first.
type Scopes = Vec<Vec<String>>;

impl Grammar {
    fn load() -> Grammar {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(GRAMMAR))
            .expect("the grammar exists");
        let json: Value = serde_json::from_str(&text).expect("the grammar is JSON");
        let mut grammar = Grammar {
            json,
            regexes: HashMap::new(),
        };
        grammar.compile_all();
        grammar
    }

    /// Compiles every regular expression of the grammar, so one that
    /// Rust's regex crate cannot read fails here, named.
    fn compile_all(&mut self) {
        let mut sources = Vec::new();
        collect_regexes(&self.json, &mut sources);
        assert!(sources.len() > 15, "the grammar has its patterns");
        for source in sources {
            let regex = Regex::new(&source)
                .unwrap_or_else(|e| panic!("the grammar's regex `{source}` does not compile: {e}"));
            self.regexes.insert(source, regex);
        }
    }

    fn regex(&self, source: &str) -> &Regex {
        &self.regexes[source]
    }

    /// The rules `patterns` stands for, with `include`s and pattern groups
    /// expanded, in order.
    fn expand<'g>(&'g self, patterns: &'g [Value], out: &mut Vec<&'g Value>) {
        for pattern in patterns {
            if let Some(include) = pattern.get("include").and_then(Value::as_str) {
                let target = match include {
                    "$self" => &self.json,
                    name => &self.json["repository"][name.trim_start_matches('#')],
                };
                assert!(!target.is_null(), "`include: {include}` names no rule");
                if target.get("match").is_some() || target.get("begin").is_some() {
                    out.push(target);
                } else {
                    self.expand(array(target, "patterns"), out);
                }
            } else if pattern.get("match").is_some() || pattern.get("begin").is_some() {
                out.push(pattern);
            } else {
                self.expand(array(pattern, "patterns"), out);
            }
        }
    }

    /// The scopes of every byte of `text`, line by line.
    fn tokenize(&self, text: &str) -> Vec<(String, Scopes)> {
        let mut stack: Vec<&Value> = Vec::new();
        let mut lines = Vec::new();
        for line in text.lines() {
            let scopes = self.tokenize_line(line, &mut stack);
            lines.push((line.to_string(), scopes));
        }
        assert!(
            stack.is_empty(),
            "a `begin` is still open at the end of the file"
        );
        lines
    }

    fn tokenize_line<'g>(&'g self, line: &str, stack: &mut Vec<&'g Value>) -> Scopes {
        let mut scopes: Scopes = vec![Vec::new(); line.len()];
        let mut pos = 0;
        while pos < line.len() {
            let base: Vec<String> = stack.iter().filter_map(|r| name(r, "name")).collect();
            let mut candidates = Vec::new();
            match stack.last() {
                Some(open) => self.expand(array(open, "patterns"), &mut candidates),
                None => self.expand(array(&self.json, "patterns"), &mut candidates),
            }
            // (start, captures, rule or `None` for the end), the earliest winning.
            let mut best: Option<(usize, regex::Captures<'_>, Option<&Value>)> = None;
            if let Some(open) = stack.last() {
                let end = self.regex(open["end"].as_str().unwrap());
                if let Some(c) = end.captures_at(line, pos) {
                    best = Some((c.get(0).unwrap().start(), c, None));
                }
            }
            for rule in candidates {
                let source = rule
                    .get("match")
                    .or_else(|| rule.get("begin"))
                    .and_then(Value::as_str)
                    .unwrap();
                if let Some(c) = self.regex(source).captures_at(line, pos) {
                    let start = c.get(0).unwrap().start();
                    if best.as_ref().is_none_or(|(b, _, _)| start < *b) {
                        best = Some((start, c, Some(rule)));
                    }
                }
            }
            let Some((start, captures, rule)) = best else {
                fill(&mut scopes, pos, line.len(), &base);
                break;
            };
            fill(&mut scopes, pos, start, &base);
            let whole = captures.get(0).unwrap();
            // A `begin` or `end` token is inside its rule's scope (`base`
            // still holds it when the rule ends); a `match` adds its own.
            let mut token_base = base.clone();
            let capture_names = match rule {
                None => stack.pop().and_then(|open| open.get("endCaptures")),
                Some(rule) if rule.get("begin").is_some() => {
                    stack.push(rule);
                    token_base.extend(name(rule, "name"));
                    rule.get("beginCaptures")
                }
                Some(rule) => {
                    token_base.extend(name(rule, "name"));
                    rule.get("captures")
                }
            };
            let end = whole.end();
            fill(&mut scopes, whole.start(), end, &token_base);
            if let Some(names) = capture_names.and_then(Value::as_object) {
                for (group, scope) in names {
                    let group: usize = group.parse().unwrap();
                    if let (Some(m), Some(scope)) = (captures.get(group), name(scope, "name")) {
                        for byte in &mut scopes[m.start()..m.end()] {
                            byte.push(scope.clone());
                        }
                    }
                }
            }
            // A match of nothing moves on by one character, as VS Code does.
            pos = if end > pos {
                end
            } else {
                let next = line[pos..].chars().next().map_or(1, char::len_utf8);
                fill(&mut scopes, pos, pos + next, &base);
                pos + next
            };
        }
        scopes
    }
}

fn fill(scopes: &mut Scopes, from: usize, to: usize, with: &[String]) {
    for byte in scopes.iter_mut().take(to).skip(from) {
        byte.clone_from(&with.to_vec());
    }
}

fn array<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn name(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn collect_regexes(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("match" | "begin" | "end", Value::String(source)) => out.push(source.clone()),
                    _ => collect_regexes(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_regexes(i, out)),
        _ => {}
    }
}

fn rules_files() -> Vec<std::path::PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "meed"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the bundled policies are there");
    files
}

fn has(scopes: &[String], prefix: &str) -> bool {
    scopes.iter().any(|s| s.starts_with(prefix))
}

/// Checks, on every line of every policy in `rules/`, that keywords,
/// comments, strings, dates, currencies and units get their scopes.
#[test]
fn every_policy_in_rules_is_highlighted() {
    let grammar = Grammar::load();
    let word = Regex::new(r"[a-z_][a-z0-9_]*").unwrap();
    let date = Regex::new(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}").unwrap();
    let money = Regex::new(r"\b[0-9]+(\.[0-9]+)?\s*([A-Z]{3})\b").unwrap();
    let unit = Regex::new(r"\b[0-9]+(\.[0-9]+)?\s*(pts|min|h|%)").unwrap();
    let mut checked = HashMap::<&str, usize>::new();
    for path in rules_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        for (n, (line, scopes)) in grammar.tokenize(&text).iter().enumerate() {
            let at = |offset: usize| format!("{file}:{}:{}", n + 1, offset + 1);
            let plain =
                |offset: usize| !has(&scopes[offset], "comment") && !has(&scopes[offset], "string");
            for (i, c) in line.char_indices() {
                if c == '#' && !has(&scopes[i], "string") {
                    assert!(has(&scopes[i], "comment.line"), "comment at {}", at(i));
                    *checked.entry("comments").or_default() += 1;
                }
                if c == '"' && plain(i) {
                    panic!("a quote outside any string at {}", at(i));
                }
                if c == '"' && !has(&scopes[i], "comment") {
                    assert!(has(&scopes[i], "string.quoted"), "string at {}", at(i));
                    *checked.entry("strings").or_default() += 1;
                }
            }
            for m in word.find_iter(line) {
                let after_dot = line[..m.start()].trim_end().ends_with('.');
                if !meed::syntax::KEYWORDS.contains(&m.as_str()) || after_dot || !plain(m.start()) {
                    continue;
                }
                let s = &scopes[m.start()];
                assert!(
                    has(s, "keyword") || has(s, "storage") || has(s, "constant.language"),
                    "keyword `{}` at {} has scopes {s:?}",
                    m.as_str(),
                    at(m.start())
                );
                *checked.entry("keywords").or_default() += 1;
            }
            for m in date.find_iter(line).filter(|m| plain(m.start())) {
                assert!(
                    has(&scopes[m.start()], "constant.other"),
                    "date at {}",
                    at(m.start())
                );
                *checked.entry("dates").or_default() += 1;
            }
            for c in money.captures_iter(line) {
                let code = c.get(2).unwrap();
                if plain(code.start()) {
                    let s = &scopes[code.start()];
                    assert!(
                        has(s, "support.constant.currency"),
                        "currency at {}: {s:?}",
                        at(code.start())
                    );
                    *checked.entry("currencies").or_default() += 1;
                }
            }
            for c in unit.captures_iter(line) {
                let u = c.get(2).unwrap();
                if plain(u.start()) {
                    let s = &scopes[u.start()];
                    assert!(
                        has(s, "keyword.other.unit"),
                        "unit at {}: {s:?}",
                        at(u.start())
                    );
                    *checked.entry("units").or_default() += 1;
                }
            }
        }
    }
    // Every kind of check above really ran on the bundled policies.
    for what in [
        "comments",
        "strings",
        "keywords",
        "dates",
        "currencies",
        "units",
    ] {
        assert!(
            checked.get(what).copied().unwrap_or(0) > 0,
            "no {what} were checked"
        );
    }
}

/// The scopes of one policy, token by token, for a reader to review.
#[test]
fn a_policy_token_by_token() {
    let grammar = Grammar::load();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/lsp/policy.meed"),
    )
    .unwrap();
    let mut out = String::new();
    for (line, scopes) in grammar.tokenize(&text) {
        let mut start = 0;
        let mut tokens = Vec::new();
        for i in 1..=line.len() {
            if i == line.len() || scopes[i] != scopes[start] {
                let piece = &line[start..i];
                if !piece.trim().is_empty() && !scopes[start].is_empty() {
                    tokens.push(format!("{piece} «{}»", scopes[start].join(" ")));
                }
                start = i;
            }
        }
        out.push_str(&format!("{line}\n"));
        for token in tokens {
            out.push_str(&format!("    {token}\n"));
        }
    }
    insta::assert_snapshot!(out);
}

/// The extension's manifest names files that exist, registers `.meed`,
/// and the language configuration is valid JSON whose patterns compile.
#[test]
fn the_extension_manifest_points_at_its_files() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(folder.join(name)).unwrap()).unwrap()
    };
    let manifest = read("package.json");
    assert!(folder.join(manifest["main"].as_str().unwrap()).exists());
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["extensions"][0], ".meed");
    let config = language["configuration"].as_str().unwrap();
    let grammar = &manifest["contributes"]["grammars"][0];
    assert!(folder.join(grammar["path"].as_str().unwrap()).exists());
    assert_eq!(grammar["scopeName"], "source.meed");
    let configuration = read(config);
    assert_eq!(configuration["comments"]["lineComment"], "#");
    for key in ["increaseIndentPattern", "decreaseIndentPattern"] {
        let pattern = configuration["indentationRules"][key].as_str().unwrap();
        assert!(Regex::new(pattern).is_ok(), "{key} compiles");
    }
    let extension = std::fs::read_to_string(folder.join("extension.js")).unwrap();
    assert!(
        extension.contains("args: [\"lsp\"]"),
        "the extension starts `meed lsp`"
    );
}
