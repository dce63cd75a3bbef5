//! A broken or hostile peer cannot take wsctl down: bounded memory against ping floods and
//! announced lengths, concurrent handshakes, proper HTTP refusals, the `--exec` environment
//! as the bytes that came, a client that refuses what it did not offer, limits on the
//! processes one peer can start. (The shared `hostile-*` cases, as tests.) Crafted bytes are
//! written by hand on loopback sockets.

mod common;

use common::*;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

const REQUEST: &str = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s
}

/// The whole response to `request` (the server closes after a refusal).
fn answer(addr: &str, request: &str) -> String {
    let mut s = connect(addr);
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A WebSocket opened by hand on `addr`.
fn opened(addr: &str) -> TcpStream {
    let mut s = connect(addr);
    s.write_all(format!("{REQUEST}\r\n").as_bytes()).unwrap();
    let h = head(&mut s);
    assert!(h.starts_with("HTTP/1.1 101"), "{h}");
    s
}

/// A frame: first byte, payload; masked with the key 0 (the payload as it is) when `masked`.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let m = if masked { 0x80 } else { 0 };
    let mut f = vec![first];
    match payload.len() {
        n if n < 126 => f.push(m | n as u8),
        n if n < 65536 => {
            f.push(m | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(m | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        f.extend_from_slice(&[0; 4]);
    }
    f.extend_from_slice(payload);
    f
}

/// The next frame from the server (unmasked): opcode and payload.
fn read_frame(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut h = [0; 2];
    s.read_exact(&mut h).expect("a frame header");
    let len = match h[1] & 0x7F {
        126 => {
            let mut b = [0; 2];
            s.read_exact(&mut b).unwrap();
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0; 8];
            s.read_exact(&mut b).unwrap();
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0; len];
    s.read_exact(&mut payload).unwrap();
    (h[0] & 0x0F, payload)
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Sends masked or plain pings for `secs` without reading; the peak RSS of `pid`, in KiB.
fn flood_pings(s: &mut TcpStream, masked: bool, pid: u32, secs: u64) -> u64 {
    let batch: Vec<u8> = frame(0x89, &[b'p'; 125], masked).repeat(1000);
    s.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
    let start = Instant::now();
    let mut peak = 0;
    while start.elapsed() < Duration::from_secs(secs) {
        if s.write_all(&batch).is_err() {
            break;
        }
        peak = peak.max(rss_kib(pid));
    }
    peak.max(rss_kib(pid))
}

/// A peer that floods pings and never reads the pongs leaves wsctl's memory where it was, in
/// both roles (it grew by a gigabyte in seconds).
#[test]
fn a_ping_flood_that_never_reads_does_not_grow_memory() {
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let addr = server.listening();
    let mut s = opened(&addr);
    let before = rss_kib(server.pid());
    let peak = flood_pings(&mut s, true, server.pid(), 2);
    assert!(
        peak < before + 30 * 1024,
        "server: {before} KiB -> {peak} KiB"
    );
    drop(s);
    server.interrupt();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let mut client = start(&["ws", "connect", &url]);
    let (mut k, _) = listener.accept().unwrap();
    accept_101(&mut k, "");
    assert!(client.line().starts_with("connected to"));
    let before = rss_kib(client.pid());
    let peak = flood_pings(&mut k, false, client.pid(), 2);
    assert!(
        peak < before + 30 * 1024,
        "client: {before} KiB -> {peak} KiB"
    );
    client.close_stdin();
    drop(k);
    client.finish();
}

/// A 14-byte header announcing 2^46 bytes, under a limit raised to 2^47: nothing is
/// allocated for it (the process aborted), the other clients of a -k server go on, and a
/// client refuses it as larger than this machine could hold (1009).
#[test]
fn a_huge_announced_length_aborts_nothing() {
    let max = (1u64 << 47).to_string();
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--max-message-size",
        &max,
    ]);
    let addr = server.listening();
    let mut innocent = opened(&addr);
    let mut attacker = opened(&addr);
    let mut huge = vec![0x82, 0xFF];
    huge.extend_from_slice(&(1u64 << 46).to_be_bytes());
    huge.extend_from_slice(&[0; 4]);
    huge.extend_from_slice(&[b'x'; 100_000]);
    attacker.write_all(&huge).unwrap();
    innocent
        .write_all(&frame(0x81, b"still there?", true))
        .unwrap();
    assert_eq!(read_frame(&mut innocent), (1, b"still there?".to_vec()));
    // The attacker's frame is over what the machine holds: closed with 1009.
    let (opcode, payload) = read_frame(&mut attacker);
    assert_eq!((opcode, &payload[..2]), (8, &1009u16.to_be_bytes()[..]));
    drop((innocent, attacker));
    assert_eq!(server.interrupt().code(), 0);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let client = start(&[
        "ws",
        "connect",
        &url,
        "--recv-only",
        "--max-message-size",
        &max,
    ]);
    let (mut k, _) = listener.accept().unwrap();
    accept_101(&mut k, "");
    let mut huge = vec![0x82, 0x7F];
    huge.extend_from_slice(&(1u64 << 46).to_be_bytes());
    k.write_all(&huge).unwrap();
    let r = client.finish();
    assert_ne!(r.code(), 134, "{}", r.stderr);
    r.assert_says("1009");
}

/// Without -k, a silent connection ahead of the real client does not hold it up (it waited
/// the whole handshake timeout), and a client that completes its handshake after the first
/// one was taken gets 503.
#[test]
fn handshakes_run_concurrently_without_keep_open() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--echo",
        "--handshake-timeout",
        "60s",
    ]);
    let addr = server.listening();
    let _silent = connect(&addr);
    let mut late = connect(&addr);
    late.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    // Served while the silent one and the late one are still in their handshakes.
    let mut s = opened(&addr);
    s.write_all(&frame(0x81, b"hi", true)).unwrap();
    assert_eq!(read_frame(&mut s), (1, b"hi".to_vec()));
    late.write_all(format!("{}\r\n", &REQUEST[REQUEST.find("Upgrade").unwrap()..]).as_bytes())
        .unwrap();
    let refused = head(&mut late);
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    s.write_all(&frame(0x88, &1000u16.to_be_bytes(), true))
        .unwrap();
    assert_eq!(read_frame(&mut s).0, 8);
    assert_eq!(server.finish().code(), 0);
}

