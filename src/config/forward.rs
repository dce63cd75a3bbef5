//! `--to URL`, checked: where a listener forwards each client (`tcp://HOST:PORT`, `ws://…`,
//! `wss://…` or `unix:PATH`). Opening and relaying an upstream is `forward.rs`'s.

use super::ws::ws_control;
use super::{Local, WsClient, parse_target, ws_url};
use crate::cli::{ClientArgs, WsArgs, defaults};
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
use crate::net::addr::{ListenOn, Source};
use crate::net::client::Remote;
use crate::net::proxy::{self, Scheme};
use crate::net::tls;
use crate::net::unix::{self, UnixName};
use crate::net::ws::Settings;
use crate::net::ws::handshake::ClientRequest;
use crate::script::Script;

/// Where `--to` forwards.
#[derive(Debug, Clone)]
pub enum Upstream {
    Tcp(Box<Remote>),
    Ws(Box<WsClient>),
    /// `unix:PATH` (or `unix:@NAME`): a Unix stream socket, connected within the timeout.
    Unix(UnixName, std::time::Duration),
}

/// `--to` as given (if it is), with the listener's TLS options for the upstream (`--ca`,
/// `--insecure`, `--cert`/`--key`, `--sni`), which only a TLS upstream may take.
pub fn parse_to(
    to: Option<&str>,
    tls_opts: &tls::ClientOptions,
) -> anyhow::Result<Option<Upstream>> {
    let upstream = to.map(|to| parse(to, tls_opts)).transpose()?;
    let tls = upstream.as_ref().is_some_and(Upstream::is_tls);
    if let (false, Some(flag)) = (tls, tls_opts.first_flag()) {
        return Err(
            Fail::new(Exit::Usage, format!("{flag} is for a TLS upstream"))
                .hint("give --to wss://HOST/PATH or --to tls://HOST:PORT, or leave it out")
                .err(),
        );
    }
    Ok(upstream)
}

/// A listener forwarding to its own Unix socket would connect to itself for every client it
/// accepts, without end: a usage error.
pub fn not_itself(upstream: Option<&Upstream>, bind: &ListenOn) -> anyhow::Result<()> {
    if let (Some(Upstream::Unix(to, _)), ListenOn::Unix { name, .. }) = (upstream, bind) {
        if to == name {
            return Err(Fail::new(
                Exit::Usage,
                format!("--to {to} is the socket this listener listens on"),
            )
            .hint("each client would be forwarded to the listener itself: give another socket")
            .err());
        }
    }
    Ok(())
}

/// `tcp://HOST:PORT`, `tls://HOST:PORT` (TCP with TLS), `ws://...`, `wss://...` or
/// `unix:PATH` (`unix:@NAME`: abstract; case matters in a path, so only `unix:`); TLS is
/// verified as `tls_opts` say (the usual roots by default), and the proxy variables apply as
/// for clients.
pub fn parse(text: &str, tls_opts: &tls::ClientOptions) -> anyhow::Result<Upstream> {
    // An upstream has no options of its own: a client's defaults, as `--help` shows them.
    let connect_timeout = defaults::<ClientArgs>().connect_timeout;
    let usage = |what: String| {
        Fail::new(Exit::Usage, what)
            .hint("write --to tcp://HOST:PORT, tls://HOST:PORT, ws://HOST[:PORT]/PATH, wss://... or unix:PATH")
            .err()
    };
    if let Some(name) = text.strip_prefix("unix:") {
        return Ok(Upstream::Unix(unix::parse_name(name)?, connect_timeout));
    }
    let lowered = super::ws::lower_scheme(text);
    let text = lowered.as_str();
    let plain = text.strip_prefix("tcp://");
    let tls = text.strip_prefix("tls://");
    if let Some(rest) = plain.or(tls) {
        let target = parse_target(rest.trim_end_matches('/'), None)
            .map_err(|_| usage(format!("--to `{text}`: not HOST:PORT")))?;
        let tls = tls
            .map(|_| tls::client(tls_opts, &target.host))
            .transpose()?;
        return Ok(Upstream::Tcp(Box::new(Remote {
            proxy: proxy::choose(None, Scheme::Tcp, &target)?,
            target,
            tls,
            connect_timeout,
            source: Source::default(),
            unix: None,
        })));
    }
    if !(text.starts_with("ws://") || text.starts_with("wss://")) {
        return Err(usage(format!(
            "--to `{text}`: not a tcp://, tls://, ws://, wss:// or unix: address"
        )));
    }
    let parsed = ws_url(text)?;
    let tls = (parsed.scheme == Scheme::Wss)
        .then(|| tls::client(tls_opts, &parsed.target.host))
        .transpose()?;
    Ok(Upstream::Ws(Box::new(WsClient {
        remote: Remote {
            proxy: proxy::choose(None, parsed.scheme, &parsed.target)?,
            target: parsed.target,
            tls,
            connect_timeout,
            source: Source::default(),
            unix: None,
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
            // The Close of the client it serves goes on to the upstream.
            forward_close: true,
            ..ws_control(defaults::<WsArgs>(), &Local::Stdio, false, true)?
        },
        script: Script::default(),
        reconnect: None,
        follow: None,
    })))
}

impl Upstream {
    /// Whether the upstream is a WebSocket (so Close codes are passed to it).
    pub fn is_ws(&self) -> bool {
        matches!(self, Upstream::Ws(_))
    }

    /// Whether the upstream is reached over TLS (`tls://`, `wss://`).
    pub fn is_tls(&self) -> bool {
        match self {
            Upstream::Tcp(remote) => remote.tls.is_some(),
            Upstream::Ws(cfg) => cfg.remote.tls.is_some(),
            Upstream::Unix(..) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::config::{Config, Job};
    use clap::Parser;

    /// An upstream has no options: it takes what a client given none would have.
    #[test]
    fn an_upstream_takes_a_clients_defaults() {
        let Upstream::Ws(up) = parse("ws://127.0.0.1:1/", &tls::ClientOptions::default()).unwrap()
        else {
            panic!("a ws upstream")
        };
        let cli = Cli::try_parse_from(["wsctl", "ws", "connect", "ws://127.0.0.1:1/"]).unwrap();
        let Config {
            job: Job::WsConnect(client),
            ..
        } = Config::from_cli(cli).unwrap()
        else {
            panic!("a ws client")
        };
        let (a, b) = (&up.control, &client.control);
        assert_eq!(a.ping_interval, b.ping_interval);
        assert_eq!(a.ping_timeout, b.ping_timeout);
        assert_eq!(
            (a.close_code, &a.close_reason),
            (b.close_code, &b.close_reason)
        );
        assert_eq!(a.close_timeout, b.close_timeout);
        assert_eq!(a.max_message_size, b.max_message_size);
        assert_eq!(a.linger, b.linger);
        assert!(a.forward_close && !b.forward_close);
        assert_eq!(up.remote.connect_timeout, client.remote.connect_timeout);
    }
}
