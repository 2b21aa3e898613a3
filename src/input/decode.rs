//! Turning the bytes of a log or roster into text: UTF-8 only, byte order
//! mark dropped, the first invalid byte reported with its line.

use super::error::{ErrorSite, InputError, InputErrorKind};
use crate::source::SourceFile;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file's bytes as UTF-8, dropping a leading byte order mark.
///
/// Spreadsheets often save in Windows-1252 or Latin-1; rather than guess, the
/// error points at the first byte that is not UTF-8 (`meed::not_utf8`).
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<SourceFile, InputError> {
    let bytes = match bytes.strip_prefix(BOM) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let byte = bytes.get(offset).copied().unwrap_or(0);
            // The text before the bad byte is valid, so offsets agree up to it
            // and the snippet shows the right line (the byte itself as `�`).
            let lossy = SourceFile::new(name, String::from_utf8_lossy(&bytes).into_owned());
            let site = ErrorSite::new(&lossy);
            let (line, _) = lossy.line_column(offset);
            let error = site
                .error(
                    InputErrorKind::NotUtf8 { byte, offset },
                    site.span(offset, offset + '\u{fffd}'.len_utf8()),
                    format!("byte 0x{byte:02X} (byte {offset}, line {line}) is not UTF-8"),
                )
                .with_value(format!("0x{byte:02X}"))
                .with_help(
                    "save the file as UTF-8: in Excel choose \"CSV UTF-8\", in LibreOffice pick the \
                     character set \"Unicode (UTF-8)\"",
                );
            Err(error)
        }
    }
}
