//! How fast the books are, side by side with `eval` in one run:
//!
//! - `meed close` through the end of the year on the scale bench's log
//!   (fresh books), next to `meed eval --format csv` on the same log: time,
//!   ratio and peak RSS of each;
//! - `meed books show --format csv` and `meed books verify` on books of 24
//!   monthly runs for 10,000 people (built through the library).
//!
//! ```text
//! cargo bench --bench books                        # the 10M log
//! MEED_SCALE_SIZES=1m cargo bench --bench books    # a quicker run
//! ```

#[path = "scale_support/mod.rs"]
mod scale_support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use meed::books::{Books, Group, Line, LineKind, NewRun};
use rust_decimal::Decimal;
use scale_support::generate::generate;
use scale_support::parse_size;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("books bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> std::io::Result<()> {
    let size = std::env::var("MEED_SCALE_SIZES")
        .ok()
        .and_then(|s| parse_size(s.split(',').next_back()?))
        .unwrap_or(10_000_000);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("meed-scale");
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed");
    let meed = PathBuf::from(env!("CARGO_BIN_EXE_meed"));
    let data = generate(&dir, size, false)?;
    println!("{size} records, {}", data.log.display());

    let eval = measure(
        Command::new(&meed)
            .arg("eval")
            .arg(&policy)
            .arg(&data.log)
            .arg("--people")
            .arg(&data.people)
            .arg("--format")
            .arg("csv"),
    )?;
    let books = dir.join("bench-books.db");
    let _ = std::fs::remove_file(&books);
    let close = measure(
        Command::new(&meed)
            .arg("close")
            .arg(&policy)
            .arg(&data.log)
            .arg("--people")
            .arg(&data.people)
            .arg("--books")
            .arg(&books)
            .arg("--through")
            .arg("2027-12-31"),
    )?;
    report("eval --format csv", &eval, size);
    report("close (new books)", &close, size);
    println!(
        "  close / eval time: {:.2}",
        close.0.as_secs_f64() / eval.0.as_secs_f64().max(1e-9)
    );

    let many = dir.join("bench-books-24-runs.db");
    let started = Instant::now();
    build_books(&many, 24, 10_000)?;
    println!(
        "\nbooks of 24 monthly runs for 10,000 people (3 rewards each: 720,000 lines), built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let show = measure(
        Command::new(&meed)
            .args(["books", "show", "--format", "csv", "--books"])
            .arg(&many),
    )?;
    let verify = measure(
        Command::new(&meed)
            .args(["books", "verify", "--books"])
            .arg(&many),
    )?;
    report("books show --format csv", &show, 0);
    report("books verify", &verify, 0);
    Ok(())
}

/// Books `runs` monthly runs for `people` people straight through the
/// library: a regular line per person and reward each month.
fn build_books(path: &Path, runs: u32, people: u32) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    let failed = |e: meed::books::BooksError| std::io::Error::other(e.to_string());
    let mut books = Books::open_or_create(path).map_err(failed)?;
    for month in 0..runs {
        let earned = format!("{}-{:02}", 2027 + month / 12, month % 12 + 1);
        let mut lines = Vec::new();
        for p in 0..people {
            for (reward, unit, amount) in [
                ("bonus", "EUR", Decimal::new(i64::from(p % 997) * 5 + 1, 2)),
                ("reputation", "pts", Decimal::from(p % 50 + 1)),
                ("time_off", "min", Decimal::from(p % 90 + 30)),
            ] {
                lines.push(Line {
                    group: Group {
                        who: format!("person{p:05}").into(),
                        reward: reward.into(),
                        earned: earned.as_str().into(),
                        unit: unit.into(),
                    },
                    kind: LineKind::Regular,
                    amount,
                    reason: String::new(),
                });
            }
        }
        let run = NewRun {
            closed_at: format!("{earned}-28T09:00:00Z"),
            through: format!("{earned}-28"),
            timezone: "UTC".into(),
            policy_name: "reference.meed".into(),
            policy_text: "policy text".into(),
            policy_sha256: meed::books::sha256_hex(b"policy text"),
            log_sha256: meed::books::sha256_hex(earned.as_bytes()),
            roster_sha256: None,
            meed_version: "bench".into(),
        };
        books
            .close(path, |_| {
                Ok::<_, meed::books::BooksError>(Some((run, lines)))
            })
            .map_err(failed)?;
    }
    Ok(())
}

fn report(name: &str, (elapsed, peak_kib): &(Duration, u64), records: usize) {
    let rate = if records > 0 {
        format!(
            "{:>12.0} records/s",
            records as f64 / elapsed.as_secs_f64().max(1e-9)
        )
    } else {
        String::new()
    };
    println!(
        "  {name:<26} {:>8.3} s {rate}  peak RSS {:>7.1} MiB",
        elapsed.as_secs_f64(),
        *peak_kib as f64 / 1024.0
    );
}

/// Wall time and peak RSS (through `/usr/bin/time`) of one run.
fn measure(command: &mut Command) -> std::io::Result<(Duration, u64)> {
    let report = tempfile::NamedTempFile::new()?;
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let started = Instant::now();
    let status = wrapped.status()?;
    let elapsed = started.elapsed();
    if !status.success() {
        return Err(std::io::Error::other(format!(
            "{:?} failed: {status}",
            command.get_program()
        )));
    }
    let peak = std::fs::read_to_string(report.path())?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .unwrap_or(0);
    Ok((elapsed, peak))
}
