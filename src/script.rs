//! Scripting options of a client (`--send`, `--count`, `--recv-only`, `--send-only`,
//! `--idle-timeout`): a filter that sits in the relay between the local and the remote side.
//!
//! It speaks the relay's channel contract on both sides, so ending is the same as everywhere:
//! dropping the channel towards the remote ends our input there (TCP half-close, WebSocket
//! Close), dropping the one towards the local side ends the output.

use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::console;
use crate::exit::{Exit, Fail};
use crate::framing::Splitter;
use crate::relay::{Ends, Kind, Message, Side, Stage, Transport};

/// What a script asks of one client connection.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Sent right after connecting, in order, instead of reading stdin; then the connection
    /// stays open for replies (until `count`, the peer's close, or a timeout).
    pub send: Vec<String>,
    /// End cleanly after this many messages (lines for TCP) have been written.
    pub count: Option<u64>,
    /// Ignore stdin and never close because of it.
    pub recv_only: bool,
    /// Write nothing that is received.
    pub send_only: bool,
    /// End (exit 1) after this long without data either way.
    pub idle_timeout: Option<Duration>,
    /// The `send` texts are the whole input, which ends after them (`udp send`: UDP has no
    /// peer's close to wait for, so replies are awaited for `--linger`, as after stdin EOF).
    pub send_ends_input: bool,
}

impl Script {
    /// Whether anything here changes the plain relay.
    pub fn is_active(&self) -> bool {
        !self.send.is_empty()
            || self.count.is_some()
            || self.recv_only
            || self.send_only
            || self.idle_timeout.is_some()
    }
}

/// Why one connection's filtering ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The local side's input ended (and so did ours to the remote).
    LocalInput,
    /// `--count` was reached.
    Count,
    /// The remote side ended.
    Remote,
    /// The local side stopped taking what arrives (stdout closed by its reader).
    Output,
}

/// The local side as the filter sees it; it outlives one connection under `--reconnect`.
pub struct LocalEnds {
    /// `None` once its input ended, or when stdin is not read (`--send`, `--recv-only`).
    pub from: Option<mpsc::Receiver<Message>>,
    /// `None` with `--send-only`.
    pub to: Option<mpsc::Sender<Message>>,
    /// What `--count` still waits for.
    pub left: Option<u64>,
}

impl LocalEnds {
    pub fn new(script: &Script, local: Ends) -> Self {
        LocalEnds {
            from: (script.send.is_empty() && !script.recv_only).then_some(local.rx),
            to: (!script.send_only).then_some(local.tx),
            left: script.count,
        }
    }
}

/// Runs the filter for a single connection: `local` are its ends facing the local side,
/// `remote` facing the remote side. `transport`: a byte stream (TCP) means `--send`
/// texts get a newline, `--count` counts lines, and the peer's end of output is a half-close
/// (our input goes on); otherwise each message is one, and the peer's end is the end
/// (WebSocket, UDP: a `-k --exec` program whose client closed is stopped, not waited for).
pub async fn filter(
    script: Script,
    local: Ends,
    remote: Ends,
    transport: Transport,
) -> anyhow::Result<()> {
    let stream = transport.is_stream();
    let mut local = LocalEnds::new(&script, local);
    connection(&script, &mut local, remote, stream, stream)
        .await
        .map(|_| ())
}

/// Filters one connection. `half_close`: when the peer's output ends, our input still goes
/// on (TCP); otherwise the connection is over (`--reconnect` then makes a new one).
pub async fn connection(
    script: &Script,
    local: &mut LocalEnds,
    remote: Ends,
    stream: bool,
    half_close: bool,
) -> anyhow::Result<Ended> {
    let Ends {
        tx: to_remote,
        rx: from_remote,
    } = remote;
    let mut from_remote = Some(from_remote);
    let text = |s: &String| {
        if stream {
            Message::binary(Bytes::from(format!("{s}\n")))
        } else {
            Message {
                data: Bytes::from(s.clone()),
                kind: Kind::Text,
            }
        }
    };
    for message in &script.send {
        if to_remote.send(text(message)).await.is_err() {
            return Ok(Ended::Remote);
        }
    }
    let ends_here = script.send_ends_input && !script.send.is_empty();
    let mut to_remote = (!ends_here).then_some(to_remote);
    let idle = script.idle_timeout;
    let mut last_activity = Instant::now();
    loop {
        let idle_deadline = idle.map(|d| last_activity + d);
        tokio::select! {
            msg = recv(&mut local.from), if to_remote.is_some() => match msg {
                Some(msg) => {
                    last_activity = Instant::now();
                    if let Some(tx) = &to_remote {
                        if tx.send(msg).await.is_err() {
                            to_remote = None;
                            if from_remote.is_none() {
                                return Ok(Ended::Remote);
                            }
                        }
                    }
                }
                // Our input ended: so does the remote's.
                None => {
                    local.from = None;
                    to_remote = None;
                    if from_remote.is_none() {
                        return Ok(Ended::LocalInput);
                    }
                }
            },
            msg = recv(&mut from_remote) => {
                let Some(msg) = msg else {
                    from_remote = None;
                    // For TCP the peer's end of output is a half-close: what we still have to
                    // send goes on (the remote side says when it cannot), and the local side
                    // is told that nothing more comes (an `--exec` program's stdin closes).
                    if half_close && local.from.is_some() && to_remote.is_some() {
                        local.to = None;
                        continue;
                    }
                    return Ok(if local.from.is_none() && to_remote.is_none() {
                        Ended::LocalInput
                    } else {
                        Ended::Remote
                    });
                };
                last_activity = Instant::now();
                let (msg, done) = match local.left.as_mut() {
                    Some(left) => take_counted(msg, left, stream),
                    None => (msg, false),
                };
                if let Some(tx) = &local.to {
                    if tx.send(msg).await.is_err() {
                        // Nobody reads what arrives any more (`| head`): the connection
                        // ends (a WebSocket with 1001), whatever the input holds.
                        local.to = None;
                        return Ok(Ended::Output);
                    }
                }
                if done {
                    let n = script.count.unwrap_or_default();
                    console::detail(1, "count", format!("{n} received: closing"), json!({"count": n}));
                    // Stop reading either side; the remote closes cleanly, at once.
                    local.to = None;
                    if let Some(tx) = &to_remote {
                        let _ = tx.send(Message::end_now()).await;
                    }
                    return Ok(Ended::Count);
                }
            }
            _ = sleep_until(idle_deadline.unwrap_or_else(Instant::now)), if idle_deadline.is_some() => {
                let d = idle.unwrap_or_default();
                // Closed cleanly (a WebSocket with 1000), at once.
                if let Some(tx) = &to_remote {
                    let _ = tx.try_send(Message::end_now());
                }
                return Err(Fail::new(
                    Exit::Io,
                    format!("no data either way for {} (--idle-timeout)", humantime::format_duration(d)),
                )
                .err());
            }
        }
    }
}

