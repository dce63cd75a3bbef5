//! Zero-copy stdin/stdout (`src/local/splice.rs`): a file or a pipe on stdin goes to the
//! socket by sendfile(2)/splice(2), the socket to a piped stdout by splice(2), byte for byte,
//! and the relay's contract holds (half-close, flags left as found, a reset reported). `-v`
//! says which calls carried the bytes: that is how these tests know the fast path ran.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// `len` bytes of pattern `seed`, in memory.
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut data = vec![0u8; len];
    Pattern::new(seed).fill(&mut data);
    data
}

/// `data` written to a file of `dir`, opened for reading (a stdin that is a regular file).
fn file_of(dir: &std::path::Path, data: &[u8]) -> std::fs::File {
    let path = dir.join("input");
    std::fs::write(&path, data).unwrap();
    std::fs::File::open(path).unwrap()
}

/// An odd size over a few MiB: sendfile and splice both stop mid-page at the end.
const SIZE: usize = (5 << 20) + 12_345;

#[test]
fn a_file_on_stdin_arrives_byte_for_byte_through_a_piped_stdout() {
    let data = pattern(1, SIZE);
    let dir = tempfile::tempdir().unwrap();
    let server = start(&["-v", "tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut cmd = wsctl();
    cmd.args(["-v", "tcp", "connect", &addr]);
    let client = spawn_with(cmd, file_of(dir.path(), &data).into());
    // The client has half-closed after its file; the listener's stdin ends here.
    let s = server.finish();
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert!(
        s.stdout == data,
        "{} bytes arrived, differing",
        s.stdout.len()
    );
    c.assert_says(&format!("closed: {SIZE} bytes sent, 0 received (zero-copy: sendfile(2) from stdin, splice(2) to stdout)"));
    s.assert_says(&format!(
        "closed: 0 bytes sent, {SIZE} received (zero-copy: splice(2) from stdin, splice(2) to stdout)"
    ));
}

#[test]
fn a_piped_stdin_goes_both_ways_at_once() {
    let server = start(&["-v", "tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut client = start(&["-v", "tcp", "connect", &addr]);
    let mut server = server;
    let up = send_pattern(client.stdin(), 2, SIZE as u64);
    let down = send_pattern(server.stdin(), 3, SIZE as u64 + 1);
    up.join().unwrap();
    down.join().unwrap();
    let s = server.finish();
    let c = client.finish();
    assert_eq!((c.code(), s.code()), (0, 0), "{}\n{}", c.stderr, s.stderr);
    assert!(s.stdout == pattern(2, SIZE), "upload differs");
    assert!(c.stdout == pattern(3, SIZE + 1), "download differs");
    c.assert_says("(zero-copy: splice(2) from stdin, splice(2) to stdout)");
}

/// stdout a regular file cannot be spliced into: that direction is copied, the other not.
#[test]
fn stdout_a_file_is_copied_and_stdin_still_spliced() {
    let data = pattern(4, SIZE);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = wsctl();
    cmd.args(["-v", "tcp", "listen", "127.0.0.1:0"])
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::piped());
    let server = Proc::from_child(cmd.spawn().unwrap());
    let addr = server.listening();
    let mut client = start(&["tcp", "connect", &addr]);
    client.write_stdin(&data);
    client.close_stdin();
    let s = server.finish();
    let c = client.finish();
    assert_eq!((c.code(), s.code()), (0, 0), "{}\n{}", c.stderr, s.stderr);
    assert!(std::fs::read(&out).unwrap() == data, "the file differs");
    s.assert_says(&format!(
        "closed: 0 bytes sent, {SIZE} received (zero-copy: splice(2) from stdin)"
    ));
}

/// Neither stdin (`/dev/null`) nor stdout (a file) lends itself: the relay as it was.
#[test]
fn nothing_to_splice_keeps_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut cmd = wsctl();
    cmd.args(["-v", "tcp", "connect", &addr])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::piped());
    let client = Proc::from_child(cmd.spawn().unwrap());
    let mut server = server;
    server.write_stdin(b"to the file\n");
    let s = server.finish();
    let c = client.finish();
    assert_eq!((c.code(), s.code()), (0, 0), "{}\n{}", c.stderr, s.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"to the file\n");
    c.assert_says("closed: 0 bytes sent, 12 received\n");
}

/// Where wsctl needs the bytes (`--hex-dump`, `-C`), zero-copy steps aside.
#[test]
fn hex_dump_and_crlf_step_aside() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    for extra in [vec!["--hex-dump", dump.to_str().unwrap()], vec!["-C"]] {
        let server = start(&["tcp", "listen", "127.0.0.1:0"]);
        let addr = server.listening();
        let mut args = vec!["-v", "tcp", "connect", &addr];
        args.extend(extra.iter().copied());
        let mut client = start(&args);
        client.write_stdin(b"line\n");
        client.close_stdin();
        let s = server.finish();
        let c = client.finish();
        assert_eq!(c.code(), 0, "{}", c.stderr);
        assert!(!c.stderr.contains("zero-copy"), "{extra:?}: {}", c.stderr);
        let want: &[u8] = if extra[0] == "-C" {
            b"line\r\n"
        } else {
            b"line\n"
        };
        assert_eq!(s.stdout, want);
    }
    assert!(std::fs::read_to_string(&dump).unwrap().contains("|line.|"));
}

