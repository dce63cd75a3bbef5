//! `ws listen`: the opening handshake read by us (`net::ws::accept`), then each
//! client's WebSocket relayed to its local side, its own upstream under `--to`, or the
//! listener's hub.

use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use super::stdio::{hub_of, start_hub, with_stdio};
use super::{Admit, Handler, Listener, Policy, announce, idle_script, loopback, serve};
use crate::config::{Local, WsServer};
use crate::exit::{Exit, Fail};
use crate::forward::{self};
use crate::framing::Records;
use crate::hub::Hub;
use crate::local;
use crate::net::tls::Stream;
use crate::net::ws::accept::{AcceptRules, Accepted};
use crate::net::ws::request::Refusal;
use crate::net::{Peer, ws};
use crate::relay;
use crate::relay::Transport;
use crate::script::{self, Script};
use crate::shutdown::{self, Shutdown};

/// `ws listen`: a WebSocket session once the handshake is done, with its own upstream under
/// `--to` (opened before the handshake is answered: 502 when it cannot be).
pub async fn serve_ws(
    listener: Listener,
    cfg: WsServer,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    announce(&listener, cfg.tls.as_ref())?;
    let policy = Policy {
        sequential: cfg.local == Local::Stdio && cfg.forward.is_none() && cfg.serving.hub.is_none(),
        drain: shutdown::drain(cfg.control.close_timeout),
        serving: cfg.serving.clone(),
    };
    let records = Records {
        framing: cfg.framing,
        max: cfg.control.max_message_size,
        transport: Transport::Message,
        crlf: false,
    };
    let (hub, stdio) = hub_of(&cfg.serving, &cfg.local, cfg.forward.is_some())
        .map(|chat| start_hub(chat, &cfg.local, records, shutdown))
        .unzip();
    let service = Arc::new(WsService {
        rules: cfg.accept_rules(),
        script: idle_script(&cfg.serving),
        records,
        hub,
        cfg,
    });
    let served = serve(listener, policy, shutdown, service);
    match stdio {
        Some(stdio) => with_stdio(served, stdio).await,
        None => served.await,
    }
}

/// What `ws listen` does with each client.
struct WsService {
    /// The listener's settings: the local side, `--to`, the session's [`ws::Settings`].
    cfg: WsServer,
    /// What the opening handshake accepts (path, subprotocols, TLS, its time limit).
    rules: AcceptRules,
    /// The listener's `--idle-timeout`, as a client's script would apply it.
    script: Script,
    /// How messages meet a byte-stream local side (`--exec`, stdin/stdout).
    records: Records,
    /// `--broadcast`, `--chat` or the prompt: one local side for every client.
    hub: Option<Arc<Hub>>,
}

impl Handler for Arc<WsService> {
    /// The accepted WebSocket and, under `--to`, its upstream, opened before the handshake
    /// was answered.
    type Conn = (Accepted, Option<forward::Open>);

    async fn handshake(
        &self,
        stream: Stream,
        peer: &Peer,
        admit: Admit,
    ) -> anyhow::Result<Self::Conn> {
        let rules = &self.rules;
        let opened = match &self.cfg.forward {
            Some(up) => match forward::open(up).await {
                Ok(opened) => Some(opened),
                Err(err) => {
                    let refuse = Refusal::new(502, "the upstream cannot be reached");
                    let _ = ws::accept::accept(stream, peer, rules, Some(refuse), || Ok(())).await;
                    return Err(err.context(Fail::new(
                        Exit::Handshake,
                        "--to: the upstream cannot be reached (answered 502)",
                    )));
                }
            },
            None => None,
        };
        let admit = move || admit.claim().map_err(|why| Refusal::new(503, why));
        let accepted = ws::accept::accept(stream, peer, rules, None, admit).await?;
        Ok((accepted, opened))
    }

    /// Not an `async fn`: the future returned is the way taken, boxed, so that a connection
    /// keeps neither what it was given nor room for the larger of the other ways (memory per
    /// idle connection, `cargo bench --bench idle`).
    fn serve(
        &self,
        (accepted, opened): Self::Conn,
        peer: Peer,
        own: Shutdown,
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        let (cfg, script) = (&self.cfg, &self.script);
        let session: BoxFuture<'_, anyhow::Result<()>> = if let Some(hub) = &self.hub {
            Box::pin(async move {
                hub.serve(peer.clone(), &own, async |ends| {
                    relay::settle(ws::run(accepted.ws, ends, &cfg.control, peer, &own).await)
                })
                .await
            })
        } else if let (Some(opened), Some(up)) = (opened, &cfg.forward) {
            Box::pin(async move {
                relay::run(
                    |ends| forward::run(opened, up, ends, &own),
                    script::stage(script, Transport::Message)
                        .into_iter()
                        .collect(),
                    |ends| ws::run(accepted.ws, ends, &cfg.control, peer, &own),
                )
                .await
            })
        } else if cfg.local == Local::Echo && !script.is_active() {
            // The session is set up here and keeps a handle on `own` of its own.
            let session = ws::run(
                accepted.ws,
                loopback(relay::SMALL_QUEUE),
                &cfg.control,
                peer,
                &own,
            );
            Box::pin(session.map(relay::settle))
        } else {
            Box::pin(async move {
                relay::run(
                    |ends| local::run(cfg.local.clone(), self.records, accepted.env, ends, &own),
                    local::stages(&cfg.local, self.records, script),
                    |ends| ws::run(accepted.ws, ends, &cfg.control, peer, &own),
                )
                .await
            })
        };
        session
    }
}
