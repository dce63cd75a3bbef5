//! The whole user-facing surface, as clap derive types. Doc comments are the help text.
//! The subcommands are here; the option groups they share are in `cli/options.rs`.
//!
//! Parsed arguments are turned into a validated [`crate::config::Config`] before any work.
//!
//! House rules for the command line (written down as xh does), for every new flag:
//! - **Names**: long names in kebab-case, in the field's own terms (`--close-code`, RFC
//!   6455's "close code"; `--handshake-timeout`; `--max-message-size`). A short letter only
//!   where a peer already gives it the same meaning: netcat's `-k` (keep listening), `-e`
//!   (`--exec`), `-v`, `-q`; curl's `-H`; `-b` and `-0` for binary and NUL records.
//! - **Groups**: a flag shared by several subcommands lives in one `#[derive(Args)]` group
//!   in `cli/options.rs`, flattened where it applies; every group sets its own
//!   `next_help_heading` (Local side, Framing, WebSocket, Connecting, TLS, Scripting,
//!   Serving), so that no heading runs on into the next group (`tests/cli.rs` checks where
//!   each flag shows). A subcommand's own flags show under `Options`.
//! - **Values**: `value_name` names the shape in capitals: `DUR`, `N`, `SIZE`, `FILE`,
//!   `URL`, `CMD`, `CODE`, `[HOST:]PORT`, `USER:PASS`. Durations go through
//!   [`parse_duration`] (humantime: `500ms`, `10s`, `2m`, or a bare number of seconds, as
//!   nc's `-w`), `--linger` through [`parse_linger`], sizes in bytes through [`parse_size`]
//!   (`64K`, `1M`, `1GiB`: powers of 1024; `1MB`: of 1000).
//! - **Defaults and units**: a default is given to clap (`default_value`, so the help shows
//!   `[default: 10s]`) with its unit in the value, or, where the code computes it, said in
//!   the help line; no number is copied by hand between the help and the code.
//! - **Help text**: the first line is short, with no final period; a paragraph more only
//!   where a rule needs it. Every flag is also in the README.

use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_CODES_HELP;

#[macro_use]
mod help;
mod options;
mod parse;
mod unix;

pub use options::*;
pub use parse::*;
pub use unix::*;

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

    /// Show only errors and warnings on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    /// How status lines and events are written on stderr
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = EventFormat::Text, global = true)]
    pub events: EventFormat,

    /// Write what each connection sends (>) and receives (<) to FILE (- for stderr), as
    /// `hexdump -C` shows it; WebSocket and UDP a block per message; under TLS the plaintext
    #[arg(long, value_name = "FILE", global = true)]
    pub hex_dump: Option<std::path::PathBuf>,

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

    /// Unix domain sockets: streams, and datagrams with --dgram
    #[command(subcommand)]
    Unix(UnixCommand),

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
        after_help = tcp_connect_notes!(),
        after_long_help = concat!(tcp_connect_notes!(), "\n\nExamples:\n", tcp_connect_examples!())
    )]
    Connect(TcpConnectArgs),

    /// Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout
    #[command(
        after_help = tcp_listen_notes!(),
        after_long_help = concat!(tcp_listen_notes!(), "\n\nExamples:\n", tcp_listen_examples!())
    )]
    Listen(TcpListenArgs),
}

#[derive(Args, Debug)]
pub struct TcpConnectArgs {
    /// Host name or address; or HOST:PORT, or [IPv6]:PORT
    pub host: String,

    /// Port, when HOST does not carry one; with -z, the ports to scan (20-25,80,443; or
    /// HOST:PORTS)
    pub port: Option<String>,

