//! `-e/--exec CMD`: a command run through `sh -c` per connection, wired to its stdin/stdout;
//! its stderr is passed through. The command's exit status is wsctl's verdict on the
//! connection: a failure is reported (exit 1 for a single connection).

use std::process::Stdio;

use anyhow::Context;
use tokio::io::AsyncWriteExt;
use tokio::process::{ChildStdin, Command};
use tokio::sync::mpsc;

use crate::exit::{Exit, Fail};
use crate::framing::read_chunks;
use crate::relay::{Ends, Message};

pub async fn run(cmd: &str, env: Vec<(String, String)>, ends: Ends) -> anyhow::Result<()> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| Fail::new(Exit::Io, format!("could not run `{cmd}`")))?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let Ends { tx, rx } = ends;
    let output = async move {
        let result = read_chunks(stdout, &tx).await;
        drop(tx); // the command's output ended: half-close the connection
        result
    };
    let (output, _) = tokio::join!(output, feed(rx, stdin));
    output.with_context(|| format!("could not read the output of `{cmd}`"))?;
    let status = child.wait().await?;
    if !status.success() {
        return Err(Fail::new(Exit::Io, format!("`{cmd}` failed ({status})")).err());
    }
    Ok(())
}

/// Writes what arrives to the command's stdin and closes it when the peer's data ends. Once the
/// command stops reading (its stdin is a broken pipe), the rest is discarded: the command's
/// output still has to reach the peer, so this side must not end the connection.
async fn feed(mut rx: mpsc::Receiver<Message>, mut stdin: ChildStdin) {
    while let Some(msg) = rx.recv().await {
        if stdin.write_all(&msg.data).await.is_err() {
            while rx.recv().await.is_some() {}
            return;
        }
    }
}
