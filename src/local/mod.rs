//! Local sides: where a connection's data comes from and goes to on this machine.

pub mod exec;
pub mod repl;
pub mod splice;
pub mod stdio;

use std::path::PathBuf;

use crate::framing::{self, Framing, Records};
use crate::relay::{self, Ends, Side, Stage};
use crate::script::{self, Script};
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

/// Runs the local side `local` of one connection, which meets `records` (from the remote
/// side, or from its framing: see [`stages`]). `env` is given to an `--exec` command (the
/// addresses of the connection); the prompt shows what `records.transport` carries, and stops
/// the run through `shutdown` (Ctrl-C twice).
pub async fn run(
    local: Local,
    records: Records,
    env: crate::net::Env,
    ends: Ends,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    match local {
        Local::Stdio => stdio::run(ends).await,
        Local::Repl(history) => {
            let binary = records.framing == Framing::Binary;
            repl::run(history, records.transport, binary, ends, shutdown).await
        }
        Local::Echo => {
            echo(ends).await;
            Ok(())
        }
        Local::Exec(cmd) => exec::run(&cmd, env, ends).await,
    }
}

/// The stages between `local` and a remote side that carries `records`, in order: framing
/// for a byte-stream side (stdin/stdout, a command) where the remote side has messages (echo
/// and the prompt take messages as they are), then a client's `script`, then `-C`'s line ends.
pub fn stages<'a>(local: &Local, records: Records, script: &Script) -> Vec<Stage<'a>> {
    let bytes = matches!(local, Local::Stdio | Local::Exec(_));
    let framing = bytes.then(|| framing::stage(records)).flatten();
    framing
        .into_iter()
        .chain(script::stage(script, records.transport))
        .chain(
            records
                .crlf
                .then(|| framing::crlf(records.transport, Side::Remote)),
        )
        .collect()
}

/// How stdin and stdout would meet `stream` without copying through user space
/// (`splice.rs`), when `local` is stdio with no stage between it and the socket and
/// [`splice::plan`] finds a direction for it; `None`: the relay it is.
pub fn zero_copy(
    local: &Local,
    stages: &[Stage<'_>],
    stream: &crate::net::tls::Stream,
) -> Option<splice::Plan> {
    (*local == Local::Stdio && stages.is_empty())
        .then(|| splice::plan(stream))
        .flatten()
}

/// Sends back every message, in order and of the same kind; the peer's end of input ends ours.
async fn echo(ends: Ends) {
    relay::forward(ends.rx, ends.tx).await;
}
