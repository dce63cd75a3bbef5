//! `udp send` and `udp listen`, checked: the target or bind address, the socket options, and
//! `--exec`'s caps for a listener; `unix connect --dgram` and `unix listen --dgram` too,
//! which follow the same record rules on a Unix datagram socket.

use std::time::Duration;

use super::{
    EXEC_MAX_CONNS, HostPort, ListenOn, Local, UDP_EXEC_IDLE, framing, idle, local,
    parse_bind_words, parse_target, script, scripted, usage,
};
use crate::cli::{UdpListenArgs, UdpSendArgs, UnixConnectArgs, UnixListenArgs};
use crate::framing::Framing;
use crate::net::Linger;
use crate::net::addr::Source;
use crate::net::udp::SocketOptions;
use crate::net::unix::{UnixName, parse_name};
use crate::script::Script;

/// Where a datagram client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DgramTarget {
    /// `udp send HOST PORT`.
    Udp(HostPort),
    /// `unix connect --dgram PATH` (or `@NAME`).
    Unix(UnixName),
}

/// `udp send` or `unix connect --dgram`, checked.
#[derive(Debug, Clone)]
pub struct UdpClient {
    /// Where datagrams go.
    pub target: DgramTarget,
    /// Where records come from and go to.
    pub local: Local,
    /// How stdin is cut into datagrams (lines, `-0`, `-b` chunks).
    pub framing: Framing,
    /// After the end of input, replies are awaited until the peer is quiet this long.
    pub linger: Linger,
    /// `--broadcast`, `--ttl`, `--interface`.
    pub socket: SocketOptions,
    /// `--send`, `--count` and the other scripting options.
    pub script: Script,
    /// `-C`: each datagram ends with `\r\n`.
    pub crlf: bool,
}

/// `udp listen` or `unix listen --dgram`, checked.
#[derive(Debug, Clone)]
pub struct UdpServer {
    /// The address bound (port 0: any free port), or the Unix socket's name and `--mode`.
    pub bind: ListenOn,
    /// Where records come from and go to.
    pub local: Local,
    /// How stdin is cut into datagrams (lines, `-0`, `-b` chunks).
    pub framing: Framing,
    /// `--multicast`, `--interface`, `--ttl`.
    pub socket: SocketOptions,
    /// `--exec`: the most senders with a command running at once.
    pub max_senders: usize,
    /// `--exec`: a sender's command ends after this long without a datagram either way.
    pub idle_timeout: Option<Duration>,
    /// `-C`: each datagram ends with `\r\n`.
    pub crlf: bool,
}

pub(super) fn udp_client(args: UdpSendArgs) -> anyhow::Result<UdpClient> {
    Ok(UdpClient {
        target: DgramTarget::Udp(parse_target(&args.host, args.port.as_deref())?),
        local: local(args.local, scripted(&args.script)),
        framing: framing(&args.framing),
        linger: args.linger,
        socket: SocketOptions {
            broadcast: args.broadcast,
            ttl: args.ttl,
            interface: args.interface,
            multicast: None,
            source: args.source.source(),
        },
        script: Script {
            send_ends_input: true,
            ..script(args.script)
        },
        crlf: args.crlf,
    })
}

pub(super) fn udp_server(args: UdpListenArgs) -> anyhow::Result<UdpServer> {
    let mut bind = parse_bind_words(&args.addr, args.port.as_deref())?;
    if let Some(group) = args.multicast {
        if !group.is_multicast() {
            return Err(usage(
                format!("{group} is not a multicast address"),
                "IPv4 groups are 224.0.0.0/4 (e.g. 239.1.2.3), IPv6 groups ff00::/8",
            ));
        }
        // A group is joined on a socket of its own family: "all interfaces" follows it.
        if bind.host.is_empty() && group.is_ipv4() {
            bind.host = "0.0.0.0".into();
        }
    }
    Ok(UdpServer {
        bind: ListenOn::Ip(bind),
        local: local(args.local, false),
        framing: framing(&args.framing),
        socket: SocketOptions {
            broadcast: false,
            multicast: args.multicast,
            interface: args.interface,
            ttl: args.ttl,
            source: Source::default(),
        },
        max_senders: args.max_conns.map_or(EXEC_MAX_CONNS, |n| n as usize),
        idle_timeout: idle(args.idle_timeout, Some(UDP_EXEC_IDLE)),
        crlf: args.crlf,
    })
}

/// `unix connect --dgram`: `udp send`'s rules, without its IP options.
pub(super) fn unix_dgram_client(args: UnixConnectArgs) -> anyhow::Result<UdpClient> {
    Ok(UdpClient {
        target: DgramTarget::Unix(parse_name(&args.path)?),
        local: local(args.local, scripted(&args.script)),
        framing: framing(&args.framing),
        linger: args.linger.unwrap_or(Linger::After(Duration::from_secs(1))),
        socket: SocketOptions::default(),
        script: Script {
            send_ends_input: true,
            ..script(args.script)
        },
        crlf: args.crlf,
    })
}

/// `unix listen --dgram`: `udp listen`'s rules; `--max-conns` and `--idle-timeout` are for
/// `--exec`'s commands, as there.
pub(super) fn unix_dgram_server(args: UnixListenArgs) -> anyhow::Result<UdpServer> {
    let exec = args.local.exec.is_some();
    if !exec && (args.server.max_conns.is_some() || args.server.idle_timeout.is_some()) {
        return Err(usage(
            "with --dgram, --max-conns and --idle-timeout are for --exec's commands".into(),
            "add --exec CMD, or leave them out",
        ));
    }
    Ok(UdpServer {
        bind: ListenOn::unix(&args.path, args.mode.as_deref())?,
        local: local(args.local, false),
        framing: framing(&args.framing),
        socket: SocketOptions::default(),
        max_senders: args.server.max_conns.map_or(EXEC_MAX_CONNS, |n| n as usize),
        idle_timeout: idle(args.server.idle_timeout, Some(UDP_EXEC_IDLE)),
        crlf: args.crlf,
    })
}

/// `-0` and `-b` cut datagrams: a Unix stream is relayed as bytes, as TCP is.
pub(super) fn no_framing_without_dgram(args: &crate::cli::FramingArgs) -> anyhow::Result<()> {
    if !args.null && !args.binary {
        return Ok(());
    }
    let flag = if args.null {
        "-0/--null"
    } else {
        "-b/--binary"
    };
    Err(usage(
        format!("{flag} cuts datagrams: it is for --dgram"),
        "add --dgram for a datagram socket; a stream socket is relayed as bytes already",
    ))
}
