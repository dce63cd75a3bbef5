//! The accept loop: one connection then exit (netcat's default), or `--keep-open`.
//!
//! With `--keep-open`, `--echo` and `--exec` serve clients concurrently (one command per
//! connection); stdin/stdout is one stream, so its clients are served one after another, as
//! OpenBSD `nc -lk` does. A failed connection is reported as a warning and the listener goes
//! on.

pub mod udp;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::sync::CancellationToken;

use crate::config::{Local, Serving, WsServer};
use crate::console;
use crate::exit;
use crate::exit::{Exit, Fail};
use crate::forward::{self, Upstream};
use crate::framing::{Framing, framed};
use crate::hub::{self, Event, Hub};
use crate::local;
use crate::net::tls::{Stream, TlsServer};
use crate::net::ws::request::Refusal;
use crate::net::{tcp, ws};
use crate::relay::{self, Ends, QUEUE, pair, relay_scripted};
use crate::script::Script;
use crate::shutdown;

/// How a listener takes its clients, for [`serve`].
pub struct Policy {
    pub serving: Serving,
    /// One client at a time (stdin/stdout is one stream).
    pub sequential: bool,
    /// How long connections get to end after a shutdown starts.
    pub drain: Duration,
}

/// The most handshakes (TLS, WebSocket) in progress at once: past this, accepting waits for
/// one to end (the next clients wait in the kernel's queue), so silent connections cannot
/// take every descriptor.
pub const MAX_PENDING: usize = 256;

/// Whether a client whose handshake is done may be served: in a listener that serves one
/// client at a time, the first to finish its handshake takes the place, and the others are
/// refused (503 for WebSocket, closed for TLS).
#[derive(Clone, Default)]
pub struct Admit(Option<Arc<AtomicBool>>);

impl Admit {
    /// Takes the place; the error says why not.
    pub fn claim(&self) -> Result<(), String> {
        match &self.0 {
            Some(taken) if taken.swap(true, Ordering::SeqCst) => {
                Err("server busy: it serves one client at a time; try again later".into())
            }
            _ => Ok(()),
        }
    }
}

