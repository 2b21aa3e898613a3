//! `docs/language.md`, the reference for policy authors, cannot rot: every
//! example in it is checked, and every construct of the grammar is in it.
//!
//! # How the examples are marked
//!
//! A fenced block's info string is its language followed by words that tell
//! this test what to do with it (GitHub shows only the language):
//!
//! - ` ```meed ` — a whole policy (or a test-only file). It must pass
//!   `meed check` with no error and no warning, and every `test` block in it
//!   must pass, as `meed test` runs them.
//! - ` ```meed fragment base=NAME ` — a fragment (a rule, a limit, a pool, a
//!   test...) that is checked appended to the block named `NAME`; the same
//!   checks apply to the whole.
//! - `file=NAME` — names the block (a fragment: the whole it makes) so that a
//!   fragment can build on it, an `import "NAME"` can load it, and an
//!   `eval=` block can evaluate it. Works on ` ```csv ` and ` ```jsonl `
//!   blocks too: they become files beside the policies.
//! - `warns=CODE` — the block must check with this warning (and no other
//!   warning, and no error); its tests must pass.
//! - `error=CODE` — a mistake shown on purpose: checking the block, or
//!   running its tests, must FAIL with exactly the listed codes (`error=`
//!   may repeat; warnings do not count).
//! - ` ```text eval=POLICY log=LOG [log=LOG2] [people=PEOPLE] ` — the exact
//!   output of `meed eval POLICY LOG --people PEOPLE --format csv`, run on
//!   the named blocks; with several `log=`, each must give this output.
//! - ` ```csv file=NAME policy=POLICY [people=PEOPLE] error=CODE... ` — a log
//!   with mistakes: `meed eval POLICY NAME` must exit 1 and report exactly
//!   the listed codes (read from `--diagnostics json`).
//!
//! Every block is checked; no block may opt out: a ` ```meed ` block always
//! is, a ` ```csv ` or ` ```jsonl ` block must be a log or roster that an
//! `eval=` block reads or a `policy=` log, a ` ```text ` block must be an
//! `eval=` output, and no other language may appear. All named blocks
//! are written into one temporary folder first, so imports resolve as they
//! would beside the reader's own files.
//!
//! # How the grammar is compared with the reference
//!
//! Read from `grammar/meed.pest`, so a new construct fails this test until
//! the reference covers it:
//!
//! - every word the grammar lets a user write (keywords, type names,
//!   periods, aggregate functions, rounding modes, units) and every operator
//!   is mentioned in an inline code span of the reference's prose;
//! - every construct that starts with a keyword (a declaration, a rule
//!   clause, `if`, `tiers` and its brackets, `one of`, `where`, `else`...)
//!   has that keyword in the code span of a heading: it has a section.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;
use meed::testing::load_test_file;
use meed::testing::{Located, TestOutcome, run_suite};

const REFERENCE: &str = "docs/language.md";

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One fenced block of the reference.
#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence, for messages.
    line: usize,
    lang: String,
    /// `fragment` and other bare words.
    flags: BTreeSet<String>,
    /// `key=value` words; a key may repeat (`log=`).
    keys: Vec<(String, String)>,
    text: String,
}

impl Block {
    fn key(&self, key: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, key: &str) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The fenced blocks of a markdown text, in order.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("").to_string();
                let mut flags = BTreeSet::new();
                let mut keys = Vec::new();
                for word in words {
                    match word.split_once('=') {
                        Some((k, v)) => keys.push((k.to_string(), v.to_string())),
                        None => {
                            flags.insert(word.to_string());
                        }
                    }
                }
                open = Some(Block {
                    line: i + 1,
                    lang,
                    flags,
                    keys,
                    text: String::new(),
                });
            }
            (Some(_), Some("")) => out.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{REFERENCE}: a code block is never closed");
    out
}

/// The diagnostic codes of some problems (`meed::unknown_field`...).
fn codes<'a>(problems: impl IntoIterator<Item = &'a Located>) -> Vec<String> {
    problems
        .into_iter()
        .map(|p| {
            p.diagnostic
                .code()
                .map_or_else(|| "(no code)".to_string(), |c| c.to_string())
        })
        .collect()
}

fn rendered<'a>(problems: impl IntoIterator<Item = &'a Located>) -> String {
    problems.into_iter().fold(String::new(), |mut out, p| {
        let _ = writeln!(
            out,
            "[{}]\n{}",
            p.source.name(),
            render_plain(p.diagnostic.as_ref())
        );
        out
    })
}

