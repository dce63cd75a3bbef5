//! `unix connect` (issue 17): Unix stream sockets against peers that are not ours (socat,
//! ncat -U), the abstract namespace, the peer's credentials, and the errors.

mod common;

use std::io::BufReader;
use std::process::Command;

use common::*;

/// A peer listening on `address` (socat's syntax), serving one connection with its stdin
/// and stdout piped; returned once the socket is there.
fn socat_listener(address: &str, ready: &std::path::Path) -> (Proc, std::process::ChildStdout) {
    need("socat");
    let mut cmd = Command::new("socat");
    cmd.args([address, "-"]);
    let (peer, out) = streaming(cmd);
    let deadline = std::time::Instant::now() + WAIT;
    // socat says nothing once listening: its socket file (or, abstract, /proc/net/unix).
    while !ready.exists() && !abstract_listed(ready) {
        assert!(
            std::time::Instant::now() < deadline,
            "socat never listened on {address}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    (peer, out)
}

/// Whether `@name` (given as the path `@name`) is in the kernel's list of Unix sockets.
fn abstract_listed(name: &std::path::Path) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('@')
        && std::fs::read_to_string("/proc/net/unix")
            .is_ok_and(|list| list.lines().any(|l| l.ends_with(&*name)))
}

/// Both ways with socat's UNIX-LISTEN: our stdin reaches it, its answer reaches our stdout,
/// our stdin's end half-closes, and -v names the peer's credentials.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn unix_connect_talks_to_socat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    let (mut peer, out) = socat_listener(&format!("UNIX-LISTEN:{}", path.display()), &path);
    let mut out = BufReader::new(out);
    let (mut client, client_out) = Proc::start_streaming(&[
        "-v",
        "--events",
        "json",
        "unix",
        "connect",
        path.to_str().unwrap(),
    ]);
    let mut client_out = BufReader::new(client_out);
    client.write_stdin(b"from wsctl\n");
    assert_eq!(next_line(&mut out), "from wsctl\n");
    peer.write_stdin(b"from socat\n");
    assert_eq!(next_line(&mut client_out), "from socat\n");
    client.close_stdin();
    peer.close_stdin();
    let c = client.finish();
    assert_eq!(c.code(), 0, "{}", c.stderr);
    let connected = c
        .stderr
        .lines()
        .find(|l| l.contains("\"connected\""))
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(connected).unwrap();
    assert_eq!(event["addr"], format!("unix:{}", path.display()));
    assert_eq!(event["pid"], peer.pid());
    assert_eq!(event["uid"], unsafe { libc::getuid() });
    peer.finish();
}

/// An abstract socket (`@name`, socat's ABSTRACT-LISTEN): an --exec command sees the
/// connection's name and the peer's credentials.
#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
fn abstract_sockets_and_the_exec_environment() {
    let name = format!("@wsctl-test-{}", std::process::id());
    let (mut peer, out) = socat_listener(
        &format!("ABSTRACT-LISTEN:{}", &name[1..]),
        std::path::Path::new(&name),
    );
    let mut out = BufReader::new(out);
    let mut client = start(&[
        "unix",
        "connect",
        &name,
        "--exec",
        "echo \"$WSCTL_REMOTE_ADDR pid=$WSCTL_PEER_PID uid=$WSCTL_PEER_UID\"",
    ]);
    let uid = unsafe { libc::getuid() };
    assert_eq!(
        next_line(&mut out),
        format!("unix:{name} pid={} uid={uid}\n", peer.pid())
    );
    peer.close_stdin();
    client.close_stdin();
    assert_eq!(client.finish().code(), 0);
    peer.finish();
}

/// ncat -U listening: what we send arrives.
#[test]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn unix_connect_to_ncat() {
    need("ncat");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.sock");
    let mut cmd = Command::new("ncat");
    cmd.args(["-l", "-U", path.to_str().unwrap()]);
    let (mut peer, out) = streaming(cmd);
    let mut out = BufReader::new(out);
    let deadline = std::time::Instant::now() + WAIT;
    while !path.exists() {
        assert!(std::time::Instant::now() < deadline, "ncat never listened");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut client = start(&["unix", "connect", path.to_str().unwrap()]);
    client.write_stdin(b"to ncat\n");
    assert_eq!(next_line(&mut out), "to ncat\n");
    client.close_stdin();
    peer.close_stdin();
    assert_eq!(client.finish().code(), 0);
    peer.finish();
}

/// Each way a connect fails is exit 3 with the cause and the fix.
#[test]
fn unix_connect_failures_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.sock");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a socket").unwrap();
    let stale = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let cases = [
        (
            missing,
            "(no such file or directory)",
            "  hint: no socket is there: check the path, or start the server first",
        ),
        (
            file,
            "(connection refused)",
            "  hint: that file is not a socket: check the path",
        ),
        (
            stale,
            "(connection refused)",
            "  hint: the socket is there but nothing listens on it (a server that ended): start the server",
        ),
    ];
    for (path, cause, hint) in cases {
        let mut client = start(&["unix", "connect", path.to_str().unwrap()]);
        client.close_stdin();
        let c = client.finish();
        assert_eq!(c.code(), 3, "{}", c.stderr);
        let lines: Vec<&str> = c.stderr.lines().collect();
        assert_eq!(
            lines,
            [
                format!(
                    "wsctl: error: could not connect to unix:{} {cause}",
                    path.display()
                )
                .as_str(),
                hint
            ]
        );
    }
    let name = format!("@wsctl-nobody-{}", std::process::id());
    let mut client = start(&["unix", "connect", &name]);
    client.close_stdin();
    let c = client.finish();
    assert_eq!(c.code(), 3, "{}", c.stderr);
    c.assert_says(
        "  hint: nothing listens on that abstract name: check it, or start the server first",
    );
    let long = format!("/tmp/{}", "x".repeat(120));
    let too_long = start(&["unix", "connect", &long]).finish();
    assert_eq!(too_long.code(), 2, "{}", too_long.stderr);
    too_long.assert_says("wsctl: error: the Unix socket's path is 125 bytes: at most 107 fit");
    let empty = start(&["unix", "connect", "@"]).finish();
    assert_eq!(empty.code(), 2, "{}", empty.stderr);
    empty.assert_says("an empty Unix socket name");
}
