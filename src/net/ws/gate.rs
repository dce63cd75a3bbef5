//! The incoming frames, watched and rewritten before tungstenite reads them.
//!
//! tungstenite is a good WebSocket codec, but three things it does with a peer's bytes hurt
//! wsctl, and it has no hook for them; so [`Gated`] sits between the socket and tungstenite,
//! parses frame headers as they go by (the HTTP head before the frames is skipped up to its
//! blank line) and, for a few frames, changes what tungstenite gets:
//!
//! - **The peer's Close, held back.** tungstenite answers a Close the moment it reads one, and
//!   after that no data frame may be sent. For an `--echo` or `--exec` side that is a loss: a
//!   client that sends three messages and closes would get only the echoes that happened to be
//!   sent before its Close was read (measured on loopback: a third of such runs lost some).
//!   RFC 6455 (5.5.1) lets an endpoint finish what it is sending before it answers a Close, so
//!   once the [`Gate`] is armed the stream stops at the Close frame until the session releases
//!   it. Armed or not, the Close is noted as it came ([`Gate::raw_close`]): tungstenite
//!   replaces a close code that may not be sent with its own 1002 before we see it.
//! - **Memory that follows the bytes that came, not a length announced.** tungstenite reserves
//!   a frame's whole announced length before its payload arrives, so a 14-byte header
//!   announcing 2^46 bytes (under a raised `--max-message-size`) aborted the process. A data
//!   frame longer than [`CHUNK`] is handed on as fragments of at most [`CHUNK`] bytes (RFC
//!   6455 5.4 lets an intermediary refragment a message when no extension is in use), the
//!   mask key turned to each fragment's offset; a control frame longer than the 125 bytes it
//!   may carry is announced as 126, which tungstenite refuses (1002) without reserving more.
//!   A frame longer than the message limit goes through as it is: tungstenite refuses it
//!   (1009) from its header alone.
//! - **Pongs that pile up.** tungstenite queues a pong for every ping it reads, behind
//!   whatever it could not write yet, without a limit: a peer that floods pings and never
//!   reads grew wsctl by a gigabyte in seconds. While our writes to the peer are stuck, the
//!   pings read are counted, and past [`PONGS_OWED`] bytes of them more pings are dropped
//!   unread until a write goes through (RFC 6455 5.5.3 lets an endpoint answer only the most
//!   recent of several pings; here the pongs already owed are the answer).
//!
//! Hand-written because it is framing, what wsctl is for, and no maintained crate rewrites a
//! WebSocket byte stream under tungstenite. Bytes go straight from the socket into
//! tungstenite's buffer while every frame is passed as it is; only from a frame that needs a
//! change on are they copied through a small buffer of our own.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// The longest data frame handed to tungstenite, in payload bytes: longer frames (up to the
/// message limit) are handed on as fragments of this size. The size of wsctl's own `-b`
/// chunks ([`crate::framing::CHUNK`]), so that a wsctl peer's frames pass as they are.
pub const CHUNK: u64 = 256 * 1024;

/// How many bytes of pings (headers included) are handed to tungstenite while our writes to
/// the peer are stuck, before further pings are dropped: about 130 pongs owed.
pub const PONGS_OWED: u64 = 16 * 1024;

/// The longest frame header: 2 bytes, a 64-bit length, a mask key.
const MAX_HEADER: usize = 14;

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

/// Where the byte stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// In the HTTP head: how many bytes of "\r\n\r\n" have been matched.
    Head(u8),
    /// At the start of a frame's header.
    Boundary,
    /// Handing on this many more bytes as they are.
    Pass(u64),
    /// Dropping this many more bytes (a ping past [`PONGS_OWED`]).
    Skip(u64),
    /// Handing on a long data frame as fragments.
    Split(Split),
    /// Stopped at the peer's Close until the gate is released.
    Held,
    /// Everything passes from here on (after the peer's Close, or a frame tungstenite will
    /// refuse).
    Through,
}

