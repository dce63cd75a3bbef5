//! The WebSocket remote side (RFC 6455): one session over an established connection, in
//! either role. [`handshake`] opens it as a client, [`accept`] as a server.
//!
//! A session is two halves over the split stream. The writer sends the local side's messages
//! (batched, one flush per burst) and pings on `--ping-interval`. At the local side's end of
//! input it does not close at once: WebSocket has no half-close, and most peers answer a Close
//! the moment they read it, dropping the replies they were about to send. So it keeps
//! reading, and sends its Close once the peer has been quiet for `--linger` ([`Linger`](crate::net::Linger); a
//! listener's stdin waits for the client's Close); the peer's own Close is answered at once.
//! When the local side stops taking what arrives (stdout closed), it closes with 1001.
//!
//! The reader delivers messages to the local side until the peer's Close (tungstenite answers
//! pings and Closes by itself) and fails the connection with the right close code on a
//! protocol violation (1002), invalid UTF-8 (1007) or a message over `--max-message-size`
//! (1009). Waits for an answer (our Close, a ping) count from when the frame reached the
//! socket and not while the peer is still taking the data queued before it
//! ([`progress::Patience`]). The reader half is in `reader.rs`, the writer half in
//! `writer.rs`, the hold on the peer's Close and the raw close code in [`gate`].

pub mod accept;
pub mod deflate;
pub mod gate;
pub mod handshake;
mod reader;
pub mod request;
mod settings;
mod writer;

use std::collections::VecDeque;
use std::future::Future;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Notify, mpsc};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::hexdump;
use crate::net::Peer;
use crate::net::progress::{self, Acked, Patience};
use crate::relay::{Ends, Message, Unsent, drain_unsent};
use crate::shutdown::Shutdown;
use gate::Gated;
use reader::read_half;
pub use settings::{Settings, close_problem};
use writer::write_half;

/// How much one read from the socket takes. tungstenite zero-fills this much before every
/// read (also the one that finds nothing more to read), so a large buffer costs two large
/// memsets per small message, while a bulk stream wants few, large reads. Measured
/// (`cargo bench --bench ws`): 128 KiB doubles `-b` throughput over 16 KiB; 16 KiB gives
/// small-message echo 1.3x the round trips of 128 KiB.
const READ_BUFFER_BULK: usize = 128 * 1024;
/// Kept by every connection, idle or not, so small; reads go through a 16 KiB buffer held
/// only while it has bytes (`gate/spare.rs`). 2 KiB before; 256 bytes against 512: 8.3 ->
/// 8.1 KiB per idle connection (`cargo bench --bench idle`, 5,000 clients).
const READ_BUFFER_MESSAGES: usize = 256;

/// The message limit in force for `asked` bytes (`--max-message-size`): at most the
/// machine's physical memory, since a message is held whole before it is passed on. A frame
/// announcing more than that is refused (1009) from its header, rather than waited for.
pub fn message_limit(asked: usize) -> usize {
    // SAFETY: sysconf has no preconditions; a failure is -1.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    match (usize::try_from(pages), usize::try_from(page)) {
        (Ok(pages), Ok(page)) if pages > 0 && page > 0 => asked.min(pages.saturating_mul(page)),
        _ => asked,
    }
}

/// The tungstenite limits for `control`: frames may be as large as whole messages. `bulk`:
/// the local side is a raw byte stream (`-b`), so reads are sized for throughput.
pub fn ws_config(
    control: &Settings,
    bulk: bool,
) -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    let read_buffer = if bulk {
        READ_BUFFER_BULK
    } else {
        READ_BUFFER_MESSAGES
    };
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .max_message_size(Some(control.max_message_size))
        // A control frame may carry 125 bytes whatever the limit (RFC 6455 5.5): a peer's
        // Close (2 bytes and more) is never "too long", even under `--max-message-size 1`.
        .max_frame_size(Some(control.max_message_size.max(125)))
}

