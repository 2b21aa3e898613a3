//! A file's tests and the policy they run against: the file itself, or the
//! policy a test-only file imports with `import "community.meed"`.
//!
//! A test-only file is checked together with its policy: the policy on its
//! own first (its errors point into the policy file), then the tests against
//! the policy's declarations (their errors point into the test file).

use std::path::{Path, PathBuf};

use crate::input::decode;
use crate::pipeline::{CompiledPolicy, PolicyProblem, compile_parsed_policy, compile_policy};
use crate::source::SourceFile;
use crate::syntax::ast::{ImportDecl, Item, PolicyFile, TestDecl};
use crate::syntax::parser::parse_policy;
use crate::types::check::Checker;
use crate::types::error::{CheckError, CheckErrorKind};

use super::error::{Located, TestError, TestErrorKind};

/// The tests of one file, ready to run.
#[derive(Debug)]
pub struct TestSuite {
    /// The file holding the tests.
    pub source: SourceFile,
    pub tests: Vec<TestDecl>,
    /// The policy the tests run against: the file itself or its import.
    pub policy: CompiledPolicy,
    /// Checker warnings of the file (not of an imported policy: those are
    /// reported when the policy itself is checked or tested).
    pub warnings: Vec<Located>,
}

/// Parses and checks a file with tests, resolving its `import` relative to
/// the file's folder (`source.name()` is its path). `Err` holds every
/// problem, each with the file it points into.
pub fn load_test_file(source: &SourceFile) -> Result<TestSuite, Vec<Located>> {
    let ast = parse_policy(source).map_err(|e| vec![Located::new(source, e)])?;
    load_parsed_test_file(source, &ast)
}

/// [`load_test_file`] for a file already parsed from `source`.
pub fn load_parsed_test_file(
    source: &SourceFile,
    ast: &PolicyFile,
) -> Result<TestSuite, Vec<Located>> {
    let imports: Vec<&ImportDecl> = ast
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Import(import) => Some(import),
            _ => None,
        })
        .collect();
    let tests: Vec<TestDecl> = ast
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Test(test) => Some(test.clone()),
            _ => None,
        })
        .collect();
    match imports.as_slice() {
        [] => load_policy_with_tests(source, ast, tests),
        [import, rest @ ..] => {
            let mut problems: Vec<Located> = rest
                .iter()
                .map(|second| {
                    let error = TestError::new(source, TestErrorKind::SecondImport, second.span)
                        .with_label("second import")
                        .with_secondary(import.span, "the policy is imported here")
                        .with_help("put tests for another policy in a test file of their own");
                    Located::new(source, error)
                })
                .collect();
            problems.extend(declarations_beside_import(source, ast));
            let policy = match import_policy(source, import) {
                Ok(policy) => Some(policy),
                Err(mut errors) => {
                    problems.append(&mut errors);
                    None
                }
            };
            let Some(policy) = policy else {
                return Err(problems);
            };
            problems.extend(check_tests_against(source, &policy, &tests));
            if problems.is_empty() {
                Ok(TestSuite {
                    source: source.clone(),
                    tests,
                    policy,
                    warnings: Vec::new(),
                })
            } else {
                Err(problems)
            }
        }
    }
}

/// A policy file with its own tests: checked as a whole.
fn load_policy_with_tests(
    source: &SourceFile,
    ast: &PolicyFile,
    tests: Vec<TestDecl>,
) -> Result<TestSuite, Vec<Located>> {
    let only_tests = ast.items.iter().all(|item| matches!(item, Item::Test(_)));
    if let (true, Some(first)) = (only_tests, tests.first()) {
        let error = TestError::new(source, TestErrorKind::NoPolicy, first.name.span)
            .with_label("this test has no rules to run")
            .with_help("start the file with the policy it tests, e.g. `import \"community.meed\"` (the path is relative to this file)");
        return Err(vec![Located::new(source, error)]);
    }
    match compile_parsed_policy(source, ast.clone()) {
        Ok(policy) => {
            let warnings = policy
                .warnings
                .iter()
                .map(|w| Located::new(source, w.clone()))
                .collect();
            Ok(TestSuite {
                source: source.clone(),
                tests,
                policy,
                warnings,
            })
        }
        Err(problem) => Err(located_problem(source, problem)),
    }
}

