//! The local side a listener's clients share (`--broadcast`, `--chat`, or the prompt in front
//! of a listener): the hub (`crate::hub`) with stdin/stdout or the prompt, and how it ends
//! with the listener.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{Local, Serving};
use crate::framing::{Framing, Records};
use crate::hub::{self, Event, Hub};
use crate::local;
use crate::relay::{self, Ends, QUEUE, Transport, pair};
use crate::script::Script;
use crate::shutdown::Shutdown;

/// Whether a listener's clients share one local side through a hub, and whether they chat:
/// under `--broadcast`/`--chat`, and under the prompt (each client by its number) unless
/// `--to` takes the clients elsewhere.
pub(super) fn hub_of(serving: &Serving, local: &Local, forwarding: bool) -> Option<bool> {
    let prompt = matches!(local, Local::Repl(_)) && !forwarding;
    serving.hub.or(prompt.then_some(false))
}

/// A TCP listener's records under a hub: lines both ways.
pub(super) const LINES: Records = Records {
    framing: Framing::Lines,
    max: LINE_LIMIT,
    transport: Transport::Stream,
    crlf: false,
};

/// The longest line a TCP client of `--broadcast`/`--chat` may send.
pub(super) const LINE_LIMIT: usize = 64 << 20;

/// A hub for `--broadcast`/`--chat` (or a listener's prompt) and its local side: the prompt
/// when `local` is one, else stdin/stdout, cut into `records` (`text`: WebSocket).
///
/// The second value is the local side and the token that tells it the listener is done: it
/// then writes out the records already queued for stdout (a line a client sent just before
/// the end is never lost), stops reading stdin, and ends. The prompt starts the listener's
/// `shutdown` (Ctrl-D, `/quit`) or stops the run (Ctrl-C twice).
pub(super) fn start_hub(
    chat: bool,
    local: &Local,
    records: Records,
    shutdown: &Shutdown,
) -> (
    Arc<Hub>,
    HubSide<impl Future<Output = anyhow::Result<()>> + use<>>,
) {
    let (events_tx, mut events) = mpsc::channel(QUEUE);
    let hub = Arc::new(Hub::new(chat, events_tx));
    let shutdown = shutdown.clone();
    let side = hub.clone();
    let done = CancellationToken::new();
    let served = done.clone();
    let history = match local {
        Local::Repl(history) => Some(history.clone()),
        _ => None,
    };
    let stdio = async move {
        if let Some(history) = history {
            let binary = records.framing == Framing::Binary;
            return local::repl::serve(
                history,
                records.transport,
                binary,
                side,
                events,
                served,
                &shutdown,
            )
            .await;
        }
        let (local_ends, hub_ends) = pair();
        let Ends {
            tx: stdout,
            rx: stdin,
        } = hub_ends;
        // Stdout shows the records only; clients coming and going are on stderr already.
        // Ends once the listener is done and what it queued is handed on; dropping `stdout`
        // then lets the local side flush and end.
        let ended = served.clone();
        let to_stdout = async move {
            while let Some(event) = hub::next_event(&mut events, &ended).await {
                if let Event::Record(_, msg) = event {
                    if stdout.send(msg).await.is_err() {
                        break;
                    }
                }
            }
        };
        let broadcast = async {
            tokio::select! {
                () = side.broadcast_stdin(stdin) => {}
                () = served.cancelled() => {}
            }
        };
        let (result, (), ()) = tokio::join!(
            relay::behind(
                |ends| local::run(Local::Stdio, records, Vec::new(), ends, &shutdown),
                local::stages(&Local::Stdio, records, &Script::default()),
                local_ends,
            ),
            broadcast,
            to_stdout,
        );
        result
    };
    (hub, HubSide { run: stdio, done })
}

/// A hub's local side ([`start_hub`]) and the token that ends it.
pub(super) struct HubSide<F> {
    run: F,
    done: CancellationToken,
}

/// Serves until `served` ends; stdin/stdout failing (not UTF-8 where text is needed, say)
/// ends the run too. Once served, the local side writes out what is queued for stdout before
/// the run ends (input left unread on stdin is not an error then: the listener is done).
pub(super) async fn with_stdio(
    served: impl Future<Output = anyhow::Result<()>>,
    stdio: HubSide<impl Future<Output = anyhow::Result<()>>>,
) -> anyhow::Result<()> {
    let HubSide { run, done } = stdio;
    tokio::pin!(run);
    let result = tokio::select! {
        result = served => result,
        Err(err) = &mut run => return Err(err),
    };
    done.cancel();
    match run.await {
        Err(err) if err.downcast_ref::<crate::relay::Unsent>().is_none() => Err(err),
        _ => result,
    }
}
