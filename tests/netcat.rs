//! The everyday netcat flags (issue 17): `-C/--crlf` as `ncat -C`. The servers that check
//! what arrives are written by hand on loopback sockets.

mod common;

use common::*;

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};

/// ux-03, piped: with -C the request's bare LFs go as CRLF and the strict server answers 200;
/// without it, the same input gets 400 (nothing is changed unasked).
#[test]
fn crlf_makes_a_strict_line_protocol_answer() {
    for (flag, status, sent) in [
        (
            Some("-C"),
            "HTTP/1.0 200 OK",
            &b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"[..],
        ),
        (
            None,
            "HTTP/1.0 400 Bad Request",
            b"GET / HTTP/1.0\nHost: x\n\n",
        ),
    ] {
        let (addr, server) = strict_server();
        let mut args = vec!["tcp", "connect", &addr];
        args.extend(flag);
        let mut client = start(&args);
        client.write_stdin(b"GET / HTTP/1.0\nHost: x\n\n");
        let got = server.join().unwrap();
        client.close_stdin();
        let c = client.finish();
        assert_eq!(got, sent, "{flag:?}");
        assert_eq!(c.code(), 0, "{flag:?}: {}", c.stderr);
        assert!(
            c.stdout_text().starts_with(status),
            "{flag:?}: {}",
            c.stdout_text()
        );
    }
}

/// -C: `--send` lines and a `\r\n` already there (not doubled) over TCP.
#[test]
fn crlf_applies_to_send_and_leaves_crlf_alone() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        k.set_read_timeout(Some(WAIT)).unwrap();
        // Two lines, then our close: `--send` keeps the connection open for answers.
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while got.iter().filter(|&&b| b == b'\n').count() < 2 {
            let n = k.read(&mut buf).unwrap();
            assert!(n > 0, "closed after {got:?}");
            got.extend_from_slice(&buf[..n]);
        }
        got
    });
    let client = start(&[
        "tcp", "connect", "-C", &addr, "--send", "HELO a", "--send", "QUIT\r",
    ]);
    let got = server.join().unwrap();
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(got, b"HELO a\r\nQUIT\r\n");
}

/// A listener's -C: stdin's lines reach the client with CRLF, one client and under
/// --broadcast; -C makes no sense across a `--to` bridge, nor with -b for datagrams.
#[test]
fn a_listeners_crlf_and_its_usage_errors() {
    for extra in [&[][..], &["--broadcast"]] {
        let mut args = vec!["tcp", "listen", "127.0.0.1:0", "-C"];
        args.extend_from_slice(extra);
        let mut server = start(&args);
        let addr = server.listening();
        let mut client = std::net::TcpStream::connect(&addr).unwrap();
        client.set_read_timeout(Some(WAIT)).unwrap();
        // Written once the client is served (lines before that reach nobody under a hub).
        server.line_containing("accepted");
        server.write_stdin(b"one\ntwo\n");
        let mut got = [0u8; 10];
        client.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"one\r\ntwo\r\n", "{extra:?}");
        drop(client);
        server.interrupt();
    }
    let to = start(&["tcp", "listen", "127.0.0.1:0", "-C", "--to", "127.0.0.1:9"]).finish();
    assert_eq!(to.code(), 2, "{}", to.stderr);
    to.assert_says("'--crlf' cannot be used with '--to <");
    let b = start(&["udp", "send", "127.0.0.1:9", "-C", "-b"]).finish();
    assert_eq!(b.code(), 2, "{}", b.stderr);
    b.assert_says("'--crlf' cannot be used with '--binary'");
}

/// -C over UDP: each datagram ends with CRLF, whether the line had one or not.
#[test]
fn crlf_ends_each_datagram() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(WAIT)).unwrap();
    let addr = peer.local_addr().unwrap().to_string();
    let mut client = start(&["udp", "send", "-C", &addr, "--wait", "0"]);
    client.write_stdin(b"PING\nPONG\r\n");
    client.close_stdin();
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    for _ in 0..2 {
        let n = peer.recv(&mut buf).unwrap();
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert_eq!(got, ["PING\r\n", "PONG\r\n"]);
    assert_eq!(client.finish().code(), 0);
}

