//! Opening a WebSocket as a server: the client's request read by us (`request.rs`: path,
//! refusals), the subprotocol chosen, the 101 sent, and the request handed to `--exec` as
//! websocketd does (CGI variables, RFC 3875). A refused handshake is exit 4 (a warning in a
//! listener); `-v` shows both sides' headers.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::os::unix::ffi::OsStringExt;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::http::{self, HeaderMap, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::Role;

use super::handshake::{show_deflate, show_headers};
use crate::exit::{Exit, Fail};
use crate::net::tls::{self, Stream};
use crate::net::ws::deflate;
use crate::net::ws::gate::Gated;
use crate::net::ws::request::{self, Refusal, Upgrade};
use crate::net::ws::{Settings, ws_config};
use crate::net::{Env, Peer, socket_env};

/// What a listener accepts in an opening handshake (RFC 6455 4.2), and how.
#[derive(Debug, Clone)]
pub struct AcceptRules {
    /// `--path`: any other path is a 404.
    pub path: Option<String>,
    /// Our subprotocols in our order of preference; the first the client offers is chosen.
    pub protocols: Vec<String>,
    /// The listener's TLS, done before the request is read.
    pub tls: Option<tls::TlsServer>,
    /// From the accepted connection to the 101 sent, TLS included.
    pub handshake_timeout: std::time::Duration,
    /// The request is recorded as CGI variables (`--exec`).
    pub wants_env: bool,
    /// The session's settings, for its read limits.
    pub settings: Settings,
    /// The local side is a raw byte stream: larger read buffers ([`ws_config`]).
    pub bulk: bool,
}

/// A client's accepted connection, with the environment for an `--exec` command.
pub struct Accepted {
    /// The session, its 101 sent.
    pub ws: WebSocketStream<Gated<Stream>>,
    /// CGI variables (RFC 3875) for `--exec`; empty unless asked for.
    pub env: Env,
}

/// Answers a client's handshake (TLS first, under `--tls`), all of it within
/// `--handshake-timeout`: a refusal as [`request`] reads the request (404 off `--path`), or
/// `refuse` whatever the request is (502 when `--to` cannot reach its upstream), or what
/// `admit` says once the request is good (503 over `--max-conns`, or when another client was
/// served first); else 101 with the first of our subprotocols the client offers, and the
/// request recorded for `--exec`. A refused handshake is exit 4 (a warning in a listener).
pub async fn accept(
    stream: Stream,
    peer: &Peer,
    cfg: &AcceptRules,
    refuse: Option<Refusal>,
    admit: impl FnOnce() -> Result<(), Refusal>,
) -> anyhow::Result<Accepted> {
    if let Some(tcp) = stream.tcp() {
        let _ = tcp.set_nodelay(true);
    }
    // Only a program reads the request's environment: for the rest it would be held all
    // connection long for nothing.
    let wants_env = cfg.wants_env;
    let mut env = if wants_env {
        socket_env(stream.tcp(), peer)
    } else {
        Vec::new()
    };
    let local = stream.tcp().map(|tcp| tcp.local_addr()).transpose()?;
    let handshake = async {
        let stream = match (&cfg.tls, stream) {
            (Some(tls), Stream::Plain(tcp)) => tls.accept(tcp).await?,
            // TLS is for TCP listeners only (`ws listen unix:PATH` refuses its options).
            (_, stream) => stream,
        };
        let mut gated = Gated::new(stream, cfg.settings.max_message_size);
        let (head, rest) = match read_head(&mut gated).await? {
            Ok(read) => read,
            Err(refusal) => return Err(answer_refusal(&mut gated, refusal, peer).await),
        };
        let upgrade = match request::parse(&head, cfg.path.as_deref()) {
            Ok(upgrade) => upgrade,
            Err(refusal) => return Err(answer_refusal(&mut gated, refusal, peer).await),
        };
        show_headers(
            "request",
            format!("{} {} HTTP/1.1", upgrade.method, upgrade.target),
            &header_map(&upgrade.headers),
            json!({"peer": peer, "path": upgrade.path}),
        );
        if let Some(refusal) = refuse {
            return Err(answer_refusal(&mut gated, refusal, peer).await);
        }
        if let Err(refusal) = admit() {
            return Err(answer_refusal(&mut gated, refusal, peer).await);
        }
        let offered = upgrade.tokens("sec-websocket-protocol");
        let chosen = cfg.protocols.iter().find(|p| offered.contains(p)).cloned();
        // permessage-deflate: the first offer we can take, if asked to (RFC 7692 5.1); an
        // offer we cannot read is no offer.
        let deflate = cfg
            .settings
            .deflate
            .then(|| deflate::extensions(upgrade.values("sec-websocket-extensions")))
            .flatten()
            .and_then(|offers| deflate::accept(&offers));
        let extension = deflate.map(|config| config.response());
        let answer = request::switching(&upgrade, chosen.as_deref(), extension.as_deref());
        show_answer(
            &answer,
            json!({"peer": peer, "status": 101, "protocol": chosen}),
        );
        gated.write_all(&answer).await?;
        gated.flush().await?;
        if let Some(config) = deflate {
            show_deflate(&config, peer);
            gated.set_deflate(config, true);
        }
        let config = ws_config(&cfg.settings, cfg.bulk);
        let ws =
            WebSocketStream::from_partially_read(gated, rest, Role::Server, Some(config)).await;
        let request_env = if wants_env {
            cgi_env(&upgrade, peer, local, chosen.as_deref())
        } else {
            Vec::new()
        };
        Ok::<_, anyhow::Error>((ws, request_env))
    };
    let limit = cfg.handshake_timeout;
    let (ws, request_env) = match timeout(limit, handshake).await {
        Ok(Ok(done)) => done,
        Ok(Err(err)) => return Err(err),
        Err(_) => {
            return Err(Fail::new(
                Exit::Handshake,
                format!(
                    "no WebSocket handshake within {} (--handshake-timeout)",
                    humantime::format_duration(limit)
                ),
            )
            .err());
        }
    };
    env.extend(request_env);
    if cfg.tls.is_some() && wants_env {
        env.push(("HTTPS".into(), "on".into()));
    }
    Ok(Accepted { ws, env })
}