/// Serves clients from `listener`. Each accepted client is checked against `--allow` and
/// `--deny` (closed at once, before any data, if refused) and `--max-conns` (over the limit it
/// is handed to `refuse`: nothing for TCP, HTTP 503 for WebSocket), then goes through
/// `handshake` (TLS, WebSocket; at most [`MAX_PENDING`] at once, all concurrently) and is
/// `run`. Without `--keep-open`, the first client to complete its handshake is served, the
/// listener is closed, and the handshakes still in progress are refused through [`Admit`]
/// (a failed handshake does not count); with it, clients are served concurrently, or one
/// after another when `sequential` (not accepting while one is served, as `nc -lk`). Running
/// out of descriptors pauses accepting until a connection ends (one warning a minute at
/// most). A
/// shutdown (see [`crate::shutdown`]) stops accepting and waits `drain` for the connections
/// to end; then the run ends cleanly.
pub async fn serve<C, HS, HF, RS, RF, XS, XF>(
    listener: TcpListener,
    policy: Policy,
    handshake: HS,
    run: RS,
    refuse: XS,
) -> anyhow::Result<()>
where
    HS: Fn(TcpStream, SocketAddr, Admit) -> HF + Clone + Send + 'static,
    HF: Future<Output = anyhow::Result<C>> + Send + 'static,
    RS: Fn(C, SocketAddr) -> RF + Clone + Send + 'static,
    RF: Future<Output = anyhow::Result<()>> + Send,
    XS: Fn(TcpStream, SocketAddr) -> XF,
    XF: Future<Output = ()> + Send + 'static,
    C: Send + 'static,
{
    raise_file_limit();
    let Policy {
        serving,
        sequential,
        drain,
    } = policy;
    let concurrent = serving.keep_open && !sequential;
    let one_at_a_time = Arc::new(AtomicBool::new(false));
    let admit = if concurrent {
        Admit::default()
    } else {
        Admit(Some(one_at_a_time.clone()))
    };
    // Reported where it fails; a handshake done, with its permit given back, yields the client.
    let shake = move |stream: TcpStream, peer: SocketAddr, permit: OwnedSemaphorePermit| {
        let (handshake, admit) = (handshake.clone(), admit.clone());
        async move {
            console::status(
                "accepted",
                format!("accepted {peer}"),
                json!({"peer": peer}),
            );
            let done = handshake(stream, peer, admit).await;
            drop(permit);
            done.map(|conn| (conn, peer))
                .map_err(|err| report(peer, &err))
                .ok()
        }
    };
    let pending = Arc::new(Semaphore::new(MAX_PENDING));
    let mut running = JoinSet::new();
    let mut refusing = JoinSet::new();
    let mut handshaking = JoinSet::new();
    let mut paused: Option<Instant> = None;
    // When running out of descriptors was last reported: once a minute at most.
    let mut warned: Option<Instant> = None;
    loop {
        let (stream, peer, permit) = tokio::select! {
            biased;
            _ = shutdown::requested() => {
                if concurrent {
                    break;
                }
                // A client accepted before the shutdown is served through the drain, as when
                // its handshake was part of the accept.
                let first = async {
                    while let Some(done) = handshaking.join_next().await {
                        if let Ok(Some(conn)) = done {
                            return Some(conn);
                        }
                    }
                    None
                };
                let Ok(Some((conn, peer))) = timeout(drain, first).await else { break };
                let served = shutdown::bounded(run(conn, peer), drain).await;
                if !serving.keep_open {
                    return served;
                }
                if let Err(err) = served {
                    report(peer, &err);
                }
                break;
            },
            Some(_) = running.join_next() => {
                paused = None;
                if running.is_empty() {
                    give_back_memory();
                }
                continue;
            },
            Some(_) = refusing.join_next() => continue,
            Some(done) = handshaking.join_next() => {
                let Ok(Some((conn, peer))) = done else { continue };
                if !serving.keep_open {
                    drop(listener);
                    return shutdown::bounded(run(conn, peer), drain).await;
                }
                match shutdown::bounded(run(conn, peer), drain).await {
                    // Stdout was closed by its reader (`| head`): nobody takes what the next
                    // client would send, so the listener ends, quietly (exit 0).
                    Err(err) if exit::is_quiet(&err) && exit::code_of(&err) == Exit::Ok => {
                        return Ok(());
                    }
                    Err(err) => report(peer, &err),
                    Ok(()) => {}
                }
                one_at_a_time.store(false, Ordering::SeqCst);
                continue;
            },
            _ = sleep_until(paused.unwrap_or_else(Instant::now)), if paused.is_some() => {
                paused = None;
                continue;
            },
            accepted = accept(&listener, &pending), if paused.is_none() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors: the listener itself is still good, and retrying at once
                // would spin; so wait for a connection to end (or a moment).
                Err(err) if out_of_descriptors(&err) => {
                    if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                        console::warn(
                            format!("accept failed: {err}; accepting again once a connection ends"),
                            json!({"message": err.to_string()}),
                        );
                        warned = Some(Instant::now());
                    }
                    paused = Some(Instant::now() + Duration::from_millis(250));
                    continue;
                }
                Err(err) => {
                    console::warn(format!("accept failed: {err}"), json!({"message": err.to_string()}));
                    continue;
                }
            },
        };
        let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
        if let Err(rule) = serving.access.admits(peer.ip()) {
            console::warn(
                format!("{peer}: denied ({rule})"),
                json!({"peer": peer, "message": format!("denied ({rule})")}),
            );
            continue; // dropped: closed before any data
        }
        if !concurrent {
            handshaking.spawn(shake(stream, peer, permit));
            continue;
        }
        if serving.max_conns.is_some_and(|max| running.len() >= max) {
            let max = serving.max_conns.unwrap_or_default();
            console::warn(
                format!("{peer}: refused, {max} clients already (--max-conns)"),
                json!({"peer": peer, "message": format!("refused: --max-conns {max}")}),
            );
            refusing.spawn(refuse(stream, peer));
            continue;
        }
        let (shake, run) = (shake.clone(), run.clone());
        running.spawn(async move {
            // Boxed apart: a task holds only the stage it is in, not room for the larger of
            // the two (memory per idle connection, measured by `cargo bench --bench idle`).
            let Some((conn, peer)) = Box::pin(shake(stream, peer, permit)).await else {
                return;
            };
            if let Err(err) = Box::pin(run(conn, peer)).await {
                report(peer, &err);
            }
        });
    }
    drop(listener);
    finish(running, drain).await;
    Ok(())
}

