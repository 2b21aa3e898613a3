//! `meed close` and `meed books` through the real binary: three months of
//! payouts with a late record and a retroactive change, the refusals, the
//! books' protection against edits, a close killed mid-run, and two closes
//! at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = r#"policy "Quarterly demo" {
  timezone "Europe/Berlin"
}

contribution review { lines: Int }
contribution mentoring { duration: Duration }

reward bonus: Money(EUR)
reward time_off: Duration
reward reputation: Points

let rate = 0.50 EUR

rule review_bonus {
  on review r
  grant bonus rate * r.lines
}

rule review_points {
  on review r
  grant reputation 1 pts
}

rule mentoring_time {
  on mentoring m
  grant time_off m.duration * 0.5
}

limit time_off at most 16h per person per quarter

pool quarterly_fund {
  grant bonus 900 EUR per quarter
  split by total(reputation)
}
"#;

const LOG: &str = "id,who,kind,at,lines,duration
r1,ana,review,2027-04-03T10:00:00Z,10,
r2,bo,review,2027-04-05T10:00:00Z,20,
m1,ana,mentoring,2027-04-10T10:00:00Z,,10h
m2,ana,mentoring,2027-05-10T10:00:00Z,,15h
r3,ana,review,2027-05-12T10:00:00Z,5,
m3,ana,mentoring,2027-06-10T10:00:00Z,,12h
r4,bo,review,2027-06-20T10:00:00Z,8,
";

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn meed(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.meed"), POLICY).unwrap();
    std::fs::write(dir.path().join("log.csv"), LOG).unwrap();
    dir
}

/// `close p.meed log.csv --books books.db --through THROUGH`.
fn close_args(through: &str) -> [&str; 7] {
    [
        "close",
        "p.meed",
        "log.csv",
        "--books",
        "books.db",
        "--through",
        through,
    ]
}

fn close(dir: &Path, through: &str) -> Run {
    meed(dir, &close_args(through))
}

