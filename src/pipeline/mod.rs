//! The public pipeline, for embedding meed: source text → parsed, checked
//! policy ([`compile_policy`]); a log and a roster read against it
//! ([`read_log`], [`read_roster`]); the policy evaluated over them into a
//! ledger ([`evaluate`]). The crate's documentation shows it whole.

use miette::Diagnostic;

mod files;

pub use files::{
    DataFiles, Diagnostics, Engine, Evaluated, RunFailure, evaluate_files,
    evaluate_files_side_by_side, read_text,
};

use crate::eval::{EvalError, EvalOptions, EvalReport, GrantSink};
use crate::input::{InputErrors, InputWarning, Log, LogFormat, Roster};
use crate::schema::Schema;
use crate::source::SourceFile;
use crate::syntax::ast::PolicyFile;
use crate::syntax::error::ParseError;
use crate::syntax::parser::parse_policy;
use crate::types::check::check_policy;
use crate::types::error::CheckError;

/// A policy that parsed and passed the type checker.
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    /// The policy's text, for the snippets of its diagnostics.
    pub source: SourceFile,
    /// The syntax tree.
    pub ast: PolicyFile,
    /// The declarations resolved to types: kinds and their fields, the
    /// roster's columns, accounts, badges, the currency and the zone.
    pub schema: Schema,
    /// Warnings the checker found (unused declarations and the like).
    pub warnings: Vec<CheckError>,
}

/// Why a policy cannot be evaluated.
#[derive(Debug)]
pub enum PolicyProblem {
    /// The text does not parse.
    Parse(Box<ParseError>),
    /// The checker found errors; this holds every diagnostic, warnings too.
    Check(Vec<CheckError>),
}

impl PolicyProblem {
    /// Every diagnostic of the problem, in source order.
    pub fn diagnostics(&self) -> Vec<&dyn Diagnostic> {
        match self {
            PolicyProblem::Parse(error) => vec![error.as_ref() as &dyn Diagnostic],
            PolicyProblem::Check(errors) => errors.iter().map(|e| e as &dyn Diagnostic).collect(),
        }
    }
}

/// Parses and checks a policy.
pub fn compile_policy(source: &SourceFile) -> Result<CompiledPolicy, PolicyProblem> {
    let ast = parse_policy(source).map_err(|e| PolicyProblem::Parse(Box::new(e)))?;
    compile_parsed_policy(source, ast)
}

/// Checks a policy already parsed from `source` (the language server has
/// the tree already, and parsing is most of the time a check takes).
pub fn compile_parsed_policy(
    source: &SourceFile,
    ast: PolicyFile,
) -> Result<CompiledPolicy, PolicyProblem> {
    let report = check_policy(source, &ast);
    if report.has_errors() {
        return Err(PolicyProblem::Check(report.diagnostics));
    }
    let schema = Schema::checked(&ast, report.types);
    Ok(CompiledPolicy {
        source: source.clone(),
        ast,
        schema,
        warnings: report.diagnostics,
    })
}

/// Reads and validates a contribution log written for `policy`: CSV or JSON
/// Lines, every record checked against its kind, and, when a roster is
/// given, everyone in the log checked to be on it.
///
/// Every bad record is reported, never skipped: a log with any error gives
/// no [`Log`] at all, and [`InputErrors`] names each problem with its line
/// and column in `source`. On success the records are in `(at, id)` order;
/// the warnings say what was ignored (a column no kind declares).
pub fn read_log(
    policy: &CompiledPolicy,
    source: &SourceFile,
    format: LogFormat,
    roster: Option<&Roster>,
) -> Result<(Log, Vec<InputWarning>), InputErrors> {
    let (log, warnings) = crate::input::read_log(&policy.schema, source, format)?;
    if let Some(roster) = roster {
        crate::input::check_people(&log, source, roster)?;
    }
    Ok((log, warnings))
}

/// Reads and validates a people file for `policy`: `who` and the policy's
/// `person` columns, each cell checked against its declared type.
pub fn read_roster(
    policy: &CompiledPolicy,
    source: &SourceFile,
    format: LogFormat,
) -> Result<Roster, InputErrors> {
    crate::input::read_roster(&policy.schema, source, format)
}

/// Evaluates `policy` over `log`, handing every final grant to `sink` in
/// ledger order, and returns the warnings (a pool no one could claim).
///
/// The streaming engine evaluates it; where the engine steps aside (a value
/// its fixed point cannot hold exactly, explanations, an error) the exact
/// evaluator does, after `sink` is restarted. Both give the same grants.
/// An [`EvalError`] names the rule, the person and the contribution or
/// period; no grant handed to `sink` before it should be shown as a
/// ledger.
pub fn evaluate(
    policy: &CompiledPolicy,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    sink: &mut dyn GrantSink,
) -> Result<EvalReport, EvalError> {
    crate::eval::run(&policy.ast, &policy.schema, log, roster, options, sink)
}
