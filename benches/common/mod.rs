//! What every whole-process benchmark needs.
#![allow(dead_code)] // each bench uses its own subset

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread::JoinHandle;

/// A setting from the environment (`WSCTL_BENCH_*`), or `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether a peer program is on the PATH.
pub fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A loopback TCP port that was free a moment ago, for tools that cannot pick their own.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `wsctl ARGS` (a listener on port 0) with stdin and stdout piped; returns it and the
/// address of its `listening on ADDR` line. The rest of its stderr is drained.
pub fn wsctl_listener(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsctl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting wsctl");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("wsctl ended before listening").unwrap();
    let addr = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a listening line: {first}"))
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// Writes `bytes` bytes to `input` in a thread, then closes it (EOF). A write error (the
/// process gave up) ends it early: the receiving side's byte count tells.
pub fn feed(mut input: ChildStdin, bytes: u64) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let buf = vec![0x5au8; 128 * 1024];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            if input.write_all(&buf[..n]).is_err() {
                return;
            }
            left -= n as u64;
        }
    })
}

/// Reads `output` until `bytes` bytes have come, or it ends or fails; returns how many came.
pub fn read_up_to(output: &mut impl Read, bytes: u64) -> u64 {
    let mut buf = vec![0u8; 256 * 1024];
    let mut got = 0u64;
    while got < bytes {
        match output.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n as u64,
        }
    }
    got
}
