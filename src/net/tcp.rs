//! TCP: connecting (every resolved address in turn, under one timeout), binding a listener,
//! and the remote side of the relay over a connected stream.

use std::io::ErrorKind;
use std::net::{Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context;
use serde_json::json;
use socket2::{Domain, Socket, Type};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, lookup_host};

use crate::console;
use crate::exit::{Exit, Fail};
use crate::framing::{Aborted, read_chunks, write_chunks};
use crate::hexdump::{self, Layout};
use crate::net::addr::{HostPort, Source};
use crate::net::tls::{self, Stream};
use crate::relay::{Ends, Initiator, Message};
use crate::shutdown::Shutdown;

/// Resolves `target` and tries each address in turn; `timeout` bounds the whole attempt.
/// Connects to the first address of `target` that answers, within `timeout`, from `source`
/// when given (bound first; an address of the other family than `-s` is skipped).
pub async fn connect(
    target: &HostPort,
    timeout: Duration,
    source: Source,
) -> anyhow::Result<TcpStream> {
    let attempt = async {
        let addrs = resolve(target).await?;
        let mut last = None;
        for addr in addrs {
            let Some(local) = source.for_peer(addr) else {
                console::detail(
                    1,
                    "connect_failed",
                    format!("{addr}: not of the family of -s"),
                    json!({"addr": addr}),
                );
                continue;
            };
            console::detail(
                1,
                "connecting",
                format!("trying {addr}"),
                json!({"addr": addr}),
            );
            let connected = if source.is_set() {
                connect_from(local, addr).await?
            } else {
                TcpStream::connect(addr).await
            };
            // Bound, the source could still meet a connection of its own to this peer.
            let connected = connected.map_err(|err| match (err.kind(), source.port) {
                (ErrorKind::AddrNotAvailable, Some(port)) => std::io::Error::new(
                    err.kind(),
                    format!("port {port} already has a connection to {addr}"),
                ),
                _ => err,
            });
            match connected {
                Ok(stream) => return Ok(stream),
                Err(err) => {
                    console::detail(
                        1,
                        "connect_failed",
                        format!("{addr}: {err}"),
                        json!({"addr": addr}),
                    );
                    last = Some((addr, err));
                }
            }
        }
        let (addr, err) = last.with_context(|| match source.ip {
            Some(ip) => Fail::new(
                Exit::Connect,
                format!("{} has no address of the family of -s {ip}", target.host),
            )
            .hint("give a source address of the same family (IPv4 or IPv6) as the host's"),
            None => Fail::new(Exit::Connect, format!("{} has no address", target.host)),
        })?;
        let hint = connect_hint(&err, addr);
        let fail = Fail::new(Exit::Connect, format!("could not connect to {target}"));
        Err(anyhow::Error::new(err).context(fail.maybe_hint(hint)))
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Fail::new(
            Exit::Connect,
            format!(
                "timed out connecting to {target} after {}",
                humantime::format_duration(timeout)
            ),
        )
        .hint("check that the host is reachable, or allow longer with --connect-timeout")
        .err()),
    }
}

/// Whether `peer` accepts a connection within `timeout` (from `source`'s address, when
/// given): the zero-I/O probe of `-z`, closed at once, nothing sent. A source that cannot be
/// bound is the run's error.
pub async fn probe(peer: SocketAddr, timeout: Duration, source: Source) -> anyhow::Result<bool> {
    let attempt = async {
        match source.for_peer(peer) {
            Some(local) if source.is_set() => connect_from(local, peer).await,
            _ => Ok(TcpStream::connect(peer).await),
        }
    };
    Ok(match tokio::time::timeout(timeout, attempt).await {
        // A connect to a free port of the ephemeral range can meet itself (TCP's simultaneous
        // open): our own socket, not a listener's.
        Ok(Ok(Ok(stream))) => stream.local_addr().ok() != stream.peer_addr().ok(),
        _ => false,
    })
}

/// A socket bound to `local`, then connected to `peer`: the bind's failure is the run's
/// (exit 3, as any bind), the connect's is the caller's to try the next address.
async fn connect_from(
    local: SocketAddr,
    peer: SocketAddr,
) -> anyhow::Result<std::io::Result<TcpStream>> {
    let socket = match local {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
    }?;
    // A fixed source port is taken again at once by the next run, as ncat -p does.
    if local.port() != 0 {
        socket.set_reuseaddr(true)?;
    }
    socket.bind(local).map_err(|err| source_error(err, local))?;
    Ok(socket.connect(peer).await)
}

