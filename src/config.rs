//! Parsed arguments turned into a validated configuration before any work is done: addresses
//! are split and checked here, so a typo is a usage error (exit 2) and never a network error.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{
    Cli, ClientArgs, ColorWhen, Command, EventFormat, FramingArgs, LocalArgs, ScriptArgs,
    ServerArgs, TcpCommand, TlsClientArgs, TlsServerArgs, UdpCommand, UnixCommand, WsCommand,
};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::framing::Framing;
pub use crate::local::Local;
pub use crate::net::addr::{
    HostPort, ListenOn, Source, parse_bind, parse_bind_words, parse_scan, parse_target,
};
pub use crate::net::client::Remote;
use crate::net::proxy::{self, Scheme};
use crate::net::tls::{self, TlsServer};
use crate::net::unix::UnixName;
use crate::reconnect::Reconnect;
use crate::script::Script;

mod forward;
mod serving;
mod udp;
mod ws;

pub use forward::Upstream;
#[cfg(test)]
use serving::parse_net;
use serving::serving;
pub use serving::{Access, Serving};
pub use udp::{DgramTarget, UdpClient, UdpServer};
use udp::{no_framing_without_dgram, udp_client, udp_server, unix_dgram_client, unix_dgram_server};
pub use ws::{Follow, LINGER, MAX_REDIRECTS, WsClient, WsServer, WsUrl, redirected, ws_url};
use ws::{ws_client, ws_server};

/// What to do, fully checked.
#[derive(Debug)]
pub enum Job {
    TcpConnect {
        remote: Remote,
        local: Local,
        script: Script,
        reconnect: Option<Reconnect>,
        /// `-C`: line ends go as `\r\n`.
        crlf: bool,
    },
    /// `tcp connect -z`: which ports of `host` accept a connection.
    TcpScan {
        /// The host as given (the lines say `HOST:PORT open`).
        host: String,
        /// In order, each once.
        ports: Vec<u16>,
        /// `--connect-timeout`: for each probe.
        timeout: Duration,
        /// `-s`: the local address of the probes.
        source: Source,
    },
    /// `unix connect`: a Unix stream socket, relayed as a TCP connection is.
    UnixConnect {
        name: UnixName,
        local: Local,
        script: Script,
        /// `-C`: line ends go as `\r\n`.
        crlf: bool,
        /// `--connect-timeout`.
        timeout: Duration,
    },
    /// `tcp listen`, and `unix listen` (a stream socket served as TCP clients are).
    TcpListen {
        bind: ListenOn,
        local: Local,
        serving: Serving,
        tls: Option<TlsServer>,
        forward: Option<Upstream>,
    },
    WsConnect(Box<WsClient>),
    WsListen(WsServer),
    /// `udp send`, and `unix connect --dgram`.
    UdpSend(UdpClient),
    /// `udp listen`, and `unix listen --dgram`.
    UdpListen(UdpServer),
    Completions(clap_complete::Shell),
}

impl Job {
    /// Whether the interactive prompt is this job's local side.
    pub fn has_prompt(&self) -> bool {
        let local = match self {
            Job::TcpConnect { local, .. }
            | Job::TcpListen { local, .. }
            | Job::UnixConnect { local, .. } => local,
            Job::WsConnect(cfg) => &cfg.local,
            Job::WsListen(cfg) => &cfg.local,
            Job::UdpSend(cfg) => &cfg.local,
            Job::UdpListen(cfg) => &cfg.local,
            Job::Completions(_) | Job::TcpScan { .. } => return false,
        };
        matches!(local, Local::Repl(_))
    }
}

pub struct Config {
    /// What to run.
    pub job: Job,
    /// `--timeout`: a bound on the whole run.
    pub timeout: Option<Duration>,
}

/// How status lines are shown: read first, so that even a usage error is shown as asked.
pub fn console_settings(cli: &Cli) -> console::Settings {
    console::Settings {
        verbose: cli.verbose,
        quiet: cli.quiet,
        color: use_color(cli.color),
        json: cli.events == EventFormat::Json,
    }
}

