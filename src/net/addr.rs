//! Where to connect or listen: a host and a port as the user writes them (`HOST PORT`,
//! `HOST:PORT`, `[IPv6]:PORT`, `[HOST:]PORT` for a bind), checked before any socket is made.

use crate::exit::{Exit, Fail};
use crate::net::unix::UnixName;

/// A host (name or address, without IPv6 brackets) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// A name or an address, IPv6 without brackets.
    pub host: String,
    /// The port (0 for a listener: any free port).
    pub port: u16,
}

impl HostPort {
    pub fn new(host: impl Into<String>, port: u16) -> HostPort {
        HostPort {
            host: host.into(),
            port,
        }
    }
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

/// Where a listener listens, as checked from the command line.
#[derive(Debug, Clone)]
pub enum ListenOn {
    /// `[HOST:]PORT` (port 0: any free port).
    Ip(HostPort),
    /// `unix:PATH` or `unix:@NAME`, and `--mode`: the socket file's permissions (octal),
    /// instead of what the umask leaves.
    Unix { name: UnixName, mode: Option<u32> },
}

impl ListenOn {
    /// The address, for a TCP listener (a TLS certificate names its host).
    pub fn ip(&self) -> Option<&HostPort> {
        match self {
            ListenOn::Ip(at) => Some(at),
            ListenOn::Unix { .. } => None,
        }
    }

    /// A Unix socket to listen on: `name` as given (`PATH` or `@NAME`), and `--mode` as given
    /// ([`ListenOn::parse_mode`]); a mode for an abstract name, which has no file and so no
    /// permissions, is a usage error.
    pub fn unix(name: &str, mode: Option<&str>) -> anyhow::Result<ListenOn> {
        let name = crate::net::unix::parse_name(name)?;
        if mode.is_some() && matches!(name, UnixName::Abstract(_)) {
            return Err(Fail::new(
                Exit::Usage,
                format!("--mode is for a socket file: {name} is abstract, with no permissions"),
            )
            .hint("anyone on this machine (in this network namespace) may connect to an abstract socket: use a PATH to keep others out")
            .err());
        }
        Ok(ListenOn::Unix {
            name,
            mode: mode.map(ListenOn::parse_mode).transpose()?,
        })
    }

    /// `--mode` as given: octal permissions (`660`, `0600`), at most `7777`.
    pub fn parse_mode(text: &str) -> anyhow::Result<u32> {
        u32::from_str_radix(text.trim_start_matches("0o"), 8)
            .ok()
            .filter(|mode| *mode <= 0o7777)
            .ok_or_else(|| {
                Fail::new(
                    Exit::Usage,
                    format!("--mode `{text}` is not an octal file mode"),
                )
                .hint("write the permissions in octal, as chmod takes them: 660, 0600")
                .err()
            })
    }
}

/// The local end a client binds before it connects (`-s/--source`, `--source-port`, as
/// `ncat -s`/`-p`): an address, a port, or both; what is left out is the system's choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Source {
    /// The local address (`-s`): one of this machine's.
    pub ip: Option<std::net::IpAddr>,
    /// The local port (`--source-port`).
    pub port: Option<u16>,
}

impl Source {
    /// Whether anything was asked for.
    pub fn is_set(&self) -> bool {
        self.ip.is_some() || self.port.is_some()
    }

    /// The address to bind for a connection to `peer`; `None` when `-s` is of the other
    /// family (IPv4 and IPv6 do not mix).
    pub fn for_peer(&self, peer: std::net::SocketAddr) -> Option<std::net::SocketAddr> {
        let port = self.port.unwrap_or(0);
        match (self.ip, peer) {
            (Some(ip), peer) if ip.is_ipv4() != peer.is_ipv4() => None,
            (Some(ip), _) => Some((ip, port).into()),
            (None, std::net::SocketAddr::V4(_)) => {
                Some((std::net::Ipv4Addr::UNSPECIFIED, port).into())
            }
            (None, std::net::SocketAddr::V6(_)) => {
                Some((std::net::Ipv6Addr::UNSPECIFIED, port).into())
            }
        }
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
        Err(_) if text.contains('/') || text.starts_with('@') => Err(usage(
            format!("invalid port `{text}`"),
            "for a Unix socket: wsctl unix connect|listen PATH, or unix:PATH for ws listen",
        )),
        Err(_) => Err(usage(
            format!("invalid port `{text}`"),
            "a port is a number from 1 to 65535",
        )),
    }
}

/// `-z`'s ports: a list of ports and ranges, `20-25,80,443`, in order and each once.
pub fn parse_ports(text: &str) -> anyhow::Result<Vec<u16>> {
    let mut ports = std::collections::BTreeSet::new();
    for part in text.split(',') {
        if part.is_empty() {
            return Err(usage(
                format!("an empty item in the port list `{text}`"),
                "write ports and ranges separated by commas: 20-25,80,443",
            ));
        }
        let (low, high) = match part.split_once('-') {
            Some((low, high)) => (parse_port(low, false)?, parse_port(high, false)?),
            None => {
                let port = parse_port(part, false)?;
                (port, port)
            }
        };
        if low > high {
            return Err(usage(
                format!("the range `{part}` goes down"),
                "write ranges from low to high: 20-25",
            ));
        }
        ports.extend(low..=high);
    }
    Ok(ports.into_iter().collect())
}

