//! The accept loop: one connection then exit (netcat's default), or `--keep-open`.
//!
//! With `--keep-open`, `--echo` and `--exec` serve clients concurrently (one command per
//! connection); stdin/stdout is one stream, so its clients are served one after another, as
//! OpenBSD `nc -lk` does. A failed connection is reported as a warning and the listener goes
//! on.

mod admit;
mod listener;
mod stdio;
mod tcp;
pub mod udp;
mod ws;

use admit::Admission;
pub use admit::Admit;
pub use listener::Listener;
pub use tcp::serve_tcp;
pub use ws::serve_ws;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Serving;
use crate::console;
use crate::exit;
use crate::exit::{Exit, Fail};
use crate::net::Peer;
use crate::net::tls::{Stream, TlsServer};
use crate::net::unix;
use crate::relay::Ends;
use crate::script::Script;
use crate::shutdown::{self, Shutdown};

/// How a listener takes its clients, for [`serve`].
pub struct Policy {
    /// How clients are taken: `-k`, `--max-conns`, `--allow`/`--deny`, timeouts.
    pub serving: Serving,
    /// One client at a time (stdin/stdout is one stream).
    pub sequential: bool,
    /// How long connections get to end after a shutdown starts.
    pub drain: Duration,
}

/// What a listener does with each client it accepts: the handshake, then the service. One
/// value serves every client (it is cloned into each connection's task: keep it an `Arc`).
pub trait Handler: Clone + Send + Sync + 'static {
    /// A client once its handshake is done (a TLS stream, an accepted WebSocket, with the
    /// upstream opened for it).
    type Conn: Send + 'static;

    /// The handshake of the client at `peer` (TLS, WebSocket, an upstream to open); it asks
    /// `admit` for a place once the client is known to be one. The error is reported as a
    /// warning naming `peer`.
    fn handshake(
        &self,
        stream: Stream,
        peer: &Peer,
        admit: Admit,
    ) -> impl Future<Output = anyhow::Result<Self::Conn>> + Send;

    /// Serves the client until its connection ends; `shutdown` is the connection's own (a
    /// child of the listener's).
    fn serve(
        &self,
        conn: Self::Conn,
        peer: Peer,
        shutdown: Shutdown,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// The most handshakes (TLS, WebSocket) in progress at once: past this, accepting waits for
/// one to end (the next clients wait in the kernel's queue), so silent connections cannot
/// take every descriptor.
pub const MAX_PENDING: usize = 256;

/// Serves clients from `listener`. Each accepted client is checked against `--allow` and
/// `--deny` (closed at once, before any data, if refused), then goes through the `handler`'s
/// handshake (TLS, WebSocket; at most [`MAX_PENDING`] at once, all concurrently), which asks
/// its [`Admit`] for a place (`--max-conns`; 503 for WebSocket, closed for TCP), and is served.
/// Without `--keep-open`, the first client to complete its handshake is served, the listener
/// is closed, and the handshakes still in progress are refused through [`Admit`] (a failed
/// handshake does not count); with it, clients are served concurrently, or one after another
/// when `sequential` (not accepting while one is served, as `nc -lk`). Running out of
/// descriptors pauses accepting until a connection ends (one warning a minute at most). A
/// shutdown (see `shutdown.rs`) stops accepting and waits `drain` for the connections
/// to end; then the run ends cleanly. Each connection is served with a child of `shutdown`
/// of its own.
pub async fn serve<H: Handler>(
    listener: Listener,
    policy: Policy,
    shutdown: &Shutdown,
    handler: H,
) -> anyhow::Result<()> {
    raise_file_limit();
    let Policy {
        serving,
        sequential,
        drain,
    } = policy;
    let concurrent = serving.keep_open && !sequential;
    let admission = Admission::new(concurrent, serving.max_conns);
    // Reported where it fails; a handshake done, with its permit given back, yields the client.
    let on_handshake = handler.clone();
    let shake = move |stream: Stream, peer: Peer, permit: OwnedSemaphorePermit, admit: Admit| {
        let handler = on_handshake.clone();
        async move {
            console::status(
                "accepted",
                format!("accepted {peer}"),
                peer.with_cred(json!({"peer": peer})),
            );
            unix::show_cred(&peer);
            let done = handler.handshake(stream, &peer, admit).await;
            drop(permit);
            match done {
                Ok(conn) => Some((conn, peer)),
                Err(err) => {
                    report(&peer, &err);
                    None
                }
            }
        }
    };
    let pending = Arc::new(Semaphore::new(MAX_PENDING));
    // The connections being served (for the drain), the token that cuts them at its end, and
    // the word that one has ended (accepting may go on; its memory may go back).
    let running = TaskTracker::new();
    // The connections' own shutdown, begun by `finish` once the loop has stopped and counted
    // them (they would otherwise race the count to their ends).
    let closing = shutdown.deferred();
    let cut = CancellationToken::new();
    let ended = Arc::new(Notify::new());
    let mut handshaking: JoinSet<Option<(H::Conn, Peer)>> = JoinSet::new();
    let mut paused: Option<Instant> = None;
    // When running out of descriptors was last reported: once a minute at most.
    let mut warned: Option<Instant> = None;
    loop {
        let (stream, peer, permit) = tokio::select! {
            biased;
            _ = shutdown.requested() => {
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
                let served = shutdown.bounded(handler.serve(conn, peer.clone(), shutdown.child()), drain).await;
                if !serving.keep_open {
                    return served;
                }
                if let Err(err) = served {
                    report(&peer, &err);
                }
                break;
            },
            () = ended.notified() => {
                paused = None;
                if running.is_empty() {
                    give_back_memory();
                }
                continue;
            },
            Some(done) = handshaking.join_next() => {
                let Ok(Some((conn, peer))) = done else { continue };
                if !serving.keep_open {
                    drop(listener);
                    return shutdown.bounded(handler.serve(conn, peer, shutdown.child()), drain).await;
                }
                match shutdown.bounded(handler.serve(conn, peer.clone(), shutdown.child()), drain).await {
                    // Stdout was closed by its reader (`| head`): nobody takes what the next
                    // client would send, so the listener ends, quietly (exit 0).
                    Err(err) if exit::is_quiet(&err) && exit::code_of(&err) == Exit::Ok => {
                        return Ok(());
                    }
                    Err(err) => report(&peer, &err),
                    Ok(()) => {}
                }
                admission.next_one();
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
        if let Err(rule) = peer
            .ip()
            .map_or(Ok(()), |addr| serving.access.admits(addr.ip()))
        {
            console::warn(
                format!("{peer}: denied ({rule})"),
                json!({"peer": peer, "message": format!("denied ({rule})")}),
            );
            continue; // dropped: closed before any data
        }
        let admit = admission.admit();
        if !concurrent {
            handshaking.spawn(shake(stream, peer, permit, admit));
            continue;
        }
        let (shake, handler) = (shake.clone(), handler.clone());
        let (own, cut, ended) = (closing.child(), cut.clone(), ended.clone());
        // Boxed apart, and made before the task: a task holds only the stage it is in, not
        // room for the larger of the two, nor for the stream and peer it was given (memory
        // per idle connection, `cargo bench --bench idle`).
        let place = admit.clone();
        let shaking = Box::pin(shake(stream, peer, permit, place));
        running.spawn(async move {
            let served = async move {
                // Matched at once: a result kept in a variable would be held across the next
                // await, a whole accepted connection's room in every task.
                let Some((conn, peer)) = shaking.await else {
                    return;
                };
                if let Err(err) = Box::pin(handler.serve(conn, peer.clone(), own)).await {
                    report(&peer, &err);
                }
            };
            tokio::select! {
                biased;
                () = cut.cancelled() => {}
                () = served => {}
            }
            admit.give_back();
            ended.notify_one();
        });
    }
    drop(listener);
    finish(running, &closing, cut, drain).await;
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
    listener: &Listener,
    pending: &Arc<Semaphore>,
) -> std::io::Result<(Stream, Peer, OwnedSemaphorePermit)> {
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

/// After a shutdown started: says how many connections are open, tells them to end
/// (`closing`), waits up to `drain` for them, then cuts those left (`cut`) and waits for them
/// to let go.
async fn finish(running: TaskTracker, closing: &Shutdown, cut: CancellationToken, drain: Duration) {
    shutdown::announce(running.len());
    closing.begin();
    running.close();
    if timeout(drain, running.wait()).await.is_ok() {
        return;
    }
    console::warn(
        format!(
            "{} connection(s) still open after {}: closed",
            running.len(),
            humantime::format_duration(drain)
        ),
        json!({"message": "connections cut at the end of the shutdown"}),
    );
    cut.cancel();
    running.wait().await;
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
pub(super) fn announce(listener: &Listener, tls: Option<&TlsServer>) -> anyhow::Result<()> {
    let addr = listener.name()?;
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
    stream: Stream,
    tls: Option<&TlsServer>,
    limit: Duration,
) -> anyhow::Result<Stream> {
    let tcp = match (tls, stream) {
        (Some(tls), Stream::Plain(tcp)) => (tls, tcp),
        // TLS is for TCP listeners only (a Unix listener has no TLS options).
        (_, stream) => return Ok(stream),
    };
    let (tls, tcp) = tcp;
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

/// `--echo` at its simplest: what the remote side reads goes straight back to its writer,
/// one channel and no task in between (less memory per connection, one hand-off less per
/// message). The end of its input is the end of its output, as with the echo local side.
/// `capacity`: messages in flight ([`crate::relay::QUEUE`], or [`crate::relay::SMALL_QUEUE`] where the
/// reader sends with [`crate::relay::send`]).
pub(super) fn loopback(capacity: usize) -> Ends {
    let (tx, rx) = mpsc::channel(capacity);
    Ends { tx, rx }
}

/// A server's `--idle-timeout`, as the scripting filter applies it to a client.
pub(super) fn idle_script(serving: &Serving) -> Script {
    Script {
        idle_timeout: serving.idle_timeout,
        ..Script::default()
    }
}

pub(crate) fn report(peer: &(impl std::fmt::Display + serde::Serialize), err: &anyhow::Error) {
    if !exit::is_quiet(err) {
        let what = exit::describe(err);
        // "127.0.0.1:5000: 127.0.0.1:5000 ended TLS ...": the address once.
        let shown = what.strip_prefix(&format!("{peer} ")).unwrap_or(&what);
        console::warn(
            format!("{peer}: {shown}"),
            json!({"peer": peer, "message": what, "code": exit::code_of(err) as i32}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spawns a connection that ends by itself after `after` (`None`: never), or when cut.
    fn connection(running: &TaskTracker, cut: &CancellationToken, after: Option<Duration>) {
        let cut = cut.clone();
        running.spawn(async move {
            let served = async {
                match after {
                    Some(after) => tokio::time::sleep(after).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = cut.cancelled() => {}
                () = served => {}
            }
        });
    }

    /// The drain: connections that end in time are waited for, and no longer.
    #[tokio::test(start_paused = true)]
    async fn the_drain_waits_for_connections_that_end() {
        let (running, cut) = (TaskTracker::new(), CancellationToken::new());
        connection(&running, &cut, Some(Duration::from_secs(1)));
        connection(&running, &cut, Some(Duration::from_secs(2)));
        let start = Instant::now();
        let closing = Shutdown::new();
        finish(
            running.clone(),
            &closing,
            cut.clone(),
            shutdown::drain(Duration::ZERO),
        )
        .await;
        assert!(closing.is_requested(), "the connections were told");
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        assert!(!cut.is_cancelled(), "nothing was cut");
        assert!(running.is_empty());
    }

    /// A connection that does not end is cut when the drain is over, and the run goes on.
    #[tokio::test(start_paused = true)]
    async fn the_drain_cuts_what_is_left() {
        let (running, cut) = (TaskTracker::new(), CancellationToken::new());
        connection(&running, &cut, Some(Duration::from_secs(1)));
        connection(&running, &cut, None);
        let drain = shutdown::drain(Duration::from_secs(10));
        assert_eq!(drain, Duration::from_millis(10_500));
        let start = Instant::now();
        finish(running.clone(), &Shutdown::new(), cut.clone(), drain).await;
        assert_eq!(start.elapsed(), drain);
        assert!(cut.is_cancelled());
        assert!(running.is_empty(), "the cut connection let go");
    }
}
