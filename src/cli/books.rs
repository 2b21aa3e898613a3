//! `meed books show|verify --books FILE`: what each payout run booked, and
//! whether the books are still as meed wrote them.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::books::{Books, Break, Line, Run, verify};
use crate::text::{csv_row, escape_visible};

use super::close::books_failed;
use super::{DiagnosticFormat, Outcome, Reporter};

#[derive(Debug, Args)]
pub struct BooksArgs {
    #[command(subcommand)]
    command: BooksCommand,
}

#[derive(Debug, Subcommand)]
enum BooksCommand {
    /// List the runs and what each booked (the CSV is what payroll imports)
    Show(ShowArgs),
    /// Re-compute the hash chain and the books' invariants; exit 1 on a break
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The books file
    #[arg(long, value_name = "FILE")]
    books: PathBuf,
    /// Only this run
    #[arg(long, value_name = "N")]
    run: Option<i64>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    format: ShowFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    /// Runs and their lines, for reading
    Table,
    /// `run,who,reward,earned,kind,amount,unit`, for payroll
    Csv,
    /// Every run with its fields and lines
    Json,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The books file
    #[arg(long, value_name = "FILE")]
    books: PathBuf,
}

pub fn run(args: BooksArgs) -> Outcome {
    let mut reporter = Reporter::new(DiagnosticFormat::Human);
    match args.command {
        BooksCommand::Show(args) => show(&args, &mut reporter),
        BooksCommand::Verify(args) => run_verify(&args, &mut reporter),
    }
}

fn show(args: &ShowArgs, reporter: &mut Reporter) -> Outcome {
    let books = match Books::open_existing(&args.books) {
        Ok(books) => books,
        Err(error) => return books_failed(&error, reporter),
    };
    let runs = match books.runs() {
        Ok(runs) => runs,
        Err(error) => return books_failed(&error, reporter),
    };
    if let Some(number) = args.run
        && !runs.iter().any(|r| r.number == number)
    {
        let error = crate::books::BooksError::NoRun {
            run: number,
            count: i64::try_from(runs.len()).unwrap_or(i64::MAX),
        };
        reporter.report(&error, &crate::source::SourceFile::new("", String::new()));
        return Outcome::Usage(String::new());
    }
    let runs: Vec<&Run> = runs
        .iter()
        .filter(|r| args.run.is_none_or(|n| r.number == n))
        .collect();
    if args.format == ShowFormat::Csv {
        return match write_csv(&books, args.run) {
            Ok(()) => Outcome::Success,
            Err(error) => books_failed(&error, reporter),
        };
    }
    let lines = match books.lines(args.run) {
        Ok(lines) => lines,
        Err(error) => return books_failed(&error, reporter),
    };
    let output = match args.format {
        ShowFormat::Json => render_json(&runs, &lines),
        _ => render_table(&runs, &lines),
    };
    out!("{output}");
    Outcome::Success
}

fn run_verify(args: &VerifyArgs, reporter: &mut Reporter) -> Outcome {
    let books = match Books::open_existing(&args.books) {
        Ok(books) => books,
        Err(error) => return books_failed(&error, reporter),
    };
    let breaks = match verify(&books) {
        Ok(breaks) => breaks,
        Err(error) => return books_failed(&error, reporter),
    };
    if breaks.is_empty() {
        let runs = books.runs().unwrap_or_default();
        match runs.last() {
            Some(last) => outln!(
                "the books are sound: {} {}, through {}, last hash {}",
                runs.len(),
                if runs.len() == 1 { "run" } else { "runs" },
                last.fields.through,
                last.hash
            ),
            None => outln!("the books are sound: no runs yet"),
        }
        return Outcome::Success;
    }
    for Break { run, message } in &breaks {
        match run {
            Some(run) => errln!("error: run {run}: {message}"),
            None => errln!("error: {message}"),
        }
    }
    errln!(
        "the books were changed outside meed: {} {} found",
        breaks.len(),
        if breaks.len() == 1 { "break" } else { "breaks" }
    );
    Outcome::Failed
}

