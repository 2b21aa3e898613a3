//! `meed report`: the pages for a bundled example (snapshots), pages that
//! reference nothing outside themselves, hostile names escaped and given
//! safe file names, the output directory's rules, and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn meed(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn community_report(out: &Path) -> Output {
    meed(&[
        "report",
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Every page of a report directory, by its path inside it.
fn pages(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut pages = vec![(
        PathBuf::from("index.html"),
        fs::read_to_string(dir.join("index.html")).unwrap(),
    )];
    let mut people: Vec<_> = fs::read_dir(dir.join("people"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    people.sort();
    for path in people {
        let name = PathBuf::from("people").join(path.file_name().unwrap());
        pages.push((name, fs::read_to_string(&path).unwrap()));
    }
    pages
}

/// The page without its style sheet, which is the same on every page.
fn without_style(page: &str) -> String {
    let start = page.find("<style>").unwrap() + "<style>".len();
    let end = page.find("</style>").unwrap();
    format!("{}…{}", &page[..start], &page[end..])
}

#[test]
fn community_statement_and_overview() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let run = community_report(&out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    insta::assert_snapshot!("report_community_index", without_style(&index));
    let ada = fs::read_to_string(out.join("people/ada.html")).unwrap();
    insta::assert_snapshot!("report_community_ada", without_style(&ada));
    // One statement per person of the roster, each linked from the index.
    let roster = fs::read_to_string(root().join("examples/community/people.csv")).unwrap();
    for line in roster.lines().skip(1) {
        let who = line.split(',').next().unwrap();
        assert!(out.join(format!("people/{who}.html")).is_file(), "{who}");
        assert!(
            index.contains(&format!("href=\"people/{who}.html\"")),
            "{who}"
        );
    }
}

#[test]
fn the_same_inputs_give_the_same_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(community_report(&a).status.success());
    assert!(community_report(&b).status.success());
    assert_eq!(pages(&a), pages(&b));
}

/// The careful reader and the in-memory evaluator (what runs when the
/// streaming path steps aside) feed the report the same grants and records.
#[test]
fn the_careful_path_gives_the_same_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(community_report(&a).status.success());
    let careful = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args([
            "report",
            "rules/community.meed",
            "examples/community/log.csv",
            "--people",
            "examples/community/people.csv",
            "--out",
            b.to_str().unwrap(),
        ])
        .env("MEED_NO_STREAM", "1")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        careful.status.success(),
        "{}",
        String::from_utf8_lossy(&careful.stderr)
    );
    assert_eq!(pages(&a), pages(&b));
}

#[test]
fn no_page_references_anything_outside_itself() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    assert!(community_report(&out).status.success());
    for (name, page) in pages(&out) {
        let lower = page.to_lowercase();
        for outside in [
            "http", "//", "@import", "<script", "url(", "<link", "<img", "<iframe", "src=",
        ] {
            assert!(
                !lower.contains(outside),
                "{} has `{outside}`",
                name.display()
            );
        }
        assert!(
            page.len() <= 200 * 1024,
            "{} is {} bytes",
            name.display(),
            page.len()
        );
    }
}

const HOSTILE_POLICY: &str = r#"policy "Hostile <b>names</b>" {
  timezone "Europe/Berlin"
}

person {
  team: one of "a", "b"
}

contribution review { lines: Int, note: Text }

reward bonus: Money(EUR)

rule review_bonus {
  on review r
  when r.lines >= 10
  grant bonus 1 EUR + 0.5 EUR * r.lines
}

limit bonus at most 20 EUR per person per month
"#;

const HOSTILE_NAMES: [&str; 6] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "../../secret.txt",
    "ada\u{202e}lmth.exe",
    "..",
    "Ada",
];

fn csv_cell(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A policy and log whose names and texts try to break out of the page.
fn hostile_inputs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let policy = dir.join("hostile.meed");
    fs::write(&policy, HOSTILE_POLICY).unwrap();
    let mut log = String::from("id,who,kind,at,lines,note\n");
    let mut people = String::from("who,team\n");
    for (i, who) in HOSTILE_NAMES.iter().enumerate() {
        let note = csv_cell("</td><script>alert(2)</script>");
        log.push_str(&format!(
            "{},{},review,2027-01-0{}T10:00:00Z,{},{note}\n",
            csv_cell(&format!("r{i}<i>")),
            csv_cell(who),
            i + 1,
            10 + i * 20
        ));
        people.push_str(&format!("{},a\n", csv_cell(who)));
    }
    // A review too small to earn anything.
    log.push_str("small,Ada,review,2027-01-20T10:00:00Z,3,tiny\n");
    let log_path = dir.join("log.csv");
    fs::write(&log_path, log).unwrap();
    let people_path = dir.join("people.csv");
    fs::write(&people_path, people).unwrap();
    (policy, log_path, people_path)
}

