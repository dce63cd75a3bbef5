//! How a listener takes clients (`Serving`): `-k`, a hub, `--max-conns`, `--allow`/`--deny`,
//! the timeouts; built from the listener options both `tcp listen` and `ws listen` take.

use std::time::Duration;

use super::{EXEC_IDLE, EXEC_MAX_CONNS, Local, idle, usage};
use crate::cli::ServerArgs;

/// How a listener takes clients (`tcp listen` and `ws listen` alike).
#[derive(Debug, Clone)]
pub struct Serving {
    /// `-k`: serve clients until interrupted, not only the first.
    pub keep_open: bool,
    /// `--broadcast` (`Some(false)`) or `--chat` (`Some(true)`): one stdin/stdout for all.
    pub hub: Option<bool>,
    /// `--max-conns`: clients served at once, at most (`None`: no limit).
    pub max_conns: Option<usize>,
    /// `--allow`/`--deny`: which client addresses are served.
    pub access: Access,
    /// `--idle-timeout`: a client is closed after this long without data either way.
    pub idle_timeout: Option<Duration>,
    /// `--handshake-timeout`: the longest a TLS or WebSocket handshake may take.
    pub handshake_timeout: Duration,
    /// `tcp listen -C`: line ends go to the clients as `\r\n`.
    pub crlf: bool,
}

/// `--allow` and `--deny`: which client addresses are served.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Served only if in one of these (empty: everyone not denied).
    pub allow: Vec<ipnet::IpNet>,
    /// Never served, even if allowed.
    pub deny: Vec<ipnet::IpNet>,
}

impl Access {
    /// `Err` with the rule that keeps `ip` out. An address and a rule mean the same however
    /// they are written: IPv4 clients of a dual-stack listener arrive as `::ffff:a.b.c.d` and
    /// are matched as the IPv4 addresses they are, a rule written in that form was made IPv4
    /// when parsed, and an IPv6 block that holds the mapped form (`::/0`) holds the client.
    pub fn admits(&self, ip: std::net::IpAddr) -> Result<(), String> {
        let ip = ip.to_canonical();
        let mapped = match ip {
            std::net::IpAddr::V4(v4) => std::net::IpAddr::V6(v4.to_ipv6_mapped()),
            v6 => v6,
        };
        let holds = |net: &&ipnet::IpNet| net.contains(&ip) || net.contains(&mapped);
        if let Some(net) = self.deny.iter().find(holds) {
            return Err(format!("--deny {net}"));
        }
        if !self.allow.is_empty() && !self.allow.iter().any(|net| holds(&net)) {
            return Err("not in any --allow".into());
        }
        Ok(())
    }
}

pub(super) fn serving(args: ServerArgs, local: &Local) -> anyhow::Result<Serving> {
    let nets = |list: Vec<String>, flag: &str| {
        list.iter()
            .map(|text| parse_net(text, flag))
            .collect::<anyhow::Result<Vec<_>>>()
    };
    let hub = (args.broadcast || args.chat).then_some(args.chat);
    let keep_open = args.keep_open || hub.is_some();
    // One client's process at a time without -k; with it, a cap and an idle expiry.
    let processes = keep_open && matches!(local, Local::Exec(_));
    Ok(Serving {
        keep_open,
        hub,
        max_conns: args
            .max_conns
            .map(|n| n as usize)
            .or(processes.then_some(EXEC_MAX_CONNS)),
        access: Access {
            allow: nets(args.allow, "--allow")?,
            deny: nets(args.deny, "--deny")?,
        },
        idle_timeout: idle(args.idle_timeout, processes.then_some(EXEC_IDLE)),
        handshake_timeout: args.handshake_timeout,
        crlf: false,
    })
}

/// `10.0.0.0/8`, `fd00::/8`, or a single address.
pub(super) fn parse_net(text: &str, flag: &str) -> anyhow::Result<ipnet::IpNet> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map(|net| canonical_net(net.trunc()))
        .map_err(|_| {
            usage(
                format!("{flag} `{text}` is not an address or CIDR block"),
                "write an address (192.0.2.7, ::1) or a block (10.0.0.0/8, fd00::/8)",
            )
        })
}

/// A block written in IPv4-mapped IPv6 form (`::ffff:10.0.0.0/104`) as the IPv4 block it is.
fn canonical_net(net: ipnet::IpNet) -> ipnet::IpNet {
    if let ipnet::IpNet::V6(v6) = net {
        if let (Some(v4), true) = (v6.network().to_ipv4_mapped(), v6.prefix_len() >= 96) {
            if let Ok(v4) = ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96) {
                return ipnet::IpNet::V4(v4);
            }
        }
    }
    net
}
