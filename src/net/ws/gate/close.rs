//! The peer's Close as the gate sees it: noted as it came, and held back while the session
//! finishes what it is sending (RFC 6455 5.5.1; see the gate's module documentation).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

use tokio::sync::Notify;

/// The session's handle on a [`Gated`] stream.
#[derive(Default)]
pub struct Gate {
    /// Holding is wanted (the local side answers what it receives).
    pub(super) armed: AtomicBool,
    /// Let everything through from now on.
    pub(super) released: AtomicBool,
    /// A Close frame is being held back.
    pub(super) holding: AtomicBool,
    pub(super) held: Notify,
    pub(super) waker: Mutex<Option<Waker>>,
    /// The peer's Close as it came (held or let through), once its frame is all there.
    pub(super) close: Mutex<Option<RawClose>>,
    /// The start of the peer's HTTP head is kept ([`Gate::keep_head`]: a client's, for a
    /// failed handshake's error), and the bytes kept (at most [`HEAD_KEPT`]).
    pub(super) keeping: AtomicBool,
    pub(super) head: Mutex<Vec<u8>>,
}

/// How much of the peer's HTTP head a client keeps, in bytes: the status line and more.
pub const HEAD_KEPT: usize = 1024;

/// A Close frame's payload as the peer sent it, before tungstenite checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawClose {
    /// The close code; `None` for an empty payload (1005).
    pub code: Option<u16>,
    /// The reason, lossily decoded.
    pub reason: String,
}

impl RawClose {
    /// The code as the relay carries it (1005 for none).
    pub fn code_or_none(&self) -> u16 {
        self.code.unwrap_or(1005)
    }
}

impl Gate {
    /// Keep the first [`HEAD_KEPT`] bytes of the peer's HTTP head, to say what a server
    /// answered when tungstenite refuses it (not HTTP, HTTP/1.0, TLS).
    pub fn keep_head(&self) {
        self.keeping.store(true, Ordering::SeqCst);
    }

    /// What was kept of the peer's HTTP head ([`Gate::keep_head`]).
    pub fn head(&self) -> Vec<u8> {
        self.head.lock().unwrap().clone()
    }

    /// Whether the frames after the head are the session's: always for a request (a
    /// server's gate); for an answer (a client's gate, which keeps the head), only after a
    /// 101, since a refusal's body is read with its head.
    pub(super) fn frames_follow(&self) -> bool {
        if !self.keeping.load(Ordering::Relaxed) {
            return true;
        }
        let head = self.head.lock().unwrap();
        head.get(9..12) == Some(&b"101"[..])
    }

    /// Notes `bytes` of the head as they go by, when asked to.
    pub(super) fn saw_head(&self, bytes: &[u8]) {
        if !self.keeping.load(Ordering::Relaxed) || bytes.is_empty() {
            return;
        }
        let mut head = self.head.lock().unwrap();
        let room = HEAD_KEPT.saturating_sub(head.len());
        head.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }

    /// From now on, a Close frame is held back until [`Gate::release`].
    pub fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Lets the Close (and all that follows) through.
    pub fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
        if let Some(waker) = self.waker.lock().unwrap().take() {
            waker.wake();
        }
    }

    /// Whether the peer's Close is being held back.
    pub fn holding(&self) -> bool {
        self.holding.load(Ordering::SeqCst) && !self.released.load(Ordering::SeqCst)
    }

    /// The peer's Close as it was sent, if its frame has arrived whole (held back or not).
    pub fn raw_close(&self) -> Option<RawClose> {
        self.close.lock().unwrap().clone()
    }

    /// Resolves once the peer's Close is being held back.
    pub async fn held(&self) {
        loop {
            let notified = self.held.notified();
            if self.holding.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}
