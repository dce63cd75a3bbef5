//! Waiting for a peer that is slow but alive: a timeout that does not run out while the peer
//! is visibly still taking our data.
//!
//! A Close or a ping written behind megabytes of queued data reaches the peer only once it has
//! read through them; on a slow link that can take longer than `--close-timeout` or
//! `--ping-timeout`, although nothing is wrong. So such a wait counts from when the frame
//! reached the socket, and starts again whenever the peer is seen taking the data queued
//! before it. Linux's `TCP_INFO` says so in two ways: `tcpi_bytes_acked` (since 4.1) grows as
//! the peer's kernel takes our bytes, up to the frame (`SIOCOUTQ`, what the send queue still
//! holds, says where it ends; the next pings after it do not count); and `tcpi_snd_wnd` (since
//! 5.4, the window the peer advertises) grows as the peer's application reads what its kernel
//! holds already, which on loopback can be megabytes. Once neither moves for the whole limit,
//! the wait runs out. No crate exposes these; each is one system call.

use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::net::tls::Stream;

/// A connection that can say how many bytes its peer has acknowledged.
pub trait Acked {
    /// The TCP socket underneath, if there is one.
    fn tcp_fd(&self) -> Option<RawFd>;
}

impl Acked for Stream {
    fn tcp_fd(&self) -> Option<RawFd> {
        self.tcp().map(|tcp| tcp.as_raw_fd())
    }
}

impl Acked for tokio::io::DuplexStream {
    fn tcp_fd(&self) -> Option<RawFd> {
        None
    }
}

/// What a TCP socket says of our bytes: how many the peer has acknowledged, how many the send
/// queue still holds (sent and not acknowledged, or not sent yet), and the receive window the
/// peer advertises (bytes; `None` before Linux 5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes the peer has acknowledged since the connection opened (`tcpi_bytes_acked`).
    pub acked: u64,
    /// Bytes in the send queue, sent or not (`SIOCOUTQ`).
    pub queued: u64,
    /// The receive window the peer advertises, in bytes (`tcpi_snd_wnd`; `None` before
    /// Linux 5.4).
    pub window: Option<u32>,
}

/// The [`Progress`] of the TCP socket `fd`, or `None` where the kernel does not say.
pub fn progress(fd: RawFd) -> Option<Progress> {
    // SAFETY: an all-zero tcp_info is valid; getsockopt writes at most `len` bytes into it.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: getsockopt(2) on a descriptor the caller keeps open, with a buffer of `len` bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&raw mut info).cast(),
            &mut len,
        )
    };
    let acked = info.tcpi_bytes_acked;
    if rc != 0 || acked == 0 {
        return None;
    }
    let mut queued: libc::c_int = 0;
    // SAFETY: TIOCOUTQ (SIOCOUTQ) writes one int, on a descriptor the caller keeps open.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut queued) };
    // Older kernels fill less of the struct.
    let window_known = len as usize >= std::mem::offset_of!(libc::tcp_info, tcpi_snd_wnd) + 4;
    (rc == 0).then_some(Progress {
        acked,
        queued: queued.max(0) as u64,
        window: window_known.then_some(info.tcpi_snd_wnd),
    })
}

/// How a [`Patience`] learns of the peer's progress.
pub type Sampler = Box<dyn FnMut() -> Option<Progress> + Send>;

/// The most of our data a WebSocket connection's TCP socket holds unsent
/// (`TCP_NOTSENT_LOWAT`), in bytes: two of stdin's chunks (256 KiB each).
pub const UNSENT_MAX: u32 = 512 * 1024;

/// Bounds what the TCP socket `fd` (open for the call) holds unsent to [`UNSENT_MAX`]: past
/// it the socket is not writable, so a Close or a ping queues behind at most that much of
/// ours, not the megabytes Linux grows a loopback send buffer to, and stdin waits in its pipe
/// instead of being read in whatever small pieces came (each a message of its own under
/// `-b`) while a slow peer cannot take them. The peer's own buffers are not ours to bound.
/// Measured (the suite's `end_05_an_upload_to_a_server_that_reads_in_bursts_ends_0`: Python
/// `websockets` taking 0.25 s a message, 12 MB from a pipe written 64 KiB at a time): 78-86
/// messages in about 20 s, against 115-133 in up to 29 s without the bound.
pub fn bound_unsent(fd: RawFd) {
    // SAFETY: the caller keeps `fd` open for the call; the borrow does not outlive it.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    // A socket that refuses (an old kernel) keeps its unbounded queue.
    let _ = socket2::SockRef::from(&borrowed).set_tcp_notsent_lowat(UNSENT_MAX);
}

/// The sampler of a TCP socket (nothing to sample without one).
pub fn sampler(fd: Option<RawFd>) -> Sampler {
    Box::new(move || fd.and_then(progress))
}

