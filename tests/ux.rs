//! What a newcomer meets in the first minutes (issue 16, the shared `ux-*` cases): errors that
//! say what happened and point the right way. Servers that misbehave on purpose are written
//! by hand on loopback sockets.

mod common;

use common::*;

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

/// A server that takes one request and answers `response` raw, then closes.
fn answering(response: &'static str) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        k.set_read_timeout(Some(WAIT)).unwrap();
        head(&mut k);
        let _ = k.write_all(response.as_bytes());
    });
    (addr, server)
}

/// ux-01: a 3xx names where it points, on the error line and in the hint, without -v.
#[test]
fn a_redirect_says_where_it_points() {
    let (addr, server) = answering(
        "HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:9/new-home\r\nContent-Length: 6\r\n\
         Connection: close\r\n\r\nmoved\n",
    );
    let mut client = start(&["ws", "connect", &format!("ws://{addr}/old-home")]);
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    assert_eq!(c.code(), 4, "{}", c.stderr);
    let lines: Vec<&str> = c.stderr.lines().collect();
    assert!(
        lines.contains(&&*format!(
            "wsctl: error: WebSocket handshake refused by {addr}: HTTP 302 Found, to \
             ws://127.0.0.1:9/new-home: moved"
        )),
        "{}",
        c.stderr
    );
    assert!(
        lines.contains(
            &"  hint: connect to ws://127.0.0.1:9/new-home instead, or follow it with -L"
        ),
        "{}",
        c.stderr
    );
}

/// `--max-message-size 1K` (and `1M`, `1GiB`...) is a size with a unit, as curl takes them;
/// a unit it does not know is a usage error that says how to write one.
#[test]
fn sizes_take_units() {
    let mut server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--echo",
        "--max-message-size",
        "1K",
    ]);
    let url = format!("ws://{}/", server.listening());
    let mut client = start(&["ws", "connect", &url]);
    client.write_stdin(format!("{}\n", "x".repeat(1025)).as_bytes());
    let c = client.finish();
    assert_eq!(c.code(), 5, "{}", c.stderr);
    assert!(c.stderr.contains("closed: 1009"), "{}", c.stderr);
    server.close_stdin();
    server.finish();

    let bad = start(&["ws", "listen", "127.0.0.1:0", "--max-message-size", "1T"]).finish();
    assert_eq!(bad.code(), 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains(
            "`1T`: unknown unit `T`: write a size such as 65536, 64K, 1M or 1GiB (K, M, G: \
             powers of 1024; KB, MB, GB: of 1000)"
        ),
        "{}",
        bad.stderr
    );
}

/// A bare number is seconds for every duration, as nc's `-w` and ncat's `--wait` take it.
#[test]
fn a_bare_number_is_seconds() {
    let port = closed_port();
    let refused = start(&[
        "tcp",
        "connect",
        "--connect-timeout",
        "2",
        &format!("127.0.0.1:{port}"),
    ])
    .finish();
    // Taken (a usage error would be 2): the connection is refused, exit 3.
    assert_eq!(refused.code(), 3, "{}", refused.stderr);

    // udp send --wait 0.5: replies are awaited half a second after stdin ends.
    let quiet = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = quiet.local_addr().unwrap().to_string();
    let mut sender = start(&["udp", "send", "--wait", "0.5", &target]);
    sender.write_stdin(b"ping\n");
    sender.close_stdin();
    let started = std::time::Instant::now();
    let s = sender.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(400),
        "{waited:?}"
    );
    let mut buf = [0; 16];
    let (n, _) = quiet.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
}

