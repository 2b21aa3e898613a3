//! `meed diff` and `meed snapshot`: reviewing policy changes like code.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

mod binary;

use binary::meed;
use std::path::Path;

const V1: &str = "tests/inputs/diff/v1.meed";
const V2: &str = "tests/inputs/diff/v2.meed";
const LOG: &str = "tests/inputs/diff/log.csv";

/// v1: 1.00 EUR + 0.02 EUR per line. v2: 0.03 EUR per line, and 2 EUR more
/// for reviews of 100 lines or more.
///   alice (100 lines): 3.00 → 1.00 + 3.00 + 2.00 = 6.00
///   bob   (50 lines):  2.00 → 1.00 + 1.50        = 2.50
///   carol (0 lines):   1.00 → 1.00
#[test]
fn diff_deltas_are_hand_computed() {
    let run = meed(&["diff", V1, V2, LOG, "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "who,reward,before,after,delta,unit\n\
         alice,bonus,3.00,6.00,3.00,EUR\n\
         bob,bonus,2.00,2.50,0.50,EUR\n\
         carol,bonus,1.00,1.00,0.00,EUR\n"
    );
}

#[test]
fn diff_totals_and_declarations() {
    let run = meed(&["diff", V1, V2, LOG, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let bonus = &json["accounts"][0];
    assert_eq!(bonus["before"]["amount"], "6.00");
    assert_eq!(bonus["after"]["amount"], "9.50");
    assert_eq!(bonus["percent"], "58.3");
    assert_eq!(json["people"]["gain"], 2);
    assert_eq!(json["people"]["unchanged"], 1);
    let changes: Vec<(String, String)> = json["declarations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("rate".into(), "changed".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("big_review".into(), "added".into())),
        "{changes:?}"
    );
    assert!(
        !changes.iter().any(|(name, _)| name == "review_bonus"),
        "unchanged rule listed: {changes:?}"
    );
}

#[test]
fn diff_markdown_report() {
    let run = meed(&["diff", V1, V2, LOG, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn diff_budget_guard() {
    let over = meed(&["diff", V1, V2, LOG, "--fail-if-cost-increase-over", "50%"]);
    assert_eq!(over.code, 1);
    assert!(
        over.stderr
            .contains("`bonus` rises by 58.3%, more than the 50% allowed"),
        "{}",
        over.stderr
    );
    let under = meed(&["diff", V1, V2, LOG, "--fail-if-cost-increase-over", "60%"]);
    assert_eq!(under.code, 0, "{}", under.stderr);
    let nobody_loses = meed(&["diff", V1, V2, LOG, "--fail-if-anyone-loses"]);
    assert_eq!(nobody_loses.code, 0);
    let someone_loses = meed(&["diff", V2, V1, LOG, "--fail-if-anyone-loses"]);
    assert_eq!(someone_loses.code, 1);
    assert!(
        someone_loses.stderr.contains("alice (bonus), bob (bonus)"),
        "{}",
        someone_loses.stderr
    );
}

#[test]
fn snapshot_round_trip() {
    let folder = tempfile::tempdir().unwrap();
    let snap = folder.path().join("ledger.snap");
    let snap = snap.to_str().unwrap();

    let missing = meed(&["snapshot", V1, LOG, "--snap", snap]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no approved snapshot"),
        "{}",
        missing.stderr
    );

    let accept = meed(&["snapshot", V1, LOG, "--snap", snap, "--accept"]);
    assert_eq!(accept.code, 0, "{}", accept.stderr);
    let approved = std::fs::read_to_string(snap).unwrap();
    insta::assert_snapshot!(approved);

    let again = meed(&["snapshot", V1, LOG, "--snap", snap]);
    assert_eq!(again.code, 0, "{}", again.stderr);

    // A changed rate changes every grant of review_bonus; the diff names them.
    let changed = meed(&["snapshot", V2, LOG, "--snap", snap]);
    assert_eq!(changed.code, 1);
    assert!(
        changed.stdout.contains(
            "-2027-01-05 10:00:00 +00:00 alice bonus 3.00 EUR by rule review_bonus from r1"
        ),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains(
            "+2027-01-05 10:00:00 +00:00 alice bonus 4.00 EUR by rule review_bonus from r1"
        ),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains(
            "+2027-01-05 10:00:00 +00:00 alice bonus 2.00 EUR by rule big_review from r1"
        ),
        "{}",
        changed.stdout
    );
    assert!(
        changed
            .stderr
            .contains("differs from the approved snapshot"),
        "{}",
        changed.stderr
    );
    // The approved file is untouched by a failed comparison.
    assert_eq!(std::fs::read_to_string(snap).unwrap(), approved);
    assert!(Path::new(snap).exists());
}
