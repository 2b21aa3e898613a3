//! One snapshot per policy in `tests/inputs/eval/`: the policy evaluated
//! (with explanations) over the records of the `.log` file beside it.
//!
//! A `.log` line is `KIND ID WHO AT field=value ...` or
//! `person WHO column=value ...`; values are read with the declared type
//! (`12.50` for money, `90min` or `1.5h` for durations).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]

use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use meed::eval::{EvalOptions, evaluate};
use meed::input::{Contribution, Log, Roster};
use meed::ledger::{Ledger, Origin};
use meed::render::diagnostic::render_plain;
use meed::schema::Schema;
use meed::source::SourceFile;
use meed::units::Type;
use meed::value::{Money, Value};
use rust_decimal::Decimal;

fn value(ty: &Type, text: &str) -> Value {
    let dec = |t: &str| Decimal::from_str(t).unwrap();
    match ty {
        Type::Int => Value::Int(text.parse().unwrap()),
        Type::Decimal => Value::Decimal(dec(text)),
        Type::Bool => Value::Bool(text == "true"),
        Type::Text | Type::OneOf(_) => Value::Text(Arc::from(text)),
        Type::Timestamp => Value::Timestamp(at(text)),
        Type::Duration => match text.strip_suffix("min") {
            Some(m) => Value::Duration(dec(m)),
            None => Value::Duration(dec(text.trim_end_matches('h')) * Decimal::from(60)),
        },
        Type::Money(c) => Value::Money(Money::new(dec(text), *c)),
        Type::Points => Value::Points(dec(text)),
        other => panic!("no cells of type {other}"),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn read_log(schema: &Schema, text: &str) -> (Log, Option<Roster>) {
    let mut log = Log::default();
    let mut roster: Option<Roster> = None;
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let cells = |from: usize, fields: &[meed::schema::FieldSchema]| -> Vec<Value> {
            fields
                .iter()
                .map(|f| {
                    let cell = words[from..]
                        .iter()
                        .find_map(|w| w.strip_prefix(&format!("{}=", f.name)))
                        .unwrap_or_else(|| panic!("line {}: no {}", n + 1, f.name));
                    value(&f.ty, cell)
                })
                .collect()
        };
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["person", who, ..] => {
                let row = cells(2, &schema.person);
                roster
                    .get_or_insert_with(Roster::default)
                    .people
                    .insert(Arc::from(*who), row);
            }
            [kind, id, who, when, ..] => {
                let k = schema
                    .kind(kind)
                    .unwrap_or_else(|| panic!("line {}: kind {kind}", n + 1));
                log.contributions.push(Contribution {
                    id: Arc::from(*id),
                    who: Arc::from(*who),
                    kind: schema.kind_index(kind).unwrap(),
                    at: at(when),
                    fields: cells(4, &k.fields),
                    line: n + 1,
                });
            }
            _ => panic!("line {}: cannot read `{line}`", n + 1),
        }
    }
    (log, roster)
}

fn render(ledger: &Ledger) -> String {
    let mut out = String::from("grants:\n");
    for g in &ledger.grants {
        let origin = match &g.origin {
            Origin::Rule { name, .. } => format!("rule {name}"),
            Origin::Pool(p) => format!(
                "pool {} {} (score {} of {})",
                p.pool, p.period, p.score, p.total_score
            ),
        };
        let ids: Vec<&str> = g.contributions.iter().map(AsRef::as_ref).collect();
        let when = g.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        writeln!(
            out,
            "{when} {} {} {}  {origin} [{}]",
            g.who,
            g.target.name(),
            g.granted,
            ids.join(", ")
        )
        .unwrap();
        if let Some(c) = &g.calculation {
            writeln!(out, "    = {c}").unwrap();
        }
        for cut in &g.cuts {
            writeln!(
                out,
                "    cut by `{}` in {}: {} already granted, cap {}: {} → {}",
                cut.limit, cut.period, cut.already_granted, cut.cap, cut.before, cut.after
            )
            .unwrap();
        }
    }
    out.push_str("totals:\n");
    for (who, targets) in &ledger.totals {
        for (target, total) in targets {
            writeln!(out, "{who} {} {total}", target.name()).unwrap();
        }
    }
    out
}

#[test]
fn evaluate_inputs() {
    insta::glob!("inputs/eval/*.meed", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let source = SourceFile::new(path.file_name().unwrap().to_string_lossy(), text);
        let policy = meed::syntax::parser::parse_policy(&source)
            .unwrap_or_else(|e| panic!("{}", render_plain(&e)));
        let schema = Schema::from_policy(&policy);
        let log_text = std::fs::read_to_string(path.with_extension("log")).unwrap();
        let (log, roster) = read_log(&schema, &log_text);
        let mut ledger = Ledger::default();
        let options = EvalOptions {
            window: None,
            explain: true,
        };
        let output = match evaluate(
            &policy,
            &schema,
            &log,
            roster.as_ref(),
            &options,
            &mut ledger,
        ) {
            Ok(report) => {
                let mut out = render(&ledger);
                for w in &report.warnings {
                    writeln!(out, "warning: {w}").unwrap();
                }
                out
            }
            Err(e) => render_plain(&e.in_files(&source)),
        };
        insta::assert_snapshot!(output);
    });
}
