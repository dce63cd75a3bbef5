//! The reader half of a session: the peer's messages to the local side, until its Close;
//! a violation fails the connection with the code RFC 6455 names.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message as WsMessage, Utf8Bytes};

use super::gate::{Gate, Gated, RawClose};
use super::writer::message_event;
use super::{PeerEnd, Shared};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::Peer;
use crate::net::ws::Settings;
use crate::relay::{Initiator, Kind, Message};

/// What the reader needs of the session's [`Settings`]: a copy small enough for a future
/// that every connection keeps (memory per idle connection).
#[derive(Clone, Copy)]
pub(super) struct ReadRules {
    close_timeout: std::time::Duration,
    hold_close: bool,
    forward_close: bool,
    show_control: bool,
}

impl ReadRules {
    pub(super) fn of(control: &Settings) -> ReadRules {
        ReadRules {
            close_timeout: control.close_timeout,
            hold_close: control.hold_close,
            forward_close: control.forward_close,
            show_control: control.show_control,
        }
    }
}

/// Delivers the peer's messages to the local side, and returns how the peer ended.
pub(super) async fn read_half<S>(
    mut stream: SplitStream<WebSocketStream<Gated<S>>>,
    tx: mpsc::Sender<Message>,
    shared: Arc<Shared>,
    gate: Arc<Gate>,
    control: ReadRules,
    peer: Peer,
) -> anyhow::Result<PeerEnd>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut peer_end = None;
    // Once the local side is gone (stdout closed), messages are read and dropped so that the
    // closing handshake still completes. The peer's Close held back by the gate ends the
    // local side's input (after every message before it), so that it can finish answering.
    let mut tx = Some(tx);
    let mut deliver = true;
    let result = loop {
        let item = tokio::select! {
            biased;
            item = stream.next() => item,
            _ = gate.held(), if tx.is_some() && control.hold_close => {
                // `--to ws://`: the upstream closes with the client's code.
                if control.forward_close && deliver {
                    let close = gate.raw_close();
                    let code = close.as_ref().map_or(1000, |c| c.code_or_none());
                    let reason = close.map(|c| c.reason).unwrap_or_default();
                    Box::pin(pass_close(tx.as_ref(), code, &reason, Initiator::Peer)).await;
                }
                tx = None;
                continue;
            }
            _ = gone(tx.as_ref()), if deliver => {
                // The local side takes nothing more: the writer closes with 1001.
                deliver = false;
                shared.output_gone.cancel();
                continue;
            }
        };
        let Some(item) = item else { break Ok(()) };
        let msg = match item.map(|msg| super::dumped('<', msg)) {
            Ok(WsMessage::Text(text)) => Message {
                data: text.into(),
                kind: Kind::Text,
            },
            Ok(WsMessage::Binary(data)) => Message::binary(data),
            Ok(WsMessage::Ping(payload)) => {
                console::detail(
                    2,
                    "ping",
                    format!("ping from {peer}"),
                    json!({"peer": peer}),
                );
                if !control.show_control {
                    continue;
                }
                Message {
                    data: payload,
                    kind: Kind::Ping,
                }
            }
            Ok(WsMessage::Pong(payload)) => {
                let rtt = shared.pings.lock().unwrap().answered(&payload);
                if let Some(rtt) = rtt {
                    let ms = rtt.as_secs_f64() * 1000.0;
                    console::detail(
                        1,
                        "pong",
                        format!("pong from {peer}: {ms:.2} ms"),
                        json!({"peer": peer, "rtt_ms": ms}),
                    );
                    continue;
                }
                // Not the answer to a --ping-interval ping: someone's own (the prompt's
                // /ping, or the peer's unsolicited pong).
                console::detail(
                    1,
                    "pong",
                    format!("pong from {peer}: {} bytes", payload.len()),
                    json!({"peer": peer, "size": payload.len()}),
                );
                if !control.show_control {
                    continue;
                }
                Message {
                    data: payload,
                    kind: Kind::Pong,
                }
            }
            Ok(WsMessage::Close(frame)) => {
                let end = peer_close(frame.as_ref(), gate.raw_close());
                // `--to ws://`: the other WebSocket closes with the same code.
                if control.forward_close && deliver {
                    let (code, reason) = match &frame {
                        Some(f) => (u16::from(f.code), f.reason.to_string()),
                        None => (1005, String::new()),
                    };
                    Box::pin(pass_close(tx.as_ref(), code, &reason, Initiator::Peer)).await;
                }
                // Kept at once: the peer may keep its TCP connection open after this.
                *shared.peer_end.lock().unwrap() = Some(end.clone());
                // Keep reading: tungstenite sends our answer on the next read.
                peer_end = Some(end);
                shared.stop.cancel();
                continue;
            }
            Ok(WsMessage::Frame(_)) => continue,
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => break Ok(()),
            Err(WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => break Ok(()),
            // The peer's Close came; a reset after it loses nothing.
            Err(WsError::Io(_)) if peer_end.is_some() => break Ok(()),
            Err(WsError::Io(err)) => {
                break Err(crate::net::tcp::peer_error(
                    err,
                    format!("receiving from {peer}"),
                ));
            }
            Err(err) => {
                // Boxed, as every rare wait here: the reader's future keeps no room for
                // them while the connection is idle (memory per connection).
                break Err(
                    Box::pin(fail_connection(&mut stream, err, &shared, &control, &peer)).await,
                );
            }
        };
        if msg.kind.is_data() {
            shared.activity.notify_one();
        }
        if console::verbosity() >= 1 {
            message_event(&peer, "in", &msg);
        }
        if let Some(sender) = tx.as_ref().filter(|_| deliver) {
            if crate::relay::send(sender, msg).await.is_err() {
                deliver = false;
                shared.output_gone.cancel();
            }
        }
    };
    // `--to`: a connection lost, or failed, closes the other WebSocket with 1011.
    let lost = result.is_err() || peer_end.is_none();
    if lost && control.forward_close && deliver {
        if let Some(tx) = tx.as_ref() {
            let close = Message::close(1011, crate::relay::BRIDGE_FAILED, Initiator::Local);
            let _ = Box::pin(tokio::time::timeout(control.close_timeout, tx.send(close))).await;
        }
    }
    result.map(|()| peer_end.unwrap_or(PeerEnd::Dropped))
}

