//! The server's reading of a client's opening handshake (RFC 6455 4.2.1), and its answers.
//!
//! tungstenite's server handshake has no answer for a request it cannot take: it closes the
//! connection without a word, and it accepts a request that repeats `Sec-WebSocket-Key`. So
//! the request head is read here (with `httparse`, bounded: [`MAX_HEAD`] bytes, [`MAX_HEADERS`]
//! fields), checked in the order a client can act on, and refused with a proper HTTP status
//! and a one-line text body; tungstenite takes over once the 101 is sent.
//!
//! | request | answer |
//! |---|---|
//! | not HTTP, or a head over 16 KiB / 64 fields | 400 / 431 |
//! | a method other than GET | 405, `Allow: GET` |
//! | a path other than `--path` | 404 |
//! | no `Upgrade: websocket` (plain HTTP: curl, a browser) | 426, `Upgrade: websocket` |
//! | HTTP/1.0, no `Connection: Upgrade`, no or a repeated `Host` | 400 |
//! | `Sec-WebSocket-Version` other than 13 | 426, `Sec-WebSocket-Version: 13` |
//! | `Sec-WebSocket-Key` missing, repeated, or not 16 bytes in base64 | 400 |

use base64::Engine;
use base64::prelude::BASE64_STANDARD;

/// The longest request head read, in bytes (request line, fields and the blank line).
pub const MAX_HEAD: usize = 16 * 1024;

/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 64;

/// A request that may be upgraded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// The method, as sent (GET).
    pub method: String,
    /// The request target as sent: path and query (`/chat?room=1`).
    pub target: String,
    /// The target's path (`/chat`).
    pub path: String,
    /// The target's query, without the `?` (empty when there is none).
    pub query: String,
    /// The header fields in their order: names lowercased, values as the bytes that came.
    pub headers: Vec<(String, Vec<u8>)>,
    /// `Sec-WebSocket-Key`, checked to be 16 bytes in base64.
    pub key: String,
}

