//! The public pipeline, for embedding meed: source text → parsed, checked
//! policy → evaluated ledger.
//!
//! ```no_run
//! use meed::pipeline::compile_policy;
//! use meed::source::SourceFile;
//!
//! let source = SourceFile::new("rules/community.meed", std::fs::read_to_string("rules/community.meed").unwrap_or_default());
//! match compile_policy(&source) {
//!     Ok(policy) => println!("{} reward accounts", policy.schema.rewards.len()),
//!     Err(problem) => eprintln!("{} problem(s)", problem.diagnostics().len()),
//! }
//! ```

use miette::Diagnostic;

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
    pub source: SourceFile,
    pub ast: PolicyFile,
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
    let schema = Schema::from_policy(&ast);
    Ok(CompiledPolicy {
        source: source.clone(),
        ast,
        schema,
        warnings: report.diagnostics,
    })
}
