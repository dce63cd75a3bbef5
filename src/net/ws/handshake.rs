//! Opening a WebSocket: the client's request (headers, subprotocols, Origin, Basic auth) and
//! the server's answer (path check, subprotocol choice, the request handed to `--exec` as
//! websocketd does). A refused handshake is exit 4 with the HTTP status and the start of the
//! body; `-v` shows both sides' headers.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::os::unix::ffi::OsStringExt;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError, SubProtocolError};
pub use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::http::{self, HeaderMap, HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::client::{self, Remote};
use crate::net::tls::{self, Stream};
use crate::net::ws::gate::Gated;
use crate::net::ws::request::{self, Refusal, Upgrade};
use crate::net::ws::{Settings, ws_config};
use crate::net::{Env, socket_env};

/// What the client asks for in its opening handshake (RFC 6455 4.1).
#[derive(Debug, Clone)]
pub struct ClientRequest {
    /// The URL to request, without any user:pass (that is in `auth`).
    pub url: url::Url,
    /// `-H` fields, in order; each replaces a default field of its name (Host, say).
    pub headers: Vec<(http::HeaderName, HeaderValue)>,
    /// `Sec-WebSocket-Protocol`, offered in this order.
    pub protocols: Vec<String>,
    pub origin: Option<HeaderValue>,
    /// `user:pass` for Basic authentication.
    pub auth: Option<String>,
}

/// What a listener accepts in an opening handshake (RFC 6455 4.2), and how.
#[derive(Debug, Clone)]
pub struct AcceptRules {
    /// `--path`: any other path is a 404.
    pub path: Option<String>,
    /// Our subprotocols in our order of preference; the first the client offers is chosen.
    pub protocols: Vec<String>,
    pub tls: Option<tls::TlsServer>,
    /// From the accepted connection to the 101 sent, TLS included.
    pub handshake_timeout: std::time::Duration,
    /// The request is recorded as CGI variables (`--exec`).
    pub wants_env: bool,
    pub settings: Settings,
    /// The local side is a raw byte stream: larger read buffers ([`ws_config`]).
    pub bulk: bool,
}

/// Connects to `remote` and opens the WebSocket with `request`; `--connect-timeout` bounds
/// both. `bulk`: the local side is a raw byte stream ([`ws_config`]).
pub async fn connect(
    remote: &Remote,
    request: &ClientRequest,
    settings: &Settings,
    bulk: bool,
) -> anyhow::Result<(WebSocketStream<Gated<Stream>>, SocketAddr)> {
    let asked = request;
    let attempt = async {
        let (stream, peer) = client::open(remote).await?;
        let request = http_request(asked)?;
        show_headers(
            "request",
            format!("GET {} HTTP/1.1", path_and_query(&asked.url)),
            request.headers(),
            json!({"peer": peer, "url": asked.url.as_str()}),
        );
        match tokio_tungstenite::client_async_with_config(
            request,
            Gated::new(stream, settings.max_message_size),
            Some(ws_config(settings, bulk)),
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
                answer_rules(response.headers(), peer)?;
                Ok((ws, peer))
            }
            Err(WsError::Http(response)) => Err(refused(&response, peer)),
            Err(err) => Err(handshake_failed(err, peer, remote, asked)),
        }
    };
    match timeout(remote.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Fail::new(
            Exit::Connect,
            format!(
                "no WebSocket connection to {} within {}",
                asked.url,
                humantime::format_duration(remote.connect_timeout)
            ),
        )
        .hint("check the URL, or raise --connect-timeout")
        .err()),
    }
}

/// For tests and fuzzing (`fuzz/`, target `ws_answer`): reads `answer` as a server's reply to
/// our opening handshake of `ws://localhost/`, offering `protocols`, with RFC 6455's sample
/// key (`dGhlIHNhbXBsZSBub25jZQ==`, whose accept value is `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`), and
/// checks it as [`connect`] does: tungstenite's rules, then ours. `Ok`: the connection would be
/// open. Errors: a refusal or a broken answer, as tungstenite or we word it.
pub fn check_answer(answer: &[u8], protocols: &[String]) -> anyhow::Result<()> {
    use tokio_tungstenite::tungstenite::{self, HandshakeError};
    /// The server's side: `answer`, then the end of the stream; what we send is dropped.
    struct Peer<'a>(&'a [u8]);
    impl std::io::Read for Peer<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            std::io::Read::read(&mut self.0, buf)
        }
    }
    impl std::io::Write for Peer<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut request = "ws://localhost/".into_client_request()?;
    let headers = request.headers_mut();
    headers.insert(
        header::SEC_WEBSOCKET_KEY,
        HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
    );
    if !protocols.is_empty() {
        let offer = HeaderValue::from_str(&protocols.join(", "))?;
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, offer);
    }
    match tungstenite::client::client_with_config(request, Peer(answer), None) {
        Ok((_, response)) => answer_rules(response.headers(), ([127, 0, 0, 1], 0).into()),
        Err(HandshakeError::Failure(err)) => Err(err.into()),
        Err(HandshakeError::Interrupted(_)) => anyhow::bail!("the answer stopped short"),
    }
}

/// What RFC 6455 4.1 makes the client check in a 101 beyond tungstenite's checks, before any
/// frame is read (exit 4 otherwise): `Sec-WebSocket-Accept` and `Sec-WebSocket-Protocol` sent
/// once (tungstenite reads only the first of repeated fields: a right value followed by a
/// wrong one is not the value the RFC asks for), and no extension (we offer none).
fn answer_rules(headers: &HeaderMap, peer: SocketAddr) -> anyhow::Result<()> {
    let failed = |what: String| {
        Fail::new(
            Exit::Handshake,
            format!("WebSocket handshake with {peer} failed: {what}"),
        )
        .hint("the server is not following RFC 6455 (4.1)")
        .err()
    };
    for once in [header::SEC_WEBSOCKET_ACCEPT, header::SEC_WEBSOCKET_PROTOCOL] {
        if headers.get_all(&once).iter().count() > 1 {
            return Err(failed(format!("the server sent {once} more than once")));
        }
    }
    let named: Vec<String> = headers
        .get_all(header::SEC_WEBSOCKET_EXTENSIONS)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    Err(failed(format!(
        "the server accepted an extension we did not offer ({})",
        named.join(", ")
    )))
}