/// `run,who,reward,earned,kind,amount,unit`: the lines payroll imports,
/// streamed from the books to stdout (amounts as booked, which is as
/// `eval`'s CSV writes them). A closed pipe ends the output quietly.
fn write_csv(books: &Books, run: Option<i64>) -> Result<(), crate::books::BooksError> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut open = out
        .write_all(b"run,who,reward,earned,kind,amount,unit\n")
        .is_ok();
    books.for_each_line(run, |run, [who, reward, earned, kind, amount, unit, _]| {
        if open {
            let row = csv_row(&[&run.to_string(), who, reward, earned, kind, amount, unit]);
            open = out.write_all(row.as_bytes()).is_ok();
        }
    })?;
    let _ = out.flush();
    Ok(())
}

fn render_table(runs: &[&Run], lines: &[(i64, Line)]) -> String {
    if runs.is_empty() {
        return "the books hold no runs yet\n".to_string();
    }
    let mut out = String::new();
    for run in runs {
        let own: Vec<&Line> = lines
            .iter()
            .filter(|(n, _)| *n == run.number)
            .map(|(_, l)| l)
            .collect();
        let adjustments = own
            .iter()
            .filter(|l| l.kind == crate::books::LineKind::Adjustment)
            .count();
        out.push_str(&format!(
            "run {} · through {} · closed {} · policy {} · {} lines ({} adjustments)\n",
            run.number,
            run.fields.through,
            run.fields.closed_at,
            run.fields.policy_name,
            own.len(),
            adjustments
        ));
        let width = |f: fn(&Line) -> usize| own.iter().map(|l| f(l)).max().unwrap_or(0);
        let who_w = width(|l| l.group.who.chars().count()).max(3);
        let reward_w = width(|l| l.group.reward.len()).max(6);
        let amount_w = width(|l| l.amount_text().len()).max(6);
        out.push_str(&format!(
            "  {:<who_w$}  {:<reward_w$}  earned   {:<10}  {:>amount_w$}  unit\n",
            "who", "reward", "kind", "amount"
        ));
        for line in own {
            let who = escape_visible(&line.group.who);
            out.push_str(&format!(
                "  {who:<who_w$}  {:<reward_w$}  {}  {:<10}  {:>amount_w$}  {}",
                line.group.reward,
                line.group.earned,
                line.kind.as_str(),
                line.amount_text(),
                line.group.unit
            ));
            if !line.reason.is_empty() {
                out.push_str(&format!("  ({})", line.reason));
            }
            out.push('\n');
        }
    }
    out
}

#[derive(Serialize)]
struct JsonBooks<'a> {
    schema: &'static str,
    runs: Vec<JsonRun<'a>>,
}

#[derive(Serialize)]
struct JsonRun<'a> {
    run: i64,
    closed_at: &'a str,
    through: &'a str,
    timezone: &'a str,
    policy_name: &'a str,
    policy_sha256: &'a str,
    log_sha256: &'a str,
    roster_sha256: Option<&'a str>,
    meed_version: &'a str,
    previous_hash: &'a str,
    hash: &'a str,
    lines: Vec<JsonLine<'a>>,
}

#[derive(Serialize)]
struct JsonLine<'a> {
    who: &'a str,
    reward: &'a str,
    earned: &'a str,
    kind: &'static str,
    amount: String,
    unit: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    reason: &'a str,
}

fn render_json(runs: &[&Run], lines: &[(i64, Line)]) -> String {
    let books = JsonBooks {
        schema: "meed.books/1",
        runs: runs
            .iter()
            .map(|run| JsonRun {
                run: run.number,
                closed_at: &run.fields.closed_at,
                through: &run.fields.through,
                timezone: &run.fields.timezone,
                policy_name: &run.fields.policy_name,
                policy_sha256: &run.fields.policy_sha256,
                log_sha256: &run.fields.log_sha256,
                roster_sha256: run.fields.roster_sha256.as_deref(),
                meed_version: &run.fields.meed_version,
                previous_hash: &run.previous_hash,
                hash: &run.hash,
                lines: lines
                    .iter()
                    .filter(|(n, _)| *n == run.number)
                    .map(|(_, l)| JsonLine {
                        who: &l.group.who,
                        reward: &l.group.reward,
                        earned: &l.group.earned,
                        kind: l.kind.as_str(),
                        amount: l.amount_text(),
                        unit: &l.group.unit,
                        reason: &l.reason,
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&books).unwrap_or_default();
    text.push('\n');
    text
}
