//! `udp send` and `udp listen`, checked: the target or bind address, the socket options, and
//! `--exec`'s caps for a listener.

use std::time::Duration;

use super::{
    EXEC_MAX_CONNS, HostPort, Local, UDP_EXEC_IDLE, framing, idle, local, parse_bind_words,
    parse_target, script, scripted, usage,
};
use crate::cli::{UdpListenArgs, UdpSendArgs};
use crate::framing::Framing;
use crate::net::Linger;
use crate::net::addr::Source;
use crate::net::udp::SocketOptions;
use crate::script::Script;

/// `udp send`, checked.
#[derive(Debug, Clone)]
pub struct UdpClient {
    /// Where datagrams go.
    pub target: HostPort,
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

/// `udp listen`, checked.
#[derive(Debug, Clone)]
pub struct UdpServer {
    /// The address bound (port 0: any free port).
    pub bind: HostPort,
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
        target: parse_target(&args.host, args.port.as_deref())?,
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
        bind,
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
