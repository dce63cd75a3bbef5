//! Frame headers as the gate reads them (RFC 6455 5.2): where the stream is, what to do with
//! the frame that starts a buffer, and the headers of the fragments a long frame becomes.

use super::{CHUNK, MAX_HEADER, RawClose};

/// Where the byte stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    /// In the HTTP head: where in a line (the states in `head.rs`, `IN_LINE` at first).
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
    /// Inflating a compressed message's frame (`inflate.rs`).
    Inflate,
    /// Everything passes from here on (after the peer's Close, or a frame tungstenite will
    /// refuse).
    Through,
}

/// A long data frame being handed on as fragments of at most [`CHUNK`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Split {
    /// The frame's first byte as the peer sent it: FIN, RSV1-3, opcode.
    pub(super) first_byte: u8,
    /// Its mask key, if masked.
    pub(super) key: Option<[u8; 4]>,
    /// Payload bytes handed on so far.
    pub(super) done: u64,
    /// Payload bytes still to come.
    pub(super) left: u64,
    /// Payload bytes left in the fragment being handed on; 0 when its header is due.
    pub(super) in_fragment: u64,
}

impl Split {
    /// The next fragment's header: the frame's opcode and RSV bits on the first only, FIN on
    /// the last if the frame had it, the mask key turned to the fragment's offset.
    pub(super) fn header(&self) -> ([u8; MAX_HEADER], usize, u64) {
        let len = self.left.min(CHUNK);
        let first = self.done == 0;
        let last = len == self.left;
        let mut byte0 = if first { self.first_byte & 0x7F } else { 0 };
        if last {
            byte0 |= self.first_byte & 0x80;
        }
        let key = self.key.map(|key| {
            let turn = (self.done % 4) as usize;
            std::array::from_fn(|i| key[(i + turn) % 4])
        });
        let (header, n) = encode_header(byte0, len, key);
        (header, n, len)
    }
}

/// A frame header (RFC 6455 5.2): `byte0` (FIN, RSV, opcode), the payload length `len` in
/// its shortest form, and the mask key if `key`; the bytes and how many of them there are.
pub(super) fn encode_header(
    byte0: u8,
    len: u64,
    key: Option<[u8; 4]>,
) -> ([u8; MAX_HEADER], usize) {
    let mut header = [0; MAX_HEADER];
    header[0] = byte0;
    let masked = if key.is_some() { 0x80 } else { 0 };
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
    if let Some(key) = key {
        header[n..n + 4].copy_from_slice(&key);
        n += 4;
    }
    (header, n)
}

/// What to do with the frame whose header starts a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
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
    /// A frame of a compressed message, with a header of this many bytes and a payload of
    /// this many: inflate it.
    Inflate(usize, u64),
}

impl Split {
    /// After `n` more payload bytes of the current fragment were handed on.
    pub(super) fn advanced(mut self, n: u64) -> Split {
        self.done += n;
        self.left -= n;
        self.in_fragment -= n;
        self
    }
}

/// The code and reason of the Close frame at the start of `frame`, unmasked, if it is whole.
pub(super) fn close_payload(frame: &[u8]) -> Option<RawClose> {
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
pub(super) fn header_size(header: &[u8]) -> Option<(u64, usize)> {
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