    /// Scan: connect to each of the ports and close at once, sending nothing; print
    /// `HOST:PORT open` for each that accepts (exit 0 if any does, 3 if none), as `nc -z`
    #[arg(
        short = 'z',
        long,
        help_heading = "Connecting",
        conflicts_with_all = ["tls", "crlf", "echo", "exec", "send", "count", "recv_only", "send_only", "reconnect", "proxy", "source_port"]
    )]
    pub scan: bool,

    /// Speak TLS to the server (verified as for wss://)
    #[arg(long, help_heading = "TLS")]
    pub tls: bool,

    /// Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed
    /// lines, stdin, a command's output, --send), as `ncat -C` does
    #[arg(short = 'C', long, help_heading = "Local side")]
    pub crlf: bool,

    #[command(flatten, next_help_heading = "Connecting")]
    pub source: SourceArgs,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten, next_help_heading = "TLS")]
    pub tls_client: TlsClientArgs,

    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct TcpListenArgs {
    /// [HOST:]PORT to listen on; all interfaces when HOST is left out, PORT 0 picks a free port
    #[arg(value_name = "[HOST:]PORT")]
    pub addr: String,

    /// The port, when the first word is the HOST alone (nc's order: `127.0.0.1 4444`)
    #[arg(value_name = "PORT")]
    pub port: Option<String>,

    /// Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed
    /// lines, stdin, a command's output), as `ncat -C` does
    #[arg(short = 'C', long, help_heading = "Local side", conflicts_with = "to")]
    pub crlf: bool,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(flatten)]
    pub tls_server: TlsServerArgs,

    /// TLS towards a `--to wss://` or `--to tls://` upstream (as a client's)
    #[command(flatten, next_help_heading = "TLS to the --to upstream")]
    pub tls_upstream: TlsClientArgs,
}

#[derive(Subcommand, Debug)]
pub enum WsCommand {
    /// Connect to URL (ws:// or wss://HOST[:PORT]/PATH) and pipe stdin/stdout through it
    #[command(
        after_help = ws_connect_notes!(),
        after_long_help = concat!(ws_connect_notes!(), "\n\nExamples:\n", ws_connect_examples!())
    )]
    Connect(Box<WsConnectArgs>),

    /// Listen on [HOST:]PORT for WebSocket clients and pipe one through stdin/stdout
    #[command(
        after_help = ws_listen_notes!(),
        after_long_help = concat!(ws_listen_notes!(), "\n\nExamples:\n", ws_listen_examples!())
    )]
    Listen(Box<WsListenArgs>),
}

#[derive(Args, Debug)]
pub struct WsConnectArgs {
    /// ws:// or wss://HOST[:PORT][/PATH][?QUERY] (user:pass@ in the URL is sent as Basic auth);
    /// without a scheme it is ws://, and http(s):// mean ws(s)://
    pub url: String,

    /// Extra request header 'Name: value' (repeatable; may override Host)
    #[arg(
        short = 'H',
        long = "header",
        value_name = "NAME: VALUE",
        help_heading = "Opening handshake"
    )]
    pub headers: Vec<String>,

    /// Offer this subprotocol (repeatable, in order of preference)
    #[arg(
        long = "protocol",
        value_name = "NAME",
        help_heading = "Opening handshake"
    )]
    pub protocols: Vec<String>,

    /// Send this Origin header
    #[arg(long, value_name = "URL", help_heading = "Opening handshake")]
    pub origin: Option<String>,

    /// Send Basic authentication
    #[arg(long, value_name = "USER:PASS", help_heading = "Opening handshake")]
    pub auth: Option<String>,

    /// Follow redirects (3xx), at most 5, never from wss:// down to ws://; credentials
    /// (--auth, Authorization and Cookie headers) are dropped when the host changes, as curl
    /// does
    #[arg(short = 'L', long, help_heading = "Opening handshake")]
    pub location: bool,

    /// Connect to the Unix socket PATH (or @NAME) instead of the URL's host, which still
    /// gives the Host header and the path, as curl's --unix-socket
    #[arg(
        long,
        value_name = "PATH",
        help_heading = "Connecting",
        conflicts_with = "proxy"
    )]
    pub unix_socket: Option<String>,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,

    #[command(flatten)]
    pub ws: WsArgs,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten, next_help_heading = "TLS")]
    pub tls_client: TlsClientArgs,

    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct WsListenArgs {
    /// [HOST:]PORT to listen on; all interfaces when HOST is left out, PORT 0 picks a free
    /// port; or unix:PATH (unix:@NAME) for a Unix socket
    #[arg(value_name = "[HOST:]PORT")]
    pub addr: String,

    /// The port, when the first word is the HOST alone (nc's order: `127.0.0.1 4444`)
    #[arg(value_name = "PORT")]
    pub port: Option<String>,

    /// The socket file's permissions, in octal (660, 0600), for `unix:PATH`; without it the
    /// umask decides
    #[arg(long, value_name = "MODE", help_heading = "Socket")]
    pub mode: Option<String>,

    /// Accept WebSocket requests only for this path (others get 404)
    #[arg(long, value_name = "/PATH", help_heading = "Opening handshake")]
    pub path: Option<String>,

    /// A subprotocol this server speaks (repeatable, in order of preference): the first one
    /// the client offers is selected
    #[arg(
        long = "protocol",
        value_name = "NAME",
        help_heading = "Opening handshake"
    )]
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

    /// TLS towards a `--to wss://` or `--to tls://` upstream (as a client's)
    #[command(flatten, next_help_heading = "TLS to the --to upstream")]
    pub tls_upstream: TlsClientArgs,
}