/// Reads the request head, at most [`request::MAX_HEAD`] bytes: the head, and the bytes that
/// came after it (frames the client sent at once); a refusal (431) for a head too long.
async fn read_head(
    gated: &mut Gated<Stream>,
) -> anyhow::Result<Result<(Vec<u8>, Vec<u8>), Refusal>> {
    let mut buf = Vec::with_capacity(1024);
    loop {
        match request::head_end(&buf) {
            Ok(Some(end)) => {
                let rest = buf.split_off(end);
                return Ok(Ok((buf, rest)));
            }
            Ok(None) => {}
            Err(refusal) => return Ok(Err(refusal)),
        }
        if buf.len() >= request::MAX_HEAD {
            let reason = format!("the request head is over {} bytes", request::MAX_HEAD);
            return Ok(Err(Refusal::new(431, reason)));
        }
        let mut chunk = [0u8; 2048];
        let n = gated.read(&mut chunk).await?;
        if n == 0 {
            return Err(Fail::new(
                Exit::Handshake,
                "the client closed the connection before its handshake was complete",
            )
            .err());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends `refusal` and closes; the error says what was refused.
async fn answer_refusal(gated: &mut Gated<Stream>, refusal: Refusal, peer: &Peer) -> anyhow::Error {
    let response = refusal.response();
    show_answer(&response, json!({"peer": peer, "status": refusal.status}));
    // The client may be gone already; the refusal is what we report either way.
    if gated.write_all(&response).await.is_ok() {
        let _ = gated.shutdown().await;
    }
    Fail::new(
        Exit::Handshake,
        format!(
            "handshake refused with HTTP {}: {}",
            refusal.status, refusal.reason
        ),
    )
    .err()
}

/// `-v`: our answer's head, as [`show_headers`] shows it.
fn show_answer(response: &[u8], fields: Value) {
    let head = String::from_utf8_lossy(response);
    let mut lines = head.split("\r\n").take_while(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default().to_string();
    let fields_in: Vec<(String, Vec<u8>)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect();
    show_headers("handshake", first, &header_map(&fields_in), fields);
}

/// Header fields as a header map, for `-v` (a field that is not a valid header is left out).
fn header_map(fields: &[(String, Vec<u8>)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in fields {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// The request as CGI variables (RFC 3875 4.1), the way websocketd hands it to its
/// programs. Each header field becomes `HTTP_` and its name in capitals, `-` as `_`, its
/// value as the bytes that came; a field that repeats is joined with ", " (Cookie with "; ",
/// RFC 6265 5.4). A field whose name holds anything but letters, digits and `-` is left out
/// (as nginx and Apache do with `_`), so that no field shadows another or a variable set
/// here; so is `Proxy`, which would become HTTP_PROXY ("httpoxy").
fn cgi_env(up: &Upgrade, peer: &Peer, local: Option<SocketAddr>, protocol: Option<&str>) -> Env {
    // Over a Unix socket: REMOTE_ADDR is the socket's name, and no port either side.
    let (remote, remote_port) = match peer.ip() {
        Some(addr) => (addr.ip().to_string(), addr.port().to_string()),
        None => (
            peer.env()[0].1.to_string_lossy().into_owned(),
            String::new(),
        ),
    };
    let host = up
        .values("host")
        .next()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .unwrap_or_default();
    let server_name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host.as_str(), |(name, _)| name)
        .to_string();
    let fixed = [
        ("GATEWAY_INTERFACE", "websocketd-CGI/0.1".to_string()),
        (
            "SERVER_SOFTWARE",
            format!("wsctl/{}", env!("CARGO_PKG_VERSION")),
        ),
        ("SERVER_PROTOCOL", "HTTP/1.1".into()),
        ("SERVER_NAME", server_name),
        (
            "SERVER_PORT",
            local.map(|l| l.port().to_string()).unwrap_or_default(),
        ),
        ("REQUEST_METHOD", up.method.clone()),
        ("REQUEST_URI", up.target.clone()),
        ("SCRIPT_NAME", String::new()),
        ("PATH_INFO", up.path.clone()),
        ("QUERY_STRING", up.query.clone()),
        ("REMOTE_ADDR", remote.clone()),
        ("REMOTE_HOST", remote),
        ("REMOTE_PORT", remote_port),
        ("WSCTL_PROTOCOL", protocol.unwrap_or_default().to_string()),
    ];
    let mut env: Env = fixed
        .into_iter()
        .map(|(name, value)| (name.to_string(), OsString::from(value)))
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in &up.headers {
        let mappable = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && name != "proxy";
        if !mappable || seen.contains(&name.as_str()) {
            continue;
        }
        seen.push(name);
        let separator: &[u8] = if name == "cookie" { b"; " } else { b", " };
        let value = up.values(name).collect::<Vec<_>>().join(separator);
        let var = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
        env.push((var, OsString::from_vec(value)));
    }
    env
}
