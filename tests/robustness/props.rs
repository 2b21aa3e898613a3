//! The fuzz targets' properties (`fuzz/src/props.rs`), run as bounded
//! proptests so that every `cargo test` exercises them: a few hundred cases,
//! random bytes and mutations of the bundled policies and example logs.
//!
//! Random bytes and byte-level mutations are almost always refused by the
//! readers, so they never reach evaluation. The cell-level properties below
//! keep the rows' structure and change only cell contents, so most of their
//! logs and rosters are accepted and evaluated; each asserts its acceptance
//! rate, so that it cannot silently go hollow again.

use std::sync::OnceLock;

use meed::eval::{EvalOptions, evaluate};
use meed::input::{Log, LogFormat, read_log, read_roster};
use meed::ledger::Ledger;
use meed::render::csv::render_csv;
use meed::render::json::render_json;
use meed::source::SourceFile;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::cli::{examples, root};
use super::fuzz_props::{
    Bundled, POLICIES, bundled, evaluate_log, fmt_round_trip, parse_and_check, records_written,
};

fn policies() -> &'static [Bundled] {
    static POLICIES: OnceLock<Vec<Bundled>> = OnceLock::new();
    POLICIES.get_or_init(|| bundled().unwrap_or_else(|e| panic!("{e}")))
}

/// The first `lines` lines of each example log, with its format.
fn example_logs(lines: usize) -> &'static [(String, LogFormat)] {
    static LOGS: OnceLock<Vec<(String, LogFormat)>> = OnceLock::new();
    LOGS.get_or_init(|| {
        examples()
            .into_iter()
            .map(|(_, log, _)| {
                let text = std::fs::read_to_string(root().join(&log)).unwrap();
                let head: String = text.split_inclusive('\n').take(lines).collect();
                let format = if log.ends_with(".jsonl") {
                    LogFormat::JsonLines
                } else {
                    LogFormat::Csv
                };
                (head, format)
            })
            .collect()
    })
}

/// `text` with `bytes` written over it at `at` (a fraction of its length)
/// and `cut` bytes removed there: a typo, a paste, a lost chunk.
fn mutate(text: &str, at: f64, cut: usize, bytes: &[u8]) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a position in a short text, from a fraction in [0, 1)"
    )]
    let at = ((out.len() as f64) * at) as usize;
    let at = at.min(out.len());
    let end = (at + cut).min(out.len());
    out.splice(at..end, bytes.iter().copied());
    out
}

