//! Reading files for commands, and writing outputs atomically.

use std::io::Write as _;
use std::path::Path;

use crate::input::decode;
pub(super) use crate::input::plain_io_error;
use crate::source::SourceFile;

use super::{Outcome, Reporter};

/// Reads a file as UTF-8 text. A file that cannot be opened is a usage
/// error (exit 2); one that is not UTF-8 is reported as a data error.
pub fn read_source(path: &Path, reporter: &mut Reporter) -> Result<SourceFile, Outcome> {
    crate::pipeline::read_text(path, reporter).map_err(super::eval::failed)
}

/// Reads standard input as UTF-8 text, named `<stdin>` in messages.
pub fn read_stdin(reporter: &mut Reporter) -> Result<SourceFile, Outcome> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|error| {
        Outcome::Usage(format!(
            "cannot read standard input: {}",
            plain_io_error(&error)
        ))
    })?;
    decode("<stdin>", bytes).map_err(|error| {
        reporter.report(&error, &SourceFile::new("<stdin>", String::new()));
        Outcome::Failed
    })
}

/// Writes `contents` to `path` through a temporary file in the same folder
/// and a rename, so an interrupted run leaves the old file intact.
///
/// - A symbolic link is followed: the file it points to is replaced (the
///   temporary file is made beside that file), the link stays a link.
/// - A read-only file (no write permission bit at all) is refused, even
///   for root, who could write it anyway.
/// - Special files (`/dev/stdout`, a named pipe, a terminal, anything under
///   `/dev` or `/proc`) are written directly: they cannot be renamed over.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), Outcome> {
    write_output(
        path,
        &mut |out| out.write_all(contents.as_bytes()),
        |folder| tempfile::NamedTempFile::new_in(folder),
    )
}

/// Writes what `contents` writes, as [`write_atomically`] does, without
/// holding it all in memory (a ledger of millions of grants).
pub fn write_streamed_atomically(path: &Path, contents: Contents<'_>) -> Result<(), Outcome> {
    write_output(path, contents, |folder| {
        tempfile::NamedTempFile::new_in(folder)
    })
}

/// Writes an output's bytes to where they go.
pub type Contents<'c> = &'c mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>;

/// [`write_atomically`] with the temporary file made by `new_temporary`, so
/// tests can make that step fail.
fn write_output(
    path: &Path,
    contents: Contents<'_>,
    new_temporary: impl FnOnce(&Path) -> std::io::Result<tempfile::NamedTempFile>,
) -> Result<(), Outcome> {
    let shown = path.display();
    let failed = |error: std::io::Error| {
        Outcome::Usage(format!(
            "cannot write `{shown}`: {}",
            plain_io_error(&error)
        ))
    };
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() => {
            return Err(Outcome::Usage(format!(
                "cannot write `{shown}`: it is a folder\n  help: name a file to write, not a folder"
            )));
        }
        Ok(metadata) if !metadata.is_file() || is_system_path(path) => {
            return write_in_place(path, contents).map_err(failed);
        }
        _ => {}
    }
    let target = follow_links(path).map_err(failed)?;
    match std::fs::metadata(&target) {
        Ok(metadata) if metadata.permissions().readonly() => {
            return Err(Outcome::Usage(format!(
                "cannot write `{shown}`: the file is read-only\n  help: make it writable first (`chmod u+w {}`) if it should change",
                target.display()
            )));
        }
        Ok(_) => {}
        // Nothing there yet, or the folder is not one: making the
        // temporary file says what is wrong with the folder.
        Err(error) if is_missing(&error) => {}
        Err(error) => return Err(failed(error)),
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temporary = new_temporary(folder).map_err(|error| {
        Outcome::Usage(format!(
            "cannot write `{shown}`: cannot create a file in the folder `{}`: {}\n  help: meed writes the new content beside the file and renames it into place, so the folder must exist and be writable",
            folder.display(),
            plain_io_error(&error)
        ))
    })?;
    let _unfinished = super::interrupt::remove_if_interrupted(temporary.path());
    // The temporary file is created private (0600); without this, `meed fmt`
    // would silently narrow a policy's permissions and `--out` files would
    // be unreadable to the rest of a team. Keep the old file's permissions,
    // or give a new file the usual ones.
    if let Some(permissions) = permissions_for(&target) {
        temporary
            .as_file()
            .set_permissions(permissions)
            .map_err(failed)?;
    }
    {
        let mut buffered = std::io::BufWriter::new(temporary.as_file_mut());
        contents(&mut buffered).map_err(failed)?;
        buffered.flush().map_err(failed)?;
    }
    temporary.as_file().sync_all().map_err(failed)?;
    // On any error the temporary file is removed when it is dropped.
    temporary.persist(&target).map_err(|e| failed(e.error))?;
    Ok(())
}

/// Writes to a file that cannot be replaced (a device, a pipe, a terminal,
/// `/dev/stdout`), appending as a shell's `>>` would, which for a pipe or
/// a freshly truncated file is the same as writing.
fn write_in_place(path: &Path, contents: Contents<'_>) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().append(true).open(path)?;
    let mut buffered = std::io::BufWriter::new(file);
    contents(&mut buffered)?;
    buffered.flush()
}

/// Whether `path`, or a link on the way to the file it names, is under
/// `/dev` or `/proc`: those name devices and open files (`/dev/stdout` is
/// the shell's redirection, perhaps to a regular file), never a file to
/// replace.
fn is_system_path(path: &Path) -> bool {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let absolute = std::path::absolute(&current).unwrap_or_else(|_| current.clone());
        if absolute.starts_with("/dev") || absolute.starts_with("/proc") {
            return true;
        }
        match std::fs::read_link(&current) {
            Ok(link) => current = link_target(&current, link),
            Err(_) => return false,
        }
    }
    false
}

