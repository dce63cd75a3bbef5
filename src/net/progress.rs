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
            sample,
        }
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
            };
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
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[tokio::test(start_paused = true)]
    async fn runs_out_after_the_limit_without_progress() {
        let start = Instant::now();
        let progress = |acked| {
            Some(Progress {
                acked,
                queued: 0,
                window: Some(65536),
            })
        };
        let mut wait = Patience::new(
            Duration::from_secs(5),
            Duration::from_secs(30),
            start,
            Box::new(move || progress(100)),
        );
        wait.expired().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_after_the_frame_do_not_count() {
        // Everything up to the frame is acknowledged already; later bytes (the next pings)
        // keep being acknowledged, but the frame's answer is what is waited for.
        let acked = Arc::new(AtomicU64::new(1));
        let seen = acked.clone();
        let start = Instant::now();
        let sample = move || {
            let acked = seen.fetch_add(14, Ordering::SeqCst);
            // The window wobbles by a ping's size as the peer reads each one.
            let window = Some(65536 - (acked % 28) as u32);
            Some(Progress {
                acked,
                queued: 0,
                window,
            })
        };
        let mut wait = Patience::new(
            Duration::from_secs(2),
            Duration::from_secs(30),
            start,
            Box::new(sample),
        );
        wait.expired().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        assert!(acked.load(Ordering::SeqCst) > 14);
    }

    /// A socket with 20,000 bytes queued up to the frame, of which the peer has acknowledged
    /// `acked` (starting at 1).
    fn queued_before_the_frame(acked: &Arc<AtomicU64>) -> Sampler {
        let seen = acked.clone();
        Box::new(move || {
            let acked = seen.load(Ordering::SeqCst);
            Some(Progress {
                acked,
                queued: 20_001u64.saturating_sub(acked),
                window: None,
            })
        })
    }

    #[tokio::test(start_paused = true)]
    async fn waits_while_the_peer_takes_data() {
        let acked = Arc::new(AtomicU64::new(1));
        let start = Instant::now();
        let mut wait = Patience::new(
            Duration::from_secs(2),
            Duration::from_secs(2),
            start,
            queued_before_the_frame(&acked),
        );
        // The peer takes 1,000 more every 500 ms for 10 s: then the frame is all taken (and
        // more comes after it, which does not count).
        let feeder = tokio::spawn(async move {
            for _ in 0..30 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                acked.fetch_add(1000, Ordering::SeqCst);
            }
        });
        wait.expired().await;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(12),
            "gave up after {waited:?}"
        );
        assert!(waited <= Duration::from_millis(12_300), "waited {waited:?}");
        feeder.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_pauses_reading_is_given_the_stall_limit_before_delivery() {
        // 20,000 bytes queued up to the frame; the peer takes 5,000, stops for 4 s (its
        // library's own queue is full), takes the rest, and answers nothing after that.
        let acked = Arc::new(AtomicU64::new(1));
        let start = Instant::now();
        let mut wait = Patience::new(
            Duration::from_secs(2),
            Duration::from_secs(5),
            start,
            queued_before_the_frame(&acked),
        );
        let peer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            acked.fetch_add(5_000, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(4)).await;
            acked.fetch_add(15_000, Ordering::SeqCst);
        });
        wait.expired().await;
        // Delivered at 4.5 s; the answer was due 2 s later.
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(6_500),
            "gave up after {waited:?}"
        );
        assert!(waited <= Duration::from_millis(6_800), "waited {waited:?}");
        peer.await.unwrap();

        // A peer that takes nothing at all: the stall limit.
        let start = Instant::now();
        let deaf = || {
            Some(Progress {
                acked: 1,
                queued: 20_000,
                window: Some(0),
            })
        };
        let mut wait = Patience::new(
            Duration::from_secs(2),
            Duration::from_secs(5),
            start,
            Box::new(deaf),
        );
        wait.expired().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_while_the_peer_reads_what_its_kernel_holds() {
        // All acknowledged already (in the peer's receive buffer); its application reads
        // 100 KiB every 500 ms for 6 s: the window opens.
        let window = Arc::new(AtomicU64::new(0));
        let seen = window.clone();
        let start = Instant::now();
        let sample = move || {
            Some(Progress {
                acked: 1000,
                queued: 0,
                window: Some(seen.load(Ordering::SeqCst) as u32),
            })
        };
        let mut wait = Patience::new(
            Duration::from_secs(2),
            Duration::from_secs(30),
            start,
            Box::new(sample),
        );
        let reader = tokio::spawn(async move {
            for _ in 0..12 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                window.fetch_add(100 << 10, Ordering::SeqCst);
            }
        });
        wait.expired().await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_secs(8), "gave up after {waited:?}");
        assert!(waited <= Duration::from_millis(8_300), "waited {waited:?}");
        reader.await.unwrap();
    }

    #[test]
    fn reads_the_acknowledged_bytes_of_a_real_socket() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(&[7; 1000]).unwrap();
        let mut got = [0; 1000];
        server.read_exact(&mut got).unwrap();
        // Acknowledged by the time it was read (a loopback ACK is immediate or delayed a little).
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let acked = || progress(client.as_raw_fd()).map_or(0, |p| p.acked);
        while acked() < 1000 {
            assert!(std::time::Instant::now() < deadline, "never acknowledged");
            std::thread::yield_now();
        }
        // This machine's kernel is newer than 5.4: the window is there, and plausible.
        let window = progress(client.as_raw_fd()).and_then(|p| p.window);
        assert!(
            window.is_some_and(|w| (1000..=1 << 30).contains(&w)),
            "{window:?}"
        );
    }
}
