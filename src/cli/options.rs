//! The option groups the subcommands share (framing, WebSocket control, the local side,
//! scripting, client, TLS, server), each under its own help heading. See the house rules
//! for flags in `cli.rs`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, FromArgMatches};

use super::Linger;
use super::{parse_duration, parse_interval, parse_limit, parse_linger, parse_size};

/// A group of options as nobody gave them: clap's defaults, from the one place they are
/// declared (a `--to` upstream takes them: it has no options of its own).
pub fn defaults<A: Args + FromArgMatches>() -> A {
    let command = A::augment_args(clap::Command::new("defaults"));
    A::from_arg_matches(&command.get_matches_from(["defaults"])).expect("the defaults parse")
}

/// Where the byte stream of stdin/stdout or a command meets messages.
#[derive(Args, Debug)]
#[command(next_help_heading = "Framing")]
pub struct FramingArgs {
    /// Messages are NUL-terminated records instead of lines
    #[arg(short = '0', long = "null", conflicts_with = "binary")]
    pub null: bool,

    /// Send stdin in chunks as binary messages; write payloads raw, nothing added
    #[arg(short = 'b', long)]
    pub binary: bool,
}

/// WebSocket control: pings, closing, limits.
#[derive(Args, Debug)]
#[command(next_help_heading = "WebSocket")]
pub struct WsArgs {
    /// Compress messages with permessage-deflate (RFC 7692): ws connect offers it, ws listen
    /// accepts a client's offer (and offers it to a --to ws:// upstream)
    #[arg(long)]
    pub deflate: bool,

    /// Send a ping every DUR and show the round-trip time with -v
    #[arg(long, value_name = "DUR", value_parser = parse_interval)]
    pub ping_interval: Option<Duration>,

    /// End the connection when a ping has had no pong for DUR
    #[arg(long, value_name = "DUR", value_parser = parse_duration, requires = "ping_interval", default_value = "10s")]
    pub ping_timeout: Duration,

    /// The close code sent when our side ends
    #[arg(long, value_name = "CODE", default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1000..=4999))]
    pub close_code: u16,

    /// The close reason sent when our side ends (at most 123 bytes)
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub close_reason: String,

    /// How long to wait for the peer's Close after sending ours (not while the peer is still
    /// taking the data sent before it)
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = parse_duration)]
    pub close_timeout: Duration,

    /// After the end of input, close once the peer has sent nothing for DUR (0: at once;
    /// `forever`: wait for the peer's Close). Default: 1s for a client and a --to bridge; a
    /// listener waits for the client's Close; --exec closes at once
    #[arg(long, value_name = "DUR", value_parser = parse_linger)]
    pub linger: Option<Linger>,

    /// The largest message accepted (and sent); a bigger one closes with 1009. A message is
    /// held whole, so at most the machine's memory
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    pub max_message_size: usize,
}

/// The local side of a connection: stdin/stdout unless one of these is given.
#[derive(Args, Debug)]
#[command(next_help_heading = "Local side")]
pub struct LocalArgs {
    /// Send back everything that arrives, instead of using stdin/stdout
    #[arg(long, conflicts_with = "exec")]
    pub echo: bool,

    /// Run CMD through `sh -c` for each connection, wired to its stdin/stdout
    #[arg(short = 'e', long, value_name = "CMD")]
    pub exec: Option<String>,

    /// Pipe stdin/stdout plainly even on a terminal (no interactive prompt)
    #[arg(long)]
    pub no_repl: bool,

    /// The prompt's history file [default: $XDG_STATE_HOME/wsctl/history, else
    /// ~/.local/state/wsctl/history]
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

/// For scripts: one exchange and exit, never hang.
#[derive(Args, Debug)]
#[command(next_help_heading = "Scripting")]
pub struct ScriptArgs {
    /// Send TEXT right after connecting (repeatable, in order; a line for tcp) instead of
    /// reading stdin, then keep receiving
    #[arg(long = "send", value_name = "TEXT", conflicts_with = "recv_only")]
    pub send: Vec<String>,

    /// Exit 0 after N messages (lines for tcp, datagrams for udp) have been received and
    /// written, closing cleanly
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Ignore stdin and never close because of it: run until the peer closes
    #[arg(long)]
    pub recv_only: bool,

    /// Write nothing that is received
    #[arg(long, conflicts_with = "recv_only")]
    pub send_only: bool,

