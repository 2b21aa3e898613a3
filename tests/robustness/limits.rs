//! Hard limits: input past them gets a clear diagnostic, never a crash, a
//! hang or a silently wrapped number.

use meed::eval::{EvalOptions, evaluate};
use meed::input::fast::{CHUNK, LogInput, read_records};
use meed::input::{InputErrors, LogFormat, MAX_LINE_BYTES, read_log};
use meed::ledger::Ledger;
use meed::pipeline::compile_policy;
use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;
use meed::syntax::parser::parse_policy;
use miette::Diagnostic;

use super::cli::meed_in;

fn code(diagnostic: &dyn Diagnostic) -> String {
    diagnostic.code().map(|c| c.to_string()).unwrap_or_default()
}

/// The code and message of the parse error for `text`.
fn parse_error(text: &str) -> (String, String) {
    match parse_policy(&SourceFile::new("limit.meed", text)) {
        Ok(_) => panic!("parsed: {}", text.get(..200).unwrap_or(text)),
        Err(error) => (code(&error), error.to_string()),
    }
}

fn constant(expr: &str) -> String {
    format!("reward bonus: Money(EUR)\nlet x = {expr}\n")
}

#[test]
fn ten_thousand_nested_parentheses_are_too_deep() {
    let (code, message) = parse_error(&constant(&format!(
        "{}1{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    )));
    assert_eq!(code, "meed::too_deep");
    assert!(message.contains("nested more than 64 levels"), "{message}");
}

#[test]
fn long_prefix_chains_are_too_deep() {
    for chain in [
        "not ".repeat(10_000) + "true",
        "- ".repeat(10_000) + "1",
        "if true then 1 else ".repeat(10_000) + "1",
    ] {
        let (code, _) = parse_error(&constant(&chain));
        assert_eq!(code, "meed::too_deep", "{}", &chain[..20]);
    }
}

#[test]
fn ten_thousand_term_sum_is_too_long() {
    let (code, message) = parse_error(&constant(&vec!["1"; 10_000].join(" + ")));
    assert_eq!(code, "meed::too_deep");
    assert!(message.contains("too long"), "{message}");
}

/// Exactly at each nesting limit parses; one level more is `too_deep`.
#[test]
fn nesting_at_the_limit_parses_and_one_more_is_too_deep() {
    let nested = |open: &str, close: &str, leaf: &str, n: usize| {
        constant(&format!("{}{leaf}{}", open.repeat(n), close.repeat(n)))
    };
    for (open, close, leaf) in [
        ("(", ")", "1"),
        ("not ", "", "true"),
        ("- ", "", "1"),
        ("if true then 1 else ", "", "1"),
    ] {
        let at = nested(open, close, leaf, 64);
        assert!(
            parse_policy(&SourceFile::new("at.meed", at)).is_ok(),
            "64 of {open:?}"
        );
        let (code, message) = parse_error(&nested(open, close, leaf, 65));
        assert_eq!(code, "meed::too_deep", "65 of {open:?}");
        assert!(message.contains("more than 64 levels"), "{message}");
    }
}

/// An expression 128 levels deep (a sum of 128 terms: 127 operators over
/// the leaves) parses; 129 levels are `too_deep`.
#[test]
fn an_expression_at_the_depth_limit_parses_and_one_more_is_too_deep() {
    let sum = |terms: usize| constant(&vec!["1"; terms].join(" + "));
    assert!(parse_policy(&SourceFile::new("at.meed", sum(128))).is_ok());
    let (code, message) = parse_error(&sum(129));
    assert_eq!(code, "meed::too_deep");
    assert!(message.contains("more than 128 levels"), "{message}");
}

/// A text literal of 4096 bytes, quotes included, parses; 4097 bytes do
/// not (counted in bytes: a two-byte `é` counts two).
#[test]
fn a_text_literal_at_the_limit_parses_and_one_byte_more_is_refused() {
    for (filler, width) in [("a", 1), ("é", 2)] {
        let text = |bytes: usize| {
            let inner = bytes - 2;
            let mut t = filler.repeat(inner / width);
            t.push_str(&"a".repeat(inner % width));
            constant(&format!("\"{t}\""))
        };
        assert!(parse_policy(&SourceFile::new("at.meed", text(4096))).is_ok());
        let (code, message) = parse_error(&text(4097));
        assert_eq!(code, "meed::invalid_literal");
        assert!(
            message.contains("this text is 4097 bytes long"),
            "{message}"
        );
    }
}

#[test]
fn huge_number_literals_are_invalid_literals() {
    for literal in [
        "9".repeat(100_000) + " EUR",
        "9".repeat(30),
        format!("0.{}1 EUR", "0".repeat(40)),
        "99999999999999999999".to_string(),
    ] {
        let (code, _) = parse_error(&constant(&literal));
        assert_eq!(code, "meed::invalid_literal", "{}", &literal[..20]);
    }
}

#[test]
fn huge_text_literals_are_invalid_literals() {
    let (code, message) = parse_error(&constant(&format!("\"{}\"", "a".repeat(10_000_000))));
    assert_eq!(code, "meed::invalid_literal");
    assert!(message.contains("at most 4096 bytes"), "{message}");
    // Just under the limit is fine.
    let fine = constant(&format!("\"{}\"", "a".repeat(4000)));
    assert!(parse_policy(&SourceFile::new("ok.meed", fine)).is_ok());
}

const SALES: &str = "contribution sale { amount: Money(EUR) }\nreward bonus: Money(EUR)\n";

/// Evaluates `rules` (after [`SALES`]) over a CSV log of sales; the error code.
fn evaluation_error(rules: &str, log: &str) -> String {
    let policy = compile_policy(&SourceFile::new("overflow.meed", format!("{SALES}{rules}")))
        .unwrap_or_else(|p| panic!("{}", render_plain(p.diagnostics()[0])));
    let log_source = SourceFile::new("log.csv", log);
    let (log, _) = read_log(&policy.schema, &log_source, LogFormat::Csv)
        .unwrap_or_else(|e| panic!("{}", render_plain(&e)));
    let mut ledger = Ledger::default();
    match evaluate(
        &policy.ast,
        &policy.schema,
        &log,
        None,
        &EvalOptions::default(),
        &mut ledger,
    ) {
        Ok(_) => panic!("evaluated: {:?}", ledger.totals),
        // The sink may hold the grants made before the error; the CLI then
        // prints nothing (see `an_overflow_prints_no_partial_ledger`).
        Err(error) => code(&error),
    }
}

/// A CSV log of `n` sales of `amount` by `who`, a day apart (amounts of at
/// most 28 significant digits, the limit of a cell).
fn big_sales(who: &str, n: u32, amount: &str) -> String {
    let mut log = String::from("id,who,kind,at,amount\n");
    for i in 1..=n {
        log.push_str(&format!("s{i},{who},sale,2027-01-{i:02},{amount}\n"));
    }
    log
}

#[test]
fn a_grant_that_overflows_is_an_error() {
    let code = evaluation_error(
        "rule huge { on sale s  grant bonus s.amount * 99999999999999999999.0 }\n",
        "id,who,kind,at,amount\ns1,ada,sale,2027-01-05,99999999999999.99\n",
    );
    assert_eq!(code, "meed::overflow");
}

#[test]
fn totals_that_overflow_are_an_error() {
    // Each grant holds its cents in 28 digits; eight of them do not.
    let code = evaluation_error(
        "rule pass { on sale s  grant bonus s.amount }\n",
        &big_sales("ada", 8, "99999999999999999999999999.99"),
    );
    assert_eq!(code, "meed::overflow");
}

#[test]
fn an_each_rule_sum_that_overflows_is_an_error() {
    // Nine amounts of 28 digits sum beyond what a decimal holds.
    let code = evaluation_error(
        "rule monthly { each person per month  grant bonus sum(sale.amount) }\n",
        &big_sales("ada", 9, "9999999999999999999999999999"),
    );
    assert_eq!(code, "meed::overflow");
}

#[test]
fn an_overflow_prints_no_partial_ledger() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.meed"),
        format!("{SALES}rule pass {{ on sale s  grant bonus s.amount }}\n"),
    )
    .unwrap();
    let bob = big_sales("bob", 8, "99999999999999999999999999.99");
    std::fs::write(
        dir.path().join("log.csv"),
        bob.replacen('\n', "\na1,ada,sale,2027-01-05,1\n", 1),
    )
    .unwrap();
    for format in ["csv", "json", "table"] {
        let run = meed_in(
            dir.path(),
            &["eval", "p.meed", "log.csv", "--format", format],
            &[],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{format}: printed a partial ledger");
        assert!(run.stderr.contains("meed::overflow"), "{}", run.stderr);
        assert!(
            run.stderr.contains("no ledger was produced"),
            "{}",
            run.stderr
        );
    }
}

fn community() -> meed::pipeline::CompiledPolicy {
    let text = include_str!("../../rules/community.meed");
    compile_policy(&SourceFile::new("community.meed", text))
        .unwrap_or_else(|p| panic!("{}", render_plain(p.diagnostics()[0])))
}

/// The errors of reading `text` as a log of the community policy.
fn log_errors(text: &str, format: LogFormat) -> InputErrors {
    let policy = community();
    match read_log(&policy.schema, &SourceFile::new("log", text), format) {
        Ok((log, _)) => panic!("read {} records", log.contributions.len()),
        Err(errors) => errors,
    }
}

const HEADER: &str =
    "id,who,kind,at,lines,repo,pages,severity,duration,answered,words,language,audience,recorded\n";
const ROW: &str = "c-0020,dana,review,2027-01-15T01:26:00Z,45,web,,,,,,,,\n";

#[test]
fn a_ten_megabyte_line_is_refused_with_its_line_number() {
    let long = format!(
        "{HEADER}{ROW}c-1,ada,review,2027-01-15T01:26:00Z,45,{},,,,,,,,\n",
        "w".repeat(10_000_000)
    );
    let errors = log_errors(&long, LogFormat::Csv);
    let [error] = errors.errors.as_slice() else {
        panic!("{errors:?}")
    };
    assert_eq!(error.kind.code(), "meed::line_too_long");
    assert_eq!(error.line, 3);
    let message = error.to_string();
    assert!(message.starts_with("line 3 is 1000004"), "{message}");
    assert!(
        message.contains("bytes long; meed reads lines of at most 1 MiB"),
        "{message}"
    );
    // The rendering stays short: no megabyte snippet.
    assert!(render_plain(&errors).len() < 2000);

    let json = format!("{{\"id\": \"{}\"}}\n", "x".repeat(MAX_LINE_BYTES));
    let errors = log_errors(&json, LogFormat::JsonLines);
    assert_eq!(errors.errors[0].kind.code(), "meed::line_too_long");
    assert_eq!(errors.errors[0].line, 1);
}

/// A line of exactly 1,048,576 bytes (its line end, `\n` or `\r\n`, not
/// counted) is read, by the careful reader and the fast one, in CSV and
/// JSON Lines; one byte more is `meed::line_too_long` naming the line.
#[test]
fn a_line_at_the_limit_is_read() {
    let policy = community();
    for end in ["\n", "\r\n"] {
        for over in [0, 1] {
            let line = |fill: usize| {
                ROW.trim_end()
                    .replace(",web,", &format!(",{},", "w".repeat(fill)))
            };
            let base = line(0).len();
            let csv_line = line(MAX_LINE_BYTES + over - base);
            assert_eq!(csv_line.len(), MAX_LINE_BYTES + over);
            let csv = format!("{}{end}{csv_line}{end}", HEADER.trim_end());
            let json_line = format!(
                "{{\"id\": \"c-1\", \"who\": \"ada\", \"kind\": \"doc\", \"at\": \"2027-01-05\", \"pages\": 1, \"x\": \"{}\"}}",
                "w".repeat(MAX_LINE_BYTES + over - 83)
            );
            assert_eq!(json_line.len(), MAX_LINE_BYTES + over);
            let json = format!("{json_line}{end}");
            for (text, format) in [(&csv, LogFormat::Csv), (&json, LogFormat::JsonLines)] {
                let result = read_log(
                    &policy.schema,
                    &SourceFile::new("log", text.clone()),
                    format,
                );
                match (over, result) {
                    (0, Ok((log, _))) => assert_eq!(log.contributions.len(), 1),
                    (1, Err(errors)) => {
                        let error = &errors.errors[0];
                        assert_eq!(error.kind.code(), "meed::line_too_long");
                        let line = if format == LogFormat::Csv { 2 } else { 1 };
                        assert_eq!(error.line, line);
                        assert!(
                            error
                                .to_string()
                                .starts_with(&format!("line {line} is 1048577 bytes long")),
                            "{error}"
                        );
                    }
                    (_, result) => panic!(
                        "{format} {end:?} {over}: {:?}",
                        result.map(|(l, _)| l.contributions.len())
                    ),
                }
            }
            let fast = read_records(
                &LogInput::from_bytes(csv.into_bytes(), CHUNK),
                &policy.schema,
            );
            assert_eq!(fast.is_ok(), over == 0, "fast reader, {end:?} {over}");
        }
    }
}

/// LANGUAGE.md §3 "Empty logs": a quiet month is normal. A CSV header
/// without records, or a JSON Lines file without a non-blank line, is an
/// empty log with a warning; a zero-byte CSV file has no header and is an
/// error. (Both used to be errors.)
#[test]
fn empty_logs_warn_and_a_zero_byte_csv_is_an_error() {
    let errors = log_errors("", LogFormat::Csv);
    assert_eq!(errors.errors[0].kind.code(), "meed::empty_log");
    let policy = community();
    for (text, format) in [
        (HEADER, LogFormat::Csv),
        ("", LogFormat::JsonLines),
        ("\n  \n", LogFormat::JsonLines),
    ] {
        let (log, warnings) =
            read_log(&policy.schema, &SourceFile::new("log", text), format).unwrap();
        assert!(log.contributions.is_empty());
        let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["meed::no_records"], "{format:?} {text:?}");
    }
}

#[test]
fn a_csv_line_cut_off_mid_record_is_an_error_naming_the_line() {
    let cut = format!("{HEADER}{ROW}c-0394,ada,doc,2027-06-13T09:16:00Z");
    let errors = log_errors(&cut, LogFormat::Csv);
    assert_eq!(errors.errors[0].kind.code(), "meed::malformed_csv");
    assert_eq!(errors.errors[0].line, 3);
}

#[test]
fn an_unterminated_quote_is_an_error_naming_its_line() {
    // The quote swallows the next line: without the check, `c-10` would be
    // lost silently inside an ignored cell.
    let text = format!("{HEADER}{ROW}c-9,ada,review,2027-01-15T01:26:00Z,45,web,,,,,,,,\"x\n{ROW}");
    let errors = log_errors(&text.replace("c-0020,dana", "c-0021,dana"), LogFormat::Csv);
    let [error] = errors.errors.as_slice() else {
        panic!("{errors:?}")
    };
    assert_eq!(error.kind.code(), "meed::malformed_csv");
    assert_eq!(error.line, 3);
    assert!(error.to_string().contains("never closed"), "{error}");
}

#[test]
fn a_truncated_json_line_is_an_error_naming_the_line() {
    let text = "{\"id\":\"q1\",\"who\":\"ben\",\"kind\":\"review\",\"at\":\"2027-01-01\",\"lines\":3,\"repo\":\"x\"}\n{\"id\":\"q2\",\"who\":\"da";
    let errors = log_errors(text, LogFormat::JsonLines);
    assert_eq!(errors.errors[0].kind.code(), "meed::malformed_json");
    assert_eq!(errors.errors[0].line, 2);
}

#[test]
fn a_policy_that_is_not_utf8_names_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latin1.meed"),
        b"reward bonus: Money(EUR)\n# pr\xe9mie\n",
    )
    .unwrap();
    for command in [
        &["check", "latin1.meed"][..],
        &["fmt", "latin1.meed"],
        &["test", "latin1.meed"],
    ] {
        let run = meed_in(dir.path(), command, &[]);
        assert_eq!(run.code, 1, "{command:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("meed::not_utf8"),
            "{command:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("byte 0xE9 (byte 29, line 2) is not UTF-8"),
            "{command:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_empty_policy_file_is_checked_not_crashed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.meed"), "").unwrap();
    std::fs::write(
        dir.path().join("log.csv"),
        "id,who,kind,at\nr1,ada,review,2027-01-05\n",
    )
    .unwrap();
    let check = meed_in(dir.path(), &["check", "empty.meed"], &[]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let eval = meed_in(dir.path(), &["eval", "empty.meed", "log.csv"], &[]);
    assert_eq!(eval.code, 1, "{}", eval.stderr);
    assert!(
        eval.stderr.contains("meed::unknown_kind"),
        "{}",
        eval.stderr
    );
    assert!(eval.stdout.is_empty());
}