/// What the two halves share.
struct Shared {
    /// Cancelled by the reader when the writer must stop: the peer's Close, or a failure.
    stop: CancellationToken,
    /// The Close the writer sends when the reader failed the connection.
    fail: Mutex<Option<CloseFrame>>,
    /// Set once our Close has been sent.
    we_closed: AtomicBool,
    /// Set when the writer gave up on the peer (no pong, or none of our data taken): its
    /// error is the session's outcome, even if the peer then answers our Close.
    gave_up: AtomicBool,
    /// The longest one of our sends has waited for room in the socket, in ms: the peer's
    /// longest pause in reading, which a wait for its answer allows for twice over.
    longest_send: AtomicU64,
    pings: Mutex<Pings>,
    /// Cancelled by the reader when the local side stops taking what the peer sends (its
    /// stdout was closed by its reader): the session ends at once, with 1001.
    output_gone: CancellationToken,
    /// Told by the reader for each data message: the peer is still talking (the linger).
    activity: Notify,
    /// How the peer ended, kept as soon as its Close is read: a peer that keeps its TCP
    /// connection open after the closing handshake still has its code reported.
    peer_end: Mutex<Option<PeerEnd>>,
    /// The connection's shutdown: once it starts (a listener shutting down), what is queued
    /// goes out, then Close 1001.
    shutdown: Shutdown,
}

impl Shared {
    /// Notes that one of our sends, which first had to wait for room in the socket at
    /// `since`, has just ended.
    fn waited_since(&self, since: Instant) {
        let ms = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.longest_send.fetch_max(ms, Ordering::Relaxed);
    }

    /// The longest one of our sends has waited so far.
    fn longest_send(&self) -> Duration {
        Duration::from_millis(self.longest_send.load(Ordering::Relaxed))
    }
}

/// How the peer ended the session.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PeerEnd {
    /// Its Close: the code (`None`: it gave none, 1005) and the reason.
    Closed { code: Option<u16>, reason: String },
    /// A Close with a code that may not be sent (RFC 6455 7.4.1), answered with 1002.
    BadCode(u16),
    /// The connection ended without a Close (1006).
    Dropped,
}

/// Pings in flight: the payload is a counter, so a pong tells which ping it answers.
#[derive(Default)]
struct Pings {
    next: u64,
    outstanding: VecDeque<(u64, Instant)>,
}

impl Pings {
    fn sent(&mut self) -> [u8; 8] {
        self.next += 1;
        self.outstanding.push_back((self.next, Instant::now()));
        self.next.to_be_bytes()
    }

    /// The last ping has reached the socket (behind whatever was queued before it): its
    /// timeout counts from now.
    fn reached_socket(&mut self) {
        if let Some(last) = self.outstanding.back_mut() {
            last.1 = Instant::now();
        }
    }

    /// The round-trip time of the ping `payload` answers; older pings count as answered too.
    fn answered(&mut self, payload: &[u8]) -> Option<Duration> {
        let id = u64::from_be_bytes(payload.try_into().ok()?);
        let mut rtt = None;
        while let Some(&(sent_id, at)) = self.outstanding.front() {
            if sent_id > id {
                break;
            }
            self.outstanding.pop_front();
            if sent_id == id {
                rtt = Some(at.elapsed());
            }
        }
        rtt
    }

    fn oldest(&self) -> Option<Instant> {
        self.outstanding.front().map(|&(_, at)| at)
    }
}

/// How the writer ended.
enum WriterEnd {
    /// Our Close went out; it reached the socket at this instant.
    ClosedByUs(Instant),
    /// The reader stopped us (the peer closed, or the connection failed).
    Stopped,
}

