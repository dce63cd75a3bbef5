//! `--events json` against the schema documented in the README: every event of every
//! scenario here is checked against the table there, and every kind the table lists must
//! show up.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;

use common::*;
use serde_json::Value;

/// The README's event table: kind -> (required fields, optional fields).
fn documented() -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### Event schema (`--events json`)")
        .nth(1)
        .expect("the README has an event schema section");
    let names = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect()
    };
    let mut schema = BTreeMap::new();
    for row in section
        .lines()
        .skip_while(|l| !l.starts_with("| event"))
        .skip(2)
    {
        if !row.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = row.split('|').collect();
        let kind = names(cells[1]).pop().expect("an event name");
        schema.insert(kind, (names(cells[2]), names(cells[3])));
    }
    assert!(schema.len() > 10, "the table was not found: {schema:?}");
    schema
}

fn json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--events", "json"];
    all.extend_from_slice(args);
    all
}

fn check(
    line: &str,
    schema: &BTreeMap<String, (Vec<String>, Vec<String>)>,
    seen: &mut BTreeSet<String>,
) {
    let event: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    let obj = event.as_object().expect("an object");
    let kind = obj["event"].as_str().expect("event is a string");
    let (required, optional) = schema
        .get(kind)
        .unwrap_or_else(|| panic!("event `{kind}` is not documented: {line}"));
    let time = obj["time"].as_str().expect("time is a string");
    // RFC 3339, UTC, microseconds: 2026-11-25T12:57:59.196172Z
    assert_eq!(time.len(), 27, "{time}");
    assert!(
        time.ends_with('Z') && time.as_bytes()[10] == b'T' && time.as_bytes()[19] == b'.',
        "{time}"
    );
    assert!(humantime::parse_rfc3339(time).is_ok(), "{time}");
    for field in required {
        assert!(obj.contains_key(field), "`{kind}` lacks `{field}`: {line}");
    }
    for field in obj.keys() {
        let known = field == "event"
            || field == "time"
            || required.contains(field)
            || optional.contains(field);
        assert!(known, "`{kind}` has undocumented field `{field}`: {line}");
    }
    seen.insert(kind.to_string());
}

