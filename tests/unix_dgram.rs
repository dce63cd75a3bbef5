//! `unix connect --dgram` and `unix listen --dgram` (issue 17): Unix datagram sockets with
//! udp's record rules, against peers that are not ours (socat's UNIX-RECVFROM / UNIX-SENDTO
//! and ABSTRACT-RECVFROM, `ncat -U --udp`), the listener's socket file (a stale one removed,
//! a live one, or a file that is not a socket, refused; gone at exit; --mode), and the
//! errors.

mod common;

use std::io::BufReader;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{ChildStdout, Command};
use std::time::Instant;

use common::*;

/// Waits (within [`WAIT`]) until a peer's socket file is there.
fn wait_for_socket(path: &Path, who: &str) {
    let deadline = Instant::now() + WAIT;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{who} never bound {}",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Whether `@name` is bound, by the kernel's list of Unix sockets.
fn abstract_bound(name: &str) -> bool {
    std::fs::read_to_string("/proc/net/unix")
        .is_ok_and(|list| list.lines().any(|l| l.ends_with(&format!(" @{name}"))))
}

/// A peer program with stdin piped and stdout streamed.
fn peer(program: &str, args: &[&str]) -> (Proc, BufReader<ChildStdout>) {
    need(program);
    let mut cmd = Command::new(program);
    cmd.args(args);
    let (proc, out) = streaming(cmd);
    (proc, BufReader::new(out))
}

/// socat sending its stdin's lines to `path` as datagrams, from a socket bound to `mine`
/// (replies reach it, and come out on its stdout), or to no name.
fn socat_sender(path: &Path, mine: Option<&Path>) -> (Proc, BufReader<ChildStdout>) {
    let mut address = format!("UNIX-SENDTO:{}", path.display());
    if let Some(mine) = mine {
        address.push_str(&format!(",bind={}", mine.display()));
    }
    peer("socat", &["-", &address])
}

/// Ends a peer that would otherwise wait for more.
fn stop(proc: Proc) {
    signal(proc.pid(), "TERM");
    proc.finish();
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// Our listener on `path` with `args`, once it says `listening on unix:PATH`.
fn listener(path: &Path, args: &[&str]) -> (Proc, BufReader<ChildStdout>) {
    let mut all = vec!["unix", "listen", "--dgram", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let (proc, out) = Proc::start_streaming(&all);
    assert_eq!(proc.listening(), format!("unix:{}", path.display()));
    (proc, BufReader::new(out))
}

/// Our client → socat's UNIX-RECVFROM: a line is a datagram; socat's answer comes back to the
/// client's autobound name; -v names the peer `unix:PATH`.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn dgram_client_talks_to_socat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sock");
    let (server, mut server_out) = peer(
        "socat",
        &[&format!("UNIX-RECVFROM:{}", path.display()), "-"],
    );
    wait_for_socket(&path, "socat");
    let mut server = server;
    let (mut client, client_out) = Proc::start_streaming(&[
        "-v",
        "unix",
        "connect",
        "--dgram",
        "--linger",
        "forever",
        path.to_str().unwrap(),
    ]);
    let mut client_out = BufReader::new(client_out);
    assert_eq!(
        client.line(),
        format!("connected to unix:{}", path.display())
    );
    assert!(client.line_containing("replies come to").contains("unix:@"));
    client.write_stdin(b"from wsctl\n");
    assert_eq!(text(read_within(&mut server_out, 10)), "from wsctl");
    server.write_stdin(b"from socat\n");
    assert_eq!(next_line(&mut client_out), "from socat\n");
    client.line_containing(&format!("datagram from unix:{} (11 bytes)", path.display()));
    stop(server);
    stop(client);
}

/// socat's UNIX-SENDTO (bound to a path of its own) → our listener, and our stdin back to it.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn dgram_listener_talks_to_socat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sock");
    let mine = dir.path().join("c.sock");
    let (mut server, mut server_out) = listener(&path, &["-v"]);
    let (mut client, mut client_out) = socat_sender(&path, Some(&mine));
    client.write_stdin(b"from socat\n");
    assert_eq!(next_line(&mut server_out), "from socat\n");
    server.line_containing(&format!("datagram from unix:{} (11 bytes)", mine.display()));
    server.write_stdin(b"from wsctl\n");
    assert_eq!(text(read_within(&mut client_out, 10)), "from wsctl");
    stop(client);
    server.close_stdin();
    let done = server.interrupt();
    assert_eq!(done.code(), 0, "the graceful shutdown: {}", done.stderr);
    assert!(!path.exists(), "the listener's socket file outlived it");
}

/// A sender bound to no name (socat's UNIX-SENDTO without bind=) is heard, but cannot be
/// answered: one warning says so, and the replies are dropped.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn an_unnamed_sender_is_heard_and_not_answered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sock");
    let (mut server, mut server_out) = listener(&path, &[]);
    let (mut client, _out) = socat_sender(&path, None);
    client.write_stdin(b"anonymous\n");
    assert_eq!(next_line(&mut server_out), "anonymous\n");
    server.write_stdin(b"reply 1\nreply 2\n");
    let warning = server.line_containing("warning");
    assert!(warning.contains("has no name"), "{warning}");
    stop(client);
    server.close_stdin();
    let done = server.interrupt();
    assert_eq!(
        done.stderr.matches("has no name").count(),
        1,
        "{}",
        done.stderr
    );
}

