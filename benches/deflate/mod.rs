//! permessage-deflate in `benches/ws.rs`: JSON-like text through `ws connect` ->
//! `ws listen`, with `--deflate` and without (MiB/s, and the bytes the listener's connection
//! received, from `ss -ti`); and the memory a `ws listen -k --echo --deflate` holds per
//! idle client that has sent a compressed message and had its compressed echo (raw clients
//! in this process, compressing with wsctl's own compressor, so that the listener's
//! decompressor is made and kept, as a real client's would be).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsctl::net::ws::deflate::{Compressor, Window};

use super::common::{read_up_to, wsctl_listener};

/// JSON-like lines, as a feed sends them: `bytes` in all, written to `input` in a thread.
fn feed_json(mut input: std::process::ChildStdin, bytes: u64) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut block = Vec::with_capacity(1 << 20);
        let mut n = 0u64;
        let mut left = bytes;
        while left > 0 {
            block.clear();
            while block.len() < (1 << 20) - 200 {
                writeln!(
                    block,
                    r#"{{"id":{n},"symbol":"ABC{}","price":{}.{:02},"side":"{}","qty":{}}}"#,
                    n % 97,
                    n % 1000,
                    n % 100,
                    if n % 2 == 0 { "buy" } else { "sell" },
                    n % 50
                )
                .unwrap();
                n += 1;
            }
            let take = (block.len() as u64).min(left) as usize;
            // The last line ends where the count does: with its newline, as lines do.
            block[take - 1] = b'\n';
            if input.write_all(&block[..take]).is_err() {
                return;
            }
            left -= take as u64;
        }
    })
}

/// Bytes the connection accepted at `addr` has received from its peer (`ss -ti`'s
/// `bytes_received`, TCP_INFO): what crossed the wire, headers and handshake included.
fn received_at(addr: &str) -> u64 {
    let out = Command::new("ss")
        .args(["-tinH", "state", "established", "src", addr])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    out.split_whitespace()
        .filter_map(|w| w.strip_prefix("bytes_received:"))
        .filter_map(|v| v.parse::<u64>().ok())
        .sum()
}

/// `bytes` of JSON lines from `ws connect [--deflate]` to `ws listen [--deflate]`: the time
/// until the listener has written them all, and the bytes its connection received.
fn transfer(deflate: bool, bytes: u64) -> (Duration, u64) {
    let flag: &[&str] = if deflate { &["--deflate"] } else { &[] };
    let mut args = vec!["ws", "listen", "127.0.0.1:0"];
    args.extend_from_slice(flag);
    let (mut receiver, addr) = wsctl_listener(&args);
    let mut sender = Command::new(env!("CARGO_BIN_EXE_wsctl"))
        .args(["ws", "connect", &format!("ws://{addr}/")])
        .args(flag)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let input = sender.stdin.take().unwrap();
    let mut output = receiver.stdout.take().unwrap();
    let start = Instant::now();
    let writer = feed_json(input, bytes);
    let got = read_up_to(&mut output, bytes);
    let elapsed = start.elapsed();
    assert_eq!(got, bytes, "the receiver got {got} of {bytes} bytes");
    drop(writer.join());
    let wire = received_at(&addr);
    for mut child in [sender, receiver] {
        let _ = child.kill();
        let _ = child.wait();
    }
    (elapsed, wire)
}

/// Prints the throughput and bytes on the wire with and without `--deflate`.
pub fn throughput(bytes: u64, rounds: usize) {
    println!(
        "permessage-deflate: {} MiB of JSON lines, ws connect -> ws listen, best of {rounds} rounds",
        bytes >> 20
    );
    let mut results = Vec::new();
    for deflate in [false, true] {
        let mut best = (Duration::MAX, 0);
        for _ in 0..rounds {
            let (took, wire) = transfer(deflate, bytes);
            if took < best.0 {
                best = (took, wire);
            }
        }
        let mib_s = (bytes as f64 / (1 << 20) as f64) / best.0.as_secs_f64();
        let label = if deflate { "--deflate" } else { "plain" };
        println!(
            "{label:>10}: {mib_s:8.0} MiB/s, {:8.1} MiB on the wire ({:.1}% of the text)",
            best.1 as f64 / (1 << 20) as f64,
            best.1 as f64 * 100.0 / bytes as f64
        );
        results.push((mib_s, best.1));
    }
    println!(
        "  --deflate/plain: {:.2}x the speed, {:.2}x the bytes",
        results[1].0 / results[0].0,
        results[1].1 as f64 / results[0].1 as f64
    );
}

