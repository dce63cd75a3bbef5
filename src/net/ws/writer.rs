//! The writing half of a WebSocket session: our messages, pings and Close to the peer, each
//! write bounded by how long the peer may take none of our bytes, and the events for them.

use std::future::Future;
use std::os::fd::RawFd;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::Receiver;
use tokio::time::{Instant, Interval, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data as OpData, OpCode};
use tokio_tungstenite::tungstenite::{Message as WsMessage, Utf8Bytes};
use tokio_util::sync::CancellationToken;

use super::deflate::Compressor;
use super::gate::{Gate, Gated};
use super::{Input, Settings, Shared, WriterEnd};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::progress::{self, Patience};
use crate::net::{Linger, Peer};
use crate::relay::{Close, Kind, Message};

/// How a write to the socket ended.
pub(super) enum Sending<T> {
    Sent(T),
    /// The peer took none of our bytes for the limit.
    Stalled,
    /// The reader stopped the writer meanwhile (the peer's Close, or a violation): a peer
    /// that has closed and stopped reading must not hold the write up.
    Stopped,
}

/// `send` (writing to the socket), unless the peer takes none of our bytes for `limit`
/// (`None`: no limit, as with a plain TCP connection), or `stop` is cancelled.
pub(super) async fn unless_stalled<F: Future>(
    send: F,
    limit: Option<Duration>,
    fd: Option<RawFd>,
    stop: &CancellationToken,
) -> Sending<F::Output> {
    let mut patience =
        limit.map(|limit| Patience::new(limit, limit, Instant::now(), progress::stall_sampler(fd)));
    let stalled = async {
        match patience.as_mut() {
            Some(patience) => patience.expired().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        sent = send => Sending::Sent(sent),
        () = stalled => Sending::Stalled,
        () = stop.cancelled() => Sending::Stopped,
    }
}

/// The failure of a peer that has taken none of our data for `limit` (`what`: the option
/// that set it).
pub(super) fn stalled(peer: &Peer, limit: Duration, what: &str, code: Exit) -> anyhow::Error {
    Fail::new(
        code,
        format!(
            "{peer} has taken none of our data for {} ({what})",
            humantime::format_duration(limit)
        ),
    )
    .hint(format!(
        "the peer stopped reading; raise {what} if it is just slow"
    ))
    .err()
}

/// Sends the local side's messages; at its end of input, our Close after the linger (see
/// [`Linger`]), or the answer to the peer's held Close.
pub(super) async fn write_half<S>(
    mut sink: SplitSink<WebSocketStream<Gated<S>>, WsMessage>,
    input: &mut Input<'_>,
    shared: &Shared,
    gate: &Gate,
    control: &Settings,
    peer: &Peer,
    fd: Option<RawFd>,
) -> anyhow::Result<WriterEnd>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // However the writer ends, the peer's Close may go through: nothing more is answered.
    let _release = ReleaseOnDrop(gate);
    // When the peer's Close was held back, and how long answering it may still take.
    let mut held_since: Option<Instant> = None;
    let mut ticker = control.ping_interval.map(|every| {
        let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker
    });
    // The oldest ping not answered yet, and the wait for its pong.
    let mut ping_wait: Option<(Instant, Patience)> = None;
    // While lingering, until when.
    let mut linger_until: Option<Instant> = None;
    // How long a peer may take none of our bytes: a library with a queue of its own stops
    // reading for seconds at a time, so the longer of the two timeouts (see `Patience`).
    // With pings, a peer that takes nothing for that long is as dead as one that does not
    // answer them (the ping could not even be sent); without, an upload waits as TCP does.
    let (stall, stall_option) = if control.close_timeout >= control.ping_timeout {
        (control.close_timeout, "--close-timeout")
    } else {
        (control.ping_timeout, "--ping-timeout")
    };
    let send_limit = control.ping_interval.map(|_| stall);
    let sent = |result: Result<(), WsError>| match result {
        Ok(()) => Ok(None),
        // The peer's Close came in meanwhile: the reader has the rest of the story.
        Err(
            WsError::ConnectionClosed
            | WsError::AlreadyClosed
            | WsError::Protocol(ProtocolError::SendAfterClosing),
        ) => Ok(Some(WriterEnd::Stopped)),
        Err(WsError::Io(err)) => Err(crate::net::tcp::peer_error(
            err,
            format!("sending to {peer}"),
        )),
        Err(err) => Err(anyhow::Error::new(err).context(format!("could not send to {peer}"))),
    };
    // We start the closing handshake, unless the peer's Close came first (we answer it).
    let starting = || {
        if shared.peer_end.lock().unwrap().is_none() && !gate.holding() {
            shared.we_closed.store(true, Ordering::SeqCst);
        }
    };
    // Our giving up on the peer is the session's outcome, whatever the peer answers after.
    let give_up = |err: anyhow::Error| {
        shared.gave_up.store(true, Ordering::SeqCst);
        err
    };
    let ping_stalled = || give_up(stalled(peer, stall, stall_option, Exit::Io));
    let close_stalled = || {
        give_up(stalled(
            peer,
            control.close_timeout,
            "--close-timeout",
            Exit::PeerAbnormal,
        ))
    };
    // Our Close, as the last frame; a peer that takes none of our data meanwhile (so the
    // Close cannot even be written) is given up after --close-timeout.
    let close = async |sink: &mut SplitSink<_, _>, frame: WsMessage| {
        starting();
        let limit = Some(control.close_timeout);
        match unless_stalled(
            sink.send(super::dumped('>', frame)),
            limit,
            fd,
            &shared.stop,
        )
        .await
        {
            Sending::Sent(result) => {
                sent(result).map(|end| end.unwrap_or(WriterEnd::ClosedByUs(Instant::now())))
            }
            Sending::Stalled => Err(close_stalled()),
            Sending::Stopped => Ok(WriterEnd::Stopped),
        }
    };
    let ours = |code: u16, reason: Utf8Bytes| {
        WsMessage::Close(Some(CloseFrame {
            code: code.into(),
            reason,
        }))
    };
    loop {
        let oldest = shared.pings.lock().unwrap().oldest();
        if ping_wait.as_ref().map(|(at, _)| *at) != oldest {
            ping_wait = oldest.map(|at| {
                (
                    at,
                    Patience::new(control.ping_timeout, stall, at, progress::sampler(fd))
                        .knowing_pause(shared.longest_send()),
                )
            });
        }
        let linger = match control.linger {
            Linger::After(quiet) => quiet,
            Linger::Forever => Duration::ZERO,
        };
        tokio::select! {
            biased;
            _ = shared.stop.cancelled() => {
                let frame = shared.fail.lock().unwrap().take();
                if let Some(frame) = frame {
                    shared.we_closed.store(true, Ordering::SeqCst);
                    let _ = sink.send(super::dumped('>', WsMessage::Close(Some(frame)))).await;
                }
                return Ok(WriterEnd::Stopped);
            }
            _ = shared.shutdown.requested() => {
                // A listener shutting down: what is queued goes out, then Close 1001.
                let mut result = Ok(());
                while result.is_ok() {
                    match input.rx.try_recv() {
                        Ok(msg) => result = sink.feed(deflated(super::dumped('>', to_ws(msg, control)), &mut input.compress)).await,
                        Err(_) => break,
                    }
                }
                if let Some(end) = sent(result)? {
                    return Ok(end);
                }
                return close(&mut sink, ours(1001, Utf8Bytes::from_static("server shutting down"))).await;
            }
            _ = expired(&mut ping_wait), if ping_wait.is_some() => {
                if shared.pings.lock().unwrap().oldest() != ping_wait.as_ref().map(|(at, _)| *at) {
                    continue; // answered meanwhile
                }
                shared.we_closed.store(true, Ordering::SeqCst);
                let frame = CloseFrame { code: CloseCode::Error, reason: Utf8Bytes::from_static("no pong") };
                let _ = timeout(Duration::from_secs(1), sink.send(super::dumped('>', WsMessage::Close(Some(frame))))).await;
                return Err(give_up(Fail::new(
                    Exit::Io,
                    format!("no pong from {peer} within {}", humantime::format_duration(control.ping_timeout)),
                )
                .hint("the peer or the network stopped answering; raise --ping-timeout if it is only slow")
                .err()));
            }
            _ = tick(&mut ticker), if ticker.is_some() => {
                let payload = shared.pings.lock().unwrap().sent();
                console::detail(2, "ping", format!("ping to {peer}"), json!({"peer": peer}));
                let ping = sink.send(super::dumped('>', WsMessage::Ping(payload.to_vec().into())));
                let result = match unless_stalled(ping, send_limit, fd, &shared.stop).await {
                    Sending::Sent(result) => result,
                    Sending::Stalled => return Err(ping_stalled()),
                    // The stop branch above takes it from here.
                    Sending::Stopped => continue,
                };
                shared.pings.lock().unwrap().reached_socket();
                if let Some(end) = sent(result)? {
                    return Ok(end);
                }
            }
            _ = gate.held(), if control.hold_close && held_since.is_none() => {
                held_since = Some(Instant::now());
                if input.ended {
                    // Our side has said all it had to (we were lingering): answer now.
                    gate.release();
                }
            }
            _ = sleep_until(held_since.unwrap_or_else(Instant::now) + control.close_timeout / 2), if held_since.is_some() && gate.holding() => {
                // The local side is still at it: the peer's Close has waited long enough.
                // Half of --close-timeout, so that a peer waiting as long as we would for
                // an answer to its Close still gets it. Now tungstenite answers it.
                gate.release();
            }
            msg = input.rx.recv(), if !input.ended => {
                let Some(msg) = msg else {
                    input.ended = true;
                    if gate.holding() {
                        // Everything before the peer's Close is answered: now tungstenite
                        // answers the Close itself (with the peer's code).
                        gate.release();
                        continue;
                    }
                    match control.linger {
                        Linger::After(quiet) if quiet.is_zero() => {
                            return close(&mut sink, ours(control.close_code, control.close_reason.clone().into())).await;
                        }
                        Linger::After(quiet) => {
                            console::detail(2, "linger", format!("end of input: closing once {peer} is quiet for {}", humantime::format_duration(quiet)), json!({"peer": peer, "linger_ms": quiet.as_millis() as u64}));
                            linger_until = Some(Instant::now() + quiet);
                        }
                        Linger::Forever => {}
                    }
                    continue;
                };
                // A burst goes out with one flush.
                let verbose = console::verbosity() >= 1;
                let limit = match msg.kind {
                    Kind::Close(_) => Some(control.close_timeout),
                    _ => send_limit,
                };
                // Boxed: one allocation per burst keeps the writer's state small while the
                // connection is idle (memory per connection).
                let burst = Box::pin(async {
                    let mut closing = false;
                    let mut batch = vec![msg];
                    let mut result = Ok(());
                    'burst: loop {
                        for msg in batch.drain(..) {
                            if verbose {
                                message_event(peer, "out", &msg);
                            }
                            // A Close passed on from the other side (`--to`) is our last frame.
                            closing = matches!(msg.kind, Kind::Close(_));
                            if closing {
                                starting();
                            }
                            let frame = deflated(super::dumped('>', to_ws(msg, control)), &mut input.compress);
                            result = noting_wait(sink.feed(frame), shared).await;
                            if closing || result.is_err() {
                                break 'burst;
                            }
                        }
                        if !next_in_burst(input.rx, &mut batch).await {
                            break;
                        }
                    }
                    if result.is_ok() {
                        result = noting_wait(sink.flush(), shared).await;
                    }
                    (result, closing)
                });
                let (result, closing) = match unless_stalled(burst, limit, fd, &shared.stop).await {
                    Sending::Sent(sent) => sent,
                    Sending::Stalled if send_limit.is_some() => return Err(ping_stalled()),
                    Sending::Stalled => {
                        return Err(close_stalled());
                    }
                    // The stop branch above takes it from here.
                    Sending::Stopped => continue,
                };
                if closing {
                    return Ok(sent(result)?.unwrap_or(WriterEnd::ClosedByUs(Instant::now())));
                }
                if let Some(end) = sent(result)? {
                    return Ok(end);
                }
            }
            _ = shared.output_gone.cancelled() => {
                // Nobody takes what the peer sends any more (stdout closed by its reader):
                // going away, whatever the input still holds.
                console::detail(1, "output_closed", "the output was closed: closing with 1001", json!({"peer": peer}));
                return close(&mut sink, ours(1001, Utf8Bytes::from_static("going away"))).await;
            }
            _ = shared.activity.notified(), if linger_until.is_some() => {
                linger_until = Some(Instant::now() + linger);
            }
            _ = sleep_until(linger_until.unwrap_or_else(Instant::now)), if linger_until.is_some() => {
                return close(&mut sink, ours(control.close_code, control.close_reason.clone().into())).await;
            }
        }
    }
}

