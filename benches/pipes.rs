//! Pipes, whole processes on loopback, as a user's shell wires them: a file on disk goes
//! through a sender and a receiver into `head -c N | wc -c`, each pipeline run by `sh -c`,
//! against the floor of the same harness without any network:
//!
//! ```text
//! floor:        cat < FILE | cat | head -c N | wc -c
//! wsctl tcp:    wsctl tcp connect ADDR < FILE     wsctl tcp listen 127.0.0.1:0 | head -c N | wc -c
//! socat tcp:    socat -u STDIN TCP:ADDR < FILE    socat -u TCP-LISTEN:0,... STDOUT | head ...
//! wsctl ws -b:  wsctl ws connect -b ws://ADDR/    wsctl ws listen -b 127.0.0.1:0 | head ...
//! websocat -b:  websocat -b ws://ADDR/ < FILE     websocat -b --oneshot ws-l:ADDR - | head ...
//! ```
//!
//! The pipelines run interleaved, round after round; each is timed from the sender's start
//! (the floor's start) to `wc`'s line, which must say N (nothing lost). Reported per
//! pipeline: the median MiB/s, the ratio of its median time to the floor's, and the CPU
//! (user + system of every process of both pipelines, from `getrusage(RUSAGE_CHILDREN)`
//! around them: each `sh` waits for its own children) per GiB moved, and of that the CPU of
//! `head` and `wc` alone (they run under a shell of their own, whose `times` says): the
//! same two programs, doing the same reads and writes behind every sender, whose cost still
//! moves with what runs beside them (the README's pipes section). Peers that are not on
//! the PATH are reported as not measured.
//!
//! ```text
//! cargo bench --bench pipes
//! WSCTL_BENCH_BYTES=268435456 WSCTL_BENCH_ROUNDS=3 cargo bench --bench pipes
//! WSCTL_BENCH_ONLY=floor,wsctl WSCTL_BENCH_BASELINE=/path/to/an/older/wsctl cargo bench --bench pipes
//! ```
//!
//! `WSCTL_BENCH_ONLY` keeps the pipelines whose names start with one of its words (the floor
//! is always run); `WSCTL_BENCH_BASELINE` adds wsctl's pipelines again with that binary
//! (named `baseline ...`), for a before/after in the same run, or with each binary of a
//! comma-separated list (`baseline ...`, `baseline2 ...`, ...).
//!
//! The file (WSCTL_BENCH_BYTES, default 1 GiB, pseudo-random) is made once under the target
//! directory (`CARGO_TARGET_TMPDIR`), not /tmp, which may be small, and kept for the next run.

mod common;

use common::{env_or, free_port, installed};

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WSCTL: &str = env!("CARGO_BIN_EXE_wsctl");

/// The longest any one wait may take before the bench fails.
const WAIT: Duration = Duration::from_secs(120);

/// How a receiver's address is learnt.
#[derive(Clone, Copy)]
enum Port {
    /// Its first stderr line is `listening on ADDR` (wsctl).
    Line,
    /// A stderr line says `listening on ... HOST:PORT` (socat `-d -d`).
    Socat,
    /// It says nothing: it is given a free port (`{port}`), and the bench waits until the
    /// port is in the LISTEN state in /proc/net/tcp, since a probing connect would use up
    /// websocat's `--oneshot`.
    Free,
}

struct Pipeline {
    name: &'static str,
    /// The program that must be on the PATH, if any.
    needs: Option<&'static str>,
    /// The receiver's shell command (`{tail}`: `head -c N | wc -c`; `{port}`: a free port),
    /// or for the floor the whole pipeline (`{file}`).
    receiver: &'static str,
    /// The sender's shell command (`{addr}`: `127.0.0.1:PORT`; `{file}`); `None`: the floor.
    sender: Option<&'static str>,
    port: Port,
}

const PIPELINES: &[Pipeline] = &[
    Pipeline {
        name: "floor (cat | cat)",
        needs: None,
        receiver: "cat < {file} | cat | {tail}",
        sender: None,
        port: Port::Line,
    },
    Pipeline {
        name: "wsctl tcp",
        needs: None,
        receiver: "{wsctl} tcp listen 127.0.0.1:0 | {tail}",
        sender: Some("{wsctl} tcp connect {addr} < {file}"),
        port: Port::Line,
    },
    Pipeline {
        name: "socat tcp",
        needs: Some("socat"),
        receiver: "socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1 STDOUT | {tail}",
        sender: Some("socat -u STDIN TCP:{addr} < {file}"),
        port: Port::Socat,
    },
    Pipeline {
        name: "wsctl ws -b",
        needs: None,
        receiver: "{wsctl} ws listen -b 127.0.0.1:0 | {tail}",
        sender: Some("{wsctl} ws connect -b ws://{addr}/ < {file}"),
        port: Port::Line,
    },
    Pipeline {
        name: "websocat -b",
        needs: Some("websocat"),
        receiver: "websocat -b --oneshot ws-l:127.0.0.1:{port} - | {tail}",
        sender: Some("websocat -b ws://{addr}/ < {file}"),
        port: Port::Free,
    },
];