/// `-z`'s target: `HOST PORTS`, or `HOST:PORTS` (`[IPv6]:PORTS`); the host as given, and
/// the ports ([`parse_ports`]).
pub fn parse_scan(host: &str, ports: Option<&str>) -> anyhow::Result<(String, Vec<u16>)> {
    let (host, ports) = match ports {
        Some(ports) => (host, ports),
        None => split_host_port(host).ok_or_else(|| {
            usage(
                format!("`{host}` has no ports to scan"),
                "write HOST PORTS or HOST:PORTS, e.g. 127.0.0.1 20-25,80",
            )
        })?,
    };
    // (Checked as a target is, with any port.)
    Ok((parse_target(host, Some("1"))?.host, parse_ports(ports)?))
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
    check_host(host, host, "write HOST PORT, HOST:PORT, or [IPv6]:PORT")?;
    Ok(HostPort {
        host: host.to_string(),
        port,
    })
}

/// Refuses a `host` that cannot be a host name or address: brackets belong around an IPv6
/// address, never in a host (`[[h]:8`, found by fuzzing), and no host holds a space. `given`
/// is how it was written, for the error; `hint` how to write it.
fn check_host(host: &str, given: &str, hint: &str) -> anyhow::Result<()> {
    if host.contains(['[', ']']) || host.contains(char::is_whitespace) {
        return Err(usage(
            format!("`{given}` is not a host name or address"),
            hint,
        ));
    }
    Ok(())
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

/// A listener's address as one word (`[HOST:]PORT`, see [`parse_bind`]) or as two,
/// `HOST PORT`, in nc's and ncat's order (`tcp listen 127.0.0.1 4444`).
pub fn parse_bind_words(first: &str, port: Option<&str>) -> anyhow::Result<HostPort> {
    let Some(port) = port else {
        return parse_bind(first);
    };
    if split_host_port(first).is_some() {
        return Err(usage(
            format!("`{first}` has a port already, and `{port}` is another"),
            "write [HOST:]PORT as one word, or HOST PORT as two",
        ));
    }
    let host = unbracket(first);
    check_host(host, first, "write HOST PORT, or [HOST:]PORT as one word")?;
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

    #[test]
    fn scan_ports() {
        assert_eq!(parse_ports("25,20-22,80,21").unwrap(), [20, 21, 22, 25, 80]);
        assert_eq!(parse_ports("65535").unwrap(), [65535]);
        assert!(parse_ports("25-20").is_err());
        assert!(parse_ports("0-3").is_err());
        assert!(parse_ports("1,,2").is_err());
        assert_eq!(
            parse_scan("127.0.0.1:20-21", None).unwrap(),
            ("127.0.0.1".to_string(), vec![20, 21])
        );
        assert_eq!(
            parse_scan("[::1]:22", None).unwrap(),
            ("::1".to_string(), vec![22])
        );
        assert_eq!(
            parse_scan("::1", Some("22")).unwrap(),
            ("::1".to_string(), vec![22])
        );
        assert!(parse_scan("localhost", None).is_err());
        assert!(parse_ports("http").is_err());
    }

    #[test]
    fn targets() {
        // Found by the user_input fuzz target: a bracket inside the host was taken as a name.
        assert!(parse_target("[[h]:8", None).is_err());
        assert!(parse_target("a b", Some("8")).is_err());
        assert_eq!(
            parse_target("example.com", Some("80")).unwrap(),
            HostPort::new("example.com", 80)
        );
        assert_eq!(
            parse_target("example.com:80", None).unwrap(),
            HostPort::new("example.com", 80)
        );
        assert_eq!(
            parse_target("[::1]:8080", None).unwrap(),
            HostPort::new("::1", 8080)
        );
        assert_eq!(
            parse_target("::1", Some("8080")).unwrap(),
            HostPort::new("::1", 8080)
        );
        assert_eq!(
            parse_target("[::1]", Some("8080")).unwrap(),
            HostPort::new("::1", 8080)
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
        assert_eq!(parse_bind("8080").unwrap(), HostPort::new("", 8080));
        assert_eq!(parse_bind(":8080").unwrap(), HostPort::new("", 8080));
        assert_eq!(
            parse_bind("127.0.0.1:0").unwrap(),
            HostPort::new("127.0.0.1", 0)
        );
        assert_eq!(parse_bind("[::1]:0").unwrap(), HostPort::new("::1", 0));
        assert!(parse_bind("::1").is_err());
        assert!(parse_bind("localhost:x").is_err());
        let two = |h, p| parse_bind_words(h, Some(p));
        assert_eq!(
            two("127.0.0.1", "4444").unwrap(),
            HostPort::new("127.0.0.1", 4444)
        );
        assert_eq!(two("::1", "0").unwrap(), HostPort::new("::1", 0));
        assert_eq!(two("[::1]", "0").unwrap(), HostPort::new("::1", 0));
        assert!(two("127.0.0.1:80", "4444").is_err());
        assert!(two("localhost", "x").is_err());
    }

    #[test]
    fn display_brackets_ipv6() {
        assert_eq!(HostPort::new("::1", 80).to_string(), "[::1]:80");
        assert_eq!(HostPort::new("localhost", 80).to_string(), "localhost:80");
    }
}