/// nc's and ncat's short options get a tip that names the wsctl way, not clap's "use '-- -w'".
#[test]
fn netcat_habits_get_the_wsctl_way() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["tcp", "connect", "-w", "2", "127.0.0.1", "80"],
            "  tip: for nc's -w, use --connect-timeout SECS (connecting) or --idle-timeout SECS (no data)",
        ),
        (
            &["-l", "8080"],
            "  tip: to listen, use the listen subcommand, which needs no -l: wsctl tcp listen [HOST] PORT (or ws listen, udp listen)",
        ),
        (
            &["udp", "-u"],
            "  tip: for UDP, use the subcommand: wsctl udp send HOST PORT, or wsctl udp listen [HOST] PORT",
        ),
        (
            &["tcp", "connect", "-N", "127.0.0.1:80"],
            "  tip: not needed: at the end of stdin wsctl half-closes the connection already",
        ),
        (
            &["tcp", "connect", "-U", "/tmp/x.sock"],
            "  tip: for a Unix socket, use the subcommand: wsctl unix connect PATH",
        ),
        (
            &["tcp", "listen", "-l", "-p", "8080"],
            "  tip: to listen, use the listen subcommand, which needs no -l: wsctl tcp listen [HOST] PORT (or ws listen, udp listen)",
        ),
        (
            &["tcp", "listen", "-p", "8080"],
            "  tip: a listener's port is its PORT argument (wsctl tcp listen PORT); a client's own port is --source-port PORT",
        ),
        (
            &["tcp", "connect", "-n", "127.0.0.1", "80"],
            "  tip: not needed: an address given as digits is used as it is, with no name lookup",
        ),
        (
            &["tcp", "connect", "-4", "localhost", "80"],
            "  tip: to use IPv4, give an IPv4 address (127.0.0.1, 0.0.0.0 to listen on all of them)",
        ),
    ];
    for (args, tip) in cases {
        let run = start(args).finish();
        assert_eq!(run.code(), 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.lines().any(|l| l == *tip),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("use '--"), "{args:?}: {}", run.stderr);
    }
}

/// `listen HOST PORT` as two words, nc's and ncat's order, for every listener; a host that
/// carries a port already and a second port is a usage error.
#[test]
fn listen_takes_host_and_port_as_two_words() {
    for kind in ["tcp", "ws", "udp"] {
        let mut server = start(&[kind, "listen", "127.0.0.1", "0"]);
        let addr = server.listening();
        assert!(addr.starts_with("127.0.0.1:"), "{kind}: {addr}");
        server.close_stdin();
        signal(server.pid(), "INT");
        server.finish();
    }
    let twice = start(&["tcp", "listen", "127.0.0.1:80", "4444"]).finish();
    assert_eq!(twice.code(), 2, "{}", twice.stderr);
    assert!(
        twice
            .stderr
            .contains("wsctl: error: `127.0.0.1:80` has a port already, and `4444` is another"),
        "{}",
        twice.stderr
    );
}

/// `ws connect HOST:PORT/PATH` means ws://, and http(s):// mean ws(s)://, as wscat and
/// websocat users write them.
#[test]
fn websocket_urls_as_the_peers_take_them() {
    for form in ["{addr}/chat", "http://{addr}/chat"] {
        let mut server = start(&["ws", "listen", "127.0.0.1:0", "--echo", "--path", "/chat"]);
        let addr = server.listening();
        let url = form.replace("{addr}", &addr);
        let mut client = start(&["ws", "connect", &url]);
        client.write_stdin(b"hello\n");
        client.close_stdin();
        let c = client.finish();
        assert_eq!(
            (c.code(), c.stdout_text()),
            (0, "hello\n".into()),
            "{url}: {}",
            c.stderr
        );
        server.close_stdin();
        server.finish();
    }
    let mut server = start(&["ws", "listen", "127.0.0.1:0", "--echo", "--tls-self-signed"]);
    let url = format!("https://{}/", server.listening());
    let mut client = start(&["ws", "connect", "--insecure", &url]);
    client.write_stdin(b"over tls\n");
    client.close_stdin();
    let c = client.finish();
    assert_eq!(
        (c.code(), c.stdout_text()),
        (0, "over tls\n".into()),
        "{}",
        c.stderr
    );
    server.close_stdin();
    server.finish();

    let other = start(&["ws", "connect", "ftp://127.0.0.1/"]).finish();
    assert_eq!(other.code(), 2, "{}", other.stderr);
    assert!(
        other
            .stderr
            .contains("wsctl: error: `ftp://` is not a WebSocket URL"),
        "{}",
        other.stderr
    );
}

/// Runs `ws connect` against a server that answers `response`; its stderr and exit code.
fn connect_to_answer(response: &'static str) -> (String, Finished) {
    let (addr, server) = answering(response);
    let mut client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    (addr, c)
}

