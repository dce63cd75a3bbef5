//! `udp listen` and `unix listen --dgram`: every sender served on one socket. Datagrams go
//! to the local side in arrival order, and what the local side sends goes to the most recent
//! sender (`--echo`: each datagram straight back; `--exec`: one command per sender, in
//! `exec.rs`). A Unix socket's file is removed when the listener ends.

mod exec;

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use tokio::sync::watch;

use crate::config::{ListenOn, Local, UdpServer};
use crate::console;
use crate::framing::{Framing, Records};
use crate::hexdump;
use crate::local;
use crate::net::dgram::{DgramPeer, DgramSocket, datagram_event, datagrams};
use crate::net::udp::{self, RECORD_LIMIT};
use crate::relay::{self, Ends, Message, Transport};
use crate::script::Script;
use crate::shutdown::Shutdown;

/// `udp listen` (bound, and joined to `--multicast`) or `unix listen --dgram` (bound, its
/// file made), then served until interrupted: the graceful `shutdown` (the first Ctrl-C or
/// SIGTERM) stops receiving, and the run ends with `Ok` once what was received is written
/// and what was queued is sent, as a TCP listener's does.
pub async fn listen(cfg: UdpServer, shutdown: &Shutdown) -> anyhow::Result<()> {
    // The Unix socket's file, removed when this ends.
    let mut _bound = None;
    let (socket, addr, kind) = match &cfg.bind {
        ListenOn::Ip(at) => {
            let socket = udp::bind(at, &cfg.socket).await?;
            let addr = socket.local_addr()?.to_string();
            (DgramSocket::Udp(socket), addr, "udp")
        }
        ListenOn::Unix { name, mode } => {
            let (socket, bound) = crate::net::dgram::unix::listen(name, *mode)?;
            _bound = Some(bound);
            (DgramSocket::Unix(socket), name.to_string(), "unix")
        }
    };
    let socket = Arc::new(socket);
    console::status(
        "listening",
        format!("listening on {addr}"),
        json!({"addr": addr}),
    );
    hexdump::header(format_args!("{kind} listener {addr}"));
    match &cfg.local {
        Local::Echo => {
            tokio::select! {
                result = echo(&socket) => result,
                _ = shutdown.requested() => {
                    crate::shutdown::announce(0);
                    Ok(())
                }
            }
        }
        Local::Stdio | Local::Repl(_) => {
            let records = datagram_records(&cfg);
            relay::run(
                |ends| local::run(cfg.local.clone(), records, vec![], ends, shutdown),
                local::stages(&cfg.local, records, &Script::default()),
                |ends| serve_stdio(socket.clone(), ends, cfg.framing, shutdown),
            )
            .await
        }
        Local::Exec(cmd) => {
            let limits = exec::Limits {
                max: cfg.max_senders,
                idle: cfg.idle_timeout,
            };
            exec::serve(
                socket.clone(),
                cmd,
                datagram_records(&cfg),
                limits,
                shutdown,
            )
            .await
        }
    }
}

/// `--echo`: every datagram straight back to its sender.
async fn echo(socket: &DgramSocket) -> anyhow::Result<()> {
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let (n, peer) = socket.recv_from(&mut buf).await?;
        datagram_event(&peer, n);
        hexdump::datagram('<', &peer, &buf[..n]);
        hexdump::datagram('>', &peer, &buf[..n]);
        if let Err(err) = socket.send_to(&buf[..n], &peer).await {
            console::warn(
                format!("{peer}: {err}"),
                json!({"peer": peer, "message": err.to_string()}),
            );
        }
    }
}

/// stdin/stdout: datagrams from everyone to stdout; stdin's records to the latest sender
/// (the first record waits until someone has sent something). On `shutdown`, receiving
/// stops; the records stdin had queued by then are sent to the latest sender (dropped if
/// nobody has sent anything), and dropping `ends` lets the local side write out the rest.
async fn serve_stdio(
    socket: Arc<DgramSocket>,
    ends: Ends,
    framing: Framing,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let Ends { tx, mut rx } = ends;
    let (latest_tx, latest) = watch::channel(None::<DgramPeer>);
    let send_one = async |msg: Message, peer: &DgramPeer| -> anyhow::Result<()> {
        for datagram in datagrams(msg, socket.limit(peer), framing)? {
            hexdump::datagram('>', peer, &datagram);
            if let Err(err) = socket.send_to(&datagram, peer).await {
                console::warn(
                    format!("{peer}: {err}"),
                    json!({"peer": peer, "message": err.to_string()}),
                );
            }
        }
        Ok(())
    };
    let send = async {
        let mut latest = latest.clone();
        while let Some(msg) = rx.recv().await {
            let peer = latest
                .wait_for(Option::is_some)
                .await
                .expect("the receiver holds the sender")
                .clone()
                .expect("waited for some");
            send_one(msg, &peer).await?;
        }
        // Stdin ended: keep receiving until interrupted (or stdout is closed).
        std::future::pending::<anyhow::Result<()>>().await
    };
    let receive = async {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let (n, peer) = socket.recv_from(&mut buf).await?;
            datagram_event(&peer, n);
            hexdump::datagram('<', &peer, &buf[..n]);
            latest_tx.send_replace(Some(peer));
            if tx
                .send(Message::binary(Bytes::copy_from_slice(&buf[..n])))
                .await
                .is_err()
            {
                return Ok(());
            }
        }
    };
    tokio::select! {
        sent = send => sent,
        received = receive => received,
        _ = shutdown.requested() => {
            crate::shutdown::announce(0);
            let peer = latest.borrow().clone();
            while let Ok(msg) = rx.try_recv() {
                if let Some(peer) = &peer {
                    send_one(msg, peer).await?;
                }
            }
            Ok(())
        }
    }
}

/// A datagram listener's records: datagrams cut by its framing, with `-C`'s line ends.
fn datagram_records(cfg: &UdpServer) -> Records {
    Records {
        framing: cfg.framing,
        max: RECORD_LIMIT,
        transport: Transport::Datagram,
        crlf: cfg.crlf,
    }
}
