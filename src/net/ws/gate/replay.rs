//! For tests and fuzzing (`fuzz/`, target `gate`): bytes run through a [`Gated`] stream as a
//! socket would give them, and the messages a byte stream holds, to compare.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, ReadBuf};

use super::Gated;
use super::frame::header_size;
use crate::net::ws::deflate::DeflateConfig;

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
    let mut gated = gated(input, max_message_size, piece);
    gated.stuck = stuck;
    read_all(gated, read)
}

/// [`run_through`] with permessage-deflate agreed as `config`, in the server role (the
/// frames are a client's): what tungstenite would read, compressed messages inflated (target
/// `inflate`).
pub fn run_through_deflate(
    input: &[u8],
    max_message_size: usize,
    piece: usize,
    read: usize,
    config: DeflateConfig,
) -> Vec<u8> {
    let mut gated = gated(input, max_message_size, piece);
    gated.set_deflate(config, true);
    read_all(gated, read)
}

/// A [`Gated`] stream over `input`, which the socket gives `piece` bytes at a time.
fn gated(input: &[u8], max_message_size: usize, piece: usize) -> Gated<Pieces<'_>> {
    Gated::new(
        Pieces {
            data: input,
            piece: piece.max(1),
        },
        max_message_size,
    )
}

/// Everything `gated` hands on, `read` bytes at most per read.
fn read_all(mut gated: Gated<Pieces<'_>>, read: usize) -> Vec<u8> {
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
