//! Opening a WebSocket as a client: our request (headers, subprotocols, Origin, Basic auth)
//! and our checks of the server's answer (RFC 6455 4.1). A refused handshake is exit 4 with
//! the HTTP status and the start of the body; `-v` shows both sides' headers. The server's
//! side is in `accept.rs`.

use std::net::SocketAddr;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use serde_json::{Map, Value, json};
use tokio::time::timeout;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError, SubProtocolError};
pub use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::http::{self, HeaderMap, HeaderValue, header};

use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::client::{self, Remote};
use crate::net::tls::{self, Stream};
use crate::net::ws::gate::Gated;
use crate::net::ws::{Settings, ws_config};

/// What the client asks for in its opening handshake (RFC 6455 4.1).
#[derive(Debug, Clone)]
pub struct ClientRequest {
    /// The URL to request, without any user:pass (that is in `auth`).
    pub url: url::Url,
    /// `-H` fields, in order; each replaces a default field of its name (Host, say).
    pub headers: Vec<(http::HeaderName, HeaderValue)>,
    /// `Sec-WebSocket-Protocol`, offered in this order.
    pub protocols: Vec<String>,
    /// `--origin`: the `Origin` field.
    pub origin: Option<HeaderValue>,
    /// `user:pass` for Basic authentication.
    pub auth: Option<String>,
}

