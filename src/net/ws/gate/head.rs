//! The peer's HTTP head, before the frames: skipped up to its blank line as it goes by and,
//! in a client, gathered whole before tungstenite reads it.
//!
//! tungstenite's opening handshake counts its reads of the head and refuses one that took
//! more than 64 reads averaging under 128 bytes (its "attack check", `AttackAttempt`), which
//! a server that writes its answer a few bytes at a time (a slow link, a naive server) is
//! not: Python `websockets` and curl take such an answer. So a client's gate reads the
//! answer's head up to its blank line first, and tungstenite gets it in one read of its
//! 4 KiB. A server reads the request's head itself (`accept.rs`), whole.
//!
//! An answer that is not the 101 is a refusal, and what it says is in its body: that is
//! gathered too (up to [`BODY_GATHERED`], for at most [`BODY_WAIT`] after the head), so that
//! a body the server writes after its head (a second segment, a framework that flushes the
//! head first) is shown as surely as one that came with it. An interim answer (`100
//! Continue`, `103 Early Hints`; RFC 9110 15.2) before the 101 is dropped, as HTTP clients
//! do, and the answer after it gathered instead.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::AsyncRead;

use super::{At, Gated};

/// The most of the peer's HTTP head gathered before it is handed on, in bytes: tungstenite's
/// own limit on a head, so a longer one is still refused by it as too long.
const HEAD_GATHERED: usize = 64 * 1024;

/// The most of a refusal's body gathered after its head, in bytes (the error shows its first
/// 200 characters).
const BODY_GATHERED: usize = 4096;

/// How long a refusal's body is waited for once its head is in, when it is not all there.
const BODY_WAIT: Duration = Duration::from_millis(500);

/// A head being gathered: once a refusal's head is in, the wait for its body.
#[derive(Default)]
pub(super) struct Gathering {
    body_wait: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// What the gathered bytes hold so far.
#[derive(Debug, PartialEq, Eq)]
enum Held {
    /// Not all of the head.
    Part,
    /// A refusal's head, not all of its body.
    Body,
    /// All there is to gather: a 101's head, a refusal whole, or what tungstenite will refuse.
    All,
}

impl<S> Gated<S> {
    /// The peer's HTTP head (a server's answer) is gathered whole before any of it is handed
    /// on: up to its blank line, 64 KiB, or the end of the stream, and a refusal's body with it
    /// (see the module).
    pub fn gather_head(&mut self) {
        self.gathering = Some(Box::default());
    }

    /// Reads the peer's answer into [`Gated::raw`] while [`Gated::gather_head`] asks for it,
    /// until it is gathered.
    pub(super) fn poll_gather_head(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>
    where
        S: AsyncRead + Unpin,
    {
        while let Some(gathering) = &mut self.gathering {
            let held = held(&mut self.raw);
            let late = held == Held::Body
                && gathering
                    .body_wait
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(BODY_WAIT)))
                    .as_mut()
                    .poll(cx)
                    .is_ready();
            if held == Held::All || late {
                break;
            }
            if ready!(self.poll_read_raw(cx))? == 0 {
                break;
            }
        }
        self.gathering = None;
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

/// Whether `data` holds a head's blank line: CRLF CRLF, or a bare LF for either line end.
fn ends_head(data: &[u8]) -> bool {
    data.windows(2)
        .enumerate()
        .any(|(i, w)| w == b"\n\n" || (w == b"\n\r" && data.get(i + 2) == Some(&b'\n')))
}

/// What `raw` holds of the answer (see [`Held`]); an interim answer's head (1xx but 101) at
/// its start is dropped from it.
fn held(raw: &mut BytesMut) -> Held {
    loop {
        let mut fields = [httparse::EMPTY_HEADER; 64];
        let mut answer = httparse::Response::new(&mut fields);
        let len = match answer.parse(raw) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) if raw.len() < HEAD_GATHERED => return Held::Part,
            // An HTTP head httparse refuses (tungstenite will too, and say why): up to its
            // blank line all the same.
            Err(_) if raw.starts_with(b"HTTP/") && raw.len() < HEAD_GATHERED => {
                return if ends_head(raw) {
                    Held::All
                } else {
                    Held::Part
                };
            }
            // Too long, or not HTTP (as soon as that shows): tungstenite says so.
            _ => return Held::All,
        };
        let code = answer.code.unwrap_or(0);
        if (100..200).contains(&code) && code != 101 {
            raw.advance(len);
            continue;
        }
        if code == 101 || code == 204 || code == 304 {
            return Held::All;
        }
        let field = |name: &str| {
            answer
                .headers
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
                .map(|f| String::from_utf8_lossy(f.value).trim().to_ascii_lowercase())
        };
        let body = &raw[len..];
        let whole = match (field("transfer-encoding"), field("content-length")) {
            (Some(coding), _) if coding.ends_with("chunked") => {
                body.starts_with(b"0\r\n") || memchr::memmem::find(body, b"\r\n0\r\n").is_some()
            }
            (_, Some(length)) => length
                .parse::<usize>()
                .is_ok_and(|length| body.len() >= length.min(BODY_GATHERED)),
            // Up to the end of the stream.
            _ => false,
        };
        return if whole || body.len() >= BODY_GATHERED {
            Held::All
        } else {
            Held::Body
        };
    }
}

#[cfg(test)]
mod tests {
    use super::{At, BytesMut, Gated, Held, IN_LINE, held};

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
    fn an_answer_is_gathered_with_a_refusals_body_and_without_interim_answers() {
        let held_of = |bytes: &[u8]| {
            let mut raw = BytesMut::from(bytes);
            (held(&mut raw), raw)
        };
        for (answer, want) in [
            (
                &b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"[..],
                Held::Part,
            ),
            (
                b"HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n\x81\x00",
                Held::All,
            ),
            (
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nno",
                Held::Body,
            ),
            (
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nno entry.",
                Held::All,
            ),
            (
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
                Held::All,
            ),
            (
                b"HTTP/1.1 403 x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n",
                Held::Body,
            ),
            (
                b"HTTP/1.1 403 x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n",
                Held::All,
            ),
            (b"HTTP/1.1 403 Forbidden\r\n\r\nuntil the end", Held::Body),
            (b"HTTP/1.1 304 Not Modified\r\n\r\n", Held::All),
            (b"SSH-2.0-OpenSSH_9.6\r\n", Held::All),
            (b"HTTP/1.1 101 OK\r\nX: a\r\n folded\r\n", Held::Part),
            (b"HTTP/1.1 101 OK\r\nX: a\r\n folded\r\n\r\n", Held::All),
        ] {
            assert_eq!(
                held_of(answer).0,
                want,
                "{:?}",
                String::from_utf8_lossy(answer)
            );
        }
        let (held, raw) = held_of(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 OK\r\n\r\n");
        assert_eq!(
            (held, &raw[..]),
            (Held::All, &b"HTTP/1.1 101 OK\r\n\r\n"[..])
        );
        let (held, raw) = held_of(b"HTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 1");
        assert_eq!((held, &raw[..]), (Held::Part, &b"HTTP/1.1 1"[..]));
    }
}
