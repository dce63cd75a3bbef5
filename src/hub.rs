//! `--broadcast` and `--chat`: one stdin/stdout shared by every client of a listener.
//!
//! Stdin is cut into records (lines; `-0`, `-b` as elsewhere) and each goes to every client;
//! every client's records go to stdout whole, one at a time, so lines from different clients
//! never mix (TCP clients' byte streams are cut into lines too). With `--chat`, each client's
//! records also go to every other client.
//!
//! Slow clients: each client has a queue of [`BACKLOG`] records, so memory stays bounded. When
//! a record finds a client's queue full, the sender (stdin, or the chatting client) waits for
//! room, but only up to [`SLOW`]: a client still full by then is dropped, so a stalled client
//! holds the others up once, for [`SLOW`] at most, and never grows memory. A dropped client
//! gets a WebSocket Close 1008 if it ever reads again, is cut after [`GRACE`], and a status
//! line says so. Stdout is the one place everyone waits for: when it is slow, clients are
//! read more slowly (backpressure), nothing is dropped. Stdin EOF ends what is sent to
//! clients, not the listener: clients stay connected and their records still reach stdout.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::Peer;
use crate::relay::{Ends, Initiator, Message, QUEUE};
use crate::shutdown::Shutdown;

/// Records queued for one client before it counts as too slow.
pub const BACKLOG: usize = 256;

/// Bytes of records queued for one client before it counts as too slow, whatever their
/// number: 256 records of 4 MiB held a gigabyte for one client that never read. A record
/// longer than this still goes to a client whose queue is below it.
pub const BACKLOG_BYTES: usize = 4 << 20;

/// How long a record waits for room in a full client's queue before that client is dropped.
pub const SLOW: Duration = Duration::from_secs(2);

/// How long a dropped client gets to take its Close before its connection is cut.
pub const GRACE: Duration = Duration::from_secs(1);

struct Member {
    peer: Peer,
    tx: mpsc::Sender<Message>,
    kick: CancellationToken,
    queued: Arc<Queued>,
}

/// What waits in one client's queue.
#[derive(Default)]
struct Queued {
    /// Payload bytes in the queue.
    bytes: AtomicUsize,
    /// Told each time the client takes a record.
    taken: Notify,
}

impl Queued {
    fn full(&self) -> bool {
        self.bytes.load(Ordering::SeqCst) >= BACKLOG_BYTES
    }

    /// `msg` into the queue `tx` if there is room, counted in before it can be taken out.
    fn send(
        &self,
        tx: &mpsc::Sender<Message>,
        msg: Message,
    ) -> Result<(), mpsc::error::TrySendError<Message>> {
        let len = msg.data.len();
        self.bytes.fetch_add(len, Ordering::SeqCst);
        tx.try_send(msg).inspect_err(|_| {
            self.bytes.fetch_sub(len, Ordering::SeqCst);
        })
    }
}

/// What the hub's local side hears: clients coming and going (numbered from 1, in the order
/// they were served), and each client's records.
#[derive(Debug)]
pub enum Event {
    Joined(u64, Peer),
    Record(u64, Message),
    Left(u64),
}

/// The clients of one listener and the way to stdout.
pub struct Hub {
    chat: bool,
    members: Mutex<HashMap<u64, Member>>,
    next: AtomicU64,
    stdout: mpsc::Sender<Event>,
}

/// Which clients a record goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    All,
    AllBut(u64),
    Only(u64),
}

impl To {
    fn includes(self, id: u64) -> bool {
        match self {
            To::All => true,
            To::AllBut(other) => id != other,
            To::Only(one) => id == one,
        }
    }
}

impl Hub {
    /// A hub whose clients' records (and comings and goings) go to `stdout`; it takes
    /// stdin's records in [`Hub::broadcast_stdin`].
    pub fn new(chat: bool, stdout: mpsc::Sender<Event>) -> Hub {
        Hub {
            chat,
            members: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            stdout,
        }
    }

    /// Sends each record read from stdin to every client, until stdin ends.
    pub async fn broadcast_stdin(&self, mut stdin: mpsc::Receiver<Message>) {
        while let Some(msg) = stdin.recv().await {
            self.send(To::All, &msg).await;
        }
    }

    /// The clients connected now, by number.
    pub fn clients(&self) -> Vec<(u64, Peer)> {
        let mut all: Vec<_> = self
            .members
            .lock()
            .unwrap()
            .iter()
            .map(|(id, member)| (*id, member.peer.clone()))
            .collect();
        all.sort_by_key(|(id, _)| *id);
        all
    }

