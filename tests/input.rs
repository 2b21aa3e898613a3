//! The log and roster readers: cells by type, CSV and JSON Lines, and one
//! snapshot per bad input file (`tests/inputs/input/bad/`).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

#[path = "../fuzz/src/fast_reader.rs"]
mod fast_reader;

use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meed::input::{
    CellError, LogFormat, check_people, decode, parse_cell, parse_timestamp, read_log, read_roster,
};
use meed::render::diagnostic::render_plain;
use meed::schema::{FieldSchema, KindSchema, Schema};
use meed::source::SourceFile;
use meed::syntax::ast::RoundingMode;
use meed::units::{Currency, Type};
use meed::value::{Money, Value};
use rust_decimal::Decimal;

fn eur() -> Currency {
    Currency::from_code("EUR").expect("EUR is an ISO 4217 code")
}

fn field(name: &str, ty: Type) -> FieldSchema {
    FieldSchema {
        name: name.to_string(),
        ty,
    }
}

fn kind(name: &str, fields: Vec<FieldSchema>) -> KindSchema {
    KindSchema {
        name: name.to_string(),
        fields,
    }
}

/// The schema of a small community policy, in Europe/Berlin.
fn schema() -> Schema {
    let status = Type::OneOf(vec!["employee".into(), "volunteer".into()]);
    Schema {
        timezone: Tz::Europe__Berlin,
        rounding: RoundingMode::HalfEven,
        kinds: vec![
            kind(
                "review",
                vec![field("lines", Type::Int), field("repo", Type::Text)],
            ),
            kind(
                "answer",
                vec![field("accepted", Type::Bool), field("votes", Type::Int)],
            ),
            kind("mentoring", vec![field("duration", Type::Duration)]),
            kind("sale", vec![field("amount", Type::Money(eur()))]),
            kind(
                "patch",
                vec![
                    field("lines", Type::Int),
                    field("status", Type::OneOf(vec!["draft".into(), "merged".into()])),
                ],
            ),
            kind("like", vec![]),
        ],
        person: vec![field("status", status), field("team", Type::Text)],
        rewards: Default::default(),
        badges: Default::default(),
        expr_types: Default::default(),
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn cell(ty: &Type, text: &str) -> Result<Value, CellError> {
    parse_cell(ty, text, Tz::Europe__Berlin)
}

// ---- cells -------------------------------------------------------------

#[test]
fn ints_are_whole_64_bit_numbers() {
    assert_eq!(cell(&Type::Int, "120"), Ok(Value::Int(120)));
    assert_eq!(cell(&Type::Int, " -3 "), Ok(Value::Int(-3)));
    assert_eq!(
        cell(&Type::Int, "9223372036854775807"),
        Ok(Value::Int(i64::MAX))
    );
    assert!(matches!(
        cell(&Type::Int, "9223372036854775808"),
        Err(CellError::IntOverflow { .. })
    ));
    assert!(matches!(
        cell(&Type::Int, "12.0"),
        Err(CellError::Invalid { .. })
    ));
    assert!(matches!(
        cell(&Type::Int, "1e3"),
        Err(CellError::Invalid { .. })
    ));
    assert_eq!(cell(&Type::Int, ""), Err(CellError::Empty));
}

#[test]
fn decimals_are_exact_and_accept_percentages() {
    assert_eq!(
        cell(&Type::Decimal, "0.02"),
        Ok(Value::Decimal(dec("0.02")))
    );
    assert_eq!(cell(&Type::Decimal, "10%"), Ok(Value::Decimal(dec("0.10"))));
    assert_eq!(
        cell(&Type::Decimal, "12.5 %"),
        Ok(Value::Decimal(dec("0.125")))
    );
    assert_eq!(cell(&Type::Decimal, "0.1"), Ok(Value::Decimal(dec("0.1"))));
    assert!(cell(&Type::Decimal, "1e-3").is_err());
    assert!(cell(&Type::Decimal, "1,5").is_err());
    assert!(cell(&Type::Decimal, ".").is_err());
}

#[test]
fn bools_are_true_or_false_only() {
    assert_eq!(cell(&Type::Bool, "true"), Ok(Value::Bool(true)));
    assert_eq!(cell(&Type::Bool, "false"), Ok(Value::Bool(false)));
    for bad in ["TRUE", "yes", "1"] {
        assert!(cell(&Type::Bool, bad).is_err(), "{bad}");
    }
    let help = cell(&Type::Bool, "TRUE")
        .err()
        .map(|e| e.help())
        .unwrap_or_default();
    assert_eq!(help, "write `true` or `false` in lowercase");
}

#[test]
fn one_of_lists_the_allowed_values() {
    let ty = Type::OneOf(vec!["draft".into(), "merged".into()]);
    assert_eq!(cell(&ty, "merged"), Ok(Value::Text("merged".into())));
    let error = cell(&ty, "merge").err();
    assert_eq!(
        error.as_ref().map(ToString::to_string).as_deref(),
        Some("`merge` is not one of \"draft\", \"merged\"")
    );
    assert_eq!(
        error.map(|e| e.help()).as_deref(),
        Some("did you mean `merged`? the allowed values are \"draft\", \"merged\"")
    );
}

#[test]
fn durations_in_units_and_iso_8601() {
    let minutes = |text: &str| cell(&Type::Duration, text);
    for (text, expected) in [
        ("90min", "90"),
        ("1.5h", "90"),
        ("2h", "120"),
        ("1h 30min", "90"),
        ("1h30min", "90"),
        ("45 min", "45"),
        ("PT1H30M", "90"),
        ("PT90M", "90"),
        ("PT2H", "120"),
        ("PT0.5H", "30"),
        ("PT30S", "0.5"),
        ("-30min", "-30"),
    ] {
        assert_eq!(minutes(text), Ok(Value::Duration(dec(expected))), "{text}");
    }
    for bad in [
        "90",
        "90 minutes",
        "1.5 hours",
        "PT",
        "P1D",
        "h",
        "PT-1H",
        "2h-30min",
    ] {
        let error = minutes(bad);
        assert!(error.is_err(), "{bad} should not be a duration: {error:?}");
    }
    let help = minutes("90").err().map(|e| e.help()).unwrap_or_default();
    assert_eq!(help, "write durations as `90min`, `1.5h` or `PT1H30M`");
}

#[test]
fn money_with_or_without_its_currency() {
    let ty = Type::Money(eur());
    let money = |s: &str| Value::Money(Money::new(dec(s), eur()));
    assert_eq!(cell(&ty, "12.50"), Ok(money("12.50")));
    assert_eq!(cell(&ty, "-3.00"), Ok(money("-3.00")));
    assert_eq!(cell(&ty, "12.50 EUR"), Ok(money("12.50")));
    assert_eq!(cell(&ty, "0.005 EUR"), Ok(money("0.005")));
    let error = cell(&ty, "12.50 USD").err();
    assert_eq!(
        error.as_ref().map(ToString::to_string).as_deref(),
        Some("expected EUR, found USD")
    );
    assert!(matches!(error, Some(CellError::CurrencyMismatch { .. })));
    assert!(cell(&ty, "EUR 12.50").is_err());
    assert!(cell(&ty, "12,50").is_err());
    assert!(cell(&ty, "€12.50").is_err());
}

#[test]
fn points_with_or_without_pts() {
    assert_eq!(cell(&Type::Points, "15"), Ok(Value::Points(dec("15"))));
    assert_eq!(cell(&Type::Points, "15 pts"), Ok(Value::Points(dec("15"))));
    assert_eq!(cell(&Type::Points, "2.5pts"), Ok(Value::Points(dec("2.5"))));
    assert!(cell(&Type::Points, "15 points").is_err());
}

#[test]
fn text_is_kept_trimmed() {
    assert_eq!(cell(&Type::Text, " core "), Ok(Value::Text("core".into())));
}

#[test]
fn timestamps_with_any_offset_are_instants() {
    let berlin = Tz::Europe__Berlin;
    assert_eq!(
        parse_timestamp("2027-01-05T10:00:00Z", berlin),
        Ok(utc("2027-01-05T10:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-01-05T11:00:00+01:00", berlin),
        Ok(utc("2027-01-05T10:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-01-05T05:30:00-04:30", berlin),
        Ok(utc("2027-01-05T10:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-01-05T10:00:00.250Z", berlin),
        Ok(utc("2027-01-05T10:00:00.250Z"))
    );
    for bad in [
        "2027-01-05T10:00:00",
        "05/01/2027",
        "2027-1-5",
        "2027-02-30",
        "2027-01-05 10:00",
        "tomorrow",
    ] {
        assert!(parse_timestamp(bad, berlin).is_err(), "{bad}");
    }
}

#[test]
fn bare_dates_are_midnight_in_the_policy_zone_across_dst() {
    let berlin = Tz::Europe__Berlin;
    // Winter: UTC+1; summer: UTC+2; the clocks change at 02:00/03:00, not at midnight.
    assert_eq!(
        parse_timestamp("2027-01-05", berlin),
        Ok(utc("2027-01-04T23:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-03-28", berlin),
        Ok(utc("2027-03-27T23:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-03-29", berlin),
        Ok(utc("2027-03-28T22:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-07-01", berlin),
        Ok(utc("2027-06-30T22:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-10-31", berlin),
        Ok(utc("2027-10-30T22:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-11-01", berlin),
        Ok(utc("2027-10-31T23:00:00Z"))
    );
    assert_eq!(
        parse_timestamp("2027-01-05", Tz::UTC),
        Ok(utc("2027-01-05T00:00:00Z"))
    );
}

#[test]
fn a_midnight_the_clocks_skip_is_the_first_instant_after() {
    // Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11 (−04 → −03).
    let santiago = Tz::America__Santiago;
    assert_eq!(
        parse_timestamp("2022-09-11", santiago),
        Ok(utc("2022-09-11T04:00:00Z"))
    );
    // Havana falls back from 01:00 to 00:00 on 2022-11-06: midnight happens twice; the earlier.
    assert_eq!(
        parse_timestamp("2022-11-06", Tz::America__Havana),
        Ok(utc("2022-11-06T04:00:00Z"))
    );
}

#[test]
fn log_formats_from_extensions_and_names() {
    assert_eq!(
        LogFormat::from_path(Path::new("log.csv")),
        Some(LogFormat::Csv)
    );
    assert_eq!(
        LogFormat::from_path(Path::new("a/log.CSV")),
        Some(LogFormat::Csv)
    );
    assert_eq!(
        LogFormat::from_path(Path::new("log.jsonl")),
        Some(LogFormat::JsonLines)
    );
    assert_eq!(
        LogFormat::from_path(Path::new("log.ndjson")),
        Some(LogFormat::JsonLines)
    );
    assert_eq!(
        LogFormat::from_path(Path::new("log.json")),
        Some(LogFormat::JsonLines)
    );
    assert_eq!(LogFormat::from_path(Path::new("log.txt")), None);
    assert_eq!(LogFormat::from_path(Path::new("log")), None);
    assert_eq!("csv".parse::<LogFormat>(), Ok(LogFormat::Csv));
    assert_eq!("jsonl".parse::<LogFormat>(), Ok(LogFormat::JsonLines));
    assert!("xlsx".parse::<LogFormat>().is_err());
}

// ---- whole logs --------------------------------------------------------

fn read(name: &str, text: &str) -> Result<(meed::input::Log, Vec<String>), String> {
    let source = SourceFile::new(name, text);
    let format = LogFormat::from_path(Path::new(name)).unwrap_or(LogFormat::Csv);
    read_log(&schema(), &source, format)
        .map(|(log, warnings)| (log, warnings.iter().map(|w| render_plain(w)).collect()))
        .map_err(|e| render_plain(&e))
}

const MIXED_CSV: &str = "\
id,who,kind,at,lines,repo,status,url,amount
r2,alice,review,2027-01-06T09:00:00Z,120,core,,https://x/2,
p1,bob,patch,2027-01-05T09:00:00+01:00,40,,merged,https://x/p1,
r10,carol,review,2027-01-05T08:00:00Z,7,\"docs, site\",,https://x/10,
s1,dave,sale,2027-01-05,,,,,12.50 EUR
l1,erin,like,2027-01-05T08:00:00Z,,,,,
";

#[test]
fn csv_kinds_share_columns_and_come_back_sorted() {
    let result = read("log.csv", MIXED_CSV);
    let Ok((log, warnings)) = result else {
        unreachable_log(result.err());
    };
    let order: Vec<&str> = log.contributions.iter().map(|c| &*c.id).collect();
    // Same instant 08:00Z for p1, l1 and r10: ids as bytes, so `l1` < `p1` < `r10`.
    assert_eq!(order, ["s1", "l1", "p1", "r10", "r2"]);
    let by_id = |id: &str| log.contributions.iter().find(|c| &*c.id == id);
    let patch = by_id("p1").map(|c| (c.kind, c.fields.clone(), c.line));
    assert_eq!(
        patch,
        Some((4, vec![Value::Int(40), Value::Text("merged".into())], 3))
    );
    let review = by_id("r10").map(|c| c.fields.clone());
    assert_eq!(
        review,
        Some(vec![Value::Int(7), Value::Text("docs, site".into())])
    );
    let sale = by_id("s1").map(|c| (c.at, c.fields.clone()));
    assert_eq!(
        sale,
        Some((
            utc("2027-01-04T23:00:00Z"),
            vec![Value::Money(Money::new(dec("12.50"), eur()))]
        ))
    );
    assert_eq!(by_id("l1").map(|c| c.fields.len()), Some(0));
    // The undeclared `url` column: exactly one warning, whatever the row count.
    assert_eq!(warnings.len(), 1);
    insta::assert_snapshot!("unknown_column_warning", warnings.join("\n"));
}

fn unreachable_log(error: Option<String>) -> ! {
    panic!("the log should read:\n{}", error.unwrap_or_default())
}

#[test]
fn csv_with_crlf_and_a_byte_order_mark() {
    let text = MIXED_CSV.replace('\n', "\r\n");
    let bytes = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let decoded = decode("log.csv", bytes.clone()).map(|s| s.text().to_string());
    assert_eq!(decoded.ok().as_deref(), Some(text.as_str()));
    // A BOM left in the text (a caller that did not decode) is fine too.
    let with_bom = String::from_utf8(bytes).unwrap_or_default();
    for input in [text.as_str(), with_bom.as_str()] {
        let (plain, _) = read("log.csv", MIXED_CSV).unwrap_or_else(|e| unreachable_log(Some(e)));
        let (crlf, warnings) = read("log.csv", input).unwrap_or_else(|e| unreachable_log(Some(e)));
        assert_eq!(crlf, plain);
        assert_eq!(warnings.len(), 1);
    }
}

#[test]
fn csv_error_columns_count_characters_and_skip_the_bom() {
    let text = "\u{feff}id,who,kind,at,lines,repo\r\nr1,Zoë,review,2027-01-05,12x,core\r\n";
    let Err(errors) = read_log(&schema(), &SourceFile::new("log.csv", text), LogFormat::Csv) else {
        unreachable_log(None);
    };
    let found: Vec<_> = errors
        .errors
        .iter()
        .map(|e| (e.line, e.column, e.value(), e.expected()))
        .collect();
    assert_eq!(found, [(2, 26, Some("12x"), Some("Int"))]);
}

const MIXED_JSONL: &str = r#"{"id": "a1", "who": "alice", "kind": "answer", "at": "2027-01-05T10:00:00Z", "accepted": true, "votes": 3}

{"id": "a2", "who": "bob", "kind": "answer", "at": "2027-01-05", "accepted": "false", "votes": "0", "url": "x"}
{"id": "s1", "who": "carol", "kind": "sale", "at": "2027-01-04T12:00:00-05:00", "amount": 12.50}
{"id": "s2", "who": "carol", "kind": "sale", "at": "2027-01-04T12:00:00Z", "amount": "12.50 EUR", "url": "y"}
{"id": "m1", "who": "dave", "kind": "mentoring", "at": "2027-01-03", "duration": "PT1H30M", "lines": null}
"#;

#[test]
fn json_lines_accept_numbers_strings_and_bools() {
    let (log, warnings) =
        read("log.jsonl", MIXED_JSONL).unwrap_or_else(|e| unreachable_log(Some(e)));
    let rows: Vec<(&str, usize, Vec<Value>)> = log
        .contributions
        .iter()
        .map(|c| (&*c.id, c.line, c.fields.clone()))
        .collect();
    let money = Value::Money(Money::new(dec("12.50"), eur()));
    assert_eq!(
        rows,
        [
            ("m1", 6, vec![Value::Duration(dec("90"))]),
            ("s2", 5, vec![money.clone()]),
            ("s1", 4, vec![money]),
            ("a2", 3, vec![Value::Bool(false), Value::Int(0)]),
            ("a1", 1, vec![Value::Bool(true), Value::Int(3)]),
        ]
    );
    // `url` is declared by no kind: one warning although two records carry it.
    assert_eq!(warnings.len(), 1);
    insta::assert_snapshot!("unknown_field_warning_jsonl", warnings.join("\n"));
}

#[test]
fn json_numbers_keep_their_digits_and_never_go_through_floats() {
    let record = |amount: &str| {
        format!(
            r#"{{"id": "s1", "who": "c", "kind": "sale", "at": "2027-01-04", "amount": {amount}}}"#
        )
    };
    let (log, _) =
        read("log.jsonl", &record("0.1000")).unwrap_or_else(|e| unreachable_log(Some(e)));
    let amount = log
        .contributions
        .first()
        .and_then(|c| c.fields.first().cloned());
    let Some(Value::Money(m)) = amount else {
        unreachable_log(None)
    };
    assert_eq!(
        (m.amount.to_string(), m.amount.scale()),
        ("0.1000".to_string(), 4)
    );
    // More digits than a Decimal holds: an error, never a silently rounded amount.
    let too_precise = read("log.jsonl", &record("0.1000000000000000055511151231257827"));
    assert!(too_precise.is_err_and(|e| e.contains("meed::bad_value")));
}

#[test]
fn a_roster_is_read_like_a_log() {
    let text = "who,team,status\nbob,docs,volunteer\nalice,core,employee\n";
    let roster = read_roster(
        &schema(),
        &SourceFile::new("people.csv", text),
        LogFormat::Csv,
    );
    let people: Vec<(String, Vec<Value>)> = roster
        .map(|r| {
            r.people
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        people,
        [
            (
                "alice".to_string(),
                vec![Value::Text("employee".into()), Value::Text("core".into())]
            ),
            (
                "bob".to_string(),
                vec![Value::Text("volunteer".into()), Value::Text("docs".into())]
            ),
        ]
    );
    let jsonl = "{\"who\": \"alice\", \"status\": \"employee\", \"team\": \"core\"}\n";
    let roster = read_roster(
        &schema(),
        &SourceFile::new("people.jsonl", jsonl),
        LogFormat::JsonLines,
    );
    assert_eq!(roster.map(|r| r.people.len()).ok(), Some(1));
}

#[test]
fn everyone_on_the_roster_passes_the_people_check() {
    let source = SourceFile::new("log.csv", MIXED_CSV);
    let (log, _) = read_log(&schema(), &source, LogFormat::Csv)
        .unwrap_or_else(|e| unreachable_log(Some(render_plain(&e))));
    let roster_text = "who,status,team\nalice,employee,a\nbob,employee,a\ncarol,employee,a\ndave,employee,a\nerin,employee,a\n";
    let roster = read_roster(
        &schema(),
        &SourceFile::new("people.csv", roster_text),
        LogFormat::Csv,
    );
    let checked = roster.map(|roster| check_people(&log, &source, &roster).is_ok());
    assert_eq!(checked.ok(), Some(true));
}

#[test]
fn lines_after_a_quoted_cell_with_a_line_break_stay_right() {
    let text = "id,who,kind,at,lines,repo\nr1,alice,review,2027-01-05,1,\"core\nand more\"\nr2,bob,review,2027-01-06,x,core\n";
    let errors = read_log(&schema(), &SourceFile::new("log.csv", text), LogFormat::Csv)
        .expect_err("an error");
    let found: Vec<_> = errors
        .errors
        .iter()
        .map(|e| (e.line, e.column, e.value()))
        .collect();
    assert_eq!(found, [(4, 26, Some("x"))]);
}

#[test]
fn json_error_columns_count_characters() {
    let text = "{\"id\": \"r1\", \"who\": \"Zoë\", \"kind\": \"like\", \"at\": \"2027-01-05\"}\n{\"who\": \"Zoë\" x}\n";
    let errors = read_log(
        &schema(),
        &SourceFile::new("log.jsonl", text),
        LogFormat::JsonLines,
    )
    .expect_err("an error");
    let found: Vec<_> = errors
        .errors
        .iter()
        .map(|e| (e.line, e.column, e.kind.code()))
        .collect();
    assert_eq!(found, [(2, 15, "meed::malformed_json")]);
}

#[test]
fn unknown_people_in_json_lines_point_at_the_who_value() {
    let text = "{\"id\": \"l1\", \"who\": \"alice\", \"kind\": \"like\", \"at\": \"2027-01-05\"}\n\n{\"id\": \"l2\", \"kind\": \"like\", \"who\": \"bobby\", \"at\": \"2027-01-04\"}\n";
    let source = SourceFile::new("log.jsonl", text);
    let (log, _) = read_log(&schema(), &source, LogFormat::JsonLines).expect("a valid log");
    let roster = read_roster(
        &schema(),
        &SourceFile::new("people.jsonl", "{\"who\": \"alice\", \"status\": \"employee\", \"team\": \"core\"}\n{\"who\": \"bob\", \"status\": \"volunteer\", \"team\": \"docs\"}"),
        LogFormat::JsonLines,
    )
    .expect("a valid roster");
    let errors = check_people(&log, &source, &roster).expect_err("an unknown person");
    let found: Vec<_> = errors
        .errors
        .iter()
        .map(|e| (e.line, e.column, e.value(), e.help_text()))
        .collect();
    assert_eq!(
        found,
        [(
            3,
            37,
            Some("bobby"),
            Some("did you mean `bob`? add `bobby` to the roster, or correct the name in the log")
        )]
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn on_any_cell(text in "\\PC{0,24}") {
            for ty in [Type::Int, Type::Decimal, Type::Bool, Type::Timestamp, Type::Duration, Type::Money(eur()), Type::Points] {
                let _ = cell(&ty, &text);
            }
        }

        #[test]
        fn on_any_log(text in "[a-z0-9,\"{}:\\[\\] \\n\\r-]{0,80}") {
            for format in [LogFormat::Csv, LogFormat::JsonLines] {
                let source = SourceFile::new("log", format!("id,who,kind,at,lines,repo\n{text}"));
                if let Err(errors) = read_log(&schema(), &source, format) {
                    let _ = render_plain(&errors);
                }
            }
        }

        #[test]
        fn minutes_read_back(minutes in -100_000i64..100_000, hundredths in 0u32..100) {
            let exact = Decimal::new(minutes * 100 + i64::from(hundredths) * minutes.signum().max(1), 2);
            let written = format!("{exact}min");
            prop_assert_eq!(cell(&Type::Duration, &written), Ok(Value::Duration(exact)));
        }
    }
}

#[test]
fn many_errors_are_capped_with_a_count_of_the_rest() {
    let mut text = String::from("id,who,kind,at\n");
    for i in 0..62 {
        text.push_str(&format!("r{i},alice,nope,2027-01-05\n"));
    }
    let Err(errors) = read_log(&schema(), &SourceFile::new("big.csv", text), LogFormat::Csv) else {
        unreachable_log(None);
    };
    assert_eq!(errors.errors.len(), 62);
    let rendered = render_plain(&errors);
    assert!(
        rendered.contains("the log `big.csv` has 62 bad records; no ledger was computed"),
        "{rendered}"
    );
    assert!(rendered.contains("... and 12 more"), "{rendered}");
    assert_eq!(rendered.matches("meed::unknown_kind").count(), 50);
}

// ---- one snapshot per bad file -----------------------------------------

/// Reads a bad log (and its roster from `rosters/`, if any) and renders
/// every error, as a person would see them.
fn render_bad_log(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
    let bytes = std::fs::read(path).unwrap_or_default();
    let source = match decode(name, bytes) {
        Ok(source) => source,
        Err(error) => return render_plain(&error),
    };
    let format = LogFormat::from_path(path).unwrap_or(LogFormat::Csv);
    let (log, warnings) = match read_log(&schema(), &source, format) {
        Ok(read) => read,
        Err(errors) => return render_plain(&errors),
    };
    let roster_path = path
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("rosters").join(name));
    let Some(roster_text) = roster_path.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return format!("no error; {} warnings", warnings.len());
    };
    let roster = match read_roster(
        &schema(),
        &SourceFile::new("people.csv", roster_text),
        LogFormat::Csv,
    ) {
        Ok(roster) => roster,
        Err(errors) => return render_plain(&errors),
    };
    match check_people(&log, &source, &roster) {
        Ok(()) => "no error".to_string(),
        Err(errors) => render_plain(&errors),
    }
}

#[test]
fn bad_logs() {
    insta::glob!("inputs/input/bad/*.{csv,jsonl}", |path| {
        insta::assert_snapshot!(render_bad_log(path));
    });
}

#[test]
fn bad_rosters() {
    insta::glob!("inputs/input/bad_roster/*.csv", |path| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("people.csv");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let rendered = match read_roster(&schema(), &SourceFile::new(name, text), LogFormat::Csv) {
            Ok(_) => "no error".to_string(),
            Err(errors) => render_plain(&errors),
        };
        insta::assert_snapshot!(rendered);
    });
}

// ---- the fast reader against the careful one ----------------------------

fn community() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| fast_reader::schema().unwrap())
}

/// The fast reader's records (`None`: it stepped aside), checked against
/// the careful reader's.
fn fast(log: &[u8], chunk: usize) -> Option<usize> {
    fast_reader::fast_matches_careful(community(), log, chunk)
        .unwrap_or_else(|e| panic!("{e}"))
        .fast
        .map(|records| records.len())
}

/// Issue 17 item 1: a line one record long and exactly 1 MiB, followed on
/// the same line by a second record, was cut at the chunk end into two
/// records (the second one smuggled out of the first one's last cell).
#[test]
fn a_line_over_the_limit_is_never_cut_into_records() {
    let mut line = b"r1,alice,review,2027-01-05T10:00:00Z,5,".to_vec();
    let header = b"id,who,kind,at,lines,repo\n";
    line.resize(meed::input::MAX_LINE_BYTES, b'a');
    let mut log = header.to_vec();
    log.extend_from_slice(&line);
    log.extend_from_slice(b"r2,bob,review,2027-01-06T10:00:00Z,1000000,core\n");
    let schema = schema();
    let records = meed::input::fast::read_records(
        &meed::input::fast::LogInput::from_bytes(log.clone(), meed::input::fast::CHUNK),
        &schema,
    );
    assert!(records.is_err(), "{:?}", records.map(|r| r.len()));
    let errors = read_log(&schema, &decode("log.csv", log).unwrap(), LogFormat::Csv).unwrap_err();
    assert_eq!(errors.errors[0].kind.code(), "meed::line_too_long");
}

/// A line exactly at the limit is read by both readers, whatever the chunk
/// size; one byte more and the fast reader steps aside for the careful
/// one's `meed::line_too_long`.
#[test]
fn lines_at_and_past_the_limit_read_alike_in_every_chunk_size() {
    let limit = meed::input::MAX_LINE_BYTES;
    for over in [0, 1] {
        for quoted in [false, true] {
            let mut first = format!(
                "{}\nr1,ada,review,2027-01-05T10:00:00Z,5,",
                fast_reader::HEADER
            )
            .into_bytes();
            let start = fast_reader::HEADER.len() + 1;
            let (open, close) = if quoted { ("\"", "\"") } else { ("", "") };
            first.extend_from_slice(open.as_bytes());
            let rest = format!("{close},,,,,,,,");
            first.resize(start + limit + over - rest.len(), b'a');
            first.extend_from_slice(rest.as_bytes());
            assert_eq!(first.len() - start, limit + over);
            first.extend_from_slice(b"\nr2,ben,review,2027-01-06T10:00:00Z,7,core,,,,,,,,\n");
            for chunk in [meed::input::fast::CHUNK, limit - 1, limit + 1, 4096, 7] {
                let outcome =
                    fast_reader::fast_matches_careful(community(), &first, chunk).unwrap();
                if over == 0 {
                    assert_eq!(outcome.careful.as_ref().map(Vec::len), Ok(2));
                    assert_eq!(outcome.fast.map(|r| r.len()), Some(2), "chunk {chunk}");
                } else {
                    assert!(outcome.careful.is_err());
                    assert!(outcome.fast.is_none(), "chunk {chunk}");
                }
            }
        }
    }
}

/// A header line exactly at the 1 MiB limit (a long name of a column no
/// kind declares) stays on the fast path; one byte more and both readers
/// refuse it. A header with no line end at all is read to the file's end.
#[test]
fn header_lines_at_and_past_the_limit_and_without_an_end() {
    let limit = meed::input::MAX_LINE_BYTES;
    for over in [0, 1] {
        let mut header = format!("{},", fast_reader::HEADER).into_bytes();
        header.resize(limit + over, b'x');
        let mut log = header;
        log.extend_from_slice(b"\nr1,ada,review,2027-01-05T10:00:00Z,5,core,,,,,,,,,\n");
        for chunk in [meed::input::fast::CHUNK, 4096] {
            let outcome = fast_reader::fast_matches_careful(community(), &log, chunk).unwrap();
            if over == 0 {
                assert_eq!(outcome.careful.as_ref().map(Vec::len), Ok(1));
                assert_eq!(outcome.fast.map(|r| r.len()), Some(1), "chunk {chunk}");
            } else {
                assert!(outcome.careful.is_err());
                assert!(outcome.fast.is_none(), "chunk {chunk}");
            }
        }
    }
    // A lone `\r` ends the header for the careful reader (CSV takes it for
    // a line end), even inside the name of a column no kind declares.
    let log = format!(
        "{},x\ry\nr1,ada,review,2027-01-05T10:00:00Z,5,core,,,,,,,,,\n",
        fast_reader::HEADER
    );
    let outcome = fast_reader::fast_matches_careful(community(), log.as_bytes(), 64).unwrap();
    assert!(outcome.careful.is_err());
    assert!(outcome.fast.is_none());
    // Quoted names of columns no kind declares, one with a doubled quote:
    // the fast reader names them as the careful one does in its warnings.
    let log = format!(
        "{},\"x\"\"y\",\"plain\"\nr1,ada,review,2027-01-05T10:00:00Z,5,core,,,,,,,,,,\n",
        fast_reader::HEADER
    );
    let outcome = fast_reader::fast_matches_careful(community(), log.as_bytes(), 64).unwrap();
    assert_eq!(outcome.fast.map(|r| r.len()), Some(1));
    for log in [fast_reader::HEADER.to_string(), "x".repeat(5000)] {
        // Agrees with the careful reader (which `unwrap` checks), and ends.
        let outcome = fast_reader::fast_matches_careful(community(), log.as_bytes(), 64).unwrap();
        assert!(outcome.fast.is_none_or(|records| records.is_empty()));
    }
}

/// Two records with one id are refused by the careful reader, so the fast
/// reader steps aside for it, wherever the pair falls: alone, first, last.
#[test]
fn a_duplicate_id_always_leaves_the_fast_path() {
    let row =
        |id: &str, day: u32| format!("{id},ada,review,2027-01-{day:02}T10:00:00Z,5,core,,,,,,,,\n");
    for rows in [
        vec![row("r1", 5), row("r1", 6)],
        vec![row("r1", 5), row("r2", 6), row("r1", 7)],
        vec![row("a", 5), row("zz", 6), row("zz", 7)],
    ] {
        let log = format!("{}\n{}", fast_reader::HEADER, rows.concat());
        for chunk in [7, 64, 4096] {
            assert_eq!(fast(log.as_bytes(), chunk), None, "chunk {chunk}: {log}");
        }
    }
}

/// A log with quoted cells on every line is cut into many chunks (the end
/// of the last whole record is found inside each), never read whole.
#[test]
fn quoted_logs_are_read_in_many_chunks() {
    use meed::input::fast::{LogInput, Pass, stream_sorted};
    let rows: String = (0..200)
        .map(|i| {
            format!(
                "\"r{i:03}\",\"smith, john\",review,2027-01-05T10:{:02}:{:02}Z,5,\"a \"\"b\"\"\nc\",,,,,,,,\n",
                i / 60,
                i % 60
            )
        })
        .collect();
    let log = format!("{}\n{rows}", fast_reader::HEADER);
    let input = LogInput::from_bytes(log.into_bytes(), 256);
    let mut records = 0;
    let pass = stream_sorted(
        &input,
        community(),
        &mut |_| {
            records += 1;
            Ok(())
        },
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(records, 200);
    match pass {
        Pass::Done { chunks, .. } => assert!(chunks > 40, "{chunks} chunks"),
        Pass::Unsorted => panic!("the log is sorted"),
    }
}

/// JSON numbers as the fast reader finds their end: every form JSON allows
/// is read (a declared `Int` cell) or skipped (a key no kind declares) on
/// the fast path, exactly as the careful reader reads it; what JSON does
/// not allow (`01`, `1.`, `.5`, `1e`, `-`, `12x`) leaves the fast path.
#[test]
fn json_numbers_end_where_json_says() {
    let line = |lines: &str, note: &str| {
        format!(
            "{{\"id\":\"r1\",\"who\":\"ada\",\"kind\":\"review\",\"at\":\"2027-01-05\",\"lines\":{lines},\"repo\":\"core\",\"note\":{note} }}\n"
        )
    };
    let valid = [
        "0", "7", "12", "-12", "-0", "0.5", "-0.25", "12.50", "1e3", "1E+2", "2.5e-3", "-1.5E10",
    ];
    for note in valid {
        for log in [line("12", note), line("-3", note)] {
            for chunk in [7, 4096] {
                let outcome = fast_reader::fast_matches_careful_as(
                    community(),
                    log.as_bytes(),
                    chunk,
                    LogFormat::JsonLines,
                )
                .unwrap_or_else(|e| panic!("{log}: {e}"));
                assert_eq!(outcome.fast.map(|r| r.len()), Some(1), "{log}");
            }
        }
    }
    for note in [
        "01", "1.", ".5", "1e", "1e+", "-", "12x", "1.5.2", "--1", "+1",
    ] {
        let log = line("12", note);
        let outcome = fast_reader::fast_matches_careful_as(
            community(),
            log.as_bytes(),
            7,
            LogFormat::JsonLines,
        )
        .unwrap_or_else(|e| panic!("{log}: {e}"));
        assert!(outcome.careful.is_err(), "{log}");
        assert!(outcome.fast.is_none(), "{log}");
    }
}

/// Cells that start or end with white space beyond ASCII (U+2000 ends in
/// the byte 0x80, U+3000 too) are trimmed as the careful reader trims them.
#[test]
fn cells_are_trimmed_of_unicode_white_space() {
    for space in ['\u{2000}', '\u{3000}', '\u{a0}', ' '] {
        let log = format!(
            "{}\nr1,ada{space},review,2027-01-05T10:00:00Z,5{space},{space}core{space},,,,,,,,\n",
            fast_reader::HEADER
        );
        for chunk in [7, 4096] {
            assert_eq!(
                fast(log.as_bytes(), chunk),
                Some(1),
                "{space:?} chunk {chunk}"
            );
        }
    }
}

/// A line of exactly 1 MiB ended by `\r\n` is at the limit (its line end
/// is not counted), and stays on the fast path.
#[test]
fn a_crlf_line_at_the_limit_stays_on_the_fast_path() {
    let limit = meed::input::MAX_LINE_BYTES;
    let mut line = b"r1,ada,review,2027-01-05T10:00:00Z,5,".to_vec();
    let rest = b",,,,,,,,";
    line.resize(limit - rest.len(), b'a');
    line.extend_from_slice(rest);
    assert_eq!(line.len(), limit);
    let mut log = format!("{}\r\n", fast_reader::HEADER).into_bytes();
    log.extend_from_slice(&line);
    log.extend_from_slice(b"\r\nr2,ben,review,2027-01-06T10:00:00Z,7,core,,,,,,,,\r\n");
    for chunk in [meed::input::fast::CHUNK, 4096] {
        assert_eq!(fast(&log, chunk), Some(2), "chunk {chunk}");
    }
}

/// A record of several lines (a quoted cell with line breaks) longer in
/// all than the 1 MiB limit, though each of its lines is shorter: the two
/// readers agree on it.
#[test]
fn a_record_of_short_lines_longer_than_the_limit_reads_alike() {
    let half = "a".repeat(meed::input::MAX_LINE_BYTES / 2 + 10);
    let log = format!(
        "{}\nr1,ada,review,2027-01-05T10:00:00Z,5,\"{half}\n{half}\",,,,,,,,\n",
        fast_reader::HEADER
    );
    for chunk in [meed::input::fast::CHUNK, 4096] {
        fast_reader::fast_matches_careful(community(), log.as_bytes(), chunk)
            .unwrap_or_else(|e| panic!("chunk {chunk}: {e}"));
    }
}

/// A row of empty cells (as many as the header has, or not) is skipped by
/// both readers, and stays on the fast path; a row of quoted empty cells, a ragged row or a row without its
/// `who` is for the careful reader to report.
#[test]
fn blank_ragged_and_incomplete_rows() {
    let first = "r1,ada,review,2027-01-05T10:00:00Z,5,core,,,,,,,,\n";
    let last = "r2,ben,review,2027-01-06T10:00:00Z,7,core,,,,,,,,\n";
    let blank = format!(
        "{}\n{first},,,,,,,,,,,,,\n , ,,,,,,,,,,,,\n{last}",
        fast_reader::HEADER
    );
    for chunk in [7, 4096] {
        assert_eq!(fast(blank.as_bytes(), chunk), Some(2), "chunk {chunk}");
    }
    for odd in [
        "\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n",
        "\"\",,,,,,,,,,,,,\n",
        "r3,ada,review\n",
        "r3,,review,2027-01-05T11:00:00Z,5,core,,,,,,,,\n",
        "r3,ada,review,2027-01-05T11:00:00Z,5,,,,,,,,,\n",
    ] {
        let log = format!("{}\n{first}{odd}{last}", fast_reader::HEADER);
        for chunk in [7, 4096] {
            assert_eq!(fast(log.as_bytes(), chunk), None, "chunk {chunk}: {odd}");
        }
    }
}

/// Timestamps in the shape the fast reader parses by hand
/// (`YYYY-MM-DDTHH:MM:SSZ`), across days, months and a leap day, give the
/// careful reader's instants; the same shape with a bad date or time, or
/// other separators, is for the careful reader to report.
#[test]
fn hand_parsed_timestamps_read_as_the_careful_reader_reads_them() {
    let stamps = [
        "2027-01-05T10:00:00Z",
        "2027-01-05T23:59:59Z",
        "2027-01-06T00:00:00Z",
        "2027-02-28T12:34:56Z",
        "2027-12-31T09:08:07Z",
        "2028-02-29T01:02:03Z",
        "2028-03-01T00:00:01Z",
    ];
    let rows: String = stamps
        .iter()
        .enumerate()
        .map(|(i, at)| format!("r{i},ada,review,{at},5,core,,,,,,,,\n"))
        .collect();
    let log = format!("{}\n{rows}", fast_reader::HEADER);
    for chunk in [7, 4096] {
        assert_eq!(
            fast(log.as_bytes(), chunk),
            Some(stamps.len()),
            "chunk {chunk}"
        );
    }
    for bad in [
        "2027/01/05T10:00:00Z",
        "2027-13-05T10:00:00Z",
        "2027-02-30T10:00:00Z",
        "2027-01-05T24:00:00Z",
        "2027-01-05T10:60:00Z",
        "2027-01-05T10-00-00Z",
    ] {
        let log = format!(
            "{}\nr0,ada,review,2027-01-04T10:00:00Z,5,core,,,,,,,,\nr1,ada,review,{bad},5,core,,,,,,,,\n",
            fast_reader::HEADER
        );
        let outcome = fast_reader::fast_matches_careful(community(), log.as_bytes(), 4096)
            .unwrap_or_else(|e| panic!("{bad}: {e}"));
        assert!(outcome.fast.is_none(), "{bad}");
    }
}

/// Whole numbers past the 18 digits the fast reader adds up by hand go to
/// the careful reader's parser: `i64::MAX` is read, one more digit is
/// refused, never wrapped around.
#[test]
fn whole_numbers_past_eighteen_digits() {
    let row = |lines: &str| {
        format!(
            "{}\nr1,ada,review,2027-01-05T10:00:00Z,{lines},core,,,,,,,,\n",
            fast_reader::HEADER
        )
    };
    for (lines, read) in [
        ("999999999999999999", true),
        ("-999999999999999999", true),
        ("9223372036854775807", true),
        ("99999999999999999999", false),
        ("-99999999999999999999", false),
    ] {
        let outcome = fast_reader::fast_matches_careful(community(), row(lines).as_bytes(), 4096)
            .unwrap_or_else(|e| panic!("{lines}: {e}"));
        assert_eq!(outcome.careful.is_ok(), read, "{lines}");
        assert_eq!(outcome.fast.is_some(), read, "{lines}");
    }
}

/// Money amounts the fast reader reads by hand (digits, a point, digits;
/// 18 digits at most) keep every digit and their scale, as the careful
/// reader reads them; the rest go to its parser or are refused alike.
#[test]
fn plain_money_amounts_read_as_the_careful_reader_reads_them() {
    let policy = "policy \"sales\" { timezone \"UTC\" }\n\
                  contribution sale { amount: Money(EUR) }\n\
                  reward paid: Money(EUR)\n\
                  rule commission { on sale s  grant paid s.amount }\n";
    let compiled = meed::pipeline::compile_policy(&SourceFile::new("sales.meed", policy)).unwrap();
    let amounts = [
        "0",
        "7",
        "12.5",
        "12.50",
        "0.01",
        "1234.5678",
        "999999999999999999",
        "99999999999999999.9",
        "9999999999999999999",
        "1.0000000000000000001",
        "12.",
        ".5",
        "1,5",
        "-3.25",
        "+3",
        " 4.20 ",
    ];
    for amount in amounts {
        let log = format!("id,who,kind,at,amount\nr1,ada,sale,2027-01-05T10:00:00Z,{amount}\n");
        let outcome = fast_reader::fast_matches_careful(&compiled.schema, log.as_bytes(), 4096)
            .unwrap_or_else(|e| panic!("{amount}: {e}"));
        if outcome.careful.is_ok() {
            assert!(outcome.fast.is_some(), "{amount} left the fast path");
        }
    }
}

/// The messages of the warnings the fast reader gives about a JSON Lines
/// log (read in chunks of `chunk` bytes), in order.
fn fast_json_warnings(log: String, chunk: usize) -> Vec<String> {
    let input = meed::input::fast::LogInput::from_bytes(log.into_bytes(), chunk)
        .with_format(LogFormat::JsonLines);
    meed::input::fast::read_records(&input, community()).unwrap();
    let warnings = meed::input::fast::log_warnings(&input, community(), "log.jsonl").unwrap();
    warnings
        .warnings
        .iter()
        .map(|w| w.message.clone())
        .collect()
}

/// Quoted cells (RFC 4180) stay on the fast path: commas, doubled quotes
/// and line breaks inside quotes, in ids, names and fields, across chunk
/// boundaries of every size.
#[test]
fn quoted_cells_are_read_by_the_fast_reader() {
    let log = format!(
        "{}\r\n\"r1\",\"smith, john\",review,\"2027-01-05T10:00:00Z\",\"12\",\"a \"\"b\"\"\nc\",,,,,,,,\r\n\
         \"r\"\"2\",\"o\"\"brien\",\"translation\",2027-01-06,,,,,,,\"300\",\" fr, \"\"ca\"\" \",,\n\
         r3,\"ada\",talk,2027-01-07T10:00:00+02:00,,,,,,,,,\"50\",\"true\"",
        fast_reader::HEADER
    );
    for chunk in 1..=log.len() + 1 {
        assert_eq!(fast(log.as_bytes(), chunk), Some(3), "chunk {chunk}");
    }
    let records = meed::input::fast::read_records(
        &meed::input::fast::LogInput::from_bytes(log.into_bytes(), 5),
        community(),
    )
    .unwrap();
    assert_eq!(records[0].who, "smith, john");
    assert_eq!(records[0].fields[1], Value::Text("a \"b\"\nc".into()));
    assert_eq!(
        (records[1].id.as_str(), records[1].who.as_str()),
        ("r\"2", "o\"brien")
    );
    assert_eq!(records[1].fields[1], Value::Text("fr, \"ca\"".into()));
}

/// Quotes RFC 4180 does not allow, and a quote never closed: the fast
/// reader steps aside, and the careful reader reads or reports them.
#[test]
fn stray_quotes_leave_the_fast_path() {
    for body in [
        "r1,a\"da,question,2027-01-05,,,,,,true,,,,\n",
        "r1,\"ada\"x,question,2027-01-05,,,,,,true,,,,\n",
        "r1, \"ada\",question,2027-01-05,,,,,,true,,,,\n",
        "r1,\"ada,question,2027-01-05,,,,,,true,,,,\n",
        "r1,ada,question,2027-01-05,,,,,,true,,,,\"\n",
    ] {
        let log = format!(
            "{}\n{body}r2,ben,question,2027-01-06,,,,,,true,,,,\n",
            fast_reader::HEADER
        );
        for chunk in [1, 3, 16, 1 << 20] {
            assert_eq!(
                fast(log.as_bytes(), chunk),
                None,
                "{body:?} in chunks of {chunk}"
            );
        }
    }
}

/// Names that would run as a formula in a spreadsheet or split an output
/// row are refused by both readers: the fast one steps aside for the
/// careful one's located error.
#[test]
fn unsafe_names_are_refused_by_both_readers() {
    for who in [
        "=HYPERLINK(\"\"x\"\")",
        "+1",
        "-bob",
        "@team",
        "ali\nce",
        "a\tb",
        "a\u{7f}",
    ] {
        let log = format!(
            "{}\nr1,\"{who}\",question,2027-01-05,,,,,,true,,,,\n",
            fast_reader::HEADER
        );
        let outcome =
            fast_reader::fast_matches_careful(community(), log.as_bytes(), 1 << 20).unwrap();
        assert!(
            outcome.fast.is_none() && outcome.careful.is_err(),
            "{who:?}"
        );
        let source = SourceFile::new("log.csv", log);
        let errors = read_log(community(), &source, LogFormat::Csv).unwrap_err();
        assert_eq!(errors.errors[0].kind.code(), "meed::unsafe_name", "{who:?}");
        assert_eq!((errors.errors[0].line, errors.errors[0].column), (2, 4));
    }
    for who in ["smith, john", "jean-luc", "o\"\"brien", "Zoë"] {
        let log = format!(
            "{}\nr1,\"{who}\",question,2027-01-05,,,,,,true,,,,\n",
            fast_reader::HEADER
        );
        assert_eq!(fast(log.as_bytes(), 1 << 20), Some(1), "{who:?}");
    }
}

/// Inputs that once made the readers disagree (found by the proptests
/// below or the `fast_reader` fuzz target), through the fuzz target's own
/// shaping: `tests/inputs/regressions/README.md` says what each pins.
#[test]
fn fast_reader_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/regressions/fast_reader");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let (log, chunk) = fast_reader::shape(&std::fs::read(&path).unwrap());
        fast_reader::fast_matches_careful(community(), &log, chunk)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// The `fast_reader_jsonl` fuzz target's seeds (`fuzz/seeds/`): the
/// property holds on each.
#[test]
fn fast_reader_jsonl_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/fast_reader_jsonl");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut accepted = 0;
    for path in files {
        let (log, chunk) = fast_reader::shape_jsonl(&std::fs::read(&path).unwrap());
        let outcome =
            fast_reader::fast_matches_careful_as(community(), &log, chunk, LogFormat::JsonLines)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        accepted += usize::from(outcome.fast.is_some());
    }
    assert!(accepted >= 1, "the community seed stays on the fast path");
}

/// A value no kind declares is skipped by the fast JSON reader; it used to
/// skip `"\\1"` (not a JSON escape) where the careful reader refuses the
/// line. Found by `the_fast_reader_never_accepts_json_the_careful_one_would_not`.
#[test]
fn a_bad_escape_in_an_undeclared_json_value_is_not_accepted() {
    for bad in [r#"\1"#, r#"\u12"#, r#"\ud800"#] {
        let log = format!(
            "{{\"id\": \"m1\", \"kind\": \"mentoring\", \"who\": \"ada\", \"at\": \"2027-01-01T00:00:00Z\", \"duration\": \"100min\", \"note\": \"{bad}\"}}\n"
        );
        for chunk in [1, 7, 64] {
            let outcome = fast_reader::fast_matches_careful_as(
                community(),
                log.as_bytes(),
                chunk,
                LogFormat::JsonLines,
            )
            .unwrap_or_else(|e| panic!("{bad}: {e}"));
            assert!(outcome.fast.is_none(), "{bad}: the fast reader accepted it");
        }
    }
}

// ---- the binary: the line limit on both paths, pipes and FIFOs ---------

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs meed with `stdin` (if any) written to its standard input; gives
/// up after a minute (a FIFO read twice used to hang forever).
fn meed(args: &[&std::ffi::OsStr], stdin: Option<Vec<u8>>) -> (String, String, Option<i32>) {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .env_remove("MEED_NO_STREAM")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()));
    let Ok(out) = receiver.recv_timeout(std::time::Duration::from_secs(60)) else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("meed {args:?} hangs");
    };
    let out = out.unwrap();
    if let Some(writer) = writer {
        writer.join().unwrap();
    }
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// Issue 17 item 1 through the binary: `--format csv` (the fast path)
/// paid bob 1,000,000 from a record smuggled out of alice's `repo` cell,
/// where `--format json` (the careful path) said `line_too_long`.
#[test]
fn a_line_over_the_limit_is_refused_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    let mut line = b"r1,alice,review,2027-01-05T10:00:00Z,5,".to_vec();
    line.resize(meed::input::MAX_LINE_BYTES, b'a');
    let mut text = b"id,who,kind,at,lines,repo\n".to_vec();
    text.extend_from_slice(&line);
    text.extend_from_slice(b"r2,bob,review,2027-01-06T10:00:00Z,1000000,core\n");
    std::fs::write(&log, text).unwrap();
    // Streams without a roster, so `csv` takes the fast path.
    let policy = root().join("tests/inputs/input/review_pay.meed");
    for format in ["csv", "json", "table"] {
        let (stdout, stderr, code) = meed(
            &[
                os("eval"),
                policy.as_os_str(),
                log.as_os_str(),
                os("--format"),
                os(format),
            ],
            None,
        );
        assert_eq!(code, Some(1), "{format}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{format}: {stdout}");
        assert!(stderr.contains("meed::line_too_long"), "{format}: {stderr}");
        assert!(
            stderr.contains("line 2 is 1048623 bytes long"),
            "{format}: {stderr}"
        );
    }
}

/// A log or roster that can be read only once (standard input, `-`, a
/// FIFO) gives what the same file gives: the fast path and, when it steps
/// aside, the careful reader read one copy.
#[test]
fn pipes_and_fifos_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let policy = root().join("rules/community.meed");
    let people = root().join("examples/community/people.csv");
    let example = std::fs::read(root().join("examples/community/log.csv")).unwrap();
    // The example log is not in time order (the fast path reads it twice);
    // the second one has a quoted cell with a line break, the third a bad
    // record (the careful reader reports it).
    let mut quoted = example.clone();
    quoted.extend_from_slice(b"z-1,ada,review,2027-03-02T10:00:00Z,3,\"we\nb\",,,,,,,,\n");
    let mut bad = example.clone();
    bad.extend_from_slice(b"z-1,ada,reveiw,2027-03-02T10:00:00Z,3,web,,,,,,,,\n");
    for (name, log) in [("example", example), ("quoted", quoted), ("bad", bad)] {
        let file = dir.path().join(format!("{name}.csv"));
        std::fs::write(&file, &log).unwrap();
        for format in ["csv", "json"] {
            let expected = meed(
                &[
                    os("eval"),
                    policy.as_os_str(),
                    file.as_os_str(),
                    os("--people"),
                    people.as_os_str(),
                    os("--format"),
                    os(format),
                ],
                None,
            );
            let expected_out = (expected.0.clone(), expected.2);
            assert_eq!(
                expected.2,
                Some(if name == "bad" { 1 } else { 0 }),
                "{}",
                expected.1
            );
            for stdin in ["/dev/stdin", "-"] {
                let (stdout, stderr, code) = meed(
                    &[
                        os("eval"),
                        policy.as_os_str(),
                        os(stdin),
                        os("--format-in"),
                        os("csv"),
                        os("--people"),
                        people.as_os_str(),
                        os("--format"),
                        os(format),
                    ],
                    Some(log.clone()),
                );
                assert_eq!(
                    (stdout, code),
                    expected_out,
                    "{name} {format} {stdin}: {stderr}"
                );
                if name == "bad" {
                    assert!(
                        stderr.contains("unknown contribution kind `reveiw`"),
                        "{stderr}"
                    );
                }
            }
            // A FIFO for the log and another for the roster.
            let fifo = dir.path().join(format!("{name}-{format}-log.csv"));
            let roster = dir.path().join(format!("{name}-{format}-people.csv"));
            for path in [&fifo, &roster] {
                let made = std::process::Command::new("mkfifo")
                    .arg(path)
                    .status()
                    .unwrap();
                assert!(made.success());
            }
            let feed = |path: std::path::PathBuf, bytes: Vec<u8>| {
                std::thread::spawn(move || {
                    if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
                        let _ = std::io::Write::write_all(&mut f, &bytes);
                    }
                })
            };
            let writers = [
                feed(fifo.clone(), log.clone()),
                feed(roster.clone(), std::fs::read(&people).unwrap()),
            ];
            let (stdout, stderr, code) = meed(
                &[
                    os("eval"),
                    policy.as_os_str(),
                    fifo.as_os_str(),
                    os("--people"),
                    roster.as_os_str(),
                    os("--format"),
                    os(format),
                ],
                None,
            );
            // Unblock a writer meed never opened (it would wait forever).
            for path in [&fifo, &roster] {
                let _ = std::fs::OpenOptions::new()
                    .read(true)
                    .custom_flags(libc_nonblock())
                    .open(path);
            }
            for w in writers {
                w.join().unwrap();
            }
            assert_eq!(
                (stdout, code),
                expected_out,
                "{name} {format} FIFO: {stderr}"
            );
        }
    }
}

/// `meed eval` streams the community log written as quoted CSV with a
/// column no kind declares, and as JSON Lines (shuffled, with a key no kind
/// declares): the same ledger and the same messages, warnings included (as
/// people and as JSON), as the careful path, and it does not step aside.
#[test]
fn eval_streams_quoted_csv_and_json_lines_like_the_careful_path() {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("examples/community");
    let mut reader = csv::Reader::from_path(example.join("log.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let quote = |cells: &[String]| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut quoted = format!("{},\"url\"\r\n", quote(&header));
    for row in &rows {
        quoted.push_str(&format!("{},\"https://x/, \"\"y\"\"\"\r\n", quote(row)));
    }
    let mut jsonl = String::new();
    for (i, row) in rows.iter().enumerate().rev() {
        let mut entries: Vec<String> = header
            .iter()
            .zip(row)
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(key, cell)| format!("{key:?}: {}", serde_json::to_string(cell).unwrap()))
            .collect();
        if i % 7 == 3 {
            entries.push("\"note\": \"seen\"".to_string());
        }
        jsonl.push_str(&format!("{{{}}}\n", entries.join(", ")));
    }
    let policy = root().join("rules/community.meed");
    let people = example.join("people.csv");
    let logs = [("log.csv", quoted), ("log.jsonl", jsonl)];
    for (name, text) in logs {
        let log = dir.path().join(name);
        std::fs::write(&log, text).unwrap();
        for diagnostics in ["human", "json"] {
            let args: Vec<&std::ffi::OsStr> = vec![
                "eval".as_ref(),
                policy.as_os_str(),
                log.as_os_str(),
                "--people".as_ref(),
                people.as_os_str(),
                "--format".as_ref(),
                "csv".as_ref(),
                "--diagnostics".as_ref(),
                diagnostics.as_ref(),
            ];
            let streamed = meed_with(&args, &[("MEED_TRACE_STREAM", "1")]);
            let careful = meed_with(&args, &[("MEED_NO_STREAM", "1")]);
            assert!(
                !streamed.1.contains("stepped aside"),
                "{name}: {}",
                streamed.1
            );
            assert_eq!(streamed, careful, "{name} {diagnostics}");
            assert_eq!(streamed.2, Some(0), "{name}: {}", streamed.1);
            assert!(
                streamed.1.contains("meed::unknown_column"),
                "{}",
                streamed.1
            );
        }
    }
}

/// Runs meed with `env` set; its output, messages and exit code.
fn meed_with(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> (String, String, Option<i32>) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_meed"));
    command.args(args).env_remove("MEED_NO_STREAM");
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// `O_NONBLOCK`: opening a FIFO for reading without waiting for a writer.
fn libc_nonblock() -> i32 {
    0o4000
}

/// Columns no kind declares stay on the fast path: their cells are skipped
/// (quoted or not, empty-named columns too), and the fast reader gives the
/// careful reader's `meed::unknown_column` warnings, one per column,
/// rendered and placed alike.
#[test]
fn undeclared_columns_are_skipped_with_the_careful_readers_warnings() {
    use meed::input::fast::{LogInput, log_warnings, read_records};
    use meed::render::diagnostic::JsonDiagnostic;
    let log = format!(
        "{}id,url,{},\r\n\
         r1,\"https://x, y\",ada,review,2027-01-05T10:00:00Z,12,core,,,,,,,,,\r\n\
         r2,,ben,question,2027-01-06T10:00:00Z,,,,,,true,,,,,\"\"\r\n",
        '\u{feff}',
        fast_reader::HEADER.trim_start_matches("id,")
    );
    for chunk in [1, 7, 64, meed::input::fast::CHUNK] {
        assert_eq!(fast(log.as_bytes(), chunk), Some(2), "chunk {chunk}");
    }
    let input = LogInput::from_bytes(log.clone().into_bytes(), 16);
    assert_eq!(read_records(&input, community()).unwrap().len(), 2);
    let fast_warnings = log_warnings(&input, community(), "log.csv").unwrap();
    let source = decode("log.csv", log.into_bytes()).unwrap();
    let (_, careful) = read_log(community(), &source, LogFormat::Csv).unwrap();
    assert_eq!(careful.len(), 2, "`url` and the column without a name");
    assert_eq!(fast_warnings.warnings.len(), 2);
    for (fast, careful) in fast_warnings.warnings.iter().zip(&careful) {
        assert_eq!(fast.code, "meed::unknown_column");
        assert_eq!(render_plain(fast), render_plain(careful));
        assert_eq!(
            JsonDiagnostic::new(fast, &fast_warnings.source),
            JsonDiagnostic::new(careful, &source)
        );
    }
}

/// JSON Lines on the fast path: keys in any order, strings with escapes,
/// numbers and booleans as written, `null` for another kind's field, a
/// byte order mark, CRLF and blank lines; in chunks of every size, the
/// careful reader's records. What it does not take (a key no kind
/// declares, a nested value, a key twice, a bad number) steps aside.
/// Keys no kind declares on lines longer than the block the warnings'
/// head is read in (4 KiB): the fast reader's warnings are the careful
/// reader's, snippet and all, so the head reaches the end of the line
/// where the last such key first appears and the line after it. Two
/// different keys are each remembered with their first place, whatever
/// the chunks (a mixed-up key would lose the second key's warning).
#[test]
fn warnings_about_late_keys_on_long_lines_match_the_careful_reader() {
    let record = |id: &str, extra: &str| {
        format!(
            "{{\"id\":\"{id}\",\"who\":\"ada\",\"kind\":\"question\",\"at\":\"2027-01-05\",\"answered\":true{extra}}}\n"
        )
    };
    let long = |c: char| c.to_string().repeat(6000);
    let log = [
        record("r1", ""),
        record("r2", &format!(",\"url\":\"{}\"", long('a'))),
        record("r3", ""),
        record("r4", &format!(",\"note\":\"{}\",\"url\":\"x\"", long('b'))),
        record("r5", &format!(",\"note\":\"{}\"", long('c'))),
        record("r6", ""),
    ]
    .concat();
    for chunk in [1, 13, 4096, 1 << 20] {
        let outcome = fast_reader::fast_matches_careful_as(
            community(),
            log.as_bytes(),
            chunk,
            LogFormat::JsonLines,
        )
        .unwrap_or_else(|e| panic!("chunk {chunk}: {e}"));
        assert_eq!(outcome.fast.map(|r| r.len()), Some(6), "chunk {chunk}");
    }
    let shown = fast_json_warnings(log, 13);
    assert_eq!(
        shown,
        [
            "field `url` is not declared by any contribution kind",
            "field `note` is not declared by any contribution kind",
        ]
    );
}

/// The progress the fast reader reports (the bar `eval` shows on a
/// terminal) only grows, never passes the log's size and ends at it; the
/// first of the two passes over an unsorted log fills half the bar.
#[test]
fn progress_grows_to_the_whole_log() {
    use meed::input::fast::{LogInput, Pass, stream_sorted, stream_unsorted};
    let records: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "{{\"id\":\"r{i:03}\",\"who\":\"p{}\",\"kind\":\"question\",\"at\":\"2027-01-05T10:{:02}:{:02}Z\",\"answered\":true}}\n",
                i % 7,
                i / 60,
                i % 60
            )
        })
        .collect();
    let check = |seen: &[(u64, u64)], total: u64, half_by: Option<usize>| {
        assert!(seen.len() > 3, "{seen:?}");
        assert!(seen.iter().all(|&(_, t)| t == total), "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
        assert!(seen.iter().all(|&(d, _)| d <= total), "{seen:?}");
        assert_eq!(seen.last().map(|s| s.0), Some(total));
        if let Some(first_pass) = half_by {
            assert!(
                seen[..first_pass].iter().all(|&(d, _)| d <= total / 2),
                "{seen:?}"
            );
            assert_eq!(seen[first_pass - 1].0, total / 2, "{seen:?}");
        }
    };
    let sorted = records.concat();
    let total = sorted.len() as u64;
    let input = LogInput::from_bytes(sorted.into_bytes(), 512).with_format(LogFormat::JsonLines);
    let mut seen = Vec::new();
    let pass = stream_sorted(&input, community(), &mut |_| Ok(()), &mut |d, t| {
        seen.push((d, t))
    })
    .unwrap();
    assert!(matches!(pass, Pass::Done { .. }));
    check(&seen, total, None);

    // More than 65,536 records, so the second pass reports as it goes.
    let many: Vec<String> = (0..70_000)
        .map(|i| {
            format!(
                "{{\"id\":\"r{i:05}\",\"who\":\"p{}\",\"kind\":\"question\",\"at\":\"2027-01-{:02}T10:00:00Z\",\"answered\":true}}\n",
                i % 7,
                i % 28 + 1
            )
        })
        .collect();
    let unsorted: String = many.iter().rev().cloned().collect();
    let unsorted_total = unsorted.len() as u64;
    let input =
        LogInput::from_bytes(unsorted.into_bytes(), 1 << 16).with_format(LogFormat::JsonLines);
    let mut seen = Vec::new();
    stream_unsorted(&input, community(), &mut |_| Ok(()), &mut |d, t| {
        seen.push((d, t))
    })
    .unwrap();
    let total = unsorted_total;
    let first_pass = seen.iter().take_while(|&&(d, _)| d < total / 2).count() + 1;
    check(&seen, total, Some(first_pass));
    assert!(
        seen.len() > first_pass + 1,
        "the second pass reports as it goes"
    );
}