/// Our client → `ncat -lU --udp`, and its answer back.
#[test]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn dgram_client_talks_to_ncat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.sock");
    let (mut server, mut server_out) = peer("ncat", &["-l", "-U", "--udp", path.to_str().unwrap()]);
    wait_for_socket(&path, "ncat");
    let (mut client, client_out) = Proc::start_streaming(&[
        "unix",
        "connect",
        "--dgram",
        "--wait",
        "forever",
        path.to_str().unwrap(),
    ]);
    let mut client_out = BufReader::new(client_out);
    client.write_stdin(b"to ncat\n");
    assert_eq!(text(read_within(&mut server_out, 7)), "to ncat");
    server.write_stdin(b"from ncat\n");
    assert_eq!(next_line(&mut client_out), "from ncat\n");
    stop(server);
    stop(client);
}

/// `ncat -U --udp` → our listener, and our answer back to the name ncat bound.
#[test]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn dgram_listener_talks_to_ncat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sock");
    let (mut server, mut server_out) = listener(&path, &[]);
    let (mut client, mut client_out) = peer("ncat", &["-U", "--udp", path.to_str().unwrap()]);
    client.write_stdin(b"from ncat\n");
    assert_eq!(next_line(&mut server_out), "from ncat\n");
    server.write_stdin(b"from wsctl\n");
    assert_eq!(text(read_within(&mut client_out, 10)), "from wsctl");
    stop(client);
    server.close_stdin();
    server.interrupt();
    assert!(!path.exists());
}

/// --echo: each datagram straight back to its sender (socat, bound to a name of its own),
/// dumped per datagram under --hex-dump with the peer named `unix:PATH`.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn an_echo_listener_answers_each_datagram() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sock");
    let mine = dir.path().join("c.sock");
    let dump = dir.path().join("dump.txt");
    let (server, _out) = listener(&path, &["--echo", "--hex-dump", dump.to_str().unwrap()]);
    let (mut client, mut client_out) = socat_sender(&path, Some(&mine));
    client.write_stdin(b"ping\n");
    assert_eq!(text(read_within(&mut client_out, 5)), "ping\n");
    client.write_stdin(b"pong\n");
    assert_eq!(text(read_within(&mut client_out, 5)), "pong\n");
    stop(client);
    server.interrupt();
    let dump = std::fs::read_to_string(&dump).unwrap();
    assert!(
        dump.contains(&format!(
            "# connection 1: unix listener unix:{}",
            path.display()
        )),
        "{dump}"
    );
    assert!(
        dump.contains(&format!("< datagram from unix:{}, 5 bytes", mine.display())),
        "{dump}"
    );
    assert!(
        dump.contains(&format!("> datagram to unix:{}, 5 bytes", mine.display())),
        "{dump}"
    );
}

