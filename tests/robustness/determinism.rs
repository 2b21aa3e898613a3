//! The same inputs give byte-identical output: across runs, whatever the
//! order of the log's lines, whatever the thread count.

use std::path::Path;

use super::cli::{examples, meed_in, root};

/// A reproducible shuffle (a small linear congruential generator), so a
/// failure can be replayed.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from((seed >> 33) % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

/// `log` with its records shuffled (the CSV header stays first).
fn shuffled(log: &str, csv: bool, seed: u64) -> String {
    let mut lines: Vec<&str> = log.lines().collect();
    let start = usize::from(csv);
    shuffle(&mut lines[start..], seed);
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Copies a policy, its roster and `log` text into a fresh folder, under
/// the same names, so that outputs cannot differ by path.
fn folder_with(policy: &str, people: &str, log_name: &str, log: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(policy), dir.path().join("policy.meed")).unwrap();
    std::fs::copy(root().join(people), dir.path().join("people.csv")).unwrap();
    std::fs::write(dir.path().join(log_name), log).unwrap();
    dir
}

fn ledger(dir: &Path, log_name: &str, format: &str, env: &[(&str, &str)]) -> Vec<u8> {
    let run = meed_in(
        dir,
        &[
            "eval",
            "policy.meed",
            log_name,
            "--people",
            "people.csv",
            "--format",
            format,
        ],
        env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.is_empty());
    run.stdout
}

#[test]
fn shuffled_logs_give_byte_identical_ledgers() {
    for (policy, log, people) in examples() {
        let text = std::fs::read_to_string(root().join(&log)).unwrap();
        let csv = log.ends_with(".csv");
        let log_name = if csv { "log.csv" } else { "log.jsonl" };
        let original = folder_with(&policy, &people, log_name, &text);
        for format in ["csv", "json"] {
            let expected = ledger(original.path(), log_name, format, &[]);
            assert_eq!(
                ledger(original.path(), log_name, format, &[]),
                expected,
                "{policy}: two runs differ ({format})"
            );
            for seed in [1, 2027] {
                let mixed = folder_with(&policy, &people, log_name, &shuffled(&text, csv, seed));
                assert_eq!(
                    ledger(mixed.path(), log_name, format, &[]),
                    expected,
                    "{policy}: shuffled with seed {seed}, the {format} ledger differs"
                );
            }
        }
    }
}

/// Meaningful once parsing or evaluation runs on several threads; until
/// then it checks that the variable changes nothing.
#[test]
fn thread_count_does_not_change_the_ledger() {
    for (policy, log, people) in examples() {
        let text = std::fs::read_to_string(root().join(&log)).unwrap();
        let log_name = if log.ends_with(".csv") {
            "log.csv"
        } else {
            "log.jsonl"
        };
        let dir = folder_with(&policy, &people, log_name, &text);
        for format in ["csv", "json"] {
            let one = ledger(dir.path(), log_name, format, &[("RAYON_NUM_THREADS", "1")]);
            let two = ledger(dir.path(), log_name, format, &[("RAYON_NUM_THREADS", "2")]);
            assert_eq!(
                one, two,
                "{policy}: {format} differs between 1 and 2 threads"
            );
        }
    }
}