    /// `msg` to the clients `to` names; a client whose queue stays full ([`BACKLOG`] records
    /// or [`BACKLOG_BYTES`]) for [`SLOW`] is dropped. Returns how many clients it was for.
    pub async fn send(&self, to: To, msg: &Message) -> usize {
        let mut full = Vec::new();
        let mut count = 0;
        for (id, member) in self.members.lock().unwrap().iter() {
            if !to.includes(*id) {
                continue;
            }
            count += 1;
            let queued = &member.queued;
            if queued.full() {
                full.push((*id, member.tx.clone(), queued.clone()));
                continue;
            }
            match queued.send(&member.tx, msg.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    full.push((*id, member.tx.clone(), queued.clone()));
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {} // it has left
            }
        }
        if full.is_empty() {
            return count;
        }
        let deadline = tokio::time::Instant::now() + SLOW;
        for (id, tx, queued) in full {
            let room = async {
                // Told at each record the client takes (a notice sent while nobody waits is
                // kept for the next wait, so none is missed).
                while queued.full() {
                    queued.taken.notified().await;
                }
                tx.reserve().await
            };
            match tokio::time::timeout_at(deadline, room).await {
                Ok(Ok(permit)) => {
                    queued.bytes.fetch_add(msg.data.len(), Ordering::SeqCst);
                    permit.send(msg.clone());
                }
                Ok(Err(_)) => {} // it has left
                Err(_) => self.drop_slow(id),
            }
        }
        count
    }

    fn drop_slow(&self, id: u64) {
        let Some(member) = self.members.lock().unwrap().remove(&id) else {
            return;
        };
        let why = format!(
            "too slow: {BACKLOG} messages or {} MiB behind for {}",
            BACKLOG_BYTES >> 20,
            humantime::format_duration(SLOW)
        );
        // Its queue is full: the Close goes only if it has made room by now.
        let close = Message::close(1008, "too slow", Initiator::Local);
        let _ = member.queued.send(&member.tx, close);
        member.kick.cancel();
        console::warn(
            format!("{}: dropped, {why}", member.peer),
            json!({"peer": member.peer, "message": format!("dropped: {why}")}),
        );
    }

    /// Serves one client: `session` is its remote side (records both ways). Its records go
    /// to stdout (and, chatting, to the others); the hub's go to it. When its connection's
    /// `shutdown` starts, it leaves the hub: its queue ends after what is in it.
    pub async fn serve<F, Fut>(
        &self,
        peer: Peer,
        shutdown: &Shutdown,
        session: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(Ends) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let (to_client, mut queue) = mpsc::channel::<Message>(BACKLOG);
        let (take, from_hub) = mpsc::channel(QUEUE);
        let (to_hub, mut from_client) = mpsc::channel::<Message>(QUEUE);
        let kick = CancellationToken::new();
        let queued = Arc::new(Queued::default());
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.members.lock().unwrap().insert(
            id,
            Member {
                peer: peer.clone(),
                tx: to_client,
                kick: kick.clone(),
                queued: queued.clone(),
            },
        );
        // The client's queue, counted out as the client takes it; it ends when the hub lets
        // the client go (after what is in it) or when the client's side is gone.
        let counted = async move {
            loop {
                let msg = tokio::select! {
                    msg = queue.recv() => msg,
                    () = take.closed() => None,
                };
                let Some(msg) = msg else { break };
                queued.bytes.fetch_sub(msg.data.len(), Ordering::SeqCst);
                queued.taken.notify_one();
                if take.send(msg).await.is_err() {
                    break;
                }
            }
        };
        // Stdout gone (closed by its reader): what would go there is dropped.
        let _ = self.stdout.send(Event::Joined(id, peer)).await;
        let deliver = async {
            while let Some(msg) = from_client.recv().await {
                if self.chat && !msg.kind.is_control() {
                    self.send(To::AllBut(id), &msg).await;
                }
                let _ = self.stdout.send(Event::Record(id, msg)).await;
            }
            // The client's input has ended (a WebSocket Close, a TCP client's FIN): it has
            // left. What is queued for it still goes, then its connection ends, so that a TCP
            // client leaves as a WebSocket one does (it would otherwise wait for the hub).
            self.members.lock().unwrap().remove(&id);
        };
        let run = async {
            let (result, (), ()) = tokio::join!(
                session(Ends {
                    tx: to_hub,
                    rx: from_hub
                }),
                deliver,
                counted
            );
            result
        };
        // A listener shutting down: the client leaves the hub, so that its queue ends after
        // what is in it and its connection closes (a TCP client's has no other way to end).
        let leave = async {
            shutdown.requested().await;
            self.members.lock().unwrap().remove(&id);
            std::future::pending::<()>().await
        };
        let result = tokio::select! {
            result = run => result,
            () = leave => unreachable!("pending"),
            _ = async { kick.cancelled().await; tokio::time::sleep(GRACE).await } => {
                Err(Fail::quiet(Exit::Ok, "dropped as too slow"))
            }
        };
        self.members.lock().unwrap().remove(&id);
        let _ = self.stdout.send(Event::Left(id)).await;
        result
    }
}

