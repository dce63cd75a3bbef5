//! `tcp listen`: each client's connection (after TLS when asked) relayed to its local side,
//! its own upstream under `--to`, or the listener's hub.

use std::sync::Arc;
use std::time::Duration;

use super::stdio::{LINES, hub_of, start_hub, with_stdio};
use super::{Admit, Handler, Listener, Policy, announce, idle_script, loopback, open, serve};
use crate::config::Upstream;
use crate::config::{Local, Serving};
use crate::exit::{Exit, Fail};
use crate::forward;
use crate::framing::{self, Records};
use crate::hub::Hub;
use crate::local;
use crate::net::tls::{Stream, TlsServer};
use crate::net::{Peer, tcp};
use crate::relay::{self, Transport};
use crate::script::{self, Script};
use crate::shutdown::{self, Shutdown};

/// `tcp listen`: the connection as it is accepted (after TLS, with a certificate), with its
/// own upstream under `--to`.
pub async fn serve_tcp(
    listener: Listener,
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
    // Lines both ways under a hub, so that no two clients' lines mix on stdout.
    let (hub, stdio) = hub_of(&serving, &local, forward.is_some())
        .map(|chat| start_hub(chat, &local, LINES, shutdown))
        .unzip();
    let service = Arc::new(TcpService {
        tls,
        handshake_timeout: serving.handshake_timeout,
        forward,
        script: idle_script(&serving),
        local,
        hub,
        crlf: serving.crlf,
    });
    let served = serve(listener, policy, shutdown, service);
    match stdio {
        Some(stdio) => with_stdio(served, stdio).await,
        None => served.await,
    }
}

/// What `tcp listen` does with each client.
struct TcpService {
    /// The certificate and key, when the listener speaks TLS.
    tls: Option<TlsServer>,
    /// The longest a client may take over its TLS handshake (`--handshake-timeout`).
    handshake_timeout: Duration,
    /// `--to`: each client gets its own connection to this upstream.
    forward: Option<Upstream>,
    /// The listener's `--idle-timeout`, as a client's script would apply it.
    script: Script,
    local: Local,
    /// `--broadcast`, `--chat` or the prompt: one local side for every client.
    hub: Option<Arc<Hub>>,
    /// `-C`: line ends go to each client as `\r\n`.
    crlf: bool,
}

impl Handler for Arc<TcpService> {
    /// The stream (after TLS) and, under `--to`, its upstream, opened before it is served.
    type Conn = (Stream, Option<forward::Open>);

    async fn handshake(
        &self,
        stream: Stream,
        _peer: &Peer,
        admit: Admit,
    ) -> anyhow::Result<Self::Conn> {
        let stream = open(stream, self.tls.as_ref(), self.handshake_timeout).await?;
        // TCP has no way to say why: a client that lost the race is closed.
        admit
            .claim()
            .map_err(|why| Fail::new(Exit::Handshake, format!("refused: {why}")).err())?;
        let opened = match &self.forward {
            Some(up) => Some(forward::open(up).await?),
            None => None,
        };
        Ok((stream, opened))
    }

    async fn serve(
        &self,
        (stream, opened): Self::Conn,
        peer: Peer,
        own: Shutdown,
    ) -> anyhow::Result<()> {
        if let Some(hub) = &self.hub {
            // Next to the socket, -C's line ends, then the cut into lines for the hub.
            let lines = self
                .crlf
                .then(|| framing::crlf(Transport::Stream, relay::Side::Local))
                .into_iter()
                .chain(framing::stage(LINES))
                .collect();
            let session = |ends| relay::behind(|e| tcp::run(stream, e, &own), lines, ends);
            return hub.serve(peer, &own, session).await;
        }
        if let (Some(opened), Some(up)) = (opened, &self.forward) {
            return relay::run(
                |ends| forward::run(opened, up, ends, &own),
                script::stage(&self.script, Transport::Stream)
                    .into_iter()
                    .collect(),
                |ends| tcp::run(stream, ends, &own),
            )
            .await;
        }
        if self.local == Local::Echo && !self.script.is_active() && !self.crlf {
            return tcp::run(stream, loopback(crate::relay::QUEUE), &own).await;
        }
        let env = crate::net::socket_env(stream.tcp(), &peer);
        let records = Records::bytes(self.crlf);
        let stages = local::stages(&self.local, records, &self.script);
        if let Some(plan) = local::zero_copy(&self.local, &stages, &stream) {
            return local::splice::run(plan, stream, &own).await;
        }
        relay::run(
            |ends| local::run(self.local.clone(), records, env, ends, &own),
            stages,
            |ends| tcp::run(stream, ends, &own),
        )
        .await
    }
}
