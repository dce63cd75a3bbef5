//! `ws listen`: the opening handshake read by us (`net::ws::accept`), then each
//! client's WebSocket relayed to its local side, its own upstream under `--to`, or the
//! listener's hub.

use std::sync::Arc;

use tokio::net::TcpListener;

use super::stdio::{hub_of, start_hub, with_stdio};
use super::{Admit, Policy, announce, idle_script, loopback, serve};
use crate::config::{Local, WsServer};
use crate::exit::{Exit, Fail};
use crate::forward::{self};
use crate::framing::Records;
use crate::local;
use crate::net::ws;
use crate::net::ws::request::Refusal;
use crate::relay;
use crate::relay::Transport;
use crate::script;
use crate::shutdown::{self, Shutdown};

/// `ws listen`: a WebSocket session once the handshake is done, with its own upstream under
/// `--to` (opened before the handshake is answered: 502 when it cannot be).
pub async fn serve_ws(
    listener: TcpListener,
    cfg: WsServer,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    announce(&listener, cfg.tls.as_ref())?;
    let cfg = Arc::new(cfg);
    let policy = Policy {
        sequential: cfg.local == Local::Stdio && cfg.forward.is_none() && cfg.serving.hub.is_none(),
        drain: shutdown::drain(cfg.control.close_timeout),
        serving: cfg.serving.clone(),
    };
    let script = idle_script(&cfg.serving);
    let rules = Arc::new(cfg.accept_rules());
    let for_handshake = (cfg.clone(), rules);
    let records = Records {
        framing: cfg.framing,
        max: cfg.control.max_message_size,
        transport: Transport::Message,
    };
    let (hub, stdio) = hub_of(&cfg.serving, &cfg.local, cfg.forward.is_some())
        .map(|chat| start_hub(chat, &cfg.local, records, shutdown))
        .unzip();
    let served = serve(
        listener,
        policy,
        shutdown,
        move |stream, peer, admit: Admit| {
            let (cfg, rules) = for_handshake.clone();
            async move {
                let opened = match &cfg.forward {
                    Some(up) => match forward::open(up).await {
                        Ok(opened) => Some(opened),
                        Err(err) => {
                            let refuse = Refusal::new(502, "the upstream cannot be reached");
                            let _ =
                                ws::accept::accept(stream, peer, &rules, Some(refuse), || Ok(()))
                                    .await;
                            return Err(err.context(Fail::new(
                                Exit::Handshake,
                                "--to: the upstream cannot be reached (answered 502)",
                            )));
                        }
                    },
                    None => None,
                };
                let admit = move || admit.claim().map_err(|why| Refusal::new(503, why));
                let accepted = ws::accept::accept(stream, peer, &rules, None, admit).await?;
                Ok((accepted, opened))
            }
        },
        move |(accepted, opened): (ws::accept::Accepted, Option<forward::Open>),
              peer,
              own: Shutdown| {
            let (cfg, script, hub) = (cfg.clone(), script.clone(), hub.clone());
            async move {
                if let Some(hub) = hub {
                    return hub
                        .serve(peer, &own, async |ends| {
                            relay::settle(
                                ws::run(accepted.ws, ends, &cfg.control, peer, &own).await,
                            )
                        })
                        .await;
                }
                if let (Some(opened), Some(up)) = (opened, &cfg.forward) {
                    return relay::run(
                        |ends| forward::run(opened, up, ends, &own),
                        script::stage(&script, Transport::Message)
                            .into_iter()
                            .collect(),
                        |ends| ws::run(accepted.ws, ends, &cfg.control, peer, &own),
                    )
                    .await;
                }
                if cfg.local == Local::Echo && !script.is_active() {
                    let ended = ws::run(accepted.ws, loopback(), &cfg.control, peer, &own).await;
                    return relay::settle(ended);
                }
                relay::run(
                    |ends| local::run(cfg.local.clone(), records, accepted.env, ends, &own),
                    local::stages(&cfg.local, records, &script),
                    |ends| ws::run(accepted.ws, ends, &cfg.control, peer, &own),
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
