//! Holding back the peer's Close until our answers to what came before it are sent.
//!
//! tungstenite answers a Close the moment it reads one, and after that no data frame may be
//! sent. For an `--echo` or `--exec` side that is a loss: a client that sends three messages
//! and closes (`printf 'a\nb\nc\n' | wsctl ws connect ...`) would get only the echoes that
//! happened to be sent before its Close was read — measured on loopback, a third of such runs
//! lost some. RFC 6455 (5.5.1) lets an endpoint finish what it is sending before it answers a
//! Close, so [`Gated`] watches the incoming bytes frame by frame and, once armed, stops at the
//! first byte of a Close frame until the session releases it: after the local side has seen
//! the end of its input and sent all it had to say, or after `--close-timeout`.
//!
//! Unarmed, it still notes the peer's Close as it goes through ([`Gate::raw_close`]):
//! tungstenite replaces a close code that may not be sent with its own 1002 before we see it,
//! and the code the peer really sent is what the report must name.
//!
//! It parses only frame headers (the HTTP head before the frames is skipped up to its blank
//! line), copying nothing but the held-back bytes (or the Close frame, at most 139 bytes).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

use std::sync::Mutex;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// The session's handle on a [`Gated`] stream.
#[derive(Default)]
pub struct Gate {
    /// Holding is wanted (the local side answers what it receives).
    armed: AtomicBool,
    /// Let everything through from now on.
    released: AtomicBool,
    /// A Close frame is being held back.
    holding: AtomicBool,
    held: Notify,
    waker: Mutex<Option<Waker>>,
    /// The peer's Close as it came (held or let through), once its frame is all there.
    close: Mutex<Option<RawClose>>,
}

/// A Close frame's payload as the peer sent it, before tungstenite checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawClose {
    /// The close code; `None` for an empty payload (1005).
    pub code: Option<u16>,
    /// The reason, lossily decoded.
    pub reason: String,
}

impl RawClose {
    /// The code as the relay carries it (1005 for none).
    pub fn code_or_none(&self) -> u16 {
        self.code.unwrap_or(1005)
    }
}

