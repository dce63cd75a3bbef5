//! Remote sides: one module per transport.

pub mod addr;
pub mod client;
pub mod dgram;
pub mod peer;
pub mod progress;
pub mod proxy;
pub mod tcp;
pub mod tls;
pub mod udp;
pub mod unix;
pub mod ws;

use std::ffi::OsString;
use std::time::Duration;

use tokio::net::TcpStream;

pub use peer::Peer;

/// The environment of an `--exec` command: variable names, and values as the bytes that came
/// (a header value need not be UTF-8).
pub type Env = Vec<(String, OsString)>;

/// The connection for an `--exec` command, as ncat names it: the peer ([`Peer::env`]) and,
/// over TCP, `WSCTL_LOCAL_ADDR`/`_PORT`.
pub fn socket_env(stream: Option<&TcpStream>, peer: &Peer) -> Env {
    let mut env = peer.env();
    let Some(stream) = stream else {
        return env;
    };
    if let Ok(local) = stream.local_addr() {
        env.push(("WSCTL_LOCAL_ADDR".into(), local.ip().to_string().into()));
        env.push(("WSCTL_LOCAL_PORT".into(), local.port().to_string().into()));
    }
    env
}

/// How long a client waits, after its local side's end of input, for the peer to stop
/// talking (`--linger`): WebSocket has no half-close and most peers answer a Close at once,
/// so the Close goes out only once the peer has been quiet this long (each data message
/// received starts the wait again). UDP's `--linger` (`--wait`) waits the same way for
/// replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linger {
    /// Quiet for this long (0: close at once).
    After(Duration),
    /// Until the peer closes.
    Forever,
}

/// The longest duration any option takes: 100 years. A clock plus more would overflow (a
/// panic), and a century is "never" for any connection.
pub const LONGEST: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

impl Linger {
    /// `forever`, or a duration (`0`, `500ms`, `2s`; a bare number is seconds); past
    /// [`LONGEST`] counts as [`LONGEST`].
    pub fn parse(text: &str) -> Result<Linger, String> {
        if text == "forever" {
            return Ok(Linger::Forever);
        }
        if let Ok(secs) = text.parse::<f64>() {
            // Out of range (a negative or too many seconds) falls through to the error below.
            if let Ok(after) = Duration::try_from_secs_f64(secs) {
                return Ok(Linger::After(after.min(LONGEST)));
            }
        }
        humantime::parse_duration(text)
            .map(|after| Linger::After(after.min(LONGEST)))
            .map_err(|e| format!("{e}: write a duration such as 1s or 500ms, 0, or forever"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linger_out_of_range_is_refused_not_a_panic() {
        assert_eq!(
            Linger::parse("1.5"),
            Ok(Linger::After(Duration::from_millis(1500)))
        );
        assert_eq!(Linger::parse("forever"), Ok(Linger::Forever));
        // Found by the user_input fuzz target: this panicked in Duration::from_secs_f64.
        assert!(Linger::parse("99999999999999999999986").is_err());
        assert!(Linger::parse("-1").is_err());
        assert!(Linger::parse("NaN").is_err());
    }
}
