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
    assert!(files.contains("NamedTempFile::new_in(folder)") && files.contains(".persist(&target)"));
    for (command, call) in [
        ("eval.rs", "emit(args.out"),
        ("diff.rs", "emit(args.out"),
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

/// Runs meed with writes to regular files limited to 0 bytes
/// (`ulimit -f 0`, with `SIGXFSZ` ignored so the write fails with "File too
/// large" instead of killing the process): a write that fails half-way,
/// whoever runs the test, root included.
#[cfg(unix)]
fn meed_with_no_room(dir: &Path, args: &[&str]) -> super::cli::Run {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    super::cli::Run {
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// Regression (issue 18): this used to depend on a read-only folder, which
/// root (as CI runs) writes anyway, so the failing branch never ran. Now the
/// write itself fails, for every command that writes a file.
#[cfg(unix)]
#[test]
fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file() {
    let dir = workspace();
    std::fs::write(dir.path().join("ledger.csv"), "old ledger\n").unwrap();
    std::fs::write(dir.path().join("ledger.snap"), "old snapshot\n").unwrap();
    std::fs::write(
        dir.path().join("messy.meed"),
        "reward   bonus: Money(EUR)\n",
    )
    .unwrap();
    let before = names(dir.path());
    let runs = [
        (
            vec![
                "eval",
                "policy.meed",
                "log.csv",
                "--format",
                "csv",
                "--out",
                "ledger.csv",
            ],
            "ledger.csv",
            "old ledger\n",
        ),
        (
            vec![
                "snapshot",
                "policy.meed",
                "log.csv",
                "--snap",
                "ledger.snap",
                "--accept",
            ],
            "ledger.snap",
            "old snapshot\n",
        ),
        (
            vec!["fmt", "messy.meed"],
            "messy.meed",
            "reward   bonus: Money(EUR)\n",
        ),
    ];
    for (args, file, old) in runs {
        let run = meed_with_no_room(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("error: cannot write `{file}`: File too large")),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(std::fs::read_to_string(dir.path().join(file)).unwrap(), old);
        assert_eq!(
            names(dir.path()),
            before,
            "a temporary file was left behind"
        );
    }
}

/// Regression (issue 17): `fmt` on a writable file in a read-only folder
/// blamed the file. The message names the folder and says what to do, and
/// both files stay as they were. Root writes into any folder, so as root
/// (as CI runs) meed runs as `nobody` through `setpriv`: the read-only
/// branch is always the one tested.
#[cfg(unix)]
#[test]
fn a_read_only_folder_is_named_and_its_files_kept() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let dir = workspace();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("ledger.csv"), "old ledger\n").unwrap();
    std::fs::write(locked.join("policy.meed"), "reward   bonus: Money(EUR)\n").unwrap();
    let as_root = std::fs::metadata(locked.join("policy.meed")).unwrap().uid() == 0;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let run = |args: &[&str]| {
        let mut command = if as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_meed"));
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_meed"))
        };
        let output = command
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run meed (as root, `setpriv` is needed): {e}"));
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let help = "help: meed writes the new content beside the file and renames it into place, so the folder must exist and be writable";
    let (fmt_code, fmt_stderr) = run(&["fmt", "locked/policy.meed"]);
    let (eval_code, eval_stderr) = run(&[
        "eval",
        "policy.meed",
        "log.csv",
        "--format",
        "csv",
        "--out",
        "locked/ledger.csv",
    ]);
    let ledger = std::fs::read_to_string(locked.join("ledger.csv")).unwrap();
    let policy = std::fs::read_to_string(locked.join("policy.meed")).unwrap();
    let left = names(&locked);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(fmt_code, 2, "{fmt_stderr}");
    assert!(
        fmt_stderr.contains(&format!(
            "error: cannot write `locked/policy.meed`: cannot create a file in the folder `locked`: Permission denied\n  {help}"
        )),
        "{fmt_stderr}"
    );
    assert_eq!(eval_code, 2, "{eval_stderr}");
    assert!(
        eval_stderr.contains(
            "error: cannot write `locked/ledger.csv`: cannot create a file in the folder `locked`"
        ),
        "{eval_stderr}"
    );
    assert_eq!(policy, "reward   bonus: Money(EUR)\n");
    assert_eq!(ledger, "old ledger\n");
    assert_eq!(left, ["ledger.csv", "policy.meed"]);
}

/// A folder that cannot hold the temporary file (here a path through a
/// regular file, which no permission can change) is named in the message.
#[test]
fn a_folder_that_cannot_hold_the_temporary_file_is_named() {
    let dir = workspace();
    std::fs::write(dir.path().join("notes"), "not a folder\n").unwrap();
    let before = names(dir.path());
    let run = meed_in(
        dir.path(),
        &[
            "eval",
            "policy.meed",
            "log.csv",
            "--out",
            "notes/ledger.csv",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: cannot write `notes/ledger.csv`: cannot create a file in the folder `notes`: Not a directory\n  help: meed writes the new content beside the file and renames it into place, so the folder must exist and be writable"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(names(dir.path()), before);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes")).unwrap(),
        "not a folder\n"
    );
}