#[derive(Subcommand, Debug)]
pub enum UdpCommand {
    /// Send each stdin line to HOST PORT as one datagram and print the replies
    #[command(
        visible_alias = "connect",
        after_help = udp_send_notes!(),
        after_long_help = concat!(udp_send_notes!(), "\n\nExamples:\n", udp_send_examples!())
    )]
    Send(UdpSendArgs),

    /// Receive datagrams on [HOST:]PORT from every sender; stdin lines go to the most recent
    #[command(
        after_help = udp_listen_notes!(),
        after_long_help = concat!(udp_listen_notes!(), "\n\nExamples:\n", udp_listen_examples!())
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
    #[arg(long, visible_alias = "wait", value_name = "DUR", default_value = "1s", value_parser = parse_linger, help_heading = "Socket")]
    pub linger: Linger,

    /// Allow sending to a broadcast address (SO_BROADCAST)
    #[arg(long, help_heading = "Socket")]
    pub broadcast: bool,

    /// Time to live (hop limit) of the datagrams sent, unicast and multicast
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=255), help_heading = "Socket")]
    pub ttl: Option<u32>,

    /// For a multicast destination: the interface to send on (IPv4 address, or IPv6
    /// interface name or index)
    #[arg(long, value_name = "IFACE", help_heading = "Socket")]
    pub interface: Option<String>,

    /// End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does
    #[arg(
        short = 'C',
        long,
        help_heading = "Local side",
        conflicts_with = "binary"
    )]
    pub crlf: bool,

    #[command(flatten, next_help_heading = "Socket")]
    pub source: SourceArgs,

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

    /// The port, when the first word is the HOST alone (nc's order: `127.0.0.1 4444`)
    #[arg(value_name = "PORT")]
    pub port: Option<String>,

    /// Join this multicast group (IPv4 or IPv6)
    #[arg(long, value_name = "GROUP", help_heading = "Socket")]
    pub multicast: Option<std::net::IpAddr>,

    /// The interface to join the group on (IPv4 address, or IPv6 interface name or index)
    #[arg(
        long,
        value_name = "IFACE",
        requires = "multicast",
        help_heading = "Socket"
    )]
    pub interface: Option<String>,

    /// Time to live (hop limit) of the datagrams sent back
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=255), help_heading = "Socket")]
    pub ttl: Option<u32>,

    /// With --exec: run at most N senders' commands at once; datagrams from new senders
    /// past that are dropped, with a warning [default: 100]
    #[arg(long, value_name = "N", requires = "exec", value_parser = clap::value_parser!(u64).range(1..), help_heading = "With --exec")]
    pub max_conns: Option<u64>,

    /// With --exec: end a sender's command (its stdin closed, then stopped) after DUR
    /// without a datagram either way (0: never) [default: 60s]
    #[arg(long, value_name = "DUR", requires = "exec", value_parser = parse_duration, help_heading = "With --exec")]
    pub idle_timeout: Option<Duration>,

    /// End each datagram with CRLF (and send any `\n` inside as `\r\n`), as `ncat -C` does
    #[arg(
        short = 'C',
        long,
        help_heading = "Local side",
        conflicts_with = "binary"
    )]
    pub crlf: bool,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
