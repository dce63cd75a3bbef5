//! A Unix stream socket to listen on (`unix listen PATH`, `ws listen unix:PATH`), and its
//! file: a stale socket file (its server gone) is removed first, a live one is left alone
//! (exit 3), a path that is not a socket is never touched, `--mode` is set before anyone can
//! connect, and the file is removed when the listener ends, unless something else has
//! replaced it meanwhile.

use std::ffi::OsStr;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::json;
use socket2::{Domain, SockAddr, Socket, Type};
use tokio::net::UnixListener;

use super::UnixName;
use crate::console;
use crate::exit::{Exit, Fail};

/// The backlog of a Unix listener, as for TCP (the kernel caps it at `somaxconn`).
const BACKLOG: i32 = 1024;

/// A socket of ours: bound to `name`, its file removed when this is dropped.
pub struct Bound {
    /// The socket's file, for a path; `None` for an abstract name.
    _file: Option<SocketFile>,
    pub name: UnixName,
}

/// The file a listener made: its identity, to remove only our own at the end.
struct SocketFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let ours = std::fs::symlink_metadata(&self.path)
            .is_ok_and(|m| m.file_type().is_socket() && m.dev() == self.dev && m.ino() == self.ino);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The socket address of `name` (an abstract name with its leading NUL).
pub fn sockaddr(name: &UnixName) -> std::io::Result<SockAddr> {
    match name {
        UnixName::Path(path) => SockAddr::unix(path),
        UnixName::Abstract(bytes) => {
            let mut raw = vec![0u8];
            raw.extend_from_slice(bytes);
            SockAddr::unix(OsStr::from_bytes(&raw))
        }
    }
}

/// Makes a socket of `kind` (stream or datagram) bound to `name`, with `mode` (octal
/// permissions, e.g. 0o660) on its file instead of what the umask leaves; a stale socket file
/// is removed first. Errors are exit 3: a live socket there, a file that is not a socket, no
/// such directory, no permission.
pub fn bind(name: &UnixName, kind: Type, mode: Option<u32>) -> anyhow::Result<(Socket, Bound)> {
    if let UnixName::Path(path) = name {
        clear(path, name, kind)?;
    }
    let fail = |err: std::io::Error| {
        let hint = match (err.kind(), name) {
            (ErrorKind::AddrInUse, UnixName::Abstract(_)) => {
                Some("another socket holds that abstract name: stop it, or choose another")
            }
            (ErrorKind::AddrInUse, UnixName::Path(_)) => {
                Some("another listener took the path meanwhile: stop it, or choose another")
            }
            (ErrorKind::NotFound, _) => Some("its directory does not exist: create it first"),
            (ErrorKind::PermissionDenied, _) => {
                Some("this user may not create files in that directory")
            }
            _ => None,
        };
        anyhow::Error::new(err)
            .context(Fail::new(Exit::Connect, format!("cannot listen on {name}")).maybe_hint(hint))
    };
    let socket = Socket::new(Domain::UNIX, kind, None).map_err(fail)?;
    // By its absolute path when that fits: others can then see that it listens.
    let at = match name {
        UnixName::Path(path) => absolute(path)
            .filter(|full| full.len() <= 107)
            .map_or_else(|| sockaddr(name), SockAddr::unix),
        UnixName::Abstract(_) => sockaddr(name),
    };
    socket.bind(&at.map_err(fail)?).map_err(fail)?;
    let file = match name {
        UnixName::Path(path) => {
            let meta = std::fs::symlink_metadata(path).map_err(fail)?;
            Some(SocketFile {
                path: path.clone(),
                dev: meta.dev(),
                ino: meta.ino(),
            })
        }
        UnixName::Abstract(_) => None,
    };
    // Before listen(2): nobody can connect while the mode is still the umask's.
    if let (Some(mode), UnixName::Path(path)) = (mode, name) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(fail)?;
    }
    socket.set_nonblocking(true).map_err(fail)?;
    let bound = Bound {
        _file: file,
        name: name.clone(),
    };
    Ok((socket, bound))
}