/// The file `path` names after following symbolic links (the link's own
/// target when it dangles, so writing creates it).
fn follow_links(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = link_target(&current, link);
            }
            Err(error) if !is_missing(&error) => return Err(error),
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Where the link at `path` reading `link` points: relative links are
/// relative to the link's folder.
fn link_target(path: &Path, link: std::path::PathBuf) -> std::path::PathBuf {
    match path.parent() {
        Some(folder) if link.is_relative() => folder.join(link),
        _ => link,
    }
}

/// Whether an error says there is no such file (or no such folder).
fn is_missing(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// Refuses to write `out` when it is one of `inputs` (the same file, also
/// through a symbolic or hard link): `meed eval p.meed log.csv --out log.csv`
/// would replace the log with the ledger. Each input is named by its role
/// (`the log`); `flag` is how the output was given (`--out`).
pub fn refuse_overwriting_inputs(
    flag: &str,
    out: &Path,
    inputs: &[(&str, &Path)],
) -> Result<(), Outcome> {
    for (role, input) in inputs {
        if same_file(out, input) {
            return Err(Outcome::Usage(format!(
                "`{flag} {}` is {role} `{}`: writing it would destroy an input\n  help: write the output to another file",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Whether two paths name the same regular file: the same canonical path,
/// or (Unix) the same device and inode, which also catches hard links.
/// Devices and pipes are never "the same file": writing to `/dev/stdout`
/// does not destroy `/dev/stdin` even when both are one terminal.
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(meta_a), Ok(meta_b)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if !meta_a.is_file() || !meta_b.is_file() {
        return false;
    }
    if let (Ok(canonical_a), Ok(canonical_b)) = (std::fs::canonicalize(a), std::fs::canonicalize(b))
        && canonical_a == canonical_b
    {
        return true;
    }
    same_inode(&meta_a, &meta_b)
}

#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// The permissions `path` has, or, for a new file, read-write for the
/// owner and readable by others (0644, as most tools create files); `None`
/// where that cannot be said (not Unix, new file): the temporary file's own.
fn permissions_for(path: &Path) -> Option<std::fs::Permissions> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Some(metadata.permissions()),
        _ => new_file_permissions(),
    }
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Writes output to `--out FILE` (atomically) or to stdout.
pub fn emit(out: Option<&Path>, contents: &str) -> Result<(), Outcome> {
    emit_streamed(out, &mut |w| w.write_all(contents.as_bytes()))
}

/// Like [`emit`], for output written piece by piece.
pub fn emit_streamed(out: Option<&Path>, contents: Contents<'_>) -> Result<(), Outcome> {
    match out {
        Some(path) => write_streamed_atomically(path, contents),
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe (`meed eval ... | head`) is not an error worth a message.
            let _ = contents(&mut stdout);
            let _ = stdout.flush();
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(outcome: Result<(), Outcome>) -> String {
        match outcome {
            Err(Outcome::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Regression (issue 17): `fmt` on a writable file in a folder where
    /// no file can be created blamed the file. The message names the folder
    /// and says what to do.
    #[test]
    fn a_temporary_file_that_cannot_be_created_names_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        let policy = locked.join("policy.meed");
        std::fs::write(&policy, "old\n").unwrap();
        let outcome = write_output(&policy, &mut |w| w.write_all(b"new\n"), |_| {
            Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
        });
        let message = message(outcome);
        assert_eq!(
            message,
            format!(
                "cannot write `{}`: cannot create a file in the folder `{}`: permission denied\n  help: meed writes the new content beside the file and renames it into place, so the folder must exist and be writable",
                policy.display(),
                locked.display()
            )
        );
        assert_eq!(std::fs::read_to_string(&policy).unwrap(), "old\n");
        assert_eq!(names(&locked), ["policy.meed"]);
    }

    /// A write that fails half-way (here: the temporary file turns out not
    /// to be writable) keeps the old file and removes the temporary one,
    /// whoever runs it: the failure does not depend on permissions.
    #[test]
    fn a_write_that_fails_keeps_the_old_file_and_removes_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("ledger.csv");
        std::fs::write(&ledger, "old ledger\n").unwrap();
        let outcome = write_output(&ledger, &mut |w| w.write_all(b"new ledger\n"), |folder| {
            let path = folder.join(".meed-test-temporary");
            std::fs::write(&path, "")?;
            // Opened for reading only: every write fails.
            let file = std::fs::File::open(&path)?;
            Ok(tempfile::NamedTempFile::from_parts(
                file,
                tempfile::TempPath::try_from_path(path)?,
            ))
        });
        let message = message(outcome);
        assert!(
            message.starts_with(&format!("cannot write `{}`: ", ledger.display())),
            "{message}"
        );
        assert_eq!(std::fs::read_to_string(&ledger).unwrap(), "old ledger\n");
        assert_eq!(
            names(dir.path()),
            ["ledger.csv"],
            "a temporary file was left"
        );
    }

    #[test]
    fn a_link_is_followed_to_the_file_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.meed");
        std::fs::write(&real, "old\n").unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("link.meed");
            std::os::unix::fs::symlink("real.meed", &link).unwrap();
            assert_eq!(follow_links(&link).unwrap(), real);
            write_atomically(&link, "new\n").unwrap();
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
        }
        assert_eq!(follow_links(&real).unwrap(), real);
    }
}
