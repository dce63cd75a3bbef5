//! Clients through real proxies started here: Debian's `tinyproxy` (HTTP CONNECT, with Basic
//! authentication) and `microsocks` (SOCKS5, with and without a password); `--proxy` and the
//! environment variables, `no_proxy`, and refusals shown with the proxy's answer (exit 4).

mod common;

use std::process::Command;

use common::pki::Pki;
use common::*;

/// tinyproxy on a free port, requiring `alice:s3cret`. It cannot be told to pick its own
/// port, so one is chosen free just before; it is ready once /proc shows it listening.
struct Tinyproxy {
    proc: Proc,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Tinyproxy {
    fn start() -> Tinyproxy {
        let dir = tempfile::tempdir().unwrap();
        let port = closed_port();
        let conf = dir.path().join("tinyproxy.conf");
        let text = format!(
            "Port {port}\nListen 127.0.0.1\nAllow 127.0.0.1\nBasicAuth alice s3cret\nLogLevel Info\n"
        );
        std::fs::write(&conf, text).unwrap();
        let mut cmd = Command::new("tinyproxy");
        cmd.arg("-d").arg("-c").arg(&conf);
        let proc = spawn(cmd);
        assert_eq!(listening_port("tcp", proc.pid()), port);
        Tinyproxy {
            proc,
            port,
            _dir: dir,
        }
    }

    fn url(&self, auth: bool) -> String {
        let auth = if auth { "alice:s3cret@" } else { "" };
        format!("http://{auth}127.0.0.1:{}", self.port)
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        signal(self.proc.pid(), "KILL");
    }
}

/// microsocks on a port of its own choosing, with `-u USER -P PASS` when given.
fn microsocks(auth: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new("microsocks");
    cmd.args(["-i", "127.0.0.1", "-p", "0"]).args(auth);
    let proc = spawn(cmd);
    let port = listening_port("tcp", proc.pid());
    (proc, port)
}

fn echo_server(proto: &str, extra: &[&str]) -> (Proc, String) {
    let mut args = vec![proto, "listen", "127.0.0.1:0", "--echo", "-k"];
    args.extend_from_slice(extra);
    let server = start(&args);
    let port = server.listening().rsplit(':').next().unwrap().to_string();
    (server, port)
}

/// Runs wsctl with `args` and the environment `env` (every proxy variable cleared first).
fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Finished {
    let mut cmd = wsctl();
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env_remove("no_proxy").env_remove("NO_PROXY");
    cmd.args(args).envs(env.iter().copied());
    spawn(cmd).finish()
}

fn run(args: &[&str]) -> Finished {
    run_with_env(args, &[])
}

#[test]
#[cfg_attr(
    skip_peer = "tinyproxy",
    ignore = "tinyproxy: opted out by WSCTL_SKIP_PEERS"
)]
fn http_connect_proxy_for_tcp_ws_and_wss() {
    need("tinyproxy");
    let proxy = Tinyproxy::start();
    let (tcp, tcp_port) = echo_server("tcp", &[]);

    // Without credentials: the proxy's 407, its words, and the hint.
    let r = run(&[
        "tcp",
        "connect",
        "--proxy",
        &proxy.url(false),
        "127.0.0.1",
        &tcp_port,
        "--send",
        "x",
    ]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("refused CONNECT 127.0.0.1:");
    r.assert_says("407 Proxy Authentication Required");
    r.assert_says("http://USER:PASS@HOST:PORT");
    assert!(r.stdout.is_empty());

    let args = [
        "tcp",
        "connect",
        "--proxy",
        &proxy.url(true),
        "localhost",
        &tcp_port,
    ];
    let ok = run(&[&args[..], &["--send", "via http", "--count", "1"]].concat());
    ok.assert_output("via http\n");
    let want = format!(
        "connected to localhost:{tcp_port} through the HTTP proxy 127.0.0.1:{}",
        proxy.port
    );
    ok.assert_says(&want);

    // ws:// takes http_proxy from the environment.
    let (ws, ws_port) = echo_server("ws", &[]);
    let url = format!("ws://localhost:{ws_port}/");
    let args = [
        "ws",
        "connect",
        &url,
        "--send",
        "ws via env",
        "--count",
        "1",
    ];
    let ok = run_with_env(&args, &[("http_proxy", &proxy.url(true))]);
    ok.assert_output("ws via env\n");
    ok.assert_says("through the HTTP proxy");

    // wss:// takes HTTPS_PROXY; TLS runs end to end through the tunnel.
    let pki = Pki::new();
    let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));
    let (wss, wss_port) = echo_server("ws", &["--tls-cert", &cert, "--tls-key", &key]);
    let url = format!("wss://localhost:{wss_port}/");
    let ca = pki.path("ca.pem");
    let args = [
        "ws",
        "connect",
        &url,
        "--ca",
        &ca,
        "--send",
        "wss via env",
        "--count",
        "1",
    ];
    let ok = run_with_env(&args, &[("HTTPS_PROXY", &proxy.url(true))]);
    ok.assert_output("wss via env\n");
    ok.assert_says("through the HTTP proxy");

    // tcp connect --tls through --proxy.
    let (tls_tcp, tls_port) = echo_server("tcp", &["--tls-cert", &cert, "--tls-key", &key]);
    let args = [
        "tcp",
        "connect",
        "--tls",
        "--ca",
        &ca,
        "--proxy",
        &proxy.url(true),
        "localhost",
        &tls_port,
    ];
    let ok = run(&[&args[..], &["--send", "tls via http", "--count", "1"]].concat());
    ok.assert_output("tls via http\n");
    for server in [tcp, ws, wss, tls_tcp] {
        server.interrupt();
    }
}