impl Config {
    pub fn from_cli(cli: Cli) -> anyhow::Result<Config> {
        let mut timeout = None;
        let job = match cli.command {
            Command::Completions { shell } => Job::Completions(shell),
            Command::Tcp(TcpCommand::Connect(args)) if args.scan => {
                timeout = args.script.timeout;
                let (host, ports) = parse_scan(&args.host, args.port.as_deref())?;
                Job::TcpScan {
                    host,
                    ports,
                    timeout: args.client.connect_timeout,
                    // A scan's probes are many: no fixed source port (refused by the CLI).
                    source: args.source.source(),
                }
            }
            Command::Tcp(TcpCommand::Connect(args)) => {
                timeout = args.script.timeout;
                let target = parse_target(&args.host, args.port.as_deref())?;
                let tls_opts = tls_client_options(args.tls_client);
                if let (false, Some(flag)) = (args.tls, tls_opts.first_flag()) {
                    return Err(usage(
                        format!("{flag} is for TLS connections"),
                        "add --tls to speak TLS to the server",
                    ));
                }
                let tls = args.tls.then_some(tls_opts);
                Job::TcpConnect {
                    remote: remote(target, &args.client, tls, Scheme::Tcp, args.source.source())?,
                    local: local(args.local, scripted(&args.script)),
                    script: script(args.script),
                    reconnect: reconnect(&args.client),
                    crlf: args.crlf,
                }
            }
            Command::Tcp(TcpCommand::Listen(args)) => {
                let bind = parse_bind_words(&args.addr, args.port.as_deref())?;
                let local = local(args.local, false);
                Job::TcpListen {
                    tls: tls::server(&tls_server_options(args.tls_server), &bind)?,
                    bind: ListenOn::Ip(bind),
                    forward: forward::parse_to(
                        args.server.to.as_deref(),
                        &tls_client_options(args.tls_upstream),
                    )?,
                    serving: Serving {
                        crlf: args.crlf,
                        ..serving(args.server, &local)?
                    },
                    local,
                }
            }
            Command::Unix(UnixCommand::Listen(args)) if args.dgram => {
                Job::UdpListen(unix_dgram_server(args)?)
            }
            Command::Unix(UnixCommand::Listen(args)) => {
                no_framing_without_dgram(&args.framing)?;
                let local = local(args.local, false);
                no_access_rules(&args.server)?;
                let bind = ListenOn::unix(&args.path, args.mode.as_deref())?;
                let forward = forward::parse_to(
                    args.server.to.as_deref(),
                    &tls_client_options(args.tls_upstream),
                )?;
                forward::not_itself(forward.as_ref(), &bind)?;
                Job::TcpListen {
                    bind,
                    tls: None,
                    forward,
                    serving: Serving {
                        crlf: args.crlf,
                        ..serving(args.server, &local)?
                    },
                    local,
                }
            }
            Command::Ws(WsCommand::Connect(args)) => {
                timeout = args.script.timeout;
                Job::WsConnect(Box::new(ws_client(args)?))
            }
            Command::Ws(WsCommand::Listen(args)) => Job::WsListen(ws_server(args)?),
            Command::Udp(UdpCommand::Send(args)) => {
                timeout = args.script.timeout;
                Job::UdpSend(udp_client(args)?)
            }
            Command::Udp(UdpCommand::Listen(args)) => Job::UdpListen(udp_server(args)?),
            Command::Unix(UnixCommand::Connect(args)) if args.dgram => {
                timeout = args.script.timeout;
                Job::UdpSend(unix_dgram_client(args)?)
            }
            Command::Unix(UnixCommand::Connect(args)) => {
                no_framing_without_dgram(&args.framing)?;
                timeout = args.script.timeout;
                Job::UnixConnect {
                    name: crate::net::unix::parse_name(&args.path)?,
                    local: local(args.local, scripted(&args.script)),
                    script: script(args.script),
                    crlf: args.crlf,
                    timeout: args.connect_timeout,
                }
            }
        };
        Ok(Config { job, timeout })
    }
}

/// `--allow` and `--deny` name IP addresses: a Unix socket's clients have none.
fn no_access_rules(args: &ServerArgs) -> anyhow::Result<()> {
    if args.allow.is_empty() && args.deny.is_empty() {
        return Ok(());
    }
    Err(usage(
        "--allow and --deny take IP addresses, and a Unix socket's clients have none".into(),
        "keep clients out with the socket file's permissions: --mode 600 (this user only)",
    ))
}

fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// The local side asked for. Stdin/stdout become the interactive prompt when both are
/// terminals, unless `--no-repl` or a script flag (`scripted`) asks for plain piping.
fn local(args: LocalArgs, scripted: bool) -> Local {
    match (args.echo, args.exec) {
        (_, Some(cmd)) => Local::Exec(cmd),
        (true, None) => Local::Echo,
        (false, None) => {
            let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
            if terminal && !args.no_repl && !scripted {
                Local::Repl(args.history.or_else(default_history))
            } else {
                Local::Stdio
            }
        }
    }
}

/// `$XDG_STATE_HOME/wsctl/history`, else `~/.local/state/wsctl/history`: one history for
/// every transport.
fn default_history() -> Option<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let state = absolute("XDG_STATE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local/state")))?;
    Some(state.join("wsctl/history"))
}

/// Whether a client's script flags take stdin's place (so no prompt is wanted).
fn scripted(args: &ScriptArgs) -> bool {
    !args.send.is_empty() || args.count.is_some() || args.recv_only || args.send_only
}

fn reconnect(args: &ClientArgs) -> Option<Reconnect> {
    args.reconnect.then_some(Reconnect {
        retries: args.retries,
        max_delay: args.reconnect_max_delay,
    })
}

/// A client's way to its server: the proxy (`--proxy` or the environment) and TLS settings.
fn remote(
    target: HostPort,
    client: &ClientArgs,
    tls: Option<tls::ClientOptions>,
    scheme: Scheme,
    source: Source,
) -> anyhow::Result<Remote> {
    Ok(Remote {
        source,
        proxy: proxy::choose(client.proxy.as_deref(), scheme, &target)?,
        tls: tls
            .map(|opts| tls::client(&opts, &target.host))
            .transpose()?,
        target,
        connect_timeout: client.connect_timeout,
        unix: None,
    })
}