fn show_csv(dir: &Path) -> String {
    let run = meed(
        dir,
        &["books", "show", "--books", "books.db", "--format", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn three_months_with_a_late_record_and_a_retroactive_rate() {
    let dir = setup();
    let d = dir.path();
    for through in ["2027-04-30", "2027-05-31", "2027-06-30"] {
        let run = close(d, through);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains(&format!("booked through {through}")));
    }
    // The quarterly pool is paid once, in June (its period ends there),
    // and the quarterly time-off cap holds across the months: 960 min.
    assert_eq!(
        show_csv(d),
        "run,who,reward,earned,kind,amount,unit
1,ana,bonus,2027-04,regular,5.00,EUR
1,ana,reputation,2027-04,regular,1,pts
1,ana,time_off,2027-04,regular,300,min
1,bo,bonus,2027-04,regular,10.00,EUR
1,bo,reputation,2027-04,regular,1,pts
2,ana,bonus,2027-05,regular,2.50,EUR
2,ana,reputation,2027-05,regular,1,pts
2,ana,time_off,2027-05,regular,450,min
3,ana,bonus,2027-06,regular,450.00,EUR
3,ana,time_off,2027-06,regular,210,min
3,bo,bonus,2027-06,regular,454.00,EUR
3,bo,reputation,2027-06,regular,1,pts
"
    );
    // The same month again books nothing.
    let again = close(d, "2027-06-30");
    assert_eq!(again.code, 0);
    assert_eq!(
        again.stdout,
        "nothing to book: the books already hold everything earned through 2027-06-30\n"
    );
    // A late April record and a retroactive rate: adjustments, each
    // saying what changed.
    let mut log = LOG.to_string();
    log.push_str("r5,bo,review,2027-04-20T10:00:00Z,4,\n");
    std::fs::write(d.join("log.csv"), log).unwrap();
    std::fs::write(
        d.join("p.meed"),
        POLICY.replace("let rate = 0.50 EUR", "let rate = 0.60 EUR"),
    )
    .unwrap();
    let run = close(d, "2027-07-31");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "run 4 booked through 2027-07-31: 6 lines for 2 people\n  bonus       6.70 EUR  (5 adjustments, net +6.70 EUR)\n"
        ),
        "{}",
        run.stdout
    );
    let csv = show_csv(d);
    let run4: Vec<&str> = csv.lines().filter(|l| l.starts_with("4,")).collect();
    assert_eq!(
        run4,
        [
            "4,ana,bonus,2027-04,adjustment,1.00,EUR",
            "4,ana,bonus,2027-05,adjustment,0.50,EUR",
            "4,ana,bonus,2027-06,adjustment,-90.00,EUR",
            "4,bo,bonus,2027-04,adjustment,4.40,EUR",
            "4,bo,bonus,2027-06,adjustment,90.80,EUR",
            "4,bo,reputation,2027-04,adjustment,1,pts",
        ]
    );
    let table = meed(d, &["books", "show", "--books", "books.db", "--run", "4"]);
    assert!(
        table
            .stdout
            .contains("(since run 1: policy: constant `rate` changed; the log changed)"),
        "{}",
        table.stdout
    );
    let json = meed(
        d,
        &["books", "show", "--books", "books.db", "--format", "json"],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["schema"], "meed.books/1");
    assert_eq!(value["runs"].as_array().unwrap().len(), 4);
    // The books hold exactly a fresh evaluation, month by month.
    let fresh = meed(
        d,
        &[
            "eval",
            "p.meed",
            "log.csv",
            "--by",
            "month",
            "--to",
            "2027-07-31",
            "--format",
            "csv",
        ],
    );
    let mut sums: std::collections::BTreeMap<(String, String, String), rust_decimal::Decimal> =
        Default::default();
    for line in show_csv(d).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        *sums
            .entry((f[1].into(), f[3].into(), f[2].into()))
            .or_default() += f[5].parse::<rust_decimal::Decimal>().unwrap();
    }
    let mut expected = std::collections::BTreeMap::new();
    for line in fresh.stdout.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        expected.insert(
            (f[0].to_string(), f[1].to_string(), f[2].to_string()),
            f[3].parse::<rust_decimal::Decimal>().unwrap(),
        );
    }
    sums.retain(|_, v| !v.is_zero());
    assert_eq!(sums, expected);
    let verify = meed(d, &["books", "verify", "--books", "books.db"]);
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    assert!(verify.stdout.starts_with("the books are sound: 4 runs"));
}

#[test]
fn a_date_before_the_last_run_is_refused() {
    let dir = setup();
    let d = dir.path();
    assert_eq!(close(d, "2027-05-31").code, 0);
    let before = show_csv(d);
    let run = close(d, "2027-04-30");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("meed::books_through_earlier"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`--through 2027-04-30` is before the last run's date (2027-05-31, run 1)")
    );
    assert_eq!(show_csv(d), before);
}

