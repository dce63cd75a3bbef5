//! Parsed arguments turned into a validated configuration before any work is done: addresses
//! are split and checked here, so a typo is a usage error (exit 2) and never a network error.

use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::{Cli, ColorWhen, Command, EventFormat, LocalArgs, TcpCommand};
use crate::console;
use crate::exit::{Exit, Fail};

/// What to do, fully checked.
#[derive(Debug)]
pub enum Job {
    TcpConnect {
        target: HostPort,
        local: Local,
        connect_timeout: Duration,
    },
    TcpListen {
        bind: HostPort,
        local: Local,
        keep_open: bool,
    },
    Completions(clap_complete::Shell),
}

/// The local side of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    Stdio,
    Echo,
    Exec(String),
}

/// A host (name or address, without IPv6 brackets) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

pub struct Config {
    pub job: Job,
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
        let job = match cli.command {
            Command::Completions { shell } => Job::Completions(shell),
            Command::Tcp(TcpCommand::Connect(args)) => Job::TcpConnect {
                target: parse_target(&args.host, args.port.as_deref())?,
                local: local(args.local),
                connect_timeout: args.client.connect_timeout,
            },
            Command::Tcp(TcpCommand::Listen(args)) => Job::TcpListen {
                bind: parse_bind(&args.addr)?,
                local: local(args.local),
                keep_open: args.server.keep_open,
            },
        };
        Ok(Config { job })
    }
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

fn local(args: LocalArgs) -> Local {
    match (args.echo, args.exec) {
        (_, Some(cmd)) => Local::Exec(cmd),
        (true, None) => Local::Echo,
        (false, None) => Local::Stdio,
    }
}

fn usage(what: String, hint: &str) -> anyhow::Error {
    Fail::new(Exit::Usage, what).hint(hint).err()
}

fn parse_port(text: &str, allow_zero: bool) -> anyhow::Result<u16> {
    match text.parse::<u16>() {
        Ok(0) if !allow_zero => Err(usage(
            "port 0 cannot be connected to".into(),
            "give the port the server listens on (1-65535)",
        )),
        Ok(port) => Ok(port),
        Err(_) => Err(usage(
            format!("invalid port `{text}`"),
            "a port is a number from 1 to 65535",
        )),
    }
}

/// `HOST PORT`, `HOST:PORT`, `[IPv6]:PORT` or `IPv6 PORT`.
pub fn parse_target(host: &str, port: Option<&str>) -> anyhow::Result<HostPort> {
    let (host, port) = match port {
        Some(port) => (unbracket(host), parse_port(port, false)?),
        None => {
            let (h, p) = split_host_port(host).ok_or_else(|| {
                usage(
                    format!("`{host}` has no port"),
                    "write HOST PORT, HOST:PORT, or [IPv6]:PORT",
                )
            })?;
            (h, parse_port(p, false)?)
        }
    };
    if host.is_empty() {
        return Err(usage(
            "no host given".into(),
            "write HOST PORT or HOST:PORT",
        ));
    }
    Ok(HostPort {
        host: host.to_string(),
        port,
    })
}

/// `[HOST:]PORT`: all interfaces when HOST is left out (or empty, as in `:8080`).
pub fn parse_bind(addr: &str) -> anyhow::Result<HostPort> {
    let (host, port) = match split_host_port(addr) {
        Some((host, port)) => (host, port),
        None if !addr.contains(':') => ("", addr),
        None => {
            return Err(usage(
                format!("cannot read `{addr}` as [HOST:]PORT"),
                "write PORT, HOST:PORT, or [IPv6]:PORT",
            ));
        }
    };
    Ok(HostPort {
        host: host.to_string(),
        port: parse_port(port, true)?,
    })
}

/// Splits `host:port` and `[v6]:port`; `None` when there is no single port separator.
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return Some((host, after.strip_prefix(':')?));
    }
    let (host, port) = s.rsplit_once(':')?;
    // A bare IPv6 address has several colons: its last group is not a port.
    (!host.contains(':')).then_some((host, port))
}

fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(host: &str, port: u16) -> HostPort {
        HostPort {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("example.com", Some("80")).unwrap(),
            hp("example.com", 80)
        );
        assert_eq!(
            parse_target("example.com:80", None).unwrap(),
            hp("example.com", 80)
        );
        assert_eq!(parse_target("[::1]:8080", None).unwrap(), hp("::1", 8080));
        assert_eq!(parse_target("::1", Some("8080")).unwrap(), hp("::1", 8080));
        assert_eq!(
            parse_target("[::1]", Some("8080")).unwrap(),
            hp("::1", 8080)
        );
    }

    #[test]
    fn bad_targets_are_usage_errors() {
        for (host, port) in [
            ("example.com", None),
            ("::1", None),
            ("example.com", Some("http")),
            ("example.com", Some("70000")),
            ("example.com:0", None),
            (":80", None),
        ] {
            let err = parse_target(host, port).unwrap_err();
            assert_eq!(crate::exit::code_of(&err), Exit::Usage, "{host} {port:?}");
        }
    }

    #[test]
    fn binds() {
        assert_eq!(parse_bind("8080").unwrap(), hp("", 8080));
        assert_eq!(parse_bind(":8080").unwrap(), hp("", 8080));
        assert_eq!(parse_bind("127.0.0.1:0").unwrap(), hp("127.0.0.1", 0));
        assert_eq!(parse_bind("[::1]:0").unwrap(), hp("::1", 0));
        assert!(parse_bind("::1").is_err());
        assert!(parse_bind("localhost:x").is_err());
    }

    #[test]
    fn display_brackets_ipv6() {
        assert_eq!(hp("::1", 80).to_string(), "[::1]:80");
        assert_eq!(hp("localhost", 80).to_string(), "localhost:80");
    }
}
