//! UDP sockets: `udp send`'s, connected (so that the kernel reports an ICMP port unreachable
//! as `ECONNREFUSED` on the next send or receive), and `udp listen`'s, bound (and joined to a
//! multicast group). What runs on them is shared with Unix datagram sockets: the client in
//! [`crate::net::dgram`], the listener in `server/udp.rs`.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use anyhow::Context;
use serde_json::json;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::addr::{HostPort, Source};

/// Datagrams queued in the kernel while wsctl writes out the previous ones: a burst of
/// small datagrams fits, where Linux's default (~200 KiB) drops one.
const RECEIVE_BUFFER: usize = 4 << 20;

/// What the framing hands the local side at most per record before UDP's own limit applies,
/// so that an oversized line is reported with the datagram limit, not cut.
pub const RECORD_LIMIT: usize = 1 << 20;

/// SO_RCVBUF is capped by `net.core.rmem_max` (about 200 KiB by default); with
/// CAP_NET_ADMIN, SO_RCVBUFFORCE is not.
fn grow_receive_buffer(socket: &Socket) {
    use std::os::fd::AsRawFd;
    let size = RECEIVE_BUFFER as libc::c_int;
    // SAFETY: setsockopt with a pointer to a live c_int and its size.
    let forced = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if forced != 0 {
        let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    }
}

fn socket_for(addr: SocketAddr) -> anyhow::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    grow_receive_buffer(&socket);
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// An IPv4 interface, which the socket API names by its address.
fn ipv4_interface(iface: &str) -> anyhow::Result<Ipv4Addr> {
    iface.parse().map_err(|_| {
        Fail::new(
            Exit::Usage,
            format!("--interface `{iface}` is not an IPv4 address"),
        )
        .hint("for IPv4, name the interface by its address, e.g. 127.0.0.1")
        .err()
    })
}

/// An IPv6 interface by name (`eth0`) or index (`2`).
fn interface_index(iface: &str) -> anyhow::Result<u32> {
    if let Ok(index) = iface.parse() {
        return Ok(index);
    }
    let name = std::ffi::CString::new(iface)?;
    // SAFETY: a NUL-terminated name; the call only reads it.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if index == 0 {
        return Err(
            Fail::new(Exit::Usage, format!("no network interface `{iface}`"))
                .hint("give an interface name from `ip link`, or its index")
                .err(),
        );
    }
    Ok(index)
}

fn set_ttl(socket: &Socket, addr: SocketAddr, ttl: u32) -> std::io::Result<()> {
    if addr.is_ipv4() {
        socket.set_ttl_v4(ttl)?;
        socket.set_multicast_ttl_v4(ttl)
    } else {
        socket.set_unicast_hops_v6(ttl)?;
        socket.set_multicast_hops_v6(ttl)
    }
}

/// How a UDP socket is set up: `--broadcast` (sending only), `--multicast GROUP` (joined by a
/// listener), `--interface` (an IPv4 address or an interface name for IPv6), `--ttl` (hops,
/// unicast and multicast).
#[derive(Debug, Clone, Default)]
pub struct SocketOptions {
    /// `SO_BROADCAST`: sending to a broadcast address is allowed.
    pub broadcast: bool,
    /// The group a listener joins (`IP_ADD_MEMBERSHIP` / `IPV6_JOIN_GROUP`).
    pub multicast: Option<IpAddr>,
    /// The interface for multicast: an IPv4 address, or a name for IPv6.
    pub interface: Option<String>,
    /// Hops (`IP_TTL` and `IP_MULTICAST_TTL`; IPv6 hop limits).
    pub ttl: Option<u32>,
    /// `udp send -s`, `--source-port`: the local end, bound before sending.
    pub source: Source,
}