/// --exec: one command per sender, told who it is (WSCTL_REMOTE_ADDR is `unix:PATH`).
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn an_exec_listener_runs_a_command_per_sender() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sock");
    let mine = dir.path().join("c.sock");
    let (server, _out) = listener(
        &path,
        &["--exec", "read l; echo \"$l from $WSCTL_REMOTE_ADDR\""],
    );
    let (mut client, mut client_out) = socat_sender(&path, Some(&mine));
    client.write_stdin(b"hi\n");
    let want = format!("hi from unix:{}", mine.display());
    assert_eq!(text(read_within(&mut client_out, want.len())), want);
    stop(client);
    server.interrupt();
}

/// An abstract name (`@NAME`): our client to socat's ABSTRACT-RECVFROM, and our listener,
/// which names our autobound client `unix:@…` and leaves no file behind.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn abstract_datagram_sockets() {
    let name = format!("wsctl-dgram-test-{}", std::process::id());
    let (server, mut server_out) = peer("socat", &[&format!("ABSTRACT-RECVFROM:{name}"), "-"]);
    let deadline = Instant::now() + WAIT;
    while !abstract_bound(&name) {
        assert!(Instant::now() < deadline, "socat never bound @{name}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut client = start(&["unix", "connect", "--dgram", &format!("@{name}")]);
    client.write_stdin(b"abstract\n");
    assert_eq!(text(read_within(&mut server_out, 8)), "abstract");
    client.close_stdin();
    assert_eq!(client.finish().code(), 0);
    stop(server);

    let ours = format!("{name}-ours");
    let (server, _) = Proc::start_streaming(&[
        "-v",
        "unix",
        "listen",
        "--dgram",
        "--echo",
        &format!("@{ours}"),
    ]);
    assert_eq!(server.listening(), format!("unix:@{ours}"));
    let done = start(&[
        "unix",
        "connect",
        "--dgram",
        &format!("@{ours}"),
        "--send",
        "hello",
        "--count",
        "1",
    ])
    .finish();
    done.assert_output("hello\n");
    let line = server.line_containing("datagram from");
    assert!(line.starts_with("datagram from unix:@"), "{line}");
    server.interrupt();
}

/// A stale socket file (its socket gone) is replaced; a live one (something bound) is
/// refused, exit 3; a file that is not a socket is left alone, exit 3.
#[test]
fn the_socket_file_stale_live_and_foreign() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixDatagram::bind(&stale).unwrap());
    assert!(stale.exists());
    let (server, _) =
        Proc::start_streaming(&["-v", "unix", "listen", "--dgram", stale.to_str().unwrap()]);
    server.line_containing("removed the stale socket");
    server.line_containing(&format!("listening on unix:{}", stale.display()));
    server.interrupt();
    assert!(!stale.exists());

    let live = dir.path().join("live.sock");
    let holder = std::os::unix::net::UnixDatagram::bind(&live).unwrap();
    let done = start(&["unix", "listen", "--dgram", live.to_str().unwrap()]).finish();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    done.assert_says("something is listening on it");
    assert!(live.exists(), "a live socket's file was removed");
    drop(holder);

    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let done = start(&["unix", "listen", "--dgram", file.to_str().unwrap()]).finish();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    done.assert_says("exists and is not a socket");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

/// --mode sets the file's permissions before anyone can send.
#[test]
fn mode_sets_the_socket_files_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.sock");
    let (server, _) = listener(&path, &["--mode", "600"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600);
    // SIGTERM ends it gracefully, as Ctrl-C does: the file goes with it.
    signal(server.pid(), "TERM");
    let done = server.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert!(!path.exists(), "SIGTERM left the socket file behind");
}