/// Exit 4 for a handshake that went wrong other than by an HTTP refusal.
fn handshake_failed(
    err: WsError,
    peer: SocketAddr,
    remote: &Remote,
    asked: &ClientRequest,
) -> anyhow::Error {
    if let WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(why)) = &err {
        let offered = asked.protocols.join(", ");
        let what = match why {
            SubProtocolError::NoSubProtocol => {
                format!("the server chose none of the subprotocols offered ({offered})")
            }
            _ => format!(
                "the server chose a subprotocol we did not offer (offered: {})",
                if offered.is_empty() { "none" } else { &offered }
            ),
        };
        return Fail::new(
            Exit::Handshake,
            format!("WebSocket handshake with {peer} failed: {what}"),
        )
        .err();
    }
    // TLS 1.3: a server that wants a client certificate says so once the request is sent.
    if let WsError::Io(io) = &err {
        if let Some(refused) = tls::late_alert(io, &remote.target.to_string()) {
            return refused;
        }
    }
    let fail = Fail::new(
        Exit::Handshake,
        format!("WebSocket handshake with {peer} failed"),
    );
    // A TLS server answers a plain request with an alert, which is no HTTP.
    let fail = match (&err, &remote.tls) {
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
fn http_request(cfg: &ClientRequest) -> anyhow::Result<http::Request<()>> {
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
    pub env: Env,
}

/// Answers a client's handshake (TLS first, under `--tls`), all of it within
/// `--handshake-timeout`: a refusal as [`request`] reads the request (404 off `--path`), or
/// `refuse` whatever the request is (502 when `--to` cannot reach its upstream), or what
/// `admit` says once the request is good (503 over `--max-conns`, or when another client was
/// served first); else 101 with the first of our subprotocols the client offers, and the
/// request recorded for `--exec`. A refused handshake is exit 4 (a warning in a listener).
pub async fn accept(
    stream: TcpStream,
    peer: SocketAddr,
    cfg: &AcceptRules,
    refuse: Option<Refusal>,
    admit: impl FnOnce() -> Result<(), Refusal>,
) -> anyhow::Result<Accepted> {
    let _ = stream.set_nodelay(true);
    // Only a program reads the request's environment: for the rest it would be held all
    // connection long for nothing.
    let wants_env = cfg.wants_env;
    let mut env = if wants_env {
        socket_env(&stream, peer)
    } else {
        Vec::new()
    };
    let local = stream.local_addr()?;
    let handshake = async {
        let stream = match &cfg.tls {
            Some(tls) => tls.accept(stream).await?,
            None => Stream::Plain(stream),
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
        let answer = request::switching(&upgrade, chosen.as_deref());
        show_answer(
            &answer,
            json!({"peer": peer, "status": 101, "protocol": chosen}),
        );
        gated.write_all(&answer).await?;
        gated.flush().await?;
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
async fn answer_refusal(
    gated: &mut Gated<Stream>,
    refusal: Refusal,
    peer: SocketAddr,
) -> anyhow::Error {
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
fn cgi_env(up: &Upgrade, peer: SocketAddr, local: SocketAddr, protocol: Option<&str>) -> Env {
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
        ("SERVER_PORT", local.port().to_string()),
        ("REQUEST_METHOD", up.method.clone()),
        ("REQUEST_URI", up.target.clone()),
        ("SCRIPT_NAME", String::new()),
        ("PATH_INFO", up.path.clone()),
        ("QUERY_STRING", up.query.clone()),
        ("REMOTE_ADDR", peer.ip().to_string()),
        ("REMOTE_HOST", peer.ip().to_string()),
        ("REMOTE_PORT", peer.port().to_string()),
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

    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn switching(more: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\n{more}\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_right_answer_opens_the_connection() {
        check_answer(&switching(""), &[]).unwrap();
        let chat = ["chat".to_string()];
        check_answer(&switching("Sec-WebSocket-Protocol: chat\r\n"), &chat).unwrap();
    }

    /// RFC 6455 4.1: the client fails the connection on each of these.
    #[test]
    fn a_wrong_answer_fails_the_connection() {
        let chat = ["chat".to_string()];
        let extension = switching("Sec-WebSocket-Extensions: permessage-deflate\r\n");
        let err = check_answer(&extension, &[]).unwrap_err();
        assert!(
            format!("{err:#}").contains("extension we did not offer"),
            "{err:#}"
        );
        let wrong_key = String::from_utf8(switching(""))
            .unwrap()
            .replace(ACCEPT, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assert!(check_answer(wrong_key.as_bytes(), &[]).is_err());
        assert!(check_answer(&switching("Sec-WebSocket-Protocol: mqtt\r\n"), &chat).is_err());
        assert!(check_answer(&switching(""), &chat).is_err());
        assert!(check_answer(b"HTTP/1.1 404 Not Found\r\n\r\n", &[]).is_err());
        assert!(check_answer(b"HTTP/1.1 101 Switching", &[]).is_err());
        // A right accept value, then a wrong one.
        let twice = switching("Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n");
        let err = check_answer(&twice, &[]).unwrap_err();
        assert!(format!("{err:#}").contains("more than once"), "{err:#}");
    }
}