/// A stream listener on `name` (see [`bind`]).
pub fn listen(name: &UnixName, mode: Option<u32>) -> anyhow::Result<(UnixListener, Bound)> {
    let (socket, bound) = bind(name, Type::STREAM, mode)?;
    let fail = |err: std::io::Error| {
        anyhow::Error::new(err)
            .context(Fail::new(Exit::Connect, format!("cannot listen on {name}")))
    };
    socket.listen(BACKLOG).map_err(fail)?;
    let listener = UnixListener::from_std(std::os::unix::net::UnixListener::from(
        std::os::fd::OwnedFd::from(socket),
    ))
    .map_err(fail)?;
    Ok((listener, bound))
}

/// Makes room at `path`: nothing there, or a stale socket (removed, said under `-v`). A live
/// socket (something accepts on it, or for a datagram socket, something bound to it) or any
/// other file stays, and is an error.
fn clear(path: &Path, name: &UnixName, kind: Type) -> anyhow::Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(()),
        Err(err) => {
            return Err(anyhow::Error::new(err)
                .context(Fail::new(Exit::Connect, format!("cannot listen on {name}"))));
        }
    };
    if !meta.file_type().is_socket() {
        return Err(Fail::new(
            Exit::Connect,
            format!(
                "cannot listen on {name}: {} exists and is not a socket",
                path.display()
            ),
        )
        .hint(
            "wsctl replaces only a stale socket: choose another path, or remove that file yourself",
        )
        .err());
    }
    let live = live(path, kind).map_err(|err| {
        anyhow::Error::new(err).context(Fail::new(
            Exit::Connect,
            format!("cannot listen on {name}: a socket is there, and whether it is in use cannot be told"),
        ))
    })?;
    if live {
        return Err(Fail::new(
            Exit::Connect,
            format!("cannot listen on {name}: something is listening on it"),
        )
        .hint("stop the other server first, or choose another path")
        .err());
    }
    std::fs::remove_file(path).map_err(|err| {
        anyhow::Error::new(err).context(
            Fail::new(
                Exit::Connect,
                format!("cannot listen on {name}: a stale socket is there"),
            )
            .hint("this user may not remove it: remove it yourself, or choose another path"),
        )
    })?;
    console::detail(
        1,
        "stale",
        format!("removed the stale socket {}", path.display()),
        json!({"addr": name.to_string()}),
    );
    Ok(())
}

/// Whether a socket file has a live socket behind it: a stream socket that accepts (or whose
/// queue is full), a datagram socket still bound. Only a refused connection means stale; any
/// other failure (no permission, say) leaves it unknown, and is the error.
fn live(path: &Path, kind: Type) -> std::io::Result<bool> {
    // A probe is a connection the other server accepts (and may take as its one client):
    // the kernel's table says so without one, for a socket bound by its absolute path.
    if kind == Type::STREAM && listed_as_listening(path) {
        return Ok(true);
    }
    let attempt = if kind == Type::DGRAM {
        std::os::unix::net::UnixDatagram::unbound().and_then(|socket| socket.connect(path))
    } else {
        // Non-blocking: a full queue is EAGAIN (live), never a wait.
        Socket::new(Domain::UNIX, Type::STREAM, None).and_then(|socket| {
            socket.set_nonblocking(true)?;
            socket.connect(&SockAddr::unix(path)?)
        })
    };
    match attempt {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == ErrorKind::ConnectionRefused => Ok(false),
        Err(err) if err.kind() == ErrorKind::WouldBlock => Ok(true),
        Err(err) => Err(err),
    }
}

/// `/proc/net/unix` (Linux, proc(5)): whether a listening stream socket (`__SO_ACCEPTCON`,
/// flag 0x10000) is bound to `path`'s absolute form. `false` when it cannot be told.
fn listed_as_listening(path: &Path) -> bool {
    const ACCEPTING: u32 = 0x10000;
    let (Ok(table), Some(wanted)) = (std::fs::read_to_string("/proc/net/unix"), absolute(path))
    else {
        return false;
    };
    // Num RefCount Protocol Flags Type St Inode Path
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.splitn(8, char::is_whitespace).collect();
        let flags = fields
            .get(3)
            .and_then(|f| u32::from_str_radix(f, 16).ok())
            .unwrap_or(0);
        flags & ACCEPTING != 0 && fields.get(7).map(|p| p.trim()) == Some(wanted.as_str())
    })
}

/// `path` from the root (its directory resolved), as a listener binds it so that the kernel's
/// table names it the same whatever the binder's working directory.
pub(super) fn absolute(path: &Path) -> Option<String> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    let full = dir.join(path.file_name()?);
    full.to_str().map(str::to_string)
}
