//! The whole user-facing surface, as clap derive types. Doc comments are the help text.
//!
//! Parsed arguments are turned into a validated [`crate::config::Config`] before any work.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_CODES_HELP;
use crate::net::Linger;

/// TCP, UDP and WebSocket from the command line: connect or listen, and pipe stdin/stdout
/// through the connection.
///
/// When stdin and stdout are terminals, connect and listen open an interactive prompt instead
/// (type /help there; --no-repl pipes plainly). Its history is kept in
/// $XDG_STATE_HOME/wsctl/history (else ~/.local/state/wsctl/history), or in --history FILE.
#[derive(Parser, Debug)]
#[command(name = "wsctl", version, after_help = EXIT_CODES_HELP, propagate_version = true)]
pub struct Cli {
    /// Show more on stderr (repeat for more detail)
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Show only errors on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    /// How status lines and events are written on stderr
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = EventFormat::Text, global = true)]
    pub events: EventFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// TCP client and server
    #[command(subcommand)]
    Tcp(TcpCommand),

    /// WebSocket client and server (RFC 6455)
    #[command(subcommand)]
    Ws(WsCommand),

    /// UDP: datagrams to and from stdin/stdout
    #[command(subcommand)]
    Udp(UdpCommand),

    /// Print a completion script for SHELL on stdout
    Completions {
        /// bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub enum TcpCommand {
    /// Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it
    #[command(
        after_help = "Every address HOST resolves to is tried in turn. Stdin EOF \
        half-closes the connection; wsctl keeps printing until the peer closes."
    )]
    Connect(TcpConnectArgs),

    /// Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout
    #[command(
        after_help = "The first line on stderr is `listening on ADDR` with the bound \
        address, so PORT 0 (any free port) is usable from scripts. Without --keep-open, one \
        connection is served and wsctl exits when it ends. The first Ctrl-C or SIGTERM \
        stops accepting and lets connections finish (exit 0); a second Ctrl-C exits at once."
    )]
    Listen(TcpListenArgs),
}

#[derive(Args, Debug)]
pub struct TcpConnectArgs {
    /// Host name or address; or HOST:PORT, or [IPv6]:PORT
    pub host: String,

    /// Port, when HOST does not carry one
    pub port: Option<String>,

    /// Speak TLS to the server (verified as for wss://)
    #[arg(long)]
    pub tls: bool,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub tls_client: TlsClientArgs,

    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct TcpListenArgs {
    /// [HOST:]PORT to listen on; all interfaces when HOST is left out, PORT 0 picks a free port
    #[arg(value_name = "[HOST:]PORT")]
    pub addr: String,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub tls_server: TlsServerArgs,
}

#[derive(Subcommand, Debug)]
pub enum WsCommand {
    /// Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it
    #[command(
        after_help = "Each stdin line is one text message and each message received is \
        printed followed by a newline (-0: NUL instead; -b: binary chunks, payloads raw). After \
        stdin EOF wsctl keeps printing, and sends its Close once everything is sent and the \
        server has been quiet for --linger (1s), or answers the server's Close. Input the server \
        closed on before it could be sent is reported with its size (exit 1)."
    )]
    Connect(Box<WsConnectArgs>),

    /// Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout
    #[command(
        after_help = "The first line on stderr is `listening on ADDR` with the bound \
        address. Without --keep-open, one WebSocket connection is served and wsctl exits when it \
        ends (a client whose handshake fails does not count). Stdin EOF does not close: the \
        client is read until it closes, as tcp listen does. An --exec command gets the request \
        in its environment as websocketd gives it: PATH_INFO, QUERY_STRING, REMOTE_ADDR, \
        REMOTE_PORT, HTTP_* headers and more. The first Ctrl-C or SIGTERM stops accepting \
        and closes each connection with 1001 (exit 0); a second Ctrl-C exits at once."
    )]
    Listen(Box<WsListenArgs>),
}

#[derive(Args, Debug)]
pub struct WsConnectArgs {
    /// ws:// or wss://HOST[:PORT][/PATH][?QUERY] (user:pass@ in the URL is sent as Basic auth)
    pub url: String,

    /// Extra request header 'Name: value' (repeatable; may override Host)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Offer this subprotocol (repeatable, in order of preference)
    #[arg(long = "protocol", value_name = "NAME")]
    pub protocols: Vec<String>,

    /// Send this Origin header
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,

    /// Send Basic authentication
    #[arg(long, value_name = "USER:PASS")]
    pub auth: Option<String>,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,