    /// Give up (exit 1) when the whole run has taken DUR
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Give up (exit 1) after DUR without data either way
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub idle_timeout: Option<Duration>,
}

#[derive(Args, Debug)]
#[command(next_help_heading = "Connecting")]
pub struct ClientArgs {
    /// Give up connecting after DUR (e.g. 500ms, 10s, 2m; 0: no limit)
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_limit)]
    pub connect_timeout: Duration,

    /// Connect again when the connection fails or ends (exponential backoff with jitter),
    /// until stdin ends
    #[arg(long)]
    pub reconnect: bool,

    /// With --reconnect: give up after N failed attempts in a row (default: never)
    #[arg(long, value_name = "N", requires = "reconnect")]
    pub retries: Option<u32>,

    /// Connect through this proxy: http://[USER:PASS@]HOST:PORT (CONNECT) or
    /// socks5://[USER:PASS@]HOST:PORT (the proxy resolves names); default from
    /// https_proxy/http_proxy/all_proxy unless no_proxy names the host
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// With --reconnect: the longest wait between attempts
    #[arg(long, value_name = "DUR", default_value = "30s", value_parser = parse_duration)]
    pub reconnect_max_delay: Duration,
}

/// TLS for clients: wss:// URLs and `tcp connect --tls`; and for a listener's TLS upstream
/// (`--to wss://`, `tls://`). Its heading is set where it is flattened.
#[derive(Args, Debug)]
pub struct TlsClientArgs {
    /// Trust only the certificates in FILE (PEM, may hold several) instead of the web roots
    /// and the system's store: CAs, or the server's own self-signed certificate (as curl's
    /// --cacert)
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// Do not check the server's certificate (unsafe; says so on stderr)
    #[arg(long, conflicts_with = "ca")]
    pub insecure: bool,

    /// Present this client certificate (PEM, chain allowed)
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// The private key of --cert (PEM: RSA, ECDSA or Ed25519)
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// The server name to send (SNI) and to check the certificate against (default: the host)
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
}

/// TLS for listeners.
#[derive(Args, Debug)]
#[command(next_help_heading = "TLS")]
pub struct TlsServerArgs {
    /// Serve TLS with this certificate (PEM, chain allowed); needs --tls-key
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: RSA, ECDSA or Ed25519)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve TLS with a fresh self-signed certificate for localhost and the listen address
    /// (its SHA-256 fingerprint is shown on stderr)
    #[arg(long)]
    pub tls_self_signed: bool,

    /// Require client certificates issued by the CAs in FILE (PEM)
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(next_help_heading = "Serving")]
pub struct ServerArgs {
    /// Keep listening after a connection ends: with --echo or --exec, clients are served at
    /// once; with stdin/stdout, one after another
    #[arg(short = 'k', long)]
    pub keep_open: bool,

    /// Serve at most N clients at once; more are refused (WebSocket: HTTP 503) and logged.
    /// Default with -k --exec: 100 (as ncat)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_conns: Option<u64>,

    /// Accept clients only from this address or CIDR block (repeatable)
    #[arg(long, value_name = "CIDR")]
    pub allow: Vec<String>,

    /// Close clients from this address or CIDR block at once (repeatable; wins over --allow)
    #[arg(long, value_name = "CIDR")]
    pub deny: Vec<String>,

    /// Close a client's connection after DUR without data either way (0: never). Default
    /// with -k --exec: 10m
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub idle_timeout: Option<Duration>,

    /// With stdin/stdout: serve clients at once, send each stdin line to all of them, and
    /// write every client's lines to stdout (implies -k)
    #[arg(long, conflicts_with_all = ["echo", "exec", "to", "idle_timeout"])]
    pub broadcast: bool,

    /// Like --broadcast, and each client's lines also go to every other client
    #[arg(long, conflicts_with_all = ["echo", "exec", "to", "idle_timeout", "broadcast"])]
    pub chat: bool,

    /// Forward each client to its own upstream connection: tcp://HOST:PORT, tls://HOST:PORT,
    /// ws://..., wss://... or unix:PATH (byte streams travel as binary messages)
    #[arg(long, value_name = "URL", conflicts_with_all = ["echo", "exec"])]
    pub to: Option<String>,

    /// Close a client that has not finished its TLS / WebSocket handshake within DUR
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,
}

/// `-s` and `--source-port` (ncat's `-s` and `-p`): the local end a client binds first
/// (`tcp connect`, `udp send`). Its heading is set where it is flattened.
#[derive(Args, Debug)]
pub struct SourceArgs {
    /// Bind the local end to ADDR (one of this machine's addresses) before connecting (over
    /// UDP, sending), as `ncat -s`
    #[arg(short = 's', long, value_name = "ADDR")]
    pub source: Option<std::net::IpAddr>,

    /// Bind the local end to PORT before connecting (over UDP, sending), as `ncat -p`
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub source_port: Option<u16>,
}

impl SourceArgs {
    /// The local end to bind, as the transports take it.
    pub fn source(&self) -> crate::net::addr::Source {
        crate::net::addr::Source {
            ip: self.source,
            port: self.source_port,
        }
    }
}
