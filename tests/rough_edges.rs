//! The rough edges a new user hit (issue #15), one test each, numbered as
//! in the issue: each failed before its fix.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

mod binary;

use binary::meed;

/// The message without line wrapping: words separated by single spaces,
/// the frame's `│` left out.
fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

const COMMUNITY: [&str; 4] = [
    "rules/community.meed",
    "examples/community/log.csv",
    "--people",
    "examples/community/people.csv",
];

/// Item 12: A period that does not parse lists the forms that do, and says what
/// was probably meant.
#[test]
fn e12_a_bad_period_lists_the_accepted_forms() {
    for (period, hint) in [
        ("2027-13", "there is no month 13"),
        ("March 2027", "for a month, write `2027-03`"),
        ("Q1 2027", "for a quarter, write `2027-Q1`"),
    ] {
        let mut args = vec!["eval"];
        args.extend(COMMUNITY);
        args.extend(["--period", period]);
        let run = meed(&args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(hint), "{period}: {}", run.stderr);
        assert!(
            run.stderr.contains(
                "a year `2027`, a quarter `2027-Q1`, a month `2027-01`, an ISO week `2027-W05` or a day `2027-01-05`"
            ),
            "{}",
            run.stderr
        );
    }
}

/// Item 13: `meed fmt FILE` says what it did.
#[test]
fn e13_fmt_says_how_many_files_it_formatted() {
    let dir = tempfile::tempdir().unwrap();
    let tidy = dir.path().join("tidy.meed");
    let untidy = dir.path().join("untidy.meed");
    std::fs::write(&tidy, "reward bonus: Money(EUR)\n").unwrap();
    std::fs::write(&untidy, "reward   bonus: Money(EUR)\n").unwrap();
    let run = meed(&["fmt", tidy.to_str().unwrap(), untidy.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "formatted 2 files (1 changed)\n");
    let run = meed(&["fmt", tidy.to_str().unwrap()]);
    assert_eq!(run.stderr, "formatted 1 file (0 changed)\n");
}

/// Item 14: An empty policy file is not silently "0 errors".
#[test]
fn e14_an_empty_policy_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.meed");
    std::fs::write(&empty, "# to do\n").unwrap();
    let run = meed(&["check", empty.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("meed::empty_policy"), "{}", run.stderr);
    assert!(
        run.stderr.contains("declares nothing") && run.stderr.contains("1 warning"),
        "{}",
        run.stderr
    );
}

/// Item 5: A currency symbol gets the same help as `EURO`: write the code.
#[test]
fn e05_currency_symbols_ask_for_the_code() {
    let dir = tempfile::tempdir().unwrap();
    for (amount, symbol, code) in [
        ("40 €", "€", "40 EUR"),
        ("€40", "€", "40 EUR"),
        ("$5", "$", "40 USD"),
        ("3 £", "£", "40 GBP"),
        ("100 ¥", "¥", "40 JPY"),
    ] {
        let path = dir.path().join("p.meed");
        std::fs::write(
            &path,
            format!(
                "contribution sale {{ amount: Money(EUR) }}\nreward bonus: Money(EUR)\nrule r {{\n  on sale s\n  grant bonus {amount}\n}}\n"
            ),
        )
        .unwrap();
        let run = meed(&["check", path.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("`{symbol}` is not a unit meed knows")),
            "{amount}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("as `{code}`")),
            "{}",
            run.stderr
        );
    }
}

/// Item 8: a local time without its offset is refused (the instant would be a
/// guess at a daylight-saving change), but the help gives the time with its
/// offset in the policy's zone.
#[test]
fn e08_a_local_time_gets_its_offset_in_the_help() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "id,who,kind,at,amount,product\ns1,ana,sale,2027-07-10 09:15,100,licence\n",
    )
    .unwrap();
    let run = meed(&[
        "eval",
        "rules/sales_commission.meed",
        log.to_str().unwrap(),
        "--people",
        "examples/sales_commission/people.csv",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = flat(&run.stderr);
    assert!(text.contains("a local time without its offset"), "{text}");
    assert!(
        text.contains("`2027-07-10T09:15:00+02:00` is that time in Europe/Paris"),
        "{text}"
    );
}

/// Item 3: time off reads the same wherever a person reads it (hours and
/// minutes, as `explain` and `diff` write it); the CSV keeps minutes.
#[test]
fn e03_time_off_reads_in_hours_and_minutes() {
    let args = [
        "eval",
        "rules/oncall_timeoff.meed",
        "examples/oncall_timeoff/log.csv",
        "--people",
        "examples/oncall_timeoff/people.csv",
    ];
    let table = meed(&[&args[..], &["--format", "table"]].concat());
    assert!(
        table.stdout.contains("time_off    37h 30min\n"),
        "{}",
        table.stdout
    );
    let by = meed(&[&args[..], &["--format", "table", "--by", "quarter"]].concat());
    assert!(
        by.stdout.contains("time_off     9h 30min\n"),
        "{}",
        by.stdout
    );
    let csv = meed(&[&args[..], &["--format", "csv"]].concat());
    assert!(
        csv.stdout.contains("ada,time_off,2250,min\n"),
        "{}",
        csv.stdout
    );
    let explain = meed(&[&["explain"], &args[1..3], &["ada", "time_off"], &args[3..]].concat());
    assert!(explain.stdout.contains("37h 30min"), "{}", explain.stdout);
}

/// Item 11: `diff` shows the lines of a changed rule, as it shows a changed
/// constant's old and new value.
#[test]
fn e11_diff_shows_the_changed_lines_of_a_rule() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.meed");
    let old = std::fs::read_to_string("rules/community.meed").unwrap();
    std::fs::write(
        &new,
        old.replace(
            "grant reputation 4 pts * d.pages",
            "grant reputation 5 pts * d.pages",
        ),
    )
    .unwrap();
    let new = new.to_str().unwrap();
    let args = [
        "diff",
        "rules/community.meed",
        new,
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
    ];
    let table = meed(&args);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains(
            "  rule `documentation`: changed\n      -   grant reputation 4 pts * d.pages\n      +   grant reputation 5 pts * d.pages\n"
        ),
        "{}",
        table.stdout
    );
    let markdown = meed(&[&args[..], &["--format", "markdown"]].concat());
    assert!(
        markdown
            .stdout
            .contains("  ```diff\n  -   grant reputation 4 pts * d.pages\n  +   grant reputation 5 pts * d.pages\n  ```\n"),
        "{}",
        markdown.stdout
    );
}

