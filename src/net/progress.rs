//! Waiting for a peer that is slow but alive: a timeout that does not run out while the peer
//! is visibly still taking our data.
//!
//! A Close or a ping written behind megabytes of queued data reaches the peer only once it has
//! read through them; on a slow link that can take longer than `--close-timeout` or
//! `--ping-timeout`, although nothing is wrong. So such a wait counts from when the frame
//! reached the socket and starts again whenever the peer acknowledges more bytes: Linux's
//! `TCP_INFO` `tcpi_bytes_acked` (since 4.1), which grows as the peer's kernel takes our
//! bytes, that is, as its receive window opens while it reads. No crate exposes it; it is one
//! `getsockopt(2)`.

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
        Some(self.tcp().as_raw_fd())
    }
}

impl Acked for tokio::io::DuplexStream {
    fn tcp_fd(&self) -> Option<RawFd> {
        None
    }
}

/// Bytes of ours the peer has acknowledged on the TCP socket `fd` (`tcpi_bytes_acked`), or
/// `None` where the kernel does not say.
pub fn bytes_acked(fd: RawFd) -> Option<u64> {
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
    (rc == 0 && info.tcpi_bytes_acked > 0).then_some(info.tcpi_bytes_acked)
}

/// How a [`Patience`] learns of the peer's progress: a count that grows while it takes data.
pub type Sampler = Box<dyn FnMut() -> Option<u64> + Send>;

/// The sampler of a TCP socket (nothing to sample without one).
pub fn sampler(fd: Option<RawFd>) -> Sampler {
    Box::new(move || fd.and_then(bytes_acked))
}

/// A timeout of `limit` that starts again whenever the peer acknowledges more of our bytes.
pub struct Patience {
    limit: Duration,
    /// The start, or the last time progress was seen.
    since: Instant,
    last: Option<u64>,
    sample: Sampler,
}

impl Patience {
    /// A wait of `limit` from `since` (when the frame waited for reached the socket).
    pub fn new(limit: Duration, since: Instant, mut sample: Sampler) -> Self {
        let last = sample();
        Patience {
            limit,
            since,
            last,
            sample,
        }
    }

    /// Resolves once `limit` has passed without the peer acknowledging anything more. The
    /// peer is looked at every `limit / 8` (50 ms to 1 s), so progress is noticed that late
    /// at most.
    pub async fn expired(&mut self) {
        let look = (self.limit / 8).clamp(Duration::from_millis(50), Duration::from_secs(1));
        loop {
            // Looked at first: the caller may not have polled this for a while (busy writing).
            let acked = (self.sample)();
            if acked > self.last {
                self.last = acked;
                self.since = Instant::now();
            }
            let deadline = self.since + self.limit;
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
        let mut wait = Patience::new(Duration::from_secs(5), start, Box::new(|| Some(100)));
        wait.expired().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_while_the_peer_takes_data() {
        let acked = Arc::new(AtomicU64::new(1));
        let seen = acked.clone();
        let start = Instant::now();
        let mut wait = Patience::new(
            Duration::from_secs(2),
            start,
            Box::new(move || Some(seen.load(Ordering::SeqCst))),
        );
        // The peer takes a little more every 500 ms for 10 s, then stops.
        let feeder = tokio::spawn(async move {
            for _ in 0..20 {
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
        while bytes_acked(client.as_raw_fd()) < Some(1000) {
            assert!(std::time::Instant::now() < deadline, "never acknowledged");
            std::thread::yield_now();
        }
    }
}