/// Thousands of people, short names and long ones: the fast reader's name
/// table grows past its first 1,024 slots and names collide in it. Every
/// record keeps its person and each person stays one person to the
/// engine, so the streamed totals are the careful path's, line for line.
#[test]
fn many_people_keep_their_names_and_their_totals() {
    use meed::eval::stream::file::stream_file;
    use meed::eval::{EvalOptions, TotalsSink, evaluate};
    use meed::pipeline::compile_policy;
    use meed::render::csv::render_csv;
    let policy = "policy \"people\" { timezone \"UTC\" }\n\
                  contribution like { n: Int }\n\
                  reward points: Points\n\
                  rule liked { on like l  grant points l.n * 1 pts }\n";
    let compiled = compile_policy(&SourceFile::new("people.meed", policy)).unwrap();
    let people = 3_000;
    let name = |i: usize| {
        if i.is_multiple_of(3) {
            format!("someone-with-a-rather-long-name-{i:05}")
        } else {
            format!("p{i}")
        }
    };
    // Eight records each: over 1 MiB, so lines start far into a chunk.
    let mut log = String::from("id,who,kind,at,n\n");
    for round in 0..8 {
        for i in 0..people {
            let second = round * people + i;
            log.push_str(&format!(
                "r{second:05},{},like,2027-01-01T{:02}:{:02}:{:02}Z,{}\n",
                name(i),
                second / 3600,
                second / 60 % 60,
                second % 60,
                i % 7 + round
            ));
        }
    }
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("log.csv");
    std::fs::write(&path, &log).unwrap();
    let log_len = log.len();
    let (streamed, _) = stream_file(
        &compiled.ast,
        &compiled.schema,
        &path,
        None,
        &EvalOptions::default(),
        &mut |_, _| {},
    )
    .unwrap_or_else(|e| panic!("the fast reader stepped aside: {}", e.0));
    let (records, _) = read_log(
        &compiled.schema,
        &SourceFile::new("log.csv", log),
        LogFormat::Csv,
    )
    .unwrap();
    let mut careful = TotalsSink::default();
    evaluate(
        &compiled.ast,
        &compiled.schema,
        &records,
        None,
        &EvalOptions::default(),
        &mut careful,
    )
    .unwrap();
    assert!(log_len > 1 << 20, "{log_len} bytes");
    assert_eq!(streamed.len(), people);
    assert_eq!(render_csv(&streamed), render_csv(&careful.totals));
}

