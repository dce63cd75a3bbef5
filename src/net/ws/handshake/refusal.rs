//! What a server answered instead of a WebSocket: a refusal (any HTTP version, the server's
//! own reason phrase, a redirect's Location), or an answer tungstenite cannot read, in words.

use serde_json::json;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::http::{self, HeaderValue, StatusCode, header};

use super::show_headers;
use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::Peer;

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
        // HTTP that breaks its grammar (a folded field, a bad character in a name).
        Err(err) if head.starts_with(b"HTTP/") => Some((
            format!("the server's answer is malformed HTTP ({err})"),
            None,
        )),
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

/// A non-101 answer in another HTTP version than 1.1 (which tungstenite refuses as "HTTP
/// version must be 1.1 or higher"), as the response it is, from its `head` as it came.
pub(super) fn other_version_refusal(
    err: &WsError,
    head: &[u8],
) -> Option<http::Response<Option<Vec<u8>>>> {
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
pub(super) fn plain_words(err: &WsError) -> Option<&'static str> {
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
pub(super) fn refused(
    response: &http::Response<Option<Vec<u8>>>,
    peer: &Peer,
    head: &[u8],
) -> anyhow::Error {
    let status = status_line(response.status(), head);
    show_headers(
        "handshake",
        format!("HTTP/1.1 {status}"),
        response.headers(),
        json!({"peer": peer, "status": response.status().as_u16()}),
    );
    let chunked = response
        .headers()
        .get(header::TRANSFER_ENCODING)
        .is_some_and(|coding| coding.as_bytes().to_ascii_lowercase().ends_with(b"chunked"));
    let body = response
        .body()
        .as_deref()
        .map(|b| {
            let b = if chunked { dechunked(b) } else { b.to_vec() };
            let text = String::from_utf8_lossy(&b);
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
    let fail = Fail::new(Exit::Handshake, what).maybe_hint(hint);
    match location {
        Some(location) => anyhow::Error::new(Redirect { location }).context(fail),
        None => fail.err(),
    }
}

/// The data of a chunked body (RFC 9112 7.1), as far as it came and reads: each chunk's size
/// line (hex, extensions after `;` ignored), its data, its CRLF; up to the last chunk.
fn dechunked(mut body: &[u8]) -> Vec<u8> {
    let mut data = Vec::new();
    while let Some(eol) = memchr::memmem::find(body, b"\r\n") {
        let line = String::from_utf8_lossy(&body[..eol]);
        let size = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            break;
        };
        body = &body[eol + 2..];
        let take = size.min(body.len());
        data.extend_from_slice(&body[..take]);
        if size == 0 || take < size {
            break;
        }
        body = body.get(size + 2..).unwrap_or_default();
    }
    data
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

#[cfg(test)]
mod tests {
    use super::dechunked;

    #[test]
    fn a_chunked_body_is_read_as_its_data() {
        assert_eq!(
            dechunked(b"4\r\nno e\r\n6;x=y\r\nntry.\n\r\n0\r\n\r\n"),
            b"no entry.\n"
        );
        // Cut short, or not chunked after all: what reads.
        assert_eq!(dechunked(b"a\r\nno en"), b"no en");
        assert_eq!(dechunked(b"no entry"), b"");
    }
}