/// ux-02 and its kind: a failed handshake names the real cause once, and the TLS hint comes
/// only when the answer looks like TLS.
#[test]
fn a_failed_handshake_says_what_the_server_answered() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "SSH-2.0-OpenSSH_9.2\r\n\r\n",
            "the server's answer is not HTTP: `SSH-2.0-OpenSSH_9.2`",
            Some("check the port: something other than a WebSocket server answers there"),
        ),
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
            "the server's Sec-WebSocket-Accept does not answer our key (RFC 6455 4.1)",
            None,
        ),
        (
            "\x16\x03\x01\x00\x02\x02\x46\r\n\r\n",
            "the server answered in TLS",
            Some("use a wss:// URL"),
        ),
    ];
    // Answers tungstenite refuses in its own terms, in words.
    let long = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(100_000));
    let many = format!("HTTP/1.1 200 OK\r\n{}\r\n", "X: y\r\n".repeat(500));
    let worded: Vec<(&'static str, &str, Option<&str>)> = vec![
        (
            Box::leak(long.into_boxed_str()),
            "the server's answer head is too long",
            None,
        ),
        (
            Box::leak(many.into_boxed_str()),
            "the server's answer has too many header fields",
            None,
        ),
        (
            "HTTP/1.1 101 Switching Protocols\r\n",
            "the server closed the connection in the middle of its answer",
            None,
        ),
        (
            "",
            "the server closed the connection without an answer",
            None,
        ),
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nX-Folded: a\r\n b\r\n\r\n",
            "the server's answer is malformed HTTP (invalid header name)",
            None,
        ),
        (
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "the server answered 101 without `Upgrade: websocket` (RFC 6455 4.1)",
            None,
        ),
    ];
    for (response, why, hint) in cases.iter().copied().chain(worded) {
        let (addr, c) = connect_to_answer(response);
        assert_eq!(c.code(), 4, "{response:?}: {}", c.stderr);
        assert!(
            !c.stderr.contains("WebSocket protocol error"),
            "{}",
            c.stderr
        );
        let errors: Vec<&str> = c.stderr.lines().filter(|l| l.contains("error:")).collect();
        assert_eq!(errors.len(), 1, "{response:?}: {}", c.stderr);
        let line = errors[0];
        assert!(
            line.starts_with(&format!(
                "wsctl: error: WebSocket handshake with {addr} failed: "
            )),
            "{line}"
        );
        assert!(line.ends_with(why), "{response:?}: {line}");
        // Each cause once: no part of the line repeats what came before it.
        let after = line.split_once("failed: ").unwrap().1;
        for part in after.split(": ") {
            assert_eq!(after.matches(part).count(), 1, "{line}");
        }
        let hints: Vec<&str> = c.stderr.lines().filter(|l| l.contains("hint:")).collect();
        match hint {
            Some(hint) => assert_eq!(hints, [format!("  hint: {hint}")], "{}", c.stderr),
            None => assert!(hints.is_empty(), "{response:?}: {}", c.stderr),
        }
    }
}

/// An answer in HTTP/1.0 (Python's http.server, some proxies) is a refusal like any other,
/// not "HTTP version must be 1.1": its status with the server's own reason phrase, a
/// redirect's Location and hint (and -L follows it), as over HTTP/1.1; a 304 is no redirect.
#[test]
fn an_http_1_0_answer_is_read_as_any_refusal() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "HTTP/1.0 404 File not found\r\nContent-Length: 9\r\n\r\nnot found",
            "HTTP 404 File not found",
            Some("check the URL's path"),
        ),
        (
            "HTTP/1.0 301 Moved Permanently\r\nLocation: /a%20b/\r\n\r\n",
            "HTTP 301 Moved Permanently, to /a%20b/",
            Some("connect to /a%20b/ instead, or follow it with -L"),
        ),
        (
            "HTTP/1.1 403 Nope bad token\r\nContent-Length: 0\r\n\r\n",
            "HTTP 403 Nope bad token",
            Some("the server refused this client: check --origin and credentials"),
        ),
        (
            "HTTP/1.1 304 Not Modified\r\nLocation: /elsewhere\r\n\r\n",
            "HTTP 304 Not Modified",
            None,
        ),
    ];
    for (response, status, hint) in cases {
        let (addr, c) = connect_to_answer(response);
        assert_eq!(c.code(), 4, "{response:?}: {}", c.stderr);
        let lines: Vec<&str> = c.stderr.lines().skip(1).collect();
        let mut want = vec![format!(
            "wsctl: error: WebSocket handshake refused by {addr}: {status}"
        )];
        want.extend(hint.map(|h| format!("  hint: {h}")));
        assert_eq!(lines, want, "{response:?}");
    }
    // -L follows an HTTP/1.0 redirect too.
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let to = target.local_addr().unwrap();
    let (from, server) = answering(Box::leak(
        format!("HTTP/1.0 302 Found\r\nLocation: ws://{to}/next\r\n\r\n").into_boxed_str(),
    ));
    let accepting = std::thread::spawn(move || {
        let (mut k, _) = target.accept().unwrap();
        accept_101(&mut k, "");
        k
    });
    let mut client = start(&["ws", "connect", "-L", &format!("ws://{from}/")]);
    client.line_containing(&format!("following the redirect to ws://{to}/next"));
    let k = accepting.join().unwrap();
    server.join().unwrap();
    drop(k);
    client.close_stdin();
    client.finish();
}

