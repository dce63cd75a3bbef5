//! `--reconnect`: a client that connects again when its connection ends, with exponential
//! backoff and jitter, while one local side (stdin/stdout, a command) lives on across the
//! connections. `--send` messages are replayed on each new connection, the handshake (headers,
//! subprotocols) is made again by `connect`. It stops when the local input ends, `--count` is
//! reached, `--retries` is exhausted, or on Ctrl-C / `--timeout`.
//!
//! Messages read from stdin while a connection was going down may be lost with it; nothing is
//! read while there is no connection.

use std::future::Future;
use std::hash::BuildHasher;
use std::time::Duration;

use serde_json::json;

use crate::console;
use crate::exit;
use crate::relay::{self, Ends, Stage, Transport, pair};
use crate::script::{self, Ended, LocalEnds, Script};

/// How to reconnect.
#[derive(Debug, Clone)]
pub struct Reconnect {
    /// Attempts in a row that may fail before giving up; `None`: never give up.
    pub retries: Option<u32>,
    /// The longest wait between attempts.
    pub max_delay: Duration,
}

/// The first wait; each failure in a row doubles it, up to `max_delay`.
const FIRST_DELAY: Duration = Duration::from_millis(200);

/// The wait before attempt number `failures` (1 = after the first failure): exponential, and
/// "equal jitter" (a random point in its upper half) so that many clients do not retry in step.
pub fn backoff(failures: u32, max_delay: Duration) -> Duration {
    let exp = FIRST_DELAY.saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    let full = exp.min(max_delay);
    let random = std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now());
    let half = full / 2;
    half + half.mul_f64((random % 10_000) as f64 / 10_000.0)
}

/// Runs `local` (behind its `stages`: framing) once and a connection after another:
/// `connect` makes one, `remote` runs it, `script` filters each.
pub async fn run<L, LF, C, CF, X, R, RF>(
    local: L,
    stages: Vec<Stage<'_>>,
    connect: C,
    remote: R,
    script: &Script,
    policy: &Reconnect,
    transport: Transport,
) -> anyhow::Result<()>
where
    L: FnOnce(Ends) -> LF,
    LF: Future<Output = anyhow::Result<()>>,
    C: Fn() -> CF,
    CF: Future<Output = anyhow::Result<X>>,
    R: Fn(X, Ends) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
{
    let (l, facing_local) = pair();
    let mut local_ends = LocalEnds::new(script, facing_local);
    let driver = async move {
        let mut failures = 0u32;
        loop {
            let error = match connect().await {
                Ok(conn) => {
                    failures = 0;
                    let (facing_remote, r) = pair();
                    let (filtered, ended) = tokio::join!(
                        script::connection(
                            script,
                            &mut local_ends,
                            facing_remote,
                            transport.is_stream(),
                            false
                        ),
                        remote(conn, r)
                    );
                    let ended = crate::relay::settle(ended);
                    match filtered? {
                        Ended::LocalInput | Ended::Count | Ended::Output => return ended,
                        Ended::Remote => ended.err(),
                    }
                }
                Err(err) => Some(err),
            };
            failures += 1;
            let reason = error
                .as_ref()
                .map_or_else(|| "the connection closed".to_string(), exit::describe);
            if let Some(retries) = policy.retries {
                if failures > retries {
                    console::status(
                        "reconnect_failed",
                        format!("giving up after {retries} retries"),
                        json!({"retries": retries}),
                    );
                    return match error {
                        Some(err) => Err(err),
                        None => Ok(()),
                    };
                }
            }
            let delay = backoff(failures, policy.max_delay);
            console::status(
                "reconnecting",
                format!(
                    "{reason}; reconnecting in {} (attempt {failures})",
                    humantime::format_duration(Duration::from_millis(delay.as_millis() as u64))
                ),
                json!({"attempt": failures, "delay_ms": delay.as_millis() as u64, "reason": reason}),
            );
            tokio::time::sleep(delay).await;
        }
    };
    let (local, driven) = tokio::join!(relay::behind(local, stages, l), driver);
    driven.and(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let max = Duration::from_secs(5);
        for failures in 1..40 {
            let full = FIRST_DELAY
                .saturating_mul(1 << (failures - 1).min(20))
                .min(max);
            let d = backoff(failures, max);
            assert!(d >= full / 2 && d <= full, "{failures}: {d:?} of {full:?}");
        }
    }

    /// `run` with `--retries 3`, `connect`, a local side that takes what comes until the end,
    /// and a remote side that ends at once; it must have ended within a minute (paused).
    async fn with_three_retries<C, CF>(connect: C, transport: Transport) -> anyhow::Result<()>
    where
        C: Fn() -> CF,
        CF: Future<Output = anyhow::Result<()>>,
    {
        let local = async |Ends { tx, mut rx }: Ends| {
            while rx.recv().await.is_some() {}
            drop(tx);
            Ok(())
        };
        let policy = Reconnect {
            retries: Some(3),
            max_delay: Duration::from_secs(30),
        };
        let script = Script::default();
        let ran = run(
            local,
            Vec::new(),
            connect,
            async |(), _ends: Ends| Ok(()),
            &script,
            &policy,
            transport,
        );
        tokio::time::timeout(Duration::from_secs(60), ran)
            .await
            .expect("ended by then")
    }

    /// `--reconnect --retries 3`: four attempts, a backoff before each retry (200, 400,
    /// 800 ms, each in its upper half), then the last error; the local side lives through it.
    #[tokio::test(start_paused = true)]
    async fn retries_back_off_then_give_up() {
        let start = tokio::time::Instant::now();
        let attempts = std::cell::RefCell::new(Vec::new());
        let connect = || {
            attempts.borrow_mut().push(start.elapsed());
            async { anyhow::Result::<()>::Err(anyhow::anyhow!("refused")) }
        };
        let err = with_three_retries(connect, Transport::Stream)
            .await
            .expect_err("the last attempt's error");
        assert!(err.to_string().contains("refused"), "{err:#}");
        let attempts = attempts.into_inner();
        assert_eq!(attempts.len(), 4, "{attempts:?}");
        for (n, pair) in attempts.windows(2).enumerate() {
            let waited = pair[1] - pair[0];
            let full = FIRST_DELAY * (1 << n);
            assert!(
                waited >= full / 2 && waited <= full,
                "wait {n}: {waited:?} of {full:?}"
            );
        }
    }

    /// A connection that works resets the count: the wait after it is the first again.
    #[tokio::test(start_paused = true)]
    async fn a_connection_that_works_resets_the_backoff() {
        let start = tokio::time::Instant::now();
        let attempts = std::cell::RefCell::new(Vec::new());
        // Fails, fails, works (the peer then closes), fails: waits 1, 2, then 1 again.
        let connect = || {
            let n = attempts.borrow().len();
            attempts.borrow_mut().push(start.elapsed());
            async move {
                if n == 2 {
                    Ok(())
                } else {
                    Err(anyhow::anyhow!("refused"))
                }
            }
        };
        let _ = with_three_retries(connect, Transport::Message).await;
        let attempts = attempts.into_inner();
        let waits: Vec<Duration> = attempts.windows(2).map(|p| p[1] - p[0]).collect();
        assert!(waits.len() >= 4, "{waits:?}");
        assert!(
            waits[1] >= FIRST_DELAY,
            "the second wait doubles: {waits:?}"
        );
        assert!(
            waits[2] <= FIRST_DELAY,
            "after a good connection, the first again: {waits:?}"
        );
    }
}
