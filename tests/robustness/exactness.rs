//! Exactness: amounts are exact decimals end to end.

use super::cli::root;

/// No binary floating point anywhere in meed's source: every amount is a
/// `rust_decimal::Decimal` (or an exact fraction), so `0.1 + 0.2` is `0.3`.
#[test]
fn amounts_never_use_binary_floating_point() {
    fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let words = line.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
                    if words.clone().any(|w| w == "f64" || w == "f32")
                        || line.contains("to_f64")
                        || line.contains("from_f64")
                    {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(&root().join("src"), &mut found);
    assert!(
        found.is_empty(),
        "binary floating point in:\n{}",
        found.join("\n")
    );
}

/// `docs/guarantees.md` names real tests: each `file` › `test` it cites is
/// a function in that file (snapshot names, after the word `snapshot`, are
/// files under `tests/snapshots/`).
#[test]
fn guarantees_point_at_real_tests() {
    let doc = std::fs::read_to_string(root().join("docs/guarantees.md")).unwrap();
    let mut cited = 0;
    for line in doc
        .lines()
        .filter(|l| l.starts_with('|') && l.contains('›'))
    {
        let mut file: Option<String> = None;
        let mut after_arrow = false;
        let mut previous = "";
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                if part.contains('›') {
                    after_arrow = true;
                }
                if part.contains(';') {
                    after_arrow = false;
                }
                previous = part;
                continue;
            }
            if (part.starts_with("tests/") || part.starts_with("src/")) && part.ends_with(".rs") {
                file = Some(part.to_string());
                after_arrow = false;
            } else if after_arrow && previous.trim_end().ends_with("snapshot") {
                let snaps: Vec<String> = std::fs::read_dir(root().join("tests/snapshots"))
                    .unwrap()
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                assert!(
                    snaps.iter().any(|s| s.contains(&format!("@{part}"))),
                    "no snapshot for `{part}`"
                );
            } else if after_arrow
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                let path = file
                    .clone()
                    .unwrap_or_else(|| panic!("no file before `{part}`: {line}"));
                let text = std::fs::read_to_string(root().join(&path)).unwrap();
                assert!(
                    text.contains(&format!("fn {part}(")),
                    "{path} has no test `{part}`"
                );
                cited += 1;
            }
        }
    }
    eprintln!("{cited} tests cited");
    assert!(cited >= 30, "only {cited} tests cited");
}

/// `eval --format csv` of `policy` over the CSV `log`, streamed and in
/// memory (`MEED_NO_STREAM=1`): both must succeed with the same bytes.
fn totals_both_ways(policy: &str, log: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.meed"), policy).unwrap();
    std::fs::write(dir.path().join("log.csv"), log).unwrap();
    let args = ["eval", "p.meed", "log.csv", "--format", "csv"];
    let streamed = super::cli::meed_in(dir.path(), &args, &[("MEED_NO_STREAM", "0")]);
    let careful = super::cli::meed_in(dir.path(), &args, &[("MEED_NO_STREAM", "1")]);
    assert_eq!(streamed.code, 0, "{}", streamed.stderr);
    assert_eq!(careful.code, 0, "{}", careful.stderr);
    assert_eq!(streamed.stdout, careful.stdout, "the evaluators disagree");
    String::from_utf8(careful.stdout).unwrap()
}

const ONE_LIKE: &str = "id,who,kind,at\nl1,alice,like,2027-01-05T10:00:00Z\n";

/// `0.1 + 0.2 == 0.3` holds (in binary floating point it does not), for
/// numbers and quantities alike; so do `1/3 + 1/3 + 1/3 == 1` and
/// `0.1 × 3 == 0.3`.
#[test]
fn a_tenth_plus_two_tenths_is_three_tenths() {
    let policy = r#"
contribution like {}
reward rep: Points
rule numbers { on like l when 0.1 + 0.2 == 0.3 grant rep 1 pts }
rule points { on like l when 0.1 pts + 0.2 pts == 0.3 pts grant rep 10 pts }
rule money { on like l when 0.1 EUR + 0.2 EUR == 0.3 EUR grant rep 100 pts }
rule thirds { on like l when 1 / 3 + 1 / 3 + 1 / 3 == 1 grant rep 1000 pts }
rule tripled { on like l when 0.1 * 3 == 0.3 grant rep 10000 pts }
rule unequal { on like l when 0.1 + 0.2 != 0.3 grant rep 100000 pts }
"#;
    assert_eq!(
        totals_both_ways(policy, ONE_LIKE),
        "who,reward,amount,unit\nalice,rep,11111,pts\n"
    );
}

