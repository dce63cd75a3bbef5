//! `ws connect` and `ws listen`, checked: the URL taken apart, headers and subprotocols
//! validated, the close code and reason checked against RFC 6455.

use std::time::Duration;

use tokio_tungstenite::tungstenite::http::{self, HeaderName, HeaderValue};

use super::{
    HostPort, Local, Remote, Serving, Upstream, forward, framing, local, parse_bind_words,
    reconnect, remote, script, serving, tls_client_options, tls_server_options, usage,
};
use crate::cli::{WsArgs, WsConnectArgs, WsListenArgs};
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
use crate::net::Linger;
use crate::net::addr::{ListenOn, Source};
use crate::net::proxy::{self, Scheme};
use crate::net::tls::{self, TlsServer};
use crate::net::ws::accept::AcceptRules;
use crate::net::ws::handshake::ClientRequest;
use crate::net::ws::{Settings, close_problem};
use crate::reconnect::Reconnect;
use crate::script::Script;

/// `ws connect`, checked.
#[derive(Debug, Clone)]
pub struct WsClient {
    /// Where to connect, through which proxy, with which TLS.
    pub remote: Remote,
    /// The opening handshake's request.
    pub request: ClientRequest,
    /// Where messages come from and go to.
    pub local: Local,
    /// How a byte-stream local side meets messages (lines, `-0`, `-b`).
    pub framing: Framing,
    /// Pings, closing and limits of the session.
    pub control: Settings,
    /// `--send`, `--count` and the other scripting options.
    pub script: Script,
    /// `--reconnect`: how to connect again.
    pub reconnect: Option<Reconnect>,
    /// `-L`: redirects are followed, with what a new host needs.
    pub follow: Option<Follow>,
}

/// What following a redirect to another URL needs: the TLS options and the `--proxy` given.
#[derive(Debug, Clone)]
pub struct Follow {
    pub tls: tls::ClientOptions,
    pub proxy: Option<String>,
}

/// The most redirects `-L` follows (curl's default is 50; browsers stop near 20).
pub const MAX_REDIRECTS: usize = 5;

/// `cfg` for the URL a redirect's `location` names (relative to the URL asked), for `-L`:
/// `http(s)://` mean `ws(s)://`; a redirect from `wss://` down to `ws://` is refused (exit 4);
/// when the host or port changes, `--auth` and `Authorization`/`Cookie`/`Host` fields are
/// dropped.
pub fn redirected(cfg: &WsClient, follow: &Follow, location: &str) -> anyhow::Result<WsClient> {
    let next = cfg.request.url.join(location).map_err(|e| {
        Fail::new(
            Exit::Handshake,
            format!("the redirect's Location `{location}` is not a URL ({e})"),
        )
        .err()
    })?;
    let WsUrl {
        url,
        target,
        scheme,
        auth,
    } = ws_url(next.as_str())?;
    if cfg.remote.tls.is_some() && scheme == Scheme::Ws {
        return Err(Fail::new(
            Exit::Handshake,
            format!("not following a redirect from wss:// down to {url}"),
        )
        .hint("connect to it yourself if a plain connection is what you want")
        .err());
    }
    let mut next = cfg.clone();
    if target != cfg.remote.target {
        next.request.auth = None;
        next.request.headers.retain(|(name, _)| {
            // A -H Host names the old host, as curl drops it too.
            name != http::header::AUTHORIZATION
                && name != http::header::COOKIE
                && name != http::header::HOST
        });
    }
    if auth.is_some() {
        next.request.auth = auth;
    }
    next.remote = Remote {
        proxy: proxy::choose(follow.proxy.as_deref(), scheme, &target)?,
        tls: (scheme == Scheme::Wss)
            .then(|| tls::client(&follow.tls, &target.host))
            .transpose()?,
        target,
        connect_timeout: cfg.remote.connect_timeout,
        source: cfg.remote.source,
        // curl keeps to its --unix-socket across redirects too.
        unix: cfg.remote.unix.clone(),
    };
    next.request.url = url;
    Ok(next)
}

