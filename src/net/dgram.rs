//! A datagram socket of either kind, UDP or Unix (`unix connect/listen --dgram`), so that
//! one client ([`run_client`]) and one listener serve both: each message is one datagram,
//! never truncated or split (but `-b`'s chunks, which have no boundaries of their own).
//!
//! A connected socket (a client's) reports a peer that went away as `ECONNREFUSED` on the
//! next send or receive (UDP: an ICMP port unreachable; Unix: nothing bound to the name any
//! more): that is exit 3, not silence.

use std::io::ErrorKind;
use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::json;
use tokio::net::UdpSocket;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
use crate::hexdump::{self, Layout};
use crate::net::unix::UnixName;
use crate::net::{Env, Linger, Peer};
use crate::relay::{Ends, Message};

pub mod unix;
pub use unix::UnixDgram;

/// A datagram socket: UDP, or a Unix datagram socket.
pub enum DgramSocket {
    Udp(UdpSocket),
    Unix(UnixDgram),
}

/// Who sent a datagram, or where one goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DgramPeer {
    /// A UDP sender's address and port.
    Ip(SocketAddr),
    /// A Unix socket's name: a path, or an abstract name (an autobound client's, `@0001f`).
    Unix(UnixName),
    /// A Unix socket that is bound to no name: it can send, but nothing can reach it.
    Unnamed,
}

impl std::fmt::Display for DgramPeer {
    /// `127.0.0.1:5000`, `unix:/run/x.sock`, `unix:@0001f`; `unix:(unnamed)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DgramPeer::Ip(addr) => addr.fmt(f),
            DgramPeer::Unix(name) => name.fmt(f),
            DgramPeer::Unnamed => f.write_str("unix:(unnamed)"),
        }
    }
}

impl serde::Serialize for DgramPeer {
    /// As it is shown: events name a peer as status lines do.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl DgramPeer {
    /// The peer for an `--exec` command: `WSCTL_REMOTE_ADDR` (and `_PORT` for UDP), as for a
    /// stream's peer ([`Peer::env`]); nothing for an unnamed one.
    pub fn env(&self) -> Env {
        match self {
            DgramPeer::Ip(addr) => Peer::Ip(*addr).env(),
            DgramPeer::Unix(name) => vec![("WSCTL_REMOTE_ADDR".into(), name.to_string().into())],
            DgramPeer::Unnamed => vec![],
        }
    }
}

/// The biggest datagram a socket sends to a peer, and how the error says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Bytes of payload, at most.
    pub max: usize,
    /// What carries it: "a UDP datagram ... over IPv4", "a Unix datagram ...".
    pub carrier: &'static str,
    /// Why that much: "over IPv4", "SO_SNDBUF".
    pub over: &'static str,
}

/// The largest UDP payload: 65,535 minus the IPv4 (20) and UDP (8) headers; IPv6's fixed
/// header is not counted against the payload length, so it carries 65,527.
pub const MAX_V4: usize = 65_507;
pub const MAX_V6: usize = 65_527;

impl Limit {
    /// UDP's, by the peer's family (an IPv4-mapped IPv6 peer is IPv4).
    pub fn udp(peer: SocketAddr) -> Limit {
        let v4 = match peer {
            SocketAddr::V4(_) => true,
            SocketAddr::V6(v6) => v6.ip().to_ipv4_mapped().is_some(),
        };
        Limit {
            max: if v4 { MAX_V4 } else { MAX_V6 },
            carrier: "a UDP datagram",
            over: if v4 { "over IPv4" } else { "over IPv6" },
        }
    }
}

