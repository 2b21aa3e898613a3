//! How fast every command of the engine is on large logs, next to a
//! hand-written Rust program for the same policy, and how much memory each
//! needs.
//!
//! For each size it generates (once per version of the generator, into the
//! target folder) a log sorted by time, the same log shuffled, the sorted
//! log with every cell quoted and as JSON Lines, and a roster of up to
//! 10,000 people. On `benches/reference.meed` it runs, as subprocesses of
//! the real binary: `eval --format csv` on each form of the log,
//! `eval --format json` (to a file), `explain` for one person, `diff` of
//! the policy and a changed copy, `report` (every statement and the
//! overview, into a fresh directory); and the baseline (this binary again,
//! with `--baseline`). It checks that every form of the log gives the
//! baseline's output byte for byte, and prints records per second, peak
//! RSS, the ratios issues #11 and #19 set targets for, and the size of the
//! largest statement.
//!
//! ```text
//! cargo bench --bench scale                       # 1M and 10M records
//! MEED_SCALE_SIZES=100k cargo bench --bench scale # a quick run
//! MEED_SCALE_RUNS=5 cargo bench --bench scale     # medians of 5 runs
//! ```

mod scale_support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use scale_support::baseline::baseline;
use scale_support::generate::generate;
use scale_support::parse_size;

/// A hash of the generator's source (stable from run to run).
fn generator_hash() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    include_str!("scale_support/generate.rs").hash(&mut hasher);
    hasher.finish()
}