/// `ws listen`, checked.
#[derive(Debug, Clone)]
pub struct WsServer {
    /// The address listened on (port 0: any free port), or a Unix socket.
    pub bind: ListenOn,
    /// `--path`: the only request path served (others get 404).
    pub path: Option<String>,
    /// `--protocol`: subprotocols, in our order of preference.
    pub protocols: Vec<String>,
    /// Where messages come from and go to.
    pub local: Local,
    /// How a byte-stream local side meets messages (lines, `-0`, `-b`).
    pub framing: Framing,
    /// Pings, closing and limits of the session.
    pub control: Settings,
    /// How clients are taken (`-k`, `--max-conns`, access, timeouts).
    pub serving: Serving,
    /// TLS for `wss://` clients.
    pub tls: Option<TlsServer>,
    /// `--to`: each client's own upstream.
    pub forward: Option<Upstream>,
}

impl WsClient {
    /// Whether the local side is a raw byte stream (`-b` with stdin/stdout or a command).
    pub fn bulk(&self) -> bool {
        bulk(&self.local, self.framing)
    }
}

impl WsServer {
    /// What the listener accepts in a handshake, from its settings.
    pub fn accept_rules(&self) -> AcceptRules {
        AcceptRules {
            path: self.path.clone(),
            protocols: self.protocols.clone(),
            tls: self.tls.clone(),
            handshake_timeout: self.serving.handshake_timeout,
            // Only a program reads the request's environment: for the rest it would be held
            // all connection long for nothing.
            wants_env: matches!(self.local, Local::Exec(_)),
            settings: self.control.clone(),
            bulk: bulk(&self.local, self.framing),
        }
    }
}

/// Whether the local side is a raw byte stream (`-b` with stdin/stdout or a command): echo
/// sends messages back whole, so it is not.
fn bulk(local: &Local, framing: Framing) -> bool {
    framing == Framing::Binary && *local != Local::Echo
}

/// A client's `--linger` when none is given.
pub const LINGER: Linger = Linger::After(Duration::from_secs(1));

/// The end-of-input rule (README, "Closing"): `given` (`--linger`), else 1 s for a client
/// and a `--to` bridge, until the client's Close for a listener's own stdin (as `tcp listen`
/// keeps receiving after its half-close); a program (`--exec`) that ends closes at once
/// (websocketd), as its output is all delivered by then.
pub fn linger(given: Option<Linger>, local: &Local, listener: bool, bridge: bool) -> Linger {
    match (given, local) {
        (Some(linger), _) => linger,
        (None, Local::Exec(_)) => Linger::After(Duration::ZERO),
        (None, _) if listener && !bridge => Linger::Forever,
        (None, _) => LINGER,
    }
}

/// The session's [`Settings`] from its options; `bridge`: a `--to` upstream or a listener
/// that forwards to one.
pub(super) fn ws_control(
    args: WsArgs,
    local: &Local,
    listener: bool,
    bridge: bool,
) -> anyhow::Result<Settings> {
    if let Some((what, hint)) = close_problem(args.close_code, &args.close_reason) {
        return Err(usage(what, hint));
    }
    Ok(Settings {
        ping_interval: args.ping_interval,
        ping_timeout: args.ping_timeout,
        close_code: args.close_code,
        close_reason: args.close_reason,
        close_timeout: args.close_timeout,
        max_message_size: crate::net::ws::message_limit(args.max_message_size),
        hold_close: matches!(local, Local::Echo | Local::Exec(_)),
        show_control: matches!(local, Local::Repl(_)),
        forward_close: false,
        linger: linger(args.linger, local, listener, bridge),
        deflate: args.deflate,
    })
}

/// A WebSocket URL taken apart: the request URL (without user:pass), where to connect, and
/// the Basic credentials it carried.
pub struct WsUrl {
    /// The URL as requested, without `user:pass@`.
    pub url: url::Url,
    /// Where to connect: the URL's host and port (80 or 443 by default).
    pub target: HostPort,
    /// `ws` or `wss`.
    pub scheme: Scheme,
    /// `user:pass` taken out of the URL, for Basic authentication.
    pub auth: Option<String>,
}

