//! permessage-deflate's incoming half (RFC 7692 7.2.2): a compressed message's frames (RSV1
//! on the first) are inflated here and handed to tungstenite as an ordinary message, so that
//! tungstenite, which refuses RSV1, sees only what it knows. Each frame's payload is unmasked
//! as it comes, inflated (the 4 bytes `00 00 ff ff` added after the last frame), and handed
//! on as fragments of at most [`STEP`] bytes: the message's opcode on the first, FIN on an
//! empty last one; in the server role each carries a mask key of zeros (tungstenite wants a
//! client's frames masked; a zero key leaves the payload as it is). Control frames between
//! the fragments pass as they are.
//!
//! The inflated size is counted as it grows: past `--max-message-size` tungstenite is handed
//! a header announcing more than the limit, which it refuses with 1009 before reading any of
//! it; so a small frame that would inflate to gigabytes costs [`STEP`] bytes at most. Data
//! that does not inflate is handed on as a frame with RSV2 set, which tungstenite fails with
//! 1002. Text is checked as UTF-8 by tungstenite, on the inflated bytes.

use bytes::Buf;
use flate2::{Decompress, FlushDecompress, Status};
use tokio::io::ReadBuf;

use super::frame::{At, Plan, encode_header};
use super::{Gated, MAX_HEADER};
use crate::net::ws::deflate::{TAIL, Window};

/// The most inflated bytes handed on per fragment (and held at once).
pub(super) const STEP: usize = 16 * 1024;

/// The peer's compressed messages, being inflated (see the module).
pub(super) struct Inflating {
    /// The peer's compressor as negotiated: our window, and whether each message starts
    /// afresh.
    window: Window,
    /// The decompressor, made on the first compressed message.
    state: Option<Box<Decompress>>,
    /// Inside a compressed message: its first frame seen, not yet its last.
    in_message: bool,
    /// The message's opcode (text or binary), for its first fragment.
    opcode: u8,
    /// A fragment of the message has been handed on (the next are continuations).
    started: bool,
    /// Inflated bytes of the message so far.
    total: u64,
    /// The deflate stream ended (a final block): reset at the message's end.
    ended: bool,
    /// Inflated bytes, handed on from `sent` after their fragment's header.
    out: Vec<u8>,
    /// How much of `out` is handed on.
    sent: usize,
    /// The compressed frame being read.
    frame: Frame,
}

/// A compressed frame being read.
#[derive(Default)]
struct Frame {
    /// The mask key, if masked (the peer is a client).
    key: Option<[u8; 4]>,
    /// Payload bytes read so far (the mask key's offset).
    done: u64,
    /// Payload bytes still to come.
    left: u64,
    /// The frame ends the message.
    fin: bool,
    /// Bytes at the front of the raw buffer already unmasked and not yet inflated.
    ready: usize,
    /// Bytes of [`TAIL`] still to inflate once the last frame's payload is in.
    tail: usize,
}

impl Inflating {
    pub(super) fn new(window: Window) -> Inflating {
        Inflating {
            window,
            state: None,
            in_message: false,
            opcode: 0,
            started: false,
            total: 0,
            ended: false,
            out: Vec::new(),
            sent: 0,
            frame: Frame::default(),
        }
    }

    /// Whether the frame starting `data` (its header all there, `header` bytes, payload
    /// `len`) is one to inflate: the first frame of a message with RSV1, or a continuation of
    /// a compressed message. Anything else (RSV1 on a continuation or a control frame, a new
    /// message inside a compressed one) is left for tungstenite to refuse.
    pub(super) fn wants(&self, data: &[u8]) -> bool {
        let (rsv1, opcode) = (data[0] & 0x40 != 0, data[0] & 0x0F);
        match opcode {
            1 | 2 => rsv1 && !self.in_message,
            0 => !rsv1 && self.in_message,
            _ => false,
        }
    }

    /// Starts on the frame whose header (`header` bytes, payload `len`) starts `data`.
    fn begin(&mut self, data: &[u8], header: usize, len: u64) {
        let key = (data[1] & 0x80 != 0).then(|| {
            let k = &data[header - 4..header];
            [k[0], k[1], k[2], k[3]]
        });
        if !self.in_message {
            self.in_message = true;
            self.opcode = data[0] & 0x0F;
            self.started = false;
            self.total = 0;
        }
        let fin = data[0] & 0x80 != 0;
        self.frame = Frame {
            key,
            done: 0,
            left: len,
            fin,
            ready: 0,
            tail: if fin { TAIL.len() } else { 0 },
        };
    }

    /// The header of the next fragment handed on, `len` bytes of payload.
    fn header(&mut self, len: u64, fin: bool) -> ([u8; MAX_HEADER], u8) {
        let mut byte0 = if self.started { 0 } else { self.opcode };
        self.started = true;
        if fin {
            byte0 |= 0x80;
        }
        fragment_header(byte0, len, self.frame.key.is_some())
    }
}

