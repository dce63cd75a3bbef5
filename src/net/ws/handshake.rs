//! Opening a WebSocket: the client's request (headers, subprotocols, Origin, Basic auth) and
//! the server's answer (path check, subprotocol choice, the request handed to `--exec` as
//! websocketd does). A refused handshake is exit 4 with the HTTP status and the start of the
//! body; `-v` shows both sides' headers.

use std::net::SocketAddr;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use serde_json::{Map, Value, json};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::Error as WsError;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
pub use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::http::{self, HeaderMap, HeaderValue, header};

use crate::config::{Local, WsClient, WsServer};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
use crate::net::client;
use crate::net::tls::{self, Stream};
use crate::net::ws::gate::Gated;
use crate::net::ws::ws_config;

/// Connects and opens the WebSocket; `--connect-timeout` bounds both.
pub async fn connect(
    cfg: &WsClient,
) -> anyhow::Result<(WebSocketStream<Gated<Stream>>, SocketAddr)> {
    let attempt = async {
        let (stream, peer) = client::open(&cfg.remote).await?;
        let request = request(cfg)?;
        show_headers(
            "request",
            format!("GET {} HTTP/1.1", path_and_query(&cfg.url)),
            request.headers(),
            json!({"peer": peer, "url": cfg.url.as_str()}),
        );
        match tokio_tungstenite::client_async_with_config(
            request,
            Gated::new(stream),
            Some(ws_config(&cfg.control, bulk(&cfg.local, cfg.framing))),
        )
        .await
        {
            Ok((ws, response)) => {
                let protocol = response
                    .headers()
                    .get(header::SEC_WEBSOCKET_PROTOCOL)
                    .and_then(|p| p.to_str().ok());
                show_headers(
                    "handshake",
                    format!("HTTP/1.1 {}", response.status()),
                    response.headers(),
                    json!({"peer": peer, "status": response.status().as_u16(), "protocol": protocol}),
                );
                Ok((ws, peer))
            }
            Err(WsError::Http(response)) => Err(refused(&response, peer)),
            Err(err) => Err(handshake_failed(err, peer, cfg)),
        }
    };
    match timeout(cfg.remote.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Fail::new(
            Exit::Connect,
            format!(
                "no WebSocket connection to {} within {}",
                cfg.url,
                humantime::format_duration(cfg.remote.connect_timeout)
            ),
        )
        .hint("check the URL, or raise --connect-timeout")
        .err()),
    }
}

/// Exit 4 for a handshake that went wrong other than by an HTTP refusal.
fn handshake_failed(err: WsError, peer: SocketAddr, cfg: &WsClient) -> anyhow::Error {
    // TLS 1.3: a server that wants a client certificate says so once the request is sent.
    if let WsError::Io(io) = &err {
        if let Some(refused) = tls::late_alert(io, &cfg.remote.target.to_string()) {
            return refused;
        }
    }
    let fail = Fail::new(
        Exit::Handshake,
        format!("WebSocket handshake with {peer} failed"),
    );
    // A TLS server answers a plain request with an alert, which is no HTTP.
    let fail = match (&err, &cfg.remote.tls) {
        (WsError::Protocol(_) | WsError::HttpFormat(_), None) => {
            fail.hint("if the server speaks TLS, use a wss:// URL")
        }
        _ => fail,
    };
    anyhow::Error::new(err).context(fail)
}

fn path_and_query(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// The client's request: tungstenite's required headers, then ours (`-H` last, so it can
/// override Host or anything else).
fn request(cfg: &WsClient) -> anyhow::Result<http::Request<()>> {
    let mut request =
        cfg.url.as_str().into_client_request().map_err(|e| {
            Fail::new(Exit::Usage, format!("cannot request {} ({e})", cfg.url)).err()
        })?;
    let headers = request.headers_mut();
    if !cfg.protocols.is_empty() {
        let offer = HeaderValue::from_str(&cfg.protocols.join(", "))?;
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, offer);
    }
    if let Some(origin) = &cfg.origin {
        headers.insert(header::ORIGIN, origin.clone());
    }
    if let Some(auth) = &cfg.auth {
        let value = format!("Basic {}", BASE64_STANDARD.encode(auth));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&value)?);
    }
    let mut replaced = Vec::new();
    for (name, value) in &cfg.headers {
        if replaced.contains(name) {
            headers.append(name, value.clone());
        } else {
            headers.insert(name, value.clone());
            replaced.push(name.clone());
        }
    }
    Ok(request)
}