/// Once the last client has gone: the memory its connections freed goes back to the system
/// (glibc keeps freed memory in its arenas otherwise; measured by `cargo bench --bench soak`,
/// 5 MiB stayed after a burst of hostile clients).
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The next client, once fewer than [`MAX_PENDING`] handshakes are in progress.
async fn accept(
    listener: &TcpListener,
    pending: &Arc<Semaphore>,
) -> std::io::Result<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let permit = pending.clone().acquire_owned().await.expect("never closed");
    let (stream, peer) = listener.accept().await?;
    Ok((stream, peer, permit))
}

/// Whether an accept failed for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
/// ENOMEM), which only time cures.
fn out_of_descriptors(err: &std::io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// After a shutdown started: waits up to `drain` for the connections still open to end.
async fn finish(mut running: JoinSet<()>, drain: Duration) {
    shutdown::announce(running.len());
    let deadline = tokio::time::sleep(drain);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = running.join_next() => if next.is_none() { return },
            _ = &mut deadline => {
                let left = running.len();
                console::warn(
                    format!("{left} connection(s) still open after {}: closed", humantime::format_duration(drain)),
                    json!({"message": "connections cut at the end of the shutdown"}),
                );
                running.abort_all();
                return;
            }
        }
    }
}

/// A listener for many clients needs a descriptor each: the soft limit on open files goes up
/// to the hard one (as Go programs do), so 10,000 clients do not stop at a default of 1,024.
pub fn raise_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to an rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
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
pub async fn open(
    tcp: TcpStream,
    tls: Option<&TlsServer>,
    limit: Duration,
) -> anyhow::Result<Stream> {
    let Some(tls) = tls else {
        return Ok(Stream::Plain(tcp));
    };
    match timeout(limit, tls.accept(tcp)).await {
        Ok(result) => result,
        Err(_) => Err(Fail::new(
            Exit::Handshake,
            format!(
                "no TLS handshake within {} (--handshake-timeout)",
                humantime::format_duration(limit)
            ),
        )
        .err()),
    }
}

