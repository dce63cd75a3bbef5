//! `--hex-dump FILE`: what each connection sends and receives, as `hexdump -C` shows bytes,
//! each line marked with its direction (`>` sent, `<` received):
//!
//! ```text
//! # connection 1: 127.0.0.1:8080
//! > 00000000  47 45 54 20 2f 0d 0a                              |GET /..|
//! < 00000000  48 54 54 50 2f 31 2e 30  20 32 30 30 20 4f 4b 0d  |HTTP/1.0 200 OK.|
//! ```
//!
//! A byte stream (TCP) counts its offsets per direction over the whole connection; a
//! message transport (WebSocket, UDP) dumps one block per message, under a line that gives
//! its kind and size (`> text message, 5 bytes`, `< datagram, 12 bytes`; WebSocket control
//! frames too: `< ping`, `> close 1000` with its reason), its offsets from 0. Under TLS the bytes are the plaintext. Each connection starts with a
//! `# connection N: PEER` line (under `-k`, N counts them); lines of connections that run
//! at once may alternate, a block at a time.
//!
//! The dump taps a byte stream's or a UDP socket's [`Ends`] (the messages between it and the
//! relay, [`tap`]), so every way data flows (stdin, the prompt, `--exec`, `--to`) is seen
//! the same, as it goes to or comes from the socket; a WebSocket dumps each message and
//! control frame as it reads or sends it ([`block`]), but for the pongs and the Close reply
//! tungstenite sends on its own. Hand-written: the layout is `hexdump -C`'s
//! with a mark, a few lines that no crate offers in this shape.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::sync::mpsc;

use crate::relay::{Ends, Kind, Message, pair};

/// Where the dump goes; unset (no `--hex-dump`) means no tap at all.
static SINK: OnceLock<Mutex<Box<dyn Write + Send>>> = OnceLock::new();

/// Connections dumped so far (each one's header gives its number).
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// Sends the dump to `sink` from now on (once, at start: `--hex-dump`).
pub fn init(sink: Box<dyn Write + Send>) {
    let _ = SINK.set(Mutex::new(sink));
}

/// Whether `--hex-dump` is on.
pub fn enabled() -> bool {
    SINK.get().is_some()
}

/// How a tapped transport's data is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// TCP: offsets per direction over the whole connection.
    Stream,
    /// UDP: a block per datagram.
    Datagrams,
}

/// `ends` of a transport, tapped: what goes through them is dumped, under a header naming
/// `peer`. Without `--hex-dump`, `ends` as they are. The tap is a task of its own that ends
/// when both directions have: never cut short, so that the last bytes of a connection reach
/// the relay (and the dump) as they would without it.
pub fn tap(ends: Ends, peer: impl std::fmt::Display, layout: Layout) -> Ends {
    if !enabled() {
        return ends;
    }
    header(peer);
    // The transport's side of the tap, and the relay's.
    let (transport, inner) = pair();
    let Ends { tx, rx } = ends;
    let Ends {
        tx: inner_tx,
        rx: inner_rx,
    } = inner;
    let task = async move {
        // Towards the socket: the relay's messages, dumped as sent.
        let out = copy(rx, inner_tx, '>', layout);
        // From the socket: the transport's messages, dumped as received.
        let back = copy(inner_rx, tx, '<', layout);
        tokio::join!(out, back);
    };
    tokio::spawn(task);
    transport
}

/// The line a connection's dump starts with (`# connection N: PEER`), when dumping.
pub fn header(peer: impl std::fmt::Display) {
    if enabled() {
        let n = CONNECTIONS.fetch_add(1, Ordering::Relaxed) + 1;
        write(&format!("# connection {n}: {peer}\n"));
    }
}

/// One message's block: `MARK WHAT, N bytes`, then its bytes from offset 0, when dumping.
pub fn block(mark: char, what: &str, data: &[u8]) {
    if enabled() {
        let mut block = format!("{mark} {what}, {} bytes\n", data.len());
        block.push_str(&lines(mark, 0, data));
        write(&block);
    }
}

/// A datagram of a listener's, to or from `peer` (an address, `unix:PATH`): `< datagram from PEER, N bytes`.
pub fn datagram(mark: char, peer: impl std::fmt::Display, data: &[u8]) {
    if enabled() {
        let way = if mark == '<' { "from" } else { "to" };
        block(mark, &format!("datagram {way} {peer}"), data);
    }
}

/// Passes messages from `from` to `to`, dumping each; ends when either end does.
async fn copy(
    mut from: mpsc::Receiver<Message>,
    to: mpsc::Sender<Message>,
    mark: char,
    layout: Layout,
) {
    let mut offset = 0u64;
    loop {
        let msg = tokio::select! {
            msg = from.recv() => msg,
            _ = to.closed() => None,
        };
        let Some(msg) = msg else { break };
        match (layout, msg.kind) {
            (Layout::Stream, Kind::Binary | Kind::Text) => {
                write(&lines(mark, offset, &msg.data));
                offset += msg.data.len() as u64;
            }
            // Not bytes of the stream (a Close passed on through a bridge): not sent as such.
            (Layout::Stream, _) => {}
            (Layout::Datagrams, Kind::Binary | Kind::Text) => block(mark, "datagram", &msg.data),
            // A Close passed on through a bridge: nothing a datagram socket sends.
            (Layout::Datagrams, _) => {}
        }
        if to.send(msg).await.is_err() {
            break;
        }
    }
}

/// `data` as `hexdump -C` lines, each after `mark`, offsets from `offset`.
pub fn lines(mark: char, offset: u64, data: &[u8]) -> String {
    let mut out = String::new();
    for (i, row) in data.chunks(16).enumerate() {
        let _ = write!(out, "{mark} {:08x}  ", offset + 16 * i as u64);
        for col in 0..16 {
            match row.get(col) {
                Some(byte) => {
                    let _ = write!(out, "{byte:02x} ");
                }
                None => out.push_str("   "),
            }
            if col == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        out.extend(row.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    out
}

/// One block, whole: blocks of connections that run at once never mix within. A dump that
/// cannot be written (a full disk) is said once, and the run goes on without it.
fn write(text: &str) {
    static FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if let Some(sink) = SINK.get() {
        let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
        let written = sink.write_all(text.as_bytes()).and_then(|()| sink.flush());
        if let Err(err) = written {
            if !FAILED.swap(true, Ordering::Relaxed) {
                crate::console::warn(
                    format!("--hex-dump: cannot write the dump ({err}); the connection goes on"),
                    serde_json::json!({"message": format!("--hex-dump: {err}")}),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_hexdump_c_with_a_mark() {
        assert_eq!(
            lines('>', 0, b"GET /\r\n"),
            "> 00000000  47 45 54 20 2f 0d 0a                              |GET /..|\n"
        );
        assert_eq!(
            lines('<', 16, b"HTTP/1.0 200 OK\r\nx"),
            "< 00000010  48 54 54 50 2f 31 2e 30  20 32 30 30 20 4f 4b 0d  |HTTP/1.0 200 OK.|\n\
             < 00000020  0a 78                                             |.x|\n"
        );
        assert_eq!(lines('>', 0, b""), "");
    }
}
