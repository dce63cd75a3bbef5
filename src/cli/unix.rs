//! `unix connect` and `unix listen`: Unix domain sockets, named by a path or (Linux) `@NAME`
//! in the abstract namespace; `--dgram` for datagram sockets, with `udp`'s record rules.

use std::time::Duration;

use clap::{Args, Subcommand};

use super::{
    FramingArgs, Linger, LocalArgs, ScriptArgs, ServerArgs, TlsClientArgs, parse_limit,
    parse_linger,
};

#[derive(Subcommand, Debug)]
pub enum UnixCommand {
    /// Connect to the Unix socket PATH (or @NAME) and pipe stdin/stdout through it
    #[command(
        after_help = unix_connect_notes!(),
        after_long_help = concat!(unix_connect_notes!(), "\n\nExamples:\n", unix_connect_examples!())
    )]
    Connect(UnixConnectArgs),

    /// Listen on the Unix socket PATH (or @NAME) and pipe an accepted connection through
    /// stdin/stdout
    #[command(
        after_help = unix_listen_notes!(),
        after_long_help = concat!(unix_listen_notes!(), "\n\nExamples:\n", unix_listen_examples!())
    )]
    Listen(UnixListenArgs),
}

#[derive(Args, Debug)]
pub struct UnixConnectArgs {
    /// The socket: a file's PATH, or @NAME in Linux's abstract namespace
    pub path: String,

    /// A datagram socket: each stdin line (-0 record, -b chunk) is one datagram, as with
    /// `udp send`; replies come to an autobound name of this client's own
    #[arg(long, help_heading = "Socket")]
    pub dgram: bool,

    /// With --dgram: after stdin EOF, wait for replies until none has come for DUR
    /// (`forever`: until interrupted) [default: 1s]
    #[arg(long, visible_alias = "wait", value_name = "DUR", value_parser = parse_linger, requires = "dgram", help_heading = "Socket")]
    pub linger: Option<Linger>,

    /// Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n`, as
    /// `ncat -C` does (with --dgram: each datagram ends with CRLF)
    #[arg(
        short = 'C',
        long,
        help_heading = "Local side",
        conflicts_with = "binary"
    )]
    pub crlf: bool,

    /// Give up connecting after DUR (e.g. 500ms, 10s, 2m; a bare number is seconds; 0: no
    /// limit)
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_limit, help_heading = "Connecting")]
    pub connect_timeout: Duration,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,

    #[command(flatten)]
    pub script: ScriptArgs,
}

#[derive(Args, Debug)]
pub struct UnixListenArgs {
    /// The socket: a file's PATH (a stale socket there is replaced, a live one or any other
    /// file is not), or @NAME in Linux's abstract namespace
    pub path: String,

    /// The socket file's permissions, in octal (660, 0600); without it the umask decides
    #[arg(long, value_name = "MODE", help_heading = "Socket")]
    pub mode: Option<String>,

    /// A datagram socket, served as `udp listen` serves: datagrams from every sender to
    /// stdout, stdin's records to the most recent sender (--echo: each straight back;
    /// --exec: one command per sender)
    #[arg(
        long,
        help_heading = "Socket",
        conflicts_with_all = ["keep_open", "to", "broadcast", "chat", "allow", "deny"]
    )]
    pub dgram: bool,

    /// Send line ends as CRLF: each `\n` not already after a `\r` goes as `\r\n` (typed
    /// lines, stdin, a command's output), as `ncat -C` does (with --dgram: each datagram
    /// ends with CRLF)
    #[arg(short = 'C', long, help_heading = "Local side", conflicts_with_all = ["to", "binary"])]
    pub crlf: bool,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub framing: FramingArgs,

    #[command(flatten)]
    pub server: ServerArgs,

    /// TLS towards a `--to wss://` or `--to tls://` upstream (as a client's)
    #[command(flatten, next_help_heading = "TLS to the --to upstream")]
    pub tls_upstream: TlsClientArgs,
}
