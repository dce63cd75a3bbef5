//! The read buffer a connection holds only while it has bytes in it.
//!
//! tungstenite keeps a read buffer of its own for the life of a connection and zero-fills it
//! before every read, so its size is paid by every idle connection. Ours is kept small
//! ([`super::super::READ_BUFFER_MESSAGES`]), and reads from the socket go into a [`SPARE`]-byte
//! buffer instead, taken from a one-slot cache of the thread (the runtime has one thread) when
//! the socket is read and given back as soon as tungstenite has taken all of it. An idle
//! connection holds none; a busy one reads as much per `recv` as before, or more.
//!
//! Hand-written: the buffer must sit below tungstenite, in the frame gate that already reads
//! the socket for it, and no crate lends a read buffer only while it is full.
//!
//! Measured (`cargo bench --bench idle`, 5,000 idle `ws listen -k --echo` clients): tungstenite
//! kept 2 KiB per connection, now 256 bytes; per-message CPU of the echo with batched system
//! calls did not move (`cargo bench --bench ws`, `cost`). `-b` (a 128 KiB tungstenite buffer)
//! reads straight into tungstenite's buffer, as before.

use std::cell::Cell;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};

/// Bytes read from the socket at once when the caller's buffer is smaller.
pub const SPARE: usize = 16 * 1024;

/// A buffer of [`SPARE`] bytes, filled by reads from the front.
type Buffer = Box<[MaybeUninit<u8>]>;

thread_local! {
    /// The last buffer given back, for the next connection that reads.
    static CACHE: Cell<Option<Buffer>> = const { Cell::new(None) };
}

/// Bytes read from the socket and not yet handed on: `data[at..end]` (initialised).
#[derive(Default)]
pub struct Spare {
    held: Option<(Buffer, usize, usize)>,
}

impl Spare {
    /// Reads from `inner` into `out`: what is held first; else straight into `out` when it
    /// has room for [`SPARE`] bytes; else through a spare buffer, whose rest is held.
    pub fn poll_read<S: AsyncRead>(
        &mut self,
        inner: Pin<&mut S>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some((data, at, end)) = self.held.as_mut() {
            let n = (*end - *at).min(out.remaining());
            // SAFETY: `data[at..end]` was filled by a read.
            let held = unsafe { std::slice::from_raw_parts(data[*at..].as_ptr().cast::<u8>(), n) };
            out.put_slice(held);
            *at += n;
            if at == end {
                if let Some((data, _, _)) = self.held.take() {
                    give_back(data);
                }
            }
            return Poll::Ready(Ok(()));
        }
        if out.remaining() >= SPARE {
            return inner.poll_read(cx, out);
        }
        let mut data = CACHE.take().unwrap_or_else(|| Box::new_uninit_slice(SPARE));
        let mut read = ReadBuf::uninit(&mut data);
        let polled = inner.poll_read(cx, &mut read);
        let got = read.filled().len();
        if !matches!(polled, Poll::Ready(Ok(()))) || got == 0 {
            give_back(data);
            ready!(polled)?;
            return Poll::Ready(Ok(())); // the end of the stream
        }
        let n = got.min(out.remaining());
        out.put_slice(&read.filled()[..n]);
        if n < got {
            self.held = Some((data, n, got));
        } else {
            give_back(data);
        }
        Poll::Ready(Ok(()))
    }
}

/// `data`, for the next read of any connection of this thread.
fn give_back(data: Buffer) {
    CACHE.set(Some(data));
}
