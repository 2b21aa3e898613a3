//! The organisation's report's figures against values worked out by hand:
//! median, mean, top-10 % share, Gini, Lorenz points and group gaps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::str::FromStr;

use meed::report::groups::column_figures;
use meed::report::names::{file_stem, statement_href};
use meed::report::stats::distribution;
use rust_decimal::Decimal;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn ds(values: &[&str]) -> Vec<Decimal> {
    values.iter().map(|v| d(v)).collect()
}

/// 0, 10, 20, 30, 40: total 100; Σ i·xᵢ = 400, so
/// G = 2·400 / (5·100) − 6/5 = 0.4 (the mean absolute difference 16 over
/// twice the mean 20 gives the same); the top tenth is one person, 40 %.
#[test]
fn five_people_by_hand() {
    let dist = distribution(&ds(&["30", "0", "40", "10", "20"]));
    assert_eq!(dist.people, 5);
    assert_eq!(dist.total, d("100"));
    assert_eq!(dist.mean, Some(d("20")));
    assert_eq!(dist.median, Some(d("20")));
    assert_eq!(dist.top_tenth_share, Some(d("0.4")));
    assert_eq!(dist.gini, Some(d("0.4")));
    let expected = [
        ("0", "0"),
        ("0.2", "0"),
        ("0.4", "0.1"),
        ("0.6", "0.3"),
        ("0.8", "0.6"),
        ("1", "1"),
    ];
    let expected: Vec<(Decimal, Decimal)> = expected.iter().map(|(x, y)| (d(x), d(y))).collect();
    assert_eq!(dist.lorenz, expected);
}

#[test]
fn equal_amounts_have_gini_zero_and_a_straight_curve() {
    let dist = distribution(&ds(&["7.50", "7.50", "7.50", "7.50"]));
    assert_eq!(dist.gini, Some(d("0")));
    assert_eq!(dist.median, Some(d("7.50")));
    for (x, y) in &dist.lorenz {
        assert_eq!(x, y);
    }
}

/// One person of four holds everything: G = 2·4·100 / (4·100) − 5/4 = 0.75
/// (the largest a population of four can reach, 1 − 1/n).
#[test]
fn one_person_holds_everything() {
    let dist = distribution(&ds(&["0", "0", "0", "100"]));
    assert_eq!(dist.gini, Some(d("0.75")));
    assert_eq!(dist.median, Some(d("0")));
    assert_eq!(dist.top_tenth_share, Some(d("1")));
}

#[test]
fn even_count_median_is_the_mean_of_the_middle_two() {
    let dist = distribution(&ds(&["4", "1", "3", "2"]));
    assert_eq!(dist.median, Some(d("2.5")));
    assert_eq!(dist.mean, Some(d("2.5")));
}

/// Eleven people: the top tenth, rounded up, is two people.
#[test]
fn top_tenth_rounds_up_to_whole_people() {
    let mut amounts = vec![d("1"); 9];
    amounts.extend(ds(&["10", "10"]));
    let dist = distribution(&amounts);
    assert_eq!(dist.top_tenth_share, Some(d("20") / d("29")));
}

#[test]
fn nobody_got_anything_gives_no_ratios() {
    let dist = distribution(&ds(&["0", "0"]));
    assert_eq!(dist.gini, None);
    assert_eq!(dist.top_tenth_share, None);
    assert!(dist.lorenz.is_empty());
    assert_eq!(dist.mean, Some(d("0")));
    let empty = distribution(&[]);
    assert_eq!(empty.mean, None);
    assert_eq!(empty.median, None);
}

/// A large population's curve is drawn from 101 points, each exactly on it.
#[test]
fn large_curve_is_sampled_at_whole_percentiles() {
    let amounts: Vec<Decimal> = (1..=1000).map(Decimal::from).collect();
    let dist = distribution(&amounts);
    assert_eq!(dist.lorenz.len(), 101);
    assert_eq!(dist.lorenz[0], (d("0"), d("0")));
    assert_eq!(dist.lorenz[100], (d("1"), d("1")));
    // Half the people (the 500 smallest) hold 125,250 of 500,500.
    assert_eq!(dist.lorenz[50], (d("0.5"), d("125250") / d("500500")));
}

/// A: five people at 10 (mean 10); B: 0, 0, 5, 5, 10 (mean 4, median 5,
/// three of five receiving); C: two people at 100, too few to show, and
/// not the best-paid group either (that would reveal its mean). B's gap:
/// (10 − 4) / 10 = 60 %.
#[test]
fn group_gaps_by_hand() {
    let order = vec![
        "a".to_string(),
        "b".to_string(),
        "c".to_string(),
        "d".to_string(),
    ];
    let mut people = Vec::new();
    for _ in 0..5 {
        people.push(("a", d("10")));
    }
    for x in ["0", "0", "5", "5", "10"] {
        people.push(("b", d(x)));
    }
    people.push(("c", d("100")));
    people.push(("c", d("100")));
    let figures = column_figures(&order, &people);
    assert_eq!(figures.suppressed, 1);
    assert_eq!(figures.shown.len(), 2);
    let a = &figures.shown[0];
    assert_eq!((a.group.as_str(), a.head_count), ("a", 5));
    assert_eq!(a.mean, Some(d("10")));
    assert_eq!(a.share_receiving, d("1"));
    assert_eq!(a.gap_percent, Some(d("0")));
    let b = &figures.shown[1];
    assert_eq!((b.group.as_str(), b.head_count), ("b", 5));
    assert_eq!(b.mean, Some(d("4")));
    assert_eq!(b.median, Some(d("5")));
    assert_eq!(b.share_receiving, d("0.6"));
    assert_eq!(b.gap_percent, Some(d("60")));
}

