//! The reader half of a session: the peer's messages to the local side, until its Close;
//! a violation fails the connection with the code RFC 6455 names.

use std::net::SocketAddr;
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

use super::gate::{Gate, Gated};
use super::{Shared, message_event};
use crate::config::WsControl;
use crate::console;
use crate::exit::{Exit, Fail};
use crate::relay::{Kind, Message};

/// Delivers the peer's messages to the local side. Returns the peer's Close (`Some(None)`
/// for a Close without a code), or `None` when the connection ended without one.
pub(super) async fn read_half<S>(
    mut stream: SplitStream<WebSocketStream<Gated<S>>>,
    tx: mpsc::Sender<Message>,
    shared: Arc<Shared>,
    gate: Arc<Gate>,
    control: WsControl,
    peer: SocketAddr,
) -> anyhow::Result<Option<Option<CloseFrame>>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut peer_close = None;
    // Once the local side is gone (stdout closed), messages are read and dropped so that the
    // closing handshake still completes. The peer's Close held back by the gate ends the
    // local side's input (after every message before it), so that it can finish answering.
    let mut tx = Some(tx);
    let mut deliver = true;
    loop {
        let item = tokio::select! {
            biased;
            item = stream.next() => item,
            _ = gate.held(), if tx.is_some() && control.hold_close => {
                // `--to ws://`: the upstream closes with the client's code.
                if control.forward_close && deliver {
                    let close = gate.held_close().unwrap_or((1000, String::new()));
                    pass_close(tx.as_ref(), close).await;
                }
                tx = None;
                continue;
            }
        };
        let Some(item) = item else { break };
        let msg = match item {
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
                // `--to ws://`: the other WebSocket closes with the same code.
                if control.forward_close && deliver {
                    let close = match &frame {
                        Some(f) => (u16::from(f.code), f.reason.to_string()),
                        None => (1005, String::new()),
                    };
                    pass_close(tx.as_ref(), close).await;
                }
                // Keep reading: tungstenite sends our answer on the next read.
                peer_close = Some(frame);
                shared.stop.cancel();
                continue;
            }
            Ok(WsMessage::Frame(_)) => continue,
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => break,
            Err(WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => break,
            // The peer's Close came; a reset after it loses nothing.
            Err(WsError::Io(_)) if peer_close.is_some() => break,
            Err(WsError::Io(err)) => {
                return Err(crate::net::tcp::peer_error(
                    err,
                    format!("receiving from {peer}"),
                ));
            }
            Err(err) => {
                return Err(fail_connection(&mut stream, err, &shared, &control, peer).await);
            }
        };
        if console::verbosity() >= 1 {
            message_event(peer, "in", &msg);
        }
        if let Some(sender) = tx.as_ref().filter(|_| deliver) {
            if sender.send(msg).await.is_err() {
                deliver = false;
            }
        }
    }
    Ok(peer_close)
}

/// Passes the peer's Close on to the local side (`--to ws://`), if it is still there.
async fn pass_close(tx: Option<&mpsc::Sender<Message>>, (code, reason): (u16, String)) {
    if let Some(tx) = tx {
        let _ = tx.send(Message::close(code, &reason)).await;
    }
}

/// Fails the connection after a violation by the peer: the writer sends a Close with the code
/// RFC 6455 names for it, and what the peer still sends is read and dropped until it closes
/// (bounded by `--close-timeout`).
async fn fail_connection<S>(
    stream: &mut SplitStream<WebSocketStream<Gated<S>>>,
    err: WsError,
    shared: &Shared,
    control: &WsControl,
    peer: SocketAddr,
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
