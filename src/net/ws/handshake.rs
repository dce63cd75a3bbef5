//! Opening a WebSocket as a client: our request (headers, subprotocols, Origin, Basic auth)
//! and our checks of the server's answer (RFC 6455 4.1). A refused handshake is exit 4 with
//! the HTTP status and the start of the body; `-v` shows both sides' headers. The server's
//! side is in `accept.rs`.

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
use crate::net::Peer;
use crate::net::client::{self, Remote};
use crate::net::tls::{self, Stream};
use crate::net::ws::deflate::{self, DeflateConfig};
use crate::net::ws::gate::Gated;
use crate::net::ws::{Settings, ws_config};

mod refusal;
pub use refusal::{Redirect, answer_was, redirect_of};
use refusal::{other_version_refusal, plain_words, refused};

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
) -> anyhow::Result<(WebSocketStream<Gated<Stream>>, Peer)> {
    let attempt = async {
        let (stream, peer) = client::open(remote).await?;
        let http = http_request(request, settings.deflate)?;
        show_headers(
            "request",
            format!("GET {} HTTP/1.1", path_and_query(&request.url)),
            http.headers(),
            json!({"peer": peer, "url": request.url.as_str()}),
        );
        let mut gated = Gated::new(stream, settings.max_message_size);
        // The server's answer comes to tungstenite whole, however it trickles in; and it is
        // kept, to say what it was if tungstenite refuses it.
        gated.gather_head();
        let gate = gated.gate();
        gate.keep_head();
        match tokio_tungstenite::client_async_with_config(
            http,
            gated,
            Some(ws_config(settings, bulk)),
        )
        .await
        {
            Ok((mut ws, response)) => {
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
                if let Some(config) = answer_rules(response.headers(), &peer, settings.deflate)? {
                    show_deflate(&config, &peer);
                    ws.get_mut().set_deflate(config, false);
                }
                Ok((ws, peer))
            }
            Err(WsError::Http(response)) => Err(refused(&response, &peer, &gate.head())),
            Err(err) => Err(handshake_failed(err, &peer, remote, request, &gate.head())),
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
    let request = http_request(
        &ClientRequest {
            url: "ws://localhost/".parse()?,
            headers: vec![(
                header::SEC_WEBSOCKET_KEY,
                HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
            )],
            protocols: protocols.to_vec(),
            origin: None,
            auth: None,
        },
        false,
    )?;
    match tungstenite::client::client_with_config(request, Peer(answer), None) {
        Ok((_, response)) => answer_rules(
            response.headers(),
            &super::Peer::Ip(([127, 0, 0, 1], 0).into()),
            false,
        )
        .map(|_| ()),
        Err(HandshakeError::Failure(err)) => Err(err.into()),
        Err(HandshakeError::Interrupted(_)) => anyhow::bail!("the answer stopped short"),
    }
}

/// What RFC 6455 4.1 makes the client check in a 101 beyond tungstenite's checks, before any
/// frame is read (exit 4 otherwise): `Sec-WebSocket-Accept` and `Sec-WebSocket-Protocol` sent
/// once (tungstenite reads only the first of repeated fields: a right value followed by a
/// wrong one is not the value the RFC asks for), and no extension but the permessage-deflate
/// we offered (`deflate`), with parameters RFC 7692 allows: then its settings.
fn answer_rules(
    headers: &HeaderMap,
    peer: &Peer,
    deflate: bool,
) -> anyhow::Result<Option<DeflateConfig>> {
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
        return Ok(None);
    }
    if !deflate {
        return Err(failed(format!(
            "the server accepted an extension we did not offer ({})",
            named.join(", ")
        )));
    }
    let answer = deflate::extensions(named.iter().map(|v| v.as_bytes())).ok_or_else(|| {
        failed(format!(
            "its extensions cannot be read ({})",
            named.join(", ")
        ))
    })?;
    deflate::accepted(&answer).map(Some).map_err(failed)
}

/// `-v`: the permessage-deflate parameters agreed.
pub(super) fn show_deflate(config: &DeflateConfig, peer: &Peer) {
    console::detail(
        1,
        "deflate",
        format!("compression: {}", config.response()),
        json!({"peer": peer, "extension": config.response()}),
    );
}

/// Exit 4 for a handshake that went wrong other than by an HTTP refusal.
fn handshake_failed(
    err: WsError,
    peer: &Peer,
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
    // Nothing came at all: said so (below), not as an answer cut short.
    let nothing =
        head.is_empty() && matches!(err, WsError::Protocol(ProtocolError::HandshakeIncomplete));
    if let Some(why) = plain_words(&err).filter(|_| !nothing) {
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
            // (No "use wss://" to a connection that is TLS already.)
            let hint = hint.filter(|hint| !(hint.contains("wss://") && remote.tls.is_some()));
            let fail = Fail::new(Exit::Handshake, format!("{what}: {answer}"));
            return fail.maybe_hint(hint).err();
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
/// Our request; `deflate`: permessage-deflate offered.
fn http_request(cfg: &ClientRequest, deflate: bool) -> anyhow::Result<http::Request<()>> {
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
    if deflate {
        headers.insert(
            header::SEC_WEBSOCKET_EXTENSIONS,
            HeaderValue::from_static(deflate::CLIENT_OFFER),
        );
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
