//! Every diagnostic names the file the problem is in (issue #12): an error
//! planted in each kind of file — a policy, a policy a test file imports,
//! a test file, a log, a roster, and an evaluation error in the policy — is
//! reported at that file's line and column, by people's and CI's output.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::path::Path;
use std::process::Command;

const POLICY: &str = r#"person { status: one of "a", "b" }
contribution review { lines: Int }
reward bonus: Money(EUR)
rule per_line {
  on review x
  grant bonus 10 EUR / x.lines
}
"#;

const BROKEN: &str = r#"contribution review { lines: Int }
reward bonus: Money(EUR)
rule r { on review x  grant bonus 1 EUR + x.lines }
"#;

const TEST_FILE: &str = r#"import "policy.meed"
test "a given value of the wrong type" {
  given { review r1 by ann at 2027-01-05 { lines: 1 EUR } }
  expect ann bonus = 1 EUR
}
"#;

const IMPORTS_BROKEN: &str = r#"import "broken.meed"
test "nothing" { expect ann bonus = 0 EUR }
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The `file`, `line` and `column` of the first JSON diagnostic, and the
/// human rendering's `╭─[file:line:column]`.
fn places(dir: &Path, args: &[&str]) -> ((String, u64, u64), String) {
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_meed"))
            .current_dir(dir)
            .args(args)
            .args(["--diagnostics", format])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let json = run("json");
    assert_eq!(json.status.code(), Some(1), "{json:?}");
    let stderr = String::from_utf8_lossy(&json.stderr);
    let first = stderr
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON diagnostic in {stderr}"));
    let value: serde_json::Value = serde_json::from_str(first).unwrap();
    let place = (
        value["file"].as_str().unwrap_or_default().to_string(),
        value["line"].as_u64().unwrap_or_default(),
        value["column"].as_u64().unwrap_or_default(),
    );
    let human = run("human");
    let text = String::from_utf8_lossy(&human.stderr).into_owned();
    (place, text)
}

fn assert_at(dir: &Path, args: &[&str], file: &str, line: u64, column: u64) {
    let (place, human) = places(dir, args);
    assert_eq!(place, (file.to_string(), line, column), "{args:?}");
    let shown = format!("╭─[{file}:{line}:{column}]");
    assert!(
        human.contains(&shown),
        "{args:?}: `{shown}` not in\n{human}"
    );
}

#[test]
fn each_kind_of_file_is_named_in_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "policy.meed", POLICY);
    write(d, "broken.meed", BROKEN);
    write(d, "policy.test.meed", TEST_FILE);
    write(d, "imports_broken.meed", IMPORTS_BROKEN);
    write(d, "people.csv", "who,status\nann,a\n");
    write(d, "bad_people.csv", "who,status\nann,zzz\n");
    write(
        d,
        "log.csv",
        "id,kind,who,at,lines\nr1,review,ann,2027-01-05T10:00:00Z,2\n",
    );
    write(
        d,
        "bad_log.csv",
        "id,kind,who,at,lines\nr1,review,ann,2027-01-05T10:00:00Z,abc\n",
    );
    write(
        d,
        "zero.csv",
        "id,kind,who,at,lines\nr1,review,ann,2027-01-05T10:00:00Z,0\n",
    );

    // The policy itself.
    assert_at(d, &["check", "broken.meed"], "broken.meed", 3, 35);
    // A policy a test file imports: the error is in the imported file.
    assert_at(d, &["test", "imports_broken.meed"], "broken.meed", 3, 35);
    // The test file's own `given` value.
    assert_at(d, &["test", "policy.test.meed"], "policy.test.meed", 3, 51);
    // A log cell.
    assert_at(
        d,
        &[
            "eval",
            "policy.meed",
            "bad_log.csv",
            "--people",
            "people.csv",
        ],
        "bad_log.csv",
        2,
        36,
    );
    // A roster cell.
    assert_at(
        d,
        &[
            "eval",
            "policy.meed",
            "log.csv",
            "--people",
            "bad_people.csv",
        ],
        "bad_people.csv",
        2,
        5,
    );
    // An evaluation error: the expression in the policy, with the record's
    // log line in the message.
    assert_at(
        d,
        &["eval", "policy.meed", "zero.csv", "--people", "people.csv"],
        "policy.meed",
        6,
        22,
    );
    let (_, human) = places(
        d,
        &["eval", "policy.meed", "zero.csv", "--people", "people.csv"],
    );
    assert!(human.contains("contribution `r1` on log line 2"), "{human}");
}

/// A value written in a test's `expect` is evaluated in the test file, so
/// its error is placed there (it used to be placed at the policy's line of
/// the same number); and columns count characters, not bytes, in both the
/// JSON and the human header, after `€` and `é` on the same line.
#[test]
fn an_expect_value_is_placed_in_the_test_file_at_its_character_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "policy.meed", POLICY);
    write(
        d,
        "expect.test.meed",
        "import \"policy.meed\"\ntest \"€ é\" { given { review r1 by ann at 2027-01-05 { lines: 2 } } expect ann bonus = 1 EUR / (1 - 1) }\n",
    );
    write(
        d,
        "given.test.meed",
        "import \"policy.meed\"\ntest \"é\" { given { review r1 by ann at 2027-01-05 { lines: 2 / 2.5 } } expect ann bonus = 1 EUR }\n",
    );
    assert_at(d, &["test", "expect.test.meed"], "expect.test.meed", 2, 93);
    assert_at(d, &["test", "given.test.meed"], "given.test.meed", 2, 60);
}
