//! Reading files for commands, and writing outputs atomically.

use std::io::Write as _;
use std::path::Path;

use crate::input::decode;
use crate::source::SourceFile;

use super::{Outcome, Reporter};

/// Reads a file as UTF-8 text. A file that cannot be opened is a usage
/// error (exit 2); one that is not UTF-8 is reported as a data error.
pub fn read_source(path: &Path, reporter: &mut Reporter) -> Result<SourceFile, Outcome> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| {
        Outcome::Usage(format!("cannot read `{name}`: {}", plain_io_error(&error)))
    })?;
    decode(&name, bytes).map_err(|error| {
        let empty = SourceFile::new(name.clone(), String::new());
        reporter.report(&error, &empty);
        Outcome::Failed
    })
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
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), Outcome> {
    let failed = |error: std::io::Error| {
        Outcome::Usage(format!(
            "cannot write `{}`: {}",
            path.display(),
            plain_io_error(&error)
        ))
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(failed)?;
    // The temporary file is created private (0600); without this, `meed fmt`
    // would silently narrow a policy's permissions and `--out` files would
    // be unreadable to the rest of a team. Keep the old file's permissions,
    // or give a new file the usual ones.
    if let Some(permissions) = permissions_for(path) {
        temporary
            .as_file()
            .set_permissions(permissions)
            .map_err(failed)?;
    }
    temporary.write_all(contents.as_bytes()).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    temporary.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
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
    match out {
        Some(path) => write_atomically(path, contents),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`meed eval ... | head`) is not an error worth a message.
            let _ = stdout.write_all(contents.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

/// `No such file or directory`, without Rust's `(os error 2)` suffix.
pub(super) fn plain_io_error(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}