/// Runs one session until both Closes are exchanged (or the connection fails). The peer's
/// close code decides the outcome: a Close the peer starts with a code other than 1000/1001
/// (or none), or a connection lost without any Close, is the peer ending abnormally (exit 5);
/// input the peer closed on before it could be sent is an [`Unsent`] error (exit 1). Once
/// `shutdown` starts, what is queued goes out, then Close 1001.
///
/// The setup is done at the call, and the future returned keeps only the session's halves:
/// not the stream it was given (memory per idle connection).
pub fn run<'a, S>(
    ws: WebSocketStream<Gated<S>>,
    ends: Ends,
    control: &'a Settings,
    peer: Peer,
    shutdown: &Shutdown,
) -> impl Future<Output = anyhow::Result<()>> + Send + 'a
where
    S: AsyncRead + AsyncWrite + Acked + Unpin + Send + 'static,
{
    // (Named only when dumping: no string made for every connection otherwise.)
    hexdump::header(&peer);
    let gate = ws.get_ref().gate();
    let fd = ws.get_ref().get_ref().tcp_fd();
    if let Some(fd) = fd {
        progress::bound_unsent(fd);
    }
    let compress = ws
        .get_ref()
        .deflate()
        .map(|(config, server)| deflate::Compressor::new(config.sides(server).0));
    if control.hold_close {
        gate.arm();
    }
    let (sink, stream) = ws.split();
    let shared = Arc::new(Shared {
        stop: CancellationToken::new(),
        fail: Mutex::new(None),
        we_closed: AtomicBool::new(false),
        gave_up: AtomicBool::new(false),
        longest_send: AtomicU64::new(0),
        pings: Mutex::new(Pings::default()),
        output_gone: CancellationToken::new(),
        activity: Notify::new(),
        peer_end: Mutex::new(None),
        shutdown: shutdown.clone(),
    });
    let Ends { tx, mut rx } = ends;
    // The reader is a task of its own: polled together with the writer, every message going
    // out also polled the socket for input (a read that finds nothing, after tungstenite has
    // zero-filled its buffer). Aborted if this session is dropped.
    let reader = AbortOnDropHandle::new(tokio::spawn(read_half(
        stream,
        tx,
        shared.clone(),
        gate.clone(),
        reader::ReadRules::of(control),
        peer.clone(),
    )));
    async move {
        let reader = async move {
            reader
                .await
                .unwrap_or_else(|e| Err(anyhow::anyhow!("the WebSocket reader failed: {e}")))
        };
        let mut input = Input {
            rx: &mut rx,
            ended: false,
            compress,
        };
        // Whether the peer ended the session before our side had said all it had to.
        let mut peer_first = true;
        let received = {
            let writer = Box::pin(write_half(
                sink, &mut input, &shared, &gate, control, &peer, fd,
            ));
            tokio::pin!(reader, writer);
            tokio::select! {
                received = &mut reader => {
                    shared.stop.cancel();
                    // Let the writer send a failing Close; it may be stuck on a peer that reads nothing.
                    match timeout(control.close_timeout, &mut writer).await {
                        // It gave up on the peer (no pong) as the peer's answer came in.
                        Ok(Err(err)) if shared.gave_up.load(Ordering::SeqCst) => return Err(err),
                        _ => received,
                    }
                }
                written = &mut writer => match written {
                    Err(err) if shared.gave_up.load(Ordering::SeqCst) => {
                        // The peer may still answer the Close we sent on giving up; our
                        // error is the outcome either way.
                        let _ = timeout(control.close_timeout, &mut reader).await;
                        return Err(err);
                    }
                    // A reset while sending can follow the peer's Close (it closed with our data
                    // unread): the reader says whether the Close came.
                    Err(err) => match timeout(control.close_timeout, &mut reader).await {
                        Ok(Ok(end)) if end != PeerEnd::Dropped => Ok(end),
                        _ => return Err(err),
                    },
                    Ok(end) => {
                    let waited = match end {
                        WriterEnd::ClosedByUs(at) => {
                            peer_first = false;
                            answer_within(&mut reader, control.close_timeout, at, &shared, fd).await
                        }
                        WriterEnd::Stopped => timeout(control.close_timeout, &mut reader).await.ok(),
                    };
                    match (waited, shared.peer_end.lock().unwrap().clone()) {
                        (Some(received), _) => received,
                        // The closing handshake is done; the peer just keeps its TCP connection.
                        (None, Some(end)) => Ok(end),
                        (None, None) if matches!(end, WriterEnd::ClosedByUs(_)) => {
                            return Err(Fail::new(
                                Exit::PeerAbnormal,
                                format!(
                                    "{peer} did not answer our Close within {}",
                                    humantime::format_duration(control.close_timeout)
                                ),
                            )
                            .hint("the peer may be stuck; raise --close-timeout if it is just slow")
                            .err());
                        }
                        (None, None) => Ok(PeerEnd::Dropped),
                    }
                    }
                }
            }
        };
        let input_ended = input.ended;
        let we_closed = shared.we_closed.load(Ordering::SeqCst);
        closed(received?, we_closed, &peer)?;
        // What the local side had handed over and the peer closed on; whatever way the writer
        // ended, the queue is still here to be counted.
        if peer_first && !input_ended {
            // Even with nothing queued here: what the local side's stages still hold counts
            // beside it (`relay::verdict`), and a zero is settled there.
            return Err(anyhow::Error::new(Unsent {
                bytes: drain_unsent(&mut rx),
            }));
        }
        Ok(())
    }
}