impl Gate {
    /// From now on, a Close frame is held back until [`Gate::release`].
    pub fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Lets the Close (and all that follows) through.
    pub fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
        if let Some(waker) = self.waker.lock().unwrap().take() {
            waker.wake();
        }
    }

    /// Whether the peer's Close is being held back.
    pub fn holding(&self) -> bool {
        self.holding.load(Ordering::SeqCst) && !self.released.load(Ordering::SeqCst)
    }

    /// The peer's Close as it was sent, if its frame has arrived whole (held back or not).
    pub fn raw_close(&self) -> Option<RawClose> {
        self.close.lock().unwrap().clone()
    }

    /// Resolves once the peer's Close is being held back.
    pub async fn held(&self) {
        loop {
            let notified = self.held.notified();
            if self.holding.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// Where the byte stream is: in the HTTP head, in a frame's header, or in its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// How many bytes of "\r\n\r\n" have been matched.
    Head(u8),
    /// The header bytes seen so far (at most 14).
    Header {
        have: usize,
        bytes: [u8; 14],
    },
    Payload(u64),
}

/// A stream whose reads stop before the peer's Close frame while its [`Gate`] is armed.
pub struct Gated<S> {
    inner: S,
    gate: Arc<Gate>,
    at: Position,
    /// Bytes from the first byte of the held Close frame on.
    held: BytesMut,
    /// The Close frame let through so far, while it is not whole (unarmed).
    noting: Option<BytesMut>,
}

impl<S> Gated<S> {
    pub fn new(inner: S) -> Self {
        Gated {
            inner,
            gate: Arc::new(Gate::default()),
            at: Position::Head(0),
            held: BytesMut::new(),
            noting: None,
        }
    }

    pub fn gate(&self) -> Arc<Gate> {
        self.gate.clone()
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Follows `data` through the frames; returns the offset where a Close frame starts, if
    /// one does in it (nothing after it matters: the scan ends there).
    fn scan(&mut self, data: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < data.len() {
            match &mut self.at {
                Position::Head(matched) => {
                    let want = b"\r\n\r\n"[*matched as usize];
                    *matched = match (data[i], *matched) {
                        (b, m) if b == want => m + 1,
                        (b'\r', _) => 1,
                        _ => 0,
                    };
                    i += 1;
                    if *matched == 4 {
                        self.at = Position::Header {
                            have: 0,
                            bytes: [0; 14],
                        };
                    }
                }
                Position::Header { have, bytes } => {
                    if *have == 0 && data[i] & 0x0F == 0x8 {
                        return Some(i);
                    }
                    bytes[*have] = data[i];
                    *have += 1;
                    i += 1;
                    if let Some((len, header_len)) = header_size(&bytes[..*have]) {
                        if *have == header_len {
                            self.at = Position::Payload(len);
                        }
                    }
                }
                Position::Payload(left) => {
                    let take = (*left).min((data.len() - i) as u64);
                    *left -= take;
                    i += take as usize;
                }
            }
            if self.at == Position::Payload(0) {
                self.at = Position::Header {
                    have: 0,
                    bytes: [0; 14],
                };
            }
        }
        None
    }
}

/// The code and reason of the Close frame at the start of `frame`, unmasked, if it is whole.
fn close_payload(frame: &[u8]) -> Option<RawClose> {
    let (len, header_len) = header_size(frame)?;
    let payload = frame.get(header_len..header_len + len as usize)?;
    let mask = (frame[1] & 0x80 != 0).then(|| &frame[header_len - 4..header_len]);
    let payload: Vec<u8> = payload
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask.map_or(0, |m| m[i % 4]))
        .collect();
    Some(match payload.as_slice() {
        [a, b, reason @ ..] => RawClose {
            code: Some(u16::from_be_bytes([*a, *b])),
            reason: String::from_utf8_lossy(reason).into_owned(),
        },
        _ => RawClose {
            code: None,
            reason: String::new(),
        },
    })
}

/// A frame's payload length and header length, once enough of the header is there to tell.
fn header_size(header: &[u8]) -> Option<(u64, usize)> {
    let second = *header.get(1)?;
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    let (len, ext) = match second & 0x7F {
        126 => (
            u64::from(u16::from_be_bytes(header.get(2..4)?.try_into().ok()?)),
            2,
        ),
        127 => (u64::from_be_bytes(header.get(2..10)?.try_into().ok()?), 8),
        n => (u64::from(n), 0),
    };
    Some((len, 2 + ext + mask))
}

impl<S: AsyncRead + Unpin> AsyncRead for Gated<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if !this.held.is_empty() {
            return this.poll_held(cx, buf);
        }
        let before = buf.filled().len();
        if this.gate.released.load(Ordering::SeqCst) {
            std::task::ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
            if let Some(mut noting) = this.noting.take() {
                noting.extend_from_slice(&buf.filled()[before..]);
                this.note(noting);
            }
            return Poll::Ready(Ok(()));
        }
        std::task::ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let Some(at) = this.scan(&buf.filled()[before..]) else {
            return Poll::Ready(Ok(()));
        };
        if !this.gate.armed.load(Ordering::SeqCst) {
            // Let through, and noted; nothing after it needs watching.
            this.gate.released.store(true, Ordering::SeqCst);
            this.note(BytesMut::from(&buf.filled()[before + at..]));
            return Poll::Ready(Ok(()));
        }
        this.held.extend_from_slice(&buf.filled()[before + at..]);
        buf.set_filled(before + at);
        *this.gate.close.lock().unwrap() = close_payload(&this.held);
        this.gate.holding.store(true, Ordering::SeqCst);
        this.gate.held.notify_waiters();
        if at > 0 {
            return Poll::Ready(Ok(()));
        }
        // Nothing came before the Close: wait for the release rather than return no bytes
        // (which would read as the end of the stream).
        this.poll_held(cx, buf)
    }
}

