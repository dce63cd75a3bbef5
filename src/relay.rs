//! The one relay between a local side (stdin/stdout, echo, a command) and a remote side (a
//! TCP connection, later a WebSocket or UDP peer).
//!
//! Each side is a task that talks to the other through a pair of bounded channels of
//! [`Message`]s, so memory per connection is bounded by [`QUEUE`] messages per direction (a
//! WebSocket echo's channel: [`SMALL_QUEUE`] small ones, see [`send`]) and a slow reader
//! slows its writer down (backpressure) instead of growing a buffer.
//!
//! The contract every side keeps, which makes half-close and shutdown fall out of the channels:
//! - it sends what it reads on `tx` and drops `tx` at its end of input (EOF): the end of input
//!   is the channel's end (a WebSocket then closes after `--linger`; TCP half-closes). To end
//!   at once instead, it sends [`Message::end_now`] first;
//! - when its `rx` ends, it ends its output the way its transport does (TCP `shutdown(Write)`,
//!   closing a command's stdin, flushing stdout);
//! - when the other side drops its `rx` (`tx.closed()`), it stops reading: for a WebSocket,
//!   whose reader's channel that is, the output is gone (stdout closed) and it closes with 1001;
//! - control travels typed, never inside a payload: [`Kind::Close`] (code, reason, who
//!   started it), [`Kind::Ping`], [`Kind::Pong`]; byte streams skip them;
//! - it returns once both directions are done, with an error only for a real failure, or
//!   [`Unsent`] for input the peer closed on before it could be sent.

use std::future::Future;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use tokio::sync::mpsc;

mod queue;

pub use queue::{QUEUE, SMALL_QUEUE, send};

/// One unit of payload. Byte streams travel as binary chunks that are joined back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The payload; a Close's reason (UTF-8, at most 123 bytes).
    pub data: Bytes,
    /// Text, binary, or a control message.
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Binary,
    /// A WebSocket Close (RFC 6455 5.5.1), typed: its code and who started it; the reason
    /// (UTF-8, at most 123 bytes) is the message's data. A peer's Close passed on by `--to`
    /// (so that the other WebSocket closes with the same code), the prompt's `/close`, a
    /// hub's 1008, an upstream's failure (1011), `--count` reached (1000). Byte streams skip it.
    Close(Close),
    /// A WebSocket ping or pong (its payload): sent by the prompt's `/ping` and `/pong`, and
    /// shown by it when the peer sends one. Byte streams skip them.
    Ping,
    Pong,
}

impl Kind {
    /// Payload: text or binary.
    pub fn is_data(self) -> bool {
        matches!(self, Kind::Text | Kind::Binary)
    }

    /// A control message rather than payload: byte streams have no place for it.
    pub fn is_control(self) -> bool {
        matches!(self, Kind::Close(_) | Kind::Ping | Kind::Pong)
    }
}

/// The reason of the Close 1011 a remote side passes on when its connection fails, so that
/// the other side of a `--to` bridge ends abnormally too: a WebSocket with this Close, a TCP
/// connection with a reset ([`Message::is_failure`]).
pub const BRIDGE_FAILED: &str = "the other side of the bridge failed";

/// A Close as the relay carries it: the close code (RFC 6455 7.4; 1005 when the peer gave
/// none; `None`: the remote side's own, `--close-code`/`--close-reason`) and who started the
/// closing handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close {
    /// The close code; `None`: the remote side's own (`--close-code`).
    pub code: Option<u16>,
    /// Who started the closing handshake.
    pub initiator: Initiator,
}

/// Who started a closing handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    /// This side of the relay (the prompt's `/close`, a hub, a failed upstream, `--count`).
    Local,
    /// The remote peer, whose Close is passed on.
    Peer,
}

impl Message {
    pub fn binary(data: impl Into<Bytes>) -> Self {
        Message {
            data: data.into(),
            kind: Kind::Binary,
        }
    }

    /// A Close of `code` with `reason`, started by `initiator`.
    pub fn close(code: u16, reason: &str, initiator: Initiator) -> Self {
        Message {
            data: Bytes::copy_from_slice(reason.as_bytes()),
            kind: Kind::Close(Close {
                code: Some(code),
                initiator,
            }),
        }
    }

    /// The end of the local side's input, to be closed at once rather than after the linger
    /// (`--count` reached, `--idle-timeout`, the prompt's `/quit`): a WebSocket closes with
    /// its `--close-code` and `--close-reason`; a byte stream skips it (its half-close follows
    /// when the channel ends).
    pub fn end_now() -> Self {
        Message {
            data: Bytes::new(),
            kind: Kind::Close(Close {
                code: None,
                initiator: Initiator::Local,
            }),
        }
    }