/// A long data frame being handed on as fragments of at most [`CHUNK`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Split {
    /// The frame's first byte as the peer sent it: FIN, RSV1-3, opcode.
    first_byte: u8,
    /// Its mask key, if masked.
    key: Option<[u8; 4]>,
    /// Payload bytes handed on so far.
    done: u64,
    /// Payload bytes still to come.
    left: u64,
    /// Payload bytes left in the fragment being handed on; 0 when its header is due.
    in_fragment: u64,
}

impl Split {
    /// The next fragment's header: the frame's opcode and RSV bits on the first only, FIN on
    /// the last if the frame had it, the mask key turned to the fragment's offset.
    fn header(&self) -> ([u8; MAX_HEADER], usize, u64) {
        let len = self.left.min(CHUNK);
        let first = self.done == 0;
        let last = len == self.left;
        let mut byte0 = if first { self.first_byte & 0x7F } else { 0 };
        if last {
            byte0 |= self.first_byte & 0x80;
        }
        let mut header = [0; MAX_HEADER];
        header[0] = byte0;
        let masked = if self.key.is_some() { 0x80 } else { 0 };
        let mut n = 2;
        if len < 126 {
            header[1] = masked | len as u8;
        } else if len <= u64::from(u16::MAX) {
            header[1] = masked | 126;
            header[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            n = 4;
        } else {
            header[1] = masked | 127;
            header[2..10].copy_from_slice(&len.to_be_bytes());
            n = 10;
        }
        if let Some(key) = self.key {
            let turn = (self.done % 4) as usize;
            for i in 0..4 {
                header[n + i] = key[(i + turn) % 4];
            }
            n += 4;
        }
        (header, n, len)
    }
}

/// What to do with the frame whose header starts a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Not enough bytes yet to decide.
    More,
    /// Hand on this many bytes (header and payload) as they are.
    Pass(u64),
    /// A Close frame of this many bytes, all there.
    Close(usize),
    /// Drop this many bytes: a ping past [`PONGS_OWED`].
    Skip(u64),
    /// A long data frame with a header of this many bytes: hand it on in fragments.
    Split(Split, usize),
    /// A control frame announcing more than 125 bytes, with a header of this many bytes:
    /// announce 126 and let tungstenite refuse it.
    Shorten(usize),
}

/// A stream whose incoming frames are watched and, where needed, rewritten (see the module).
pub struct Gated<S> {
    inner: S,
    gate: Arc<Gate>,
    at: At,
    /// Bytes read from the socket and not yet handed on (only from a frame that needs a
    /// change on; empty while frames pass as they are).
    raw: BytesMut,
    /// A header of our own being handed on, and how much of it is out.
    made: ([u8; MAX_HEADER], u8, u8),
    /// The message limit (`--max-message-size`), in bytes.
    max_message_size: u64,
    /// Our last write to the peer did not go through, and none has since.
    stuck: bool,
    /// Bytes of pings handed on since our writes got stuck.
    owed: u64,
}

impl<S> Gated<S> {
    /// Wraps `inner`, whose incoming bytes start with an HTTP head; messages up to
    /// `max_message_size` bytes.
    pub fn new(inner: S, max_message_size: usize) -> Self {
        Gated {
            inner,
            gate: Arc::new(Gate::default()),
            at: At::Head(0),
            raw: BytesMut::new(),
            made: ([0; MAX_HEADER], 0, 0),
            max_message_size: max_message_size as u64,
            stuck: false,
            owed: 0,
        }
    }