pub async fn resolve(target: &HostPort) -> anyhow::Result<Vec<SocketAddr>> {
    let addrs = lookup_host((target.host.as_str(), target.port))
        .await
        .with_context(|| {
            Fail::new(
                Exit::Connect,
                format!("could not resolve `{}`", target.host),
            )
            .hint("check the host name, or give an IP address")
        })?;
    Ok(addrs.collect())
}

/// A source address that cannot be bound (`-s`, `--source-port`; TCP and UDP alike): exit 3
/// with the cause and the fix.
pub(crate) fn source_error(err: std::io::Error, local: SocketAddr) -> anyhow::Error {
    let hint = match err.kind() {
        ErrorKind::AddrInUse => Some(format!(
            "port {} is taken here: pick another --source-port, or leave it out",
            local.port()
        )),
        ErrorKind::PermissionDenied => {
            Some("source ports below 1024 need privileges: pick one from 1024 up".into())
        }
        ErrorKind::AddrNotAvailable => {
            Some("that address is not one of this machine's: give one of its own with -s".into())
        }
        _ => None,
    };
    let fail = Fail::new(
        Exit::Connect,
        format!("could not bind the source address {local}"),
    );
    anyhow::Error::new(err).context(fail.maybe_hint(hint))
}

fn connect_hint(err: &std::io::Error, addr: SocketAddr) -> Option<String> {
    match err.kind() {
        ErrorKind::ConnectionRefused => Some(format!(
            "nothing is listening on {addr}: check the port, or start the server first"
        )),
        ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable => {
            Some("check the address and the network route to it".into())
        }
        _ => None,
    }
}

/// Binds a listener on `bind`: all interfaces (IPv6 and IPv4 where the system allows) when the
/// host is empty.
pub async fn bind(bind: &HostPort) -> anyhow::Result<TcpListener> {
    let addrs = if bind.host.is_empty() {
        vec![
            SocketAddr::from((Ipv6Addr::UNSPECIFIED, bind.port)),
            SocketAddr::from(([0, 0, 0, 0], bind.port)),
        ]
    } else {
        resolve(bind).await?
    };
    let mut last = None;
    for addr in addrs {
        match listen_on(addr) {
            Ok(listener) => return Ok(listener),
            Err(err) => last = Some(err),
        }
    }
    let err = last.context(Fail::new(
        Exit::Connect,
        format!("{} has no address", bind.host),
    ))?;
    let fail = Fail::new(Exit::Connect, format!("could not listen on {bind}"));
    let fail = match err.kind() {
        ErrorKind::AddrInUse => fail.hint(format!(
            "another program is listening on port {}: stop it, or pick another port (0 picks a free one)",
            bind.port
        )),
        ErrorKind::PermissionDenied => {
            fail.hint("ports below 1024 need privileges: pick a port from 1024 up")
        }
        ErrorKind::AddrNotAvailable => {
            fail.hint("that address is not one of this machine's: leave HOST out to use all interfaces")
        }
        _ => fail,
    };
    Err(anyhow::Error::new(err).context(fail))
}