/// The user + system CPU time of this process's children waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the zeroed struct we own; RUSAGE_CHILDREN is always valid.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// `sh -c COMMAND`, stdin, stdout and stderr piped. A receiver's stdin is held open until
/// `wc` has counted, as a terminal's would be: a WebSocket listener closes after `--linger`
/// once its stdin ends.
fn sh(command: &str) -> Child {
    Command::new("sh")
        .args(["-c", command])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting sh")
}

/// Waits for `child` to exit, within [`WAIT`].
fn wait(mut child: Child, what: &str) -> std::process::ExitStatus {
    let (tx, rx) = mpsc::channel();
    let pid = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(WAIT) {
        Ok(status) => status.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{what} did not end within {WAIT:?}");
        }
    }
}

/// The lines of `from`, as a channel (read by a thread until the end).
fn lines_of(from: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                return;
            }
        }
    });
    rx
}

/// The next line of `lines` within [`WAIT`].
fn next_line(lines: &mpsc::Receiver<String>, what: &str) -> String {
    lines
        .recv_timeout(WAIT)
        .unwrap_or_else(|e| panic!("{what}: no line within {WAIT:?} ({e})"))
}

/// Waits (polling /proc/net/tcp, within [`WAIT`]) until `port` is listening on loopback.
fn wait_listening(port: u16) {
    let wanted = format!("0100007F:{port:04X} 00000000:0000 0A");
    let deadline = Instant::now() + WAIT;
    while !std::fs::read_to_string("/proc/net/tcp").is_ok_and(|t| t.contains(&wanted)) {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One run of `p`: the time from the sender's start to `wc`'s line, and the CPU of all
/// the processes of the pipeline.
fn run(p: &Pipeline, wsctl: &str, file: &Path, bytes: u64) -> (Duration, Duration, Duration) {
    // `head` and `wc` run under a shell of their own, whose `times` (its children's CPU, the
    // second line) is kept in `tail_times`.
    let tail_times = file.with_extension("tail-times");
    let _ = std::fs::remove_file(&tail_times);
    let tail = format!(
        "sh -c 'head -c {bytes} | wc -c; times > {}'",
        tail_times.display()
    );
    let fill = |s: &str, addr: &str, port: u16| {
        s.replace("{tail}", &tail)
            .replace("{wsctl}", wsctl)
            .replace("{file}", &file.display().to_string())
            .replace("{n}", &bytes.to_string())
            .replace("{addr}", addr)
            .replace("{port}", &port.to_string())
    };
    let cpu = children_cpu();
    let port = free_port();
    let mut start = Instant::now();
    let mut receiver = sh(&fill(p.receiver, "", port));
    let out = lines_of(receiver.stdout.take().unwrap());
    let err = lines_of(receiver.stderr.take().unwrap());
    let mut sender = None;
    if let Some(command) = p.sender {
        let addr = match p.port {
            Port::Line => {
                let line = next_line(&err, p.name);
                line.strip_prefix("listening on ")
                    .unwrap_or_else(|| panic!("{}: not a listening line: {line}", p.name))
                    .to_string()
            }
            Port::Socat => loop {
                let line = next_line(&err, p.name);
                if line.contains("listening on") {
                    let port = line.rsplit(':').next().unwrap().trim();
                    break format!("127.0.0.1:{port}");
                }
            },
            Port::Free => {
                wait_listening(port);
                format!("127.0.0.1:{port}")
            }
        };
        start = Instant::now();
        let mut started = sh(&fill(command, &addr, port));
        drop(started.stdin.take());
        sender = Some(started);
    }
    let counted = next_line(&out, p.name);
    let elapsed = start.elapsed();
    assert_eq!(
        counted.trim(),
        bytes.to_string(),
        "{}: wc -c counted {counted} bytes",
        p.name
    );
    drop(receiver.stdin.take());
    if let Some(sender) = sender {
        let status = wait(sender, p.name);
        assert!(
            status.success(),
            "{}: the sender ended with {status}",
            p.name
        );
    }
    wait(receiver, p.name);
    let times = std::fs::read_to_string(&tail_times).unwrap_or_default();
    let tail_cpu = times.lines().nth(1).map_or(Duration::ZERO, |children| {
        children.split_whitespace().map(sh_time).sum()
    });
    (elapsed, children_cpu() - cpu, tail_cpu)
}

/// A time as the shell's `times` prints it: `1m2.345s` (dash, bash) or `0.5s`.
fn sh_time(t: &str) -> Duration {
    let t = t.trim_end_matches('s');
    let (min, sec) = t.split_once('m').unwrap_or(("0", t));
    let secs = min.parse::<f64>().unwrap_or(0.0) * 60.0 + sec.parse::<f64>().unwrap_or(0.0);
    Duration::from_secs_f64(secs)
}

/// The bench's input file of `bytes` pseudo-random bytes under `dir`, made unless there.
fn input_file(dir: &Path, bytes: u64) -> PathBuf {
    let path = dir.join(format!("pipes-{bytes}.bin"));
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes) {
        return path;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        for chunk in buf.chunks_mut(8) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let v = state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        let n = left.min(buf.len() as u64) as usize;
        out.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    out.flush().unwrap();
    path
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list; there is nothing to list.
    }
    let bytes: u64 = env_or("WSCTL_BENCH_BYTES", 1 << 30);
    let rounds: usize = env_or("WSCTL_BENCH_ROUNDS", 5);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(dir).unwrap();
    let file = input_file(dir, bytes);
    let only = std::env::var("WSCTL_BENCH_ONLY").unwrap_or_default();
    let baseline = std::env::var("WSCTL_BENCH_BASELINE").ok();
    // Each pipeline with its name and the wsctl binary it runs.
    let mut pipelines: Vec<(&Pipeline, String, &str)> = Vec::new();
    for p in PIPELINES {
        let wanted = only.is_empty()
            || p.sender.is_none()
            || only.split(',').any(|w| p.name.starts_with(w.trim()));
        if !wanted {
            continue;
        }
        if !p.needs.is_none_or(installed) {
            println!("{:>18}: not installed, not measured", p.name);
            continue;
        }
        pipelines.push((p, p.name.to_string(), WSCTL));
        if let (Some(others), Some(rest)) = (&baseline, p.name.strip_prefix("wsctl")) {
            for (i, other) in others.split(',').enumerate() {
                let n = if i == 0 {
                    String::new()
                } else {
                    (i + 1).to_string()
                };
                pipelines.push((p, format!("baseline{n}{rest}"), other));
            }
        }
    }
    println!(
        "Pipes: a {} MiB file -> sender -> receiver | head -c N | wc -c, median of {rounds} \
         rounds, interleaved (load {})",
        bytes >> 20,
        loadavg().trim()
    );
    let mut times = vec![Vec::new(); pipelines.len()];
    let mut cpus = vec![Vec::new(); pipelines.len()];
    let mut tails = vec![Vec::new(); pipelines.len()];
    for round in 0..rounds {
        let mut line = format!("round {}:", round + 1);
        for (i, (p, name, wsctl)) in pipelines.iter().enumerate() {
            let (time, cpu, tail) = run(p, wsctl, &file, bytes);
            tails[i].push(tail);
            line.push_str(&format!(" {name} {:.2}s", time.as_secs_f64()));
            times[i].push(time);
            cpus[i].push(cpu);
        }
        println!("{line}");
    }
    let gib = bytes as f64 / (1u64 << 30) as f64;
    let medians: Vec<Duration> = times.iter().map(|t| median(t.clone())).collect();
    let floor = medians[0].as_secs_f64();
    let mib_s = |d: Duration| (bytes as f64 / (1 << 20) as f64) / d.as_secs_f64();
    println!(
        "{:>18}  {:>8}  {:>9}  {:>11}  {:>14}",
        "", "MiB/s", "time/floor", "CPU s/GiB", "head+wc s/GiB"
    );
    for (i, (_, name, _)) in pipelines.iter().enumerate() {
        println!(
            "{:>18}  {:8.0}  {:9.2}x  {:11.2}  {:14.2}",
            name,
            mib_s(medians[i]),
            medians[i].as_secs_f64() / floor,
            median(cpus[i].clone()).as_secs_f64() / gib,
            median(tails[i].clone()).as_secs_f64() / gib,
        );
    }
    let of = |name: &str| pipelines.iter().position(|(_, n, _)| n == name);
    for (ours, theirs) in [
        ("wsctl tcp", "socat tcp"),
        ("wsctl ws -b", "websocat -b"),
        ("baseline tcp", "wsctl tcp"),
        ("baseline ws -b", "wsctl ws -b"),
    ] {
        if let (Some(a), Some(b)) = (of(ours), of(theirs)) {
            println!(
                "{theirs} takes {:.2}x the time of {ours}",
                medians[b].as_secs_f64() / medians[a].as_secs_f64()
            );
        }
    }
    println!("load after: {}", loadavg().trim());
}