impl Upgrade {
    /// The values of the field `name` (lowercase), in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The comma-separated tokens of the field `name`, trimmed (`Sec-WebSocket-Protocol`).
    pub fn tokens(&self, name: &str) -> Vec<String> {
        self.values(name)
            .flat_map(|v| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// An HTTP answer that refuses the handshake: the status, extra header fields, and the
/// reason, sent as the text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status code (400, 404, 405, 426, 431, 502, 503).
    pub status: u16,
    /// Header fields beside Content-Type, Content-Length and Connection.
    pub headers: Vec<(&'static str, &'static str)>,
    /// What went wrong, one line (without the newline).
    pub reason: String,
}

impl Refusal {
    /// A refusal with `status` and `reason`, no extra fields.
    pub fn new(status: u16, reason: impl Into<String>) -> Refusal {
        Refusal {
            status,
            headers: Vec::new(),
            reason: reason.into(),
        }
    }

    /// The whole HTTP response: status line, fields, the reason as a text body; the
    /// connection is closed after it.
    pub fn response(&self) -> Vec<u8> {
        let body = format!("{}\n", self.reason);
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, status_text(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        head.into_bytes()
    }
}

/// The reason phrase for the statuses we send.
fn status_text(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Where the request head in `buf` ends (just past its blank line), once it has; a refusal
/// as soon as what came cannot start an HTTP request (a TLS ClientHello, say: the client
/// hears at once that this is no TLS server) or has too many fields.
/// Lines may end in a bare LF, as RFC 9112 2.2 lets a recipient accept (httparse does).
pub fn head_end(buf: &[u8]) -> Result<Option<usize>, Refusal> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::Request::new(&mut fields).parse(buf) {
        Ok(httparse::Status::Complete(end)) => Ok(Some(end)),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(err) => Err(malformed(err)),
    }
}

/// The refusal for a head httparse cannot read.
fn malformed(err: httparse::Error) -> Refusal {
    match err {
        httparse::Error::TooManyHeaders => Refusal::new(
            431,
            format!("too many header fields: at most {MAX_HEADERS}"),
        ),
        err => Refusal::new(400, format!("malformed HTTP request: {err}")),
    }
}

/// Reads the request head `head` (up to and including its blank line) as an opening
/// handshake; `path`: the only path served (`--path`), if any. The refusal says what went
/// wrong, in the table's order (see the module).
pub fn parse(head: &[u8], path: Option<&str>) -> Result<Upgrade, Refusal> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Refusal::new(
                400,
                "malformed HTTP request: the head is cut short",
            ));
        }
        Err(err) => return Err(malformed(err)),
    }
    let method = request.method.unwrap_or_default().to_string();
    let target = request.path.unwrap_or_default().to_string();
    let headers: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect();
    if method != "GET" {
        let mut refusal = Refusal::new(
            405,
            format!("method {method} not allowed: a WebSocket handshake is a GET"),
        );
        refusal.headers.push(("Allow", "GET"));
        return Err(refusal);
    }
    // Origin-form (`/p?q`), or absolute-form (`http://host/p?q`) as a proxy would send.
    let local = match target.find("://") {
        Some(at) => {
            let rest = &target[at + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => target.as_str(),
    };
    let (req_path, query) = local.split_once('?').unwrap_or((local, ""));
    if !req_path.starts_with('/') {
        return Err(Refusal::new(
            400,
            format!("malformed request target {target:?}"),
        ));
    }
    if let Some(path) = path {
        if req_path != path {
            return Err(Refusal::new(
                404,
                format!("no WebSocket at {req_path}; try {path}"),
            ));
        }
    }
    let mut upgrade = Upgrade {
        method,
        target: target.clone(),
        path: req_path.to_string(),
        query: query.to_string(),
        headers,
        key: String::new(),
    };
    let has_token = |name: &str, token: &str| {
        upgrade
            .tokens(name)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(token))
    };
    if !has_token("upgrade", "websocket") {
        let mut refusal = Refusal::new(
            426,
            "this is a WebSocket endpoint: connect with a WebSocket client",
        );
        refusal.headers.extend([
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Version", "13"),
        ]);
        return Err(refusal);
    }
    if request.version != Some(1) {
        return Err(Refusal::new(400, "a WebSocket handshake needs HTTP/1.1"));
    }
    if !has_token("connection", "upgrade") {
        return Err(Refusal::new(400, "the request has no Connection: Upgrade"));
    }
    match upgrade.values("host").count() {
        1 => {}
        0 => return Err(Refusal::new(400, "the request has no Host field")),
        n => return Err(Refusal::new(400, format!("Host appears {n} times"))),
    }
    let versions: Vec<&[u8]> = upgrade.values("sec-websocket-version").collect();
    if versions.len() != 1 || versions[0].trim_ascii() != b"13" {
        let what = match versions.as_slice() {
            [] => "no Sec-WebSocket-Version".to_string(),
            [v] => format!(
                "Sec-WebSocket-Version {} is not supported",
                String::from_utf8_lossy(v.trim_ascii())
            ),
            more => format!("Sec-WebSocket-Version appears {} times", more.len()),
        };
        let mut refusal = Refusal::new(426, format!("{what}: this server speaks version 13"));
        refusal.headers.push(("Sec-WebSocket-Version", "13"));
        return Err(refusal);
    }
    let keys: Vec<&[u8]> = upgrade.values("sec-websocket-key").collect();
    let key = match keys.as_slice() {
        [key] => key.trim_ascii(),
        [] => return Err(Refusal::new(400, "the request has no Sec-WebSocket-Key")),
        more => {
            return Err(Refusal::new(
                400,
                format!(
                    "Sec-WebSocket-Key appears {} times: it must appear once",
                    more.len()
                ),
            ));
        }
    };
    if BASE64_STANDARD.decode(key).map(|k| k.len()) != Ok(16) {
        return Err(Refusal::new(
            400,
            "Sec-WebSocket-Key must be 16 bytes in base64",
        ));
    }
    upgrade.key = String::from_utf8_lossy(key).into_owned();
    Ok(upgrade)
}