/// The local side's messages as the writer takes them: `ended` once they have all come;
/// `compress`: permessage-deflate's compressor, when negotiated.
struct Input<'a> {
    rx: &'a mut mpsc::Receiver<Message>,
    ended: bool,
    compress: Option<deflate::Compressor>,
}

/// Waits for the peer's answer to our Close (`reader` ending) for `limit` from `at`, when our
/// Close reached the socket; the wait starts again while the peer is visibly still taking
/// the data queued before it, or still sending us data (answering what it had read).
async fn answer_within<F: Future + Unpin>(
    reader: &mut F,
    limit: Duration,
    at: Instant,
    shared: &Shared,
    fd: Option<RawFd>,
) -> Option<F::Output> {
    let mut patience =
        Patience::new(limit, limit, at, progress::sampler(fd)).knowing_pause(shared.longest_send());
    loop {
        tokio::select! {
            received = &mut *reader => return Some(received),
            () = patience.expired() => return None,
            _ = shared.activity.notified() => patience.restart(),
        }
    }
}

/// Reports the end of a session from how the peer ended.
fn closed(end: PeerEnd, we_closed: bool, peer: &Peer) -> anyhow::Result<()> {
    let (code, reason) = match end {
        PeerEnd::Dropped => {
            return Err(Fail::new(
                Exit::PeerAbnormal,
                format!("connection to {peer} lost without a closing handshake (1006)"),
            )
            .err());
        }
        PeerEnd::BadCode(code) => {
            console::status(
                "closed",
                format!("closed: the peer's close code {code} may not be sent; answered 1002"),
                json!({"peer": peer, "code": 1002, "reason": "", "initiator": "us", "peer_code": code}),
            );
            return Err(Fail::new(
                Exit::Io,
                format!(
                    "{peer} broke the WebSocket protocol: it closed with code {code}, which may not be sent (RFC 6455 7.4); closed with 1002"
                ),
            )
            .err());
        }
        PeerEnd::Closed { code, reason } => (code.unwrap_or(1005), reason),
    };
    let text = match (code, reason.is_empty()) {
        (1005, _) => "closed: 1005 (no status code)".to_string(),
        (_, true) => format!("closed: {code}"),
        (_, false) => format!("closed: {code} {reason}"),
    };
    let by = if we_closed { "us" } else { "peer" };
    console::status(
        "closed",
        text,
        json!({"peer": peer, "code": code, "reason": reason, "initiator": by}),
    );
    if !we_closed && !matches!(code, 1000 | 1001 | 1005) {
        let shown = if reason.is_empty() {
            code.to_string()
        } else {
            format!("{code} {reason}")
        };
        return Err(Fail::new(
            Exit::PeerAbnormal,
            format!("{peer} closed the connection with {shown}"),
        )
        .err());
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Dumps `msg` under `--hex-dump` (`mark`: `>` sent, `<` received); returns it.
fn dumped(mark: char, msg: WsMessage) -> WsMessage {
    if hexdump::enabled() {
        let close = |frame: &Option<CloseFrame>| match frame {
            Some(frame) => (
                format!("close {}", u16::from(frame.code)),
                frame.reason.as_bytes().to_vec(),
            ),
            None => ("close".to_string(), Vec::new()),
        };
        let (what, data): (String, Vec<u8>) = match &msg {
            WsMessage::Text(text) => ("text message".into(), text.as_bytes().to_vec()),
            WsMessage::Binary(data) => ("binary message".into(), data.to_vec()),
            WsMessage::Ping(data) => ("ping".into(), data.to_vec()),
            WsMessage::Pong(data) => ("pong".into(), data.to_vec()),
            WsMessage::Close(frame) => close(frame),
            WsMessage::Frame(_) => return msg,
        };
        hexdump::block(mark, &what, &data);
    }
    msg
}
