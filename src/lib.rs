//! wsctl: TCP, UDP, WebSocket and Unix sockets from the command line.
//!
//! Every connect or listen is a remote side, a local side, and one relay between them.
//!
//! Module map, in layers from the ground up: a module names only modules of its own layer or
//! below (one exception, said in `cli/parse.rs`: `--linger` parses into [`net::Linger`]), and no
//! two modules import each other round a loop: `tests/house.rs` checks both. Modules are
//! private unless the binary, a bench, a test or a fuzz target needs them.
//!
//! 1. [`exit`]: exit codes and the error -> code mapping; [`console`]: status lines and JSON
//!    events on stderr; [`cli`]: the command line (clap derive; doc comments are the help,
//!    shared option groups in `cli/options.rs`)
//! 2. [`relay`]: a connection in one call, `relay::run(local, stages, remote)`, and the
//!    channel contract between them; [`framing`]: the stage between byte streams and
//!    messages, and the one `Splitter`; `script`: the stage of a client's `--send`,
//!    `--count`, `--recv-only`, `--send-only`, `--idle-timeout`; `shutdown`: the run's one
//!    `Shutdown` handle (made here, passed down); `hexdump`: `--hex-dump`
//! 3. [`net`]: the remote sides and what they need, naming nothing above (`tests/house.rs`):
//!    `addr` (HOST:PORT), `peer` (who is at the other end), `client` (connect, TLS,
//!    proxies), `tcp`, `udp` (sockets), `dgram` (a UDP or Unix datagram socket, and the
//!    datagram client), `unix` (Unix sockets and a listener's socket file),
//!    `ws` (`handshake` as a client, `accept` as a server, `request`, `gate`, the session's
//!    `reader` and `writer`, `settings`), `tls`, `proxy`, and `progress`: waits that follow
//!    the bytes the peer acknowledges
//! 4. [`config`]: parsed arguments turned into a validated [`config::Job`] (`ws`, `udp`,
//!    `forward` for `--to`); `local`: local sides (`stdio`, `exec`, echo, the prompt);
//!    `forward`: opening and relaying a `--to` upstream; `reconnect`: `--reconnect`; `hub`:
//!    one local side shared by a listener's clients
//! 5. `client`: the clients (`tcp connect` and its scan, `ws connect`, `udp send`, `unix
//!    connect`); [`server`]: the listeners, one file per role (`tcp` for TCP and Unix streams,
//!    `ws`, `udp`, `stdio` for a shared local side, `admit` for who may be served,
//!    `listener` for the socket accepted on) and the accept loop, which takes one `Handler`
//! 6. this file: the runtime, signals (the only place that watches them: they start the
//!    `Shutdown` passed down) and the `--timeout`; `main.rs`

pub mod cli;
mod client;
pub mod config;
pub mod console;
pub mod exit;
mod forward;
pub mod framing;
mod hexdump;
mod hub;
mod local;
pub mod net;
mod reconnect;
pub mod relay;
mod script;
pub mod server;
mod shutdown;

use std::io::Write;
use std::time::Duration;

use clap::CommandFactory;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::cli::Cli;
use crate::config::{Config, Job};
use crate::exit::{Exit, Fail};
use crate::shutdown::Shutdown;

/// Where `--hex-dump FILE` writes: the file (made anew), or stderr for `-`, which JSON
/// events keep for themselves.
fn dump_sink(file: &std::path::Path, json: bool) -> anyhow::Result<Box<dyn Write + Send>> {
    if file.as_os_str() == "-" {
        if json {
            return Err(Fail::new(
                Exit::Usage,
                "--hex-dump - writes to stderr, which --events json keeps for its events",
            )
            .hint("give --hex-dump a FILE")
            .err());
        }
        return Ok(Box::new(std::io::stderr()));
    }
    let out = std::fs::File::create(file).map_err(|err| {
        Fail::new(
            Exit::Usage,
            format!(
                "cannot write --hex-dump {} ({})",
                file.display(),
                exit::tidy(&err.to_string())
            ),
        )
        .hint("check the path")
        .err()
    })?;
    Ok(Box::new(std::io::LineWriter::new(out)))
}