/// Regression (issue 17): `meed fmt link.meed` replaced the link with a
/// regular file and left the real file unformatted. Writes go through
/// links to the file they name, which is replaced atomically beside it.
#[cfg(unix)]
#[test]
fn writes_go_through_symbolic_links() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("shared")).unwrap();
    std::fs::write(
        dir.path().join("shared/real.meed"),
        "reward   bonus: Money(EUR)\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("shared/real.meed", dir.path().join("link.meed")).unwrap();
    std::fs::write(dir.path().join("shared/ledger.csv"), "old\n").unwrap();
    std::os::unix::fs::symlink("shared/ledger.csv", dir.path().join("ledger.csv")).unwrap();
    // A link to a file not yet written creates that file.
    std::os::unix::fs::symlink("shared/new.csv", dir.path().join("new.csv")).unwrap();

    let fmt = meed_in(dir.path(), &["fmt", "link.meed"], &[]);
    assert_eq!(fmt.code, 0, "{}", fmt.stderr);
    for (args, link) in [
        (
            [
                "eval",
                "policy.meed",
                "log.csv",
                "--format",
                "csv",
                "--out",
                "ledger.csv",
            ],
            "ledger.csv",
        ),
        (
            [
                "eval",
                "policy.meed",
                "log.csv",
                "--format",
                "csv",
                "--out",
                "new.csv",
            ],
            "new.csv",
        ),
    ] {
        let run = meed_in(dir.path(), &args, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let meta = std::fs::symlink_metadata(dir.path().join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is no longer a link");
    }
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.meed"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("shared/real.meed")).unwrap(),
        "reward bonus: Money(EUR)\n"
    );
    for file in ["shared/ledger.csv", "shared/new.csv"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(file)).unwrap(),
            "who,reward,amount,unit\nada,bonus,12.50,EUR\n"
        );
    }
    assert_eq!(
        names(&dir.path().join("shared")),
        ["ledger.csv", "new.csv", "real.meed"]
    );
}

/// Regression (issue 17): `fmt` silently rewrote a mode-0444 file. A file
/// without any write permission is refused, by root too (root could write
/// it, so the mode bits are checked, not the outcome of trying).
#[cfg(unix)]
#[test]
fn read_only_files_are_refused_even_for_root() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = workspace();
    std::fs::write(
        dir.path().join("messy.meed"),
        "reward   bonus: Money(EUR)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("ledger.csv"), "old ledger\n").unwrap();
    for file in ["messy.meed", "ledger.csv"] {
        std::fs::set_permissions(
            dir.path().join(file),
            std::fs::Permissions::from_mode(0o444),
        )
        .unwrap();
    }
    let before = names(dir.path());
    let fmt = meed_in(dir.path(), &["fmt", "messy.meed"], &[]);
    assert_eq!(fmt.code, 2, "{}", fmt.stderr);
    assert!(
        fmt.stderr.contains(
            "error: cannot write `messy.meed`: the file is read-only\n  help: make it writable first (`chmod u+w messy.meed`) if it should change"
        ),
        "{}",
        fmt.stderr
    );
    let eval = meed_in(
        dir.path(),
        &["eval", "policy.meed", "log.csv", "--out", "ledger.csv"],
        &[],
    );
    assert_eq!(eval.code, 2, "{}", eval.stderr);
    assert!(
        eval.stderr
            .contains("error: cannot write `ledger.csv`: the file is read-only"),
        "{}",
        eval.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.meed")).unwrap(),
        "reward   bonus: Money(EUR)\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ledger.csv")).unwrap(),
        "old ledger\n"
    );
    let mode = std::fs::metadata(dir.path().join("messy.meed"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o444);
    assert_eq!(names(dir.path()), before);
}

