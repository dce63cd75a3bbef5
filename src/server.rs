//! The accept loop: one connection then exit (netcat's default), or `--keep-open`.
//!
//! With `--keep-open`, `--echo` and `--exec` serve clients concurrently (one command per
//! connection); stdin/stdout is one stream, so its clients are served one after another, as
//! OpenBSD `nc -lk` does. A failed connection is reported as a warning and the listener goes
//! on.

use std::net::SocketAddr;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::config::Local;
use crate::console;
use crate::exit;
use crate::local;
use crate::net::tcp;
use crate::relay::relay;

pub async fn serve_tcp(listener: TcpListener, local: Local, keep_open: bool) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    console::status(
        "listening",
        format!("listening on {addr}"),
        json!({"addr": addr}),
    );
    if !keep_open {
        let (stream, peer) = listener.accept().await?;
        drop(listener); // later clients are refused, as with `nc -l`
        return connection(stream, peer, local).await;
    }
    let mut running = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) if local == Local::Stdio => {
                    if let Err(err) = connection(stream, peer, local.clone()).await {
                        report(peer, &err);
                    }
                }
                Ok((stream, peer)) => {
                    let local = local.clone();
                    running.spawn(async move {
                        if let Err(err) = connection(stream, peer, local).await {
                            report(peer, &err);
                        }
                    });
                }
                // Out of file descriptors and the like: the listener itself is still good.
                Err(err) => console::warn(format!("accept failed: {err}"), json!({"message": err.to_string()})),
            },
            Some(_) = running.join_next() => {}
        }
    }
}

async fn connection(stream: TcpStream, peer: SocketAddr, local: Local) -> anyhow::Result<()> {
    console::status(
        "accepted",
        format!("accepted {peer}"),
        json!({"peer": peer}),
    );
    let env = exec_env(&stream, peer);
    relay(
        |ends| local::run(local, env, ends),
        |ends| tcp::run(stream, ends),
    )
    .await
}

/// The connection's addresses for an `--exec` command, as ncat names them.
pub fn exec_env(stream: &TcpStream, peer: SocketAddr) -> Vec<(String, String)> {
    let mut env = vec![
        ("WSCTL_REMOTE_ADDR".into(), peer.ip().to_string()),
        ("WSCTL_REMOTE_PORT".into(), peer.port().to_string()),
    ];
    if let Ok(local) = stream.local_addr() {
        env.push(("WSCTL_LOCAL_ADDR".into(), local.ip().to_string()));
        env.push(("WSCTL_LOCAL_PORT".into(), local.port().to_string()));
    }
    env
}

fn report(peer: SocketAddr, err: &anyhow::Error) {
    if !exit::is_quiet(err) {
        let what = exit::describe(err);
        console::warn(
            format!("{peer}: {what}"),
            json!({"peer": peer, "message": what, "code": exit::code_of(err) as i32}),
        );
    }
}