/// Exit 4 with the status and the start of the body, on one line.
fn refused(response: &http::Response<Option<Vec<u8>>>, peer: SocketAddr) -> anyhow::Error {
    show_headers(
        "handshake",
        format!("HTTP/1.1 {}", response.status()),
        response.headers(),
        json!({"peer": peer, "status": response.status().as_u16()}),
    );
    let body = response
        .body()
        .as_deref()
        .map(|b| {
            let text = String::from_utf8_lossy(b);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            match text.char_indices().nth(200) {
                Some((at, _)) => format!("{}…", &text[..at]),
                None => text,
            }
        })
        .unwrap_or_default();
    let mut what = format!(
        "WebSocket handshake refused by {peer}: HTTP {}",
        response.status()
    );
    if !body.is_empty() {
        what.push_str(&format!(": {body}"));
    }
    let hint = match response.status() {
        StatusCode::NOT_FOUND => Some("check the URL's path"),
        StatusCode::UNAUTHORIZED => Some("give credentials with --auth USER:PASS"),
        StatusCode::FORBIDDEN => {
            Some("the server refused this client: check --origin and credentials")
        }
        _ => None,
    };
    let fail = Fail::new(Exit::Handshake, what);
    match hint {
        Some(hint) => fail.hint(hint).err(),
        None => fail.err(),
    }
}

/// A client's accepted connection, with the environment for an `--exec` command.
pub struct Accepted {
    pub ws: WebSocketStream<Gated<Stream>>,
    pub env: Vec<(String, String)>,
}

/// Answers a client's handshake: 404 off `--path`, the first of our subprotocols the client
/// offers, and the request recorded for `--exec`. `refuse`: the answer whatever the request
/// (503 over `--max-conns`, 502 when `--to` cannot reach its upstream).
pub async fn accept(
    stream: TcpStream,
    peer: SocketAddr,
    cfg: &WsServer,
    refuse: Option<(StatusCode, &str)>,
) -> anyhow::Result<Accepted> {
    let _ = stream.set_nodelay(true);
    // Only a program reads the request's environment: for the rest it would be held all
    // connection long for nothing.
    let wants_env = matches!(cfg.local, Local::Exec(_));
    let mut env = if wants_env {
        crate::server::exec_env(&stream, peer)
    } else {
        Vec::new()
    };
    let local = stream.local_addr()?;
    let mut request_env = Vec::new();
    // The signature is tungstenite's `Callback`, large error type and all.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, mut response: Response| -> Result<Response, ErrorResponse> {
        show_headers(
            "request",
            format!("{} {} HTTP/1.1", request.method(), request.uri()),
            request.headers(),
            json!({"peer": peer, "path": request.uri().path()}),
        );
        if let Some((status, body)) = refuse {
            return Err(refusal(status, format!("{body}\n")));
        }
        if let Some(path) = &cfg.path {
            if request.uri().path() != path {
                let body = format!("no WebSocket at {}; try {path}\n", request.uri().path());
                return Err(refusal(StatusCode::NOT_FOUND, body));
            }
        }
        let chosen = choose_protocol(&cfg.protocols, request.headers());
        if let Some(p) = &chosen {
            response.headers_mut().insert(
                header::SEC_WEBSOCKET_PROTOCOL,
                HeaderValue::from_str(p).expect("checked as a token"),
            );
        }
        if wants_env {
            request_env = cgi_env(request, peer, local, chosen.as_deref());
        }
        show_headers(
            "handshake",
            format!("HTTP/1.1 {}", response.status()),
            response.headers(),
            json!({"peer": peer, "status": 101, "protocol": chosen}),
        );
        Ok(response)
    };
    let tls = cfg.tls.is_some();
    let handshake = async {
        let stream = match &cfg.tls {
            Some(tls) => tls.accept(stream).await?,
            None => Stream::Plain(stream),
        };
        tokio_tungstenite::accept_hdr_async_with_config(
            Gated::new(stream),
            callback,
            Some(ws_config(&cfg.control, bulk(&cfg.local, cfg.framing))),
        )
        .await
        .map_err(|err| {
            anyhow::Error::new(err)
                .context(Fail::new(Exit::Handshake, "WebSocket handshake failed"))
        })
    };
    let limit = cfg.serving.handshake_timeout;
    let ws = match timeout(limit, handshake).await {
        Ok(Ok(ws)) => ws,
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
    if tls && wants_env {
        env.push(("HTTPS".into(), "on".into()));
    }
    Ok(Accepted { ws, env })
}

