//! The peer's HTTP head, before the frames: skipped up to its blank line as it goes by and,
//! in a client, gathered whole before tungstenite reads it.
//!
//! tungstenite's opening handshake counts its reads of the head and refuses one that took
//! more than 64 reads averaging under 128 bytes (its "attack check", `AttackAttempt`), which
//! a server that writes its answer a few bytes at a time (a slow link, a naive server) is
//! not: Python `websockets` and curl take such an answer. So a client's gate reads the
//! answer's head up to its blank line first, and tungstenite gets it in one read of its
//! 4 KiB. A server reads the request's head itself (`accept.rs`), whole.

use std::io;
use std::task::{Context, Poll, ready};

use tokio::io::AsyncRead;

use super::{At, Gated};

/// The most of the peer's HTTP head gathered before it is handed on, in bytes: tungstenite's
/// own limit on a head, so a longer one is still refused by it as too long.
const HEAD_GATHERED: usize = 64 * 1024;

impl<S> Gated<S> {
    /// The peer's HTTP head (a server's answer) is gathered whole before any of it is handed
    /// on: up to its blank line, 64 KiB, or the end of the stream (see the module).
    pub fn gather_head(&mut self) {
        self.gathering = true;
    }

    /// Reads the peer's HTTP head into [`Gated::raw`] while [`Gated::gather_head`] asks for
    /// it, until it is whole.
    pub(super) fn poll_gather_head(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>
    where
        S: AsyncRead + Unpin,
    {
        while self.gathering {
            // The blank line may straddle two reads.
            let from = self.raw.len().saturating_sub(3);
            let read = ready!(self.poll_read_raw(cx))?;
            self.gathering =
                read > 0 && self.raw.len() < HEAD_GATHERED && !ends_head(&self.raw[from..]);
        }
        Poll::Ready(Ok(()))
    }

    /// Moves `at` past the HTTP head's bytes at the start of `data`; returns how many it took
    /// (all of `data`, or up to the head's blank line). A line may end in CRLF or a bare LF,
    /// as httparse reads it (`accept.rs` reads a request's head with httparse, so the gate
    /// must find the same end, or it would take the first frames for head).
    pub(super) fn skip_head(at: &mut At, data: &[u8]) -> usize {
        let At::Head(mut state) = *at else {
            return 0;
        };
        for (i, &b) in data.iter().enumerate() {
            state = match (b, state) {
                (b'\n', LINE_START | LINE_START_CR) => {
                    *at = At::Boundary;
                    return i + 1;
                }
                (b'\n', _) => LINE_START,
                (b'\r', LINE_START) => LINE_START_CR,
                (b'\r', _) => IN_LINE_CR,
                _ => IN_LINE,
            };
        }
        *at = At::Head(state);
        data.len()
    }
}

/// [`At::Head`]'s states: in a line, in a line after a CR, at a line's start, at a line's
/// start after a CR. A LF at a line's start (after a CR or not) ends the head.
pub(super) const IN_LINE: u8 = 0;
const IN_LINE_CR: u8 = 1;
const LINE_START: u8 = 2;
const LINE_START_CR: u8 = 3;

/// Whether `data` holds a head's blank line: CRLF CRLF, or a bare LF for either line end
/// (httparse, which tungstenite parses with, takes both).
fn ends_head(data: &[u8]) -> bool {
    data.windows(2)
        .enumerate()
        .any(|(i, w)| w == b"\n\n" || (w == b"\n\r" && data.get(i + 2) == Some(&b'\n')))
}

#[cfg(test)]
mod tests {
    use super::{At, Gated, IN_LINE, ends_head};

    /// Where `skip_head` ends the head of `stream` fed in pieces of `piece` bytes.
    fn head_len(stream: &[u8], piece: usize) -> Option<usize> {
        let mut at = At::Head(IN_LINE);
        let mut taken = 0;
        for chunk in stream.chunks(piece) {
            taken += Gated::<()>::skip_head(&mut at, chunk);
            if at == At::Boundary {
                return Some(taken);
            }
        }
        None
    }

    #[test]
    fn the_head_is_skipped_to_its_blank_line_with_or_without_cr() {
        for (head, len) in [
            (
                &b"GET / HTTP/1.1\r\nHost: h\r\n\r\n\x88\x80\r\n\r\n"[..],
                27,
            ),
            (b"GET / HTTP/1.1\nHost: h\n\n\x88\x80\n\n", 24),
            (b"GET / HTTP/1.1\r\nHost: h\n\r\n\x88\x80", 26),
            (b"GET / HTTP/1.1\nHost: h\r\n\n\x88\x80", 25),
        ] {
            for piece in 1..=4 {
                assert_eq!(head_len(head, piece), Some(len), "{head:?} by {piece}");
            }
        }
        for head in [&b"GET / HTTP/1.1\r\nHost: h\r\n\r"[..], b"a\rb\r\n\rc\n"] {
            assert_eq!(head_len(head, 1), None, "{head:?}");
        }
    }

    #[test]
    fn a_blank_line_ends_the_head_with_or_without_cr() {
        for head in [&b"a\r\n\r\n"[..], b"a\n\n", b"a\r\n\n", b"a\n\r\n"] {
            assert!(ends_head(head), "{head:?}");
        }
        for head in [&b"a\r\n"[..], b"a\r\n\r", b"a\n\r", b"\r\r"] {
            assert!(!ends_head(head), "{head:?}");
        }
    }
}
