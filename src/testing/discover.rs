//! Which files `meed test` runs: the files named, and every `*.meed` file
//! under a folder named.

use std::path::{Path, PathBuf};

/// The `.meed` files under `folder`, recursively, in path order. Hidden
/// folders and `target` (build output) are skipped.
pub fn find_policy_files(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    walk(folder, &mut found)?;
    found.sort();
    Ok(found)
}

fn walk(folder: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, found)?;
            }
        } else if path.extension().is_some_and(|e| e == "meed") {
            found.push(path);
        }
    }
    Ok(())
}
