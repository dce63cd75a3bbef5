//! `wsctl udp send` and `wsctl udp listen`: against each other, socat and ncat, many senders,
//! multicast and broadcast on loopback, and a 100,000-datagram burst.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

/// Collects a listener's output lines until the line `END`.
fn read_until_end(out: std::process::ChildStdout) -> std::sync::mpsc::Receiver<Vec<String>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut got = Vec::new();
        for line in BufReader::new(out).lines() {
            let line = line.unwrap();
            if line == "END" {
                break;
            }
            got.push(line);
        }
        let _ = tx.send(got);
    });
    rx
}

/// Sends `END` to `addr` until the listener has printed it: a datagram queued after all the
/// others, so everything before it has been written. UDP may drop the marker too (a full
/// receive buffer), hence the repeats; the whole wait is bounded by [`WAIT`].
fn end_marker(addr: &str, reader: std::sync::mpsc::Receiver<Vec<String>>) -> Vec<String> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        socket.send_to(b"END", addr).unwrap();
        match reader.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(got) => return got,
            Err(_) => assert!(std::time::Instant::now() < deadline, "END never printed"),
        }
    }
}

/// Stops a listener (it runs until interrupted: the first Ctrl-C is its graceful
/// shutdown) and returns how it ended.
fn stop(listener: Proc) -> Finished {
    signal(listener.pid(), "INT");
    let done = listener.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    done
}

#[test]
fn lines_become_datagrams_and_replies_go_to_the_latest_sender() {
    let (mut listener, out) = Proc::start_streaming(&["-v", "udp", "listen", "127.0.0.1:0"]);
    let addr = listener.listening();
    let mut out = BufReader::new(out);
    let (mut sender, sender_out) =
        Proc::start_streaming(&["udp", "send", &addr, "--wait", "200ms"]);
    let mut sender_out = BufReader::new(sender_out);
    sender.write_stdin(b"hello\n\nlast without newline");
    assert_eq!(next_line(&mut out), "hello\n");
    assert_eq!(
        next_line(&mut out),
        "\n",
        "an empty line is an empty datagram"
    );
    assert!(
        listener
            .line_containing("datagram from 127.0.0.1:")
            .contains("(5 bytes)")
    );
    listener.write_stdin(b"reply\n");
    assert_eq!(next_line(&mut sender_out), "reply\n");
    sender.close_stdin();
    let s = sender.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert_eq!(next_line(&mut out), "last without newline\n");
    stop(listener);
}

#[test]
fn null_and_binary_framing() {
    let (listener, mut out) = Proc::start_streaming(&["udp", "listen", "127.0.0.1:0", "-b"]);
    let addr = listener.listening();
    let mut sender = start(&["udp", "send", &addr, "-0", "--wait", "0s"]);
    sender.write_stdin(b"one\ntwo\0three\0");
    assert_eq!(sender.finish().code(), 0);
    // The listener (-b) writes payloads raw: the two records, joined, with no delimiter.
    assert_eq!(read_within(&mut out, 12), b"one\ntwothree");
    stop(listener);
}

#[test]
fn a_record_too_large_for_a_datagram_is_an_error_and_nothing_is_cut() {
    let (listener, out) = Proc::start_streaming(&["udp", "listen", "127.0.0.1:0"]);
    let addr = listener.listening();
    let mut out = BufReader::new(out);
    let mut sender = start(&["udp", "send", &addr, "--wait", "0s"]);
    let mut input = b"fits\n".to_vec();
    input.extend(vec![b'x'; 65_508]);
    input.extend(b"\nnever sent\n");
    sender.write_stdin(&input);
    let s = sender.finish();
    assert_eq!(s.code(), 1, "{}", s.stderr);
    assert!(
        s.stderr.contains("a record of 65508 bytes is larger than a UDP datagram can carry (65507 bytes over IPv4)"),
        "{}",
        s.stderr
    );
    assert!(s.stderr.contains("-b/--binary"), "{}", s.stderr);
    assert_eq!(next_line(&mut out), "fits\n");
    // The largest datagram does go through whole.
    let mut sender = start(&["udp", "send", &addr, "--wait", "0s"]);
    let mut max = vec![b'y'; 65_507];
    max.push(b'\n');
    sender.write_stdin(&max);
    assert_eq!(sender.finish().code(), 0);
    assert_eq!(next_line(&mut out).len(), 65_508);
    stop(listener);
}

