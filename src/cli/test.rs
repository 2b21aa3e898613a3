//! `meed test [FILE...|DIR]`: run the `test` blocks of policies and
//! test-only files.
//!
//! ```text
//! ok   rules/community.meed: a small change earns a tenth of a point per line
//! FAIL rules/community.meed: the fund follows reputation
//! 11 passed, 1 failed
//! ```
//!
//! Results go to stdout, diagnostics (failures with their grants) to stderr.
//! `--coverage` adds what the tests exercised (see
//! [`crate::testing::coverage`]); `--coverage-min 90` also fails the run
//! when a policy is below 90%.

use std::path::{Path, PathBuf};

use clap::Args;

use rust_decimal::Decimal;

use crate::testing::coverage_text::{coverage_text, percent};
use crate::testing::load_test_file;
use crate::testing::{
    Coverage, FileCoverage, Located, TestOutcome, find_policy_files, run_suite, run_suite_covering,
};

use super::files::read_source;
use super::{DiagnosticFormat, Outcome, Reporter};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy or test files, or folders to search for `*.meed` files
    /// [default: `rules/` if it exists, else the current folder]
    #[arg(value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Run only the tests whose name contains this text
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    diagnostics: DiagnosticFormat,
    /// Report which rules, `if` branches, `tiers` brackets, limits and pools
    /// the tests exercised, per policy, with the places they missed
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when a policy's coverage is below PERCENT, e.g. `90`
    /// (implies --coverage)
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    coverage_min: Option<Decimal>,
}

/// Runs every test of every file; exit 1 on a failed test or a policy
/// with errors, 2 when a file or folder cannot be read.
pub fn run(args: TestArgs) -> Outcome {
    let mut reporter = Reporter::new(args.diagnostics);
    let files = match files_to_test(&args.paths) {
        Ok(files) => files,
        Err(outcome) => return outcome,
    };
    let mut coverage = (args.coverage || args.coverage_min.is_some()).then(Coverage::default);
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for path in &files {
        let source = match read_source(path, &mut reporter) {
            Ok(source) => source,
            Err(outcome) => return outcome,
        };
        let suite = match load_test_file(&source) {
            Ok(suite) => suite,
            Err(problems) => {
                report_all(&mut reporter, &problems);
                broken += 1;
                continue;
            }
        };
        report_all(&mut reporter, &suite.warnings);
        let runs = match coverage.as_mut() {
            None => run_suite(&suite, args.filter.as_deref()),
            Some(coverage) => {
                let mut file = FileCoverage::of(&suite.policy);
                let runs = run_suite_covering(&suite, args.filter.as_deref(), &mut file);
                coverage.add(file);
                runs
            }
        };
        for run in runs {
            match run.outcome {
                TestOutcome::Passed => {
                    passed += 1;
                    outln!("ok   {}: {}", source.name(), run.name);
                }
                TestOutcome::Failed(problems) => {
                    failed += 1;
                    outln!("FAIL {}: {}", source.name(), run.name);
                    report_all(&mut reporter, &problems);
                }
            }
        }
    }
    if broken > 0 {
        errln!(
            "{broken} file{} with errors: {} tests were not run",
            if broken == 1 { "" } else { "s" },
            if broken == 1 { "its" } else { "their" }
        );
    }
    outln!("{passed} passed, {failed} failed");
    let mut below = false;
    if let Some(coverage) = &coverage {
        outln!();
        out!("{}", coverage_text(coverage));
        if let Some(min) = args.coverage_min {
            for file in coverage.below(min) {
                below = true;
                errln!(
                    "coverage of `{}` is {}, below the minimum of {}% (--coverage-min)",
                    file.source.name(),
                    percent(file),
                    min.normalize()
                );
            }
        }
    }
    if failed > 0 || broken > 0 || below {
        Outcome::Failed
    } else {
        Outcome::Success
    }
}

/// `90`, `87.5`, `90%`: a percentage from 0 to 100.
fn parse_percent(text: &str) -> Result<Decimal, String> {
    let number = text.trim().trim_end_matches('%').trim_end();
    match number.parse::<Decimal>() {
        Ok(p) if p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED => Ok(p),
        _ => Err(format!(
            "`{text}` is not a percentage from 0 to 100, e.g. `90` or `87.5`"
        )),
    }
}

fn report_all(reporter: &mut Reporter, problems: &[Located]) {
    for problem in problems {
        reporter.report(problem.diagnostic.as_ref(), &problem.source);
    }
}

/// The files named, with folders searched for `*.meed`; with no paths,
/// `rules/` if it exists, else the current folder.
fn files_to_test(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Outcome> {
    let defaults;
    let paths = if paths.is_empty() {
        let rules = Path::new("rules");
        defaults = [if rules.is_dir() {
            rules.to_path_buf()
        } else {
            PathBuf::from(".")
        }];
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = find_policy_files(path).map_err(|e| {
                Outcome::Usage(format!("cannot read the folder `{}`: {e}", path.display()))
            })?;
            if found.is_empty() {
                return Err(Outcome::Usage(format!(
                    "no `.meed` files in `{}`",
                    path.display()
                )));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}