/// A port free on 127.0.0.1 now (bound, then let go), for --source-port.
fn free_port(udp: bool) -> u16 {
    if udp {
        UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    } else {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

/// -s and --source-port (ncat's -s and -p): the server sees the connection come from there,
/// over TCP and UDP.
#[test]
fn the_source_address_and_port_are_what_the_server_sees() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let port = free_port(false);
    let accepting = std::thread::spawn(move || listener.accept().unwrap().1);
    let mut client = start(&[
        "tcp",
        "connect",
        "-s",
        "127.0.0.2",
        "--source-port",
        &port.to_string(),
        &addr,
    ]);
    let from = accepting.join().unwrap();
    client.close_stdin();
    assert_eq!(from.to_string(), format!("127.0.0.2:{port}"));
    assert_eq!(client.finish().code(), 0);

    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(WAIT)).unwrap();
    let port = free_port(true);
    let to = peer.local_addr().unwrap().to_string();
    let c = start(&[
        "udp",
        "send",
        &to,
        "-s",
        "127.0.0.3",
        "--source-port",
        &port.to_string(),
        "--send",
        "hi",
        "--wait",
        "0",
    ])
    .finish();
    let mut buf = [0u8; 16];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(
        (&buf[..n], from.to_string()),
        (&b"hi"[..], format!("127.0.0.3:{port}"))
    );
    assert_eq!(c.code(), 0, "{}", c.stderr);
}

/// A source that cannot be bound is exit 3 with the cause and the fix, as any bind; nothing
/// is sent.
#[test]
fn a_source_that_cannot_be_bound_is_exit_3() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = target.local_addr().unwrap().to_string();
    let cases = [
        (
            vec!["-s", "127.0.0.1", "--source-port", &port],
            format!("wsctl: error: could not bind the source address 127.0.0.1:{port} (address already in use)"),
            format!("  hint: port {port} is taken here: pick another --source-port, or leave it out"),
        ),
        (
            // TEST-NET-1 (RFC 5737): never one of this machine's; the bind fails, nothing is sent.
            vec!["-s", "192.0.2.1"],
            "wsctl: error: could not bind the source address 192.0.2.1:0 (cannot assign requested address)".to_string(),
            "  hint: that address is not one of this machine's: give one of its own with -s".to_string(),
        ),
        (
            vec!["-s", "::1"],
            "wsctl: error: 127.0.0.1 has no address of the family of -s ::1".to_string(),
            "  hint: give a source address of the same family (IPv4 or IPv6) as the host's".to_string(),
        ),
    ];
    for (extra, error, hint) in cases {
        let mut args = vec!["tcp", "connect", &addr];
        args.extend(extra.iter().copied());
        let mut client = start(&args);
        client.close_stdin();
        let c = client.finish();
        assert_eq!(c.code(), 3, "{extra:?}: {}", c.stderr);
        let lines: Vec<&str> = c.stderr.lines().collect();
        assert_eq!(lines, [error.as_str(), hint.as_str()], "{extra:?}");
    }
}

/// Four consecutive ports of 127.0.0.9 held here: the 1st and 3rd listen, the 2nd and 4th
/// are bound without listening (so they refuse, and no other test can take them).
fn four_ports() -> (u16, Vec<socket2::Socket>) {
    use socket2::{Domain, Socket, Type};
    let mut base = TcpListener::bind("127.0.0.9:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    loop {
        let held: Option<Vec<Socket>> = (0..4u16)
            .map(|i| {
                let socket = Socket::new(Domain::IPV4, Type::STREAM, None).ok()?;
                let addr: std::net::SocketAddr =
                    format!("127.0.0.9:{}", base.checked_add(i)?).parse().ok()?;
                socket.bind(&addr.into()).ok()?;
                if i % 2 == 0 {
                    socket.listen(8).ok()?;
                }
                Some(socket)
            })
            .collect();
        match held {
            Some(held) => return (base, held),
            None => base = base.wrapping_add(7).max(20000),
        }
    }
}

/// -z over a range: the open ports, one line each in port order, the host as given; exit 0.
/// None open: nothing on stdout, exit 3. The probes send nothing.
#[test]
fn a_scan_finds_the_open_ports_of_a_range() {
    let (base, held) = four_ports();
    let range = format!("{base}-{}", base + 3);
    let c = start(&["tcp", "connect", "-z", "127.0.0.9", &range]).finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(
        c.stdout_text(),
        format!("127.0.0.9:{base} open\n127.0.0.9:{} open\n", base + 2)
    );
    c.assert_says("4 port(s) of 127.0.0.9 scanned: 2 open");
    // The probes connected and closed, sending nothing.
    let listener: TcpListener = held.into_iter().next().unwrap().into();
    let (mut probe, _) = listener.accept().unwrap();
    probe.set_read_timeout(Some(WAIT)).unwrap();
    let mut rest = Vec::new();
    probe.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");

    let closed = format!("{},{}", base + 1, base + 3);
    let none = start(&["tcp", "connect", "-z", "127.0.0.9", &closed]).finish();
    assert_eq!(none.code(), 3, "{}", none.stderr);
    assert!(none.stdout.is_empty());
    none.assert_says("wsctl: error: no port of 127.0.0.9 is open");
    let bad = start(&["tcp", "connect", "-z", "127.0.0.9", "25-20"]).finish();
    assert_eq!(bad.code(), 2, "{}", bad.stderr);
    bad.assert_says("wsctl: error: the range `25-20` goes down");
}