/// The text a block stands for: a fragment appended to its base.
fn whole_text(block: &Block, named: &BTreeMap<String, String>) -> String {
    let fragment = block.flags.contains("fragment");
    match (fragment, block.key("base")) {
        (true, Some(base)) => {
            let base_text = named.get(base).unwrap_or_else(|| {
                panic!(
                    "{REFERENCE}:{}: base `{base}` is not a block named with file= above",
                    block.line
                )
            });
            format!("{base_text}\n{}", block.text)
        }
        (false, None) => block.text.clone(),
        _ => panic!(
            "{REFERENCE}:{}: `fragment` and `base=` go together",
            block.line
        ),
    }
}

/// What checking and testing one policy text found: the problems that stop
/// it (errors, failed tests) and its warnings.
struct Outcome {
    failures: Vec<Located>,
    warnings: Vec<Located>,
    tests_run: usize,
}

fn check_and_test(path: &Path, text: &str) -> Outcome {
    std::fs::write(path, text).unwrap();
    let source = SourceFile::new(path.display().to_string(), text);
    let suite = match load_test_file(&source) {
        Ok(suite) => suite,
        Err(problems) => {
            let (warnings, failures) = problems.into_iter().partition(Located::is_warning);
            return Outcome {
                failures,
                warnings,
                tests_run: 0,
            };
        }
    };
    let runs = run_suite(&suite, None);
    let tests_run = runs.len();
    let failures = runs
        .into_iter()
        .flat_map(|run| match run.outcome {
            TestOutcome::Passed => Vec::new(),
            TestOutcome::Failed(problems) => problems,
        })
        .collect();
    Outcome {
        failures,
        warnings: suite.warnings,
        tests_run,
    }
}

