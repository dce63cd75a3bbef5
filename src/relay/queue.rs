//! The channels between the two sides of a relay: how many [`Message`]s each holds, and
//! [`send`], which keeps large messages to [`QUEUE`] even in a longer channel.

use tokio::sync::mpsc;

use super::Message;

/// Messages in flight per direction. Chunks are up to [`crate::framing::CHUNK`] bytes, so a
/// connection holds at most a few MiB of payload in flight however fast either end is.
pub const QUEUE: usize = 4;

/// Messages in flight on a WebSocket echo's channel (`ws listen --echo`), as long as they are
/// small: a client that keeps many messages in flight gets every echo its read brought in one
/// write, instead of the reader and the writer taking turns every [`QUEUE`] messages. Measured
/// (`WSCTL_BENCH_ONLY=cost cargo bench --bench ws`, 16 messages of 32 bytes in flight on each
/// of 10 connections): 12% less server CPU per message than with [`QUEUE`].
pub const SMALL_QUEUE: usize = 16;

/// A message of at least this many bytes is large: [`send`] lets at most [`QUEUE`] messages
/// be in flight when it goes, so a channel of [`SMALL_QUEUE`] holds no more large messages
/// than one of [`QUEUE`] (and at most [`SMALL_QUEUE`] small ones beside them, under 1 MiB).
pub const LARGE: usize = 64 * 1024;

/// Sends `msg` on `tx`, waiting for room as [`mpsc::Sender::send`] does; a [`LARGE`] message
/// waits until at most [`QUEUE`] − 1 others are in flight. Errors when the receiver is gone,
/// with the message.
pub async fn send(
    tx: &mpsc::Sender<Message>,
    msg: Message,
) -> Result<(), mpsc::error::SendError<Message>> {
    let room = if msg.data.len() >= LARGE {
        tx.max_capacity().saturating_sub(QUEUE - 1).max(1)
    } else {
        1
    };
    if room > 1 {
        return Box::pin(send_large(tx, room, msg)).await;
    }
    // The common case without a future: there is room. Waiting is rarer, so its future is
    // boxed: the state of a connection's reader stays small (memory per idle connection).
    match tx.try_send(msg) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Full(msg)) => Box::pin(tx.send(msg)).await,
        Err(mpsc::error::TrySendError::Closed(msg)) => Err(mpsc::error::SendError(msg)),
    }
}

/// [`send`] for a large message: once `room` messages could go (see [`LARGE`]).
async fn send_large(
    tx: &mpsc::Sender<Message>,
    room: usize,
    msg: Message,
) -> Result<(), mpsc::error::SendError<Message>> {
    match tx.reserve_many(room).await {
        Ok(mut permits) => {
            if let Some(permit) = permits.next() {
                permit.send(msg);
            }
            Ok(())
        }
        Err(_) => Err(mpsc::error::SendError(msg)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `send` finished at once (it needed no room to be made).
    fn went_at_once(tx: &mpsc::Sender<Message>, msg: Message) -> bool {
        use futures_util::FutureExt;
        matches!(send(tx, msg).now_or_never(), Some(Ok(())))
    }

    #[tokio::test]
    async fn a_small_queue_takes_many_small_messages_but_few_large_ones() {
        let (tx, mut rx) = mpsc::channel(SMALL_QUEUE);
        let small = || Message::binary(vec![b'x'; LARGE - 1]);
        let large = || Message::binary(vec![b'x'; LARGE]);
        // Large messages: QUEUE of them in flight, as in a channel of QUEUE.
        for _ in 0..QUEUE {
            assert!(went_at_once(&tx, large()));
        }
        assert!(!went_at_once(&tx, large()), "a fifth large message went");
        // Small ones fill the rest of the channel beside them.
        for _ in QUEUE..SMALL_QUEUE {
            assert!(went_at_once(&tx, small()));
        }
        assert!(
            !went_at_once(&tx, small()),
            "the channel took more than its size"
        );
        // Room for one small message is not room for a large one.
        rx.recv().await.unwrap();
        assert!(!went_at_once(&tx, large()));
        assert!(went_at_once(&tx, small()));
        // A large one waits until at most QUEUE - 1 others are in flight, then goes.
        let waiting = tokio::spawn({
            let tx = tx.clone();
            async move { send(&tx, large()).await.is_ok() }
        });
        let mut taken = 0;
        while !waiting.is_finished() {
            assert!(taken < SMALL_QUEUE, "the large message never went");
            rx.recv().await.unwrap();
            taken += 1;
            tokio::task::yield_now().await;
        }
        assert!(waiting.await.unwrap());
        assert_eq!(
            SMALL_QUEUE - taken + 1,
            QUEUE,
            "in flight once it went, itself included"
        );
        // The receiver gone: the message comes back as the error.
        drop(rx);
        assert!(send(&tx, small()).await.is_err());
        assert!(send(&tx, large()).await.is_err());
    }
}