#[test]
fn json_lines_are_read_by_the_fast_reader() {
    let log = "\u{feff}{\"id\": \"r1\", \"who\": \"smith, john\", \"kind\": \"review\", \"at\": \"2027-01-05T10:00:00Z\", \"lines\": 12, \"repo\": \"a \\\"b\\\"\\nc\", \"pages\": null}\r\n\
               \r\n  \n\
               { \"answered\" : true , \"at\":\"2027-01-06\",\"kind\":\"question\",\"who\":\"o\\u0027brien\",\"id\":\"r\\\"2\"}\n\
               {\"id\":\"r3\",\"who\":\"ada\",\"kind\":\"mentoring\",\"at\":\"2027-01-04T10:00:00+02:00\",\"duration\":\"90min\"}";
    let format = LogFormat::JsonLines;
    for chunk in 1..=log.len() + 1 {
        let outcome =
            fast_reader::fast_matches_careful_as(community(), log.as_bytes(), chunk, format)
                .unwrap();
        assert_eq!(outcome.fast.map(|r| r.len()), Some(3), "chunk {chunk}");
    }
    let records = meed::input::fast::read_records(
        &meed::input::fast::LogInput::from_bytes(log.as_bytes().to_vec(), 5).with_format(format),
        community(),
    )
    .unwrap();
    assert_eq!(records[0].id, "r3");
    assert_eq!(records[1].who, "smith, john");
    assert_eq!(records[1].fields[1], Value::Text("a \"b\"\nc".into()));
    assert_eq!(
        (records[2].id.as_str(), records[2].who.as_str()),
        ("r\"2", "o'brien")
    );
    // Keys no kind declares are skipped, with the careful reader's
    // warnings (compared by `fast_matches_careful_as`), even late in the log.
    let extra = "{\"id\":\"r1\",\"who\":\"ada\",\"kind\":\"question\",\"at\":\"2027-01-05\",\"answered\":true}\n\
                 {\"url\":\"x\",\"id\":\"r2\",\"who\":\"ada\",\"kind\":\"question\",\"at\":\"2027-01-05\",\"answered\":true,\"\":[1,{}]}\n\
                 {\"id\":\"r3\",\"url\":\"y\",\"who\":\"ada\",\"kind\":\"question\",\"at\":\"2027-01-05\",\"answered\":true,\"note\":null}\n";
    for chunk in [1, 13, 64, 4096] {
        let outcome =
            fast_reader::fast_matches_careful_as(community(), extra.as_bytes(), chunk, format)
                .unwrap();
        assert_eq!(
            outcome.fast.map(|r| r.len()),
            None,
            "a nested value steps aside"
        );
    }
    let extra = extra.replace(",\"\":[1,{}]", ",\"\":12");
    for chunk in [1, 13, 64, 4096] {
        let outcome =
            fast_reader::fast_matches_careful_as(community(), extra.as_bytes(), chunk, format)
                .unwrap();
        assert_eq!(outcome.fast.map(|r| r.len()), Some(3), "chunk {chunk}");
    }
    let shown = fast_json_warnings(extra, 64);
    assert_eq!(
        shown,
        [
            "field `url` is not declared by any contribution kind",
            "a field without a name is ignored",
            "field `note` is not declared by any contribution kind",
        ]
    );
    for odd in [
        r#"{"id":"r1","who":"ada","kind":"question","at":"2027-01-05","answered":true,"url":"x","url":"y"}"#,
        r#"{"id":"r1","who":"ada","kind":"question","at":"2027-01-05","answered":[true]}"#,
        r#"{"id":"r1","who":"ada","kind":"question","at":"2027-01-05","answered":true,"id":"r2"}"#,
        r#"{"id":"r1","who":"ada","kind":"doc","at":"2027-01-05","pages":012}"#,
        r#"{"id":"r1","who":"ada","kind":"doc","at":"2027-01-05","pages":12} x"#,
        r#"{"id":"r1","who":"ada","kind":"doc","at":"2027-01-05","pa\u0067es":12}"#,
        r#"{"id":"r1","who":"ada","kind":"doc","at":"2027-01-05"}"#,
        r#"["r1"]"#,
        // Not `false`, `true` or `null`, in a value no kind declares.
        r#"{"id":"r1","who":"ada","kind":"question","at":"2027-01-05","answered":true,"note":fxlse}"#,
        r#"{"id":"r1","who":"ada","kind":"question","at":"2027-01-05","answered":true,"note":trux}"#,
        r#"{"id":"r1","who":"ada","kind":"question","at":"2027-01-05","answered":true,"note":nul1}"#,
    ] {
        let outcome =
            fast_reader::fast_matches_careful_as(community(), odd.as_bytes(), 7, format).unwrap();
        assert!(outcome.fast.is_none(), "{odd}");
    }
}

