//! `--to URL`, checked: where a listener forwards each client (`tcp://HOST:PORT`, `ws://…`
//! or `wss://…`). Opening and relaying an upstream is `forward.rs`'s.

use std::time::Duration;

use super::{Local, WsClient, parse_target, ws_url};
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
use crate::net::client::Remote;
use crate::net::proxy::{self, Scheme};
use crate::net::tls;
use crate::net::ws::Settings;
use crate::net::ws::handshake::ClientRequest;
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
        let target = parse_target(rest.trim_end_matches('/'), None)
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