/// Each bad request gets its HTTP status and a text body that says what went wrong; the
/// listener goes on. A plain HTTP request (curl, a browser) hears that this is a WebSocket
/// endpoint.
#[test]
fn bad_handshakes_get_http_refusals() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--path",
        "/ws",
    ]);
    let addr = server.listening();
    let good = REQUEST.replace("GET / ", "GET /ws ");
    let cases = [
        (
            good.replace("Version: 13", "Version: 8") + "\r\n",
            "426",
            "Sec-WebSocket-Version: 13",
        ),
        (
            good.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "") + "\r\n",
            "400",
            "no Sec-WebSocket-Key",
        ),
        (
            good.replace("Upgrade: websocket\r\n", "") + "\r\n",
            "426",
            "connect with a WebSocket client",
        ),
        (
            good.replace("GET /ws", "POST /ws") + "\r\n",
            "405",
            "Allow: GET",
        ),
        (
            good.clone() + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n",
            "400",
            "appears 2 times",
        ),
        (REQUEST.to_string() + "\r\n", "404", "try /ws"),
        (
            "GET /ws HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n\r\n".into(),
            "426",
            "this is a WebSocket endpoint",
        ),
        (
            "\x16\x03\x01\x00\x05\x01\x00\x00".into(),
            "400",
            "malformed HTTP request",
        ),
        (
            good.clone() + "X-Big: " + &"1".repeat(17_000) + "\r\n\r\n",
            "431",
            "over 16384 bytes",
        ),
        (
            good.clone() + &"X-Many: 1\r\n".repeat(70) + "\r\n",
            "431",
            "at most 64",
        ),
    ];
    for (request, status, says) in cases {
        let response = answer(&addr, &request);
        let shown: String = request.chars().take(200).collect();
        let first = response.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("HTTP/1.1 {status}")),
            "{shown:?} -> {response}"
        );
        assert!(response.contains(says), "{shown:?} -> {response}");
        assert!(response.contains("Content-Type: text/plain"), "{response}");
    }
    // And a good client is still served.
    let mut s = connect(&addr);
    s.write_all(format!("{good}\r\n").as_bytes()).unwrap();
    assert!(head(&mut s).starts_with("HTTP/1.1 101"));
    let warning = server.line_containing("refused with HTTP 426");
    assert!(warning.contains("Sec-WebSocket-Version 8"), "{warning}");
    assert_eq!(server.interrupt().code(), 0);
}

/// A `--deny`ed peer is closed before anything is read or sent: no HTTP answer.
#[test]
fn a_denied_peer_gets_no_answer() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--deny",
        "::ffff:127.0.0.0/104",
    ]);
    let addr = server.listening();
    let response = answer(&addr, &format!("{REQUEST}\r\n"));
    assert_eq!(response, "");
    assert!(
        server
            .line_containing("denied")
            .contains("--deny 127.0.0.0/8")
    );
    server.interrupt();
}

