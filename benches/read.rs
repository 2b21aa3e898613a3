//! How long the log readers take, in-process (no subprocess, no
//! evaluation):
//!
//! - the careful reader on logs where every other record has a bad cell
//!   (100,000 and 200,000 records): its time must grow linearly with the
//!   log, errors included (the bench fails if doubling the log more than
//!   triples the time). This was an `#[ignore]`d test in `tests/input.rs`.
//! - the fast reader on the same records written plainly and with every
//!   cell quoted (RFC 4180): records per second for each.
//!
//! ```text
//! cargo bench --bench read
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use meed::input::fast::{CHUNK, LogInput, read_records};
use meed::input::{LogFormat, read_log};
use meed::pipeline::compile_policy;
use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;

const POLICY: &str = "policy \"bench\" {\n  timezone \"UTC\"\n}\n\
    contribution review { lines: Int, repo: Text }\n\
    reward points: Points\n\
    rule r {\n  on review r\n  grant points 1 pts * r.lines\n}\n";

/// `n` review records; every other one's `lines` is `{i}x` when `bad`.
fn log(n: usize, bad: bool, quoted: bool) -> String {
    let mut text = String::from("id,who,kind,at,lines,repo\n");
    for i in 0..n {
        let lines = if bad && i % 2 == 1 {
            format!("{i}x")
        } else {
            "12".to_string()
        };
        let cells = [
            format!("r{i:07}"),
            format!("p{}", i % 97),
            "review".to_string(),
            format!("2027-01-05T10:{:02}:{:02}Z", i / 60 % 60, i % 60),
            lines,
            "core".to_string(),
        ];
        let line: Vec<String> = if quoted {
            cells.iter().map(|c| format!("\"{c}\"")).collect()
        } else {
            cells.to_vec()
        };
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = None;
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let out = f();
        let elapsed = started.elapsed();
        best = Some(best.map_or(elapsed, |b: Duration| b.min(elapsed)));
        last = Some(out);
    }
    match (best, last) {
        (Some(b), Some(l)) => (b, l),
        _ => (Duration::ZERO, f()),
    }
}

fn main() -> ExitCode {
    let policy = match compile_policy(&SourceFile::new("bench.meed", POLICY)) {
        Ok(policy) => policy,
        Err(problem) => {
            for d in problem.diagnostics() {
                eprintln!("{}", render_plain(d));
            }
            return ExitCode::FAILURE;
        }
    };
    let schema = &policy.schema;
    let mut ok = true;

    println!("careful reader, every other record bad:");
    let mut times = Vec::new();
    for n in [100_000, 200_000] {
        let source = SourceFile::new("big.csv", log(n, true, false));
        let (elapsed, errors) = best_of(3, || {
            let errors = read_log(schema, &source, LogFormat::Csv).err();
            // Rendering is part of reporting: it must stay linear too.
            errors.map(|e| (e.errors.len(), render_plain(&e).len()))
        });
        println!(
            "  {n:>7} records: {elapsed:>10.2?} ({:?} errors, rendered bytes)",
            errors
        );
        if errors.map(|(count, _)| count) != Some(n / 2) {
            eprintln!("  expected {} errors", n / 2);
            ok = false;
        }
        times.push(elapsed.as_secs_f64());
    }
    if let [small, large] = times.as_slice() {
        let ratio = large / small.max(1e-9);
        println!("  twice the records: {ratio:.2}x the time");
        if ratio > 3.0 {
            eprintln!("  not linear: doubling the log took {ratio:.2}x the time");
            ok = false;
        }
    }

    println!("fast reader, 1,000,000 records:");
    for quoted in [false, true] {
        let bytes = log(1_000_000, false, quoted).into_bytes();
        let size = bytes.len();
        let input = LogInput::from_bytes(bytes, CHUNK);
        let (elapsed, records) = best_of(3, || read_records(&input, schema).map(|r| r.len()));
        let name = if quoted { "every cell quoted" } else { "plain" };
        match records {
            Ok(count) => println!(
                "  {name:<17} {:>6.1} MB: {elapsed:>10.2?}, {:>6.2} M records/s",
                size as f64 / 1e6,
                count as f64 / elapsed.as_secs_f64() / 1e6
            ),
            Err(fallback) => {
                eprintln!("  {name}: the fast reader stepped aside: {}", fallback.0);
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
