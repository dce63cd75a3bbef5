//! The clients: `tcp connect`, `ws connect` and `udp send`. Each opens its remote side, then
//! relays it with its local side through the stages between them (framing, the scripting
//! options: `local::stages`); `--reconnect` opens the remote side again and again for one
//! local side (`reconnect.rs`). A client is never asked to shut down gracefully (its first
//! Ctrl-C is the end); its `shutdown` reaches its sides for the prompt's Ctrl-C twice.

use crate::config::{Local, UdpClient, WsClient};
use crate::framing::Records;
use crate::local;
use crate::net::{self, client::Remote};
use crate::reconnect::{self, Reconnect};
use crate::relay::{self, Transport};
use crate::script::Script;
use crate::shutdown::Shutdown;

/// `tcp connect` (TLS when `remote` says so, through a proxy when it names one).
pub async fn tcp(
    remote: Remote,
    local: Local,
    script: Script,
    reconnect: Option<Reconnect>,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let records = Records::bytes();
    let connect = || net::client::open(&remote);
    if let Some(policy) = reconnect {
        return reconnect::run(
            |ends| local::run(local, records, vec![], ends, shutdown),
            Vec::new(),
            connect,
            |(stream, _), ends| net::tcp::run(stream, ends, shutdown),
            &script,
            &policy,
            Transport::Stream,
        )
        .await;
    }
    let (stream, peer) = connect().await?;
    let env = net::socket_env(stream.tcp(), peer);
    let stages = local::stages(&local, records, &script);
    relay::run(
        |ends| local::run(local, records, env, ends, shutdown),
        stages,
        |ends| net::tcp::run(stream, ends, shutdown),
    )
    .await
}

/// `ws connect`: the opening handshake, then messages both ways.
pub async fn ws(cfg: WsClient, shutdown: &Shutdown) -> anyhow::Result<()> {
    let records = Records {
        framing: cfg.framing,
        max: cfg.control.max_message_size,
        transport: Transport::Message,
    };
    let connect =
        || net::ws::handshake::connect(&cfg.remote, &cfg.request, &cfg.control, cfg.bulk());
    if let Some(policy) = &cfg.reconnect {
        return reconnect::run(
            |ends| local::run(cfg.local.clone(), records, vec![], ends, shutdown),
            local::stages(&cfg.local, records, &Script::default()),
            connect,
            |(ws, peer), ends| net::ws::run(ws, ends, &cfg.control, peer, shutdown),
            &cfg.script,
            policy,
            Transport::Message,
        )
        .await;
    }
    let (ws, peer) = connect().await?;
    let env = net::peer_env(peer);
    relay::run(
        |ends| local::run(cfg.local.clone(), records, env, ends, shutdown),
        local::stages(&cfg.local, records, &cfg.script),
        |ends| net::ws::run(ws, ends, &cfg.control, peer, shutdown),
    )
    .await
}

/// `udp send`: a connected socket, records as datagrams.
pub async fn udp(cfg: UdpClient, shutdown: &Shutdown) -> anyhow::Result<()> {
    let socket = net::udp::connect(&cfg.target, &cfg.socket).await?;
    let peer = socket.peer_addr()?;
    let env = net::peer_env(peer);
    let records = Records {
        framing: cfg.framing,
        max: net::udp::RECORD_LIMIT,
        transport: Transport::Datagram,
    };
    relay::run(
        |ends| local::run(cfg.local.clone(), records, env, ends, shutdown),
        local::stages(&cfg.local, records, &cfg.script),
        |ends| net::udp::run_client(socket, ends, cfg.linger, cfg.framing),
    )
    .await
}