/// --hex-dump over TCP: a known exchange, dumped as `hexdump -C` with direction marks and
/// offsets counted per direction across reads.
#[test]
fn a_tcp_exchange_is_dumped_as_hexdump_c() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.txt");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        k.set_read_timeout(Some(WAIT)).unwrap();
        let mut got = Vec::new();
        k.read_to_end(&mut got).unwrap();
        k.write_all(b"HTTP/1.0 200 OK\r\n").unwrap();
        k.write_all(b"\r\nfine\r\n").unwrap();
    });
    let mut client = start(&[
        "--hex-dump",
        dump.to_str().unwrap(),
        "tcp",
        "connect",
        &addr,
    ]);
    client.write_stdin(b"GET / HTTP/1.0\r\n\r\n");
    client.close_stdin();
    let c = client.finish();
    server.join().unwrap();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    // Dumping loses nothing of what reaches stdout.
    assert_eq!(c.stdout_text(), "HTTP/1.0 200 OK\r\n\r\nfine\r\n");
    let got = std::fs::read_to_string(&dump).unwrap();
    // The answer may come in one read or two: what is dumped is the same bytes, in order.
    let received: String = got
        .lines()
        .filter(|l| l.starts_with('<'))
        .map(|l| format!("{l}\n"))
        .collect();
    let one_read = "\
< 00000000  48 54 54 50 2f 31 2e 30  20 32 30 30 20 4f 4b 0d  |HTTP/1.0 200 OK.|
< 00000010  0a 0d 0a 66 69 6e 65 0d  0a                       |...fine..|
";
    let two_reads = "\
< 00000000  48 54 54 50 2f 31 2e 30  20 32 30 30 20 4f 4b 0d  |HTTP/1.0 200 OK.|
< 00000010  0a                                                |.|
< 00000011  0d 0a 66 69 6e 65 0d 0a                           |..fine..|
";
    assert!(received == one_read || received == two_reads, "{got}");
    let sent: String = got
        .lines()
        .filter(|l| !l.starts_with('<'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        sent,
        format!(
            "# connection 1: {addr}
> 00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  |GET / HTTP/1.0..|
> 00000010  0d 0a                                             |..|
"
        )
    );
}

/// --hex-dump over WebSocket: one block per message and control frame, with its kind; over
/// UDP one per datagram; TLS is dumped as its plaintext; a listener's -k gives each
/// connection its header.
#[test]
fn messages_datagrams_and_tls_are_dumped_in_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let server = start(&["ws", "listen", "127.0.0.1:0", "-k", "--echo"]);
    let addr = server.listening();
    let url = format!("ws://{addr}/");
    let ws_dump = file("ws.txt");
    let c = start(&[
        "--hex-dump",
        &ws_dump,
        "ws",
        "connect",
        &url,
        "--send",
        "hello",
        "--count",
        "1",
    ])
    .finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(
        std::fs::read_to_string(&ws_dump).unwrap(),
        format!(
            "# connection 1: {addr}
> text message, 5 bytes
> 00000000  68 65 6c 6c 6f                                    |hello|
< text message, 5 bytes
< 00000000  68 65 6c 6c 6f                                    |hello|
> close 1000, 0 bytes
< close 1000, 0 bytes
"
        )
    );
    server.interrupt();

    let echo = UdpSocket::bind("127.0.0.1:0").unwrap();
    echo.set_read_timeout(Some(WAIT)).unwrap();
    let to = echo.local_addr().unwrap().to_string();
    let answering = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = echo.recv_from(&mut buf).unwrap();
        echo.send_to(&buf[..n], from).unwrap();
    });
    let udp_dump = file("udp.txt");
    let c = start(&[
        "--hex-dump",
        &udp_dump,
        "udp",
        "send",
        &to,
        "--send",
        "hi",
        "--count",
        "1",
    ])
    .finish();
    answering.join().unwrap();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(
        std::fs::read_to_string(&udp_dump).unwrap(),
        format!(
            "# connection 1: {to}
> datagram, 2 bytes
> 00000000  68 69                                             |hi|
< datagram, 2 bytes
< 00000000  68 69                                             |hi|
"
        )
    );

    // TLS: the listener dumps the plaintext, each connection under its own header.
    let tls_dump = file("tls.txt");
    let server = start(&[
        "--hex-dump",
        &tls_dump,
        "tcp",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--echo",
        "--tls-self-signed",
    ]);
    let addr = server.listening();
    for word in ["one", "two"] {
        let c = start(&[
            "tcp",
            "connect",
            "--tls",
            "--insecure",
            &addr,
            "--send",
            word,
            "--count",
            "1",
        ])
        .finish();
        assert_eq!(c.code(), 0, "{}", c.stderr);
    }
    server.interrupt();
    let got = std::fs::read_to_string(&tls_dump).unwrap();
    let headers: Vec<&str> = got.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(headers.len(), 2, "{got}");
    assert!(
        headers[1].starts_with("# connection 2: 127.0.0.1:"),
        "{got}"
    );
    assert!(
        got.contains("< 00000000  6f 6e 65 0a                                       |one.|\n"),
        "{got}"
    );
    assert!(
        got.contains("> 00000000  74 77 6f 0a                                       |two.|\n"),
        "{got}"
    );
    let refused = start(&[
        "--events",
        "json",
        "--hex-dump",
        "-",
        "tcp",
        "connect",
        &addr,
    ])
    .finish();
    assert_eq!(refused.code(), 2, "{}", refused.stderr);
    refused.assert_says("--hex-dump - writes to stderr, which --events json keeps for its events");
}

