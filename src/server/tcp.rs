//! `tcp listen`: each client's connection (after TLS when asked) relayed to its local side,
//! its own upstream under `--to`, or the listener's hub.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use super::stdio::{LINES, hub_of, start_hub, with_stdio};
use super::{Admit, Policy, announce, idle_script, loopback, open, serve};
use crate::config::Upstream;
use crate::config::{Local, Serving};
use crate::exit::{Exit, Fail};
use crate::forward;
use crate::framing::{self, Records};
use crate::local;
use crate::net::tcp;
use crate::net::tls::{Stream, TlsServer};
use crate::relay::{self, Transport};
use crate::script;
use crate::shutdown::{self, Shutdown};

/// `tcp listen`: the connection as it is accepted (after TLS, with a certificate), with its
/// own upstream under `--to`.
pub async fn serve_tcp(
    listener: TcpListener,
    local: Local,
    serving: Serving,
    tls: Option<TlsServer>,
    forward: Option<Upstream>,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    announce(&listener, tls.as_ref())?;
    let policy = Policy {
        sequential: local == Local::Stdio && forward.is_none() && serving.hub.is_none(),
        drain: shutdown::drain(Duration::ZERO),
        serving: serving.clone(),
    };
    let limit = serving.handshake_timeout;
    // Lines both ways under a hub, so that no two clients' lines mix on stdout.
    let (hub, stdio) = hub_of(&serving, &local, forward.is_some())
        .map(|chat| start_hub(chat, &local, LINES, shutdown))
        .unzip();
    let script = idle_script(&serving);
    let forward = forward.map(Arc::new);
    let upstream = forward.clone();
    let served = serve(
        listener,
        policy,
        shutdown,
        move |stream, _peer, admit: Admit| {
            let (tls, upstream) = (tls.clone(), upstream.clone());
            async move {
                let stream = open(stream, tls.as_ref(), limit).await?;
                // TCP has no way to say why: a client that lost the race is closed.
                admit
                    .claim()
                    .map_err(|why| Fail::new(Exit::Handshake, format!("refused: {why}")).err())?;
                let opened = match &upstream {
                    Some(up) => Some(forward::open(up).await?),
                    None => None,
                };
                Ok((stream, opened))
            }
        },
        move |(stream, opened): (Stream, Option<forward::Open>), peer, own: Shutdown| {
            let (local, script, forward) = (local.clone(), script.clone(), forward.clone());
            let hub = hub.clone();
            async move {
                if let Some(hub) = hub {
                    let lines = framing::stage(LINES).into_iter().collect();
                    let session = |ends| relay::behind(|e| tcp::run(stream, e, &own), lines, ends);
                    return hub.serve(peer, &own, session).await;
                }
                if let (Some(opened), Some(up)) = (opened, forward) {
                    return relay::run(
                        |ends| forward::run(opened, &up, ends, &own),
                        script::stage(&script, Transport::Stream)
                            .into_iter()
                            .collect(),
                        |ends| tcp::run(stream, ends, &own),
                    )
                    .await;
                }
                if local == Local::Echo && !script.is_active() {
                    return tcp::run(stream, loopback(), &own).await;
                }
                let env = crate::net::socket_env(stream.tcp(), peer);
                let records = Records::bytes();
                relay::run(
                    |ends| local::run(local.clone(), records, env, ends, &own),
                    local::stages(&local, records, &script),
                    |ends| tcp::run(stream, ends, &own),
                )
                .await
            }
        },
    );
    match stdio {
        Some(stdio) => with_stdio(served, stdio).await,
        None => served.await,
    }
}
