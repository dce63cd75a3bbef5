//! permessage-deflate (RFC 7692, issue 18) against a peer that is not ours: Python
//! `websockets`, which negotiates compression by default, in both roles, 10 MiB each way
//! hashed; a decompression bomb; and the negotiation's failures.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use common::*;

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/deflate_peer.py");

/// The Python peer in `mode`.
fn peer(args: &[&str]) -> Command {
    let mut cmd = python();
    cmd.arg(PEER).args(args);
    cmd
}

/// What the Python peer `cmd` reports (its JSON on stdout), once it has exited successfully.
fn report(mut cmd: Command) -> serde_json::Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Python's client (compression on) through `ws listen --deflate --echo`: 10 MiB of
/// JSON-like text and 10 MiB of binary come back as they went, and the listener says what
/// was agreed.
#[test]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn a_python_client_through_our_deflate_listener() {
    let listener = start(&["-v", "ws", "listen", "--deflate", "--echo", "127.0.0.1:0"]);
    let addr = listener.listening();
    let result = report(peer(&["client", &format!("ws://{addr}/"), "10"]));
    assert_eq!(
        result["extensions"],
        serde_json::json!(["permessage-deflate"])
    );
    assert_eq!(result["got_text"], result["sent_text"]);
    assert_eq!(result["got_binary"], result["sent_binary"]);
    let l = listener.finish();
    assert_eq!(l.code(), 0, "{}", l.stderr);
    l.assert_says(
        "compression: permessage-deflate; server_no_context_takeover; client_max_window_bits=12",
    );
}

