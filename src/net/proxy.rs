//! Client connections through a proxy: HTTP `CONNECT` and SOCKS5 (the proxy resolves the
//! name), chosen by `--proxy URL` or by the conventional environment variables.
//!
//! Which variables apply, lower case first as curl reads them: `ws://` uses `http_proxy`,
//! `wss://` uses `https_proxy`, and every client (raw TCP included) falls back to
//! `all_proxy`; `no_proxy` lists the hosts reached directly. `--proxy` wins over all of them.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use percent_encoding::percent_decode_str;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_socks::tcp::Socks5Stream;

use crate::exit::{Exit, Fail};
use crate::net::addr::{HostPort, Source};
use crate::net::tcp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Http,
    Socks5,
}

/// A proxy to reach the target through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// HTTP CONNECT or SOCKS5.
    pub kind: Kind,
    /// The proxy itself.
    pub addr: HostPort,
    /// User name and password from the proxy URL.
    pub auth: Option<(String, String)>,
    /// The variable it came from, to name in errors; `None` for `--proxy`.
    pub source: Option<String>,
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Http => "HTTP",
            Kind::Socks5 => "SOCKS5",
        };
        write!(f, "{kind} proxy {}", self.addr)
    }
}

/// What the client is, for choosing among the environment variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Ws,
    Wss,
    Tcp,
}

/// The proxy for a client of `scheme` reaching `target`: `--proxy` when given, else the
/// environment's (unless `no_proxy` names the target).
pub fn choose(
    explicit: Option<&str>,
    scheme: Scheme,
    target: &HostPort,
) -> anyhow::Result<Option<Proxy>> {
    choose_from(explicit, scheme, target, |name| std::env::var(name).ok())
}

fn choose_from(
    explicit: Option<&str>,
    scheme: Scheme,
    target: &HostPort,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<Proxy>> {
    if let Some(url) = explicit {
        return parse(url, None).map(Some);
    }
    let names: &[&str] = match scheme {
        Scheme::Ws => &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"],
        Scheme::Wss => &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
        Scheme::Tcp => &["all_proxy", "ALL_PROXY"],
    };
    let Some((name, url)) = names
        .iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (*name, v)))
    else {
        return Ok(None);
    };
    let bypass = env("no_proxy")
        .or_else(|| env("NO_PROXY"))
        .is_some_and(|list| bypassed(&list, target));
    if bypass {
        return Ok(None);
    }
    parse(&url, Some(name)).map(Some)
}

/// `http://[user:pass@]host:port` or `socks5://[user:pass@]host:port` (`socks5h://` is the
/// same: names are always resolved by the proxy). A value without a scheme is an HTTP proxy,
/// as in the environment variables.
pub fn parse(text: &str, source: Option<&str>) -> anyhow::Result<Proxy> {
    let from = match source {
        Some(var) => format!("${var}"),
        None => "--proxy".into(),
    };
    let bad = |why: String| {
        Fail::new(Exit::Usage, format!("{from} `{text}`: {why}"))
            .hint("write http://[USER:PASS@]HOST:PORT or socks5://[USER:PASS@]HOST:PORT")
            .err()
    };
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| bad(e.to_string()))?;
    let (kind, default_port) = match url.scheme() {
        "http" => (Kind::Http, 80),
        "socks5" | "socks5h" => (Kind::Socks5, 1080),
        "https" => return Err(bad("a proxy reached over TLS is not supported".into())),
        other => return Err(bad(format!("`{other}` proxies are not supported"))),
    };
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => return Err(bad("no host".into())),
    };
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let auth = (!url.username().is_empty())
        .then(|| (decode(url.username()), decode(url.password().unwrap_or(""))));
    Ok(Proxy {
        kind,
        addr: HostPort {
            host,
            port: url.port().unwrap_or(default_port),
        },
        auth,
        source: source.map(str::to_string),
    })
}

