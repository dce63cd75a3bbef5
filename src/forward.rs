//! `--to URL`: each client of a listener is forwarded to an upstream of its own, opened for
//! it: `tcp://HOST:PORT`, `ws://...`, `wss://...` or `unix:PATH` (a stream, as TCP). Byte streams travel as binary messages;
//! a WebSocket's messages arrive on TCP as their bytes. Ends are carried across: a TCP
//! half-close becomes a WebSocket Close 1000 and a Close a half-close; a WebSocket's Close
//! code goes on to the other WebSocket; an upstream that fails closes a WebSocket client with
//! 1011.
//!
//! What `--to` may name is checked in `config/forward.rs` ([`Upstream`]).

use tokio_tungstenite::WebSocketStream;

use crate::config::Upstream;
use crate::net::tcp;
use crate::net::tls::Stream;
use crate::net::ws::{self, gate::Gated};
use crate::net::{Peer, client, unix};
use crate::relay::Ends;
use crate::shutdown::Shutdown;

/// An upstream connection, open.
pub enum Open {
    Tcp(Stream),
    Ws(Box<WebSocketStream<Gated<Stream>>>, Peer),
}

/// Opens the upstream for one client; a failure is exit 3 (or 4, a refused handshake).
pub async fn open(upstream: &Upstream) -> anyhow::Result<Open> {
    match upstream {
        Upstream::Tcp(remote) => Ok(Open::Tcp(client::open(remote).await?.0)),
        Upstream::Unix(name, timeout) => {
            let (stream, peer) = unix::connect(name, *timeout).await?;
            Ok(Open::Tcp(Stream::Unix(stream, peer.to_string())))
        }
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
/// `shutdown` is the client's connection's: when it starts, the upstream is closed too.
pub async fn run(
    open: Open,
    upstream: &Upstream,
    ends: Ends,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    match (open, upstream) {
        (Open::Tcp(stream), _) => tcp::run(stream, ends, shutdown).await,
        (Open::Ws(ws, peer), Upstream::Ws(cfg)) => {
            ws::run(*ws, ends, &cfg.control, peer, shutdown).await
        }
        (Open::Ws(..), Upstream::Tcp(_) | Upstream::Unix(..)) => {
            unreachable!("opened from this upstream")
        }
    }
}
