//! `wsctl tcp connect` and `wsctl tcp listen`, against each other and against peers that are
//! not ours (ncat, socat, plain sockets in the test).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::*;

#[test]
fn both_directions_and_both_exit_cleanly() {
    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut client = start(&["tcp", "connect", &addr]);
    assert!(client.line().starts_with("connected to 127.0.0.1:"));
    assert!(server.line().starts_with("accepted 127.0.0.1:"));
    client.write_stdin(b"from the client\n");
    server.write_stdin(b"from the server\n");
    client.close_stdin();
    server.close_stdin();
    let (c, s) = (client.finish(), server.finish());
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
    assert_eq!(c.stdout_text(), "from the server\n");
    assert_eq!(s.stdout_text(), "from the client\n");
}

/// 1 GiB each way at the same time, every byte checked, through two wsctl processes.
#[test]
fn one_gib_each_way_at_once_arrives_intact() {
    const LEN: u64 = 1 << 30;
    let (mut server, server_out) = Proc::start_streaming(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let (mut client, client_out) = Proc::start_streaming(&["tcp", "connect", &addr]);
    let sends = [
        send_pattern(server.stdin(), 1, LEN),
        send_pattern(client.stdin(), 2, LEN),
    ];
    let at_client = check_pattern(client_out, 1, LEN);
    let at_server = check_pattern(server_out, 2, LEN);
    for s in sends {
        s.join().unwrap();
    }
    assert_eq!(at_client.join().unwrap(), Ok(()), "server -> client");
    assert_eq!(at_server.join().unwrap(), Ok(()), "client -> server");
    let (c, s) = (client.finish(), server.finish());
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
}

/// A server that answers only after the request has ended (EOF), like an HTTP/1.0 server
/// reading a body to the end: the whole answer arrives only if stdin EOF half-closes.
#[test]
fn stdin_eof_half_closes_and_the_whole_response_arrives() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        conn.read_to_end(&mut request).unwrap();
        let body = "x".repeat(100_000);
        write!(
            conn,
            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        request
    });
    let mut cmd = wsctl();
    cmd.args(["tcp", "connect", &addr]);
    let mut client = spawn(cmd);
    client.write_stdin(b"GET / HTTP/1.0\r\n\r\n");
    let done = client.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(server.join().unwrap(), b"GET / HTTP/1.0\r\n\r\n");
    let out = done.stdout_text();
    assert!(out.starts_with("HTTP/1.0 200 OK\r\n"));
    assert_eq!(
        out.len(),
        "HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n".len() + 100_000
    );
}

/// A FIN is a half-close: the peer may still be reading, so piped stdin is delivered whole
/// after the peer has finished sending.
#[test]
fn piped_stdin_is_delivered_after_the_peer_finished_sending() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"send me the rest\n").unwrap();
        conn.shutdown(std::net::Shutdown::Write).unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        got
    });
    let (mut client, mut out) = Proc::start_streaming(&["tcp", "connect", &addr, "-vv"]);
    assert_eq!(read_within(&mut out, 17), b"send me the rest\n");
    client.line_containing("peer finished sending"); // the FIN has been seen ...
    client.write_stdin(b"the rest, sent after the peer's FIN\n"); // ... and stdin still flows
    let done = client.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(
        server.join().unwrap(),
        b"the rest, sent after the peer's FIN\n"
    );
}

#[test]
fn echo_sends_everything_back() {
    let server = start(&["tcp", "listen", "127.0.0.1:0", "--echo"]);
    let addr = server.listening();
    let mut client = start(&["tcp", "connect", &addr]);
    let data: Vec<u8> = (0..=255u8).cycle().take(3_000_000).collect();
    let mut stdin = client.stdin();
    let sent = data.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&sent).unwrap());
    writer.join().unwrap();
    let (c, s) = (client.finish(), server.finish());
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
    assert!(
        c.stdout == data,
        "echoed data differs ({} bytes back)",
        c.stdout.len()
    );
}