/// A handshake refused with `status` and a plain-text `body`.
fn refusal(status: StatusCode, body: String) -> ErrorResponse {
    let mut refusal = ErrorResponse::new(Some(body));
    *refusal.status_mut() = status;
    refusal
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    refusal
}

/// Whether the local side is a raw byte stream (`-b` with stdin/stdout or a command).
fn bulk(local: &Local, framing: Framing) -> bool {
    framing == Framing::Binary && *local != Local::Echo
}

/// The first of `ours` (in our order of preference) that the client offers.
fn choose_protocol(ours: &[String], headers: &HeaderMap) -> Option<String> {
    let offered: Vec<&str> = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    ours.iter().find(|p| offered.contains(&p.as_str())).cloned()
}

/// The request as CGI variables, the way websocketd hands it to its programs.
fn cgi_env(
    request: &Request,
    peer: SocketAddr,
    local: SocketAddr,
    protocol: Option<&str>,
) -> Vec<(String, String)> {
    let uri = request.uri();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let server_name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    let mut env = vec![
        ("GATEWAY_INTERFACE".into(), "websocketd-CGI/0.1".into()),
        (
            "SERVER_SOFTWARE".into(),
            format!("wsctl/{}", env!("CARGO_PKG_VERSION")),
        ),
        ("SERVER_PROTOCOL".into(), "HTTP/1.1".into()),
        ("SERVER_NAME".into(), server_name.to_string()),
        ("SERVER_PORT".into(), local.port().to_string()),
        ("REQUEST_METHOD".into(), request.method().to_string()),
        ("REQUEST_URI".into(), uri.to_string()),
        ("SCRIPT_NAME".into(), String::new()),
        ("PATH_INFO".into(), uri.path().to_string()),
        (
            "QUERY_STRING".into(),
            uri.query().unwrap_or_default().to_string(),
        ),
        ("REMOTE_ADDR".into(), peer.ip().to_string()),
        ("REMOTE_HOST".into(), peer.ip().to_string()),
        ("REMOTE_PORT".into(), peer.port().to_string()),
        (
            "WSCTL_PROTOCOL".into(),
            protocol.unwrap_or_default().to_string(),
        ),
    ];
    for name in request.headers().keys() {
        let values: Vec<&str> = request
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        // A client's `Proxy:` header must not become HTTP_PROXY for the program ("httpoxy").
        if name.as_str() == "proxy" {
            continue;
        }
        let var = format!("HTTP_{}", name.as_str().to_uppercase().replace('-', "_"));
        env.push((var, values.join(", ")));
    }
    env
}

/// `-v`: a request or response head as text lines, or one JSON event with the headers.
fn show_headers(kind: &str, first_line: String, headers: &HeaderMap, fields: Value) {
    let arrow = if kind == "request" { ">" } else { "<" };
    let mut text = format!("{arrow} {first_line}");
    let mut map = Map::new();
    for (name, value) in headers {
        let value = value.to_str().unwrap_or("(not text)");
        text.push_str(&format!("\n{arrow} {name}: {value}"));
        map.insert(name.to_string(), Value::from(value));
    }
    let mut fields = fields;
    fields["headers"] = Value::Object(map);
    console::detail(1, kind, text, fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_preference_picks_the_protocol() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static("b, a"),
        );
        let ours = vec!["a".to_string(), "b".to_string()];
        assert_eq!(choose_protocol(&ours, &headers), Some("a".into()));
        assert_eq!(choose_protocol(&["c".into()], &headers), None);
        assert_eq!(choose_protocol(&ours, &HeaderMap::new()), None);
    }
}
