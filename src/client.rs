//! The clients: `tcp connect` (and its `-z` scan), `ws connect` and `udp send`. Each opens its remote side, then
//! relays it with its local side through the stages between them (framing, the scripting
//! options: `local::stages`); `--reconnect` opens the remote side again and again for one
//! local side (`reconnect.rs`). A client is never asked to shut down gracefully (its first
//! Ctrl-C is the end); its `shutdown` reaches its sides for the prompt's Ctrl-C twice.

use std::io::Write;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::WebSocketStream;

use crate::config::{self, DgramTarget, Local, MAX_REDIRECTS, UdpClient, WsClient};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::framing::{self, Records};
use crate::local;
use crate::net::addr::{HostPort, Source};
use crate::net::dgram::{DgramPeer, DgramSocket};
use crate::net::tls::Stream;
use crate::net::unix::UnixName;
use crate::net::ws::gate::Gated;
use crate::net::{self, Peer, client::Remote};
use crate::reconnect::{self, Reconnect};
use crate::relay::{self, Transport};
use crate::script::Script;
use crate::shutdown::Shutdown;

/// A client's WebSocket session once its handshake is done.
type WsSession = WebSocketStream<Gated<Stream>>;

/// `tcp connect` (TLS when `remote` says so, through a proxy when it names one).
pub async fn tcp(
    remote: Remote,
    local: Local,
    script: Script,
    reconnect: Option<Reconnect>,
    crlf: bool,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let records = Records::bytes(crlf);
    let connect = || net::client::open(&remote);
    if let Some(policy) = reconnect {
        return reconnect::run(
            |ends| local::run(local, records, vec![], ends, shutdown),
            crlf.then(|| framing::crlf(Transport::Stream, relay::Side::Remote))
                .into_iter()
                .collect(),
            connect,
            |(stream, _), ends| net::tcp::run(stream, ends, shutdown),
            &script,
            &policy,
            Transport::Stream,
        )
        .await;
    }
    let (stream, peer) = connect().await?;
    let env = net::socket_env(stream.tcp(), &peer);
    byte_stream(stream, env, local, script, crlf, shutdown).await
}

/// `unix connect`: a Unix stream socket, relayed as a TCP connection is (`-C`: `crlf`).
pub async fn unix(
    name: UnixName,
    local: Local,
    script: Script,
    crlf: bool,
    timeout: Duration,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let (stream, peer) = net::unix::connect(&name, timeout).await?;
    let env = peer.env();
    let stream = Stream::Unix(stream, peer.to_string());
    byte_stream(stream, env, local, script, crlf, shutdown).await
}

/// A connected byte stream (TCP, TLS, Unix) relayed with its local side through `script`'s
/// stages (and `-C`'s, `crlf`); `env` is for an `--exec` command.
async fn byte_stream(
    stream: Stream,
    env: net::Env,
    local: Local,
    script: Script,
    crlf: bool,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let records = Records::bytes(crlf);
    let stages = local::stages(&local, records, &script);
    if let Some(plan) = local::zero_copy(&local, &stages, &stream) {
        return local::splice::run(plan, stream, shutdown).await;
    }
    relay::run(
        |ends| local::run(local, records, env, ends, shutdown),
        stages,
        |ends| net::tcp::run(stream, ends, shutdown),
    )
    .await
}

/// `ws connect`'s opening handshake, following redirects under `-L`
/// ([`config::redirected`], at most [`MAX_REDIRECTS`]); each hop is said on stderr.
async fn open_ws(cfg: &WsClient) -> anyhow::Result<(WsSession, Peer)> {
    let mut hop = std::borrow::Cow::Borrowed(cfg);
    for followed in 0.. {
        let opened =
            net::ws::handshake::connect(&hop.remote, &hop.request, &hop.control, hop.bulk()).await;
        let (Some(follow), Err(err)) = (&cfg.follow, &opened) else {
            return opened;
        };
        let Some(location) = net::ws::handshake::redirect_of(err) else {
            return opened;
        };
        if followed == MAX_REDIRECTS {
            break;
        }
        // Said once it is known to be followed (never from wss:// down to ws://).
        let next = config::redirected(&hop, follow, location)?;
        console::status(
            "redirect",
            format!("following the redirect to {location}"),
            json!({"location": location}),
        );
        hop = std::borrow::Cow::Owned(next);
    }
    Err(Fail::new(
        Exit::Handshake,
        format!(
            "stopped after {MAX_REDIRECTS} redirects (-L), at {}",
            hop.request.url
        ),
    )
    .hint("the server keeps redirecting: check the URL")
    .err())
}

