//! `unix listen`, `ws listen unix:PATH`, `ws connect --unix-socket` and `--to unix:PATH`
//! (issue 17): Unix stream sockets served to peers that are not ours (socat, ncat -U, Python
//! `websockets`' `unix_serve`/`unix_connect`), the socket file's life, and the credentials.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use common::*;

/// The `unix:PATH` a listener names, from its `listening on` line.
fn listening_unix(listener: &Proc, path: &std::path::Path) {
    assert_eq!(listener.listening(), format!("unix:{}", path.display()));
}

/// socat's UNIX-CONNECT to our listener: both ways, our stdin's end half-closes, the
/// `accepted` event names the client's pid, uid and gid, and the file is gone at the end.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn unix_listen_serves_socat() {
    need("socat");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.sock");
    let (mut listener, out) =
        Proc::start_streaming(&["--events", "json", "unix", "listen", path.to_str().unwrap()]);
    let mut out = BufReader::new(out);
    assert_eq!(
        listener.listening_json(),
        format!("unix:{}", path.display())
    );
    let mut cmd = Command::new("socat");
    cmd.args(["-", &format!("UNIX-CONNECT:{}", path.display())]);
    let (mut peer, peer_out) = streaming(cmd);
    let mut peer_out = BufReader::new(peer_out);
    let accepted = listener.line_containing("\"accepted\"");
    let event: serde_json::Value = serde_json::from_str(&accepted).unwrap();
    assert_eq!(
        event["peer"],
        format!("unix:{} (pid {})", path.display(), peer.pid())
    );
    assert_eq!(event["pid"], peer.pid());
    assert_eq!(event["uid"], unsafe { libc::getuid() });
    assert_eq!(event["gid"], unsafe { libc::getgid() });
    peer.write_stdin(b"from socat\n");
    assert_eq!(next_line(&mut out), "from socat\n");
    listener.write_stdin(b"from wsctl\n");
    assert_eq!(next_line(&mut peer_out), "from wsctl\n");
    listener.close_stdin();
    peer.close_stdin();
    assert_eq!(peer.finish().code(), 0);
    let l = listener.finish();
    assert_eq!(l.code(), 0, "{}", l.stderr);
    assert!(!path.exists(), "the listener removed its socket file");
}

/// ncat -U as a client of `unix listen -k --echo`, twice: each gets its line back.
#[test]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn unix_listen_echoes_to_ncat() {
    need("ncat");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sock");
    let listener = start(&["unix", "listen", "-k", "--echo", path.to_str().unwrap()]);
    listening_unix(&listener, &path);
    for n in 0..2 {
        let out = Command::new("ncat")
            .args(["-U", path.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = out;
        writeln!(out.stdin.take().unwrap(), "line {n}").unwrap();
        let mut back = String::new();
        out.stdout
            .take()
            .unwrap()
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, format!("line {n}\n"));
        assert!(out.wait().unwrap().success());
    }
    assert_eq!(listener.interrupt().code(), 0);
    assert!(!path.exists());
}

/// The socket file: a stale one is replaced (said under -v); a live one is refused (exit 3)
/// and its server is not disturbed (the refusal took none of its clients); any other file is
/// left as it was; --mode sets the permissions.
#[test]
fn a_listeners_socket_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists(), "a stale socket file");
    let live = start(&[
        "-v",
        "unix",
        "listen",
        "--echo",
        "--mode",
        "600",
        path.to_str().unwrap(),
    ]);
    assert_eq!(
        live.line(),
        format!("removed the stale socket {}", path.display())
    );
    listening_unix(&live, &path);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o600, "--mode 600: {mode:o}");

    let refused = start(&["unix", "listen", path.to_str().unwrap()]).finish();
    assert_eq!(refused.code(), 3, "{}", refused.stderr);
    assert_eq!(
        refused.stderr.lines().collect::<Vec<_>>(),
        [
            format!(
                "wsctl: error: cannot listen on unix:{}: something is listening on it",
                path.display()
            )
            .as_str(),
            "  hint: stop the other server first, or choose another path"
        ]
    );
    // The live listener (one client, no -k) still has its place for a real client.
    let mut stream = std::os::unix::net::UnixStream::connect(&path).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(b"still here\n").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut back = String::new();
    stream.read_to_string(&mut back).unwrap();
    assert_eq!(back, "still here\n");
    assert_eq!(live.finish().code(), 0);
    assert!(!path.exists());

    // A SIGHUP (the terminal gone) ends the listener as Ctrl-C does: its file goes too.
    let hup = dir.path().join("hup.sock");
    let listener = start(&["unix", "listen", hup.to_str().unwrap()]);
    listening_unix(&listener, &hup);
    signal(listener.pid(), "HUP");
    let f = listener.finish();
    assert_eq!(f.code(), 130, "{}", f.stderr);
    assert!(!hup.exists(), "the socket file is gone after SIGHUP");

    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let refused = start(&["unix", "listen", file.to_str().unwrap()]).finish();
    assert_eq!(refused.code(), 3, "{}", refused.stderr);
    refused.assert_says(&format!(
        "wsctl: error: cannot listen on unix:{0}: {0} exists and is not a socket",
        file.display()
    ));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");

    let nowhere = dir.path().join("no/such/dir.sock");
    let refused = start(&["unix", "listen", nowhere.to_str().unwrap()]).finish();
    assert_eq!(refused.code(), 3, "{}", refused.stderr);
    refused.assert_says("  hint: its directory does not exist: create it first");
}

