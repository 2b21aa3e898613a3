//! Drives the real `meed` binary against the bundled policies and logs.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

mod binary;

use binary::meed;
use std::path::{Path, PathBuf};

/// Every policy in `rules/` with the example log and roster made for it.
fn bundled() -> Vec<(String, String, Option<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut policies: Vec<PathBuf> = std::fs::read_dir(root.join("rules"))
        .unwrap_or_else(|e| panic!("rules/: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "meed"))
        .collect();
    policies.sort();
    policies
        .into_iter()
        .map(|policy| {
            let stem = policy
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let folder = format!("examples/{stem}");
            let log = ["log.csv", "log.jsonl"]
                .iter()
                .map(|name| format!("{folder}/{name}"))
                .find(|path| root.join(path).exists())
                .unwrap_or_else(|| panic!("no example log for {stem}"));
            let people = format!("{folder}/people.csv");
            let people = root.join(&people).exists().then_some(people);
            (format!("rules/{stem}.meed"), log, people)
        })
        .collect()
}

fn eval_args<'a>(policy: &'a str, log: &'a str, people: &'a Option<String>) -> Vec<&'a str> {
    let mut args = vec![policy, log];
    if let Some(people) = people {
        args.extend(["--people", people.as_str()]);
    }
    args
}

#[test]
fn bundled_policies_check_clean() {
    let run = meed(&[
        "check",
        "rules/community.meed",
        "rules/qa_reputation.meed",
        "rules/sales_commission.meed",
        "rules/oncall_timeoff.meed",
        "rules/volunteers.meed",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("0 errors"), "{}", run.stderr);
}

#[test]
fn ledgers_of_bundled_examples() {
    for (policy, log, people) in bundled() {
        let mut args = vec!["eval", "--format", "csv"];
        args.extend(eval_args(&policy, &log, &people));
        let run = meed(&args);
        assert_eq!(run.code, 0, "{policy}: {}", run.stderr);
        assert!(run.stdout.starts_with("who,reward,amount,unit\n"));
        insta::assert_snapshot!(format!("eval_csv__{}", stem(&policy)), run.stdout);
    }
}

#[test]
fn evaluation_is_deterministic() {
    for (policy, log, people) in bundled() {
        let mut args = vec!["eval", "--format", "json"];
        args.extend(eval_args(&policy, &log, &people));
        let first = meed(&args);
        let second = meed(&args);
        assert_eq!(first.code, 0, "{}", first.stderr);
        assert_eq!(first.stdout, second.stdout, "{policy}");
    }
}

fn stem(policy: &str) -> String {
    Path::new(policy)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn missing_file_is_a_usage_error() {
    let run = meed(&["check", "rules/no_such_policy.meed"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot read `rules/no_such_policy.meed`"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let run = meed(&["check", "--colour", "rules/community.meed"]);
    assert_eq!(run.code, 2);
}

#[test]
fn explanations_of_bundled_examples() {
    for (policy, log, people) in bundled() {
        let mut args = vec!["explain"];
        args.extend(eval_args(&policy, &log, &people));
        args.push("ada");
        let run = meed(&args);
        assert_eq!(run.code, 0, "{policy}: {}", run.stderr);
        insta::assert_snapshot!(format!("explain_ada__{}", stem(&policy)), run.stdout);
    }
}

/// `explain --all`: after the grants, the contributions that earned
/// nothing, each with why; the grants part is the same as without `--all`,
/// so only the section is in these snapshots.
#[test]
fn explanations_with_what_earned_nothing_of_bundled_examples() {
    for (policy, log, people) in bundled() {
        let mut args = vec!["explain"];
        args.extend(eval_args(&policy, &log, &people));
        args.extend(["ada", "--all"]);
        let run = meed(&args);
        assert_eq!(run.code, 0, "{policy}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{policy}");
        let mut plain = vec!["explain"];
        plain.extend(eval_args(&policy, &log, &people));
        plain.push("ada");
        let without = meed(&plain).stdout;
        let section = run.stdout.strip_prefix(&without);
        assert!(section.is_some(), "{policy}: the grants changed with --all");
        // The grants are in the `explain_ada__` snapshots already.
        insta::assert_snapshot!(
            format!("explain_all_ada__{}", stem(&policy)),
            section.unwrap_or_default()
        );
    }
}

/// Every reason on one small fixture: a condition false with its values,
/// a grant cut to zero, a kind no rule rewards, a grant of zero, an `each`
/// rule's condition false and a talk it did not count.
#[test]
fn explain_all_gives_every_reason() {
    let run = meed(&[
        "explain",
        "tests/inputs/unrewarded/policy.meed",
        "tests/inputs/unrewarded/log.csv",
        "--people",
        "tests/inputs/unrewarded/people.csv",
        "ada",
        "--all",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// An intern's sales: the monthly rule counted them but its amount leaves
/// interns out (a grant of zero, with its calculation); the `on` rule's
/// false side of its `and`; the quarterly badge's sum.
#[test]
fn explain_all_of_an_intern() {
    let run = meed(&[
        "explain",
        "rules/sales_commission.meed",
        "examples/sales_commission/log.csv",
        "--people",
        "examples/sales_commission/people.csv",
        "dana",
        "--all",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// In a window, what an `each` rule grants after it is said, and what
/// lies outside is only counted.
#[test]
fn explain_all_in_a_window() {
    let run = meed(&[
        "explain",
        "tests/inputs/unrewarded/policy.meed",
        "tests/inputs/unrewarded/log.csv",
        "--people",
        "tests/inputs/unrewarded/people.csv",
        "ada",
        "--all",
        "--period",
        "2027-03-30",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_all_is_about_every_account() {
    let run = meed(&[
        "explain",
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "ada",
        "bonus",
        "--all",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
}

#[test]
fn explain_one_account_of_a_pool() {
    let run = meed(&[
        "explain",
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "cyd",
        "bonus",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_suggests_a_person_for_a_typo() {
    let run = meed(&[
        "explain",
        "rules/qa_reputation.meed",
        "examples/qa_reputation/log.jsonl",
        "alise",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`alise` has no contributions"),
        "{}",
        run.stderr
    );
}

#[test]
fn eval_csv_is_the_contract_format() {
    let run = meed(&[
        "eval",
        "tests/inputs/diff/v1.meed",
        "tests/inputs/diff/log.csv",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "who,reward,amount,unit\nalice,bonus,3.00,EUR\nbob,bonus,2.00,EUR\ncarol,bonus,1.00,EUR\n"
    );
}

#[test]
fn eval_writes_out_file() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("ledger.csv");
    let run = meed(&[
        "eval",
        "tests/inputs/diff/v1.meed",
        "tests/inputs/diff/log.csv",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("who,reward,amount,unit\nalice,bonus,3.00,EUR\n")
    );
}

#[test]
fn a_policy_error_stops_evaluation() {
    let run = meed(&[
        "eval",
        "tests/inputs/check/err/currency_mismatch.meed",
        "tests/inputs/diff/log.csv",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "no partial ledger: {}", run.stdout);
    assert!(
        run.stderr.contains("meed::currency_mismatch"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_resolves_the_import_of_a_test_file() {
    let run = meed(&["check", "tests/inputs/testing/import_tests.meed"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let missing = meed(&["check", "tests/inputs/testing/import_missing.meed"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("meed::import_not_found"),
        "{}",
        missing.stderr
    );
}

#[test]
fn check_diagnostics_as_json_lines() {
    let run = meed(&[
        "check",
        "--diagnostics",
        "json",
        "tests/inputs/check/err/currency_mismatch.meed",
    ]);
    assert_eq!(run.code, 1);
    let first = run.stderr.lines().next().unwrap();
    let json: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(json["code"], "meed::currency_mismatch");
    assert_eq!(json["severity"], "error");
    assert_eq!(
        json["file"],
        "tests/inputs/check/err/currency_mismatch.meed"
    );
    assert!(json["line"].as_u64().unwrap() > 1);
    assert!(json["column"].as_u64().unwrap() >= 1);
    assert!(
        json["help"]
            .as_str()
            .unwrap()
            .contains("never converts currencies")
    );
}

/// Every policy in the repository is in the canonical layout, except the
/// inputs that exist to test the parser and the formatter on untidy text
/// (`tests/inputs/parse`, `tests/inputs/fmt`).
#[test]
fn the_corpus_is_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folders = [
        "rules",
        "benches",
        "tests/inputs/check/err",
        "tests/inputs/check/ok",
        "tests/inputs/eval",
        "tests/inputs/testing",
        "tests/inputs/testing/policies",
        "tests/inputs/diff",
        "tests/inputs/regressions",
    ];
    let mut files: Vec<String> = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "meed") {
                files.push(format!("{folder}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    files.sort();
    assert!(files.len() > 80, "{files:?}");
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(String::as_str));
    let run = meed(&args);
    // Files that do not parse on purpose are reported but not reformatted.
    assert!(
        !run.stderr.contains("would be reformatted"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

/// Regression: `meed test rules | head -1` panicked with "failed printing
/// to stdout: Broken pipe" once `head` stopped reading.
///
/// The output here is a JSON ledger of several MiB, larger than any pipe
/// buffer (Linux allows at most 1 MiB, `/proc/sys/fs/pipe-max-size`), so
/// meed is still writing when the reader goes away and really meets a
/// broken pipe; it must end quietly: exit 0, nothing on stderr.
#[test]
fn a_closed_pipe_is_not_a_crash() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(root.join("examples/community/log.csv")).unwrap();
    let (header, rows) = example.split_once('\n').unwrap();
    let mut log = format!("{header}\n");
    for copy in 0..40 {
        for row in rows.lines() {
            let (id, rest) = row.split_once(',').unwrap();
            log.push_str(&format!("{id}-{copy},{rest}\n"));
        }
    }
    let log_path = folder.path().join("log.csv");
    std::fs::write(&log_path, log).unwrap();
    let args = [
        "eval",
        "rules/community.meed",
        log_path.to_str().unwrap(),
        "--people",
        "examples/community/people.csv",
        "--format",
        "json",
    ];
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_meed"))
            .args(args)
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };

    // Read to the end once: the output is far larger than a pipe holds.
    let whole = spawn().wait_with_output().unwrap();
    assert!(whole.status.success());
    assert!(
        whole.stdout.len() > 4 << 20,
        "only {} bytes: a pipe buffer might hold them all",
        whole.stdout.len()
    );

    // Read the first bytes, then close our end while meed is still writing.
    let mut child = spawn();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4096];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(stderr, "", "a closed pipe ends output quietly");
    assert_eq!(status.code(), Some(0), "{status:?}: {stderr}");
}

#[test]
fn fmt_check_reports_a_diff_and_fmt_rewrites_in_place() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("messy.meed");
    std::fs::write(
        &path,
        "reward   bonus : Money(EUR)   # kept\nlet rate=0.02 EUR\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();

    let check = meed(&["fmt", "--check", path]);
    assert_eq!(check.code, 1);
    assert!(
        check
            .stdout
            .contains("-reward   bonus : Money(EUR)   # kept"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("+reward bonus: Money(EUR)  # kept"),
        "{}",
        check.stdout
    );
    assert!(
        check.stderr.contains("1 file would be reformatted"),
        "{}",
        check.stderr
    );

    let write = meed(&["fmt", path]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    let formatted = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        formatted,
        "reward bonus: Money(EUR)  # kept\n\nlet rate = 0.02 EUR\n"
    );
    assert_eq!(meed(&["fmt", "--check", path]).code, 0);
}

#[test]
fn fmt_reads_standard_input() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"let  x =  3 pts\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "let x = 3 pts\n");
}

/// A folder with a policy, the same policy paying twice as much, and a log
/// whose names are legal (LANGUAGE.md §3 "Names") but hostile to outputs.
fn hostile_names() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let policy = "contribution sale { amount: Money(EUR) }\nreward bonus: Money(EUR)\nrule pass { on sale s  grant bonus s.amount }\n";
    std::fs::write(folder.path().join("old.meed"), policy).unwrap();
    std::fs::write(
        folder.path().join("new.meed"),
        policy.replace("s.amount }", "s.amount * 2 }"),
    )
    .unwrap();
    std::fs::write(
        folder.path().join("log.csv"),
        "id,who,kind,at,amount\n\
         s1,\"smith, john\",sale,2027-01-05,12.50\n\
         s2,\"x | 0 EUR | [click](https://evil.example) @org/team\",sale,2027-01-05,1.00\n\
         s3,\"say \"\"hi\"\"\",sale,2027-01-05,-0.50\n\
         s4,<img src=x onerror=alert(1)> `code` **b** _i_ \\|,sale,2027-01-05,2.00\n\
         s5,ada,sale,2027-01-05,3.00\n",
    )
    .unwrap();
    folder
}

fn path_in(folder: &tempfile::TempDir, name: &str) -> String {
    folder.path().join(name).display().to_string()
}

/// Regression (issue 17): `smith, john` gave a five-column row in
/// `eval --format csv` and `diff --format csv`. Fields are quoted as RFC 4180
/// says, so a standard reader gets every name back, in its own column.
#[test]
fn csv_outputs_keep_each_name_in_one_field() {
    let folder = hostile_names();
    let (old, new, log) = (
        path_in(&folder, "old.meed"),
        path_in(&folder, "new.meed"),
        path_in(&folder, "log.csv"),
    );
    let eval = meed(&["eval", &old, &log, "--format", "csv"]);
    assert_eq!(eval.code, 0, "{}", eval.stderr);
    assert_eq!(
        eval.stdout,
        "who,reward,amount,unit\n\
         <img src=x onerror=alert(1)> `code` **b** _i_ \\|,bonus,2.00,EUR\n\
         ada,bonus,3.00,EUR\n\
         \"say \"\"hi\"\"\",bonus,-0.50,EUR\n\
         \"smith, john\",bonus,12.50,EUR\n\
         x | 0 EUR | [click](https://evil.example) @org/team,bonus,1.00,EUR\n"
    );
    let diff = meed(&["diff", &old, &new, &log, "--format", "csv"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    for (output, columns) in [(&eval.stdout, 4), (&diff.stdout, 6)] {
        let mut reader = csv::Reader::from_reader(output.as_bytes());
        let names: Vec<String> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                assert_eq!(r.len(), columns, "{output}");
                r[0].to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "<img src=x onerror=alert(1)> `code` **b** _i_ \\|",
                "ada",
                "say \"hi\"",
                "smith, john",
                "x | 0 EUR | [click](https://evil.example) @org/team"
            ]
        );
    }
    assert!(
        diff.stdout
            .contains("\"say \"\"hi\"\"\",bonus,-0.50,-1.00,-0.50,EUR\n")
    );
}

/// Regression (issue 17): in `diff --format markdown` (posted on pull
/// requests) a name broke the table, rendered a live link and a mention.
/// Names that are not plain words are written as code spans, where markdown
/// renders nothing, with `|` escaped for the table.
#[test]
fn markdown_diff_renders_hostile_names_literally() {
    let folder = hostile_names();
    let run = meed(&[
        "diff",
        &path_in(&folder, "old.meed"),
        &path_in(&folder, "new.meed"),
        &path_in(&folder, "log.csv"),
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| who") && !l.starts_with("| account"))
        .collect();
    // 1 account row, 5 biggest movers, 5 changes.
    assert_eq!(rows.len(), 11, "{}", run.stdout);
    for row in &rows {
        // Cells split at pipes not escaped by a backslash (GitHub's rule).
        let bytes = row.as_bytes();
        let separators = (0..bytes.len())
            .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
            .count();
        assert_eq!(separators, 6, "{row}");
        // Outside code spans nothing is left that markdown would render.
        let outside = outside_code_spans(row);
        for c in ['[', ']', '(', ')', '<', '>', '@', '*', '_', '\\'] {
            assert!(!outside.contains(c), "`{c}` outside a code span: {row}");
        }
    }
    for expected in [
        "| `x \\| 0 EUR \\| [click](https://evil.example) @org/team` | bonus |",
        "| `smith, john` | bonus |",
        "| ``<img src=x onerror=alert(1)> `code` **b** _i_ \\\\|`` | bonus |",
        "| ada | bonus |",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
}

/// The text of a markdown line outside its code spans (CommonMark: a run
/// of N backticks opens a span that the next run of exactly N closes).
fn outside_code_spans(line: &str) -> String {
    let mut outside = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        outside.push_str(&rest[..start]);
        let fence = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let after = &rest[start + fence..];
        let mut search = 0;
        let close = loop {
            let Some(i) = after[search..].find('`') else {
                break None;
            };
            let run_start = search + i;
            let run = after[run_start..].len() - after[run_start..].trim_start_matches('`').len();
            if run == fence {
                break Some(run_start);
            }
            search = run_start + run;
        };
        let Some(close) = close else {
            panic!("unclosed code span in {line}");
        };
        rest = &after[close + fence..];
    }
    outside.push_str(rest);
    outside
}

/// Regression (issue 17): an overflowing total was reported at line 1,
/// column 1 of the policy (JSON) and nowhere (human). It names the person,
/// the account and the rule, and claims no place in the policy.
#[test]
fn an_overflowing_total_names_the_person_and_account_without_a_fake_place() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("p.meed"),
        "contribution sale { amount: Money(EUR) }\nreward bonus: Money(EUR)\nrule pass { on sale s  grant bonus s.amount }\n",
    )
    .unwrap();
    // Each grant holds its cents in 28 digits; eight of them do not.
    let mut log = String::from("id,who,kind,at,amount\n");
    for i in 1..=8 {
        log.push_str(&format!(
            "s{i},ada,sale,2027-01-0{i},99999999999999999999999999.99\n"
        ));
    }
    std::fs::write(folder.path().join("log.csv"), log).unwrap();
    let (policy, log) = (path_in(&folder, "p.meed"), path_in(&folder, "log.csv"));
    let says =
        "(the total of `ada` in `bonus`, adding a grant of rule `pass` for contribution `s8`)";
    for format in ["csv", "json"] {
        let run = meed(&[
            "eval",
            &policy,
            &log,
            "--format",
            format,
            "--diagnostics",
            "json",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let first = run.stderr.lines().next().unwrap();
        let json: serde_json::Value = serde_json::from_str(first).unwrap();
        assert_eq!(json["code"], "meed::overflow");
        assert!(json["message"].as_str().unwrap().ends_with(says), "{first}");
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(json[key].is_null(), "{key} in {first}");
        }
    }
    let human = meed(&["eval", &policy, &log, "--format", "csv"]);
    assert_eq!(human.code, 1);
    let flat = human.stderr.replace("\n  │ ", " ");
    assert!(flat.contains(says), "{}", human.stderr);
}

/// Regression (issue 17): `meed check some_dir.meed` said "cannot read …"
/// and then "checked 1 file: 0 errors". The unreadable file is counted.
#[test]
fn check_counts_a_file_it_cannot_read() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("some_dir.meed")).unwrap();
    let dir = path_in(&folder, "some_dir.meed");
    let run = meed(&["check", &dir, "rules/community.meed"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: cannot read `{dir}`: it is a folder, not a file"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("checked 2 files: 1 error, 0 warnings"),
        "{}",
        run.stderr
    );
    let missing = meed(&["check", "rules/no_such_policy.meed"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("checked 1 file: 1 error"),
        "{}",
        missing.stderr
    );
}

/// `explain` words each grant with its values as they are written: grants
/// that repeat a calculation share its words (the engine remembers them),
/// yet `100` and `100.0`, `0.1` and `0.10` are still written as given.
#[test]
fn repeated_calculations_keep_their_values_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.meed");
    let log = dir.path().join("log.csv");
    std::fs::write(
        &policy,
        "policy \"Memo\" {\n  timezone \"UTC\"\n}\n\n\
         contribution sale { amount: Money(EUR), rate: Decimal }\n\n\
         reward bonus: Money(EUR)\n\n\
         rule commission {\n  on sale s\n  grant bonus s.amount * s.rate\n}\n",
    )
    .unwrap();
    std::fs::write(
        &log,
        "id,who,kind,at,amount,rate\n\
         s1,ada,sale,2027-01-01T10:00:00Z,100,0.1\n\
         s2,ada,sale,2027-01-02T10:00:00Z,100,0.10\n\
         s3,ada,sale,2027-01-03T10:00:00Z,100.0,0.1\n\
         s4,ada,sale,2027-01-04T10:00:00Z,100,0.1\n",
    )
    .unwrap();
    let run = meed(&[
        "explain",
        policy.to_str().unwrap(),
        log.to_str().unwrap(),
        "ada",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let steps: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("rule commission"))
        .map(str::trim)
        .collect();
    assert_eq!(
        steps,
        [
            "→ rule commission: 100 EUR × 0.1 = 10.00 EUR",
            "→ rule commission: 100 EUR × 0.10 = 10.00 EUR",
            "→ rule commission: 100.0 EUR × 0.1 = 10.00 EUR",
            "→ rule commission: 100 EUR × 0.1 = 10.00 EUR",
        ]
    );
}
