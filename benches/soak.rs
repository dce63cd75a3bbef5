//! Soak: minutes of mixed hostile load against one `ws listen -k --echo --max-message-size
//! 1048576` and one `tcp listen -k --echo`, while well-behaved clients time their echoes. It
//! reports each server's resident memory (VmRSS) and open descriptors before, at most during,
//! and after the load, and the good clients' latency, and checks the targets: RSS under
//! 64 MiB throughout, back within 10% or 4 MiB afterwards, no descriptor leaked, every good
//! client served.
//!
//! Hostile connections, 50 at a time (threads, each cycling through the kinds, a few seconds
//! per connection): handshake churn (a partial or whole handshake, then close), slowloris
//! (a header byte a second), ping floods that never read, oversized frames (headers
//! announcing 2 MiB and 4 GiB, some bytes, close), clients that send and never read, and
//! resets in the middle of a frame or a line (SO_LINGER 0). The TCP server gets the kinds
//! that apply to it (never-read, resets, churn, a line that never ends). Good clients: 10 per
//! server, a small message every 100 ms, an answer expected within 5 s.
//!
//! ```text
//! cargo bench --bench soak                          # 180 s of load
//! WSCTL_BENCH_SOAK_SECS=30 cargo bench --bench soak # a quick check
//! ```

mod common;

use common::{env_or, wsctl_listener};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// A masked frame (key 0: the payload as it is).
fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![first];
    match payload.len() {
        n if n < 126 => f.push(0x80 | n as u8),
        n if n < 65536 => {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(&[0; 4]);
    f.extend_from_slice(payload);
    f
}

fn connect(addr: &str) -> Option<TcpStream> {
    let s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    Some(s)
}

/// Reads up to the end of an HTTP head.
fn head(s: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut b = [0];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => buf.push(b[0]),
            _ => return false,
        }
    }
    buf.starts_with(b"HTTP/1.1 101")
}

fn opened(addr: &str) -> Option<TcpStream> {
    let mut s = connect(addr)?;
    s.write_all(REQUEST).ok()?;
    head(&mut s).then_some(s)
}

/// Closes with a reset (SO_LINGER 0).
fn reset(s: TcpStream) {
    let s = socket2::Socket::from(s);
    let _ = s.set_linger(Some(Duration::ZERO));
}

/// One hostile connection of `kind` against the WebSocket server (`ws`) or the TCP one.
fn hostile(kind: usize, ws: &str, tcp: &str, until: Instant) {
    let life = Duration::from_secs(3).min(until.saturating_duration_since(Instant::now()));
    let end = Instant::now() + life;
    match kind % 9 {
        0 => {
            // Handshake churn: half a request, or a whole one, then gone.
            if let Some(mut s) = connect(ws) {
                let _ = s.write_all(&REQUEST[..REQUEST.len() / (1 + kind % 2)]);
            }
        }
        1 => {
            // Slowloris: a header byte a second.
            if let Some(mut s) = connect(ws) {
                for b in REQUEST.iter().take(20) {
                    if Instant::now() >= end || s.write_all(&[*b]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(1000));
                }
            }
        }
        2 => {
            // Pings as fast as the socket takes them, never read.
            if let Some(mut s) = opened(ws) {
                let batch = frame(0x89, &[b'p'; 125]).repeat(200);
                while Instant::now() < end && s.write_all(&batch).is_ok() {}
            }
        }
        3 => {
            // Oversized: headers announcing 2 MiB and 4 GiB, some bytes, close.
            if let Some(mut s) = opened(ws) {
                let len: u64 = if kind % 2 == 0 { 2 << 20 } else { 4 << 30 };
                let mut f = vec![0x82, 0xFF];
                f.extend_from_slice(&len.to_be_bytes());
                f.extend_from_slice(&[0; 4]);
                f.extend_from_slice(&[b'x'; 64 * 1024]);
                let _ = s.write_all(&f);
            }
        }
        4 => {
            // Sends echo requests and never reads the echoes.
            if let Some(mut s) = opened(ws) {
                let msg = frame(0x82, &[b'e'; 16 * 1024]);
                while Instant::now() < end && s.write_all(&msg).is_ok() {}
            }
        }
        5 => {
            // A reset in the middle of a frame.
            if let Some(mut s) = opened(ws) {
                let f = frame(0x82, &[b'r'; 100_000]);
                let _ = s.write_all(&f[..50_000]);
                reset(s);
            }
        }
        6 => {
            // TCP: sends and never reads.
            if let Some(mut s) = connect(tcp) {
                let line = [b'n'; 16 * 1024];
                while Instant::now() < end && s.write_all(&line).is_ok() {}
            }
        }
        7 => {
            // TCP: a line that never ends, then a reset.
            if let Some(mut s) = connect(tcp) {
                let _ = s.write_all(&[b'l'; 100_000]);
                thread::sleep(life / 2);
                reset(s);
            }
        }
        _ => {
            // TCP churn.
            drop(connect(tcp));
        }
    }
    if Instant::now() < end && kind % 9 != 2 && kind % 9 != 4 && kind % 9 != 6 {
        thread::sleep(end - Instant::now());
    }
}