/// Bytes that look like meed more often than random ones do.
fn policy_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(
            prop::sample::select(vec![
                "(", ")", "{", "}", "\"", "#", "\n", " ", "-", "not ", "if ", "then ", "else ",
                "rule r ", "on ", "grant ", "tiers ", "x", "1", "0.5", " EUR", "pts", "%",
                "\u{e9}", "\r", "\\", "up to ", "above:", ",", ":", ".",
            ]),
            0..24
        )
        .prop_map(|parts| parts.concat().into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_and_check_without_panic(bytes in policy_bytes()) {
        parse_and_check(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_policies_parse_and_check_without_panic(
        index in 0..POLICIES.len(),
        at in 0.0..1.0f64,
        cut in 0..40usize,
        bytes in policy_bytes(),
    ) {
        let text = POLICIES[index].1;
        parse_and_check(&mutate(text, at, cut, &bytes)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn fmt_round_trips_mutated_policies(
        index in 0..POLICIES.len(),
        at in 0.0..1.0f64,
        cut in 0..40usize,
        bytes in policy_bytes(),
    ) {
        let text = POLICIES[index].1;
        fmt_round_trip(&mutate(text, at, cut, &bytes)).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn any_bytes_as_a_log_never_panic_nor_lose_records(
        index in 0..POLICIES.len(),
        json in any::<bool>(),
        with_roster in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let format = if json { LogFormat::JsonLines } else { LogFormat::Csv };
        evaluate_log(&policies()[index], format, with_roster, &bytes)
            .map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_example_logs_never_panic_nor_lose_records(
        index in 0..POLICIES.len(),
        with_roster in any::<bool>(),
        at in 0.0..1.0f64,
        cut in 0..80usize,
        bytes in prop::collection::vec(
            prop::sample::select(vec![b'"', b',', b'\n', b'\r', b'{', b'}', b'0', b'-', b'a', 0xff]),
            0..6,
        ),
    ) {
        let (text, format) = &example_logs(12)[index];
        let log = mutate(text, at, cut, &bytes);
        evaluate_log(&policies()[index], *format, with_roster, &log)
            .map_err(TestCaseError::fail)?;
    }
}

/// Every policy in the repository keeps its meaning through `fmt`.
#[test]
fn fmt_round_trips_every_policy_in_the_repository() {
    let mut checked = 0;
    for folder in [
        "rules",
        "tests/inputs/fmt",
        "tests/inputs/parse/ok",
        "tests/inputs/check/ok",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            if let Err(violation) = fmt_round_trip(&bytes) {
                panic!("{}: {violation}", entry.path().display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} policies found");
}

/// Each whole example log evaluates under its policy and loses no record.
#[test]
fn every_example_log_is_read_whole() {
    for (index, (_, log, _)) in examples().iter().enumerate() {
        let bytes = std::fs::read(root().join(log)).unwrap();
        let format = if log.ends_with(".jsonl") {
            LogFormat::JsonLines
        } else {
            LogFormat::Csv
        };
        evaluate_log(&policies()[index], format, true, &bytes)
            .unwrap_or_else(|e| panic!("{log}: {e}"));
    }
}

/// Cell values that are wrong, odd or at a limit somewhere: numbers of every
/// shape, times, durations, texts a spreadsheet would mangle, empty cells.
const ODD_CELLS: &[&str] = &[
    "",
    " ",
    "null",
    "0",
    "-1",
    "-0",
    "1.5",
    "0.0000000000000000000000000001",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "79228162514264337593543950335",
    "1e3",
    "12%",
    "true",
    "FALSE",
    "2027-02-30T00:00:00Z",
    "2027-01-01",
    "2027-12-31T23:59:59+14:00",
    "2027-03-28T02:30:00+01:00",
    "12h",
    "90min",
    "1h 30min",
    "-3h",
    "x",
    "\"quoted, with a comma\"",
    "\"\"",
    "=1+1",
    "@ada",
    "\u{e9}l\u{e9}onore",
    "\u{200b}",
    "12.345 EUR",
];

/// One change to a cell: `(row, column, edit)`, each index taken modulo
/// what there is.
type CellEdit = (usize, usize, Edit);

#[derive(Clone, Debug)]
enum Edit {
    /// The same column's value from another row (of the same kind when
    /// the table has a `kind` column): a plausible, usually valid value.
    Swap(usize),
    /// One of [`ODD_CELLS`].
    Odd(usize),
}

/// One to three cell edits, three in four of them plausible.
fn cell_edits() -> impl Strategy<Value = Vec<CellEdit>> {
    prop::collection::vec(
        (
            any::<usize>(),
            any::<usize>(),
            prop_oneof![
                3 => any::<usize>().prop_map(Edit::Swap),
                1 => any::<usize>().prop_map(Edit::Odd),
            ],
        ),
        1..=3,
    )
}

/// A CSV table split into cells; the bundled examples quote nothing, so
/// a comma always separates cells.
fn csv_cells(text: &str) -> (String, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows = lines
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// `rows` with `edits` applied; `columns` names the cells of a row.
fn apply_edits(columns: &[String], rows: &[Vec<String>], edits: &[CellEdit]) -> Vec<Vec<String>> {
    let mut out = rows.to_vec();
    let kind_column = columns.iter().position(|c| c == "kind");
    for (row, column, edit) in edits {
        let row = row % out.len().max(1);
        let width = out.get(row).map_or(0, Vec::len).max(1);
        let column = column % width;
        let value = match edit {
            Edit::Odd(i) => ODD_CELLS[i % ODD_CELLS.len()].to_string(),
            Edit::Swap(i) => {
                let kind = kind_column
                    .filter(|k| *k != column)
                    .and_then(|k| rows.get(row)?.get(k));
                let same_kind: Vec<&Vec<String>> = rows
                    .iter()
                    .filter(|r| kind.is_none_or(|k| kind_column.and_then(|c| r.get(c)) == Some(k)))
                    .collect();
                let donor = same_kind
                    .get(i % same_kind.len().max(1))
                    .and_then(|r| r.get(column))
                    .cloned()
                    .unwrap_or_default();
                // Another row's id or name would be a duplicate (an error
                // tested elsewhere): a new one like it keeps the row valid.
                match columns.get(column).map(String::as_str) {
                    Some("id" | "who") if !donor.is_empty() => format!("{donor}{}", i % 97),
                    _ => donor,
                }
            }
        };
        if let Some(cell) = out[row].get_mut(column) {
            *cell = value;
        }
    }
    out
}

/// How lines end: `\n` or `\r\n`, and whether the last one does.
#[derive(Clone, Copy, Debug)]
struct LineEnds {
    crlf: bool,
    last: bool,
}

impl LineEnds {
    /// `lines` joined the way this says.
    fn join(self, lines: &[String]) -> Vec<u8> {
        let end = if self.crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(end);
        if self.last {
            text.push_str(end);
        }
        text.into_bytes()
    }
}

fn line_ends() -> impl Strategy<Value = LineEnds> {
    (any::<bool>(), any::<bool>()).prop_map(|(crlf, last)| LineEnds { crlf, last })
}

/// A log in `format` with `edits` applied to the cells (JSON Lines: the
/// values) of the example log's first lines, its lines ended by `ends`.
fn edited_log(index: usize, edits: &[CellEdit], ends: LineEnds) -> (Vec<u8>, LogFormat) {
    let (text, format) = &example_logs(24)[index];
    match format {
        LogFormat::Csv => {
            let (header, rows) = csv_cells(text);
            let columns: Vec<String> = header.split(',').map(str::to_string).collect();
            let rows = apply_edits(&columns, &rows, edits);
            let lines: Vec<String> = std::iter::once(header)
                .chain(rows.iter().map(|row| row.join(",")))
                .collect();
            (ends.join(&lines), *format)
        }
        LogFormat::JsonLines => {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = text
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect();
            let mut columns: Vec<String> = Vec::new();
            for object in &objects {
                for key in object.keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
            // Cells as JSON texts, so that an odd cell can be any JSON value.
            let rows: Vec<Vec<String>> = objects
                .iter()
                .map(|o| {
                    columns
                        .iter()
                        .map(|c| o.get(c).map_or(String::new(), ToString::to_string))
                        .collect()
                })
                .collect();
            let rows = apply_edits(&columns, &rows, edits);
            let mut lines = Vec::new();
            for row in rows {
                let fields: Vec<String> = columns
                    .iter()
                    .zip(&row)
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(column, cell)| {
                        // An odd cell that is not JSON goes in as a string.
                        let value = serde_json::from_str::<serde_json::Value>(cell)
                            .unwrap_or_else(|_| serde_json::Value::String(cell.clone()));
                        format!("{}:{value}", serde_json::Value::String(column.clone()))
                    })
                    .collect();
                lines.push(format!("{{{}}}", fields.join(",")));
            }
            (ends.join(&lines), *format)
        }
    }
}

/// Runs `cases` cases of `strategy` through `property`, which returns
/// whether the input was accepted; fails on the first violation and when
/// fewer than `min_percent` of the inputs were accepted.
fn run_counting<S: Strategy>(
    name: &str,
    cases: u32,
    min_percent: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<bool, String>,
) {
    let accepted = std::cell::Cell::new(0u32);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| {
        if property(value).map_err(TestCaseError::fail)? {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
    let accepted = accepted.get();
    eprintln!("{name}: {accepted} of {cases} inputs accepted");
    assert!(
        accepted * 100 >= min_percent * cases,
        "{name}: only {accepted} of {cases} inputs were accepted (want {min_percent}%): \
         the property hardly reaches evaluation"
    );
}

/// Example logs with cell contents changed (other rows' values, odd
/// values) and either line ending, with or without a last one: read,
/// evaluated and rendered without a panic, no record lost;
/// most are accepted, so evaluation really runs.
#[test]
fn logs_with_edited_cells_never_panic_nor_lose_records() {
    let strategy = (0..POLICIES.len(), any::<bool>(), cell_edits(), line_ends());
    run_counting(
        "logs with edited cells",
        128,
        30,
        strategy,
        |(index, with_roster, edits, ends)| {
            let policy = &policies()[index];
            let (bytes, format) = edited_log(index, &edits, ends);
            evaluate_log(policy, format, with_roster, &bytes)?;
            let text = String::from_utf8_lossy(&bytes);
            let source = SourceFile::new("fuzz.log", text.as_ref());
            Ok(read_log(&policy.schema, &source, format).is_ok())
        },
    );
}

/// The example log of each bundled policy, read once.
fn example_log(index: usize) -> &'static Log {
    static LOGS: OnceLock<Vec<Log>> = OnceLock::new();
    let logs = LOGS.get_or_init(|| {
        examples()
            .iter()
            .zip(policies())
            .map(|((_, log, _), policy)| {
                let text = std::fs::read_to_string(root().join(log)).unwrap();
                let format = if log.ends_with(".jsonl") {
                    LogFormat::JsonLines
                } else {
                    LogFormat::Csv
                };
                read_log(&policy.schema, &SourceFile::new(log.as_str(), text), format)
                    .unwrap_or_else(|e| panic!("{log}: {e:?}"))
                    .0
            })
            .collect()
    });
    &logs[index]
}

/// Example rosters with cell contents changed: read without a panic; an
/// accepted roster holds every person written, once; the example log then
/// evaluates against it (or fails cleanly) and renders.
#[test]
fn rosters_with_edited_cells_never_panic_nor_lose_people() {
    let strategy = (0..POLICIES.len(), cell_edits());
    run_counting(
        "rosters with edited cells",
        128,
        30,
        strategy,
        |(index, edits)| {
            let policy = &policies()[index];
            let (header, rows) = csv_cells(POLICIES[index].2);
            let columns: Vec<String> = header.split(',').map(str::to_string).collect();
            let rows = apply_edits(&columns, &rows, &edits);
            let mut text = format!("{header}\n");
            for row in &rows {
                text.push_str(&row.join(","));
                text.push('\n');
            }
            let source = SourceFile::new("people.csv", text.as_str());
            let Ok(roster) = read_roster(&policy.schema, &source, LogFormat::Csv) else {
                return Ok(false);
            };
            let written = records_written(&text, LogFormat::Csv);
            if roster.people.len() != written {
                return Err(format!(
                    "{}: {written} people written but {} read:\n{text}",
                    policy.name,
                    roster.people.len()
                ));
            }
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for record in reader.records() {
                let record = record.map_err(|e| e.to_string())?;
                if record.iter().all(|cell| cell.trim().is_empty()) {
                    continue; // a blank row, as spreadsheets export them
                }
                let who = record.get(0).unwrap_or_default().trim();
                if !roster.people.contains_key(who) {
                    return Err(format!("{}: `{who}` was lost:\n{text}", policy.name));
                }
            }
            let mut ledger = Ledger::default();
            let options = EvalOptions::default();
            let log = example_log(index);
            if evaluate(
                &policy.policy,
                &policy.schema,
                log,
                Some(&roster),
                &options,
                &mut ledger,
            )
            .is_ok()
            {
                render_json(&ledger);
                render_csv(&ledger.totals);
            }
            Ok(true)
        },
    );
}