    #[command(flatten)]
    pub ws: WsArgs,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub tls_client: TlsClientArgs,

    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct WsListenArgs {
    /// [HOST:]PORT to listen on; all interfaces when HOST is left out, PORT 0 picks a free port
    #[arg(value_name = "[HOST:]PORT")]
    pub addr: String,

    /// Accept WebSocket requests only for this path (others get 404)
    #[arg(long, value_name = "/PATH")]
    pub path: Option<String>,

    /// A subprotocol this server speaks (repeatable, in order of preference): the first one
    /// the client offers is selected
    #[arg(long = "protocol", value_name = "NAME")]
    pub protocols: Vec<String>,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,

    #[command(flatten)]
    pub ws: WsArgs,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub tls_server: TlsServerArgs,
}

#[derive(Subcommand, Debug)]
pub enum UdpCommand {
    /// Send each stdin line to HOST PORT as one datagram and print the replies
    #[command(
        visible_alias = "connect",
        after_help = "Each stdin line (without its newline) is one datagram; -0: each \
        NUL-terminated record; -b: each chunk read. Each datagram received is printed followed \
        by a newline (-b: raw). After stdin EOF, replies are awaited for --wait. A port \
        unreachable (nothing listens) ends the run with exit 3."
    )]
    Send(UdpSendArgs),

    /// Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent
    #[command(
        after_help = "The first line on stderr is `listening on ADDR`. Runs until \
        interrupted. -v shows each datagram's sender on stderr. --echo sends every datagram \
        back to its sender; --exec runs one CMD per sender, fed that sender's datagrams as \
        lines, its output lines sent back to it."
    )]
    Listen(UdpListenArgs),
}

#[derive(Args, Debug)]
pub struct UdpSendArgs {
    /// Host name or address; or HOST:PORT, or [IPv6]:PORT
    pub host: String,

    /// Port, when HOST does not carry one
    pub port: Option<String>,

    /// After stdin EOF, wait for replies until none has come for DUR (`forever`: until
    /// interrupted)
    #[arg(long, visible_alias = "wait", value_name = "DUR", default_value = "1s", value_parser = parse_linger)]
    pub linger: Linger,

    /// Allow sending to a broadcast address (SO_BROADCAST)
    #[arg(long)]
    pub broadcast: bool,

    /// Time to live (hop limit) of the datagrams sent, unicast and multicast
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=255))]
    pub ttl: Option<u32>,

    /// For a multicast destination: the interface to send on (IPv4 address, or IPv6
    /// interface name or index)
    #[arg(long, value_name = "IFACE")]
    pub interface: Option<String>,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,

    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct UdpListenArgs {
    /// [HOST:]PORT to listen on; all interfaces when HOST is left out, PORT 0 picks a free port
    #[arg(value_name = "[HOST:]PORT")]
    pub addr: String,

    /// Join this multicast group (IPv4 or IPv6)
    #[arg(long, value_name = "GROUP")]
    pub multicast: Option<std::net::IpAddr>,

    /// The interface to join the group on (IPv4 address, or IPv6 interface name or index)
    #[arg(long, value_name = "IFACE", requires = "multicast")]
    pub interface: Option<String>,

    /// Time to live (hop limit) of the datagrams sent back
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=255))]
    pub ttl: Option<u32>,

    /// With --exec: run at most N senders' commands at once; datagrams from new senders
    /// past that are dropped, with a warning [default: 100]
    #[arg(long, value_name = "N", requires = "exec", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_conns: Option<u64>,

    /// With --exec: end a sender's command (its stdin closed, then stopped) after DUR
    /// without a datagram either way (0: never) [default: 60s]
    #[arg(long, value_name = "DUR", requires = "exec", value_parser = parse_duration)]
    pub idle_timeout: Option<Duration>,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,
}

/// Where the byte stream of stdin/stdout or a command meets messages.
#[derive(Args, Debug)]
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
pub struct WsArgs {
    /// Send a ping every DUR and show the round-trip time with -v
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
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
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_message_size: usize,
}

/// The local side of a connection: stdin/stdout unless one of these is given.
#[derive(Args, Debug)]
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
pub struct ClientArgs {
    /// Give up connecting after DUR (e.g. 500ms, 10s, 2m)
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_duration)]
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

/// TLS for clients: wss:// URLs and `tcp connect --tls`.
#[derive(Args, Debug)]
#[command(next_help_heading = "TLS")]
pub struct TlsClientArgs {
    /// Trust only the CA certificates in FILE (PEM, may hold several) instead of the web
    /// roots and the system's store
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

    /// Forward each client to its own upstream connection: tcp://HOST:PORT, ws://... or
    /// wss://... (byte streams travel as binary messages)
    #[arg(long, value_name = "URL", conflicts_with_all = ["echo", "exec"])]
    pub to: Option<String>,

    /// Close a client that has not finished its TLS / WebSocket handshake within DUR
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    /// Status lines for people
    Text,
    /// One JSON object per line
    Json,
}

/// Humane durations: `500ms`, `10s`, `2m`, `1h 30m`.
/// `--linger`: a duration, `0` or `forever`.
pub fn parse_linger(s: &str) -> Result<Linger, String> {
    Linger::parse(s)
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (write durations like 500ms, 10s or 2m)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_are_humane() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
    }
}