/// Runs the command line to its end. The error, if any, carries its exit code (see [`exit`]).
pub fn run(cli: Cli) -> anyhow::Result<()> {
    console::init(config::console_settings(&cli));
    if let Some(file) = &cli.hex_dump {
        hexdump::init(dump_sink(file, cli.events == cli::EventFormat::Json)?);
    }
    let Config { job, timeout } = Config::from_cli(cli)?;
    if let Job::Completions(shell) = job {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "wsctl", &mut out);
        // A closed stdout (`| head`) is not an error worth a message.
        let _ = std::io::stdout().write_all(&out);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let graceful = matches!(
        job,
        Job::TcpListen { .. } | Job::WsListen(_) | Job::UdpListen(_)
    );
    // Under the prompt, a SIGTERM or SIGHUP must not kill the process with the terminal still
    // in raw mode: they end the run, and the prompt puts the terminal back on its way out.
    let prompt = job.has_prompt();
    // The one handle on the run's shutdown: the signals start it, the job hears it.
    let shutdown = Shutdown::new();
    // A Unix listener's socket file is removed on the way out: a SIGTERM or a SIGHUP (the
    // terminal or the ssh session gone) ends the run as Ctrl-C does, instead of killing the
    // process with the file left behind.
    let unix = |bind: &config::ListenOn| matches!(bind, config::ListenOn::Unix { .. });
    let socket_file = match &job {
        Job::UdpListen(cfg) => unix(&cfg.bind),
        Job::TcpListen { bind, .. } => unix(bind),
        Job::WsListen(cfg) => unix(&cfg.bind),
        _ => false,
    };
    let result = runtime.block_on(async {
        // Installed before any work starts: a SIGINT right after `listening on` must be ours
        // to handle, not the default (death by signal instead of exit 130).
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = if graceful || prompt || socket_file {
            Some(signal(SignalKind::terminate())?)
        } else {
            None
        };
        let mut hangup = if prompt || socket_file {
            Some(signal(SignalKind::hangup())?)
        } else {
            None
        };
        tokio::select! {
            result = run_job(job, &shutdown) => result,
            _ = sleep_for(timeout) => {
                let limit = humantime::format_duration(timeout.unwrap_or_default());
                Err(Fail::new(Exit::Io, format!("gave up after {limit} (--timeout)")).err())
            }
            _ = interrupted(&mut interrupt, terminate.as_mut(), hangup.as_mut(), graceful.then_some(&shutdown)) => {
                Err(Fail::quiet(Exit::Interrupted, "interrupted"))
            }
            _ = shutdown.stop_requested() => Err(Fail::quiet(Exit::Interrupted, "interrupted")),
        }
    });
    // Dropping the connections above closed them; a name lookup still running in the
    // blocking pool must not hold the exit up.
    runtime.shutdown_timeout(Duration::from_millis(100));
    local::stdio::drain(Duration::from_secs(1));
    result
}

/// Resolves when the run is to stop at once. A listener (given its `graceful` shutdown)
/// shuts down gracefully on the first Ctrl-C or SIGTERM (the job then ends by itself) and
/// stops at once only on a second Ctrl-C; anything else stops at the first Ctrl-C, or SIGTERM
/// when it is watched (`terminate`: under the prompt). A SIGHUP (`hangup`, watched under the
/// prompt: the terminal is gone) stops at once.
async fn interrupted(
    interrupt: &mut Signal,
    terminate: Option<&mut Signal>,
    hangup: Option<&mut Signal>,
    graceful: Option<&Shutdown>,
) {
    let hangup = received(hangup);
    tokio::pin!(hangup);
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = received(terminate) => {}
        _ = &mut hangup => return,
    }
    let Some(shutdown) = graceful else {
        return;
    };
    shutdown.begin();
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = &mut hangup => {}
    }
}

/// Resolves when `signal` arrives; never without one.
async fn received(signal: Option<&mut Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Sleeps for `limit`, or forever without one.
async fn sleep_for(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}

async fn run_job(job: Job, shutdown: &Shutdown) -> anyhow::Result<()> {
    match job {
        Job::TcpConnect {
            remote,
            local,
            script,
            reconnect,
            crlf,
        } => client::tcp(remote, local, script, reconnect, crlf, shutdown).await,
        Job::UnixConnect {
            name,
            local,
            script,
            crlf,
            timeout,
        } => client::unix(name, local, script, crlf, timeout, shutdown).await,
        Job::TcpScan {
            host,
            ports,
            timeout,
            source,
        } => client::scan(host, ports, timeout, source).await,
        Job::TcpListen {
            bind,
            local,
            serving,
            tls,
            forward,
        } => {
            let listener = server::Listener::bind(&bind).await?;
            server::serve_tcp(listener, local, serving, tls, forward, shutdown).await
        }
        Job::WsConnect(cfg) => client::ws(*cfg, shutdown).await,
        Job::WsListen(cfg) => {
            let listener = server::Listener::bind(&cfg.bind).await?;
            server::serve_ws(listener, cfg, shutdown).await
        }
        Job::UdpSend(cfg) => client::udp(cfg, shutdown).await,
        Job::UdpListen(cfg) => server::udp::listen(cfg, shutdown).await,
        Job::Completions(_) => unreachable!("handled before the runtime starts"),
    }
}
