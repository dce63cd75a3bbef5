//! The waits of `progress.rs` under `tokio::time::pause()`, and one real socket.

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

/// How long a wait (`limit`, `stall`, knowing `pause`) for a frame queued behind 20,000
/// bytes lasts, while the peer takes `steps` of them (each: after how long, how many more).
async fn wait_for_steps(
    limit: Duration,
    stall: Duration,
    pause: Duration,
    steps: Vec<(Duration, u64)>,
) -> Duration {
    let acked = Arc::new(AtomicU64::new(1));
    let start = Instant::now();
    let mut wait =
        Patience::new(limit, stall, start, queued_before_the_frame(&acked)).knowing_pause(pause);
    let peer = tokio::spawn(async move {
        for (after, more) in steps {
            tokio::time::sleep(after).await;
            acked.fetch_add(more, Ordering::SeqCst);
        }
    });
    wait.expired().await;
    let waited = start.elapsed();
    peer.await.unwrap();
    waited
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test(start_paused = true)]
async fn waits_while_the_peer_takes_data() {
    // The peer takes 1,000 more every 500 ms for 15 s: the frame is all taken at 10 s (and
    // more comes after it, which does not count).
    let waited = wait_for_steps(secs(2), secs(2), secs(0), vec![(ms(500), 1000); 30]).await;
    assert!(waited >= secs(12), "gave up after {waited:?}");
    assert!(waited <= ms(12_300), "waited {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_pauses_reading_is_given_the_stall_limit_and_twice_its_pause() {
    // 20,000 bytes queued up to the frame; the peer takes 5,000, stops for 4 s (its
    // library's own queue is full), takes the rest, and answers nothing after that.
    let waited = wait_for_steps(
        secs(2),
        secs(5),
        secs(0),
        vec![(ms(500), 5_000), (secs(4), 15_000)],
    )
    .await;
    // Delivered at 4.5 s after a pause of 4 s: the answer is given twice that pause, not
    // the 2 s limit (the peer may pause as long again before it reads our frame).
    assert!(waited >= ms(12_500), "gave up after {waited:?}");
    assert!(waited <= ms(13_100), "waited {waited:?}");

    // A peer that takes nothing at all: the stall limit.
    let start = Instant::now();
    let deaf = || {
        Some(Progress {
            acked: 1,
            queued: 20_000,
            window: Some(0),
        })
    };
    let mut wait = Patience::new(secs(2), secs(5), start, Box::new(deaf));
    wait.expired().await;
    assert_eq!(start.elapsed(), secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_peer_reading_in_bursts_is_given_twice_its_longest_pause() {
    // The peer takes 1,000 after 3 s, then 1,000 every 5.5 s (longer than the 5 s limit,
    // within twice its first pause), and after the last it stops for good.
    let mut steps = vec![(secs(3), 1_000)];
    steps.extend([(ms(5_500), 1_000); 4]);
    let waited = wait_for_steps(secs(5), secs(5), secs(0), steps).await;
    // The last step at 25 s; then twice the longest pause, 11 s (each seen up to one look,
    // 625 ms, late).
    assert!(waited >= secs(36), "gave up after {waited:?}");
    assert!(waited <= secs(38), "waited {waited:?}");

    // A first pause longer than the limit is not waited out.
    let waited = wait_for_steps(secs(5), secs(5), secs(0), vec![(secs(6), 1_000)]).await;
    assert_eq!(waited, secs(5));
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

#[tokio::test(start_paused = true)]
async fn a_pause_seen_before_the_wait_is_allowed_for_from_its_start() {
    // Our sends waited 6 s at a time during the upload: the peer's first step after our
    // frame may take up to twice that, here 8 s; after it, twice the longest pause (now its
    // own 8 s), 16 s.
    let waited = wait_for_steps(secs(5), secs(5), secs(6), vec![(secs(8), 1_000)]).await;
    assert!(waited >= secs(24), "gave up after {waited:?}");
    assert!(waited <= ms(24_700), "waited {waited:?}");
}