/// Connects to `remote` and opens the WebSocket with `request`; `--connect-timeout` bounds
/// both. `bulk`: the local side is a raw byte stream ([`ws_config`]).
pub async fn connect(
    remote: &Remote,
    request: &ClientRequest,
    settings: &Settings,
    bulk: bool,
) -> anyhow::Result<(WebSocketStream<Gated<Stream>>, SocketAddr)> {
    let attempt = async {
        let (stream, peer) = client::open(remote).await?;
        let http = http_request(request)?;
        show_headers(
            "request",
            format!("GET {} HTTP/1.1", path_and_query(&request.url)),
            http.headers(),
            json!({"peer": peer, "url": request.url.as_str()}),
        );
        let gated = Gated::new(stream, settings.max_message_size);
        // What the server answers is kept, to say what it was if tungstenite refuses it.
        let gate = gated.gate();
        gate.keep_head();
        match tokio_tungstenite::client_async_with_config(
            http,
            gated,
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
            Err(WsError::Http(response)) => Err(refused(&response, peer, &gate.head())),
            Err(err) => Err(handshake_failed(err, peer, remote, request, &gate.head())),
        }
    };
    match timeout(remote.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Fail::new(
            Exit::Connect,
            format!(
                "no WebSocket connection to {} within {}",
                request.url,
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
    // Our own request, its key replaced as `-H` replaces a default field.
    let request = http_request(&ClientRequest {
        url: "ws://localhost/".parse()?,
        headers: vec![(
            header::SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        )],
        protocols: protocols.to_vec(),
        origin: None,
        auth: None,
    })?;
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
/// What a server's answer was, when it is no WebSocket answer tungstenite can read: its
/// first bytes (`head`, as the gate kept them) as TLS, an HTTP status of any version, or
/// text that is not HTTP. `None` when it reads as HTTP/1.1 (tungstenite's error says more).
pub fn answer_was(head: &[u8]) -> Option<(String, Option<&'static str>)> {
    // A TLS record: a handshake (22) or an alert (21), version 3.x.
    if let [21 | 22, 3, ..] = head {
        return Some((
            "the server answered in TLS".into(),
            Some("use a wss:// URL"),
        ));
    }
    if head.is_empty() {
        return Some((
            "the server closed the connection without an answer".into(),
            None,
        ));
    }
    let mut fields = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut fields);
    match response.parse(head) {
        Ok(_) if response.version == Some(1) => None,
        Ok(_) if response.code.is_some() => Some((
            format!(
                "the server answered HTTP/1.{} {} {}",
                response.version.unwrap_or(0),
                response.code.unwrap_or(0),
                response.reason.unwrap_or("")
            )
            .trim_end()
            .to_string(),
            None,
        )),
        Ok(_) if head.starts_with(b"HTTP/") => None,
        _ => {
            let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
            let first = String::from_utf8_lossy(first);
            let first: String = first.trim_end().chars().take(60).collect();
            Some((
                format!("the server's answer is not HTTP: `{first}`"),
                Some("check the port: something other than a WebSocket server answers there"),
            ))
        }
    }
}

fn handshake_failed(
    err: WsError,
    peer: SocketAddr,
    remote: &Remote,
    asked: &ClientRequest,
    head: &[u8],
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
    // An answer of another HTTP version than 1.1 (HTTP/1.0 servers and proxies): a refusal
    // like any other, read from its head as it came.
    if let Some(response) = other_version_refusal(&err, head) {
        return refused(&response, peer, head);
    }
    let what = format!("WebSocket handshake with {peer} failed");
    if let Some(why) = plain_words(&err) {
        return Fail::new(Exit::Handshake, format!("{what}: {why}")).err();
    }
    if let WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch) = &err {
        return Fail::new(
            Exit::Handshake,
            format!(
                "{what}: the server's Sec-WebSocket-Accept does not answer our key (RFC 6455 4.1)"
            ),
        )
        .err();
    }
    // Not an answer tungstenite reads: say what it was (TLS only when it looks like TLS).
    if matches!(err, WsError::Protocol(_) | WsError::HttpFormat(_)) {
        if let Some((answer, hint)) = answer_was(head) {
            let fail = Fail::new(Exit::Handshake, format!("{what}: {answer}"));
            return match hint {
                Some(hint) if !(hint.contains("wss://") && remote.tls.is_some()) => {
                    fail.hint(hint).err()
                }
                _ => fail.err(),
            };
        }
    }
    anyhow::Error::new(err).context(Fail::new(Exit::Handshake, what))
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

/// A non-101 answer in another HTTP version than 1.1 (which tungstenite refuses as "HTTP
/// version must be 1.1 or higher"), as the response it is, from its `head` as it came.
fn other_version_refusal(err: &WsError, head: &[u8]) -> Option<http::Response<Option<Vec<u8>>>> {
    if !matches!(err, WsError::Protocol(_) | WsError::HttpFormat(_)) {
        return None;
    }
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut fields);
    let httparse::Status::Complete(length) = parsed.parse(head).ok()? else {
        return None;
    };
    if parsed.version == Some(1) {
        return None;
    }
    let mut response = http::Response::new(Some(head[length..].to_vec()));
    *response.status_mut() = StatusCode::from_u16(parsed.code?).ok()?;
    for field in parsed.headers.iter() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(field.name.as_bytes()),
            HeaderValue::from_bytes(field.value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Some(response)
}

/// The server's own reason phrase in `head` for `code` (`403 Nope bad token`, not the
/// standard `Forbidden`), or the standard one.
fn status_line(code: StatusCode, head: &[u8]) -> String {
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut fields);
    let _ = parsed.parse(head);
    match (parsed.code, parsed.reason) {
        (Some(c), Some(reason)) if c == code.as_u16() && !reason.is_empty() => {
            format!("{c} {}", console::escaped(reason, false))
        }
        _ => format!(
            "{} {}",
            code.as_u16(),
            code.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string(),
    }
}

/// tungstenite's errors that name no cause a user can act on, in words (`None`: the others).
fn plain_words(err: &WsError) -> Option<&'static str> {
    use tokio_tungstenite::tungstenite::error::CapacityError;
    Some(match err {
        WsError::AttackAttempt | WsError::Capacity(CapacityError::MessageTooLong { .. }) => {
            "the server's answer head is too long"
        }
        WsError::Capacity(CapacityError::TooManyHeaders) => {
            "the server's answer has too many header fields"
        }
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => {
            "the server closed the connection in the middle of its answer"
        }
        WsError::Protocol(ProtocolError::MissingUpgradeWebSocketHeader) => {
            "the server answered 101 without `Upgrade: websocket` (RFC 6455 4.1)"
        }
        WsError::Protocol(ProtocolError::MissingConnectionUpgradeHeader) => {
            "the server answered 101 without `Connection: Upgrade` (RFC 6455 4.1)"
        }
        WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch) => return None,
        WsError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionReset => {
            "the server reset the connection"
        }
        _ => return None,
    })
}

/// Only these redirect somewhere to go (a 304 or 300 does not).
fn redirects(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Exit 4 with the status (the server's reason phrase, from `head`) and the start of the
/// body, on one line; a redirect's Location, always.
fn refused(
    response: &http::Response<Option<Vec<u8>>>,
    peer: SocketAddr,
    head: &[u8],
) -> anyhow::Error {
    let status = status_line(response.status(), head);
    show_headers(
        "handshake",
        format!("HTTP/1.1 {status}"),
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
    let mut what = format!("WebSocket handshake refused by {peer}: HTTP {status}");
    // A redirect says where to go: shown always, not only under -v (websocat names it too).
    let location = redirects(response.status())
        .then(|| response.headers().get(header::LOCATION))
        .flatten()
        .map(|l| console::escaped(&String::from_utf8_lossy(l.as_bytes()), false).into_owned())
        .filter(|l| !l.trim().is_empty());
    if let Some(location) = &location {
        what.push_str(&format!(", to {location}"));
    }
    if !body.is_empty() {
        what.push_str(&format!(": {body}"));
    }
    let moved = location
        .as_ref()
        .map(|l| format!("connect to {l} instead, or follow it with -L"));
    let hint = match response.status() {
        _ if moved.is_some() => moved.as_deref(),
        StatusCode::NOT_FOUND => Some("check the URL's path"),
        StatusCode::UNAUTHORIZED => Some("give credentials with --auth USER:PASS"),
        StatusCode::FORBIDDEN => {
            Some("the server refused this client: check --origin and credentials")
        }
        _ => None,
    };
    let fail = Fail::new(Exit::Handshake, what);
    let fail = match hint {
        Some(hint) => fail.hint(hint),
        None => fail,
    };
    match location {
        Some(location) => anyhow::Error::new(Redirect { location }).context(fail),
        None => fail.err(),
    }
}

/// In a refused handshake's error: the server redirected (3xx) to `location`, as it wrote it
/// (maybe relative). It says nothing of its own (the error line names the Location already).
#[derive(Debug, thiserror::Error)]
#[error("")]
pub struct Redirect {
    pub location: String,
}

/// Where a refused handshake's error (from [`connect`]) redirects to, if it does.
pub fn redirect_of(err: &anyhow::Error) -> Option<&str> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Redirect>())
        .map(|r| r.location.as_str())
}

/// `-v`: a request or response head as text lines, or one JSON event with the headers.
pub(super) fn show_headers(kind: &str, first_line: String, headers: &HeaderMap, fields: Value) {
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