/// ux-02: a 101 naming a subprotocol we never offered is refused (RFC 6455 4.1) in one line,
/// the cause once, and no TLS hint: the server spoke plain HTTP.
#[test]
fn an_unoffered_subprotocol_is_refused_without_a_tls_hint() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        accept_101(&mut k, "Sec-WebSocket-Protocol: chat\r\n");
    });
    let mut client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    assert_eq!(c.code(), 4, "{}", c.stderr);
    assert!(
        c.stderr.lines().any(|l| l
            == format!(
                "wsctl: error: WebSocket handshake with {addr} failed: the server chose a \
                 subprotocol we did not offer (offered: none)"
            )),
        "{}",
        c.stderr
    );
    assert!(!c.stderr.contains("wss://"), "{}", c.stderr);
}

/// A server that answers every request (`times` of them) with a redirect to `location`.
fn redirecting(location: String, times: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        for _ in 0..times {
            let Ok((mut k, _)) = listener.accept() else {
                return;
            };
            k.set_read_timeout(Some(WAIT)).unwrap();
            head(&mut k);
            let _ = k.write_all(
                format!("HTTP/1.1 301 Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")
                    .as_bytes(),
            );
        }
    });
    (addr, server)
}

/// `-L` follows a redirect to where it points, and says so; without it the redirect is an
/// error (see above). A redirect that never ends stops after 5.
#[test]
fn dash_l_follows_redirects_and_stops_after_five() {
    let mut target = start(&["ws", "listen", "127.0.0.1:0", "--echo", "--path", "/new"]);
    let new = format!("ws://{}/new", target.listening());
    let (addr, server) = redirecting(new.clone(), 1);
    let mut client = start(&["ws", "connect", "-L", &format!("ws://{addr}/old")]);
    client.write_stdin(b"found you\n");
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    assert_eq!(
        (c.code(), c.stdout_text()),
        (0, "found you\n".into()),
        "{}",
        c.stderr
    );
    assert!(
        c.stderr
            .lines()
            .any(|l| l == format!("following the redirect to {new}")),
        "{}",
        c.stderr
    );
    target.close_stdin();
    target.finish();

    let (addr, server) = redirecting("/again".into(), 6);
    let c = start(&["ws", "connect", "-L", &format!("ws://{addr}/")]).finish();
    server.join().unwrap();
    assert_eq!(c.code(), 4, "{}", c.stderr);
    assert_eq!(
        c.stderr.matches("following the redirect to /again").count(),
        5,
        "{}",
        c.stderr
    );
    assert!(
        c.stderr.contains(&format!(
            "wsctl: error: stopped after 5 redirects (-L), at ws://{addr}/again"
        )),
        "{}",
        c.stderr
    );
}

/// A server that writes its answer a byte at a time: tungstenite's handshake on its own
/// refuses a head that took more than 64 reads averaging under 128 bytes (its "attack
/// check"), which we worded "the server's answer head is too long". The head is gathered
/// whole before tungstenite reads it, as Python `websockets` reads it: the 101 is taken and
/// the session runs, and a refusal so written is still reported as the refusal it is.
#[test]
fn an_answer_head_that_trickles_in_is_read_whole() {
    use std::io::Read;
    let pause = Duration::from_millis(1);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        let response = answer_101(&mut k, "");
        trickle(&mut k, response.as_bytes(), pause);
        // "hello", then a Close 1000; the client's Close (1000, masked: 8 bytes) is read
        // before the server closes the connection first (RFC 6455 7.1.1).
        k.write_all(b"\x81\x05hello\x88\x02\x03\xe8").unwrap();
        let mut close = [0; 8];
        k.read_exact(&mut close).unwrap();
        assert_eq!(close[0], 0x88);
    });
    let client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    let c = client.finish_keeping_stdin();
    server.join().unwrap();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    c.assert_output("hello\n");

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        head(&mut k);
        let refusal = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nX-Padding: \
                       abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\r\n\r\n";
        trickle(&mut k, refusal.as_bytes(), pause);
    });
    let mut client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    assert_eq!(c.code(), 4, "{}", c.stderr);
    c.assert_says(&format!(
        "wsctl: error: WebSocket handshake refused by {addr}: HTTP 403 Forbidden"
    ));
}