/// `--max-message-size` is the same limit both ways: a line of ours longer than it is an
/// error before it is sent (never sent to be refused with 1009), the lines before it are
/// delivered.
#[test]
fn a_line_longer_than_the_limit_is_not_sent() {
    let mut server = start(&["ws", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut client = start(&[
        "ws",
        "connect",
        &format!("ws://{addr}/"),
        "--max-message-size",
        "1000",
    ]);
    let mut input = b"ok\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 1001));
    input.extend(b"\nafter\n");
    client.write_stdin(&input);
    client.close_stdin();
    let c = client.finish();
    assert_eq!(c.code(), 1, "{}", c.stderr);
    c.assert_says("bytes");
    c.assert_says("more than 1000");
    c.assert_says("raise --max-message-size, or use -b/--binary to send chunks");
    server.close_stdin();
    let s = server.finish();
    assert_eq!(s.stdout_text(), "ok\n", "{}", s.stderr);

    // The limit is on data: the peer's Close (2 bytes and more) passes even under a limit of 1.
    let echo = start(&["ws", "listen", "127.0.0.1:0", "--echo"]);
    let addr = echo.listening();
    let url = format!("ws://{addr}/");
    let c = start(&[
        "ws",
        "connect",
        &url,
        "--max-message-size",
        "1",
        "--send",
        "a",
        "--count",
        "1",
    ])
    .finish();
    assert_eq!(
        (c.code(), c.stdout_text().as_str()),
        (0, "a\n"),
        "{}",
        c.stderr
    );
    echo.interrupt();
}

/// A listener's datagrams are dumped too, each under the peer it came from or went to; a
/// dump that cannot be written is said once and the run goes on; -z takes HOST:PORTS.
#[test]
fn udp_listener_dumps_and_dump_failures_and_scan_forms() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("udp-listen.txt");
    let server = start(&[
        "--hex-dump",
        dump.to_str().unwrap(),
        "udp",
        "listen",
        "127.0.0.1:0",
        "--echo",
    ]);
    let addr = server.listening();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let me = client.local_addr().unwrap();
    client.send_to(b"hey", &addr).unwrap();
    let mut buf = [0u8; 16];
    let n = client.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hey");
    server.interrupt();
    assert_eq!(
        std::fs::read_to_string(&dump).unwrap(),
        format!(
            "# connection 1: udp listener {addr}
< datagram from {me}, 3 bytes
< 00000000  68 65 79                                          |hey|
> datagram to {me}, 3 bytes
> 00000000  68 65 79                                          |hey|
"
        )
    );

    // /dev/full takes nothing: one warning, and the exchange completes.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = peer.local_addr().unwrap().to_string();
    let c = start(&[
        "--hex-dump",
        "/dev/full",
        "udp",
        "send",
        &to,
        "--send",
        "x",
        "--wait",
        "0",
    ])
    .finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(
        c.stderr
            .matches("--hex-dump: cannot write the dump")
            .count(),
        1,
        "{}",
        c.stderr
    );

    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port();
    let c = start(&["tcp", "connect", "-z", &format!("127.0.0.1:{port}")]).finish();
    assert_eq!(
        (c.code(), c.stdout_text()),
        (0, format!("127.0.0.1:{port} open\n")),
        "{}",
        c.stderr
    );
}
