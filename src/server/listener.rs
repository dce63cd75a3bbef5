//! The socket a listener accepts on: TCP, or a Unix stream socket (`unix listen PATH`, `ws listen unix:PATH`).

use tokio::net::{TcpListener, UnixListener};

use crate::net::Peer;
use crate::net::addr::ListenOn;
use crate::net::tls::Stream;
use crate::net::unix::{self, Bound};

/// A listening socket: TCP, or a Unix stream socket (its file removed when this is dropped).
pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, Bound),
}

impl Listener {
    /// The listening socket for `on`; errors are exit 3 (the address in use, a live Unix
    /// socket at the path, a path that is not a socket, no permission).
    pub async fn bind(on: &ListenOn) -> anyhow::Result<Listener> {
        match on {
            ListenOn::Ip(at) => Ok(Listener::Tcp(crate::net::tcp::bind(at).await?)),
            ListenOn::Unix { name, mode } => {
                let (listener, bound) = unix::listen(name, *mode)?;
                Ok(Listener::Unix(listener, bound))
            }
        }
    }

    /// The next client: its stream as accepted (before any TLS) and who it is (an IPv4
    /// client of a dual-stack listener as IPv4; a Unix client by the listener's name and its
    /// credentials).
    pub(super) async fn accept(&self) -> std::io::Result<(Stream, Peer)> {
        match self {
            Listener::Tcp(listener) => {
                let (stream, addr) = listener.accept().await?;
                let addr = std::net::SocketAddr::new(addr.ip().to_canonical(), addr.port());
                Ok((Stream::Plain(stream), Peer::Ip(addr)))
            }
            Listener::Unix(listener, bound) => {
                let (stream, _) = listener.accept().await?;
                let peer = Peer::unix(bound.name.clone(), &stream);
                Ok((Stream::Unix(stream, peer.to_string()), peer))
            }
        }
    }

    /// What `listening on` names: `ADDR:PORT` or `unix:PATH`.
    pub(super) fn name(&self) -> std::io::Result<String> {
        match self {
            Listener::Tcp(listener) => Ok(listener.local_addr()?.to_string()),
            Listener::Unix(_, bound) => Ok(bound.name.to_string()),
        }
    }
}