/// Whether `no_proxy` (comma-separated: `*`, host names matching themselves and their
/// subdomains, with or without a leading dot, IP addresses and CIDR blocks, each optionally
/// with `:port`) names `target`.
pub fn bypassed(list: &str, target: &HostPort) -> bool {
    let host = target.host.trim_end_matches('.').to_ascii_lowercase();
    let ip: Option<IpAddr> = host.parse().ok();
    list.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        let (pattern, port) = split_port(entry);
        if port.is_some_and(|p| p != target.port) {
            return false;
        }
        let pattern = pattern.trim_start_matches("*.").trim_start_matches('.');
        let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
        if pattern.is_empty() {
            return false;
        }
        if let (Some(ip), true) = (ip, pattern.contains('/')) {
            return pattern
                .parse::<ipnet::IpNet>()
                .is_ok_and(|net| net.contains(&ip));
        }
        host == pattern || host.ends_with(&format!(".{pattern}"))
    })
}

/// `host:port`, `[v6]:port`, or a bare host / address / block.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, port.parse().ok()),
        _ => (entry, None),
    }
}

/// Connects to the proxy and asks it for a tunnel to `target`; what comes back is a stream to
/// the target. A refusal is exit 4 with the proxy's answer.
pub async fn connect(
    proxy: &Proxy,
    target: &HostPort,
    timeout: Duration,
    source: Source,
) -> anyhow::Result<TcpStream> {
    let stream = tcp::connect(&proxy.addr, timeout, source)
        .await
        .map_err(|err| {
            let hint = match &proxy.source {
                Some(var) => {
                    format!("check the proxy, or unset {var} (or list the host in no_proxy)")
                }
                None => "check the proxy's address and that it is running".into(),
            };
            err.context(Fail::new(Exit::Connect, format!("could not reach the {proxy}")).hint(hint))
        })?;
    match proxy.kind {
        Kind::Http => http_connect(stream, proxy, target).await,
        Kind::Socks5 => socks5_connect(stream, proxy, target).await,
    }
}

/// The largest proxy answer read before giving up on it.
const MAX_ANSWER: usize = 16 * 1024;

async fn http_connect(
    mut stream: TcpStream,
    proxy: &Proxy,
    target: &HostPort,
) -> anyhow::Result<TcpStream> {
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some((user, pass)) = &proxy.auth {
        let token = BASE64_STANDARD.encode(format!("{user}:{pass}"));
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    // Byte by byte up to the blank line: whatever follows belongs to the target.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    let not_http = |why: &str| {
        Fail::new(
            Exit::Handshake,
            format!("the {proxy} {why} to CONNECT {target}"),
        )
        .hint("check that it is an HTTP proxy (for SOCKS, write socks5://)")
        .err()
    };
    let (status, status_line) = loop {
        match answer(&head) {
            Answer::Complete { status, line } => break (status, line),
            Answer::NotHttp => return Err(not_http("gave an answer that is not HTTP")),
            Answer::More if head.len() >= MAX_ANSWER => {
                return Err(not_http(&format!(
                    "sent more than {} KiB of head",
                    MAX_ANSWER / 1024
                )));
            }
            Answer::More => {}
        }
        if stream.read(&mut byte).await? == 0 {
            return Err(not_http("closed the connection without answering"));
        }
        head.push(byte[0]);
    };
    if (200..300).contains(&status) {
        return Ok(stream);
    }
    // The start of the body says why; it may never end, so a short wait bounds it.
    let mut body = vec![0u8; 300];
    let n = tokio::time::timeout(Duration::from_millis(500), stream.read(&mut body))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    let body = text_of(&String::from_utf8_lossy(&body[..n]));
    let body = if body.is_empty() {
        String::new()
    } else {
        format!(": {}", body.chars().take(160).collect::<String>())
    };
    let fail = Fail::new(
        Exit::Handshake,
        format!("the {proxy} refused CONNECT {target}: {status_line}{body}"),
    );
    let fail = match status {
        407 if proxy.auth.is_none() => {
            fail.hint("the proxy wants credentials: http://USER:PASS@HOST:PORT")
        }
        407 => fail.hint("the proxy did not accept these credentials"),
        403 => fail.hint("the proxy does not allow this destination or port"),
        _ => fail,
    };
    Err(fail.err())
}