/// Resolves when the wait for the oldest ping's pong has run out; never without one.
pub(super) async fn expired(wait: &mut Option<(Instant, Patience)>) {
    match wait {
        Some((_, patience)) => patience.expired().await,
        None => std::future::pending().await,
    }
}

/// A code received that may be sent on: 1005 (none given) and 1006 (dropped) never appear
/// in a Close frame, so they go on as 1000 and 1011.
pub(super) fn passable(code: u16) -> u16 {
    match code {
        1005 => 1000,
        1006 | 1015 => 1011,
        other => other,
    }
}

/// Releases the gate when the writer ends.
pub(super) struct ReleaseOnDrop<'a>(&'a Gate);

impl Drop for ReleaseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// `-v`: one line (or event) per message, with its direction, type and size.
pub(super) fn message_event(peer: &Peer, direction: &str, msg: &Message) {
    let kind = match msg.kind {
        Kind::Text => "text",
        Kind::Binary => "binary",
        Kind::Close(_) => "close",
        Kind::Ping => "ping",
        Kind::Pong => "pong",
    };
    let arrow = if direction == "in" { "<" } else { ">" };
    console::detail(
        1,
        "message",
        format!("{arrow} {kind} message, {} bytes", msg.data.len()),
        json!({"peer": peer, "direction": direction, "type": kind, "size": msg.data.len()}),
    );
}