/// `tcp listen`: the connection as it is accepted (after TLS, with a certificate), with its
/// own upstream under `--to`.
pub async fn serve_tcp(
    listener: TcpListener,
    local: Local,
    serving: Serving,
    tls: Option<TlsServer>,
    forward: Option<Upstream>,
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
        .map(|chat| start_hub(chat, &local, (Framing::Lines, LINE_LIMIT, false)))
        .unzip();
    let script = idle_script(&serving);
    let forward = forward.map(Arc::new);
    let upstream = forward.clone();
    let served = serve(
        listener,
        policy,
        move |stream, _peer, admit: Admit| {
            let (tls, upstream) = (tls.clone(), upstream.clone());
            async move {
                let stream = open(stream, tls.as_ref(), limit).await?;
                // TCP has no way to say why: a client that lost the race is closed.
                admit
                    .claim()
                    .map_err(|why| Fail::new(Exit::Handshake, why).err())?;
                let opened = match &upstream {
                    Some(up) => Some(forward::open(up).await?),
                    None => None,
                };
                Ok((stream, opened))
            }
        },
        move |(stream, opened): (Stream, Option<forward::Open>), peer| {
            let (local, script, forward) = (local.clone(), script.clone(), forward.clone());
            let hub = hub.clone();
            async move {
                if let Some(hub) = hub {
                    let session = |ends| {
                        framed(Framing::Lines, LINE_LIMIT, false, ends, |ends| {
                            tcp::run(stream, ends)
                        })
                    };
                    return hub.serve(peer, session).await;
                }
                if let (Some(opened), Some(up)) = (opened, forward) {
                    return relay_scripted(
                        |ends| forward::run(opened, &up, ends),
                        |ends| tcp::run(stream, ends),
                        &script,
                        true,
                    )
                    .await;
                }
                if local == Local::Echo && !script.is_active() {
                    return tcp::run(stream, loopback()).await;
                }
                let env = crate::net::socket_env(stream.tcp(), peer);
                relay_scripted(
                    |ends| local::run(local, env, ends),
                    |ends| tcp::run(stream, ends),
                    &script,
                    true,
                )
                .await
            }
        },
        // Over --max-conns: closed at once (TCP has no way to say why).
        |stream, _peer| async move { drop(stream) },
    );
    match stdio {
        Some(stdio) => with_stdio(served, stdio).await,
        None => served.await,
    }
}

