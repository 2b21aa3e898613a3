//! `meed report` on the scale bench's logs, against `eval` on the same
//! log: wall time, peak RSS, and the largest statement (issue #19's
//! targets: report ≤ 3× eval's time, ≤ 256 MiB, each statement ≤ 200 KB).
//!
//! ```text
//! cargo bench --bench report                        # 1M and 10M records
//! MEED_SCALE_SIZES=100k cargo bench --bench report  # a quick run
//! ```
//!
//! The logs are the ones `cargo bench --bench scale` generates (shared,
//! kept in the target folder).

mod scale_support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use scale_support::generate::generate;
use scale_support::parse_size;

fn generator_hash() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    include_str!("scale_support/generate.rs").hash(&mut hasher);
    hasher.finish()
}

fn main() -> ExitCode {
    let sizes = std::env::var("MEED_SCALE_SIZES").unwrap_or_else(|_| "1m,10m".to_string());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("meed-scale-{:016x}", generator_hash()));
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.meed");
    let meed = PathBuf::from(env!("CARGO_BIN_EXE_meed"));
    let mut ok = true;
    for size in sizes.split(',').filter_map(parse_size) {
        if let Err(e) = bench_size(size, &dir, &policy, &meed) {
            eprintln!("{size} records: {e}");
            ok = false;
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn bench_size(size: usize, dir: &Path, policy: &Path, meed: &Path) -> std::io::Result<()> {
    let data = generate(dir, size, false)?;
    let out = dir.join(format!("report-{size}"));
    let _ = std::fs::remove_dir_all(&out);
    let mut eval = Command::new(meed);
    eval.arg("eval")
        .arg(policy)
        .arg(&data.log)
        .arg("--people")
        .arg(&data.people)
        .arg("--format")
        .arg("csv");
    let mut report = Command::new(meed);
    report
        .arg("report")
        .arg(policy)
        .arg(&data.log)
        .arg("--people")
        .arg(&data.people)
        .arg("--out")
        .arg(&out);
    let (eval_time, eval_peak) = measure(eval)?;
    let (report_time, report_peak) = measure(report)?;
    let mut largest = (0, String::new());
    let mut count = 0;
    for entry in std::fs::read_dir(out.join("people"))? {
        let entry = entry?;
        count += 1;
        let len = entry.metadata()?.len();
        if len > largest.0 {
            largest = (len, entry.file_name().to_string_lossy().into_owned());
        }
    }
    let index = std::fs::metadata(out.join("index.html"))?.len();
    println!("\n{size} records, {count} statements");
    println!(
        "  eval csv   {:>8.3} s  peak RSS {:>7.1} MiB",
        eval_time.as_secs_f64(),
        eval_peak as f64 / 1024.0
    );
    println!(
        "  report     {:>8.3} s  peak RSS {:>7.1} MiB",
        report_time.as_secs_f64(),
        report_peak as f64 / 1024.0
    );
    println!(
        "  report / eval, time   {:.2}  [<= 3]",
        report_time.as_secs_f64() / eval_time.as_secs_f64().max(1e-9)
    );
    println!(
        "  report peak RSS       {:.1} MiB  [<= 256]",
        report_peak as f64 / 1024.0
    );
    println!(
        "  largest statement     {:.1} KB ({})  [<= 200]; index {:.1} KB",
        largest.0 as f64 / 1000.0,
        largest.1,
        index as f64 / 1000.0
    );
    let _ = std::fs::remove_dir_all(&out);
    Ok(())
}

/// Wall time and peak RSS (KiB, from `VmHWM`, polled) of `command`.
fn measure(mut command: Command) -> std::io::Result<(Duration, u64)> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if !status.success() {
        return Err(std::io::Error::other(format!(
            "the command failed: {status}"
        )));
    }
    Ok((started.elapsed(), peak))
}
