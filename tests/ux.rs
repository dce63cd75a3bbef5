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