    pub fn gate(&self) -> Arc<Gate> {
        self.gate.clone()
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Moves `at` past the HTTP head's bytes at the start of `data`; returns how many it took
    /// (all of `data`, or up to the head's blank line).
    fn skip_head(at: &mut At, data: &[u8]) -> usize {
        let At::Head(mut matched) = *at else {
            return 0;
        };
        for (i, &b) in data.iter().enumerate() {
            matched = match (b, matched) {
                (b, m) if b == b"\r\n\r\n"[m as usize] => m + 1,
                (b'\r', _) => 1,
                _ => 0,
            };
            if matched == 4 {
                *at = At::Boundary;
                return i + 1;
            }
        }
        *at = At::Head(matched);
        data.len()
    }

    /// The plan for the frame starting `data`.
    fn plan(&self, data: &[u8]) -> Plan {
        let Some((len, header)) = header_size(data) else {
            return Plan::More;
        };
        if data.len() < header {
            return Plan::More;
        }
        let opcode = data[0] & 0x0F;
        if opcode >= 8 && len > 125 {
            return Plan::Shorten(header);
        }
        if opcode == 0x8 {
            let frame = header + len as usize;
            return if data.len() < frame {
                Plan::More
            } else {
                Plan::Close(frame)
            };
        }
        let fin = data[0] & 0x80 != 0;
        if opcode == 0x9 && fin && self.stuck && self.owed >= PONGS_OWED {
            return Plan::Skip(header as u64 + len);
        }
        if opcode < 8 && len > CHUNK && len <= self.max_message_size {
            let key = (data[1] & 0x80 != 0).then(|| {
                let k = &data[header - 4..header];
                [k[0], k[1], k[2], k[3]]
            });
            let split = Split {
                first_byte: data[0],
                key,
                done: 0,
                left: len,
                in_fragment: 0,
            };
            return Plan::Split(split, header);
        }
        // A length with its top bit set breaks RFC 6455 (5.2); tungstenite refuses it.
        Plan::Pass((header as u64).saturating_add(len))
    }

    /// Starts handing on a frame as it is: a ping handed on while our writes are stuck adds
    /// to the pongs owed.
    fn pass(&mut self, first_byte: u8, total: u64) {
        if first_byte & 0x0F == 0x9 && self.stuck {
            self.owed += total;
        }
        self.at = At::Pass(total);
    }

    /// The fast path: follows the frames in `data`, just read into the caller's buffer, as
    /// long as they pass as they are. Returns where the first byte that needs more is (a
    /// header not all there, or a frame to change), if there is one.
    fn pass_through(&mut self, data: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < data.len() {
            match self.at {
                At::Head(_) => i += Self::skip_head(&mut self.at, &data[i..]),
                At::Pass(left) => {
                    let take = left.min((data.len() - i) as u64);
                    i += take as usize;
                    self.at = if take == left {
                        At::Boundary
                    } else {
                        At::Pass(left - take)
                    };
                }
                At::Through => return None,
                At::Boundary => match self.plan(&data[i..]) {
                    Plan::Pass(total) => self.pass(data[i], total),
                    _ => return Some(i),
                },
                At::Skip(_) | At::Split(_) | At::Held => return Some(i),
            }
        }
        None
    }

    /// Whether the next bytes go through our own buffer.
    fn slow(&self) -> bool {
        !self.raw.is_empty()
            || self.made.1 < self.made.2
            || matches!(self.at, At::Skip(_) | At::Split(_) | At::Held)
    }

    /// The slow path: hands on what it can of [`Self::raw`] into `out`, changing frames as
    /// planned. Stops when `out` is full, more bytes are needed, or at a held Close.
    fn process(&mut self, out: &mut ReadBuf<'_>) {
        loop {
            let (header, at, end) = &mut self.made;
            if *at < *end {
                let n = ((*end - *at) as usize).min(out.remaining());
                out.put_slice(&header[*at as usize..*at as usize + n]);
                *at += n as u8;
                if *at < *end {
                    return;
                }
            }
            if out.remaining() == 0 {
                return;
            }
            match self.at {
                At::Head(_) => {
                    let n = self.raw.len().min(out.remaining());
                    let n = Self::skip_head(&mut self.at, &self.raw[..n]);
                    self.hand_on(n, out);
                    if n == 0 {
                        return;
                    }
                }
                At::Through => {
                    let n = self.raw.len().min(out.remaining());
                    self.hand_on(n, out);
                    if self.raw.is_empty() {
                        return;
                    }
                }
                At::Pass(left) => {
                    let n = (left.min(self.raw.len() as u64) as usize).min(out.remaining());
                    self.hand_on(n, out);
                    self.at = if n as u64 == left {
                        At::Boundary
                    } else {
                        At::Pass(left - n as u64)
                    };
                    if n == 0 {
                        return;
                    }
                }
                At::Skip(left) => {
                    let n = left.min(self.raw.len() as u64) as usize;
                    self.raw.advance(n);
                    self.at = if n as u64 == left {
                        At::Boundary
                    } else {
                        At::Skip(left - n as u64)
                    };
                    if n == 0 {
                        return;
                    }
                }
                At::Held => {
                    if !self.gate.released.load(Ordering::SeqCst) {
                        return;
                    }
                    self.at = At::Boundary;
                }
                At::Split(mut split) => {
                    if split.left == 0 {
                        self.at = At::Boundary;
                        continue;
                    }
                    if split.in_fragment == 0 {
                        let (header, n, len) = split.header();
                        self.made = (header, 0, n as u8);
                        split.in_fragment = len;
                        self.at = At::Split(split);
                        continue;
                    }
                    let n = (split.in_fragment.min(self.raw.len() as u64) as usize)
                        .min(out.remaining());
                    self.hand_on(n, out);
                    self.at = At::Split(split.advanced(n as u64));
                    if n == 0 {
                        return;
                    }
                }
                At::Boundary => match self.plan(&self.raw) {
                    Plan::More => return,
                    Plan::Pass(total) => self.pass(self.raw[0], total),
                    Plan::Close(frame) => {
                        *self.gate.close.lock().unwrap() = close_payload(&self.raw[..frame]);
                        if self.gate.armed.load(Ordering::SeqCst)
                            && !self.gate.released.load(Ordering::SeqCst)
                        {
                            self.at = At::Held;
                            self.gate.holding.store(true, Ordering::SeqCst);
                            self.gate.held.notify_waiters();
                            return;
                        }
                        // Let through, and noted; nothing after it needs watching.
                        self.gate.released.store(true, Ordering::SeqCst);
                        self.at = At::Through;
                    }
                    Plan::Skip(total) => self.at = At::Skip(total),
                    Plan::Split(split, header) => {
                        self.raw.advance(header);
                        self.at = At::Split(split);
                    }
                    Plan::Shorten(header) => {
                        let mut made = [0; MAX_HEADER];
                        made[0] = self.raw[0];
                        made[1] = (self.raw[1] & 0x80) | 126;
                        made[2..4].copy_from_slice(&126u16.to_be_bytes());
                        let mut n = 4;
                        if self.raw[1] & 0x80 != 0 {
                            made[4..8].copy_from_slice(&self.raw[header - 4..header]);
                            n = 8;
                        }
                        self.raw.advance(header);
                        self.made = (made, 0, n as u8);
                        self.at = At::Through;
                    }
                },
            }
        }
    }

    /// Moves `n` bytes of [`Self::raw`] to `out`.
    fn hand_on(&mut self, n: usize, out: &mut ReadBuf<'_>) {
        out.put_slice(&self.raw[..n]);
        self.raw.advance(n);
    }
}

impl Split {
    /// After `n` more payload bytes of the current fragment were handed on.
    fn advanced(mut self, n: u64) -> Split {
        self.done += n;
        self.left -= n;
        self.in_fragment -= n;
        self
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
        loop {
            let before = buf.filled().len();
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            if !this.slow() {
                ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
                let new = &buf.filled()[before..];
                if new.is_empty() {
                    return Poll::Ready(Ok(())); // the end of the stream
                }
                if let Some(at) = this.pass_through(new) {
                    this.raw.extend_from_slice(&new[at..]);
                    buf.set_filled(before + at);
                }
                if buf.filled().len() > before {
                    return Poll::Ready(Ok(()));
                }
                continue;
            }
            this.process(buf);
            if buf.filled().len() > before {
                return Poll::Ready(Ok(()));
            }
            if this.at == At::Held {
                // Registered before looking, so that a release in between still wakes us.
                *this.gate.waker.lock().unwrap() = Some(cx.waker().clone());
                if !this.gate.released.load(Ordering::SeqCst) {
                    return Poll::Pending;
                }
                continue;
            }
            // Inside a fragment with nothing buffered: straight into the caller's buffer.
            if let At::Split(split) = this.at {
                if this.raw.is_empty() && split.in_fragment > 0 {
                    let n = (split.in_fragment.min(buf.remaining() as u64)) as usize;
                    let mut part = ReadBuf::new(buf.initialize_unfilled_to(n));
                    ready!(Pin::new(&mut this.inner).poll_read(cx, &mut part))?;
                    let got = part.filled().len();
                    buf.advance(got);
                    this.at = At::Split(split.advanced(got as u64));
                    return Poll::Ready(Ok(()));
                }
            }
            let mut chunk = [0u8; 4096];
            let mut part = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut part))?;
            if part.filled().is_empty() {
                if this.raw.is_empty() {
                    return Poll::Ready(Ok(())); // the end of the stream
                }
                // Cut short inside a header: handed on as it is, for tungstenite to report.
                this.at = At::Through;
                continue;
            }
            this.raw.extend_from_slice(part.filled());
        }
    }
}

