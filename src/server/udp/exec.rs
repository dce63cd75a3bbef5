//! `udp listen --exec`: one command per sender, fed that sender's datagrams (as lines, or raw
//! with -b); each record of its output is a datagram back to it. A sender's command runs
//! until it exits, or until the sender has been quiet for `--idle-timeout` (its stdin is
//! closed, and it is stopped [`GRACE`] later); the next datagram from that sender starts a
//! new one. UDP has no connection to end, and anyone can send a datagram from a new
//! address, so at most `--max-conns` commands run at once: datagrams from new senders past
//! that are dropped, with one warning until a place frees.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use crate::config::Local;
use crate::console;
use crate::framing::Records;
use crate::local;
use crate::net::dgram::{DgramPeer, DgramSocket, datagram_event, datagrams};
use crate::relay::{self, Ends, Message, pair};
use crate::script::Script;
use crate::shutdown::Shutdown;

/// How long a command whose sender went quiet has, once its stdin is closed, before it is
/// stopped.
pub const GRACE: Duration = Duration::from_secs(2);

/// A sender's command.
struct Session {
    /// Its stdin, as messages.
    tx: mpsc::Sender<Message>,
    task: AbortHandle,
    /// When a datagram last went either way.
    last: Arc<Mutex<Instant>>,
    /// Datagrams dropped since its command last took one (one warning per run of drops).
    dropped: u64,
}

/// The limits on senders' commands: at most `max` at once, each ending after `idle` without a
/// datagram either way (`None`: never).
pub struct Limits {
    /// Senders with a command running at once, at most (`--max-conns`).
    pub max: usize,
    /// A sender's command gets EOF after this long without a datagram either way.
    pub idle: Option<Duration>,
}

/// Serves datagrams from `socket` with one `cmd` per sender, within `limits`, until the
/// `shutdown` starts: then every command gets EOF and [`crate::shutdown::drain`] (5.5 s) to
/// end and send its last output; those still running are stopped.
pub async fn serve(
    socket: Arc<DgramSocket>,
    cmd: &str,
    records: Records,
    limits: Limits,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let mut sessions: HashMap<DgramPeer, Session> = HashMap::new();
    // Commands whose stdin was closed for idleness, and when they are stopped.
    let mut ending: Vec<(AbortHandle, Instant)> = Vec::new();
    let mut running = JoinSet::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut full = false;
    let period = limits.idle.map_or(Duration::from_secs(3600), |idle| {
        (idle / 4).max(Duration::from_millis(50))
    });
    let mut sweep = tokio::time::interval(period);
    loop {
        let (n, peer) = tokio::select! {
            received = socket.recv_from(&mut buf) => received?,
            _ = shutdown.requested() => break,
            Some(done) = running.join_next() => {
                if let Ok((peer, result)) = done {
                    if sessions.get(&peer).is_some_and(|s| s.tx.is_closed()) {
                        sessions.remove(&peer);
                    }
                    if let Err(err) = result {
                        crate::server::report(&peer, &err);
                    }
                }
                continue;
            }
            _ = sweep.tick() => {
                let now = Instant::now();
                ending.retain(|(task, at)| {
                    if *at <= now {
                        task.abort();
                    }
                    *at > now && !task.is_finished()
                });
                if let Some(idle) = limits.idle {
                    sessions.retain(|peer, session| {
                        let quiet = now - *session.last.lock().unwrap() >= idle;
                        if quiet {
                            console::status(
                                "ended",
                                format!("{peer}: quiet for {}: its command ends", humantime::format_duration(idle)),
                                json!({"peer": peer, "message": "idle timeout"}),
                            );
                            ending.push((session.task.clone(), now + GRACE));
                        }
                        !quiet
                    });
                }
                continue;
            }
        };
        datagram_event(&peer, n);
        crate::hexdump::datagram('<', &peer, &buf[..n]);
        let msg = Message::binary(Bytes::copy_from_slice(&buf[..n]));
        if let Some(session) = sessions.get_mut(&peer) {
            *session.last.lock().unwrap() = Instant::now();
            // One sender's command that stops reading must not hold up the others. One
            // warning when it starts dropping (a flood would print one per datagram), one
            // count when it reads again.
            match session.tx.try_send(msg.clone()) {
                Ok(()) => {
                    if session.dropped > 0 {
                        let dropped = std::mem::take(&mut session.dropped);
                        console::warn(
                            format!(
                                "{peer}: its command reads again; {dropped} datagram(s) were dropped"
                            ),
                            json!({"peer": peer, "message": "command reads again", "dropped": dropped}),
                        );
                    }
                    continue;
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    if session.dropped == 0 {
                        console::warn(
                            format!("dropping datagrams from {peer}: its command is not reading"),
                            json!({"peer": peer, "message": "dropped: command not reading"}),
                        );
                    }
                    session.dropped += 1;
                    continue;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    sessions.remove(&peer);
                }
            }
        }
        if sessions.len() >= limits.max {
            if !full {
                console::warn(
                    format!(
                        "dropping datagrams from new senders: {} commands running already (--max-conns)",
                        limits.max
                    ),
                    json!({"peer": peer, "message": format!("refused: --max-conns {}", limits.max)}),
                );
                full = true;
            }
            continue;
        }
        full = false;
        console::status(
            "accepted",
            format!("new sender {peer}"),
            json!({"peer": peer}),
        );
        let (remote, local_ends) = pair();
        let Ends { tx, mut rx } = remote;
        tx.send(msg).await.expect("a fresh channel has room");
        let last = Arc::new(Mutex::new(Instant::now()));
        let env = peer.env();
        let (cmd, socket, touched) = (cmd.to_string(), socket.clone(), last.clone());
        let to = peer.clone();
        let shutdown = shutdown.clone();
        let task = running.spawn(async move {
            let output = async {
                while let Some(msg) = rx.recv().await {
                    for datagram in datagrams(msg, socket.limit(&to), records.framing)? {
                        crate::hexdump::datagram('>', &to, &datagram);
                        socket.send_to(&datagram, &to).await?;
                        *touched.lock().unwrap() = Instant::now();
                    }
                }
                anyhow::Ok(())
            };
            let exec = Local::Exec(cmd);
            let program = relay::behind(
                |ends| local::run(exec.clone(), records, env, ends, &shutdown),
                local::stages(&exec, records, &Script::default()),
                local_ends,
            );
            let (program, output) = tokio::join!(program, output);
            (to, program.and(output))
        });
        sessions.insert(
            peer,
            Session {
                tx,
                task,
                last,
                dropped: 0,
            },
        );
    }
    // The shutdown: every command gets EOF and the drain to answer; what is left is cut.
    crate::shutdown::announce(running.len());
    drop(sessions);
    let drain = crate::shutdown::drain(Duration::ZERO);
    if tokio::time::timeout(drain, async {
        while let Some(done) = running.join_next().await {
            if let Ok((peer, Err(err))) = done {
                crate::server::report(&peer, &err);
            }
        }
    })
    .await
    .is_err()
    {
        console::warn(
            format!(
                "{} command(s) still running after {}: stopped",
                running.len(),
                humantime::format_duration(drain)
            ),
            json!({"message": "commands stopped at the end of the shutdown"}),
        );
        running.shutdown().await;
    }
    Ok(())
}