/// Regression (issue 17): `--out /dev/stdout` failed with a permission
/// error because the temporary file was made in `/dev` (as root it was
/// renamed over `/dev/stdout`, replacing the link with a regular file).
/// Special files are written directly: standard output whether it is a
/// pipe or a file, and a named pipe.
///
/// The test reaches `/dev/stdout` through a link in its own folder, so a
/// broken build replaces that link, never the machine's `/dev/stdout`.
#[cfg(unix)]
#[test]
fn special_files_are_written_directly() {
    let dir = workspace();
    let ledger = "who,reward,amount,unit\nada,bonus,12.50,EUR\n";
    std::os::unix::fs::symlink("/dev/stdout", dir.path().join("stdout")).unwrap();
    let args = [
        "eval",
        "policy.meed",
        "log.csv",
        "--format",
        "csv",
        "--out",
        "stdout",
    ];
    // Standard output is a pipe here.
    let run = meed_in(dir.path(), &args, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(String::from_utf8_lossy(&run.stdout), ledger);
    // Standard output redirected to a file: that file, not a replacement.
    let redirected = dir.path().join("redirected.csv");
    let file = std::fs::File::create(&redirected).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_meed"))
        .args(args)
        .current_dir(dir.path())
        .stdout(file)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&redirected).unwrap(), ledger);
    assert!(
        std::fs::symlink_metadata(dir.path().join("stdout"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    let pipe = dir.path().join("pipe");
    let reader = std::thread::spawn(move || std::fs::read_to_string(pipe).unwrap());
    let run = meed_in(
        dir.path(),
        &[
            "eval",
            "policy.meed",
            "log.csv",
            "--format",
            "csv",
            "--out",
            "pipe",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reader.join().unwrap(), ledger);
    assert_eq!(
        names(dir.path()),
        ["log.csv", "pipe", "policy.meed", "redirected.csv", "stdout"]
    );
}

/// Regression (issue 17): `meed eval p.meed log.csv --out log.csv`
/// replaced the log with the ledger. An output that is one of the inputs
/// (by name, through a symbolic link or a hard link) is refused with exit
/// 2 before anything is evaluated, for every command that writes a file.
#[cfg(unix)]
#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = workspace();
    std::fs::write(dir.path().join("people.csv"), "who\nada\n").unwrap();
    std::fs::write(dir.path().join("new.meed"), POLICY).unwrap();
    std::os::unix::fs::symlink("log.csv", dir.path().join("log-link.csv")).unwrap();
    std::fs::hard_link(dir.path().join("log.csv"), dir.path().join("log-hard.csv")).unwrap();
    let before: Vec<(String, Vec<u8>)> = names(dir.path())
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.path().join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    let cases: [(&[&str], &str); 9] = [
        (
            &["eval", "policy.meed", "log.csv", "--out", "log.csv"],
            "`--out log.csv` is the log `log.csv`",
        ),
        (
            &["eval", "policy.meed", "log.csv", "--out", "./log.csv"],
            "`--out ./log.csv` is the log `log.csv`",
        ),
        (
            &["eval", "policy.meed", "log.csv", "--out", "log-link.csv"],
            "`--out log-link.csv` is the log `log.csv`",
        ),
        (
            &["eval", "policy.meed", "log.csv", "--out", "log-hard.csv"],
            "`--out log-hard.csv` is the log `log.csv`",
        ),
        (
            &["eval", "policy.meed", "log.csv", "--out", "policy.meed"],
            "`--out policy.meed` is the policy `policy.meed`",
        ),
        (
            &[
                "eval",
                "policy.meed",
                "log.csv",
                "--people",
                "people.csv",
                "--out",
                "people.csv",
            ],
            "`--out people.csv` is the people file `people.csv`",
        ),
        (
            &[
                "diff",
                "policy.meed",
                "new.meed",
                "log.csv",
                "--out",
                "new.meed",
            ],
            "`--out new.meed` is the new policy `new.meed`",
        ),
        (
            &[
                "diff",
                "policy.meed",
                "new.meed",
                "log.csv",
                "--out",
                "log.csv",
            ],
            "`--out log.csv` is the log `log.csv`",
        ),
        (
            &[
                "snapshot",
                "policy.meed",
                "log.csv",
                "--snap",
                "log-link.csv",
                "--accept",
            ],
            "`--snap log-link.csv` is the log `log.csv`",
        ),
    ];
    for (args, says) in cases {
        let run = meed_in(dir.path(), args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "error: {says}: writing it would destroy an input\n  help: write the output to another file"
            )),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{args:?}: something was evaluated");
    }
    for (name, bytes) in before {
        assert_eq!(
            std::fs::read(dir.path().join(&name)).unwrap(),
            bytes,
            "{name} changed"
        );
    }
    // An output that is not an input is still written.
    let run = meed_in(
        dir.path(),
        &["eval", "policy.meed", "log.csv", "--out", "ledger.csv"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
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