/// A fragment's header: `byte0` (FIN, RSV, opcode), `len`, and a mask key of zeros if
/// `masked` (the payload is handed on unmasked).
fn fragment_header(byte0: u8, len: u64, masked: bool) -> ([u8; MAX_HEADER], u8) {
    let (header, n) = encode_header(byte0, len, masked.then_some([0; 4]));
    (header, n as u8)
}

impl<S> Gated<S> {
    /// The plan for a frame to inflate, if the frame starting `data` is one.
    pub(super) fn plan_inflate(&self, data: &[u8], header: usize, len: u64) -> Option<Plan> {
        let inflating = self.inflate.as_ref()?;
        inflating.wants(data).then_some(Plan::Inflate(header, len))
    }

    /// Starts inflating the frame at the front of the raw buffer (its header dropped).
    pub(super) fn start_inflate(&mut self, header: usize, len: u64) {
        let inflating = self.inflate.as_mut().expect("planned with it");
        inflating.begin(&self.raw, header, len);
        self.raw.advance(header);
        self.at = At::Inflate;
    }

    /// Hands on what it can of the frame being inflated: inflated bytes, the headers of
    /// their fragments, the message's last (empty, FIN) fragment. Returns `false` when it
    /// needs more bytes from the socket.
    pub(super) fn inflate_some(&mut self, out: &mut ReadBuf<'_>) -> bool {
        let max = self.max_message_size;
        let inflating = self.inflate.as_mut().expect("inflating");
        if inflating.sent < inflating.out.len() {
            let n = (inflating.out.len() - inflating.sent).min(out.remaining());
            out.put_slice(&inflating.out[inflating.sent..inflating.sent + n]);
            inflating.sent += n;
            return true;
        }
        if inflating.frame.left == 0 && inflating.frame.tail == 0 {
            if inflating.frame.fin {
                let (header, n) = inflating.header(0, true);
                self.made = (header, 0, n);
                inflating.in_message = false;
                if inflating.window.reset || inflating.ended {
                    inflating.state = None;
                    inflating.ended = false;
                }
                // Nothing is kept between messages but the decompressor's window.
                inflating.out = Vec::new();
            }
            self.at = At::Boundary;
            return true;
        }
        let frame = &mut inflating.frame;
        // The input: the payload's next bytes (unmasked in place, once), or the tail.
        let input: &[u8] = if frame.left > 0 {
            let n = (frame.left.min(self.raw.len() as u64)) as usize;
            if n == 0 {
                return false;
            }
            if let Some(key) = frame.key {
                for i in frame.ready..n {
                    self.raw[i] ^= key[((frame.done + i as u64) % 4) as usize];
                }
            }
            frame.ready = n;
            &self.raw[..n]
        } else {
            &TAIL[TAIL.len() - frame.tail..]
        };
        let bits = inflating.window.bits.max(9);
        let state = inflating
            .state
            .get_or_insert_with(|| Box::new(Decompress::new_with_window_bits(false, bits)));
        inflating.out.clear();
        inflating.sent = 0;
        inflating.out.reserve(STEP);
        let (before_in, before_out) = (state.total_in(), state.total_out());
        let status = state.decompress_vec(input, &mut inflating.out, FlushDecompress::Sync);
        let made = (state.total_out() - before_out) as usize;
        let ended = matches!(status, Ok(Status::StreamEnd));
        // After the stream's final block, the rest of the message is not data.
        let consumed = if ended || inflating.ended {
            input.len()
        } else {
            (state.total_in() - before_in) as usize
        };
        inflating.ended |= ended;
        let frame = &mut inflating.frame;
        if frame.left > 0 {
            self.raw.advance(consumed);
            frame.done += consumed as u64;
            frame.left -= consumed as u64;
            frame.ready -= consumed;
        } else {
            frame.tail -= consumed;
        }
        let masked = frame.key.is_some();
        let stalled = consumed == 0 && frame.left > 0;
        if status.is_err() {
            // Not deflate data: a header with RSV2, which tungstenite fails with 1002.
            let byte0 = if inflating.started {
                0
            } else {
                inflating.opcode
            } | 0x20;
            let (header, n) = fragment_header(byte0, 0, masked);
            self.made = (header, 0, n);
            self.at = At::Through;
            return true;
        }
        inflating.total += made as u64;
        if inflating.total > max {
            // More than the limit: a fragment announcing more, which tungstenite refuses
            // (1009) from its header alone.
            inflating.out.clear();
            let (header, n) = inflating.header(max.max(125) + 1, false);
            self.made = (header, 0, n);
            self.at = At::Through;
            return true;
        }
        if made > 0 {
            let (header, n) = inflating.header(made as u64, false);
            self.made = (header, 0, n);
            return true;
        }
        !stalled
    }
}