    /// The other side's connection failed (a Close 1011 we started): a byte stream passes it
    /// on as a reset.
    pub fn is_failure(&self) -> bool {
        self.kind
            == Kind::Close(Close {
                code: Some(1011),
                initiator: Initiator::Local,
            })
    }

    /// The bytes of payload this message carries (none for a control message).
    pub fn payload_len(&self) -> u64 {
        if self.kind.is_control() {
            0
        } else {
            self.data.len() as u64
        }
    }
}

/// Input that was read but could not be sent because the peer closed first: `bytes` of
/// payload. It ends the run with exit 1 (a `-k` listener reports it for that connection).
///
/// The remote side is the judge: it reports what it still held when the peer's Close came;
/// each stage of the local side (stdin, framing) reports what it held when its channel
/// closed, and that counts only when the remote side says the peer closed first (else the
/// local side was stopped on purpose: `--count`, `--recv-only`). See [`verdict`].
#[derive(Debug, thiserror::Error)]
#[error("{bytes} bytes of input not sent: the peer closed the connection first")]
pub struct Unsent {
    /// Payload bytes read from the input and never sent.
    pub bytes: u64,
}

impl Unsent {
    /// `Ok(())` for nothing unsent, else the error.
    pub fn check(bytes: u64) -> anyhow::Result<()> {
        if bytes == 0 {
            return Ok(());
        }
        Err(anyhow::Error::new(Unsent { bytes }))
    }

    fn of(result: &anyhow::Result<()>) -> Option<u64> {
        result
            .as_ref()
            .err()?
            .downcast_ref::<Unsent>()
            .map(|u| u.bytes)
    }
}

/// Passes every message from `from` to `to`, in order, until `from` ends or `to` is closed.
pub async fn forward(mut from: mpsc::Receiver<Message>, to: mpsc::Sender<Message>) {
    while let Some(msg) = from.recv().await {
        if to.send(msg).await.is_err() {
            break;
        }
    }
}

/// Closes `rx` and counts the payload bytes still queued in it, which will not be sent now.
pub fn drain_unsent(rx: &mut mpsc::Receiver<Message>) -> u64 {
    rx.close();
    let mut bytes = 0;
    while let Ok(msg) = rx.try_recv() {
        bytes += msg.payload_len();
    }
    bytes
}

/// Two stages of one side: the first error wins, but what both could not send adds up.
pub fn combine(first: anyhow::Result<()>, second: anyhow::Result<()>) -> anyhow::Result<()> {
    match (Unsent::of(&first), Unsent::of(&second)) {
        (Some(a), Some(b)) => Unsent::check(a + b),
        (Some(_), None) if second.is_err() => second,
        _ => first.and(second),
    }
}

/// The outcome of a relay from its sides' results: the remote's error first (it says what
/// happened to the connection), then the local side's; the local side's [`Unsent`] counts
/// only beside the remote's, which says that the peer closed while our input was still open
/// (a WebSocket session reports that even with nothing of its own unsent: see [`settle`]).
pub fn verdict(remote: anyhow::Result<()>, local: anyhow::Result<()>) -> anyhow::Result<()> {
    settle(match (Unsent::of(&remote), Unsent::of(&local)) {
        (Some(_), _) => combine(remote, local),
        (None, Some(_)) => remote,
        (None, None) => remote.and(local),
    })
}

/// `result`, with an [`Unsent`] of nothing (the peer closed first, and nothing was lost) as
/// the success it is: for a session's result used without a relay around it.
pub fn settle(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match Unsent::of(&result) {
        Some(0) => Ok(()),
        _ => result,
    }
}

/// One side's ends of the two channels: `tx` towards the other side, `rx` from it.
pub struct Ends {
    /// Towards the other side ([`QUEUE`] messages at most in flight).
    pub tx: mpsc::Sender<Message>,
    /// From the other side; its end is the other side's end of input.
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
    run(local, Vec::new(), remote).await
}

/// Which side a [`Stage`] belongs to: its result is reported as part of that side's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Part of the local side: framing (a line it cannot cut is the input's fault).
    Local,
    /// Part of the remote side: a client's script (its timeouts end the connection).
    Remote,
}