async fn recv(rx: &mut Option<mpsc::Receiver<Message>>) -> Option<Message> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Counts `msg` against `left`: one for a message, or its lines for a byte stream (cut after
/// the last line counted). Returns what to write and whether the count is reached.
fn take_counted(msg: Message, left: &mut u64, stream: bool) -> (Message, bool) {
    if !stream {
        *left = left.saturating_sub(1);
        return (msg, *left == 0);
    }
    match Splitter::nth_end(&msg.data, b'\n', *left) {
        Ok(end) => {
            *left = 0;
            let data = msg.data.slice(..end);
            (Message { data, ..msg }, true)
        }
        Err(lines) => {
            *left -= lines;
            (msg, false)
        }
    }
}

/// The stage of a client's [`Script`] between the two sides (`None` when it asks for
/// nothing); part of the remote side ([`Side::Remote`]: its timeouts end the connection).
/// `transport`: what the remote side carries ([`Transport`]).
pub fn stage<'a>(script: &Script, transport: Transport) -> Option<Stage<'a>> {
    let script = script.clone();
    script.is_active().then(|| {
        Stage::new(Side::Remote, move |local, remote| {
            filter(script, local, remote, transport)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_in_a_stream() {
        let mut left = 2;
        let (first, done) = take_counted(Message::binary("a\nb"), &mut left, true);
        assert_eq!((first.data, done), (Bytes::from("a\nb"), false));
        let (second, done) = take_counted(Message::binary("c\nd\ne\n"), &mut left, true);
        assert_eq!((second.data, done), (Bytes::from("c\n"), true));
        let mut left = 1;
        assert!(take_counted(Message::binary("x"), &mut left, false).1);
    }

    /// `--idle-timeout`: the connection ends `idle` after the last data either way (data
    /// moves the deadline), the remote side is told to close at once, and the error says why.
    #[tokio::test(start_paused = true)]
    async fn idle_timeout_counts_from_the_last_data_either_way() {
        let idle = Duration::from_secs(5);
        let script = Script {
            idle_timeout: Some(idle),
            ..Script::default()
        };
        let start = Instant::now();
        let local = async |Ends { tx, mut rx }: Ends| {
            // Sends at 3 s, then keeps its input open and shows what comes until the end.
            tokio::time::sleep(Duration::from_secs(3)).await;
            tx.send(Message::binary("up")).await.unwrap();
            while rx.recv().await.is_some() {}
            Ok(())
        };
        let remote = async |Ends { tx, mut rx }: Ends| {
            // Answers at 4 s (1 s after), then reads until told to close.
            assert_eq!(rx.recv().await.unwrap().data, "up");
            tokio::time::sleep(Duration::from_secs(1)).await;
            tx.send(Message::binary("down")).await.unwrap();
            loop {
                let msg = rx.recv().await.expect("a Close before the end");
                if matches!(msg.kind, Kind::Close(_)) {
                    assert_eq!(start.elapsed(), Duration::from_secs(4) + idle);
                    return Ok(());
                }
            }
        };
        let stages = stage(&script, Transport::Message).into_iter().collect();
        let ended = crate::relay::run(local, stages, remote);
        let err = tokio::time::timeout(Duration::from_secs(60), ended)
            .await
            .expect("ended by then")
            .expect_err("an idle timeout is an error");
        assert!(err.to_string().contains("--idle-timeout"), "{err:#}");
        assert_eq!(start.elapsed(), Duration::from_secs(4) + idle);
    }
}
