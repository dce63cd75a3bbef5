//! Unix datagram sockets (`unix connect --dgram`, `unix listen --dgram`). A client binds a
//! name of its own before it connects, so that replies can reach it: on Linux an autobound
//! abstract one (unix(7), "Autobind feature": bind(2) with the address family alone gives a
//! name such as `@0001f`). A listener's socket file is handled as a stream listener's
//! ([`crate::net::unix::bind`]). Every datagram is received whole: its size is read first
//! (`MSG_PEEK | MSG_TRUNC`) and the buffer grown to fit.

use std::io::ErrorKind;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use socket2::{Domain, SockAddr, SockRef, Socket, Type};
use tokio::io::Interest;

use super::{DgramPeer, Limit};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::unix::{Bound, UnixName, bind, connect_hint, sockaddr};

/// How long a reply waits for room in a receiver's full queue before it is dropped: an
/// unconnected sender is not woken when room frees, so it tries again every [`RETRY`].
const ROOM_WAIT: Duration = Duration::from_secs(1);
const RETRY: Duration = Duration::from_millis(5);

/// The kernel's overhead within `SO_SNDBUF` for a datagram (`sk_sndbuf - 32` is the most
/// a Unix datagram may carry).
const SNDBUF_OVERHEAD: usize = 32;

/// A non-blocking Unix datagram socket under tokio.
pub struct UnixDgram {
    socket: tokio::net::UnixDatagram,
    /// Whether an unnamed sender has been warned about (once a run).
    warned_unnamed: AtomicBool,
}

impl UnixDgram {
    fn new(socket: Socket) -> std::io::Result<UnixDgram> {
        socket.set_nonblocking(true)?;
        let socket = std::os::unix::net::UnixDatagram::from(std::os::fd::OwnedFd::from(socket));
        Ok(UnixDgram {
            socket: tokio::net::UnixDatagram::from_std(socket)?,
            warned_unnamed: AtomicBool::new(false),
        })
    }

    /// This socket's own name (an autobound client's is abstract).
    pub fn local_name(&self) -> DgramPeer {
        SockRef::from(&self.socket)
            .local_addr()
            .map_or(DgramPeer::Unnamed, |addr| peer_of(&addr))
    }

    /// The next datagram, whole, into `buf` (grown to fit), and who sent it.
    pub async fn recv_from(&self, buf: &mut Vec<u8>) -> std::io::Result<(usize, DgramPeer)> {
        let socket = SockRef::from(&self.socket);
        self.socket
            .async_io(Interest::READABLE, || {
                // MSG_TRUNC: the datagram's whole size, whatever the buffer's (Linux 3.4).
                let size = socket.recv_with_flags(&mut [], libc::MSG_PEEK | libc::MSG_TRUNC)?;
                if size > buf.len() {
                    buf.resize(size, 0);
                }
                let (n, from) = socket.recv_from(uninit(buf))?;
                Ok((n, peer_of(&from)))
            })
            .await
    }

    /// The next datagram from the connected peer (see [`UnixDgram::recv_from`]).
    pub async fn recv(&self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        Ok(self.recv_from(buf).await?.0)
    }

    /// Sends `data` to the connected peer, waiting for room in its queue.
    pub async fn send(&self, data: &[u8]) -> std::io::Result<()> {
        let socket = SockRef::from(&self.socket);
        self.socket
            .async_io(Interest::WRITABLE, || socket.send(data))
            .await
            .map(drop)
    }

    /// Sends `data` to `peer`. An unconnected sender is not woken when a full queue frees:
    /// it tries again for [`ROOM_WAIT`], then the datagram is dropped (`WouldBlock`). An
    /// unnamed peer cannot be reached: a warning the first time, then silence.
    pub async fn send_to(&self, data: &[u8], peer: &DgramPeer) -> std::io::Result<()> {
        let to = match peer {
            DgramPeer::Unix(name) => sockaddr(name)?,
            DgramPeer::Unnamed => {
                if !self.warned_unnamed.swap(true, Ordering::Relaxed) {
                    console::warn(
                        "a sender has no name (an unbound socket): nothing can reach it, so replies to it are dropped",
                        json!({"peer": peer, "message": "unnamed sender: replies dropped"}),
                    );
                }
                return Ok(());
            }
            DgramPeer::Ip(_) => {
                return Err(std::io::Error::new(
                    ErrorKind::InvalidInput,
                    "an IP address for a Unix socket",
                ));
            }
        };
        let deadline = tokio::time::Instant::now() + ROOM_WAIT;
        loop {
            match SockRef::from(&self.socket).send_to(data, &to) {
                Err(err) if err.kind() == ErrorKind::WouldBlock => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(std::io::Error::new(
                            ErrorKind::WouldBlock,
                            "its queue stayed full: the datagram is dropped",
                        ));
                    }
                    tokio::time::sleep(RETRY).await;
                }
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                sent => return sent.map(drop),
            }
        }
    }

    /// The biggest datagram this socket sends: its `SO_SNDBUF` less the kernel's overhead.
    pub fn limit(&self) -> Limit {
        let sndbuf = SockRef::from(&self.socket)
            .send_buffer_size()
            .unwrap_or(212_992);
        Limit {
            max: sndbuf.saturating_sub(SNDBUF_OVERHEAD),
            carrier: "a Unix datagram",
            over: "by the socket's SO_SNDBUF",
        }
    }
}

