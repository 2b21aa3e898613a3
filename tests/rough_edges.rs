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