impl<S> Gated<S> {
    /// Notes the Close frame `frame` (its start) once it is whole; keeps it for more bytes
    /// until then, as long as it could still be a valid Close (header and 125 bytes).
    fn note(&mut self, frame: BytesMut) {
        match close_payload(&frame) {
            Some(close) => *self.gate.close.lock().unwrap() = Some(close),
            None if frame.len() < 14 + 125 => self.noting = Some(frame),
            None => {}
        }
    }

    /// Hands out held-back bytes once released.
    fn poll_held(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        // Registered before looking, so that a release in between still wakes us.
        *self.gate.waker.lock().unwrap() = Some(cx.waker().clone());
        if !self.gate.released.load(Ordering::SeqCst) {
            return Poll::Pending;
        }
        let n = self.held.len().min(buf.remaining());
        buf.put_slice(&self.held[..n]);
        self.held.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Gated<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked client frame: opcode, payload.
    fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => f.push(0x80 | n as u8),
            n if n < 65536 => {
                f.push(0x80 | 126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(0x80 | 127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(&[1, 2, 3, 4]);
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn finds_the_close_after_the_head_and_frames_in_any_split() {
        let mut stream = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
        // Payloads that look like Close opcodes and CRLFs must not confuse it.
        stream.extend(frame(0x1, b"\x88\r\n\r\n"));
        stream.extend(frame(0x2, &vec![0x88; 300]));
        stream.extend(frame(0x2, &vec![0x08; 70_000]));
        stream.extend(frame(0x9, b"ping"));
        let close_at = stream.len();
        stream.extend(frame(0x8, &[0x03, 0xe8]));
        for chunk in [1, 2, 3, 7, 13, 4096, stream.len()] {
            let mut gated = Gated::new(());
            let mut found = None;
            for (n, piece) in stream.chunks(chunk).enumerate() {
                if let Some(at) = gated.scan(piece) {
                    found = Some(n * chunk + at);
                    break;
                }
            }
            assert_eq!(found, Some(close_at), "chunks of {chunk}");
        }
    }

    #[test]
    fn reads_the_held_close_code_through_its_mask() {
        let mut payload = 4001u16.to_be_bytes().to_vec();
        payload.extend_from_slice(b"bye");
        let mut f = frame(0x8, &[]);
        f[1] = 0x80 | payload.len() as u8;
        f.extend(
            payload
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ [1, 2, 3, 4][i % 4]),
        );
        let close = |code, reason: &str| RawClose {
            code,
            reason: reason.to_string(),
        };
        assert_eq!(close_payload(&f), Some(close(Some(4001), "bye")));
        assert_eq!(close_payload(&f[..4]), None);
        assert_eq!(close_payload(&frame(0x8, &[])), Some(close(None, "")));
    }

    #[tokio::test]
    async fn unarmed_lets_the_close_through_and_notes_its_code() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = b"HTTP/1.1 101 Switching Protocols\r\n\r\n".to_vec();
        stream.extend(frame(0x1, b"hi"));
        // The test frames carry the mask key 1 2 3 4 and the payload as given: masked by hand.
        let code = 5000u16.to_be_bytes();
        stream.extend(frame(0x8, &[code[0] ^ 1, code[1] ^ 2]));
        let total = stream.len();
        let (mut peer, ours) = tokio::io::duplex(64);
        let mut gated = Gated::new(ours);
        let gate = gated.gate();
        // In pieces of 3 bytes, so that the Close frame is split across reads.
        let writer = tokio::spawn(async move {
            for piece in stream.chunks(3) {
                peer.write_all(piece).await.unwrap();
                peer.flush().await.unwrap();
                tokio::task::yield_now().await;
            }
        });
        let mut got = Vec::new();
        let mut buf = [0; 3];
        while got.len() < total {
            let n = gated.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        writer.await.unwrap();
        assert!(gate.released.load(Ordering::SeqCst));
        assert_eq!(gate.raw_close().and_then(|c| c.code), Some(5000));
    }
}