/// A pipe shared with the parent is left as it was found: O_NONBLOCK set stays set (and
/// `tests/tcp.rs` checks that a blocking one stays blocking).
#[test]
fn a_nonblocking_pipe_stays_nonblocking() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"back").unwrap();
        conn.shutdown(std::net::Shutdown::Write).unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        got
    });
    let flags = "import fcntl, os; print(fcntl.fcntl(0, fcntl.F_GETFL) & os.O_NONBLOCK, fcntl.fcntl(1, fcntl.F_GETFL) & os.O_NONBLOCK, flush=True)";
    let set = "import fcntl, os; [fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK) for fd in (0, 1)]";
    let script = format!(
        "printf 'data' | ( python3 -c '{set}'; {} tcp connect {addr} 2>/dev/null; echo; python3 -c '{flags}' ) | cat",
        env!("CARGO_BIN_EXE_wsctl")
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    let nonblock = libc::O_NONBLOCK;
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("back\n{nonblock} {nonblock}\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.join().unwrap(), b"data");
}

/// A peer that resets while a file is being sent: exit 5, said as before.
#[test]
fn a_reset_while_sending_a_file_exits_5() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut some = [0u8; 1000];
        conn.read_exact(&mut some).unwrap();
        // Linger 0: close with a reset, data unread.
        socket2::SockRef::from(&conn)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(5, 64 << 20);
    let mut cmd = wsctl();
    cmd.args(["-v", "tcp", "connect", &addr]);
    let client = spawn_with(cmd, file_of(dir.path(), &data).into());
    server.join().unwrap();
    let done = client.finish();
    assert_eq!(done.code(), 5, "{}", done.stderr);
    done.assert_says("wsctl: error: connection lost while");
    done.assert_says("connection reset by peer");
}

/// socat on the other end: a file to it, and its stdin to a listener's piped stdout.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn interop_with_socat_both_ways() {
    need("socat");
    let data = pattern(6, SIZE);
    let dir = tempfile::tempdir().unwrap();
    // wsctl's file -> socat's stdout.
    let mut cmd = Command::new("socat");
    cmd.args(["-d", "-d", "-u", "TCP-LISTEN:0,bind=127.0.0.1", "STDOUT"]);
    let peer = spawn(cmd);
    let port = peer.line_containing("listening on");
    let port = port.rsplit(':').next().unwrap().trim().to_string();
    let mut client = wsctl();
    client.args(["-v", "tcp", "connect", "127.0.0.1", &port]);
    let c = spawn_with(client, file_of(dir.path(), &data).into()).finish();
    let p = peer.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert!(
        p.stdout == data,
        "socat got {} bytes, differing",
        p.stdout.len()
    );
    c.assert_says("zero-copy: sendfile(2) from stdin");
    // socat's stdin -> wsctl's piped stdout.
    let server = start(&["-v", "tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut cmd = Command::new("socat");
    cmd.args(["-u", "STDIN", &format!("TCP:{addr}")]);
    let mut sender = spawn(cmd);
    sender.write_stdin(&data);
    let s = sender.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    let r = server.finish();
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert!(
        r.stdout == data,
        "wsctl got {} bytes, differing",
        r.stdout.len()
    );
    r.assert_says("splice(2) to stdout");
}

/// A Unix stream socket takes the same path.
#[test]
fn unix_stream_sockets_splice_too() {
    let data = pattern(7, SIZE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    let path = path.to_str().unwrap();
    let server = start(&["-v", "unix", "listen", path]);
    server.line_containing("listening on");
    let mut cmd = wsctl();
    cmd.args(["-v", "unix", "connect", path]);
    let client = spawn_with(cmd, file_of(dir.path(), &data).into());
    let s = server.finish();
    let c = client.finish();
    assert_eq!((c.code(), s.code()), (0, 0), "{}\n{}", c.stderr, s.stderr);
    assert!(
        s.stdout == data,
        "{} bytes arrived, differing",
        s.stdout.len()
    );
    c.assert_says("zero-copy: sendfile(2) from stdin, splice(2) to stdout");
    s.assert_says("splice(2) to stdout");
}

/// The reader of a spliced stdout goes away (`| head -c 1000`): a quiet exit 0, as the
/// relay's, with nothing said about the peer.
#[test]
fn the_reader_of_stdout_gone_is_a_quiet_end() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        // More than the pipes and socket buffers hold; fails once wsctl has gone.
        let _ = conn.write_all(&pattern(6, 32 << 20));
    });
    let (client, mut stdout) = Proc::start_streaming(&["-v", "tcp", "connect", &addr]);
    let mut first = [0u8; 1000];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first[..], &pattern(6, 1000)[..]);
    drop(stdout);
    let done = client.finish_keeping_stdin();
    server.join().unwrap();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert!(!done.stderr.contains("error"), "{}", done.stderr);
}

/// A peer that resets while a piped stdout is being fed: exit 5, "receiving from", and what
/// came before the reset and was read by wsctl reached stdout in order.
#[test]
fn a_reset_while_receiving_into_a_pipe_exits_5() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let data = pattern(7, 1 << 20);
    let sent = data.clone();
    let (began, reading) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(&sent).unwrap();
        // Once wsctl is relaying (its first bytes reached stdout), linger 0: a reset.
        reading.recv_timeout(WAIT).unwrap();
        socket2::SockRef::from(&conn)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    });
    let (client, mut stdout) = Proc::start_streaming(&["-v", "tcp", "connect", &addr]);
    let reader = std::thread::spawn(move || {
        let mut got = vec![0u8; 1000];
        stdout.read_exact(&mut got).unwrap();
        began.send(()).unwrap();
        stdout.read_to_end(&mut got).unwrap();
        got
    });
    server.join().unwrap();
    let done = client.finish_keeping_stdin();
    let got = reader.join().unwrap();
    assert_eq!(done.code(), 5, "{}", done.stderr);
    done.assert_says(&format!(
        "wsctl: error: connection lost while receiving from {addr}"
    ));
    assert!(
        got.len() <= data.len() && got == data[..got.len()],
        "stdout differs"
    );
}
