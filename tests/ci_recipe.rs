//! The CI recipe in `examples/ci/` runs end to end: check, test and
//! snapshot every bundled policy, then report a policy change as markdown.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a panic in a test is a failing test"
)]

use std::path::Path;
use std::process::Command;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn git(folder: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=meed",
            "-c",
            "user.email=meed@example.org",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(folder)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn recipe(folder: &Path, base_ref: Option<&str>) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new("bash");
    command
        .arg(root.join("examples/ci/check-policies.sh"))
        .args(["rules", "examples"])
        .current_dir(folder)
        .env("MEED", env!("CARGO_BIN_EXE_meed"))
        .env("NO_COLOR", "1")
        .env("REPORT", "report.md");
    if let Some(base) = base_ref {
        command.env("BASE_REF", base);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn recipe_passes_on_the_bundled_policies_and_reports_a_change() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    copy_tree(&root.join("rules"), &work.path().join("rules"));
    copy_tree(&root.join("examples"), &work.path().join("examples"));

    let (code, output) = recipe(work.path(), None);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("30 passed, 0 failed"), "{output}");
    assert!(output.contains("matches the approved snapshot"), "{output}");

    // A pull request raises the review reward: the snapshot fails, naming
    // the grants that moved, and the report shows who gains.
    git(work.path(), &["init", "-q"]);
    git(work.path(), &["add", "."]);
    git(work.path(), &["commit", "-q", "-m", "policies"]);
    let policy = work.path().join("rules/community.meed");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replace("let review_points = 3 pts", "let review_points = 4 pts"),
    )
    .unwrap();

    let (code, output) = recipe(work.path(), Some("HEAD"));
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("differs from the approved snapshot `examples/community/ledger.snap`"),
        "{output}"
    );
    assert!(output.contains("by rule code_review"), "{output}");
    let report = std::fs::read_to_string(work.path().join("report.md")).unwrap();
    assert!(report.contains("### meed diff:"), "{report}");
    assert!(report.contains("constant `review_points`: changed, `let review_points = 3 pts` → `let review_points = 4 pts`"), "{report}");
    assert!(report.contains("| reputation |"), "{report}");
}
