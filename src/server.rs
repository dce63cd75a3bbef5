//! The accept loop: one connection then exit (netcat's default), or `--keep-open`.
//!
//! With `--keep-open`, `--echo` and `--exec` serve clients concurrently (one command per
//! connection); stdin/stdout is one stream, so its clients are served one after another, as
//! OpenBSD `nc -lk` does. A failed connection is reported as a warning and the listener goes
//! on.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::config::{Local, WsServer};
use crate::console;
use crate::exit;
use crate::exit::{Exit, Fail};
use crate::local;
use crate::net::tls::{Stream, TlsServer};
use crate::net::{tcp, ws};
use crate::relay::relay;

/// How long a client may take to finish its handshakes (TLS, then WebSocket) once connected.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves clients from `listener`: each accepted connection goes through `handshake` (for
/// TCP, nothing) and is then `run`. Without `keep_open`, the first connection whose handshake
/// succeeds is served and the listener is closed (a failed handshake does not count); with it,
/// clients are served concurrently, or one after another when `sequential` (stdin/stdout).
pub async fn serve<C, HS, HF, RS, RF>(
    listener: TcpListener,
    keep_open: bool,
    sequential: bool,
    handshake: HS,
    run: RS,
) -> anyhow::Result<()>
where
    HS: Fn(TcpStream, SocketAddr) -> HF + Clone + Send + 'static,
    HF: Future<Output = anyhow::Result<C>> + Send,
    RS: Fn(C, SocketAddr) -> RF + Clone + Send + 'static,
    RF: Future<Output = anyhow::Result<()>> + Send,
    C: Send,
{
    let serve_one = move |stream: TcpStream, peer: SocketAddr| {
        let (handshake, run) = (handshake.clone(), run.clone());
        async move {
            console::status(
                "accepted",
                format!("accepted {peer}"),
                json!({"peer": peer}),
            );
            let conn = handshake(stream, peer).await?;
            run(conn, peer).await
        }
    };
    if !keep_open {
        loop {
            let (stream, peer) = listener.accept().await?;
            match (serve_one.clone())(stream, peer).await {
                Err(err) if exit::code_of(&err) == exit::Exit::Handshake => report(peer, &err),
                other => return other,
            }
        }
    }
    let mut running = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) if sequential => {
                    if let Err(err) = serve_one(stream, peer).await {
                        report(peer, &err);
                    }
                }
                Ok((stream, peer)) => {
                    let serve_one = serve_one.clone();
                    running.spawn(async move {
                        if let Err(err) = serve_one(stream, peer).await {
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

/// `listening on ADDR` (the first line), then what a TLS listener has to say about its
/// certificate.
fn announce(listener: &TcpListener, tls: Option<&TlsServer>) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    console::status(
        "listening",
        format!("listening on {addr}"),
        json!({"addr": addr}),
    );
    if let Some(tls) = tls {
        tls.announce();
    }
    Ok(())
}

/// A connection as accepted, or with the server's side of TLS done (bounded like a WebSocket
/// handshake, so a client that never speaks cannot hold the listener).
pub async fn open(tcp: TcpStream, tls: Option<&TlsServer>) -> anyhow::Result<Stream> {
    let Some(tls) = tls else {
        return Ok(Stream::Plain(tcp));
    };
    match timeout(HANDSHAKE_TIMEOUT, tls.accept(tcp)).await {
        Ok(result) => result,
        Err(_) => Err(Fail::new(
            Exit::Handshake,
            format!(
                "no TLS handshake within {}",
                humantime::format_duration(HANDSHAKE_TIMEOUT)
            ),
        )
        .err()),
    }
}

/// `tcp listen`: the connection as it is accepted (after TLS, with a certificate).
pub async fn serve_tcp(
    listener: TcpListener,
    local: Local,
    keep_open: bool,
    tls: Option<TlsServer>,
) -> anyhow::Result<()> {
    announce(&listener, tls.as_ref())?;
    let sequential = local == Local::Stdio;
    serve(
        listener,
        keep_open,
        sequential,
        move |stream, _peer| {
            let tls = tls.clone();
            async move { open(stream, tls.as_ref()).await }
        },
        move |stream: Stream, peer| {
            let local = local.clone();
            async move {
                let env = exec_env(stream.tcp(), peer);
                relay(
                    |ends| local::run(local, env, ends),
                    |ends| tcp::run(stream, ends),
                )
                .await
            }
        },
    )
    .await
}

/// `ws listen`: a WebSocket session once the handshake is done.
pub async fn serve_ws(listener: TcpListener, cfg: WsServer) -> anyhow::Result<()> {
    announce(&listener, cfg.tls.as_ref())?;
    let cfg = Arc::new(cfg);
    let sequential = cfg.local == Local::Stdio;
    let keep_open = cfg.keep_open;
    let for_handshake = cfg.clone();
    serve(
        listener,
        keep_open,
        sequential,
        move |stream, peer| {
            let cfg = for_handshake.clone();
            async move { ws::handshake::accept(stream, peer, &cfg).await }
        },
        move |accepted: ws::handshake::Accepted, peer| {
            let cfg = cfg.clone();
            async move {
                let local = cfg.local.clone();
                let (framing, max) = (cfg.framing, cfg.control.max_message_size);
                relay(
                    |ends| local::run_framed(local, (framing, max, true), accepted.env, ends),
                    |ends| ws::run(accepted.ws, ends, &cfg.control, peer),
                )
                .await
            }
        },
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

pub(crate) fn report(peer: SocketAddr, err: &anyhow::Error) {
    if !exit::is_quiet(err) {
        let what = exit::describe(err);
        console::warn(
            format!("{peer}: {what}"),
            json!({"peer": peer, "message": what, "code": exit::code_of(err) as i32}),
        );
    }
}
