//! File names for people: safe for any name a log can hold, and different
//! for different names, also on file systems that ignore case.
//!
//! Lower-case ASCII letters, digits and `-` stay as they are; an upper-case
//! letter becomes `_` and the letter in lower case (`Ada` → `_ada`); every
//! other byte of the name's UTF-8 becomes `%XX` (so `.`, `/`, `\`, `%`, `_`
//! and every control or bidirectional character are encoded, and neither
//! `.`, `..` nor a path separator can come out). The empty name is `_`
//! (which no other name gives, as `_` is always followed by a letter).
//! A name whose encoding would be longer than file systems allow is cut
//! and followed by `~` and 16 hex digits of its SHA-256 (`~` appears in no
//! other encoding).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// Longest encoding kept whole; file systems allow 255 bytes, and the
/// statement adds `.html`.
const LONGEST: usize = 200;

/// The file name (without `.html`) of `who`'s statement.
pub fn file_stem(who: &str) -> String {
    if who.is_empty() {
        return "_".to_string();
    }
    let mut out = String::with_capacity(who.len());
    for byte in who.bytes() {
        match byte {
            b'a'..=b'z' | b'0'..=b'9' | b'-' => out.push(char::from(byte)),
            b'A'..=b'Z' => {
                out.push('_');
                out.push(char::from(byte.to_ascii_lowercase()));
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    if out.len() <= LONGEST {
        return out;
    }
    // Cut between encoded characters, never inside `%XX` or `_x`.
    let mut cut = LONGEST - 20;
    while cut > 0 && !starts_unit(&out, cut) {
        cut -= 1;
    }
    let digest = Sha256::digest(who.as_bytes());
    let mut hex = String::new();
    for byte in digest.iter().take(8) {
        let _ = write!(hex, "{byte:02x}");
    }
    format!("{}~{hex}", out.get(..cut).unwrap_or_default())
}

/// Whether an encoded character starts at byte `at` of `encoded`.
fn starts_unit(encoded: &str, at: usize) -> bool {
    let bytes = encoded.as_bytes();
    let back = |n: usize| at.checked_sub(n).and_then(|i| bytes.get(i)).copied();
    back(1) != Some(b'_') && back(1) != Some(b'%') && back(2) != Some(b'%')
}

/// The link from `index.html` to `who`'s statement: the file name with its
/// `%` written `%25`, as a URL must (a browser would read `%2E` as `.`).
pub fn statement_href(who: &str) -> String {
    format!("people/{}.html", file_stem(who).replace('%', "%25"))
}