#[test]
fn hostile_names_come_out_escaped_with_safe_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let (policy, log, people) = hostile_inputs(dir.path());
    let out = dir.path().join("deep/report");
    fs::create_dir_all(dir.path().join("deep")).unwrap();
    let run = meed(&[
        "report",
        policy.to_str().unwrap(),
        log.to_str().unwrap(),
        "--people",
        people.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Nothing was written outside the report: only `deep/report` in `deep`,
    // and the inputs beside it.
    let mut top: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["deep", "hostile.meed", "log.csv", "people.csv"]);
    let deep: Vec<_> = fs::read_dir(dir.path().join("deep")).unwrap().collect();
    assert_eq!(deep.len(), 1);
    let pages = pages(&out);
    assert_eq!(pages.len(), 1 + HOSTILE_NAMES.len());
    for (name, page) in &pages {
        let lower = page.to_lowercase();
        assert!(!lower.contains("<script"), "{}", name.display());
        assert!(!lower.contains("<img"), "{}", name.display());
        assert!(!lower.contains("<b>"), "{}", name.display());
        assert!(!lower.contains("<i>"), "{}", name.display());
        assert!(
            !page.contains('\u{202e}'),
            "{}: a raw right-to-left override",
            name.display()
        );
        let file = name.file_name().unwrap().to_str().unwrap();
        assert!(
            file.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_%.".contains(&b)),
            "{file}"
        );
    }
    let index = &pages[0].1;
    assert!(index.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(index.contains("&#34;&#62;&#60;img src=x onerror=alert(1)&#62;"));
    assert!(index.contains("ada\\u{202e}lmth.exe"));
    assert!(index.contains("Hostile &#60;b&#62;names&#60;/b&#62;"));
    // Each statement is where the index links to (a `%` in a file name is
    // `%25` in its link).
    for who in HOSTILE_NAMES {
        let stem = meed::report::names::file_stem(who);
        assert!(out.join(format!("people/{stem}.html")).is_file(), "{who}");
        let href = format!("people/{}.html", stem.replace('%', "%25"));
        assert!(index.contains(&href), "{href}");
    }
    let statement =
        fs::read_to_string(out.join("people/%2E%2E%2F%2E%2E%2Fsecret%2Etxt.html")).unwrap();
    assert!(statement.contains("Statement for <bdi>../../secret.txt</bdi>"));
    assert!(statement.contains("&#60;/td&#62;&#60;script&#62;alert(2)&#60;/script&#62;"));
    assert!(statement.contains("r2&#60;i&#62;"));
    // Ada's review (110 lines: 56.00 EUR) is cut by the monthly cap; her
    // statement says by which limit, the cap and what was granted before.
    let ada = fs::read_to_string(out.join("people/_ada.html")).unwrap();
    assert!(ada.contains("<h2>What limits cut</h2>"));
    assert!(ada.contains("cut to 20.00 EUR by limit `bonus at most 20 EUR per person per month` (0.00 EUR already granted in 2027-01)"), "{ada}");
    assert!(ada.contains("times in Europe/Berlin"));
    // 10:00 UTC is 11:00 in Berlin.
    assert!(
        ada.contains("<tr><td>01-06 11:00<td>review r5&#60;i&#62; (lines = 110"),
        "local time, not UTC: {ada}"
    );
    // What earned nothing, with the condition and its value.
    assert!(ada.contains("<h2>What earned nothing, and why</h2>"));
    assert!(
        ada.contains("review small on 2027-01-20 (lines = 3, note = &#34;tiny&#34;)<td>rule review_bonus needs r.lines &#62;= 10, and r.lines = 3"),
        "{ada}"
    );
}

#[test]
fn an_earlier_report_is_replaced_and_other_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    assert!(community_report(&out).status.success());
    // A page left from another run is gone after the next.
    fs::write(out.join("people/old.html"), "old").unwrap();
    assert!(community_report(&out).status.success());
    assert!(!out.join("people/old.html").exists());
    assert!(out.join("index.html").is_file());
    // A directory that is not a report is left alone.
    let mine = dir.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let run = community_report(&mine);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not an earlier report"));
    assert_eq!(
        fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(fs::read_dir(&mine).unwrap().count(), 1);
    // So is a file.
    let file = dir.path().join("file.html");
    fs::write(&file, "x").unwrap();
    assert_eq!(community_report(&file).status.code(), Some(2));
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    // An empty directory is fine.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert!(community_report(&empty).status.success());
    // Nothing is left behind next to the reports.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["empty", "file.html", "mine", "report"]);
}

#[test]
fn usage_errors_exit_2_and_data_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let out = out.to_str().unwrap();
    let log = "examples/community/log.csv";
    let code = |args: &[&str]| meed(args).status.code();
    // No --out.
    assert_eq!(code(&["report", "rules/community.meed", log]), Some(2));
    // --books without --run, and the other way round.
    assert_eq!(
        code(&[
            "report",
            "rules/community.meed",
            log,
            "--out",
            out,
            "--books",
            "b.db"
        ]),
        Some(2)
    );
    assert_eq!(
        code(&[
            "report",
            "rules/community.meed",
            log,
            "--out",
            out,
            "--run",
            "1"
        ]),
        Some(2)
    );
    // Books that do not exist.
    let missing = dir.path().join("missing.db");
    let args = [
        "report",
        "rules/community.meed",
        log,
        "--people",
        "examples/community/people.csv",
        "--out",
        out,
        "--books",
        missing.to_str().unwrap(),
        "--run",
        "1",
    ];
    assert_eq!(code(&args), Some(2));
    // A log that does not exist.
    assert_eq!(
        code(&["report", "rules/community.meed", "nope.csv", "--out", out]),
        Some(2)
    );
    // A bad period.
    assert_eq!(
        code(&[
            "report",
            "rules/community.meed",
            log,
            "--out",
            out,
            "--period",
            "2027-13"
        ]),
        Some(2)
    );
    // A policy with an error.
    let bad = dir.path().join("bad.meed");
    fs::write(
        &bad,
        "reward bonus: Money(EUR)\nrule r { on nothing n grant bonus 1 EUR }\n",
    )
    .unwrap();
    assert_eq!(
        code(&["report", bad.to_str().unwrap(), log, "--out", out]),
        Some(1)
    );
    // A log with a bad record.
    let bad_log = dir.path().join("bad.csv");
    fs::write(
        &bad_log,
        "id,who,kind,at,pages\nd1,ada,doc,2027-01-05T10:00:00Z,many\n",
    )
    .unwrap();
    let run = meed(&[
        "report",
        "rules/community.meed",
        bad_log.to_str().unwrap(),
        "--people",
        "examples/community/people.csv",
        "--out",
        out,
    ]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // None of these wrote anything.
    assert!(!Path::new(out).exists());
}

#[test]
fn a_period_and_a_payout_run() {
    let dir = tempfile::tempdir().unwrap();
    let books = dir.path().join("books.db");
    let close = meed(&[
        "close",
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "--books",
        books.to_str().unwrap(),
        "--through",
        "2027-03-31",
    ]);
    assert!(
        close.status.success(),
        "{}",
        String::from_utf8_lossy(&close.stderr)
    );
    let out = dir.path().join("report");
    let run = meed(&[
        "report",
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "--period",
        "2027-Q1",
        "--books",
        books.to_str().unwrap(),
        "--run",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("2027-Q1"));
    assert!(index.contains("Payout run 1 (through 2027-03-31)"));
    assert!(!index.contains("2027-04"), "a month outside the period");
    let ada = fs::read_to_string(out.join("people/ada.html")).unwrap();
    assert!(ada.contains("Paid in payout run 1"));
    assert!(
        ada.contains(
            "<td>bonus</td><td>2027-03</td><td>regular</td><td class=\"n\">207.93 EUR</td>"
        )
    );
    // A run the books do not hold.
    let run = meed(&[
        "report",
        "rules/community.meed",
        "examples/community/log.csv",
        "--people",
        "examples/community/people.csv",
        "--books",
        books.to_str().unwrap(),
        "--run",
        "7",
        "--out",
        dir.path().join("other").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
}

/// A log of `records` records for `benches/reference.meed` (likes and
/// reviews of 500 people over 2027), long enough that a run can be
/// interrupted half way.
#[cfg(unix)]
fn long_log(path: &Path, records: usize) {
    use std::fmt::Write as _;
    let mut log = String::from("id,who,kind,at,lines,repo,accepted,votes,duration,amount\n");
    for i in 0..records {
        let at = 1_798_761_600 + i as i64 * 30; // 2027-01-01T00:00:00Z on
        let at = chrono::DateTime::from_timestamp(at, 0).unwrap();
        let who = i * 7919 % 500;
        if i % 3 == 0 {
            let _ = writeln!(
                log,
                "r{i:07},p{who:03},review,{},{},core,,,,",
                at.format("%Y-%m-%dT%H:%M:%SZ"),
                40 + i % 80
            );
        } else {
            let _ = writeln!(
                log,
                "l{i:07},p{who:03},like,{},,,,,,",
                at.format("%Y-%m-%dT%H:%M:%SZ")
            );
        }
    }
    fs::write(path, log).unwrap();
}

/// A folder for a long report's temporary files, one for its output, and
/// a 300,000-record log: long enough to stop the run half way.
#[cfg(unix)]
fn long_run_folders() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (tmp, work) = (dir.path().join("tmp"), dir.path().join("work"));
    fs::create_dir_all(&tmp).unwrap();
    fs::create_dir_all(&work).unwrap();
    let log = dir.path().join("log.csv");
    long_log(&log, 300_000);
    (dir, tmp, work, log)
}

/// The names in `folder`, sorted.
#[cfg(unix)]
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `args` with `TMPDIR` set to `tmp`, waits until `started` holds,
/// presses Ctrl-C (SIGINT) and returns how the run ended.
#[cfg(unix)]
fn interrupted(args: &[&str], tmp: &Path, started: impl Fn() -> bool) -> std::process::ExitStatus {
    ended_by("-INT", args, tmp, started)
}

/// Runs `args` with `TMPDIR` set to `tmp`, waits until `started` holds,
/// sends `signal` (`-INT`, `-KILL`) and returns how the run ended.
#[cfg(unix)]
fn ended_by(
    signal: &str,
    args: &[&str],
    tmp: &Path,
    started: impl Fn() -> bool,
) -> std::process::ExitStatus {
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(root())
        .env("TMPDIR", tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while !started() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        assert!(waited.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    child.wait().unwrap()
}

/// Ctrl-C half way through a report leaves nothing behind: no staged
/// pages beside `--out`, no spilled records in the temporary folder; meed
/// exits with 130, as a program ended by Ctrl-C does.
#[cfg(unix)]
#[test]
fn ctrl_c_leaves_nothing_behind() {
    let (_dir, tmp, work, log) = long_run_folders();
    let entries = |folder: &Path| names(folder).len();

    let out = work.join("report");
    let status = interrupted(
        &[
            "report",
            "benches/reference.meed",
            log.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &tmp,
        || entries(&work) > 0 && entries(&tmp) > 0,
    );
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(entries(&work), 0, "staged pages left beside --out");
    assert_eq!(entries(&tmp), 0, "spilled records left in TMPDIR");
}

/// A run killed outright (`kill -9`) runs no code: its staged pages and
/// spilled records stay. The next report beside the same `--out` and with
/// the same temporary folder removes them; it leaves alone what a live
/// run claims (its lock file is locked) and any directory without a lock
/// file.
#[cfg(unix)]
#[test]
fn the_next_report_removes_what_a_killed_run_left() {
    let (_dir, tmp, work, log) = long_run_folders();
    let out = work.join("report");
    let args = [
        "report",
        "benches/reference.meed",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let status = ended_by("-KILL", &args, &tmp, || {
        names(&work).len() == 2 && names(&tmp).len() == 2
    });
    assert_eq!(status.code(), None, "killed by a signal: {status:?}");
    let left = names(&work);
    assert!(
        left[0].starts_with(".meed-report-") && left[1].ends_with(".lock"),
        "{left:?}"
    );
    assert!(names(&tmp)[0].starts_with(".meed-spill-"));

    // A live run's claim, and a directory without a lock file.
    let live = work.join(".meed-report-live");
    fs::create_dir(&live).unwrap();
    let claim = fs::File::create(work.join(".meed-report-live.lock")).unwrap();
    claim.lock().unwrap();
    fs::create_dir(work.join(".meed-report-unclaimed")).unwrap();

    let small = work.join("small");
    let output = community_report(&small);
    assert!(output.status.success(), "{output:?}");
    // The killed run's pages are gone; the spill folder is the temporary
    // folder of *this* process's runs, swept by a run with the same TMPDIR.
    assert_eq!(
        names(&work),
        [
            ".meed-report-live",
            ".meed-report-live.lock",
            ".meed-report-unclaimed",
            "small"
        ]
    );
    let swept = Command::new(env!("CARGO_BIN_EXE_meed"))
        .args([
            "report",
            "rules/community.meed",
            "examples/community/log.csv",
        ])
        .args(["--people", "examples/community/people.csv", "--out"])
        .arg(work.join("again"))
        .current_dir(root())
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert!(swept.status.success(), "{swept:?}");
    assert_eq!(
        names(&tmp),
        Vec::<String>::new(),
        "the killed run's spill stayed"
    );
    drop(claim);
}