/// A raw client that agreed permessage-deflate: its socket and compressor.
struct Client {
    socket: TcpStream,
    compress: Compressor,
}

/// Opens a client offering permessage-deflate (the window left to the server) and sends
/// one compressed text message, then reads its echo (one frame).
async fn open(addr: &str) -> Client {
    let mut socket = TcpStream::connect(addr).await.expect("connecting");
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte).await.expect("the answer");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    assert!(head.contains("permessage-deflate"), "not agreed: {head}");
    let bits = head
        .split("client_max_window_bits=")
        .nth(1)
        .and_then(|v| v.get(..2))
        .and_then(|v| {
            v.trim_end_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
        })
        .unwrap_or(15);
    let reset = head.contains("client_no_context_takeover");
    let mut client = Client {
        socket,
        compress: Compressor::new(Window { bits, reset }),
    };
    assert!(round_trip(&mut client).await, "no echo");
    client
}

/// One compressed text message and its echo; whether the echo came.
async fn round_trip(client: &mut Client) -> bool {
    let text = br#"{"id":1,"symbol":"ABC","price":1.25,"side":"buy","note":"still there?"}"#;
    let payload = client.compress.compress(text).unwrap();
    let mut frame = vec![0x80 | 0x40 | 0x01, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    frame.extend_from_slice(&payload);
    if client.socket.write_all(&frame).await.is_err() {
        return false;
    }
    let mut header = [0u8; 2];
    let read = tokio::time::timeout(
        Duration::from_secs(30),
        client.socket.read_exact(&mut header),
    );
    if !matches!(read.await, Ok(Ok(_))) || header[0] & 0x0F != 1 {
        return false;
    }
    let mut body = vec![0u8; usize::from(header[1] & 0x7F)];
    client.socket.read_exact(&mut body).await.is_ok()
}

/// Resident memory of a process, in KiB (VmRSS).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Prints the memory per idle client of `ws listen -k --echo --deflate`, `conns` clients
/// that each had one compressed round trip, and how many answer again after `idle` s.
pub fn idle_memory(conns: usize, idle: u64) {
    use futures_util::StreamExt;
    wsctl::server::raise_file_limit();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut child, addr) =
        wsctl_listener(&["ws", "listen", "127.0.0.1:0", "-k", "--echo", "--deflate"]);
    let pid = child.id();
    let warm = runtime.block_on(open(&addr));
    drop(warm);
    std::thread::sleep(Duration::from_millis(200));
    let before = rss_kib(pid);
    let clients: Vec<Client> = runtime.block_on(
        futures_util::stream::iter(0..conns)
            .map(|_| open(&addr))
            .buffer_unordered(100)
            .collect(),
    );
    std::thread::sleep(Duration::from_secs(1));
    let after = rss_kib(pid);
    println!(
        "ws listen -k --echo --deflate: {conns} idle clients after a compressed message each; resident {before} KiB -> {after} KiB: {:.1} KiB per connection",
        after.saturating_sub(before) as f64 / conns as f64
    );
    std::thread::sleep(Duration::from_secs(idle));
    let answered = runtime.block_on(
        futures_util::stream::iter(clients)
            .map(|mut c| async move { round_trip(&mut c).await })
            .buffer_unordered(200)
            .filter(|ok| std::future::ready(*ok))
            .count(),
    );
    println!("  after {idle} s idle, {answered} of {conns} answered");
    let _ = child.kill();
    let _ = child.wait();
}
