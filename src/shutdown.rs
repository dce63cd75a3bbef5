//! The run's shutdown: one [`Shutdown`] handle, made in `lib.rs` and passed down to whatever
//! must hear it (no process-global state).
//!
//! A TCP or WebSocket listener shuts down gracefully: the first Ctrl-C (or SIGTERM) stops
//! accepting and asks every connection to end cleanly: what is queued for it is sent, then a
//! TCP half-close or a WebSocket Close 1001; each has [`drain`] to finish before it is cut.
//! The run then ends with exit 0. A second Ctrl-C exits at once with 130 (see `lib.rs`).
//! A datagram listener (`udp listen`) stops receiving the same way: what it received is
//! written out, what stdin had queued is sent, and `--exec`'s commands get EOF and [`drain`]
//! to answer.
//!
//! Clients never ask for it: for them the first Ctrl-C is the end (130). The interactive
//! prompt's Ctrl-C twice stops any run at once ([`Shutdown::stop_now`]).

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// A handle on the run's shutdown; clones share it. A connection gets a [`Shutdown::child`]
/// of its listener's, so that its own ending is told to it alone.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    /// Cancelled when the graceful shutdown starts (a listener's first Ctrl-C or SIGTERM).
    graceful: CancellationToken,
    /// Cancelled to stop the run at once (exit 130), as a second Ctrl-C would.
    now: CancellationToken,
}

impl Shutdown {
    /// A run that is not shutting down.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// A handle for one connection: it hears this one's shutdown, and its own
    /// [`Shutdown::begin`] ends that connection only.
    pub fn child(&self) -> Shutdown {
        Shutdown {
            graceful: self.graceful.child_token(),
            now: self.now.clone(),
        }
    }

    /// A handle whose graceful shutdown its owner begins, later than this one's (the stop
    /// now is shared): a listener's connections hear theirs only once the accept loop has
    /// stopped and counted them, so that the count says what was open, not what is left.
    pub fn deferred(&self) -> Shutdown {
        Shutdown {
            graceful: CancellationToken::new(),
            now: self.now.clone(),
        }
    }

    /// Starts the graceful shutdown.
    pub fn begin(&self) {
        self.graceful.cancel();
    }

    /// Whether the graceful shutdown has started.
    pub fn is_requested(&self) -> bool {
        self.graceful.is_cancelled()
    }

    /// Resolves once the graceful shutdown has started (never, for a run that is not
    /// shutting down).
    pub async fn requested(&self) {
        self.graceful.cancelled().await
    }

    /// Stops the whole run at once (exit 130), whatever the job: `lib.rs` waits on
    /// [`Shutdown::stop_requested`] beside the signals.
    pub fn stop_now(&self) {
        self.now.cancel();
    }

    /// Resolves once [`Shutdown::stop_now`] has been called.
    pub async fn stop_requested(&self) {
        self.now.cancelled().await
    }

    /// `fut`, one connection; or `Ok(())` once the shutdown has started and `limit` has
    /// passed since.
    pub async fn bounded<F>(&self, fut: F, limit: Duration) -> anyhow::Result<()>
    where
        F: Future<Output = anyhow::Result<()>>,
    {
        tokio::select! {
            result = fut => result,
            _ = async {
                self.requested().await;
                announce(1);
                tokio::time::sleep(limit).await
            } => Ok(()),
        }
    }
}

/// How long connections get to end once the shutdown has started: enough for a WebSocket
/// closing handshake of `close_timeout`, and 5.5 s at least.
pub fn drain(close_timeout: Duration) -> Duration {
    close_timeout.max(Duration::from_secs(5)) + Duration::from_millis(500)
}

/// The status line once the shutdown has started: how many connections it waits for
/// (`udp listen --exec`: senders with a command running; none: just `shutting down`).
pub fn announce(open: usize) {
    let text = match open {
        0 => "shutting down (Ctrl-C again to stop now)".to_string(),
        _ => format!("shutting down: {open} connection(s) to close (Ctrl-C again to stop now)"),
    };
    crate::console::status(
        "shutting_down",
        text,
        serde_json::json!({"connections": open}),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_child_hears_its_parent_and_not_its_sibling() {
        let run = Shutdown::new();
        let (one, two) = (run.child(), run.child());
        one.begin();
        tokio::time::timeout(Duration::from_secs(1), one.requested())
            .await
            .expect("the child that began hears it");
        let other = tokio::time::timeout(Duration::from_secs(1), two.requested()).await;
        assert!(other.is_err(), "a sibling must not hear it");
        run.begin();
        tokio::time::timeout(Duration::from_secs(1), two.requested())
            .await
            .expect("every child hears the run's");
    }

    /// A deferred handle begins when its owner says, not with the run's; its stop is shared.
    #[tokio::test(start_paused = true)]
    async fn a_deferred_handle_waits_for_its_owner() {
        let run = Shutdown::new();
        let closing = run.deferred();
        let connection = closing.child();
        run.begin();
        let early = tokio::time::timeout(Duration::from_secs(1), connection.requested()).await;
        assert!(early.is_err(), "not before its owner begins it");
        closing.begin();
        tokio::time::timeout(Duration::from_secs(1), connection.requested())
            .await
            .expect("once its owner begins it");
        connection.stop_now();
        tokio::time::timeout(Duration::from_secs(1), run.stop_requested())
            .await
            .expect("the stop is the run's");
    }

    #[tokio::test(start_paused = true)]
    async fn stop_now_reaches_every_child() {
        let run = Shutdown::new();
        let child = run.child();
        child.stop_now();
        tokio::time::timeout(Duration::from_secs(1), run.stop_requested())
            .await
            .expect("the run stops");
    }

    /// The drain: a connection that never ends is let go `limit` after the shutdown starts,
    /// not before; one that ends by itself keeps its result.
    #[tokio::test(start_paused = true)]
    async fn bounded_lets_go_after_the_drain() {
        let run = Shutdown::new();
        let limit = drain(Duration::from_secs(1));
        assert_eq!(limit, Duration::from_millis(5500));
        let start = tokio::time::Instant::now();
        let stuck = run.bounded(std::future::pending(), limit);
        let begin = async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            run.begin();
            std::future::pending::<()>().await
        };
        let result = tokio::select! {
            result = stuck => result,
            () = begin => unreachable!(),
        };
        assert!(result.is_ok());
        assert_eq!(start.elapsed(), Duration::from_secs(3) + limit);
        let ends = run.bounded(async { anyhow::bail!("its own error") }, limit);
        assert!(ends.await.is_err());
    }
}