/// How far the head of a proxy's answer to CONNECT has come ([`answer`]).
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// Not complete yet: read on.
    More,
    /// It does not start as an HTTP response (`HTTP/`) does: a SOCKS proxy, say.
    NotHttp,
    /// The head is complete (it ends with a blank line, CRLF or bare LF as RFC 9112 2.2
    /// allows): the status code (0 when the status line has none) and the status line.
    Complete { status: u16, line: String },
}

/// Reads `head`, the bytes of a proxy's answer so far (RFC 9110 9.3.6: any 2xx opens the
/// tunnel). Told apart from a non-HTTP answer from its first bytes, so that nothing waits
/// for a blank line that will never come.
pub fn answer(head: &[u8]) -> Answer {
    const HTTP: &[u8] = b"HTTP/";
    let start = &head[..head.len().min(HTTP.len())];
    if !HTTP.starts_with(start) {
        return Answer::NotHttp;
    }
    if !(head.ends_with(b"\n\r\n") || head.ends_with(b"\n\n")) {
        return Answer::More;
    }
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(first).trim().to_string();
    // `HTTP/1.1 200 Connection established`: exactly three digits after the version.
    let status = line
        .split_whitespace()
        .nth(1)
        .filter(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Answer::Complete { status, line }
}

/// The words of an answer's body: tags (an HTML error page) and runs of white space dropped.
pub fn text_of(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn socks5_connect(
    stream: TcpStream,
    proxy: &Proxy,
    target: &HostPort,
) -> anyhow::Result<TcpStream> {
    let dest = (target.host.as_str(), target.port);
    let result = match &proxy.auth {
        Some((user, pass)) => {
            Socks5Stream::connect_with_password_and_socket(stream, dest, user, pass).await
        }
        None => Socks5Stream::connect_with_socket(stream, dest).await,
    };
    match result {
        Ok(stream) => Ok(stream.into_inner()),
        Err(tokio_socks::Error::Io(err)) => Err(anyhow::Error::new(err).context(Fail::new(
            Exit::Handshake,
            format!("the {proxy} failed while opening a tunnel to {target}"),
        ))),
        Err(err) => {
            use tokio_socks::Error as E;
            let hint = match err {
                E::NoAcceptableAuthMethods | E::PasswordAuthFailure(_) if proxy.auth.is_none() => {
                    Some("the proxy wants credentials: socks5://USER:PASS@HOST:PORT")
                }
                E::NoAcceptableAuthMethods | E::PasswordAuthFailure(_) => {
                    Some("the proxy did not accept these credentials")
                }
                E::ConnectionRefused => {
                    Some("nothing listens on that port, as seen from the proxy")
                }
                E::InvalidResponseVersion => {
                    Some("check that it is a SOCKS5 proxy (for HTTP, write http://)")
                }
                _ => None,
            };
            let fail = Fail::new(
                Exit::Handshake,
                format!(
                    "the {proxy} refused a tunnel to {target}: {}",
                    crate::exit::tidy(&err.to_string())
                ),
            );
            Err(fail.maybe_hint(hint).err())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = parse("socks5://u%40x:p%3Ass@[::1]:9050", None).unwrap();
        assert_eq!(p.kind, Kind::Socks5);
        assert_eq!(p.addr, HostPort::new("::1", 9050));
        assert_eq!(p.auth, Some(("u@x".into(), "p:ss".into())));
        let p = parse("proxy.example:3128", Some("http_proxy")).unwrap();
        assert_eq!((p.kind, p.addr.port), (Kind::Http, 3128));
        assert_eq!(parse("http://h", None).unwrap().addr.port, 80);
        assert!(parse("https://h:443", None).is_err());
        assert!(parse("socks4://h:1080", None).is_err());
    }

    #[test]
    fn connect_answers() {
        let done = |status: u16, line: &str| Answer::Complete {
            status,
            line: line.into(),
        };
        assert_eq!(answer(b""), Answer::More);
        assert_eq!(answer(b"HTT"), Answer::More);
        assert_eq!(answer(b"HTTP/1.1 200 OK\r\n"), Answer::More);
        assert_eq!(
            answer(b"HTTP/1.1 200 OK\r\n\r\n"),
            done(200, "HTTP/1.1 200 OK")
        );
        assert_eq!(
            answer(b"HTTP/1.0 407 No\nA: b\n\n"),
            done(407, "HTTP/1.0 407 No")
        );
        assert_eq!(
            answer(b"HTTP/1.1 2000 x\r\n\r\n"),
            done(0, "HTTP/1.1 2000 x")
        );
        // A SOCKS5 proxy's answer, or an SSH banner: refused from the first byte.
        assert_eq!(answer(b"\x05"), Answer::NotHttp);
        assert_eq!(answer(b"SSH-2.0"), Answer::NotHttp);
    }

    #[test]
    fn an_html_answer_is_shown_as_its_words() {
        let page = "<?xml version=\"1.0\"?>\n<html><head><title>407 Proxy Authentication \
                    Required</title></head>\n<body><h1>Denied</h1></body></html>";
        assert_eq!(text_of(page), "407 Proxy Authentication Required Denied");
        assert_eq!(text_of("plain  words\n"), "plain words");
    }

    #[test]
    fn no_proxy_entries() {
        let t = HostPort::new("api.example.com", 443);
        assert!(bypassed("example.com", &t));
        assert!(bypassed(".example.com", &t));
        assert!(bypassed("*.example.com", &t));
        assert!(bypassed("other, *", &t));
        assert!(bypassed("example.com:443", &t));
        assert!(!bypassed("example.com:80", &t));
        assert!(!bypassed("ample.com", &t));
        assert!(bypassed("10.0.0.0/8", &HostPort::new("10.1.2.3", 1)));
        assert!(!bypassed("10.0.0.0/8", &HostPort::new("11.1.2.3", 1)));
        assert!(bypassed("::1", &HostPort::new("::1", 1)));
        assert!(bypassed("[::1]:5", &HostPort::new("::1", 5)));
        assert!(bypassed("fd00::/8", &HostPort::new("fd12::1", 5)));
        assert!(!bypassed("", &t));
    }

    #[test]
    fn variables_by_scheme() {
        let env = |name: &str| match name {
            "http_proxy" => Some("http://h:1".to_string()),
            "ALL_PROXY" => Some("socks5://s:2".to_string()),
            "NO_PROXY" => Some("direct.example".to_string()),
            _ => None,
        };
        let t = HostPort::new("x.example", 80);
        let pick = |scheme, t: &HostPort| choose_from(None, scheme, t, env).unwrap();
        assert_eq!(pick(Scheme::Ws, &t).unwrap().addr, HostPort::new("h", 1));
        assert_eq!(pick(Scheme::Wss, &t).unwrap().addr, HostPort::new("s", 2));
        assert_eq!(pick(Scheme::Tcp, &t).unwrap().kind, Kind::Socks5);
        assert_eq!(
            pick(Scheme::Ws, &HostPort::new("a.direct.example", 80)),
            None
        );
        let explicit = choose_from(
            Some("http://e:3"),
            Scheme::Ws,
            &HostPort::new("a.direct.example", 80),
            env,
        );
        assert_eq!(explicit.unwrap().unwrap().addr, HostPort::new("e", 3));
    }
}