/// One finished subprocess: what it printed, how long it took, its peak RSS.
struct Run {
    stdout: Vec<u8>,
    elapsed: Duration,
    peak_kib: u64,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, log, people, ..] = args.as_slice()
        && flag == "--baseline"
    {
        return match baseline(Path::new(log), Path::new(people)) {
            Ok(csv) => {
                print!("{csv}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("baseline: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let sizes = std::env::var("MEED_SCALE_SIZES").unwrap_or_else(|_| "1m,10m".to_string());
    let runs: usize = std::env::var("MEED_SCALE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    // Generated logs are kept between runs (10M records take a while), in
    // a folder named by a hash of the generator's code: a changed generator
    // never reuses stale logs.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("meed-scale-{:016x}", generator_hash()));
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed");
    let meed = PathBuf::from(env!("CARGO_BIN_EXE_meed"));
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find the bench binary");
        return ExitCode::FAILURE;
    };
    println!("meed: {}", meed.display());
    println!("data: {}", dir.display());
    println!("runs per measure: {runs} (median time, largest peak RSS)");
    let mut ok = true;
    for size in sizes.split(',').filter_map(parse_size) {
        match bench_size(size, runs, &dir, &policy, &meed, &me) {
            Ok(true) => {}
            Ok(false) => ok = false,
            Err(e) => {
                eprintln!("{size} records: {e}");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn bench_size(
    size: usize,
    runs: usize,
    dir: &Path,
    policy: &Path,
    meed: &Path,
    me: &Path,
) -> std::io::Result<bool> {
    let started = Instant::now();
    let sorted = generate(dir, size, false)?;
    let shuffled = generate(dir, size, true)?;
    let mb = std::fs::metadata(&sorted.log)?.len() as f64 / 1e6;
    println!(
        "\n{size} records ({mb:.0} MB, generated or found in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let forms = other_forms(&sorted.log, &dir.join(format!("forms-{size}")))?;
    let changed = dir.join("changed.meed");
    std::fs::write(
        &changed,
        std::fs::read_to_string(policy)?.replace("m.duration * 0.5", "m.duration * 0.6"),
    )?;
    // The same policy with its rate, cap and pool amount as values that
    // change over time (to the same value, so the output must not move) and
    // a rule window over the whole year: the engine's dated path at scale.
    let dated = dir.join("dated.meed");
    std::fs::write(&dated, dated_variant(&std::fs::read_to_string(policy)?))?;
    let ledger_out = dir.join(format!("ledger-{size}.json"));
    let with_people = |c: &mut Command| {
        c.arg("--people").arg(&sorted.people);
    };
    let eval_cmd = |log: &Path, format: &str| {
        let mut c = Command::new(meed);
        c.arg("eval").arg(policy).arg(log);
        with_people(&mut c);
        c.arg("--format").arg(format);
        if format == "json" {
            c.arg("--out").arg(&ledger_out);
        }
        c
    };
    let dated_cmd = || {
        let mut c = Command::new(meed);
        c.arg("eval").arg(&dated).arg(&sorted.log);
        with_people(&mut c);
        c.arg("--format").arg("csv");
        c
    };
    let explain_cmd = || {
        let mut c = Command::new(meed);
        c.arg("explain").arg(policy).arg(&sorted.log).arg("p00001");
        with_people(&mut c);
        c
    };
    let diff_cmd = || {
        let mut c = Command::new(meed);
        c.arg("diff").arg(policy).arg(&changed).arg(&sorted.log);
        with_people(&mut c);
        c.arg("--format").arg("csv");
        c
    };
    let report_dir = dir.join(format!("report-{size}"));
    let report_cmd = || {
        // A fresh directory each run: replacing an earlier report would
        // add its deletion to the measure.
        let _ = std::fs::remove_dir_all(&report_dir);
        let mut c = Command::new(meed);
        c.arg("report").arg(policy).arg(&sorted.log);
        with_people(&mut c);
        c.arg("--out").arg(&report_dir);
        c
    };
    let base_cmd = || {
        let mut c = Command::new(me);
        c.arg("--baseline").arg(&sorted.log).arg(&sorted.people);
        c
    };
    // Side by side, in one run: each command measured the same way.
    // The JSON ledger (gigabytes written) goes last: the writing it leaves
    // to the kernel would slow whatever runs after it.
    let meed_runs = repeat(runs, || eval_cmd(&sorted.log, "csv"))?;
    let base_runs = repeat(runs, base_cmd)?;
    let quoted_runs = repeat(runs, || eval_cmd(&forms.quoted, "csv"))?;
    let jsonl_runs = repeat(runs, || eval_cmd(&forms.jsonl, "csv"))?;
    let dated_runs = repeat(runs, dated_cmd)?;
    let explain_runs = repeat(runs, explain_cmd)?;
    let diff_runs = repeat(runs, diff_cmd)?;
    let shuffled_runs = repeat(1, || eval_cmd(&shuffled.log, "csv"))?;
    let json_runs = repeat(runs, || eval_cmd(&sorted.log, "json"))?;
    let _ = std::fs::remove_file(&ledger_out);
    let report_runs = repeat(runs, report_cmd)?;
    let largest_statement = largest_file(&report_dir.join("people"))?;
    let _ = std::fs::remove_dir_all(&report_dir);
    let rate = |d: Duration| size as f64 / d.as_secs_f64().max(1e-9);
    let m = summary(&meed_runs);
    let rows: [(&str, &[Run]); 10] = [
        ("eval csv, plain CSV", &meed_runs),
        ("eval csv, dated values", &dated_runs),
        ("eval csv, quoted CSV", &quoted_runs),
        ("eval csv, JSON Lines", &jsonl_runs),
        ("eval json (to a file)", &json_runs),
        ("explain one person", &explain_runs),
        ("diff of two policies", &diff_runs),
        ("eval csv, shuffled", &shuffled_runs),
        ("report (every page)", &report_runs),
        ("hand-written baseline", &base_runs),
    ];
    for (name, runs) in rows {
        let (time, peak) = summary(runs);
        println!(
            "  {name:<24} {:>8.3} s  {:>12.0} records/s  peak RSS {:>7.1} MiB",
            time.as_secs_f64(),
            rate(time),
            peak as f64 / 1024.0
        );
    }
    let time_of = |runs: &[Run]| summary(runs).0.as_secs_f64();
    let plain = time_of(&meed_runs).max(1e-9);
    println!("  ratios (issue #11 target in brackets):");
    println!(
        "    quoted CSV / plain CSV, records/s   {:.2}  [>= 0.8]",
        plain / time_of(&quoted_runs).max(1e-9)
    );
    println!(
        "    JSON Lines / plain CSV, records/s   {:.2}  [>= 0.5]",
        plain / time_of(&jsonl_runs).max(1e-9)
    );
    println!(
        "    dated values / plain, time          {:.2}  [issue #14: full speed]",
        time_of(&dated_runs) / plain
    );
    println!(
        "    diff / eval, time                   {:.2}  [<= 2.2]",
        time_of(&diff_runs) / plain
    );
    println!(
        "    explain / eval, time                {:.2}  [<= 1.2]",
        time_of(&explain_runs) / plain
    );
    println!(
        "    report / eval, time                 {:.2}  [issue #19: <= 3]",
        time_of(&report_runs) / plain
    );
    println!(
        "  largest statement {:.0} KB  [issue #19: <= 200 KB]",
        largest_statement as f64 / 1000.0
    );
    println!(
        "    meed / baseline, records/s          {:.2}  [>= 0.75]",
        rate(m.0) / rate(summary(&base_runs).0)
    );
    let reference = &base_runs
        .first()
        .map(|r| r.stdout.clone())
        .unwrap_or_default();
    let mut same = true;
    for (name, runs) in [
        ("meed (sorted)", &meed_runs),
        ("meed (quoted)", &quoted_runs),
        ("meed (JSON Lines)", &jsonl_runs),
        ("meed (dated values)", &dated_runs),
        ("meed (shuffled)", &shuffled_runs),
    ] {
        for run in runs {
            if &run.stdout != reference {
                same = false;
                let path = dir.join(format!("mismatch-{size}.csv"));
                let _ = std::fs::write(&path, &run.stdout);
                let _ = std::fs::write(dir.join(format!("baseline-{size}.csv")), reference);
                println!(
                    "  MISMATCH: {name} differs from the baseline (see {})",
                    path.display()
                );
                break;
            }
        }
    }
    if same {
        let rows = reference.iter().filter(|&&b| b == b'\n').count();
        println!("  outputs byte-identical ({rows} lines)");
    }
    Ok(same)
}

/// The sorted log in the other forms a log may come in.
struct Forms {
    quoted: PathBuf,
    jsonl: PathBuf,
}

/// Writes (once) the log with every cell quoted, as spreadsheets export
/// it, and as JSON Lines (every value a string, empty cells left out).
fn other_forms(log: &Path, dir: &Path) -> std::io::Result<Forms> {
    use std::io::{BufRead, BufWriter, Write};
    std::fs::create_dir_all(dir)?;
    let forms = Forms {
        quoted: dir.join("log-quoted.csv"),
        jsonl: dir.join("log.jsonl"),
    };
    if forms.quoted.exists() && forms.jsonl.exists() {
        return Ok(forms);
    }
    let reader = std::io::BufReader::new(std::fs::File::open(log)?);
    let quoted_tmp = dir.join("log-quoted.csv.partial");
    let jsonl_tmp = dir.join("log.jsonl.partial");
    let mut quoted = BufWriter::new(std::fs::File::create(&quoted_tmp)?);
    let mut jsonl = BufWriter::new(std::fs::File::create(&jsonl_tmp)?);
    let mut header: Vec<String> = Vec::new();
    for line in reader.lines() {
        let line = line?;
        let cells: Vec<&str> = line.split(',').collect();
        let row: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        writeln!(quoted, "{}", row.join(","))?;
        if header.is_empty() {
            header = cells.iter().map(|c| c.to_string()).collect();
            continue;
        }
        let fields: Vec<String> = header
            .iter()
            .zip(&cells)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
            .collect();
        writeln!(jsonl, "{{{}}}", fields.join(","))?;
    }
    quoted
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    jsonl.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(quoted_tmp, &forms.quoted)?;
    std::fs::rename(jsonl_tmp, &forms.jsonl)?;
    Ok(forms)
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Median time and largest peak RSS of some runs.
/// The size in bytes of the largest file in `dir`.
fn largest_file(dir: &Path) -> std::io::Result<u64> {
    let mut largest = 0;
    for entry in std::fs::read_dir(dir)? {
        largest = largest.max(entry?.metadata()?.len());
    }
    Ok(largest)
}

fn summary(runs: &[Run]) -> (Duration, u64) {
    let mut times: Vec<Duration> = runs.iter().map(|r| r.elapsed).collect();
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let peak = runs.iter().map(|r| r.peak_kib).max().unwrap_or(0);
    (median, peak)
}

fn repeat(runs: usize, command: impl Fn() -> Command) -> std::io::Result<Vec<Run>> {
    (0..runs).map(|_| measure(command())).collect()
}

/// Runs `command`, measuring its wall time and peak RSS: through
/// `/usr/bin/time` (which reads it with `wait4`) where present, else by
/// polling `VmHWM` in `/proc/PID/status` until the process ends.
fn measure(mut command: Command) -> std::io::Result<Run> {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let report = tempfile::NamedTempFile::new()?;
        let mut wrapped = Command::new(time);
        wrapped
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(report.path())
            .arg(command.get_program())
            .args(command.get_args());
        let started = Instant::now();
        let output = wrapped.stderr(Stdio::inherit()).output()?;
        let elapsed = started.elapsed();
        check_status(&output.status)?;
        let text = std::fs::read_to_string(report.path())?;
        let peak_kib = text
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .next_back()
            .unwrap_or(0);
        return Ok(Run {
            stdout: output.stdout,
            elapsed,
            peak_kib,
        });
    }
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = std::io::Read::read_to_end(out, &mut bytes);
        }
        bytes
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak_kib = peak_kib.max(hwm.unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    check_status(&status)?;
    let stdout = reader.join().unwrap_or_default();
    Ok(Run {
        stdout,
        elapsed,
        peak_kib,
    })
}

fn check_status(status: &std::process::ExitStatus) -> std::io::Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the command failed: {status}"
        )))
    }
}

/// The reference policy with its rate, monthly cap and pool amount as
/// dated values that change (to the same value) in the middle of the year,
/// and a window over the whole of 2027 on one rule: the same ledger, read
/// through the engine's dated path.
fn dated_variant(policy: &str) -> String {
    policy
        .replace(
            "let review_rate = 0.02 EUR",
            "let review_rate {\n  from 2026-01-01: 0.02 EUR \"first\"\n  from 2027-07-01: 0.02 EUR \"confirmed\"\n}\nlet monthly_cap {\n  from 2026-01-01: 300 EUR\n  from 2027-07-01: 300 EUR\n}\nlet fund {\n  from 2026-01-01: 1000 EUR\n  from 2027-07-01: 1000 EUR\n}",
        )
        .replace(
            "limit bonus at most 300 EUR per person per month",
            "limit bonus at most monthly_cap per person per month",
        )
        .replace("grant bonus 1000 EUR per quarter", "grant bonus fund per quarter")
        .replace(
            "  on like l\n",
            "  on like l\n  from 2027-01-01 until 2027-12-31\n",
        )
}