#[test]
fn exec_wires_a_command_to_the_connection() {
    let server = start(&[
        "tcp",
        "listen",
        "127.0.0.1:0",
        "-e",
        "tr a-z A-Z; echo \"peer $WSCTL_REMOTE_ADDR\"",
    ]);
    let addr = server.listening();
    let mut client = start(&["tcp", "connect", &addr]);
    client.write_stdin(b"hello\n");
    let (c, s) = (client.finish(), server.finish());
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
    assert_eq!(c.stdout_text(), "HELLO\npeer 127.0.0.1\n");
}

#[test]
fn exec_output_reaches_the_peer_even_when_the_command_reads_nothing() {
    let server = start(&["tcp", "listen", "127.0.0.1:0", "-e", "echo greeting"]);
    let addr = server.listening();
    let mut client = start(&["tcp", "connect", &addr]);
    client.write_stdin(&vec![b'x'; 1_000_000]);
    let (c, s) = (client.finish(), server.finish());
    assert_eq!(c.stdout_text(), "greeting\n");
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
}

#[test]
fn exec_failure_exits_1_with_its_status() {
    let server = start(&["tcp", "listen", "127.0.0.1:0", "-e", "echo partial; exit 3"]);
    let addr = server.listening();
    let client = start(&["tcp", "connect", &addr]);
    let (c, s) = (client.finish(), server.finish());
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(
        c.stdout_text(),
        "partial\n",
        "output before the failure is delivered"
    );
    assert_eq!(s.code(), 1);
    assert!(
        s.stderr
            .contains("wsctl: error: `echo partial; exit 3` failed (exit status: 3)"),
        "{}",
        s.stderr
    );
}

#[test]
fn keep_open_serves_clients_concurrently_with_echo() {
    let mut server = start(&["tcp", "listen", "127.0.0.1:0", "--echo", "-k"]);
    let addr = server.listening();
    // Both connected before either sends: they are served at the same time.
    let mut a = TcpStream::connect(&addr).unwrap();
    let mut b = TcpStream::connect(&addr).unwrap();
    for (conn, text) in [(&mut b, "second"), (&mut a, "first")] {
        conn.set_read_timeout(Some(WAIT)).unwrap();
        conn.write_all(text.as_bytes()).unwrap();
        conn.shutdown(std::net::Shutdown::Write).unwrap();
        let mut back = String::new();
        conn.read_to_string(&mut back).unwrap();
        assert_eq!(back, text);
    }
    assert!(server.line().starts_with("accepted"));
    assert!(server.line().starts_with("accepted"));
    signal(server.pid(), "INT");
    server.close_stdin();
    // A listener's Ctrl-C is a graceful shutdown: exit 0.
    assert_eq!(server.finish().code(), 0);
}

/// Needs the IPv6 loopback, as `tests/udp.rs` does: a machine without it fails here rather
/// than passing without running.
#[test]
fn ipv6_loopback() {
    let mut server = start(&["tcp", "listen", "[::1]:0"]);
    let addr = server.listening();
    assert!(addr.starts_with("[::1]:"), "{addr}");
    let port = addr.rsplit(':').next().unwrap();
    let mut client = start(&["tcp", "connect", "::1", port]);
    client.write_stdin(b"six\n");
    client.close_stdin();
    server.close_stdin();
    let (c, s) = (client.finish(), server.finish());
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
    assert_eq!(s.stdout_text(), "six\n");
}

#[test]
fn names_are_resolved_and_each_address_tried() {
    // localhost may resolve to ::1 first; a listener on 127.0.0.1 is still reached.
    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let port = addr.rsplit(':').next().unwrap();
    let mut client = start(&["tcp", "connect", &format!("localhost:{port}")]);
    client.write_stdin(b"by name\n");
    client.close_stdin();
    server.close_stdin();
    let (c, s) = (client.finish(), server.finish());
    assert_eq!((c.code(), s.code()), (0, 0), "{}{}", c.stderr, s.stderr);
    assert_eq!(s.stdout_text(), "by name\n");
}

// ---- interop with peers that are not ours