/// Every ` ```meed ` block checks (or fails as it says), every test in the
/// reference passes, and every worked ledger is what `meed eval` prints.
#[test]
fn every_example_in_the_reference_is_checked() {
    let markdown = read(REFERENCE);
    let blocks = blocks(&markdown);
    let folder = tempfile::tempdir().unwrap();

    // Named blocks first, so that bases, imports and logs exist.
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    for block in &blocks {
        if let Some(name) = block.key("file") {
            let text = if block.lang == "meed" {
                whole_text(block, &named)
            } else {
                block.text.clone()
            };
            std::fs::write(folder.path().join(name), &text).unwrap();
            assert!(
                named.insert(name.to_string(), text).is_none(),
                "{REFERENCE}:{}: two blocks are named `{name}`",
                block.line
            );
        }
    }

    let mut failures = String::new();
    let mut checked = 0;
    let mut tests = 0;
    for block in blocks.iter().filter(|b| b.lang == "meed") {
        checked += 1;
        let text = whole_text(block, &named);
        let file = block
            .key("file")
            .map_or_else(|| format!("block_{}.meed", block.line), str::to_string);
        let outcome = check_and_test(&folder.path().join(&file), &text);
        tests += outcome.tests_run;
        let failure_codes = codes(&outcome.failures);
        let warning_codes = codes(&outcome.warnings);
        let at = format!("{REFERENCE}:{}", block.line);
        match (block.key("error"), block.key("warns")) {
            (Some(_), _) => {
                // Only the mistakes shown: another error would make the
                // example teach something it does not say.
                let expected: BTreeSet<&str> = block.all("error").into_iter().collect();
                let found: BTreeSet<&str> = failure_codes.iter().map(String::as_str).collect();
                if found != expected {
                    let _ = writeln!(
                        failures,
                        "{at}: this example of a mistake must fail with exactly {expected:?}, but it gave {failure_codes:?}\n{}",
                        rendered(&outcome.failures)
                    );
                }
            }
            (None, warns) => {
                let expected: Vec<String> = warns.iter().map(|w| (*w).to_string()).collect();
                if !outcome.failures.is_empty() || warning_codes != expected {
                    let _ = writeln!(
                        failures,
                        "{at}: this example must check and pass its tests with warnings {expected:?}, but it gave errors {failure_codes:?} and warnings {warning_codes:?}\n{}{}",
                        rendered(&outcome.failures),
                        rendered(&outcome.warnings)
                    );
                }
            }
        }
    }

    for block in blocks.iter().filter(|b| b.key("eval").is_some()) {
        let policy = folder.path().join(block.key("eval").unwrap());
        let logs = block.all("log");
        assert!(
            !logs.is_empty(),
            "{REFERENCE}:{}: an eval= block names its log= too",
            block.line
        );
        for log in logs {
            let mut command = Command::new(env!("CARGO_BIN_EXE_meed"));
            command
                .arg("eval")
                .arg(&policy)
                .arg(folder.path().join(log))
                .args(["--format", "csv"])
                .env("NO_COLOR", "1");
            if let Some(people) = block.key("people") {
                command.arg("--people").arg(folder.path().join(people));
            }
            let output = command.output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            if !output.status.success() || stdout != block.text {
                let _ = writeln!(
                    failures,
                    "{REFERENCE}:{}: `meed eval` on `{log}` printed\n{stdout}{}\nbut the reference shows\n{}",
                    block.line,
                    String::from_utf8_lossy(&output.stderr),
                    block.text
                );
            }
        }
    }

    for block in blocks.iter().filter(|b| b.key("policy").is_some()) {
        let log = block.key("file").unwrap_or_else(|| {
            panic!(
                "{REFERENCE}:{}: a log with policy= needs a file= name",
                block.line
            )
        });
        let mut command = Command::new(env!("CARGO_BIN_EXE_meed"));
        command
            .arg("eval")
            .arg(folder.path().join(block.key("policy").unwrap()))
            .arg(folder.path().join(log))
            .args(["--format", "csv", "--diagnostics", "json"])
            .env("NO_COLOR", "1");
        if let Some(people) = block.key("people") {
            command.arg("--people").arg(folder.path().join(people));
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let found: BTreeSet<String> = stderr
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|d| d["severity"] == "error")
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect();
        let expected: BTreeSet<String> =
            block.all("error").into_iter().map(str::to_string).collect();
        if output.status.code() != Some(1) || found != expected {
            let _ = writeln!(
                failures,
                "{REFERENCE}:{}: `meed eval` on `{log}` must fail with exactly {expected:?}, but it exited with {:?} and reported {found:?}\n{stderr}",
                block.line,
                output.status.code()
            );
        }
    }

    // No block goes unchecked.
    let read_by_eval: BTreeSet<&str> = blocks
        .iter()
        .filter(|b| b.key("eval").is_some())
        .flat_map(|b| b.all("log").into_iter().chain(b.key("people")))
        .collect();
    for block in &blocks {
        let checked = match block.lang.as_str() {
            "meed" => true,
            "csv" | "jsonl" => {
                block.key("policy").is_some()
                    || block.key("file").is_some_and(|f| read_by_eval.contains(f))
            }
            "text" => block.key("eval").is_some(),
            _ => false,
        };
        if !checked {
            let _ = writeln!(
                failures,
                "{REFERENCE}:{}: this ```{} block is not checked; mark it as the top of tests/docs.rs explains",
                block.line, block.lang
            );
        }
    }

    assert!(failures.is_empty(), "{failures}");
    // The reference is meant to show every construct with an example.
    assert!(
        checked >= 30,
        "only {checked} meed blocks found in {REFERENCE}"
    );
    assert!(tests >= 15, "only {tests} tests ran from {REFERENCE}");
}

/// The literals of the grammar's rules: `name = ... { body }` on one or
/// more lines, with the quoted strings of each body.
fn grammar_rules(grammar: &str) -> BTreeMap<String, String> {
    let mut rules = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in grammar.lines() {
        let code = line.split("//").next().unwrap_or("");
        if let Some((name, body)) = code.split_once('=')
            && !name.trim().is_empty()
            && name
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !line.starts_with(' ')
        {
            rules.extend(current.take());
            current = Some((name.trim().to_string(), body.to_string()));
        } else if let Some((_, body)) = &mut current {
            body.push('\n');
            body.push_str(code);
        }
    }
    rules.extend(current);
    rules
}

/// The quoted literals of a rule's body (`"policy"`, `"=="`).
fn literals(body: &str) -> Vec<String> {
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Inline code spans of the prose (outside fenced blocks) and of headings.
fn code_spans(markdown: &str) -> (Vec<String>, Vec<String>) {
    let mut prose = Vec::new();
    let mut headings = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let spans: Vec<String> = line
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        if line.starts_with('#') {
            headings.extend(spans.iter().cloned());
        }
        prose.extend(spans);
    }
    (prose, headings)
}