/// An abstract name (`@NAME`), with socat's ABSTRACT-CONNECT as the client: an --exec
/// command sees the socket's name and the client's credentials; a second listener on the
/// same name is refused.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn abstract_listener_and_the_exec_environment() {
    need("socat");
    let name = format!("@wsctl-listen-{}", std::process::id());
    let listener = start(&[
        "unix",
        "listen",
        &name,
        "--exec",
        "echo \"$WSCTL_REMOTE_ADDR pid=$WSCTL_PEER_PID uid=$WSCTL_PEER_UID gid=$WSCTL_PEER_GID\"",
    ]);
    assert_eq!(listener.listening(), format!("unix:{name}"));
    let taken = start(&["unix", "listen", &name]).finish();
    assert_eq!(taken.code(), 3, "{}", taken.stderr);
    taken
        .assert_says("  hint: another socket holds that abstract name: stop it, or choose another");
    let mut cmd = Command::new("socat");
    cmd.args(["-", &format!("ABSTRACT-CONNECT:{}", &name[1..])]);
    let (mut peer, out) = streaming(cmd);
    let mut out = BufReader::new(out);
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    assert_eq!(
        next_line(&mut out),
        format!("unix:{name} pid={} uid={uid} gid={gid}\n", peer.pid())
    );
    peer.close_stdin();
    assert_eq!(peer.finish().code(), 0);
    assert_eq!(listener.finish().code(), 0);
}

/// What a Python `websockets` program runs: `unix_serve` answering each message with the
/// request's path and Host, or `unix_connect` sending one message and printing the answer.
const PYTHON_UNIX: &str = r#"
import sys
from websockets.sync.server import unix_serve
from websockets.sync.client import unix_connect
mode, path = sys.argv[1], sys.argv[2]
if mode == "serve":
    def handler(ws):
        for message in ws:
            ws.send(f"{message} {ws.request.path} {ws.request.headers['Host']}")
    with unix_serve(handler, path) as server:
        print("ready", flush=True)
        server.serve_forever()
else:
    with unix_connect(path, sys.argv[3]) as ws:
        ws.send("from python")
        print(ws.recv(), flush=True)
"#;

/// `ws connect --unix-socket` to Python's `unix_serve` (the URL gives Host and path), and
/// Python's `unix_connect` to `ws listen unix:PATH`.
#[test]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn websocket_over_unix_sockets_with_python() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sock");
    let mut server = python()
        .args(["-c", PYTHON_UNIX, "serve", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    ready.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    let mut client = start(&[
        "ws",
        "connect",
        "--unix-socket",
        path.to_str().unwrap(),
        "ws://app.example/chat?room=1",
    ]);
    client.write_stdin(b"hello\n");
    client.close_stdin();
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    c.assert_output("hello /chat?room=1 app.example\n");
    c.assert_says(&format!("connected to unix:{}", path.display()));
    let _ = server.kill();
    let _ = server.wait();

    let ours = dir.path().join("ours.sock");
    let bare = start(&["ws", "listen", "--echo", ours.to_str().unwrap()]).finish();
    assert_eq!(bare.code(), 2);
    bare.assert_says(
        "  hint: for a Unix socket: wsctl unix connect|listen PATH, or unix:PATH for ws listen",
    );
    let listener = start(&[
        "ws",
        "listen",
        "--echo",
        &format!("unix:{}", ours.display()),
    ]);
    listening_unix(&listener, &ours);
    let out = python()
        .args([
            "-c",
            PYTHON_UNIX,
            "connect",
            ours.to_str().unwrap(),
            "ws://localhost/",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "from python\n");
    assert_eq!(listener.finish().code(), 0);
    assert!(!ours.exists());
}

/// `--to unix:PATH` from a TCP listener, and `unix listen --to ws://` to a WebSocket
/// upstream (bytes as binary messages): a line goes through both and comes back.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn forwarding_to_and_from_unix_sockets() {
    need("socat");
    let dir = tempfile::tempdir().unwrap();
    let echo = start(&["ws", "listen", "-k", "--echo", "127.0.0.1:0"]);
    let ws = echo.listening();
    let front = dir.path().join("front.sock");
    let bridge = start(&[
        "unix",
        "listen",
        "-k",
        "--to",
        &format!("ws://{ws}/"),
        front.to_str().unwrap(),
    ]);
    listening_unix(&bridge, &front);
    let tcp = start(&[
        "tcp",
        "listen",
        "-k",
        "--to",
        &format!("unix:{}", front.display()),
        "127.0.0.1:0",
    ]);
    let addr = tcp.listening();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(b"round trip\n").unwrap();
    let mut back = [0u8; 11];
    stream.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"round trip\n");
    drop(stream);
    // socat straight to the bridge too.
    let out = Command::new("socat")
        .args(["-t", "5", "-", &format!("UNIX-CONNECT:{}", front.display())])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = out;
    out.stdin.take().unwrap().write_all(b"via socat\n").unwrap();
    let mut back = String::new();
    out.stdout
        .take()
        .unwrap()
        .read_to_string(&mut back)
        .unwrap();
    assert_eq!(back, "via socat\n");
    let _ = out.wait();
    for listener in [tcp, bridge, echo] {
        assert_eq!(listener.interrupt().code(), 0);
    }
    assert!(!front.exists());
}

