//! The REPL: transcripts of sessions driven through `Session::handle` and
//! `Session::complete` (one snapshot per script in `tests/inputs/repl/`),
//! `:reload` over files that change, and the real binary fed by a pipe.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use meed::repl::{ReplyStatus, Session, is_complete};

/// Runs a script and returns the transcript: each input after the prompt it
/// was typed at, then the session's answer.
///
/// Script lines: `# ...` between inputs is a comment; `tab> TEXT` asks for
/// completions at `|` in TEXT (or at its end); anything else is typed, and
/// continues on the next lines while a brace is open.
fn transcript(script: &str) -> String {
    let mut session = Session::new();
    let mut out = String::new();
    let mut buffer: Vec<&str> = Vec::new();
    for line in script.lines() {
        if buffer.is_empty() && line.starts_with('#') {
            continue;
        }
        if buffer.is_empty()
            && let Some(text) = line.strip_prefix("tab> ")
        {
            let pos = text.find('|').unwrap_or(text.len());
            let typed = text.replacen('|', "", 1);
            let completions = session.complete(&typed, pos);
            let shown = if completions.candidates.is_empty() {
                "(nothing)".to_string()
            } else {
                completions.candidates.join("  ")
            };
            out.push_str(&format!(
                "tab> {text}\n   replacing from byte {}: {shown}\n",
                completions.start
            ));
            continue;
        }
        buffer.push(line);
        let input = buffer.join("\n");
        if !is_complete(&input) {
            continue;
        }
        let mut shown = session.prompt();
        shown.push_str(&buffer.join("\n... "));
        buffer.clear();
        let reply = session.handle(&input);
        out.push_str(&shown);
        out.push('\n');
        out.push_str(&reply.text);
        if reply.status == ReplyStatus::Quit {
            out.push_str("(the session ends)\n");
            break;
        }
    }
    out
}

#[test]
fn transcripts() {
    insta::glob!("inputs/repl/*.repl", |path| {
        let script = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(transcript(&script));
    });
}

#[test]
fn an_expression_prints_its_exact_value_and_type() {
    let mut session = Session::new();
    let reply = session.handle("5 EUR + 0.02 EUR * 120");
    assert_eq!(reply.text, "7.40 EUR : Money(EUR)\n");
    assert_eq!(reply.status, ReplyStatus::Done);
    assert_eq!(session.handle("0.005 EUR").text, "0.005 EUR : Money(EUR)\n");
}

#[test]
fn errors_never_end_the_session() {
    let mut session = Session::new();
    for input in [
        "5 EUR + 3 pts",
        ":nope",
        "rule {",
        "}",
        ":explain",
        "let = 3",
    ] {
        let reply = session.handle(input);
        assert_eq!(reply.status, ReplyStatus::Failed, "{input}");
    }
    assert_eq!(session.handle(":quit").status, ReplyStatus::Quit);
}

#[test]
fn the_prompt_shows_what_is_loaded_and_whether_it_was_changed() {
    let mut session = Session::new();
    assert_eq!(session.prompt(), "meed> ");
    session.handle(":load rules/community.meed");
    session.handle(":people examples/community/people.csv");
    session.handle(":log examples/community/log.csv");
    assert_eq!(session.prompt(), "meed(community.meed, log.csv)> ");
    session.handle(":set review_points = 4 pts");
    assert_eq!(session.prompt(), "meed(community.meed*, log.csv)> ");
}

#[test]
fn input_is_complete_when_braces_and_parentheses_close() {
    assert!(is_complete("5 EUR"));
    assert!(!is_complete("rule r {"));
    assert!(!is_complete("min(1,"));
    assert!(is_complete("rule r {\n on doc d\n grant x 1 pts\n}"));
    assert!(is_complete("let s = \"{\""));
    assert!(is_complete("let s = 1 # {"));
}