/// The 101 answer accepting `upgrade`, with the subprotocol chosen and the extension agreed
/// (`permessage-deflate; ...`), if any.
pub fn switching(upgrade: &Upgrade, protocol: Option<&str>, extension: Option<&str>) -> Vec<u8> {
    use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
    let mut head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
        derive_accept_key(upgrade.key.as_bytes())
    );
    if let Some(protocol) = protocol {
        head.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\r\n"));
    }
    if let Some(extension) = extension {
        head.push_str(&format!("Sec-WebSocket-Extensions: {extension}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "GET /chat?x=1 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    fn status(head: &str, path: Option<&str>) -> u16 {
        match parse(head.as_bytes(), path) {
            Ok(_) => 101,
            Err(refusal) => refusal.status,
        }
    }

    #[test]
    fn takes_a_good_request_and_answers_with_the_accept_key() {
        let up = parse(GOOD.as_bytes(), Some("/chat")).unwrap();
        assert_eq!((up.path.as_str(), up.query.as_str()), ("/chat", "x=1"));
        let answer = String::from_utf8(switching(&up, Some("p"), None)).unwrap();
        // RFC 6455 1.3's example key and answer.
        assert!(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        assert!(answer.contains("Sec-WebSocket-Protocol: p\r\n"));
    }

    #[test]
    fn refuses_each_fault_with_its_status() {
        let with = |from: &str, to: &str| GOOD.replacen(from, to, 1);
        assert_eq!(status(&with("GET", "POST"), None), 405);
        assert_eq!(status(GOOD, Some("/other")), 404);
        assert_eq!(status(&with("Upgrade: websocket\r\n", ""), None), 426);
        assert_eq!(status("GET / HTTP/1.1\r\nHost: h\r\n\r\n", None), 426);
        assert_eq!(status(&with("HTTP/1.1", "HTTP/1.0"), None), 400);
        assert_eq!(
            status(&with("keep-alive, Upgrade", "keep-alive"), None),
            400
        );
        assert_eq!(status(&with("Host: h\r\n", ""), None), 400);
        assert_eq!(
            status(&with("Host: h\r\n", "Host: h\r\nHost: i\r\n"), None),
            400
        );
        assert_eq!(status(&with("Version: 13", "Version: 8"), None), 426);
        assert_eq!(
            status(
                &with("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
                None
            ),
            400
        );
        let twice = with(
            "\r\n\r\n",
            "\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n",
        );
        assert_eq!(status(&twice, None), 400);
        assert_eq!(
            status(&with("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="), None),
            400
        );
        assert_eq!(status("\x16\x03\x01 not http\r\n\r\n", None), 400);
        let many: String = (0..70).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            status(&with("\r\n\r\n", &format!("\r\n{many}\r\n")), None),
            431
        );
    }

    #[test]
    fn what_cannot_start_a_request_is_refused_before_its_end() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: h\r\n"), Ok(None));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nframes"), Ok(Some(18)));
        // Bare LF line ends (RFC 9112 2.2): the head ends at its blank line all the same.
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: h\n\nframes"), Ok(Some(24)));
        assert_eq!(head_end(b"\x16\x03\x01\x02\x00").unwrap_err().status, 400);
    }

    #[test]
    fn a_refusal_is_a_whole_http_response() {
        let text = String::from_utf8(
            parse(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", None)
                .unwrap_err()
                .response(),
        )
        .unwrap();
        assert!(
            text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nSec-WebSocket-Version: 13\r\n"));
        assert!(
            text.ends_with(
                "\r\n\r\nthis is a WebSocket endpoint: connect with a WebSocket client\n"
            )
        );
    }

    #[test]
    fn values_keep_the_bytes_that_came() {
        let head = GOOD.replacen("\r\n\r\n", "\r\nX-Name: caf\u{e9}\r\n\r\n", 1);
        let up = parse(head.as_bytes(), None).unwrap();
        assert_eq!(up.values("x-name").next(), Some("café".as_bytes()));
    }
}