/// The sampler for a send that cannot proceed: any byte acknowledged, or any opening of the
/// peer's window, is progress (nothing is waited for beyond what is being written).
pub fn stall_sampler(fd: Option<RawFd>) -> Sampler {
    Box::new(move || {
        fd.and_then(progress).map(|p| Progress {
            queued: u64::MAX / 2,
            ..p
        })
    })
}

/// How much the peer's window must open to count as its application reading: more than our
/// own pings and pongs (a few bytes each), which a live peer that never answers also reads.
const WINDOW_STEP: u32 = 4096;

/// The wait for an answer to a frame (our Close, a ping), in two stages. Until the peer's
/// kernel has acknowledged the frame (it is queued behind our data, or the peer is not
/// reading), the wait runs out only after `stall` without any progress: the peer taking
/// more of our bytes, or opening its window. A peer library that holds a few messages of its
/// own stops reading for seconds at a time and then takes a lot at once, so this is the long
/// limit (`--close-timeout`). From the moment the frame is acknowledged, `limit` counts (the
/// answer is due), again from each time the window opens by [`WINDOW_STEP`] (its application
/// still reading what came before the frame) or [`Patience::restart`].
///
/// Either limit stretches to twice the longest pause the peer has made between two steps of
/// progress in this wait, or before it ([`Patience::knowing_pause`]): a peer that reads in
/// bursts (Python `websockets` stops for 12 messages' handling whenever its queue of 16 is
/// full: 3 s and more when each takes a quarter of a second) is not given up in a pause it
/// has already shown to be its pace, and one that stops altogether is still given up, after
/// at most twice that.
pub struct Patience {
    limit: Duration,
    stall: Duration,
    /// The start, or the last time progress was seen.
    since: Instant,
    /// Acknowledged so far, and the count at which the frame is all acknowledged.
    last: u64,
    target: u64,
    delivered: bool,
    /// The smallest window seen since the last progress.
    window: Option<u32>,
    /// The longest time between two steps of progress so far.
    longest_pause: Duration,
    sample: Sampler,
}

impl Patience {
    /// A wait from `since`, made once the frame waited for has reached the socket (so it is
    /// the last byte the send queue holds, or already acknowledged): `limit` once the frame
    /// is delivered, `stall` without progress before that.
    pub fn new(limit: Duration, stall: Duration, since: Instant, mut sample: Sampler) -> Self {
        let now = sample();
        let last = now.map_or(0, |p| p.acked);
        let target = now.map_or(0, |p| p.acked + p.queued);
        Patience {
            limit,
            stall,
            since,
            last,
            target,
            // Without the kernel's word, the frame counts as delivered: the plain timeout.
            delivered: now.is_none() || last >= target,
            window: now.and_then(|p| p.window),
            longest_pause: Duration::ZERO,
            sample,
        }
    }

    /// Counts `pause` as a pause the peer has already made (the longest time one of our
    /// sends waited for room earlier in the session), so the wait stretches to twice it from
    /// the start (see [`Patience`]).
    pub fn knowing_pause(mut self, pause: Duration) -> Self {
        self.longest_pause = self.longest_pause.max(pause);
        self
    }

    /// Starts the wait again from now (the peer showed it is alive some other way).
    pub fn restart(&mut self) {
        self.since = Instant::now();
    }

    /// Resolves once the wait has run out (see [`Patience`]). The peer is looked at every
    /// eighth of the shorter limit (50 ms to 1 s), so progress is noticed that late at most.
    pub async fn expired(&mut self) {
        let look = (self.limit.min(self.stall) / 8)
            .clamp(Duration::from_millis(50), Duration::from_secs(1));
        loop {
            // Looked at first: the caller may not have polled this for a while (busy writing).
            if let Some(now) = (self.sample)() {
                let taken = now.acked > self.last && !self.delivered;
                let read = match (self.window, now.window) {
                    (Some(low), Some(window)) => window >= low.saturating_add(WINDOW_STEP),
                    _ => false,
                };
                if now.acked >= self.target && !self.delivered {
                    self.delivered = true;
                }
                if taken || read {
                    self.longest_pause = self.longest_pause.max(self.since.elapsed());
                    self.since = Instant::now();
                    self.window = now.window;
                }
                self.window = match (self.window, now.window) {
                    (Some(low), Some(window)) => Some(low.min(window)),
                    (_, window) => window,
                };
                self.last = self.last.max(now.acked);
            }
            let wait = if self.delivered {
                self.limit
            } else {
                self.stall
            }
            .max(self.longest_pause * 2);
            let deadline = self.since + wait;
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            sleep_until(deadline.min(now + look)).await;
        }
    }
}

#[cfg(test)]
mod tests;
