//! Writing the report's directory safely: every page is written into a
//! fresh directory next to `--out`, which is moved into place only once
//! every page is written, so a failed run leaves `--out` as it was.
//!
//! `--out DIR` may be missing (it is created), an empty directory, or a
//! directory an earlier `meed report` wrote (it holds [`MARKER`]): it is
//! then replaced whole. Anything else (a file, a directory with other
//! files) is refused, so a report never overwrites or mixes with files
//! that are not its own.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::claimed::{ClaimedDir, sweep};

/// The file that marks a directory as a report meed wrote.
pub const MARKER: &str = ".meed-report";

/// Why `--out` cannot take the report.
#[derive(Debug)]
pub enum Refused {
    /// A file, not a directory.
    NotDirectory(PathBuf),
    /// A directory holding files that are not a report's.
    Foreign(PathBuf),
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotDirectory(p) => write!(
                f,
                "`--out {}` is a file; the report is a directory (give a new or empty directory)",
                p.display()
            ),
            Refused::Foreign(p) => write!(
                f,
                "`--out {}` holds files that are not an earlier report; give a new or empty directory (a directory meed wrote, with its `{MARKER}` file, is replaced)",
                p.display()
            ),
            Refused::Io(p, e) => {
                write!(f, "cannot write the report next to `{}`: {e}", p.display())
            }
        }
    }
}

/// A report being written.
pub struct Staging {
    staged: ClaimedDir,
    target: PathBuf,
}

/// The names of staging directories: hidden, and known to [`sweep`].
const STAGING_PREFIX: &str = ".meed-report-";

impl Staging {
    /// Checks `target` and makes a fresh directory next to it, with
    /// `people/` and the marker. Staging directories beside it that a
    /// killed run left behind are removed first.
    pub fn new(target: &Path) -> Result<Staging, Refused> {
        check_target(target)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let io = |e| Refused::Io(target.to_path_buf(), e);
        sweep(&parent, STAGING_PREFIX);
        let staged = ClaimedDir::new_in(&parent, STAGING_PREFIX).map_err(io)?;
        fs::create_dir(staged.path().join("people")).map_err(io)?;
        fs::write(
            staged.path().join(MARKER),
            "This directory was written by `meed report`; the next report to it replaces it whole.\n",
        )
        .map_err(io)?;
        Ok(Staging {
            staged,
            target: target.to_path_buf(),
        })
    }

    /// Where the pages are being written.
    pub fn path(&self) -> &Path {
        self.staged.path()
    }

    /// The lock file that claims [`Staging::path`] for this run.
    pub fn lock_path(&self) -> &Path {
        self.staged.lock_path()
    }

    /// Writes `text` to `relative` (e.g. `people/ada.html`) in the report.
    pub fn write(&self, relative: &str, text: &str) -> io::Result<()> {
        fs::write(self.staged.path().join(relative), text)
    }

    /// Moves the report into place, replacing an earlier report there.
    pub fn commit(self) -> Result<(), Refused> {
        let io = |e| Refused::Io(self.target.clone(), e);
        check_target(&self.target)?;
        let staged = self.staged.keep();
        if self.target.exists() {
            let old = self.target.with_file_name(format!(
                ".meed-report-old-{}",
                staged
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
            fs::rename(&self.target, &old).map_err(io)?;
            if let Err(error) = fs::rename(&staged, &self.target) {
                let _ = fs::rename(&old, &self.target);
                let _ = fs::remove_dir_all(&staged);
                return Err(io(error));
            }
            fs::remove_dir_all(&old).map_err(io)?;
        } else if let Err(error) = fs::rename(&staged, &self.target) {
            let _ = fs::remove_dir_all(&staged);
            return Err(io(error));
        }
        Ok(())
    }
}

/// `target` may be missing, an empty directory or an earlier report.
fn check_target(target: &Path) -> Result<(), Refused> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Refused::Io(target.to_path_buf(), e)),
    };
    if !meta.is_dir() {
        return Err(Refused::NotDirectory(target.to_path_buf()));
    }
    if target.join(MARKER).is_file() {
        return Ok(());
    }
    let mut entries = fs::read_dir(target).map_err(|e| Refused::Io(target.to_path_buf(), e))?;
    if entries.next().is_some() {
        return Err(Refused::Foreign(target.to_path_buf()));
    }
    Ok(())
}
