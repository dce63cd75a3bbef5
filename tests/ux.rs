//! What a newcomer meets in the first minutes (issue 16, the shared `ux-*` cases): errors that
//! say what happened and point the right way. Servers that misbehave on purpose are written
//! by hand on loopback sockets.

mod common;

use common::*;

use std::io::{Read, Write};
use std::net::TcpListener;

/// A server that takes one request and answers `response` raw, then closes.
fn answering(response: &'static str) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        k.set_read_timeout(Some(WAIT)).unwrap();
        let mut request = Vec::new();
        let mut byte = [0];
        while !request.ends_with(b"\r\n\r\n") {
            match k.read(&mut byte) {
                Ok(1) => request.push(byte[0]),
                _ => break,
            }
        }
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
            &"  hint: connect to ws://127.0.0.1:9/new-home instead (redirects are not followed)"
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