/// Reads a WebSocket URL: `ws://` or `wss://`, also given as `http://`/`https://` or with no
/// scheme at all (`localhost:8080/chat`, `example.com`: ws://, port 80), as wscat and websocat
/// users write them. Usage error (exit 2) for any other scheme or no host.
/// `text` with its scheme (before `://`) in lower case: schemes are case-insensitive (RFC 3986
/// 3.1), so `HTTP://` and `WSS://` are taken as `http://` and `wss://`.
pub fn lower_scheme(text: &str) -> String {
    match text.split_once("://") {
        Some((scheme, rest)) => format!("{}://{rest}", scheme.to_ascii_lowercase()),
        None => text.to_string(),
    }
}

pub fn ws_url(text: &str) -> anyhow::Result<WsUrl> {
    // `unix:PATH` is how `ws listen` names a Unix socket; a client names it apart.
    if let Some(path) = text.strip_prefix("unix:").filter(|p| !p.starts_with("//")) {
        return Err(usage(
            format!("`{text}` is a Unix socket, not a WebSocket URL"),
            &format!(
                "connect to it with --unix-socket {path} ws://localhost/PATH (the URL gives Host and path)"
            ),
        ));
    }
    let text = lower_scheme(text);
    // The habits of the peers: a bare HOST[:PORT][/PATH] is ws:// (websocat, wscat), and
    // http(s):// mean ws(s):// (wscat takes them so).
    let text = match text.split_once("://") {
        None => format!("ws://{text}"),
        Some(("http", rest)) => format!("ws://{rest}"),
        Some(("https", rest)) => format!("wss://{rest}"),
        Some(_) => text.to_string(),
    };
    let text = text.as_str();
    let mut url = url::Url::parse(text).map_err(|e| {
        usage(
            format!("invalid URL `{text}` ({e})"),
            "write ws://HOST[:PORT]/PATH",
        )
    })?;
    let scheme = match url.scheme() {
        "ws" => Scheme::Ws,
        "wss" => Scheme::Wss,
        other => {
            return Err(usage(
                format!("`{other}://` is not a WebSocket URL"),
                "write ws://HOST[:PORT]/PATH",
            ));
        }
    };
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => {
            return Err(usage(
                format!("`{url}` has no host"),
                "write ws://HOST[:PORT]/PATH",
            ));
        }
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let mut auth = None;
    // `ws://:PASS@host` has a password and no user name: still credentials, still taken out.
    if !url.username().is_empty() || url.password().is_some() {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let user = decode(url.username());
        let pass = decode(url.password().unwrap_or(""));
        auth = Some(format!("{user}:{pass}"));
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    Ok(WsUrl {
        url,
        target: HostPort::new(host, port),
        scheme,
        auth,
    })
}

pub(super) fn ws_client(args: Box<WsConnectArgs>) -> anyhow::Result<WsClient> {
    let WsUrl {
        url,
        target,
        scheme,
        auth: url_auth,
    } = ws_url(&args.url)?;
    let tls_opts = tls_client_options(args.tls_client);
    if let (Scheme::Ws, Some(flag)) = (scheme, tls_opts.first_flag()) {
        return Err(usage(
            format!("{flag} is for TLS connections"),
            "use a wss:// URL to speak TLS to the server",
        ));
    }
    let follow = args.location.then(|| Follow {
        tls: tls_opts.clone(),
        proxy: args.client.proxy.clone(),
    });
    let tls = (scheme == Scheme::Wss).then_some(tls_opts);
    // --auth wins over user:pass in the URL.
    let auth = args.auth.or(url_auth);
    let local_side = local(args.local, super::scripted(&args.script));
    let mut headers = Vec::new();
    for header in &args.headers {
        headers.push(parse_header(header)?);
    }
    let origin = args
        .origin
        .map(|o| {
            HeaderValue::from_str(&o)
                .map_err(|_| usage(format!("invalid --origin `{o}`"), "give a URL"))
        })
        .transpose()?;
    let mut remote = remote(target, &args.client, tls, scheme, Source::default())?;
    if let Some(path) = &args.unix_socket {
        if scheme == Scheme::Wss {
            return Err(usage(
                "--unix-socket takes ws:// URLs: TLS over a Unix socket is not offered".into(),
                "write the URL as ws://HOST/PATH",
            ));
        }
        remote.unix = Some(crate::net::unix::parse_name(path)?);
        // The socket is the way there: no proxy from the environment either.
        remote.proxy = None;
    }
    Ok(WsClient {
        remote,
        request: ClientRequest {
            url,
            headers,
            protocols: check_protocols(args.protocols)?,
            origin,
            auth,
        },
        control: ws_control(args.ws, &local_side, false, false)?,
        local: local_side,
        framing: framing(&args.framing),
        script: script(args.script),
        reconnect: reconnect(&args.client),
        follow,
    })
}

pub(super) fn ws_server(args: Box<WsListenArgs>) -> anyhow::Result<WsServer> {
    if let Some(path) = &args.path {
        if !path.starts_with('/') {
            return Err(usage(
                format!("--path `{path}` does not start with /"),
                "write --path /PATH",
            ));
        }
    }
    let bind = listen_on(&args.addr, args.port.as_deref(), args.mode.as_deref())?;
    if bind.ip().is_none() {
        super::no_access_rules(&args.server)?;
    }
    let mut forward = forward::parse_to(
        args.server.to.as_deref(),
        &super::tls_client_options(args.tls_upstream),
    )?;
    forward::not_itself(forward.as_ref(), &bind)?;
    // --deflate: each side negotiates on its own, the upstream offered it too.
    if let Some(Upstream::Ws(up)) = &mut forward {
        up.control.deflate = args.ws.deflate;
    }
    let local_side = local(args.local, false);
    let mut control = ws_control(args.ws, &local_side, true, forward.is_some())?;
    // The client's Close waits for what the upstream still sends after its half-close (or
    // its Close, whose code the client gets).
    control.hold_close |= forward.is_some();
    control.forward_close = forward.as_ref().is_some_and(Upstream::is_ws);
    let serving = serving(args.server, &local_side)?;
    Ok(WsServer {
        tls: match bind.ip() {
            Some(at) => tls::server(&tls_server_options(args.tls_server), at)?,
            None => no_tls_on_unix(&args.tls_server)?,
        },
        forward,
        control,
        bind,
        path: args.path,
        protocols: check_protocols(args.protocols)?,
        local: local_side,
        framing: framing(&args.framing),
        serving,
    })
}

/// `[HOST:]PORT` (or `HOST PORT`), or `unix:PATH` with its `--mode`.
fn listen_on(addr: &str, port: Option<&str>, mode: Option<&str>) -> anyhow::Result<ListenOn> {
    let Some(path) = addr.strip_prefix("unix:") else {
        if mode.is_some() {
            return Err(usage(
                "--mode is for a Unix socket".into(),
                "listen on unix:PATH, or leave --mode out",
            ));
        }
        return parse_bind_words(addr, port).map(ListenOn::Ip);
    };
    if let Some(port) = port {
        return Err(usage(
            format!("unexpected `{port}` after {addr}"),
            "a Unix socket has no port: give unix:PATH alone",
        ));
    }
    ListenOn::unix(path, mode)
}

/// TLS is for TCP listeners: its flags on a Unix socket are a usage error.
fn no_tls_on_unix(args: &crate::cli::TlsServerArgs) -> anyhow::Result<Option<TlsServer>> {
    if args.tls_cert.is_some() || args.tls_self_signed || args.client_ca.is_some() {
        return Err(usage(
            "TLS is for TCP listeners: a Unix socket is served as ws:// only".into(),
            "leave out --tls-cert, --tls-self-signed and --client-ca, or listen on a port",
        ));
    }
    Ok(None)
}

/// `Name: value` as given to `-H`.
fn parse_header(text: &str) -> anyhow::Result<(HeaderName, HeaderValue)> {
    let bad = || usage(format!("invalid header `{text}`"), "write -H 'Name: value'");
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad())?;
    let value = HeaderValue::from_str(value.trim()).map_err(|_| bad())?;
    Ok((name, value))
}

/// Subprotocol names are HTTP tokens: no spaces, commas or separators.
fn check_protocols(protocols: Vec<String>) -> anyhow::Result<Vec<String>> {
    for p in &protocols {
        if p.is_empty() || HeaderName::from_bytes(p.as_bytes()).is_err() {
            return Err(usage(
                format!("invalid subprotocol name `{p}`"),
                "a subprotocol is one token, such as chat.v1",
            ));
        }
    }
    Ok(protocols)
}

#[cfg(test)]
#[path = "ws_tests.rs"]
mod tests;