/// `--exec` gets header values as the bytes that came (they were emptied when not ASCII),
/// repeated fields joined (Cookie with "; "), and no variable from a name holding `_`.
#[test]
fn the_exec_environment_keeps_the_bytes_that_came() {
    let script = r#"printf '%s|%s|%s|%s\n' "$HTTP_X_NAME" "$HTTP_COOKIE" "$HTTP_X_TWICE" "${HTTP_X_UNDER_SCORE-unset}""#;
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--exec", script]);
    let addr = server.listening();
    let mut s = connect(&addr);
    let extra = "X-Name: caf\u{e9} \u{263a}\r\nCookie: n=J\u{fc}rgen\r\nCookie: sid=abc\r\nX-Twice: a\r\nX-Twice: b\r\nX-Under_Score: shadow\r\nX-Under-Score: real\r\n";
    s.write_all(format!("{REQUEST}{extra}\r\n").as_bytes())
        .unwrap();
    assert!(head(&mut s).starts_with("HTTP/1.1 101"));
    let (opcode, line) = read_frame(&mut s);
    assert_eq!(opcode, 1);
    assert_eq!(
        String::from_utf8(line).unwrap(),
        "caf\u{e9} \u{263a}|n=J\u{fc}rgen; sid=abc|a, b|real"
    );
    server.interrupt();
}

/// RFC 6455 4.1: a 101 naming an extension (or a subprotocol) the client did not offer fails
/// the connection before anything is read: exit 4, one clear message, nothing printed.
#[test]
fn the_client_refuses_what_it_did_not_offer() {
    for (extra, args, says) in [
        (
            "Sec-WebSocket-Extensions: permessage-deflate\r\n",
            &[][..],
            "an extension we did not offer (permessage-deflate)",
        ),
        (
            "Sec-WebSocket-Protocol: chat\r\n",
            &["--protocol", "other"][..],
            "a subprotocol we did not offer (offered: other)",
        ),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let mut argv = vec!["ws", "connect", url.as_str(), "--recv-only"];
        argv.extend_from_slice(args);
        let client = start(&argv);
        let (mut k, _) = listener.accept().unwrap();
        accept_101(&mut k, extra);
        let _ = k.write_all(&frame(0x81, b"plain", false));
        let r = client.finish();
        assert_eq!(r.code(), 4, "{}", r.stderr);
        assert_eq!(r.stdout_text(), "");
        r.assert_says(says);
        assert!(!r.stderr.contains("wss://"), "{}", r.stderr);
    }
}

/// `udp listen --exec`: at most --max-conns senders' commands at once (one warning for the
/// datagrams dropped), and a sender quiet for --idle-timeout has its command ended; its next
/// datagram starts a new one.
#[test]
fn udp_exec_commands_are_capped_and_expire() {
    let server = start(&[
        "udp",
        "listen",
        "127.0.0.1:0",
        "--exec",
        "cat",
        "--max-conns",
        "2",
        "--idle-timeout",
        "300ms",
    ]);
    let addr = server.listening();
    let senders: Vec<UdpSocket> = (0..3)
        .map(|_| {
            let s = UdpSocket::bind("127.0.0.1:0").unwrap();
            s.set_read_timeout(Some(WAIT)).unwrap();
            s.connect(&addr).unwrap();
            s
        })
        .collect();
    let mut buf = [0; 100];
    for s in &senders[..2] {
        s.send(b"hello\n").unwrap();
        let n = s.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello");
    }
    senders[2].send(b"third\n").unwrap();
    assert!(
        server
            .line_containing("dropping datagrams from new senders")
            .contains("--max-conns")
    );
    // The first two go quiet: their commands end, and the third sender gets a place.
    server.line_containing("quiet for 300ms");
    server.line_containing("quiet for 300ms");
    senders[2].send(b"third\n").unwrap();
    let n = senders[2].recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"third");
    server.interrupt();
}

/// Out of descriptors at accept time: one warning, no busy loop, and clients are served again
/// once connections end.
#[test]
fn running_out_of_descriptors_pauses_accepting() {
    let mut cmd = std::process::Command::new("sh");
    cmd.args([
        "-c",
        &format!(
            "ulimit -n 20 && exec {} ws listen 127.0.0.1:0 -k --echo --handshake-timeout 60s",
            env!("CARGO_BIN_EXE_wsctl")
        ),
    ]);
    let server = spawn(cmd);
    let addr = server.listening();
    // Silent connections until the server is out of descriptors (it has about 10 free).
    let silent: Vec<TcpStream> = (0..30).map(|_| connect(&addr)).collect();
    let warning = server.line_containing("accept failed");
    assert!(warning.contains("once a connection ends"), "{warning}");
    let cpu_before = cpu_ticks(server.pid());
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks(server.pid()) - cpu_before;
    assert!(
        spent < 30,
        "{spent} ticks of CPU in a second while out of descriptors"
    );
    drop(silent);
    let mut s = opened(&addr);
    s.write_all(&frame(0x81, b"back", true)).unwrap();
    assert_eq!(read_frame(&mut s), (1, b"back".to_vec()));
    let f = server.interrupt();
    assert_eq!(f.stderr.matches("accept failed").count(), 1, "{}", f.stderr);
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, r)| r)
        .split_whitespace()
        .collect();
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}

