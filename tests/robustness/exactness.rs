//! Exactness: amounts are exact decimals end to end.

use super::cli::root;

/// No binary floating point anywhere in meed's source: every amount is a
/// `rust_decimal::Decimal` (or an exact fraction), so `0.1 + 0.2` is `0.3`.
#[test]
fn amounts_never_use_binary_floating_point() {
    fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let words = line.split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
                    if words.clone().any(|w| w == "f64" || w == "f32")
                        || line.contains("to_f64")
                        || line.contains("from_f64")
                    {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(&root().join("src"), &mut found);
    assert!(
        found.is_empty(),
        "binary floating point in:\n{}",
        found.join("\n")
    );
}

/// `docs/guarantees.md` names real tests: each `file` › `test` it cites is
/// a function in that file (snapshot names, after the word `snapshot`, are
/// files under `tests/snapshots/`).
#[test]
fn guarantees_point_at_real_tests() {
    let doc = std::fs::read_to_string(root().join("docs/guarantees.md")).unwrap();
    let mut cited = 0;
    for line in doc
        .lines()
        .filter(|l| l.starts_with('|') && l.contains('›'))
    {
        let mut file: Option<String> = None;
        let mut after_arrow = false;
        let mut previous = "";
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                if part.contains('›') {
                    after_arrow = true;
                }
                if part.contains(';') {
                    after_arrow = false;
                }
                previous = part;
                continue;
            }
            if (part.starts_with("tests/") || part.starts_with("src/")) && part.ends_with(".rs") {
                file = Some(part.to_string());
                after_arrow = false;
            } else if after_arrow && previous.trim_end().ends_with("snapshot") {
                let snaps: Vec<String> = std::fs::read_dir(root().join("tests/snapshots"))
                    .unwrap()
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                assert!(
                    snaps.iter().any(|s| s.contains(&format!("@{part}"))),
                    "no snapshot for `{part}`"
                );
            } else if after_arrow
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                let path = file
                    .clone()
                    .unwrap_or_else(|| panic!("no file before `{part}`: {line}"));
                let text = std::fs::read_to_string(root().join(&path)).unwrap();
                assert!(
                    text.contains(&format!("fn {part}(")),
                    "{path} has no test `{part}`"
                );
                cited += 1;
            }
        }
    }
    eprintln!("{cited} tests cited");
    assert!(cited >= 30, "only {cited} tests cited");
}