fn eval_log(log_text: &str) -> binary::Run {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(&log, log_text).unwrap();
    meed(&[
        "eval",
        "rules/community.meed",
        log.to_str().unwrap(),
        "--people",
        "examples/community/people.csv",
    ])
}

/// Item 2: a `;`-separated log (a European spreadsheet's CSV) is one error
/// that says so, not four missing columns.
#[test]
fn e02_a_semicolon_separated_log_is_named() {
    let run =
        eval_log("id;who;kind;at;words;language\nx1;dana;translation;2027-01-01T00:00:00Z;12;ja\n");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = flat(&run.stderr);
    assert!(text.contains("has 1 problem"), "{text}");
    assert!(
        text.contains("the columns are separated by `;`, not by commas"),
        "{text}"
    );
    assert!(!text.contains("missing column"), "{text}");
    let tabs = eval_log("id\twho\tkind\tat\nx1\tdana\tlike\t2027-01-01T00:00:00Z\n");
    assert!(
        flat(&tabs.stderr).contains("separated by tab"),
        "{}",
        tabs.stderr
    );
}

/// Item 7: a misspelt field column (`wrds`, `Words`) is pointed at, with
/// the name it should have.
#[test]
fn e07_a_misspelt_column_gets_a_did_you_mean() {
    for header in ["wrds", "Words"] {
        let run = eval_log(&format!(
            "id,who,kind,at,{header},language\nx1,dana,translation,2027-01-01T00:00:00Z,12,ja\n"
        ));
        assert_eq!(run.code, 1, "{}", run.stderr);
        let text = flat(&run.stderr);
        assert!(text.contains("missing column `words`"), "{text}");
        assert!(
            text.contains(&format!("rename `{header}` to `words`")),
            "{text}"
        );
    }
}