mod fast_reader_props {
    use proptest::prelude::*;

    use super::{community, fast_reader};

    /// A cell's text: plain, or with what only quotes can hold.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}",
            "[a-z][a-z ,\"]{0,6}[a-z]",
            "[a-z]{1,3}(\n|\r\n|,|\"\")[a-z]{1,3}",
        ]
    }

    /// One record of the community policy, cells as texts.
    fn record(i: usize) -> impl Strategy<Value = Vec<String>> {
        let who = prop_oneof![
            Just("ada".to_string()),
            Just("ben".to_string()),
            Just("smith, john".to_string()),
            Just("o\"brien".to_string()),
            Just(" cleo ".to_string()),
        ];
        let at = (1u32..28, 0u32..24).prop_map(|(d, h)| format!("2027-01-{d:02}T{h:02}:00:00Z"));
        let fields = prop_oneof![
            (1u32..500, text())
                .prop_map(|(l, r)| ("review", [(4, l.to_string()), (5, r)].to_vec())),
            (1u32..500, text()).prop_map(|(l, r)| ("code", [(4, l.to_string()), (5, r)].to_vec())),
            any::<bool>().prop_map(|a| ("question", [(9, a.to_string())].to_vec())),
            (1u32..999, text())
                .prop_map(|(w, l)| ("translation", [(10, w.to_string()), (11, l)].to_vec())),
            (15u32..300).prop_map(|m| ("mentoring", [(8, format!("{m}min"))].to_vec())),
        ];
        let id = prop_oneof![
            Just(format!("r{i}")),
            Just(format!("r\"{i}")),
            Just(format!("r,{i}"))
        ];
        (id, who, at, fields).prop_map(|(id, who, at, (kind, fields))| {
            let mut cells = vec![String::new(); 14];
            cells[0] = id;
            cells[1] = who;
            cells[2] = kind.to_string();
            cells[3] = at;
            for (column, text) in fields {
                cells[column] = text;
            }
            cells
        })
    }

    /// A well-formed log: cells that need quotes are quoted, others may
    /// be; line ends LF or CRLF.
    fn log() -> impl Strategy<Value = Vec<u8>> {
        (1usize..10)
            .prop_flat_map(|n| {
                (
                    (0..n).map(record).collect::<Vec<_>>(),
                    proptest::collection::vec(any::<bool>(), n * 14),
                    any::<bool>(),
                )
            })
            .prop_map(|(records, quote, crlf)| {
                csv(
                    &records,
                    |r, c| r < usize::MAX && quote[r * 14 + c],
                    crlf,
                    None,
                )
            })
    }

    /// `records` as CSV: a cell quoted when it must be or `quote` says so
    /// (the header's names too, as row `usize::MAX`); with an `extra`
    /// column no kind declares (header name, cell), if any.
    fn csv(
        records: &[Vec<String>],
        quote: impl Fn(usize, usize) -> bool,
        crlf: bool,
        extra: Option<(&str, &str)>,
    ) -> Vec<u8> {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut names: Vec<&str> = fast_reader::HEADER.split(',').collect();
        if let Some((name, _)) = extra {
            names.push(name);
        }
        let mut out = names
            .iter()
            .enumerate()
            .map(|(c, name)| {
                if quote(usize::MAX, c) {
                    format!("\"{name}\"")
                } else {
                    (*name).to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        out.push_str(end);
        for (r, cells) in records.iter().enumerate() {
            let mut line: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let needs = cell.contains(['"', ',', '\n', '\r']);
                    if needs || quote(r, c) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell.clone()
                    }
                })
                .collect();
            if let Some((_, cell)) = extra {
                line.push(cell.to_string());
            }
            out.push_str(&line.join(","));
            out.push_str(end);
        }
        out.into_bytes()
    }

    /// `records` as JSON Lines: a record's own fields (whole numbers and
    /// booleans as JSON numbers and booleans when `typed`), another kind's
    /// fields `null` when `nulls`, keys in reverse order when `reverse`;
    /// with `extra`, every other record from the second on has a key no
    /// kind declares.
    fn jsonl(
        records: &[Vec<String>],
        typed: bool,
        nulls: bool,
        reverse: bool,
        extra: bool,
    ) -> Vec<u8> {
        let names: Vec<&str> = fast_reader::HEADER.split(',').collect();
        let mut out = String::new();
        for (r, cells) in records.iter().enumerate() {
            let mut entries: Vec<String> = Vec::new();
            if extra && r % 2 == 1 {
                entries.push(format!("\"note\": \"n{r}\""));
            }
            for (name, cell) in names.iter().zip(cells) {
                let value = if cell.is_empty() {
                    if !nulls {
                        continue;
                    }
                    "null".to_string()
                } else if typed
                    && (cell == "true"
                        || cell == "false"
                        || (cell.bytes().all(|b| b.is_ascii_digit()) && !cell.starts_with('0')))
                {
                    cell.clone()
                } else {
                    serde_json::to_string(cell).unwrap()
                };
                entries.push(format!("\"{name}\": {value}"));
            }
            if reverse {
                entries.reverse();
            }
            out.push_str(&format!("{{{}}}\n", entries.join(", ")));
        }
        out.into_bytes()
    }

    /// Records of the community policy, and how to write them.
    fn forms() -> impl Strategy<Value = (Vec<Vec<String>>, bool, bool, bool)> {
        (1usize..10).prop_flat_map(|n| {
            (
                (0..n).map(record).collect::<Vec<_>>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            )
        })
    }

    /// 256 cases, or `MEED_PROPTEST_CASES` (the mutation pass runs fewer,
    /// docs/testing.md "Mutation testing").
    fn cases() -> u32 {
        std::env::var("MEED_PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(256)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        /// A well-formed log, quoted cells and all, stays on the fast path
        /// in chunks of any size and gives the careful reader's records.
        #[test]
        fn the_fast_reader_reads_quoted_logs_like_the_careful_one(
            log in log(),
            chunk in 1usize..96,
        ) {
            let outcome = fast_reader::fast_matches_careful(community(), &log, chunk)
                .map_err(TestCaseError::fail)?;
            prop_assert!(
                outcome.careful.is_ok(),
                "careful refused {:?}",
                String::from_utf8_lossy(&log)
            );
            prop_assert!(outcome.fast.is_some(), "stepped aside on {:?}", String::from_utf8_lossy(&log));
        }

        /// The same records as plain CSV (quotes only where needed), every
        /// cell quoted, with a column no kind declares, and as JSON Lines
        /// (in file order and reversed): the fast reader reads every form,
        /// in chunks of any size, as the careful reader does, and all forms
        /// give the same records.
        #[test]
        fn every_form_of_the_same_records_reads_alike(
            (records, typed, nulls, reverse) in forms(),
            chunk in 1usize..96,
        ) {
            use meed::input::LogFormat;
            let mut reversed = records.clone();
            reversed.reverse();
            let forms = [
                ("plain", csv(&records, |_, _| false, false, None), LogFormat::Csv),
                ("quoted", csv(&records, |_, _| true, true, None), LogFormat::Csv),
                ("undeclared", csv(&records, |_, _| false, false, Some(("url", "x"))), LogFormat::Csv),
                ("jsonl", jsonl(&records, typed, nulls, reverse, false), LogFormat::JsonLines),
                ("jsonl reversed", jsonl(&reversed, typed, nulls, reverse, false), LogFormat::JsonLines),
                ("jsonl undeclared", jsonl(&records, typed, nulls, reverse, true), LogFormat::JsonLines),
            ];
            let mut first: Option<Vec<meed::input::fast::OwnedRecord>> = None;
            for (name, log, format) in forms {
                let shown = || format!("{name}: {:?}", String::from_utf8_lossy(&log));
                let outcome = fast_reader::fast_matches_careful_as(community(), &log, chunk, format)
                    .map_err(|e| TestCaseError::fail(format!("{e} on {}", shown())))?;
                prop_assert!(outcome.careful.is_ok(), "careful refused {}", shown());
                let Some(fast) = outcome.fast else {
                    return Err(TestCaseError::fail(format!("stepped aside on {}", shown())));
                };
                match &first {
                    None => first = Some(fast),
                    Some(first) => prop_assert_eq!(first, &fast, "{}", shown()),
                }
            }
        }

        /// JSON Lines logs with bytes that matter to JSON written over them:
        /// whatever the fast reader accepts, the careful one accepts alike.
        #[test]
        fn the_fast_reader_never_accepts_json_the_careful_one_would_not(
            (records, typed, nulls, reverse) in forms(),
            edits in proptest::collection::vec(
                (any::<proptest::sample::Index>(), prop_oneof![
                    Just(b'"'), Just(b','), Just(b'\n'), Just(b'\r'), Just(b' '), Just(b'{'),
                    Just(b'}'), Just(b':'), Just(b'\\'), Just(b'0'), Just(b'.'), Just(b'e'),
                    Just(b'['),
                ], any::<bool>()),
                1..4,
            ),
            chunk in 1usize..96,
        ) {
            let mut log = jsonl(&records, typed, nulls, reverse, typed);
            for (at, byte, insert) in edits {
                let i = at.index(log.len());
                if insert { log.insert(i, byte) } else { log[i] = byte }
            }
            fast_reader::fast_matches_careful_as(community(), &log, chunk, meed::input::LogFormat::JsonLines)
                .map_err(|e| TestCaseError::fail(format!("{e} on {:?}", String::from_utf8_lossy(&log))))?;
        }

        /// The same logs with bytes that matter to CSV written over them:
        /// whatever the fast reader accepts, the careful one accepts alike.
        #[test]
        fn the_fast_reader_never_accepts_what_the_careful_one_would_not(
            log in log(),
            edits in proptest::collection::vec(
                (any::<proptest::sample::Index>(), prop_oneof![
                    Just(b'"'), Just(b','), Just(b'\n'), Just(b'\r'), Just(b' '), Just(b'a'), Just(b'='),
                ], any::<bool>()),
                1..4,
            ),
            chunk in 1usize..96,
        ) {
            let mut log = log;
            for (at, byte, insert) in edits {
                let i = at.index(log.len());
                if insert { log.insert(i, byte) } else { log[i] = byte }
            }
            fast_reader::fast_matches_careful(community(), &log, chunk)
                .map_err(|e| TestCaseError::fail(format!("{e} on {:?}", String::from_utf8_lossy(&log))))?;
        }
    }
}
