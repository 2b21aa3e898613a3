//! Temporary directories that a run killed outright cannot leave behind
//! for long.
//!
//! A report writes its pages into a hidden directory beside `--out` and
//! spills its records into the temporary folder; both are removed when the
//! run ends, fails or is interrupted with Ctrl-C. A run killed outright
//! (`kill -9`, the machine's memory killer, a power cut) runs no code at
//! all, and left them there: 1.6 GB of pages for a 10M-record log.
//!
//! So each such directory is *claimed*: beside it, a lock file of the same
//! name plus `.lock`, locked for as long as the run lives. The operating
//! system releases the lock when the process ends, however it ends. The
//! next run sweeps the folder: a lock file it can lock belongs to a run
//! that is gone, and its directory is removed. A directory without a lock
//! file (being set up, being moved into place, or left by an older meed)
//! is never touched.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A temporary directory, removed when dropped, and its lock.
pub struct ClaimedDir {
    path: PathBuf,
    /// The directory (`None` once kept).
    dir: Option<tempfile::TempDir>,
    /// The file beside the directory, named [`ClaimedDir::lock_path`].
    lock_path: PathBuf,
    /// Its open, locked handle (`None` once released).
    lock: Option<File>,
}

const LOCK: &str = ".lock";

impl ClaimedDir {
    /// A fresh directory in `parent` named `prefix` and random letters,
    /// claimed by this process.
    pub fn new_in(parent: &Path, prefix: &str) -> io::Result<ClaimedDir> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir_in(parent)?;
        let lock_path = lock_path_of(dir.path());
        // Locked under a name no sweep looks at, then renamed: a sweep
        // never sees the lock file unlocked while this run is alive.
        let locking = lock_path.with_extension("locking");
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&locking)?;
        if let Err(error) = file.lock().and_then(|()| fs::rename(&locking, &lock_path)) {
            let _ = fs::remove_file(&locking);
            return Err(error);
        }
        Ok(ClaimedDir {
            path: dir.path().to_path_buf(),
            dir: Some(dir),
            lock_path,
            lock: Some(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file beside the directory.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }

    /// Keeps the directory (the caller moves it into place) and releases
    /// the claim on it.
    pub fn keep(mut self) -> PathBuf {
        self.release();
        if let Some(dir) = self.dir.take() {
            let _ = dir.keep();
        }
        self.path.clone()
    }

    /// Removes the lock file before the directory: a sweep leaves a
    /// directory without one alone, so nothing removes the directory from
    /// under this run.
    fn release(&mut self) {
        if let Some(file) = self.lock.take() {
            let _ = fs::remove_file(&self.lock_path);
            drop(file);
        }
    }
}

impl Drop for ClaimedDir {
    fn drop(&mut self) {
        self.release();
    }
}

fn lock_path_of(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(LOCK);
    dir.with_file_name(name)
}

/// Removes, from `parent`, every directory named `prefix…` whose lock file
/// no process holds (its run was killed), and that lock file. Returns how
/// many were removed. Errors (a folder that cannot be read, a directory
/// being removed by another sweep) leave things as they are.
pub fn sweep(parent: &Path, prefix: &str) -> usize {
    let Ok(entries) = fs::read_dir(parent) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some(stem) = name.strip_suffix(LOCK) else {
            continue;
        };
        if !stem.starts_with(prefix) {
            continue;
        }
        let lock_path = entry.path();
        let Ok(file) = File::open(&lock_path) else {
            continue;
        };
        if file.try_lock().is_err() {
            continue;
        }
        let dir = lock_path.with_file_name(stem);
        let is_dir = fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
        if (!is_dir || fs::remove_dir_all(&dir).is_ok()) && fs::remove_file(&lock_path).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
mod tests {
    use super::*;

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_claim_is_let_go_with_its_directory_or_when_kept() {
        let folder = tempfile::tempdir().unwrap();
        let claimed = ClaimedDir::new_in(folder.path(), ".x-").unwrap();
        let name = claimed
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(names(folder.path()), [name.clone(), format!("{name}.lock")]);
        // Alive: a sweep leaves it alone.
        assert_eq!(sweep(folder.path(), ".x-"), 0);
        drop(claimed);
        assert!(names(folder.path()).is_empty());

        let kept = ClaimedDir::new_in(folder.path(), ".x-").unwrap().keep();
        assert_eq!(
            names(folder.path()),
            [kept.file_name().unwrap().to_string_lossy()]
        );
    }

    #[test]
    fn a_sweep_removes_only_unlocked_claims_with_its_prefix() {
        let folder = tempfile::tempdir().unwrap();
        for dir in [".x-dead", ".x-bare", ".y-dead"] {
            fs::create_dir(folder.path().join(dir)).unwrap();
        }
        fs::write(folder.path().join(".x-dead/page.html"), "p").unwrap();
        File::create(folder.path().join(".x-dead.lock")).unwrap();
        File::create(folder.path().join(".y-dead.lock")).unwrap();
        File::create(folder.path().join(".x-gone.lock")).unwrap();
        assert_eq!(sweep(folder.path(), ".x-"), 2);
        assert_eq!(names(folder.path()), [".x-bare", ".y-dead", ".y-dead.lock"]);
    }
}