/// Durations that parse are safe once they meet a clock: a huge one counts as a century (it
/// panicked with "overflow when adding duration to instant"), and `--ping-interval 0` is a
/// usage error (it panicked with "`period` must be non-zero").
#[test]
fn huge_or_zero_durations_are_no_panic() {
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let url = format!("ws://{}/", server.listening());
    for flag in ["--idle-timeout", "--close-timeout"] {
        let out = start(&[
            "ws",
            "connect",
            &url,
            "--send",
            "hi",
            "--count",
            "1",
            flag,
            "18446744073709551615s",
        ])
        .finish();
        assert_eq!(
            (out.code(), out.stdout_text()),
            (0, "hi\n".into()),
            "{flag}: {}",
            out.stderr
        );
    }
    let out = start(&["ws", "connect", &url, "--ping-interval", "0"]).finish();
    assert_eq!(out.code(), 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("must be longer than 0"),
        "{}",
        out.stderr
    );
    server.interrupt();
}

/// A request whose lines end in a bare LF (RFC 9112 2.2 lets a server accept them) is
/// answered at once: it waited for a CRLF blank line until the handshake timeout.
#[test]
fn a_request_with_bare_lf_lines_is_answered() {
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let mut conn = connect(&server.listening());
    let request = format!("{}\n", REQUEST.replace("\r\n", "\n"));
    conn.write_all(request.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    conn.read_exact(&mut head)
        .expect("an answer within the wait");
    assert_eq!(&head, b"HTTP/1.1 101");
    server.interrupt();
}

/// `--chat` queues by bytes, not only by count: one client that never reads, and a sender
/// of 1 MiB messages, held 256 of them (286 MiB measured) before the client was dropped;
/// now its queue stops at 4 MiB (plus what is in flight), and it is dropped all the same.
#[test]
fn a_chat_client_that_never_reads_holds_little() {
    const MESSAGE: usize = 1 << 20;
    let server = start(&["ws", "listen", "127.0.0.1:0", "--chat", "-b"]);
    let addr = server.listening();
    let _never_reads = opened(&addr);
    let mut sender = opened(&addr);
    sender
        .set_write_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let message = frame(0x82, &vec![b'x'; MESSAGE], true);
    let mut peak = 0;
    // 200 MiB offered; the sender itself reads nothing back either (its echo-less chat
    // queue is the one under test), so a write may stall: that ends the offer.
    for _ in 0..200 {
        if sender.write_all(&message).is_err() {
            break;
        }
        peak = peak.max(rss_kib(server.pid()));
    }
    let line = server.line_containing("dropped, too slow");
    assert!(line.contains("256 messages or 4 MiB behind"), "{line}");
    peak = peak.max(rss_kib(server.pid()));
    eprintln!("peak RSS {} MiB", peak >> 10);
    // Before: about 256 MiB. Now the 4 MiB queue, a few messages in flight, buffers.
    assert!(peak < 64 << 10, "peak RSS {} MiB", peak >> 10);
    server.interrupt();
}

/// A peer's words reach stderr with their control characters escaped: a Close reason that
/// clears the screen and forges a `wsctl: error:` line was printed as it came.
#[test]
fn a_close_reason_cannot_drive_the_terminal() {
    let server = start(&["ws", "listen", "127.0.0.1:0"]);
    let mut conn = opened(&server.listening());
    let mut payload = 4000u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"\x1b[2J\r\nwsctl: error: fake");
    conn.write_all(&frame(0x88, &payload, true)).unwrap();
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    let out = server.finish();
    assert!(!out.stderr.contains('\x1b'), "{:?}", out.stderr);
    assert!(
        out.stderr.contains(r"\u{1b}[2J\r\nwsctl: error: fake"),
        "{:?}",
        out.stderr
    );
    assert!(
        !out.stderr
            .lines()
            .any(|l| l.starts_with("wsctl: error: fake"))
    );
}

/// `--max-conns` counts clients whose handshake is done: connections that never speak take
/// no place (they filled every place, so real clients got 503 until the handshake timeout).
#[test]
fn silent_connections_take_no_place_under_max_conns() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--max-conns",
        "2",
    ]);
    let addr = server.listening();
    let silent: Vec<TcpStream> = (0..3).map(|_| connect(&addr)).collect();
    for _ in &silent {
        let _ = server.line_containing("accepted");
    }
    let url = format!("ws://{addr}/");
    start(&["ws", "connect", &url, "--send", "real", "--count", "1"])
        .finish()
        .assert_output("real\n");
    drop(silent);
    server.interrupt();
}