#[test]
fn missing_or_foreign_books_are_usage_errors() {
    let dir = setup();
    let d = dir.path();
    for command in ["show", "verify"] {
        let run = meed(d, &["books", command, "--books", "none.db"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(run.stderr.contains("there are no books at `none.db`"));
        let run = meed(d, &["books", command, "--books", "p.meed"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(run.stderr.contains("`p.meed` is not a meed books file"));
    }
    let run = meed(
        d,
        &[
            "close",
            "p.meed",
            "log.csv",
            "--books",
            "p.meed",
            "--through",
            "2027-04-30",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(d.join("p.meed")).unwrap(), POLICY);
    assert!(!d.join("none.db").exists(), "show must not create books");
    // A payout run records its inputs' SHA-256: a pipe cannot be read twice.
    let run = meed(
        d,
        &[
            "close",
            "p.meed",
            "/dev/stdin",
            "--format-in",
            "csv",
            "--books",
            "b.db",
            "--through",
            "2027-04-30",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is not a regular file"),
        "{}",
        run.stderr
    );
    assert!(!d.join("b.db").exists());
}

#[test]
fn booked_rows_cannot_be_changed_and_edits_behind_meeds_back_are_found() {
    let dir = setup();
    let d = dir.path();
    assert_eq!(close(d, "2027-04-30").code, 0);
    assert_eq!(close(d, "2027-05-31").code, 0);
    let db = rusqlite::Connection::open(d.join("books.db")).unwrap();
    // The triggers refuse updates and deletes.
    let update = db.execute("UPDATE lines SET amount = '99.00' WHERE who = 'ana'", []);
    assert!(update.unwrap_err().to_string().contains("never changed"));
    let delete = db.execute("DELETE FROM runs WHERE run = 1", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
    let late = db.execute(
        "INSERT INTO lines VALUES (1, 'eve', 'bonus', '2027-04', 'EUR', 'regular', '5.00', '')",
        [],
    );
    assert!(
        late.unwrap_err()
            .to_string()
            .contains("only with their own run")
    );
    // Someone drops the protection and edits run 1 anyway.
    db.execute_batch(
        "DROP TRIGGER lines_never_change;
         UPDATE lines SET amount = '50.00' WHERE run = 1 AND who = 'ana' AND reward = 'bonus';",
    )
    .unwrap();
    drop(db);
    let run = meed(d, &["books", "verify", "--books", "books.db"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error: run 1: its fields or lines do not match its hash"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the protection `lines_never_change` was removed")
    );
    // A deleted line of run 2 is found too, and named.
    let db = rusqlite::Connection::open(d.join("books.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER lines_never_deleted;
         DELETE FROM lines WHERE run = 2 AND reward = 'time_off';",
    )
    .unwrap();
    drop(db);
    let run = meed(d, &["books", "verify", "--books", "books.db"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error: run 2: its fields or lines do not match its hash")
    );
}

/// A log large enough that a close takes a while: `people` people, a
/// review each per day of 2027.
fn big_log(path: &Path, people: usize) {
    let mut text = String::from("id,who,kind,at,lines,duration\n");
    for day in 0..365 {
        let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Days::new(day);
        for p in 0..people {
            let _ = writeln!(
                text,
                "r{day}-{p},person{p:05},review,{date}T{:02}:00:00Z,{},",
                p % 24,
                (p + day as usize) % 50
            );
        }
    }
    std::fs::write(path, text).unwrap();
}

fn meed_command(dir: &Path, through: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meed"));
    command
        .args(close_args(through))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[test]
fn a_close_killed_at_any_point_leaves_the_books_as_they_were() {
    let dir = setup();
    let d = dir.path();
    big_log(&d.join("log.csv"), 400);
    assert_eq!(close(d, "2027-01-31").code, 0);
    let before = show_csv(d);
    let journal = d.join("books.db-journal");
    let mut killed_while_writing = 0;
    // Kill while evaluating (a fixed delay), then while writing: SQLite's
    // rollback journal exists exactly while the run's transaction writes,
    // so a kill soon after it appears lands inside the transaction.
    for wait_ms in [200, 0, 1, 2, 5, 10, 20, 40] {
        let mut child = meed_command(d, "2027-12-31").spawn().unwrap();
        let started = Instant::now();
        let mut writing = false;
        while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(120) {
            if wait_ms == 200 {
                std::thread::sleep(Duration::from_millis(200));
                break;
            }
            if journal.exists() {
                std::thread::sleep(Duration::from_millis(wait_ms));
                writing = true;
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let after = show_csv(d);
        let verify = meed(d, &["books", "verify", "--books", "books.db"]);
        assert_eq!(verify.code, 0, "after a kill: {}", verify.stderr);
        if status.success() {
            // The run finished before the kill: it is there whole, and
            // nothing else can be tried on these books.
            assert!(after.starts_with(&before) && after.len() > before.len());
            break;
        }
        assert_eq!(after, before, "a killed close changed the books");
        if writing {
            killed_while_writing += 1;
        }
    }
    assert!(
        killed_while_writing >= 3,
        "only {killed_while_writing} kills landed while the run was being written"
    );
}

#[test]
fn two_closes_at_once_never_both_book() {
    let dir = setup();
    let d = dir.path();
    big_log(&d.join("log.csv"), 100);
    let first = meed_command(d, "2027-06-30").spawn().unwrap();
    let second = meed_command(d, "2027-06-30").spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut children = [first, second];
    let mut codes = Vec::new();
    for child in &mut children {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                codes.push(status.code());
                break;
            }
            assert!(Instant::now() < deadline, "a close hung");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert_eq!(codes, [Some(0), Some(0)]);
    let runs = meed(
        d,
        &["books", "show", "--books", "books.db", "--format", "json"],
    );
    let value: serde_json::Value = serde_json::from_str(&runs.stdout).unwrap();
    assert_eq!(
        value["runs"].as_array().unwrap().len(),
        1,
        "both closes booked"
    );
    assert_eq!(meed(d, &["books", "verify", "--books", "books.db"]).code, 0);
}

/// Issue 13: `--period 2027-04`, `-05`, `-06` each paid the whole quarterly
/// pool again and restarted the quarterly cap. Windows are causal now.
#[test]
fn monthly_windows_never_re_pay_a_quarterly_pool_nor_restart_a_cap() {
    let dir = setup();
    let d = dir.path();
    let eval = |args: &[&str]| {
        let mut all = vec!["eval", "p.meed", "log.csv", "--format", "csv"];
        all.extend_from_slice(args);
        let run = meed(d, &all);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    assert_eq!(
        eval(&["--period", "2027-04"]),
        "who,reward,amount,unit\nana,bonus,5.00,EUR\nana,reputation,1,pts\nana,time_off,300,min\nbo,bonus,10.00,EUR\nbo,reputation,1,pts\n"
    );
    assert_eq!(
        eval(&["--period", "2027-05"]),
        "who,reward,amount,unit\nana,bonus,2.50,EUR\nana,reputation,1,pts\nana,time_off,450,min\n"
    );
    // June holds the quarter's end: the pool (900 EUR, once) and the last
    // 210 minutes under the 960-minute quarterly cap.
    assert_eq!(
        eval(&["--from", "2027-06-01", "--to", "2027-06-30"]),
        "who,reward,amount,unit\nana,bonus,450.00,EUR\nana,time_off,210,min\nbo,bonus,454.00,EUR\nbo,reputation,1,pts\n"
    );
    assert_eq!(
        eval(&["--by", "month"]),
        "who,period,reward,amount,unit
ana,2027-04,bonus,5.00,EUR
ana,2027-04,reputation,1,pts
ana,2027-04,time_off,300,min
ana,2027-05,bonus,2.50,EUR
ana,2027-05,reputation,1,pts
ana,2027-05,time_off,450,min
ana,2027-06,bonus,450.00,EUR
ana,2027-06,time_off,210,min
bo,2027-04,bonus,10.00,EUR
bo,2027-04,reputation,1,pts
bo,2027-06,bonus,454.00,EUR
bo,2027-06,reputation,1,pts
"
    );
    assert_eq!(
        eval(&["--by", "quarter"]),
        "who,period,reward,amount,unit\nana,2027-Q2,bonus,457.50,EUR\nana,2027-Q2,reputation,2,pts\nana,2027-Q2,time_off,960,min\nbo,2027-Q2,bonus,464.00,EUR\nbo,2027-Q2,reputation,2,pts\n"
    );
    // The same through the in-memory evaluator.
    let memory = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args([
            "eval", "p.meed", "log.csv", "--format", "csv", "--by", "month",
        ])
        .current_dir(d)
        .env("MEED_NO_STREAM", "1")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&memory.stdout),
        eval(&["--by", "month"])
    );
    let table = meed(
        d,
        &[
            "eval", "p.meed", "log.csv", "--format", "table", "--by", "week",
        ],
    );
    assert!(
        table.stdout.starts_with(
            "who  period    reward        amount  unit\nana  2027-W13  bonus           5.00  EUR\n"
        ),
        "{}",
        table.stdout
    );
    let json = meed(
        d,
        &[
            "eval", "p.meed", "log.csv", "--format", "json", "--by", "month",
        ],
    );
    assert_eq!(json.code, 2);
    assert!(json.stderr.contains("`--by` gives totals per period"));
}