/// A stage between the two sides: given the ends facing the local side and the ends facing
/// the remote side, it passes messages between them, changed as it means to (framing cuts
/// bytes into records, a script sends, counts and times).
pub struct Stage<'a> {
    side: Side,
    run: Box<dyn FnOnce(Ends, Ends) -> BoxFuture<'a, anyhow::Result<()>> + Send + 'a>,
}

impl<'a> Stage<'a> {
    /// A stage of `side` that runs `run(facing_local, facing_remote)`.
    pub fn new<F, Fut>(side: Side, run: F) -> Stage<'a>
    where
        F: FnOnce(Ends, Ends) -> Fut + Send + 'a,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'a,
    {
        Stage {
            side,
            run: Box::new(move |local, remote| Box::pin(run(local, remote))),
        }
    }
}

/// Runs `local`, then each of `stages` in order, then `remote`, each joined to the next by a
/// pair of channels, until all are done ("no stages" is the two sides face to face). Results
/// as for [`relay`], each stage's with its [`Side`]'s ([`combine`]).
pub async fn run<L, LF, R, RF>(local: L, stages: Vec<Stage<'_>>, remote: R) -> anyhow::Result<()>
where
    L: FnOnce(Ends) -> LF,
    LF: Future<Output = anyhow::Result<()>>,
    R: FnOnce(Ends) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
{
    if stages.is_empty() {
        let (l, r) = pair();
        let (local, remote) = tokio::join!(local(l), remote(r));
        return verdict(remote, local);
    }
    let (l, facing_local) = pair();
    let (facing_remote, r) = pair();
    let (local, (of_local, of_remote), remote) = tokio::join!(
        local(l),
        between(facing_local, stages, facing_remote),
        remote(r)
    );
    verdict(combine(remote, of_remote), combine(local, of_local))
}

/// Runs `side` behind `stages`, as one side facing `ends`: a byte-stream side behind its
/// framing (a listener's TCP client seen by the hub as records; a `--reconnect` client's
/// stdin/stdout, which outlives its connections). Its result is `side`'s, [`combine`]d with
/// its stages'.
pub async fn behind<S, SF>(side: S, stages: Vec<Stage<'_>>, ends: Ends) -> anyhow::Result<()>
where
    S: FnOnce(Ends) -> SF,
    SF: Future<Output = anyhow::Result<()>>,
{
    if stages.is_empty() {
        return side(ends).await;
    }
    let (inner, outer) = pair();
    let (side, (of_local, of_remote)) = tokio::join!(side(inner), between(outer, stages, ends));
    combine(combine(side, of_local), of_remote)
}

/// Runs `stages` (one at least) in order between ends that exist already: `local` faces the
/// local side, `remote` the remote side (for [`run`] and [`behind`]). Returns the results of
/// the local side's stages and of the remote side's, each [`combine`]d.
async fn between(
    local: Ends,
    stages: Vec<Stage<'_>>,
    remote: Ends,
) -> (anyhow::Result<()>, anyhow::Result<()>) {
    assert!(
        !stages.is_empty(),
        "between: at least one stage joins the two ends"
    );
    let count = stages.len();
    let mut running = Vec::with_capacity(count);
    let mut facing = Some(local);
    let mut remote = Some(remote);
    for (i, stage) in stages.into_iter().enumerate() {
        // The last stage takes the remote side's ends; the others a pair to the next stage.
        let (towards, next) = if i + 1 == count {
            (remote.take().expect("the last stage's"), None)
        } else {
            let (towards, next) = pair();
            (towards, Some(next))
        };
        let this = std::mem::replace(&mut facing, next).expect("each stage's local ends");
        running.push((stage.side, (stage.run)(this, towards)));
    }
    let sides: Vec<Side> = running.iter().map(|(side, _)| *side).collect();
    let results = futures_util::future::join_all(running.into_iter().map(|(_, run)| run)).await;
    let (mut of_local, mut of_remote) = (Ok(()), Ok(()));
    for (side, result) in sides.into_iter().zip(results) {
        match side {
            Side::Local => of_local = combine(of_local, result),
            Side::Remote => of_remote = combine(of_remote, result),
        }
    }
    (of_local, of_remote)
}

/// What the remote side carries, as far as the relay and the stages between the sides must
/// know: a byte stream with a half-close (TCP, TLS), datagrams (UDP), or messages with their
/// own boundaries and kinds (WebSocket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Stream,
    Datagram,
    Message,
}

impl Transport {
    /// A byte stream: records have no boundaries of their own (`--count` counts lines).
    pub fn is_stream(self) -> bool {
        self == Transport::Stream
    }
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
