//! Opening a client's connection: directly or through a proxy, then TLS when asked for, all
//! within `--connect-timeout`.

use std::time::Duration;

use serde_json::json;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::Peer;
use crate::net::addr::{HostPort, Source};
use crate::net::proxy::{self, Proxy};
use crate::net::tcp;
use crate::net::tls::{self, Stream, TlsClient};
use crate::net::unix::{self, UnixName};

/// Where a client connects, and how.
#[derive(Clone, Debug)]
pub struct Remote {
    /// Where to connect (through the proxy, if any).
    pub target: HostPort,
    /// `--proxy` or the proxy variables (`http_proxy`, `all_proxy`, ...).
    pub proxy: Option<Proxy>,
    /// TLS over the connection (`wss://`, `tcp connect --tls`).
    pub tls: Option<TlsClient>,
    /// `--connect-timeout`: the longest the TCP connect (and proxy) may take.
    pub connect_timeout: Duration,
    /// `-s`, `--source-port`: the local end, bound before connecting (to the proxy, if any).
    pub source: Source,
    /// `--unix-socket` (curl's): connect to this Unix socket instead; `target` still names
    /// the host for the request (Host). No proxy, no TLS.
    pub unix: Option<UnixName>,
}

/// Connects to `remote` and reports `connected`; the peer returned is the TCP peer, the host
/// asked for through a proxy ([`Peer::Proxied`]), or the Unix socket.
pub async fn open(remote: &Remote) -> anyhow::Result<(Stream, Peer)> {
    if let Some(name) = &remote.unix {
        let (stream, peer) = unix::connect(name, remote.connect_timeout).await?;
        return Ok((Stream::Unix(stream, peer.to_string()), peer));
    }
    // Whether TCP is connected: a timeout after that is a TLS handshake that never ended.
    let connected = std::sync::atomic::AtomicBool::new(false);
    let attempt = async {
        let tcp = match &remote.proxy {
            Some(proxy) => {
                proxy::connect(proxy, &remote.target, remote.connect_timeout, remote.source).await?
            }
            None => tcp::connect(&remote.target, remote.connect_timeout, remote.source).await?,
        };
        // Each write is a whole burst (a chunk, a batch of frames): Nagle only adds latency.
        let _ = tcp.set_nodelay(true);
        let peer = tcp.peer_addr()?;
        connected.store(true, std::sync::atomic::Ordering::Relaxed);
        match &remote.proxy {
            Some(proxy) => console::status(
                "connected",
                format!("connected to {} through the {proxy}", remote.target),
                json!({"addr": peer, "target": remote.target.to_string(), "proxy": proxy.to_string()}),
            ),
            None => console::status(
                "connected",
                format!("connected to {peer}"),
                json!({"addr": peer}),
            ),
        }
        let stream = match &remote.tls {
            Some(config) => tls::connect(config, tcp, &remote.target).await?,
            None => Stream::Plain(tcp),
        };
        let peer = match &remote.proxy {
            Some(proxy) => Peer::proxied(remote.target.to_string(), proxy.to_string(), peer),
            None => Peer::Ip(peer),
        };
        anyhow::Ok((stream, peer))
    };
    match tokio::time::timeout(remote.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) if connected.load(std::sync::atomic::Ordering::Relaxed) => Err(Fail::new(
            Exit::Handshake,
            format!(
                "no TLS answer from {} within {}",
                remote.target,
                humantime::format_duration(remote.connect_timeout)
            ),
        )
        .hint(
            "it accepted the connection but never answered the TLS handshake: is it a TLS server?",
        )
        .err()),
        Err(_) => Err(Fail::new(
            Exit::Connect,
            format!(
                "timed out connecting to {} after {}",
                remote.target,
                humantime::format_duration(remote.connect_timeout)
            ),
        )
        .hint("check that the host is reachable, or allow longer with --connect-timeout")
        .err()),
    }
}