#[test]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn interop_ncat_client_to_wsctl_listener() {
    need("ncat");
    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut cmd = std::process::Command::new("ncat");
    cmd.args([host, port]);
    let mut ncat = spawn(cmd);
    ncat.write_stdin(b"from ncat\n");
    server.write_stdin(b"from wsctl\n");
    ncat.close_stdin();
    server.close_stdin();
    let (n, s) = (ncat.finish(), server.finish());
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert_eq!(s.stdout_text(), "from ncat\n");
    assert_eq!(n.stdout_text(), "from wsctl\n");
}

#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn interop_wsctl_client_to_socat_listener() {
    need("socat");
    // socat -d -d reports its bound address, so port 0 works here too.
    let mut cmd = std::process::Command::new("socat");
    cmd.args(["-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1", "STDIO"]);
    let mut socat = spawn(cmd);
    let line = socat.line_containing("listening on");
    let addr = line.rsplit(' ').next().unwrap().to_string();
    let mut client = start(&["tcp", "connect", &addr]);
    let data: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    client.write_stdin(&data);
    socat.write_stdin(b"from socat\n");
    client.close_stdin();
    socat.close_stdin();
    let (c, s) = (client.finish(), socat.finish());
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(c.stdout_text(), "from socat\n");
    assert!(s.stdout == data, "socat got {} bytes", s.stdout.len());
}

#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn interop_socat_client_to_wsctl_echo() {
    need("socat");
    let server = start(&["tcp", "listen", "127.0.0.1:0", "--echo"]);
    let addr = server.listening();
    let mut cmd = std::process::Command::new("socat");
    // -t: how long socat waits for the echo after its stdin ends.
    cmd.args(["-t", "10", "STDIO", &format!("TCP:{addr}")]);
    let mut socat = spawn(cmd);
    socat.write_stdin(b"round trip\n");
    let (c, s) = (socat.finish(), server.finish());
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert_eq!(c.stdout_text(), "round trip\n");
}

// ---- exit codes and bad input

#[test]
fn refused_port_exits_3_with_a_hint() {
    let port = closed_port().to_string();
    let done = start(&["tcp", "connect", "127.0.0.1", &port]).finish();
    assert_eq!(done.code(), 3);
    assert!(
        done.stderr.contains(&format!(
            "wsctl: error: could not connect to 127.0.0.1:{port} (connection refused)"
        )),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("hint: nothing is listening"),
        "{}",
        done.stderr
    );
}

#[test]
fn unknown_host_exits_3() {
    let done = start(&["tcp", "connect", "no-such-host.invalid", "80"]).finish();
    assert_eq!(done.code(), 3);
    assert!(
        done.stderr
            .contains("wsctl: error: could not resolve `no-such-host.invalid`"),
        "{}",
        done.stderr
    );
}

#[test]
fn connect_timeout_exits_3() {
    // A loopback listener whose accept queue is full and never drained: further SYNs are
    // dropped, so connecting hangs until the timeout.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    socket.listen(0).unwrap();
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    let hung = loop {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        match s.connect_timeout(&addr.into(), Duration::from_millis(200)) {
            Ok(()) => fillers.push(s),
            Err(_) => break true,
        }
        if fillers.len() > 64 {
            break false;
        }
    };
    // Never a pass without running: Linux drops the SYN when the queue is full (unless
    // net.ipv4.tcp_abort_on_overflow is set, which refuses it instead).
    assert!(
        hung,
        "this kernel accepted 64 connections beyond a full backlog: a connect cannot be made to hang on loopback here"
    );
    let done = start(&[
        "tcp",
        "connect",
        &addr.to_string(),
        "--connect-timeout",
        "300ms",
    ])
    .finish();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    assert!(
        done.stderr.contains(&format!(
            "wsctl: error: timed out connecting to {addr} after 300ms"
        )),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("--connect-timeout"), "{}", done.stderr);
}

