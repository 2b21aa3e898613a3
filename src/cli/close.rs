//! `meed close POLICY LOG --books FILE --through DATE`: a payout run. Books
//! what became due since the last run: new months as regular lines, changes
//! to months booked before as adjustments saying what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;
use rust_decimal::Decimal;

use crate::books::{
    Books, BooksError, Line, LineKind, NewRun, Run, amount_text, close_run, fresh_groups,
    sha256_file, sha256_hex,
};
use crate::input::LogFormat;
use crate::source::SourceFile;
use crate::syntax::ast::Period;
use crate::value::human_duration;

use super::eval::evaluate_totals;
use super::files::{plain_io_error, refuse_overwriting_inputs};
use super::load::{DataArgs, load_policy};
use super::{DiagnosticFormat, Outcome, Reporter};

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The policy file (`.meed`)
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// The contribution log: CSV with a header, or JSON Lines
    #[arg(value_name = "LOG")]
    log: PathBuf,
    /// The roster: `who` plus the policy's `person` columns (CSV or JSON Lines)
    #[arg(long, value_name = "FILE")]
    people: Option<PathBuf>,
    /// The log's format, when its extension does not say (.csv, .jsonl)
    #[arg(long, value_name = "FORMAT")]
    format_in: Option<LogFormat>,
    /// The books file; the first run creates it
    #[arg(long, value_name = "FILE")]
    books: PathBuf,
    /// Book everything earned up to the end of this day (policy time zone)
    #[arg(long, value_name = "DATE")]
    through: NaiveDate,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    diagnostics: DiagnosticFormat,
}

pub fn run(args: CloseArgs) -> Outcome {
    let mut reporter = Reporter::new(args.diagnostics);
    let mut inputs = vec![
        ("the policy", args.policy.as_path()),
        ("the log", args.log.as_path()),
    ];
    if let Some(people) = &args.people {
        inputs.push(("the people file", people.as_path()));
    }
    if let Err(outcome) = refuse_overwriting_inputs("--books", &args.books, &inputs) {
        return outcome;
    }
    // The run records the SHA-256 of its inputs, so each is read twice: a
    // pipe or standard input could not be.
    for (role, path) in &inputs {
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Outcome::Usage(format!(
                "`{}` ({role}) is not a regular file: a payout run records the SHA-256 of its inputs, so save it to a file first",
                path.display()
            ));
        }
    }
    let policy = match load_policy(&args.policy, &mut reporter) {
        Ok(policy) => policy,
        Err(outcome) => return outcome,
    };
    let data = DataArgs {
        log: args.log.clone(),
        people: args.people.clone(),
        format_in: args.format_in,
        period: None,
        from: None,
        to: Some(args.through),
        diagnostics: args.diagnostics,
    };
    let evaluated = match evaluate_totals(policy, &data, Some(Period::Month), &mut reporter) {
        Ok(evaluated) => evaluated,
        Err(outcome) => return outcome,
    };
    let fresh = match fresh_groups(evaluated.by_period.unwrap_or_default()) {
        Ok(fresh) => fresh,
        Err(message) => return internal(&message),
    };
    let hashes = match (
        file_sha256(&args.log),
        args.people.as_deref().map(file_sha256).transpose(),
    ) {
        (Ok(log), Ok(roster)) => (log, roster),
        (Err(outcome), _) | (_, Err(outcome)) => return outcome,
    };
    let policy = &evaluated.policy;
    let fields = NewRun {
        closed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        through: args.through.to_string(),
        timezone: policy.schema.timezone.name().to_string(),
        policy_name: args.policy.display().to_string(),
        policy_text: policy.source.text().to_string(),
        policy_sha256: sha256_hex(policy.source.text().as_bytes()),
        log_sha256: hashes.0,
        roster_sha256: hashes.1,
        meed_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let mut books = match Books::open_or_create(&args.books) {
        Ok(books) => books,
        Err(error) => return books_failed(&error, &mut reporter),
    };
    let booked = close_run(&mut books, &args.books, fresh, fields, policy);
    match booked {
        Ok(Some((run, lines))) => {
            out!("{}", summary(&run, &lines));
            Outcome::Success
        }
        Ok(None) => {
            outln!(
                "nothing to book: the books already hold everything earned through {}",
                args.through
            );
            Outcome::Success
        }
        Err(error) => books_failed(&error, &mut reporter),
    }
}

