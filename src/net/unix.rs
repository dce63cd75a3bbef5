//! Unix domain stream sockets (`unix connect`): a socket's name as the user writes it (a path,
//! or on Linux `@name` for the abstract namespace), connecting, and the peer's credentials
//! (`SO_PEERCRED`). Once connected, a Unix stream is relayed as a TCP connection is
//! ([`crate::net::tcp::run`]): stdin/stdout, the prompt, `--exec`, half-close.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tokio::net::UnixStream;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::Peer;

mod listen;
pub use listen::{Bound, bind, listen, sockaddr};

/// A Unix socket's name: a path in the file system, or a name in Linux's abstract namespace
/// (written `@name`; no file, gone with the last socket that holds it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UnixName {
    Path(PathBuf),
    Abstract(Vec<u8>),
}

impl std::fmt::Display for UnixName {
    /// `unix:/run/x.sock` or `unix:@name`, as status lines and events name it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnixName::Path(path) => write!(f, "unix:{}", path.display()),
            UnixName::Abstract(name) => write!(f, "unix:@{}", String::from_utf8_lossy(name)),
        }
    }
}

/// `PATH`, or `@name` for an abstract socket (Linux); an empty name is a usage error.
pub fn parse_name(text: &str) -> anyhow::Result<UnixName> {
    let text = text.strip_prefix("unix:").unwrap_or(text);
    if text.is_empty() || text == "@" {
        return Err(Fail::new(Exit::Usage, "an empty Unix socket name")
            .hint("give the socket's PATH, or @NAME for an abstract socket")
            .err());
    }
    // sun_path holds 108 bytes: a path and its NUL, or an abstract name after its NUL.
    let (len, what) = match text.strip_prefix('@') {
        Some(name) => (name.len(), "abstract name"),
        None => (text.len(), "path"),
    };
    if len > 107 {
        let hint = if what == "path" {
            "use a shorter path (a relative one from a nearer directory)"
        } else {
            "use a shorter name"
        };
        return Err(Fail::new(
            Exit::Usage,
            format!("the Unix socket's {what} is {len} bytes: at most 107 fit"),
        )
        .hint(hint)
        .err());
    }
    Ok(match text.strip_prefix('@') {
        Some(name) => UnixName::Abstract(name.as_bytes().to_vec()),
        None => UnixName::Path(PathBuf::from(text)),
    })
}

/// Connects to the socket `name` within `timeout`, and says so (`connected to unix:PATH`; the
/// peer's pid, uid and gid under `-v` and in the event).
pub async fn connect(name: &UnixName, timeout: Duration) -> anyhow::Result<(UnixStream, Peer)> {
    let attempt = async {
        match name {
            UnixName::Path(path) => UnixStream::connect(path).await,
            UnixName::Abstract(bytes) => abstract_connect(bytes),
        }
    };
    let fail = || Fail::new(Exit::Connect, format!("could not connect to {name}"));
    let stream = match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(err)) => {
            let hint = connect_hint(&err, name, false);
            return Err(anyhow::Error::new(err).context(fail().maybe_hint(hint)));
        }
        Err(_) => {
            return Err(Fail::new(
                Exit::Connect,
                format!(
                    "timed out connecting to {name} after {}",
                    humantime::format_duration(timeout)
                ),
            )
            .hint("the server is not accepting: allow longer with --connect-timeout")
            .err());
        }
    };
    let peer = Peer::unix(name.clone(), &stream);
    console::status(
        "connected",
        format!("connected to {name}"),
        peer.with_cred(json!({"addr": name.to_string()})),
    );
    show_cred(&peer);
    Ok((stream, peer))
}

/// What to do about a failed connect(2) to `name`, by a stream socket or (`dgram`) a
/// datagram socket; `None` when there is nothing useful to say.
pub fn connect_hint(err: &std::io::Error, name: &UnixName, dgram: bool) -> Option<&'static str> {
    if err.raw_os_error() == Some(libc::EPROTOTYPE) {
        return Some(if dgram {
            "that is a stream socket: leave out --dgram"
        } else {
            "that is a datagram socket: add --dgram"
        });
    }
    match err.kind() {
        std::io::ErrorKind::NotFound => {
            Some("no socket is there: check the path, or start the server first")
        }
        std::io::ErrorKind::ConnectionRefused if matches!(name, UnixName::Abstract(_)) => {
            Some("nothing listens on that abstract name: check it, or start the server first")
        }
        std::io::ErrorKind::ConnectionRefused if !is_socket(name) => {
            Some("that file is not a socket: check the path")
        }
        std::io::ErrorKind::ConnectionRefused => Some(
            "the socket is there but nothing listens on it (a server that ended): start the server",
        ),
        std::io::ErrorKind::PermissionDenied => Some(
            "permissions keep this user out: the socket's, or a directory's on its path (ls -l)",
        ),
        _ => None,
    }
}

/// `-v`: the peer process's credentials (its pid is in its name already, when known).
pub fn show_cred(peer: &Peer) {
    if let Some(cred) = peer.cred() {
        let pid = match cred.pid {
            Some(_) => String::new(),
            None => "pid unknown, ".into(),
        };
        console::detail(
            1,
            "peer",
            format!("{peer}: {pid}uid {}, gid {}", cred.uid, cred.gid),
            peer.with_cred(json!({"peer": peer})),
        );
    }
}

/// Whether `name` is a socket (an abstract name always is).
fn is_socket(name: &UnixName) -> bool {
    use std::os::unix::fs::FileTypeExt;
    match name {
        UnixName::Path(path) => std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket()),
        UnixName::Abstract(_) => true,
    }
}

/// Linux's abstract namespace: std can name it, tokio cannot; a local connect does not block.
fn abstract_connect(name: &[u8]) -> std::io::Result<UnixStream> {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
    let stream = std::os::unix::net::UnixStream::connect_addr(&addr)?;
    stream.set_nonblocking(true)?;
    UnixStream::from_std(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("/run/x.sock").unwrap(),
            UnixName::Path(PathBuf::from("/run/x.sock"))
        );
        assert_eq!(
            parse_name("@wsctl").unwrap(),
            UnixName::Abstract(b"wsctl".to_vec())
        );
        assert_eq!(
            parse_name("unix:rel.sock").unwrap().to_string(),
            "unix:rel.sock"
        );
        assert_eq!(parse_name("@a b").unwrap().to_string(), "unix:@a b");
        assert!(parse_name("").is_err());
        assert!(parse_name("@").is_err());
        assert!(parse_name(&format!("/{}", "x".repeat(107))).is_err());
        // An abstract name's 107 bytes fit after its NUL, as socat and Python take them.
        assert!(parse_name(&format!("@{}", "b".repeat(107))).is_ok());
        assert!(parse_name(&format!("@{}", "b".repeat(108))).is_err());
    }
}
