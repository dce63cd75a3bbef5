//! Who is at the other end of a connection, as status lines, events and `--exec` name it:
//! an IP address and port, or a Unix socket with the credentials of the process behind it
//! (`SO_PEERCRED`, unix(7)), or, through a proxy, the host asked for and the proxy.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::net::Env;
use crate::net::unix::UnixName;

/// The other end of a connection. Cheap to clone (a Unix peer is shared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// An IP address and port (IPv4 clients of a dual-stack listener as IPv4).
    Ip(SocketAddr),
    /// A Unix stream socket: the socket's name (for a listener's client, the listener's own:
    /// a client's socket is seldom named) and the peer process's credentials.
    Unix(Arc<UnixPeer>),
    /// The host reached through a proxy (`--proxy`): named as asked for, with the proxy; what
    /// it says (a refusal, a reset, a Close) is its own, not the proxy's.
    Proxied(Arc<ProxiedPeer>),
}

/// A peer through a proxy.
#[derive(Debug, PartialEq, Eq)]
pub struct ProxiedPeer {
    /// The host and port asked for (`HOST:PORT`, as the proxy was asked).
    pub target: String,
    /// The proxy, as the `connected` line names it (`HTTP proxy 127.0.0.1:8888`).
    pub proxy: String,
    /// The socket's peer: the proxy's address.
    pub addr: SocketAddr,
}

/// A peer over a Unix socket.
#[derive(Debug, PartialEq, Eq)]
pub struct UnixPeer {
    /// The socket's name: the one connected to, or the listener's.
    pub socket: UnixName,
    /// The peer's pid, uid and gid when the kernel gives them.
    pub cred: Option<Cred>,
}

/// A peer process's credentials as `SO_PEERCRED` gives them, taken when the connection was
/// made (connect(2) or listen(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cred {
    /// The process id (`None` when the peer is in another pid namespace).
    pub pid: Option<i32>,
    pub uid: u32,
    pub gid: u32,
}

impl Cred {
    /// The credentials of the process at the other end of `stream`, if the kernel says.
    pub fn of(stream: &tokio::net::UnixStream) -> Option<Cred> {
        stream.peer_cred().ok().map(|c| Cred {
            pid: c.pid().filter(|&pid| pid > 0),
            uid: c.uid(),
            gid: c.gid(),
        })
    }
}

impl Peer {
    /// A peer over the Unix socket `socket`, as `stream` shows it.
    pub fn unix(socket: UnixName, stream: &tokio::net::UnixStream) -> Peer {
        Peer::Unix(Arc::new(UnixPeer {
            socket,
            cred: Cred::of(stream),
        }))
    }

    /// `target` (`HOST:PORT`) reached through `proxy` (as the `connected` line names it), whose
    /// address is `addr`.
    pub fn proxied(target: String, proxy: String, addr: SocketAddr) -> Peer {
        Peer::Proxied(Arc::new(ProxiedPeer {
            target,
            proxy,
            addr,
        }))
    }

    /// The IP address and port, for an IP peer (the proxy's, through one).
    pub fn ip(&self) -> Option<SocketAddr> {
        match self {
            Peer::Ip(addr) => Some(*addr),
            Peer::Proxied(proxied) => Some(proxied.addr),
            Peer::Unix(_) => None,
        }
    }

    /// The credentials, for a Unix peer that has them.
    pub fn cred(&self) -> Option<Cred> {
        match self {
            Peer::Ip(_) | Peer::Proxied(_) => None,
            Peer::Unix(unix) => unix.cred,
        }
    }

    /// The credentials as event fields (`pid`, `uid`, `gid`), added to `fields` (an object);
    /// nothing for an IP peer.
    pub fn with_cred(&self, mut fields: Value) -> Value {
        if let (Some(cred), Some(map)) = (self.cred(), fields.as_object_mut()) {
            map.insert("pid".into(), json!(cred.pid));
            map.insert("uid".into(), json!(cred.uid));
            map.insert("gid".into(), json!(cred.gid));
        }
        fields
    }

    /// The peer for an `--exec` command: `WSCTL_REMOTE_ADDR` and `WSCTL_REMOTE_PORT` (as
    /// ncat names them); for a Unix peer `WSCTL_REMOTE_ADDR` is `unix:PATH` and the
    /// credentials are `WSCTL_PEER_PID`, `WSCTL_PEER_UID` and `WSCTL_PEER_GID`.
    pub fn env(&self) -> Env {
        match self {
            Peer::Proxied(proxied) => Peer::Ip(proxied.addr).env(),
            Peer::Ip(addr) => vec![
                ("WSCTL_REMOTE_ADDR".into(), addr.ip().to_string().into()),
                ("WSCTL_REMOTE_PORT".into(), addr.port().to_string().into()),
            ],
            Peer::Unix(unix) => {
                let mut env: Env = vec![(
                    "WSCTL_REMOTE_ADDR".into(),
                    OsString::from(unix.socket.to_string()),
                )];
                if let Some(cred) = unix.cred {
                    if let Some(pid) = cred.pid {
                        env.push(("WSCTL_PEER_PID".into(), pid.to_string().into()));
                    }
                    env.push(("WSCTL_PEER_UID".into(), cred.uid.to_string().into()));
                    env.push(("WSCTL_PEER_GID".into(), cred.gid.to_string().into()));
                }
                env
            }
        }
    }
}

impl From<SocketAddr> for Peer {
    fn from(addr: SocketAddr) -> Peer {
        Peer::Ip(addr)
    }
}

impl std::fmt::Display for Peer {
    /// `127.0.0.1:5000`, `[::1]:5000`; `unix:/run/x.sock (pid 4242)`, or `unix:PATH` alone
    /// when the pid is unknown; `example.com:80 through the HTTP proxy 127.0.0.1:8888`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Ip(addr) => addr.fmt(f),
            Peer::Proxied(proxied) => write!(f, "{} through the {}", proxied.target, proxied.proxy),
            Peer::Unix(unix) => match unix.cred.and_then(|c| c.pid) {
                Some(pid) => write!(f, "{} (pid {pid})", unix.socket),
                None => unix.socket.fmt(f),
            },
        }
    }
}

impl serde::Serialize for Peer {
    /// As it is shown: events name a peer as status lines do.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let ip: Peer = "127.0.0.1:5000".parse::<SocketAddr>().unwrap().into();
        assert_eq!(ip.to_string(), "127.0.0.1:5000");
        assert_eq!(json!({"peer": ip}), json!({"peer": "127.0.0.1:5000"}));
        let unix = Peer::Unix(Arc::new(UnixPeer {
            socket: UnixName::Path("/run/x.sock".into()),
            cred: Some(Cred {
                pid: Some(42),
                uid: 1000,
                gid: 100,
            }),
        }));
        assert_eq!(unix.to_string(), "unix:/run/x.sock (pid 42)");
        assert_eq!(
            unix.with_cred(json!({"peer": unix})),
            json!({"peer": "unix:/run/x.sock (pid 42)", "pid": 42, "uid": 1000, "gid": 100})
        );
        let env = unix.env();
        assert!(env.contains(&("WSCTL_PEER_UID".into(), "1000".into())));
        assert!(env.contains(&("WSCTL_REMOTE_ADDR".into(), "unix:/run/x.sock".into())));
    }
}