/// Each way a datagram client fails is exit 3 with the cause and the fix: no socket there,
/// a stream socket, a file that is not a socket, a receiver that went away.
#[test]
fn dgram_client_failures_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.sock");
    let done = start(&["unix", "connect", "--dgram", missing.to_str().unwrap()]).finish();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    done.assert_says("no socket is there");

    let stream = dir.path().join("stream.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&stream).unwrap();
    let done = start(&["unix", "connect", "--dgram", stream.to_str().unwrap()]).finish();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    done.assert_says("leave out --dgram");

    let file = dir.path().join("plain");
    std::fs::write(&file, "").unwrap();
    let done = start(&["unix", "connect", "--dgram", file.to_str().unwrap()]).finish();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    done.assert_says("not a socket");

    // The receiver goes away after the first datagram: the next send is refused.
    let gone = dir.path().join("gone.sock");
    let receiver = std::os::unix::net::UnixDatagram::bind(&gone).unwrap();
    receiver.set_read_timeout(Some(WAIT)).unwrap();
    let mut client = start(&["unix", "connect", "--dgram", gone.to_str().unwrap()]);
    client.write_stdin(b"first\n");
    let mut buf = [0u8; 16];
    assert_eq!(receiver.recv(&mut buf).unwrap(), 5);
    drop(receiver);
    client.write_stdin(b"second\n");
    let done = client.finish_keeping_stdin();
    assert_eq!(done.code(), 3, "{}", done.stderr);
    done.assert_says("nothing is bound to");
}

/// A record bigger than a Unix datagram can carry is an error naming its size (exit 1), not
/// a truncated datagram; -b cuts a byte stream into pieces that fit instead.
#[test]
fn an_oversized_record_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sock");
    let receiver = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    let mut client = start(&["unix", "connect", "--dgram", path.to_str().unwrap()]);
    let mut line = vec![b'x'; 500_000];
    line.push(b'\n');
    client.write_stdin(&line);
    let done = client.finish();
    assert_eq!(done.code(), 1, "{}", done.stderr);
    done.assert_says("a record of 500000 bytes is larger than a Unix datagram can carry");

    // -b: pieces, each whole, together the stream (read as they come: unread datagrams
    // count against the sender's buffer).
    receiver.set_read_timeout(Some(WAIT)).unwrap();
    let want = line.len();
    let reading = std::thread::spawn(move || {
        let mut got = 0;
        let mut buf = vec![0u8; 1 << 20];
        while got < want {
            got += receiver.recv(&mut buf).unwrap();
        }
        got
    });
    let mut client = start(&[
        "unix",
        "connect",
        "--dgram",
        "-b",
        "--wait",
        "0",
        path.to_str().unwrap(),
    ]);
    client.write_stdin(&line);
    let done = client.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(reading.join().unwrap(), want);
}

/// Options that mean nothing for a datagram socket are usage errors (exit 2).
#[test]
fn stream_only_and_dgram_only_options_are_refused() {
    for args in [
        &["unix", "listen", "--dgram", "-k", "x.sock"][..],
        &[
            "unix",
            "listen",
            "--dgram",
            "--to",
            "tcp://127.0.0.1:1",
            "x.sock",
        ],
        &["unix", "listen", "--dgram", "--broadcast", "x.sock"],
        &["unix", "listen", "--dgram", "--max-conns", "3", "x.sock"],
        &["unix", "connect", "--linger", "1s", "x.sock"],
        &["unix", "connect", "-b", "x.sock"],
        &["unix", "listen", "-0", "x.sock"],
    ] {
        let done = start(args).finish();
        assert_eq!(done.code(), 2, "{args:?}: {}", done.stderr);
    }
    let done = start(&["unix", "connect", "-b", "x.sock"]).finish();
    done.assert_says("it is for --dgram");
    let done = start(&["unix", "listen", "--dgram", "--max-conns", "3", "x.sock"]).finish();
    done.assert_says("for --exec's commands");
}
