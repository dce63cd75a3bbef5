//! The one relay between a local side (stdin/stdout, echo, a command) and a remote side (a
//! TCP connection, later a WebSocket or UDP peer).
//!
//! Each side is a task that talks to the other through a pair of bounded channels of
//! [`Message`]s, so memory per connection is bounded by [`QUEUE`] messages per direction and a
//! slow reader slows its writer down (backpressure) instead of growing a buffer.
//!
//! The contract every side keeps, which makes half-close and shutdown fall out of the channels:
//! - it sends what it reads on `tx` and drops `tx` at its end of input (EOF);
//! - when its `rx` ends, it ends its output the way its transport does (TCP `shutdown(Write)`,
//!   closing a command's stdin, flushing stdout);
//! - when the other side drops its `rx` (`tx.closed()`), it stops reading;
//! - it returns once both directions are done, with an error only for a real failure.

use std::future::Future;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::script::Script;

/// Messages in flight per direction. Chunks are up to [`crate::framing::CHUNK`] bytes, so a
/// connection holds at most a few MiB of payload in flight however fast either end is.
pub const QUEUE: usize = 4;

/// One unit of payload. Byte streams travel as binary chunks that are joined back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub data: Bytes,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Binary,
    /// A WebSocket peer's Close, passed on by `--to` (a 2-byte code, then the reason), so that
    /// another WebSocket can close with the same code; also the prompt's `/close`. Byte
    /// streams skip it.
    Close,
    /// A WebSocket ping or pong (its payload): sent by the prompt's `/ping` and `/pong`, and
    /// shown by it when the peer sends one. Byte streams skip them.
    Ping,
    Pong,
}

impl Kind {
    /// A control message rather than payload: byte streams have no place for it.
    pub fn is_control(self) -> bool {
        matches!(self, Kind::Close | Kind::Ping | Kind::Pong)
    }
}

impl Message {
    pub fn binary(data: impl Into<Bytes>) -> Self {
        Message {
            data: data.into(),
            kind: Kind::Binary,
        }
    }

    pub fn close(code: u16, reason: &str) -> Self {
        let mut data = code.to_be_bytes().to_vec();
        data.extend_from_slice(reason.as_bytes());
        Message {
            data: data.into(),
            kind: Kind::Close,
        }
    }

    /// The code and reason of a [`Kind::Close`] message.
    pub fn close_parts(&self) -> (u16, String) {
        let code = match self.data.get(..2) {
            Some(&[a, b]) => u16::from_be_bytes([a, b]),
            _ => 1000,
        };
        let reason = String::from_utf8_lossy(self.data.get(2..).unwrap_or_default()).into_owned();
        (code, reason)
    }
}

/// One side's ends of the two channels: `tx` towards the other side, `rx` from it.
pub struct Ends {
    pub tx: mpsc::Sender<Message>,
    pub rx: mpsc::Receiver<Message>,
}

/// Two connected pairs of ends.
pub fn pair() -> (Ends, Ends) {
    let (a_tx, b_rx) = mpsc::channel(QUEUE);
    let (b_tx, a_rx) = mpsc::channel(QUEUE);
    (Ends { tx: a_tx, rx: a_rx }, Ends { tx: b_tx, rx: b_rx })
}

/// Runs both sides until both are done. A side that fails drops its ends, which lets the other
/// finish what it holds (output already received is still written) and stop; the remote's error
/// is reported first, as it is the one that says what happened to the connection.
pub async fn relay<L, LF, R, RF>(local: L, remote: R) -> anyhow::Result<()>
where
    L: FnOnce(Ends) -> LF,
    LF: Future<Output = anyhow::Result<()>>,
    R: FnOnce(Ends) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
{
    let (l, r) = pair();
    let (local, remote) = tokio::join!(local(l), remote(r));
    remote.and(local)
}

/// [`relay`] with a client's [`Script`] between the two sides (when it asks for anything).
/// `stream`: the remote side is a byte stream (TCP).
pub async fn relay_scripted<L, LF, R, RF>(
    local: L,
    remote: R,
    script: &Script,
    stream: bool,
) -> anyhow::Result<()>
where
    L: FnOnce(Ends) -> LF,
    LF: Future<Output = anyhow::Result<()>>,
    R: FnOnce(Ends) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
{
    if !script.is_active() {
        return relay(local, remote).await;
    }
    let (l, facing_local) = pair();
    let (facing_remote, r) = pair();
    let (local, filtered, remote) = tokio::join!(
        local(l),
        crate::script::filter(script.clone(), facing_local, facing_remote, stream),
        remote(r)
    );
    remote.and(filtered).and(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failing_side_lets_the_other_finish() {
        let result = relay(
            |ends: Ends| async move {
                // Echo-like: everything that arrives before the end is kept.
                let Ends { tx, mut rx } = ends;
                drop(tx);
                let mut got = Vec::new();
                while let Some(m) = rx.recv().await {
                    got.push(m.data);
                }
                assert_eq!(got, vec![Bytes::from("before the failure")]);
                Ok(())
            },
            |ends: Ends| async move {
                ends.tx.send(Message::binary("before the failure")).await?;
                anyhow::bail!("reset")
            },
        )
        .await;
        assert_eq!(result.unwrap_err().to_string(), "reset");
    }
}