/// The summary a person reads after a close.
fn summary(run: &Run, lines: &[Line]) -> String {
    let people: std::collections::BTreeSet<&str> = lines.iter().map(|l| &*l.group.who).collect();
    // Per reward and unit: (regular, adjustments, number of adjustments).
    let mut per_reward: BTreeMap<(&str, &str), (Decimal, Decimal, usize)> = BTreeMap::new();
    for line in lines {
        let entry = per_reward
            .entry((&*line.group.reward, &*line.group.unit))
            .or_default();
        match line.kind {
            LineKind::Regular => entry.0 += line.amount,
            LineKind::Adjustment => {
                entry.1 += line.amount;
                entry.2 += 1;
            }
        }
    }
    let adjustments = lines
        .iter()
        .filter(|l| l.kind == LineKind::Adjustment)
        .count();
    let mut out = format!(
        "run {} booked through {}: {} {} for {} {}\n",
        run.number,
        run.fields.through,
        lines.len(),
        plural(lines.len(), "line", "lines"),
        people.len(),
        plural(people.len(), "person", "people"),
    );
    let width = per_reward.keys().map(|(r, _)| r.len()).max().unwrap_or(0);
    for ((reward, unit), (regular, adjusted, count)) in &per_reward {
        let total = *regular + *adjusted;
        out.push_str(&format!("  {reward:<width$}  {}", readable(total, unit)));
        if *count > 0 {
            out.push_str(&format!(
                "  ({} {}, net {})",
                count,
                plural(*count, "adjustment", "adjustments"),
                signed(*adjusted, unit)
            ));
        }
        out.push('\n');
    }
    if adjustments > 0 {
        out.push_str(&format!(
            "{adjustments} {} to months booked before; `meed books show --run {}` lists them with what changed\n",
            plural(adjustments, "adjustment", "adjustments"),
            run.number
        ));
    }
    out.push_str(&format!("run hash {}\n", run.hash));
    out
}

/// An amount for people: money with its currency, time off in hours and
/// minutes, points and badges counted.
fn readable(amount: Decimal, unit: &str) -> String {
    match unit {
        "min" => human_duration(amount),
        "badge" => format!("{} × badge", amount_text(amount, unit)),
        _ => format!("{} {unit}", amount_text(amount, unit)),
    }
}

fn signed(amount: Decimal, unit: &str) -> String {
    let text = readable(amount, unit);
    if amount.is_sign_positive() {
        format!("+{text}")
    } else {
        text
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The SHA-256 of a file's bytes, recorded with the run.
fn file_sha256(path: &Path) -> Result<String, Outcome> {
    sha256_file(path).map_err(|error| {
        Outcome::Usage(format!(
            "cannot read `{}` to record its SHA-256: {}",
            path.display(),
            plain_io_error(&error)
        ))
    })
}

/// Reports a books problem: a file that is not books is a usage error
/// (exit 2), anything else a problem found (exit 1).
pub(super) fn books_failed(error: &BooksError, reporter: &mut Reporter) -> Outcome {
    reporter.report(error, &SourceFile::new("", String::new()));
    match error {
        BooksError::NotBooks { .. } | BooksError::Missing { .. } => Outcome::Usage(String::new()),
        _ => Outcome::Failed,
    }
}

fn internal(message: &str) -> Outcome {
    errln!("error: {message}");
    Outcome::Failed
}