/// A million grants of 0.01 EUR (and of 0.1 pts) sum to exactly 10000.00
/// EUR (100000 pts); binary floating point drifts after a few thousand.
#[test]
fn a_million_cents_sum_to_exactly_ten_thousand_euros() {
    let mut rules =
        String::from("contribution like {}\nreward bonus: Money(EUR)\nreward rep: Points\n");
    for i in 0..10 {
        rules.push_str(&format!(
            "rule cent{i} {{ on like l grant bonus 0.01 EUR }}\nrule tenth{i} {{ on like l grant rep 0.1 pts }}\n"
        ));
    }
    let mut log = String::from("id,who,kind,at\n");
    for i in 0..100_000 {
        let minute = i % 1440;
        log.push_str(&format!(
            "l{i:06},alice,like,2027-01-05T{:02}:{:02}:00Z\n",
            minute / 60,
            minute % 60
        ));
    }
    assert_eq!(
        totals_both_ways(&rules, &log),
        "who,reward,amount,unit\nalice,bonus,10000.00,EUR\nalice,rep,100000,pts\n"
    );
}

/// Dividing then multiplying back gives the amount itself, exactly, for
/// money, points and durations, whatever the divisor.
#[test]
fn division_and_multiplication_round_trip() {
    let policy = r#"
contribution sale { amount: Money(EUR), n: Int, d: Duration }
reward bonus: Money(EUR)
reward rep: Points
reward off: Duration
rule money { on sale s grant bonus s.amount / 7 * 7 }
rule points { on sale s grant rep s.n * 1 pts / 3 * 3 }
rule minutes { on sale s grant off s.d / 13 * 13 }
rule checks { on sale s when s.amount / 3 * 3 == s.amount and s.n / 9 * 9 == s.n grant rep 0.5 pts }
"#;
    let log = "id,who,kind,at,amount,n,d\n\
               s1,alice,sale,2027-01-05T10:00:00Z,0.01,1,1min\n\
               s2,alice,sale,2027-01-06T10:00:00Z,123456.78,1000000,7h\n\
               s3,bob,sale,2027-01-07T10:00:00Z,0.005,-7,PT1M30S\n";
    // bob: 0.005 / 7 × 7 = 0.005 → 0.00 (half-even); 1.5min / 13 × 13 = 1.5min.
    assert_eq!(
        totals_both_ways(policy, log),
        "who,reward,amount,unit\n\
         alice,bonus,123456.79,EUR\n\
         alice,off,421,min\n\
         alice,rep,1000002,pts\n\
         bob,off,1.5,min\n\
         bob,rep,-6.5,pts\n"
    );
}

/// Tiny rates times large counts keep every digit until the grant is
/// rounded.
#[test]
fn tiny_rates_times_large_counts_are_exact() {
    let policy = r#"
contribution view { n: Int }
reward bonus: Money(EUR)
reward rep: Points
rule paid { on view v grant bonus 0.0000001 EUR * v.n }
rule scored { on view v grant rep 0.000000001 pts * v.n }
"#;
    let log = "id,who,kind,at,n\n\
               v1,alice,view,2027-01-05T10:00:00Z,123456789\n\
               v2,bob,view,2027-01-05T10:00:00Z,9223372036854775807\n";
    // alice: 12.3456789 EUR → 12.35; 0.123456789 pts exactly.
    // bob: 922337203685.4775807 EUR → 922337203685.48; 9223372036.854775807
    // pts has nine places, kept.
    assert_eq!(
        totals_both_ways(policy, log),
        "who,reward,amount,unit\n\
         alice,bonus,12.35,EUR\n\
         alice,rep,0.123456789,pts\n\
         bob,bonus,922337203685.48,EUR\n\
         bob,rep,9223372036.854775807,pts\n"
    );
}