/// `ws connect`: the opening handshake, then messages both ways.
pub async fn ws(cfg: WsClient, shutdown: &Shutdown) -> anyhow::Result<()> {
    let records = Records {
        framing: cfg.framing,
        max: cfg.control.max_message_size,
        transport: Transport::Message,
        crlf: false,
    };
    let connect = || open_ws(&cfg);
    if let Some(policy) = &cfg.reconnect {
        return reconnect::run(
            |ends| local::run(cfg.local.clone(), records, vec![], ends, shutdown),
            local::stages(&cfg.local, records, &Script::default()),
            connect,
            |(ws, peer), ends| net::ws::run(ws, ends, &cfg.control, peer, shutdown),
            &cfg.script,
            policy,
            Transport::Message,
        )
        .await;
    }
    let (ws, peer) = connect().await?;
    let env = peer.env();
    relay::run(
        |ends| local::run(cfg.local.clone(), records, env, ends, shutdown),
        local::stages(&cfg.local, records, &cfg.script),
        |ends| net::ws::run(ws, ends, &cfg.control, peer, shutdown),
    )
    .await
}

/// `udp send` and `unix connect --dgram`: a connected socket, records as datagrams.
pub async fn udp(cfg: UdpClient, shutdown: &Shutdown) -> anyhow::Result<()> {
    let (socket, peer) = match &cfg.target {
        DgramTarget::Udp(target) => {
            let socket = net::udp::connect(target, &cfg.socket).await?;
            let peer = DgramPeer::Ip(socket.peer_addr()?);
            (DgramSocket::Udp(socket), peer)
        }
        DgramTarget::Unix(name) => {
            let socket = net::dgram::unix::connect(name)?;
            (DgramSocket::Unix(socket), DgramPeer::Unix(name.clone()))
        }
    };
    let env = peer.env();
    let records = Records {
        framing: cfg.framing,
        max: net::udp::RECORD_LIMIT,
        transport: Transport::Datagram,
        crlf: cfg.crlf,
    };
    relay::run(
        |ends| local::run(cfg.local.clone(), records, env, ends, shutdown),
        local::stages(&cfg.local, records, &cfg.script),
        |ends| net::dgram::run_client(socket, peer, ends, cfg.linger, cfg.framing),
    )
    .await
}

/// The most probes of `-z` in flight at once.
pub const SCAN_AT_ONCE: usize = 64;

/// `tcp connect -z`: a zero-I/O connect to each of `ports` on the first address `host`
/// resolves to, at most [`SCAN_AT_ONCE`] at a time, each within `timeout`; `HOST:PORT open`
/// on stdout for each that accepts, in port order, as soon as the ports before it are done.
/// Exit 0 when any is open, 3 when none is (`nc -z`'s convention).
pub async fn scan(
    host: String,
    ports: Vec<u16>,
    timeout: Duration,
    source: Source,
) -> anyhow::Result<()> {
    let target = HostPort::new(host.clone(), 0);
    let addrs = net::tcp::resolve(&target).await?;
    let ip = addrs
        .iter()
        .find(|addr| source.for_peer(**addr).is_some())
        .map(|addr| addr.ip())
        .ok_or_else(|| {
            Fail::new(Exit::Connect, format!("{host} has no address to scan"))
                .hint("give a source address of the same family (IPv4 or IPv6) as the host's")
                .err()
        })?;
    let probes = futures_util::stream::iter(ports.iter().copied())
        .map(|port| async move {
            let open =
                net::tcp::probe(std::net::SocketAddr::new(ip, port), timeout, source).await?;
            anyhow::Ok((port, open))
        })
        .buffered(SCAN_AT_ONCE);
    futures_util::pin_mut!(probes);
    let mut open = Vec::new();
    let mut out = std::io::stdout().lock();
    while let Some(probed) = probes.next().await {
        let (port, accepted) = probed?;
        if accepted {
            open.push(port);
            // `| head` is a reader that is done: the scan ends there.
            if writeln!(out, "{} open", HostPort::new(host.clone(), port))
                .and_then(|()| out.flush())
                .is_err()
            {
                return Ok(());
            }
        }
    }
    console::status(
        "scanned",
        format!(
            "{} port(s) of {ip} scanned: {} open",
            ports.len(),
            open.len()
        ),
        json!({"addr": ip, "scanned": ports.len(), "open": open}),
    );
    if open.is_empty() {
        return Err(Fail::new(Exit::Connect, format!("no port of {host} is open")).err());
    }
    Ok(())
}
