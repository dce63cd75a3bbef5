//! Local sides: where a connection's data comes from and goes to on this machine.

pub mod exec;
pub mod repl;
pub mod stdio;

use std::path::PathBuf;

use crate::framing::{Framing, Records, framed};
use crate::relay::{Ends, Transport};
use crate::shutdown::Shutdown;

/// The local side of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    /// stdin and stdout, piped byte-exact (`stdio.rs`).
    Stdio,
    /// stdin and stdout are a terminal: the interactive prompt, with its history file.
    Repl(Option<PathBuf>),
    /// `--echo`: what arrives goes back.
    Echo,
    /// `--exec CMD`: a command per connection, run by `sh -c` (`exec.rs`).
    Exec(String),
}

/// Runs the local side `local` of one connection. `env` is given to an `--exec` command (the
/// addresses of the connection); the prompt stops the run through `shutdown` (Ctrl-C twice).
pub async fn run(
    local: Local,
    env: crate::net::Env,
    ends: Ends,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    match local {
        Local::Stdio => stdio::run(ends).await,
        Local::Repl(history) => repl::run(history, Transport::Stream, false, ends, shutdown).await,
        Local::Echo => {
            echo(ends).await;
            Ok(())
        }
        Local::Exec(cmd) => exec::run(&cmd, env, ends).await,
    }
}

/// Runs `local` where it meets messages (WebSocket, UDP): byte-stream sides go through
/// `records`' framing; echo sends messages back as they are, keeping their type.
pub async fn run_framed(
    local: Local,
    records: Records,
    env: crate::net::Env,
    ends: Ends,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    match local {
        Local::Echo => run(local, env, ends, shutdown).await,
        Local::Repl(history) => {
            let binary = records.framing == Framing::Binary;
            repl::run(history, records.transport, binary, ends, shutdown).await
        }
        _ => framed(records, ends, |ends| run(local, env, ends, shutdown)).await,
    }
}

/// Sends back every message, in order and of the same kind; the peer's end of input ends ours.
async fn echo(ends: Ends) {
    let Ends { tx, mut rx } = ends;
    while let Some(msg) = rx.recv().await {
        if tx.send(msg).await.is_err() {
            break;
        }
    }
}
