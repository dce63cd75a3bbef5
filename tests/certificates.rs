//! Certificates made by hand with `openssl`, the way the tutorials make them, checked by a
//! wsctl client against a wsctl listener, beside Python's `ssl` (OpenSSL's verifier, with
//! curl's rules for names) on the same listener: what Python accepts, wsctl accepts; what
//! it refuses, wsctl refuses in plain words (src/net/tls/handmade.rs).

mod common;

use std::path::Path;
use std::process::Command;

use common::pki::Pki;
use common::*;

/// The recipes, run by openssl in `dir`:
/// - `self-signed`: `openssl req -x509` with a subjectAltName (CA:TRUE, openssl's default);
/// - `cn-only`: the same with the host in the CN alone;
/// - `ca` and `v1`: a CA, and a certificate it issued with `openssl x509 -req` and no
///   extensions (a version 1 certificate, CN only).
fn make_certificates(dir: &Path) {
    let script = r#"
set -e
req() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "$@"; }
req -keyout self-signed.key -out self-signed.pem -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1
req -keyout cn-only.key -out cn-only.pem -subj /CN=localhost
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout ca.key -out ca.pem -subj /CN=Hand-CA
openssl req -newkey rsa:2048 -nodes -keyout v1.key -out v1.csr -subj /CN=localhost
openssl x509 -req -in v1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out v1.pem
openssl x509 -in v1.pem -noout -text | grep -q 'Version: 1 '
"#;
    let out = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Python's verdict on the listener at `port` for `name`, trusting `ca`: `accepted`, or
/// `refused: WHY`.
fn python_verdict(port: &str, ca: &str, name: &str) -> String {
    let script = r#"
import socket, ssl, sys
port, ca, name = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
try:
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname=name):
            print("accepted")
except ssl.SSLCertVerificationError as e:
    print("refused:", e.verify_message)
"#;
    let out = python()
        .args(["-c", script, port, ca, name])
        .output()
        .expect("running python");
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// An echoing `ws listen` on `name.pem`/`name.key` of `dir`, and its port.
fn listener(dir: &Path, name: &str) -> (Proc, String) {
    tls_listener(dir, name, &["ws", "listen", "127.0.0.1:0", "-k", "--echo"])
}

/// `ws connect` to the listener at `port` as `host`, trusting `ca`, with `extra`: one
/// message sent, its echo awaited.
fn connect(port: &str, host: &str, ca: &str, extra: &[&str]) -> Finished {
    let url = format!("wss://{host}:{port}/");
    let mut args = vec![
        "ws", "connect", &url, "--ca", ca, "--send", "hi", "--count", "1",
    ];
    args.extend_from_slice(extra);
    start(&args).finish()
}

#[test]
#[cfg_attr(
    skip_peer = "openssl",
    ignore = "openssl: opted out by WSCTL_SKIP_PEERS"
)]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn hand_made_certificates_work_where_python_accepts_them() {
    need("openssl");
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // (served, trusted, host): each accepted by Python's OpenSSL, and by wsctl.
    let accepted = [
        ("self-signed", "self-signed.pem", "localhost"),
        ("self-signed", "self-signed.pem", "127.0.0.1"),
        ("cn-only", "cn-only.pem", "localhost"),
        ("v1", "ca.pem", "localhost"),
    ];
    for (served, trusted, host) in accepted {
        let case = format!("{served} trusting {trusted} as {host}");
        let (server, port) = listener(dir.path(), served);
        assert_eq!(
            python_verdict(&port, &file(trusted), host),
            "accepted",
            "{case}"
        );
        let c = connect(&port, host, &file(trusted), &[]);
        assert_eq!(
            (c.code(), c.stdout_text().as_str()),
            (0, "hi\n"),
            "{case}: {}",
            c.stderr
        );
        server.interrupt();
    }
}