/// Item 1: `diff` on a log holding a kind only the new policy declares
/// compares (the old side earns nothing from those records) and says so
/// once, instead of one `unknown_kind` error per record.
#[test]
fn e01_diff_with_a_kind_only_one_side_declares() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::fs::read_to_string("rules/community.meed").unwrap();
    let new = old.replacen(
        "contribution doc {",
        "contribution meetup { minutes: Int }\n\nrule meetups {\n  on meetup t\n  grant reputation 1 pts * t.minutes\n}\n\ncontribution doc {",
        1,
    );
    let new_path = dir.path().join("new.meed");
    std::fs::write(&new_path, new).unwrap();
    let log = std::fs::read_to_string("examples/community/log.csv").unwrap();
    let mut lines = log.lines();
    let header = lines.next().unwrap();
    let columns = header.split(',').count();
    let mut text = format!("{header},minutes\n");
    for line in lines {
        text.push_str(&format!("{line},\n"));
    }
    for i in 0..5 {
        let mut cells = vec![
            format!("m{i}"),
            "dana".to_string(),
            "meetup".to_string(),
            format!("2027-03-0{}T10:00:00Z", i + 1),
        ];
        cells.resize(columns, String::new());
        cells.push("30".to_string());
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let log_path = dir.path().join("log.csv");
    std::fs::write(&log_path, text).unwrap();
    let run = meed(&[
        "diff",
        "rules/community.meed",
        new_path.to_str().unwrap(),
        log_path.to_str().unwrap(),
        "--people",
        "examples/community/people.csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unknown_kind"), "{}", run.stderr);
    assert_eq!(
        run.stdout
            .matches(
                "contribution kind `meetup`: added (under the old policy its records earn nothing)"
            )
            .count(),
        1,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("+150 pts"), "{}", run.stdout);
}

