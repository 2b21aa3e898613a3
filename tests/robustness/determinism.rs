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

/// The bundled examples, 1 and 2 threads: small logs (one chunk each), so
/// this checks the in-memory paths; the parallel parsing of large logs is
/// checked by [`thread_count_does_not_change_a_several_chunk_ledger`].
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

/// The community example log copied over and over (new ids; a quoted cell
/// now and then) to several MiB: the fast reader cuts it into several 1 MiB
/// chunks and parses them in parallel. 1 and 4 threads, the log sorted and
/// not, give the bytes of the careful path (`MEED_NO_STREAM=1`, run once:
/// both logs hold the same records).
#[test]
fn thread_count_does_not_change_a_several_chunk_ledger() {
    use meed::input::fast::{CHUNK, LogInput, Pass, stream_sorted};
    let example = std::fs::read_to_string(root().join("examples/community/log.csv")).unwrap();
    let mut lines = example.lines();
    let header = lines.next().unwrap();
    let records: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut copies: Vec<Vec<String>> = Vec::new();
    for copy in 0..300 {
        for (i, cells) in records.iter().enumerate() {
            let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            cells[0] = format!("{}-{copy}", cells[0]);
            if (copy + i) % 97 == 0 {
                cells[1] = format!("\"{}\"", cells[1]);
            }
            copies.push(cells);
        }
    }
    let text = |rows: &[Vec<String>]| {
        let mut out = format!("{header}\n");
        for row in rows {
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    };
    let unsorted = text(&copies);
    copies.sort_by(|a, b| (&a[3], a[0].as_bytes()).cmp(&(&b[3], b[0].as_bytes())));
    let sorted = text(&copies);
    assert!(sorted.len() > 5 * CHUNK, "{} bytes", sorted.len());
    let policy = meed::pipeline::compile_policy(&meed::source::SourceFile::new(
        "community.meed",
        include_str!("../../rules/community.meed"),
    ))
    .unwrap_or_else(|_| panic!("the community policy compiles"));
    let mut careful = None;
    for (name, log) in [("sorted", &sorted), ("unsorted", &unsorted)] {
        let dir = folder_with(
            "rules/community.meed",
            "examples/community/people.csv",
            "log.csv",
            log,
        );
        // The fast reader's own count of the chunks it parsed.
        let input = LogInput::open(&dir.path().join("log.csv")).unwrap();
        let pass = stream_sorted(&input, &policy.schema, &mut |_| Ok(()), &mut |_, _| {}).unwrap();
        match pass {
            Pass::Done { chunks, .. } => assert!(chunks > 5, "{chunks} chunks"),
            Pass::Unsorted => assert_eq!(name, "unsorted"),
        }
        let careful = careful.get_or_insert_with(|| {
            ledger(dir.path(), "log.csv", "csv", &[("MEED_NO_STREAM", "1")])
        });
        for threads in ["1", "4"] {
            let run = meed_in(
                dir.path(),
                &[
                    "eval",
                    "policy.meed",
                    "log.csv",
                    "--people",
                    "people.csv",
                    "--format",
                    "csv",
                ],
                &[("RAYON_NUM_THREADS", threads), ("MEED_TRACE_STREAM", "1")],
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            // It streamed: the fast reader did not step aside.
            assert!(!run.stderr.contains("stepped aside"), "{}", run.stderr);
            assert_eq!(
                &run.stdout, careful,
                "{name} log, {threads} threads: the ledger differs"
            );
        }
    }
}