#[test]
#[cfg_attr(
    skip_peer = "openssl",
    ignore = "openssl: opted out by WSCTL_SKIP_PEERS"
)]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn hand_made_certificates_are_still_refused_for_what_python_refuses() {
    need("openssl");
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let pki = Pki::new();
    // (served, trusted, host, --sni, wsctl's reason, its hint)
    let refused = [
        (
            "v1",
            file("self-signed.pem"),
            "localhost",
            None,
            "was refused: its issuer is unknown (a self-signed certificate, or a CA not trusted here)",
            "  hint: the certificate is not issued by the CA in --ca: give the issuer's certificate, or --insecure to skip the check",
        ),
        (
            "self-signed",
            file("cn-only.pem"),
            "localhost",
            None,
            "was refused: its issuer is unknown",
            "  hint: the certificate is not issued by the CA in --ca: give the issuer's certificate, or --insecure to skip the check",
        ),
        (
            "cn-only",
            file("cn-only.pem"),
            "localhost",
            Some("other.example"),
            "was refused: certificate not valid for name \"other.example\"; certificate is only valid for localhost",
            "  hint: connect by a name the certificate holds, or check it against that name with --sni NAME",
        ),
        (
            "v1",
            file("ca.pem"),
            "127.0.0.1",
            None,
            "was refused: certificate not valid for name \"127.0.0.1\"; certificate is only valid for localhost",
            "  hint: connect by a name the certificate holds, or check it against that name with --sni NAME",
        ),
    ];
    for (served, trusted, host, sni, why, hint) in refused {
        let case = format!("{served} trusting {trusted} as {host} ({sni:?})");
        let (server, port) = listener(dir.path(), served);
        let verdict = python_verdict(&port, &trusted, sni.unwrap_or(host));
        assert!(verdict.starts_with("refused"), "{case}: python {verdict}");
        let extra: Vec<&str> = sni.iter().flat_map(|name| ["--sni", name]).collect();
        let c = connect(&port, host, &trusted, &extra);
        assert_eq!(c.code(), 4, "{case}: {}", c.stderr);
        assert!(c.stdout.is_empty(), "{case}");
        assert!(c.stderr.contains(why), "{case}: {}", c.stderr);
        assert!(c.stderr.lines().any(|l| l == hint), "{case}: {}", c.stderr);
        server.interrupt();
    }
    // A certificate given to --ca as itself (pinned) must still be in date.
    let (server, port) = listener(pki.dir(), "expired");
    let pinned = pki.path("expired.pem");
    let verdict = python_verdict(&port, &pinned, "localhost");
    assert!(verdict.starts_with("refused"), "expired: python {verdict}");
    let c = connect(&port, "localhost", &pinned, &[]);
    assert_eq!(c.code(), 4, "{}", c.stderr);
    c.assert_says("the certificate of localhost:");
    c.assert_says("was refused: it has expired");
    c.assert_says("out of date");
    server.interrupt();
}

/// A listener (and a client, with `--cert`) can use a version 1 certificate, as openssl's
/// s_server can; a key that is not the certificate's is still refused. `--insecure` takes
/// one as curl -k does.
#[test]
#[cfg_attr(
    skip_peer = "openssl",
    ignore = "openssl: opted out by WSCTL_SKIP_PEERS"
)]
fn a_version_1_certificate_serves_and_its_key_is_checked() {
    need("openssl");
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let wrong = start(&[
        "tcp",
        "listen",
        "127.0.0.1:0",
        "--tls-cert",
        &file("v1.pem"),
        "--tls-key",
        &file("self-signed.key"),
    ])
    .finish();
    assert_eq!(wrong.code(), 2, "{}", wrong.stderr);
    wrong.assert_says(&format!(
        "--tls-key is not the key of the certificate in --tls-cert {}",
        file("v1.pem")
    ));
    // openssl s_client verifies the version 1 certificate wsctl serves.
    let (server, port) = listener(dir.path(), "v1");
    let out = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-CAfile", &file("ca.pem"), "-verify_return_error"])
        .args(["-verify_hostname", "localhost", "-brief"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Verification: OK"), "{said}");
    // --insecure takes it (as curl -k does); outside --ca (the system's store) it is refused
    // with the fix.
    let url = format!("wss://localhost:{port}/");
    let c = start(&[
        "ws",
        "connect",
        &url,
        "--insecure",
        "--send",
        "hi",
        "--count",
        "1",
    ])
    .finish();
    assert_eq!(
        (c.code(), c.stdout_text().as_str()),
        (0, "hi\n"),
        "{}",
        c.stderr
    );
    let mut cmd = wsctl();
    cmd.args(["ws", "connect", &url])
        .env("SSL_CERT_FILE", file("ca.pem"));
    let mut refused = spawn(cmd);
    refused.close_stdin();
    let r = refused.finish();
    assert_eq!(r.code(), 4, "{}", r.stderr);
    r.assert_says("was refused: it is not an X.509 version 3 certificate");
    r.assert_says("  hint: give the CA that issued it with --ca FILE (wsctl then reads it, as curl does), or --insecure to skip the check");
    server.interrupt();
}