/// `buf` as the uninitialised bytes socket2 writes into.
fn uninit(buf: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: initialised bytes are valid `MaybeUninit<u8>`, and the socket only writes
    // bytes (never uninitialised ones) into them.
    unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) }
}

/// A sender's address as a peer: a path, an abstract name, or none.
fn peer_of(addr: &SockAddr) -> DgramPeer {
    if let Some(path) = addr.as_pathname() {
        return DgramPeer::Unix(UnixName::Path(path.to_path_buf()));
    }
    match addr.as_abstract_namespace() {
        Some(name) => DgramPeer::Unix(UnixName::Abstract(name.to_vec())),
        None => DgramPeer::Unnamed,
    }
}

/// bind(2) with the address family alone: Linux gives the socket a free abstract name.
fn autobind(socket: &Socket) -> std::io::Result<()> {
    // SAFETY: the storage is zeroed and large enough for a sockaddr_un; only its family is
    // set, and the length says so (`sizeof(sa_family_t)`).
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            (*storage.cast::<libc::sockaddr_un>()).sun_family = libc::AF_UNIX as libc::sa_family_t;
            *len = std::mem::size_of::<libc::sa_family_t>() as libc::socklen_t;
            Ok(())
        })
    }?;
    socket.bind(&addr)
}

/// `unix connect --dgram`: a socket of its own name (autobound), connected to `name`; says
/// `connected to unix:PATH` (and its own name under `-v`). Errors are exit 3: nothing bound
/// there, not a socket, a stream socket, no permission.
pub fn connect(name: &UnixName) -> anyhow::Result<UnixDgram> {
    let fail = |err: std::io::Error| {
        let hint = connect_hint(&err, name, true);
        anyhow::Error::new(err).context(
            Fail::new(Exit::Connect, format!("could not connect to {name}")).maybe_hint(hint),
        )
    };
    let socket = Socket::new(Domain::UNIX, Type::DGRAM, None).map_err(fail)?;
    autobind(&socket).map_err(fail)?;
    socket
        .connect(&sockaddr(name).map_err(fail)?)
        .map_err(fail)?;
    let socket = UnixDgram::new(socket).map_err(fail)?;
    console::status(
        "connected",
        format!("connected to {name}"),
        json!({"addr": name.to_string()}),
    );
    let local = socket.local_name();
    console::detail(
        1,
        "bound",
        format!("replies come to {local}"),
        json!({"addr": local}),
    );
    Ok(socket)
}

/// `unix listen --dgram`: a datagram socket bound to `name` (its file: see
/// [`crate::net::unix::bind`], `mode` included), and the file's keeper, which removes it
/// when dropped.
pub fn listen(name: &UnixName, mode: Option<u32>) -> anyhow::Result<(UnixDgram, Bound)> {
    let (socket, bound) = bind(name, Type::DGRAM, mode)?;
    let socket = UnixDgram::new(socket).map_err(|err| {
        anyhow::Error::new(err)
            .context(Fail::new(Exit::Connect, format!("cannot listen on {name}")))
    })?;
    Ok((socket, bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_autobound_client_is_named_and_reached() {
        let name = UnixName::Abstract(format!("wsctl-test-{}", std::process::id()).into_bytes());
        let (server, _bound) = listen(&name, None).unwrap();
        let client = connect(&name).unwrap();
        let me = client.local_name();
        assert!(
            matches!(&me, DgramPeer::Unix(UnixName::Abstract(n)) if n.len() == 5),
            "{me}"
        );
        let big = vec![7u8; 100_000];
        client.send(&big).await.unwrap();
        let mut buf = vec![0u8; 16];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!((n, &from), (big.len(), &me));
        assert_eq!(&buf[..n], &big[..]);
        server.send_to(b"back", &from).await.unwrap();
        assert_eq!(client.recv(&mut buf).await.unwrap(), 4);
        assert!(client.limit().max > 100_000);
    }
}
