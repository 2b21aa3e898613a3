//! Reading a log, roster or policy exactly once when it cannot be read
//! twice.
//!
//! A regular file is read where it stands, as often as a reader needs (the
//! fast reader reads a log in chunks and again for an unsorted log; when it
//! steps aside, the careful reader reads the whole file). A pipe, a FIFO or
//! standard input (`/dev/stdin`, `-`, `<(...)`) can be read only once: the
//! first reader copies it into an unnamed temporary file (deleted by the
//! system when meed exits, never held in memory), and every reader of the
//! same path reads that copy.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Something to read bytes from, at any offset, any number of times.
#[derive(Clone, Debug)]
pub enum Input {
    /// A regular file, or the copy of a stream.
    File(Arc<File>),
    /// Bytes already in memory (tests, fuzzing).
    Memory(Arc<[u8]>),
}

/// Streams already copied, by the path they were named by.
static COPIES: Mutex<Vec<(PathBuf, Arc<File>)>> = Mutex::new(Vec::new());

impl Input {
    /// Opens `path` (`-` is standard input). A stream is copied on the
    /// first call for its path; later calls read the copy.
    pub fn open(path: &Path) -> io::Result<Input> {
        if !is_stream(path) {
            return File::open(path).map(|f| Input::File(Arc::new(f)));
        }
        let mut copies = COPIES.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, copy)) = copies.iter().find(|(p, _)| p == path) {
            return Ok(Input::File(copy.clone()));
        }
        let mut copy = tempfile::tempfile()?;
        if path.as_os_str() == "-" {
            io::copy(&mut io::stdin().lock(), &mut copy)?;
        } else {
            io::copy(&mut File::open(path)?, &mut copy)?;
        }
        let copy = Arc::new(copy);
        copies.push((path.to_path_buf(), copy.clone()));
        Ok(Input::File(copy))
    }

    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Input {
        Input::Memory(bytes.into())
    }

    /// Its size in bytes.
    pub fn len(&self) -> io::Result<u64> {
        match self {
            Input::File(file) => file.metadata().map(|m| m.len()),
            Input::Memory(bytes) => Ok(bytes.len() as u64),
        }
    }

    pub fn is_empty(&self) -> io::Result<bool> {
        self.len().map(|n| n == 0)
    }

    /// Fills as much of `buf` as the input holds from `offset` on; returns
    /// how many bytes were read (fewer than asked only at the end).
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        match self {
            Input::File(file) => {
                let mut done = 0;
                while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
                    match file.read_at(rest, offset + done as u64) {
                        Ok(0) => break,
                        Ok(n) => done += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(done)
            }
            Input::Memory(bytes) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let available = bytes.get(start..).unwrap_or(&[]);
                let n = available.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
                    dst.copy_from_slice(src);
                }
                Ok(n)
            }
        }
    }

    /// Every byte.
    pub fn read_all(&self) -> io::Result<Vec<u8>> {
        if let Input::Memory(bytes) = self {
            return Ok(bytes.to_vec());
        }
        let mut bytes = Vec::new();
        let mut offset = 0u64;
        let mut block = vec![0u8; 1 << 16];
        loop {
            let n = self.read_at(&mut block, offset)?;
            bytes.extend_from_slice(block.get(..n).unwrap_or(&[]));
            offset += n as u64;
            if n < block.len() {
                return Ok(bytes);
            }
        }
    }
}

/// Every byte of the file at `path` (`-` is standard input), read once if
/// it is a stream: what the careful readers read.
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    if is_stream(path) {
        Input::open(path)?.read_all()
    } else {
        std::fs::read(path)
    }
}

/// `No such file or directory`, without Rust's `(os error 2)` suffix.
pub fn plain_io_error(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// Whether `path` is something that can be read only once: standard input
/// (`-`), a pipe, a FIFO, a terminal or another device. A regular file, a
/// folder or a path that does not exist is not (the usual errors follow).
fn is_stream(path: &Path) -> bool {
    if path.as_os_str() == "-" {
        return true;
    }
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}