/// `ws listen`: a WebSocket session once the handshake is done, with its own upstream under
/// `--to` (opened before the handshake is answered: 502 when it cannot be).
pub async fn serve_ws(listener: TcpListener, cfg: WsServer) -> anyhow::Result<()> {
    announce(&listener, cfg.tls.as_ref())?;
    let cfg = Arc::new(cfg);
    let policy = Policy {
        sequential: cfg.local == Local::Stdio && cfg.forward.is_none() && cfg.serving.hub.is_none(),
        drain: shutdown::drain(cfg.control.close_timeout),
        serving: cfg.serving.clone(),
    };
    let script = idle_script(&cfg.serving);
    let rules = Arc::new(cfg.accept_rules());
    let (for_handshake, for_refusal) = ((cfg.clone(), rules.clone()), rules);
    let records = (cfg.framing, cfg.control.max_message_size, true);
    let (hub, stdio) = hub_of(&cfg.serving, &cfg.local, cfg.forward.is_some())
        .map(|chat| start_hub(chat, &cfg.local, records))
        .unzip();
    let served = serve(
        listener,
        policy,
        move |stream, peer, admit: Admit| {
            let (cfg, rules) = for_handshake.clone();
            async move {
                let opened = match &cfg.forward {
                    Some(up) => match forward::open(up).await {
                        Ok(opened) => Some(opened),
                        Err(err) => {
                            let refuse = Refusal::new(502, "the upstream cannot be reached");
                            let _ = ws::handshake::accept(
                                stream,
                                peer,
                                &rules,
                                Some(refuse),
                                || Ok(()),
                            )
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
                let accepted = ws::handshake::accept(stream, peer, &rules, None, admit).await?;
                Ok((accepted, opened))
            }
        },
        move |(accepted, opened): (ws::handshake::Accepted, Option<forward::Open>), peer| {
            let (cfg, script, hub) = (cfg.clone(), script.clone(), hub.clone());
            async move {
                if let Some(hub) = hub {
                    return hub
                        .serve(peer, async |ends| {
                            relay::settle(ws::run(accepted.ws, ends, &cfg.control, peer).await)
                        })
                        .await;
                }
                if let (Some(opened), Some(up)) = (opened, &cfg.forward) {
                    return relay_scripted(
                        |ends| forward::run(opened, up, ends),
                        |ends| ws::run(accepted.ws, ends, &cfg.control, peer),
                        &script,
                        false,
                    )
                    .await;
                }
                if cfg.local == Local::Echo && !script.is_active() {
                    let ended = ws::run(accepted.ws, loopback(), &cfg.control, peer).await;
                    return relay::settle(ended);
                }
                let local = cfg.local.clone();
                let (framing, max) = (cfg.framing, cfg.control.max_message_size);
                relay_scripted(
                    |ends| local::run_framed(local, (framing, max, true), accepted.env, ends),
                    |ends| ws::run(accepted.ws, ends, &cfg.control, peer),
                    &script,
                    false,
                )
                .await
            }
        },
        // Over --max-conns: the handshake is answered with 503.
        move |stream, peer| {
            let rules = for_refusal.clone();
            async move {
                let busy = Refusal::new(503, "server busy: too many clients; try again later");
                let _ = ws::handshake::accept(stream, peer, &rules, Some(busy), || Ok(())).await;
            }
        },
    );
    match stdio {
        Some(stdio) => with_stdio(served, stdio).await,
        None => served.await,
    }
}

/// Whether a listener's clients share one local side through a hub, and whether they chat:
/// under `--broadcast`/`--chat`, and under the prompt (each client by its number) unless
/// `--to` takes the clients elsewhere.
fn hub_of(serving: &Serving, local: &Local, forwarding: bool) -> Option<bool> {
    let prompt = matches!(local, Local::Repl(_)) && !forwarding;
    serving.hub.or(prompt.then_some(false))
}

/// The longest line a TCP client of `--broadcast`/`--chat` may send.
const LINE_LIMIT: usize = 64 << 20;

/// A hub for `--broadcast`/`--chat` (or a listener's prompt) and its local side: the prompt
/// when `local` is one, else stdin/stdout (records cut by `framing`). `text`: WebSocket.
///
/// The second value is the local side and the token that tells it the listener is done: it
/// then writes out the records already queued for stdout (a line a client sent just before
/// the end is never lost), stops reading stdin, and ends.
fn start_hub(
    chat: bool,
    local: &Local,
    (framing, max, text): (Framing, usize, bool),
) -> (
    Arc<Hub>,
    HubSide<impl Future<Output = anyhow::Result<()>> + use<>>,
) {
    let (events_tx, mut events) = mpsc::channel(QUEUE);
    let hub = Arc::new(Hub::new(chat, events_tx));
    let side = hub.clone();
    let done = CancellationToken::new();
    let served = done.clone();
    let history = match local {
        Local::Repl(history) => Some(history.clone()),
        _ => None,
    };
    let stdio = async move {
        if let Some(history) = history {
            let transport = if text {
                local::repl::Transport::Ws
            } else {
                local::repl::Transport::Tcp
            };
            let binary = framing == Framing::Binary;
            return local::repl::serve(history, transport, binary, side, events, served).await;
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
        let records = async move {
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
            local::run_framed(Local::Stdio, (framing, max, text), Vec::new(), local_ends),
            broadcast,
            records,
        );
        result
    };
    (hub, HubSide { run: stdio, done })
}

/// A hub's local side ([`start_hub`]) and the token that ends it.
struct HubSide<F> {
    run: F,
    done: CancellationToken,
}

/// Serves until `served` ends; stdin/stdout failing (not UTF-8 where text is needed, say)
/// ends the run too.
/// Once served, the local side writes out what is queued for stdout before the run ends
/// (input left unread on stdin is not an error then: the listener is done).
async fn with_stdio(
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

/// `--echo` at its simplest: what the remote side reads goes straight back to its writer,
/// one channel and no task in between (less memory per connection, one hand-off less per
/// message). The end of its input is the end of its output, as with the echo local side.
fn loopback() -> Ends {
    let (tx, rx) = mpsc::channel(QUEUE);
    Ends { tx, rx }
}

/// A server's `--idle-timeout`, as the scripting filter applies it to a client.
fn idle_script(serving: &Serving) -> Script {
    Script {
        idle_timeout: serving.idle_timeout,
        ..Script::default()
    }
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
