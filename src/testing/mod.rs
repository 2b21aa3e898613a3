//! `test` blocks: a policy's own examples, run by `meed test`.
//!
//! ```meed
//! test "an accepted answer earns 15 points" {
//!   given {
//!     answer a1 by alice at 2027-01-05T10:00:00Z { accepted: true, votes: 3 }
//!   }
//!   expect alice reputation = 15 pts
//! }
//! ```
//!
//! A test evaluates the policy over its `given` records only, with its
//! `given person` rows as the roster; an account or badge a person never
//! received is zero. Every `expect` is checked (not only the first failing
//! one), and a failure lists the grants that made up the actual value.

pub mod coverage;
pub mod coverage_text;
pub mod discover;
pub mod error;
pub mod expect;
pub mod given;
pub mod suite;

use crate::eval::reach::Reached;
use crate::eval::{EvalError, EvalErrorKind, EvalOptions, evaluate_reaching};
use crate::ledger::Ledger;
use crate::source::SourceFile;
use crate::syntax::ast::{Given, TestDecl};
use crate::types::help::example_literal;

pub use coverage::{Coverage, FileCoverage};
pub use discover::find_policy_files;
pub use error::{Located, TestError, TestErrorKind};
pub use suite::{TestSuite, load_parsed_test_file, load_test_file};

/// How one test ended.
#[derive(Debug)]
pub enum TestOutcome {
    Passed,
    /// Every failed `expect`, or the reason the test could not run.
    Failed(Vec<Located>),
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        matches!(self, TestOutcome::Passed)
    }
}

/// One test of a suite and how it ended.
#[derive(Debug)]
pub struct TestRun {
    pub name: String,
    pub outcome: TestOutcome,
}

/// Runs the tests of `suite` whose name contains `filter` (all of them
/// when `None`), in file order.
pub fn run_suite(suite: &TestSuite, filter: Option<&str>) -> Vec<TestRun> {
    run_selected(suite, filter, None)
}

/// [`run_suite`], noting in `coverage` (made by [`FileCoverage::of`] for
/// the suite's policy) what each test exercised.
pub fn run_suite_covering(
    suite: &TestSuite,
    filter: Option<&str>,
    coverage: &mut FileCoverage,
) -> Vec<TestRun> {
    run_selected(suite, filter, Some(coverage))
}

fn run_selected(
    suite: &TestSuite,
    filter: Option<&str>,
    mut coverage: Option<&mut FileCoverage>,
) -> Vec<TestRun> {
    suite
        .tests
        .iter()
        .filter(|test| filter.is_none_or(|f| test.name.node.contains(f)))
        .map(|test| TestRun {
            name: test.name.node.clone(),
            outcome: run_test_in(suite, test, coverage.as_deref_mut()),
        })
        .collect()
}

/// Evaluates the policy over the test's `given` records and checks every
/// `expect`.
pub fn run_test(suite: &TestSuite, test: &TestDecl) -> TestOutcome {
    run_test_in(suite, test, None)
}

/// [`run_test`]; with `coverage`, through the in-memory evaluator, which
/// notes the branches and brackets it reaches (the engine gives the same
/// grants but notes nothing).
fn run_test_in(
    suite: &TestSuite,
    test: &TestDecl,
    coverage: Option<&mut FileCoverage>,
) -> TestOutcome {
    let policy = &suite.policy;
    let input = match given::given_input(policy, &suite.source, test) {
        Ok(input) => input,
        Err(problems) => return TestOutcome::Failed(problems),
    };
    let mut ledger = Ledger::default();
    let options = EvalOptions::default();
    let evaluated = match coverage {
        None => crate::eval::run(
            &policy.ast,
            &policy.schema,
            &input.log,
            Some(&input.roster),
            &options,
            &mut ledger,
        ),
        Some(coverage) => {
            let reached = Reached::default();
            let evaluated = evaluate_reaching(
                &policy.ast,
                &policy.schema,
                &input.log,
                Some(&input.roster),
                &options,
                &mut ledger,
                &reached,
            );
            coverage.record(&reached, &ledger.grants);
            evaluated
        }
    };
    if let Err(error) = evaluated {
        return TestOutcome::Failed(vec![eval_failure(suite, test, error)]);
    }
    let failures: Vec<Located> = test
        .expects
        .iter()
        .filter_map(|e| expect::check_expect(policy, &suite.source, &ledger, e).err())
        .collect();
    if failures.is_empty() {
        TestOutcome::Passed
    } else {
        TestOutcome::Failed(failures)
    }
}

/// An evaluation error in a test. The common one, a roster read for
/// someone without a `person` row, points at that person's record in the
/// test and shows the row to add.
fn eval_failure(suite: &TestSuite, test: &TestDecl, error: EvalError) -> Located {
    let policy = &suite.policy;
    let EvalErrorKind::UnknownPerson { who } = &error.kind else {
        return Located::evaluation(error, [&policy.source]);
    };
    let record = test.given.iter().find_map(|g| match g {
        Given::Contribution(c) if &c.who.node == who => Some(c.span),
        _ => None,
    });
    let read = error
        .span
        .and_then(|s| policy.source.text().get(s.start..s.end))
        .map_or_else(String::new, |text| format!("the policy reads `{text}`; "));
    let columns: Vec<String> = policy
        .schema
        .person
        .iter()
        .map(|c| format!("{}: {}", c.name, example_literal(&c.ty)))
        .collect();
    let help = format!(
        "{read}add `person {who} {{ {} }}` to the `given` block",
        columns.join(", ")
    );
    let source: &SourceFile = &suite.source;
    let error = TestError::new(
        source,
        TestErrorKind::MissingPerson { who: who.clone() },
        record.unwrap_or(test.name.span),
    )
    .with_label(format!("a record by `{who}`"))
    .with_help(help);
    Located::new(source, error)
}
