//! A socket and a pipe shared with another process (stdin or stdout), by way of a pipe of our
//! own: `splice(2)` from the one into our pipe, then from our pipe into the other.
//!
//! Why two calls and not one: `splice(2)` between a TCP socket and a pipe holds the pipe's
//! lock for the whole of the socket's work (receiving: taking the segments, sending the ACKs,
//! and on loopback the sender's next segments that those ACKs release; sending, the
//! segments' way through the stack). The process on the other end of the shared pipe waits
//! for that lock: `head` reading our stdout, the slowest stage of a pipeline, spent about a
//! fifth of its time spinning on it (`perf`, `mutex_spin_on_owner`). From a pipe to a pipe,
//! `splice(2)` only moves page references, so the shared pipe is now locked for that alone;
//! the socket's work is done against our pipe, which nobody else waits for.
//!
//! Measured (`cargo bench --bench pipes`, a 1 GiB file, `wsctl tcp connect < FILE` to
//! `wsctl tcp listen | head -c 1G | wc -c`, same run as the one-call build): `head`'s CPU
//! went from about 1.2 to 0.9 s, the whole pipeline from 1.35x to 1.10x the time of
//! `cat | cat` (0.82x the one-call build's time), all CPU from 2.74 to 2.31 s/GiB. The other
//! way (`cat FILE | wsctl tcp connect`), no change was measured, and none is lost; both ways
//! take the same path.
//!
//! Our pipe is nonblocking (it is ours alone) and as large as an unprivileged process may
//! make it (1 MiB). While the other side takes less than comes (a full stdout pipe), it is
//! refilled only once it is half empty, so `from` is read in steps of half a MiB and more,
//! not of the 8 KiB a slow reader frees at a time: for a socket, fewer ACK rounds and fewer
//! wake-ups of the sender. An empty pipe is refilled at once, so nothing waits. Measured
//! (same harness, 9 rounds): the receiving wsctl's CPU went from 0.7-0.95 to 0.4-0.5 s per
//! GiB, the whole pipeline's from 2.20 to 2.05 CPU s/GiB; its time did not move (0.99x).
//!
//! Hand-written for the reason `splice.rs` is.

use std::io::{self, ErrorKind};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use futures_util::FutureExt;
use tokio::io::unix::AsyncFd;

use super::splice;

/// Why [`relay`] stopped short of the end.
pub enum Failed {
    /// Reading `from` failed (the peer's reset, say).
    From(io::Error),
    /// Writing `to` failed (`EPIPE`: a pipe's reader is gone, or the peer's reset).
    To(io::Error),
}

/// A pipe of our own: what was taken from `from` and not yet handed on.
struct Staging {
    read: OwnedFd,
    write: OwnedFd,
    /// Its capacity, in bytes.
    size: usize,
    /// The bytes in it.
    queued: usize,
}

impl Staging {
    fn new() -> io::Result<Staging> {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 returns.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 just opened both descriptors; nothing else owns them.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: F_SETPIPE_SZ on our own pipe; a refusal leaves its size as it was.
        let size = unsafe { libc::fcntl(write.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
        // SAFETY: F_GETPIPE_SZ on our own pipe.
        let size = match size {
            n if n > 0 => n,
            _ => unsafe { libc::fcntl(write.as_raw_fd(), libc::F_GETPIPE_SZ) },
        };
        Ok(Staging {
            read,
            write,
            size: size.max(4096) as usize,
            queued: 0,
        })
    }
}

/// Moves what comes from `from` to `to` (one a socket, the other a pipe) until `from`'s end
/// or `until`, and then hands on all that was taken; adds what reached `to` to `moved`, as it
/// goes. Both are nonblocking for the calls (`splice`'s `SPLICE_F_NONBLOCK` for the pipe),
/// and their readiness comes from the runtime.
pub async fn relay<A: AsRawFd, B: AsRawFd>(
    from: &AsyncFd<A>,
    to: &AsyncFd<B>,
    moved: &mut u64,
    until: impl Future<Output = ()>,
) -> Result<(), Failed> {
    let mut staging = Staging::new().map_err(Failed::From)?;
    let (from_fd, to_fd) = (from.as_raw_fd(), to.as_raw_fd());
    tokio::pin!(until);
    // Still taking from `from`: until its end or `until`.
    let mut taking = true;
    loop {
        if taking && (&mut until).now_or_never().is_some() {
            taking = false;
        }
        let (mut progress, mut from_waits, mut to_waits) = (false, false, false);
        // Refilled once half empty: large steps from `from` (see the module).
        if taking && staging.queued <= staging.size / 2 {
            match splice(
                from_fd,
                staging.write.as_raw_fd(),
                staging.size - staging.queued,
            ) {
                Ok(0) => taking = false,
                Ok(n) => {
                    staging.queued += n;
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => from_waits = true,
                Err(e) => return Err(Failed::From(e)),
            }
        }
        if staging.queued > 0 {
            match splice(staging.read.as_raw_fd(), to_fd, staging.queued) {
                Ok(n) => {
                    staging.queued -= n;
                    *moved += n as u64;
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => to_waits = true,
                Err(e) => return Err(Failed::To(e)),
            }
        }
        if !taking && staging.queued == 0 {
            return Ok(());
        }
        if progress {
            // Other tasks of the runtime get their turn on a long run of progress.
            tokio::task::coop::consume_budget().await;
            continue;
        }
        // Neither moved: wait for whichever would not. A readiness is cleared before the
        // call is tried again, so an edge that comes after the clear is not lost.
        tokio::select! {
            biased;
            () = &mut until, if taking => taking = false,
            ready = from.readable(), if from_waits => ready.map_err(Failed::From)?.clear_ready(),
            ready = to.writable(), if to_waits => ready.map_err(Failed::To)?.clear_ready(),
        }
    }
}
