//! How long `meed check` takes on a large policy.
//!
//! Generates a policy of about 5,000 lines (kinds, constants, rules with
//! conditions and tiers, limits, a pool) and reports the median, minimum
//! and maximum time of parse + type check over repeated runs.
//!
//! Run with `cargo bench --bench check`.

use std::time::{Duration, Instant};

use meed::pipeline::compile_policy;
use meed::source::SourceFile;

/// A policy of roughly `target_lines` lines that checks clean.
fn generated_policy(target_lines: usize) -> String {
    let mut text = String::from("policy \"Generated\" {\n  timezone \"Europe/Berlin\"\n}\n\n");
    text.push_str("person {\n  status: one of \"employee\", \"volunteer\"\n}\n\n");
    text.push_str(
        "reward bonus: Money(EUR)\nreward reputation: Points\nreward time_off: Duration\n\n",
    );
    let mut n = 0;
    while text.lines().count() < target_lines {
        text.push_str(&format!(
            "contribution kind{n} {{\n  lines: Int\n  repo: Text\n  duration: Duration\n  amount: Money(EUR)\n}}\n\n\
             let rate{n} = 0.0{d} EUR\n\n\
             rule money{n} {{\n  on kind{n} k\n  when k.lines >= {n} and k.repo == \"core\" and k.by.status != \"employee\"\n  grant bonus 5.00 EUR + rate{n} * k.lines\n}}\n\n\
             rule points{n} {{\n  on kind{n} k\n  grant reputation if k.lines > 100 then 6 pts else 1 pts + 2 pts\n}}\n\n\
             rule tiers{n} {{\n  on kind{n} k\n  grant bonus tiers k.amount {{\n    up to 500 EUR: 10%\n    up to 1000 EUR: 12%\n    above: 15%\n  }}\n}}\n\n\
             rule time{n} {{\n  each person per month\n  when sum(kind{n}.duration) >= 10h\n  grant time_off sum(kind{n} x where x.repo == \"core\": x.duration) * 0.5\n}}\n\n",
            d = n % 9 + 1
        ));
        n += 1;
    }
    text.push_str("limit bonus at most 300 EUR per person per month\n\n");
    text.push_str(
        "pool fund {\n  grant bonus 1000 EUR per quarter\n  split by total(reputation)\n}\n",
    );
    text
}

fn main() {
    let text = generated_policy(5_000);
    let lines = text.lines().count();
    let source = SourceFile::new("generated.meed", text);
    // Warm up, and make sure the policy really is clean.
    if let Err(problem) = compile_policy(&source) {
        for d in problem.diagnostics() {
            eprintln!("{}", meed::render::diagnostic::render_plain(d));
        }
        std::process::exit(1);
    }
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            let result = compile_policy(&source);
            let elapsed = start.elapsed();
            std::hint::black_box(result.is_ok());
            elapsed
        })
        .collect();
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let min = times.first().copied().unwrap_or_default();
    let max = times.last().copied().unwrap_or_default();
    println!(
        "check: {lines} lines, {} runs: median {:.2} ms (min {:.2} ms, max {:.2} ms)",
        times.len(),
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}