fn check_text(policy: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.meed");
    std::fs::write(&path, policy).unwrap();
    let run = meed(&["check", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    flat(&run.stderr)
}

/// Item 4: help for a condition written in words does not paste the word
/// into a `grant` template, and `x == "a" or "b"` is answered with the
/// comparison that was meant.
#[test]
fn e04_condition_help_says_what_was_meant() {
    let policy = |when: &str| {
        format!(
            "person {{ status: one of \"staff\", \"member\" }}\ncontribution triage {{ count: Int }}\nreward bonus: Money(EUR)\nrule r {{\n  on triage c\n  when {when}\n  grant bonus 5 EUR\n}}\n"
        )
    };
    let text = check_text(&policy("c.by.status is not \"staff\""));
    assert!(
        text.contains("write `!=` for \"is not\": `when c.by.status != \"staff\"`"),
        "{text}"
    );
    assert!(!text.contains("grant is"), "{text}");
    let text = check_text(&policy("c.count >= 10 triages"));
    assert!(
        text.contains("`triages` after a number is not a unit meed knows"),
        "{text}"
    );
    assert!(!text.contains("grant triages"), "{text}");
    let text = check_text(&policy("c.by.status == \"member\" or \"staff\""));
    assert!(text.contains("write `c.by.status == \"staff\"`"), "{text}");
}

/// Item 6: a constant in the wrong currency in one branch of an `if` is
/// pointed at where its currency comes from, its `let`.
#[test]
fn e06_a_branch_mismatch_points_at_the_constant() {
    let text = check_text(
        "contribution code { lines: Int, repo: Text }\nreward bonus: Money(EUR)\nlet core_bonus = 20 USD\nrule r {\n  on code c\n  grant bonus if c.repo == \"core\" then core_bonus else 5 EUR\n}\n",
    );
    assert!(
        text.contains("`core_bonus` is `Money(USD)` because of this"),
        "{text}"
    );
    assert!(text.contains("meed never converts currencies"), "{text}");
    assert!(!text.contains("both in `pts`"), "{text}");
}

/// Item 15: a snapshot, which people review, shows times in the policy's
/// zone to the second; an approved snapshot of the older layout (UTC,
/// nanoseconds) is recognised and the user told what to do.
#[test]
fn e15_snapshot_times_are_local_to_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("ledger.snap");
    let snap = snap.to_str().unwrap();
    let args = [
        "snapshot",
        "rules/sales_commission.meed",
        "examples/sales_commission/log.csv",
        "--people",
        "examples/sales_commission/people.csv",
        "--snap",
        snap,
    ];
    let run = meed(&[&args[..], &["--accept"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(snap).unwrap();
    assert!(
        text.starts_with("# meed ledger snapshot 2, times in Europe/Paris\n"),
        "{text}"
    );
    // A monthly grant is stamped at the month's last second, local time.
    assert!(text.contains("2027-01-31 23:59:59 +01:00 "), "{text}");
    assert!(!text.contains(".999999999"), "{text}");
    std::fs::write(snap, "# meed ledger snapshot\n## totals\n").unwrap();
    let run = meed(&args);
    assert_eq!(run.code, 1);
    let message = flat(&run.stderr);
    assert!(message.contains("written by an older meed"), "{message}");
    assert!(message.contains("--accept"), "{message}");
}

/// Item 10: in the REPL a rule is changed for a what-if with `:replace`
/// (or taken out with `:drop`) rather than renamed (which would pay
/// twice); `:rules` shows what each rule grants; piped sessions are not
/// told to press Tab. The full transcript is
/// `tests/inputs/repl/replace_and_drop.repl`.
#[test]
fn e10_repl_replaces_and_drops_rules() {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_meed"))
        .arg("repl")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b":load rules/community.meed\n:log examples/community/log.csv\n:people examples/community/people.csv\n\
              rule documentation {\n  on doc d\n  grant reputation 5 pts * d.pages\n}\n\
              :replace rule documentation {\n  on doc d\n  grant reputation 5 pts * d.pages\n}\n\
              :rules\n:drop documentation\n:explain nobody\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("type `:replace` followed by the new declaration"),
        "{text}"
    );
    assert!(text.contains("replaced `documentation`"), "{text}");
    assert!(
        text.contains("documentation: on doc d → grant reputation 5 pts * d.pages"),
        "{text}"
    );
    assert!(text.contains("dropped `documentation`"), "{text}");
    assert!(!text.contains("Tab"), "{text}");
}

/// Item 9: sub-cent and negative money cells are counted, once per column,
/// with an example, on the streaming path and the careful one alike.
#[test]
fn e09_money_cells_worth_a_look_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "id,who,kind,at,amount,product\n\
         s1,hana,sale,2027-07-10T09:15:00Z,100.505,licence\n\
         s2,hana,sale,2027-07-11T09:15:00Z,-20,licence\n\
         s3,hana,sale,2027-07-12T09:15:00Z,-30.001,licence\n",
    )
    .unwrap();
    let args = [
        "eval",
        "rules/sales_commission.meed",
        log.to_str().unwrap(),
        "--people",
        "examples/sales_commission/people.csv",
        "--format",
        "csv",
    ];
    let streamed = meed(&args);
    assert_eq!(streamed.code, 0, "{}", streamed.stderr);
    let text = flat(&streamed.stderr);
    assert_eq!(
        text.matches("meed::finer_than_currency").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("2 `amount` cells of `sale` records have more decimals than EUR has, e.g. `100.505 EUR` in `s1`"),
        "{text}"
    );
    assert!(
        text.contains("2 `amount` cells of `sale` records are below zero, e.g. `-20 EUR` in `s2`"),
        "{text}"
    );
    // The careful reader and the in-memory path say the same.
    let careful = std::process::Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env("MEED_NO_STREAM", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&careful.stderr), streamed.stderr);
}
