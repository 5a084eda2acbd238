//! Reading files from a hostile checkout: the scanned sources and the files pinwarden reads
//! back (`--include-sarif`, its own SARIF log before an upload, the event payload).
//!
//! Every open is the check: a file is opened without following a final symbolic link
//! (`O_NOFOLLOW`) and without blocking on a FIFO (`O_NONBLOCK`), then the *opened handle* is
//! examined (`fstat`: a regular file, under the size cap). A file found under a scan root is
//! opened beneath the root's directory (`openat2(RESOLVE_BENEATH)`, see `beneath`), or,
//! where the kernel cannot or will not, by path, and then its real path (`/proc/self/fd`) must
//! lie under that root. Nothing is decided on a path that could change between the check and
//! the open.

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

/// Opening a file beneath its scan root's directory with `openat2(RESOLVE_BENEATH)`: the
/// kernel refuses any resolution that would leave the root (`..`, an absolute link, a link
/// out), so the opened file needs no second look at its path (`/proc/self/fd` costs about as
/// much as the read of a small file). Linux 5.6 and later; anything else answers `None` and
/// the caller opens by path and proves the real path instead.
#[cfg(target_os = "linux")]
mod beneath {
    use std::cell::RefCell;
    use std::fs::File;
    use std::os::fd::OwnedFd;
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use rustix::io::Errno;

    /// Set once `openat2` is missing or filtered: the rest of the run opens by path.
    static UNSUPPORTED: AtomicBool = AtomicBool::new(false);

    thread_local! {
        /// The last root this thread opened beneath, with its directory handle. The `Arc` is
        /// the one discovery made for that root: held here, its address cannot name another
        /// root, so pointer equality is the identity of the scan root.
        static ROOT: RefCell<Option<(Arc<Path>, OwnedFd)>> = const { RefCell::new(None) };
    }

    /// `relative` opened for reading beneath `root` (canonical), without following a final
    /// link or blocking on a FIFO; `None` when that was refused for any reason.
    pub(super) fn open(root: &Arc<Path>, relative: &Path) -> Option<File> {
        if UNSUPPORTED.load(Ordering::Relaxed) {
            return None;
        }
        ROOT.with(|cell| {
            let mut cached = cell.try_borrow_mut().ok()?;
            if !matches!(&*cached, Some((held, _)) if Arc::ptr_eq(held, root)) {
                // The root is canonical: no link on its path may be followed now either.
                let dir = rustix::fs::openat2(
                    rustix::fs::CWD,
                    root.as_ref(),
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                    ResolveFlags::NO_SYMLINKS,
                )
                .map_err(unsupported)
                .ok()?;
                *cached = Some((Arc::clone(root), dir));
            }
            let (_, dir) = cached.as_ref()?;
            rustix::fs::openat2(
                dir,
                relative,
                OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
                Mode::empty(),
                ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
            )
            .map_err(unsupported)
            .ok()
            .map(File::from)
        })
    }

    /// Remember a kernel or filter without `openat2` (seccomp answers `ENOSYS` or `EPERM`).
    fn unsupported(errno: Errno) {
        if matches!(
            errno,
            Errno::NOSYS | Errno::PERM | Errno::INVAL | Errno::TOOBIG
        ) {
            UNSUPPORTED.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod beneath {
    use std::fs::File;
    use std::path::Path;
    use std::sync::Arc;

    pub(super) fn open(_root: &Arc<Path>, _relative: &Path) -> Option<File> {
        None
    }
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
    // Opened beneath its root, the file is inside it by the kernel's word; when that cannot
    // be used (a link on the way, another kernel, a seccomp filter), by path and proof.
    let beneath = match (&candidate.root, &candidate.relative) {
        (Some(root), Some(relative)) if !candidate.explicit => beneath::open(root, relative),
        _ => None,
    };
    let proven = beneath.is_some();
    let file = match beneath {
        Some(file) => file,
        None => open(&candidate.path, candidate.explicit)
            .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?,
    };
    let metadata = file
        .metadata()
        .map_err(|error| skipped(Level::Error, format!("cannot read file: {error}")))?;
    if !metadata.is_file() {
        return Err(skipped(
            Level::Warning,
            "not a regular file (directory, FIFO, socket or device): skipped".to_owned(),
        ));
    }
    if let Some(root) = candidate.root.as_ref().filter(|_| !proven) {
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
            relative: None,
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

    #[cfg(target_os = "linux")]
    #[test]
    fn files_are_opened_beneath_their_root_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let root: Arc<Path> = Arc::from(std::fs::canonicalize(dir.path()).unwrap().as_path());
        let outside = tempfile::tempdir().unwrap();
        let outside_real = std::fs::canonicalize(outside.path()).unwrap();
        std::fs::write(outside_real.join("Dockerfile"), "FROM canary:latest\n").unwrap();
        std::fs::create_dir(root.join("app")).unwrap();
        std::fs::write(root.join("app/Dockerfile"), "FROM a:1\n").unwrap();
        // A directory link out of the root, absolute and relative, and one that stays inside.
        std::os::unix::fs::symlink(&outside_real, root.join("abs")).unwrap();
        let up = Path::new("..").join(outside_real.file_name().unwrap());
        std::os::unix::fs::symlink(&up, root.join("rel")).unwrap();
        std::os::unix::fs::symlink("app", root.join("inside")).unwrap();
        std::os::unix::fs::symlink("app/Dockerfile", root.join("Dockerfile")).unwrap();
        let opened = |relative: &str| beneath::open(&root, Path::new(relative)).is_some();
        assert!(opened("app/Dockerfile"));
        assert!(opened("inside/Dockerfile"));
        for escape in [
            "abs/Dockerfile",
            "rel/Dockerfile",
            "../Dockerfile",
            "Dockerfile",
        ] {
            assert!(!opened(escape), "{escape} was opened beneath the root");
        }
        // Refused beneath, each is then judged by path, as before: the escapes are not read.
        let read = |relative: &str| {
            let mut candidate = candidate(root.join(relative), Some(&root));
            candidate.relative = Some(PathBuf::from(relative));
            read_source(&candidate)
        };
        for inside in ["app/Dockerfile", "inside/Dockerfile"] {
            let Ok(source) = read(inside) else {
                panic!("{inside} was not read")
            };
            assert_eq!(source.text(), "FROM a:1\n");
        }
        for escape in ["abs/Dockerfile", "rel/Dockerfile"] {
            let message = notification(read(escape));
            assert!(
                message.contains("outside the scan root"),
                "{escape}: {message}"
            );
        }
        let message = notification(read("Dockerfile"));
        assert!(message.contains("symbolic link: not followed"), "{message}");
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
