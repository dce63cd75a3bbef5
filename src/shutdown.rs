//! Graceful shutdown of a TCP or WebSocket listener. The first Ctrl-C (or SIGTERM) stops
//! accepting and asks every connection to end cleanly: what is queued for it is sent, then a
//! TCP half-close or a WebSocket Close 1001; each has [`drain`] to finish before it is cut.
//! The run then ends with exit 0. A second Ctrl-C exits at once with 130 (see `lib.rs`).
//!
//! Clients never ask for it: for them the first Ctrl-C is the end (130). The interactive
//! prompt's Ctrl-C twice stops any run at once ([`stop_now`]).

use std::sync::OnceLock;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

fn token() -> &'static CancellationToken {
    static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
    TOKEN.get_or_init(CancellationToken::new)
}

/// Cancelled to stop the run at once, as a signal would (the prompt's Ctrl-C twice).
fn stop_token() -> &'static CancellationToken {
    static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
    TOKEN.get_or_init(CancellationToken::new)
}

/// Stops the whole run at once (exit 130), whatever the job: `lib.rs` waits on
/// [`stop_requested`] beside the signals.
pub fn stop_now() {
    stop_token().cancel();
}

/// Resolves once [`stop_now`] has been called.
pub async fn stop_requested() {
    stop_token().cancelled().await
}

/// Starts the shutdown.
pub fn begin() {
    token().cancel();
}

/// Resolves once the shutdown has started (never, for a run that is not shutting down).
pub async fn requested() {
    token().cancelled().await
}

/// How long connections get to end once the shutdown has started: enough for a WebSocket
/// closing handshake of `close_timeout`.
pub fn drain(close_timeout: Duration) -> Duration {
    close_timeout.max(Duration::from_secs(5)) + Duration::from_millis(500)
}

/// The status line once the shutdown has started: how many connections it waits for.
pub fn announce(open: usize) {
    crate::console::status(
        "shutting_down",
        format!("shutting down: {open} connection(s) to close (Ctrl-C again to stop now)"),
        serde_json::json!({"connections": open}),
    );
}

/// One connection, `fut`, or `Ok(())` once the shutdown has started and `limit` has passed
/// since.
pub async fn bounded<F>(fut: F, limit: Duration) -> anyhow::Result<()>
where
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    tokio::select! {
        result = fut => result,
        _ = async {
            requested().await;
            announce(1);
            tokio::time::sleep(limit).await
        } => Ok(()),
    }
}
