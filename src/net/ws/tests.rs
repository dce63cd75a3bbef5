//! A session's timing in-process, under `tokio::time::pause()`: pings and their timeout, and
//! a listener's shutdown, over an in-memory pipe (no TCP: the waits are plain timeouts).

use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::net::Linger;

#[test]
fn pongs_match_their_pings() {
    let mut pings = Pings::default();
    let first = pings.sent();
    let second = pings.sent();
    assert!(pings.oldest().is_some());
    assert!(pings.answered(b"junk").is_none());
    assert!(pings.answered(&second).is_some());
    // The answer to the later ping covers the earlier one too.
    assert!(pings.oldest().is_none());
    assert!(pings.answered(&first).is_none());
}

const HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

fn settings(ping_interval: Option<Duration>) -> Settings {
    Settings {
        ping_interval,
        ping_timeout: Duration::from_secs(5),
        close_code: 1000,
        close_reason: String::new(),
        close_timeout: Duration::from_secs(3),
        max_message_size: 1 << 20,
        hold_close: false,
        forward_close: false,
        show_control: false,
        linger: Linger::After(Duration::ZERO),
        deflate: false,
    }
}

/// The server's end of a session over a pipe, with its request head read, and the client's
/// raw end.
async fn server_session(
    control: &Settings,
) -> (WebSocketStream<Gated<DuplexStream>>, DuplexStream) {
    let (mut client, ours) = tokio::io::duplex(1 << 20);
    client.write_all(HEAD).await.unwrap();
    let mut gated = Gated::new(ours, control.max_message_size);
    let mut head = vec![0; HEAD.len()];
    gated.read_exact(&mut head).await.unwrap();
    let ws = WebSocketStream::from_raw_socket(gated, Role::Server, Some(ws_config(control, false)))
        .await;
    (ws, client)
}

fn peer() -> Peer {
    Peer::Ip("127.0.0.1:9".parse().unwrap())
}

/// A peer that reads nothing answers no ping: `ping_interval` + `ping_timeout` after the
/// start, a Close 1011 goes out, and the session fails once the peer has had `close_timeout`
/// to answer it, with the reason.
#[tokio::test(start_paused = true)]
async fn no_pong_fails_the_session_after_the_ping_timeout() {
    let control = settings(Some(Duration::from_secs(10)));
    let (ws, client) = server_session(&control).await;
    let (ends, _local) = crate::relay::pair();
    let start = Instant::now();
    let err = run(ws, ends, &control, peer(), &Shutdown::new())
        .await
        .expect_err("no pong is a failure");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(15) + control.close_timeout
    );
    assert!(err.to_string().contains("no pong"), "{err:#}");
    let mut client = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
    let mut got = Vec::new();
    while let Some(Ok(msg)) = client.next().await {
        got.push(msg);
    }
    assert!(matches!(got[0], WsMessage::Ping(_)), "{got:?}");
    let close = got.iter().find_map(|m| match m {
        WsMessage::Close(Some(frame)) => Some(frame.code),
        _ => None,
    });
    assert_eq!(close, Some(CloseCode::Error), "{got:?}");
}

/// A peer that answers keeps the session up: pings every interval, never a timeout.
#[tokio::test(start_paused = true)]
async fn answered_pings_keep_the_session_up() {
    let control = settings(Some(Duration::from_secs(10)));
    let (ws, client) = server_session(&control).await;
    let (ends, _local) = crate::relay::pair();
    let mut client = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
    // tungstenite answers each ping as it reads it.
    let answering = async {
        let mut pings = 0;
        while let Some(Ok(msg)) = client.next().await {
            pings += usize::from(msg.is_ping());
        }
        pings
    };
    let shutdown = Shutdown::new();
    let session = run(ws, ends, &control, peer(), &shutdown);
    tokio::select! {
        ended = session => panic!("ended: {ended:?}"),
        pings = answering => panic!("the peer's side ended after {pings} pings"),
        () = tokio::time::sleep(Duration::from_secs(95)) => {}
    }
}

/// A listener shutting down: what is queued goes out, then Close 1001; the peer's answer
/// ends the session cleanly, at once.
#[tokio::test(start_paused = true)]
async fn a_shutdown_sends_what_is_queued_then_close_1001() {
    let control = settings(None);
    let (ws, client) = server_session(&control).await;
    let (ends, local) = crate::relay::pair();
    let shutdown = Shutdown::new();
    let mut client = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
    let start = Instant::now();
    let local_side = async {
        // The local side holds its input open: only the shutdown ends the session.
        let Ends { tx, rx: _rx } = local;
        tx.send(Message::binary("last words")).await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        shutdown.begin();
        std::future::pending::<()>().await
    };
    let peer_side = async {
        let mut got = Vec::new();
        while let Some(Ok(msg)) = client.next().await {
            got.push(msg);
        }
        got
    };
    let session = async {
        let ended = run(ws, ends, &control, peer(), &shutdown).await;
        (ended, start.elapsed())
    };
    let ((ended, took), got) = tokio::select! {
        both = async { tokio::join!(session, peer_side) } => both,
        () = local_side => unreachable!(),
    };
    ended.expect("a clean end");
    assert_eq!(took, Duration::from_secs(2));
    assert_eq!(got[0], WsMessage::Binary("last words".into()), "{got:?}");
    match &got[1] {
        WsMessage::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("{other:?}"),
    }
    let _ = client.close(None).await;
}
