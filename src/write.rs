//! Every file pinwarden writes: `--output`, the action's SARIF log, and the runner's
//! `$GITHUB_STEP_SUMMARY` / `$GITHUB_OUTPUT`. None is written through a symbolic link a
//! pull request planted.
//!
//! - A report file (`--output`, `sarif-file`) is written to a new file in the same directory
//!   (`O_CREAT | O_EXCL | O_NOFOLLOW`: it cannot be an existing file or a link) and then
//!   renamed over the path: a link at the path is replaced, its target never touched, and a
//!   FIFO or device there is replaced too, never opened. Inside the working directory (the
//!   checkout) a directory on the way that is a symbolic link is refused as well.
//! - A runner file (summary, outputs) belongs to the runner, outside the checkout, and must
//!   keep its inode (the runner reads it after the step): it is opened for appending with
//!   `O_NOFOLLOW | O_NONBLOCK` and must be a regular file, so a link, a FIFO or a device there
//!   is an error, never a write to the link's target nor a hang.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Write a report file at `path` through a new file in the same directory and a rename.
///
/// A sink the user chose is written in place, never replaced: a character device anywhere
/// (`--output /dev/null`; git cannot check one out, so no pull request plants it), and,
/// outside the working directory, a FIFO or socket or a link to any of them (`/dev/stdout`).
/// Renaming over `/dev/null` as root would turn it into a regular file for the whole machine.
pub fn write_report(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if is_chosen_sink(path) {
        let file = OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(path)?;
        let mut writer = BufWriter::new(file);
        render(&mut writer)?;
        return writer.flush();
    }
    refuse_linked_directories(path)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the path names no file"))?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (temp_path, file) = create_temp(&dir, &name.to_string_lossy())?;
    let written = (|| {
        let mut writer = BufWriter::new(file);
        render(&mut writer)?;
        writer.flush()?;
        let file = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        std::fs::rename(&temp_path, path)
    })();
    if written.is_err() {
        // NOTE: best effort; the error that matters is the one returned.
        let _ = std::fs::remove_file(&temp_path);
    }
    written
}

/// Is `path` a device, FIFO or socket the user named as the sink (see [`write_report`])?
fn is_chosen_sink(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let own = std::fs::symlink_metadata(path).ok();
    if own
        .as_ref()
        .is_some_and(|metadata| metadata.file_type().is_char_device())
    {
        return true;
    }
    let inside =
        std::env::current_dir().is_ok_and(|cwd| normalize(&cwd.join(path)).starts_with(&cwd));
    if inside {
        return false;
    }
    std::fs::metadata(path).is_ok_and(|metadata| {
        let kind = metadata.file_type();
        kind.is_char_device() || kind.is_fifo() || kind.is_socket()
    })
}

/// A fresh file in `dir` that did not exist before (no link, no planted file).
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last_error = None;
    for _ in 0..16 {
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos());
        let temp = dir.join(format!(
            ".{name}.pinwarden-{}-{unique}-{nanos}.tmp",
            std::process::id()
        ));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("cannot create a temporary file")))
}

/// Inside the working directory (the checkout a pull request controls), a directory on the
/// way to `path` must not be a symbolic link: `out -> /etc` would move the write elsewhere.
/// Directories outside it (`$RUNNER_TEMP`, `/tmp`) are the caller's choice.
fn refuse_linked_directories(path: &Path) -> io::Result<()> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(());
    };
    let absolute = normalize(&cwd.join(path));
    let mut ancestor = absolute.parent();
    while let Some(dir) = ancestor {
        if dir == cwd || !dir.starts_with(&cwd) {
            break;
        }
        if std::fs::symlink_metadata(dir).is_ok_and(|metadata| metadata.file_type().is_symlink()) {
            return Err(io::Error::other(format!(
                "`{}` is a symbolic link inside the working directory; pinwarden does not \
                 write through links a checkout could have planted",
                dir.strip_prefix(&cwd).unwrap_or(dir).display()
            )));
        }
        ancestor = dir.parent();
    }
    Ok(())
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Append to a runner file (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`): created if missing,
/// never through a symbolic link, and only if it is a regular file.
pub fn append_runner_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|error| match error.raw_os_error() {
            Some(libc::ELOOP) => io::Error::other("it is a symbolic link: not followed"),
            Some(libc::ENXIO) => io::Error::other("it is a FIFO with no reader"),
            _ => error,
        })?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(
            "not a regular file (a FIFO, socket, device or directory)",
        ));
    }
    let mut writer = BufWriter::new(file);
    render(&mut writer)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "mkfifo {}", path.display());
    }

    #[test]
    fn a_planted_link_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let report = dir.path().join("pinwarden.sarif");
        std::os::unix::fs::symlink(&victim, &report).unwrap();
        write_report(&report, |out: &mut dyn Write| out.write_all(b"{}")).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "{}");
        assert!(
            !std::fs::symlink_metadata(&report)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // no temporary file is left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    /// `--output /dev/null` as root must not turn the machine's `/dev/null` into a regular
    /// file (it did: the benchmark's `--output /dev/null` replaced it). Checked on `/dev/zero`
    /// (writable, discards) and on a FIFO and a link to it outside the working directory.
    #[test]
    fn a_device_or_fifo_the_user_names_is_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        write_report(Path::new("/dev/zero"), |out: &mut dyn Write| {
            out.write_all(b"{}")
        })
        .unwrap();
        let kind = std::fs::symlink_metadata("/dev/zero").unwrap().file_type();
        assert!(kind.is_char_device(), "/dev/zero was replaced");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        for path in [&fifo, &link] {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
            };
            write_report(path, |out: &mut dyn Write| out.write_all(b"report")).unwrap();
            assert_eq!(reader.join().unwrap(), "report");
            assert!(
                std::fs::symlink_metadata(&fifo)
                    .unwrap()
                    .file_type()
                    .is_fifo()
            );
        }
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn a_failed_render_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("out.json");
        let error =
            write_report(&report, |_: &mut dyn Write| Err(io::Error::other("boom"))).unwrap_err();
        assert_eq!(error.to_string(), "boom");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn runner_files_must_be_regular() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let summary = dir.path().join("summary");
        std::os::unix::fs::symlink(&victim, &summary).unwrap();
        let write = |out: &mut dyn Write| out.write_all(b"x");
        assert!(append_runner_file(&summary, write).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        // A device, a socket and a directory are refused. (Not /dev/null: in some sandboxes,
        // CI's among them, it is a regular file.)
        assert!(append_runner_file(Path::new("/dev/zero"), write).is_err());
        let socket = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert!(append_runner_file(&socket, write).is_err());
        assert!(append_runner_file(dir.path(), write).is_err());
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        assert!(append_runner_file(&fifo, write).is_err());
        let real = dir.path().join("real");
        append_runner_file(&real, write).unwrap();
        append_runner_file(&real, write).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "xx");
    }
}
