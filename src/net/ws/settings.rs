//! The settings of one WebSocket connection, either role (pings, closing, limits), and the
//! rules for a Close frame we send (RFC 6455 7.4).

use std::time::Duration;

use crate::net::Linger;

/// Pings, closing and limits of one WebSocket connection, either role.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--ping-interval`: a ping every this long (`None`: no pings).
    pub ping_interval: Option<Duration>,
    /// `--ping-timeout`: the longest a ping may wait for its pong.
    pub ping_timeout: Duration,
    /// `--close-code`: the code of our Close when our input ends (RFC 6455 7.4).
    pub close_code: u16,
    /// `--close-reason`: its reason, at most 123 bytes.
    pub close_reason: String,
    /// `--close-timeout`: how long our Close waits for the peer's, once the peer has taken what came before it.
    pub close_timeout: Duration,
    /// `--max-message-size`, in bytes, capped by the machine's memory ([`message_limit`](super::message_limit)).
    pub max_message_size: usize,
    /// The local side answers what it receives (`--echo`, `--exec`): the peer's Close waits
    /// until those answers are sent (bounded by `close_timeout`).
    pub hold_close: bool,
    /// The peer's Close is passed on to the local side as a message (`--to ws://`: its code
    /// goes on to the other WebSocket).
    pub forward_close: bool,
    /// The peer's pings and the pongs that answer no ping of ours go to the local side as
    /// messages (the prompt shows them).
    pub show_control: bool,
    /// After the local side's end of input, how long the peer must be quiet before our Close.
    pub linger: Linger,
    /// `--deflate`: permessage-deflate (RFC 7692) offered (a client) or accepted (a server).
    pub deflate: bool,
}

/// What is wrong with a Close of `code` and `reason`, and the fix (RFC 6455 7.4): shared by
/// `--close-code`/`--close-reason` and the prompt's `/close`.
pub fn close_problem(code: u16, reason: &str) -> Option<(String, &'static str)> {
    if reason.len() > 123 {
        return Some((
            "the close reason is longer than 123 bytes".into(),
            "a close frame holds at most 123 bytes of reason",
        ));
    }
    // 1004-1006 and 1015 are reserved: they must never be sent in a Close frame.
    if matches!(code, 0..=999 | 1004..=1006 | 1015..=2999 | 5000..) {
        return Some((
            format!("close code {code} may not be sent"),
            "use 1000 (normal), 1001 (going away), 1008 (policy), 1011 (error), or 3000-4999",
        ));
    }
    None
}
