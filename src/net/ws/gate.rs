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
//! - **A head that trickles in.** tungstenite's opening handshake counts its reads and refuses
//!   a head that took more than 64 reads averaging under 128 bytes (its "attack check"),
//!   which a peer that writes its head a few bytes at a time is not: Python `websockets` and
//!   curl take such a head. A client's gate gathers the server's head up to its blank line
//!   and hands it on whole ([`Gated::gather_head`]; a server reads the request's head itself).
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
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, ReadBuf};

mod close;
mod frame;
mod head;
mod inflate;
mod replay;
mod spare;
mod write;

pub use close::{Gate, RawClose};
use frame::{At, Plan, Split, close_payload, header_size};

use super::deflate::DeflateConfig;
pub use replay::{messages, run_through, run_through_deflate};

/// The longest data frame handed to tungstenite, in payload bytes: longer frames (up to the
/// message limit) are handed on as fragments of this size. The size of wsctl's own `-b`
/// chunks ([`crate::framing::CHUNK`]), so that a wsctl peer's frames pass as they are.
pub const CHUNK: u64 = 256 * 1024;

/// How many bytes of pings (headers included) are handed to tungstenite while our writes to
/// the peer are stuck, before further pings are dropped: about 130 pongs owed.
pub const PONGS_OWED: u64 = 16 * 1024;

/// The longest frame header: 2 bytes, a 64-bit length, a mask key.
const MAX_HEADER: usize = 14;

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
    /// permessage-deflate, once negotiated: the peer's messages being inflated.
    inflate: Option<Box<inflate::Inflating>>,
    /// permessage-deflate as negotiated, and whether we are the server.
    deflate: Option<(DeflateConfig, bool)>,
    /// What the socket gave beyond what tungstenite's small buffer took.
    spare: spare::Spare,
    /// The peer's HTTP head is to be gathered into [`Self::raw`] before it is handed on
    /// ([`Gated::gather_head`]), and is not all there yet (boxed: a connection holds it only
    /// through its handshake, and pays 8 bytes after).
    gathering: Option<Box<head::Gathering>>,
}

impl<S> Gated<S> {
    /// Wraps `inner`, whose incoming bytes start with an HTTP head; messages up to
    /// `max_message_size` bytes.
    pub fn new(inner: S, max_message_size: usize) -> Self {
        Gated {
            inner,
            gate: Arc::new(Gate::default()),
            at: At::Head(head::IN_LINE),
            raw: BytesMut::new(),
            made: ([0; MAX_HEADER], 0, 0),
            max_message_size: max_message_size as u64,
            stuck: false,
            owed: 0,
            inflate: None,
            deflate: None,
            spare: spare::Spare::default(),
            gathering: None,
        }
    }

    /// permessage-deflate was negotiated (`server`: in the server role): from now on the
    /// peer's compressed messages are inflated before tungstenite reads them.
    pub fn set_deflate(&mut self, config: DeflateConfig, server: bool) {
        let (_, theirs) = config.sides(server);
        self.inflate = Some(Box::new(inflate::Inflating::new(theirs)));
        self.deflate = Some((config, server));
    }

    /// permessage-deflate as negotiated, and whether we are the server.
    pub fn deflate(&self) -> Option<(DeflateConfig, bool)> {
        self.deflate
    }

    pub fn gate(&self) -> Arc<Gate> {
        self.gate.clone()
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
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
        if let Some(plan) = self.plan_inflate(data, header, len) {
            return plan;
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
                At::Head(_) => {
                    let n = Self::skip_head(&mut self.at, &data[i..]);
                    self.gate.saw_head(&data[i..i + n]);
                    i += n;
                    // A read ends with the head: the frames after it wait for the next, so
                    // that they go through the gate as set up for the session
                    // (permessage-deflate), never straight into the handshake's leftovers.
                    if self.at == At::Boundary && i < data.len() && self.gate.frames_follow() {
                        return Some(i);
                    }
                }
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
                At::Skip(_) | At::Split(_) | At::Held | At::Inflate => return Some(i),
            }
        }
        None
    }

    /// Whether the next bytes go through our own buffer.
    fn slow(&self) -> bool {
        !self.raw.is_empty()
            || self.made.1 < self.made.2
            || matches!(self.at, At::Skip(_) | At::Split(_) | At::Held | At::Inflate)
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
                    self.gate.saw_head(&self.raw[..n]);
                    self.hand_on(n, out);
                    if n == 0 || (self.at == At::Boundary && self.gate.frames_follow()) {
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
                At::Inflate => {
                    if !self.inflate_some(out) {
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
                    Plan::Inflate(header, len) => self.start_inflate(header, len),
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

    /// One read of the socket (up to 4 KiB) added to [`Self::raw`]: the bytes read, 0 at the
    /// end of the stream.
    fn poll_read_raw(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>>
    where
        S: AsyncRead + Unpin,
    {
        let mut chunk = [0u8; 4096];
        let mut part = ReadBuf::new(&mut chunk);
        ready!(
            self.spare
                .poll_read(Pin::new(&mut self.inner), cx, &mut part)
        )?;
        self.raw.extend_from_slice(part.filled());
        Poll::Ready(Ok(part.filled().len()))
    }

    /// Moves `n` bytes of [`Self::raw`] to `out`.
    fn hand_on(&mut self, n: usize, out: &mut ReadBuf<'_>) {
        out.put_slice(&self.raw[..n]);
        self.raw.advance(n);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Gated<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_gather_head(cx))?;
        loop {
            let before = buf.filled().len();
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            if !this.slow() {
                // Our buffer is held no longer than it has bytes (a drained `BytesMut` keeps
                // its memory): an idle connection pays for none.
                this.raw = BytesMut::new();
                ready!(this.spare.poll_read(Pin::new(&mut this.inner), cx, buf))?;
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
                    ready!(
                        this.spare
                            .poll_read(Pin::new(&mut this.inner), cx, &mut part)
                    )?;
                    let got = part.filled().len();
                    buf.advance(got);
                    this.at = At::Split(split.advanced(got as u64));
                    return Poll::Ready(Ok(()));
                }
            }
            if ready!(this.poll_read_raw(cx))? == 0 {
                if this.raw.is_empty() {
                    return Poll::Ready(Ok(())); // the end of the stream
                }
                // Cut short inside a header: handed on as it is, for tungstenite to report.
                this.at = At::Through;
                continue;
            }
        }
    }
}

#[cfg(test)]
mod tests;