#[test]
fn every_event_matches_the_documented_schema() {
    let schema = documented();
    let mut lines: Vec<String> = Vec::new();

    // TCP both ways at -vv: listening, accepted, connecting, connected, eof, closed.
    let mut server = start(&json(&["-vv", "tcp", "listen", "127.0.0.1:0"]));
    let addr = server.listening_json();
    let mut client = start(&json(&["-vv", "tcp", "connect", &addr]));
    client.write_stdin(b"x");
    server.close_stdin();
    let c = client.finish();
    let s = server.finish();
    lines.extend(c.stderr.lines().map(String::from));
    lines.extend(s.stderr.lines().map(String::from));

    // A refused connection: connect_failed, error; --reconnect: reconnecting, reconnect_failed.
    let port = closed_port().to_string();
    let refused = wsctl()
        .args(json(&["-v", "tcp", "connect", "127.0.0.1", &port]))
        .args([
            "--reconnect",
            "--retries",
            "1",
            "--reconnect-max-delay",
            "10ms",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    lines.extend(
        String::from_utf8_lossy(&refused.stderr)
            .lines()
            .map(String::from),
    );

    // WebSocket over TLS at -vv, compressed: tls_certificate, tls, request, handshake,
    // deflate, message, ping, pong, count, closed (and --insecure's warning).
    let server = start(&json(&[
        "-vv",
        "ws",
        "listen",
        "127.0.0.1:0",
        "--echo",
        "--tls-self-signed",
        "--deflate",
    ]));
    let addr = server.listening_json();
    let mut client = start(&json(&[
        "-vv",
        "ws",
        "connect",
        &format!("wss://{addr}/"),
        "--insecure",
        "--deflate",
        "--ping-interval",
        "20ms",
        "--count",
        "1",
    ]));
    let _ = client.line_containing("\"pong\"");
    client.write_stdin(b"hello\n");
    // stdin stays open: --count is what ends the run.
    let c = client.finish_keeping_stdin();
    let s = server.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    lines.extend(c.stderr.lines().map(String::from));
    lines.extend(s.stderr.lines().map(String::from));

    // A failed handshake at a listener: warning.
    let server = start(&json(&[
        "ws",
        "listen",
        "127.0.0.1:0",
        "--path",
        "/only",
        "-k",
    ]));
    let addr = server.listening_json();
    let _ = wsctl()
        .args(["ws", "connect", &format!("ws://{addr}/other")])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = server.line_containing("\"warning\"");
    signal(server.pid(), "INT");
    lines.extend(server.finish().stderr.lines().map(String::from));

    // UDP at -vv: datagram, waiting.
    let server = start(&json(&["-vv", "udp", "listen", "127.0.0.1:0", "--echo"]));
    let addr = server.listening_json();
    let mut client = start(&json(&["-vv", "udp", "send", &addr, "--wait", "200ms"]));
    client.write_stdin(b"d\n");
    lines.extend(client.finish().stderr.lines().map(String::from));
    signal(server.pid(), "INT");
    lines.extend(server.finish().stderr.lines().map(String::from));

    // A scan: the open port on stdout, its summary on stderr.
    let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port().to_string();
    let scan = start(&json(&["tcp", "connect", "-z", "127.0.0.1", &port])).finish();
    lines.extend(scan.stderr.lines().map(String::from));

    // A redirect followed (-L), to a server that then answers 101.
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let to = target.local_addr().unwrap();
    let moved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let from = moved.local_addr().unwrap();
    let servers = std::thread::spawn(move || {
        let (mut k, _) = moved.accept().unwrap();
        head(&mut k);
        let answer = format!(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: ws://{to}/new\r\nContent-Length: 0\r\n\r\n"
        );
        std::io::Write::write_all(&mut k, answer.as_bytes()).unwrap();
        let (mut k, _) = target.accept().unwrap();
        accept_101(&mut k, "");
        k
    });
    let mut client = start(&json(&["ws", "connect", "-L", &format!("ws://{from}/old")]));
    let _ = client.line_containing("\"connected\"");
    let _ = client.line_containing("\"redirect\"");
    let kept = servers.join().unwrap();
    drop(kept);
    client.close_stdin();
    lines.extend(client.finish().stderr.lines().map(String::from));

    // Unix sockets at -v: the peer's credentials (peer), a datagram client's own name
    // (bound).
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("s.sock");
    let mut server = start(&json(&["-v", "unix", "listen", stream.to_str().unwrap()]));
    let _ = server.listening_json();
    let mut client = start(&json(&["-v", "unix", "connect", stream.to_str().unwrap()]));
    client.write_stdin(b"x");
    server.close_stdin();
    client.close_stdin();
    lines.extend(client.finish().stderr.lines().map(String::from));
    lines.extend(server.finish().stderr.lines().map(String::from));
    let dgram = dir.path().join("d.sock");
    let server = start(&json(&[
        "unix",
        "listen",
        "--dgram",
        dgram.to_str().unwrap(),
    ]));
    let _ = server.listening_json();
    let mut client = start(&json(&[
        "-v",
        "unix",
        "connect",
        "--dgram",
        "--linger",
        "0",
        dgram.to_str().unwrap(),
    ]));
    client.close_stdin();
    lines.extend(client.finish().stderr.lines().map(String::from));
    lines.extend(server.interrupt().stderr.lines().map(String::from));

    let mut seen = BTreeSet::new();
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        check(line, &schema, &mut seen);
    }
    let missing: Vec<&String> = schema.keys().filter(|k| !seen.contains(*k)).collect();
    assert!(
        missing.is_empty(),
        "documented but never emitted here: {missing:?}"
    );
}