/// `rule`, `reward`... next to an `import`: one error at the first of them.
fn declarations_beside_import(source: &SourceFile, ast: &PolicyFile) -> Option<Located> {
    let first = ast
        .items
        .iter()
        .find(|item| !matches!(item, Item::Import(_) | Item::Test(_)))?;
    let error = TestError::new(source, TestErrorKind::DeclarationWithImport, first.span())
        .with_label("a declaration in a test file")
        .with_help(
            "move the declaration into the imported policy, or remove the `import` and keep the tests in the policy file",
        );
    Some(Located::new(source, error))
}

/// Reads, parses and checks the policy `import` names.
fn import_policy(source: &SourceFile, import: &ImportDecl) -> Result<CompiledPolicy, Vec<Located>> {
    let path = import_path(source, &import.path.node);
    let folder = Path::new(source.name())
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(
            || "the current folder".to_string(),
            |p| format!("`{}`", p.display()),
        );
    let not_found = |reason: String| {
        let error = TestError::new(
            source,
            TestErrorKind::ImportNotFound {
                path: import.path.node.clone(),
                reason,
            },
            import.path.span,
        )
        .with_label("imported here")
        .with_help(format!(
            "the path is relative to the folder of this test file ({folder}); meed looked for `{}`",
            path.display()
        ));
        vec![Located::new(source, error)]
    };
    let bytes = std::fs::read(&path).map_err(|e| not_found(plain_io_error(&e)))?;
    let imported = decode(&path.display().to_string(), bytes).map_err(|e| {
        vec![Located::new(
            &SourceFile::new(path.display().to_string(), ""),
            e,
        )]
    })?;
    let ast = parse_policy(&imported).map_err(|e| vec![Located::new(&imported, e)])?;
    if ast.items.iter().any(|item| matches!(item, Item::Import(_))) {
        let error = TestError::new(
            source,
            TestErrorKind::ImportChain {
                path: import.path.node.clone(),
            },
            import.path.span,
        )
        .with_label("a test file, not a policy")
        .with_help("import the `.meed` file that declares the rules");
        return Err(vec![Located::new(source, error)]);
    }
    match compile_policy(&imported) {
        Ok(policy) => Ok(policy),
        Err(problem) => Err(located_problem(&imported, problem)),
    }
}

/// The imported file's path: relative to the test file's folder.
fn import_path(source: &SourceFile, written: &str) -> PathBuf {
    let written = Path::new(written);
    match Path::new(source.name()).parent() {
        Some(folder) if !folder.as_os_str().is_empty() && written.is_relative() => {
            folder.join(written)
        }
        _ => written.to_path_buf(),
    }
}

/// Type-checks a test-only file's tests against the imported policy's
/// declarations; the errors point into the test file.
fn check_tests_against(
    source: &SourceFile,
    policy: &CompiledPolicy,
    tests: &[TestDecl],
) -> Vec<Located> {
    let mut checker = Checker::new(&policy.source, &policy.ast);
    // INVARIANT: from here on, new diagnostics point into the test file.
    checker.source = source.clone();
    let before = checker.out.len();
    for test in tests {
        checker.check_test(test);
    }
    checker
        .out
        .split_off(before)
        .into_iter()
        .map(|error| Located::new(source, in_test_file(error)))
        .collect()
}

/// Keeps only the secondary labels that point into the test file: most
/// point at a declaration ("declared as `Int` here"), which lives in the
/// policy, and a label cannot point into another file.
fn in_test_file(mut error: CheckError) -> CheckError {
    let secondary_in_test = matches!(
        error.kind,
        CheckErrorKind::DuplicateName { .. } | CheckErrorKind::DuplicateField { .. }
    );
    if !secondary_in_test {
        error.secondary.clear();
    }
    error
}

fn located_problem(source: &SourceFile, problem: PolicyProblem) -> Vec<Located> {
    match problem {
        PolicyProblem::Parse(error) => vec![Located::new(source, *error)],
        PolicyProblem::Check(errors) => errors
            .into_iter()
            .map(|e| Located::new(source, e))
            .collect(),
    }
}

/// `No such file or directory`, without Rust's `(os error 2)` suffix.
fn plain_io_error(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    };
    // Messages are lowercase: `no such file or directory`.
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