/// The server's side of the same: a client that writes its request a byte at a time is
/// answered, and its message echoed.
/// A server's refusal as `written` (pieces written apart, the connection closed after),
/// and what the client says of it.
fn refusal_shown(written: &'static [&'static [u8]]) -> (Finished, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        head(&mut k);
        for piece in written {
            k.write_all(piece).unwrap();
            k.flush().unwrap();
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let mut client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    (c, addr)
}

/// A refusal's body is shown also when it comes after its head (a second write), and a
/// chunked one as its data, not its chunk sizes.
#[test]
fn a_refusals_body_is_shown_whole_and_dechunked() {
    let cases: [(&'static [&'static [u8]], &str); 3] = [
        (
            &[
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 20\r\n\r\n",
                b"token expired, sorry",
            ],
            "HTTP 403 Forbidden: token expired, sorry",
        ),
        (
            &[
                b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nlog in\r\n",
                b"7\r\n first.\r\n0\r\n\r\n",
            ],
            "HTTP 401 Unauthorized: log in first.",
        ),
        // No length: the body up to the end of the stream.
        (
            &[
                b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n",
                b"down for maintenance",
            ],
            "HTTP 503 Service Unavailable: down for maintenance",
        ),
    ];
    for (written, shown) in cases {
        let (c, addr) = refusal_shown(written);
        assert_eq!(c.code(), 4, "{}", c.stderr);
        c.assert_says(&format!(
            "wsctl: error: WebSocket handshake refused by {addr}: {shown}"
        ));
    }
}

/// An interim answer (100 Continue, RFC 9110 15.2) before the 101 is passed over, as HTTP
/// clients do.
#[test]
fn an_interim_answer_before_the_101_is_passed_over() {
    use std::io::Read;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        let response = answer_101(&mut k, "");
        k.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
        k.write_all(response.as_bytes()).unwrap();
        k.write_all(b"\x81\x05hello\x88\x02\x03\xe8").unwrap();
        let mut close = [0; 8];
        k.read_exact(&mut close).unwrap();
        assert_eq!(close[0], 0x88);
    });
    let client = start(&["ws", "connect", &format!("ws://{addr}/")]);
    let c = client.finish_keeping_stdin();
    server.join().unwrap();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    c.assert_output("hello\n");
}

#[test]
fn a_request_head_that_trickles_in_is_read_whole() {
    use std::io::Read;
    let server = start(&["ws", "listen", "--echo", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut k = std::net::TcpStream::connect(&addr).unwrap();
    k.set_read_timeout(Some(WAIT)).unwrap();
    let request = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    trickle(&mut k, request.as_bytes(), Duration::from_millis(1));
    assert!(head(&mut k).starts_with("HTTP/1.1 101 "));
    // "hi", masked with the key 0 0 0 0.
    k.write_all(b"\x81\x82\0\0\0\0hi").unwrap();
    let mut echo = [0; 4];
    k.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"\x81\x02hi");
    drop(k);
    server.interrupt();
}

/// A request whose lines end in a bare LF (httparse takes it, as do Python and Node
/// servers), with messages and a Close in the same write as the head: every message is
/// echoed before the Close is answered, none taken for part of the head.
#[test]
fn a_request_with_bare_lf_line_ends_and_frames_behind_it_is_echoed_whole() {
    use std::io::Read;
    let server = start(&["ws", "listen", "--echo", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut k = std::net::TcpStream::connect(&addr).unwrap();
    k.set_read_timeout(Some(WAIT)).unwrap();
    let mut sent = b"GET / HTTP/1.1\nHost: x\nUpgrade: websocket\nConnection: Upgrade\n\
                     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n\n"
        .to_vec();
    // "hi", "you" and a Close 1000, masked with the key 0 0 0 0.
    sent.extend_from_slice(b"\x81\x82\0\0\0\0hi\x81\x83\0\0\0\0you\x88\x82\0\0\0\0\x03\xe8");
    k.write_all(&sent).unwrap();
    assert!(head(&mut k).starts_with("HTTP/1.1 101 "));
    let mut rest = Vec::new();
    k.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"\x81\x02hi\x81\x03you\x88\x02\x03\xe8");
    let done = server.finish_within(WAIT);
    assert_eq!(done.code(), 0, "{}", done.stderr);
}