/// `udp send`: a socket connected to the first address `target` resolves to.
pub async fn connect(target: &HostPort, cfg: &SocketOptions) -> anyhow::Result<UdpSocket> {
    let addr = *crate::net::tcp::resolve(target)
        .await?
        .first()
        .context(Fail::new(
            Exit::Connect,
            format!("{} has no address", target.host),
        ))?;
    let fail = || Fail::new(Exit::Connect, format!("could not send to {addr}"));
    let socket = socket_for(addr).with_context(fail)?;
    let local = cfg.source.for_peer(addr).with_context(|| {
        Fail::new(
            Exit::Connect,
            format!(
                "{addr} is not of the family of -s {}",
                cfg.source.ip.expect("-s given")
            ),
        )
        .hint("give a source address of the same family (IPv4 or IPv6) as the host's")
    })?;
    socket
        .bind(&local.into())
        .map_err(|err| crate::net::tcp::source_error(err, local))?;
    if cfg.broadcast {
        socket.set_broadcast(true).with_context(fail)?;
    }
    if let Some(ttl) = cfg.ttl {
        set_ttl(&socket, addr, ttl).with_context(fail)?;
    }
    if let Some(iface) = &cfg.interface {
        match addr {
            SocketAddr::V4(_) => {
                let ip = ipv4_interface(iface)?;
                socket.set_multicast_if_v4(&ip).with_context(fail)?;
            }
            SocketAddr::V6(_) => socket
                .set_multicast_if_v6(interface_index(iface)?)
                .with_context(fail)?,
        }
    }
    socket.connect(&addr.into()).map_err(|err| {
        let fail = fail();
        let fail = match err.kind() {
            ErrorKind::PermissionDenied => fail.hint("a broadcast address needs --broadcast"),
            _ => fail,
        };
        anyhow::Error::new(err).context(fail)
    })?;
    let socket = UdpSocket::from_std(socket.into())?;
    console::status(
        "connected",
        format!("sending to {addr}"),
        json!({"addr": addr}),
    );
    Ok(socket)
}

/// `udp listen`'s socket: bound to the first address of `at` that takes it (both families
/// when the host is left out), joined to the multicast group. Errors: exit 3, with a hint for
/// a port in use or a privileged one.
pub async fn bind(at: &HostPort, cfg: &SocketOptions) -> anyhow::Result<UdpSocket> {
    let addrs = if at.host.is_empty() {
        vec![
            SocketAddr::from((Ipv6Addr::UNSPECIFIED, at.port)),
            SocketAddr::from((Ipv4Addr::UNSPECIFIED, at.port)),
        ]
    } else {
        crate::net::tcp::resolve(at).await?
    };
    let mut last = None;
    let mut bound = None;
    for addr in addrs {
        match bind_one(addr, cfg) {
            Ok(socket) => {
                bound = Some(socket);
                break;
            }
            Err(err) => last = Some(err),
        }
    }
    let socket = match (bound, last) {
        (Some(socket), _) => socket,
        (None, Some(err)) => {
            let fail = Fail::new(Exit::Connect, format!("could not listen on UDP {}", at));
            let fail = match err.downcast_ref::<std::io::Error>().map(|e| e.kind()) {
                Some(ErrorKind::AddrInUse) => fail.hint(format!(
                    "another program uses UDP port {}: stop it, or pick another port (0 picks a free one)",
                    at.port
                )),
                Some(ErrorKind::PermissionDenied) => {
                    fail.hint("ports below 1024 need privileges: pick a port from 1024 up")
                }
                _ => fail,
            };
            return Err(err.context(fail));
        }
        (None, None) => {
            return Err(Fail::new(Exit::Connect, format!("{} has no address", at.host)).err());
        }
    };
    Ok(socket)
}

fn bind_one(addr: SocketAddr, cfg: &SocketOptions) -> anyhow::Result<UdpSocket> {
    let socket = socket_for(addr)?;
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        socket.set_only_v6(false)?;
    }
    if cfg.multicast.is_some() {
        // Several receivers of one group on one host is the point of a group.
        socket.set_reuse_address(true)?;
    }
    socket.bind(&addr.into())?;
    if let Some(ttl) = cfg.ttl {
        set_ttl(&socket, addr, ttl)?;
    }
    match cfg.multicast {
        Some(IpAddr::V4(group)) => {
            let iface = match &cfg.interface {
                Some(iface) => ipv4_interface(iface)?,
                None => Ipv4Addr::UNSPECIFIED,
            };
            socket.join_multicast_v4(&group, &iface).with_context(|| {
                Fail::new(
                    Exit::Connect,
                    format!("could not join multicast group {group}"),
                )
                .hint("give the interface to join on with --interface ADDRESS")
            })?;
        }
        Some(IpAddr::V6(group)) => {
            let index = match &cfg.interface {
                Some(iface) => interface_index(iface)?,
                None => 0,
            };
            socket.join_multicast_v6(&group, index).with_context(|| {
                Fail::new(
                    Exit::Connect,
                    format!("could not join multicast group {group}"),
                )
                .hint("give the interface to join on with --interface NAME")
            })?;
        }
        None => {}
    }
    Ok(UdpSocket::from_std(socket.into())?)
}
