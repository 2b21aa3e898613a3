//! Nothing half-written: every file meed writes goes through
//! `cli::files::write_atomically` (a temporary file in the same folder, then
//! a rename), a failed write leaves the old file as it was, and a command
//! that fails before writing does not touch its output.

use std::path::Path;

use super::cli::{meed_in, root};

const POLICY: &str = "contribution sale { amount: Money(EUR) }\nreward bonus: Money(EUR)\nrule pass { on sale s  grant bonus s.amount }\n";
const LOG: &str = "id,who,kind,at,amount\ns1,ada,sale,2027-01-05,12.50\n";

/// A folder with `policy.meed` and `log.csv`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.meed"), POLICY).unwrap();
    std::fs::write(dir.path().join("log.csv"), LOG).unwrap();
    dir
}

/// The names in `dir`, sorted: a leftover temporary file would show here.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// No command writes a file except through `write_atomically`.
#[test]
fn every_written_file_goes_through_write_atomically() {
    let cli = root().join("src/cli");
    for entry in std::fs::read_dir(&cli).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "files.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for direct in ["fs::write(", "File::create(", "OpenOptions", "fs::copy("] {
            assert!(
                !text.contains(direct),
                "{} writes with `{direct}` instead of write_atomically",
                path.display()
            );
        }
    }
    let files = std::fs::read_to_string(cli.join("files.rs")).unwrap();
    assert!(files.contains("NamedTempFile::new_in(folder)") && files.contains(".persist(path)"));
    for (command, call) in [
        ("eval.rs", "emit(args.out"),
        ("snapshot.rs", "write_atomically(&args.snap"),
        ("fmt.rs", "write_atomically(path"),
    ] {
        let text = std::fs::read_to_string(cli.join(command)).unwrap();
        assert!(text.contains(call), "{command} no longer calls `{call}`");
    }
}

#[test]
fn a_write_onto_a_folder_fails_clearly_and_leaves_it_intact() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/keep.txt"), "keep").unwrap();
    let before = names(dir.path());

    let eval = meed_in(
        dir.path(),
        &["eval", "policy.meed", "log.csv", "--out", "out"],
        &[],
    );
    assert_eq!(eval.code, 2, "{}", eval.stderr);
    assert!(
        eval.stderr.contains("cannot write `out`"),
        "{}",
        eval.stderr
    );

    let snapshot = meed_in(
        dir.path(),
        &[
            "snapshot",
            "policy.meed",
            "log.csv",
            "--snap",
            "out",
            "--accept",
        ],
        &[],
    );
    assert_ne!(snapshot.code, 0, "{}", snapshot.stderr);
    assert!(snapshot.stderr.contains("out"), "{}", snapshot.stderr);

    assert_eq!(
        names(dir.path()),
        before,
        "a temporary file was left behind"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/keep.txt")).unwrap(),
        "keep"
    );
}

/// Where the folder cannot be written (a read-only folder for a normal
/// user), the old file survives whole. Root can write anywhere, so there
/// the write succeeds and only the outcome's consistency is checked.
#[cfg(unix)]
#[test]
fn a_failed_write_into_a_read_only_folder_keeps_the_old_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = workspace();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("ledger.csv"), "old ledger\n").unwrap();
    std::fs::write(locked.join("policy.meed"), "reward   bonus: Money(EUR)\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let can_write = std::fs::write(locked.join("probe"), "").is_ok();

    let eval = meed_in(
        dir.path(),
        &[
            "eval",
            "policy.meed",
            "log.csv",
            "--format",
            "csv",
            "--out",
            "locked/ledger.csv",
        ],
        &[],
    );
    let fmt = meed_in(dir.path(), &["fmt", "locked/policy.meed"], &[]);
    let ledger = std::fs::read_to_string(locked.join("ledger.csv")).unwrap();
    let policy = std::fs::read_to_string(locked.join("policy.meed")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    if can_write {
        assert_eq!(eval.code, 0, "{}", eval.stderr);
        assert_eq!(ledger, "who,reward,amount,unit\nada,bonus,12.50,EUR\n");
        assert_eq!(fmt.code, 0, "{}", fmt.stderr);
        assert_eq!(policy, "reward bonus: Money(EUR)\n");
    } else {
        assert_eq!(eval.code, 2);
        assert!(
            eval.stderr.contains("cannot write `locked/ledger.csv`"),
            "{}",
            eval.stderr
        );
        assert_eq!(ledger, "old ledger\n");
        assert_ne!(fmt.code, 0);
        assert!(fmt.stderr.contains("cannot write"), "{}", fmt.stderr);
        assert_eq!(policy, "reward   bonus: Money(EUR)\n");
    }
}

#[test]
fn a_failed_evaluation_leaves_the_out_file_untouched() {
    let dir = workspace();
    std::fs::write(dir.path().join("ledger.csv"), "old ledger\n").unwrap();
    std::fs::write(
        dir.path().join("bad.csv"),
        "id,who,kind,at,amount\ns1,ada,sale,2027-01-05,lots\n",
    )
    .unwrap();
    let run = meed_in(
        dir.path(),
        &["eval", "policy.meed", "bad.csv", "--out", "ledger.csv"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ledger.csv")).unwrap(),
        "old ledger\n"
    );
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    // Odd layout, a CRLF, a tab and a parse error on the last line.
    let broken = b"reward   bonus: Money(EUR)\r\n\trule r { on\n  grant bonus (1 EUR\n".to_vec();
    std::fs::write(dir.path().join("broken.meed"), &broken).unwrap();
    let before = names(dir.path());
    let run = meed_in(dir.path(), &["fmt", "broken.meed"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("broken.meed"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(dir.path().join("broken.meed")).unwrap(),
        broken
    );
    assert_eq!(names(dir.path()), before);
}

/// Regression: the temporary file is created private (0600) and used to
/// replace the policy with those permissions.
#[cfg(unix)]
#[test]
fn writes_keep_permissions() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = workspace();
    let policy = dir.path().join("messy.meed");
    std::fs::write(&policy, "reward   bonus: Money(EUR)\n").unwrap();
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = meed_in(dir.path(), &["fmt", "messy.meed"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&policy).unwrap(),
        "reward bonus: Money(EUR)\n"
    );
    let mode = std::fs::metadata(&policy).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);

    let run = meed_in(
        dir.path(),
        &["eval", "policy.meed", "log.csv", "--out", "new.csv"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mode = std::fs::metadata(dir.path().join("new.csv"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644);
}