/// What a Unix listener cannot take is a usage error (exit 2) that says why.
#[test]
fn unix_listener_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["unix", "listen", "--allow", "127.0.0.1", "/tmp/x.sock"],
            "wsctl: error: --allow and --deny take IP addresses, and a Unix socket's clients have none",
        ),
        (
            &["unix", "listen", "--mode", "999", "/tmp/x.sock"],
            "wsctl: error: --mode `999` is not an octal file mode",
        ),
        (
            &["ws", "listen", "--mode", "600", "8080"],
            "wsctl: error: --mode is for a Unix socket",
        ),
        (
            &["ws", "listen", "--tls-self-signed", "unix:/tmp/x.sock"],
            "wsctl: error: TLS is for TCP listeners: a Unix socket is served as ws:// only",
        ),
        (
            &["ws", "listen", "unix:/tmp/x.sock", "80"],
            "wsctl: error: unexpected `80` after unix:/tmp/x.sock",
        ),
        (
            &["unix", "listen", "--mode", "600", "@abstract"],
            "wsctl: error: --mode is for a socket file: unix:@abstract is abstract, with no permissions",
        ),
        (
            &[
                "unix",
                "listen",
                "-k",
                "--to",
                "unix:/tmp/loop.sock",
                "/tmp/loop.sock",
            ],
            "wsctl: error: --to unix:/tmp/loop.sock is the socket this listener listens on",
        ),
        (
            &["ws", "listen", "--to", "unix:@me", "unix:@me"],
            "wsctl: error: --to unix:@me is the socket this listener listens on",
        ),
        (
            &["ws", "connect", "unix:/tmp/x.sock"],
            "  hint: connect to it with --unix-socket /tmp/x.sock ws://localhost/PATH (the URL gives Host and path)",
        ),
        (
            &["ws", "connect", "--unix-socket", "/tmp/x.sock", "wss://h/"],
            "wsctl: error: --unix-socket takes ws:// URLs: TLS over a Unix socket is not offered",
        ),
    ];
    for (args, says) in cases {
        let f = start(args).finish();
        assert_eq!(f.code(), 2, "{args:?}: {}", f.stderr);
        f.assert_says(says);
    }
}

/// A client's half-close reaches the program of a `-k --exec` listener (whose default
/// `--idle-timeout` puts the scripting stage in between): `cat` ends, and so does the
/// connection, for a Unix and a TCP listener alike.
#[test]
fn a_half_close_reaches_the_program_of_a_keep_open_exec_listener() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.sock");
    let unix = start(&[
        "unix",
        "listen",
        "-k",
        "--exec",
        "cat",
        path.to_str().unwrap(),
    ]);
    listening_unix(&unix, &path);
    let tcp = start(&["tcp", "listen", "-k", "--exec", "cat", "127.0.0.1:0"]);
    let addr = tcp.listening();
    for target in [
        vec!["unix", "connect", path.to_str().unwrap()],
        vec!["tcp", "connect", &addr],
    ] {
        let mut client = start(&target);
        client.write_stdin(b"abs\n");
        client.close_stdin();
        let c = client.finish();
        assert_eq!(c.code(), 0, "{target:?}: {}", c.stderr);
        c.assert_output("abs\n");
    }
    assert_eq!(unix.interrupt().code(), 0);
    assert_eq!(tcp.interrupt().code(), 0);
}