pub(super) async fn tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(ticker) => {
            ticker.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// A data message compressed, when permessage-deflate is on: one frame with RSV1 set (RFC
/// 7692 6.1), handed to tungstenite whole. Dumped (`--hex-dump`) before, so the dump shows
/// the message, not its deflate bytes.
fn deflated(msg: WsMessage, compress: &mut Option<Compressor>) -> WsMessage {
    let Some(compress) = compress else {
        return msg;
    };
    let (opcode, data) = match &msg {
        WsMessage::Text(text) => (OpData::Text, text.as_bytes()),
        WsMessage::Binary(data) => (OpData::Binary, &data[..]),
        _ => return msg,
    };
    let Some(payload) = compress.compress(data) else {
        return msg;
    };
    let mut frame = Frame::message(payload, OpCode::Data(opcode), true);
    frame.header_mut().rsv1 = true;
    WsMessage::Frame(frame)
}

/// Our message as a frame. Text is validated before it gets here (framing, or it arrived as
/// text); should it not be UTF-8 after all, it goes as binary rather than as invalid text. A
/// Close without a code is ours: `--close-code` and `--close-reason`.
pub(super) fn to_ws(msg: Message, control: &Settings) -> WsMessage {
    match msg.kind {
        Kind::Binary => WsMessage::Binary(msg.data),
        Kind::Ping => WsMessage::Ping(msg.data),
        Kind::Pong => WsMessage::Pong(msg.data),
        Kind::Close(Close { code: None, .. }) => WsMessage::Close(Some(CloseFrame {
            code: control.close_code.into(),
            reason: control.close_reason.clone().into(),
        })),
        Kind::Close(Close {
            code: Some(code), ..
        }) => WsMessage::Close(Some(CloseFrame {
            code: passable(code).into(),
            reason: Utf8Bytes::try_from(msg.data).unwrap_or_default(),
        })),
        Kind::Text => match Utf8Bytes::try_from(msg.data.clone()) {
            Ok(text) => WsMessage::Text(text),
            Err(_) => WsMessage::Binary(msg.data),
        },
    }
}

/// The next messages of a burst into `batch` (empty), if its producer has some ready: what is
/// queued, else what a producer that is still at work hands over once every ready task has
/// run (one yield); false when there are none. The echo's reader with more frames from the
/// same read is such a producer: its messages then go out in one write. Taken together, they
/// give their room in the channel back at once.
async fn next_in_burst(rx: &mut Receiver<Message>, batch: &mut Vec<Message>) -> bool {
    if rx.is_empty() {
        tokio::task::yield_now().await;
    }
    let limit = rx.max_capacity();
    // Pending (nothing there) registers this task's waker, as the writer's `recv` would.
    let _ = std::future::poll_fn(|cx| Poll::Ready(rx.poll_recv_many(cx, batch, limit))).await;
    !batch.is_empty()
}

/// `send` (a write towards the socket), noting in `shared` how long it waited for room in
/// the socket if it had to wait at all: the clock is read only then (a hot path).
async fn noting_wait<F: Future>(send: F, shared: &Shared) -> F::Output {
    let mut send = std::pin::pin!(send);
    let mut since = None;
    let output = std::future::poll_fn(|cx| {
        let poll = send.as_mut().poll(cx);
        if poll.is_pending() {
            since.get_or_insert_with(Instant::now);
        }
        poll
    })
    .await;
    if let Some(since) = since {
        shared.waited_since(since);
    }
    output
}