/// A good client: a small message every 100 ms until `stop`, each echo timed (µs). Returns
/// the latencies and whether every echo came.
fn good(ws: bool, addr: String, stop: Arc<AtomicBool>) -> (Vec<u64>, bool) {
    let mut s = match if ws { opened(&addr) } else { connect(&addr) } {
        Some(s) => s,
        None => return (Vec::new(), false),
    };
    let mut times = Vec::new();
    let msg = b"good client says hello\n";
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        let sent = if ws {
            s.write_all(&frame(0x81, msg))
        } else {
            s.write_all(msg)
        };
        if sent.is_err() {
            return (times, false);
        }
        let want = if ws { msg.len() + 2 } else { msg.len() };
        let mut got = vec![0; want];
        if s.read_exact(&mut got).is_err() {
            return (times, false);
        }
        times.push(start.elapsed().as_micros() as u64);
        thread::sleep(Duration::from_millis(100));
    }
    (times, true)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

fn main() {
    let secs: u64 = env_or("WSCTL_BENCH_SOAK_SECS", 180);
    let (mut ws_server, ws) = wsctl_listener(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--max-message-size",
        "1048576",
    ]);
    let (mut tcp_server, tcp) = wsctl_listener(&["tcp", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let pids = [("ws", ws_server.id()), ("tcp", tcp_server.id())];
    thread::sleep(Duration::from_millis(500));
    let before: Vec<(u64, usize)> = pids.iter().map(|(_, p)| (rss_kib(*p), fds(*p))).collect();

    let stop = Arc::new(AtomicBool::new(false));
    let goods: Vec<_> = (0..20)
        .map(|i| {
            let addr = if i % 2 == 0 { ws.clone() } else { tcp.clone() };
            let stop = stop.clone();
            thread::spawn(move || good(i % 2 == 0, addr, stop))
        })
        .collect();
    let until = Instant::now() + Duration::from_secs(secs);
    let hostile_conns = Arc::new(AtomicU64::new(0));
    let hostiles: Vec<_> = (0..50)
        .map(|i| {
            let (ws, tcp, count) = (ws.clone(), tcp.clone(), hostile_conns.clone());
            thread::spawn(move || {
                let mut kind = i;
                while Instant::now() < until {
                    hostile(kind, &ws, &tcp, until);
                    count.fetch_add(1, Ordering::Relaxed);
                    kind += 7;
                }
            })
        })
        .collect();
    let peak = Arc::new(Mutex::new(vec![(0u64, 0usize); 2]));
    while Instant::now() < until {
        thread::sleep(Duration::from_secs(1));
        let mut peak = peak.lock().unwrap();
        for (i, (_, pid)) in pids.iter().enumerate() {
            peak[i].0 = peak[i].0.max(rss_kib(*pid));
            peak[i].1 = peak[i].1.max(fds(*pid));
        }
    }
    for h in hostiles {
        h.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let mut times = Vec::new();
    let mut served = 0;
    for g in goods {
        let (t, ok) = g.join().unwrap();
        served += usize::from(ok && !t.is_empty());
        times.extend(t);
    }
    // After: sampled until the descriptors are back where they were (or 10 s).
    let settle = Instant::now() + Duration::from_secs(10);
    let mut after: Vec<(u64, usize)>;
    loop {
        after = pids.iter().map(|(_, p)| (rss_kib(*p), fds(*p))).collect();
        let settled = after.iter().zip(&before).all(|(a, b)| a.1 <= b.1);
        if settled || Instant::now() >= settle {
            break;
        }
        thread::sleep(Duration::from_millis(500));
    }
    times.sort_unstable();
    let pct = |p: usize| {
        times
            .get((times.len() * p / 100).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "soak: {secs} s, {} hostile connections, {} good echoes",
        hostile_conns.load(Ordering::Relaxed),
        times.len()
    );
    println!(
        "good clients: {served}/20 served; latency p50 {} µs, p99 {} µs, max {} µs",
        pct(50),
        pct(99),
        times.last().copied().unwrap_or(0)
    );
    println!(
        "server | RSS before | RSS max | RSS after | fds before | fds max | fds after | verdict"
    );
    let peak = peak.lock().unwrap();
    let mut all = served == 20;
    for (i, (name, _)) in pids.iter().enumerate() {
        let ((rb, fb), (rm, fm), (ra, fa)) = (before[i], peak[i], after[i]);
        let back = ra <= rb + (rb / 10).max(4096);
        let ok = rm < 64 * 1024 && back && fa <= fb;
        all &= ok;
        println!(
            "{name:6} | {rb:7} KiB | {rm:7} KiB | {ra:7} KiB | {fb:10} | {fm:7} | {fa:9} | {}",
            if ok { "PASS" } else { "FAIL" }
        );
    }
    println!("{}", if all { "PASS" } else { "FAIL" });
    let _ = ws_server.kill();
    let _ = tcp_server.kill();
}