fn listen_on(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        // One socket for both families, as `nc -l` users expect of "all interfaces".
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

/// The remote side of the relay over a connected stream: what arrives goes out on `tx`, what
/// comes in on `rx` is written, and the end of `rx` half-closes (`shutdown(Write)`; over TLS,
/// close_notify first), as does the start of `shutdown` (after what is queued). A reset is
/// the peer ending abnormally (exit 5).
pub async fn run(stream: Stream, ends: Ends, shutdown: &Shutdown) -> anyhow::Result<()> {
    if let Some(tcp) = stream.tcp() {
        let _ = tcp.set_nodelay(true);
    }
    let peer = stream.peer_name();
    let ends = hexdump::tap(ends, peer.as_deref().unwrap_or("?"), Layout::Stream);
    // Kept for a reset when the other side of a bridge fails (the stream is split below).
    let socket = stream.socket().try_clone()?;
    match stream {
        // Owned halves: no lock between the two directions.
        Stream::Plain(tcp) => {
            let (reader, writer) = tcp.into_split();
            // Dropped, this half would send a FIN first: a reset must not look clean.
            pump(reader, writer, peer, ends, socket, |w| w.forget(), shutdown).await
        }
        Stream::Unix(unix, _) => {
            let (reader, writer) = unix.into_split();
            pump(reader, writer, peer, ends, socket, |w| w.forget(), shutdown).await
        }
        tls => {
            let (reader, writer) = tokio::io::split(tls);
            pump(reader, writer, peer, ends, socket, drop, shutdown).await
        }
    }
}

/// Both directions of one connection; `abandon` lets go of the writer without a half-close
/// (a reset follows).
async fn pump<R, W>(
    reader: R,
    mut writer: W,
    peer: Option<String>,
    ends: Ends,
    socket: socket2::Socket,
    abandon: impl FnOnce(W),
    shutdown: &Shutdown,
) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let Ends { tx, rx } = ends;
    let peer = peer.as_deref();
    let what = |dir: &str| match peer {
        Some(peer) => format!("{dir} {peer}"),
        None => dir.to_string(),
    };
    let receive = async move {
        let received = read_chunks(reader, &tx).await;
        if received.is_err() {
            // A WebSocket on the other side of a bridge closes with 1011 (byte streams skip it).
            let close = Message::close(1011, crate::relay::BRIDGE_FAILED, Initiator::Local);
            let _ = tokio::time::timeout(Duration::from_secs(1), tx.send(close)).await;
        } else {
            console::detail(2, "eof", "peer finished sending", json!({"peer": peer}));
        }
        received
    };
    let aborted = |e: &std::io::Error| e.get_ref().is_some_and(|e| e.is::<Aborted>());
    // A failure either way (a reset) ends the connection at once, whatever the other
    // direction is waiting for (stdin may be an idle pipe); the peer's FIN only ends its
    // direction (a half-close).
    let (received, sent) = {
        let send = write_chunks(rx, &mut writer, shutdown);
        tokio::pin!(receive, send);
        let outcome: anyhow::Result<(u64, std::io::Result<u64>)> = tokio::select! {
            received = &mut receive => {
                let received = received.map_err(|e| peer_error(e, what("receiving from")))?;
                Ok((received, send.await))
            }
            sent = &mut send => match sent {
                Err(e) if aborted(&e) => Ok((0, Err(e))),
                sent => {
                    let sent = sent.map_err(|e| peer_error(e, what("sending to")))?;
                    let received = receive.await.map_err(|e| peer_error(e, what("receiving from")))?;
                    Ok((received, Ok(sent)))
                }
            }
        };
        outcome?
    };
    if sent.as_ref().is_err_and(aborted) {
        // A reset, as the other side of the bridge had (it is reported there): with
        // SO_LINGER 0, the close as this returns sends RST.
        let _ = socket.set_linger(Some(Duration::ZERO));
        abandon(writer);
        return Ok(());
    }
    let sent = sent.map_err(|e| peer_error(e, what("sending to")))?;
    console::detail(
        1,
        "closed",
        format!("closed: {sent} bytes sent, {received} received"),
        json!({"peer": peer, "bytes_sent": sent, "bytes_received": received}),
    );
    Ok(())
}

pub fn peer_error(err: std::io::Error, what: String) -> anyhow::Error {
    // TLS 1.3 reports a refused client certificate on the first read after the handshake.
    if let Some(refused) = tls::late_alert(&err, what.rsplit(' ').next().unwrap_or("the peer")) {
        return refused;
    }
    let code = match err.kind() {
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            Exit::PeerAbnormal
        }
        // Only TLS reports an end of the stream as an error: the peer closed TCP without
        // close_notify (RFC 8446 6.1), so what arrived may have been cut short by anyone on
        // the path. Exit 5, as for a reset.
        ErrorKind::UnexpectedEof => {
            // rustls's own words (with a link) would say the same again: ours alone.
            let peer = what.rsplit(' ').next().unwrap_or("the peer");
            return Fail::new(
                Exit::PeerAbnormal,
                format!("{peer} ended TLS without close_notify: what arrived may be truncated"),
            )
            .hint("a server that always does this cannot prove that its data is complete")
            .err();
        }
        _ => Exit::Io,
    };
    anyhow::Error::new(err).context(Fail::new(code, format!("connection lost while {what}")))
}