#[test]
fn a_closed_port_is_reported_as_exit_3() {
    let port = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().port()
    };
    let mut sender = start(&["udp", "send", "127.0.0.1", &port.to_string()]);
    sender.write_stdin(b"anyone?\n");
    let s = sender.finish();
    assert_eq!(s.code(), 3, "{}", s.stderr);
    assert!(
        s.stderr.contains("nothing is listening on UDP 127.0.0.1:"),
        "{}",
        s.stderr
    );
}

#[test]
#[cfg_attr(skip_peer = "socat", ignore = "socat: opted out by WSCTL_SKIP_PEERS")]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn socat_and_ncat_interoperate_both_ways() {
    need("socat");
    need("ncat");
    // socat sends to wsctl: one write, one datagram.
    let (listener, out) = Proc::start_streaming(&["udp", "listen", "127.0.0.1:0"]);
    let addr = listener.listening();
    let mut out = BufReader::new(out);
    let status = Command::new("sh")
        .args([
            "-c",
            &format!("printf 'from socat' | socat -u STDIN UDP:{addr}"),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(next_line(&mut out), "from socat\n");
    // ncat sends and gets the listener's reply.
    let mut listener = listener;
    let mut ncat = Command::new("ncat");
    let (host, port) = addr.rsplit_once(':').unwrap();
    ncat.args(["-u", host, port]);
    let (mut ncat, ncat_out) = streaming(ncat);
    ncat.write_stdin(b"from ncat\n");
    // ncat sends what it read, newline included; wsctl adds none to a datagram that ends
    // with one (it wrote a blank line after each).
    assert_eq!(next_line(&mut out), "from ncat\n");
    ncat.write_stdin(b"second\n");
    assert_eq!(next_line(&mut out), "second\n", "no blank line between");
    listener.write_stdin(b"to ncat\n");
    // The reply is the line without its newline, and ncat prints it as it is.
    let mut ncat_out = ncat_out;
    assert_eq!(read_within(&mut ncat_out, 7), b"to ncat");
    signal(ncat.pid(), "KILL");
    let _ = ncat.finish();
    stop(listener);

    // wsctl sends to socat.
    let mut socat = Command::new("socat");
    socat.args(["-u", "UDP-RECV:0,bind=127.0.0.1", "STDOUT"]);
    let (socat, socat_out) = streaming(socat);
    let port = listening_port("udp", socat.pid());
    let mut sender = start(&[
        "udp",
        "send",
        "127.0.0.1",
        &port.to_string(),
        "--wait",
        "0s",
    ]);
    sender.write_stdin(b"to socat\n");
    assert_eq!(sender.finish().code(), 0);
    let mut socat_out = socat_out;
    let got = read_within(&mut socat_out, 8);
    assert_eq!(got, b"to socat", "one line, one datagram, no newline");
    signal(socat.pid(), "KILL");
    let _ = socat.finish();
}

#[test]
fn many_senders_one_listener() {
    const SENDERS: usize = 8;
    const LINES: usize = 200;
    let (listener, out) = Proc::start_streaming(&["udp", "listen", "127.0.0.1:0"]);
    let addr = listener.listening();
    let reader = read_until_end(out);
    let senders: Vec<_> = (0..SENDERS)
        .map(|i| {
            let mut sender = start(&["udp", "send", &addr, "--wait", "0s"]);
            let input: String = (0..LINES)
                .map(|j| format!("sender {i} line {j}\n"))
                .collect();
            sender.write_stdin(input.as_bytes());
            sender
        })
        .collect();
    for sender in senders {
        assert_eq!(sender.finish().code(), 0);
    }
    let got = end_marker(&addr, reader);
    stop(listener);
    for i in 0..SENDERS {
        // Each sender's datagrams arrive in its order (loopback does not reorder).
        let mine: Vec<&String> = got
            .iter()
            .filter(|l| l.starts_with(&format!("sender {i} ")))
            .collect();
        let want: Vec<String> = (0..LINES).map(|j| format!("sender {i} line {j}")).collect();
        assert!(
            mine.iter().zip(&want).all(|(a, b)| *a == b) && mine.len() == LINES,
            "sender {i}"
        );
    }
}

#[test]
fn multicast_group_on_loopback() {
    let group = "239.255.42.99";
    let (listener, out) = Proc::start_streaming(&[
        "udp",
        "listen",
        "0",
        "--multicast",
        group,
        "--interface",
        "127.0.0.1",
    ]);
    let addr = listener.listening();
    assert!(addr.starts_with("0.0.0.0:"), "{addr}");
    let port = addr.rsplit(':').next().unwrap();
    let mut sender = start(&[
        "udp",
        "send",
        group,
        port,
        "--interface",
        "127.0.0.1",
        "--ttl",
        "1",
        "--wait",
        "0s",
    ]);
    sender.write_stdin(b"to the group\n");
    assert_eq!(sender.finish().code(), 0);
    assert_eq!(next_line(&mut BufReader::new(out)), "to the group\n");
    stop(listener);
    let bad = wsctl()
        .args(["udp", "listen", "0", "--multicast", "10.1.2.3"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a multicast address"));
}

/// 127.255.255.255 is loopback's broadcast address: nothing leaves the machine.
#[test]
fn broadcast_needs_the_flag() {
    let (listener, out) = Proc::start_streaming(&["udp", "listen", "0.0.0.0:0"]);
    let port = listener.listening().rsplit(':').next().unwrap().to_string();
    // Refused at once (connecting the socket), before any input is read.
    let refused = spawn_with(
        {
            let mut cmd = wsctl();
            cmd.args(["udp", "send", "127.255.255.255", &port, "--wait", "0s"]);
            cmd
        },
        Stdio::null(),
    );
    let r = refused.finish();
    assert_eq!(r.code(), 3, "{}", r.stderr);
    assert!(r.stderr.contains("--broadcast"), "{}", r.stderr);
    let mut sender = start(&[
        "udp",
        "send",
        "127.255.255.255",
        &port,
        "--broadcast",
        "--wait",
        "0s",
    ]);
    sender.write_stdin(b"everyone\n");
    assert_eq!(sender.finish().code(), 0);
    assert_eq!(next_line(&mut BufReader::new(out)), "everyone\n");
    stop(listener);
}

#[test]
fn echo_exec_ipv6_and_json_events() {
    // --echo over IPv6.
    let listener = start(&["udp", "listen", "[::1]:0", "--echo"]);
    let addr = listener.listening();
    let mut sender = start(&["udp", "send", &addr, "--wait", "300ms"]);
    sender.write_stdin(b"ping over v6\n");
    let s = sender.finish();
    assert_eq!(s.stdout_text(), "ping over v6\n", "{}", s.stderr);
    stop(listener);

    // --exec: one command per sender, its output back to that sender.
    let (listener, _out) = Proc::start_streaming(&[
        "--events",
        "json",
        "-v",
        "udp",
        "listen",
        "127.0.0.1:0",
        "-e",
        r#"while read -r line; do echo "$line to $WSCTL_REMOTE_PORT"; done"#,
    ]);
    let addr = listener.listening_json();
    let (mut a, a_out) = Proc::start_streaming(&["udp", "send", &addr, "--wait", "5s"]);
    let (mut b, b_out) = Proc::start_streaming(&["udp", "send", &addr, "--wait", "5s"]);
    a.write_stdin(b"from a\n");
    b.write_stdin(b"from b\n");
    let (a_line, b_line) = (
        next_line(&mut BufReader::new(a_out)),
        next_line(&mut BufReader::new(b_out)),
    );
    assert!(a_line.starts_with("from a to "), "{a_line}");
    assert!(b_line.starts_with("from b to "), "{b_line}");
    assert_ne!(
        a_line[10..],
        b_line[10..],
        "each sender has its own command"
    );
    let event: serde_json::Value =
        serde_json::from_str(&listener.line_containing("\"datagram\"")).unwrap();
    assert_eq!(event["size"], 6, "the line without its newline");
    assert!(event["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    for p in [a, b] {
        signal(p.pid(), "KILL");
        let _ = p.finish();
    }
    stop(listener);
}

/// SIGTERM (a service manager's stop) is the graceful shutdown, as for `tcp listen`: the
/// datagrams received by then all reach stdout, even one that stdout's reader had not taken
/// yet, and the exit is 0 (it was death by the signal, 143).
#[test]
fn sigterm_writes_out_what_was_received_and_exits_0() {
    let (listener, mut out) = Proc::start_streaming(&["-v", "udp", "listen", "127.0.0.1:0"]);
    let addr = listener.listening();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    // 96 KiB: more than a pipe holds while nobody reads stdout.
    let mut sent = Vec::new();
    for n in 0..12u8 {
        let datagram = vec![b'a' + n; 8191];
        socket.send_to(&datagram, &addr).unwrap();
        let _ = listener.line_containing("(8191 bytes)");
        sent.extend(datagram);
        sent.push(b'\n'); // a datagram is a line of stdout
    }
    signal(listener.pid(), "TERM");
    let got = read_within(&mut out, sent.len());
    let first_difference = got.iter().zip(&sent).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "stdout differs from what was sent");
    let done = listener.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    done.assert_says("shutting down (Ctrl-C again to stop now)");
}

/// `--exec` on SIGTERM: each sender's command gets EOF, and what it writes then still
/// reaches its sender before the exit 0. A command that does not end is stopped by the
/// second Ctrl-C, exit 130.
#[test]
fn sigterm_lets_exec_commands_answer_and_a_second_ctrl_c_stops_at_once() {
    let (listener, _out) =
        Proc::start_streaming(&["udp", "listen", "127.0.0.1:0", "-e", "cat; echo bye"]);
    let addr = listener.listening();
    let (mut sender, sender_out) =
        Proc::start_streaming(&["udp", "send", &addr, "--wait", "forever"]);
    let mut sender_out = BufReader::new(sender_out);
    sender.write_stdin(b"hi\n");
    assert_eq!(next_line(&mut sender_out), "hi\n");
    signal(listener.pid(), "TERM");
    assert_eq!(
        next_line(&mut sender_out),
        "bye\n",
        "the command's last words"
    );
    let done = listener.finish();
    assert_eq!(done.code(), 0, "{}", done.stderr);
    done.assert_says("shutting down: 1 connection(s) to close");
    signal(sender.pid(), "INT");
    let _ = sender.finish();

    let listener = start(&["udp", "listen", "127.0.0.1:0", "-e", "sleep 30"]);
    let addr = listener.listening();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.send_to(b"wake\n", &addr).unwrap();
    let _ = listener.line_containing("new sender");
    signal(listener.pid(), "INT");
    let _ = listener.line_containing("shutting down: 1 connection(s) to close");
    signal(listener.pid(), "INT");
    let done = listener.finish();
    assert_eq!(done.code(), 130, "{}", done.stderr);
}

/// Reads `/proc/net/snmp`'s UDP receive-buffer drop counter (the whole machine's).
fn kernel_udp_drops() -> u64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap();
    let mut rows = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let names: Vec<&str> = rows.next().unwrap().split_whitespace().collect();
    let values: Vec<&str> = rows.next().unwrap().split_whitespace().collect();
    let at = names.iter().position(|n| *n == "RcvbufErrors").unwrap();
    values[at].parse().unwrap()
}

/// 100,000 datagrams as fast as wsctl sends them: what arrives is counted honestly. UDP may
/// drop (the kernel counts that); wsctl itself must write every datagram it received.
#[test]
fn a_burst_of_100_000_datagrams_is_counted_honestly() {
    const COUNT: usize = 100_000;
    let drops_before = kernel_udp_drops();
    let (listener, out) = Proc::start_streaming(&["udp", "listen", "127.0.0.1:0"]);
    let addr = listener.listening();
    let reader = read_until_end(out);
    let input: String = (0..COUNT).map(|i| format!("datagram {i}\n")).collect();
    let mut sender = start(&["udp", "send", &addr, "--wait", "0s"]);
    sender.write_stdin(input.as_bytes());
    assert_eq!(sender.finish().code(), 0);
    let got = end_marker(&addr, reader);
    let drops = kernel_udp_drops() - drops_before;
    eprintln!(
        "burst: {COUNT} sent, {} arrived and were written, {drops} dropped by the kernel",
        got.len()
    );
    // Nothing duplicated or mangled, in order, and every loss accounted for by the kernel.
    let mut last = None;
    for line in &got {
        let n: usize = line.strip_prefix("datagram ").unwrap().parse().unwrap();
        assert!(last.is_none_or(|l| n > l), "out of order at {n}");
        last = Some(n);
    }
    assert!(
        got.len() as u64 + drops >= COUNT as u64,
        "{} + {drops}",
        got.len()
    );
    stop(listener);
}