/// How the peer's Close `frame` (as tungstenite gives it) ends the session: tungstenite puts
/// its own 1002 in place of a code that may not be sent, so the code comes from the frame as
/// it was sent (`raw`, noted by the gate) where there is one.
fn peer_close(frame: Option<&CloseFrame>, raw: Option<RawClose>) -> PeerEnd {
    if let Some(code) = raw
        .and_then(|r| r.code)
        .filter(|&c| !CloseCode::from(c).is_allowed())
    {
        return PeerEnd::BadCode(code);
    }
    match frame {
        Some(f) => PeerEnd::Closed {
            code: Some(u16::from(f.code)),
            reason: f.reason.to_string(),
        },
        None => PeerEnd::Closed {
            code: None,
            reason: String::new(),
        },
    }
}

/// Resolves once the local side has stopped taking messages; never without one.
async fn gone(tx: Option<&mpsc::Sender<Message>>) {
    match tx {
        Some(tx) => tx.closed().await,
        None => std::future::pending().await,
    }
}

/// Passes the peer's Close on to the local side (`--to ws://`), if it is still there.
async fn pass_close(
    tx: Option<&mpsc::Sender<Message>>,
    code: u16,
    reason: &str,
    initiator: Initiator,
) {
    if let Some(tx) = tx {
        let _ = tx.send(Message::close(code, reason, initiator)).await;
    }
}

/// Fails the connection after a violation by the peer: the writer sends a Close with the code
/// RFC 6455 names for it, and what the peer still sends is read and dropped until it closes
/// (bounded by `--close-timeout`).
async fn fail_connection<S>(
    stream: &mut SplitStream<WebSocketStream<Gated<S>>>,
    err: WsError,
    shared: &Shared,
    control: &ReadRules,
    peer: &Peer,
) -> anyhow::Error
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (code, reason) = match &err {
        WsError::Capacity(_) => (CloseCode::Size, "message too big"),
        WsError::Utf8(_) => (CloseCode::Invalid, "invalid UTF-8"),
        _ => (CloseCode::Protocol, "protocol error"),
    };
    *shared.fail.lock().unwrap() = Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    });
    shared.stop.cancel();
    let deadline = Instant::now() + control.close_timeout;
    let mut errors = 0;
    loop {
        match timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(_))) => {}
            // The frame reader may be lost in the middle of a frame: give up after a second error.
            Ok(Some(Err(WsError::Capacity(_) | WsError::Protocol(_) | WsError::Utf8(_))))
                if errors == 0 =>
            {
                errors += 1
            }
            _ => break,
        }
    }
    let hint = match code {
        CloseCode::Size => Some("raise --max-message-size to accept larger messages"),
        _ => None,
    };
    let mut fail = Fail::new(
        Exit::Io,
        format!(
            "{peer} broke the WebSocket protocol; closed with {}",
            u16::from(code)
        ),
    );
    if let Some(hint) = hint {
        fail = fail.hint(hint);
    }
    anyhow::Error::new(err).context(fail)
}