impl<S> Gated<S> {
    /// Notes how a write to the peer went: a write that waits makes our writes stuck, one
    /// that goes through frees them (and forgives the pongs owed).
    fn wrote<T>(&mut self, polled: &Poll<io::Result<T>>, went: impl Fn(&T) -> bool) {
        match polled {
            Poll::Pending => self.stuck = true,
            Poll::Ready(Ok(n)) if went(n) => {
                self.stuck = false;
                self.owed = 0;
            }
            Poll::Ready(_) => {}
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Gated<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.wrote(&polled, |n| *n > 0);
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(&polled, |n| *n > 0);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.wrote(&polled, |_| false);
        polled
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Runs `input` (an HTTP head, then frames) through a [`Gated`] stream for tests and fuzzing:
/// the socket gives at most `piece` bytes per read, the reader asks for at most `read`.
/// `stuck`: our writes are stuck, so pings past [`PONGS_OWED`] are dropped. Returns what
/// tungstenite would have read.
pub fn run_through(
    input: &[u8],
    max_message_size: usize,
    piece: usize,
    read: usize,
    stuck: bool,
) -> Vec<u8> {
    let mut gated = Gated::new(
        Pieces {
            data: input,
            piece: piece.max(1),
        },
        max_message_size,
    );
    gated.stuck = stuck;
    let mut out = Vec::new();
    let mut buf = vec![0; read.max(1)];
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        let mut rb = ReadBuf::new(&mut buf);
        match Pin::new(&mut gated).poll_read(&mut cx, &mut rb) {
            Poll::Ready(Ok(())) if rb.filled().is_empty() => return out,
            Poll::Ready(Ok(())) => out.extend_from_slice(rb.filled()),
            Poll::Ready(Err(_)) | Poll::Pending => return out,
        }
    }
}

/// A socket that gives `piece` bytes per read.
struct Pieces<'a> {
    data: &'a [u8],
    piece: usize,
}

impl AsyncRead for Pieces<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.piece.min(self.data.len()).min(buf.remaining());
        buf.put_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Poll::Ready(Ok(()))
    }
}

