//! `-e/--exec CMD`: a command run through `sh -c` per connection, wired to its stdin/stdout;
//! its stderr is passed through. The command's exit status is wsctl's verdict on the
//! connection: a failure is reported (exit 1 for a single connection).

use std::process::Stdio;

use anyhow::Context;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::exit::{Exit, Fail};
use crate::framing::read_chunks;
use crate::relay::{Ends, Message};

/// How long a command may go on once its connection is gone, before it is stopped.
const AFTER_PEER: Duration = Duration::from_secs(2);

pub async fn run(cmd: &str, env: crate::net::Env, ends: Ends) -> anyhow::Result<()> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // Its own process group, so that what it starts can be stopped with it.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| Fail::new(Exit::Io, format!("could not run `{cmd}`")))?;
    let _group = GroupGuard(child.id());
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let Ends { tx, rx } = ends;
    let output = async move {
        let result = read_chunks(stdout, &tx).await;
        // Its output ended (a half-close follows), or the connection is gone.
        let peer_gone = tx.is_closed();
        drop(tx);
        (result, peer_gone)
    };
    let ((output, peer_gone), _) = tokio::join!(output, feed(rx, stdin));
    output.with_context(|| format!("could not read the output of `{cmd}`"))?;
    let status = if peer_gone {
        // Nobody reads it any more: it gets a moment to end by itself, then SIGTERM, then
        // SIGKILL (its whole process group), as websocketd does.
        match timeout(AFTER_PEER, child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                stop_group(&mut child).await;
                return Ok(());
            }
        }
    } else {
        child.wait().await?
    };
    if !status.success() {
        return Err(Fail::new(Exit::Io, format!("`{cmd}` failed ({status})")).err());
    }
    Ok(())
}

/// Kills what is left of the command's process group when its connection's task is dropped
/// (the end of the run, a shutdown's deadline); `kill_on_drop` reaches only `sh` itself.
struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            // SAFETY: kill(2) on the group the command led; ESRCH when it is gone already.
            unsafe { libc::kill(-(pid as libc::pid_t), libc::SIGKILL) };
        }
    }
}

/// SIGTERM to the command's process group, SIGKILL a second later if it is still there.
async fn stop_group(child: &mut Child) {
    let Some(pid) = child.id() else { return };
    let group = -(pid as libc::pid_t);
    // SAFETY: kill(2) on the group this command leads.
    unsafe { libc::kill(group, libc::SIGTERM) };
    if timeout(Duration::from_secs(1), child.wait()).await.is_err() {
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = child.wait().await;
    }
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