/// The words of a code span: `on KIND x` has `on`, `KIND`, `x`.
fn words(span: &str) -> impl Iterator<Item = &str> {
    span.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Rules whose literals are not words a user writes as a construct: layout,
/// the insides of strings, dates and timestamps.
const NOT_CONSTRUCTS: &[&str] = &[
    "WHITESPACE",
    "COMMENT",
    "string",
    "string_inner",
    "date_part",
    "date",
    "timestamp",
];

#[test]
fn the_reference_covers_every_construct_of_the_grammar() {
    let grammar = read("grammar/meed.pest");
    let markdown = read(REFERENCE);
    let rules = grammar_rules(&grammar);
    assert!(
        rules.contains_key("declaration") && rules.contains_key("kw_policy"),
        "the grammar's rules were not found: {:?}",
        rules.keys().collect::<Vec<_>>()
    );
    let (prose, headings) = code_spans(&markdown);
    let mentioned: BTreeSet<&str> = prose.iter().flat_map(|s| words(s)).collect();
    let spans: BTreeSet<&str> = prose.iter().map(|s| s.trim()).collect();
    let in_headings: BTreeSet<&str> = headings.iter().flat_map(|s| words(s)).collect();

    let mut missing = Vec::new();
    // Every word and operator a user can write.
    for (name, body) in &rules {
        if NOT_CONSTRUCTS.contains(&name.as_str()) {
            continue;
        }
        for literal in literals(body) {
            let is_word = literal
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !literal.is_empty();
            let is_operator = name.starts_with("op_") || name == "neg_op";
            if is_word && !mentioned.contains(literal.as_str()) {
                missing.push(format!(
                    "`{literal}` (grammar rule `{name}`) is never mentioned in a code span"
                ));
            }
            if is_operator && !is_word && !spans.contains(literal.as_str()) {
                missing.push(format!(
                    "the operator `{literal}` (grammar rule `{name}`) has no code span of its own"
                ));
            }
        }
    }
    // Every construct that starts with a keyword has a section.
    for (name, body) in &rules {
        let first = body.trim_start().trim_start_matches(['{', '@', '$', '_']);
        let Some(keyword_rule) = first.split_whitespace().next() else {
            continue;
        };
        let Some(keyword) = keyword_rule.strip_prefix("kw_") else {
            continue;
        };
        let keyword = keyword.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        if name != "keyword" && !name.starts_with("kw_") && !in_headings.contains(keyword) {
            missing.push(format!(
                "the construct `{name}` starts with `{keyword}`, which no heading names in a code span"
            ));
        }
    }
    // Every declaration has a section.
    let declarations = rules.get("declaration").unwrap();
    let declaration_rules: Vec<&str> = words(declarations)
        .filter(|w| w.ends_with("_decl"))
        .collect();
    assert!(
        declaration_rules.len() >= 10,
        "found only {declaration_rules:?}"
    );
    for declaration in declaration_rules {
        let keyword = declaration.trim_end_matches("_decl");
        if !in_headings.contains(keyword) {
            missing.push(format!(
                "the declaration `{declaration}` has no heading naming `{keyword}`"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "{REFERENCE} does not cover:\n{}",
        missing.join("\n")
    );
}

/// The GitHub anchor of a heading: lower case, spaces to `-`, punctuation
/// other than `-` and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim_start_matches('#')
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut fenced = false;
    let mut out = BTreeSet::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.insert(anchor(line));
        }
    }
    out
}

/// The reference links to the diagnostics pages instead of copying them:
/// every link to a page of `docs/` (and to a section of one) leads somewhere.
#[test]
fn every_link_of_the_reference_leads_somewhere() {
    let markdown = read(REFERENCE);
    let mut broken = Vec::new();
    let mut links = 0;
    for piece in markdown.split("](").skip(1) {
        let Some(target) = piece.split(')').next() else {
            continue;
        };
        if target.starts_with("http") {
            continue;
        }
        links += 1;
        let (file, section) = target.split_once('#').unwrap_or((target, ""));
        let page = if file.is_empty() {
            markdown.clone()
        } else {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs")
                .join(file);
            match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(_) => {
                    broken.push(format!("{target}: no file docs/{file}"));
                    continue;
                }
            }
        };
        if !section.is_empty() && !anchors(&page).contains(section) {
            broken.push(format!("{target}: no such heading"));
        }
    }
    assert!(links >= 20, "only {links} links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// README's first screen points policy authors at the reference.
#[test]
fn the_readme_links_to_the_reference_near_the_top() {
    let readme = read("README.md");
    let first_screen: String = readme.lines().take(30).collect::<Vec<_>>().join("\n");
    assert!(
        first_screen.contains("(docs/language.md)"),
        "README's first 30 lines do not link to docs/language.md"
    );
}