/// The frames after the HTTP head of `stream`, as messages: each data message's opcode and
/// unmasked payload (fragments joined), and each control frame's; `None` where the stream
/// does not parse (cut short, a continuation out of place). For checking [`run_through`].
pub fn messages(stream: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
    let start = memchr::memmem::find(stream, b"\r\n\r\n")? + 4;
    let mut rest = &stream[start..];
    let mut out = Vec::new();
    let mut open: Option<(u8, Vec<u8>)> = None;
    while !rest.is_empty() {
        let (len, header) = header_size(rest)?;
        let end = header.checked_add(usize::try_from(len).ok()?)?;
        let frame = rest.get(..end)?;
        let key = (frame[1] & 0x80 != 0).then(|| &frame[header - 4..header]);
        let payload: Vec<u8> = frame[header..]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ key.map_or(0, |k| k[i % 4]))
            .collect();
        let (fin, opcode) = (frame[0] & 0x80 != 0, frame[0] & 0x0F);
        match (opcode, open.take()) {
            (op, None) if op >= 8 => out.push((op, payload)),
            (op, Some(msg)) if op >= 8 => {
                out.push((op, payload));
                open = Some(msg);
            }
            (0, Some((op, mut data))) => {
                data.extend(payload);
                open = Some((op, data));
            }
            (op, None) if op != 0 => open = Some((frame[0] & 0x7F, payload)),
            _ => return None,
        }
        if fin && opcode < 8 {
            out.extend(open.take());
        }
        rest = &rest[end..];
    }
    open.is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked client frame: first byte, payload (masked here with the key 1 2 3 4).
    fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![first];
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
        f.extend(
            payload
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ [1, 2, 3, 4][i % 4]),
        );
        f
    }

    const HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    /// Every frame's payload length in `stream` (after the head).
    fn lengths(stream: &[u8]) -> Vec<u64> {
        let mut rest = &stream[HEAD.len()..];
        let mut out = Vec::new();
        while let Some((len, header)) = header_size(rest) {
            out.push(len);
            rest = &rest[(header + len as usize).min(rest.len())..];
        }
        out
    }

    #[tokio::test]
    async fn stops_at_the_close_after_the_head_and_frames_in_any_split() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = HEAD.to_vec();
        // Payloads that look like Close opcodes and CRLFs must not confuse it.
        stream.extend(frame(0x81, b"\x88\r\n\r\n"));
        stream.extend(frame(0x82, &[0x88; 300]));
        stream.extend(frame(0x82, &[0x08; 70_000]));
        stream.extend(frame(0x89, b"ping"));
        let messages_before = messages(&stream).unwrap();
        stream.extend(frame(0x88, &[0x03, 0xe8]));
        for piece in [1, 2, 3, 7, 13, 4096, stream.len()] {
            let (mut peer, ours) = tokio::io::duplex(1 << 20);
            let mut gated = Gated::new(ours, 1 << 20);
            let gate = gated.gate();
            gate.arm();
            for chunk in stream.chunks(piece) {
                peer.write_all(chunk).await.unwrap();
            }
            let mut got = Vec::new();
            let mut buf = [0; 5000];
            // A read that meets the Close with nothing before it waits for the release.
            loop {
                tokio::select! {
                    biased;
                    n = gated.read(&mut buf) => got.extend_from_slice(&buf[..n.unwrap()]),
                    () = gate.held() => break,
                }
            }
            assert_eq!(
                messages(&got).unwrap(),
                messages_before,
                "pieces of {piece}"
            );
            assert_eq!(gate.raw_close().and_then(|c| c.code), Some(1000));
            gate.release();
            let n = gated.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &frame(0x88, &[0x03, 0xe8])[..]);
        }
    }

    #[test]
    fn hands_on_long_frames_as_fragments_with_the_same_messages() {
        let mut stream = HEAD.to_vec();
        let long: Vec<u8> = (0..600_000u32).map(|i| (i * 7) as u8).collect();
        stream.extend(frame(0x82, &long));
        stream.extend(frame(0x81, b"short"));
        // A long first fragment and a long last one, a ping between them.
        stream.extend(frame(0x02, &long[..300_001]));
        stream.extend(frame(0x89, b"p"));
        stream.extend(frame(0x80, &long[..262_145]));
        let want = messages(&stream).unwrap();
        for (piece, read) in [(1, 7), (13, 100), (4096, 2048), (stream.len(), 1 << 20)] {
            let out = run_through(&stream, 1 << 20, piece, read, false);
            assert_eq!(
                messages(&out).unwrap(),
                want,
                "pieces of {piece}, reads of {read}"
            );
            assert!(
                lengths(&out).iter().all(|&n| n <= CHUNK),
                "{:?}",
                lengths(&out)
            );
        }
    }

    #[test]
    fn an_announced_length_allocates_nothing_until_the_bytes_come() {
        let mut stream = HEAD.to_vec();
        stream.extend_from_slice(&[0x82, 0x80 | 127]);
        stream.extend_from_slice(&(1u64 << 46).to_be_bytes());
        stream.extend_from_slice(&[0, 0, 0, 0]);
        stream.extend_from_slice(&[b'x'; 1000]);
        let out = run_through(&stream, 1 << 47, 64, 4096, false);
        // The first fragment announces CHUNK bytes; the 1000 bytes that came follow it.
        assert_eq!(lengths(&out), vec![CHUNK]);
        assert_eq!(out.len(), HEAD.len() + 2 + 8 + 4 + 1000);
        // Over the limit, the header goes through as it is, for tungstenite to refuse (1009).
        let out = run_through(&stream, 1 << 20, 64, 4096, false);
        assert_eq!(out, stream);
    }

    #[test]
    fn a_length_with_its_top_bit_set_goes_through_for_tungstenite_to_refuse() {
        // Found by the gate fuzz target: the frame's end overflowed.
        let mut stream = HEAD.to_vec();
        stream.extend_from_slice(&[0x82, 0xFF]);
        stream.extend_from_slice(&u64::MAX.to_be_bytes());
        stream.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        assert_eq!(run_through(&stream, 1 << 20, 3, 7, false), stream);
        // Under a limit that high (never, as the limit is capped at memory), it is split.
        let _ = run_through(&stream, usize::MAX, 3, 7, false);
    }

    #[test]
    fn a_control_frame_over_125_bytes_is_announced_as_126() {
        let mut stream = HEAD.to_vec();
        stream.extend_from_slice(&[0x89, 0x80 | 127]);
        stream.extend_from_slice(&(1u64 << 40).to_be_bytes());
        stream.extend_from_slice(&[9, 9, 9, 9, 1, 2, 3]);
        let out = run_through(&stream, usize::MAX, 5, 100, false);
        let mut want = HEAD.to_vec();
        want.extend_from_slice(&[0x89, 0x80 | 126, 0, 126, 9, 9, 9, 9, 1, 2, 3]);
        assert_eq!(out, want);
    }

    #[test]
    fn pings_past_the_pongs_owed_are_dropped_while_writes_are_stuck() {
        let mut stream = HEAD.to_vec();
        let ping = frame(0x89, &[b'p'; 125]);
        let pings = 1000;
        for _ in 0..pings {
            stream.extend_from_slice(&ping);
        }
        stream.extend(frame(0x81, b"data still comes"));
        let count = |out: &[u8]| messages(out).unwrap().iter().filter(|m| m.0 == 0x9).count();
        let out = run_through(&stream, 1 << 20, 1000, 4096, false);
        assert_eq!(count(&out), pings);
        let out = run_through(&stream, 1 << 20, 1000, 4096, true);
        let passed = count(&out);
        assert_eq!(passed as u64, PONGS_OWED.div_ceil(ping.len() as u64));
        assert_eq!(
            messages(&out).unwrap().last().unwrap().1,
            b"data still comes"
        );
    }

    #[test]
    fn reads_the_held_close_code_through_its_mask() {
        let mut payload = 4001u16.to_be_bytes().to_vec();
        payload.extend_from_slice(b"bye");
        let f = frame(0x88, &payload);
        let close = |code, reason: &str| RawClose {
            code,
            reason: reason.to_string(),
        };
        assert_eq!(close_payload(&f), Some(close(Some(4001), "bye")));
        assert_eq!(close_payload(&f[..4]), None);
        assert_eq!(close_payload(&frame(0x88, &[])), Some(close(None, "")));
    }

    #[tokio::test]
    async fn unarmed_lets_the_close_through_and_notes_its_code() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = b"HTTP/1.1 101 Switching Protocols\r\n\r\n".to_vec();
        stream.extend(frame(0x81, b"hi"));
        stream.extend(frame(0x88, &5000u16.to_be_bytes()));
        let total = stream.len();
        let (mut peer, ours) = tokio::io::duplex(64);
        let mut gated = Gated::new(ours, 1 << 20);
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
