//! Reading files from a hostile checkout: the scanned sources and the files pinwarden reads
//! back (`--include-sarif`, its own SARIF log before an upload, the event payload).
//!
//! Every open is the check: a file is opened without following a final symbolic link
//! (`O_NOFOLLOW`) and without blocking on a FIFO (`O_NONBLOCK`), then the *opened handle* is
//! examined (`fstat`: a regular file, under the size cap) and, for a file found under a scan
//! root, its real path (`/proc/self/fd`) must lie under that root. Nothing is decided on a
//! path that could change between the check and the open.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::Candidate;
use crate::model::level::Level;
use crate::model::location::Span;
use crate::model::source::SourceFile;
use crate::report::Notification;

/// Files larger than this are not read (a notification says so).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a scanned file gave no text to parse.
pub enum ReadIssue {
    /// Not read at all (not a regular file, a link out of the root, unreadable, too large).
    Notification(Notification),
    /// Read, but not text we can parse (binary, not UTF-8): PW001.
    Unparsable {
        source: Arc<SourceFile>,
        span: Span,
        message: String,
    },
}

/// Open `path` for reading without following a final symbolic link and without blocking
/// if it is a FIFO. `follow` keeps symlinks (a path the user named explicitly).
pub fn open(path: &Path, follow: bool) -> io::Result<File> {
    let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|error| {
            if error.raw_os_error() == Some(libc::ELOOP) {
                io::Error::other("it is a symbolic link: not followed")
            } else {
                error
            }
        })
}

/// The real path of an open file, from the kernel (`/proc/self/fd/N`); `None` where there
/// is no procfs.
fn real_path(file: &File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
}