/// `ws connect --deflate` to Python's echo server: 10 MiB of text lines, then 10 MiB of
/// binary (`-b`), come back as they went.
#[test]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn our_deflate_client_against_a_python_server() {
    let mut server = peer(&["server"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(server.stderr.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let url = format!("ws://{addr}/");
    let mut text = Vec::new();
    let mut n = 0u64;
    while text.len() < 10 << 20 {
        writeln!(
            text,
            r#"{{"id":{n},"symbol":"ABC{}","price":{}.25,"side":"buy"}}"#,
            n % 97,
            n
        )
        .unwrap();
        n += 1;
    }
    let mut binary = vec![0u8; 10 << 20];
    Pattern::new(18).fill(&mut binary[..5 << 20]);
    for (args, input) in [
        (vec!["-v", "ws", "connect", "--deflate", &url], &text),
        (
            vec!["-v", "ws", "connect", "--deflate", "-b", &url],
            &binary,
        ),
    ] {
        // -v says a line per message: stderr goes to a file, not a pipe nobody reads.
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut client = wsctl()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let mut stdin = client.stdin.take().unwrap();
        let data = input.clone();
        let writer = std::thread::spawn(move || stdin.write_all(&data).unwrap());
        let mut got = Vec::new();
        client.stdout.take().unwrap().read_to_end(&mut got).unwrap();
        writer.join().unwrap();
        let status = client.wait().unwrap();
        let stderr = std::fs::read_to_string(log.path()).unwrap();
        assert!(status.success(), "{stderr}");
        assert!(
            got == *input,
            "{args:?}: {} bytes back of {}",
            got.len(),
            input.len()
        );
        assert!(
            stderr.contains("compression: permessage-deflate"),
            "{stderr}"
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// A frame of a few KiB that inflates to 64 MiB, against a 1 MiB limit: the listener closes
/// with 1009 without ever holding the message (its peak memory stays far below it).
#[test]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn a_decompression_bomb_is_a_1009_and_costs_no_memory() {
    let listener = start(&[
        "ws",
        "listen",
        "-k",
        "--deflate",
        "--echo",
        "--max-message-size",
        "1M",
        "127.0.0.1:0",
    ]);
    let addr = listener.listening();
    let pid = listener.pid();
    let result = report(peer(&["bomb", &format!("ws://{addr}/"), "64"]));
    assert_eq!(result["close_code"], 1009, "{result}");
    assert!(
        result["frame_bytes"].as_u64().unwrap() < 100_000,
        "{result}"
    );
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(peak_kib < 32 * 1024, "peak RSS {peak_kib} KiB");
    let l = listener.interrupt();
    l.assert_says("1009");
}

/// Without --deflate, an offer is not taken: Python's client talks uncompressed.
#[test]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn without_deflate_the_offer_is_declined() {
    let listener = start(&["ws", "listen", "--echo", "127.0.0.1:0"]);
    let addr = listener.listening();
    let result = report(peer(&["client", &format!("ws://{addr}/"), "1"]));
    assert_eq!(result["extensions"], serde_json::json!([]));
    assert_eq!(result["got_text"], result["sent_text"]);
    assert_eq!(listener.finish().code(), 0);
}

/// A server whose answer breaks RFC 7692 (an unknown parameter, a window out of range, the
/// extension twice) fails our handshake with exit 4, saying what it answered.
#[test]
fn a_bad_deflate_answer_fails_the_handshake() {
    for (answer, says) in [
        (
            "permessage-deflate; foo=1",
            "the server answered permessage-deflate with an unknown parameter (foo)",
        ),
        (
            "permessage-deflate; server_max_window_bits=16",
            "the server gave server_max_window_bits a value out of range (16)",
        ),
        (
            "permessage-deflate, permessage-deflate",
            "the server accepted 2 extensions; we offered one",
        ),
    ] {
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let answer = answer.to_string();
        let handle = std::thread::spawn(move || {
            let (mut s, _) = server.accept().unwrap();
            accept_101(&mut s, &format!("Sec-WebSocket-Extensions: {answer}\r\n"));
        });
        let client = start(&["ws", "connect", "--deflate", &format!("ws://{addr}/")]);
        let c = client.finish();
        handle.join().unwrap();
        assert_eq!(c.code(), 4, "{}", c.stderr);
        c.assert_says(says);
    }
}

/// wscat (Node's `ws`, which offers permessage-deflate by default) to `ws listen --deflate
/// --echo`: compression is agreed and the message comes back.
#[test]
#[cfg_attr(skip_peer = "wscat", ignore = "wscat: opted out by WSCTL_SKIP_PEERS")]
fn wscat_offers_and_our_listener_agrees() {
    let listener = start(&["-v", "ws", "listen", "--deflate", "--echo", "127.0.0.1:0"]);
    let addr = listener.listening();
    // wscat quits at its stdin's end, before -x has run: stdin stays open until it is done.
    let mut child = wscat()
        .args([
            "-c",
            &format!("ws://{addr}/"),
            "-x",
            "compressed hello",
            "-w",
            "1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let _ = child.wait();
    assert!(
        stdout.contains("compressed hello"),
        "wscat printed {stdout:?}"
    );
    let l = listener.finish();
    assert_eq!(l.code(), 0, "{}", l.stderr);
    l.assert_says(
        "compression: permessage-deflate; server_no_context_takeover; client_max_window_bits=12",
    );
}

/// `--exec` behind `ws listen --deflate`: Python's compressed message reaches the program,
/// and its answer goes back compressed.
#[test]
#[cfg_attr(skip_peer = "python", ignore = "python: opted out by WSCTL_SKIP_PEERS")]
fn exec_behind_a_deflate_listener() {
    let listener = start(&[
        "ws",
        "listen",
        "--deflate",
        "--exec",
        // Line by line: tr alone would hold its output until its input ends.
        "while read -r line; do echo \"$line\" | tr a-z A-Z; done",
        "127.0.0.1:0",
    ]);
    let addr = listener.listening();
    let result = report(peer(&["one", &format!("ws://{addr}/"), "shout this"]));
    assert_eq!(
        result["extensions"],
        serde_json::json!(["permessage-deflate"])
    );
    assert_eq!(result["reply"], "SHOUT THIS");
    let _ = listener.finish();
}
