//! `--to URL`: each client of a listener is forwarded to an upstream of its own, opened for
//! it: `tcp://HOST:PORT`, `ws://...` or `wss://...`. Byte streams travel as binary messages;
//! a WebSocket's messages arrive on TCP as their bytes. Ends are carried across: a TCP
//! half-close becomes a WebSocket Close 1000 and a Close a half-close; a WebSocket's Close
//! code goes on to the other WebSocket; an upstream that fails closes a WebSocket client with
//! 1011.

use std::net::SocketAddr;
use std::time::Duration;

use tokio_tungstenite::WebSocketStream;

use crate::config::{Local, WsClient, ws_url};
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
use crate::net::client::{self, Remote};
use crate::net::proxy::{self, Scheme};
use crate::net::tcp;
use crate::net::tls::{self, Stream};
use crate::net::ws::Settings;
use crate::net::ws::handshake::ClientRequest;
use crate::net::ws::{self, gate::Gated};
use crate::relay::Ends;
use crate::script::Script;

/// Where `--to` forwards.
#[derive(Debug, Clone)]
pub enum Upstream {
    Tcp(Remote),
    Ws(Box<WsClient>),
}

/// How long opening an upstream may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `tcp://HOST:PORT`, `ws://...` or `wss://...` (TLS verified against the usual roots; the
/// proxy variables apply as for clients).
pub fn parse(text: &str) -> anyhow::Result<Upstream> {
    let usage = |what: String| {
        Fail::new(Exit::Usage, what)
            .hint("write --to tcp://HOST:PORT, --to ws://HOST[:PORT]/PATH or --to wss://...")
            .err()
    };
    if let Some(rest) = text.strip_prefix("tcp://") {
        let target = crate::config::parse_target(rest.trim_end_matches('/'), None)
            .map_err(|_| usage(format!("--to `{text}`: not HOST:PORT")))?;
        return Ok(Upstream::Tcp(Remote {
            proxy: proxy::choose(None, Scheme::Tcp, &target)?,
            target,
            tls: None,
            connect_timeout: CONNECT_TIMEOUT,
        }));
    }
    if !(text.starts_with("ws://") || text.starts_with("wss://")) {
        return Err(usage(format!(
            "--to `{text}`: not a tcp://, ws:// or wss:// URL"
        )));
    }
    let parsed = ws_url(text)?;
    let tls = (parsed.scheme == Scheme::Wss)
        .then(|| tls::client(&tls::ClientOptions::default(), &parsed.target.host))
        .transpose()?;
    Ok(Upstream::Ws(Box::new(WsClient {
        remote: Remote {
            proxy: proxy::choose(None, parsed.scheme, &parsed.target)?,
            target: parsed.target,
            tls,
            connect_timeout: CONNECT_TIMEOUT,
        },
        request: ClientRequest {
            url: parsed.url,
            headers: Vec::new(),
            protocols: Vec::new(),
            origin: None,
            auth: parsed.auth,
        },
        local: Local::Stdio,
        framing: Framing::Lines,
        control: Settings {
            ping_interval: None,
            ping_timeout: Duration::from_secs(10),
            close_code: 1000,
            close_reason: String::new(),
            close_timeout: Duration::from_secs(5),
            max_message_size: 64 << 20,
            hold_close: false,
            forward_close: true,
            show_control: false,
            linger: crate::config::LINGER,
        },
        script: Script::default(),
        reconnect: None,
    })))
}

impl Upstream {
    /// Whether the upstream is a WebSocket (so Close codes are passed to it).
    pub fn is_ws(&self) -> bool {
        matches!(self, Upstream::Ws(_))
    }
}

/// An upstream connection, open.
pub enum Open {
    Tcp(Stream),
    Ws(Box<WebSocketStream<Gated<Stream>>>, SocketAddr),
}

/// Opens the upstream for one client; a failure is exit 3 (or 4, a refused handshake).
pub async fn open(upstream: &Upstream) -> anyhow::Result<Open> {
    match upstream {
        Upstream::Tcp(remote) => Ok(Open::Tcp(client::open(remote).await?.0)),
        Upstream::Ws(cfg) => {
            let (ws, peer) =
                ws::handshake::connect(&cfg.remote, &cfg.request, &cfg.control, cfg.bulk()).await?;
            Ok(Open::Ws(Box::new(ws), peer))
        }
    }
}

/// The upstream's side of one client's relay. Its end goes on to the client: a TCP
/// upstream's FIN is the end of the client's input (a half-close, or a WebSocket Close after
/// the linger); a failure reaches a WebSocket client as a Close 1011 (sent by the upstream's
/// remote side, `tcp::run` or `ws::run`, before its channel ends).
pub async fn run(open: Open, upstream: &Upstream, ends: Ends) -> anyhow::Result<()> {
    match (open, upstream) {
        (Open::Tcp(stream), _) => tcp::run(stream, ends).await,
        (Open::Ws(ws, peer), Upstream::Ws(cfg)) => ws::run(*ws, ends, &cfg.control, peer).await,
        (Open::Ws(..), Upstream::Tcp(_)) => unreachable!("opened from this upstream"),
    }
}