/// The next of a hub's events for its local side; `None` once the channel is closed, or once
/// `done` is cancelled (the listener has served its last client) and nothing is left queued.
pub async fn next_event(
    events: &mut mpsc::Receiver<Event>,
    done: &CancellationToken,
) -> Option<Event> {
    tokio::select! {
        biased;
        event = events.recv() => event,
        () = done.cancelled() => events.try_recv().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{Instant, timeout};

    fn peer() -> Peer {
        Peer::Ip("127.0.0.1:9".parse().unwrap())
    }

    /// A client that never reads: its queue fills, the next record waits [`SLOW`] for room,
    /// the client is dropped, and its connection is cut [`GRACE`] later; the hub goes on.
    #[tokio::test(start_paused = true)]
    async fn a_client_that_never_reads_is_dropped_after_slow_then_cut_after_grace() {
        let (stdout, _events) = mpsc::channel(1024);
        let hub = Hub::new(false, stdout);
        let shutdown = Shutdown::new();
        // The session holds its ends and reads nothing.
        let client = hub.serve(peer(), &shutdown, async |ends: Ends| {
            let _held = ends;
            std::future::pending::<anyhow::Result<()>>().await
        });
        tokio::pin!(client);
        let start = Instant::now();
        let sender = async {
            let record = Message::binary("x");
            // Room for BACKLOG in the queue and QUEUE in the hand-off: none of these wait.
            for _ in 0..BACKLOG + QUEUE + 1 {
                assert_eq!(hub.send(To::All, &record).await, 1, "one client");
            }
            assert_eq!(
                start.elapsed(),
                Duration::ZERO,
                "a queue with room never waits"
            );
            // The next one finds the queue full: it waits SLOW, then the client is dropped.
            hub.send(To::All, &record).await;
            assert_eq!(start.elapsed(), SLOW);
            assert!(hub.clients().is_empty(), "dropped from the hub");
        };
        // The client first: it joins the hub when it is first polled.
        let ended = tokio::select! {
            biased;
            ended = &mut client => ended,
            () = sender => timeout(SLOW + GRACE, &mut client).await.expect("cut after GRACE"),
        };
        assert_eq!(start.elapsed(), SLOW + GRACE);
        let err = ended.expect_err("a dropped client's session ends in error");
        assert!(err.to_string().contains("too slow"), "{err:#}");
    }

    /// A client that takes a record now and then, within [`SLOW`], holds the sender up but is
    /// never dropped, and every record reaches it.
    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_within_slow_is_kept() {
        let (stdout, _events) = mpsc::channel(1024);
        let hub = Hub::new(false, stdout);
        let shutdown = Shutdown::new();
        let total = BACKLOG + QUEUE + 10;
        let client = hub.serve(peer(), &shutdown, async |ends: Ends| {
            let Ends { tx: _tx, mut rx } = ends;
            let mut got = 0;
            loop {
                tokio::time::sleep(SLOW / 2).await;
                match rx.recv().await {
                    Some(_) => got += 1,
                    None => break,
                }
            }
            assert_eq!(got, total, "every record reached the slow client");
            Ok(())
        });
        let sender = async {
            while hub.clients().is_empty() {
                tokio::task::yield_now().await; // the client joins when first polled
            }
            for _ in 0..total {
                assert_eq!(hub.send(To::All, &Message::binary("x")).await, 1);
                assert_eq!(hub.clients().len(), 1, "never dropped");
            }
            // The listener shutting down lets the client go after what is queued.
            shutdown.begin();
        };
        let (ended, ()) = tokio::join!(client, sender);
        ended.expect("the slow client ends cleanly");
    }
}