/// The datagrams `msg` becomes within `limit`: one, or an error (exit 1) if it cannot be one.
/// Raw chunks (`-b`) have no boundaries of their own, so they are cut to the limit instead.
pub fn datagrams(msg: Message, limit: Limit, framing: Framing) -> anyhow::Result<Vec<Bytes>> {
    let max = limit.max;
    if msg.data.len() <= max {
        return Ok(vec![msg.data]);
    }
    if framing == Framing::Binary {
        let mut data = msg.data;
        let mut pieces = Vec::new();
        while !data.is_empty() {
            pieces.push(data.split_to(data.len().min(max)));
        }
        return Ok(pieces);
    }
    Err(Fail::new(
        Exit::Io,
        format!(
            "a record of {} bytes is larger than {} can carry ({max} bytes {})",
            msg.data.len(),
            limit.carrier,
            limit.over
        ),
    )
    .hint("shorten the record, or use -b/--binary to send a byte stream in datagram-sized pieces")
    .err())
}

impl DgramSocket {
    /// The next datagram into `buf` (grown if a Unix datagram needs more), and its sender.
    pub async fn recv_from(&self, buf: &mut Vec<u8>) -> std::io::Result<(usize, DgramPeer)> {
        match self {
            DgramSocket::Udp(socket) => {
                let (n, from) = socket.recv_from(buf).await?;
                Ok((n, DgramPeer::Ip(from)))
            }
            DgramSocket::Unix(socket) => socket.recv_from(buf).await,
        }
    }

    /// The next datagram from the connected peer into `buf` (grown as for `recv_from`).
    pub async fn recv(&self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        match self {
            DgramSocket::Udp(socket) => socket.recv(buf).await,
            DgramSocket::Unix(socket) => socket.recv(buf).await,
        }
    }

    /// Sends `data` as one datagram to `peer`. An unnamed Unix peer cannot be reached: the
    /// first reply to one is a warning, every one is dropped.
    pub async fn send_to(&self, data: &[u8], peer: &DgramPeer) -> std::io::Result<()> {
        match (self, peer) {
            (DgramSocket::Udp(socket), DgramPeer::Ip(addr)) => {
                socket.send_to(data, addr).await.map(drop)
            }
            (DgramSocket::Unix(socket), _) => socket.send_to(data, peer).await,
            _ => Err(std::io::Error::new(
                ErrorKind::InvalidInput,
                "not an address of this socket's kind",
            )),
        }
    }

    /// Sends `data` as one datagram to the connected peer.
    pub async fn send(&self, data: &[u8]) -> std::io::Result<()> {
        match self {
            DgramSocket::Udp(socket) => socket.send(data).await.map(drop),
            DgramSocket::Unix(socket) => socket.send(data).await,
        }
    }

    /// The biggest datagram for `peer` (UDP: by family; Unix: by SO_SNDBUF).
    pub fn limit(&self, peer: &DgramPeer) -> Limit {
        match (self, peer) {
            (DgramSocket::Udp(_), DgramPeer::Ip(addr)) => Limit::udp(*addr),
            (DgramSocket::Udp(_), _) => Limit::udp(SocketAddr::from(([0, 0, 0, 0], 0))),
            (DgramSocket::Unix(socket), _) => socket.limit(),
        }
    }
}

/// A connected socket's error as the run's: the peer gone (`ECONNREFUSED`) is exit 3; a
/// datagram too big for a Unix socket names its size (exit 1).
pub fn send_error(err: std::io::Error, peer: &DgramPeer, size: usize) -> anyhow::Error {
    if err.kind() == ErrorKind::ConnectionRefused {
        let (what, hint) = match peer {
            DgramPeer::Ip(_) => (
                format!("nothing is listening on UDP {peer} (port unreachable)"),
                "check the port, or start the receiver first",
            ),
            _ => (
                format!("nothing is bound to {peer} any more (connection refused)"),
                "the receiver has gone: start it again",
            ),
        };
        return Fail::new(Exit::Connect, what).hint(hint).err();
    }
    if matches!(err.raw_os_error(), Some(libc::EMSGSIZE | libc::ENOBUFS)) {
        return anyhow::Error::new(err).context(
            Fail::new(
                Exit::Io,
                format!("a datagram of {size} bytes is too large for {peer}'s socket"),
            )
            .hint("shorten the record, or use -b/--binary to send it in pieces"),
        );
    }
    let kind = if err.kind() == ErrorKind::PermissionDenied {
        Exit::Connect
    } else {
        Exit::Io
    };
    let fail = Fail::new(kind, format!("sending to {peer} failed"));
    let fail = match (err.kind(), peer) {
        (ErrorKind::PermissionDenied, DgramPeer::Ip(_)) => {
            fail.hint("a broadcast address needs --broadcast")
        }
        (ErrorKind::PermissionDenied, _) => {
            fail.hint("the socket's permissions keep this user out (ls -l)")
        }
        _ => fail,
    };
    anyhow::Error::new(err).context(fail)
}