/// `:reload` reports rules changed, added and removed by name, and the
/// log's new size, and keeps the session's own changes.
#[test]
fn reload_reports_what_changed() {
    let folder = tempfile::tempdir().unwrap();
    let policy = folder.path().join("policy.meed");
    let log = folder.path().join("log.csv");
    std::fs::write(
        &policy,
        "contribution doc { pages: Int }\nreward points: Points\nlet per_page = 2 pts\n\
         rule docs { on doc d grant points per_page * d.pages }\n\
         rule old { on doc d when d.pages > 10 grant points 1 pts }\n",
    )
    .unwrap();
    std::fs::write(&log, "id,who,kind,at,pages\nd1,ada,doc,2027-01-05,3\n").unwrap();
    let mut session = Session::new();
    let mut out = String::new();
    let mut run = |session: &mut Session, input: &str| {
        out.push_str(&format!("> {input}\n{}", session.handle(input).text));
    };
    run(&mut session, &format!(":load {}", policy.display()));
    run(&mut session, &format!(":log {}", log.display()));
    run(&mut session, ":set per_page = 3 pts");
    run(&mut session, ":ledger");
    std::fs::write(
        &policy,
        "contribution doc { pages: Int }\nreward points: Points\nlet per_page = 2 pts\n\
         rule docs { on doc d grant points per_page * d.pages + 1 pts }\n\
         rule new { on doc d when d.pages > 2 grant points 5 pts }\n",
    )
    .unwrap();
    std::fs::write(
        &log,
        "id,who,kind,at,pages\nd1,ada,doc,2027-01-05,3\nd2,bob,doc,2027-01-06,1\n",
    )
    .unwrap();
    run(&mut session, ":reload");
    run(&mut session, ":ledger");
    let root = folder.path().display().to_string();
    insta::assert_snapshot!(out.replace(&root, "TMP"));
}

fn meed_repl(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meed"))
        .arg("repl")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may exit before reading everything (a file it cannot
    // load): a broken pipe here is not the test's business.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// Piped into the real binary: no prompt, answers on stdout, diagnostics on
/// stderr, `:explain` word for word what `meed explain` prints, and exit 1
/// because one input failed.
#[test]
fn the_binary_reads_a_script_from_a_pipe() {
    let files = [
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
    ];
    let script = "5 EUR + 0.02 EUR * 120\nrevew_points\nrule extra {\n  on doc d\n  grant reputation 1 pts\n}\n:explain ada bonus\n:quit\n5 EUR\n";
    let (stdout, stderr, code) = meed_repl(&files, script);
    let explain = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args([
            "explain", files[0], files[1], files[2], files[3], "ada", "bonus",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let explain = String::from_utf8_lossy(&explain.stdout);
    assert!(!explain.is_empty());
    // The extra rule changes ada's reputation, so her share of the fund;
    // check the shape of the answer rather than the amounts.
    let (first, rest) = stdout.split_once('\n').unwrap();
    assert_eq!(first, "7.40 EUR : Money(EUR)");
    assert!(
        rest.starts_with("added rule `extra`\nada: 2 grants from `bonus`"),
        "{rest}"
    );
    assert!(!stdout.contains("meed>"), "no prompt on a pipe: {stdout}");
    assert!(stderr.contains("meed::unknown_name"), "{stderr}");
    assert!(stderr.contains("did you mean `review_points`?"), "{stderr}");
    assert_eq!(code, 1);

    let (stdout, stderr, code) = meed_repl(&files, ":explain ada bonus\n");
    assert_eq!(stdout, explain);
    assert_eq!(stderr, "");
    assert_eq!(code, 0);
}

/// A file given at start that cannot be opened is a usage error, exit 2, as
/// for every command (`tests/cli.rs` › `missing_file_is_a_usage_error`);
/// no input is read.
#[test]
fn the_binary_fails_when_a_file_given_at_start_cannot_be_read() {
    for args in [
        &["no/such.meed"][..],
        &["rules/community.meed", "no/such.csv"][..],
        &["rules/community.meed", "--people", "no/such.csv"][..],
    ] {
        let (stdout, stderr, code) = meed_repl(args, "5 EUR\n");
        assert_eq!(stdout, "", "{args:?}");
        assert!(
            stderr.contains("cannot read `no/such."),
            "{args:?}: {stderr}"
        );
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }
}

/// A file that opens but does not load (here a policy with a syntax error)
/// is a policy error: exit 1, the diagnostic on stderr, no input read.
#[test]
fn the_binary_fails_with_1_when_a_file_given_at_start_does_not_load() {
    let folder = tempfile::tempdir().unwrap();
    let policy = folder.path().join("broken.meed");
    std::fs::write(&policy, "rule r {\n").unwrap();
    let (stdout, stderr, code) = meed_repl(&[policy.to_str().unwrap()], "5 EUR\n");
    assert_eq!(stdout, "");
    assert!(stderr.contains("meed::"), "{stderr}");
    assert!(!stderr.contains("cannot read"), "{stderr}");
    assert_eq!(code, 1, "{stderr}");
}