#[test]
fn proxy_variables_and_no_proxy() {
    let (ws, ws_port) = echo_server("ws", &[]);
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let url = format!("ws://127.0.0.1:{ws_port}/");
    let args = ["ws", "connect", &url, "--send", "direct", "--count", "1"];

    // A proxy that is down is named, with the variable it came from.
    let r = run_with_env(&args, &[("http_proxy", &dead)]);
    assert_eq!(r.code(), 3, "{}", r.stderr);
    r.assert_says("could not reach the HTTP proxy");
    r.assert_says("unset http_proxy");
    // ALL_PROXY applies when nothing more specific is set.
    let r = run_with_env(&args, &[("ALL_PROXY", &dead)]);
    assert_eq!(r.code(), 3, "{}", r.stderr);
    // no_proxy: the host (or its block) is reached directly.
    for entry in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        let ok = run_with_env(&args, &[("http_proxy", &dead), ("no_proxy", entry)]);
        assert_eq!(
            (ok.code(), ok.stdout_text().as_str()),
            (0, "direct\n"),
            "{entry}: {}",
            ok.stderr
        );
    }
    // https_proxy is for wss:// only.
    let ok = run_with_env(&args, &[("https_proxy", &dead)]);
    assert_eq!(ok.code(), 0, "{}", ok.stderr);
    // --proxy wins over the environment.
    let r = run_with_env(
        &[&args[..], &["--proxy", &dead]].concat(),
        &[("no_proxy", "*")],
    );
    assert_eq!(r.code(), 3, "{}", r.stderr);
    let r = run(&[&args[..], &["--proxy", "ftp://127.0.0.1:1"]].concat());
    assert_eq!(r.code(), 2, "{}", r.stderr);
    r.assert_says("`ftp` proxies are not supported");
    ws.interrupt();
}

#[test]
#[cfg_attr(
    skip_peer = "microsocks",
    ignore = "microsocks: opted out by WSCTL_SKIP_PEERS"
)]
fn socks5_proxy_resolves_names_and_checks_passwords() {
    need("microsocks");
    let (tcp, tcp_port) = echo_server("tcp", &[]);
    let (ws, ws_port) = echo_server("ws", &[]);
    let (socks, port) = microsocks(&[]);
    let proxy = format!("socks5://127.0.0.1:{port}");

    // The name `localhost` goes to the proxy, which resolves it.
    let args = [
        "tcp",
        "connect",
        "--proxy",
        &proxy,
        "localhost",
        &tcp_port,
        "--send",
        "via socks",
        "--count",
        "1",
    ];
    let ok = run(&args);
    ok.assert_output("via socks\n");
    ok.assert_says("through the SOCKS5 proxy");
    let url = format!("ws://localhost:{ws_port}/");
    let args = [
        "ws",
        "connect",
        &url,
        "--send",
        "ws via socks",
        "--count",
        "1",
    ];
    let ok = run_with_env(&args, &[("ALL_PROXY", &proxy.replace("socks5", "socks5h"))]);
    ok.assert_output("ws via socks\n");

    // The proxy cannot reach the target: its answer, exit 4.
    let closed = closed_port().to_string();
    let r = run(&[
        "tcp",
        "connect",
        "--proxy",
        &proxy,
        "127.0.0.1",
        &closed,
        "--send",
        "x",
    ]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("refused a tunnel to 127.0.0.1:");
    r.assert_says("connection refused");
    signal(socks.pid(), "KILL");
    socks.finish();

    let (socks, port) = microsocks(&["-u", "bob", "-P", "pw"]);
    let args = |proxy: String| {
        run(&[
            "tcp",
            "connect",
            "--proxy",
            &proxy,
            "localhost",
            &tcp_port,
            "--send",
            "auth",
            "--count",
            "1",
        ])
    };
    let r = args(format!("socks5://127.0.0.1:{port}"));
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("socks5://USER:PASS@HOST:PORT");
    let r = args(format!("socks5://bob:wrong@127.0.0.1:{port}"));
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("did not accept these credentials");
    let ok = args(format!("socks5://bob:pw@127.0.0.1:{port}"));
    ok.assert_output("auth\n");
    signal(socks.pid(), "KILL");
    socks.finish();
    tcp.interrupt();
    ws.interrupt();
}

/// A "proxy" that answers CONNECT with something that is not HTTP (an SSH banner) and then
/// holds the connection open: refused at once as not HTTP (exit 4), not waited on for a blank
/// line that never comes.
#[test]
fn a_proxy_answer_that_is_not_http_is_refused_at_once() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").unwrap();
        // Held open until wsctl hangs up.
        let _ = conn.read_to_end(&mut Vec::new());
    });
    let proxy = format!("http://127.0.0.1:{port}");
    let out = run(&["tcp", "connect", "--proxy", &proxy, "127.0.0.1", "9"]);
    assert_eq!(out.code(), 4, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("gave an answer that is not HTTP to CONNECT 127.0.0.1:9"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("for SOCKS, write socks5://"),
        "{}",
        out.stderr
    );
    server.join().unwrap();
}

/// Through a proxy, what the far host says is its own: its refusal names it (with the proxy
/// it came through), not the proxy's address.
#[test]
fn the_origins_refusal_through_a_proxy_names_the_origin() {
    use std::io::Write;
    need("tinyproxy");
    let proxy = Tinyproxy::start();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let origin = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        head(&mut k);
        k.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\n\r\nno way.")
            .unwrap();
    });
    let url = format!("ws://localhost:{port}/");
    let r = run(&["ws", "connect", "--proxy", &proxy.url(true), &url]);
    origin.join().unwrap();
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says(&format!(
        "WebSocket handshake refused by localhost:{port} through the HTTP proxy 127.0.0.1:{}: \
         HTTP 403 Forbidden: no way.",
        proxy.port
    ));
}
