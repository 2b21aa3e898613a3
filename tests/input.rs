//! The log and roster readers: cells by type, CSV and JSON Lines, and one
//! snapshot per bad input file (`tests/inputs/input/bad/`).
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meed::input::{
    CellError, LogFormat, check_people, decode, parse_cell, parse_timestamp, read_log, read_roster,
};
use meed::render::diagnostic::render_plain;
use meed::schema::{FieldSchema, KindSchema, Schema};
use meed::source::SourceFile;
use meed::syntax::ast::RoundingMode;
use meed::types::units::{Currency, Type};
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

/// A large log reads in time linear in its size (run by hand:
/// `cargo test --test input -- --ignored`).
#[test]
#[ignore = "slow in debug builds; a scale check"]
fn a_large_log_reads_in_linear_time() {
    let mut text = String::from("id,who,kind,at,lines,repo\n");
    for i in 0..200_000 {
        let lines = if i % 2 == 0 {
            "12".to_string()
        } else {
            format!("{i}x")
        };
        text.push_str(&format!(
            "r{i},p{},review,2027-01-05T10:00:00Z,{lines},core\n",
            i % 97
        ));
    }
    let started = std::time::Instant::now();
    let errors = read_log(&schema(), &SourceFile::new("big.csv", text), LogFormat::Csv)
        .expect_err("bad cells");
    assert_eq!(errors.errors.len(), 100_000);
    let _ = render_plain(&errors);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}
