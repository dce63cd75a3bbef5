//! Whole-process TCP throughput: 1 GiB piped through a sender (`connect`) and a receiver
//! (`listen`) of each tool, in the same run, on loopback. Prints MiB/s (best of the rounds)
//! and wsctl's ratio to each peer. Peers that are not installed are reported as such.
//!
//!   cargo bench --bench tcp_throughput
//!   WSCTL_BENCH_BYTES=268435456 WSCTL_BENCH_ROUNDS=5 cargo bench --bench tcp_throughput

mod common;

use common::{env_or, feed, free_port, installed};

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Tool {
    name: &'static str,
    /// The receiver's command line; `{port}` is replaced by a free port where the tool
    /// cannot pick its own. Its stderr must name the port or say it is listening.
    listen: &'static [&'static str],
    /// The sender's command line; `{addr}` is `127.0.0.1:PORT`, `{port}` the port.
    connect: &'static [&'static str],
}

const WSCTL: &str = env!("CARGO_BIN_EXE_wsctl");

const TOOLS: &[Tool] = &[
    Tool {
        name: "wsctl",
        listen: &[WSCTL, "tcp", "listen", "127.0.0.1:0"],
        connect: &[WSCTL, "tcp", "connect", "{addr}"],
    },
    Tool {
        name: "socat",
        listen: &[
            "socat",
            "-d",
            "-d",
            "-u",
            "TCP-LISTEN:0,bind=127.0.0.1",
            "STDOUT",
        ],
        connect: &["socat", "-u", "STDIN", "TCP:{addr}"],
    },
    Tool {
        name: "ncat",
        listen: &["ncat", "-v", "-l", "--recv-only", "127.0.0.1", "{port}"],
        connect: &["ncat", "--send-only", "127.0.0.1", "{port}"],
    },
    Tool {
        name: "nc.openbsd",
        listen: &["nc.openbsd", "-v", "-l", "127.0.0.1", "{port}"],
        connect: &["nc.openbsd", "-N", "127.0.0.1", "{port}"],
    },
];

fn fill(args: &[&str], port: u16, addr: &str) -> Vec<String> {
    args.iter()
        .map(|a| {
            a.replace("{port}", &port.to_string())
                .replace("{addr}", addr)
        })
        .collect()
}

/// One transfer of `bytes`; returns the time from the first byte written to the last read.
fn transfer(tool: &Tool, bytes: u64) -> Duration {
    let port = free_port();
    let listen = fill(tool.listen, port, "");
    let mut receiver = Command::new(&listen[0])
        .args(&listen[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the receiver");
    // Wait for the listening line; take the bound port from it where the tool chose one.
    let mut lines = BufReader::new(receiver.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("receiver ended before listening")
            .unwrap();
        if line.to_lowercase().contains("listening") {
            let last = line.rsplit([' ', ':']).next().unwrap();
            let port = last.trim().parse::<u16>().unwrap_or(port);
            break format!("127.0.0.1:{port}");
        }
    };
    std::thread::spawn(move || for _ in lines {}); // keep draining stderr
    let port = addr.rsplit(':').next().unwrap().parse().unwrap();
    let connect = fill(tool.connect, port, &addr);
    let mut sender = Command::new(&connect[0])
        .args(&connect[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the sender");
    let input = sender.stdin.take().unwrap();
    let mut output = receiver.stdout.take().unwrap();
    let start = Instant::now();
    let writer = feed(input, bytes);
    let mut buf = vec![0u8; 256 * 1024];
    let mut got = 0u64;
    loop {
        match output.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n as u64,
            Err(e) => panic!("reading the receiver: {e}"),
        }
    }
    let elapsed = start.elapsed();
    writer.join().unwrap();
    assert_eq!(got, bytes, "{}: bytes lost", tool.name);
    let _ = sender.wait();
    let _ = receiver.wait();
    elapsed
}

fn main() {
    let bytes: u64 = env_or("WSCTL_BENCH_BYTES", 1 << 30);
    let rounds: usize = env_or("WSCTL_BENCH_ROUNDS", 3);
    println!(
        "TCP throughput: {} MiB per transfer, best of {rounds} rounds, tools interleaved",
        bytes >> 20
    );
    let tools: Vec<&Tool> = TOOLS
        .iter()
        .filter(|t| {
            let ok = t.name == "wsctl" || installed(t.listen[0]);
            if !ok {
                println!("{:>12}: not installed, not measured", t.name);
            }
            ok
        })
        .collect();
    let mut best = vec![Duration::MAX; tools.len()];
    for _ in 0..rounds {
        for (i, tool) in tools.iter().enumerate() {
            best[i] = best[i].min(transfer(tool, bytes));
        }
    }
    let mib_s = |d: Duration| (bytes as f64 / (1 << 20) as f64) / d.as_secs_f64();
    let ours = mib_s(best[0]);
    for (tool, d) in tools.iter().zip(&best) {
        let theirs = mib_s(*d);
        println!(
            "{:>12}: {:8.0} MiB/s   wsctl/{} = {:.2}x",
            tool.name,
            theirs,
            tool.name,
            ours / theirs
        );
    }
}