#[test]
fn file_names_are_safe_and_distinct() {
    assert_eq!(file_stem("ada"), "ada");
    assert_eq!(file_stem("Ada"), "_ada");
    assert_eq!(file_stem("."), "%2E");
    assert_eq!(file_stem(".."), "%2E%2E");
    assert_eq!(
        file_stem("../../secret.txt"),
        "%2E%2E%2F%2E%2E%2Fsecret%2Etxt"
    );
    assert_eq!(file_stem("a_b"), "a%5Fb");
    assert_eq!(file_stem(""), "_");
    assert_eq!(statement_href("a.b"), "people/a%252Eb.html");
    let names = [
        "ada", "Ada", "ADA", "a_da", "a%5Fda", "a.da", "a/da", "a\\da", "é", "e\u{301}", "", "_",
        "%", "~",
    ];
    let stems: std::collections::BTreeSet<String> = names.iter().map(|n| file_stem(n)).collect();
    assert_eq!(stems.len(), names.len(), "{stems:?}");
    let escape = regex::Regex::new("%[0-9A-F]{2}").unwrap();
    for stem in &stems {
        assert!(
            stem.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_%~".contains(&b)),
            "{stem}"
        );
        // Outside `%XX`, lower case only: no two names differ by case
        // alone on disk.
        let letters = escape.replace_all(stem, "");
        assert!(!letters.bytes().any(|b| b.is_ascii_uppercase()), "{stem}");
    }
    let long = "x".repeat(300);
    let longer = format!("{long}y");
    assert!(file_stem(&long).len() <= 200);
    assert_ne!(file_stem(&long), file_stem(&longer));
}

/// The report adds up its figures a bucket of people at a time and merges
/// the parts: for every bundled example, however the people are split and
/// whatever order the parts are merged in, the figures are those of the
/// whole ledger added up at once.
mod figures_merge {
    use meed::ledger::{Grant, Origin};
    use meed::report::collect::OrgFigures;
    use meed::{EvalOptions, Ledger, LogFormat, SourceFile};
    use proptest::prelude::*;

    fn file(path: &str) -> SourceFile {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        SourceFile::new(path, std::fs::read_to_string(full).unwrap())
    }

    const EXAMPLES: [(&str, &str); 5] = [
        ("community", "log.csv"),
        ("oncall_timeoff", "log.csv"),
        ("qa_reputation", "log.jsonl"),
        ("sales_commission", "log.csv"),
        ("volunteers", "log.csv"),
    ];

    fn ledger(example: &str, log: &str) -> (Vec<Grant>, chrono_tz::Tz) {
        let policy = meed::compile_policy(&file(&format!("rules/{example}.meed"))).unwrap();
        let people = meed::read_roster(
            &policy,
            &file(&format!("examples/{example}/people.csv")),
            LogFormat::Csv,
        )
        .unwrap();
        let format = if log.ends_with(".jsonl") {
            LogFormat::JsonLines
        } else {
            LogFormat::Csv
        };
        let log = file(&format!("examples/{example}/{log}"));
        let (log, _) = meed::read_log(&policy, &log, format, Some(&people)).unwrap();
        let mut ledger = Ledger::default();
        meed::evaluate(
            &policy,
            &log,
            Some(&people),
            &EvalOptions::default(),
            &mut ledger,
        )
        .unwrap();
        (ledger.grants, policy.schema.timezone)
    }

    /// What a report shows of the figures, limits in order of first cut.
    fn shown(figures: &OrgFigures) -> String {
        let mut limits = figures.limits.clone();
        limits.sort_by(|(a, x), (b, y)| x.first_cut.cmp(&y.first_cut).then_with(|| a.cmp(b)));
        format!(
            "{:?}\n{:?}\n{:?}",
            figures.months,
            figures.sources(),
            limits
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn parts_merged_in_any_order_are_the_whole(
            example in 0..EXAMPLES.len(),
            parts in 1usize..6,
            salt in any::<u64>(),
            rotate in any::<usize>(),
        ) {
            let (name, log) = EXAMPLES[example];
            let (grants, tz) = ledger(name, log);
            let mut whole = OrgFigures::new(tz);
            for grant in &grants {
                whole.add(grant).unwrap();
            }
            // As the report does: pool shares in the first run's figures,
            // rule grants in a part per bucket of people.
            let mut first = OrgFigures::new(tz);
            let mut split: Vec<OrgFigures> = (0..parts).map(|_| OrgFigures::new(tz)).collect();
            for grant in &grants {
                if matches!(grant.origin, Origin::Pool(_)) {
                    first.add(grant).unwrap();
                } else {
                    let bucket = grant
                        .who
                        .bytes()
                        .fold(salt, |h, b| h.rotate_left(5) ^ u64::from(b))
                        % parts as u64;
                    split[bucket as usize].add(grant).unwrap();
                }
            }
            split.rotate_left(rotate % parts);
            for part in split {
                first.merge(part).unwrap();
            }
            prop_assert_eq!(shown(&first), shown(&whole));
            prop_assert_eq!(format!("{:?}", first.pools), format!("{:?}", whole.pools));
        }
    }
}