/// Read a candidate as UTF-8 text, refusing what is not a regular file (a FIFO must not
/// block the scan), what lies outside its scan root, what is larger than
/// [`MAX_FILE_BYTES`], binary or not UTF-8.
pub fn read_source(candidate: &Candidate) -> Result<Arc<SourceFile>, ReadIssue> {
    let skipped = |level: Level, message: String| {
        ReadIssue::Notification(Notification {
            path: candidate.display.clone(),
            level,
            message,
        })
    };
    let file = open(&candidate.path, candidate.explicit)
        .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?;
    let metadata = file
        .metadata()
        .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?;
    if !metadata.is_file() {
        return Err(skipped(
            Level::Warning,
            "not a regular file (directory, FIFO, socket or device): skipped".to_owned(),
        ));
    }
    if let Some(root) = &candidate.root {
        // Discovery never follows a link out of the root; this is the proof on the opened
        // file, so a directory swapped for a link in the meantime cannot lead outside.
        let inside = match real_path(&file) {
            Some(real) => real.starts_with(root.as_ref()),
            None => std::fs::canonicalize(&candidate.path)
                .is_ok_and(|real| real.starts_with(root.as_ref())),
        };
        if !inside {
            return Err(skipped(
                Level::Warning,
                "resolves outside the scan root: not read".to_owned(),
            ));
        }
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(skipped(
            Level::Warning,
            format!(
                "file is {} bytes, over the {MAX_FILE_BYTES}-byte limit: skipped",
                metadata.len()
            ),
        ));
    }
    // Sized from the handle's metadata (one read, no regrowth); a file that grows meanwhile
    // is still capped by `take`.
    let expected = usize::try_from(metadata.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?;
    text(candidate, bytes)
}

/// One file given on standard input (`pinwarden scan - --stdin-filename NAME`): the name
/// decides its kind and display path; the bytes were read with [`read_stdin`].
#[derive(Clone, Debug)]
pub struct Stdin {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Read standard input, at most one byte over [`MAX_FILE_BYTES`] (so [`stdin_source`] can
/// tell an oversized input without reading all of it).
pub fn read_stdin(input: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of standard input, checked like a file's: the same size cap, and binary or
/// non-UTF-8 input is PW001.
pub fn stdin_source(candidate: &Candidate, bytes: Vec<u8>) -> Result<Arc<SourceFile>, ReadIssue> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
        return Err(ReadIssue::Notification(Notification {
            path: candidate.display.clone(),
            level: Level::Warning,
            message: format!("standard input is over the {MAX_FILE_BYTES}-byte limit: skipped"),
        }));
    }
    text(candidate, bytes)
}

/// The text of a read file, or why it is not text.
fn text(candidate: &Candidate, bytes: Vec<u8>) -> Result<Arc<SourceFile>, ReadIssue> {
    let probe = bytes.get(..8192).unwrap_or(&bytes);
    if let Some(nul) = memchr::memchr(0, probe) {
        let source = Arc::new(SourceFile::new(
            candidate.display.clone(),
            String::from_utf8_lossy(bytes.get(..nul).unwrap_or(&[])).into_owned(),
        ));
        let end = source.text().len();
        return Err(ReadIssue::Unparsable {
            source,
            span: Span::at(end),
            message: "binary file (contains a NUL byte): not a text file of its kind".to_owned(),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::new(SourceFile::new(candidate.display.clone(), text))),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let source = Arc::new(SourceFile::new(candidate.display.clone(), text));
            let position = source.position(valid_up_to);
            Err(ReadIssue::Unparsable {
                source,
                span: Span::at(valid_up_to),
                message: format!(
                    "file is not valid UTF-8 (invalid byte at line {}, column {})",
                    position.line, position.column
                ),
            })
        }
    }
}

/// Read a file pinwarden reads back (a SARIF log, the event payload): a regular file of at
/// most `max` bytes, not through a final symbolic link. A FIFO, a device or a directory is
/// an error, never a hang or an endless read.
pub fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    read_bounded_with(path, max, false)
}

/// [`read_bounded`] for a path the user named (`--config FILE`): a final symbolic link is
/// followed.
pub fn read_bounded_following(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    read_bounded_with(path, max, true)
}

fn read_bounded_with(path: &Path, max: u64, follow: bool) -> io::Result<Vec<u8>> {
    let file = open(path, follow)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::other(
            "not a regular file (a FIFO, socket, device or directory)",
        ));
    }
    if metadata.len() > max {
        return Err(io::Error::other(format!(
            "it is {} bytes, over the {max}-byte limit",
            metadata.len()
        )));
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max {
        return Err(io::Error::other(format!(
            "it grew past the {max}-byte limit while being read"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{Classification, FileKind};

    fn candidate(path: PathBuf, root: Option<&Path>) -> Candidate {
        Candidate {
            display: "x".to_owned(),
            path,
            class: Classification::Kind(FileKind::Dockerfile),
            explicit: root.is_none(),
            root: root.map(Arc::from),
        }
    }

    fn notification(result: Result<Arc<SourceFile>, ReadIssue>) -> String {
        match result {
            Err(ReadIssue::Notification(notification)) => notification.message,
            Err(ReadIssue::Unparsable { message, .. }) => panic!("unparsable: {message}"),
            Ok(source) => panic!("read: {:?}", source.text()),
        }
    }

    #[test]
    fn links_fifos_and_devices_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret");
        std::fs::write(&secret, "FROM canary:latest\n").unwrap();
        let link = root.join("Dockerfile");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let message = notification(read_source(&candidate(link.clone(), Some(&root))));
        assert!(message.contains("symbolic link: not followed"), "{message}");
        // Named on the command line, the same link is the user's choice.
        assert!(read_source(&candidate(link, None)).is_ok());

        let fifo = root.join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let message = notification(read_source(&candidate(fifo.clone(), Some(&root))));
        assert!(message.contains("not a regular file"), "{message}");
        assert!(read_bounded(&fifo, 10).is_err());
        assert!(read_bounded(Path::new("/dev/zero"), 10).is_err());
        let message = notification(read_source(&candidate(PathBuf::from("/dev/zero"), None)));
        assert!(message.contains("not a regular file"), "{message}");
    }

    #[test]
    fn a_file_outside_its_root_is_refused_after_opening() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let other = tempfile::tempdir().unwrap();
        let file = other.path().join("Dockerfile");
        std::fs::write(&file, "FROM a\n").unwrap();
        let message = notification(read_source(&candidate(file, Some(&root))));
        assert!(message.contains("outside the scan root"), "{message}");
    }

    #[test]
    fn bounded_reads_enforce_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sarif");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_bounded(&path, 10).unwrap().len(), 10);
        let error = read_bounded(&path, 9).unwrap_err().to_string();
        assert!(error.contains("over the 9-byte limit"), "{error}");
    }
}
