//! Ctrl-C while a command writes: what it had started to write is removed,
//! never left half-made beside the user's files.
//!
//! Outputs are written to temporary files and directories and moved into
//! place at the end, so an interrupted run never changes the user's files.
//! But the default handling of Ctrl-C ends the process without running any
//! destructor, so those temporary files stayed: a 10M-record report left
//! its staged pages (1.6 GB, hidden beside `--out`) and its spilled
//! records. Commands name what they are writing ([`remove_if_interrupted`]);
//! on Ctrl-C each is removed and meed exits with 130, as shells expect of a
//! program ended by SIGINT.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Everything being written now, to remove on Ctrl-C.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set when Ctrl-C was pressed: from then on the other threads' errors
/// (their files vanish under them) are not reported, and the command does
/// not end before the handler has removed everything.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed (messages are then left unsaid).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Called before the command ends: after Ctrl-C, waits for the handler,
/// which ends the process once everything is removed.
pub fn wait_if_interrupted() {
    while interrupted() {
        std::thread::park();
    }
}

/// Removes what is being written when the user presses Ctrl-C. Installed
/// by the first [`remove_if_interrupted`], so commands that write nothing
/// (the REPL, the language server) keep Ctrl-C's usual meaning; where the
/// handler cannot be installed, Ctrl-C keeps it too.
fn install() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        let unfinished = UNFINISHED
            .lock()
            .map(|paths| paths.clone())
            .unwrap_or_default();
        for path in unfinished.iter().rev() {
            remove(path);
        }
        let _ = writeln!(std::io::stderr(), "interrupted: nothing was written");
        std::process::exit(130);
    });
}

/// `path` (a file or a directory) is removed if the run is interrupted
/// before the returned guard is dropped.
#[must_use = "the path is forgotten when the guard is dropped"]
pub fn remove_if_interrupted(path: &Path) -> Unfinished {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(install);
    if let Ok(mut paths) = UNFINISHED.lock() {
        paths.push(path.to_path_buf());
    }
    Unfinished(path.to_path_buf())
}

/// While alive, its path is removed on Ctrl-C.
pub struct Unfinished(PathBuf);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Ok(mut paths) = UNFINISHED.lock()
            && let Some(index) = paths.iter().rposition(|p| *p == self.0)
        {
            paths.remove(index);
        }
    }
}

/// Removes `path`. A directory is first renamed, so that threads still
/// writing into it fail instead of adding files while it is removed.
fn remove(path: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_dir() {
        let _ = std::fs::remove_file(path);
        return;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = path.with_file_name(format!(".meed-interrupted-{name}"));
    let doomed = match std::fs::rename(path, &aside) {
        Ok(()) => aside,
        Err(_) => path.to_path_buf(),
    };
    for _ in 0..3 {
        if std::fs::remove_dir_all(&doomed).is_ok() {
            return;
        }
    }
}