/// `-k --exec`'s default `--max-conns`: one peer cannot start processes without limit (ncat's
/// default too).
pub const EXEC_MAX_CONNS: usize = 100;

/// `-k --exec`'s default `--idle-timeout`: a client that holds a process and says nothing
/// gives it up after this long.
pub const EXEC_IDLE: Duration = Duration::from_secs(600);

/// `udp listen --exec`'s default `--idle-timeout`: UDP has no end, so a sender's command ends
/// after this long without a datagram either way.
pub const UDP_EXEC_IDLE: Duration = Duration::from_secs(60);

/// An `--idle-timeout` as given, `default` when not given; 0 means never.
fn idle(given: Option<Duration>, default: Option<Duration>) -> Option<Duration> {
    given.or(default).filter(|d| !d.is_zero())
}

pub(super) fn tls_client_options(args: TlsClientArgs) -> tls::ClientOptions {
    tls::ClientOptions {
        ca: args.ca,
        insecure: args.insecure,
        cert: args.cert,
        key: args.key,
        sni: args.sni,
    }
}

fn tls_server_options(args: TlsServerArgs) -> tls::ServerOptions {
    tls::ServerOptions {
        cert: args.tls_cert,
        key: args.tls_key,
        self_signed: args.tls_self_signed,
        client_ca: args.client_ca,
    }
}

fn script(args: ScriptArgs) -> Script {
    Script {
        send: args.send,
        count: args.count,
        recv_only: args.recv_only,
        send_only: args.send_only,
        idle_timeout: args.idle_timeout,
        send_ends_input: false,
    }
}

fn framing(args: &FramingArgs) -> Framing {
    match (args.null, args.binary) {
        (_, true) => Framing::Binary,
        (true, false) => Framing::Null,
        (false, false) => Framing::Lines,
    }
}

fn usage(what: String, hint: &str) -> anyhow::Error {
    Fail::new(Exit::Usage, what).hint(hint).err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_listeners_get_default_caps() {
        use clap::Parser;
        let serving = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).unwrap();
            match Config::from_cli(cli).unwrap().job {
                Job::WsListen(cfg) => cfg.serving,
                Job::TcpListen { serving, .. } => serving,
                _ => unreachable!(),
            }
        };
        let s = serving(&["wsctl", "ws", "listen", "0", "-k", "--exec", "cat"]);
        assert_eq!((s.max_conns, s.idle_timeout), (Some(100), Some(EXEC_IDLE)));
        let s = serving(&[
            "wsctl",
            "tcp",
            "listen",
            "0",
            "-k",
            "-e",
            "cat",
            "--idle-timeout",
            "0",
        ]);
        assert_eq!((s.max_conns, s.idle_timeout), (Some(100), None));
        let s = serving(&["wsctl", "ws", "listen", "0", "-k", "--echo"]);
        assert_eq!((s.max_conns, s.idle_timeout), (None, None));
        let s = serving(&["wsctl", "ws", "listen", "0", "--exec", "cat"]);
        assert_eq!((s.max_conns, s.idle_timeout), (None, None));
        let cli = Cli::try_parse_from(["wsctl", "udp", "listen", "0", "--exec", "cat"]).unwrap();
        let Job::UdpListen(udp) = Config::from_cli(cli).unwrap().job else {
            unreachable!()
        };
        assert_eq!(
            (udp.max_senders, udp.idle_timeout),
            (100, Some(UDP_EXEC_IDLE))
        );
    }

    #[test]
    fn address_rules_mean_the_same_however_written() {
        let rules = |allow: &[&str], deny: &[&str]| Access {
            allow: allow
                .iter()
                .map(|t| parse_net(t, "--allow").unwrap())
                .collect(),
            deny: deny
                .iter()
                .map(|t| parse_net(t, "--deny").unwrap())
                .collect(),
        };
        let v4: std::net::IpAddr = "10.1.2.3".parse().unwrap();
        let mapped: std::net::IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        for deny in [
            "10.0.0.0/8",
            "::ffff:10.0.0.0/104",
            "::ffff:10.1.2.3",
            "::/0",
        ] {
            let access = rules(&[], &[deny]);
            assert!(access.admits(v4).is_err(), "{deny} and {v4}");
            assert!(access.admits(mapped).is_err(), "{deny} and {mapped}");
        }
        for allow in ["10.1.2.3", "::ffff:10.1.0.0/112"] {
            let access = rules(&[allow], &[]);
            assert!(
                access.admits(v4).is_ok() && access.admits(mapped).is_ok(),
                "{allow}"
            );
            assert!(
                access.admits("10.9.9.9".parse().unwrap()).is_err(),
                "{allow}"
            );
        }
        let access = rules(&["::1"], &[]);
        assert!(access.admits("127.0.0.1".parse().unwrap()).is_err());
    }
}
