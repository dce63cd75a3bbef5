//! UDP datagrams per second, whole processes on loopback, wsctl against socat in one run:
//! - sending: 1,000,000 records of 32 bytes + newline piped into `wsctl udp send` and into
//!   `socat -u -b 33 STDIN UDP:ADDR` (socat sends one datagram per read; with 33-byte reads
//!   that is one per record); a socket in this process counts what arrives;
//! - receiving: this process blasts 32-byte datagrams for a few seconds at `wsctl udp listen`
//!   and `socat -u UDP-RECV:PORT STDOUT`; what they write to stdout is counted.
//!
//! ```text
//! cargo bench --bench udp
//! WSCTL_BENCH_DATAGRAMS=200000 WSCTL_BENCH_SECS=2 cargo bench --bench udp
//! ```

mod common;

use common::{env_or, installed, wsctl_listener};

use std::io::{Read, Write};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const WSCTL: &str = env!("CARGO_BIN_EXE_wsctl");
const RECORD: usize = 32;

/// Sends `count` records through `args` (`{addr}` replaced); returns datagrams/s and how many
/// arrived.
fn send_rate(args: &[&str], count: usize) -> (f64, u64) {
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = receiver.local_addr().unwrap().to_string();
    receiver
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let counter = std::thread::spawn(move || {
        let mut buf = [0u8; 2048];
        let mut got = 0u64;
        while receiver.recv(&mut buf).is_ok() {
            got += 1;
        }
        got
    });
    let args: Vec<String> = args.iter().map(|a| a.replace("{addr}", &addr)).collect();
    let mut sender = Command::new(&args[0])
        .args(&args[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = sender.stdin.take().unwrap();
    let start = Instant::now();
    let writer = std::thread::spawn(move || {
        let mut block = Vec::with_capacity(1024 * (RECORD + 1));
        for _ in 0..1024 {
            block.extend_from_slice(&[b'x'; RECORD]);
            block.push(b'\n');
        }
        let mut left = count;
        while left > 0 {
            let n = left.min(1024);
            input.write_all(&block[..n * (RECORD + 1)]).unwrap();
            left -= n;
        }
    });
    writer.join().unwrap();
    sender.wait().unwrap();
    let elapsed = start.elapsed();
    (
        count as f64 / elapsed.as_secs_f64(),
        counter.join().unwrap(),
    )
}

/// Blasts datagrams at a receiver for `secs`; returns the datagrams/s it wrote out and the
/// share of the datagrams sent that it wrote.
fn receive_rate(tool: &str, secs: f64) -> (f64, f64) {
    let (mut child, addr, per_datagram) = if tool == "wsctl" {
        let (child, addr) = wsctl_listener(&["udp", "listen", "127.0.0.1:0"]);
        (child, addr, RECORD as u64 + 1)
    } else {
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("socat")
            .args(["-u", &format!("UDP-RECV:{port},bind=127.0.0.1"), "STDOUT"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        (child, format!("127.0.0.1:{port}"), RECORD as u64)
    };
    let bytes = Arc::new(AtomicU64::new(0));
    let mut out = child.stdout.take().unwrap();
    let counted = bytes.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            counted.fetch_add(n as u64, Ordering::Relaxed);
        }
    });
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    // socat binds only when it starts: probe until the first datagram is written out.
    let deadline = Instant::now() + Duration::from_secs(10);
    while bytes.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "{tool} never received");
        let _ = sender.send_to(&[b'p'; RECORD], &addr);
        std::thread::sleep(Duration::from_millis(10));
    }
    let before = bytes.load(Ordering::Relaxed);
    let start = Instant::now();
    let mut sent = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        for _ in 0..256 {
            if sender.send_to(&[b'x'; RECORD], &addr).is_ok() {
                sent += 1;
            }
        }
    }
    let elapsed = start.elapsed();
    std::thread::sleep(Duration::from_millis(300)); // let the queue drain
    let written = (bytes.load(Ordering::Relaxed) - before) / per_datagram;
    let _ = child.kill();
    let _ = child.wait();
    (
        written as f64 / elapsed.as_secs_f64(),
        written as f64 / sent as f64,
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let count: usize = env_or("WSCTL_BENCH_DATAGRAMS", 1_000_000);
    let secs: f64 = env_or("WSCTL_BENCH_SECS", 3.0);
    let socat = installed("socat");
    if !socat {
        println!("socat: not installed, not measured (apt install socat)");
    }
    println!("UDP sending: {count} records of {RECORD} bytes + newline, one datagram each");
    let ours = send_rate(&[WSCTL, "udp", "send", "{addr}", "--wait", "0s"], count);
    println!(
        "     wsctl: {:10.0} datagrams/s ({} arrived)",
        ours.0, ours.1
    );
    if socat {
        let theirs = send_rate(&["socat", "-u", "-b", "33", "STDIN", "UDP:{addr}"], count);
        println!(
            "     socat: {:10.0} datagrams/s ({} arrived)",
            theirs.0, theirs.1
        );
        println!("  wsctl/socat = {:.2}x", ours.0 / theirs.0);
    }
    println!("UDP receiving: {RECORD}-byte datagrams blasted for {secs} s, written to stdout");
    let ours = receive_rate("wsctl", secs);
    println!(
        "     wsctl: {:10.0} datagrams/s ({:.0}% of those sent)",
        ours.0,
        ours.1 * 100.0
    );
    if socat {
        let theirs = receive_rate("socat", secs);
        println!(
            "     socat: {:10.0} datagrams/s ({:.0}% of those sent)",
            theirs.0,
            theirs.1 * 100.0
        );
        println!("  wsctl/socat = {:.2}x", ours.0 / theirs.0);
    }
}
