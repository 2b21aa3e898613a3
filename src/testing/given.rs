//! A test's `given` block as the evaluator's input: a log of its
//! contributions and a roster of its `person` rows.
//!
//! Values are expressions written in the test (`25000 EUR`, `90min`,
//! `"core"`, a constant of the policy, `4h / 2`); the checker has already
//! made sure they have the declared types, so converting them can only fail
//! on a real problem: a missing roster column, a division by zero. Such an
//! error is reported in the file that holds it: the policy for its
//! constants, the test's file for the value (a test-only file that imports
//! its policy is another file).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::eval::EvalError;
use crate::eval::scope::{Env, Scope};
use crate::input::{Contribution, Log, Roster, parse_timestamp};
use crate::pipeline::CompiledPolicy;
use crate::schema::FieldSchema;
use crate::semantics::order::record_order;
use crate::source::{SourceFile, Spanned};
use crate::syntax::ast::{FieldValue, Given, GivenContribution, GivenPerson, Literal, TestDecl};
use crate::units::Type;
use crate::value::Value;

use super::error::{Located, TestError, TestErrorKind};

/// The log and roster a test evaluates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GivenInput {
    pub log: Log,
    pub roster: Roster,
}

/// Builds the log and roster of `test` (written in `source`) for `policy`.
pub fn given_input(
    policy: &CompiledPolicy,
    source: &SourceFile,
    test: &TestDecl,
) -> Result<GivenInput, Vec<Located>> {
    let mut input = GivenInput::default();
    let mut problems = Vec::new();
    let env =
        Env::new(&policy.ast, &policy.schema, None).map_err(|e| vec![in_policy(policy, e)])?;
    let values = Values {
        policy,
        source,
        env: &env,
    };
    for given in &test.given {
        match given {
            Given::Contribution(record) => match contribution(&values, record) {
                Ok(c) => input.log.contributions.push(c),
                Err(problem) => problems.push(problem),
            },
            Given::Person(person) => match person_row(&values, person) {
                Ok(row) => {
                    input
                        .roster
                        .people
                        .insert(Arc::from(person.who.node.as_str()), row);
                }
                Err(problem) => problems.push(problem),
            },
        }
    }
    if problems.is_empty() {
        input
            .log
            .contributions
            .sort_by(|a, b| record_order((a.at, a.id.as_bytes()), (b.at, b.id.as_bytes())));
        Ok(input)
    } else {
        Err(problems)
    }
}

/// What the values of a test are worked out with.
struct Values<'v> {
    policy: &'v CompiledPolicy,
    /// The file the test is written in.
    source: &'v SourceFile,
    /// The policy's constants, evaluated.
    env: &'v Env<'v>,
}

/// `review r1 by bob at 2027-01-05 { lines: 120, repo: "core" }`
fn contribution(values: &Values<'_>, record: &GivenContribution) -> Result<Contribution, Located> {
    let (policy, source) = (values.policy, values.source);
    let schema = &policy.schema;
    let kind = schema.kind_index(&record.kind.node).ok_or_else(|| {
        internal(
            policy,
            format!("no contribution kind `{}`", record.kind.node),
        )
    })?;
    let declared = schema
        .kinds
        .get(kind)
        .map_or(&[][..], |k| k.fields.as_slice());
    let fields = declared
        .iter()
        .map(|field| field_value(values, field, &record.fields))
        .collect::<Result<Vec<Value>, Located>>()?;
    Ok(Contribution {
        id: Arc::from(record.id.node.as_str()),
        who: Arc::from(record.who.node.as_str()),
        kind,
        at: instant(policy, &record.at)?,
        fields,
        line: source.line_column(record.span.start).0,
    })
}

/// `person alice { status: "volunteer", team: "docs" }`: every roster
/// column must be given, as in a people file.
fn person_row(values: &Values<'_>, person: &GivenPerson) -> Result<Vec<Value>, Located> {
    let (policy, source) = (values.policy, values.source);
    policy
        .schema
        .person
        .iter()
        .map(|column| {
            if !person.fields.iter().any(|f| f.name.node == column.name) {
                let error = TestError::new(
                    source,
                    TestErrorKind::MissingColumn {
                        who: person.who.node.clone(),
                        column: column.name.clone(),
                    },
                    person.span,
                )
                .with_label(format!("no `{}` here", column.name))
                .with_help(format!(
                    "a `person` row gives every roster column, as the people file does: add `{}: {}`",
                    column.name,
                    crate::types::help::example_literal(&column.ty)
                ));
                return Err(Located::new(source, error));
            }
            field_value(values, column, &person.fields)
        })
        .collect()
}

/// The value given for `field`, converted to its declared type (an Int
/// literal for a Decimal field is the checker's only widening).
fn field_value(
    values: &Values<'_>,
    field: &FieldSchema,
    given: &[FieldValue],
) -> Result<Value, Located> {
    let written = given
        .iter()
        .find(|f| f.name.node == field.name)
        .ok_or_else(|| internal(values.policy, format!("no value for `{}`", field.name)))?;
    // The constants were evaluated already: what fails here is the value
    // as written in the test.
    let value = Scope::new(values.env)
        .value(&written.value)
        .map_err(|e| Located::evaluation(e, [values.source, &values.policy.source]))?;
    Ok(match (&field.ty, value) {
        (Type::Decimal, Value::Int(i)) => Value::Decimal(i.into()),
        (_, value) => value,
    })
}

/// `at 2027-01-05T10:00:00Z` as written; `at 2027-01-05` is midnight in the
/// policy's time zone, exactly as in a log.
fn instant(policy: &CompiledPolicy, at: &Spanned<Literal>) -> Result<DateTime<Utc>, Located> {
    match &at.node {
        Literal::Timestamp(t) => Ok(t.with_timezone(&Utc)),
        Literal::Date(d) => {
            parse_timestamp(&d.format("%Y-%m-%d").to_string(), policy.schema.timezone)
                .map_err(|e| internal(policy, format!("`{d}`: {e}")))
        }
        other => Err(internal(policy, format!("`at` is not a time: {other:?}"))),
    }
}

fn in_policy(policy: &CompiledPolicy, error: EvalError) -> Located {
    Located::evaluation(error, [&policy.source])
}

/// A state the checker should have ruled out, as an error value.
fn internal(policy: &CompiledPolicy, message: String) -> Located {
    in_policy(policy, EvalError::internal(message, None))
}