/// The `-v` line and event for a datagram received.
pub fn datagram_event(peer: &DgramPeer, size: usize) {
    console::detail(
        1,
        "datagram",
        format!("datagram from {peer} ({size} bytes)"),
        json!({"peer": peer, "size": size}),
    );
}

/// A client's remote side (`udp send`, `unix connect --dgram`) on a connected `socket` to
/// `peer`: what arrives is printed; the local side's end of input starts the wait for
/// replies, which ends once none has come for `linger`.
pub async fn run_client(
    socket: DgramSocket,
    peer: DgramPeer,
    ends: Ends,
    linger: Linger,
    framing: Framing,
) -> anyhow::Result<()> {
    let ends = hexdump::tap(ends, &peer, Layout::Datagrams);
    let Ends { tx, mut rx } = ends;
    let replied = tokio::sync::Notify::new();
    let limit = socket.limit(&peer);
    let send = async {
        while let Some(msg) = rx.recv().await {
            for datagram in datagrams(msg, limit, framing)? {
                socket
                    .send(&datagram)
                    .await
                    .map_err(|e| send_error(e, &peer, datagram.len()))?;
            }
        }
        let Linger::After(quiet) = linger else {
            return std::future::pending().await;
        };
        console::detail(
            2,
            "waiting",
            format!(
                "waiting for replies until none has come for {}",
                humantime::format_duration(quiet)
            ),
            json!({"wait_ms": quiet.as_millis() as u64}),
        );
        while tokio::time::timeout(quiet, replied.notified())
            .await
            .is_ok()
        {}
        Ok(())
    };
    let receive = async {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = tokio::select! {
                n = socket.recv(&mut buf) => n.map_err(|e| send_error(e, &peer, 0))?,
                _ = tx.closed() => return Ok(()), // the local side is done (stdout, --count)
            };
            datagram_event(&peer, n);
            replied.notify_one();
            if tx
                .send(Message::binary(Bytes::copy_from_slice(&buf[..n])))
                .await
                .is_err()
            {
                return Ok(()); // stdout is gone
            }
        }
    };
    tokio::select! {
        sent = send => sent,
        received = receive => received,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_never_cut_but_chunks_are() {
        let v4 = Limit::udp("127.0.0.1:9".parse().unwrap());
        let v6 = Limit::udp("[::1]:9".parse().unwrap());
        let big = Message::binary(vec![0u8; MAX_V4 + 1]);
        let err = datagrams(big.clone(), v4, Framing::Lines).unwrap_err();
        assert!(
            err.to_string()
                .contains("larger than a UDP datagram can carry (65507 bytes over IPv4)"),
            "{err}"
        );
        assert_eq!(datagrams(big.clone(), v6, Framing::Lines).unwrap().len(), 1);
        let pieces = datagrams(big, v4, Framing::Binary).unwrap();
        assert_eq!(
            pieces.iter().map(Bytes::len).collect::<Vec<_>>(),
            [MAX_V4, 1]
        );
    }

    #[test]
    fn peers_are_named_as_sockets() {
        let unix = DgramPeer::Unix(UnixName::Abstract(b"0001f".to_vec()));
        assert_eq!(unix.to_string(), "unix:@0001f");
        assert_eq!(json!({"peer": unix}), json!({"peer": "unix:@0001f"}));
        assert_eq!(
            unix.env(),
            vec![("WSCTL_REMOTE_ADDR".to_string(), "unix:@0001f".into())]
        );
        assert_eq!(DgramPeer::Unnamed.to_string(), "unix:(unnamed)");
    }
}