#[test]
fn bad_addresses_are_usage_errors() {
    for args in [
        &["tcp", "connect", "localhost"][..],
        &["tcp", "connect", "localhost", "http"],
        &["tcp", "connect", "localhost:99999"],
        &["tcp", "connect", "::1"],
        &["tcp", "listen", "x:y"],
        &[
            "tcp",
            "connect",
            "localhost",
            "80",
            "--connect-timeout",
            "soon",
        ],
        &["tcp", "frobnicate"],
    ] {
        let done = start(args).finish();
        assert_eq!(done.code(), 2, "{args:?}: {}", done.stderr);
        assert!(done.stderr.contains("error:"), "{args:?}: {}", done.stderr);
        assert!(done.stdout.is_empty());
    }
}

#[test]
fn address_in_use_exits_3_with_a_hint() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let done = start(&["tcp", "listen", &addr]).finish();
    assert_eq!(done.code(), 3);
    assert!(
        done.stderr.contains(&format!(
            "wsctl: error: could not listen on {addr} (address already in use)"
        )),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr
            .contains("hint: another program is listening on port"),
        "{}",
        done.stderr
    );
}

#[test]
fn a_reset_mid_transfer_exits_5_and_keeps_what_arrived() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"partial answer\n").unwrap();
        let mut some = [0u8; 1000];
        conn.read_exact(&mut some).unwrap();
        // Linger 0: close with a reset, data unread.
        socket2::SockRef::from(&conn)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    });
    let (mut client, mut out) = Proc::start_streaming(&["tcp", "connect", &addr]);
    assert_eq!(read_within(&mut out, 15), b"partial answer\n");
    // An endless upload: only the reset can end it.
    let stdin = client.stdin();
    std::thread::spawn(move || {
        let mut stdin = stdin;
        let chunk = vec![b'u'; 65536];
        while stdin.write_all(&chunk).is_ok() {}
    });
    server.join().unwrap();
    let done = client.finish();
    assert_eq!(done.code(), 5, "{}", done.stderr);
    assert!(
        done.stderr.contains("wsctl: error: connection lost while"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("connection reset by peer"),
        "{}",
        done.stderr
    );
}

#[test]
fn unreadable_stdin_exits_1() {
    let server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut cmd = wsctl();
    cmd.args(["tcp", "connect", &addr]);
    // A directory opens but cannot be read.
    let done = spawn_with(cmd, std::fs::File::open("/").unwrap().into()).finish();
    assert_eq!(done.code(), 1);
    assert!(
        done.stderr
            .contains("wsctl: error: could not read stdin (is a directory)"),
        "{}",
        done.stderr
    );
    // The listener sees the connection end, not hang.
    let s = server.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
}

#[test]
fn interrupt_exits_130() {
    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let client = start(&["tcp", "connect", &addr]);
    client.line(); // connected
    signal(client.pid(), "INT");
    let c = client.finish();
    assert_eq!(c.code(), 130, "{}", c.stderr);
    assert!(
        !c.stderr.contains("error"),
        "Ctrl-C is not an error: {}",
        c.stderr
    );
    // The client closed its connection cleanly: the listener sees an ordinary end.
    server.close_stdin();
    let s = server.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
}

#[test]
fn broken_stdout_pipe_ends_quietly_with_0() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let chunk = vec![b'd'; 65536];
        while conn.write_all(&chunk).is_ok() {}
    });
    let (client, mut out) = Proc::start_streaming(&["tcp", "connect", &addr]);
    read_within(&mut out, 10);
    drop(out); // like `| head -c 10`
    let done = client.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert!(!done.stderr.contains("error"), "{}", done.stderr);
}

/// wsctl reads a piped stdin and writes a piped stdout nonblocking; what runs after it on the
/// same pipes must find them blocking again.
#[test]
fn piped_stdin_and_stdout_are_left_blocking() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        got
    });
    let script = format!(
        "printf 'data' | ( {} tcp connect {addr} 2>/dev/null; python3 -c 'import fcntl, os; print(fcntl.fcntl(0, fcntl.F_GETFL) & os.O_NONBLOCK, fcntl.fcntl(1, fcntl.F_GETFL) & os.O_NONBLOCK)' )",
        env!("CARGO_BIN_EXE_wsctl")
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0 0",
        "O_NONBLOCK left set on stdin, stdout"
    );
    assert_eq!(server.join().unwrap(), b"data");
}
